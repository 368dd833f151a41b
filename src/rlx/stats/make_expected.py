#!/usr/bin/env python3
"""Writes testdata/expected.json: fixed samples and scipy 1.10.1's values on them.

rlx::stats (two_sample.h, distance.h, tail.h, mmd.h) must equal these values to 1e-9 relative;
two_sample_test.cc and its siblings read the file, so the C++ tests need neither Python nor scipy.
Commit the script and its output together.

Regenerate (Debian 12, whose python3-scipy is 1.10.1; numpy 1.24):
    apt-get install python3-scipy && python3 src/rlx/stats/make_expected.py
python3-scipy depends on python3-pythran -> libboost-dev (1.74), which conflicts with the
libboost1.81-dev rlx builds with. On such a machine unpack the package instead of installing it:
    apt-get install python3-numpy python3-decorator liblbfgsb0 libgfortran5 liblapack3 libblas3
    cd /tmp && apt-get download python3-scipy && dpkg -x python3-scipy_*.deb /tmp/scipy-deb
    PYTHONPATH=/tmp/scipy-deb/usr/lib/python3/dist-packages /usr/bin/python3 \
        src/rlx/stats/make_expected.py
The samples come from numpy.random.default_rng with fixed seeds, rounded to 10 significant digits
(the stored decimal strings are the data). Another numpy may draw other samples; the values stay
consistent with whatever samples the file holds, since both are written together.

The Hill estimator and the linear-time MMD have no scipy function: their reference is the direct
formula below (hill, mmd_linear), written independently of the C++ (O(N^2) median, no selection).
"""

import json
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats

SCIPY_VERSION = "1.10.1"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "expected.json")


def fixed(values):
    """The sample as it is stored: 10 significant digits, parsed back."""
    return [float(f"{v:.10g}") for v in np.asarray(values, dtype=float)]


def make_samples():
    def rng(seed):
        return np.random.default_rng(seed)

    s = {}
    # Small samples: the exact null distributions of KS (<= 10000) and CvM (<= 20).
    s["normal_40_a"] = rng(1).normal(0.0, 1.0, 40)
    s["normal_40_b"] = rng(2).normal(0.5, 1.0, 40)
    s["normal_37"] = rng(3).normal(0.0, 1.5, 37)
    s["tiny_7"] = rng(4).normal(0.0, 1.0, 7)
    s["tiny_9"] = rng(5).normal(0.8, 1.0, 9)
    s["ties_8"] = rng(6).integers(0, 5, 8).astype(float)
    s["ties_11"] = rng(7).integers(0, 6, 11).astype(float)
    s["cvm_20_a"] = rng(8).normal(0.0, 1.0, 20)
    s["cvm_20_b"] = rng(9).normal(0.6, 1.0, 20)
    s["cvm_13"] = rng(10).standard_t(3, 13)
    # D = 1/n with equal sizes: scipy's exact p leaves [0, 1] by rounding and falls back.
    s["interleave_5_x"] = np.array([0.0, 2.0, 4.0, 6.0, 8.0])
    s["interleave_5_y"] = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    s["interleave_7_x"] = np.arange(0.0, 14.0, 2.0)
    s["interleave_7_y"] = np.arange(1.0, 15.0, 2.0)
    # Ties on a coarse grid.
    s["ties_300"] = np.round(rng(11).normal(0.0, 1.0, 300) * 3) / 3
    s["ties_280"] = np.round(rng(12).normal(0.1, 1.0, 280) * 3) / 3
    s["ties_250"] = np.round(rng(13).normal(0.25, 1.0, 250) * 3) / 3
    # Heavy tails.
    s["student_t3_2000"] = rng(14).standard_t(3, 2000)
    s["student_t3_2200"] = rng(15).standard_t(3, 2200) * 1.1
    s["pareto_2500"] = rng(16).pareto(2.5, 2500) + 1.0  # Pareto I, x_m = 1, alpha = 2.5
    s["pareto_ties_1500"] = np.round(rng(17).pareto(1.5, 1500) + 1.0, 1)
    s["abs_t3_3000"] = np.abs(rng(18).standard_t(3, 3000))
    # k-sample Anderson–Darling.
    s["ad_a_80"] = rng(19).normal(0.0, 1.0, 80)
    s["ad_b_100"] = rng(20).normal(0.15, 1.0, 100)
    s["ad_c_120"] = rng(21).normal(0.3, 1.0, 120)
    s["ad_d_90"] = rng(22).normal(0.0, 1.2, 90)
    # Large samples: the asymptotic paths (KS > 10000, CvM > 20).
    s["normal_5000"] = rng(23).normal(0.0, 1.0, 5000)
    s["normal_7000"] = rng(24).normal(0.03, 1.0, 7000)
    s["normal_12000"] = rng(25).normal(0.0, 1.0, 12000)
    s["normal_15000"] = rng(26).normal(0.01, 1.0, 15000)
    s["normal_11000"] = rng(27).normal(0.06, 1.0, 11000)
    s["lopsided_10001"] = rng(28).normal(0.0, 1.0, 10001)
    s["lopsided_30"] = rng(29).normal(0.35, 1.0, 30)
    return {name: fixed(values) for name, values in s.items()}


