#include "rlx/api/shards.h"

#include "rlx/api/request.h"
#include "rlx/core/error.h"
#include "rlx/shard/plan.h"
#include "rlx/shard/shard_runner.h"
#include "rlx/shard/slurm.h"

namespace rlx {
namespace {

static_assert(
    static_cast<int>(ShardOutcome::kDone) == static_cast<int>(shard::ShardResult::kDone) &&
    static_cast<int>(ShardOutcome::kAlreadyDone) ==
        static_cast<int>(shard::ShardResult::kAlreadyDone) &&
    static_cast<int>(ShardOutcome::kNotReady) == static_cast<int>(shard::ShardResult::kNotReady) &&
    static_cast<int>(ShardOutcome::kStopped) == static_cast<int>(shard::ShardResult::kStopped));

PlanResult result_of(const shard::Plan& plan) {
  PlanResult r;
  r.config_xxh3 = plan.config_xxh3;
  r.independent = plan.independent;
  r.windows = plan.windows;
  r.symbols = static_cast<uint32_t>(plan.keys.size());
  for (const shard::Shard& s : plan.shards) {
    ShardInfo info;
    info.index = s.index;
    info.id = s.id();
    info.exchange = s.key.first;
    info.symbol = s.key.second;
    info.after = s.after;
    info.state = "ready";
    r.shards.push_back(std::move(info));
  }
  return r;
}

}  // namespace

Status plan_shards(const PlanRequest& request, PlanResult* result) {
  try {
    shard::PlanOptions o;
    o.run = reconstruct_options(request.run);
    o.dir = request.plan_dir;
    o.from_ns = shard::parse_utc(request.from, "from", /*end_of_day=*/false);
    o.to_ns = shard::parse_utc(request.to, "to", /*end_of_day=*/true);
    o.shard_seconds = request.shard_seconds;
    o.days = parse_name_or_throw(shard::kDaysNames, request.days, "days");
    o.overwrite = request.overwrite;
    const shard::Plan plan = shard::make_plan(o);
    *result = result_of(plan);
    if (!request.rlx_binary.empty()) {
      result->slurm_submit = shard::write_slurm_files(
          plan, shard::SlurmOptions{request.rlx_binary, request.slurm_max_running,
                                    request.slurm_cpus_per_task});
    }
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

Status run_shard(const RunShardRequest& request, ShardOutcome* outcome) {
  try {
    shard::RunShardOptions o;
    o.log = request.log;
    o.stop_requested = request.stop;
    o.writer_threads = request.writer_threads;
    *outcome = static_cast<ShardOutcome>(shard::run_shard(request.plan_dir, request.index, o));
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

Status shard_status(const std::filesystem::path& plan_dir, PlanResult* result) {
  try {
    const shard::Plan plan = shard::read_plan(plan_dir);
    *result = result_of(plan);
    const std::vector<shard::ShardState> states = shard::shard_states(plan);
    for (size_t i = 0; i < states.size(); ++i) {
      result->shards[i].state = states[i].state;
      result->shards[i].error = states[i].error;
      result->shards[i].rows = states[i].cost.rows;
      result->shards[i].seconds = states[i].cost.seconds;
      result->shards[i].cpu_seconds = states[i].cost.cpu_seconds;
      result->shards[i].peak_rss_bytes = states[i].cost.peak_rss_bytes;
    }
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

Status merge_shards(const std::filesystem::path& plan_dir, const Log& log,
                    ReconstructResult* result, bool checksums) {
  try {
    const shard::Plan plan = shard::read_plan(plan_dir);
    *result = rlx::result_of(shard::merge_shards(plan, log, checksums), plan.out_dir());
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

}  // namespace rlx
