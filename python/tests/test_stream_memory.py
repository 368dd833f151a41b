"""rlx.stream's memory stays bounded over a day's output (docs/PYTHON.md states the bound)."""

import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

import support

DAY = "binance/hftbacktest/usdm_btcusdt_20240808.gz"
BOUND_MB = 200  # docs/PYTHON.md: stream's peak above the interpreter, default batch and parts

PEAK = textwrap.dedent("""
    import sys, rlx
    def hwm_kb():  # this process's peak resident size; unlike ru_maxrss, not inherited over exec
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
    base = hwm_kb()
    if sys.argv[2] == "stream":
        rows = sum(b.rows for b in rlx.stream(sys.argv[1]))
    else:
        rows = rlx.read(sys.argv[1]).rows
    print(rows, (hwm_kb() - base) / 1024)
""")


def peak(out, how):
    done = subprocess.run([sys.executable, "-c", PEAK, str(out), how], capture_output=True,
                          text=True, check=True)
    rows, mb = done.stdout.split()
    return int(rows), float(mb)


class StreamMemoryTest(unittest.TestCase):
    def test_stream_stays_under_the_bound_and_below_read(self):
        capture = support.data_file(DAY)
        with tempfile.TemporaryDirectory() as tmp:
            out = support.reconstruct([capture], Path(tmp) / "out")
            rows, streamed = peak(out, "stream")
            read_rows, read_all = peak(out, "read")
        self.assertEqual(rows, read_rows)
        self.assertGreater(rows, 400000)
        self.assertLess(streamed, BOUND_MB)
        self.assertLess(streamed, read_all / 2)


if __name__ == "__main__":
    unittest.main()
