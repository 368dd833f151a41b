#!/usr/bin/env bash
# A month of a busy symbol as day shards under Slurm on this machine (docs/PERFORMANCE.md, "A
# month under Slurm"). Generates DAYS days of the busy synthetic market (`rlx demo --busy-day
# --lake-only`: MINUTES a day from midnight, a seed per day), stands up single-node Slurm
# (src/rlx/shard/local_slurm.sh), plans the days as independent shards (`rlx plan --slurm`,
# CPUS per shard, at most RUNNING at once), waits for the merge job, and prints each shard's wall
# time and peak memory (`rlx status`), the plan's wall time, the merge's (again by hand, with and
# without --checksums), and the projection for a year of 300 such symbols on N nodes like this
# one. Needs root (the Slurm daemons run as root).
#
#   DAYS=30 MINUTES=360 CPUS=1 RUNNING=2 bench/month.sh [DIR=/tmp/rlx-bench/month]
#
# The generated lake/ is kept in DIR and reused by a later run with the same DAYS and MINUTES.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
days=${DAYS:-30}
minutes=${MINUTES:-360}
cpus=${CPUS:-1}
running=${RUNNING:-2}
first=${START:-2024-09-01}
dir=${1:-/tmp/rlx-bench/month}
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run as root: the single-node Slurm daemons run as root" >&2; exit 2; }
# shellcheck source=src/rlx/shard/local_slurm.sh
source "$root/src/rlx/shard/local_slurm.sh"
for tool in $local_slurm_tools; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: scripts/bootstrap" >&2; exit 2; }
done

lake=$dir/lake-${days}x${minutes}
mkdir -p "$dir"
if [ ! -f "$lake/.complete" ]; then
  rm -rf "$lake" "$dir/gen"
  echo "generating $days days of $minutes busy minutes into $lake"
  gen_start=$(date +%s.%N)
  # shellcheck disable=SC2016 # $0..$3 are the inner shell's arguments
  for ((d = 0; d < days; d++)); do date -u -d "$first + $d days" +%F; done |
    xargs -P 2 -I{} sh -c '"$0" demo --busy-day --lake-only --start "$1" --minutes "$2" \
      --seed "$(date -u -d "$1" +%Y%m%d)" --out "$3/$1" --progress never >/dev/null' \
      "$rlx" {} "$minutes" "$dir/gen"
  # One Lake root: each day's dt= partitions moved into it.
  for g in "$dir"/gen/*/lake; do
    while read -r part; do
      mkdir -p "$lake/$(dirname "$part")"
      mv "$g/$part" "$lake/$part"
    done < <(cd "$g" && find . -type d -name 'dt=*')
  done
  rm -rf "$dir/gen"
  touch "$lake/.complete"
  echo "generated in $(echo "$(date +%s.%N) - $gen_start" | bc) s: $(du -sh "$lake" | cut -f1)"
fi

work=$(mktemp -d "$dir/run.XXXXXX")
chmod 755 "$work"  # munged's socket folder and all its parents must be o+x
cleanup() {
  pkill -KILL -f "run-shard --plan $work/" 2>/dev/null || true
  local_slurm_down
}
trap cleanup EXIT
status=0
local_slurm_up "$work/slurm" || status=$?
[ "$status" -eq 0 ] || { echo "single-node Slurm did not start ($status)" >&2; exit 1; }

last=$(date -u -d "$first + $((days - 1)) days" +%F)
plan_start=$(date +%s.%N)
"$rlx" plan --source lake --input "$lake" --from "$first" --to "$last" --days independent \
  --slurm --cpus-per-task "$cpus" --max-running "$running" --out "$work/plan" >"$work/plan.log"
merge_job=$(awk '$1 == "merge" {print $2}' "$work/plan.log")
head -1 "$work/plan.log"
while squeue -h -j "$merge_job" -o %i 2>/dev/null | grep -q .; do sleep 1; done
plan_seconds=$(echo "$(date +%s.%N) - $plan_start" | bc)
scontrol -o show job "$merge_job" | grep -q 'JobState=COMPLETED' || {
  echo "the merge job did not complete:" >&2
  scontrol -o show job "$merge_job" >&2
  tail -n 20 "$work"/plan/slurm/logs/* >&2
  exit 1
}
"$rlx" status --plan "$work/plan" | tee "$work/status.txt"
merge_seconds=$(scontrol -o show job "$merge_job" | awk '{for(i=1;i<=NF;i++){split($i,kv,"=");f[kv[1]]=kv[2]}
  print f["RunTime"]}')
rows=$(awk '$2 == "done" {r += $3} END {print r}' "$work/status.txt")
echo "plan: $days shards of $minutes minutes, $cpus CPU(s) each, $running at once: $rows rows in" \
  "$plan_seconds s from submission to the merge's end (merge job $merge_seconds);" \
  "$(echo "scale=2; $rows / $plan_seconds / 1000000" | bc) M rows/s on this node"
# A year of 300 symbols: 109,500 day shards. A whole day costs 1440/MINUTES of these shards
# (rows grow with the minutes; docs/PERFORMANCE.md checks it with MINUTES=1440).
node_seconds_per_day=$(echo "scale=3; $plan_seconds / $days * 1440 / $minutes" | bc)
for nodes in 1 10 50 100; do
  echo "projection: a year of 300 such symbols on $nodes node(s) like this one:" \
    "$(echo "scale=1; 109500 * $node_seconds_per_day / $nodes / 3600" | bc) h"
done
# The merge again by hand: as the merge job ran it (each part checked at its size), then hashing
# every part (--checksums), from a cold page cache where root may drop it.
merge_timed() {
  local start
  start=$(date +%s.%N)
  "$rlx" merge --plan "$work/plan" "$@" >/dev/null
  echo "$(date +%s.%N) - $start" | bc
}
out_bytes=$(du -sb "$work/plan/out" | cut -f1)
echo "merge by hand: $(merge_timed) s checking sizes;" \
  "$(sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null && echo "cold cache, ")$(merge_timed --checksums) s" \
  "hashing the $(echo "scale=1; $out_bytes / 1000000000" | bc) GB of output"
rm -rf "$work/plan/days" "$work/plan/out"
echo "kept: $work/status.txt, $work/plan (the plan and its markers; its output is deleted), $work/slurm/log"
