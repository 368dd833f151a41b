#include "rlx/pipeline/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/core/parallel_for.h"
#include "rlx/core/progress.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/channel.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/options_check.h"
#include "rlx/pipeline/report.h"
#include "rlx/pipeline/router.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/pipeline/worker.h"
#include "rlx/sink/manifest.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

enum class State : uint8_t { kWaiting, kRunning, kDone, kFailed };

struct SymbolRun {
  SymbolKey key;
  Feed feed = Feed::kDirect;
  State state = State::kWaiting;
  bool startable = true;  // a spool becomes startable when the router has finished it
  Clock::time_point not_before{};
  uint32_t attempts = 0;
  uint32_t failures = 0;
  std::vector<std::string> errors;
  pid_t pid = -1;
  int status_fd = -1;
  std::string status_buffer;
  std::string error_line;   // the worker's own "E ..." status line, if it sent one
  std::string kill_reason;  // set when the supervisor killed it (watchdog)
  uint64_t progress = 0;    // messages the running worker has handled
  uint64_t rows = 0;        // and rows it has written
  Clock::time_point progress_at{};
  std::shared_ptr<Channel> channel;
  int channel_fd = -1;    // the pipe's read end until the worker is started with it
  bool reserved = false;  // routed: its slot was taken when the router chose the channel
  int32_t slot = -1;      // while running: which worker slot (cores_per_worker pinning)
  uint64_t max_rss_bytes = 0;
  ReconstructSummary result;  // kDone: the worker's summary
};

