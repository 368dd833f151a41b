#!/usr/bin/env bash
# The write path against its limit (docs/PERFORMANCE.md, "The write path"): the whole
# reconstruction of 2 busy synthetic hours, as a new user runs it (`rlx reconstruct` with its
# defaults: a supervised worker, crash safety on), against DuckDB re-encoding rlx's own output
# (the same rows and columns, zstd Parquet, 2 threads), which is what the output format costs on
# this machine. Then each output option. Runs alternate, so a busy machine hits all alike;
# medians are printed, with the ratio to the copy in the same run.
#
#   bench/write_path.sh [RUNS=3] [DIR=/tmp/rlx-bench/busy2h]
#
# DIR/lake is generated first if missing (`rlx demo --busy-day --minutes 120`, about 30 s).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
runs=${1:-3}
dir=${2:-/tmp/rlx-bench/busy2h}
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
if [ ! -d "$dir/lake" ]; then
  echo "generating $dir (rlx demo --busy-day --minutes 120)" >&2
  "$rlx" demo --busy-day --minutes 120 --out "$dir" --progress never >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name|rlx reconstruct options ("copy" is the DuckDB re-encoding of the default's output)
cases=(
  "default|"
  "copy|"
  "top-n 0|--top-n 0"
  "top-n 1|--top-n 1"
  "no-durability in-process|--no-durability --in-process"
)

run_case() {  # name opts -> "seconds rows peak_kb"
  local name=$1 opts=$2 out="$tmp/out"
  if [ "$name" = copy ]; then
    [ -d "$tmp/default" ] || { echo "the copy needs the default's output" >&2; exit 1; }
    rm -f "$tmp/copy.parquet"
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$rlx" sql "SET threads = 2; COPY (SELECT * FROM \
read_parquet('$tmp/default/**/*.parquet', hive_partitioning = false)) TO '$tmp/copy.parquet' \
(FORMAT parquet, COMPRESSION zstd)" >"$tmp/sql.out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    local rows
    rows=$("$rlx" sql "SELECT count(*) FROM '$tmp/copy.parquet'" | grep -Eo '^[0-9]+' | tail -1)
    read -r s kb <"$tmp/time"
    echo "$s $rows $kb"
    return
  fi
  rm -rf "$out"
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$rlx" reconstruct --source lake --input "$dir/lake" \
    --out "$out" --progress never $opts >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  read -r s kb <"$tmp/time"
  local rows
  rows=$(grep -m1 '"rows":' "$out/report.json" | tr -dc '0-9')
  if [ "$name" = default ]; then rm -rf "$tmp/default"; mv "$out" "$tmp/default"; fi
  echo "$s $rows $kb"
}

for i in $(seq "$runs"); do
  for c in "${cases[@]}"; do
    name=${c%%|*}
    read -r s rows kb < <(run_case "$name" "${c#*|}")
    echo "$name|$s|$rows|$kb" >>"$tmp/results"
    echo "run $i: $name: $s s, $rows rows, peak $((kb / 1024)) MB" >&2
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
copy_s=$(awk -F'|' '$1 == "copy" {print $2}' "$tmp/results" | median)
printf "%-28s %10s %10s %12s %16s %10s\n" case rows median_s rows_per_s "copy_s/case_s" peak_MB
for c in "${cases[@]}"; do
  name=${c%%|*}
  s=$(awk -F'|' -v n="$name" '$1 == n {print $2}' "$tmp/results" | median)
  rows=$(awk -F'|' -v n="$name" '$1 == n {print $3}' "$tmp/results" | tail -1)
  kb=$(awk -F'|' -v n="$name" '$1 == n {print $4}' "$tmp/results" | sort -n | tail -1)
  printf "%-28s %10s %10s %12.0f %16.2f %10d\n" "$name" "$rows" "$s" \
    "$(awk -v r="$rows" -v s="$s" 'BEGIN{print r/s}')" \
    "$(awk -v c="$copy_s" -v s="$s" 'BEGIN{print c/s}')" "$((kb / 1024))"
done
