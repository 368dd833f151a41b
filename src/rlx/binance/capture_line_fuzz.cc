// libFuzzer target: the line framing of Binance captures (capture_line.h) over arbitrary bytes.
// Every format and file kind splits the input as one line; whatever a splitter returns must lie
// inside its input, and a refusal must say why.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rlx/binance/capture_line.h"
#include "rlx/testing/fuzz.h"

namespace {

using rlx::binance::CaptureFormat;
using rlx::binance::CaptureLine;
using rlx::testing::within;

void check_envelope(std::string_view json) {
  std::string_view stream;
  std::string_view data;
  int64_t capture_ns = -1;
  if (!rlx::binance::split_envelope(json, &stream, &data, &capture_ns)) return;
  RLX_FUZZ_CHECK(within(stream, json) && within(data, json));
  RLX_FUZZ_CHECK(!data.empty());
  RLX_FUZZ_CHECK(stream.find('"') == std::string_view::npos);
  // A combined-stream frame carries no capture time; a golden line's is a non-negative integer.
  RLX_FUZZ_CHECK(capture_ns >= -1);
  if (json.starts_with(R"({"capture_ns":)")) RLX_FUZZ_CHECK(capture_ns >= 0);
}

void check_split(CaptureFormat format, bool http, std::string_view line) {
  CaptureLine out;
  std::string field;
  std::string what;
  if (!rlx::binance::split_capture_line(format, http, line, &out, &field, &what)) {
    RLX_FUZZ_CHECK(!field.empty() && !what.empty());
    return;
  }
  RLX_FUZZ_CHECK(within(out.header_url, line) && within(out.url, line) && within(out.json, line));
  if (out.header) {
    RLX_FUZZ_CHECK(out.json.empty());
    return;
  }
  RLX_FUZZ_CHECK(out.received == rlx::kNull || out.received >= 0);
  if (format == CaptureFormat::kHftbacktest) RLX_FUZZ_CHECK(out.received >= 0);
  check_envelope(out.json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  (void)rlx::binance::detect_capture_format(line);
  if (!line.empty()) {  // split_capture_line's contract: one non-empty line
    for (auto format : {CaptureFormat::kUnknown, CaptureFormat::kHftbacktest,
                        CaptureFormat::kCryptofeed, CaptureFormat::kGolden}) {
      check_split(format, false, line);
      check_split(format, true, line);
    }
  }
  check_envelope(line);

  int64_t ns = -1;
  if (rlx::binance::parse_epoch_seconds(line, &ns)) {
    RLX_FUZZ_CHECK(ns >= 0);
    if (line.find('.') == std::string_view::npos) RLX_FUZZ_CHECK(ns % 1'000'000'000 == 0);
  }
  return 0;
}
