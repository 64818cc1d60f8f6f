"""Families on the positive half-line with closed-form or statistics-based MLEs: LogNormal,
Gamma, InverseGaussian (plus shared helpers for positive data)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import digamma, gammainc, gammaincc, gammaln, log_ndtr

from .._core.domains import Positive, Real
from .._core.lazy import scipy_stats as st
from .._data.data import Block, Data
from .base import Derivs, Family, Support
from .real import Normal
from .registry import register
from .samples import as_sample, sample_start
from .stats import Stats, block_moments, div, finish, ln, trigamma, value_sums, where
from .stats import gamma_shape as _gamma_shape
from .stats import inv_digamma as _inv_digamma

Theta = tuple[Any, ...]

_POS = Support(0.0, math.inf)


def _logx(blk: Block | None, x: Any) -> Any:
    if blk is not None and x is blk.x:
        return blk.cached("log_x", lambda: np.log(blk.x))
    return np.log(x)


@register
class LogNormal(Normal):
    r"""Log-normal distribution: ``log x`` is Normal(mu, sigma).

    .. math:: f(x) = \frac{1}{x\sigma\sqrt{2\pi}}\exp\!\left(-\frac{(\log x-\mu)^2}{2\sigma^2}\right)

    Parameters: ``mu`` and ``sigma`` are the mean and SD of ``log x`` (``exp(mu)`` is the
    median).
    """

    name = "lognormal"
    # its statistics are moments of log x, not Normal's sum of x
    value_sums: ClassVar[tuple[str, ...]] = ()
    data_unit_params = ()
    scale_powers: ClassVar[dict[str, int] | None] = {"mu": 0, "sigma": 0}
    log_scale_params = ("mu",)     # x -> c x shifts mu by log c
    support = _POS
    formula = "f(x) = exp(-(log x - mu)^2 / (2 sigma^2)) / (x sigma sqrt(2 pi))"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        lx = _logx(blk, x)
        return super()._logpdf(lx, th, blk) - lx

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return super()._logcdf(_logx(blk, x), th, blk)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return super()._logsf(_logx(blk, x), th, blk)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        lx = _logx(blk, x)
        v, g, h = super()._d_logpdf(lx, th, blk)
        return v - lx, g, h

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        return super()._d_logcdf(_logx(blk, x), th, blk)

    def _loc_x(self, blk: Block) -> tuple[Any, float]:
        lx = _logx(blk, blk.x)
        return lx, -blk.cached("sum_log_x", lambda: blk.wsum_of(lx))

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        return super()._d_logsf(_logx(blk, x), th, blk)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return np.exp(super()._ppf(q, th))

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.lognormal(th[0], th[1], size)

    def _scipy(self, th: Theta) -> Any:
        return st.lognorm(th[1], scale=math.exp(th[0]))

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        lx = b.cached("log_x", lambda: np.log(b.x))
        return Stats({"slogx": b.wsum_of(lx)}, moments={"x": block_moments(b, lx)})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        return super()._stats_loglik(stats, p) - stats.sums["slogx"]

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        m, sd = s.log_moments()
        return {"mu": m, "sigma": s.pick(sd > 0, sd, 1.0)}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"mu": math.log(x0), "sigma": 0.0}


@register
class Gamma(Family):
    r"""Gamma distribution (shape–scale).

    .. math:: f(x) = \frac{x^{k-1} e^{-x/\theta}}{\Gamma(k)\,\theta^k}

    Parameters: ``shape`` (k > 0), ``scale`` (θ > 0); mean ``k θ``. Fitted from two statistics
    (mean of x and of log x) with a few Newton steps on ``log k − ψ(k) = s``.
    """

    name = "gamma"
    regression_param = "mean"
    closed_form_method = "newton-on-statistics"
    value_sums: ClassVar[tuple[str, ...]] = ("x", "log")
    param_names = ("shape", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1}
    domains = (Positive, Positive)
    support = _POS
    formula = "f(x) = x^(shape-1) exp(-x/scale) / (Gamma(shape) scale^shape)"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k, s = th
        return -gammaln(k) - k * np.log(s) + (k - 1.0) * _logx(blk, x) - x / s

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        k, s = th
        lx = _logx(blk, x)
        val = -gammaln(k) - k * np.log(s) + (k - 1.0) * lx - x / s
        gk = -digamma(k) - np.log(s) + lx
        gs = -k / s + x / s**2
        return val, [gk, gs], [[-trigamma(k), -1.0 / s], [-1.0 / s, k / s**2 - 2.0 * x / s**3]]

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return np.log(gammainc(th[0], x / th[1]))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return np.log(gammaincc(th[0], x / th[1]))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.gamma.ppf(q, th[0], scale=th[1])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.gamma(th[0], th[1], size)

    def _scipy(self, th: Theta) -> Any:
        return st.gamma(th[0], scale=th[1])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        sx, sl = value_sums(b, self.value_sums)
        return Stats({"W": b.wsum, "sx": sx, "slogx": sl})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        W, sx, sl = stats.sums["W"], stats.sums["sx"], stats.sums["slogx"]
        mean, mlog = sx / W, sl / W
        if "shape" in fixed and "scale" in fixed:
            return dict(fixed)
        if "shape" in fixed:
            return finish({"shape": fixed["shape"], "scale": mean / fixed["shape"]})
        if "scale" in fixed:
            return finish({"shape": _inv_digamma(mlog - np.log(fixed["scale"])),
                           "scale": fixed["scale"]})
        k = _gamma_shape(ln(mean) - mlog)       # NaN unless log(mean) > mean(log x)
        return finish({"shape": k, "scale": div(mean, k)})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        k, s = p["shape"], p["scale"]
        W = stats.sums["W"]
        return (-W * (float(gammaln(k)) + k * math.log(s)) + (k - 1.0) * stats.sums["slogx"]
                - stats.sums["sx"] / s)

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        k, s = p["shape"], p["scale"]
        W, sx = stats.sums["W"], stats.sums["sx"]
        return np.array([[-W * float(trigamma(k)), -W / s],
                         [-W / s, W * k / s**2 - 2.0 * sx / s**3]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        m = s.mean()
        ml, _ = s.log_moments()
        d = s.pick(m > 0, lambda: ln(m) - ml, 0.0)
        k = fixed.get("shape", s.pick(d > 1e-12, _gamma_shape(d),
                                      lambda: 1.0 / np.maximum(s.sd() / m, 1e-3) ** 2))
        return {"shape": k, "scale": fixed.get("scale", m / k)}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"shape": math.inf, "scale": 0.0}


@register
class InverseGaussian(Family):
    r"""Inverse Gaussian (Wald) distribution.

    .. math:: f(x) = \sqrt{\frac{\lambda}{2\pi x^3}}\exp\!\left(-\frac{\lambda (x-\mu)^2}{2\mu^2 x}\right)

    Parameters: ``mu`` (mean, > 0), ``shape`` (λ > 0); variance ``mu^3/shape``. Closed-form MLE:
    ``mu = mean(x)``, ``1/shape = mean(1/x − 1/mu)``.
    """

    name = "inverse_gaussian"
    value_sums: ClassVar[tuple[str, ...]] = ("x", "inv", "log")
    param_names = ("mu", "shape")
    scale_powers: ClassVar[dict[str, int] | None] = {"mu": 1, "shape": 1}
    domains = (Positive, Positive)
    support = _POS
    formula = "f(x) = sqrt(shape / (2 pi x^3)) exp(-shape (x - mu)^2 / (2 mu^2 x))"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        mu, lam = th
        return (0.5 * np.log(lam / (2 * math.pi)) - 1.5 * _logx(blk, x)
                - 0.5 * (lam / x) * ((x - mu) / mu) ** 2)     # ratios first: no overflow

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        mu, lam = th
        d = x - mu
        val = 0.5 * np.log(lam / (2 * math.pi)) - 1.5 * _logx(blk, x) - lam * d * d / (2 * mu * mu * x)
        gm = lam * d / mu**3
        gl = 0.5 / lam - d * d / (2 * mu * mu * x)
        hmm = -lam * (3.0 * x - 2.0 * mu) / mu**4
        hml = d / mu**3
        return val, [gm, gl], [[hmm, hml], [hml, -0.5 / lam**2 + 0.0 * d]]

    def _ab(self, x: Any, th: Theta) -> tuple[Any, Any, Any]:
        mu, lam = th
        r = np.sqrt(lam / x)
        return r * (x / mu - 1.0), -r * (x / mu + 1.0), 2.0 * lam / mu

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        a, b, c = self._ab(x, th)
        return np.logaddexp(log_ndtr(a), c + log_ndtr(b))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        a, b, c = self._ab(x, th)
        la = log_ndtr(-a)
        return la + np.log1p(-np.exp(np.minimum(c + log_ndtr(b) - la, 0.0)))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.invgauss.ppf(q, th[0] / th[1], scale=th[1])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.wald(th[0], th[1], size)

    def _scipy(self, th: Theta) -> Any:
        return st.invgauss(th[0] / th[1], scale=th[1])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        sx, si, sl = value_sums(b, self.value_sums)
        return Stats({"W": b.wsum, "sx": sx, "sinv": si, "slogx": sl})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        W, sx, si = stats.sums["W"], stats.sums["sx"], stats.sums["sinv"]
        mu = fixed.get("mu", sx / W)
        # sum (x - mu)^2 / (mu^2 x) = si - 2W/mu + sx/mu^2
        q = si - 2.0 * W / mu + sx / mu**2
        if "shape" in fixed:
            return finish({"mu": mu, "shape": fixed["shape"]})
        return finish({"mu": mu, "shape": where(q > 0, div(W, q), math.nan)})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        mu, lam = p["mu"], p["shape"]
        W, sx, si = stats.sums["W"], stats.sums["sx"], stats.sums["sinv"]
        q = si - 2.0 * W / mu + sx / mu**2
        return 0.5 * W * math.log(lam / (2 * math.pi)) - 1.5 * stats.sums["slogx"] - lam * q / 2

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        mu, lam = p["mu"], p["shape"]
        W, sx = stats.sums["W"], stats.sums["sx"]
        hml = (sx - W * mu) / mu**3
        return np.array([[-lam * (3.0 * sx - 2.0 * W * mu) / mu**4, hml], [hml, -0.5 * W / lam**2]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        mu = fixed.get("mu", s.mean())
        q = s.mean(1.0 / s.x) - 1.0 / mu
        return {"mu": mu, "shape": fixed.get("shape", s.pick(q > 0, lambda: 1.0 / q, mu))}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"mu": x0, "shape": math.inf}


_ = Real  # re-exported domain kept for subclasses
