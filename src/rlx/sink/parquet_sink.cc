// Design: the caller's thread fills Arrow C data interface arrays directly (raw int64 /
// decimal128 / dictionary-index buffers and validity bitmaps, no per-value appender calls), one
// array per row group; a writer thread runs
//   COPY (SELECT <exchange>, <symbol>, * ... FROM rlx_sink_rows) TO '<tmp>' (FORMAT parquet, ...)
// per part, where rlx_sink_rows is DuckDB's arrow_scan over an ArrowArrayStream whose get_next
// pops the filled arrays from a bounded queue (decimal and integer buffers are used in place).
// arrow_scan gives every array a batch index, so DuckDB plans its order-preserving batch COPY:
// `writer_threads` DuckDB threads encode and compress row groups in parallel and one writes
// them in batch-index order. The row groups do not depend on thread timing: every array but a
// part's last holds exactly row_group_rows_ rows, a multiple of 2048, so DuckDB cuts a group
// after exactly row_group_rows_ rows (see the constructor), and the bytes are the same for any
// writer_threads (parquet_sink_test.cc: SameBytesForAnyThreadCount). Memory: row groups are
// capped at 8 MB uncompressed because DuckDB buffers several of them (its copy of the groups
// being encoded plus a run-ahead of collected ones); measured figures and the trade-off are in
// docs/SCHEMA.md, "Writer design and speed".
#include "rlx/sink/parquet_sink.h"

#include <duckdb.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/duckdb.h"
#include "rlx/sink/thin_part.h"

// The Arrow C data and stream interfaces
// (https://arrow.apache.org/docs/format/CDataInterface.html), a stable ABI; duckdb.h only declares
// the structs.
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
#endif
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};
#endif

namespace rlx::sink {
namespace {

// Fixed columns, in file order; the level columns follow.
enum Column : size_t {
  kExchange = 0,
  kSymbol,
  kEventSeq,
  kEventType,
  kOriginTime,
  kReceivedTime,
  kUpdateId,
  kFirstUpdateId,
  kPrevUpdateId,
  kTradeId,
  kSide,
  kPrice,
  kSize,
  kLastInMessage,
  kFlags,
  kBestBidPrice,
  kBestBidSize,
  kBestAskPrice,
  kBestAskSize,
  kMidPrice,
  kSpread,
  kFirstLevel,
};
// exchange and symbol are constant per part: the COPY's SELECT adds them as constants, so the
// caller's arrays start at kEventSeq.
constexpr size_t kFirstFilled = kEventSeq;

constexpr const char* kFixedNames[kFirstLevel] = {
    "exchange",       "symbol",          "event_seq",     "event_type",
    "origin_time",    "received_time",   "update_id",     "first_update_id",
    "prev_update_id", "trade_id",        "side",          "price",
    "size",           "last_in_message", "flags",         "best_bid_price",
    "best_bid_size",  "best_ask_price",  "best_ask_size", "mid_price",
    "spread"};

// Uncompressed bytes of one row group at most (see row_group_rows_).
constexpr int64_t kMaxRowGroupBytes = int64_t{8} << 20;

constexpr int64_t kNsPerDay = 86'400'000'000'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string date_string(int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// Days since 1970-01-01 of a "YYYY-MM-DD" date; false if it is not one.
bool parse_date(const std::string& date, int64_t* days) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  char tail = 0;
  if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return false;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return false;
  *days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return date_string(*days) == date;
}

// The NNNNN of a path ending in "/part-NNNNN.parquet"; -1 if it does not.
int64_t part_index(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  constexpr std::string_view kPrefix = "part-";
  constexpr std::string_view kSuffix = ".parquet";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return -1;
  }
  const std::string digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return -1;
  }
  return std::stoll(digits);
}

std::string part_name(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05lld.parquet", static_cast<long long>(index));
  return buf;
}

// Validity and boolean bitmaps, whole 64-bit words.
size_t bitmap_bytes(size_t rows) { return (rows + 63) / 64 * 8; }

enum class Kind { kInt64, kDictIndex, kString, kDecimal, kBool, kUInt32 };

Kind kind_of(size_t c) {
  switch (c) {
    case kEventSeq:
    case kOriginTime:
    case kReceivedTime:
    case kUpdateId:
    case kFirstUpdateId:
    case kPrevUpdateId:
      return Kind::kInt64;
    case kEventType:
    case kSide:
      return Kind::kDictIndex;
    case kTradeId:
      return Kind::kString;
    case kLastInMessage:
      return Kind::kBool;
    case kFlags:
      return Kind::kUInt32;
    default:
      return Kind::kDecimal;
  }
}

bool nullable(size_t c) {
  return c != kEventSeq && c != kEventType && c != kPrice && c != kSize && c != kLastInMessage &&
         c != kFlags;
}

