#include "rlx/pipeline/router.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;

namespace {

constexpr size_t kSpoolFlush = 1 << 20;

// `state`: resumed after it (a self-routed reader's seek), else from the start.
std::unique_ptr<replay::Replayer> open_replay(const ReconstructOptions& run,
                                              std::vector<std::string>* names,
                                              const replay::ReplayState* state = nullptr) {
  ReconstructOptions o = run;
  o.exchange.clear();  // every exchange: routing is by (exchange, symbol)
  // Under --on-bad-row fail a symbol that cannot name a folder reaches the router, which fails
  // that symbol alone; under quarantine its readers set its rows aside. The router and a
  // self-routed worker decide alike, so both see the same stream.
  const bool check_names = run.on_bad_row == io::BadRowPolicy::kQuarantine;
  auto readers = open_readers(o, names, check_names);
  const replay::ReplayOptions options{kRouterBatch};
  if (state != nullptr)
    return std::make_unique<replay::Replayer>(std::move(readers), options, *state);
  return std::make_unique<replay::Replayer>(std::move(readers), options);
}

constexpr uint32_t kSelfRoutedTag = make_tag("SRP", 1);

// Where a self-routed reader stands: the mixed replay before its current batch, and how far
// into that batch it has read.
struct SelfRoutedPosition final : io::ReaderPosition {
  replay::ReplayState before_batch;
  uint64_t next = 0;
  void save(BinaryWriter& w) const override {
    w.u32(kSelfRoutedTag);
    before_batch.save(w);
    w.u64(next);
  }
};

}  // namespace

// A spool file being written: frames buffered, appended, fsynced and renamed at the end.
struct Router::Spool {
  fs::path final_path;
  fs::path tmp_path;
  int fd = -1;
  std::string buffer;

