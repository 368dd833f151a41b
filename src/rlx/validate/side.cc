#include "rlx/validate/side.h"

#include <xxhash.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <set>
#include <string_view>
#include <thread>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/duckdb.h"
#include "rlx/io/duckdb_stream.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/replay/replayer.h"
#include "rlx/sink/manifest.h"
#include "rlx/sink/thin_part.h"

namespace rlx::validate {
namespace fs = std::filesystem;
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

InputKind kind_of(const fs::path& p) {
  if (!fs::exists(p)) throw Error(StatusCode::kInvalidArgument, "no such input: " + p.string());
  if (fs::is_directory(p)) {
    if (fs::exists(p / sink::kManifestName)) return InputKind::kRlxOutput;
    return InputKind::kLake;  // a Lake root, or a table or partition folder under one
  }
  const std::string name = p.filename().string();
  if (ends_with(name, ".parquet")) return InputKind::kLake;
  if (ends_with(name, ".csv") || ends_with(name, ".csv.gz") || ends_with(name, ".csv.zst")) {
    return InputKind::kTardis;
  }
  return InputKind::kBinanceRaw;
}

std::string hex(uint64_t v) { return durability::hex64(v); }

// Several symbols where one was expected.
[[noreturn]] void ambiguous(const std::string& a, const std::string& b) {
  throw Error(StatusCode::kInvalidArgument, "the inputs hold more than one symbol (" + a + " and " +
                                                b + "): choose one with --symbol");
}

LoadedSide load_raw(InputKind kind, const SideInput& input, const LoadOptions& options) {
  pipeline::ReconstructOptions ro;
  ro.source = kind == InputKind::kLake     ? pipeline::SourceKind::kLake
              : kind == InputKind::kTardis ? pipeline::SourceKind::kTardis
                                           : pipeline::SourceKind::kBinanceRaw;
  ro.inputs = input.paths;
  if (!options.symbol.empty()) ro.symbols = {options.symbol};
  ro.book = options.book;
  ro.on_bad_row = options.on_bad_row;
  std::vector<std::string> names;
  replay::Replayer replayer(pipeline::open_readers(ro, &names), replay::ReplayOptions{});
  book::BookEngine engine(options.book);
  features::FeatureBuilder builder(options.features);
  LoadedSide side;
  side.kind = kind;
  std::vector<Message> batch;
  while (replayer.next_batch(&batch)) {
    for (const Message& m : batch) {
      if (!options.symbol.empty() && m.symbol != options.symbol) continue;
      if (side.symbol.empty()) {
        side.exchange = m.exchange;
        side.symbol = m.symbol;
      } else if (m.symbol != side.symbol || m.exchange != side.exchange) {
        ambiguous(side.exchange + " " + side.symbol, m.exchange + " " + m.symbol);
      }
      ++side.messages;
      engine.on_message(m, builder);
    }
  }
  engine.finish(builder);
  if (side.symbol.empty()) {
    throw Error(StatusCode::kBadInput, options.symbol.empty()
                                           ? "the inputs hold no message"
                                           : "the inputs hold no message of " + options.symbol);
  }
  side.features = builder.finish();
  side.book = engine.stats();
  for (size_t i = 0; i < replayer.source_count(); ++i) {
    side.quarantined += replayer.source(i).quarantine().total();
  }
  for (const fs::path& p : input.paths) side.inputs.push_back({p.string(), input_hash(p)});
  return side;
}

// The parsers below name the file, row and field only when they fail: a Location holds strings,
// and building one for every row of a day is most of the cost of reading it.
EventType event_type_of(std::string_view s, const std::string& file, uint64_t row) {
  if (s == "BOOK_DELTA") return EventType::kBookDelta;
  if (s == "TRADE") return EventType::kTrade;
  if (s == "BOOK_SNAPSHOT") return EventType::kBookSnapshot;
  throw bad_input({file, row, "event_type"}, "unknown event_type '" + std::string(s) + "'");
}

Side side_of(std::string_view s, const std::string& file, uint64_t row) {
  if (s == "bid") return Side::kBid;
  if (s == "ask") return Side::kAsk;
  if (s == "buy") return Side::kBuy;
  if (s == "sell") return Side::kSell;
  throw bad_input({file, row, "side"}, "unknown side '" + std::string(s) + "'");
}

// rlx output read back: each part in event_seq order, every row an Event; at the end of each
// message the book is the one its enrichment columns show (top_n levels a side). Rows are not
// replayed into a book because the engine's own removals (trades consuming liquidity, the
// crossed-book policy) are not rows. Two readers give the builder the same rows and books: the
// parts themselves, or their thin copies (sink/thin_part.h), which skip what the features do
// not read.
void read_parts(const fs::path& root, const std::vector<sink::FileInfo>& parts, LoadedSide* side,
                features::FeatureBuilder* builder) {
  io::DuckDb db;
  // The enrichment depth: the bid_i_price columns of the first part.
  const fs::path first = root / parts[0].path;
  const io::TextTable cols = io::query_text(
      db,
      "SELECT count(*) FROM (DESCRIBE SELECT * FROM read_parquet(" + io::sql_quote(first.string()) +
          ")) WHERE column_name LIKE 'bid\\_%\\_price' ESCAPE '\\'",
      UINT64_MAX, StatusCode::kBadInput);
  const uint32_t top_n = static_cast<uint32_t>(std::stoul(cols.rows.at(0).at(0)));
  side->book_depth = top_n;
  std::string select =
      "SELECT event_seq, event_type, origin_time, received_time, trade_id, side, price, size, "
      "last_in_message, CAST(flags AS BIGINT)";
  for (const char* s : {"bid", "ask"}) {
    for (uint32_t i = 0; i < top_n; ++i) {
      select += ", " + std::string(s) + "_" + std::to_string(i) + "_price, " + s + "_" +
                std::to_string(i) + "_size";
    }
  }
  book::OrderBook book;
  Event e;
  int64_t next_seq = parts[0].first_event_seq;
  for (const sink::FileInfo& part : parts) {
    const std::string file = (root / part.path).string();
    io::RowCursor row(
        io::query_streaming(db, select + " FROM read_parquet(" + io::sql_quote(file) + ")",
                            StatusCode::kBadInput),
        file);
    while (row.next()) {
      e.event_seq = row.get_int64(0);
      if (e.event_seq != next_seq) {
        throw bad_input({file, row.row(), "event_seq"}, "event_seq " + std::to_string(e.event_seq) +
                                                            " where " + std::to_string(next_seq) +
                                                            " was due: rows are missing");
      }
      ++next_seq;
      e.type = event_type_of(row.get_string(1), file, row.row());
      e.origin_time = row.is_null(2) ? kNull : row.get_int64(2);
      e.received_time = row.is_null(3) ? kNull : row.get_int64(3);
      if (row.is_null(4)) {
        e.trade_id.clear();
      } else {
        e.trade_id.assign(row.get_string(4));
      }
      e.side = row.is_null(5) ? Side::kNone : side_of(row.get_string(5), file, row.row());
      e.price = Decimal::from_raw(row.get_hugeint(6));
      e.size = Decimal::from_raw(row.get_hugeint(7));
      e.last_in_message = row.get_bool(8);
      e.flags = static_cast<uint32_t>(row.get_int64(9));
      if (e.last_in_message) {
        book.clear();
        for (const Side s : {Side::kBid, Side::kAsk}) {
          const idx_t first = s == Side::kBid ? 10 : 10 + 2 * top_n;
          for (idx_t col = first + 2 * top_n; col > first;) {  // worst level first, as above
            col -= 2;
            if (row.is_null(col)) continue;
            book.set(s, Decimal::from_raw(row.get_hugeint(col)),
                     Decimal::from_raw(row.get_hugeint(col + 1)));
          }
        }
      }
      builder->on_event(e, book);
    }
  }
}

void read_thin_copies(const fs::path& root, const std::vector<sink::FileInfo>& parts,
                      LoadedSide* side, features::FeatureBuilder* builder) {
  book::OrderBook book;
  Event e;
  int64_t next_seq = parts[0].first_event_seq;
  for (const sink::FileInfo& part : parts) {
    const fs::path file = root / sink::thin_path(part.path);
    sink::ThinPartReader thin(file);
    if (part.first_event_seq != next_seq ||
        part.last_event_seq - part.first_event_seq + 1 != part.rows) {
      throw Error(StatusCode::kBadInput, (root / sink::kManifestName).string() + ": " + part.path +
                                             " does not hold event_seq " +
                                             std::to_string(next_seq) +
                                             " onwards without a gap: rows are missing");
    }
    if (thin.first_event_seq() != part.first_event_seq ||
        thin.rows() != static_cast<uint64_t>(part.rows)) {
      throw Error(StatusCode::kBadInput, file.string() + ": holds " + std::to_string(thin.rows()) +
                                             " rows from event_seq " +
                                             std::to_string(thin.first_event_seq()) +
                                             ", its part " + std::to_string(part.rows) + " from " +
                                             std::to_string(part.first_event_seq));
    }
    if (&part == &parts[0]) side->book_depth = static_cast<uint32_t>(thin.top_n());
    if (static_cast<uint32_t>(thin.top_n()) != side->book_depth) {
      throw Error(StatusCode::kBadInput, file.string() + ": top_n differs from the other parts'");
    }
    next_seq += part.rows;
    while (thin.next(&e)) {
      if (e.last_in_message && thin.book_changed()) {
        try {
          book.assign(Side::kBid, thin.bids());
          book.assign(Side::kAsk, thin.asks());
        } catch (const Error& err) {
          throw Error(StatusCode::kBadInput, file.string() + ": event_seq " +
                                                 std::to_string(e.event_seq) + ": " + err.what());
        }
      }
      builder->on_event(e, book);
    }
  }
}

LoadedSide load_output(const SideInput& input, const LoadOptions& options) {
  if (input.paths.size() != 1) {
    throw Error(StatusCode::kInvalidArgument, "rlx output is read from one folder at a time");
  }
  const fs::path root = input.paths[0];
  const std::vector<sink::FileInfo> all = sink::read_manifest(root);
  std::vector<sink::FileInfo> parts;
  for (const sink::FileInfo& f : all) {
    if (!options.symbol.empty() && f.symbol != options.symbol) continue;
    if (!parts.empty() && (f.symbol != parts[0].symbol || f.exchange != parts[0].exchange)) {
      ambiguous(parts[0].exchange + " " + parts[0].symbol, f.exchange + " " + f.symbol);
    }
    parts.push_back(f);
  }
  if (parts.empty()) {
    throw Error(StatusCode::kBadInput, (root / sink::kManifestName).string() + " lists no part" +
                                           (options.symbol.empty() ? "" : " of " + options.symbol));
  }
  const bool thin =
      !options.read_parts && std::all_of(parts.begin(), parts.end(),
                                         [](const sink::FileInfo& f) { return f.thin_bytes > 0; });
  const std::vector<std::string> problems =
      sink::verify_manifest(root, parts, thin ? sink::Verify::kThinCopies : sink::Verify::kParts);
  if (!problems.empty()) throw Error(StatusCode::kBadInput, problems.front());
  std::sort(parts.begin(), parts.end(), [](const sink::FileInfo& a, const sink::FileInfo& b) {
    return a.first_event_seq < b.first_event_seq;
  });

  LoadedSide side;
  side.kind = InputKind::kRlxOutput;
  side.exchange = parts[0].exchange;
  side.symbol = parts[0].symbol;
  side.from_thin_copies = thin;
  std::string hashes;
  for (const sink::FileInfo& part : parts) {
    hashes += part.path + " " + std::to_string(part.bytes) + " " + hex(part.xxh3) + "\n";
  }
  features::FeatureBuilder builder(options.features);
  if (thin) {
    read_thin_copies(root, parts, &side, &builder);
  } else {
    read_parts(root, parts, &side, &builder);
  }
  side.features = builder.finish();
  side.inputs.push_back({root.string(), hex(XXH3_64bits(hashes.data(), hashes.size()))});
  return side;
}

}  // namespace