def call(fn, *args, **kwargs):
    """fn's result and the messages of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, [str(w.message) for w in caught]


def ks_cases(samples):
    pairs = [
        ("normal_40_a", "normal_40_b"), ("normal_40_a", "normal_37"), ("tiny_7", "tiny_9"),
        ("ties_8", "ties_11"), ("interleave_5_x", "interleave_5_y"), ("cvm_20_a", "cvm_20_b"),
        ("interleave_7_x", "interleave_7_y"), ("interleave_7_y", "interleave_7_x"),
        ("ties_300", "ties_280"), ("student_t3_2000", "student_t3_2200"),
        ("student_t3_2000", "pareto_2500"), ("normal_5000", "normal_7000"),
        ("normal_12000", "normal_15000"), ("normal_12000", "normal_11000"),
        ("lopsided_10001", "lopsided_30"), ("lopsided_30", "lopsided_10001"),
        ("normal_40_a", "normal_40_a"), ("normal_12000", "normal_12000"),
    ]
    out = []
    for x, y in pairs:
        res, caught = call(stats.ks_2samp, samples[x], samples[y])
        fell_back = any("Exact calculation unsuccessful" in m for m in caught)
        exact = max(len(samples[x]), len(samples[y])) <= 10000 and not fell_back
        out.append({"x": x, "y": y, "statistic": float(res.statistic),
                    "pvalue": float(res.pvalue), "location": float(res.statistic_location),
                    "sign": int(res.statistic_sign), "method": "exact" if exact else "asymptotic"})
    return out


def cvm_cases(samples):
    pairs = [
        ("tiny_7", "tiny_9"), ("ties_8", "ties_11"), ("cvm_20_a", "cvm_20_b"),
        ("cvm_20_a", "cvm_13"), ("tiny_7", "tiny_7"), ("interleave_5_x", "interleave_5_y"),
        ("normal_40_a", "normal_40_b"), ("normal_40_a", "normal_37"), ("ties_300", "ties_280"),
        ("student_t3_2000", "student_t3_2200"), ("student_t3_2000", "pareto_2500"),
        ("normal_5000", "normal_7000"), ("normal_12000", "normal_15000"),
        ("normal_12000", "normal_11000"), ("normal_40_a", "normal_40_a"),
    ]
    out = []
    for x, y in pairs:
        res, _ = call(stats.cramervonmises_2samp, samples[x], samples[y])
        exact = max(len(samples[x]), len(samples[y])) <= 20
        out.append({"x": x, "y": y, "statistic": float(res.statistic),
                    "pvalue": float(res.pvalue), "method": "exact" if exact else "asymptotic"})
    return out


def ad_cases(samples):
    groups = [
        ["normal_40_a", "normal_40_b"], ["tiny_7", "tiny_9"], ["ties_8", "ties_11"],
        ["interleave_5_x", "interleave_5_y"], ["cvm_20_a", "cvm_20_b"], ["cvm_20_a", "cvm_13"],
        ["ad_a_80", "ad_b_100", "ad_c_120"], ["ad_a_80", "ad_d_90", "ad_b_100"],
        ["ties_300", "ties_280", "ties_250"], ["ties_300", "ties_280"],
        ["normal_40_a", "normal_40_b", "normal_37", "cvm_20_a"],
        ["student_t3_2000", "student_t3_2200"], ["student_t3_2000", "pareto_2500"],
        ["normal_5000", "normal_7000"], ["normal_12000", "normal_15000"],
        ["normal_12000", "normal_11000", "normal_15000"], ["normal_40_a", "normal_40_a"],
        ["tiny_7", "tiny_7", "tiny_7"],
    ]
    out = []
    for names in groups:
        res, caught = call(stats.anderson_ksamp, [samples[n] for n in names])
        bound = "none"
        if any("capped" in m for m in caught):
            bound = "capped"
        elif any("floored" in m for m in caught):
            bound = "floored"
        out.append({"samples": names, "statistic": float(res.statistic),
                    "pvalue": float(res.pvalue), "bound": bound,
                    "critical_values": [float(c) for c in res.critical_values]})
    return out


def weights_for(name, n, seed):
    rng = np.random.default_rng(seed)
    if name.startswith("ties"):
        return fixed(rng.integers(0, 4, n))  # whole weights, some zero
    return fixed(rng.uniform(0.1, 2.0, n))


def distance_cases(samples):
    pairs = [
        ("normal_40_a", "normal_40_b"), ("tiny_7", "tiny_9"), ("ties_8", "ties_11"),
        ("ties_300", "ties_280"), ("student_t3_2000", "pareto_2500"),
        ("normal_12000", "normal_15000"), ("normal_40_a", "normal_40_a"),
        ("interleave_5_x", "interleave_5_y"),
    ]
    out = []
    for x, y in pairs:
        u, v = samples[x], samples[y]
        out.append({"x": x, "y": y, "energy": float(stats.energy_distance(u, v)),
                    "wasserstein": float(stats.wasserstein_distance(u, v))})
    weighted = [("tiny_7", "tiny_9", 101), ("ties_8", "ties_11", 102),
                ("normal_40_a", "normal_37", 103), ("ties_300", "ties_280", 104)]
    for x, y, seed in weighted:
        u, v = samples[x], samples[y]
        uw, vw = weights_for(x, len(u), seed), weights_for(y, len(v), seed + 1000)
        out.append({"x": x, "y": y, "x_weights": uw, "y_weights": vw,
                    "energy": float(stats.energy_distance(u, v, uw, vw)),
                    "wasserstein": float(stats.wasserstein_distance(u, v, uw, vw))})
    return out


def hill(x, k):
    """Hill (1975): mean of the log of the k largest values minus the log of the (k+1)-th."""
    xs = np.sort(np.asarray(x, dtype=float))[::-1]
    gamma = np.mean(np.log(xs[:k])) - np.log(xs[k])
    return {"gamma": float(gamma), "alpha": float(1.0 / gamma), "threshold": float(xs[k])}


def hill_cases(samples):
    cases = [("pareto_2500", 50), ("pareto_2500", 250), ("pareto_2500", 1000),
             ("pareto_ties_1500", 200), ("abs_t3_3000", 100), ("abs_t3_3000", 2999)]
    return [dict({"x": name, "k": k}, **hill(samples[name], k)) for name, k in cases]


def mmd_linear(x, y, bandwidth=0.0):
    """Gretton et al. (2012) MMD^2_l with a Gaussian kernel, directly from the definitions."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if bandwidth == 0.0:
        z = np.concatenate([x, y])
        i, j = np.triu_indices(len(z), 1)
        bandwidth = float(np.median(np.abs(z[i] - z[j])))
    p = min(len(x), len(y)) // 2
    x1, x2 = x[0:2 * p:2], x[1:2 * p:2]
    y1, y2 = y[0:2 * p:2], y[1:2 * p:2]

    def k(a, b):
        return np.exp(-(a - b) ** 2 / (2 * bandwidth ** 2))

    h = k(x1, x2) + k(y1, y2) - k(x1, y2) - k(x2, y1)
    mmd2 = float(np.mean(h))
    s2 = float(np.var(h, ddof=1))
    if s2 > 0:
        z_score = mmd2 / np.sqrt(s2 / p)
    else:
        z_score = 0.0 if mmd2 == 0 else np.copysign(np.inf, mmd2)
    return {"mmd2": mmd2, "bandwidth": bandwidth, "z": float(z_score),
            "pvalue": float(stats.norm.sf(z_score)), "pairs": p}


