#include "rlx/shard/shard_runner.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/report.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/pipeline/worker.h"
#include "rlx/sink/manifest.h"

namespace rlx::shard {
namespace fs = std::filesystem;
namespace {

// Whether shard `index` is done: its marker exists and names this plan.
bool done(const Plan& plan, uint32_t index) {
  const fs::path marker = plan.marker(index, ".done");
  if (!fs::exists(marker)) return false;
  simdjson::ondemand::parser parser;
  const simdjson::padded_string json(durability::read_file(marker));
  std::string_view config;
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    config = doc["config_xxh3"].get_string();
    if (config == plan.config_xxh3) return true;
  } catch (const simdjson::simdjson_error& e) {
    throw Error(StatusCode::kBadInput, marker.string() + ": not a shard marker: " + e.what());
  }
  throw Error(StatusCode::kBadInput, marker.string() + ": the marker of another plan (config " +
                                         std::string(config) + ", this plan's is " +
                                         plan.config_xxh3 + ")");
}

// The .done marker, written last: which shard, of which plan and version, and the parts of its
// symbol committed by then with their checksums.
void write_done(const Plan& plan, const Shard& shard) {
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("shard").uint64(shard.index);
  w.key("id").string(shard.id());
  w.key("config_xxh3").string(plan.config_xxh3);
  w.key("rlx_version").string(kVersion);
  w.key("finished_symbol").boolean(shard.end_ns == kNull);
  w.key("parts").begin_array();
  for (const sink::FileInfo& f : sink::read_manifest(plan.out_dir())) {
    if (f.exchange != shard.key.first || f.symbol != shard.key.second) continue;
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
  std::error_code ec;
  fs::remove(plan.marker(index, ".error"), ec);
  options.log.info("shard.start", {{"shard", uint64_t{index}}, {"id", shard.id()}});
  try {
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
  write_done(plan, shard);
  options.log.info("shard.done", {{"shard", uint64_t{index}}});
  return ShardResult::kDone;
}

std::vector<ShardState> shard_states(const Plan& plan) {
  std::vector<ShardState> states;
  for (const Shard& s : plan.shards) {
    ShardState st;
    st.shard = &s;
    if (done(plan, s.index)) {
      st.state = "done";
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

pipeline::ReconstructSummary merge_shards(const Plan& plan, const Log& log) {
  std::vector<uint32_t> missing;
  for (const Shard& s : plan.shards) {
    if (!done(plan, s.index)) missing.push_back(s.index);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 10; ++i) {
      list += (i == 0 ? "" : ", ") + std::to_string(missing[i]);
    }
    throw Error(StatusCode::kInterrupted,
                fmt::format("{} of {} shards are not done ({}{}): `rlx status --plan {}`",
                            missing.size(), plan.shards.size(), list,
                            missing.size() > 10 ? ", ..." : "", plan.dir.string()));
  }
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
  const std::vector<std::string> damaged = sink::verify_manifest(
      plan.out_dir(), sink::read_manifest(plan.out_dir()), sink::Verify::kParts);
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