const char* arrow_format(Kind kind) {
  switch (kind) {
    case Kind::kInt64:
      return "l";
    case Kind::kDictIndex:
      return "c";  // int8 indices into a utf8 dictionary
    case Kind::kString:
      return "u";
    case Kind::kDecimal:
      return "d:38,18";  // decimal128: the little-endian int128 of rlx::Decimal and DuckDB
    case Kind::kBool:
      return "b";
    case Kind::kUInt32:
      return "I";
  }
  return "";
}

// Bytes of a column's value buffer for `rows` rows.
size_t data_bytes(Kind kind, size_t rows) {
  switch (kind) {
    case Kind::kInt64:
      return 8 * rows;
    case Kind::kDictIndex:
      return rows;
    case Kind::kString:
      return 4 * (rows + 1);  // int32 offsets; the characters live in ArrowBatch::chars
    case Kind::kDecimal:
      return 16 * rows;
    case Kind::kBool:
      return bitmap_bytes(rows);
    case Kind::kUInt32:
      return 4 * rows;
  }
  return 0;
}

size_t align64(size_t n) { return (n + 63) & ~size_t{63}; }

void release_schema(ArrowSchema* schema) { schema->release = nullptr; }
void release_static_array(ArrowArray* array) { array->release = nullptr; }

// A utf8 dictionary array owned by the sink (the ENUM values of event_type and side).
struct Dictionary {
  explicit Dictionary(const std::vector<const char*>& values) {
    offsets.push_back(0);
    for (const char* v : values) {
      chars += v;
      offsets.push_back(static_cast<int32_t>(chars.size()));
    }
    buffers = {nullptr, offsets.data(), chars.data()};
    array = ArrowArray{};
    array.length = static_cast<int64_t>(values.size());
    array.n_buffers = 3;
    array.buffers = buffers.data();
    array.release = release_static_array;
    schema = ArrowSchema{};
    schema.format = "u";
    schema.flags = ARROW_FLAG_NULLABLE;
    schema.release = release_schema;
  }
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;

  std::vector<int32_t> offsets;
  std::string chars;
  std::array<const void*, 3> buffers{};
  ArrowArray array{};
  ArrowSchema schema{};
};

class BatchPool;

// One Arrow struct array of up to one row group's rows, the filled columns (kEventSeq onwards) as
// children. The caller fills it, DuckDB reads it in place; its release hands it back to the pool.
struct ArrowBatch {
  ArrowArray root{};
  std::vector<ArrowArray> children;
  std::vector<ArrowArray*> child_ptrs;
  std::vector<std::array<const void*, 3>> buffers;
  uint8_t* storage = nullptr;
  std::vector<char> chars;          // trade_id characters
  std::vector<void*> data;          // by file column; nullptr below kFirstFilled
  std::vector<uint64_t*> validity;  // by file column; nullptr if not nullable
  int32_t* trade_offsets = nullptr;
  size_t rows = 0;
  BatchPool* pool = nullptr;
  const void* root_validity = nullptr;  // the struct itself has no NULLs

  ~ArrowBatch() { std::free(storage); }

  void set_null(size_t c, size_t r) {
    validity[c][r >> 6] &= ~(uint64_t{1} << (r & 63));
    ++children[c - kFirstFilled].null_count;
  }
};

void release_child(ArrowArray* array) { array->release = nullptr; }

// Allocates batches and takes them back when DuckDB (or the queue) releases them.
class BatchPool {
 public:
  BatchPool(size_t column_count, size_t batch_rows, Dictionary* event_types, Dictionary* sides,
            size_t max_free)
      : column_count_(column_count),
        batch_rows_(batch_rows),
        event_types_(event_types),
        sides_(sides),
        max_free_(max_free) {
    size_t offset = 0;
    validity_offset_.assign(column_count_, SIZE_MAX);
    data_offset_.assign(column_count_, 0);
    for (size_t c = kFirstFilled; c < column_count_; ++c) {
      if (nullable(c)) {
        validity_offset_[c] = offset;
        offset += align64(bitmap_bytes(batch_rows_));
      }
      data_offset_[c] = offset;
      offset += align64(data_bytes(kind_of(c), batch_rows_));
    }
    storage_bytes_ = offset;
  }
  ~BatchPool() {
    for (ArrowBatch* b : free_) delete b;
  }
  BatchPool(const BatchPool&) = delete;
  BatchPool& operator=(const BatchPool&) = delete;

