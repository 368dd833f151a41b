#include "rlx/api/capture.h"

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
  explicit Impl(live::CaptureOptions options) : capture(std::move(options)) {}
  live::Capture capture;
};

CaptureSession::CaptureSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CaptureSession::~CaptureSession() = default;

Status CaptureSession::open(const CaptureRequest& request,
                            std::unique_ptr<CaptureSession>* session) {
  try {
    session->reset(new CaptureSession(std::make_unique<Impl>(options_of(request))));
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

Status CaptureSession::run(CaptureResult* result) {
  try {
    *result = result_of(impl_->capture.run());
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

void CaptureSession::stop() { impl_->capture.stop(); }

CaptureResult CaptureSession::progress() const { return result_of(impl_->capture.stats()); }

}  // namespace rlx
