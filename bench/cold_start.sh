#!/usr/bin/env bash
# What a cold start at midnight loses (docs/SHARDS.md, "Independent days"): a busy market from
# 23:00 to 01:00 UTC in the Lake layout, reconstructed once across midnight (what a chained plan
# or one machine writes) and once for 2024-08-09 alone (what an independent day shard writes: its
# book starts from that day's first `book` snapshot, 20 levels a side). The day's rows are
# compared one by one at four depths; printed: how many rows differ and until when.
#
#   bench/cold_start.sh [DIR=/tmp/rlx-bench/midnight] [TOP_N=50]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
dir=${1:-/tmp/rlx-bench/midnight}
top_n=${2:-50}
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
if [ ! -d "$dir/lake" ]; then
  "$rlx" demo --busy-day --start 2024-08-08T23:00 --minutes 120 --out "$dir" --progress never >/dev/null
fi
for run in across day2; do
  rm -rf "$dir/$run"
  dates=()
  [ "$run" = day2 ] && dates=(--date-from 2024-08-09 --date-to 2024-08-09)
  "$rlx" reconstruct --source lake --input "$dir/lake" --out "$dir/$run" --top-n "$top_n" \
    --progress never "${dates[@]}" >/dev/null
done

# A row differs at depth D when any of its first D levels a side (price or size) differs.
differs() {
  local depth=$1 from=${2:-0} cond="" side i c
  for side in bid ask; do
    for ((i = from; i < depth; i++)); do
      for c in price size; do
        cond+="${cond:+ OR }a.${side}_${i}_${c} IS DISTINCT FROM b.${side}_${i}_${c}"
      done
    done
  done
  echo "($cond)"
}
best="(a.best_bid_price IS DISTINCT FROM b.best_bid_price OR a.best_bid_size IS DISTINCT FROM \
b.best_bid_size OR a.best_ask_price IS DISTINCT FROM b.best_ask_price OR a.best_ask_size IS \
DISTINCT FROM b.best_ask_size)"
midnight=1723161600000000000
rows() { echo "(SELECT row_number() OVER (ORDER BY event_seq) AS n, * FROM read_parquet('$1', \
hive_partitioning = true) WHERE date = DATE '2024-08-09')"; }
cases=("best bid/ask|$best" "top 5|$(differs 5)" "top 20 (the snapshot depth)|$(differs 20)")
[ "$top_n" -gt 20 ] && cases+=("levels 21-$top_n|$(differs "$top_n" 20)")
echo "2024-08-09, cold start against the run across midnight (top-$top_n columns):"
"$rlx" sql "SELECT count(*) AS rows_of_the_day, count(*) FILTER (a.event_seq IS NULL OR \
b.event_seq IS NULL) AS unpaired FROM $(rows "$dir/across/**/*.parquet") a FULL JOIN \
$(rows "$dir/day2/**/*.parquet") b USING (n)"
for c in "${cases[@]}"; do
  name=${c%%|*}
  cond=${c#*|}
  "$rlx" sql "SELECT '$name' AS depth, count(*) FILTER ($cond) AS rows_differing, \
round(100.0 * count(*) FILTER ($cond) / count(*), 3) AS percent, \
round((max(a.origin_time) FILTER ($cond) - $midnight) / 1e9, 3) AS last_difference_s_after_midnight \
FROM $(rows "$dir/across/**/*.parquet") a JOIN $(rows "$dir/day2/**/*.parquet") b USING (n)" |
    tail -n +3
done