  // A batch with no rows, every value valid.
  ArrowBatch* take() {
    ArrowBatch* b = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        b = free_.back();
        free_.pop_back();
      }
    }
    if (!b) b = create();
    b->rows = 0;
    b->chars.clear();
    b->trade_offsets[0] = 0;
    for (size_t c = kFirstFilled; c < column_count_; ++c) {
      ArrowArray& child = b->children[c - kFirstFilled];
      child.null_count = 0;
      child.release = release_child;
      if (b->validity[c]) std::memset(b->validity[c], 0xFF, bitmap_bytes(batch_rows_));
      if (kind_of(c) == Kind::kBool) std::memset(b->data[c], 0, bitmap_bytes(batch_rows_));
    }
    b->root.release = release_root;
    return b;
  }

  // Sets the lengths once the batch is full (or the part ends).
  static void seal(ArrowBatch* b) {
    const auto n = static_cast<int64_t>(b->rows);
    b->root.length = n;
    for (ArrowArray& child : b->children) child.length = n;
    b->buffers[kTradeId - kFirstFilled][2] = b->chars.data();
  }

  static void release_root(ArrowArray* array) {
    auto* b = static_cast<ArrowBatch*>(array->private_data);
    array->release = nullptr;
    b->pool->give_back(b);
  }

 private:
  ArrowBatch* create() {
    auto b = std::make_unique<ArrowBatch>();
    b->pool = this;
    b->storage = static_cast<uint8_t*>(std::aligned_alloc(64, storage_bytes_));
    if (!b->storage) throw std::bad_alloc();
    b->chars.reserve(batch_rows_ * 24);  // non-null data() even when no row has a trade id
    const size_t n = column_count_ - kFirstFilled;
    b->children.assign(n, ArrowArray{});
    b->child_ptrs.resize(n);
    b->buffers.assign(n, {});
    b->data.assign(column_count_, nullptr);
    b->validity.assign(column_count_, nullptr);
    for (size_t c = kFirstFilled; c < column_count_; ++c) {
      const size_t i = c - kFirstFilled;
      if (validity_offset_[c] != SIZE_MAX) {
        b->validity[c] = reinterpret_cast<uint64_t*>(b->storage + validity_offset_[c]);
      }
      b->data[c] = b->storage + data_offset_[c];
      std::array<const void*, 3>& buf = b->buffers[i];
      buf[0] = b->validity[c];
      buf[1] = b->data[c];
      ArrowArray& child = b->children[i];
      child.n_buffers = 2;
      child.buffers = buf.data();
      if (kind_of(c) == Kind::kString) {
        b->trade_offsets = static_cast<int32_t*>(b->data[c]);
        child.n_buffers = 3;
      }
      if (c == kEventType) child.dictionary = &event_types_->array;
      if (c == kSide) child.dictionary = &sides_->array;
      b->child_ptrs[i] = &child;
    }
    b->root.n_buffers = 1;
    b->root.buffers = &b->root_validity;
    b->root.n_children = static_cast<int64_t>(n);
    b->root.children = b->child_ptrs.data();
    b->root.private_data = b.get();
    return b.release();
  }

  void give_back(ArrowBatch* b) {
    std::lock_guard lock(mutex_);
    if (free_.size() < max_free_) {
      free_.push_back(b);
      return;
    }
    delete b;
  }

  size_t column_count_;
  size_t batch_rows_;
  Dictionary* event_types_;
  Dictionary* sides_;
  size_t max_free_;
  std::vector<size_t> validity_offset_;
  std::vector<size_t> data_offset_;
  size_t storage_bytes_ = 0;
  std::mutex mutex_;
  std::vector<ArrowBatch*> free_;
};

// Batches handed from the caller to the writer. nullptr marks the end of a part.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  ~BatchQueue() { drain(); }

  // Blocks while full. Returns false (and releases the batch) if the consumer has failed or
  // the part was abandoned.
  bool push(ArrowBatch* batch) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    if (closed_) {
      lock.unlock();
      if (batch) batch->root.release(&batch->root);
      return false;
    }
    items_.push_back(batch);
    not_empty_.notify_one();
    return true;
  }

  // Blocks while empty. Returns false when closed (the COPY must fail).
  bool pop(ArrowBatch** batch) {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (closed_) return false;
    *batch = items_.front();
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }

  // Wakes both sides for good: the writer failed, or the caller abandons the part.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  void reset() {
    drain();
    std::lock_guard lock(mutex_);
    closed_ = false;
  }

 private:
  void drain() {
    std::deque<ArrowBatch*> items;
    {
      std::lock_guard lock(mutex_);
      items.swap(items_);
    }
    for (ArrowBatch* b : items) {
      if (b) b->root.release(&b->root);
    }
  }

  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<ArrowBatch*> items_;
  size_t capacity_;
  bool closed_ = false;
};

}  // namespace

class ParquetSink::Impl {
 public:
  explicit Impl(ParquetSinkOptions options);
  ~Impl();

  void append(const Event& event, const Level* bids, size_t n_bids, const Level* asks,
              size_t n_asks);
  void append(const Event& event, const book::OrderBook& book);
  void finish();
  void commit_open_part() {
    if (failed_) throw Error(StatusCode::kIo, "sink: commit after a write failure");
    if (finished_) throw Error(StatusCode::kInternal, "sink: commit after finish");
    if (part_.open) close_part();
  }

  bool part_open() const { return part_.open; }
  const FileInfo& open_part_info() const { return part_.info; }
  int64_t open_part_date() const { return part_.day; }

