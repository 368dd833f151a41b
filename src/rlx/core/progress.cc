#include "rlx/core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace rlx {

Progress::Progress(ProgressMode mode, std::string label, ProgressSink* sink)
    : enabled_(sink != nullptr || mode == ProgressMode::kAlways ||
               (mode == ProgressMode::kAuto && ::isatty(STDERR_FILENO) == 1)),
      sink_(sink),
      label_(std::move(label)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (drawn_ && sink_ == nullptr) std::fputc('\n', stderr);
}

void Progress::finish(uint64_t done, uint64_t total, uint64_t rows) {
  if (!enabled_) return;
  draw(done, total, rows, true);
  if (sink_ == nullptr) std::fputc('\n', stderr);
  drawn_ = false;
}

void Progress::status(const std::string& text, bool final) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!final && drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  drawn_ = true;
  if (sink_ != nullptr) {
    sink_->status(text, final);
    return;
  }
  // \x1b[K clears what a longer previous line left on the right.
  std::fprintf(stderr, "\r%s %s\x1b[K", label_.c_str(), text.c_str());
  std::fflush(stderr);
}

void Progress::draw(uint64_t done, uint64_t total, uint64_t rows, bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (!final && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  if (sink_ != nullptr) {
    sink_->update(done, total, rows, final);
    return;
  }
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(rows) / secs : 0.0;
  constexpr int32_t kWidth = 30;
  char bar[kWidth + 1];
  const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  const auto filled = static_cast<int32_t>(frac * kWidth);
  for (int32_t i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : (total > 0 ? '.' : ' ');
  bar[kWidth] = '\0';
  if (total > 0) {
    std::fprintf(stderr, "\r%s [%s] %5.1f%%  %llu rows  %.0f rows/s  %.1fs ", label_.c_str(), bar,
                 frac * 100.0, static_cast<unsigned long long>(rows), rate, secs);
  } else {
    std::fprintf(stderr, "\r%s %llu rows  %.0f rows/s  %.1fs ", label_.c_str(),
                 static_cast<unsigned long long>(rows), rate, secs);
  }
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace rlx
