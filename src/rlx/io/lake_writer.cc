#include "rlx/io/lake_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/io/duckdb.h"
#include "rlx/io/lake_reader.h"

namespace rlx::io {

namespace fs = std::filesystem;

namespace {

// Days since 1970-01-01 -> "YYYY-MM-DD" (proleptic Gregorian, H. Hinnant's civil_from_days).
std::string civil_date(int64_t ns) {
  const int64_t day_ns = 86'400'000'000'000LL;
  int64_t z = ns / day_ns - (ns % day_ns < 0 ? 1 : 0);
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

void fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) throw Error(StatusCode::kIo, Location{p.string(), 0, ""}, "cannot open to fsync");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error(StatusCode::kIo, Location{p.string(), 0, ""}, "fsync failed");
}

std::string book_columns_sql() {
  std::string sql = "origin_time BIGINT, received_time BIGINT, sequence_number BIGINT";
  for (const char* side : {"bid", "ask"}) {
    for (int32_t i = 0; i < LakeWriter::kBookDepth; ++i) {
      const std::string p = std::string(side) + "_" + std::to_string(i);
      sql.append(", ").append(p).append("_price DOUBLE, ").append(p).append("_size DOUBLE");
    }
  }
  return sql;
}

}  // namespace

struct LakeWriter::Impl {
  struct Partition {
    LakeTable table;
    std::string date;
    std::string name;  // staging table
    duckdb_appender appender = nullptr;
  };

  LakeWriterOptions opt;
  fs::path staging;
  bool own_staging = false;
  std::unique_ptr<DuckDb> db;
  std::map<std::pair<LakeTable, std::string>, Partition> parts;
  LakeWriterStats stats;
  bool closed = false;

  explicit Impl(LakeWriterOptions o) : opt(std::move(o)) {
    if (opt.root.empty() || opt.exchange.empty() || opt.symbol.empty()) {
      throw Error(StatusCode::kInvalidArgument,
                  "lake writer: root, exchange and symbol are required");
    }
    staging = opt.staging_dir;
    if (staging.empty()) {
      staging = opt.root / (".rlx_lake_writer_" + std::to_string(::getpid()) + "_" +
                            std::to_string(reinterpret_cast<uintptr_t>(this)));
      own_staging = true;
    }
    std::error_code ec;
    fs::create_directories(staging / "tmp", ec);
    if (ec) {
      throw Error(StatusCode::kIo, Location{staging.string(), 0, ""},
                  "cannot create the staging folder: " + ec.message());
    }
    db = std::make_unique<DuckDb>(DuckDbOptions{1, opt.memory_limit, (staging / "tmp").string()},
                                  (staging / "staging.duckdb").string());
  }

  ~Impl() { discard(); }

  void destroy_appenders() {
    for (auto& [key, part] : parts) {
      if (part.appender != nullptr) duckdb_appender_destroy(&part.appender);
      part.appender = nullptr;
    }
  }

  void discard() {
    destroy_appenders();
    db.reset();
    std::error_code ec;
    if (own_staging) {
      fs::remove_all(staging, ec);
    } else {
      fs::remove(staging / "staging.duckdb", ec);
      fs::remove(staging / "staging.duckdb.wal", ec);
      fs::remove_all(staging / "tmp", ec);
    }
  }

