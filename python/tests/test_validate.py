"""rlx.validate in this process: the command's report.json, and a FAIL verdict as a result."""

import shutil
import tempfile
import unittest
from pathlib import Path

import rlx
import support

CAPTURE = "binance/hftbacktest/usdm_btcusdt_20240808.gz"


class ValidateTest(unittest.TestCase):
    def test_verdicts_and_reports_equal_the_commands(self):
        capture = support.data_file(CAPTURE)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            lake = tmp / "lake"
            support.run_rlx("convert", "--input", capture, "--out", lake, "--progress", "never")
            support.run_rlx("validate", "--golden", capture, "--candidate", lake, "--out",
                            tmp / "cmd", "--no-pdf")
            lines = []
            stages = []
            result = rlx.validate(capture, lake, tmp / "lib", pdf=False, log_level="info",
                                  log=lambda lvl, line: lines.append(line),
                                  progress=stages.append)
            self.assertEqual(stages[0], "loading golden and candidate")
            self.assertTrue(stages[1].startswith("judging "), stages)
            self.assertEqual(stages[-1], "PASS, score %.3f" % result["score"])
            self.assertEqual(result["verdict"], "PASS")
            self.assertEqual(result["symbol"], "BTCUSDT")
            self.assertGreater(result["windows"], 0)
            self.assertTrue(any("validate.loaded" in line for line in lines), lines)
            for f in ("report.json", "metrics.prom", "report.html", "summary.html"):
                self.assertTrue((tmp / "lib" / f).exists(), f)
            self.assertEqual((tmp / "lib" / "report.json").read_text(),
                             (tmp / "cmd" / "report.json").read_text())

            # Trades removed from the candidate: a FAIL verdict, returned, with the trade gate
            # among the failures.
            shutil.rmtree(lake / "trades")
            failed = rlx.validate(capture, lake, tmp / "fail", pdf=False, log_level="off")
            self.assertEqual(failed["verdict"], "FAIL")
            self.assertTrue(failed["failures"])
            self.assertTrue(all(f["status"] in ("FAIL", "WARN") for f in failed["failures"]))

            with self.assertRaises(rlx.Error) as e:
                rlx.validate(capture, lake, tmp / "x", level="exhaustive")
            self.assertEqual(e.exception.code, "invalid_argument")
            self.assertIn("'comprehensive'", str(e.exception))


if __name__ == "__main__":
    unittest.main()
