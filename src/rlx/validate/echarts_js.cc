// ECharts' dist/echarts.min.js, built into the binary so report.html needs no network and no
// file beside rlx. RLX_ECHARTS_JS is its path under .deps/echarts (scripts/bootstrap installs it
// from the npm registry, pinned in third_party/echarts/package-lock.json).
#ifndef RLX_ECHARTS_JS
#error "RLX_ECHARTS_JS must name echarts.min.js (src/rlx/validate/CMakeLists.txt)"
#endif

asm(".section .rodata\n"
    ".global rlx_echarts_js_start\n"
    ".global rlx_echarts_js_end\n"
    "rlx_echarts_js_start:\n"
    ".incbin \"" RLX_ECHARTS_JS
    "\"\n"
    "rlx_echarts_js_end:\n"
    ".byte 0\n"
    ".previous\n");
