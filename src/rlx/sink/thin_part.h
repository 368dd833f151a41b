// A part's thin copy (docs/SCHEMA.md, "Thin copies"): what `rlx validate` reads of a part, in
// about a sixth of its bytes and a fraction of its decoding time. Decoding the part's 24
// DECIMAL(38,18) columns costs DuckDB about 70 s of CPU for a busy day; the thin copy keeps only
// what the fidelity features read:
//   - every row's type, time (origin_time, else received_time), flags and last_in_message;
//   - trade and snapshot rows whole: side, price, size, trade id;
//   - at the end of each message, the top-N levels the part's enrichment columns show.
// Update ids, received_time beside an origin_time, and the diff rows' own sides, prices and
// sizes are left out, so it never replaces the part. `rlx reconstruct --validate` writes one
// beside each part ("part-NNNNN.thin"), listed with its size and hash in manifest.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rlx/core/event.h"
#include "rlx/core/message.h"
#include "rlx/durability/durable_file.h"

namespace rlx::sink {

// "…/part-NNNNN.parquet" -> "…/part-NNNNN.thin".
std::string thin_path(const std::string& part_path);

// Collects one part's rows; write() stores them and starts the next part.
class ThinPartWriter {
 public:
  explicit ThinPartWriter(int32_t top_n);

  // One row, as ParquetSink::append gets it: the book after it, best first.
  void add(const Event& event, std::span<const Level> bids, std::span<const Level> asks);
  uint64_t rows() const { return rows_; }
  // Writes the rows added since the last write (or clear) durably to `path` (temporary file,
  // fsync, rename) and starts over. Throws Error(kIo) naming the path.
  durability::FileDigest write(const std::filesystem::path& path);
  void clear();

 private:
  int32_t top_n_;
  uint64_t rows_ = 0;
  int64_t first_seq_ = 0;
  int64_t time_ = 0;  // the previous row's time, where it had one
  __int128 price_ = 0;
  __int128 size_ = 0;
  std::vector<Level> book_;  // the last message's top levels: top_n bids, then top_n asks
  std::string kinds_, times_, flags_, details_, books_;
};

// Reads a thin copy whole and hands its rows back one by one. Every error (a short or corrupt
// file, a wrong version, a value out of range) throws Error(kBadInput) naming the file.
class ThinPartReader {
 public:
  explicit ThinPartReader(const std::filesystem::path& path);
  ThinPartReader(const ThinPartReader&) = delete;
  ThinPartReader& operator=(const ThinPartReader&) = delete;

  int32_t top_n() const { return top_n_; }
  uint64_t rows() const { return rows_; }
  int64_t first_event_seq() const { return first_seq_; }

  // The next row into *event: event_seq, type, origin_time (the row's time; received_time is
  // NULL), flags and last_in_message always; side, price, size and trade_id for trades and
  // snapshot rows (cleared for diff rows). False after the last row. At a row with
  // last_in_message, bids() and asks() hold the book after its message.
  bool next(Event* event);
  // At a row with last_in_message: whether the book differs from the previous message's (the
  // first message of the file always does, so a reader that keeps a book across files sets it).
  bool book_changed() const { return book_changed_; }
  std::span<const Level> bids() const { return {book_.data(), depth_[0]}; }
  std::span<const Level> asks() const { return {book_.data() + top_n_, depth_[1]}; }

 private:
  struct Stream {
    const char* at = nullptr;
    const char* end = nullptr;
  };
  [[noreturn]] void fail(const std::string& what) const;
  [[noreturn]] void ends_early(const char* what) const;
  uint8_t byte(Stream& s, const char* what) {
    if (s.at == s.end) [[unlikely]]
      ends_early(what);
    return static_cast<uint8_t>(*s.at++);
  }
  unsigned __int128 varint(Stream& s, const char* what) {
    if (s.at != s.end && static_cast<uint8_t>(*s.at) < 0x80) return static_cast<uint8_t>(*s.at++);
    return long_varint(s, what);
  }
  unsigned __int128 long_varint(Stream& s, const char* what);
  __int128 decimal(Stream& s, const char* what);  // a difference put by put_decimal

  std::string path_;
  std::unique_ptr<char[]> body_;  // the decompressed body
  int32_t top_n_ = 0;
  uint64_t rows_ = 0;
  int64_t first_seq_ = 0;
  uint64_t row_ = 0;  // rows read so far
  int64_t time_ = 0;
  __int128 price_ = 0;
  __int128 size_ = 0;
  std::vector<Level> book_;
  size_t depth_[2] = {0, 0};
  bool book_changed_ = false;
  bool first_book_ = true;
  Stream kinds_, times_, flags_, details_, books_;
};

}  // namespace rlx::sink