  ParquetSinkOptions options_;
  std::vector<FileInfo> files_;
  int64_t total_rows_ = 0;

 private:
  struct Part {
    bool open = false;
    int64_t day = 0;
    std::filesystem::path dir;
    std::filesystem::path tmp;
    std::filesystem::path final_path;
    FileInfo info;
  };

  void open_part(int64_t day);
  void close_part();
  void abandon_part() noexcept;
  void open_db();  // db_, with the ENUM types and rlx_sink_rows (the Arrow stream)
  void push_batch();
  [[noreturn]] void rethrow_writer_error();

  static int stream_get_schema(ArrowArrayStream* stream, ArrowSchema* out);
  static int stream_get_next(ArrowArrayStream* stream, ArrowArray* out);
  static const char* stream_get_last_error(ArrowArrayStream* stream);
  static void stream_release(ArrowArrayStream* stream);

  size_t top_n_;
  // append(event, book)'s copy of the book's top levels, reused: a fresh array of kMaxTopN
  // levels a row was zeroed at every row.
  std::array<Level, kMaxTopN> bid_levels_;
  std::array<Level, kMaxTopN> ask_levels_;
  size_t column_count_;
  int64_t row_group_rows_ = 0;
  size_t batch_rows_ = 0;
  std::vector<std::string> names_;
  // Declared before db_ and queue_: they outlive every use by DuckDB.
  Dictionary event_types_;
  Dictionary sides_;
  std::vector<ArrowSchema> schema_children_;
  std::vector<ArrowSchema*> schema_child_ptrs_;
  ArrowSchema schema_root_{};
  ArrowArrayStream stream_{};
  std::unique_ptr<BatchPool> pool_;
  // Opened by the first part's writer thread: DuckDB takes ~15 ms to start, which then overlaps
  // the caller filling the first row groups instead of delaying the run's start.
  std::unique_ptr<io::DuckDb> db_;
  BatchQueue queue_;
  ArrowBatch* fill_ = nullptr;
  std::string copy_options_;
  Part part_;
  std::unique_ptr<ThinPartWriter> thin_;  // write_thin
  std::thread writer_;
  std::exception_ptr writer_error_;
  std::map<int64_t, int64_t> next_part_;  // by day
  bool finished_ = false;
  bool failed_ = false;  // a part failed: nothing more may be written or committed
  int64_t current_day_ = 0;
  bool have_day_ = false;
};

namespace {

std::vector<const char*> event_type_names() {
  return {event_type_name(EventType::kTrade), event_type_name(EventType::kBookSnapshot),
          event_type_name(EventType::kBookDelta)};
}

std::vector<const char*> side_names() {
  return {side_name(Side::kBid), side_name(Side::kAsk), side_name(Side::kBuy),
          side_name(Side::kSell)};
}

int32_t effective_threads(const ParquetSinkOptions& o) {
  if (o.writer_threads > 0) return std::min(o.writer_threads, 64);
  return o.top_n <= 10 ? 2 : 1;
}

io::DuckDbOptions writer_db_options(const ParquetSinkOptions& o) {
  io::DuckDbOptions options;
  options.threads = effective_threads(o);
  // Without a limit DuckDB's batch COPY runs ahead by up to a quarter of its default limit (80%
  // of RAM) and keeps what it freed: 2.4 GB on a 100 M-row day. The limit bounds both.
  options.memory_limit =
      !o.memory_limit.empty()
          ? o.memory_limit
          : std::to_string(ParquetSink::writer_memory_limit_bytes(o.top_n, o.writer_threads) >>
                           20) +
                "MiB";
  return options;
}

std::string enum_sql(const char* name, const std::vector<const char*>& values) {
  std::string sql = std::string("CREATE TYPE ") + name + " AS ENUM (";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) sql += ", ";
    sql += io::sql_quote(values[i]);
  }
  return sql + ")";
}

size_t checked_queue(size_t n) { return n < 1 ? 1 : n; }

}  // namespace

