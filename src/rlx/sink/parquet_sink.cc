// Design: the caller's thread fills DuckDB data chunks directly (raw int64/hugeint/enum arrays
// and validity masks, no per-value appender calls); a writer thread runs
//   COPY (SELECT * FROM rlx_sink_rows()) TO '<tmp>' (FORMAT parquet, ...)
// per part, where rlx_sink_rows is a table function that pops the filled chunks from a bounded
// queue and hands them over by reference (no copy). The two cores split the work: one builds
// rows (~0.17 us/row), the other encodes and compresses (~0.8 us/row, the bottleneck), and
// memory stays bounded by the queue plus one row group (peak RSS 217 MB). An appender into a
// temp table then COPY ... TO would run the halves one after the other and hold a whole part
// (~0.6 GB at 1M rows x top-5) in memory. Measured: 1.10M rows/s median, top-5, zstd 1
// (rlx_parquet_sink_benchmark; docs/SCHEMA.md, "Writer design and speed"). DuckDB runs with one
// thread and a single-threaded source, so row groups and bytes are deterministic.
#include "rlx/sink/parquet_sink.h"

#include <duckdb.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/io/duckdb.h"
#include "rlx/sink/durable_file.h"

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
// exchange and symbol are constant per part: the table function emits them as constant
// vectors, so the caller's chunks start at kEventSeq.
constexpr size_t kFirstFilled = kEventSeq;

constexpr const char* kFixedNames[kFirstLevel] = {
    "exchange",       "symbol",          "event_seq",     "event_type",
    "origin_time",    "received_time",   "update_id",     "first_update_id",
    "prev_update_id", "trade_id",        "side",          "price",
    "size",           "last_in_message", "flags",         "best_bid_price",
    "best_bid_size",  "best_ask_price",  "best_ask_size", "mid_price",
    "spread"};

io::DuckDbOptions single_thread() {
  io::DuckDbOptions options;
  options.threads = 1;
  return options;
}

// Uncompressed bytes of one row group at most (see row_group_rows_).
constexpr int64_t kMaxRowGroupBytes = int64_t{64} << 20;

constexpr int64_t kNsPerDay = 86'400'000'000'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string date_string(int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// The inverse of date_string (committed parts name their date); throws on anything else.
int64_t day_of_date(const std::string& date) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(date.c_str(), "%d-%u-%u", &y, &m, &d) != 3) {
    throw Error(ExitCode::kBadInput, "sink: committed part with a bad date: " + date);
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok() || date_string(std::chrono::sys_days{ymd}.time_since_epoch().count()) != date) {
    throw Error(ExitCode::kBadInput, "sink: committed part with a bad date: " + date);
  }
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

std::string part_name(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05lld.parquet", static_cast<long long>(index));
  return buf;
}

inline void set_null(uint64_t* validity, idx_t row) {
  validity[row >> 6] &= ~(uint64_t{1} << (row & 63));
}

inline void put_decimal(void* data, idx_t row, Decimal value) {
  // DECIMAL(38,18) is a hugeint {uint64 lower, int64 upper}: on x86-64 the layout of __int128.
  const __int128 raw = value.raw();
  std::memcpy(static_cast<char*>(data) + row * 16, &raw, 16);
}

// A chunk the caller fills; the column pointers are cached once per chunk.
struct FillChunk {
  duckdb_data_chunk chunk = nullptr;
  std::vector<void*> data;
  std::vector<uint64_t*> validity;
  duckdb_vector trade_id = nullptr;
  idx_t rows = 0;
};

