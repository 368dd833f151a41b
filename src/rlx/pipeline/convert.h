// `rlx convert`: a raw Binance capture -> Crypto Lake layout (trades, book, book_delta_v2), so a
// golden sample can sit beside historical data of the same window.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/core/progress.h"
#include "rlx/io/reader.h"

namespace rlx::pipeline {

struct ConvertOptions {
  std::vector<std::filesystem::path> inputs;   // Binance raw captures
  std::filesystem::path out_dir;               // Lake root
  std::vector<std::string> symbols;            // empty: all
  int64_t snapshot_interval_ns = 100'000'000;  // `book` rows: top-20 of the rebuilt book
  io::BadRowPolicy on_bad_row = io::BadRowPolicy::kFail;
  ProgressMode progress = ProgressMode::kAuto;
};

struct ConvertSummary {
  uint64_t messages = 0;
  uint64_t trade_rows = 0;
  uint64_t delta_rows = 0;
  uint64_t book_rows = 0;
  uint64_t inexact_values = 0;
  uint64_t quarantined = 0;  // input rows set aside (unsupported streams, bad rows)  // values
                             // float64 cannot hold exactly (Lake stores float64)
  std::vector<std::filesystem::path> files;
};

// book_delta_v2 gets every diff as received (sequence_number = the diff's final update id u);
// trades every trade; book a top-20 snapshot of the book rebuilt by Binance's sync procedure,
// taken after the first diff at or past each interval boundary of origin_time, only while the
// book is synced (sequence_number = that diff's u).
ConvertSummary convert_to_lake(const ConvertOptions& options);

}  // namespace rlx::pipeline