ParquetSink::Impl::Impl(ParquetSinkOptions options)
    : options_(std::move(options)),
      top_n_(static_cast<size_t>(options_.top_n < 0 ? 0 : options_.top_n)),
      column_count_(0),
      names_(ParquetSink::column_names(options_.top_n < 0 ? 0 : options_.top_n)),
      event_types_(event_type_names()),
      sides_(side_names()),
      queue_(checked_queue(options_.queue_row_groups)) {
  if (options_.top_n < 0 || options_.top_n > kMaxTopN) {
    throw Error(StatusCode::kInvalidArgument,
                "sink: top_n must be within 0.." + std::to_string(kMaxTopN));
  }
  if (options_.rows_per_file < 1 || options_.row_group_size < 1) {
    throw Error(StatusCode::kInvalidArgument,
                "sink: rows_per_file and row_group_size must be positive");
  }
  if (options_.zstd_level < 1 || options_.zstd_level > 22) {
    throw Error(StatusCode::kInvalidArgument, "sink: zstd_level must be within 1..22");
  }
  if (options_.writer_threads < 0 || options_.writer_threads > 64) {
    throw Error(StatusCode::kInvalidArgument, "sink: writer_threads must be within 0..64");
  }
  if (options_.exchange.empty() || options_.symbol.empty() || options_.root.empty()) {
    throw Error(StatusCode::kInvalidArgument, "sink: root, exchange and symbol are required");
  }
  // Readers refuse such names first (a bad row, file and row named); this guards the paths.
  for (const std::string& v : {options_.exchange, options_.symbol}) {
    if (!valid_partition_name(v)) throw bad_input(Location{}, partition_name_error("sink:", v));
  }
  for (const FileInfo& f : options_.committed) {
    int64_t day = 0;
    const int64_t index = part_index(f.path);
    if (f.exchange != options_.exchange || f.symbol != options_.symbol ||
        !parse_date(f.date, &day) || index < 0 || f.rows < 0) {
      throw Error(StatusCode::kBadInput, "sink: committed part '" + f.path + "' is not a part of " +
                                             options_.exchange + "/" + options_.symbol);
    }
    int64_t& next = next_part_[day];
    next = std::max(next, index + 1);
    total_rows_ += f.rows;
  }
  files_ = options_.committed;
  if (options_.write_thin) thin_ = std::make_unique<ThinPartWriter>(options_.top_n);
  column_count_ = names_.size();
  // DuckDB holds a whole row group uncompressed (plus encoding buffers) before writing it, so
  // wide schemas (top_n = 50: ~3.4 KB per row) get shorter row groups to bound memory.
  const int64_t row_bytes = static_cast<int64_t>(16 * (column_count_ - kBestBidPrice) + 80);
  const int64_t cap = std::max<int64_t>(2048, kMaxRowGroupBytes / row_bytes / 2048 * 2048);
  // A whole number of 2048-row arrays: DuckDB's batch COPY then cuts every group after exactly
  // this many rows whatever the order its threads finish in (a group "near" the size, within
  // one vector, would otherwise be accepted early depending on timing).
  const int64_t rounded = (options_.row_group_size + 2047) / 2048 * 2048;
  row_group_rows_ = std::min(rounded, cap);
  // One Arrow array per row group: the fastest split measured, and each array is a whole number
  // of 2048-row chunks.
  batch_rows_ = static_cast<size_t>(row_group_rows_);
  pool_ = std::make_unique<BatchPool>(column_count_, batch_rows_, &event_types_, &sides_,
                                      checked_queue(options_.queue_row_groups) +
                                          static_cast<size_t>(effective_threads(options_)) + 1);

  // The Arrow schema of the filled columns (a struct array, one child per column).
  const size_t n = column_count_ - kFirstFilled;
  schema_children_.assign(n, ArrowSchema{});
  schema_child_ptrs_.resize(n);
  for (size_t c = kFirstFilled; c < column_count_; ++c) {
    ArrowSchema& s = schema_children_[c - kFirstFilled];
    s.format = arrow_format(kind_of(c));
    s.name = names_[c].c_str();
    s.flags = ARROW_FLAG_NULLABLE;
    s.release = release_schema;
    if (c == kEventType) s.dictionary = &event_types_.schema;
    if (c == kSide) s.dictionary = &sides_.schema;
    schema_child_ptrs_[c - kFirstFilled] = &s;
  }
  schema_root_.format = "+s";
  schema_root_.name = "";
  schema_root_.n_children = static_cast<int64_t>(n);
  schema_root_.children = schema_child_ptrs_.data();
  schema_root_.release = release_schema;

  stream_.get_schema = &Impl::stream_get_schema;
  stream_.get_next = &Impl::stream_get_next;
  stream_.get_last_error = &Impl::stream_get_last_error;
  stream_.release = &Impl::stream_release;
  stream_.private_data = this;

  // PARQUET_VERSION V2 (data page v2, DELTA_BINARY_PACKED integers) halves the files and
  // saves CPU; dictionaries (a tiny limit keeps them to the ENUM and constant columns) and
  // bloom filters cost writer CPU and buy nothing for price/size columns. Measured in
  // docs/SCHEMA.md.
  copy_options_ = " (FORMAT parquet, PARQUET_VERSION V2, COMPRESSION zstd, COMPRESSION_LEVEL " +
                  std::to_string(options_.zstd_level) + ", ROW_GROUP_SIZE " +
                  std::to_string(row_group_rows_) +
                  ", DICTIONARY_SIZE_LIMIT 1, WRITE_BLOOM_FILTER false)";
  durability::create_directories_durable(options_.root);
}

ParquetSink::Impl::~Impl() {
  abandon_part();
  if (fill_) fill_->root.release(&fill_->root);
}

