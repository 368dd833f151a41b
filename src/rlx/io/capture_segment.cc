#include "rlx/io/capture_segment.h"

#include <cstdint>

namespace rlx::io {
namespace {

// zstd skippable frames: magic 0x184D2A5? then a 32-bit size, both little-endian.
constexpr std::string_view kHeader = "rlx-capture-segment/1";
constexpr std::string_view kFooter = "rlx-capture-segment-end/1";

std::string skippable(uint8_t variant, std::string_view payload) {
  std::string out;
  const uint32_t magic = 0x184D2A50u + variant;
  const auto size = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((magic >> (8 * i)) & 0xff));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  out.append(payload);
  return out;
}

}  // namespace

std::string segment_header_frame() { return skippable(0, kHeader); }
std::string segment_footer_frame() { return skippable(1, kFooter); }
size_t segment_footer_size() { return 8 + kFooter.size(); }

bool starts_with_segment_header(std::string_view head) {
  const std::string h = segment_header_frame();
  return head.substr(0, h.size()) == h;
}

bool ends_with_segment_footer(std::string_view tail) {
  const std::string f = segment_footer_frame();
  return tail.size() >= f.size() && tail.substr(tail.size() - f.size()) == f;
}

}  // namespace rlx::io