// fork + exec of `rlx worker`, with the channel's read end as fd 3 and the status pipe as fd 4.
// The child dies with the supervisor (PR_SET_PDEATHSIG), so a killed supervisor leaves no
// orphan writing into the run.
pid_t spawn(const std::vector<std::string>& args, int channel_fd, int status_fd,
            const cpu_set_t* cores) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw Error(StatusCode::kInternal, std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    const int c = channel_fd >= 0 ? ::fcntl(channel_fd, F_DUPFD, 10) : -1;
    const int s = ::fcntl(status_fd, F_DUPFD, 10);
    if (c >= 0) ::dup2(c, 3);
    ::dup2(s, 4);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (cores != nullptr) ::sched_setaffinity(0, sizeof(cpu_set_t), cores);
    if (::getppid() != parent) ::_exit(1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// A write to a dead worker's pipe must fail with EPIPE, not kill the process. Blocking SIGPIPE
// in the supervising thread does that without touching the process's signal disposition: the
// threads it starts and the workers it forks inherit the mask (a worker whose supervisor died
// gets EPIPE too). A SIGPIPE raised meanwhile stays pending on the thread that wrote, and for
// this thread is taken before the old mask comes back.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    if (sigismember(&old_, SIGPIPE) == 1) return;  // the caller blocks it already
    const timespec now{};
    while (sigtimedwait(&pipe_, nullptr, &now) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
};

// Whether the key can name its folders (core/message.h); a symbol that cannot fails alone.
bool named(const SymbolKey& key) {
  return valid_partition_name(key.first) && valid_partition_name(key.second);
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  }
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

class Supervisor {
 public:
  explicit Supervisor(SupervisorOptions options) : o_(std::move(options)) {
    if (o_.workers == 0) o_.workers = core_count();
    slots_.assign(o_.workers, false);
  }

  ReconstructSummary run();

 private:
  Route route_for(const SymbolKey& key);
  void start(SymbolRun& r);
  void start_waiting(Clock::time_point now);
  void reap(Clock::time_point now);
  void on_exit(SymbolRun& r, int status, const rusage& usage, Clock::time_point now);
  void watchdog(Clock::time_point now);
  void read_status(SymbolRun& r);
  bool finished() const;
  void load_done(SymbolRun& r);
  void set_aside_failed(const SymbolRun& r);
  void poll_loop(Router* router, Progress& progress);
  void abort_all(Router* router);
  bool routed() const { return o_.run.source != SourceKind::kLake; }

  SupervisorOptions o_;
  const fs::path& out() const { return o_.run.out_dir; }
  std::mutex mutex_;  // runs_, running_, router state: shared with the router thread
  std::map<SymbolKey, SymbolRun> runs_;
  uint32_t running_ = 0;
  std::vector<bool> slots_;  // which worker slots are taken
  bool router_done_ = false;
  bool aborting_ = false;  // abort_all ran: route_for makes no new channel
  std::string router_error_;
};

Route Supervisor::route_for(const SymbolKey& key) {
  const std::lock_guard lock(mutex_);
  if (aborting_) return Route{};  // the run is failing: no new pipe or worker
  auto [it, fresh] = runs_.try_emplace(key);
  SymbolRun& r = it->second;
  r.key = key;
  Route route;
  if (!fresh && (r.state != State::kWaiting || r.feed == Feed::kSpool)) {
    return route;  // done in an earlier run, or fed by its finished spool: nothing to route
  }
  if (running_ < o_.workers) {
    // The main thread starts the process: PR_SET_PDEATHSIG follows the thread that forked,
    // and this one ends with the routing. Messages wait in the channel meanwhile.
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw Error(StatusCode::kInternal, std::string("pipe failed: ") + std::strerror(errno));
    }
    r.feed = Feed::kChannel;
    r.channel = std::make_shared<Channel>(fds[1], o_.queue_messages);
    r.channel_fd = fds[0];
    r.reserved = true;
    r.startable = true;
    ++running_;
    route.kind = Route::Kind::kChannel;
    route.channel = r.channel;
  } else {
    r.feed = Feed::kSpool;
    r.startable = false;
    route.kind = Route::Kind::kSpool;
    route.spool = spool_path(out(), key);
  }
  return route;
}

void Supervisor::start(SymbolRun& r) {
  int status[2];
  if (::pipe2(status, O_CLOEXEC) != 0) {
    throw Error(StatusCode::kInternal, std::string("pipe failed: ") + std::strerror(errno));
  }
  ++r.attempts;
  std::vector<std::string> args = {o_.worker_binary.string(),
                                   "worker",
                                   "--out",
                                   out().string(),
                                   "--exchange",
                                   r.key.first,
                                   "--symbol",
                                   r.key.second,
                                   "--feed",
                                   std::string(name_of(kFeedNames, r.feed)),
                                   "--attempt",
                                   std::to_string(r.attempts)};
  args.insert(args.end(), o_.worker_args.begin(), o_.worker_args.end());
  r.slot = static_cast<int32_t>(std::find(slots_.begin(), slots_.end(), false) - slots_.begin());
  slots_[static_cast<size_t>(r.slot)] = true;
  cpu_set_t cores;
  CPU_ZERO(&cores);
  const uint32_t n = o_.cores_per_worker;
  if (n > 0) {
    const uint32_t machine = core_count();
    for (uint32_t i = 0; i < n; ++i)
      CPU_SET((static_cast<uint32_t>(r.slot) * n + i) % machine, &cores);
    args.insert(args.end(), {"--writer-threads", std::to_string(n)});
  }
  r.pid = spawn(args, r.channel_fd, status[1], n > 0 ? &cores : nullptr);
  ::close(status[1]);
  if (r.channel_fd >= 0) {
    ::close(r.channel_fd);  // the worker holds it now
    r.channel_fd = -1;
  }
  ::fcntl(status[0], F_SETFL, O_NONBLOCK);
  r.status_fd = status[0];
  r.status_buffer.clear();
  r.error_line.clear();
  r.kill_reason.clear();
  r.state = State::kRunning;
  r.progress = 0;
  r.progress_at = Clock::now();
  if (!r.reserved) ++running_;
  r.reserved = false;
  o_.run.log.info("worker.start", {{"exchange", r.key.first},
                                   {"symbol", r.key.second},
                                   {"feed", std::string(name_of(kFeedNames, r.feed))},
                                   {"attempt", static_cast<uint64_t>(r.attempts)},
                                   {"pid", static_cast<int64_t>(r.pid)}});
}

void Supervisor::start_waiting(Clock::time_point now) {
  for (auto& [key, r] : runs_) {
    if (r.state == State::kWaiting && r.reserved) start(r);
  }
  for (auto& [key, r] : runs_) {
    if (running_ >= o_.workers) return;
    if (r.state != State::kWaiting || !r.startable || now < r.not_before) continue;
    start(r);
  }
}

void Supervisor::read_status(SymbolRun& r) {
  if (r.status_fd < 0) return;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(r.status_fd, buf, sizeof buf);
    if (n <= 0) break;
    r.status_buffer.append(buf, static_cast<size_t>(n));
  }
  size_t start = 0;
  for (size_t nl; (nl = r.status_buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string line = r.status_buffer.substr(start, nl - start);
    if (line.rfind("P ", 0) == 0) {
      char* end = nullptr;
      const uint64_t p = std::strtoull(line.c_str() + 2, &end, 10);
      r.rows = std::strtoull(end, nullptr, 10);
      if (p != r.progress || r.progress == 0) {
        r.progress = p;
        r.progress_at = Clock::now();
      }
    } else if (line.rfind("E ", 0) == 0) {
      const size_t space = line.find(' ', 2);
      r.error_line = space == std::string::npos ? line.substr(2) : line.substr(space + 1);
    }
  }
  r.status_buffer.erase(0, start);
}

void Supervisor::load_done(SymbolRun& r) {
  r.result = parse_summary(durability::read_file(worker_state_dir(out(), r.key) / kResultFile));
  r.state = State::kDone;
}

void Supervisor::on_exit(SymbolRun& r, int status, const rusage& usage, Clock::time_point now) {
  read_status(r);
  ::close(r.status_fd);
  r.status_fd = -1;
  r.pid = -1;
  --running_;
  slots_[static_cast<size_t>(r.slot)] = false;
  r.slot = -1;
  r.max_rss_bytes = std::max(r.max_rss_bytes, static_cast<uint64_t>(usage.ru_maxrss) * 1024);
  const fs::path result = worker_state_dir(out(), r.key) / kResultFile;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(result)) {
    load_done(r);
    r.channel.reset();
    o_.run.log.info("worker.done", {{"symbol", r.key.second}, {"attempt", uint64_t{r.attempts}}});
    return;
  }
  std::string why = !r.kill_reason.empty() ? r.kill_reason : describe_exit(status);
  if (!r.error_line.empty()) why += ": " + r.error_line;
  r.errors.push_back("attempt " + std::to_string(r.attempts) + ": " + why);
  ++r.failures;
  if (r.channel) {
    r.channel->abandon();  // the router drops its messages from now on
    r.channel.reset();
  }
  // A restart cannot take over a pipe: it reads the mixed inputs itself.
  if (r.feed == Feed::kChannel) r.feed = Feed::kInputs;
  const bool input_broken = !router_error_.empty() && r.feed != Feed::kDirect;
  if (input_broken || r.failures >= o_.max_failures) {
    r.state = State::kFailed;
    o_.run.log.warn("worker.failed", {{"exchange", r.key.first},
                                      {"symbol", r.key.second},
                                      {"failures", uint64_t{r.failures}},
                                      {"last", why}});
    return;
  }
  const double delay = o_.backoff_seconds * std::pow(2.0, static_cast<double>(r.failures - 1));
  r.not_before = now + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(std::min(delay, 30.0)));
  r.state = State::kWaiting;
  o_.run.log.warn("worker.restart", {{"exchange", r.key.first},
                                     {"symbol", r.key.second},
                                     {"failures", uint64_t{r.failures}},
                                     {"delay_s", std::min(delay, 30.0)},
                                     {"why", why}});
}

