#!/usr/bin/env bash
# End-to-end figures for docs/PERFORMANCE.md: `rlx reconstruct` (read, replay, book, enrich with
# best bid/ask and top-5, write zstd Parquet with DECIMAL(38,18)) on the real captures, N runs
# each, median wall time, output rows/s and peak RSS; optionally a busy synthetic day.
#
#   bench/e2e.sh [RUNS=5]            real captures
#   bench/e2e.sh --busy-day DIR      generate ~100M level updates into DIR, then reconstruct it
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
data="${RLX_DATA_DIR:-$root/../shared/data}"
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs a command under /usr/bin/time; prints "seconds max_rss_kb".
measure() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; cat "$tmp/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rows_of() { grep -m1 '"rows":' "$1/report.json" | tr -dc '0-9'; }

if [ "${1:-}" = "--busy-day" ]; then
  dir=${2:?usage: bench/e2e.sh --busy-day DIR}
  echo "generating and reconstructing a busy day into $dir (rlx demo --busy-day)"
  read -r gen_s gen_rss < <(measure "$rlx" demo --busy-day --out "$dir" --progress never)
  echo "demo (generate + write Lake + reconstruct): ${gen_s} s, peak RSS $((gen_rss / 1024)) MB"
  rm -rf "$dir/events2"
  read -r s rss < <(measure "$rlx" reconstruct --source lake --input "$dir/lake" --out "$dir/events2" --progress never)
  rows=$(rows_of "$dir/events2")
  echo "reconstruct alone: $rows rows in ${s} s = $(awk -v r="$rows" -v s="$s" 'BEGIN{printf "%.0f", r/s}') rows/s, peak RSS $((rss / 1024)) MB"
  du -sh "$dir/lake" "$dir/events2"
  exit 0
fi

runs=${1:-5}
printf "%-28s %10s %10s %12s %10s\n" capture rows median_s rows_per_s peak_MB
for f in usdm_btcusdt_20240808 usdm_ethusdt_20240808 cm_btcusd_perp_20240808 spot_btcusdt_20240808; do
  in="$data/binance/hftbacktest/$f.gz"
  [ -f "$in" ] || { echo "missing $in" >&2; exit 1; }
  : >"$tmp/secs"; : >"$tmp/rss"
  for _ in $(seq "$runs"); do
    rm -rf "$tmp/out"
    read -r s rss < <(measure "$rlx" reconstruct --input "$in" --out "$tmp/out" --progress never)
    echo "$s" >>"$tmp/secs"; echo "$rss" >>"$tmp/rss"
  done
  rows=$(rows_of "$tmp/out")
  med=$(median <"$tmp/secs")
  printf "%-28s %10s %10s %12.0f %10d\n" "$f" "$rows" "$med" "$(awk -v r="$rows" -v s="$med" 'BEGIN{print r/s}')" "$(( $(sort -n "$tmp/rss" | tail -1) / 1024 ))"
done
