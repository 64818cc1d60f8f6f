"""Count families of the wider catalogue: beta-binomial, zero-truncated Poisson, logarithmic
(log-series)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import betaln, gammaln, pdtr, pdtrc

from .._core.domains import Positive, UnitInterval
from .._core.lazy import scipy_stats as st
from .._data.data import Block, Data
from .base import Derivs, Support, register
from .shapes import Counts, KnownTrials
from .stats import log1mexp as _log1mexp

__all__ = ["BetaBinomial", "ZTPoisson", "LogSeries"]

Theta = tuple[Any, ...]
_POSITIVE_COUNTS = Support(1.0, math.inf, lower_closed=True, integer=True)


@register
class BetaBinomial(KnownTrials):
    r"""Beta-binomial distribution: successes in ``n`` trials whose success probability varies
    as Beta(a, b) (over-dispersed binomial counts).

    .. math:: P(X = k) = \binom{n}{k}\frac{B(k + a,\, n - k + b)}{B(a, b)}

    Parameters: ``a``, ``b`` (> 0); mean ``n a/(a+b)``. The number of trials is known, as for
    the binomial: ``mk.BetaBinomial(n=10)`` or per row ``mk.Data(k, trials=n)``. scipy's
    ``betabinom(n, a, b)``.

    Parameters
    ----------
    n
        The known number of trials (or give it per row: ``mk.Data(k, trials=n)``).
    **params
        Known values of some or all of its parameters, e.g. ``mk.BetaBinomial(n=10, a=2.0, b=3.0)``: with
        all of them it is a distribution (``pdf``, ``cdf``, ``sample`` ...); in a fit they are
        held fixed.
    """

    name = "beta_binomial"
    param_names = ("a", "b")
    domains = (Positive, Positive)
    formula = "P(k) = C(n, k) B(k + a, n - k + b) / B(a, b), n trials known"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        n = self._trials(blk)
        a, b = th
        return (gammaln(n + 1.0) - gammaln(x + 1.0) - gammaln(n - x + 1.0)
                + betaln(x + a, n - x + b) - betaln(a, b))

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        n = self._trials(blk)
        k = np.floor(x)
        with np.errstate(all="ignore"):
            v = st.betabinom.logcdf(k, n, th[0], th[1])
        return np.where(k < 0, -np.inf, np.where(k >= n, 0.0, v))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        n = self._trials(blk)
        k = np.floor(x)
        with np.errstate(all="ignore"):
            v = st.betabinom.logsf(k, n, th[0], th[1])
        return np.where(k < 0, 0.0, np.where(k >= n, -np.inf, v))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return self._scipy(th).ppf(q)

    def _scipy(self, th: Theta) -> Any:
        return st.betabinom(int(self._trials(None)), th[0], th[1])

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        n = float(self.n) if self.n is not None else max(float(x.max()), 1.0)
        m = min(max(float(np.average(x, weights=w)) / n, 0.02), 0.98)
        v = float(np.average((x - m * n) ** 2, weights=w))
        # method of moments: var = n m (1-m) (1 + (n-1) rho), rho = 1/(a + b + 1)
        rho = (v / (n * m * (1 - m)) - 1.0) / (n - 1.0) if n > 1 else 0.5
        rho = min(max(rho, 0.01), 0.9)
        ab = 1.0 / rho - 1.0
        return {"a": fixed.get("a", m * ab), "b": fixed.get("b", (1.0 - m) * ab)}

    def mean(self) -> float:
        a, b = self.theta()
        return float(self._trials(None)) * a / (a + b)

    def _fit_diagnostics(self, params: dict[str, float], data: Data, converged: bool,
                         fixed: dict[str, float] | None = None) -> list[tuple[str, str, str, str]]:
        """Under-dispersed counts: the supremum of the likelihood is its binomial limit (a, b ->
        inf along a flat ridge), and Newton stops anywhere on that ridge — or stalls on it, and
        the fallback stops unconverged far out (a + b >= 1e4: the dispersion is then 1e-4 from
        the binomial's; how far out depends on the machine's rounding). Said as a boundary when
        the binomial with ``p = sum k / sum n`` is at least as likely as the estimate."""
        if fixed or not data.only_exact or not (converged or params["a"] + params["b"] >= 1e4):
            return []
        blk = data.exact
        n = np.broadcast_to(np.asarray(self._trials(blk), dtype=float), blk.x.shape)
        k = blk.x
        tot = blk.wsum_of(n)
        if not tot > 0:
            return []
        p = blk.wsum_of(k) / tot
        if not 0.0 < p < 1.0:
            return []
        comb = gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
        binom = blk.wsum_of(comb + k * math.log(p) + (n - k) * math.log1p(-p))
        here = blk.wsum_of(self._logpdf(k, (params["a"], params["b"]), blk))
        if binom < here - 1e-9 * max(1.0, abs(here)):
            return []
        return [("boundary", f"a + b = {params['a'] + params['b']:.3g} is effectively infinite: "
                 "the counts are not over-dispersed, so the likelihood's supremum is its "
                 "binomial limit (a, b -> inf with a/(a+b) = p); fit 'binomial'", "warning", "a")]


@register
class ZTPoisson(Counts):
    r"""Zero-truncated Poisson: a Poisson count given that it is at least 1.

    .. math:: P(X = k) = \frac{\lambda^k e^{-\lambda}}{k!\,(1 - e^{-\lambda})},\quad k = 1, 2, \dots

    Parameter: ``rate`` (λ > 0, the rate of the untruncated Poisson; the mean is
    ``λ/(1 − e^{−λ})``).
    """

    name = "zt_poisson"
    param_names = ("rate",)
    domains = (Positive,)
    support = _POSITIVE_COUNTS
    formula = "P(k) = rate^k exp(-rate) / (k! (1 - exp(-rate))), k >= 1"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        r = th[0]
        return x * np.log(r) - r - gammaln(x + 1.0) - _log1mexp(-r)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        r = th[0]
        e = np.expm1(r)
        return (self._logpdf(x, th, blk), [x / r - 1.0 - 1.0 / e],
                [[-x / r**2 + (e + 1.0) / e**2]])

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        r = th[0]
        k = np.floor(x)
        with np.errstate(all="ignore"):
            v = np.log(pdtrc(np.maximum(k, 0.0), r)) - _log1mexp(-r)
        return np.where(k < 1, 0.0, v)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        r = th[0]
        k = np.floor(x)
        with np.errstate(all="ignore"):
            # F(k) = (P(X <= k) - e^-r) / (1 - e^-r) for the untruncated X
            num = np.log(np.maximum(pdtr(np.maximum(k, 0.0), r) - np.exp(-r), 0.0))
            v = np.minimum(num - _log1mexp(-r), 0.0)
            v = np.where(v > -0.6931, _log1mexp(np.minimum(self._logsf(x, th, blk), 0.0)), v)
        return np.where(k < 1, -np.inf, v)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return self._scipy(th).ppf(q)

    def _scipy(self, th: Theta) -> Any:
        r = th[0]
        top = int(r + 40.0 * math.sqrt(r) + 60.0)
        k = np.arange(1, top + 1)
        p = np.exp(self._logpdf(k.astype(float), th, None))
        return st.rv_discrete(values=(k, p / p.sum()))

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        # inversion on u in (e^-r, 1) of the untruncated Poisson cdf
        r = th[0]
        u = rng.uniform(math.exp(-r), 1.0, size)
        return st.poisson.ppf(u, r).astype(float)

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        m = float(np.average(x, weights=w))
        r = max(m - 1.0, 0.0) + 1e-3 if m < 2 else m   # mean = r/(1 - e^-r) ≈ r for large r
        for _ in range(50):     # Newton on r/(1 - e^-r) = m
            e = math.exp(-r)
            f = r / (1.0 - e) - m
            fp = (1.0 - e - r * e) / (1.0 - e) ** 2
            r = max(r - f / fp, 1e-8)
        return {"rate": fixed.get("rate", r)}

    def mean(self) -> float:
        r = self.theta()[0]
        return r / -math.expm1(-r)


@register
class LogSeries(Counts):
    r"""Logarithmic (log-series) distribution.

    .. math:: P(X = k) = \frac{-p^k}{k \log(1-p)},\quad k = 1, 2, \dots

    Parameter: ``p`` in (0, 1); scipy's ``logser(p)`` (Fisher's species-abundance law).
    """

    name = "logseries"
    param_names = ("p",)
    domains = (UnitInterval,)
    support = _POSITIVE_COUNTS
    formula = "P(k) = -p^k / (k log(1 - p)), k >= 1"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        p = th[0]
        return x * np.log(p) - np.log(x) - np.log(-np.log1p(-p))

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        p = th[0]
        L = np.log1p(-p)
        return (self._logpdf(x, th, blk), [x / p + 1.0 / ((1.0 - p) * L)],
                [[-x / p**2 + (L + 1.0) / ((1.0 - p) ** 2 * L * L)]])

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k = np.floor(x)
        with np.errstate(all="ignore"):
            v = st.logser.logcdf(k, th[0])
        return np.where(k < 1, -np.inf, v)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k = np.floor(x)
        with np.errstate(all="ignore"):
            v = st.logser.logsf(k, th[0])
        return np.where(k < 1, 0.0, v)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.logser.ppf(q, th[0])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.logseries(th[0], size).astype(float)

    def _scipy(self, th: Theta) -> Any:
        return st.logser(th[0])

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        m = float(np.average(x, weights=w))
        if m <= 1.0:
            return {"p": fixed.get("p", 0.01)}
        p = 1.0 - 1.0 / m
        for _ in range(60):     # Newton on the mean -p/((1-p) log(1-p)) = m, on p
            L = math.log1p(-p)
            f = -p / ((1.0 - p) * L) - m
            h = 1e-7 * max(p, 1e-8)
            L2 = math.log1p(-(p + h))
            fp = (-(p + h) / ((1.0 - p - h) * L2) - m - f) / h
            p = min(max(p - f / fp, 1e-9), 1.0 - 1e-12)
        return {"p": fixed.get("p", p)}