// Chunks handed from the caller to the writer thread. nullptr marks the end of a part.
class ChunkQueue {
 public:
  explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}
  ~ChunkQueue() { drain(); }

  // Blocks while full. Returns false if the consumer has failed or aborted.
  bool push(duckdb_data_chunk chunk) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    if (closed_) {
      if (chunk) duckdb_destroy_data_chunk(&chunk);
      return false;
    }
    items_.push_back(chunk);
    not_empty_.notify_one();
    return true;
  }

  // Blocks while empty. Returns false when aborted (the COPY must fail).
  bool pop(duckdb_data_chunk* chunk) {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (closed_) return false;
    *chunk = items_.front();
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
    std::lock_guard lock(mutex_);
    for (duckdb_data_chunk c : items_) {
      if (c) duckdb_destroy_data_chunk(&c);
    }
    items_.clear();
  }

  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<duckdb_data_chunk> items_;
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
  void finish();

  int64_t open_part_rows() const { return part_.open ? part_.info.rows : 0; }
  bool open_part_day(int64_t* day) const {
    if (!part_.open) return false;
    *day = part_.day;
    return true;
  }

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
  void new_chunk();
  void push_chunk();
  [[noreturn]] void rethrow_writer_error();

  static void tf_bind(duckdb_bind_info info);
  static void tf_init(duckdb_init_info info);
  static void tf_function(duckdb_function_info info, duckdb_data_chunk output);

  size_t top_n_;
  size_t column_count_;
  int64_t row_group_rows_ = 0;
  std::vector<std::string> names_;
  std::vector<duckdb_logical_type> types_;  // all columns, file order
  duckdb_value exchange_value_ = nullptr;
  duckdb_value symbol_value_ = nullptr;
  io::DuckDb db_;
  ChunkQueue queue_;
  FillChunk fill_;
  Part part_;
  std::thread writer_;
  std::exception_ptr writer_error_;
  std::map<int64_t, int64_t> next_part_;  // by day
  bool finished_ = false;
  bool failed_ = false;  // a part failed: nothing more may be written or committed
  int64_t current_day_ = 0;
  bool have_day_ = false;
};

ParquetSink::Impl::Impl(ParquetSinkOptions options)
    : options_(std::move(options)),
      top_n_(static_cast<size_t>(options_.top_n < 0 ? 0 : options_.top_n)),
      names_(ParquetSink::column_names(options_.top_n)),
      db_(single_thread()),
      queue_(options_.queue_chunks < 1 ? 1 : options_.queue_chunks) {
  if (options_.top_n < 0 || options_.top_n > kMaxTopN) {
    throw Error(ExitCode::kUsage, "sink: top_n must be within 0.." + std::to_string(kMaxTopN));
  }
  if (options_.rows_per_file < 1 || options_.row_group_size < 1) {
    throw Error(ExitCode::kUsage, "sink: rows_per_file and row_group_size must be positive");
  }
  if (options_.zstd_level < 1 || options_.zstd_level > 22) {
    throw Error(ExitCode::kUsage, "sink: zstd_level must be within 1..22");
  }
  if (options_.exchange.empty() || options_.symbol.empty() || options_.root.empty()) {
    throw Error(ExitCode::kUsage, "sink: root, exchange and symbol are required");
  }
  for (const std::string& v : {options_.exchange, options_.symbol}) {
    if (v.find_first_of("/=\\") != std::string::npos || v == "." || v == "..") {
      throw Error(ExitCode::kUsage, "sink: '" + v + "' cannot be a partition value");
    }
  }
  column_count_ = names_.size();
  // DuckDB holds a whole row group uncompressed (plus encoding buffers) before writing it, so
  // wide schemas (top_n = 50: ~3.4 KB per row) get shorter row groups to bound memory.
  const int64_t row_bytes = static_cast<int64_t>(16 * (column_count_ - kBestBidPrice) + 80);
  const int64_t cap = std::max<int64_t>(2048, kMaxRowGroupBytes / row_bytes / 2048 * 2048);
  row_group_rows_ = std::min(options_.row_group_size, cap);
  const char* event_types[] = {event_type_name(EventType::kTrade),
                               event_type_name(EventType::kBookSnapshot),
                               event_type_name(EventType::kBookDelta)};
  const char* sides[] = {side_name(Side::kBid), side_name(Side::kAsk), side_name(Side::kBuy),
                         side_name(Side::kSell)};
  for (size_t c = 0; c < column_count_; ++c) {
    duckdb_logical_type t = nullptr;
    switch (c) {
      case kExchange:
      case kSymbol:
      case kTradeId:
        t = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
        break;
      case kEventSeq:
      case kOriginTime:
      case kReceivedTime:
      case kUpdateId:
      case kFirstUpdateId:
      case kPrevUpdateId:
        t = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
        break;
      case kEventType:
        t = duckdb_create_enum_type(event_types, 3);
        break;
      case kSide:
        t = duckdb_create_enum_type(sides, 4);
        break;
      case kLastInMessage:
        t = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
        break;
      case kFlags:
        t = duckdb_create_logical_type(DUCKDB_TYPE_UINTEGER);
        break;
      default:
        t = duckdb_create_decimal_type(38, 18);
        break;
    }
    types_.push_back(t);
  }
  exchange_value_ = duckdb_create_varchar(options_.exchange.c_str());
  symbol_value_ = duckdb_create_varchar(options_.symbol.c_str());

  duckdb_table_function tf = duckdb_create_table_function();
  duckdb_table_function_set_name(tf, "rlx_sink_rows");
  duckdb_table_function_set_extra_info(tf, this, nullptr);
  duckdb_table_function_set_bind(tf, &Impl::tf_bind);
  duckdb_table_function_set_init(tf, &Impl::tf_init);
  duckdb_table_function_set_function(tf, &Impl::tf_function);
  const duckdb_state state = duckdb_register_table_function(db_.connection(), tf);
  duckdb_destroy_table_function(&tf);
  if (state != DuckDBSuccess)
    throw Error(ExitCode::kFailure, "sink: cannot register rlx_sink_rows");
  create_directories_durable(options_.root);
  // A resumed run continues after the parts it already committed.
  for (const FileInfo& f : options_.committed) {
    const size_t slash = f.path.rfind('/');
    const std::string name = f.path.substr(slash == std::string::npos ? 0 : slash + 1);
    int64_t number = 0;
    if (std::sscanf(name.c_str(), "part-%" SCNd64 ".parquet", &number) != 1) {
      throw Error(ExitCode::kBadInput, "sink: committed part with an unexpected name: " + f.path);
    }
    int64_t& next = next_part_[day_of_date(f.date)];
    next = std::max(next, number + 1);
    total_rows_ += f.rows;
  }
  files_ = options_.committed;
}

