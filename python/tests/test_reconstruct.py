"""rlx.reconstruct in this process: the command's output, byte for byte, and its errors."""

import json
import tempfile
import unittest
from pathlib import Path

import rlx
import support

CAPTURE = "binance/hftbacktest/usdm_btcusdt_20240718.gz"


def part_hashes(out):
    manifest = json.loads((Path(out) / "manifest.json").read_text())
    return [(f["path"], f["rows"], f["xxh3"]) for f in manifest["files"]]


class ReconstructTest(unittest.TestCase):
    def test_same_files_as_the_command_and_logs_to_the_callers_callable(self):
        capture = support.data_file(CAPTURE)
        with tempfile.TemporaryDirectory() as tmp:
            by_command = support.reconstruct([capture], Path(tmp) / "cmd", "--rows-per-file",
                                             "30000")
            lines, updates = [], []
            result = rlx.reconstruct(capture, Path(tmp) / "lib", rows_per_file=30000,
                                     log_level="info", log=lambda lvl, l: lines.append((lvl, l)),
                                     progress=lambda *u: updates.append(u))
            self.assertEqual(part_hashes(Path(tmp) / "lib"), part_hashes(by_command))
            self.assertGreater(len(part_hashes(by_command)), 1)
            self.assertEqual(result["rows"], rlx.read(Path(tmp) / "lib", columns=["event_seq"]).rows)
            self.assertEqual([s["symbol"] for s in result["symbols"]], ["BTCUSDT"])
            self.assertEqual(result["symbols"][0]["rows"], result["rows"])
            self.assertTrue(any(lvl == "info" and "event=" in l for lvl, l in lines), lines[:3])
            # The last progress update is the end: every output row.
            self.assertTrue(updates)
            self.assertEqual(updates[-1][2], result["rows"])
            # A second run into the same folder is refused unless overwrite is asked for.
            with self.assertRaises(rlx.Error) as e:
                rlx.reconstruct(capture, Path(tmp) / "lib")
            self.assertEqual(e.exception.code, "invalid_argument")
            again = rlx.reconstruct(capture, Path(tmp) / "lib", rows_per_file=30000,
                                    overwrite=True, log_level="off")
            self.assertEqual(again["rows"], result["rows"])

    def test_bad_input_and_bad_options_raise_with_their_codes(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.jsonl"
            bad.write_text('{"stream":"btcusdt@depth","data":{"e":"depthUpdate",\n')
            with self.assertRaises(rlx.Error) as e:
                rlx.reconstruct(bad, Path(tmp) / "out", log_level="off")
            self.assertEqual(e.exception.code, "bad_input")
            self.assertEqual(e.exception.file, str(bad))
            self.assertEqual(e.exception.row, 1)
            with self.assertRaises(rlx.Error) as e:
                rlx.reconstruct(bad, Path(tmp) / "out2", source="csv")
            self.assertEqual(e.exception.code, "invalid_argument")
            self.assertIn("'binance-raw'", str(e.exception))


if __name__ == "__main__":
    unittest.main()
