// libFuzzer target: LineReader over an arbitrary file: plain text, gzip, zstd, or an rlx capture
// segment (skippable header and footer frames). Bad input may throw rlx::Error and nothing else;
// every line returned must respect max_line_bytes and hold no '\n'. Plain text is checked against
// a plain split on '\n': the window's slides and growth must neither lose nor invent a byte.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/io/line_reader.h"
#include "rlx/testing/fuzz.h"

namespace {

// Small buffers, and a line limit above the text window, so that inputs of a few KB cross the
// refill, slide, grow and too-long paths.
constexpr rlx::io::LineReaderOptions kOptions{
    .read_buffer_bytes = 4096, .text_buffer_bytes = 4096, .max_line_bytes = 5000};
// Stop reading a decompression bomb once this much text came out: its lines are not the point.
constexpr uint64_t kMaxTextBytes = 8 * 1024 * 1024;

// The input as a file the reader can open by path: one memfd, rewritten for each input.
const std::string& input_path(const uint8_t* data, size_t size) {
  static const int fd = ::memfd_create("rlx_line_reader_fuzz", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  RLX_FUZZ_CHECK(fd >= 0);
  RLX_FUZZ_CHECK(::ftruncate(fd, 0) == 0);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    RLX_FUZZ_CHECK(n > 0);
    done += static_cast<size_t>(n);
  }
  return path;
}

// What LineReader must make of plain text: the lines without '\n' and one trailing '\r'; a last
// line without '\n' counts. *too_long: some line (with its '\r') passes max_line_bytes.
std::vector<std::string_view> split_plain(std::string_view text, bool* too_long) {
  std::vector<std::string_view> lines;
  *too_long = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.size() > kOptions.max_line_bytes) *too_long = true;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = input_path(data, size);
  std::vector<std::string> lines;
  bool plain = false;
  bool threw = false;
  try {
    rlx::io::LineReader reader(path, kOptions);
    plain = reader.compression() == rlx::io::Compression::kNone;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
      RLX_FUZZ_CHECK(reader.compression() == rlx::io::Compression::kGzip);
    }
    std::string_view line;
    while (reader.text_bytes() <= kMaxTextBytes && reader.next(&line)) {
      lines.emplace_back(line);
      RLX_FUZZ_CHECK(reader.line_number() == lines.size());
      RLX_FUZZ_CHECK(line.size() <= kOptions.max_line_bytes);
      RLX_FUZZ_CHECK(line.find('\n') == std::string_view::npos);
    }
    RLX_FUZZ_CHECK(!reader.torn_tail() || reader.unfinished_segment());
    if (plain) RLX_FUZZ_CHECK(reader.text_bytes() == size);
  } catch (const rlx::Error& e) {
    RLX_FUZZ_CHECK(e.code() == rlx::StatusCode::kBadInput);
    threw = true;
  }
  if (plain) {
    bool too_long = false;
    const auto expected = split_plain({reinterpret_cast<const char*>(data), size}, &too_long);
    RLX_FUZZ_CHECK(threw == too_long);
    RLX_FUZZ_CHECK(lines.size() <= expected.size());
    for (size_t i = 0; i < lines.size(); ++i) RLX_FUZZ_CHECK(lines[i] == expected[i]);
    if (!threw) RLX_FUZZ_CHECK(lines.size() == expected.size());
  }
  return 0;
}