ParquetSink::Impl::~Impl() {
  abandon_part();
  if (fill_.chunk) duckdb_destroy_data_chunk(&fill_.chunk);
  if (exchange_value_) duckdb_destroy_value(&exchange_value_);
  if (symbol_value_) duckdb_destroy_value(&symbol_value_);
  for (duckdb_logical_type& t : types_) duckdb_destroy_logical_type(&t);
}

void ParquetSink::Impl::tf_bind(duckdb_bind_info info) {
  auto* self = static_cast<Impl*>(duckdb_bind_get_extra_info(info));
  for (size_t c = 0; c < self->column_count_; ++c) {
    duckdb_bind_add_result_column(info, self->names_[c].c_str(), self->types_[c]);
  }
}

void ParquetSink::Impl::tf_init(duckdb_init_info info) { duckdb_init_set_max_threads(info, 1); }

void ParquetSink::Impl::tf_function(duckdb_function_info info, duckdb_data_chunk output) {
  auto* self = static_cast<Impl*>(duckdb_function_get_extra_info(info));
  duckdb_data_chunk chunk = nullptr;
  if (!self->queue_.pop(&chunk)) {
    duckdb_function_set_error(info, "rlx sink: part abandoned");
    return;
  }
  if (chunk == nullptr) {  // end of part
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  duckdb_vector_reference_value(duckdb_data_chunk_get_vector(output, kExchange),
                                self->exchange_value_);
  duckdb_vector_reference_value(duckdb_data_chunk_get_vector(output, kSymbol), self->symbol_value_);
  for (size_t c = kFirstFilled; c < self->column_count_; ++c) {
    duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(output, c),
                                   duckdb_data_chunk_get_vector(chunk, c - kFirstFilled));
  }
  duckdb_data_chunk_set_size(output, duckdb_data_chunk_get_size(chunk));
  duckdb_destroy_data_chunk(&chunk);  // the output vectors keep the buffers alive
}

void ParquetSink::Impl::new_chunk() {
  fill_.chunk =
      duckdb_create_data_chunk(types_.data() + kFirstFilled, column_count_ - kFirstFilled);
  const size_t n = column_count_ - kFirstFilled;
  fill_.data.assign(column_count_, nullptr);
  fill_.validity.assign(column_count_, nullptr);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i + kFirstFilled;
    duckdb_vector v = duckdb_data_chunk_get_vector(fill_.chunk, i);
    fill_.data[c] = duckdb_vector_get_data(v);
    const bool nullable = c != kEventSeq && c != kEventType && c != kPrice && c != kSize &&
                          c != kLastInMessage && c != kFlags;
    if (nullable) {
      duckdb_vector_ensure_validity_writable(v);
      fill_.validity[c] = duckdb_vector_get_validity(v);
    }
    if (c == kTradeId) fill_.trade_id = v;
  }
  fill_.rows = 0;
}

