// Fixed-width little-endian binary encoding for checkpoints: BinaryWriter appends to a string,
// BinaryReader reads the same back. No framing or checksum here; the checkpoint file adds both.
//
// Versioning: every saved object starts with a 32-bit tag naming the object and its format
// version (make_tag("OBK", 1)); a loader accepts exactly its own tag, so a checkpoint written
// by another format version fails loudly instead of restoring a wrong state.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "rlx/core/decimal.h"

namespace rlx {

// Three letters and a version; the bytes read "ABC" then the version in a hex dump.
constexpr uint32_t make_tag(const char (&name)[4], uint8_t version) {
  return static_cast<uint32_t>(static_cast<uint8_t>(name[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(name[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(name[2])) << 16 |
         static_cast<uint32_t>(version) << 24;
}

class BinaryWriter {
 public:
  // Appends to *out, which must outlive the writer.
  explicit BinaryWriter(std::string* out) : out_(out) {}

  void u8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v), 8); }
  void f64(double v);            // the exact bit pattern
  void decimal(Decimal v);       // the int128, low then high u64
  void str(std::string_view v);  // u64 length, then the bytes

  size_t size() const { return out_->size(); }

 private:
  void put(uint64_t v, int bytes) {
    char b[8];
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(b, &v, 8);
    } else {
      for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>(v >> (8 * i));
    }
    out_->append(b, static_cast<size_t>(bytes));
  }
  std::string* out_;
};

// Every read names what it reads (`what`); a short read, a bad value or a wrong tag throws
// rlx::Error(StatusCode::kInternal) "checkpoint: reading WHAT at byte N: ...". A checkpoint is
// checksummed before it is parsed, so this only fires on a bug or a format version skew.
class BinaryReader {
 public:
  explicit BinaryReader(std::string_view data) : data_(data) {}

  uint8_t u8(const char* what) { return static_cast<uint8_t>(get(1, what)); }
  bool boolean(const char* what);  // 0 or 1; anything else throws
  uint32_t u32(const char* what) { return static_cast<uint32_t>(get(4, what)); }
  uint64_t u64(const char* what) { return get(8, what); }
  int64_t i64(const char* what) { return static_cast<int64_t>(get(8, what)); }
  double f64(const char* what);
  Decimal decimal(const char* what);  // throws outside DECIMAL(38,18)
  std::string str(const char* what);
  // A u64 count of elements that each take at least `min_bytes`: throws if the rest of the
  // input cannot hold them, so a corrupt count never reserves gigabytes.
  uint64_t count(const char* what, size_t min_bytes);
  // An enum stored as u8; throws if above `max`.
  template <typename Enum>
  Enum enumeration(const char* what, Enum max) {
    const uint8_t v = u8(what);
    if (v > static_cast<uint8_t>(max)) bad_value(what, v);
    return static_cast<Enum>(v);
  }
  // Reads a tag and throws unless it is `expected` (naming both: version skew is obvious).
  void expect_tag(uint32_t expected, const char* what);
  // Throws unless every byte was read.
  void expect_end(const char* what) const;

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  // Throws the reader's error for a value that was read but is not acceptable.
  [[noreturn]] void fail(const char* what, const std::string& detail) const;

 private:
  uint64_t get(int bytes, const char* what) {
    if (remaining() < static_cast<size_t>(bytes)) short_read(what, static_cast<size_t>(bytes));
    uint64_t v = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, data_.data() + pos_, static_cast<size_t>(bytes));
    } else {
      for (int i = 0; i < bytes; ++i) {
        v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + static_cast<size_t>(i)]))
             << (8 * i);
      }
    }
    pos_ += static_cast<size_t>(bytes);
    return v;
  }
  [[noreturn]] void short_read(const char* what, size_t need) const;
  [[noreturn]] void bad_value(const char* what, uint64_t value) const;

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace rlx
