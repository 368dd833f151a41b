#include "rlx/live/frame_processor.h"

#include <charconv>

#include "rlx/binance/capture_line.h"
#include "rlx/binance/venue.h"
#include "rlx/live/live_events.h"
#include "rlx/live/recorder.h"

namespace rlx::live {
namespace {

// The live books emit no rows: --events rebuilds them from the recorded lines instead.
class NoRows : public book::EventConsumer {
 public:
  void on_event(const Event&, const book::OrderBook&) override {}
};

// The id that orders a stream's frames: u for depth and bookTicker, the trade or aggTrade id.
int64_t frame_id(const Message& m) {
  if (m.kind != MessageKind::kTrade) return m.update_id;
  int64_t id = kNull;
  std::from_chars(m.trade_id.data(), m.trade_id.data() + m.trade_id.size(), id);
  return id;
}

// Raises seen[stream] to id; true when id is above what it was (or the stream is new).
bool advance(StreamIds& seen, std::string_view stream, int64_t id) {
  const auto it = seen.find(stream);
  if (it == seen.end()) {
    seen.emplace(std::string(stream), id);
    return true;
  }
  if (id <= it->second) return false;
  it->second = id;
  return true;
}

}  // namespace

FrameProcessor::FrameProcessor(Market market, const std::vector<std::string>& symbols,
                               Recorder& recorder, LiveEvents* events)
    : market_(market), recorder_(recorder), events_(events), no_rows_(std::make_unique<NoRows>()) {
  for (const auto& s : symbols) symbols_[s].stats.symbol = s;
}

void FrameProcessor::count(uint64_t* counter) {
  std::lock_guard<std::mutex> lock(mu_);
  ++*counter;
}

// Every recorded line also feeds --events, in the same order.
void FrameProcessor::record(int64_t capture_ns, std::string_view stream, std::string_view data) {
  if (events_ == nullptr) {
    recorder_.append(capture_ns, stream, data);
    return;
  }
  events_line_.clear();
  Recorder::format_line(capture_ns, stream, data, &events_line_);
  recorder_.append_line(events_line_);
  events_->push(events_line_);
}

FrameKind FrameProcessor::on_frame(std::string_view text, int64_t capture_ns, StreamIds& seen,
                                   SymbolState** symbol) {
  *symbol = nullptr;
  std::string_view stream, data;
  if (!binance::split_envelope(text, &stream, &data)) {
    const bool control = text.rfind(R"({"result")", 0) == 0 || text.rfind(R"({"error")", 0) == 0 ||
                         text.rfind(R"({"id")", 0) == 0;
    // Not even an envelope: recorded as received under "!malformed". A reply to SUBSCRIBE, or
    // an error: under "!control".
    count(control ? &counters_.control : &counters_.malformed);
    record(capture_ns, control ? "!control" : "!malformed", text);
    return control ? FrameKind::kControl : FrameKind::kMalformed;
  }
  if (!stream.empty() && stream.front() == '!') {
    count(&counters_.control);
    record(capture_ns, stream, data);
    return stream == "!serverShutdown" ? FrameKind::kShutdownNotice : FrameKind::kControl;
  }
  binance::PayloadContext ctx;
  ctx.market = market_;
  ctx.received_time = capture_ns;
  const binance::PayloadResult parsed = parser_.parse(text, ctx, &message_);
  if (parsed != binance::PayloadResult::kMessage) {
    const bool unsupported = parsed == binance::PayloadResult::kUnsupported;
    count(unsupported ? &counters_.unsupported : &counters_.malformed);
    record(capture_ns, stream, data);  // as received; readers count it
    return unsupported ? FrameKind::kUnsupported : FrameKind::kMalformed;
  }
  const int64_t id = frame_id(message_);
  if (id != kNull) {
    advance(seen, stream, id);
    if (!advance(last_id_, stream, id)) {
      count(&counters_.duplicates);
      return FrameKind::kDuplicate;
    }
  }
  record(capture_ns, stream, data);
  const auto it = symbols_.find(message_.symbol);
  if (it == symbols_.end()) return FrameKind::kMarketData;  // not asked for: recorded only
  SymbolState& s = it->second;
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.frames;
  ++s.stats.frames;
  if (message_.origin_time != kNull) {
    s.stats.last_lag_ns = capture_ns - message_.origin_time;
    s.stats.max_lag_ns = std::max(s.stats.max_lag_ns, s.stats.last_lag_ns);
  }
  if (message_.kind == MessageKind::kDelta) s.has_depth = true;
  s.engine.on_message(message_, *no_rows_);
  *symbol = &s;
  return FrameKind::kMarketData;
}

bool FrameProcessor::on_snapshot(const std::string& symbol, std::string_view url_target,
                                 std::string_view body, int64_t capture_ns) {
  record(capture_ns, binance::stream_name(symbol, "depthSnapshot"), body);
  binance::PayloadContext ctx;
  ctx.market = market_;
  ctx.url = url_target;
  ctx.received_time = capture_ns;
  Message snap;
  if (parser_.parse(body, ctx, &snap) != binance::PayloadResult::kMessage) return false;
  if (snap.symbol.empty()) snap.symbol = symbol;
  SymbolState& s = symbols_.at(symbol);
  std::lock_guard<std::mutex> lock(mu_);
  ++s.stats.snapshots;
  s.engine.on_message(snap, *no_rows_);
  return true;
}

SymbolState* FrameProcessor::find(const std::string& symbol) {
  const auto it = symbols_.find(symbol);
  return it == symbols_.end() ? nullptr : &it->second;
}

int64_t FrameProcessor::last_id(std::string_view stream) const {
  const auto it = last_id_.find(stream);
  return it == last_id_.end() ? kNull : it->second;
}

void FrameProcessor::fill_stats(CaptureStats* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  out->frames = counters_.frames;
  out->duplicates = counters_.duplicates;
  out->malformed = counters_.malformed;
  out->unsupported = counters_.unsupported;
  out->control = counters_.control;
  out->frames_per_s = counters_.frames_per_s;
  for (const auto& [name, s] : symbols_) {
    SymbolCaptureStats st = s.stats;
    st.book = s.engine.stats();
    st.synced = s.engine.synced();
    st.sync_state = s.engine.synced()            ? "synced"
                    : s.engine.awaiting_bridge() ? "awaiting_bridge"
                    : s.engine.has_snapshot()    ? "unsynced"
                                                 : "no_snapshot";
    out->symbols.push_back(std::move(st));
  }
}

void FrameProcessor::tick_rates() {
  constexpr size_t kWindow = 10;
  const auto rate = [](std::deque<uint64_t>& recent, uint64_t now) {
    recent.push_back(now);
    if (recent.size() > kWindow + 1) recent.pop_front();
    return recent.size() < 2 ? 0.0
                             : static_cast<double>(recent.back() - recent.front()) /
                                   static_cast<double>(recent.size() - 1);
  };
  std::lock_guard<std::mutex> lock(mu_);
  counters_.frames_per_s = rate(recent_frames_, counters_.frames);
  for (auto& [name, s] : symbols_) s.stats.frames_per_s = rate(s.recent_frames, s.stats.frames);
}

void FrameProcessor::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, s] : symbols_) s.engine.finish(*no_rows_);
}

}  // namespace rlx::live
