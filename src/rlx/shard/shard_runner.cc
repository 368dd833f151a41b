#include "rlx/shard/shard_runner.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/report.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/pipeline/worker.h"
#include "rlx/sink/manifest.h"
#include "rlx/sink/parquet_sink.h"

namespace rlx::shard {
namespace fs = std::filesystem;
namespace {

// A shard's .done marker, read.
struct Marker {
  int64_t listed_rows = 0;  // rows of the parts it lists (chained: its symbol's parts so far)
  ShardCost cost;
};

// The marker of shard `index` if it is done: the marker exists and names this plan.
std::optional<Marker> read_marker(const Plan& plan, uint32_t index) {
  const fs::path path = plan.marker(index, ".done");
  if (!fs::exists(path)) return std::nullopt;
  simdjson::ondemand::parser parser;
  const simdjson::padded_string json(durability::read_file(path));
  std::string config;
  Marker m;
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    config = std::string(std::string_view(doc["config_xxh3"].get_string()));
    if (config == plan.config_xxh3) {
      for (simdjson::ondemand::object part : doc["parts"].get_array()) {
        m.listed_rows += part["rows"].get_int64();
      }
      // Markers written before rlx recorded the cost lack it: left at -1, not recorded.
      const auto read_cost = [&doc](const char* field, auto* out) {
        auto value = doc[field].get<std::remove_pointer_t<decltype(out)>>();
        if (value.error() == simdjson::SUCCESS) *out = value.value_unsafe();
      };
      read_cost("rows", &m.cost.rows);
      read_cost("seconds", &m.cost.seconds);
      read_cost("cpu_seconds", &m.cost.cpu_seconds);
      read_cost("peak_rss_bytes", &m.cost.peak_rss_bytes);
      return m;
    }
  } catch (const simdjson::simdjson_error& e) {
    throw Error(StatusCode::kBadInput, path.string() + ": not a shard marker: " + e.what());
  }
  throw Error(StatusCode::kBadInput, path.string() + ": the marker of another plan (config " +
                                         config + ", this plan's is " + plan.config_xxh3 + ")");
}

bool done(const Plan& plan, uint32_t index) { return read_marker(plan, index).has_value(); }

// Measures one attempt at a shard: its wall time, and its process's CPU time and peak memory.
class CostMeter {
 public:
  CostMeter() : start_(std::chrono::steady_clock::now()), cpu_start_(cpu_seconds(usage())) {}

  ShardCost cost() const {
    const rusage now = usage();
    ShardCost c;
    c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    c.cpu_seconds = cpu_seconds(now) - cpu_start_;
    c.peak_rss_bytes = static_cast<int64_t>(now.ru_maxrss) * 1024;  // Linux: in KiB
    return c;
  }

 private:
  static rusage usage() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u;
  }
  static double cpu_seconds(const rusage& u) {
    const auto s = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6;
    };
    return s(u.ru_utime) + s(u.ru_stime);
  }

  std::chrono::steady_clock::time_point start_;
  double cpu_start_;
};