void ParquetSink::Impl::push_chunk() {
  duckdb_data_chunk_set_size(fill_.chunk, fill_.rows);
  duckdb_data_chunk chunk = std::exchange(fill_.chunk, nullptr);
  if (!queue_.push(chunk)) rethrow_writer_error();
}

void ParquetSink::Impl::rethrow_writer_error() {
  failed_ = true;
  if (writer_.joinable()) writer_.join();
  part_.open = false;
  std::error_code ec;
  std::filesystem::remove(part_.tmp, ec);
  if (writer_error_) std::rethrow_exception(writer_error_);
  throw Error(ExitCode::kIo, "sink: the Parquet writer stopped");
}

void ParquetSink::Impl::open_part(int64_t day) {
  const std::string date = date_string(day);
  Part part;
  part.day = day;
  part.dir = options_.root / ("exchange=" + options_.exchange) / ("symbol=" + options_.symbol) /
             ("date=" + date);
  int64_t& next = next_part_[day];
  const std::string name = part_name(next);
  part.final_path = part.dir / name;
  part.tmp = part.dir / ("." + name + ".tmp");
  create_directories_durable(part.dir);
  if (std::filesystem::exists(part.final_path)) {
    throw Error(ExitCode::kUsage, "sink: output file already exists: " + part.final_path.string());
  }
  ++next;
  part.info.path =
      "exchange=" + options_.exchange + "/symbol=" + options_.symbol + "/date=" + date + "/" + name;
  part.info.exchange = options_.exchange;
  part.info.symbol = options_.symbol;
  part.info.date = date;
  part.open = true;
  part_ = std::move(part);

  queue_.reset();
  writer_error_ = nullptr;
  // PARQUET_VERSION V2 (data page v2, DELTA_BINARY_PACKED integers) halves the files and
  // saves CPU; dictionaries (a tiny limit keeps them to the ENUM columns) and bloom filters
  // cost writer CPU and buy nothing for price/size columns. Measured in docs/SCHEMA.md.
  const std::string sql =
      "COPY (SELECT * FROM rlx_sink_rows()) TO " + io::sql_quote(part_.tmp.string()) +
      " (FORMAT parquet, PARQUET_VERSION V2, COMPRESSION zstd, "
      "COMPRESSION_LEVEL " +
      std::to_string(options_.zstd_level) + ", ROW_GROUP_SIZE " + std::to_string(row_group_rows_) +
      ", DICTIONARY_SIZE_LIMIT 1, WRITE_BLOOM_FILTER false)";
  writer_ = std::thread([this, sql] {
    try {
      db_.execute(sql, ExitCode::kIo);
    } catch (...) {
      writer_error_ = std::current_exception();
      queue_.close();  // unblocks a caller waiting on a full queue
    }
  });
}

