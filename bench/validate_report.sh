#!/usr/bin/env bash
# The standard `rlx validate` report on a busy synthetic market (docs/PERFORMANCE.md): the output
# of `rlx demo --busy-day [--minutes M]` judged against a copy of itself (both sides rlx output,
# paired: every metric is computed, as for a real pair). Prints the wall and CPU time of each run,
# the loading and judging phases (from the structured log), what each side was read from (the
# parts' thin copies, which `rlx demo` writes, or the parts) and the peak RSS. Arguments after
# RUNS go to `rlx validate` (`--read-parts`: the baseline that decodes the parts).
#   bench/validate_report.sh [MINUTES=1440] [RUNS=1] [VALIDATE ARGS...]
# The generated market is kept in $RLX_BENCH_DIR (default /tmp/rlx-bench) for later runs: a day
# takes about 5 minutes to generate and 12 to reconstruct, and 3 GB of disk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
minutes=${1:-1440}
runs=${2:-1}
shift $(($# < 2 ? $# : 2))
work=${RLX_BENCH_DIR:-/tmp/rlx-bench}/validate_${minutes}m
if [ ! -f "$work/events/manifest.json" ]; then
  echo "generating $work (rlx demo --busy-day --minutes $minutes)"
  "$rlx" demo --busy-day --minutes "$minutes" --out "$work" --progress never >/dev/null
fi
[ -f "$work/copy/manifest.json" ] || cp -r "$work/events" "$work/copy"
rows=$(grep -m1 '"rows":' "$work/events/report.json" | tr -dc '0-9')
echo "rows a side: $rows"
secs() { date -d "$1" +%s; }
for i in $(seq "$runs"); do
  rm -rf "$work/report"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$rlx" validate --golden "$work/events" \
    --candidate "$work/copy" --out "$work/report" --no-pdf --log-level info "$@" \
    >/dev/null 2>"$work/log"
  read -r wall user sys rss <"$work/time"
  t0=$(sed -n 's/^ts=\([^ ]*\) .*event=validate.load$/\1/p' "$work/log")
  t1=$(sed -n 's/^ts=\([^ ]*\) .*event=validate.loaded .*/\1/p' "$work/log")
  from=$(sed -n 's/.*event=validate.loaded .*golden_read_from=\("[^"]*"\|[^ ]*\).*/\1/p' "$work/log")
  echo "run $i: wall $wall s, CPU $(echo "$user + $sys" | bc) s, both sides loaded in" \
    "$(($(secs "$t1") - $(secs "$t0"))) s (from $from), peak RSS $((rss / 1024)) MB"
done