// The .done marker, written last: which shard, of which plan and version, what it cost, and the
// parts of its symbol committed by then with their checksums (an independent day's: its own
// run's parts).
void write_done(const Plan& plan, const Shard& shard, const CostMeter& meter) {
  const fs::path run = plan.independent ? plan.day_dir(shard.index) : plan.out_dir();
  std::vector<sink::FileInfo> parts;
  if (fs::exists(run / "manifest.json")) {
    for (sink::FileInfo& f : sink::read_manifest(run)) {
      if (f.exchange == shard.key.first && f.symbol == shard.key.second) {
        parts.push_back(std::move(f));
      }
    }
  }
  ShardCost cost = meter.cost();
  for (const sink::FileInfo& f : parts) cost.rows += f.rows;
  if (shard.after >= 0) {  // a chained shard lists its symbol's parts so far
    cost.rows -= read_marker(plan, static_cast<uint32_t>(shard.after)).value().listed_rows;
  }
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("shard").uint64(shard.index);
  w.key("id").string(shard.id());
  w.key("config_xxh3").string(plan.config_xxh3);
  w.key("rlx_version").string(kVersion);
  w.key("finished_symbol").boolean(shard.end_ns == kNull);
  w.key("rows").int64(cost.rows);
  w.key("seconds").number(cost.seconds);
  w.key("cpu_seconds").number(cost.cpu_seconds);
  w.key("peak_rss_bytes").int64(cost.peak_rss_bytes);
  w.key("parts").begin_array();
  for (const sink::FileInfo& f : parts) {
    w.begin_object();
    w.key("path").string(f.path);
    w.key("rows").int64(f.rows);
    w.key("xxh3").string(durability::hex64(f.xxh3));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  durability::write_file_atomic(plan.marker(shard.index, ".done"), w.take() + "\n");
}

void write_error(const Plan& plan, uint32_t index, const Status& s) {
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("code").string(status_code_name(s.code()));
  w.key("message").string(s.message());
  w.end_object();
  durability::write_file_atomic(plan.marker(index, ".error"), w.take() + "\n");
}

// "YYYY-MM-DD" of a UTC time in ns.
std::string utc_date(int64_t ns) { return format_utc(ns).substr(0, 10); }

constexpr const char* kSummaryFile = "summary.bin";  // an independent day's summary

// An independent day: its own cold-start reconstruction of the symbol's dt partitions of the
// window's days, in its own run folder, resumed there after a kill or SIGTERM. False: stopped.
bool run_independent_day(const Plan& plan, const Shard& shard, const RunShardOptions& options) {
  const fs::path dir = plan.day_dir(shard.index);
  if (fs::exists(dir / kSummaryFile)) return true;  // ran before its marker was written
  pipeline::ReconstructOptions o =
      pipeline::read_run_file(plan.out_dir() / pipeline::kStateDir, plan.out_dir());
  o.out_dir = dir;
  o.state_dir.clear();           // <dir>/.rlx, not the plan's
  o.exchange = shard.key.first;  // the same symbol on another exchange is another shard
  o.symbols = {shard.key.second};
  o.date_from = utc_date(shard.start_ns);
  o.date_to = utc_date(shard.end_ns - 1);
  o.mode = pipeline::RunMode::kInProcess;
  o.checkpoint_seconds = 0;  // as `rlx reconstruct --date-from D --date-to D` writes it
  o.progress = ProgressMode::kNever;
  o.log = options.log;
  o.writer_threads = options.writer_threads;
  o.stop_requested = options.stop_requested;
  o.overwrite = true;  // a run that never got going (no run.json) is started again
  // An unfinished run there (a kill, SIGTERM) is resumed: its options come from its run.json.
  o.resume = pipeline::run_status(dir / pipeline::kStateDir) == pipeline::RunStatus::kUnfinished;
  const std::vector<pipeline::SymbolKey> present = pipeline::find_lake_symbols(o);
  pipeline::ReconstructSummary summary;
  if (std::find(present.begin(), present.end(), shard.key) != present.end()) {
    summary = pipeline::reconstruct(o);
    if (summary.interrupted) return false;
  } else {
    // No partition of this symbol on these days: done, with no rows.
    durability::create_directories_durable(dir);
  }
  durability::write_file_atomic(dir / kSummaryFile, pipeline::serialize_summary(summary));
  return true;
}

std::string error_message(const fs::path& path) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string json(durability::read_file(path));
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    return std::string(std::string_view(doc["message"].get_string()));
  } catch (const simdjson::simdjson_error&) {
    return "(unreadable " + path.string() + ")";
  }
}

}  // namespace