void ParquetSink::Impl::close_part() {
  FileDigest digest;
  try {
    if (fill_.chunk && fill_.rows > 0) push_chunk();
    if (!queue_.push(nullptr)) rethrow_writer_error();
    writer_.join();
    if (writer_error_) rethrow_writer_error();
    digest = digest_file(part_.tmp, /*sync=*/true);
    rename_durable(part_.tmp, part_.final_path);
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
  part_ = Part{};
}

void ParquetSink::Impl::append(const Event& event, const Level* bids, size_t n_bids,
                               const Level* asks, size_t n_asks) {
  if (finished_) throw Error(ExitCode::kFailure, "sink: append after finish");
  if (failed_) throw Error(ExitCode::kIo, "sink: append after a write failure");
  // The partition date: origin_time's UTC day, else received_time's, else the previous row's.
  const int64_t t = event.origin_time != kNull ? event.origin_time : event.received_time;
  if (t != kNull) {
    current_day_ = floor_div(t, kNsPerDay);
    have_day_ = true;
  } else if (!have_day_) {
    current_day_ = 0;
    have_day_ = true;
  }
  if (event.event_seq < options_.skip_below_seq) return;  // already in a committed part
  if (part_.open && (part_.day != current_day_ || part_.info.rows >= options_.rows_per_file)) {
    close_part();
  }
  if (!part_.open) open_part(current_day_);
  if (!fill_.chunk) new_chunk();

  const idx_t r = fill_.rows;
  auto put_i64 = [&](size_t c, int64_t v) {
    if (v == kNull) {
      set_null(fill_.validity[c], r);
    } else {
      static_cast<int64_t*>(fill_.data[c])[r] = v;
    }
  };
  static_cast<int64_t*>(fill_.data[kEventSeq])[r] = event.event_seq;
  static_cast<uint8_t*>(fill_.data[kEventType])[r] = static_cast<uint8_t>(event.type);
  put_i64(kOriginTime, event.origin_time);
  put_i64(kReceivedTime, event.received_time);
  put_i64(kUpdateId, event.update_id);
  put_i64(kFirstUpdateId, event.first_update_id);
  put_i64(kPrevUpdateId, event.prev_update_id);
  if (event.trade_id.empty()) {
    set_null(fill_.validity[kTradeId], r);
  } else {
    duckdb_vector_assign_string_element_len(fill_.trade_id, r, event.trade_id.data(),
                                            event.trade_id.size());
  }
  if (event.side == Side::kNone) {
    set_null(fill_.validity[kSide], r);
  } else {
    static_cast<uint8_t*>(fill_.data[kSide])[r] = static_cast<uint8_t>(event.side) - 1;
  }
  put_decimal(fill_.data[kPrice], r, event.price);
  put_decimal(fill_.data[kSize], r, event.size);
  static_cast<bool*>(fill_.data[kLastInMessage])[r] = event.last_in_message;
  static_cast<uint32_t*>(fill_.data[kFlags])[r] = event.flags;

  auto put_level = [&](size_t price_col, const Level* level) {
    if (level) {
      put_decimal(fill_.data[price_col], r, level->price);
      put_decimal(fill_.data[price_col + 1], r, level->size);
    } else {
      set_null(fill_.validity[price_col], r);
      set_null(fill_.validity[price_col + 1], r);
    }
  };
  const Level* best_bid = n_bids > 0 ? bids : nullptr;
  const Level* best_ask = n_asks > 0 ? asks : nullptr;
  put_level(kBestBidPrice, best_bid);
  put_level(kBestAskPrice, best_ask);
  if (best_bid && best_ask) {
    put_decimal(fill_.data[kMidPrice], r, Decimal::midpoint(best_bid->price, best_ask->price));
    put_decimal(fill_.data[kSpread], r, best_ask->price - best_bid->price);
  } else {
    set_null(fill_.validity[kMidPrice], r);
    set_null(fill_.validity[kSpread], r);
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
  if (++fill_.rows == duckdb_vector_size()) push_chunk();
}

void ParquetSink::Impl::finish() {
  if (failed_) throw Error(ExitCode::kIo, "sink: finish after a write failure");
  if (finished_) return;
  finished_ = true;
  if (part_.open) close_part();
}

// ---------------------------------------------------------------------------------------------

ParquetSink::ParquetSink(ParquetSinkOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ParquetSink::~ParquetSink() = default;

void ParquetSink::append(const Event& event, const book::OrderBook& book) {
  std::array<Level, kMaxTopN> bids;
  std::array<Level, kMaxTopN> asks;
  const size_t n = static_cast<size_t>(impl_->options_.top_n);
  // best bid/ask are needed even with top_n == 0
  const size_t nb = std::min(book.depth(Side::kBid), std::max<size_t>(n, 1));
  const size_t na = std::min(book.depth(Side::kAsk), std::max<size_t>(n, 1));
  for (size_t i = 0; i < nb; ++i) bids[i] = book.level(Side::kBid, i);
  for (size_t i = 0; i < na; ++i) asks[i] = book.level(Side::kAsk, i);
  impl_->append(event, bids.data(), nb, asks.data(), na);
}

void ParquetSink::append(const Event& event, std::span<const Level> bids,
                         std::span<const Level> asks) {
  impl_->append(event, bids.data(), bids.size(), asks.data(), asks.size());
}

void ParquetSink::finish() { impl_->finish(); }

const std::vector<FileInfo>& ParquetSink::files() const { return impl_->files_; }

int64_t ParquetSink::rows() const { return impl_->total_rows_; }

int64_t ParquetSink::open_part_rows() const { return impl_->open_part_rows(); }

bool ParquetSink::open_part_day(int64_t* day) const { return impl_->open_part_day(day); }

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
