#!/usr/bin/env bash
# Worker scaling for docs/PERFORMANCE.md: two symbols of a busy synthetic market (Lake layout,
# generated once by `rlx demo --busy-day`), reconstructed by the supervisor with 1 worker (the
# symbols one after the other) and with 2 workers (both at once), alternating, RUNS times each.
# Prints the median wall time of each, the throughput ratio, and each worker's peak RSS (from
# report.json's max_rss_bytes). The router's cost per message: rlx_channel_benchmark.
#
#   bench/workers.sh [RUNS=5] [MINUTES=20]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
runs=${1:-5}
minutes=${2:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

for s in 1 2; do
  "$rlx" demo --busy-day --minutes "$minutes" --seed "$s" --symbol "SYM${s}USDT" \
    --out "$tmp/gen$s" --progress never >/dev/null
done
inputs=("$tmp/gen1/lake" "$tmp/gen2/lake")
: >"$tmp/w1"; : >"$tmp/w2"; : >"$tmp/rss"
for _ in $(seq "$runs"); do
  for w in 1 2; do
    rm -rf "$tmp/out"
    start=$(date +%s.%N)
    "$rlx" reconstruct --source lake --input "${inputs[@]}" --out "$tmp/out" --workers "$w" \
      --progress never >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN{print b - a}' >>"$tmp/w$w"
    grep -o '"max_rss_bytes": [0-9]*' "$tmp/out/report.json" | tr -dc '0-9\n' >>"$tmp/rss"
  done
done
rows=$(grep -m1 '"rows":' "$tmp/out/report.json" | tr -dc '0-9')
m1=$(median <"$tmp/w1")
m2=$(median <"$tmp/w2")
echo "2 symbols, $rows rows in all, $runs runs each (median wall seconds)"
printf "1 worker : %6.2f s  %9.0f rows/s\n" "$m1" "$(awk -v r="$rows" -v s="$m1" 'BEGIN{print r/s}')"
printf "2 workers: %6.2f s  %9.0f rows/s\n" "$m2" "$(awk -v r="$rows" -v s="$m2" 'BEGIN{print r/s}')"
printf "throughput ratio 2/1 workers: %.2f\n" "$(awk -v a="$m1" -v b="$m2" 'BEGIN{print a/b}')"
echo "per-run ratios: $(paste "$tmp/w1" "$tmp/w2" | awk '{printf "%.2f ", $1/$2}')"
echo "worker peak RSS: max $(( $(sort -n "$tmp/rss" | tail -1) / 1048576 )) MB, median $(( $(median <"$tmp/rss") / 1048576 )) MB"