int ParquetSink::Impl::stream_get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
  auto* self = static_cast<Impl*>(stream->private_data);
  for (ArrowSchema& child : self->schema_children_) child.release = release_schema;
  self->event_types_.schema.release = release_schema;
  self->sides_.schema.release = release_schema;
  *out = self->schema_root_;
  out->release = release_schema;  // the sink owns the schema; DuckDB only reads it
  return 0;
}

int ParquetSink::Impl::stream_get_next(ArrowArrayStream* stream, ArrowArray* out) {
  auto* self = static_cast<Impl*>(stream->private_data);
  ArrowBatch* batch = nullptr;
  if (!self->queue_.pop(&batch)) return EIO;  // part abandoned or failed: the COPY fails
  if (batch == nullptr) {                     // end of part
    *out = ArrowArray{};
    out->release = nullptr;
    return 0;
  }
  *out = batch->root;  // DuckDB owns it now; its release hands the batch back to the pool
  return 0;
}

const char* ParquetSink::Impl::stream_get_last_error(ArrowArrayStream*) {
  return "rlx sink: part abandoned";
}

void ParquetSink::Impl::stream_release(ArrowArrayStream* stream) { stream->release = nullptr; }

void ParquetSink::Impl::open_db() {
  db_ = std::make_unique<io::DuckDb>(writer_db_options(options_));
  // event_type and side arrive as dictionary-encoded strings; the COPY casts them to ENUMs so
  // DuckDB writes them as Parquet dictionaries (one byte per row in memory).
  db_->execute(enum_sql("rlx_event_type", event_type_names()));
  db_->execute(enum_sql("rlx_side", side_names()));
  // The constant exchange and symbol columns too: as VARCHAR, DuckDB hashed every row's value
  // to build their one-entry dictionaries.
  db_->execute(enum_sql("rlx_exchange", {options_.exchange.c_str()}));
  db_->execute(enum_sql("rlx_symbol", {options_.symbol.c_str()}));
  if (duckdb_arrow_scan(db_->connection(), "rlx_sink_rows",
                        reinterpret_cast<duckdb_arrow_stream>(&stream_)) != DuckDBSuccess) {
    throw Error(StatusCode::kInternal, "sink: cannot register the Arrow stream rlx_sink_rows");
  }
}

void ParquetSink::Impl::push_batch() {
  ArrowBatch* batch = std::exchange(fill_, nullptr);
  BatchPool::seal(batch);
  if (!queue_.push(batch)) rethrow_writer_error();
}

void ParquetSink::Impl::rethrow_writer_error() {
  failed_ = true;
  if (writer_.joinable()) writer_.join();
  part_.open = false;
  std::error_code ec;
  std::filesystem::remove(part_.tmp, ec);
  if (writer_error_) std::rethrow_exception(writer_error_);
  throw Error(StatusCode::kIo, "sink: the Parquet writer stopped");
}

std::string symbol_partition(const std::string& exchange, const std::string& symbol) {
  return "exchange=" + exchange + "/symbol=" + symbol;
}

void ParquetSink::Impl::open_part(int64_t day) {
  const std::string date = date_string(day);
  Part part;
  part.day = day;
  const std::string partition = symbol_partition(options_.exchange, options_.symbol);
  part.dir = options_.root / partition / ("date=" + date);
  int64_t& next = next_part_[day];
  const std::string name = part_name(next);
  part.final_path = part.dir / name;
  part.tmp = part.dir / ("." + name + ".tmp");
  durability::create_directories_durable(part.dir);
  if (std::filesystem::exists(part.final_path)) {
    throw Error(StatusCode::kInvalidArgument,
                "sink: output file already exists: " + part.final_path.string());
  }
  ++next;
  part.info.path = partition + "/date=" + date + "/" + name;
  part.info.exchange = options_.exchange;
  part.info.symbol = options_.symbol;
  part.info.date = date;
  part.open = true;
  part_ = std::move(part);

  queue_.reset();
  writer_error_ = nullptr;
  const std::string sql =
      "COPY (SELECT CAST(" + io::sql_quote(options_.exchange) +
      " AS rlx_exchange) AS exchange, CAST(" + io::sql_quote(options_.symbol) +
      " AS rlx_symbol) AS symbol, * REPLACE (CAST(event_type AS rlx_event_type) AS event_type, "
      "CAST(side AS rlx_side) AS side) FROM rlx_sink_rows) TO " +
      io::sql_quote(part_.tmp.string()) + copy_options_;
  writer_ = std::thread([this, sql] {
    try {
      if (!db_) open_db();
      db_->execute(sql, StatusCode::kIo);
    } catch (...) {
      writer_error_ = std::current_exception();
      queue_.close();  // unblocks a caller waiting on a full queue
    }
  });
}

