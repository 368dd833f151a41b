"""Example execution agents for rlx.ExecutionEnv, and an episode runner."""

import math


class TwapAgent:
    """Time-weighted: each step, a market order for what is left over the steps left."""

    def act(self, obs, env):
        steps_left = max(1, math.ceil(obs["time_left"] / env.step_seconds - 1e-9))
        return ("market", obs["quantity_left"] / steps_left)


class PassiveThenCrossAgent:
    """Rests the whole order at the best level of its own side, then crosses the spread with
    what is left once less than `cross_at` of the horizon remains."""

    def __init__(self, cross_at=0.2, level=0):
        self.cross_at = cross_at
        self.level = level

    def act(self, obs, env):
        if obs["quantity_left"] <= 0:
            return None
        if obs["time_left"] <= self.cross_at * env.horizon:
            return ("market", obs["quantity_left"])
        resting = obs["order"][1]
        if resting == 0:
            return ("limit", obs["quantity_left"], self.level)
        return None


def run_episode(env, agent, seed=None, options=None):
    """Plays one episode; returns (shortfall_bp, steps, fills)."""
    obs, _ = env.reset(seed=seed, options=options)
    steps, fills = 0, []
    while True:
        obs, _, terminated, truncated, info = env.step(agent.act(obs, env))
        steps += 1
        fills += info["fills"]
        if terminated or truncated:
            return info["shortfall_bp"], steps, fills
