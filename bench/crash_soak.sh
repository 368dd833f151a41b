#!/usr/bin/env bash
# The long crash soak (docs/DURABILITY.md): the test suite's random-kill harness with hundreds of
# SIGKILLs instead of 20 (each run killed up to 6 times, then left to finish; RLX_CRASH_KILLS sets
# the count). Every run must end byte-identical to an uninterrupted one.
#   bench/crash_soak.sh [KILLS=300]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
test_bin="$root/build/src/rlx/cli/rlx_cli_test"
[ -x "$test_bin" ] || { echo "build first: scripts/bootstrap" >&2; exit 2; }
RLX_CRASH_KILLS=${1:-300} "$test_bin" --gtest_filter='CrashRecovery.Sigkills*' | grep -E 'crash harness|OK|FAILED'
