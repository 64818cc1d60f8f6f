"""Families for counts: Poisson, Bernoulli, Binomial, Geometric, NegativeBinomial."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import betainc, betaln, digamma, gammainc, gammaincc, gammaln, xlog1py, xlogy

from .._core.domains import Positive, UnitInterval
from .._core.lazy import scipy_stats as st
from .._data.data import Block, Data, fdot
from ..errors import ParameterError
from .base import Derivs, Family, Support
from .registry import register
from .samples import as_sample, sample_start
from .shapes import Counts, CumHaz, KnownTrials
from .stats import FastFit, Stats, bd0, newton_1d, stirlerr, trigamma, xlogy_s

Theta = tuple[Any, ...]

_POISSON_LIMIT = 1e10


def _lgamma1(blk: Block, x: Any) -> Any:
    if x is blk.x:
        return blk.cached("lgamma_x1", lambda: _lgamma1_of(blk))
    return gammaln(x + 1.0)


# gammaln(k + 1) for the counts k < _LGF_SIZE, computed on first use
_LGF_SIZE = 1024
_LGF: list[np.ndarray] = []


def _lgamma1_of(blk: Block) -> Any:
    """``gammaln(x + 1)`` of a block's values; for counts known to be integers in
    ``[0, _LGF_SIZE)`` (the integers cached by the quick lane's check or by
    ``compress_counts``), a lookup in the table of the same ``gammaln`` values (identical, one
    ufunc call fewer per fit)."""
    c = blk._cache
    xi = c.get("intp")
    if xi is not None and c.get("min", -1.0) >= 0.0 and c.get("max", math.inf) < _LGF_SIZE:
        if not _LGF:
            _LGF.append(gammaln(np.arange(_LGF_SIZE, dtype=np.float64) + 1.0))
        return _LGF[0][xi]
    return gammaln(blk.x + 1.0)


def _psi_diffs(x: Any, r: Any) -> tuple[Any, Any] | None:
    """``digamma(x + r) - digamma(r)`` and ``trigamma(x + r) - trigamma(r)`` for counts ``x``
    and one ``r``, as the exact sums of ``1/(r+j)`` and ``-1/(r+j)^2`` over ``j < x`` (no
    cancellation; far faster than the Hurwitz zeta for small counts). None when not applicable."""
    if np.ndim(r) != 0 or not isinstance(x, np.ndarray) or x.ndim != 1 or x.size < 64:
        return None
    top = float(x.max())
    if not (float(x.min()) >= 0 and top <= min(10_000.0, 4.0 * x.size)) or not np.all(
            x == np.floor(x)):
        return None
    inv = 1.0 / (float(r) + np.arange(int(top)))
    c1 = np.concatenate(([0.0], np.cumsum(inv)))
    c2 = np.concatenate(([0.0], np.cumsum(inv * inv)))
    k = x.astype(np.intp)
    return c1[k], -c2[k]


@register
class Poisson(Counts):
    r"""Poisson distribution for counts.

    .. math:: P(X = k) = \frac{\lambda^k e^{-\lambda}}{k!},\quad k = 0, 1, 2, \dots

    Parameter: ``rate`` (λ > 0; mean and variance). Closed-form MLE: the sample mean.
    """

    name = "poisson"
    param_names = ("rate",)
    domains = (Positive,)
    formula = "P(k) = rate^k exp(-rate) / k!"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        lg = _lgamma1(blk, x) if blk is not None else gammaln(x + 1.0)
        return xlogy(x, th[0]) - th[0] - lg

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        r = th[0]
        return self._logpdf(x, th, blk), [x / r - 1.0], [[-x / r**2]]

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k = np.floor(x)
        with np.errstate(invalid="ignore"):
            return np.where(k < 0, -np.inf, np.log(gammaincc(np.maximum(k, 0) + 1.0, th[0])))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k = np.floor(x)
        return np.where(k < 0, 0.0, np.log(gammainc(np.maximum(k, 0) + 1.0, th[0])))

    def _d_tail(self, x: Any, th: Theta, lower: bool) -> Derivs:
        r = th[0]
        k = np.maximum(np.floor(x), 0.0)
        lp = xlogy(k, r) - r - gammaln(k + 1.0)
        V = self._logcdf(x, th, None) if lower else self._logsf(x, th, None)
        q = np.exp(lp - V)
        neg = np.floor(x) < 0
        if lower:   # d log F / dr = -p/F
            d1 = -q
            d2 = -q * (k / r - 1.0) - q * q
        else:       # d log S / dr = p/S
            d1 = q
            d2 = q * (k / r - 1.0) - q * q
        d1 = np.where(neg, 0.0, d1)
        d2 = np.where(neg, 0.0, d2)
        return V, [d1], [[d2]]

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        return self._d_tail(x, th, True)

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        return self._d_tail(x, th, False)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.poisson.ppf(q, th[0])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.poisson(th[0], size).astype(float)

    def _scipy(self, th: Theta) -> Any:
        return st.poisson(th[0])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        return Stats({"W": b.wsum, "sx": b.wsum_of(b.x), "slgam": b.wsum_of(_lgamma1(b, b.x))})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        if fixed:
            return dict(fixed)
        return {"rate": stats.sums["sx"] / stats.sums["W"]}

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        r = p["rate"]
        return float(xlogy_s(stats.sums["sx"], r)) - stats.sums["W"] * r - stats.sums["slgam"]

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        return np.array([[-stats.sums["sx"] / p["rate"] ** 2]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        return {"rate": s.clip(s.mean(), 0.5, math.inf)}


@register
class Bernoulli(Counts):
    r"""Bernoulli distribution: one trial, success (1) or failure (0).

    .. math:: P(X = x) = p^x (1-p)^{1-x},\quad x \in \{0, 1\}

    Parameter: ``p`` (success probability). Closed-form MLE: the proportion of ones — the
    coin that lands heads 7 times in 10 gives ``p = 0.7``.
    """

    name = "bernoulli"
    param_names = ("p",)
    domains = (UnitInterval,)
    support = Support(0.0, 1.0, lower_closed=True, upper_closed=True, integer=True)
    formula = "P(x) = p^x (1-p)^(1-x), x in {0, 1}"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        p = th[0]
        return xlogy(x, p) + xlog1py(1.0 - x, -p)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        p = th[0]
        return (self._logpdf(x, th, blk), [x / p - (1.0 - x) / (1.0 - p)],
                [[-x / p**2 - (1.0 - x) / (1.0 - p) ** 2]])

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k = np.floor(x)
        return np.where(k < 0, -np.inf, np.where(k >= 1, 0.0, np.log1p(-th[0])))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k = np.floor(x)
        return np.where(k < 0, 0.0, np.where(k >= 1, -np.inf, np.log(th[0])))

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        p = th[0]
        at0 = np.floor(x) == 0
        return (self._logcdf(x, th, blk), [np.where(at0, -1.0 / (1 - p), 0.0)],
                [[np.where(at0, -1.0 / (1 - p) ** 2, 0.0)]])

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        p = th[0]
        at0 = np.floor(x) == 0
        return (self._logsf(x, th, blk), [np.where(at0, 1.0 / p, 0.0)],
                [[np.where(at0, -1.0 / p**2, 0.0)]])

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.bernoulli.ppf(q, th[0])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return (rng.random(size) < th[0]).astype(float)

    def _scipy(self, th: Theta) -> Any:
        return st.bernoulli(th[0])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        return Stats({"W": b.wsum, "sx": b.wsum_of(b.x)})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        if fixed:
            return dict(fixed)
        return {"p": stats.sums["sx"] / stats.sums["W"]}

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        s, W = stats.sums["sx"], stats.sums["W"]
        return float(xlogy_s(s, p["p"]) + xlog1py(W - s, -p["p"]))

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        s, W, q = stats.sums["sx"], stats.sums["W"], p["p"]
        return np.array([[-s / q**2 - (W - s) / (1.0 - q) ** 2]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        return {"p": s.clip(s.mean(), 0.01, 0.99)}

    def _support_hint(self) -> str:
        return " Hint: code outcomes as 0/1 (or True/False); for k successes in n trials use binomial."


@register
class Binomial(KnownTrials):
    r"""Binomial distribution: successes in ``n`` trials.

    .. math:: P(X = k) = \binom{n}{k} p^k (1-p)^{n-k}

    Parameter: ``p``. The number of trials ``n`` is known, not estimated: give it to the family
    (``mk.Binomial(n=10)``) or per observation (``mk.Data(k, trials=n)``). MLE: Σk / Σn.

    Parameters
    ----------
    n
        The known number of trials (or give it per row: ``mk.Data(k, trials=n)``).
    **params
        Known values of some or all of its parameters, e.g. ``mk.Binomial(n=10, p=0.3)``: with
        all of them it is a distribution (``pdf``, ``cdf``, ``sample`` ...); in a fit they are
        held fixed.
    """

    name = "binomial"
    param_names = ("p",)
    domains = (UnitInterval,)
    formula = "P(k) = C(n, k) p^k (1-p)^(n-k), n trials known"

    def _for_data(self, data: Data) -> Family:
        """With no ``n`` of its own: the family with the data's one trial count."""
        if self.n is not None:
            return self
        trials = np.concatenate([b.trials for b in data.blocks.values()
                                 if b.size and b.trials is not None])
        if trials.size == 0 or np.any(trials != trials[0]):
            raise ParameterError("a binomial plot needs one number of trials for every row; got "
                                 "rows with different trials. Hint: plot the success fraction, or "
                                 "fit each trial count separately.")
        return Binomial(n=int(trials[0]), **self.values)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        n = self._trials(blk)
        p = th[0]
        return (gammaln(n + 1.0) - gammaln(x + 1.0) - gammaln(n - x + 1.0) + xlogy(x, p)
                + xlog1py(n - x, -p))

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        n = self._trials(blk)
        p = th[0]
        return (self._logpdf(x, th, blk), [x / p - (n - x) / (1.0 - p)],
                [[-x / p**2 - (n - x) / (1.0 - p) ** 2]])

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        n = self._trials(blk)
        k = np.floor(x)
        with np.errstate(invalid="ignore"):
            v = np.log(betainc(np.maximum(n - k, 1e-300), k + 1.0, 1.0 - th[0]))
        return np.where(k < 0, -np.inf, np.where(k >= n, 0.0, v))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        n = self._trials(blk)
        k = np.floor(x)
        with np.errstate(invalid="ignore"):
            v = np.log(betainc(np.maximum(k + 1.0, 1e-300), np.maximum(n - k, 1e-300), th[0]))
        return np.where(k < 0, 0.0, np.where(k >= n, -np.inf, v))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.binom.ppf(q, self._trials(None), th[0])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.binomial(int(self._trials(None)), th[0], size).astype(float)

    def _scipy(self, th: Theta) -> Any:
        return st.binom(int(self._trials(None)), th[0])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        n = self._trials(b)
        lc = gammaln(n + 1.0) - gammaln(b.x + 1.0) - gammaln(n - b.x + 1.0)
        return Stats({"sx": b.wsum_of(b.x), "sn": b.wsum_of(n), "slc": b.wsum_of(lc)})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        if fixed:
            return dict(fixed)
        return {"p": stats.sums["sx"] / stats.sums["sn"]}

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        s, n = stats.sums["sx"], stats.sums["sn"]
        return float(stats.sums["slc"] + xlogy_s(s, p["p"]) + xlog1py(n - s, -p["p"]))

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        s, n, q = stats.sums["sx"], stats.sums["sn"], p["p"]
        return np.array([[-s / q**2 - (n - s) / (1.0 - q) ** 2]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        n = self.n if self.n is not None else s.clip(s.max(), 1.0, math.inf)
        return {"p": s.clip(s.mean() / s.clip(n, 1, math.inf), 0.01, 0.99)}

    def mean(self) -> float:
        return float(self._trials(None)) * self.theta()[0]

    def var(self) -> float:
        p = self.theta()[0]
        return float(self._trials(None)) * p * (1 - p)


@register
class Geometric(Counts, CumHaz):
    r"""Geometric distribution: failures before the first success.

    .. math:: P(X = k) = (1-p)^k\, p,\quad k = 0, 1, 2, \dots

    Parameter: ``p`` (success probability per trial); mean ``(1-p)/p``. Closed-form MLE
    ``p = 1/(1 + mean)``.
    """

    name = "geometric"
    param_names = ("p",)
    domains = (UnitInterval,)
    formula = "P(k) = (1-p)^k p, k = 0, 1, 2, ..."

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        p = th[0]
        return xlog1py(x, -p) + np.log(p)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        p = th[0]
        return (self._logpdf(x, th, blk), [-x / (1.0 - p) + 1.0 / p],
                [[-x / (1.0 - p) ** 2 - 1.0 / p**2]])

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        p = th[0]
        m = np.maximum(np.floor(x) + 1.0, 0.0)
        return -m * np.log1p(-p), [m / (1.0 - p)], [[m / (1.0 - p) ** 2]]

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.geom.ppf(q, th[0], loc=-1)

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return (rng.geometric(th[0], size) - 1).astype(float)

    def _scipy(self, th: Theta) -> Any:
        return st.geom(th[0], loc=-1)

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        return Stats({"W": b.wsum, "sx": b.wsum_of(b.x)})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        if fixed:
            return dict(fixed)
        W, s = stats.sums["W"], stats.sums["sx"]
        return {"p": W / (W + s)}

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        return float(xlog1py(stats.sums["sx"], -p["p"]) + stats.sums["W"] * math.log(p["p"]))

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        q = p["p"]
        return np.array([[-stats.sums["sx"] / (1.0 - q) ** 2 - stats.sums["W"] / q**2]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        return {"p": s.clip(1.0 / (1.0 + s.mean()), 0.01, 0.99)}


# counts and size above this: the negative binomial pmf by the saddle-point form
_SADDLE = 100


@register
class NegativeBinomial(Counts):
    r"""Negative binomial distribution for over-dispersed counts (mean–size form).

    .. math:: P(X = k) = \frac{\Gamma(k + r)}{k!\,\Gamma(r)}
              \left(\frac{r}{r+m}\right)^r \left(\frac{m}{r+m}\right)^k

    Parameters: ``mean`` (m > 0), ``size`` (r > 0, the dispersion); variance
    ``m + m^2/r``. As ``size`` → ∞ it becomes Poisson(m). The MLE of ``mean`` is the sample
    mean; ``size`` needs Newton steps, done on the counts compressed to their distinct values.
    """

    name = "negative_binomial"
    boundary_hints: ClassVar[dict[str, str]] = {
        "size": "; the counts are not over-dispersed: fit 'poisson' instead"}
    param_names = ("mean", "size")
    domains = (Positive, Positive)
    formula = "P(k) = Gamma(k+size)/(k! Gamma(size)) (size/(size+mean))^size (mean/(size+mean))^k"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        # log C(x+r-1, x) = -log x - log B(r, x) (x > 0); written with log1p so that it stays
        # accurate as size -> infinity (the Poisson limit)
        # and x log(m/(r+m)) as -x log1p(r/m) (exact at huge counts with a small size)
        m, r = th
        comb = None
        if blk is not None and x is blk.x and np.ndim(r) == 0 and x.size >= 64:
            # the combinatorial term on the distinct counts only (few, for count data)
            u, inv = blk.cached("unique_inverse", lambda: np.unique(blk.x, return_inverse=True))
            if 4 * u.size <= x.size:
                us = np.maximum(u, 1.0)
                comb = np.where(u > 0, -np.log(us) - betaln(r, us), 0.0)[inv]
        if comb is None:
            xs = np.maximum(x, 1.0)
            comb = np.where(x > 0, -np.log(xs) - betaln(r, xs), 0.0)
        out = comb - r * np.log1p(m / r) - x * np.log1p(r / m)
        big = (np.asarray(x) > _SADDLE) & (np.asarray(r) > _SADDLE)
        if np.any(big):
            # counts and size both huge: the terms above cancel; Loader's saddle-point form
            # (R's dnbinom_mu) keeps full precision
            with np.errstate(all="ignore"):
                n = x + r
                sp = (np.log(r / n) + stirlerr(n) - stirlerr(r) - stirlerr(x)
                      - bd0(r, n * (r / (r + m))) - bd0(x, n * (m / (r + m)))
                      + 0.5 * np.log(n / (2 * math.pi * r * x)))
            out = np.where(big, sp, out)
        return out

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        m, r = th
        rm = r + m
        val = self._logpdf(x, th, blk)
        gm = x / m - (r + x) / rm
        diffs = _psi_diffs(x, r)
        if diffs is None:
            d1, d2 = digamma(x + r) - digamma(r), trigamma(x + r) - trigamma(r)
        else:
            d1, d2 = diffs
        gr = d1 + np.log(r) + 1.0 - np.log(rm) - (r + x) / rm
        hmm = -x / m**2 + (r + x) / rm**2
        hmr = (x - m) / rm**2
        hrr = d2 + 1.0 / r - 1.0 / rm - (m - x) / rm**2
        return val, [gm, gr], [[hmm, hmr], [hmr, hrr]]

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        m, r = th
        k = np.floor(x)
        with np.errstate(invalid="ignore"):
            v = np.log(betainc(r, np.maximum(k, 0) + 1.0, r / (r + m)))
        return np.where(k < 0, -np.inf, v)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        m, r = th
        k = np.floor(x)
        v = np.log(betainc(np.maximum(k, 0) + 1.0, r, m / (r + m)))
        return np.where(k < 0, 0.0, v)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return self._scipy(th).ppf(q)

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        m, r = th
        return rng.negative_binomial(r, r / (r + m), size).astype(float)

    def _scipy(self, th: Theta) -> Any:
        m, r = th
        return st.nbinom(r, r / (r + m))

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        """Mean = sample mean (exact for every size); size by 1-D Newton on log(size)."""
        if "mean" in fixed or not data.only_exact or data.is_truncated:
            return None
        b = data.exact
        W = b.wsum
        m = b.wsum_of(b.x) / W
        if "size" in fixed:
            return FastFit({"mean": m, "size": fixed["size"]}, "closed-form")
        var = b.wsum_of((b.x - m) ** 2) / W
        if m <= 0:
            return None
        if var <= m:
            # not over-dispersed: the supremum is the Poisson limit size -> infinity
            return FastFit({"mean": m, "size": _POISSON_LIMIT * max(m, 1.0)}, "closed-form")
        x, w = b.x, (np.ones_like(b.x) if b.w is None else b.w)

        def score(t: float) -> tuple[float, float]:
            r = math.exp(t)
            g = float(fdot(w, digamma(x + r))) - W * float(digamma(r)) + W * math.log(r / (r + m))
            h = (float(fdot(w, trigamma(x + r))) - W * float(trigamma(r))
                 + W * (1.0 / r - 1.0 / (r + m)))
            return g * r, h * r * r + g * r

        t, it, ok = newton_1d(score, math.log(m * m / (var - m)), max_step=3.0)
        return FastFit({"mean": m, "size": math.exp(t)}, "profile-newton (on distinct counts)", it, ok)

    def _boundary_message(self, name: str, params: dict[str, float]) -> str | None:
        if name == "size" and params["size"] >= 1e6 * max(params["mean"], 1.0):
            return f"size = {params['size']:.3g} is effectively infinite (the Poisson limit)"
        return None

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        m = s.clip(s.mean(), 0.1, math.inf)
        v = s.mean((s.x - s.rows(m)) ** 2)
        r = s.pick(v > m * 1.01, lambda: m * m / (v - m), 100.0 * m)
        return {"mean": fixed.get("mean", m), "size": fixed.get("size", s.clip(r, 1e-3, 1e6))}