void Supervisor::reap(Clock::time_point now) {
  for (auto& [key, r] : runs_) {
    if (r.state != State::kRunning) continue;
    read_status(r);
    int status = 0;
    rusage usage{};
    const pid_t got = ::wait4(r.pid, &status, WNOHANG, &usage);
    if (got == r.pid) on_exit(r, status, usage, now);
  }
}

void Supervisor::watchdog(Clock::time_point now) {
  const auto limit = std::chrono::duration<double>(o_.watchdog_seconds);
  for (auto& [key, r] : runs_) {
    if (r.state != State::kRunning || !r.kill_reason.empty()) continue;
    // A routed worker with an empty queue is waiting for the router, not hung.
    const bool has_work = !r.channel || r.channel->pending() > 0;
    if (!has_work) {
      r.progress_at = now;
      continue;
    }
    if (now - r.progress_at > limit) {
      r.kill_reason = "no progress for " +
                      std::to_string(static_cast<int64_t>(o_.watchdog_seconds)) + " s (watchdog)";
      ::kill(r.pid, SIGKILL);
    }
  }
}

bool Supervisor::finished() const {
  if (routed() && !router_done_) return false;
  for (const auto& [key, r] : runs_) {
    if (r.state == State::kWaiting || r.state == State::kRunning) return false;
  }
  return true;
}

