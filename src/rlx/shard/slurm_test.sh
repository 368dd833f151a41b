#!/bin/bash
# Shards on a real Slurm (single node, loopback, started and stopped here; ../SCALE-OUT.md):
# `rlx plan --slurm` submits 12 shards (2 symbols x 6 windows, each window's tasks after the
# previous window's); one shard is SIGKILLed and requeued, one gets SIGTERM and exits 75, which
# Slurm requeues (RequeueExit=75). The merge job's output must equal a single-machine run's,
# byte for byte. Then a plan of independent Lake days (4 shards, no dependencies) must merge
# into the single-day runs' parts. Needs root and Debian's slurmctld, slurmd, slurm-client and munge
# (scripts/bootstrap); without them it fails under CI and is skipped otherwise (exit 77).
set -uo pipefail
rlx=${RLX_BINARY:?}
data=${RLX_DATA_DIR:-$(cd "$(dirname "$0")/../../../.." && pwd)/shared/data}/binance/hftbacktest
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL: CI is set but $1" >&2; exit 1; fi
  echo "SKIP: $1" >&2; exit 77
}
# shellcheck source=local_slurm.sh
source "$(dirname "$0")/local_slurm.sh"
for tool in $local_slurm_tools; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (scripts/bootstrap)"
done
if [ "$(id -u)" -ne 0 ]; then
  # The daemons run as root (SlurmUser=root): through sudo when it needs no password.
  sudo -n true 2>/dev/null || skip "single-node Slurm here runs as root, and sudo asks a password"
  exec sudo -n --preserve-env=RLX_BINARY,RLX_DATA_DIR,CI "$0" "$@"
fi
inputs=("$data/spot_btcusdt_20240808.gz" "$data/spot_btcusdt_20240809.gz" "$data/usdm_ethusdt_20240808.gz")
for f in "${inputs[@]}"; do [ -f "$f" ] || skip "test data is missing: $f"; done

