"""rlx.read and rlx.stream against DuckDB's own reading of the same files."""

import decimal
import tempfile
import unittest
from pathlib import Path

import numpy as np

import rlx
import support

CAPTURE = "binance/hftbacktest/usdm_btcusdt_20240718.gz"


class ReadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "out"
        try:
            capture = support.data_file(CAPTURE)
        except unittest.SkipTest:
            cls.out = None
            return
        # Parts of 20,000 rows: reads cross parts and batches.
        support.reconstruct([capture], cls.out, "--rows-per-file", "20000")
        glob = f"read_parquet('{cls.out}/**/*.parquet', hive_partitioning=true)"
        cls.header, cls.rows = support.duckdb_rows(f"SELECT * FROM {glob} ORDER BY event_seq")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        if self.out is None:
            support.data_file(CAPTURE)  # skips, or fails under CI

    def column(self, name):
        i = self.header.index(name)
        return [row[i] for row in self.rows]

    def test_every_row_and_column_equals_duckdb(self):
        exact = rlx.read(self.out, decimals="decimal")
        ticks = rlx.read(self.out, scale="auto")
        floats = rlx.read(self.out, decimals="float")
        self.assertEqual(list(exact), self.header)
        self.assertEqual(exact.rows, len(self.rows))
        self.assertGreater(exact.rows, 60000)
        for name in self.header:
            want = self.column(name)
            got = exact[name]
            self.assertEqual(len(got), len(want), name)
            if name in ticks.scale:
                unit = decimal.Decimal(10) ** ticks.scale[name]
                t = ticks[name]
                mask = np.ma.getmaskarray(t)
                for i, w in enumerate(want):
                    if w is None:
                        self.assertIsNone(got[i], (name, i))
                        self.assertTrue(mask[i], (name, i))
                        self.assertTrue(np.isnan(floats[name][i]), (name, i))
                        continue
                    d = decimal.Decimal(w)
                    self.assertEqual(got[i], d, (name, i))
                    self.assertEqual(int(t.data[i]), d * unit, (name, i))
                    self.assertFalse(mask[i], (name, i))
                    # The nearest double, as Python's float() of the text gives it.
                    self.assertEqual(floats[name][i], float(w), (name, i))
            elif name == "date":
                self.assertEqual([str(v) for v in got], want)
            elif name == "last_in_message":
                self.assertEqual([str(bool(v)).lower() for v in got], want)
            elif got.dtype == object:
                self.assertEqual(list(got), want, name)
            else:
                mask = np.ma.getmaskarray(got)
                values = np.ma.getdata(got)
                self.assertEqual([None if m else str(int(v)) for v, m in zip(values, mask)],
                                 want, name)

    def test_stream_gives_read_in_batches(self):
        whole = rlx.read(self.out, columns=["event_seq", "price", "trade_id", "best_bid_size"])
        batches = list(rlx.stream(self.out, columns=["event_seq", "price", "trade_id",
                                                     "best_bid_size"], batch_rows=7777))
        self.assertEqual([b.rows for b in batches[:-1]], [7777] * (len(batches) - 1))
        for name in whole:
            joined = np.ma.concatenate([b[name] for b in batches]) \
                if isinstance(whole[name], np.ma.MaskedArray) \
                else np.concatenate([b[name] for b in batches])
            self.assertTrue(np.array_equal(np.ma.getdata(joined), np.ma.getdata(whole[name])),
                            name)
            self.assertTrue(np.array_equal(np.ma.getmaskarray(joined),
                                           np.ma.getmaskarray(whole[name])), name)

    def test_time_range_and_symbol_select_rows(self):
        times = sorted(int(t) for t in self.column("origin_time") if t is not None)
        start, end = times[len(times) // 3], times[2 * len(times) // 3]
        t = rlx.read(self.out, symbols="BTCUSDT", start=start, end=end,
                     columns=["origin_time", "event_seq"])
        want = [int(s) for s, o in zip(self.column("event_seq"), self.column("origin_time"))
                if o is not None and start <= int(o) < end]
        self.assertEqual(list(t["event_seq"]), want)
        self.assertTrue(((t["origin_time"] >= start) & (t["origin_time"] < end)).all())
        # The same bounds as text and as numpy datetime64.
        iso = str(np.datetime64(start, "ns"))
        t2 = rlx.read(self.out, start=iso, end=np.datetime64(end, "ns"), columns=["event_seq"])
        self.assertEqual(list(t2["event_seq"]), want)

    def test_errors_name_code_file_row_and_field(self):
        with self.assertRaises(rlx.Error) as e:
            rlx.read(self.out, scale=0)  # prices have a decimal
        self.assertEqual(e.exception.code, "invalid_argument")
        self.assertEqual(e.exception.field, "price")
        self.assertTrue(e.exception.file.endswith("part-00000.parquet"), e.exception.file)
        self.assertEqual(e.exception.row, 1)
        with self.assertRaises(rlx.Error) as e:
            rlx.read(self.out, columns=["price", "nope"])
        self.assertEqual(e.exception.code, "invalid_argument")
        self.assertIn("'nope'", str(e.exception))
        with self.assertRaises(rlx.Error) as e:
            rlx.read(self.out, symbols=["ETHUSDT"])
        self.assertIn("BTCUSDT", str(e.exception))
        with self.assertRaises(ValueError):
            next(rlx.stream(self.out, scale="auto"))

    def test_pandas_frame_keeps_nulls_and_exact_ticks(self):
        t = rlx.read(self.out, columns=["event_seq", "trade_id", "price", "best_bid_price",
                                        "first_update_id"], scale={"price": 1,
                                                                   "best_bid_price": 1})
        df = t.to_pandas()
        self.assertEqual(len(df), t.rows)
        self.assertEqual(str(df["best_bid_price"].dtype), "Int64")
        self.assertEqual(str(df["event_seq"].dtype), "int64")
        self.assertEqual(int(df["best_bid_price"].isna().sum()),
                         int(np.ma.getmaskarray(t["best_bid_price"]).sum()))
        self.assertEqual(int(df["first_update_id"].isna().sum()),
                         self.column("first_update_id").count(None))
        first_price = decimal.Decimal(self.column("price")[0])
        self.assertEqual(df["price"].iloc[0], first_price * 10)


if __name__ == "__main__":
    unittest.main()
