#include "rlx/binance/capture_line.h"

#include <charconv>

namespace rlx::binance {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Non-negative integer text -> int64 (no sign, no overflow).
bool parse_uint(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && *out >= 0;
}

bool consume(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

}  // namespace

bool parse_epoch_seconds(std::string_view s, int64_t* out) {
  const size_t dot = s.find('.');
  int64_t secs = 0;
  if (!parse_uint(s.substr(0, dot), &secs) || secs > 9'000'000'000LL) return false;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    const std::string_view f = s.substr(dot + 1);
    if (f.empty()) return false;
    int32_t n = 0;
    for (char c : f) {
      if (!is_digit(c)) return false;
      if (n < 9) {
        frac = frac * 10 + (c - '0');
        ++n;
      }
    }
    for (; n < 9; ++n) frac *= 10;
  }
  *out = secs * 1'000'000'000LL + frac;
  return true;
}

CaptureFormat detect_capture_format(std::string_view line) {
  if (line.empty()) return CaptureFormat::kUnknown;
  if (line.front() == '{') return CaptureFormat::kGolden;
  if (is_digit(line.front())) {
    const size_t sp = line.find(' ');
    const size_t colon = line.find(':');
    if (sp != std::string_view::npos && (colon == std::string_view::npos || sp < colon)) {
      return CaptureFormat::kHftbacktest;
    }
    return CaptureFormat::kCryptofeed;  // "<epoch s>: {...}" without the url header
  }
  if (line.find(" <-> ") != std::string_view::npos || line.find(" -> ") != std::string_view::npos) {
    return CaptureFormat::kCryptofeed;  // a ws file's header, or a `X.http.0.0` on its own
  }
  return CaptureFormat::kUnknown;
}

bool split_capture_line(CaptureFormat format, bool http, std::string_view line, CaptureLine* out,
                        std::string* field, std::string* what) {
  *out = CaptureLine{};
  switch (format) {
    case CaptureFormat::kGolden:
      out->json = line;
      return true;
    case CaptureFormat::kHftbacktest: {
      const size_t sp = line.find(' ');
      if (sp == std::string_view::npos || !parse_uint(line.substr(0, sp), &out->received)) {
        *field = "local_ns";
        *what = "expected '<local receive ns> <json>' at the start of the line";
        return false;
      }
      out->json = line.substr(sp + 1);
      return true;
    }
    case CaptureFormat::kCryptofeed:
    case CaptureFormat::kUnknown: {
      if (!http) {
        const size_t arrow = line.find(" <-> ");
        if (arrow != std::string_view::npos && !is_digit(line.front())) {
          // Connection header `<ws url> <-> <connect epoch s>` (again after a reconnect).
          out->header = true;
          out->header_url = line.substr(0, arrow);
          return true;
        }
        const size_t colon = line.find(": ");
        if (colon == std::string_view::npos ||
            !parse_epoch_seconds(line.substr(0, colon), &out->received)) {
          *field = "local_time";
          *what = "expected '<local epoch s>: <json>' at the start of the line";
          return false;
        }
        out->json = line.substr(colon + 2);
        return true;
      }
      const size_t arrow = line.find(" -> ");
      const size_t colon = arrow == std::string_view::npos ? arrow : line.find(": ", arrow + 4);
      if (colon == std::string_view::npos ||
          !parse_epoch_seconds(line.substr(arrow + 4, colon - arrow - 4), &out->received)) {
        *field = "local_time";
        *what = "expected '<url> -> <local epoch s>: <json>'";
        return false;
      }
      out->url = line.substr(0, arrow);
      out->json = line.substr(colon + 2);
      return true;
    }
  }
  return false;
}

bool split_envelope(std::string_view json, std::string_view* stream, std::string_view* data,
                    int64_t* capture_ns) {
  std::string_view s = json;
  if (consume(&s, R"({"capture_ns":)")) {
    size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    int64_t ns = 0;
    if (!parse_uint(s.substr(0, n), &ns)) return false;
    if (capture_ns != nullptr) *capture_ns = ns;
    s.remove_prefix(n);
    if (!consume(&s, R"(,"stream":")")) return false;
  } else if (!consume(&s, R"({"stream":")")) {
    return false;
  }
  const size_t quote = s.find('"');
  if (quote == std::string_view::npos) return false;
  *stream = s.substr(0, quote);
  if (stream->find('\\') != std::string_view::npos) return false;
  s.remove_prefix(quote + 1);
  if (!consume(&s, R"(,"data":)")) return false;
  if (s.size() < 2 || s.back() != '}') return false;
  *data = s.substr(0, s.size() - 1);
  return true;
}

}  // namespace rlx::binance
