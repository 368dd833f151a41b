// What an execution agent's market replays: an output's trades and its top-N book after every
// message, in output order, held in memory for one symbol and time window.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rlx/core/decimal.h"

namespace rlx::env {

struct Level {
  Decimal price;
  Decimal size;  // 0: no level here (the side has fewer levels)
};

struct TapeEvent {
  int64_t time = 0;  // origin_time, never decreasing along the tape (the latest time so far)
  bool is_trade = false;
  int8_t aggressor = 0;  // trades: +1 the buyer took liquidity, -1 the seller
  Decimal price;         // trades
  Decimal size;          // trades
  uint32_t frame = 0;    // the book in effect after this event (index into frames)
};

// Events and book frames. Frame f's bids are levels[f * 2 * depth, + depth), best first; its
// asks follow.
struct MarketTape {
  int32_t depth = 0;
  std::vector<TapeEvent> events;
  std::vector<Level> levels;

  uint32_t frames() const {
    return depth == 0 ? 0 : static_cast<uint32_t>(levels.size() / (2 * depth));
  }
  const Level* bids(uint32_t frame) const { return &levels[size_t{frame} * 2 * depth]; }
  const Level* asks(uint32_t frame) const { return bids(frame) + depth; }
  // Appends a frame (depth bids then depth asks) and returns its index.
  uint32_t add_frame(const std::vector<Level>& bids, const std::vector<Level>& asks);
};

struct TapeOptions {
  std::string symbol;  // required when the output holds several
  std::optional<int64_t> start_ns;
  std::optional<int64_t> end_ns;
};

// Reads the tape from an rlx output (rlx reconstruct --out), through rlx::OutputReader. Book
// frames come from the rows that end a message (last_in_message) and that are not trades; the
// depth is the output's top_n. Throws rlx::Error (kInvalidArgument: no such symbol, no book
// columns; kBadInput: an unreadable part).
MarketTape load_tape(const std::filesystem::path& out_dir, const TapeOptions& options);

}  // namespace rlx::env
