"""Parameter domains and the transforms to an unconstrained scale.

Every parameter has a domain; the optimiser works on ``eta = to_unconstrained(theta)`` and
reports ``theta = from_unconstrained(eta)``. There is no clipping and no epsilon bound: the
transform itself keeps every trial value inside the domain.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, logit

from ..errors import ParameterError
from .checks import as_rng

__all__ = ["Domain", "Real", "Positive", "UnitInterval", "Interval", "as_domain", "default_start",
           "grid_starts"]

FloatArray = NDArray[np.float64]


class Domain:
    """The set of values a parameter may take: the open interval ``(lower, upper)``."""

    lower: float = -math.inf
    upper: float = math.inf

    def __init__(self, lower: float = -math.inf, upper: float = math.inf) -> None:
        try:
            lower, upper = float(lower), float(upper)
        except (TypeError, ValueError):
            raise ParameterError(f"a domain needs numbers lower < upper; got ({lower!r}, "
                                 f"{upper!r}).") from None
        if not lower < upper:
            raise ParameterError(f"a domain needs lower < upper; got ({lower}, {upper}).")
        self.lower, self.upper = lower, upper

    # ------------------------------------------------------------------ membership
    def contains(self, value: ArrayLike) -> NDArray[np.bool_]:
        v = np.asarray(value, dtype=float)
        return (v > self.lower) & (v < self.upper)

    def on_boundary(self, value: float, rtol: float = 1e-8) -> bool:
        """True when ``value`` is at (or numerically indistinguishable from) an end point."""
        v = float(value)
        if rtol == 0.0:   # exact: with gradual underflow, v - lower <= 0 exactly when v <= lower
            return not (self.lower < v < self.upper and math.isfinite(v))
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
    """The open interval ``(lower, upper)``; either end may be infinite.

    Parameters
    ----------
    lower, upper
        The ends of the interval (``-math.inf`` / ``math.inf`` for an open end).

    Returns
    -------
    Domain
        A parameter domain for :func:`mlekit.model` (``@mk.model(p=mk.Interval(0, 10))``).

    Raises
    ------
    ParameterError
        ``lower`` not below ``upper``.

    Examples
    --------
    >>> import numpy as np
    >>> import mlekit as mk
    >>> @mk.model(p=mk.Interval(0, 10))
    ... def ll(x, p):
    ...     return -((x - p) ** 2)
    >>> 0 < mk.fit(ll, data=np.array([3.0, 4.0, 5.0])).params["p"] < 10
    True
    """
    return Domain(lower, upper)


Real: Domain = _Real()
Positive: Domain = _Positive(0.0, math.inf)
UnitInterval: Domain = _UnitInterval(0.0, 1.0)


# ---------------------------------------------------------------------- specs and starts
def as_domain(spec: Any, name: str) -> Domain:
    """A ``Domain`` from a domain object, a name (``"positive"``) or a pair ``(a, b)``."""
    if isinstance(spec, Domain):
        return spec
    if isinstance(spec, str):
        key = spec.strip().lower().replace("_", "")
        table = {"real": Real, "positive": Positive, "unitinterval": UnitInterval, "unit": UnitInterval,
                 "probability": UnitInterval}
        if key in table:
            return table[key]
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        try:
            return Interval(float(spec[0]), float(spec[1]))
        except (TypeError, ValueError):
            pass
    raise ParameterError(
        f"the domain of {name} must be mk.Real, mk.Positive, mk.UnitInterval or mk.Interval(a, b); "
        f"got {spec!r}.")


def default_start(dom: Domain) -> float:
    lo, hi = dom.lower, dom.upper
    if math.isfinite(lo) and math.isfinite(hi):
        return 0.5 * (lo + hi)
    if math.isfinite(lo):
        return lo + 1.0
    if math.isfinite(hi):
        return hi - 1.0
    return 0.0


def grid_starts(names: Sequence[str], domains: Sequence[Domain], fixed: dict[str, float],
                given: dict[str, float], candidates: dict[str, list[float]],
                value: Callable[[tuple[float, ...]], float], limit: int = 128,
                rng: int = 0) -> list[dict[str, float]]:
    """Starting points ranked by log-likelihood over a grid of candidate values."""
    free = [p for p in names if p not in fixed and p not in given]
    opts = {p: candidates.get(p) or [default_start(domains[list(names).index(p)])] for p in free}
    combos: list[tuple[float, ...]]
    total = math.prod(len(v) for v in opts.values()) if opts else 1
    if total <= limit:
        combos = list(itertools.product(*opts.values()))
    else:
        gen = as_rng(rng)
        combos = [tuple(v[0] for v in opts.values())]
        combos += [tuple(v[gen.integers(len(v))] for v in opts.values()) for _ in range(limit - 1)]
    scored = []
    for c in combos:
        s = {**fixed, **given, **dict(zip(free, c))}
        with np.errstate(all="ignore"):
            try:
                f = float(value(tuple(s[p] for p in names)))
            except (FloatingPointError, ZeroDivisionError, OverflowError, ValueError):
                f = math.nan
        scored.append((f if math.isfinite(f) else -math.inf, s))
    scored.sort(key=lambda t: -t[0])
    out = [s for f, s in scored if f > -math.inf][:4]
    return out or [scored[0][1]]
