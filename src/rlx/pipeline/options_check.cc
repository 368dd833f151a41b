#include "rlx/pipeline/options_check.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <thread>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/core/message.h"
#include "rlx/core/parallel_for.h"
#include "rlx/pipeline/supervisor.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;

namespace {

std::string unit_part(std::string_view unit) {
  return unit.empty() ? std::string() : fmt::format(" of {}", unit);
}

std::string whole_error(const WholeDomain& d, std::string_view text) {
  return fmt::format("{} must be a whole number{} from {} to {}, not '{}'", d.flag,
                     unit_part(d.unit), d.min, d.max, text);
}

std::string decimal_error(const DecimalDomain& d, std::string_view text) {
  return fmt::format("{} must be a number{} from {} to {}, not '{}'", d.flag, unit_part(d.unit),
                     d.min, d.max, text);
}

[[noreturn]] void usage(const std::string& what) {
  throw Error(StatusCode::kInvalidArgument, what);
}

void check(const WholeDomain& d, int64_t value) {
  if (value < d.min || value > d.max) usage(whole_error(d, std::to_string(value)));
}

// Unsigned fields: a value past INT64_MAX is out of every domain.
void check(const WholeDomain& d, uint64_t value) {
  if (value > static_cast<uint64_t>(INT64_MAX)) usage(whole_error(d, std::to_string(value)));
  check(d, static_cast<int64_t>(value));
}

void check(const DecimalDomain& d, double value) {
  if (!std::isfinite(value) || value < d.min || value > d.max) {
    usage(decimal_error(d, fmt::format("{}", value)));
  }
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

// The path as the file system resolves it (symbolic links, "..", a relative path), so two
// spellings of one place compare equal.
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : r;
}

}  // namespace

void check_paths(const std::vector<fs::path>& input_paths, const fs::path& out_dir) {
  struct Input {
    fs::path given;
    fs::path real;
    bool dir = false;
    dev_t dev = 0;
    ino_t ino = 0;
  };
  std::vector<Input> inputs;
  for (const fs::path& p : input_paths) {
    if (p.empty()) usage("--input has an empty path");
    Input in{p, resolved(p)};
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      in.dir = S_ISDIR(st.st_mode);
      in.dev = st.st_dev;
      in.ino = st.st_ino;
    }
    inputs.push_back(std::move(in));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (size_t j = 0; j < inputs.size(); ++j) {
      if (i == j) continue;
      const Input& a = inputs[i];
      const Input& b = inputs[j];
      if (i < j && (a.real == b.real || (a.ino != 0 && a.dev == b.dev && a.ino == b.ino))) {
        usage(fmt::format(
            "--input names the same {} twice ('{}' and '{}'): it would be read twice and its "
            "trades counted twice; give it once",
            a.dir ? "folder" : "file", a.given.string(), b.given.string()));
      }
      if (b.dir && a.real != b.real && is_within(a.real, b.real)) {
        usage(fmt::format(
            "--input '{}' lies inside --input '{}', which is read whole: it would be read "
            "twice; give only one of them",
            a.given.string(), b.given.string()));
      }
    }
  }
  if (out_dir.empty()) return;
  const fs::path out = resolved(out_dir);
  if (fs::exists(out_dir) && !fs::is_directory(out_dir)) {
    usage(fmt::format("--out '{}' is a file, not a folder: choose a folder for the output",
                      out_dir.string()));
  }
  for (const Input& in : inputs) {
    if (is_within(out, in.real)) {
      usage(fmt::format(
          "--out '{}' lies inside --input '{}': rlx would read its own output as input; choose "
          "an --out outside the inputs",
          out_dir.string(), in.given.string()));
    }
    if (is_within(in.real, out)) {
      usage(fmt::format(
          "--input '{}' lies inside --out '{}': the output folder is rlx's to replace; move the "
          "input or choose another --out",
          in.given.string(), out_dir.string()));
    }
  }
}

bool parse_in(const WholeDomain& d, std::string_view text, int64_t* out, std::string* error) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < d.min || v > d.max) {
    *error = whole_error(d, text);
    return false;
  }
  *out = v;
  return true;
}

