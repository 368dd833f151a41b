#!/usr/bin/env bash
# The cost of `rlx reconstruct --validate` (tier-1 statistics kept inline) against the same run
# without it, alternated in one session on the same input (docs/PERFORMANCE.md): the median of 5
# CPU times (user + system, all threads; steadier than wall time on a shared machine) and of 5
# wall times each, and their ratios. Input: `rlx demo --busy-day --minutes M` (default 10).
#   bench/validate.sh [MINUTES]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rlx="$root/build/rlx"
[ -x "$rlx" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
minutes=${1:-10}
work=$(mktemp -d /tmp/rlx-bench-validate.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$rlx" demo --busy-day --minutes "$minutes" --out "$work/demo" --progress never >/dev/null
lake="$work/demo/lake"
run() {  # prints "wall cpu" seconds of one in-process run
  rm -rf "$work/out"
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$rlx" reconstruct --source lake --input "$lake" \
    --out "$work/out" --in-process --no-durability --progress never "$@" >/dev/null
  awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$work/time"
}
pw=() pc=() vw=() vc=()
for i in 1 2 3 4 5; do
  read -r w c < <(run)
  pw+=("$w") pc+=("$c")
  read -r w c < <(run --validate)
  vw+=("$w") vc+=("$c")
done
rows=$(sed -n 's/^  "rows": \([0-9]*\),/\1/p' "$work/out/report.json" | head -1)
median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
echo "rows: $rows"
echo "CPU s without --validate: ${pc[*]} (median $(median "${pc[@]}"))"
echo "CPU s with --validate:    ${vc[*]} (median $(median "${vc[@]}"))"
echo "wall s without:           ${pw[*]} (median $(median "${pw[@]}"))"
echo "wall s with:              ${vw[*]} (median $(median "${vw[@]}"))"
awk -v p="$(median "${pc[@]}")" -v v="$(median "${vc[@]}")" -v pw="$(median "${pw[@]}")" \
  -v vw="$(median "${vw[@]}")" \
  'BEGIN{printf "overhead: CPU %+.1f %%, wall %+.1f %%\n", (v/p-1)*100, (vw/pw-1)*100}'