// A failed symbol's partial output would pass for data: it moves under .rlx/failed/ and leaves
// the manifest.
void Supervisor::set_aside_failed(const SymbolRun& r) {
  if (!named(r.key)) return;  // it never had a worker: nothing was written
  sink::update_manifest(out(), &r.key, {});
  const std::string partition = sink::symbol_partition(r.key.first, r.key.second);
  const fs::path part = out() / partition;
  if (!fs::exists(part)) return;
  const fs::path dest = out() / kStateDir / "failed" / partition;
  fs::remove_all(dest);
  fs::create_directories(dest.parent_path());
  fs::rename(part, dest);
}

// Reaps, watches and starts workers until every symbol is done or failed.
void Supervisor::poll_loop(Router* router, Progress& progress) {
  for (;;) {
    std::vector<pollfd> fds;
    {
      const std::lock_guard lock(mutex_);
      const auto now = Clock::now();
      reap(now);
      watchdog(now);
      if (!router_error_.empty()) {
        // Not running and fed by the broken input: nothing to run.
        for (auto& [key, r] : runs_) {
          if (r.state != State::kWaiting || r.feed == Feed::kDirect) continue;
          r.state = State::kFailed;
          r.errors.push_back("input error: " + router_error_);
          if (r.reserved) {  // its channel was chosen but its process not started yet
            ::close(r.channel_fd);
            r.channel_fd = -1;
            r.channel->abandon();
            r.channel.reset();
            r.reserved = false;
            --running_;
          }
        }
      }
      start_waiting(now);
      if (finished()) break;
      for (const auto& [key, r] : runs_) {
        if (r.status_fd >= 0) fds.push_back(pollfd{r.status_fd, POLLIN, 0});
      }
      if (progress.enabled()) {
        // Routed: the router's bytes; Lake: symbols finished. Rows from the heartbeats.
        uint64_t done = 0, rows = 0;
        for (const auto& [key, r] : runs_) {
          done += r.state == State::kDone || r.state == State::kFailed ? 1 : 0;
          rows += r.state == State::kDone ? r.result.rows : r.rows;
        }
        if (router) {
          progress.refresh(router->bytes_done(), router->bytes_total(), rows);
        } else {
          progress.refresh(done, runs_.size(), rows);
        }
      }
    }
    ::poll(fds.data(), fds.size(), 50);
  }
}

// Stops the router, drops every queue and kills every worker (an error is ending the run).
void Supervisor::abort_all(Router* router) {
  if (router != nullptr) router->stop();
  const std::lock_guard lock(mutex_);
  aborting_ = true;
  for (auto& [key, r] : runs_) {
    if (r.channel) r.channel->abandon();
    if (r.state == State::kRunning && r.pid > 0) {
      ::kill(r.pid, SIGKILL);
      ::waitpid(r.pid, nullptr, 0);
      r.pid = -1;
    }
    if (r.channel_fd >= 0) {
      ::close(r.channel_fd);
      r.channel_fd = -1;
    }
    if (r.status_fd >= 0) {
      ::close(r.status_fd);
      r.status_fd = -1;
    }
  }
}