void ParquetSink::Impl::close_part() {
  durability::FileDigest digest;
  try {
    if (fill_ && fill_->rows > 0) push_batch();
    if (!queue_.push(nullptr)) rethrow_writer_error();
    writer_.join();
    if (writer_error_) rethrow_writer_error();
#ifdef __GLIBC__
    // DuckDB's encoding threads allocate and free large buffers; glibc then raises its mmap
    // threshold and keeps the freed memory in per-thread arenas, and a busy day grew to 2.7 GB.
    // Handing it back after each part keeps the process flat (~450 MB for the day).
    malloc_trim(0);
#endif
    if (thin_) {
      const durability::FileDigest thin = thin_->write(options_.root / thin_path(part_.info.path));
      part_.info.thin_bytes = thin.bytes;
      part_.info.thin_xxh3 = thin.xxh3;
    }
    digest = durability::digest_file(part_.tmp, /*sync=*/true);
    durability::rename_durable(part_.tmp, part_.final_path);
  } catch (...) {
    failed_ = true;
    abandon_part();
    throw;
  }
  part_.info.bytes = digest.bytes;
  part_.info.xxh3 = digest.xxh3;
  files_.push_back(std::move(part_.info));
  part_ = Part{};
}

void ParquetSink::Impl::abandon_part() noexcept {
  if (!part_.open) return;
  queue_.close();
  if (writer_.joinable()) writer_.join();
  std::error_code ec;
  std::filesystem::remove(part_.tmp, ec);
  if (thin_) {
    thin_->clear();
    // Written before the part, so a failure after it leaves no thin copy of a missing part.
    std::filesystem::remove(options_.root / thin_path(part_.info.path), ec);
  }
  part_ = Part{};
}

void ParquetSink::Impl::append(const Event& event, const Level* bids, size_t n_bids,
                               const Level* asks, size_t n_asks) {
  if (finished_) throw Error(StatusCode::kInternal, "sink: append after finish");
  if (failed_) throw Error(StatusCode::kIo, "sink: append after a write failure");
  // The partition date: origin_time's UTC day, else received_time's, else the previous row's.
  const int64_t t = event.origin_time != kNull ? event.origin_time : event.received_time;
  if (t != kNull) {
    current_day_ = floor_div(t, kNsPerDay);
    have_day_ = true;
  } else if (!have_day_) {
    current_day_ = 0;
    have_day_ = true;
  }
  // Already in a committed part of an earlier attempt (the day above is still tracked, so rows
  // without timestamps get the same date as in an uninterrupted run).
  if (event.event_seq < options_.skip_below_seq) return;
  if (part_.open && (part_.day != current_day_ || part_.info.rows >= options_.rows_per_file)) {
    close_part();
  }
  if (!part_.open) open_part(current_day_);
  if (!fill_) fill_ = pool_->take();

  ArrowBatch& b = *fill_;
  const size_t r = b.rows;
  auto put_i64 = [&](size_t c, int64_t v) {
    if (v == kNull) {
      b.set_null(c, r);
      v = 0;
    }
    static_cast<int64_t*>(b.data[c])[r] = v;
  };
  // DECIMAL(38,18) / Arrow decimal128 is a little-endian int128: rlx::Decimal's raw value.
  auto put_decimal = [&](size_t c, Decimal value) {
    const __int128 raw = value.raw();
    std::memcpy(static_cast<char*>(b.data[c]) + r * 16, &raw, 16);
  };
  auto put_null_decimal = [&](size_t c) {
    b.set_null(c, r);
    std::memset(static_cast<char*>(b.data[c]) + r * 16, 0, 16);
  };
  static_cast<int64_t*>(b.data[kEventSeq])[r] = event.event_seq;
  static_cast<int8_t*>(b.data[kEventType])[r] = static_cast<int8_t>(event.type);
  put_i64(kOriginTime, event.origin_time);
  put_i64(kReceivedTime, event.received_time);
  put_i64(kUpdateId, event.update_id);
  put_i64(kFirstUpdateId, event.first_update_id);
  put_i64(kPrevUpdateId, event.prev_update_id);
  if (event.trade_id.empty()) {
    b.set_null(kTradeId, r);
  } else {
    b.chars.insert(b.chars.end(), event.trade_id.begin(), event.trade_id.end());
  }
  b.trade_offsets[r + 1] = static_cast<int32_t>(b.chars.size());
  if (event.side == Side::kNone) {
    b.set_null(kSide, r);
    static_cast<int8_t*>(b.data[kSide])[r] = 0;
  } else {
    static_cast<int8_t*>(b.data[kSide])[r] = static_cast<int8_t>(static_cast<int>(event.side) - 1);
  }
  put_decimal(kPrice, event.price);
  put_decimal(kSize, event.size);
  if (event.last_in_message) {
    static_cast<uint8_t*>(b.data[kLastInMessage])[r >> 3] |= static_cast<uint8_t>(1u << (r & 7));
  }
  static_cast<uint32_t*>(b.data[kFlags])[r] = event.flags;

  auto put_level = [&](size_t price_col, const Level* level) {
    if (level) {
      put_decimal(price_col, level->price);
      put_decimal(price_col + 1, level->size);
    } else {
      put_null_decimal(price_col);
      put_null_decimal(price_col + 1);
    }
  };
  const Level* best_bid = n_bids > 0 ? bids : nullptr;
  const Level* best_ask = n_asks > 0 ? asks : nullptr;
  put_level(kBestBidPrice, best_bid);
  put_level(kBestAskPrice, best_ask);
  if (best_bid && best_ask) {
    put_decimal(kMidPrice, Decimal::midpoint(best_bid->price, best_ask->price));
    put_decimal(kSpread, best_ask->price - best_bid->price);
  } else {
    put_null_decimal(kMidPrice);
    put_null_decimal(kSpread);
  }
  for (size_t i = 0; i < top_n_; ++i) {
    put_level(kFirstLevel + 2 * i, i < n_bids ? bids + i : nullptr);
    put_level(kFirstLevel + 2 * (top_n_ + i), i < n_asks ? asks + i : nullptr);
  }

  FileInfo& info = part_.info;
  if (info.rows == 0) info.first_event_seq = event.event_seq;
  info.last_event_seq = event.event_seq;
  if (event.origin_time != kNull) {
    if (info.min_origin_time == kNull || event.origin_time < info.min_origin_time) {
      info.min_origin_time = event.origin_time;
    }
    if (info.max_origin_time == kNull || event.origin_time > info.max_origin_time) {
      info.max_origin_time = event.origin_time;
    }
  }
  ++info.rows;
  ++total_rows_;
  if (thin_) thin_->add(event, {bids, n_bids}, {asks, n_asks});
  if (++b.rows == batch_rows_) push_batch();
}

