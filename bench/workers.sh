#!/usr/bin/env bash
# Worker scaling for docs/PERFORMANCE.md: two symbols of a busy synthetic market (Lake layout,
# generated once by `rlx demo --busy-day`), reconstructed by the supervisor with 1 worker (the
# symbols one after the other) and with 2 workers (both at once), alternating, RUNS times each.
# Prints the median wall time of each, the throughput ratio, and each worker's peak RSS (from
# report.json's max_rss_bytes), unpinned and with one core per worker. The router's cost per
# message: rlx_channel_benchmark.
#
#   bench/workers.sh [RUNS=5] [MINUTES=30]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
runs=${1:-5}
minutes=${2:-30}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

for s in 1 2; do
  "$rlx" demo --busy-day --minutes "$minutes" --seed "$s" --symbol "SYM${s}USDT" \
    --out "$tmp/gen$s" --progress never >/dev/null
done
inputs=("$tmp/gen1/lake" "$tmp/gen2/lake")
# Each configuration: label, then extra options. "pinned": one core per worker (the workers'
# threads share it), the setting for whole-market runs; "default": no pinning, so one worker
# alone already overlaps its reading and its Parquet encoding on both cores.
configs=("default|" "pinned|--cores-per-worker 1")
: >"$tmp/rss"
for c in "${configs[@]}"; do
  for w in 1 2; do : >"$tmp/${c%%|*}$w"; : >"$tmp/${c%%|*}cpu$w"; done
done
for _ in $(seq "$runs"); do
  for c in "${configs[@]}"; do
    label=${c%%|*}
    read -r -a extra <<<"${c#*|}"
    for w in 1 2; do
      rm -rf "$tmp/out"
      # Wall seconds and CPU use (%, workers included: the supervisor waits for them).
      /usr/bin/time -f "%e %P" -o "$tmp/time" "$rlx" reconstruct --source lake \
        --input "${inputs[@]}" --out "$tmp/out" --workers "$w" --progress never \
        "${extra[@]}" >/dev/null
      read -r secs cpu <"$tmp/time"
      echo "$secs" >>"$tmp/$label$w"
      echo "${cpu%\%}" >>"$tmp/${label}cpu$w"
      grep -o '"max_rss_bytes": [0-9]*' "$tmp/out/report.json" | tr -dc '0-9\n' >>"$tmp/rss"
    done
  done
done
rows=$(grep -m1 '"rows":' "$tmp/out/report.json" | tr -dc '0-9')
echo "2 symbols, $rows rows in all, $runs runs of each (median wall seconds)"
for c in "${configs[@]}"; do
  label=${c%%|*}
  m1=$(median <"$tmp/${label}1")
  m2=$(median <"$tmp/${label}2")
  printf "%-8s 1 worker: %6.2f s %9.0f rows/s | 2 workers: %6.2f s %9.0f rows/s | ratio %.2f (per run: %s)\n" \
    "$label" "$m1" "$(awk -v r="$rows" -v s="$m1" 'BEGIN{print r/s}')" \
    "$m2" "$(awk -v r="$rows" -v s="$m2" 'BEGIN{print r/s}')" \
    "$(awk -v a="$m1" -v b="$m2" 'BEGIN{print a/b}')" \
    "$(paste "$tmp/${label}1" "$tmp/${label}2" | awk '{printf "%.2f ", $1/$2}')"
  printf "%-8s CPU use (median): 1 worker %s %%, 2 workers %s %%\n" "$label" \
    "$(median <"$tmp/${label}cpu1")" "$(median <"$tmp/${label}cpu2")"
done
echo "worker peak RSS: max $(( $(sort -n "$tmp/rss" | tail -1) / 1048576 )) MB, median $(( $(median <"$tmp/rss") / 1048576 )) MB"
