#include "rlx/io/tardis_reader.h"

#include <charconv>
#include <map>
#include <utility>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/io/duckdb.h"
#include "rlx/io/duckdb_stream.h"

namespace rlx::io {

namespace fs = std::filesystem;

const char* tardis_kind_name(TardisKind kind) {
  switch (kind) {
    case TardisKind::kIncrementalBookL2:
      return "incremental_book_L2";
    case TardisKind::kBookSnapshot:
      return "book_snapshot";
    case TardisKind::kTrades:
      return "trades";
    case TardisKind::kQuotes:
      return "quotes";
  }
  return "";
}

namespace {

// Selected columns, in this order, after the four common ones.
constexpr idx_t kExchange = 0;
constexpr idx_t kSymbol = 1;
constexpr idx_t kTimestamp = 2;
constexpr idx_t kLocalTimestamp = 3;
constexpr idx_t kFirst = 4;

std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

struct TardisReader::Impl {
  // One accepted incremental_book_L2 row, held back to see whether the next continues it.
  struct BookRow {
    std::string exchange;
    std::string symbol;
    int64_t origin_time = kNull;
    int64_t received_time = kNull;
    bool is_snapshot = false;
    LevelUpdate level;
    uint64_t line = 0;
  };

  TardisReaderOptions opt;
  std::string file;
  DuckDb db;
  TardisKind kind = TardisKind::kTrades;
  int32_t depth = 0;
  std::vector<std::string> columns;  // selected column names, for errors
  std::unique_ptr<RowCursor> cursor;
  Quarantine quarantine;
  TardisReaderStats stats;
  int64_t last_local = kNull;
  bool has_peek = false;
  BookRow peek;
  bool last_was_snapshot = false;  // the previous accepted L2 row had is_snapshot=true

  explicit Impl(TardisReaderOptions o)
      : opt(std::move(o)), file(opt.file.string()), db(DuckDbOptions{1, opt.memory_limit, ""}) {}

  void open() {
    const Location where{file, 0, ""};
    if (!fs::is_regular_file(opt.file)) throw bad_input(where, "no such file");
    // all_varchar: prices stay the exact text of the file.
    const std::string src = "read_csv(" + sql_quote(file) +
                            ", header = true, all_varchar = true, delim = ',', quote = '\"', "
                            "compression = 'auto', hive_partitioning = false)";
    std::map<std::string, std::string> present;
    try {
      DuckResult head = db.query("SELECT * FROM " + src + " LIMIT 0", StatusCode::kBadInput);
      for (idx_t c = 0; c < head.column_count(); ++c) {
        present.emplace(head.column_name(c), head.column_name(c));
      }
    } catch (const Error& e) {
      throw bad_input(where, std::string("cannot read as CSV: ") + e.what());
    }
    auto has = [&](const std::string& c) { return present.count(c) != 0; };
    columns = {"exchange", "symbol", "timestamp", "local_timestamp"};
    if (has("is_snapshot")) {
      kind = TardisKind::kIncrementalBookL2;
      for (const char* c : {"is_snapshot", "side", "price", "amount"}) columns.push_back(c);
    } else if (has("asks[0].price") || has("bids[0].price")) {
      kind = TardisKind::kBookSnapshot;
      while (has("asks[" + std::to_string(depth) + "].price")) ++depth;
      if (depth == 0) depth = 1;  // reports asks[0].price missing below
      for (const char* side : {"bids", "asks"}) {
        for (int32_t i = 0; i < depth; ++i) {
          const std::string p = std::string(side) + "[" + std::to_string(i) + "]";
          columns.push_back(p + ".price");
          columns.push_back(p + ".amount");
        }
      }
    } else if (has("id")) {
      kind = TardisKind::kTrades;
      for (const char* c : {"id", "side", "price", "amount"}) columns.push_back(c);
    } else if (has("bid_price") || has("ask_price")) {
      kind = TardisKind::kQuotes;
      for (const char* c : {"bid_price", "bid_amount", "ask_price", "ask_amount"}) {
        columns.push_back(c);
      }
    } else {
      throw bad_input(where,
                      "unrecognised Tardis CSV header: expected incremental_book_L2 "
                      "(is_snapshot), book_snapshot_N (asks[0].price), trades (id) or quotes "
                      "(bid_price)");
    }
    std::string sql;
    for (const std::string& c : columns) {
      if (!has(c)) {
        throw bad_input(Location{file, 0, c}, std::string("missing column (needed by a Tardis ") +
                                                  tardis_kind_name(kind) + " file)");
      }
      sql += sql.empty() ? "SELECT " : ", ";
      sql += quote_ident(c);
    }
    try {
      cursor = std::make_unique<RowCursor>(
          query_streaming(db, sql + " FROM " + src, StatusCode::kBadInput), file);
    } catch (const Error& e) {
      throw bad_input(where, std::string("cannot read as CSV: ") + e.what());
    }
  }

