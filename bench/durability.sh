#!/usr/bin/env bash
# Durability figures for docs/PERFORMANCE.md (issue: crash-safe reconstruction):
#   1. throughput with checkpoints + journal on vs. off (--no-durability), alternating runs,
#      medians: the cost of crash safety;
#   2. recovery time: a run killed (SIGKILL) late (at 90% of the median run time), then
#      `--resume` timed (it must finish the run: rows equal).
# The input is a Lake root (default: a 2-hour busy synthetic market, generated once).
#   bench/durability.sh [LAKE_ROOT] [RUNS=3]     RUNS=0: the recovery alone (one timed run first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
work=${RLX_BENCH_DIR:-/tmp/rlx-bench}
mkdir -p "$work"
lake=${1:-$work/busy2h/lake}
runs=${2:-3}
if [ ! -d "$lake" ]; then
  echo "generating $lake (rlx demo --busy-day --minutes 120)"
  "$rlx" demo --busy-day --minutes 120 --out "$work/busy2h" --progress never >/dev/null
fi
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

: >"$work/on"; : >"$work/off"
if [ "$runs" = 0 ]; then
  rm -rf "$work/out"; timed "$rlx" reconstruct --source lake --input "$lake" --out "$work/out" --progress never >>"$work/on"
fi
for _ in $(seq "$runs"); do
  rm -rf "$work/out"; timed "$rlx" reconstruct --source lake --input "$lake" --out "$work/out" --progress never >>"$work/on"
  rm -rf "$work/out"; timed "$rlx" reconstruct --source lake --input "$lake" --out "$work/out" --progress never --no-durability >>"$work/off"
done
rows=$(grep -m1 '"rows":' "$work/out/report.json" | tr -dc '0-9')
on=$(median <"$work/on")
echo "rows: $rows"
if [ "$runs" != 0 ]; then
off=$(median <"$work/off")
echo "durability on : median ${on} s  ($(echo "$rows / $on" | bc) rows/s)"
echo "durability off: median ${off} s  ($(echo "$rows / $off" | bc) rows/s)"
echo "cost of crash safety: $(echo "scale=2; ($on / $off - 1) * 100" | bc) %"
fi

# Recovery: kill once 90 % of the parts are committed (the finished run above counts them), so
# a faster or slower machine still kills late in the run; then time the resume.
parts=$(grep -c '"path":' "$work/out/manifest.json")
kill_parts=$(( parts * 9 / 10 ))
rm -rf "$work/out"
"$rlx" reconstruct --source lake --input "$lake" --out "$work/out" --progress never >/dev/null 2>&1 &
pid=$!
t_start=$(date +%s.%N)
committed() { cat "$work/out/manifest.json" 2>/dev/null | grep -c '"path":' || true; }
until [ "$(committed)" -ge "$kill_parts" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "the run ended before $kill_parts of $parts parts" >&2; exit 1; }
  sleep 0.2
done
kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
kill_at=$(echo "$(date +%s.%N) - $t_start" | bc)
t0=$(date +%s.%N)
"$rlx" reconstruct --resume "$work/out" --progress never --log-level info >/dev/null 2>"$work/resume.log"
resume=$(echo "$(date +%s.%N) - $t0" | bc)
[ -f "$work/out/.rlx/done" ] || { echo "resume did not finish the run" >&2; exit 1; }
caught_up=$(grep -o 'event=resume.caught_up.*seconds=[0-9.]*' "$work/resume.log" | sed 's/.*seconds=//')
echo "killed at ${kill_at} s of ${on} s; the resume was back where the killed run had been after ${caught_up:-?} s (restore, reposition, replay), and finished the run in ${resume} s"
