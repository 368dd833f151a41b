#!/usr/bin/env python3
"""rlx::stats against scipy 1.10.1 on the same 10^6 values a side, on this machine.

Writes two normal samples (numpy default_rng, seeds 1 and 2, the second shifted by 0.01 sd) as
raw doubles, times scipy on them (median of REPS), runs rlx_two_sample_benchmark on the same
files (RLX_STATS_SAMPLES; median of REPS), and prints both and the ratio. bench/stats_vs_scipy.sh
sets up scipy (Debian's python3-scipy, unpacked: it conflicts with the Boost rlx builds with).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import stats

N = int(os.environ.get("RLX_BENCH_N", "1000000"))
REPS = int(os.environ.get("RLX_BENCH_REPS", "5"))
BENCH = sys.argv[1]


def median_seconds(fn):
    times = []
    for _ in range(REPS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


with tempfile.TemporaryDirectory() as d:
    x = np.random.default_rng(1).normal(0.0, 1.0, N)
    y = np.random.default_rng(2).normal(0.01, 1.0, N)
    x.astype("<f8").tofile(os.path.join(d, "x.f64"))
    y.astype("<f8").tofile(os.path.join(d, "y.f64"))
    scipy_s = {
        "KsTwoSample": median_seconds(lambda: stats.ks_2samp(x, y)),
        "CramerVonMises": median_seconds(lambda: stats.cramervonmises_2samp(x, y)),
        "AndersonDarling": median_seconds(lambda: stats.anderson_ksamp([x, y], midrank=True)),
        "EnergyDistance": median_seconds(lambda: stats.energy_distance(x, y)),
        "WassersteinDistance": median_seconds(lambda: stats.wasserstein_distance(x, y)),
    }
    out = subprocess.run(
        [BENCH, f"--benchmark_repetitions={REPS}", "--benchmark_report_aggregates_only=true",
         "--benchmark_format=json", "--benchmark_filter=-BM_KsTwoSampleExactLargest"],
        env=dict(os.environ, RLX_STATS_SAMPLES=d), check=True, capture_output=True, text=True)
    rlx_s = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            name = b["run_name"].removeprefix("BM_")
            rlx_s[name] = b["real_time"] / 1e3  # ms -> s

print(f"{N:,} values a side, median of {REPS}")
print(f"{'statistic':<26}{'rlx s':>10}{'scipy s':>10}{'scipy/rlx':>11}")
for name, s in rlx_s.items():
    ref = scipy_s.get(name)
    ratio = f"{ref / s:10.1f}x" if ref else "   (none)"
    ref_text = f"{ref:10.3f}" if ref else "         -"
    print(f"{name:<26}{s:10.3f}{ref_text}{ratio}")
