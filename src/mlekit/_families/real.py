"""Families on the real line: Normal, Logistic, Gumbel, Laplace, Cauchy, StudentT."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import scipy.stats as st
from scipy.special import digamma, gammaln, log_ndtr, stdtr, stdtrit

from .._core.domains import Positive, Real
from .._data.data import Block, Data, fdot
from .base import Derivs, FastFit, Stats, Support, moments_of, newton_1d, register, trigamma
from .shapes import LocScale

Theta = tuple[Any, ...]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_EULER = 0.5772156649015329


def _wquantile(x: np.ndarray, w: np.ndarray | None, q: float) -> float:
    if w is None:
        k = (x.size - 1) * q
        lo = math.floor(k)
        hi = min(lo + 1, x.size - 1)
        part = np.partition(x, (lo, hi))
        return float(part[lo] + (part[hi] - part[lo]) * (k - lo))
    o = np.argsort(x)
    cw = np.cumsum(w[o])
    return float(x[o][np.searchsorted(cw, q * cw[-1])])


def _sd(x: np.ndarray, w: np.ndarray | None) -> float:
    W, _, m2 = moments_of(x, w)
    return math.sqrt(m2 / W) if W > 0 else 0.0


def _wmean(x: np.ndarray, w: np.ndarray | None) -> float:
    return float(np.mean(x)) if w is None else float(fdot(w, x) / w.sum())


def _spread(x: np.ndarray, w: np.ndarray | None) -> float:
    """A robust positive scale: IQR/1.349, else SD, else 1."""
    iqr = _wquantile(x, w, 0.75) - _wquantile(x, w, 0.25)
    s = iqr / 1.349 if iqr > 0 else _sd(x, w)
    return s if s > 0 else max(1.0, abs(float(np.median(x)))) * 1e-3


@register
class Normal(LocScale):
    r"""Normal (Gaussian) distribution.

    .. math:: f(x) = \frac{1}{\sigma\sqrt{2\pi}} \exp\!\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)

    Parameters: ``mu`` (mean, real), ``sigma`` (standard deviation, > 0).
    The MLE of ``sigma`` divides by n (it is not the unbiased sample SD).
    """

    name = "normal"
    param_names = ("mu", "sigma")
    data_unit_params = ("mu",)
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
        return Stats(moments={"x": moments_of(b.x, b.w)})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        W, m, m2 = stats.moments["x"]
        mu = fixed.get("mu", m)
        ss = m2 + W * (m - mu) ** 2
        sigma = fixed.get("sigma", math.sqrt(ss / W))
        return {"mu": mu, "sigma": sigma}

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

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        return {"mu": _wmean(x, w), "sigma": _sd(x, w) or _spread(x, w)}

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

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        return {"loc": _wquantile(x, w, 0.5), "scale": _spread(x, w) * 1.349 / (2 * math.log(3))}

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
    data_unit_params = ("loc",)
    domains = (Real, Positive)
    formula = "f(x) = exp(-z - exp(-z)) / scale, z = (x - loc)/scale; F(x) = exp(-exp(-z))"

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

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        s = (_sd(x, w) or _spread(x, w)) * math.sqrt(6) / math.pi
        return {"loc": _wmean(x, w) - _EULER * s, "scale": s}

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        """Exact data: ``loc`` is closed-form given ``scale``; Newton on the profile score
        ``scale + Σ y e/Σ e = 0`` (``y = x − mean``, ``e = exp(−x/scale)``)."""
        if not data.only_exact or data.is_truncated or "loc" in fixed:
            return None
        b = data.exact
        x, w = b.x, b.w
        W = b.wsum
        xbar = b.wsum_of(x) / W
        y = x - xbar
        ymin = float(y.min())
        y2 = y * y
        var = b.wsum_of(y2) / W
        if var <= 0:
            return None
        acc: dict[str, float] = {}

        def sums(beta: float) -> tuple[float, float, float]:
            e = np.exp(-(y - ymin) / beta)
            if w is not None:
                e *= w
            s = float(e.sum())
            return s, float(fdot(e, y)) / s, float(fdot(e, y2)) / s

        def score(eta: float) -> tuple[float, float]:
            beta = math.exp(eta)
            s, a1, a2 = sums(beta)
            acc.update(beta=beta, s=s, a1=a1, a2=a2)
            g = beta + a1
            dg = 1.0 + (a2 - a1 * a1) / beta**2
            # maximise the profile: its derivative in beta is proportional to -g
            return -g * beta * W / beta**2, -(dg * beta + g) * beta * W / beta**2

        if "scale" in fixed:
            beta = fixed["scale"]
            s, a1, a2 = sums(beta)
            acc.update(beta=beta, s=s, a1=a1, a2=a2)
            it, ok, method = 0, True, "closed-form"
        else:
            eta, it, ok = newton_1d(score, math.log(math.sqrt(6 * var) / math.pi), tol=1e-9)
            beta = math.exp(eta)
            if acc.get("beta") != beta:
                score(eta)
            method = "profile-newton"
        s, a1, a2 = acc["s"], acc["a1"], acc["a2"]
        mu = xbar + ymin - beta * math.log(s / W)
        dlt = xbar - mu
        sz = W * dlt / beta                                  # Σ z
        sze = W * (a1 + dlt) / beta                          # Σ z e^{-z}
        sz2e = W * (a2 + 2 * dlt * a1 + dlt * dlt) / beta**2  # Σ z² e^{-z}
        ll = -sz - W - W * math.log(beta)
        H = np.array([[-W, -sze], [-sze, 2 * sze - 2 * sz - sz2e + W]]) / beta**2
        return FastFit({"loc": mu, "scale": beta}, method, it, ok, ll, H)

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
    param_names = ("loc", "scale")
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
        dev = np.abs(b.x - loc)
        scale = fixed.get("scale", b.wsum_of(dev) / b.wsum)
        return FastFit({"loc": loc, "scale": scale}, "closed-form")

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        loc = _wquantile(x, w, 0.5)
        return {"loc": loc, "scale": max(_wmean(np.abs(x - loc), w), 1e-3 * _spread(x, w))}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"loc": x0, "scale": 0.0}


def _wquantile_mid(x: np.ndarray, w: np.ndarray | None) -> float:
    """Weighted median (midpoint of the two middle values when the weight splits evenly)."""
    if w is None:
        return float(np.median(x))
    o = np.argsort(x)
    xs, cw = x[o], np.cumsum(w[o])
    half = 0.5 * cw[-1]
    i = int(np.searchsorted(cw, half))
    if math.isclose(cw[i], half, rel_tol=1e-12) and i + 1 < xs.size:
        return 0.5 * float(xs[i] + xs[i + 1])
    return float(xs[i])


@register
class Cauchy(LocScale):
    r"""Cauchy distribution.

    .. math:: f(x) = \frac{1}{\pi \gamma \left(1 + z^2\right)},\quad z = (x - \text{loc})/\gamma

    Parameters: ``loc`` (median, real), ``scale`` (half the IQR, > 0). No mean or variance.
    """

    name = "cauchy"
    param_names = ("loc", "scale")
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

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        q1, q2, q3 = (_wquantile(x, w, q) for q in (0.25, 0.5, 0.75))
        return {"loc": q2, "scale": (q3 - q1) / 2 if q3 > q1 else _spread(x, w)}

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


@register
class StudentT(LocScale):
    r"""Student's t distribution with location and scale.

    .. math:: f(x) = \frac{\Gamma(\frac{\nu+1}{2})}{\Gamma(\frac{\nu}{2})\sqrt{\nu\pi}\,\sigma}
              \left(1 + \frac{z^2}{\nu}\right)^{-\frac{\nu+1}{2}},\quad z = (x-\mu)/\sigma

    Parameters: ``mu`` (real), ``sigma`` (> 0), ``df`` (ν > 0). As ν → ∞ it becomes Normal.
    """

    name = "student_t"
    param_names = ("mu", "sigma", "df")
    data_unit_params = ("mu",)
    boundary_hints: ClassVar[dict[str, str]] = {"df": "; the data look normal: fit 'normal' instead"}
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

    def _exact_sums(self, blk: Block, th: Theta) -> None:
        return None  # three parameters: the per-observation path

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[0] + th[1] * stdtrit(th[2], q)

    def _scipy(self, th: Theta) -> Any:
        return st.t(th[2], th[0], th[1])

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        W, m, m2 = moments_of(x, w)
        sd = math.sqrt(m2 / W) if W else 0.0
        d = x - m
        m4 = (float(np.mean(d**4)) if w is None else float(fdot(w, d**4) / W))
        kurt = m4 / (m2 / W) ** 2 - 3.0 if m2 > 0 else 0.0
        nu = fixed.get("df", 4.0 + 6.0 / kurt if kurt > 0.1 else 30.0)
        nu = min(max(nu, 1.0), 100.0)
        scale = _spread(x, w)
        if nu > 2:
            scale = min(scale, sd * math.sqrt((nu - 2) / nu)) if sd > 0 else scale
        return {"mu": _wquantile(x, w, 0.5), "sigma": scale, "df": nu}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"mu": x0, "sigma": 0.0, "df": math.nan}

    def _boundary_message(self, name: str, params: dict[str, float]) -> str | None:
        if name == "df" and params["df"] > 1e6:
            return f"df = {params['df']:.3g} is effectively infinite (the normal limit)"
        return None
