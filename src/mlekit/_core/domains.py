"""Parameter domains and the transforms to an unconstrained scale.

Every parameter has a domain; the optimiser works on ``eta = to_unconstrained(theta)`` and
reports ``theta = from_unconstrained(eta)``. There is no clipping and no epsilon bound: the
transform itself keeps every trial value inside the domain.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, logit

__all__ = ["Domain", "Real", "Positive", "UnitInterval", "Interval"]

FloatArray = NDArray[np.float64]


class Domain:
    """The set of values a parameter may take: the open interval ``(lower, upper)``."""

    lower: float = -math.inf
    upper: float = math.inf

    def __init__(self, lower: float = -math.inf, upper: float = math.inf) -> None:
        lower, upper = float(lower), float(upper)
        if not lower < upper:
            raise ValueError(f"a domain needs lower < upper; got ({lower}, {upper})")
        self.lower, self.upper = lower, upper

    # ------------------------------------------------------------------ membership
    def contains(self, value: ArrayLike) -> NDArray[np.bool_]:
        v = np.asarray(value, dtype=float)
        return (v > self.lower) & (v < self.upper)

    def on_boundary(self, value: float, rtol: float = 1e-8) -> bool:
        """True when ``value`` is at (or numerically indistinguishable from) an end point."""
        v = float(value)
        if not math.isfinite(v):
            return True
        tol = rtol * max(1.0, abs(v))
        return (math.isfinite(self.lower) and v - self.lower <= tol) or (
            math.isfinite(self.upper) and self.upper - v <= tol
        )

    def describe(self) -> str:
        lo = "-inf" if self.lower == -math.inf else f"{self.lower:g}"
        hi = "inf" if self.upper == math.inf else f"{self.upper:g}"
        return f"({lo}, {hi})"

    # ------------------------------------------------------------------ transforms
    @property
    def kind(self) -> str:
        lo, hi = math.isfinite(self.lower), math.isfinite(self.upper)
        if lo and hi:
            return "interval"
        if lo:
            return "lower"
        if hi:
            return "upper"
        return "real"

    def to_unconstrained(self, theta: ArrayLike) -> FloatArray:
        t = np.asarray(theta, dtype=float)
        k = self.kind
        if k == "real":
            return t.copy()
        if k == "lower":
            return np.log(t - self.lower)
        if k == "upper":
            return np.log(self.upper - t)
        return logit((t - self.lower) / (self.upper - self.lower))

    def from_unconstrained(self, eta: ArrayLike) -> FloatArray:
        e = np.asarray(eta, dtype=float)
        k = self.kind
        if k == "real":
            return e.copy()
        if k == "lower":
            return self.lower + np.exp(e)
        if k == "upper":
            return self.upper - np.exp(e)
        return self.lower + (self.upper - self.lower) * expit(e)

    def jacobian(self, eta: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """First and second derivatives of ``theta`` with respect to ``eta``."""
        e = np.asarray(eta, dtype=float)
        k = self.kind
        if k == "real":
            return np.ones_like(e), np.zeros_like(e)
        if k == "lower":
            d = np.exp(e)
            return d, d
        if k == "upper":
            d = -np.exp(e)
            return d, d
        s = expit(e)
        d1 = (self.upper - self.lower) * s * (1.0 - s)
        return d1, d1 * (1.0 - 2.0 * s)

    def __repr__(self) -> str:
        return f"Interval({self.lower!r}, {self.upper!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Domain) and (self.lower, self.upper) == (other.lower, other.upper)

    def __hash__(self) -> int:
        return hash((self.lower, self.upper))


class _Named(Domain):
    _name = ""

    def __repr__(self) -> str:
        return self._name


class _Real(_Named):
    _name = "Real"


class _Positive(_Named):
    _name = "Positive"


class _UnitInterval(_Named):
    _name = "UnitInterval"


def Interval(lower: float, upper: float) -> Domain:
    """The open interval ``(lower, upper)``; either end may be infinite."""
    return Domain(lower, upper)


Real: Domain = _Real()
Positive: Domain = _Positive(0.0, math.inf)
UnitInterval: Domain = _UnitInterval(0.0, 1.0)
