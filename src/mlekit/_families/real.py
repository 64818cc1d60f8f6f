"""Families on the real line: Normal, Logistic, Gumbel, Laplace, Cauchy, StudentT."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import digamma, gammaln, log_ndtr, stdtr, stdtrit

from .._core.domains import Positive, Real
from .._core.lazy import scipy_stats as st
from .._core.passes import fused
from .._data.data import Block, Data, fdot
from .base import Derivs, Support
from .fused import cauchy_fit, exact_block
from .profiles import GUMBEL
from .registry import register
from .samples import as_sample, sample_start
from .shapes import LocScale
from .stats import EULER as _EULER
from .stats import FastFit, Stats, block_moments, finish, sqrt, trigamma
from .stats import wquantile_mid as _wquantile_mid

Theta = tuple[Any, ...]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


@register
class Normal(LocScale):
    r"""Normal (Gaussian) distribution.

    .. math:: f(x) = \frac{1}{\sigma\sqrt{2\pi}} \exp\!\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)

    Parameters: ``mu`` (mean, real), ``sigma`` (standard deviation, > 0).
    The MLE of ``sigma`` divides by n (it is not the unbiased sample SD).
    """

    name = "normal"
    value_sums: ClassVar[tuple[str, ...]] = ("x",)   # block_moments reads the cached sum of x
    param_names = ("mu", "sigma")
    scale_powers: ClassVar[dict[str, int] | None] = {"mu": 1, "sigma": 1}
    data_unit_params: ClassVar[tuple[str, ...]] = ("mu",)   # LogNormal: none
    domains = (Real, Positive)
    support = Support()
    formula = "f(x) = exp(-(x-mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))"

    def _g(self, z: Any, order: int) -> tuple[Any, Any, Any]:
        return -_LOG_SQRT_2PI - 0.5 * z * z, -z, -1.0

    def _G(self, z: Any) -> Any:
        return log_ndtr(z)

    def _S(self, z: Any) -> Any:
        return log_ndtr(-z)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.norm.ppf(q, th[0], th[1])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.normal(th[0], th[1], size)

    def _scipy(self, th: Theta) -> Any:
        return st.norm(th[0], th[1])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        return Stats(moments={"x": block_moments(b, b.x)})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        W, m, m2 = stats.moments["x"]
        mu = fixed.get("mu", m)
        ss = m2 + W * (m - mu) ** 2
        sigma = fixed.get("sigma", sqrt(ss / W))
        return finish({"mu": mu, "sigma": sigma})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        W, m, m2 = stats.moments["x"]
        s = p["sigma"]
        ss = m2 + W * (m - p["mu"]) ** 2
        return -W * (_LOG_SQRT_2PI + math.log(s)) - ss / (2 * s * s)

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        W, m, m2 = stats.moments["x"]
        s = p["sigma"]
        s1 = W * (m - p["mu"])
        ss = m2 + W * (m - p["mu"]) ** 2
        return np.array([[-W / s**2, -2.0 * s1 / s**3], [-2.0 * s1 / s**3, W / s**2 - 3.0 * ss / s**4]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        sd = s.sd()
        return {"mu": s.mean(), "sigma": s.pick(sd > 0, sd, s.spread)}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"mu": x0, "sigma": 0.0}


@register
class Logistic(LocScale):
    r"""Logistic distribution.

    .. math:: f(x) = \frac{e^{-z}}{s(1+e^{-z})^2},\quad z = (x - \text{loc})/s

    Parameters: ``loc`` (real), ``scale`` (> 0). Variance is ``(pi scale)^2 / 3``.
    """

    name = "logistic"
    param_names = ("loc", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"loc": 1, "scale": 1}
    data_unit_params = ("loc",)
    domains = (Real, Positive)
    formula = "f(x) = exp(-z) / (scale (1 + exp(-z))^2), z = (x - loc)/scale"

    def _g(self, z: Any, order: int) -> tuple[Any, Any, Any]:
        a = np.abs(z)
        e = np.exp(-a)
        g = -a - 2.0 * np.log1p(e)
        if order == 0:
            return g, None, None
        q = 1.0 / (1.0 + e)  # expit(|z|)
        # g' = 1 - 2 expit(z) = -sign(z) (2q - 1);  g'' = -2 q (1 - q)
        return g, np.where(z >= 0, 1.0 - 2.0 * q, 2.0 * q - 1.0), -2.0 * q * (1.0 - q)

    def _G(self, z: Any) -> Any:
        return -np.logaddexp(0.0, -z)

    def _S(self, z: Any) -> Any:
        return -np.logaddexp(0.0, z)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[0] + th[1] * (np.log(q) - np.log1p(-q))

    def _scipy(self, th: Theta) -> Any:
        return st.logistic(th[0], th[1])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        return {"loc": s.quantile(0.5), "scale": s.spread() * 1.349 / (2 * math.log(3))}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"loc": x0, "scale": 0.0}


@register
class Gumbel(LocScale):
    r"""Gumbel distribution for maxima (type I extreme value).

    .. math:: f(x) = \frac{1}{\beta} \exp\!\left(-z - e^{-z}\right),\quad z = (x-\text{loc})/\beta

    Parameters: ``loc`` (mode, real), ``scale`` (> 0). ``F(x) = exp(-exp(-z))``.
    """

    name = "gumbel"
    param_names = ("loc", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"loc": 1, "scale": 1}
    data_unit_params = ("loc",)
    domains = (Real, Positive)
    formula = "f(x) = exp(-z - exp(-z)) / scale, z = (x - loc)/scale; F(x) = exp(-exp(-z))"
    # exact data: loc is closed form given scale; Newton on the profile in 1/scale
    profile = GUMBEL

    def _g(self, z: Any, order: int) -> tuple[Any, Any, Any]:
        e = np.exp(-z)
        return -z - e, e - 1.0, -e

    def _G(self, z: Any) -> Any:
        return -np.exp(-z)

    def _S(self, z: Any) -> Any:
        return np.log(-np.expm1(-np.exp(-z)))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[0] - th[1] * np.log(-np.log(q))

    def _scipy(self, th: Theta) -> Any:
        return st.gumbel_r(th[0], th[1])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        sd = s.sd()
        sc = s.pick(sd > 0, sd, s.spread) * math.sqrt(6) / math.pi
        return {"loc": s.mean() - _EULER * sc, "scale": sc}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"loc": x0, "scale": 0.0}


@register
class Laplace(LocScale):
    r"""Laplace (double exponential) distribution.

    .. math:: f(x) = \frac{1}{2b} \exp\!\left(-\frac{|x - \text{loc}|}{b}\right)

    Parameters: ``loc`` (median, real), ``scale`` (b > 0). The MLE is the sample median and
    the mean absolute deviation from it. The log-likelihood is not twice differentiable in
    ``loc``; its curvature is taken from the expected information (``-1/b^2`` per
    observation), which gives the usual ``SE(loc) = b/sqrt(n)``.
    """

    name = "laplace"
    smooth = False  # the log-likelihood has kinks in loc at the data points
    expected_info_params = ("loc",)
    order_statistic_params = ("loc",)  # the sample median
    param_names = ("loc", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"loc": 1, "scale": 1}
    data_unit_params = ("loc",)
    expected_info_params = ("loc",)
    domains = (Real, Positive)
    formula = "f(x) = exp(-|x - loc| / scale) / (2 scale)"

    def _g(self, z: Any, order: int) -> tuple[Any, Any, Any]:
        return -math.log(2.0) - np.abs(z), -np.sign(z), 0.0

    def _G(self, z: Any) -> Any:
        return np.where(z < 0, math.log(0.5) + np.minimum(z, 0.0),
                        np.log1p(-0.5 * np.exp(-np.maximum(z, 0.0))))

    def _S(self, z: Any) -> Any:
        return self._G(-z)

    def _exact_sums(self, blk: Block, th: Theta) -> None:
        return None  # the loc curvature is the expected one (see _d_logpdf)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        s = th[1]
        z = self._z(x, th)
        sg, a = np.sign(z), np.abs(z)
        val = -math.log(2.0) - a - np.log(s)
        hmm = -1.0 / s**2 + 0.0 * z  # expected curvature (see docstring)
        return val, [sg / s, (a - 1.0) / s], [[hmm, -sg / s**2], [-sg / s**2, (1.0 - 2.0 * a) / s**2]]

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.laplace.ppf(q, th[0], th[1])

    def _scipy(self, th: Theta) -> Any:
        return st.laplace(th[0], th[1])

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        if not data.only_exact or data.is_truncated:
            return None
        b = data.exact
        loc = fixed.get("loc", _wquantile_mid(b.x, b.w))
        if b.w is None and b.x.flags.c_contiguous:
            # Σ|x - loc| and Σ sign(x - loc) from one read of the values, no temporaries
            S, sg = fused(b.x, ("absdev",), loc)
        else:
            d = b.x - loc
            S, sg = b.wsum_of(np.abs(d)), b.wsum_of(np.sign(d))
        W = b.wsum
        scale = fixed.get("scale", S / W)
        if not (scale > 0 and math.isfinite(scale)):
            return FastFit({"loc": loc, "scale": scale}, "closed-form")
        # the log-likelihood, score and curvature of _d_logpdf summed in closed form (no pass
        # of the per-observation derivatives): sums of |x - loc| and sign(x - loc) suffice
        s2 = scale * scale
        ll = -W * (math.log(2.0) + math.log(scale)) - S / scale
        g = [sg / scale, (S / scale - W) / scale]
        free = [i for i, p in enumerate(self.param_names) if p not in fixed]
        H = np.array([[-W / s2, -sg / s2], [-sg / s2, (W - 2.0 * S / scale) / s2]])
        return FastFit({"loc": loc, "scale": scale}, "closed-form", loglik=ll, hess=H,
                       grad_norm=max((abs(g[i]) for i in free), default=0.0))

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        loc = s.quantile(0.5)
        return {"loc": loc, "scale": np.maximum(s.mean(np.abs(s.x - s.rows(loc))), 1e-3 * s.spread())}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"loc": x0, "scale": 0.0}


@register
class Cauchy(LocScale):
    r"""Cauchy distribution.

    .. math:: f(x) = \frac{1}{\pi \gamma \left(1 + z^2\right)},\quad z = (x - \text{loc})/\gamma

    Parameters: ``loc`` (median, real), ``scale`` (half the IQR, > 0). No mean or variance.
    """

    name = "cauchy"
    param_names = ("loc", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"loc": 1, "scale": 1}
    data_unit_params = ("loc",)
    domains = (Real, Positive)
    formula = "f(x) = 1 / (pi scale (1 + z^2)), z = (x - loc)/scale"

    def _g(self, z: Any, order: int) -> tuple[Any, Any, Any]:
        z2 = z * z
        g = -math.log(math.pi) - np.log1p(z2)
        if order == 0:
            return g, None, None
        return g, -2.0 * z / (1.0 + z2), -2.0 * (1.0 - z2) / (1.0 + z2) ** 2

    def _G(self, z: Any) -> Any:
        z = np.asarray(z, dtype=float)
        with np.errstate(divide="ignore"):
            neg = np.log(np.arctan(-1.0 / np.where(z < 0, z, -1.0)) / math.pi)
        return np.where(z < 0, neg, np.log(0.5 + np.arctan(np.maximum(z, 0.0)) / math.pi))

    def _S(self, z: Any) -> Any:
        return self._G(-np.asarray(z, dtype=float))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return st.cauchy.ppf(q, th[0], th[1])

    def _scipy(self, th: Theta) -> Any:
        return st.cauchy(th[0], th[1])

    def mean(self) -> float:
        return math.nan

    def var(self) -> float:
        return math.nan

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        """Exact rows, nothing fixed: Newton on fused sums (:func:`fused.cauchy_fit`)."""
        blk = exact_block(data, fixed)
        if blk is None:
            return None
        return cauchy_fit(blk, lambda: self._start(blk.x, blk.w, {}))

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        q1, q2, q3 = s.quartiles()
        return {"loc": q2, "scale": s.pick(q3 > q1, (q3 - q1) / 2, s.spread)}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"loc": x0, "scale": 0.0}


def _t_const(nu: Any) -> Any:
    """``lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2`` without cancellation at large nu
    (an asymptotic series for nu >= 100: error < 1e-17)."""
    nu = np.asarray(nu, dtype=float)
    big = nu >= 100.0
    nb = np.where(big, nu, 100.0)
    ns = np.where(big, 1.0, nu)
    series = -0.5 * math.log(2 * math.pi) - 1 / (4 * nb) + 1 / (24 * nb**3) - 1 / (20 * nb**5)
    direct = gammaln((ns + 1) / 2) - gammaln(ns / 2) - 0.5 * np.log(ns * math.pi)
    return np.where(big, series, direct)


def _t_dconst(nu: Any) -> tuple[Any, Any]:
    """``psi((nu+1)/2) - psi(nu/2) - 1/nu`` and ``(psi'((nu+1)/2) - psi'(nu/2))/2 + 1/nu^2``."""
    nu = np.asarray(nu, dtype=float)
    big = nu >= 100.0
    nb = np.where(big, nu, 100.0)
    ns = np.where(big, 1.0, nu)
    d1 = np.where(big, 1 / (2 * nb**2) - 1 / (4 * nb**4) + 1 / (2 * nb**6),
                  digamma((ns + 1) / 2) - digamma(ns / 2) - 1 / ns)
    d2 = np.where(big, -1 / nb**3 + 1 / nb**5 - 3 / nb**7,
                  0.5 * (trigamma((ns + 1) / 2) - trigamma(ns / 2)) + 1 / ns**2)
    return d1, d2


def _t_consts(nu: float) -> tuple[float, float, float]:
    """``_t_const`` and ``_t_dconst`` at one float ``nu`` (the same formulas, without the
    array machinery: the fused sums call it once per evaluation)."""
    if nu >= 100.0:
        return (-0.5 * math.log(2 * math.pi) - 1 / (4 * nu) + 1 / (24 * nu**3) - 1 / (20 * nu**5),
                1 / (2 * nu**2) - 1 / (4 * nu**4) + 1 / (2 * nu**6),
                -1 / nu**3 + 1 / nu**5 - 3 / nu**7)
    h1, h0 = (nu + 1) / 2, nu / 2
    return (float(gammaln(h1) - gammaln(h0) - 0.5 * np.log(nu * math.pi)),
            float(digamma(h1) - digamma(h0) - 1 / nu),
            float(0.5 * (trigamma(h1) - trigamma(h0)) + 1 / nu**2))


@register
class StudentT(LocScale):
    r"""Student's t distribution with location and scale.

    .. math:: f(x) = \frac{\Gamma(\frac{\nu+1}{2})}{\Gamma(\frac{\nu}{2})\sqrt{\nu\pi}\,\sigma}
              \left(1 + \frac{z^2}{\nu}\right)^{-\frac{\nu+1}{2}},\quad z = (x-\mu)/\sigma

    Parameters: ``mu`` (real), ``sigma`` (> 0), ``df`` (ν > 0). As ν → ∞ it becomes Normal.
    """

    name = "student_t"
    boundary_hints: ClassVar[dict[str, str]] = {
        "df": "; the data look normal: fit 'normal' instead"}
    param_names = ("mu", "sigma", "df")
    scale_powers: ClassVar[dict[str, int] | None] = {"mu": 1, "sigma": 1, "df": 0}
    data_unit_params = ("mu",)
    domains = (Real, Positive, Positive)
    formula = ("f(x) = Gamma((df+1)/2) / (Gamma(df/2) sqrt(df pi) sigma) "
               "(1 + z^2/df)^(-(df+1)/2), z = (x - mu)/sigma")

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        mu, s, nu = th
        z = (x - mu) / s
        return _t_const(nu) - np.log(s) - (nu + 1) / 2 * np.log1p(z * z / nu)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        mu, s, nu = th
        z = (x - mu) / s
        return np.where(z < 0, np.log(stdtr(nu, np.minimum(z, 0.0))),
                        np.log1p(-stdtr(nu, -np.maximum(z, 0.0))))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._logcdf(2 * th[0] - x, th, blk)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        mu, s, nu = th
        z = (x - mu) / s
        z2 = z * z
        D = nu + z2
        L = np.log1p(z2 / nu)
        val = _t_const(nu) - np.log(s) - (nu + 1) / 2 * L
        c1, c2 = _t_dconst(nu)
        d_mu = (nu + 1) * z / (s * D)
        d_s = (-1.0 + (nu + 1) * z2 / D) / s
        d_nu = 0.5 * (c1 - L + (nu + 1) * z2 / (nu * D))
        h_mm = -(nu + 1) * (nu - z2) / (s * s * D * D)
        h_ms = -2.0 * nu * (nu + 1) * z / (s * s * D * D)
        h_ss = (1.0 - (nu + 1) * z2 * (2 * nu + D) / (D * D)) / (s * s)
        h_mn = z * (z2 - 1.0) / (s * D * D)
        h_sn = z2 * (z2 - 1.0) / (s * D * D)
        h_nn = 0.5 * (c2 + z2 / (nu * D)
                      + z2 * (nu * D - (nu + 1) * (2 * nu + z2)) / (nu * D) ** 2)
        return val, [d_mu, d_s, d_nu], [[h_mm, h_ms, h_mn], [h_ms, h_ss, h_sn], [h_mn, h_sn, h_nn]]

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        return None

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        return None

    def _exact_sums(self, blk: Block, th: Theta) -> tuple[float, Any, Any] | None:
        """Fused sums for exact rows: with ``q = 1/(df + z²)``, ``u = z² q``, the score and
        Hessian need only ``Σ log1p(z²/df)``, ``Σ z q``, ``Σ u`` and the five products
        ``Σ q², Σ z q², Σ u q, Σ u z q, Σ u²`` (no per-observation derivative arrays)."""
        mu, s, nu = th
        if np.ndim(mu) or np.ndim(s) or np.ndim(nu):
            return None  # batched parameters: the per-observation path
        mu, s, nu = float(mu), float(s), float(nu)
        x, w = blk.x, blk.w
        z = np.subtract(x, mu)
        z *= 1.0 / s
        z2 = z * z
        L = np.log1p(z2 * (1.0 / nu))
        q = np.add(z2, nu)
        np.divide(1.0, q, out=q)
        zq = np.multiply(z, q, out=z)
        u = np.multiply(z2, q, out=z2)
        if w is None:
            W, SL, A1, A2 = float(x.size), float(L.sum()), float(zq.sum()), float(u.sum())
            B0, B1, B2 = fdot(q, q), fdot(zq, q), fdot(u, q)
            B3, B4 = fdot(u, zq), fdot(u, u)
        else:
            W, SL, A1, A2 = blk.wsum, fdot(w, L), fdot(w, zq), fdot(w, u)
            wq = w * q
            B0, B1, B2 = fdot(wq, q), fdot(wq, zq), fdot(wq, u)
            wu = np.multiply(w, u, out=wq)
            B3, B4 = fdot(wu, zq), fdot(wu, u)
        c0, c1, c2 = _t_consts(nu)
        n1, s2 = nu + 1.0, s * s
        ll = W * (c0 - math.log(s)) - 0.5 * n1 * SL
        grad = np.array([n1 * A1 / s, (n1 * A2 - W) / s, 0.5 * (W * c1 - SL + n1 * A2 / nu)])
        h_mm = -n1 * (nu * B0 - B2) / s2
        h_ms = -2.0 * nu * n1 * B1 / s2
        h_ss = (W - n1 * (3.0 * nu * B2 + B4)) / s2
        h_mn = (B3 - B1) / s
        h_sn = (B4 - B2) / s
        h_nn = 0.5 * (W * c2 + A2 / nu - ((nu * nu + 2.0 * nu) * B2 + B4) / (nu * nu))
        hess = np.array([[h_mm, h_ms, h_mn], [h_ms, h_ss, h_sn], [h_mn, h_sn, h_nn]])
        return float(ll), grad, hess

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[0] + th[1] * stdtrit(th[2], q)

    def _scipy(self, th: Theta) -> Any:
        return st.t(th[2], th[0], th[1])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        W, m, m2 = s.moments()
        sd = s.pick(W > 0, lambda: sqrt(m2 / W), 0.0)
        m4 = s.mean((s.x - s.rows(m)) ** 4)
        kurt = s.pick(m2 > 0, lambda: m4 / (m2 / W) ** 2 - 3.0, 0.0)
        nu = fixed.get("df", s.pick(kurt > 0.1, lambda: 4.0 + 6.0 / kurt, 30.0))
        nu = s.clip(nu, 1.0, 100.0)
        scale = s.spread()
        scale = s.pick((nu > 2) & (sd > 0),
                       lambda: np.minimum(scale, sd * sqrt(np.maximum(nu - 2, 0.0) / nu)), scale)
        return {"mu": s.quantile(0.5), "sigma": scale, "df": nu}

    def _other_starts(self, x: Any, w: Any, fixed: dict[str, float]) -> list[dict[str, float]]:
        # the likelihood of t is multimodal in df: heavy outliers make a small-df basin (a
        # tight core around the median) that a moment-based start misses for the df -> inf one
        if "df" in fixed or x.size < 2:
            return []
        xs = np.asarray(x, dtype=float)
        med = float(np.median(xs))
        dev = np.abs(xs - med)
        core = float(np.median(dev[dev > 0])) if np.any(dev > 0) else 0.0
        if not (math.isfinite(core) and core > 0):
            return []
        return [{"mu": med, "sigma": core * f, "df": df}
                for df, f in ((1.0, 1.0), (0.3, 0.1))]

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"mu": x0, "sigma": 0.0, "df": math.nan}

    def _boundary_message(self, name: str, params: dict[str, float]) -> str | None:
        if name == "df" and params["df"] > 1e6:
            return f"df = {params['df']:.3g} is effectively infinite (the normal limit)"
        return None