bool parse_in(const DecimalDomain& d, std::string_view text, double* out, std::string* error) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v < d.min ||
      v > d.max) {
    *error = decimal_error(d, text);
    return false;
  }
  *out = v;
  return true;
}

bool valid_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int y = 0, m = 0, day = 0;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data(), text.data() + 4, y);
  std::from_chars(text.data() + 5, text.data() + 7, m);
  std::from_chars(text.data() + 8, text.data() + 10, day);
  if (m < 1 || m > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return day <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

void check_reconstruct_options(const ReconstructOptions& o) {
  check(kTopN, int64_t{o.top_n});
  check(kRowsPerFile, o.rows_per_file);
  check(kBatchSize, uint64_t{o.batch_size});
  check(kFsyncIntervalMs, o.fsync_interval_ms);
  check(kKeepCheckpoints, uint64_t{o.keep_checkpoints});
  check(kCheckpointBatches, o.checkpoint_batches);
  check(kCheckpointSeconds, o.checkpoint_seconds);
  if (o.stop_at != kNull) {
    if (!o.durable || o.checkpoint_seconds <= 0 ||
        o.stop_at % (o.checkpoint_seconds * 1'000'000'000) != 0) {
      usage(
          "a shard's end must fall on a scheduled checkpoint of a durable run "
          "(--checkpoint-seconds)");
    }
  }
  for (const auto& [flag, date] :
       {std::pair{"--date-from", &o.date_from}, std::pair{"--date-to", &o.date_to}}) {
    if (date->empty()) continue;
    if (!valid_date(*date)) {
      usage(fmt::format("{} must be a calendar date YYYY-MM-DD, not '{}'", flag, *date));
    }
    if (o.source != SourceKind::kLake) {
      usage(fmt::format("{} selects Crypto Lake dt partitions: it needs --source lake", flag));
    }
  }
  if (!o.date_from.empty() && !o.date_to.empty() && o.date_from > o.date_to) {
    usage(fmt::format("--date-from {} is after --date-to {}: no day would be read", o.date_from,
                      o.date_to));
  }
  for (const std::string& pattern : o.symbols) {
    // A pattern can match a symbol when, with its glob characters read as letters, it could be
    // one.
    std::string as_name = pattern;
    for (char& c : as_name) {
      if (std::string_view("*?[]!^\\").find(c) != std::string_view::npos) c = 'X';
    }
    if (!valid_partition_name(as_name)) {
      usage(fmt::format(
          "--symbols '{}' can match no symbol: a symbol is 1 to 64 letters, digits, '.', '_', '-' "
          "or non-ASCII characters (patterns may use *, ? and [...]); separate several with "
          "commas",
          pattern));
    }
  }
  if (!o.date_from.empty() || !o.date_to.empty()) {
    for (const fs::path& p : o.inputs) {
      if (fs::exists(p) && !fs::is_directory(p)) {
        usage(fmt::format(
            "--date-from/--date-to select dt partitions under Lake roots, but '{}' is a file, "
            "read whole: give its Lake root folder, or drop the dates",
            p.string()));
      }
    }
  }
  if (o.source != SourceKind::kLake) {
    for (const fs::path& p : o.inputs) {
      if (fs::is_directory(p)) {
        usage(
            fmt::format("--input '{}' is a folder: --source {} reads files (a Crypto Lake "
                        "folder needs --source lake)",
                        p.string(), o.source == SourceKind::kTardis ? "tardis" : "binance-raw"));
      }
    }
  }
  check_paths(o.inputs, o.out_dir);
}

void check_supervisor_options(const SupervisorOptions& s) {
  check_reconstruct_options(s.run);
  check(kWorkers, uint64_t{s.workers});
  check(kQueueSize, uint64_t{s.queue_messages});
  check(kMaxFailures, uint64_t{s.max_failures});
  check(kWorkerTimeout, s.watchdog_seconds);
  check(kCoresPerWorker, uint64_t{s.cores_per_worker});
  const uint32_t cores = core_count();
  if (s.cores_per_worker > cores) {
    usage(fmt::format("--cores-per-worker {} is more than this machine's {} cores",
                      s.cores_per_worker, cores));
  }
}

}  // namespace rlx::pipeline
