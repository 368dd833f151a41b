// A one-line progress display on stderr, drawn only when stderr is a terminal (or when forced),
// redrawn at most every 200 ms so it costs nothing on the hot path; or the same updates handed
// to a ProgressSink the caller supplies (an embedding program, the Python module).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace rlx {

enum class ProgressMode : uint8_t { kAuto = 0, kAlways = 1, kNever = 2 };

// Where progress goes instead of stderr: at most every 200 ms, and once more at the end (final).
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // done/total in bytes of input (total 0: unknown); rows: output rows so far.
  virtual void update(uint64_t done, uint64_t total, uint64_t rows, bool final) = 0;
  // Work without a measured end (validate's stages, a capture's counters): one line of text.
  virtual void status(std::string_view text, bool final) = 0;
};

class Progress {
 public:
  // With a sink, every update goes to it (mode is not consulted) and nothing to stderr.
  explicit Progress(ProgressMode mode = ProgressMode::kAuto, std::string label = "",
                    ProgressSink* sink = nullptr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }
  // done/total in bytes (total 0 = unknown); rows = output rows so far.
  void update(uint64_t done, uint64_t total, uint64_t rows) {
    if (!enabled_) return;
    if (++calls_ % 64 != 0) return;  // clock reads are not free either
    draw(done, total, rows, false);
  }
  // update() for callers that come rarely (a supervisor polling every 50 ms): no call counting.
  void refresh(uint64_t done, uint64_t total, uint64_t rows) {
    if (enabled_) draw(done, total, rows, false);
  }
  void finish(uint64_t done, uint64_t total, uint64_t rows);
  // A free-form status line instead of the bar (work without a known end: a live capture).
  // `final` draws even within the redraw interval (the last word).
  void status(const std::string& text, bool final = false);

 private:
  void draw(uint64_t done, uint64_t total, uint64_t rows, bool final);

  bool enabled_ = false;
  bool drawn_ = false;
  ProgressSink* sink_ = nullptr;  // not owned
  uint64_t calls_ = 0;
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// The command line's sink: the line on stderr, as `mode` says (see enabled()). A client of the
// library API hands it to a request when enabled, so the library itself never draws.
class TerminalProgress : public ProgressSink {
 public:
  TerminalProgress(ProgressMode mode, std::string label) : line_(mode, std::move(label)) {}
  bool enabled() const { return line_.enabled(); }
  ProgressSink* sink() { return enabled() ? this : nullptr; }  // for a request's progress
  void update(uint64_t done, uint64_t total, uint64_t rows, bool final) override {
    if (final) {
      line_.finish(done, total, rows);
    } else {
      line_.refresh(done, total, rows);
    }
  }
  void status(std::string_view text, bool final) override {
    line_.status(std::string(text), final);
  }

 private:
  Progress line_;
};

}  // namespace rlx
