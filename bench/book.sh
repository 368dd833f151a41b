#!/usr/bin/env bash
# Book engine alone vs. the baseline, in one run (docs/PERFORMANCE.md): rlx's OrderBook::set on
# the level updates of the real USD-M captures (Google Benchmark, median of 5), then tardis-dev's
# OrderBook (Node, pinned in bench/baseline/package-lock.json) on the same updates, and the ratio.
#   bench/book.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data="${RLX_DATA_DIR:-$root/../shared/data}/binance/hftbacktest"
bench="$root/build/src/rlx/book/rlx_order_book_benchmark"
[ -x "$bench" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }

deps="$root/.deps/bench"
if ! cmp -s "$root/bench/baseline/package-lock.json" "$deps/package-lock.json"; then
  rm -rf "$deps" && mkdir -p "$deps"
  cp "$root/bench/baseline/package.json" "$root/bench/baseline/package-lock.json" "$deps/"
  (cd "$deps" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi

rlx_out=$("$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_filter=OrderBookSet 2>/dev/null)
printf "%-24s %16s %16s %8s\n" capture "rlx updates/s" "tardis-dev /s" ratio
for f in usdm_btcusdt_20240808 usdm_ethusdt_20240808; do
  rlx_rate=$(echo "$rlx_out" | awk -v f="$f" '$1 ~ f"_median" {for (i=1;i<=NF;i++) if ($i ~ /^items_per_second=/) {sub("items_per_second=","",$i); print $i}}')
  # Google Benchmark prints e.g. 23.3839M/s
  rlx_num=$(echo "$rlx_rate" | awk '{v=$1; sub("/s","",v); m=1; if (v ~ /M$/) {m=1e6; sub("M","",v)} else if (v ~ /k$/) {m=1e3; sub("k","",v)} printf "%.0f", v*m}')
  node_num=$(NODE_PATH="$deps/node_modules" node "$root/bench/baseline/tardis_orderbook.js" "$data/$f.gz" 5 |
    sed 's/.*"median_updates_per_s":\([0-9]*\).*/\1/')
  printf "%-24s %16s %16s %7.1fx\n" "$f" "$rlx_num" "$node_num" "$(awk -v a="$rlx_num" -v b="$node_num" 'BEGIN{print a/b}')"
done

# Whole process, start to exit, on the same capture, in the same run (median of 5, alternating):
# `rlx reconstruct` as a user runs it (read, book, enrichment, zstd Parquet, manifest, report,
# crash safety, a worker process), the same in one process without crash safety, and Node running
# tardis-dev's OrderBook once over the file (read, gunzip, JSON, book; it writes nothing).
rlx="$root/build/rlx"
f="$data/usdm_btcusdt_20240808.gz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wall() { /usr/bin/time -f "%e" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; cat "$tmp/t"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: >"$tmp/rlx"; : >"$tmp/fast"; : >"$tmp/node"
for _ in 1 2 3 4 5; do
  rm -rf "$tmp/out"; wall "$rlx" reconstruct --input "$f" --out "$tmp/out" --progress never >>"$tmp/rlx"
  rm -rf "$tmp/out"; wall "$rlx" reconstruct --input "$f" --out "$tmp/out" --progress never \
    --in-process --no-durability >>"$tmp/fast"
  NODE_PATH="$deps/node_modules" wall node "$root/bench/baseline/tardis_orderbook.js" "$f" 1 >>"$tmp/node"
done
echo
printf "%-58s %10s\n" "whole process on usdm_btcusdt_20240808 (median of 5)" seconds
printf "%-58s %10s\n" "rlx reconstruct (defaults)" "$(median <"$tmp/rlx")"
printf "%-58s %10s\n" "rlx reconstruct --in-process --no-durability" "$(median <"$tmp/fast")"
printf "%-58s %10s\n" "node + tardis-dev OrderBook (book only, no output)" "$(median <"$tmp/node")"
printf "%-58s %10s\n" "rlx --version (start-up alone)" "$(for _ in 1 2 3 4 5; do wall "$rlx" --version; done | median)"
