// The marks of an rlx capture segment (live/recorder.h): a zstd file that starts with a skippable
// frame naming it and, once closed, ends with a skippable footer frame. zstd tools skip both.
// A segment without its footer was still being written (or its writer was killed): its last
// frame may be torn, and io::LineReader stops before it instead of failing.
#pragma once

#include <string>
#include <string_view>

namespace rlx::io {

std::string segment_header_frame();
std::string segment_footer_frame();
// Whether `head` (the first bytes of a file) starts with the header frame.
bool starts_with_segment_header(std::string_view head);
// Whether `tail` (the last bytes of a file) ends with the footer frame.
bool ends_with_segment_footer(std::string_view tail);
// Bytes of a footer frame (the tail to read to check for one).
size_t segment_footer_size();

}  // namespace rlx::io