ROOT=$(mktemp -d /tmp/rlx-slurm.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
  pkill -KILL -f "run-shard --plan $ROOT/" 2>/dev/null
  local_slurm_down
  rm -rf "$ROOT"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  tail -n 20 "$ROOT"/log/* "$ROOT"/munge/log/* "$ROOT"/plan/slurm/logs/* >&2 2>/dev/null
  exit 1
}

local_slurm_up "$ROOT"
case $? in
  0) ;;
  2) skip "no cgroup filesystem, and none can be mounted" ;;
  *) fail "single-node Slurm did not start" ;;
esac

plan=$ROOT/plan
"$rlx" plan --input "${inputs[@]}" --from 2024-08-08T23:54 --to 2024-08-09T00:06 \
  --shard-seconds 120 --out "$plan" --slurm >"$ROOT/log/plan.log" 2>&1 || fail "rlx plan --slurm"
grep -q '12 shards (6 windows x 2 symbols, chained)' "$ROOT/log/plan.log" || fail "not 12 chained shards"
merge_job=$(awk '$1 == "merge" {print $2}' "$ROOT/log/plan.log")
[ -n "$merge_job" ] || fail "no merge job in the output of rlx plan --slurm"
jobs=$(awk '$1 == "window" {print $3}' "$ROOT/log/plan.log" | tr '\n' ' ')

# The faults: shard 3 is SIGKILLed once (FAILED 0:9, requeued by hand as an operator would);
# shard 6 gets SIGTERM once and exits 75 (requeued by Slurm). So that neither can finish before
# it is caught, their locks are held until then (a shard waits for its lock: another copy may be
# running); window 0's shards run first, so the locks are taken before either starts.
flock -o "$plan/shards/000003.lock" sleep 600 &
hold3=$!
flock -o "$plan/shards/000006.lock" sleep 600 &
hold6=$!
pids+=("$hold3" "$hold6")
until pgrep -P "$hold3" sleep >/dev/null && pgrep -P "$hold6" sleep >/dev/null; do sleep 0.01; done
killed="" terminated=""
deadline=$(($(date +%s) + 300))
while squeue -h -j "$merge_job" -o %i 2>/dev/null | grep -q .; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "the plan did not finish in 300 s"
  if [ -z "$killed" ] && pid=$(pgrep -f "run-shard --plan $plan --index 3\$"); then
    kill -KILL $pid && killed=yes
    pkill -P "$hold3" sleep  # its lock is free for the retry
  fi
  # SIGTERM once rlx handles it (blocked for its signal thread), not the default action.
  if [ -z "$terminated" ] && pid=$(pgrep -f "run-shard --plan $plan --index 6\$") &&
    blocked=$(awk '/^SigBlk:/ {print $2}' "/proc/$pid/status" 2>/dev/null) &&
    [ -n "$blocked" ] && (( 0x$blocked & 0x4000 )); then
    kill -TERM $pid && terminated=yes
    pkill -P "$hold6" sleep  # it goes on, sees the signal after one batch, and exits 75
  fi
  # A failed task is retried: scontrol requeue (the SIGKILLed shard).
  for job in $jobs; do
    scontrol -o show job "$job" 2>/dev/null | grep -o 'JobId=[0-9]* ArrayJobId=[0-9]* ArrayTaskId=[0-9]* .*JobState=FAILED' |
      awk '{split($2,a,"="); split($3,t,"="); print a[2] "_" t[2]}' |
      while read -r task; do scontrol requeue "$task" 2>/dev/null; done
  done
  sleep 0.01
done
[ "$killed" = yes ] || fail "shard 3 was never seen running (nothing was killed)"
[ "$terminated" = yes ] || fail "shard 6 was never seen running (no SIGTERM)"

summary=$(for job in $jobs $merge_job; do scontrol -o show job "$job"; done |
  awk '{for(i=1;i<=NF;i++){split($i,kv,"=");f[kv[1]]=kv[2]} print f["JobId"], f["ArrayTaskId"], f["JobState"], f["ExitCode"], "restarts=" f["Restarts"]}')
echo "$summary"
echo "$summary" | grep -v ' COMPLETED 0:0 ' && fail "a job did not complete"
[ "$(echo "$summary" | grep -c ' COMPLETED 0:0 ')" -eq 13 ] || fail "not 12 shards and the merge"
echo "$summary" | grep -q 'restarts=[1-9]' || fail "no task was retried"
"$rlx" status --plan "$plan" | grep -q '^12 shards: 12 done' || fail "rlx status: not all done"
grep -l 'stopped (signal)' "$plan"/slurm/logs/* >/dev/null || fail "no shard exited 75 on SIGTERM"

# The merged output equals a single-machine run with the same options.
"$rlx" reconstruct --input "${inputs[@]}" --checkpoint-seconds 120 --progress never \
  --out "$ROOT/single" >"$ROOT/log/single.log" 2>&1 || fail "the single-machine run"
compared=0
while read -r file; do
  cmp -s "$ROOT/single/$file" "$plan/out/$file" || fail "$file differs from the single-machine run"
  compared=$((compared + 1))
done < <(cd "$ROOT/single" && find . -name '*.parquet' -o -name manifest.json | sort)
[ "$compared" -gt 2 ] || fail "nothing compared"
[ "$(cd "$plan/out" && find . -name '*.parquet' | wc -l)" -eq $((compared - 1)) ] ||
  fail "the merged output has other parts than the single-machine run"
[ -f "$plan/out/report.json" ] || fail "no report.json after the merge"

# Independent Lake days: the same captures as Lake, 2 days x 2 symbols, every task submitted
# without a dependency; the merge equals one single-day run per day.
"$rlx" convert --progress never --out "$ROOT/lake" --input "${inputs[@]}" \
  >"$ROOT/log/convert.log" 2>&1 || fail "rlx convert"
days=$ROOT/days
"$rlx" plan --source lake --input "$ROOT/lake" --from 2024-08-08 --to 2024-08-09 --out "$days" \
  --slurm >"$ROOT/log/days.log" 2>&1 || fail "rlx plan --slurm (independent days)"
grep -q '4 shards (2 windows x 2 symbols, independent days)' "$ROOT/log/days.log" ||
  fail "not 4 shards of independent days"
days_merge=$(awk '$1 == "merge" {print $2}' "$ROOT/log/days.log")
days_jobs=$(awk '$1 == "window" {print $3}' "$ROOT/log/days.log" | tr '\n' ' ')
for job in $days_jobs; do
  scontrol -o show job "$job" | grep -q 'Dependency=(null)' ||
    fail "window job $job of independent days waits for another"
done
deadline=$(($(date +%s) + 120))
while squeue -h -j "$days_merge" -o %i 2>/dev/null | grep -q .; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "the independent days did not finish in 120 s"
  sleep 0.2
done
days_summary=$(for job in $days_jobs $days_merge; do scontrol -o show job "$job"; done |
  awk '{for(i=1;i<=NF;i++){split($i,kv,"=");f[kv[1]]=kv[2]} print f["JobId"], f["JobState"], f["ExitCode"]}')
echo "$days_summary"
[ "$(echo "$days_summary" | grep -c ' COMPLETED 0:0')" -eq 5 ] ||
  fail "not 4 day shards and the merge completed"
day_parts=0
for day in 2024-08-08 2024-08-09; do
  "$rlx" reconstruct --source lake --input "$ROOT/lake" --date-from "$day" --date-to "$day" \
    --progress never --out "$ROOT/day-$day" >"$ROOT/log/day.log" 2>&1 || fail "the $day run"
  while read -r file; do
    cmp -s "$ROOT/day-$day/$file" "$days/out/$file" || fail "$file differs from the $day run"
    day_parts=$((day_parts + 1))
  done < <(cd "$ROOT/day-$day" && find . -name '*.parquet' | sort)
done
[ "$(cd "$days/out" && find . -name '*.parquet' | wc -l)" -eq "$day_parts" ] ||
  fail "the merged days have other parts than the single-day runs"

echo "PASS: 12 shards on Slurm (one SIGKILLed, one SIGTERMed, both retried) merged into the single-machine output ($compared files); 4 independent Lake days at once merged into the single-day runs ($day_parts parts)"
