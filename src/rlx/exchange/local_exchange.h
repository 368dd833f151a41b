// A local Binance for tests and demos: it replays a recorded capture over TLS, as the venue
// serves it (docs/CAPTURE.md, "The local exchange").
//
// - WebSocket combined streams with SUBSCRIBE/UNSUBSCRIBE, on the venue's paths: spot and
//   COIN-M `/stream` (and `/ws`); USD-M `/public/stream` for depth and bookTicker and
//   `/market/stream` for trades (its legacy paths are refused, as since 2026-04-23). Each frame
//   is the capture's `data` bytes in a `{"stream":..,"data":..}` envelope.
// - REST depth snapshots (`/api/v3/depth`, `/fapi/v1/depth`, `/dapi/v1/depth`) of the
//   exchange's own book: the capture's snapshot plus every diff served so far, so a snapshot
//   bridges the stream as the venue's does. Request weight is budgeted per minute: 429 with
//   Retry-After past the budget, 418 when a client keeps going.
// - Publishing starts once a client subscribed (and `start_wait` passed, for the others);
//   frames go at the recorded pace times `speed`, or as fast as the slowest subscriber reads.
// - Faults on command (inject()): a dropped diff, a disconnect, a stale snapshot, 429/418,
//   slow delivery, a malformed frame, the shutdown notice, the 24 h limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rlx/core/log.h"
#include "rlx/core/message.h"
#include "rlx/exchange/certificate.h"

namespace rlx::exchange {

struct ExchangeOptions {
  std::vector<std::filesystem::path> captures;  // Binance captures in any format rlx reads
  std::string host = "127.0.0.1";               // loopback only by default
  uint16_t port = 0;                            // 0: a free port (port() says which)
  TestPki pki;                                  // the certificate it serves
  double speed = 0;         // 0: as fast as clients read; 1: the recorded pace; N: N times faster
  uint64_t max_frames = 0;  // stop publishing after this many capture frames (0: all)
  std::chrono::milliseconds start_wait{300};  // after the first subscription
  uint32_t weight_per_minute = 0;             // REST budget; 0: the venue's (6000 or 2400)
  bool record_served = true;                  // keep every frame and body served (served())
  // Back-pressure: publishing waits while a connection has this many frames queued, so a REST
  // snapshot leads the stream by little, as the venue's does. Benchmarks at speed 0 raise it so
  // the exchange's pacing is not what they measure.
  uint32_t max_queued_frames = 16;
  Log log;
};

// What a connection was sent, in order.
struct ServedConnection {
  std::string path;                 // the WebSocket target it connected to
  std::vector<std::string> frames;  // every text frame sent (control responses included)
};

enum class Fault : uint8_t {
  kDropDiff,         // the next depth diff of `symbol` is not sent (a gap)
  kDisconnect,       // every WebSocket connection is closed
  kStaleSnapshot,    // the next REST snapshot of `symbol` is the capture's first one
  kTooManyRequests,  // the next `count` REST requests get 429 with Retry-After: `seconds`
  kBan,              // the next `count` REST requests get 418 with Retry-After: `seconds`
  kSlow,             // delivery pauses `milliseconds` before every frame, for `count` frames
  kMalformedFrame,   // one malformed frame on every connection
  kShutdownNotice,   // a serverShutdown event on every connection, then a close after a delay
  kConnectionLimit,  // connections older than `seconds` are closed (the 24 h limit, shortened)
};

struct FaultSpec {
  Fault fault;
  std::string symbol;  // upper case, for per-symbol faults
  uint32_t count = 1;
  uint32_t seconds = 1;
  uint32_t milliseconds = 0;
};

class LocalExchange {
 public:
  // Reads the captures' first lines (market, streams) and listens. Throws Error(kBadInput) for
  // a capture it cannot read, Error(kIo) when it cannot listen.
  explicit LocalExchange(ExchangeOptions options);
  ~LocalExchange();  // stops
  LocalExchange(const LocalExchange&) = delete;
  LocalExchange& operator=(const LocalExchange&) = delete;

  uint16_t port() const;
  Market market() const;
  // "wss://127.0.0.1:PORT" and "https://127.0.0.1:PORT": the bases a capture points at.
  std::string ws_base() const;
  std::string rest_base() const;
  // Every stream name the captures hold ("btcusdt@depth@0ms", ...).
  std::vector<std::string> streams() const;

  void inject(const FaultSpec& fault);
  // Capture frames published so far, and whether every one was (or max_frames reached).
  uint64_t frames_published() const;
  bool finished() const;
  // Blocks until finished() or the timeout; true if finished.
  bool wait_finished(std::chrono::milliseconds timeout) const;
  // Copies of what was served so far.
  std::vector<ServedConnection> served() const;
  std::vector<std::string> served_snapshots() const;  // REST bodies, in order
  uint64_t rest_requests() const;
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::exchange
