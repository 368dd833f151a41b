// Streaming line reader for plain, gzip or zstd text files, with bounded memory.
// The compression is detected from the first bytes (gzip 1f 8b, zstd 28 b5 2f fd or a zstd
// skippable frame), not the name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "rlx/io/line_source.h"

namespace rlx::io {

enum class Compression : uint8_t { kNone = 0, kGzip = 1, kZstd = 2 };
const char* compression_name(Compression compression);  // "plain", "gzip", "zstd"

struct LineReaderOptions {
  size_t read_buffer_bytes = 256 * 1024;     // compressed (or plain) bytes per read(2)
  size_t text_buffer_bytes = 1024 * 1024;    // decompressed text window; grows for long lines
  size_t max_line_bytes = 64 * 1024 * 1024;  // a longer line is bad input, never unbounded memory
};

class LineReader final : public LineSource {
 public:
  // Opens `path` and detects its compression. Throws rlx::Error(kBadInput) if it cannot be opened.
  explicit LineReader(std::string path, const LineReaderOptions& options = {});
  ~LineReader() override;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its '\n' (and without a trailing '\r'); false at the end of the file.
  // The view stays valid until the next call. A last line without '\n' is still returned.
  // Throws rlx::Error(kBadInput) naming the file and the line reached for a truncated or corrupt
  // compressed stream, a read error, or a line longer than max_line_bytes.
  bool next(std::string_view* line) override;

  // 1-based number of the line last returned (0 before the first).
  uint64_t line_number() const override { return line_number_; }
  const std::string& path() const override { return path_; }
  bool rereadable() const override { return true; }
  Compression compression() const { return compression_; }
  // Decompressed bytes produced so far (newlines included).
  uint64_t text_bytes() const { return text_bytes_; }
  // An rlx capture segment without its footer (io/capture_segment.h): one still being written,
  // or whose writer was killed. Its file may end inside a frame: the reader then stops at the
  // last whole line instead of failing, and torn_tail() says so.
  bool unfinished_segment() const { return unfinished_segment_; }
  bool torn_tail() const override { return torn_tail_; }

 private:
  struct Decoder;

  // Appends decompressed text after text_end_; returns false at the clean end of the input.
  bool fill();
  bool read_raw();  // refills the raw buffer; false at end of file
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  LineReaderOptions options_;
  int fd_ = -1;
  Compression compression_ = Compression::kNone;
  std::unique_ptr<Decoder> decoder_;

  std::unique_ptr<char[]> raw_;  // compressed input window [raw_pos_, raw_end_)
  size_t raw_pos_ = 0;
  size_t raw_end_ = 0;
  bool raw_eof_ = false;

  std::unique_ptr<char[]> text_;  // decompressed text [text_pos_, text_end_) not yet returned
  size_t text_cap_ = 0;
  size_t text_pos_ = 0;
  size_t text_end_ = 0;
  size_t scan_from_ = 0;  // no '\n' in [text_pos_, scan_from_)
  bool text_eof_ = false;

  uint64_t line_number_ = 0;
  uint64_t text_bytes_ = 0;
  bool unfinished_segment_ = false;
  bool torn_tail_ = false;
};

}  // namespace rlx::io
