#include "rlx/validate/window.h"

#include <algorithm>
#include <cstdint>

#include "rlx/features/market_time.h"

namespace rlx::validate {
namespace {

// Indices [lo, hi) of the sorted times within [from, to).
std::pair<size_t, size_t> range(const std::vector<int64_t>& t, int64_t from, int64_t to) {
  const auto lo = std::lower_bound(t.begin(), t.end(), from);
  const auto hi = std::lower_bound(lo, t.end(), to);
  return {static_cast<size_t>(lo - t.begin()), static_cast<size_t>(hi - t.begin())};
}

template <typename T>
std::vector<T> part(const std::vector<T>& v, size_t lo, size_t hi, size_t per_row = 1) {
  return std::vector<T>(v.begin() + static_cast<std::ptrdiff_t>(lo * per_row),
                        v.begin() + static_cast<std::ptrdiff_t>(hi * per_row));
}

}  // namespace

std::vector<Window> windows(const features::Features& side, int64_t length_ns, bool clean) {
  std::vector<Window> out;
  if (side.grids.empty() || side.grids[0].rows() == 0 || length_ns <= 0) return out;
  // Covered: from the first grid row to the last event.
  const int64_t start = side.grids[0].time_ns.front();
  const int64_t end = side.last_ns;
  size_t seam = 0;
  for (int64_t a = features::floor_to(start, length_ns); a + length_ns <= end; a += length_ns) {
    if (a < start) continue;
    const Window w{a, a + length_ns};
    if (clean) {
      while (seam < side.seams.size() && side.seams[seam].time_ns < w.from_ns) ++seam;
      if (seam < side.seams.size() && side.seams[seam].time_ns < w.to_ns) continue;
    }
    out.push_back(w);
  }
  return out;
}

Slicer::TimeIndex::TimeIndex(const std::vector<int64_t>& t) : size_(t.size()) {
  const size_t blocks = (t.size() + kBlock - 1) / kBlock;
  max_through_.resize(blocks);
  min_from_.resize(blocks);
  int64_t running = INT64_MIN;
  for (size_t b = 0; b < blocks; ++b) {
    const auto first = t.begin() + static_cast<std::ptrdiff_t>(b * kBlock);
    const auto last = t.begin() + static_cast<std::ptrdiff_t>(std::min(t.size(), (b + 1) * kBlock));
    running = std::max(running, *std::max_element(first, last));
    max_through_[b] = running;
    min_from_[b] = *std::min_element(first, last);
  }
  for (size_t b = blocks; b-- > 1;) min_from_[b - 1] = std::min(min_from_[b - 1], min_from_[b]);
}

std::pair<size_t, size_t> Slicer::TimeIndex::bounds(int64_t from, int64_t to) const {
  // Blocks before `lo` hold only times < from; blocks from `hi` on only times >= to.
  const auto lo_block = std::lower_bound(max_through_.begin(), max_through_.end(), from);
  const auto hi_block = std::lower_bound(min_from_.begin(), min_from_.end(), to);
  const size_t lo = std::min(size_, static_cast<size_t>(lo_block - max_through_.begin()) * kBlock);
  const size_t hi = std::min(size_, static_cast<size_t>(hi_block - min_from_.begin()) * kBlock);
  return {lo, std::max(lo, hi)};
}

Slicer::Slicer(const features::Features& side)
    : side_(side), trades_(side.trades.time_ns), book_messages_(side.book_message_ns) {}

features::Features slice(const features::Features& side, const Window& w) {
  return Slicer(side)(w);
}

features::Features Slicer::operator()(const Window& w) const {
  const features::Features& side = side_;
  features::Features out;
  out.units = side.units;
  out.off_grid_values = 0;
  out.first_ns = w.from_ns;
  out.last_ns = w.to_ns - 1;
  for (const features::Grid& g : side.grids) {
    features::Grid s;
    s.step_ns = g.step_ns;
    s.levels = g.levels;
    const auto [lo, hi] = range(g.time_ns, w.from_ns, w.to_ns);
    s.time_ns = part(g.time_ns, lo, hi);
    s.state = part(g.state, lo, hi);
    s.bid_ticks = part(g.bid_ticks, lo, hi, g.levels);
    s.bid_lots = part(g.bid_lots, lo, hi, g.levels);
    s.ask_ticks = part(g.ask_ticks, lo, hi, g.levels);
    s.ask_lots = part(g.ask_lots, lo, hi, g.levels);
    s.trades = part(g.trades, lo, hi);
    s.book_messages = part(g.book_messages, lo, hi);
    s.buy_lots = part(g.buy_lots, lo, hi);
    s.sell_lots = part(g.sell_lots, lo, hi);
    s.ofi_lots = part(g.ofi_lots, lo, hi);
    out.grids.push_back(std::move(s));
  }
  const features::Trades& t = side.trades;
  const auto [trade_lo, trade_hi] = trades_.bounds(w.from_ns, w.to_ns);
  for (size_t i = trade_lo; i < trade_hi; ++i) {
    if (t.time_ns[i] < w.from_ns || t.time_ns[i] >= w.to_ns) continue;
    out.trades.time_ns.push_back(t.time_ns[i]);
    out.trades.price_ticks.push_back(t.price_ticks[i]);
    out.trades.size_lots.push_back(t.size_lots[i]);
    out.trades.side.push_back(t.side[i]);
    out.trades.id.push_back(t.id[i]);
  }
  const auto [book_lo, book_hi] = book_messages_.bounds(w.from_ns, w.to_ns);
  for (size_t i = book_lo; i < book_hi; ++i) {
    const int64_t ns = side.book_message_ns[i];
    if (ns >= w.from_ns && ns < w.to_ns) out.book_message_ns.push_back(ns);
  }
  for (const features::Seam& s : side.seams) {
    if (s.time_ns >= w.from_ns && s.time_ns < w.to_ns) out.seams.push_back(s);
  }
  out.events = out.trades.size() + out.book_message_ns.size();
  out.stream.window_ns = side.stream.window_ns;
  for (const features::StreamWindow& sw : side.stream.windows) {
    if (sw.start_ns >= w.from_ns && sw.start_ns < w.to_ns) out.stream.windows.push_back(sw);
  }
  if (out.stream.windows.size() == 1) out.stream.total = out.stream.windows[0];
  return out;
}

}  // namespace rlx::validate