  duckdb_appender appender(LakeTable table, int64_t origin_time, int64_t received_time) {
    if (closed) throw Error(StatusCode::kInternal, "lake writer: add after close()");
    int64_t t = opt.partition_by_received_time ? received_time : origin_time;
    if (t == kNull) t = opt.partition_by_received_time ? origin_time : received_time;
    if (t == kNull) {
      throw Error(StatusCode::kInternal,
                  std::string("lake writer: a ") + lake_table_name(table) + " row without times");
    }
    const std::string date = civil_date(t);
    auto [it, inserted] = parts.try_emplace({table, date});
    Partition& part = it->second;
    if (inserted) {
      part.table = table;
      part.date = date;
      part.name = std::string("s_") + lake_table_name(table) + "_" + std::to_string(parts.size());
      std::string cols;
      switch (table) {
        case LakeTable::kTrades:
          cols =
              "side VARCHAR, quantity DOUBLE, price DOUBLE, trade_id VARCHAR, origin_time BIGINT, "
              "received_time BIGINT";
          break;
        case LakeTable::kBook:
          cols = book_columns_sql();
          break;
        case LakeTable::kBookDelta:
          cols =
              "origin_time BIGINT, received_time BIGINT, sequence_number BIGINT, side_is_bid "
              "BOOLEAN, price DOUBLE, size DOUBLE";
          break;
      }
      db->execute("CREATE TABLE " + part.name + " (" + cols + ")", StatusCode::kIo);
      if (duckdb_appender_create(db->connection(), nullptr, part.name.c_str(), &part.appender) !=
          DuckDBSuccess) {
        std::string msg = duckdb_appender_error(part.appender);
        throw Error(StatusCode::kIo, "lake writer: cannot append: " + msg);
      }
    }
    return part.appender;
  }

  static void check(duckdb_appender a, duckdb_state state) {
    if (state != DuckDBSuccess) {
      const char* msg = duckdb_appender_error(a);
      throw Error(StatusCode::kIo, std::string("lake writer: append failed: ") + (msg ? msg : ""));
    }
  }

  void int64_or_null(duckdb_appender a, int64_t v) {
    check(a, v == kNull ? duckdb_append_null(a) : duckdb_append_int64(a, v));
  }

  // Lake's float64: the Decimal's shortest text through strtod; exact for <= 15 digits.
  void decimal(duckdb_appender a, const Decimal& d) {
    const std::string text = d.to_string();
    const double v = std::strtod(text.c_str(), nullptr);
    Decimal back;
    if (!Decimal::from_double(v, &back) || back != d) ++stats.inexact_values;
    check(a, duckdb_append_double(a, v));
  }

  void add_book(int64_t origin, int64_t received, int64_t seq, std::span<const Level> bids,
                std::span<const Level> asks) {
    if (bids.size() > kBookDepth || asks.size() > kBookDepth) {
      throw Error(StatusCode::kInternal, "lake writer: a book row holds at most 20 levels a side");
    }
    duckdb_appender a = appender(LakeTable::kBook, origin, received);
    int64_or_null(a, origin);
    int64_or_null(a, received);
    int64_or_null(a, seq);
    for (std::span<const Level> side : {bids, asks}) {
      for (size_t i = 0; i < kBookDepth; ++i) {
        if (i < side.size()) {
          decimal(a, side[i].price);
          decimal(a, side[i].size);
        } else {
          check(a, duckdb_append_null(a));
          check(a, duckdb_append_null(a));
        }
      }
    }
    check(a, duckdb_appender_end_row(a));
    ++stats.book_rows;
  }

  std::vector<fs::path> close() {
    if (closed) throw Error(StatusCode::kInternal, "lake writer: close() called twice");
    closed = true;
    std::vector<fs::path> written;
    for (auto& [key, part] : parts) {
      if (duckdb_appender_close(part.appender) != DuckDBSuccess) {
        check(part.appender, DuckDBError);
      }
      duckdb_appender_destroy(&part.appender);
      part.appender = nullptr;
      const fs::path dir = opt.root / lake_table_name(part.table) / ("exchange=" + opt.exchange) /
                           ("symbol=" + opt.symbol) / ("dt=" + part.date);
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) {
        throw Error(StatusCode::kIo, Location{dir.string(), 0, ""},
                    "cannot create folder: " + ec.message());
      }
      const fs::path final_path = dir / "part-0.parquet";
      const fs::path tmp = dir / (".part-0.parquet.tmp-" + std::to_string(::getpid()));
      // threads = 1: the table scan, and so the file, keeps insertion order.
      db->execute("COPY (SELECT * FROM " + part.name + ") TO " + sql_quote(tmp.string()) +
                      " (FORMAT parquet, COMPRESSION " + sql_quote(opt.compression) + ")",
                  StatusCode::kIo);
      fsync_path(tmp, false);
      fs::rename(tmp, final_path, ec);
      if (ec) {
        throw Error(StatusCode::kIo, Location{final_path.string(), 0, ""},
                    "cannot rename into place: " + ec.message());
      }
      fsync_path(dir, true);
      db->execute("DROP TABLE " + part.name, StatusCode::kIo);
      written.push_back(final_path);
    }
    discard();
    std::sort(written.begin(), written.end());
    return written;
  }
};

