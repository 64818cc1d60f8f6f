"""``Support``: the interval (and integer flag) where a family's density is positive."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Support"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Support:
    """Where a family puts its mass: ``[lower, upper]`` (ends included when closed)."""

    lower: float = -math.inf
    upper: float = math.inf
    lower_closed: bool = False
    upper_closed: bool = False
    integer: bool = False

    def describe(self) -> str:
        if self.integer:
            if self.upper == math.inf:
                return f"{{{self.lower:g}, {self.lower + 1:g}, {self.lower + 2:g}, …}}"
            if self.upper - self.lower <= 2:
                return "{" + ", ".join(f"{v:g}" for v in np.arange(self.lower, self.upper + 1)) + "}"
            return f"{{{self.lower:g}, {self.lower + 1:g}, …, {self.upper:g}}}"
        lo = "-inf" if self.lower == -math.inf else f"{self.lower:g}"
        hi = "inf" if self.upper == math.inf else f"{self.upper:g}"
        lb = "[" if self.lower_closed else "("
        rb = "]" if self.upper_closed else ")"
        return f"{lb}{lo}, {hi}{rb}"

    def violations(self, x: FloatArray,
                   extreme: Callable[[str], float] | None = None) -> NDArray[np.bool_]:
        """Mask of values outside the support (NaN excluded). ``extreme("min"|"max")``: the
        extremes of ``x`` when they are known (a block's cached ones)."""
        if x.size and not self.integer:
            ok = True        # only the finite ends need a reduction (none for the real line)
            if self.lower > -math.inf:
                lo = float(x.min()) if extreme is None else extreme("min")
                ok = lo >= self.lower if self.lower_closed else lo > self.lower
            if ok and self.upper < math.inf:
                hi = float(x.max()) if extreme is None else extreme("max")
                ok = hi <= self.upper if self.upper_closed else hi < self.upper
            if ok:
                return np.zeros(0, dtype=bool)  # fast path: nothing outside (an empty mask)
        bad = np.zeros(x.shape, dtype=bool)
        if self.lower > -math.inf:
            bad |= (x < self.lower) if self.lower_closed else (x <= self.lower)
        if self.upper < math.inf:
            bad |= (x > self.upper) if self.upper_closed else (x >= self.upper)
        if self.integer:
            bad |= np.isfinite(x) & (x != np.floor(x))
        return bad
