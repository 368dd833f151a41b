#!/usr/bin/env bash
# rlx::stats against scipy 1.10.1 on the same 10^6 values a side (docs/PERFORMANCE.md).
# Debian's python3-scipy conflicts with libboost1.81-dev (through pythran), so it is unpacked
# into /tmp, not installed; its runtime dependencies are installed.
#   bench/stats_vs_scipy.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/build/src/rlx/stats/rlx_two_sample_benchmark"
[ -x "$bench" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
scipy=/tmp/rlx-scipy-deb
if [ ! -d "$scipy/usr/lib/python3/dist-packages/scipy" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -q --no-install-recommends python3-numpy python3-decorator \
    liblbfgsb0 libgfortran5 liblapack3 libblas3 >/dev/null
  (cd /tmp && apt-get download python3-scipy >/dev/null && dpkg -x python3-scipy_*.deb "$scipy")
fi
PYTHONPATH="$scipy/usr/lib/python3/dist-packages" /usr/bin/python3 "$root/bench/stats_vs_scipy.py" "$bench"