ReconstructSummary Supervisor::run() {
  const auto started = Clock::now();
  const SigpipeBlocked no_sigpipe;
  ReconstructOptions& run = o_.run;
  run.mode = RunMode::kSupervised;
  if (run.resume) run = resumed_options(run);
  check_supervisor_options(o_);
  // What an earlier run (resumed) finished, and what every Lake symbol is: known before the
  // output folder changes, so a selection of nothing changes nothing.
  std::vector<SymbolKey> keys;
  if (!run.resume) {
    if (run.inputs.empty()) throw Error(StatusCode::kInvalidArgument, "no --input given");
    for (const fs::path& input : run.inputs) {
      if (!fs::exists(input))
        throw bad_input(Location{input.string(), 0, ""}, "no such file or folder");
    }
  }
  if (!routed()) keys = lake_symbols(run);
  // One rlx process per run folder, taken before anything in it changes (a second one would
  // start a second set of workers, or --overwrite would clear this run's output under it).
  const std::unique_ptr<durability::FileLock> lock = lock_out_dir(out());
  if (!run.resume) {
    prepare_out_dir(run);
    write_run_file(run);
  }
  // Pipes to workers and one open spool per waiting symbol: a whole market needs more file
  // descriptors than the usual soft limit of 1024, and the hard limit is the user's to give.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  const Log& log = run.log;
  log.info("supervisor.start",
           {{"workers", uint64_t{o_.workers}}, {"resume", std::string(run.resume ? "yes" : "no")}});

  const fs::path symbols_dir = out() / kStateDir / "symbols";
  if (routed() && fs::exists(symbols_dir)) {
    for (const auto& ex : fs::directory_iterator(symbols_dir)) {
      for (const auto& sym : fs::directory_iterator(ex.path())) {
        if (!sym.is_directory()) continue;  // S.lock beside each state folder
        keys.emplace_back(ex.path().filename().string(), sym.path().filename().string());
      }
    }
  }
  for (const SymbolKey& key : keys) {
    SymbolRun& r = runs_[key];
    r.key = key;
    if (!named(key)) {  // a Lake folder's name: this symbol fails, the others go on
      r.state = State::kFailed;
      r.errors.push_back(valid_partition_name(key.first)
                             ? partition_name_error("symbol", key.second)
                             : partition_name_error("exchange", key.first));
      continue;
    }
    fs::remove_all(out() / kStateDir / "failed" / sink::symbol_partition(key.first, key.second));
    if (fs::exists(worker_state_dir(out(), key) / kResultFile)) {
      load_done(r);
    } else if (routed() && fs::exists(spool_path(out(), key))) {
      r.feed = Feed::kSpool;  // its spool is complete: the router need not route it again
    } else if (routed()) {
      r.feed = Feed::kChannel;  // the router decides again when it meets the symbol
      r.startable = false;
    }
  }

  Progress progress(run.progress, "reconstruct", run.progress_sink);
  std::unique_ptr<Router> router;
  std::thread router_thread;
  if (routed()) {
    router = std::make_unique<Router>(run, [this](const SymbolKey& key) { return route_for(key); });
    router_thread = std::thread([this, &router] {
      std::string error;
      try {
        router->run();
      } catch (const std::exception& e) {
        error = e.what();
      }
      const std::lock_guard lock(mutex_);
      router_error_ = error;
      router_done_ = true;
      for (auto& [key, r] : runs_) {
        if (r.feed == Feed::kSpool && error.empty()) r.startable = true;
      }
    });
  }

  try {
    poll_loop(router.get(), progress);
  } catch (...) {
    // Leave no process, thread or pipe behind a failing supervisor (an unjoined thread would
    // abort the process).
    abort_all(router.get());
    if (router_thread.joinable()) router_thread.join();
    abort_all(nullptr);  // what the router's last batch set up before it saw the stop
    throw;
  }
  if (router_thread.joinable()) router_thread.join();
  if (router) {
    for (const auto& [key, why] : router->bad_names()) {
      SymbolRun& r = runs_[key];
      r.key = key;
      r.state = State::kFailed;
      r.errors.push_back(why);
    }
  }

  ReconstructSummary summary;
  summary.mode = RunMode::kSupervised;
  summary.workers = o_.workers;
  summary.input_error = router_error_;
  if (router) {
    summary.inputs = router->inputs();
    summary.messages = router->messages();
    for (const InputSummary& in : summary.inputs) log_quarantine(log, in);
  }
  for (auto& [key, r] : runs_) {
    SymbolSummary s;
    if (r.state == State::kDone && !r.result.symbols.empty()) {
      s = r.result.symbols.front();
      summary.rows += s.rows;
      if (!router) {
        summary.messages += r.result.messages;
        for (InputSummary& in : r.result.inputs) summary.inputs.push_back(std::move(in));
      }
    } else if (r.state == State::kDone) {
      continue;  // its worker saw no message of it (filtered by exchange): no output
    }
    s.exchange = key.first;
    s.symbol = key.second;
    s.failed = r.state == State::kFailed;
    s.attempts = r.attempts;
    s.failures = r.errors;
    s.max_rss_bytes = r.max_rss_bytes;
    if (s.failed) {
      ++summary.failed_symbols;
      set_aside_failed(r);
    }
    summary.symbols.push_back(std::move(s));
  }
  for (const InputSummary& in : summary.inputs) summary.quarantined += in.quarantine.total();
  summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  progress.finish(0, 0, summary.rows);
  sink::write_report(out(), report_json(summary));
  // A run with failed symbols stays resumable: --resume retries them.
  if (summary.failed_symbols == 0 && summary.input_error.empty()) {
    mark_done(out() / kStateDir);
    std::error_code ec;
    fs::remove_all(out() / kStateDir / "spool", ec);
  }
  log.info("supervisor.done", {{"rows", summary.rows},
                               {"failed_symbols", summary.failed_symbols},
                               {"seconds", summary.seconds}});
  return summary;
}

}  // namespace

ReconstructSummary supervise(const SupervisorOptions& options) { return Supervisor(options).run(); }

}  // namespace rlx::pipeline
