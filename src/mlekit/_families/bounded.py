"""Families on bounded intervals: Beta and Uniform."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import betainc, betaln, digamma

from .._core.domains import Positive, Real
from .._core.lazy import scipy_stats as st
from .._data.data import Block, Data
from ..errors import FamilyError
from .base import Derivs, Family, Support
from .registry import register
from .samples import Sample, as_sample, sample_start
from .stats import Stats, block_extreme, block_moments, finish, trigamma, where

Theta = tuple[Any, ...]



@register
class Beta(Family):
    r"""Beta distribution on (0, 1).

    .. math:: f(x) = \frac{x^{a-1}(1-x)^{b-1}}{B(a, b)}

    Parameters: ``a`` (> 0), ``b`` (> 0); mean ``a/(a+b)``. Fitted from the statistics
    mean(log x) and mean(log(1−x)) with Newton steps.
    """

    name = "beta"
    value_sums: ClassVar[tuple[str, ...]] = ("x",)   # block_moments reads the cached sum of x
    closed_form_method = "newton-on-statistics"
    scale_note = ("bounded on (0, 1): data multiplied by a constant leave the support, so the "
                  "family has no scale_powers")
    param_names = ("a", "b")
    domains = (Positive, Positive)
    support = Support(0.0, 1.0)
    formula = "f(x) = x^(a-1) (1-x)^(b-1) / B(a, b)"

    def _logs(self, x: Any, blk: Block | None) -> tuple[Any, Any]:
        if blk is not None and x is blk.x:
            return (blk.cached("log_x", lambda: np.log(blk.x)),
                    blk.cached("log1m_x", lambda: np.log1p(-blk.x)))
        return np.log(x), np.log1p(-x)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        a, b = th
        lx, l1x = self._logs(x, blk)
        return (a - 1.0) * lx + (b - 1.0) * l1x - betaln(a, b)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        a, b = th
        lx, l1x = self._logs(x, blk)
        val = (a - 1.0) * lx + (b - 1.0) * l1x - betaln(a, b)
        pab = digamma(a + b)
        t = trigamma(a + b)
        return (val, [pab - digamma(a) + lx, pab - digamma(b) + l1x],
                [[t - trigamma(a), t], [t, t - trigamma(b)]])

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return np.log(betainc(th[0], th[1], x))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return np.log(betainc(th[1], th[0], 1.0 - x))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.beta.ppf(q, th[0], th[1])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.beta(th[0], th[1], size)

    def _scipy(self, th: Theta) -> Any:
        return st.beta(th[0], th[1])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        lx, l1x = self._logs(b.x, b)
        return Stats({"W": b.wsum, "slogx": b.wsum_of(lx), "slog1mx": b.wsum_of(l1x)},
                     moments={"x": block_moments(b, b.x)})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        W = stats.sums["W"]
        if np.ndim(W):
            return None  # per-group statistics: grouped fits take batched Newton
        g1, g2 = stats.sums["slogx"] / W, stats.sums["slog1mx"] / W
        _, m, m2 = stats.moments["x"]
        start = self._moment_start(m, m2 / W)
        a, b = fixed.get("a", start[0]), fixed.get("b", start[1])
        free = [n for n in ("a", "b") if n not in fixed]
        if not free:
            return dict(fixed)
        la, lb = math.log(a), math.log(b)
        fa, fb = "a" in free, "b" in free
        for _ in range(100):
            a, b = math.exp(la), math.exp(lb)
            pab, t = float(digamma(a + b)), float(trigamma(a + b))
            ga = (pab - float(digamma(a)) + g1) * a
            gb = (pab - float(digamma(b)) + g2) * b
            haa = (t - float(trigamma(a))) * a * a + ga
            hbb = (t - float(trigamma(b))) * b * b + gb
            hab = t * a * b
            # Newton on the log-parameters of the free block (concave: -H is PD here)
            if fa and fb:
                det = haa * hbb - hab * hab
                if not det > 0:
                    return None
                sa = -(hbb * ga - hab * gb) / det
                sb = -(haa * gb - hab * ga) / det
            else:
                sa = -ga / haa if fa else 0.0
                sb = -gb / hbb if fb else 0.0
            sa, sb = max(-2.0, min(2.0, sa)), max(-2.0, min(2.0, sb))
            la += sa
            lb += sb
            if max(abs(sa), abs(sb)) < 1e-13:
                break
        return {"a": math.exp(la), "b": math.exp(lb)}

    @staticmethod
    def _moment_start(m: Any, v: Any, s: Sample | None = None) -> tuple[Any, Any]:
        if s is None or np.ndim(m) == 0:
            if v <= 0 or v >= m * (1 - m):
                return 1.0, 1.0
            c = m * (1 - m) / v - 1.0
            return m * c, (1 - m) * c
        ok = (v > 0) & (v < m * (1 - m))
        with np.errstate(all="ignore"):
            c = m * (1 - m) / v - 1.0
        return s.pick(ok, m * c, 1.0), s.pick(ok, (1 - m) * c, 1.0)

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        a, b = p["a"], p["b"]
        return ((a - 1.0) * stats.sums["slogx"] + (b - 1.0) * stats.sums["slog1mx"]
                - stats.sums["W"] * float(betaln(a, b)))

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        a, b, W = p["a"], p["b"], stats.sums["W"]
        t = float(trigamma(a + b))
        return W * np.array([[t - float(trigamma(a)), t], [t, t - float(trigamma(b))]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        W, m, m2 = s.moments()
        a, b = self._moment_start(m, m2 / W, s)
        return {"a": fixed.get("a", a), "b": fixed.get("b", b)}

    def _degenerate(self, x0: float) -> dict[str, float]:
        # a point mass at x0: a, b -> inf with a / (a + b) = x0
        return {"a": math.inf, "b": math.inf}

    def _support_hint(self) -> str:
        return (" Hint: proportions of exactly 0 or 1 have zero density under a beta model; "
                "pass them as censored (Data.interval) or squeeze them into (0, 1).")


@register
class Uniform(Family):
    r"""Continuous uniform distribution on ``[low, high]``.

    .. math:: f(x) = \frac{1}{\text{high} - \text{low}},\quad \text{low} \le x \le \text{high}

    Parameters: ``low`` < ``high``. The MLE is the sample minimum and maximum — non-regular
    estimates with no Wald standard error (their sampling SD is ``(high-low) n^0.5/((n+1)(n+2)^0.5)``,
    of order 1/n, not 1/sqrt(n)).
    """

    name = "uniform"
    param_names = ("low", "high")
    scale_powers: ClassVar[dict[str, int] | None] = {"low": 1, "high": 1}
    data_unit_params = ("low", "high")
    domains = (Real, Real)
    support = Support()
    formula = "f(x) = 1 / (high - low), low <= x <= high"
    nonregular = ("low", "high")

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        if "low" in self.values and "high" in self.values and not self.values["low"] < self.values["high"]:
            from ..errors import ParameterError
            raise ParameterError(f"Uniform needs low < high; got low={self.values['low']}, "
                                 f"high={self.values['high']}.")

    def _support_bounds(self, th: Theta) -> tuple[float, float]:
        return float(th[0]), float(th[1])

    def _outside(self, x: Any, th: Theta) -> Any:
        return np.asarray((x < th[0]) | (x > th[1]))

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        lo, hi = th
        return np.where((x >= lo) & (x <= hi), -np.log(hi - lo), -np.inf)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        lo, hi = th
        return np.log(np.clip((x - lo) / (hi - lo), 0.0, 1.0))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        lo, hi = th
        return np.log(np.clip((hi - x) / (hi - lo), 0.0, 1.0))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[0] + q * (th[1] - th[0])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.uniform(th[0], th[1], size)

    def _scipy(self, th: Theta) -> Any:
        return st.uniform(th[0], th[1] - th[0])

    def _check_data(self, data: Data, fixed: dict[str, float]) -> None:
        if data.is_censored or data.is_truncated:
            raise FamilyError(
                "Uniform is fitted only to exactly observed, untruncated values; got censored or "
                "truncated data. Hint: its MLE with censoring sits on a moving support "
                "boundary; fit a Beta to the rescaled values instead."
            )
        if not fixed:
            return   # (no bound given: every value inside)
        lo, hi = fixed.get("low", -math.inf), fixed.get("high", math.inf)
        b = data.exact
        x = b.x
        if x.size and (b.x_extreme("min") < lo or b.x_extreme("max") > hi):
            from ..errors import DataError
            bad = (x < lo) | (x > hi)
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"Uniform with fixed bounds [{lo:g}, {hi:g}] requires every value inside; "
                            f"got {int(bad.sum())} outside (first at index "
                            f"{data.exact.row_of(i)}: {x[i]:g}).")

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        return Stats({"W": b.wsum}, mins={"min": block_extreme(b, b.x, "min")},
                     maxs={"max": block_extreme(b, b.x, "max")})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        lo, hi = fixed.get("low", stats.mins["min"]), fixed.get("high", stats.maxs["max"])
        ok = lo < hi
        return finish({"low": where(ok, lo, math.nan), "high": where(ok, hi, math.nan)})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        return -stats.sums["W"] * math.log(p["high"] - p["low"])

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        return np.zeros((2, 2))  # both parameters are non-regular (sample extremes)

    def _nonregular_from_extremes(self, ext: Any, fixed: dict[str, float]) -> dict[str, Any]:
        return {"low": ext("exact", "min"), "high": ext("exact", "max")}

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        return {"low": s.min(), "high": s.max()}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"low": x0, "high": x0}

    def mean(self) -> float:
        lo, hi = self.theta()
        return 0.5 * (lo + hi)

    def var(self) -> float:
        lo, hi = self.theta()
        return (hi - lo) ** 2 / 12.0


_ = Real
