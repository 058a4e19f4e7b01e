"""Capped exponential backoff with jitter, so that cameras behind one switch that
reboots do not all reconnect in the same second."""

from __future__ import annotations

import random


class Backoff:
    """Delays of ``first * factor**n`` seconds, capped, each spread by +-``jitter``."""

    def __init__(
        self,
        first: float = 1.0,
        cap: float = 30.0,
        factor: float = 2.0,
        jitter: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        self.first, self.cap, self.factor, self.jitter = first, cap, factor, jitter
        self.attempt = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        base = min(self.cap, self.first * self.factor**self.attempt)
        self.attempt += 1
        spread = base * self.jitter
        return max(0.05, base + self._rng.uniform(-spread, spread))

    def reset(self) -> None:
        self.attempt = 0
