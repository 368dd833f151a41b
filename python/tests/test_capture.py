"""rlx.capture in this process, against a local exchange (`rlx exchange`) on loopback."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

import rlx
import support

CAPTURE = "binance/hftbacktest/spot_btcusdt_20240808.gz"


class CaptureTest(unittest.TestCase):
    def setUp(self):
        data = support.data_file(CAPTURE)
        self.tmp = tempfile.TemporaryDirectory()
        self.exchange = subprocess.Popen(
            [str(support.BINARY), "exchange", "--capture", str(data), "--port", "0",
             "--cert-dir", str(Path(self.tmp.name) / "pki"), "--speed", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.exchange.stdout.readline()
        found = re.search(r"on (wss://\S+) and (https://\S+) \(trust (\S+)\)", line)
        if found is None:
            self.exchange.kill()
            self.fail(f"rlx exchange did not start: {line!r}")
        self.ws, self.rest, self.ca = found.groups()

    def tearDown(self):
        self.exchange.send_signal(signal.SIGTERM)
        self.exchange.wait(timeout=30)
        self.exchange.stdout.close()
        self.tmp.cleanup()

    def test_records_for_its_duration_and_the_record_reconstructs(self):
        out = Path(self.tmp.name) / "record"
        lines = []
        statuses = []
        result = rlx.capture("btcusdt", out, market="spot", duration=3, ws_url=self.ws,
                             rest_url=self.rest, ca_file=self.ca, log_level="info",
                             log=lambda lvl, line: lines.append(line),
                             progress=statuses.append)
        self.assertGreater(result["frames"], 0)
        # A status line every 250 ms over 3 s, the last one with the final counters.
        self.assertGreaterEqual(len(statuses), 5, statuses)
        self.assertIn(" %d frames " % result["frames"], statuses[-1])
        self.assertIn("1/1 synced", statuses[-1])
        self.assertEqual([s["symbol"] for s in result["symbols"]], ["BTCUSDT"])
        self.assertGreaterEqual(result["seconds"], 2.5)
        self.assertTrue((out / "report.json").exists())
        self.assertTrue(lines)
        segments = sorted(out.glob("capture-*.jsonl.zst"))
        self.assertTrue(segments)
        built = rlx.reconstruct(segments, Path(self.tmp.name) / "events", log_level="off")
        self.assertGreater(built["rows"], 0)

    def test_ctrl_c_stops_cleanly_then_raises_keyboard_interrupt(self):
        out = Path(self.tmp.name) / "interrupted"
        code = textwrap.dedent(f"""
            import rlx
            try:
                rlx.capture("BTCUSDT", {str(out)!r}, ws_url={self.ws!r}, rest_url={self.rest!r},
                            ca_file={self.ca!r}, log_level="off")
            except KeyboardInterrupt:
                print("interrupted")
        """)
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=os.environ.copy())
        deadline = time.monotonic() + 30
        while not list(out.glob("capture-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=60)
        self.assertEqual(child.returncode, 0, stderr)
        self.assertIn("interrupted", stdout)
        self.assertTrue((out / "report.json").exists())  # closed cleanly before the raise


if __name__ == "__main__":
    unittest.main()
