// Streaming line reader for plain, gzip or zstd text files, with bounded memory.
// The compression is detected from the first bytes (gzip 1f 8b, zstd 28 b5 2f fd or a zstd
// skippable frame), not the name.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "rlx/core/binary_io.h"
#include "rlx/io/line_source.h"

namespace rlx::io {

enum class Compression : uint8_t { kNone = 0, kGzip = 1, kZstd = 2 };
const char* compression_name(Compression compression);  // "plain", "gzip", "zstd"

struct LineReaderOptions {
  size_t read_buffer_bytes = 256 * 1024;     // compressed (or plain) bytes per read(2)
  size_t text_buffer_bytes = 1024 * 1024;    // decompressed text window; grows for long lines
  size_t max_line_bytes = 64 * 1024 * 1024;  // a longer line is bad input, never unbounded memory
  // Text between restart points (seek() decodes at most about this much again); 0: none but the
  // file's start (gzip then inflates without stopping at each block: BM_LineReader/0).
  uint64_t restart_interval = 4 * 1024 * 1024;
};

// Where a reader stands between two lines, to come back to with seek() on a fresh reader of the
// same file (a resumed run). Decoding restarts at a restart point at or before it (the file's
// start, a gzip member or deflate block with the 32 KiB of text before it, a zstd frame) and the
// text from there to the line is decoded again and dropped: a seek costs at most about one
// restart interval of decoding, wherever the position is.
struct LinePosition {
  uint64_t line_number = 0;      // lines returned before it
  uint64_t text_offset = 0;      // decompressed bytes before it
  uint64_t raw_offset = 0;       // the restart point: where in the file decoding resumes
  uint64_t raw_text_offset = 0;  // decompressed bytes before the restart point
  uint8_t bits = 0;              // gzip, inside a member: bits of the byte before raw_offset
  bool in_member = false;        // gzip: a deflate block inside a member (raw inflate + window)
  std::string window;            // gzip, inside a member: the text before the restart point

  void save(BinaryWriter& writer) const;
  static LinePosition load(BinaryReader& reader);  // throws Error(kInternal) on a short read
  friend bool operator==(const LinePosition&, const LinePosition&) = default;
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

  // The position after the last line returned, cheaply (a few integers); position() makes it a
  // LinePosition while its restart point is still kept (the last 8; lines are read ahead by at
  // most the text buffer), else one that decodes from the file's start.
  struct Mark {
    uint64_t line_number = 0;
    uint64_t text_offset = 0;
    uint64_t restart_serial = 0;
  };
  Mark mark() const;
  LinePosition position(const Mark& mark) const;
  // Moves a reader that has not returned a line yet to `position` (from the same file). Throws
  // rlx::Error(kBadInput) naming the file when the position does not fit it.
  void seek(const LinePosition& position);
  // Text decompressed by this reader so far, seeks included (what a seek cost).
  uint64_t decoded_bytes() const { return decoded_bytes_; }

 private:
  struct Decoder;

  // Appends decompressed text after text_end_; returns false at the clean end of the input.
  bool fill();
  bool read_raw();  // refills the raw buffer; false at end of file
  void add_restart_point(bool in_member, uint8_t bits);
  void drop_text_until(uint64_t text_offset);
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
  uint64_t decoded_bytes_ = 0;
  uint64_t raw_base_ = 0;  // file offset of raw_[0]

  // The last few restart points (the oldest is dropped as new ones come), and the mark.
  // The last few restart points (the oldest is dropped as new ones come).
  std::deque<LinePosition> restarts_;
  uint64_t restart_serial_ = 0;  // restart points made so far; restarts_.back() is the last
  bool unfinished_segment_ = false;
  bool torn_tail_ = false;
};

}  // namespace rlx::io