InputKind detect_kind(const std::vector<fs::path>& paths) {
  if (paths.empty()) throw Error(StatusCode::kInvalidArgument, "no input given");
  const InputKind kind = kind_of(paths[0]);
  for (const fs::path& p : paths) {
    if (kind_of(p) != kind) {
      throw Error(StatusCode::kInvalidArgument, "inputs of different kinds in one side (" +
                                                    paths[0].string() + " and " + p.string() +
                                                    "): give the kind explicitly");
    }
  }
  return kind;
}

LoadedSide load_side(const SideInput& input, const LoadOptions& options) {
  const InputKind kind = input.kind == InputKind::kAuto ? detect_kind(input.paths) : input.kind;
  if (kind == InputKind::kRlxOutput) return load_output(input, options);
  return load_raw(kind, input, options);
}

SidePair load_pair(const SideInput& golden, const SideInput& candidate,
                   const LoadOptions& options) {
  const auto feed = std::make_shared<features::ProbeFeed>();
  LoadOptions g = options;
  g.features.probe_snapshots = true;
  g.features.publish_probes = feed;
  LoadOptions c = options;
  c.features.probe_at = feed;
  SidePair out;
  std::exception_ptr candidate_error;
  {
    std::jthread worker([&] {
      try {
        out.candidate = load_side(candidate, c);
      } catch (...) {
        candidate_error = std::current_exception();
      }
    });
    try {
      out.golden = load_side(golden, g);
    } catch (...) {
      feed->abort();  // the candidate stops at its next message; its error is not the one shown
      throw;          // the worker is joined on the way out
    }
  }
  if (candidate_error) std::rethrow_exception(candidate_error);
  if (out.golden.symbol != out.candidate.symbol) {  // exchanges may be named differently
    throw Error(StatusCode::kInvalidArgument, "the golden side holds " + out.golden.symbol +
                                                  ", the candidate " + out.candidate.symbol +
                                                  ": the sides must show the same symbol");
  }
  return out;
}

std::string input_hash(const fs::path& path) {
  if (!fs::is_directory(path)) return hex(durability::digest_file(path).xxh3);
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string listing;
  for (const fs::path& f : files) {
    const durability::FileDigest d = durability::digest_file(f);
    listing += fs::relative(f, path).generic_string() + " " + std::to_string(d.bytes) + " " +
               hex(d.xxh3) + "\n";
  }
  return hex(XXH3_64bits(listing.data(), listing.size()));
}

const char* read_from(const LoadedSide& side) {
  if (side.kind != InputKind::kRlxOutput) return "reconstructed";
  return side.from_thin_copies ? "thin copies" : "parts";
}

}  // namespace rlx::validate
