// One side of a comparison (golden or candidate) read from its inputs into Features: raw inputs
// (a Binance capture, Lake tables, Tardis files) go through the same replayer and BookEngine as
// `rlx reconstruct`; rlx output is read back from its Parquet parts, with the book each row's
// enrichment columns show.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/name_table.h"
#include "rlx/features/feature_builder.h"
#include "rlx/io/reader.h"

namespace rlx::validate {

enum class InputKind : uint8_t { kAuto, kBinanceRaw, kLake, kTardis, kRlxOutput };
inline constexpr NameTable<InputKind, 5> kInputKindNames = {
    {{"auto", InputKind::kAuto},
     {"binance-raw", InputKind::kBinanceRaw},
     {"lake", InputKind::kLake},
     {"tardis", InputKind::kTardis},
     {"rlx", InputKind::kRlxOutput}}};
inline const char* input_kind_name(InputKind kind) {  // the table's names end in a NUL
  return name_of(kInputKindNames, kind).data();
}

// What `paths` look like: a folder with manifest.json is rlx output; a folder with trades/,
// book/ or book_delta_v2/ (or under one) is a Lake root; a .csv(.gz) file is Tardis; any other
// file a raw Binance capture. Error(kInvalidArgument) when they disagree or a path is missing.
InputKind detect_kind(const std::vector<std::filesystem::path>& paths);

struct SideInput {
  InputKind kind = InputKind::kAuto;
  std::vector<std::filesystem::path> paths;
};

struct LoadOptions {
  std::string symbol;  // empty: the inputs must hold exactly one symbol
  features::FeatureOptions features;
  book::BookOptions book;  // raw inputs: the reconstruction's book options
  io::BadRowPolicy on_bad_row = io::BadRowPolicy::kFail;
  // rlx output: read the Parquet parts even where every part has a thin copy
  // (sink/thin_part.h), which is otherwise read instead, for the same features.
  bool read_parts = false;
};

struct InputHash {
  std::string path;
  std::string xxh3;  // 16 hex digits: of the file, or of a folder's sorted listing and contents
};

struct LoadedSide {
  InputKind kind = InputKind::kAuto;
  std::string exchange;
  std::string symbol;
  features::Features features;
  book::BookStats book;   // raw inputs: what the reconstruction counted
  uint64_t messages = 0;  // raw inputs: messages of this symbol replayed
  uint64_t quarantined = 0;
  // Levels per side the side can show: rlx output holds its top_n, raw inputs every level.
  uint32_t book_depth = UINT32_MAX;
  bool from_thin_copies = false;  // rlx output read from its parts' thin copies
  std::vector<InputHash> inputs;
};

// Reads one side. Throws Error(kInvalidArgument) for an ambiguous or absent symbol,
// Error(kBadInput) for input that cannot be trusted (naming file, row and field), as `rlx
// reconstruct` does.
LoadedSide load_side(const SideInput& input, const LoadOptions& options);

// Both sides, loaded at once on two threads. The golden side probes itself at its snapshots and
// the candidate is probed at those times as the golden finds them (features::ProbeFeed), so the
// result equals load_side of the golden, then of the candidate with the golden's probe times.
// Without options.symbol each side must hold one symbol, and the same one (else
// Error(kInvalidArgument)); loading in turn used to filter the candidate to the golden's symbol.
// When the golden fails, the candidate stops early and the golden's error is thrown; when only the
// candidate fails, its error is thrown once the golden has loaded.
// Where a side's features came from, for logs: "reconstructed" (raw inputs), "thin copies" or
// "parts" (rlx output).
const char* read_from(const LoadedSide& side);

struct SidePair {
  LoadedSide golden;
  LoadedSide candidate;
};
SidePair load_pair(const SideInput& golden, const SideInput& candidate, const LoadOptions& options);

// XXH3-64 of a file, or of a folder: every regular file under it in path order, as "relative
// path, size, XXH3-64" lines, hashed.
std::string input_hash(const std::filesystem::path& path);

}  // namespace rlx::validate