ShardResult run_shard(const fs::path& plan_dir, uint32_t index, const RunShardOptions& options) {
  const Plan plan = read_plan(plan_dir);
  if (index >= plan.shards.size()) {
    throw Error(StatusCode::kInvalidArgument,
                fmt::format("shard {} is not in the plan (it has {})", index, plan.shards.size()));
  }
  const Shard& shard = plan.shards[index];
  if (done(plan, index)) return ShardResult::kAlreadyDone;
  if (shard.after >= 0 && !done(plan, static_cast<uint32_t>(shard.after))) {
    options.log.info("shard.not_ready", {{"shard", uint64_t{index}}, {"after", shard.after}});
    return ShardResult::kNotReady;
  }
  // A second copy waits here for the first, then finds its marker.
  const durability::FileLock lock(plan.marker(index, ".lock"));
  if (done(plan, index)) return ShardResult::kAlreadyDone;
  const CostMeter meter;
  std::error_code ec;
  fs::remove(plan.marker(index, ".error"), ec);
  options.log.info("shard.start", {{"shard", uint64_t{index}}, {"id", shard.id()}});
  try {
    if (plan.independent) {
      if (!run_independent_day(plan, shard, options)) {
        options.log.info("shard.stopped", {{"shard", uint64_t{index}}});
        return ShardResult::kStopped;
      }
      write_done(plan, shard, meter);
      options.log.info("shard.done", {{"shard", uint64_t{index}}});
      return ShardResult::kDone;
    }
    pipeline::WorkerOptions w;
    w.out_dir = plan.out_dir();
    w.key = shard.key;
    w.feed = shard.feed;
    w.log = options.log;
    w.writer_threads = options.writer_threads;
    w.stop_at = shard.end_ns;
    w.stop_requested = options.stop_requested;
    if (pipeline::run_worker(w).interrupted) {
      options.log.info("shard.stopped", {{"shard", uint64_t{index}}});
      return ShardResult::kStopped;
    }
  } catch (...) {
    write_error(plan, index, status_from_exception());
    throw;
  }
  write_done(plan, shard, meter);
  options.log.info("shard.done", {{"shard", uint64_t{index}}});
  return ShardResult::kDone;
}

std::vector<ShardState> shard_states(const Plan& plan) {
  std::vector<ShardState> states;
  for (const Shard& s : plan.shards) {
    ShardState st;
    st.shard = &s;
    if (const std::optional<Marker> marker = read_marker(plan, s.index)) {
      st.state = "done";
      st.cost = marker->cost;
    } else {
      bool running = false;
      try {
        const durability::FileLock probe(plan.marker(s.index, ".lock"),
                                         durability::FileLock::Mode::kTry, "running");
      } catch (const Error&) {
        running = true;
      }
      if (running) {
        st.state = "running";
      } else if (fs::exists(plan.marker(s.index, ".error"))) {
        st.state = "failed";
        st.error = error_message(plan.marker(s.index, ".error"));
      } else if (s.after >= 0 && !done(plan, static_cast<uint32_t>(s.after))) {
        st.state = "waiting";
      } else {
        st.state = "ready";
      }
    }
    states.push_back(std::move(st));
  }
  return states;
}

