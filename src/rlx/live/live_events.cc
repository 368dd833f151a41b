#include "rlx/live/live_events.h"

#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/io/binance_raw_reader.h"
#include "rlx/pipeline/reconstruct.h"

namespace rlx::live {
namespace fs = std::filesystem;

// Lines from the capture's io thread to the events thread: the producer appends to `pending_`,
// the reader swaps it for its own buffer when that is used up (one lock per batch of lines).
class LineFeed {
 public:
  LineFeed(uint64_t max_bytes, std::string name) : max_bytes_(max_bytes), name_(std::move(name)) {}

  void push(std::string_view line) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || !error_.empty()) return;
    if (pending_.size() + line.size() + 1 > max_bytes_) {
      error_ = "the events fell " + std::to_string(pending_.size() >> 20) +
               " MiB behind the capture (--events cannot keep up); the record goes on: rebuild "
               "the events with `rlx reconstruct` of it";
      pending_.clear();
      pending_.shrink_to_fit();
      changed_.notify_one();
      return;
    }
    pending_.append(line);
    pending_.push_back('\n');
    if (pending_.size() == line.size() + 1) changed_.notify_one();
  }

  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    changed_.notify_one();
  }

  // The reader stopped (an error): later pushes are dropped at once.
  void abandon(const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    if (error_.empty()) error_ = why;
    pending_.clear();
    pending_.shrink_to_fit();
  }

  // Reader side.
  bool next(std::string_view* line) {
    if (pos_ >= current_.size()) {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return !pending_.empty() || closed_ || !error_.empty(); });
      if (!error_.empty()) throw Error(StatusCode::kInternal, error_);
      if (pending_.empty()) return false;
      current_.clear();
      current_.swap(pending_);
      pos_ = 0;
    }
    const size_t nl = current_.find('\n', pos_);
    *line = std::string_view(current_).substr(pos_, nl - pos_);
    pos_ = nl + 1;
    ++line_number_;
    return true;
  }
  uint64_t line_number() const { return line_number_; }
  const std::string& name() const { return name_; }

  uint64_t queued_bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.size();
  }

 private:
  const uint64_t max_bytes_;
  const std::string name_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string pending_;
  bool closed_ = false;
  std::string error_;
  // Reader thread only.
  std::string current_;
  size_t pos_ = 0;
  uint64_t line_number_ = 0;
};

namespace {

// The reader's view of the feed (it outlives neither side: both hold the feed).
class FeedSource final : public io::LineSource {
 public:
  explicit FeedSource(std::shared_ptr<LineFeed> feed) : feed_(std::move(feed)) {}
  bool next(std::string_view* line) override { return feed_->next(line); }
  uint64_t line_number() const override { return feed_->line_number(); }
  const std::string& path() const override { return feed_->name(); }

 private:
  std::shared_ptr<LineFeed> feed_;
};

}  // namespace

LiveEvents::LiveEvents(LiveEventsOptions options) : options_(std::move(options)) {
  const fs::path& out = options_.out_dir;
  if (fs::exists(out) && (!fs::is_directory(out) || !fs::is_empty(out))) {
    throw Error(StatusCode::kInvalidArgument,
                "--events " + out.string() + " is not an empty folder: choose another one");
  }
  feed_ = std::make_shared<LineFeed>(options_.max_queued_bytes, "live capture feed");
  thread_ = std::thread([this, feed = feed_] {
    auto result = std::make_unique<LiveEventsResult>();
    try {
      pipeline::ReconstructOptions ro;
      ro.source = pipeline::SourceKind::kBinanceRaw;
      ro.out_dir = options_.out_dir;
      ro.top_n = options_.top_n;
      ro.rows_per_file = options_.rows_per_file;
      ro.durable = false;  // the record is the durable copy
      ro.on_bad_row = io::BadRowPolicy::kQuarantine;
      ro.progress = ProgressMode::kNever;
      ro.log = options_.log;
      ro.open_inputs = [feed](std::vector<std::string>* names) {
        names->push_back(feed->name());
        std::vector<std::unique_ptr<io::MessageReader>> readers;
        io::BinanceRawOptions o;
        o.on_bad_row = io::BadRowPolicy::kQuarantine;
        readers.push_back(std::make_unique<io::BinanceRawReader>(std::make_unique<FeedSource>(feed),
                                                                 io::BinanceFormat::kGolden, o));
        return readers;
      };
      const pipeline::ReconstructSummary s = pipeline::reconstruct(ro);
      result->ok = true;
      result->messages = s.messages;
      result->rows = s.rows;
      result->quarantined = s.quarantined;
    } catch (const std::exception& e) {
      result->error = e.what();
      feed->abandon(e.what());
      options_.log.write(LogLevel::kError, "capture.events_failed", {{"error", result->error}});
    }
    result_ = std::move(result);
  });
}

LiveEvents::~LiveEvents() {
  if (!finished_) finish();
}

void LiveEvents::push(std::string_view line) { feed_->push(line); }

uint64_t LiveEvents::queued_bytes() const { return feed_->queued_bytes(); }

LiveEventsResult LiveEvents::finish() {
  if (!finished_) {
    finished_ = true;
    feed_->close();
    thread_.join();
  }
  return *result_;
}

}  // namespace rlx::live