def mmd_cases(samples):
    cases = [("normal_40_a", "normal_40_b", 0.0), ("normal_40_a", "normal_37", 0.0),
             ("normal_37", "cvm_13", 0.0), ("ties_300", "ties_280", 0.0),
             ("student_t3_2000", "pareto_2500", 0.0), ("student_t3_2000", "student_t3_2200", 0.0),
             ("normal_40_a", "normal_40_a", 0.0), ("tiny_7", "tiny_9", 1.0)]
    out = []
    for x, y, bw in cases:
        out.append(dict({"x": x, "y": y, "bandwidth_option": bw},
                        **mmd_linear(samples[x], samples[y], bw)))
    return out


def kstwo_table():
    """kstwo.sf(x, n) on each branch of scipy's _kolmogn (see distributions.h)."""
    points = [
        (5, 0.05), (5, 0.15), (5, 0.3), (5, 0.6), (5, 0.85), (5, 1.0), (1, 0.7), (2, 0.4),
        (30, 0.1), (30, 0.2), (30, 0.4), (140, 0.05), (140, 0.1), (140, 0.2),
        (141, 0.005), (141, 0.02), (141, 0.08), (141, 0.15), (1000, 0.03), (1000, 0.06),
        (1000, 0.7), (5000, 0.3), (6667, 0.0148), (50000, 0.004), (50000, 0.008),
        (200000, 0.002), (100000, 0.0003), (20000, 0.0006), (2, 0.2), (3000, 0.0002),
    ]
    return [{"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))} for n, x in points]


def smirnov_table():
    points = [(1, 0.3), (5, 0.2), (20, 0.05), (20, 0.4), (100, 0.1), (1012, 0.05),
              (1013, 0.05), (5000, 0.02), (50000, 0.008), (200, 0.9)]
    return [{"n": n, "d": d, "sf": float(special.smirnov(n, d))} for n, d in points]


def bessel_table():
    points = [(0.25, 0.001), (0.25, 0.05), (0.25, 0.3), (0.25, 1.0), (0.25, 2.5), (0.25, 10.0),
              (0.25, 50.0), (0.25, 300.0), (0.75, 1.3), (1.25, 0.7), (0.0, 2.0)]
    return [{"nu": nu, "x": x, "value": float(special.kv(nu, x))} for nu, x in points]


def cvm_limit_table():
    from scipy.stats._hypotests import _cdf_cvm_inf
    points = [0.01, 0.03, 0.05, 0.1, 0.2, 0.4, 0.6, 1.0, 1.5, 2.5]
    return [{"x": x, "cdf": float(_cdf_cvm_inf(x))} for x in points]


def to_json(doc):
    """JSON with one sample or one case per line (readable diffs); floats as repr (exact)."""
    def dump(value):
        return json.dumps(value, separators=(",", ":"), allow_nan=False)

    lines = []
    for key, value in doc.items():
        if isinstance(value, dict):
            inner = [f" {dump(k)}:{dump(v)}" for k, v in value.items()]
            lines.append(f"{dump(key)}:{{\n" + ",\n".join(inner) + "\n}")
        elif isinstance(value, list):
            inner = [f" {dump(v)}" for v in value]
            lines.append(f"{dump(key)}:[\n" + ",\n".join(inner) + "\n]")
        else:
            lines.append(f"{dump(key)}:{dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main():
    if scipy.__version__ != SCIPY_VERSION:
        sys.exit(f"make_expected.py: needs scipy {SCIPY_VERSION}, found {scipy.__version__}")
    samples = make_samples()
    doc = {
        "generator": "src/rlx/stats/make_expected.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "samples": samples,
        "ks_2samp": ks_cases(samples),
        "cramervonmises_2samp": cvm_cases(samples),
        "anderson_ksamp": ad_cases(samples),
        "distance": distance_cases(samples),
        "hill": hill_cases(samples),
        "mmd_linear": mmd_cases(samples),
        "kstwo_sf": kstwo_table(),
        "smirnov_sf": smirnov_table(),
        "bessel_k": bessel_table(),
        "cvm_limit_cdf": cvm_limit_table(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(to_json(doc))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
