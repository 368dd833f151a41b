#!/usr/bin/env bash
# The cost of `rlx reconstruct --validate` against the same run without it, alternated in one
# session on the same input (docs/PERFORMANCE.md): tier 1 alone (--no-thin-copies) and with the
# thin copies (the default). The median of 5 CPU times (user + system, all threads; steadier than
# wall time on a shared machine) and of 5 wall times each, and the CPU ratios. Input:
# `rlx demo --busy-day --minutes M` (default 10).
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
pw=() pc=() tw=() tc=() vw=() vc=()
for i in 1 2 3 4 5; do
  read -r w c < <(run)
  pw+=("$w") pc+=("$c")
  read -r w c < <(run --validate --no-thin-copies)
  tw+=("$w") tc+=("$c")
  read -r w c < <(run --validate)
  vw+=("$w") vc+=("$c")
done
rows=$(sed -n 's/^  "rows": \([0-9]*\),/\1/p' "$work/out/report.json" | head -1)
median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
echo "rows: $rows"
echo "CPU s without --validate:      ${pc[*]} (median $(median "${pc[@]}"))"
echo "CPU s tier 1 (--no-thin-copies): ${tc[*]} (median $(median "${tc[@]}"))"
echo "CPU s with --validate:         ${vc[*]} (median $(median "${vc[@]}"))"
echo "wall s without:                ${pw[*]} (median $(median "${pw[@]}"))"
echo "wall s tier 1:                 ${tw[*]} (median $(median "${tw[@]}"))"
echo "wall s with --validate:        ${vw[*]} (median $(median "${vw[@]}"))"
overhead() {
  awk -v p="$(median "${pc[@]}")" -v v="$(median "$@")" 'BEGIN{printf "%+.1f %%", (v/p-1)*100}'
}
echo "CPU overhead: tier 1 $(overhead "${tc[@]}"), --validate with thin copies $(overhead "${vc[@]}")"
