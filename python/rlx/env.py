"""A replay environment for execution agents, in the Gymnasium shape (no gymnasium needed).

    env = rlx.ExecutionEnv("rlx-demo/events", side="buy", quantity=2.0, horizon=60, step=1)
    obs, info = env.reset(seed=1)
    while True:
        obs, reward, terminated, truncated, info = env.step(("market", 0.05))
        if terminated or truncated:
            break
    info["shortfall_bp"]

Fills come from the reconstructed book and trades (src/rlx/env/execution_env.h says how): market
orders walk the visible levels; a limit order waits behind the displayed size at its price and
fills as trades at that price consume the queue. The reward is the step's implementation
shortfall against the arrival mid in basis points (positive is better than the mid); the rewards
of an episode sum to minus its shortfall. Same seed, same episode.
"""

from . import _rlx
from ._table import _ns

def _text(quantity):
    # repr of a float is its shortest round-trip text: 0.1 is the decimal 0.1, not 0.1000000000000000055.
    return repr(quantity) if isinstance(quantity, float) else str(quantity)


class ExecutionEnv:
    """Work a parent order (side, quantity, horizon in seconds) with child orders.

    out_dir: an rlx output; symbol: which one (needed when it holds several); start, end: the
    part of the output to replay (held in memory; as for rlx.read).
    refill: how liquidity the agent took comes back: "none" (never, the default), "instant", or
    "exponential" with refill_half_life seconds.

    Actions: None or ("none",); ("market", quantity); ("limit", quantity, level) for a level of
    the agent's own side (0 = best), which replaces a resting order; ("cancel",). A dict
    {"type": ..., "quantity": ..., "level": ...} works too.
    Observations: dict of numpy arrays: bid_price, bid_size, ask_price, ask_size (depth levels,
    NaN price where the side is shorter; the agent's own takings are subtracted), trades
    (recent_trades x [age s, price, size, +1 buyer / -1 seller aggressor]), time_left (s),
    quantity_left, order ([price or NaN, quantity, queue ahead] of the resting limit order).
    """

    def __init__(self, out_dir, side="buy", quantity=1.0, horizon=60.0, step=1.0, symbol=None,
                 start=None, end=None, recent_trades=10, refill="none", refill_half_life=1.0,
                 tape=None):
        self.tape = tape or _rlx.MarketTape(str(out_dir), symbol or "", _ns(start, "start"),
                                            _ns(end, "end"))
        self.side = side
        self.quantity = quantity
        self.horizon = horizon
        self.step_seconds = step
        self.recent_trades = recent_trades
        self._env = _rlx.ExecutionEnv(self.tape, side, _text(quantity), int(horizon * 1e9),
                                      int(step * 1e9), int(recent_trades), refill,
                                      float(refill_half_life))
        self._seed = 0

    @property
    def depth(self):
        return self.tape.depth

    def reset(self, seed=None, options=None):
        """A new episode: at options["start"] if given, else at a time drawn from seed (the
        previous seed + 1 when None). Returns (observation, info)."""
        if seed is not None:
            self._seed = int(seed)
        else:
            self._seed += 1
        start = _ns((options or {}).get("start"), "start")
        return self._env.reset(self._seed, start)

    def step(self, action):
        """Returns (observation, reward_bp, terminated, truncated, info)."""
        if action is None:
            action = ("none",)
        if isinstance(action, dict):
            action = (action.get("type", "none"), action.get("quantity"), action.get("level", 0))
        kind = action[0]
        if kind not in _rlx.ACTION_TYPES:
            raise ValueError(f"action type must be one of {_rlx.ACTION_TYPES}, not {kind!r}")
        quantity = action[1] if len(action) > 1 else None
        level = int(action[2]) if len(action) > 2 else 0
        return self._env.step(kind, "" if quantity is None else _text(quantity), level)