  explicit Spool(fs::path path) : final_path(std::move(path)) {
    tmp_path = final_path;
    tmp_path += ".tmp";
    durability::create_directories_durable(final_path.parent_path());
    fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create");
  }
  ~Spool() {
    if (fd >= 0) ::close(fd);
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  [[noreturn]] void fail(const char* what) const {
    throw Error(StatusCode::kIo, tmp_path.string() + ": " + what + ": " + std::strerror(errno));
  }
  void flush() {
    if (!durability::write_all(fd, buffer)) fail("cannot write");
    buffer.clear();
  }
  void add(const Message& m) {
    append_frame(m, &buffer);
    if (buffer.size() >= kSpoolFlush) flush();
  }
  void finish() {
    append_end_frame(&buffer);
    flush();
    if (::fsync(fd) != 0) fail("cannot fsync");
    ::close(fd);
    fd = -1;
    durability::rename_durable(tmp_path, final_path);
  }
};

Router::Router(const ReconstructOptions& run, RouteFor route_for)
    : run_(run), route_for_(std::move(route_for)) {}

Router::~Router() = default;

Router::Target* Router::target_for(const Message& m) {
  const SymbolKey key{m.exchange, m.symbol};
  auto it = targets_.find(key);
  if (it == targets_.end()) {
    Target t;
    const bool named = valid_partition_name(m.exchange) && valid_partition_name(m.symbol);
    if (!named && io::symbol_matches(run_.symbols, m.symbol)) {
      const bool bad_exchange = !valid_partition_name(m.exchange);
      bad_names_.emplace(key,
                         Error::format(Location{m.source < names_.size() ? names_[m.source] : "",
                                                m.source_row, bad_exchange ? "exchange" : "symbol"},
                                       (bad_exchange ? partition_name_error("exchange", m.exchange)
                                                     : partition_name_error("symbol", m.symbol)) +
                                           " (--on-bad-row quarantine sets its rows aside)"));
    } else if (named && io::symbol_matches(run_.symbols, m.symbol)) {
      t.route = route_for_(key);
    }
    if (t.route.kind == Route::Kind::kSpool) t.spool = std::make_unique<Spool>(t.route.spool);
    it = targets_.emplace(key, std::move(t)).first;
  }
  return &it->second;
}

void Router::route_batch(const std::vector<Message>& batch) {
  Target* last = nullptr;
  const Message* last_message = nullptr;
  for (const Message& m : batch) {
    // Consecutive messages mostly share a symbol: skip the map lookup then.
    if (last == nullptr || m.symbol != last_message->symbol ||
        m.exchange != last_message->exchange) {
      last = target_for(m);
    }
    last_message = &m;
    switch (last->route.kind) {
      case Route::Kind::kDrop:
        break;
      case Route::Kind::kChannel:
        last->route.channel->push(m);  // false: the worker is gone, its restart reads itself
        break;
      case Route::Kind::kSpool:
        last->spool->add(m);
        break;
    }
  }
}

void Router::run() {
  std::vector<std::string>& names = names_;
  try {
    std::unique_ptr<replay::Replayer> replayer = open_replay(run_, &names);
    std::vector<Message> batch;
    uint64_t total = 0;
    for (size_t i = 0; i < replayer->source_count(); ++i) {
      total += replayer->source(i).bytes_total();
    }
    bytes_total_.store(total, std::memory_order_relaxed);
    while (replayer->next_batch(&batch)) {
      if (stop_.load(std::memory_order_relaxed))
        throw Error(StatusCode::kInternal, "router stopped");
      route_batch(batch);
      messages_.fetch_add(batch.size(), std::memory_order_relaxed);
      uint64_t done = 0;
      for (size_t i = 0; i < replayer->source_count(); ++i) {
        done += replayer->source(i).bytes_done();
      }
      bytes_done_.store(done, std::memory_order_relaxed);
    }
    for (size_t i = 0; i < replayer->source_count(); ++i) {
      inputs_.push_back(InputSummary{names[i], replayer->source(i).quarantine()});
    }
    for (auto& [key, t] : targets_) {
      if (t.route.kind == Route::Kind::kChannel) t.route.channel->finish();
      if (t.route.kind == Route::Kind::kSpool) t.spool->finish();
    }
  } catch (...) {
    for (auto& [key, t] : targets_) {
      if (t.route.kind == Route::Kind::kChannel) t.route.channel->cut();
    }
    throw;
  }
}

SelfRoutedReader::SelfRoutedReader(const ReconstructOptions& run, SymbolKey key)
    : run_(run), key_(std::move(key)) {
  std::vector<std::string> names;
  replayer_ = open_replay(run, &names);
  before_batch_ = replayer_->state();
}

std::shared_ptr<const io::ReaderPosition> SelfRoutedReader::position() const {
  for (const replay::ReplayState::SourcePosition& s : before_batch_.sources) {
    if (!s.seekable()) return nullptr;  // an input that cannot seek: skipping is no slower
  }
  auto p = std::make_shared<SelfRoutedPosition>();
  p->before_batch = before_batch_;
  p->next = next_;
  return p;
}

void SelfRoutedReader::seek(BinaryReader& saved) {
  saved.expect_tag(kSelfRoutedTag, "SelfRoutedPosition");
  const replay::ReplayState before = replay::ReplayState::load(saved);
  const uint64_t next = saved.u64("SelfRoutedPosition.next");
  std::vector<std::string> names;
  replayer_ = open_replay(run_, &names, &before);
  before_batch_ = replayer_->state();
  batch_.clear();
  next_ = 0;
  if (next == 0) return;
  if (!replayer_->next_batch(&batch_) || next > batch_.size()) {
    throw bad_input(Location{}, "resume: the mixed inputs end before the checkpoint's position");
  }
  next_ = next;
}

bool SelfRoutedReader::next(Message* out) {
  for (;;) {
    while (next_ < batch_.size()) {
      Message& m = batch_[next_++];
      if (m.symbol == key_.second && m.exchange == key_.first) {
        std::swap(*out, m);
        out->source = 0;
        return true;
      }
    }
    before_batch_ = replayer_->state();
    next_ = 0;
    if (!replayer_->next_batch(&batch_)) {
      batch_.clear();  // the end: the position is after every batch
      return false;
    }
  }
}

}  // namespace rlx::pipeline
