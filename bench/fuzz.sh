#!/usr/bin/env bash
# The long fuzz run: every libFuzzer target (*_fuzz.cc) for SECONDS each, seeded from the real
# captures, with the suite's limits (5 s per input, 2 GB RSS, leak detection). The suite runs the
# same for 20 s each (scripts/test); this is the one to run before a release or after a change to
# a parser. Exits non-zero on any crash, leak or hang.
#   bench/fuzz.sh [SECONDS=600]
set -euo pipefail
exec "$(dirname "$0")/../scripts/fuzz" "${1:-600}"