namespace {

// Independent days: every day's parts gathered into <plan>/out, hard-linked (a copy where the
// file system cannot link), numbered densely per symbol and date in day order; the summaries
// added per symbol. A day's rows must all be dated within its window: event_seq then counts
// from 0 each day, and (date, event_seq) is the output's order.
pipeline::ReconstructSummary gather_days(const Plan& plan) {
  pipeline::ReconstructSummary summary;
  summary.mode = pipeline::RunMode::kSupervised;
  std::vector<sink::FileInfo> files;
  const auto k = static_cast<uint32_t>(plan.keys.size());
  for (uint32_t i = 0; i < k; ++i) {
    pipeline::SymbolSummary total;
    total.exchange = plan.keys[i].first;
    total.symbol = plan.keys[i].second;
    std::map<std::string, int64_t> next_part;  // by date
    const std::string partition = sink::symbol_partition(total.exchange, total.symbol);
    std::error_code ec;
    fs::remove_all(plan.out_dir() / partition, ec);  // a merge run again starts over
    for (uint32_t w = 0; w < plan.windows; ++w) {
      const Shard& shard = plan.shards[w * k + i];
      const fs::path dir = plan.day_dir(shard.index);
      pipeline::ReconstructSummary day =
          pipeline::parse_summary(durability::read_file(dir / kSummaryFile));
      summary.messages += day.messages;
      summary.quarantined += day.quarantined;
      summary.filtered_out += day.filtered_out;
      summary.seconds += day.seconds;
      for (pipeline::InputSummary& in : day.inputs) summary.inputs.push_back(std::move(in));
      for (const pipeline::SymbolSummary& y : day.symbols) {
        total.rows += y.rows;
        total.files += y.files;
        total.stats.add(y.stats);
        total.max_rss_bytes = std::max(total.max_rss_bytes, y.max_rss_bytes);
      }
      if (!fs::exists(dir / "manifest.json")) continue;
      const std::string first = utc_date(shard.start_ns);
      const std::string last = utc_date(shard.end_ns - 1);
      for (sink::FileInfo f : sink::read_manifest(dir)) {
        if (f.date < first || f.date > last) {
          throw Error(StatusCode::kBadInput,
                      fmt::format("shard {} ({}) wrote rows dated {}, outside its days: its dt "
                                  "partitions hold other days' rows; plan with --days chained",
                                  shard.index, shard.id(), f.date));
        }
        const std::string path =
            fmt::format("{}/date={}/part-{:05d}.parquet", partition, f.date, next_part[f.date]++);
        const fs::path to = plan.out_dir() / path;
        durability::create_directories_durable(to.parent_path());
        fs::create_hard_link(dir / f.path, to, ec);
        if (ec) fs::copy_file(dir / f.path, to, fs::copy_options::overwrite_existing);
        f.path = path;
        files.push_back(std::move(f));
      }
    }
    summary.rows += total.rows;
    summary.symbols.push_back(std::move(total));
  }
  std::set<fs::path> dirs;
  for (const sink::FileInfo& f : files) dirs.insert(fs::path(f.path).parent_path());
  for (const fs::path& d : dirs) durability::fsync_dir(plan.out_dir() / d);
  sink::write_manifest(plan.out_dir(), std::move(files));
  return summary;
}

// A chained plan: each symbol's summary, written by its chain's last shard.
pipeline::ReconstructSummary gather_chains(const Plan& plan) {
  pipeline::ReconstructSummary summary;
  summary.mode = pipeline::RunMode::kSupervised;
  for (const pipeline::SymbolKey& key : plan.keys) {
    const fs::path result = pipeline::worker_state_dir(plan.out_dir(), key) / pipeline::kResultFile;
    if (!fs::exists(result)) {
      throw Error(StatusCode::kBadInput, result.string() + ": missing, though the chain of " +
                                             key.first + "/" + key.second + " is done");
    }
    pipeline::ReconstructSummary r = pipeline::parse_summary(durability::read_file(result));
    summary.messages += r.messages;
    summary.filtered_out += r.filtered_out;
    summary.seconds += r.seconds;
    for (pipeline::SymbolSummary& s : r.symbols) {
      summary.rows += s.rows;
      s.attempts = 0;
      summary.symbols.push_back(std::move(s));
    }
  }
  return summary;
}

// kInterrupted naming the first few shards that are not done, if any.
void require_all_done(const Plan& plan) {
  std::vector<uint32_t> missing;
  for (const Shard& s : plan.shards) {
    if (!done(plan, s.index)) missing.push_back(s.index);
  }
  if (missing.empty()) return;
  std::string list;
  for (size_t i = 0; i < missing.size() && i < 10; ++i) {
    list += (i == 0 ? "" : ", ") + std::to_string(missing[i]);
  }
  throw Error(
      StatusCode::kInterrupted,
      fmt::format("{} of {} shards are not done ({}{}): `rlx status --plan {}`", missing.size(),
                  plan.shards.size(), list, missing.size() > 10 ? ", ..." : "", plan.dir.string()));
}

}  // namespace

pipeline::ReconstructSummary merge_shards(const Plan& plan, const Log& log, bool checksums) {
  require_all_done(plan);
  pipeline::ReconstructSummary summary = plan.independent ? gather_days(plan) : gather_chains(plan);
  const std::vector<std::string> damaged =
      sink::verify_manifest(plan.out_dir(), sink::read_manifest(plan.out_dir()),
                            checksums ? sink::Verify::kParts : sink::Verify::kPartSizes);
  if (!damaged.empty()) {
    throw Error(StatusCode::kBadInput, fmt::format("{} part(s) differ from manifest.json: {}",
                                                   damaged.size(), damaged.front()));
  }
  sink::write_report(plan.out_dir(), pipeline::report_json(summary));
  pipeline::mark_done(plan.out_dir() / pipeline::kStateDir);
  log.info("merge.done",
           {{"symbols", static_cast<uint64_t>(summary.symbols.size())}, {"rows", summary.rows}});
  return summary;
}

}  // namespace rlx::shard
