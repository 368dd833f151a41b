"""rlx.ExecutionEnv on a real capture's output, checked against the book that rlx.read gives."""

import tempfile
import unittest
from decimal import Decimal
from pathlib import Path

import numpy as np

import rlx
import support
from rlx.agents import PassiveThenCrossAgent, TwapAgent, run_episode

CAPTURE = "binance/hftbacktest/usdm_btcusdt_20240718.gz"


class EnvTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = None
        try:
            capture = support.data_file(CAPTURE)
        except unittest.SkipTest:
            return
        cls.out = support.reconstruct([capture], Path(cls.tmp.name) / "out")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        if self.out is None:
            support.data_file(CAPTURE)

    def test_same_seed_same_episode(self):
        env = rlx.ExecutionEnv(self.out, side="sell", quantity=0.3, horizon=30)
        a = run_episode(env, PassiveThenCrossAgent(), seed=5)
        b = run_episode(env, PassiveThenCrossAgent(), seed=5)
        self.assertEqual(a, b)
        self.assertEqual(run_episode(env, TwapAgent(), seed=5), run_episode(env, TwapAgent(), seed=5))
        self.assertNotEqual(run_episode(env, TwapAgent(), seed=5),
                            run_episode(env, TwapAgent(), seed=6))
        self.assertNotEqual(env.reset(seed=5)[1]["start_ns"], env.reset(seed=6)[1]["start_ns"])
        self.assertEqual(sum(Decimal(q) for _, _, q, _ in a[2]), Decimal("0.3"))

    def test_twap_fills_at_the_best_ask_that_rlx_read_shows(self):
        # 0.001 a second never needs more than the best level; with refill="instant" the agent
        # leaves no trace, so every fill is the best ask of the book in effect at its time.
        env = rlx.ExecutionEnv(self.out, side="buy", quantity="0.06", horizon=60, step=1,
                               refill="instant")
        shortfall, steps, fills = run_episode(env, TwapAgent(), seed=11)
        self.assertEqual(steps, 60)
        t = rlx.read(self.out, columns=["event_type", "origin_time", "last_in_message",
                                         "bid_0_price", "ask_0_price"], decimals="decimal")
        books = [(i, int(o)) for i, (e, o, last) in enumerate(
            zip(t["event_type"], t["origin_time"].filled(-1), t["last_in_message"]))
            if last and e != "TRADE" and o >= 0]
        times = np.maximum.accumulate([o for _, o in books])  # the tape's never-decreasing time

        def book_at(ns):
            k = int(np.searchsorted(times, ns, side="right")) - 1
            return books[k][0]

        start = fills[0][0]
        row = book_at(start)
        mid = (t["bid_0_price"][row] + t["ask_0_price"][row]) / 2
        total = Decimal(0)
        by_hand = Decimal(0)
        for time_ns, price, quantity, passive in fills:
            self.assertFalse(passive)
            self.assertEqual(Decimal(price), t["ask_0_price"][book_at(time_ns)], time_ns)
            by_hand += (Decimal(price) - mid) / mid * 10000 * Decimal(quantity)
            total += Decimal(quantity)
        self.assertEqual(total, Decimal("0.06"))
        self.assertAlmostEqual(shortfall, float(by_hand / total), places=9)

    def test_passive_then_cross_finishes_the_order(self):
        env = rlx.ExecutionEnv(self.out, side="buy", quantity=0.2, horizon=120, step=1)
        shortfall, steps, fills = run_episode(env, PassiveThenCrossAgent(cross_at=0.25), seed=2)
        self.assertLessEqual(steps, 120)
        self.assertEqual(sum(Decimal(q) for _, _, q, _ in fills), Decimal("0.2"))
        self.assertTrue(np.isfinite(shortfall))
        obs, info = env.reset(seed=2)
        self.assertEqual(obs["bid_price"].shape, (env.depth,))
        self.assertEqual(obs["trades"].shape, (10, 4))
        self.assertEqual(obs["quantity_left"], 0.2)
        self.assertTrue(np.isnan(obs["order"][0]))
        self.assertLess(obs["bid_price"][0], obs["ask_price"][0])
        self.assertAlmostEqual(info["arrival_mid"], (obs["bid_price"][0] + obs["ask_price"][0]) / 2)

    def test_bad_requests_raise(self):
        with self.assertRaises(rlx.Error) as e:
            rlx.ExecutionEnv(self.out, side="hold")
        self.assertEqual(e.exception.code, "invalid_argument")
        env = rlx.ExecutionEnv(self.out)
        env.reset(seed=1)
        with self.assertRaises(ValueError):
            env.step(("teleport", 1))
        _, _, _, _, info = env.step(("limit", 1, 99))
        self.assertTrue(info["rejected"])


if __name__ == "__main__":
    unittest.main()