  uint64_t line() const { return cursor->row() + 1; }  // line 1 is the header

  bool advance() {
    if (!cursor->next()) return false;
    ++stats.rows;
    return true;
  }

  bool reject(idx_t col, const std::string& reason, const std::string& what) {
    const Location where{file, line(), columns[col]};
    if (opt.bad_rows == BadRowPolicy::kFail) throw bad_input(where, what);
    quarantine.add(reason, Error::format(where, what));
    return false;
  }

  // Exchange and symbol become output folder names (core/message.h).
  bool read_names() {
    if (!opt.check_names || !symbol_matches(opt.symbols, text(kSymbol))) return true;
    if (opt.exchange.empty() && !valid_partition_name(text(kExchange))) {
      return reject(kExchange, "bad exchange", partition_name_error("exchange", text(kExchange)));
    }
    if (opt.symbol.empty() && !valid_partition_name(text(kSymbol))) {
      return reject(kSymbol, "bad symbol", partition_name_error("symbol", text(kSymbol)));
    }
    return true;
  }

  std::string_view text(idx_t col) const {
    return cursor->is_null(col) ? std::string_view() : cursor->get_string(col);
  }

  bool read_us(idx_t col, int64_t* ns) {
    const std::string_view t = text(col);
    int64_t us = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), us);
    const int64_t limit = INT64_MAX / 1000;
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || us > limit || us < -limit) {
      return reject(col, "invalid " + columns[col],
                    "expected integer microseconds, got '" + std::string(t) + "'");
    }
    *ns = us * 1000;
    return true;
  }

  bool read_times(int64_t* origin, int64_t* received) {
    if (!read_us(kTimestamp, origin) || !read_us(kLocalTimestamp, received)) return false;
    if (last_local != kNull && *received < last_local) ++stats.local_timestamp_backwards;
    last_local = *received;
    return true;
  }

  // `what` is "price" or "amount"; absent (empty) is allowed only where `absent` is non-null.
  bool read_decimal(idx_t col, const char* what, Decimal* out, bool* absent = nullptr) {
    const std::string_view t = text(col);
    if (t.empty()) {
      if (absent != nullptr) {
        *absent = true;
        return true;
      }
      return reject(col, std::string("empty ") + what, std::string("empty ") + what);
    }
    if (absent != nullptr) *absent = false;
    if (!Decimal::parse(t, out)) {
      return reject(col, std::string("invalid ") + what,
                    "not a decimal " + std::string(what) + ": '" + std::string(t) + "'");
    }
    if (out->is_negative()) {
      return reject(col, std::string("negative ") + what,
                    "negative " + std::string(what) + " " + std::string(t));
    }
    return true;
  }

  void start(Message* out, MessageKind k, std::string_view exchange, std::string_view symbol,
             uint64_t first_line) const {
    out->reset();
    out->kind = k;
    if (opt.exchange.empty()) {
      out->exchange.assign(exchange);
    } else {
      out->exchange = opt.exchange;
    }
    if (opt.symbol.empty()) {
      out->symbol.assign(symbol);
    } else {
      out->symbol = opt.symbol;
    }
    out->source = opt.source;
    out->source_row = first_line;
  }

  bool next_trade(Message* out) {
    while (advance()) {
      int64_t origin = kNull;
      int64_t received = kNull;
      Decimal price;
      Decimal amount;
      const idx_t id = kFirst;
      const idx_t side = kFirst + 1;
      if (!read_times(&origin, &received) || !read_names() ||
          !read_decimal(kFirst + 2, "price", &price) ||
          !read_decimal(kFirst + 3, "amount", &amount)) {
        continue;
      }
      const std::string_view s = text(side);
      Side aggressor = Side::kNone;
      if (s == "buy") {
        aggressor = Side::kBuy;
      } else if (s == "sell") {
        aggressor = Side::kSell;
      } else if (s == "unknown") {
        ++stats.unknown_side_trades;
      } else {
        reject(side, "invalid side", "expected buy, sell or unknown, got '" + std::string(s) + "'");
        continue;
      }
      start(out, MessageKind::kTrade, text(kExchange), text(kSymbol), line());
      out->origin_time = origin;
      out->received_time = received;
      out->trade_id.assign(text(id));
      out->side = aggressor;
      out->price = price;
      out->size = amount;
      ++stats.messages;
      return true;
    }
    return false;
  }

  bool next_snapshot(Message* out) {
    while (advance()) {
      int64_t origin = kNull;
      int64_t received = kNull;
      if (!read_times(&origin, &received)) continue;
      if (!read_names()) continue;
      start(out, MessageKind::kSnapshot, text(kExchange), text(kSymbol), line());
      bool ok = true;
      for (int32_t s = 0; s < 2 && ok; ++s) {
        for (int32_t i = 0; i < depth && ok; ++i) {
          const idx_t pc = kFirst + static_cast<idx_t>(2 * (s * depth + i));
          Decimal price;
          Decimal amount;
          bool no_price = false;
          bool no_amount = false;
          ok = read_decimal(pc, "price", &price, &no_price) &&
               read_decimal(pc + 1, "amount", &amount, &no_amount);
          if (!ok || (no_price && no_amount)) continue;  // a book shallower than N
          if (no_price || no_amount) {
            ok = reject(no_price ? pc : pc + 1, "half-empty level",
                        "a level with only one of price and amount");
            continue;
          }
          out->levels.push_back({s == 0 ? Side::kBid : Side::kAsk, price, amount});
        }
      }
      if (!ok) continue;
      out->origin_time = origin;
      out->received_time = received;
      ++stats.messages;
      ++stats.snapshots;
      return true;
    }
    return false;
  }

  bool next_quote(Message* out) {
    while (advance()) {
      int64_t origin = kNull;
      int64_t received = kNull;
      if (!read_times(&origin, &received)) continue;
      if (!read_names()) continue;
      Decimal bp, ba, ap, aa;
      bool nbp = false, nba = false, nap = false, naa = false;
      if (!read_decimal(kFirst, "price", &bp, &nbp) ||
          !read_decimal(kFirst + 1, "amount", &ba, &nba) ||
          !read_decimal(kFirst + 2, "price", &ap, &nap) ||
          !read_decimal(kFirst + 3, "amount", &aa, &naa)) {
        continue;
      }
      start(out, MessageKind::kTicker, text(kExchange), text(kSymbol), line());
      if (!nbp && !nba) out->levels.push_back({Side::kBid, bp, ba});
      if (!nap && !naa) out->levels.push_back({Side::kAsk, ap, aa});
      out->origin_time = origin;
      out->received_time = received;
      ++stats.messages;
      return true;
    }
    return false;
  }

  bool next_book_row(BookRow* row) {
    while (advance()) {
      if (!read_times(&row->origin_time, &row->received_time)) continue;
      if (!read_names()) continue;
      const std::string_view snap = text(kFirst);
      if (snap == "true") {
        row->is_snapshot = true;
      } else if (snap == "false") {
        row->is_snapshot = false;
      } else {
        reject(kFirst, "invalid is_snapshot",
               "expected true or false, got '" + std::string(snap) + "'");
        continue;
      }
      const std::string_view side = text(kFirst + 1);
      if (side == "bid") {
        row->level.side = Side::kBid;
      } else if (side == "ask") {
        row->level.side = Side::kAsk;
      } else {
        reject(kFirst + 1, "invalid side", "expected bid or ask, got '" + std::string(side) + "'");
        continue;
      }
      if (!read_decimal(kFirst + 2, "price", &row->level.price) ||
          !read_decimal(kFirst + 3, "amount", &row->level.size)) {
        continue;
      }
      row->exchange.assign(text(kExchange));
      row->symbol.assign(text(kSymbol));
      row->line = line();
      return true;
    }
    return false;
  }

  bool next_book(Message* out) {
    if (!has_peek && !next_book_row(&peek)) return false;
    has_peek = false;
    MessageKind k = MessageKind::kDelta;
    if (peek.is_snapshot) {
      if (last_was_snapshot) {
        ++stats.snapshot_continuations;  // same snapshot, later local_timestamp: no reset
      } else {
        k = MessageKind::kSnapshot;
        ++stats.snapshots;
      }
    }
    start(out, k, peek.exchange, peek.symbol, peek.line);
    out->origin_time = peek.origin_time;
    out->received_time = peek.received_time;
    out->levels.push_back(peek.level);
    last_was_snapshot = peek.is_snapshot;
    const bool snapshot = peek.is_snapshot;
    const std::string symbol = peek.symbol;
    while (next_book_row(&peek)) {
      if (peek.received_time != out->received_time || peek.is_snapshot != snapshot ||
          peek.symbol != symbol) {
        has_peek = true;
        break;
      }
      out->levels.push_back(peek.level);
    }
    ++stats.messages;
    return true;
  }
};

TardisReader::TardisReader(TardisReaderOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->open();
}

TardisReader::~TardisReader() = default;

bool TardisReader::next(Message* out) {
  switch (impl_->kind) {
    case TardisKind::kIncrementalBookL2:
      return impl_->next_book(out);
    case TardisKind::kBookSnapshot:
      return impl_->next_snapshot(out);
    case TardisKind::kTrades:
      return impl_->next_trade(out);
    case TardisKind::kQuotes:
      return impl_->next_quote(out);
  }
  return false;
}

const Quarantine& TardisReader::quarantine() const { return impl_->quarantine; }
const TardisReaderStats& TardisReader::stats() const { return impl_->stats; }
TardisKind TardisReader::kind() const { return impl_->kind; }
int32_t TardisReader::depth() const { return impl_->depth; }

}  // namespace rlx::io
