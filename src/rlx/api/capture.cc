#include "rlx/api/capture.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>

#include "rlx/binance/venue.h"
#include "rlx/core/error.h"
#include "rlx/live/capture.h"

namespace rlx {
namespace {

CaptureResult result_of(const live::CaptureStats& s) {
  CaptureResult r;
  r.frames = s.frames;
  r.durable_lines = s.record_durable_lines;
  r.reconnects = s.reconnects;
  r.duplicates = s.duplicates;
  r.malformed = s.malformed;
  r.seconds = s.seconds;
  r.frames_per_s = s.frames_per_s;
  r.events = s.events;
  r.events_error = s.events_error;
  r.events_rows = s.events_rows;
  for (const live::SymbolCaptureStats& y : s.symbols) {
    r.symbols.push_back(CaptureSymbolResult{y.symbol, y.frames, y.sync_state, y.book.gaps,
                                            y.book.resyncs, y.snapshots});
  }
  return r;
}

live::CaptureOptions options_of(const CaptureRequest& request) {
  live::CaptureOptions o;
  if (!binance::parse_market(request.market, &o.market)) {
    throw Error(StatusCode::kInvalidArgument,
                "market must be spot, usdm or coinm, not '" + request.market + "'");
  }
  for (const std::string& s : request.symbols) binance::to_upper(s, &o.symbols.emplace_back());
  o.streams = request.streams;
  o.out_dir = request.out_dir;
  o.events_dir = request.events_dir;
  o.duration_s = request.duration_s;
  o.ws_base = request.ws_url;
  o.rest_base = request.rest_url;
  o.ca_file = request.ca_file;
  o.flush_interval_ms = request.flush_interval_ms;
  o.rotate_bytes = request.rotate_bytes;
  o.rotate_seconds = request.rotate_seconds;
  o.snapshot_limit = request.snapshot_limit;
  o.max_streams_per_connection = request.max_streams_per_connection;
  o.rollover_after_s = request.rollover_after_s;
  o.seed = request.seed;
  o.metrics_port = request.metrics_port;
  o.metrics_host = request.metrics_host;
  o.log = request.log;
  return o;
}

}  // namespace

struct CaptureSession::Impl {
  Impl(live::CaptureOptions options, ProgressSink* sink)
      : capture(std::move(options)), progress(sink) {}
  live::Capture capture;
  ProgressSink* progress;  // not owned
};

CaptureSession::CaptureSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CaptureSession::~CaptureSession() = default;

Status CaptureSession::open(const CaptureRequest& request,
                            std::unique_ptr<CaptureSession>* session) {
  try {
    session->reset(
        new CaptureSession(std::make_unique<Impl>(options_of(request), request.progress)));
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

namespace {

// Sends the session's status line to `sink` every 250 ms until destroyed.
class StatusTicker {
 public:
  StatusTicker(const CaptureSession& session, ProgressSink* sink) {
    if (sink == nullptr) return;
    thread_ = std::thread([this, &session, sink] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return done_; })) {
        sink->status(CaptureSession::status_line(session.progress()), false);
      }
    });
  }
  ~StatusTicker() {
    if (!thread_.joinable()) return;
    {
      const std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  StatusTicker(const StatusTicker&) = delete;
  StatusTicker& operator=(const StatusTicker&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

Status CaptureSession::run(CaptureResult* result) {
  try {
    {
      const StatusTicker ticker(*this, impl_->progress);
      *result = result_of(impl_->capture.run());
    }
    if (impl_->progress != nullptr) impl_->progress->status(status_line(*result), true);
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

std::string CaptureSession::status_line(const CaptureResult& r) {
  uint64_t synced = 0, gaps = 0;
  for (const CaptureSymbolResult& sym : r.symbols) {
    synced += sym.sync_state == "synced" ? 1 : 0;
    gaps += sym.gaps;
  }
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "%.0fs  %llu frames (%.0f/s)  %llu/%zu synced  %llu gaps  %llu reconnects  "
                "%llu lines durable",
                r.seconds, static_cast<unsigned long long>(r.frames), r.frames_per_s,
                static_cast<unsigned long long>(synced), r.symbols.size(),
                static_cast<unsigned long long>(gaps),
                static_cast<unsigned long long>(r.reconnects),
                static_cast<unsigned long long>(r.durable_lines));
  return buf;
}

void CaptureSession::stop() { impl_->capture.stop(); }

CaptureResult CaptureSession::progress() const { return result_of(impl_->capture.stats()); }

}  // namespace rlx
