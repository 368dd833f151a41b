#include "rlx/sink/thin_part.h"

#include <xxhash.h>
#include <zstd.h>

#include <array>
#include <cstring>
#include <memory>
#include <new>

#include "rlx/core/error.h"
#include "rlx/sink/parquet_sink.h"

namespace rlx::sink {
namespace {

// File: the magic, then u32 version, u32 top_n, i64 first event_seq, u64 rows, u64 body bytes
// (all little-endian), then the body as one zstd frame. Body: five u64 stream lengths, then the
// streams (docs/SCHEMA.md, "Thin copies").
static_assert(kMaxTopN <= 64, "a side's changed levels are a 64-bit mask");

constexpr char kMagic[8] = {'R', 'L', 'X', 'T', 'H', 'I', 'N', '\n'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 8 + 8 + 8;
constexpr size_t kStreams = 5;
constexpr int kZstdLevel = 1;  // level 3 is ~10 % smaller and twice the CPU

// Bits of a row's kind byte.
constexpr uint8_t kTypeMask = 0x3;     // EventType
constexpr uint8_t kLast = 1u << 2;     // last_in_message
constexpr uint8_t kFlagged = 1u << 3;  // flags != 0: a varint in the flags stream
constexpr int kTimeShift = 4;          // 2 bits: kSameTime, kTimeDelta or kNoTime
constexpr uint8_t kSameTime = 0;
constexpr uint8_t kTimeDelta = 1;  // a zigzag varint from the previous time in the times stream
constexpr uint8_t kNoTime = 2;

void put_varint(std::string* out, unsigned __int128 v) {
  char buf[19];  // 128 bits in 7-bit groups
  size_t n = 0;
  while (v >> 64 != 0) {  // rare: 64-bit arithmetic below
    buf[n++] = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  uint64_t x = static_cast<uint64_t>(v);
  while (x >= 0x80) {
    buf[n++] = static_cast<char>(static_cast<uint8_t>(x) | 0x80);
    x >>= 7;
  }
  buf[n++] = static_cast<char>(x);
  out->append(buf, n);
}

unsigned __int128 zigzag(__int128 v) {
  return (static_cast<unsigned __int128>(v) << 1) ^ static_cast<unsigned __int128>(v >> 127);
}

__int128 unzigzag(unsigned __int128 v) {
  return static_cast<__int128>(v >> 1) ^ -static_cast<__int128>(v & 1);
}

void put_u64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// Differences and sums modulo 2^128: any two values have a difference, and a corrupt file cannot
// overflow a signed value.
__int128 minus(__int128 a, __int128 b) {
  return static_cast<__int128>(static_cast<unsigned __int128>(a) -
                               static_cast<unsigned __int128>(b));
}
__int128 plus(__int128 a, __int128 b) {
  return static_cast<__int128>(static_cast<unsigned __int128>(a) +
                               static_cast<unsigned __int128>(b));
}

// A decimal difference as mantissa and power of ten: zigzag(m) << 5 | k for d = m * 10^k, k the
// trailing decimal zeros of d (a tick of 0.1 is 10^17 unscaled: one byte, not nine). Differences
// beyond 64 bits: k = 31, then the zigzag value whole.
constexpr uint32_t kWholeDecimal = 31;

void put_decimal(std::string* out, __int128 d) {
  if (d < INT64_MIN || d > INT64_MAX) {
    put_varint(out, kWholeDecimal);
    put_varint(out, zigzag(d));
    return;
  }
  int64_t m = static_cast<int64_t>(d);
  uint32_t k = 0;
  if (m != 0) {  // constant divisors: multiplications, not divisions
    if (m % 10'000'000'000'000'000 == 0) m /= 10'000'000'000'000'000, k += 16;
    if (m % 100'000'000 == 0) m /= 100'000'000, k += 8;
    if (m % 10'000 == 0) m /= 10'000, k += 4;
    if (m % 100 == 0) m /= 100, k += 2;
    if (m % 10 == 0) m /= 10, k += 1;
  }
  put_varint(out, zigzag(m) << 5 | k);
}

// 10^k for k < 31.
constexpr std::array<__int128, 31> kPowersOfTen = [] {
  std::array<__int128, 31> p{};
  p[0] = 1;
  for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

bool has_details(EventType type) { return type != EventType::kBookDelta; }

}  // namespace

std::string thin_path(const std::string& part_path) {
  constexpr std::string_view kParquet = ".parquet";
  const std::string_view p = part_path;
  const std::string_view stem =
      p.size() >= kParquet.size() && p.substr(p.size() - kParquet.size()) == kParquet
          ? p.substr(0, p.size() - kParquet.size())
          : p;
  return std::string(stem) + ".thin";
}

ThinPartWriter::ThinPartWriter(int32_t top_n)
    : top_n_(top_n), book_(2 * static_cast<size_t>(top_n)) {}

void ThinPartWriter::clear() {
  rows_ = 0;
  time_ = 0;
  price_ = size_ = 0;
  std::fill(book_.begin(), book_.end(), Level{});
  for (std::string* s : {&kinds_, &times_, &flags_, &details_, &books_}) s->clear();
}

void ThinPartWriter::add(const Event& event, std::span<const Level> bids,
                         std::span<const Level> asks) {
  if (rows_ == 0) first_seq_ = event.event_seq;
  // The reader numbers rows from the first: a part's rows are consecutive (the engine's are).
  if (event.event_seq != first_seq_ + static_cast<int64_t>(rows_)) {
    throw Error(StatusCode::kInternal,
                "thin copy: event_seq " + std::to_string(event.event_seq) + " where " +
                    std::to_string(first_seq_ + static_cast<int64_t>(rows_)) + " was due");
  }
  ++rows_;
  uint8_t kind = static_cast<uint8_t>(event.type) & kTypeMask;
  if (event.last_in_message) kind |= kLast;
  if (event.flags != 0) {
    kind |= kFlagged;
    put_varint(&flags_, event.flags);
  }
  const int64_t t = event.origin_time != kNull ? event.origin_time : event.received_time;
  if (t == kNull) {
    kind |= kNoTime << kTimeShift;
  } else if (t != time_) {
    kind |= kTimeDelta << kTimeShift;
    put_varint(&times_, zigzag(static_cast<__int128>(t) - time_));
    time_ = t;
  }
  kinds_.push_back(static_cast<char>(kind));
  if (has_details(event.type)) {
    details_.push_back(static_cast<char>(event.side));
    put_decimal(&details_, minus(event.price.raw(), price_));
    put_decimal(&details_, minus(event.size.raw(), size_));
    price_ = event.price.raw();
    size_ = event.size.raw();
    // Length + 1; 0 is NULL (an empty trade_id).
    put_varint(&details_, event.trade_id.empty() ? 0 : event.trade_id.size() + 1);
    details_ += event.trade_id;
  }
  if (!event.last_in_message) return;
  // Per side: the depth shown, a bit for each shown level that differs from the previous
  // message's, and for each such level its price and size as differences.
  const size_t n = static_cast<size_t>(top_n_);
  const std::span<const Level> sides[2] = {bids, asks};
  for (size_t s = 0; s < 2; ++s) {
    const size_t depth = std::min(sides[s].size(), n);
    Level* old = book_.data() + s * n;
    uint64_t changed = 0;
    for (size_t i = 0; i < depth; ++i) {
      if (sides[s][i].price != old[i].price || sides[s][i].size != old[i].size) {
        changed |= uint64_t{1} << i;
      }
    }
    put_varint(&books_, depth);
    put_varint(&books_, changed);
    for (size_t i = 0; i < depth; ++i) {
      if ((changed >> i & 1) == 0) continue;
      put_decimal(&books_, minus(sides[s][i].price.raw(), old[i].price.raw()));
      put_decimal(&books_, minus(sides[s][i].size.raw(), old[i].size.raw()));
      old[i] = sides[s][i];
    }
    for (size_t i = depth; i < n; ++i) old[i] = Level{};  // levels not shown read as zero
  }
}

durability::FileDigest ThinPartWriter::write(const std::filesystem::path& path) {
  std::string body;
  const std::string* streams[kStreams] = {&kinds_, &times_, &flags_, &details_, &books_};
  size_t total = kStreams * 8;
  for (const std::string* s : streams) total += s->size();
  body.reserve(total);
  for (const std::string* s : streams) put_u64(&body, s->size());
  for (const std::string* s : streams) body += *s;

  std::string file(kMagic, sizeof kMagic);
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<char>(kVersion >> (8 * i)));
  for (int i = 0; i < 4; ++i)
    file.push_back(static_cast<char>(static_cast<uint32_t>(top_n_) >> (8 * i)));
  put_u64(&file, static_cast<uint64_t>(first_seq_));
  put_u64(&file, rows_);
  put_u64(&file, body.size());
  const size_t header = file.size();
  file.resize(header + ZSTD_compressBound(body.size()));
  // With zstd's checksum of the content, a damaged frame is refused, not misread.
  const std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!cctx) throw Error(StatusCode::kIo, path.string() + ": out of memory for zstd");
  size_t n = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, kZstdLevel);
  if (!ZSTD_isError(n)) n = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  if (!ZSTD_isError(n)) {
    n = ZSTD_compress2(cctx.get(), file.data() + header, file.size() - header, body.data(),
                       body.size());
  }
  if (ZSTD_isError(n)) {
    throw Error(StatusCode::kIo,
                path.string() + ": compressing the thin copy: " + ZSTD_getErrorName(n));
  }
  file.resize(header + n);
  durability::write_file_atomic(path, file);
  clear();
  return {file.size(), XXH3_64bits(file.data(), file.size())};
}

ThinPartReader::ThinPartReader(const std::filesystem::path& path) : path_(path.string()) {
  std::string file;
  try {
    file = durability::read_file(path);
  } catch (const Error& e) {
    throw Error(StatusCode::kBadInput, e.what());
  }
  if (file.size() < kHeaderBytes || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
    fail("not a thin copy (no header)");
  }
  uint32_t version = 0, top_n = 0;
  std::memcpy(&version, file.data() + 8, 4);
  std::memcpy(&top_n, file.data() + 12, 4);
  if (version != kVersion) fail("version " + std::to_string(version) + ", this rlx reads 1");
  if (top_n > 64) fail("top_n " + std::to_string(top_n) + " is out of range");
  top_n_ = static_cast<int32_t>(top_n);
  first_seq_ = static_cast<int64_t>(get_u64(file.data() + 16));
  rows_ = get_u64(file.data() + 24);
  const uint64_t body_bytes = get_u64(file.data() + 32);
  const char* frame = file.data() + kHeaderBytes;
  const size_t frame_bytes = file.size() - kHeaderBytes;
  // The header is not under the checksum: its sizes are checked before anything is allocated.
  const unsigned long long content = ZSTD_getFrameContentSize(frame, frame_bytes);
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN ||
      content != body_bytes || body_bytes < kStreams * 8 + rows_) {
    fail("corrupt body (its size)");
  }
  if (first_seq_ < 0 || static_cast<uint64_t>(first_seq_) > INT64_MAX - rows_) {
    fail("event_seq out of range");
  }
  // Not zero-filled: a size claimed by a damaged frame costs address space, not memory, until
  // zstd finds the frame short.
  body_.reset(new (std::nothrow) char[body_bytes]);
  if (!body_) fail("corrupt body (" + std::to_string(body_bytes) + " bytes claimed)");
  const size_t n = ZSTD_decompress(body_.get(), body_bytes, frame, frame_bytes);
  if (ZSTD_isError(n) || n != body_bytes) fail("corrupt body (zstd)");
  const char* at = body_.get() + kStreams * 8;
  const char* end = body_.get() + body_bytes;
  Stream* streams[kStreams] = {&kinds_, &times_, &flags_, &details_, &books_};
  for (size_t i = 0; i < kStreams; ++i) {
    const uint64_t len = get_u64(body_.get() + 8 * i);
    if (len > static_cast<uint64_t>(end - at)) fail("corrupt body (stream lengths)");
    *streams[i] = Stream{at, at + len};
    at += len;
  }
  if (at != end || static_cast<uint64_t>(kinds_.end - kinds_.at) != rows_) {
    fail("corrupt body (row count)");
  }
  book_.assign(2 * static_cast<size_t>(top_n_), Level{});
}

void ThinPartReader::fail(const std::string& what) const {
  throw Error(StatusCode::kBadInput,
              path_ + ": " + what + (row_ > 0 ? " (row " + std::to_string(row_) + ")" : ""));
}

__int128 ThinPartReader::decimal(Stream& s, const char* what) {
  const unsigned __int128 v = varint(s, what);
  const uint32_t k = static_cast<uint32_t>(v & 31);
  if (k == kWholeDecimal) return unzigzag(varint(s, what));
  // m * 10^k with |m| < 2^63 and k <= 18 fits; a corrupt file cannot overflow a signed value.
  return static_cast<__int128>(static_cast<unsigned __int128>(unzigzag(v >> 5)) *
                               static_cast<unsigned __int128>(kPowersOfTen[k]));
}

void ThinPartReader::ends_early(const char* what) const {
  fail(std::string("corrupt body (") + what + " ends early)");
}

unsigned __int128 ThinPartReader::long_varint(Stream& s, const char* what) {
  // Most values fit in a byte or two: 64-bit arithmetic until they do not.
  uint64_t low = 0;
  for (int shift = 0; shift < 63; shift += 7) {
    const uint8_t b = byte(s, what);
    low |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return low;
  }
  unsigned __int128 v = low;
  for (int shift = 63; shift < 128; shift += 7) {
    const uint8_t b = byte(s, what);
    v |= static_cast<unsigned __int128>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  fail(std::string("corrupt body (") + what + " varint too long)");
}

bool ThinPartReader::next(Event* event) {
  if (row_ == rows_) {
    for (const Stream* s : {&times_, &flags_, &details_, &books_}) {
      if (s->at != s->end) fail("corrupt body (bytes after the last row)");
    }
    return false;
  }
  event->event_seq = first_seq_ + static_cast<int64_t>(row_);
  ++row_;
  const uint8_t kind = byte(kinds_, "kinds");
  const uint8_t type = kind & kTypeMask;
  if (type > static_cast<uint8_t>(EventType::kBookDelta) || kind >> (kTimeShift + 2) != 0) {
    fail("corrupt body (row kind)");
  }
  event->type = static_cast<EventType>(type);
  event->last_in_message = (kind & kLast) != 0;
  event->flags = 0;
  if ((kind & kFlagged) != 0) event->flags = static_cast<uint32_t>(varint(flags_, "flags"));
  switch (kind >> kTimeShift & 3) {
    case kSameTime:
      event->origin_time = time_;
      break;
    case kTimeDelta:
      time_ = static_cast<int64_t>(plus(time_, unzigzag(varint(times_, "times"))));
      event->origin_time = time_;
      break;
    case kNoTime:
      event->origin_time = kNull;
      break;
    default:
      fail("corrupt body (time kind)");
  }
  event->received_time = kNull;
  event->update_id = event->first_update_id = event->prev_update_id = kNull;
  if (has_details(event->type)) {
    const uint8_t side = byte(details_, "details");
    if (side > static_cast<uint8_t>(Side::kSell)) fail("corrupt body (side)");
    event->side = static_cast<Side>(side);
    price_ = plus(price_, decimal(details_, "details"));
    size_ = plus(size_, decimal(details_, "details"));
    event->price = Decimal::from_raw(price_);
    event->size = Decimal::from_raw(size_);
    const unsigned __int128 id = varint(details_, "details");
    if (id == 0) {
      event->trade_id.clear();
    } else {
      if (id - 1 > static_cast<unsigned __int128>(details_.end - details_.at)) {
        fail("corrupt body (trade id)");
      }
      event->trade_id.assign(details_.at, static_cast<size_t>(id - 1));
      details_.at += static_cast<size_t>(id - 1);
    }
  } else {
    event->side = Side::kNone;
    event->price = event->size = Decimal{};
    event->trade_id.clear();
  }
  if (!event->last_in_message) return true;
  const size_t n = static_cast<size_t>(top_n_);
  book_changed_ = first_book_;
  first_book_ = false;
  for (size_t s = 0; s < 2; ++s) {
    const unsigned __int128 depth = varint(books_, "books");
    const unsigned __int128 changed = varint(books_, "books");
    if (depth > n || (changed >> depth) != 0) fail("corrupt body (book depth)");
    book_changed_ = book_changed_ || changed != 0 || depth != depth_[s];
    depth_[s] = static_cast<size_t>(depth);
    Level* level = book_.data() + s * n;
    for (size_t i = 0; i < depth_[s]; ++i) {
      if ((changed >> i & 1) == 0) continue;
      level[i].price = Decimal::from_raw(plus(level[i].price.raw(), decimal(books_, "books")));
      level[i].size = Decimal::from_raw(plus(level[i].size.raw(), decimal(books_, "books")));
    }
    for (size_t i = depth_[s]; i < n; ++i) level[i] = Level{};
  }
  return true;
}

}  // namespace rlx::sink
