#include "rlx/core/binary_io.h"

#include <fmt/format.h>

#include <bit>

#include "rlx/core/error.h"

namespace rlx {

void BinaryWriter::f64(double v) { u64(std::bit_cast<uint64_t>(v)); }

void BinaryWriter::decimal(Decimal v) {
  const auto raw = static_cast<unsigned __int128>(v.raw());
  u64(static_cast<uint64_t>(raw));
  u64(static_cast<uint64_t>(raw >> 64));
}

void BinaryWriter::str(std::string_view v) {
  u64(v.size());
  out_->append(v);
}

bool BinaryReader::boolean(const char* what) {
  const uint8_t v = u8(what);
  if (v > 1) bad_value(what, v);
  return v == 1;
}

double BinaryReader::f64(const char* what) { return std::bit_cast<double>(get(8, what)); }

Decimal BinaryReader::decimal(const char* what) {
  const uint64_t lo = get(8, what);
  const uint64_t hi = get(8, what);
  const auto raw = static_cast<__int128>(static_cast<unsigned __int128>(hi) << 64 | lo);
  if (raw > Decimal::kMaxRaw || raw < -Decimal::kMaxRaw) {
    fail(what, "decimal out of DECIMAL(38,18) range");
  }
  return Decimal::from_raw(raw);
}

std::string BinaryReader::str(const char* what) {
  const uint64_t n = count(what, 1);
  std::string s(data_.substr(pos_, n));
  pos_ += n;
  return s;
}

uint64_t BinaryReader::count(const char* what, size_t min_bytes) {
  const uint64_t n = get(8, what);
  if (min_bytes > 0 && n > remaining() / min_bytes) {
    fail(what,
         fmt::format("count {} needs at least {} bytes, {} left", n, n * min_bytes, remaining()));
  }
  return n;
}

void BinaryReader::expect_tag(uint32_t expected, const char* what) {
  const uint32_t tag = u32(what);
  if (tag != expected) {
    fail(what,
         fmt::format("tag {:#010x}, expected {:#010x} (another format version?)", tag, expected));
  }
}

void BinaryReader::expect_end(const char* what) const {
  if (remaining() != 0) fail(what, fmt::format("{} trailing bytes", remaining()));
}

void BinaryReader::fail(const char* what, const std::string& detail) const {
  throw Error(StatusCode::kInternal,
              fmt::format("checkpoint: reading {} at byte {}: {}", what, pos_, detail));
}

void BinaryReader::short_read(const char* what, size_t need) const {
  fail(what, fmt::format("truncated: needs {} bytes, {} left", need, remaining()));
}

void BinaryReader::bad_value(const char* what, uint64_t value) const {
  fail(what, fmt::format("bad value {}", value));
}

}  // namespace rlx
