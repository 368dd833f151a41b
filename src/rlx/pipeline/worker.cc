#include "rlx/pipeline/worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/channel.h"
#include "rlx/pipeline/router.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/sink/parquet_sink.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;

namespace {

// Exchange and symbol become path components: refuse anything that could leave the folder.
const std::string& path_safe(const std::string& part) {
  if (!valid_partition_name(part)) throw bad_input(Location{}, partition_name_error("name", part));
  return part;
}

void write_line(int fd, const std::string& line) {
  if (fd >= 0) durability::write_all(fd, line);  // false: the supervisor is gone, nobody to tell
}

}  // namespace

fs::path worker_state_dir(const fs::path& out_dir, const SymbolKey& key) {
  return out_dir / kStateDir / "symbols" / path_safe(key.first) / path_safe(key.second);
}

fs::path spool_path(const fs::path& out_dir, const SymbolKey& key) {
  return out_dir / kStateDir / "spool" / path_safe(key.first) / (path_safe(key.second) + ".frames");
}

void write_status_error(int status_fd, int32_t code, std::string_view message) {
  std::string line = "E " + std::to_string(code) + " ";
  for (const char c : message) line.push_back(c == '\n' ? ' ' : c);
  line.push_back('\n');
  write_line(status_fd, line);
}

ReconstructSummary run_worker(const WorkerOptions& w) {
  const fs::path top_state = w.out_dir / kStateDir;
  ReconstructOptions run = read_run_file(top_state, w.out_dir);
  if (run.mode != RunMode::kSupervised) {
    throw Error(StatusCode::kInvalidArgument, w.out_dir.string() + " is not a supervised run");
  }
  ReconstructOptions o = run;
  o.mode = RunMode::kWorker;
  o.exchange = w.key.first;
  o.symbols = {w.key.second};
  o.state_dir = worker_state_dir(w.out_dir, w.key);
  o.log = w.log;
  o.writer_threads = w.writer_threads;
  o.stop_at = w.stop_at;
  o.stop_requested = w.stop_requested;
  o.progress = ProgressMode::kNever;
  o.overwrite = false;
  // One process per symbol at a time: after a kill -9 of the supervisor, the killed run's
  // worker may take a moment to die (PR_SET_PDEATHSIG); the kernel drops its lock when it does.
  fs::path lock_path = o.state_dir;
  lock_path += ".lock";
  fs::create_directories(lock_path.parent_path());
  const durability::FileLock lock(lock_path);
  o.resume = o.durable && run_status(o.state_dir) == RunStatus::kUnfinished;
  if (!o.resume) {
    // What an earlier attempt left cannot be trusted without its journal: start clean.
    fs::remove_all(o.state_dir);
    fs::remove_all(w.out_dir / sink::symbol_partition(w.key.first, w.key.second));
    fs::create_directories(o.state_dir);
  }

  const int channel_fd = w.channel_fd;
  switch (w.feed) {
    case Feed::kDirect:
      break;  // open_readers, filtered to this exchange and symbol
    case Feed::kChannel:
      o.open_inputs = [channel_fd](std::vector<std::string>* names) {
        std::vector<std::unique_ptr<io::MessageReader>> readers;
        readers.push_back(std::make_unique<FrameReader>(channel_fd, "router channel"));
        names->push_back("router");
        return readers;
      };
      break;
    case Feed::kSpool: {
      const fs::path spool = spool_path(w.out_dir, w.key);
      o.open_inputs = [spool](std::vector<std::string>* names) {
        const int fd = ::open(spool.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
          throw Error(StatusCode::kIo, spool.string() + ": cannot open: " + std::strerror(errno));
        }
        std::vector<std::unique_ptr<io::MessageReader>> readers;
        readers.push_back(std::make_unique<FrameReader>(fd, spool.string()));
        names->push_back("router");
        return readers;
      };
      break;
    }
    case Feed::kInputs: {
      const SymbolKey key = w.key;
      o.open_inputs = [run, key](std::vector<std::string>* names) {
        std::vector<std::unique_ptr<io::MessageReader>> readers;
        readers.push_back(std::make_unique<SelfRoutedReader>(run, key));
        names->push_back("router");
        return readers;
      };
      break;
    }
  }

  const int status_fd = w.status_fd;
  auto last = std::chrono::steady_clock::time_point{};
  auto hook = w.after_batch;
  o.on_batch = [status_fd, last, hook](uint64_t messages, uint64_t rows) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (now - last >= std::chrono::milliseconds(100)) {
      last = now;
      write_line(status_fd, "P " + std::to_string(messages) + " " + std::to_string(rows) + "\n");
    }
    if (hook) hook(messages);
  };
  write_line(status_fd, "P 0 0\n");
  return reconstruct(o);
}

}  // namespace rlx::pipeline