void ParquetSink::Impl::append(const Event& event, const book::OrderBook& book) {
  // best bid/ask are needed even with top_n == 0
  const size_t n = std::max<size_t>(top_n_, 1);
  const size_t nb = std::min(book.depth(Side::kBid), n);
  const size_t na = std::min(book.depth(Side::kAsk), n);
  for (size_t i = 0; i < nb; ++i) bid_levels_[i] = book.level(Side::kBid, i);
  for (size_t i = 0; i < na; ++i) ask_levels_[i] = book.level(Side::kAsk, i);
  append(event, bid_levels_.data(), nb, ask_levels_.data(), na);
}

void ParquetSink::Impl::finish() {
  if (failed_) throw Error(StatusCode::kIo, "sink: finish after a write failure");
  if (finished_) return;
  finished_ = true;
  if (part_.open) close_part();
}

// ---------------------------------------------------------------------------------------------

ParquetSink::ParquetSink(ParquetSinkOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ParquetSink::~ParquetSink() = default;

void ParquetSink::append(const Event& event, const book::OrderBook& book) {
  impl_->append(event, book);
}

void ParquetSink::append(const Event& event, std::span<const Level> bids,
                         std::span<const Level> asks) {
  impl_->append(event, bids.data(), bids.size(), asks.data(), asks.size());
}

void ParquetSink::finish() { impl_->finish(); }

void ParquetSink::commit_open_part() { impl_->commit_open_part(); }

const std::vector<FileInfo>& ParquetSink::files() const { return impl_->files_; }

int64_t ParquetSink::rows() const { return impl_->total_rows_; }

int64_t ParquetSink::open_part_rows() const {
  return impl_->part_open() ? impl_->open_part_info().rows : 0;
}

bool ParquetSink::open_part_day(int64_t* day) const {
  if (!impl_->part_open()) return false;
  *day = impl_->open_part_date();
  return true;
}

int64_t ParquetSink::writer_memory_limit_bytes(int32_t top_n, int32_t writer_threads) {
  ParquetSinkOptions o;
  o.top_n = std::clamp(top_n, 0, kMaxTopN);
  o.writer_threads = writer_threads;
  // DuckDB's batch COPY lets a second thread encode only once it holds a reservation of 4 MiB per
  // column per extra thread, and it asks for at most a quarter of the limit, of which it was
  // granted less near that cap (top-5, 2 threads: 640 MB ran on one thread, 768 MB on two).
  // Six times the reservation leaves room; 512 MiB is the floor that kept a busy day flat.
  constexpr int64_t kMiB = int64_t{1} << 20;
  const int64_t columns = static_cast<int64_t>(column_names(o.top_n).size());
  const int64_t extra_threads = effective_threads(o) - 1;
  return std::max<int64_t>(512 * kMiB, 6 * 4 * kMiB * columns * extra_threads);
}

std::vector<std::string> ParquetSink::column_names(int32_t top_n) {
  std::vector<std::string> names(std::begin(kFixedNames), std::end(kFixedNames));
  for (const char* side : {"bid", "ask"}) {
    for (int32_t i = 0; i < top_n; ++i) {
      names.push_back(std::string(side) + "_" + std::to_string(i) + "_price");
      names.push_back(std::string(side) + "_" + std::to_string(i) + "_size");
    }
  }
  return names;
}

}  // namespace rlx::sink
