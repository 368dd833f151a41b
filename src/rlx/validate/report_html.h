// The human reports built from a judged run (../shared/FIDELITY.md §5): report.html, one file
// with its charts library inlined and a strict Content-Security-Policy (no network, every
// script pinned by hash); and the one-page summary printed to summary.pdf.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "rlx/validate/validate.h"

namespace rlx::validate {

// ECharts (dist/echarts.min.js from the npm registry, pinned in third_party/echarts), built
// into the binary.
std::string_view echarts_js();

// report.html: verdict, scores by category, failing metrics with remedies, every metric, and
// charts (histograms side by side, Q-Q plots, depth heatmaps, event clustering, state-space
// coverage, drift and seams over time). Charts render as SVG; the page marks
// <html data-render="ok"> when the last one is drawn, and data-js-errors="N" on any error.
std::string report_html(const Report& report, const LoadedSide& golden, const LoadedSide& candidate,
                        std::string_view chart_js);

// The one-page A4 summary (no script): verdict, scores, the worst failures, the sides.
std::string summary_html(const Report& report, const LoadedSide& golden,
                         const LoadedSide& candidate);

// Prints `html` (a file) to `pdf` with headless Chromium: `browser`, a command on PATH or a path
// (the command line passes $RLX_CHROMIUM when set). Returns false, with *why set, when the
// browser is not found or fails; the caller reports that and goes on.
bool print_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf,
               const std::string& browser, std::string* why);

}  // namespace rlx::validate