LakeWriter::LakeWriter(LakeWriterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

LakeWriter::~LakeWriter() = default;

void LakeWriter::add_trade(const Message& trade) {
  if (trade.side != Side::kBuy && trade.side != Side::kSell) {
    throw Error(StatusCode::kInternal, "lake writer: a trade needs side buy or sell");
  }
  duckdb_appender a = impl_->appender(LakeTable::kTrades, trade.origin_time, trade.received_time);
  Impl::check(a, duckdb_append_varchar(a, trade.side == Side::kBuy ? "buy" : "sell"));
  impl_->decimal(a, trade.size);
  impl_->decimal(a, trade.price);
  Impl::check(a, trade.trade_id.empty() ? duckdb_append_null(a)
                                        : duckdb_append_varchar_length(a, trade.trade_id.data(),
                                                                       trade.trade_id.size()));
  impl_->int64_or_null(a, trade.origin_time);
  impl_->int64_or_null(a, trade.received_time);
  Impl::check(a, duckdb_appender_end_row(a));
  ++impl_->stats.trade_rows;
}

void LakeWriter::add_delta(const Message& delta) {
  duckdb_appender a =
      impl_->appender(LakeTable::kBookDelta, delta.origin_time, delta.received_time);
  for (const LevelUpdate& l : delta.levels) {
    if (l.side != Side::kBid && l.side != Side::kAsk) {
      throw Error(StatusCode::kInternal, "lake writer: a delta level needs side bid or ask");
    }
    impl_->int64_or_null(a, delta.origin_time);
    impl_->int64_or_null(a, delta.received_time);
    impl_->int64_or_null(a, delta.update_id);
    Impl::check(a, duckdb_append_bool(a, l.side == Side::kBid));
    impl_->decimal(a, l.price);
    impl_->decimal(a, l.size);
    Impl::check(a, duckdb_appender_end_row(a));
    ++impl_->stats.delta_rows;
  }
}

void LakeWriter::add_book(int64_t origin_time, int64_t received_time, int64_t sequence_number,
                          std::span<const Level> bids, std::span<const Level> asks) {
  impl_->add_book(origin_time, received_time, sequence_number, bids, asks);
}

void LakeWriter::add_book(const Message& snapshot) {
  std::vector<Level> bids;
  std::vector<Level> asks;
  for (const LevelUpdate& l : snapshot.levels) {
    if (l.side == Side::kBid) bids.push_back({l.price, l.size});
    if (l.side == Side::kAsk) asks.push_back({l.price, l.size});
  }
  // Best first; stable so a repeated price keeps its source order.
  std::stable_sort(bids.begin(), bids.end(),
                   [](const Level& x, const Level& y) { return x.price > y.price; });
  std::stable_sort(asks.begin(), asks.end(),
                   [](const Level& x, const Level& y) { return x.price < y.price; });
  if (bids.size() > kBookDepth) bids.resize(kBookDepth);
  if (asks.size() > kBookDepth) asks.resize(kBookDepth);
  impl_->add_book(snapshot.origin_time, snapshot.received_time, snapshot.update_id, bids, asks);
}

std::vector<fs::path> LakeWriter::close() { return impl_->close(); }
const LakeWriterStats& LakeWriter::stats() const { return impl_->stats; }

}  // namespace rlx::io
