#include "rlx/io/lake_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/io/duckdb.h"
#include "rlx/io/duckdb_stream.h"

namespace rlx::io {

namespace fs = std::filesystem;

const char* lake_table_name(LakeTable table) {
  switch (table) {
    case LakeTable::kTrades:
      return "trades";
    case LakeTable::kBook:
      return "book";
    case LakeTable::kBookDelta:
      return "book_delta_v2";
  }
  return "";
}

bool parse_lake_table(std::string_view name, LakeTable* out) {
  for (LakeTable t : {LakeTable::kTrades, LakeTable::kBook, LakeTable::kBookDelta}) {
    if (name == lake_table_name(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

namespace {

// "part-2" before "part-10": digit runs compare by value.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = a[i] >= '0' && a[i] <= '9';
    const bool db = b[j] >= '0' && b[j] <= '9';
    if (da && db) {
      size_t ie = i;
      size_t je = j;
      while (ie < a.size() && a[ie] >= '0' && a[ie] <= '9') ++ie;
      while (je < b.size() && b[je] >= '0' && b[je] <= '9') ++je;
      std::string_view na(a.data() + i, ie - i);
      std::string_view nb(b.data() + j, je - j);
      while (na.size() > 1 && na[0] == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb[0] == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_data_file(const fs::path& p) {
  const std::string name = p.filename().string();
  return ends_with(name, ".parquet") || ends_with(name, ".csv") || ends_with(name, ".csv.gz");
}

bool key_value(const std::string& name, std::string_view key, std::string* value) {
  if (name.size() <= key.size() || name.compare(0, key.size(), key) != 0) return false;
  *value = name.substr(key.size());
  return true;
}

// The value of a `key=` folder in `path`, or "".
std::string path_key(const fs::path& path, std::string_view key) {
  std::string value;
  for (const auto& part : path.parent_path()) {
    if (key_value(part.string(), key, &value)) return value;
  }
  return "";
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool dirs) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (dirs ? e.is_directory() : e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return natural_less(a.filename().string(), b.filename().string());
  });
  return out;
}

}  // namespace

std::vector<LakePartition> list_lake_partitions(const fs::path& root) {
  std::vector<LakePartition> out;
  for (const fs::path& table : sorted_entries(root, true)) {
    const std::string table_name = table.filename().string();
    if (table_name.empty() || table_name[0] == '.') continue;
    for (const fs::path& ex : sorted_entries(table, true)) {
      std::string exchange;
      if (!key_value(ex.filename().string(), "exchange=", &exchange)) continue;
      for (const fs::path& sy : sorted_entries(ex, true)) {
        std::string symbol;
        if (!key_value(sy.filename().string(), "symbol=", &symbol)) continue;
        for (const fs::path& dt : sorted_entries(sy, true)) {
          std::string date;
          if (!key_value(dt.filename().string(), "dt=", &date)) continue;
          LakePartition part{table_name, exchange, symbol, date, {}};
          for (const fs::path& f : sorted_entries(dt, false)) {
            if (is_data_file(f)) part.files.push_back(f);
          }
          if (!part.files.empty()) out.push_back(std::move(part));
        }
      }
    }
  }
  return out;
}

namespace {

// How a selected column arrives in C++.
enum class Kind : uint8_t { kInt64, kDouble, kFloat, kText, kBool };
// What a logical column is, which decides the SQL expression that selects it.
enum class Role : uint8_t { kTime, kDecimal, kInt, kText, kBool };

struct Wanted {
  std::vector<std::string> names;  // accepted names, preferred first
  Role role;
};

struct FileScan {
  fs::path path;
  std::string exchange;
  std::string symbol;
  std::string select;       // "SELECT <the logical columns, in order>", without FROM
  bool parquet = true;      // else CSV
  std::vector<Kind> kinds;  // per selected column
  int32_t depth = 0;        // book: levels per side
};

std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_integer_type(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return true;
    default:
      return false;
  }
}

bool is_timestamp_type(duckdb_type t) {
  return t == DUCKDB_TYPE_TIMESTAMP || t == DUCKDB_TYPE_TIMESTAMP_S ||
         t == DUCKDB_TYPE_TIMESTAMP_MS || t == DUCKDB_TYPE_TIMESTAMP_NS ||
         t == DUCKDB_TYPE_TIMESTAMP_TZ;
}

// The expression selecting column `name` of DuckDB type `t` for `role`; false if unsupported.
bool select_expr(const std::string& name, duckdb_type t, Role role, std::string* expr, Kind* kind) {
  const std::string q = quote_ident(name);
  switch (role) {
    case Role::kTime:
      if (is_timestamp_type(t)) {  // exact: epoch_ns keeps every digit the type holds
        *expr = "epoch_ns(" + q + ")";
        *kind = Kind::kInt64;
      } else if (is_integer_type(t)) {
        *expr = "CAST(" + q + " AS BIGINT)";
        *kind = Kind::kInt64;
      } else if (t == DUCKDB_TYPE_DOUBLE || t == DUCKDB_TYPE_FLOAT || t == DUCKDB_TYPE_DECIMAL) {
        *expr = "CAST(" + q + " AS DOUBLE)";  // float seconds
        *kind = Kind::kDouble;
      } else {
        return false;
      }
      return true;
    case Role::kDecimal:
      if (t == DUCKDB_TYPE_DOUBLE) {
        *expr = q;
        *kind = Kind::kDouble;
      } else if (t == DUCKDB_TYPE_FLOAT) {
        *expr = q;
        *kind = Kind::kFloat;
      } else if (is_integer_type(t) || t == DUCKDB_TYPE_DECIMAL || t == DUCKDB_TYPE_VARCHAR) {
        *expr = "CAST(" + q + " AS VARCHAR)";  // exact text, parsed by Decimal::parse
        *kind = Kind::kText;
      } else {
        return false;
      }
      return true;
    case Role::kInt:
      if (!is_integer_type(t)) return false;
      *expr = "CAST(" + q + " AS BIGINT)";
      *kind = Kind::kInt64;
      return true;
    case Role::kText:
      *expr = t == DUCKDB_TYPE_VARCHAR ? q : "CAST(" + q + " AS VARCHAR)";
      *kind = Kind::kText;
      return true;
    case Role::kBool:
      if (t == DUCKDB_TYPE_BOOLEAN) {
        *expr = q;
      } else if (is_integer_type(t) || t == DUCKDB_TYPE_VARCHAR) {
        *expr = "CAST(" + q + " AS BOOLEAN)";
      } else {
        return false;
      }
      *kind = Kind::kBool;
      return true;
  }
  return false;
}

std::vector<Wanted> wanted_columns(LakeTable table, int32_t depth) {
  const Wanted origin{{"origin_time", "timestamp"}, Role::kTime};
  const Wanted received{{"received_time", "receipt_timestamp"}, Role::kTime};
  const Wanted seq{{"sequence_number"}, Role::kInt};
  switch (table) {
    case LakeTable::kTrades:
      return {{{"side"}, Role::kText},
              {{"quantity", "amount"}, Role::kDecimal},
              {{"price"}, Role::kDecimal},
              {{"trade_id", "id"}, Role::kText},
              origin,
              received};
    case LakeTable::kBook: {
      std::vector<Wanted> w{origin, received, seq};
      for (const char* side : {"bid", "ask"}) {
        for (int32_t i = 0; i < depth; ++i) {
          const std::string p = std::string(side) + "_" + std::to_string(i);
          w.push_back({{p + "_price"}, Role::kDecimal});
          w.push_back({{p + "_size"}, Role::kDecimal});
        }
      }
      return w;
    }
    case LakeTable::kBookDelta:
      return {origin,
              received,
              seq,
              {{"side_is_bid"}, Role::kBool},
              {{"price"}, Role::kDecimal},
              {{"size"}, Role::kDecimal}};
  }
  return {};
}

std::string type_name(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    default:
      return "DuckDB type #" + std::to_string(static_cast<int32_t>(t));
  }
}

const char* role_expectation(Role role) {
  switch (role) {
    case Role::kTime:
      return "an integer (ns), a timestamp or float seconds";
    case Role::kDecimal:
      return "a number";
    case Role::kInt:
      return "an integer";
    case Role::kText:
      return "text";
    case Role::kBool:
      return "a boolean";
  }
  return "";
}

constexpr uint32_t kPositionTag = make_tag("LKP", 1);

void save_stats(BinaryWriter& w, const LakeReaderStats& s) {
  for (uint64_t v :
       {s.files, s.rows, s.messages, s.float_time_values, s.float_time_rounded,
        s.origin_time_backwards, s.received_time_backwards, s.crossed_books, s.nan_levels}) {
    w.u64(v);
  }
}

LakeReaderStats load_stats(BinaryReader& r) {
  LakeReaderStats s;
  for (uint64_t* v :
       {&s.files, &s.rows, &s.messages, &s.float_time_values, &s.float_time_rounded,
        &s.origin_time_backwards, &s.received_time_backwards, &s.crossed_books, &s.nan_levels}) {
    *v = r.u64("LakePosition.stats");
  }
  return s;
}

}  // namespace

struct LakeReader::Impl {
  // One accepted book_delta_v2 row, held back to see whether the next row continues its message.
  struct DeltaRow {
    int64_t origin_time = kNull;
    int64_t received_time = kNull;
    int64_t seq = kNull;
    Side side = Side::kNone;
    Decimal price;
    Decimal size;
    uint64_t scan_row = 0;
    size_t file = 0;
  };
  enum class Got : uint8_t { kValue, kNull, kNaN, kBad };

  LakeReaderOptions opt;
  std::vector<fs::path> paths;
  std::vector<FileScan> scans;
  DuckDb db;
  Quarantine quarantine;
  LakeReaderStats stats;

  size_t file_index = 0;  // the next file to open
  size_t cur = 0;         // the open file
  std::unique_ptr<RowCursor> cursor;
  uint64_t row_base = 0;  // rows of the open file before the cursor's first (after a seek)
  uint64_t scan_row = 0;
  int64_t last_origin = kNull;
  int64_t last_received = kNull;
  int64_t last_seq = kNull;
  bool has_peek = false;
  DeltaRow peek;
  std::vector<Level> scratch_bids;

  explicit Impl(LakeReaderOptions o)
      : opt(std::move(o)), db(DuckDbOptions{1, opt.memory_limit, ""}) {}

  // ---- position ---------------------------------------------------------------------------

  // The scan's state after the last message returned: which file is open and how many of its
  // rows were read (the held-back delta row included, so it is saved too), the checks' memory,
  // the counters and the quarantine.
  struct Position final : ReaderPosition {
    uint64_t files = 0;       // the reader's file count: the input must be the same
    uint64_t file_index = 0;  // the next file to open
    bool open = false;        // a file is open: file_index - 1, with rows_read of its rows read
    uint64_t rows_read = 0;
    uint64_t scan_row = 0;
    int64_t last_origin = kNull, last_received = kNull, last_seq = kNull;
    bool has_peek = false;
    DeltaRow peek;
    LakeReaderStats stats;
    Quarantine quarantine;

    void save(BinaryWriter& w) const override {
      w.u32(kPositionTag);
      w.u64(files);
      w.u64(file_index);
      w.boolean(open);
      w.u64(rows_read);
      w.u64(scan_row);
      w.i64(last_origin);
      w.i64(last_received);
      w.i64(last_seq);
      w.boolean(has_peek);
      if (has_peek) {
        w.i64(peek.origin_time);
        w.i64(peek.received_time);
        w.i64(peek.seq);
        w.u8(static_cast<uint8_t>(peek.side));
        w.decimal(peek.price);
        w.decimal(peek.size);
        w.u64(peek.scan_row);
        w.u64(peek.file);
      }
      save_stats(w, stats);
      quarantine.save(w);
    }

    static Position load(BinaryReader& r) {
      r.expect_tag(kPositionTag, "LakePosition");
      Position p;
      p.files = r.u64("LakePosition.files");
      p.file_index = r.u64("LakePosition.file_index");
      p.open = r.boolean("LakePosition.open");
      p.rows_read = r.u64("LakePosition.rows_read");
      p.scan_row = r.u64("LakePosition.scan_row");
      p.last_origin = r.i64("LakePosition.last_origin");
      p.last_received = r.i64("LakePosition.last_received");
      p.last_seq = r.i64("LakePosition.last_seq");
      p.has_peek = r.boolean("LakePosition.has_peek");
      if (p.has_peek) {
        p.peek.origin_time = r.i64("LakePosition.peek.origin_time");
        p.peek.received_time = r.i64("LakePosition.peek.received_time");
        p.peek.seq = r.i64("LakePosition.peek.seq");
        p.peek.side = r.enumeration("LakePosition.peek.side", Side::kSell);
        p.peek.price = r.decimal("LakePosition.peek.price");
        p.peek.size = r.decimal("LakePosition.peek.size");
        p.peek.scan_row = r.u64("LakePosition.peek.scan_row");
        p.peek.file = r.u64("LakePosition.peek.file");
      }
      p.stats = load_stats(r);
      p.quarantine = Quarantine::load(r);
      return p;
    }
  };

  std::shared_ptr<const ReaderPosition> position() const {
    auto p = std::make_shared<Position>();
    p->files = scans.size();
    p->file_index = file_index;
    p->open = cursor != nullptr;
    p->rows_read = cursor ? row_base + cursor->row() : 0;
    p->scan_row = scan_row;
    p->last_origin = last_origin;
    p->last_received = last_received;
    p->last_seq = last_seq;
    p->has_peek = has_peek;
    if (has_peek) p->peek = peek;
    p->stats = stats;
    p->quarantine = quarantine;
    return p;
  }

  void seek(BinaryReader& saved) {
    Position p = Position::load(saved);
    const Location where{scans.empty() ? opt.root.string() : scans[0].path.string(), 0, ""};
    if (p.files != scans.size() || p.file_index > scans.size() || (p.open && p.file_index == 0) ||
        (p.has_peek && p.peek.file >= scans.size())) {
      throw bad_input(where, "the checkpoint's position reads " + std::to_string(p.files) +
                                 " file(s), this input " + std::to_string(scans.size()));
    }
    cursor.reset();
    file_index = p.open ? p.file_index - 1 : p.file_index;
    if (p.open) open_next(p.rows_read);
    scan_row = p.scan_row;
    last_origin = p.last_origin;
    last_received = p.last_received;
    last_seq = p.last_seq;
    has_peek = p.has_peek;
    if (has_peek) peek = p.peek;
    stats = p.stats;
    quarantine = std::move(p.quarantine);
  }

  // ---- setup ------------------------------------------------------------------------------

  void resolve_files() {
    if (!opt.files.empty()) {
      paths = opt.files;
      return;
    }
    if (opt.root.empty()) {
      throw Error(StatusCode::kInvalidArgument, "lake reader: give either files or a root folder");
    }
    if (opt.exchange.empty() || opt.symbol.empty()) {
      throw Error(StatusCode::kInvalidArgument,
                  "lake reader: reading " + opt.root.string() + " needs an exchange and a symbol");
    }
    for (const LakePartition& p : list_lake_partitions(opt.root)) {
      if (p.table != lake_table_name(opt.table) || p.exchange != opt.exchange ||
          p.symbol != opt.symbol) {
        continue;
      }
      if (!opt.date_from.empty() && p.date < opt.date_from) continue;
      if (!opt.date_to.empty() && p.date > opt.date_to) continue;
      paths.insert(paths.end(), p.files.begin(), p.files.end());
    }
    if (paths.empty()) {
      throw bad_input(Location{opt.root.string(), 0, ""},
                      std::string("no ") + lake_table_name(opt.table) +
                          " files for exchange=" + opt.exchange + " symbol=" + opt.symbol);
    }
  }

  static bool is_csv(const fs::path& p) {
    const std::string name = p.filename().string();
    return ends_with(name, ".csv") || ends_with(name, ".csv.gz");
  }

  // The file's rows from `skip_rows` on, in file order. Parquet skips by file_row_number, which
  // DuckDB checks against each row group's range before decoding it; CSV must parse its way there.
  static std::string source_sql(const fs::path& p, uint64_t skip_rows = 0) {
    const std::string path = sql_quote(p.string());
    if (is_csv(p)) {
      return "read_csv(" + path +
             ", header = true, compression = 'auto', hive_partitioning = " + "false)" +
             (skip_rows ? " OFFSET " + std::to_string(skip_rows) : "");
    }
    if (skip_rows == 0) return "read_parquet(" + path + ", hive_partitioning = false)";
    return "read_parquet(" + path + ", hive_partitioning = false, file_row_number = true) " +
           "WHERE file_row_number >= " + std::to_string(skip_rows);
  }

  FileScan plan(const fs::path& p) {
    FileScan scan;
    scan.path = p;
    scan.exchange = opt.exchange.empty() ? path_key(p, "exchange=") : opt.exchange;
    scan.symbol = opt.symbol.empty() ? path_key(p, "symbol=") : opt.symbol;
    const Location where{p.string(), 0, ""};
    if (scan.exchange.empty() || scan.symbol.empty()) {
      throw Error(StatusCode::kInvalidArgument, where,
                  "no exchange=/symbol= folder in the path: pass the exchange and symbol");
    }
    if (!fs::is_regular_file(p)) throw bad_input(where, "no such file");
    const std::string src = source_sql(p);
    DuckResult head;
    try {
      head = db.query("SELECT * FROM " + src + " LIMIT 0", StatusCode::kBadInput);
    } catch (const Error& e) {
      throw bad_input(where, std::string("cannot read: ") + e.what());
    }
    std::map<std::string, std::pair<std::string, duckdb_type>> columns;  // lower name -> actual
    for (idx_t c = 0; c < head.column_count(); ++c) {
      const std::string name = head.column_name(c);
      columns.emplace(lower(name), std::make_pair(name, head.column_type(c)));
    }
    if (opt.table == LakeTable::kBook) {
      while (columns.count("bid_" + std::to_string(scan.depth) + "_price") != 0) ++scan.depth;
      if (scan.depth == 0) scan.depth = 1;  // reports bid_0_price missing below
    }
    std::string sql;
    for (const Wanted& w : wanted_columns(opt.table, scan.depth)) {
      const std::pair<std::string, duckdb_type>* found = nullptr;
      for (const std::string& n : w.names) {
        auto it = columns.find(n);
        if (it != columns.end()) {
          found = &it->second;
          break;
        }
      }
      if (found == nullptr) {
        std::string names = w.names[0];
        for (size_t i = 1; i < w.names.size(); ++i) names += "' or '" + w.names[i];
        throw bad_input(
            Location{p.string(), 0, w.names[0]},
            "missing column '" + names + "' (a " + lake_table_name(opt.table) + " table needs it)");
      }
      std::string expr;
      Kind kind;
      if (!select_expr(found->first, found->second, w.role, &expr, &kind)) {
        throw bad_input(Location{p.string(), 0, found->first},
                        "column has type " + type_name(found->second) + ", expected " +
                            role_expectation(w.role));
      }
      sql += sql.empty() ? "SELECT " : ", ";
      sql += expr;
      scan.kinds.push_back(kind);
    }
    scan.select = sql;
    scan.parquet = !is_csv(p);
    return scan;
  }

  // ---- row access -------------------------------------------------------------------------

  bool open_next(uint64_t skip_rows = 0) {
    cursor.reset();
    if (file_index >= scans.size()) return false;
    cur = file_index++;
    ++stats.files;
    row_base = skip_rows;
    const FileScan& s = scans[cur];
    try {
      const std::string sql = s.select + " FROM " + source_sql(s.path, skip_rows);
      cursor = std::make_unique<RowCursor>(query_streaming(db, sql, StatusCode::kBadInput),
                                           s.path.string());
    } catch (const Error& e) {
      throw bad_input(Location{s.path.string(), 0, ""}, std::string("cannot read: ") + e.what());
    }
    return true;
  }

  // Advances to the next raw row of the scan, opening files as needed.
  bool advance() {
    while (true) {
      if (cursor && cursor->next()) {
        ++scan_row;
        ++stats.rows;
        return true;
      }
      if (!open_next()) return false;
    }
  }

  Location here(const std::string& field) const {
    return Location{scans[cur].path.string(), row_base + cursor->row(), field};
  }

  // A bad row: throws under kFail, else counts it under `reason` and returns false (skip it).
  bool reject(const std::string& field, const std::string& reason, const std::string& what) {
    const Location where = here(field);
    if (opt.bad_rows == BadRowPolicy::kFail) throw bad_input(where, what);
    quarantine.add(reason, Error::format(where, what));
    return false;
  }

  Got get_decimal(idx_t col, Decimal* out) const {
    if (cursor->is_null(col)) return Got::kNull;
    switch (scans[cur].kinds[col]) {
      case Kind::kDouble: {
        const double v = cursor->get_double(col);
        if (std::isnan(v)) return Got::kNaN;
        return Decimal::from_double(v, out) ? Got::kValue : Got::kBad;
      }
      case Kind::kFloat: {
        const float v = cursor->get_float(col);
        if (std::isnan(v)) return Got::kNaN;
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
        if (ec != std::errc()) return Got::kBad;
        return Decimal::parse(std::string_view(buf, static_cast<size_t>(end - buf)), out)
                   ? Got::kValue
                   : Got::kBad;
      }
      case Kind::kText: {
        const std::string_view t = cursor->get_string(col);
        if (t == "nan" || t == "NaN" || t == "NAN") return Got::kNaN;
        return Decimal::parse(t, out) ? Got::kValue : Got::kBad;
      }
      default:
        return Got::kBad;
    }
  }

  Got get_time(idx_t col, int64_t* ns) {
    if (cursor->is_null(col)) return Got::kNull;
    if (scans[cur].kinds[col] == Kind::kInt64) {
      *ns = cursor->get_int64(col);
      return Got::kValue;
    }
    const double seconds = cursor->get_double(col);
    if (std::isnan(seconds)) return Got::kNaN;
    // Shortest decimal of the double, then exact arithmetic: never seconds * 1e9 in floating point.
    Decimal d;
    if (!Decimal::from_double(seconds, &d) || std::fabs(seconds) > 9.2e9) return Got::kBad;
    const __int128 per_ns = Decimal::kOne / 1'000'000'000;
    __int128 v = d.raw() / per_ns;
    const __int128 rem = d.raw() % per_ns;
    if (2 * rem >= per_ns) ++v;
    if (2 * rem <= -per_ns) --v;
    ++stats.float_time_values;
    const int64_t res = opt.float_time_resolution_ns;
    if (res > 1) {
      const __int128 q = v >= 0 ? (v + res / 2) / res : -((-v + res / 2) / res);
      if (q * res != v) ++stats.float_time_rounded;
      v = q * res;
    }
    *ns = static_cast<int64_t>(v);
    return Got::kValue;
  }

  bool read_time(idx_t col, const char* field, int64_t* ns) {
    switch (get_time(col, ns)) {
      case Got::kValue:
        return true;
      case Got::kNull:
        return reject(field, std::string(field) + " is null", "null time");
      case Got::kNaN:
        return reject(field, std::string(field) + " is NaN", "NaN time");
      case Got::kBad:
        return reject(field, std::string(field) + " out of range",
                      "float seconds out of range: " + std::to_string(cursor->get_double(col)));
    }
    return false;
  }

  std::string raw_text(idx_t col) const {
    switch (scans[cur].kinds[col]) {
      case Kind::kDouble: {
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), cursor->get_double(col));
        return ec == std::errc() ? std::string(buf, end) : "?";
      }
      case Kind::kFloat:
        return std::to_string(cursor->get_float(col));
      case Kind::kText:
        return std::string(cursor->get_string(col));
      default:
        return "?";
    }
  }

  // `kind` is "price" or "size": the quarantine reason groups all level columns under it.
  bool check_decimal(Got got, idx_t col, const std::string& field, const char* kind,
                     const Decimal& value) {
    switch (got) {
      case Got::kValue:
        if (value.is_negative()) {
          return reject(field, std::string("negative ") + kind,
                        "negative " + std::string(kind) + " " + value.to_string());
        }
        return true;
      case Got::kNull:
        return reject(field, std::string("null ") + kind, "null " + std::string(kind));
      case Got::kNaN:
        return reject(field, std::string("NaN ") + kind, "NaN " + std::string(kind));
      case Got::kBad:
        return reject(field, std::string("invalid ") + kind,
                      "not a finite decimal " + std::string(kind) + ": '" + raw_text(col) + "'");
    }
    return false;
  }

  bool read_decimal(idx_t col, const std::string& field, const char* kind, Decimal* out) {
    return check_decimal(get_decimal(col, out), col, field, kind, *out);
  }

  void note_times(int64_t origin, int64_t received) {
    if (last_origin != kNull && origin < last_origin) ++stats.origin_time_backwards;
    if (last_received != kNull && received < last_received) ++stats.received_time_backwards;
    last_origin = origin;
    last_received = received;
  }

  void start(Message* out, MessageKind kind, uint64_t row, size_t file) const {
    out->reset();
    out->kind = kind;
    out->exchange = scans[file].exchange;
    out->symbol = scans[file].symbol;
    out->source = opt.source;
    out->source_row = row;
  }

  // ---- tables -----------------------------------------------------------------------------

  bool next_trade(Message* out) {
    while (advance()) {
      // side, quantity, price, trade_id, origin_time, received_time
      Side side = Side::kNone;
      if (cursor->is_null(0)) {
        reject("side", "null side", "null side");
        continue;
      }
      const std::string s = lower(cursor->get_string(0));
      if (s == "buy" || s == "b") {
        side = Side::kBuy;
      } else if (s == "sell" || s == "s") {
        side = Side::kSell;
      } else {
        reject("side", "unknown side", "expected buy or sell, got '" + s + "'");
        continue;
      }
      Decimal qty;
      Decimal price;
      int64_t origin = kNull;
      int64_t received = kNull;
      if (!read_decimal(1, "quantity", "size", &qty) ||
          !read_decimal(2, "price", "price", &price) || !read_time(4, "origin_time", &origin) ||
          !read_time(5, "received_time", &received)) {
        continue;
      }
      start(out, MessageKind::kTrade, scan_row, cur);
      out->side = side;
      out->size = qty;
      out->price = price;
      if (!cursor->is_null(3)) out->trade_id.assign(cursor->get_string(3));
      out->origin_time = origin;
      out->received_time = received;
      note_times(origin, received);
      ++stats.messages;
      return true;
    }
    return false;
  }

  // The sequence rules: non-decreasing; a repeat only within one message (same received_time).
  bool check_sequence(int64_t seq, int64_t received, bool repeats_need_same_time) {
    if (seq == kNull || last_seq == kNull) return true;
    if (seq < last_seq) {
      return reject("sequence_number", "sequence_number went backwards",
                    "sequence_number " + std::to_string(seq) + " after " +
                        std::to_string(last_seq) + " (must be non-decreasing)");
    }
    if (repeats_need_same_time && seq == last_seq && received != last_received) {
      return reject("sequence_number", "duplicate sequence_number",
                    "sequence_number " + std::to_string(seq) +
                        " repeats with a different received_time (" + std::to_string(received) +
                        " vs " + std::to_string(last_received) + ")");
    }
    return true;
  }

  bool next_book(Message* out) {
    while (advance()) {
      int64_t origin = kNull;
      int64_t received = kNull;
      if (!read_time(0, "origin_time", &origin) || !read_time(1, "received_time", &received)) {
        continue;
      }
      const int64_t seq = cursor->is_null(2) ? kNull : cursor->get_int64(2);
      start(out, MessageKind::kSnapshot, scan_row, cur);
      const int32_t depth = scans[cur].depth;
      bool ok = true;
      uint64_t nan_levels = 0;
      bool have_bid = false;
      bool have_ask = false;
      Decimal best_bid;
      Decimal best_ask;
      for (int32_t s = 0; s < 2 && ok; ++s) {
        const char* side = s == 0 ? "bid" : "ask";
        for (int32_t i = 0; i < depth && ok; ++i) {
          const idx_t pc = 3 + static_cast<idx_t>(2 * (s * depth + i));
          const std::string base = std::string(side) + "_" + std::to_string(i);
          Decimal price;
          Decimal size;
          const Got gp = get_decimal(pc, &price);
          const Got gs = get_decimal(pc + 1, &size);
          if (gp == Got::kNull && gs == Got::kNull) continue;  // a book shallower than 20
          if (gp == Got::kNaN && gs == Got::kNaN) {            // pandas' way of writing null
            ++nan_levels;
            continue;
          }
          ok = check_decimal(gp, pc, base + "_price", "price", price) &&
               check_decimal(gs, pc + 1, base + "_size", "size", size);
          if (!ok) break;
          out->levels.push_back({s == 0 ? Side::kBid : Side::kAsk, price, size});
          if (s == 0 && (!have_bid || price > best_bid)) best_bid = price;
          if (s == 1 && (!have_ask || price < best_ask)) best_ask = price;
          (s == 0 ? have_bid : have_ask) = true;
        }
      }
      if (!ok || !check_sequence(seq, received, false)) continue;
      stats.nan_levels += nan_levels;
      if (have_bid && have_ask && best_bid >= best_ask) ++stats.crossed_books;
      out->origin_time = origin;
      out->received_time = received;
      out->update_id = seq;
      note_times(origin, received);
      if (seq != kNull) last_seq = seq;
      ++stats.messages;
      return true;
    }
    return false;
  }

  bool next_delta_row(DeltaRow* row) {
    while (advance()) {
      if (!read_time(0, "origin_time", &row->origin_time) ||
          !read_time(1, "received_time", &row->received_time)) {
        continue;
      }
      if (cursor->is_null(2)) {
        reject("sequence_number", "null sequence_number", "null sequence_number");
        continue;
      }
      row->seq = cursor->get_int64(2);
      if (cursor->is_null(3)) {
        reject("side_is_bid", "null side_is_bid", "null side_is_bid");
        continue;
      }
      row->side = cursor->get_bool(3) ? Side::kBid : Side::kAsk;
      if (!read_decimal(4, "price", "price", &row->price) ||
          !read_decimal(5, "size", "size", &row->size) ||
          !check_sequence(row->seq, row->received_time, true)) {
        continue;
      }
      note_times(row->origin_time, row->received_time);
      last_seq = row->seq;
      row->scan_row = scan_row;
      row->file = cur;
      return true;
    }
    return false;
  }

  bool next_delta(Message* out) {
    if (!has_peek && !next_delta_row(&peek)) return false;
    has_peek = false;
    start(out, MessageKind::kDelta, peek.scan_row, peek.file);
    out->origin_time = peek.origin_time;
    out->received_time = peek.received_time;
    out->update_id = peek.seq;
    out->levels.push_back({peek.side, peek.price, peek.size});
    while (next_delta_row(&peek)) {
      if (peek.seq != out->update_id || peek.received_time != out->received_time) {
        has_peek = true;
        break;
      }
      out->levels.push_back({peek.side, peek.price, peek.size});
    }
    ++stats.messages;
    return true;
  }
};

LakeReader::LakeReader(LakeReaderOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->resolve_files();
  for (const fs::path& p : impl_->paths) impl_->scans.push_back(impl_->plan(p));
}

LakeReader::~LakeReader() = default;

bool LakeReader::next(Message* out) {
  switch (impl_->opt.table) {
    case LakeTable::kTrades:
      return impl_->next_trade(out);
    case LakeTable::kBook:
      return impl_->next_book(out);
    case LakeTable::kBookDelta:
      return impl_->next_delta(out);
  }
  return false;
}

std::shared_ptr<const ReaderPosition> LakeReader::position() const { return impl_->position(); }
void LakeReader::seek(BinaryReader& saved) { impl_->seek(saved); }
const Quarantine& LakeReader::quarantine() const { return impl_->quarantine; }
const LakeReaderStats& LakeReader::stats() const { return impl_->stats; }
const std::vector<fs::path>& LakeReader::files() const { return impl_->paths; }

}  // namespace rlx::io
