"""A wider catalogue of continuous families: generalised gamma (Prentice), Gompertz (with a
defective, "cured" form), Burr XII, skew-normal and Birnbaum–Saunders.

Each has a stable log density, log-cdf and log-sf, a quantile function, data-driven starting
values and its scipy.stats equivalent. Derivatives that are not written out here are taken
numerically by the generic likelihood. The count families are in :mod:`.catalog_counts`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import (
    digamma,
    expit,
    exprel,
    gammainc,
    gammaincc,
    gammaln,
    log_ndtr,
    ndtri,
    polygamma,
)

from .._core.domains import Positive, Real
from .._core.lazy import scipy_stats as st
from .._data.data import Block
from ..errors import FamilyError
from .base import Family, Support, register
from .positive import _POS, _logx
from .skewnormal import SkewNormal
from .stats import log1mexp as _log1mexp
from .stats import moments_of

__all__ = ["GenGamma", "Gompertz", "Burr12", "SkewNormal", "BirnbaumSaunders"]

Theta = tuple[Any, ...]
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_Q_SMALL = 1e-6     # |Q| below this: the generalised gamma is the log-normal
_Q_ANALYTIC = 1e-2  # |Q| from this: analytic derivatives (below, their terms cancel)


# ------------------------------------------------------------------------- generalised gamma
def _log_moments(x: np.ndarray, w: np.ndarray | None) -> tuple[float, float]:
    """Mean and SD of ``log x`` over the positive values (a start for log-scale families)."""
    lx = np.log(x[x > 0]) if np.any(x <= 0) else np.log(x)
    ww = None if w is None else (w[x > 0] if np.any(x <= 0) else w)
    W, m, m2 = moments_of(lx, ww)
    return m, math.sqrt(m2 / W) if W else 0.0


@register
class GenGamma(Family):
    r"""Generalised gamma in the Prentice (1974) / flexsurv ``gengamma`` parameterisation.

    With ``w = (log x − μ)/σ`` and ``γ = Q^{-2}``:

    .. math:: f(x) = \frac{|Q|\,\gamma^{\gamma}}{\sigma x\,\Gamma(\gamma)}
              \exp\!\big(\gamma\,(Q w - e^{Q w})\big)\quad (Q \ne 0),\qquad
              \log x \sim \text{Normal}(\mu, \sigma)\quad (Q = 0)

    Parameters: ``mu`` (real), ``sigma`` (> 0), ``Q`` (real). It nests the Weibull (``Q = 1``:
    shape ``1/σ``, scale ``e^μ``), the log-normal (``Q = 0``) and the gamma (``Q = σ``: shape
    ``Q^{-2}``, scale ``e^μ Q^2``). scipy's ``gengamma(a = Q^{-2}, c = Q/σ,
    scale = e^μ |Q|^{2σ/Q})``.
    """

    name = "gengamma"
    param_names = ("mu", "sigma", "Q")
    scale_powers: ClassVar[dict[str, int] | None] = {"mu": 0, "sigma": 0, "Q": 0}
    log_scale_params = ("mu",)
    domains = (Real, Positive, Real)
    support = _POS
    formula = ("f(x) = |Q| g^g exp(g (Q w - exp(Q w))) / (sigma x Gamma(g)), "
               "w = (log x - mu)/sigma, g = Q^-2")

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"mu": math.log(x0), "sigma": 0.0, "Q": 0.0}    # the log-normal's point mass

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        mu, s, q = th
        lx = _logx(blk, x)
        w = (lx - mu) / s
        if np.ndim(q) == 0:
            if abs(q) < _Q_SMALL:
                return -0.5 * w * w - _LOG_SQRT_2PI - np.log(s) - lx
            g = 1.0 / (q * q)
            qw = q * w
            return (math.log(abs(q)) + g * math.log(g) - float(gammaln(g)) - np.log(s) - lx
                    + g * (qw - np.exp(qw)))
        # per-group parameters (grouped fits): the same, element by element
        small = np.abs(q) < _Q_SMALL
        qq = np.where(small, 1.0, q)
        g = 1.0 / (qq * qq)
        with np.errstate(all="ignore"):
            gen = (np.log(np.abs(qq)) + g * np.log(g) - gammaln(g) - np.log(s) - lx
                   + g * (qq * w - np.exp(qq * w)))
        return np.where(small, -0.5 * w * w - _LOG_SQRT_2PI - np.log(s) - lx, gen)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        """Analytic (value, gradient, Hessian) per observation for ``|Q| >= 0.01`` (below, the
        terms in ``Q^-4``/``Q^-6`` cancel: numerical derivatives). Numerical derivatives made
        Newton stop where the likelihood is flat in ``Q`` to ~1e-6 only, so weights of 2 and
        repeated rows ended ~2e-6 apart (issue 11). Per-group parameters (grouped fits) get the
        same formulas element by element when every group's ``|Q| >= 0.01`` (numerical
        derivatives per group made a grouped fit of a few values cost seconds, issue 11)."""
        mu, s, q = th
        if np.ndim(q) == 0:
            if abs(q) < _Q_ANALYTIC:
                return None
            log: Any = math.log
            num: Any = float
        else:
            if not np.all(np.abs(q) >= _Q_ANALYTIC):
                return None
            log, num = np.log, np.asarray
        lx = _logx(blk, x)
        w = (lx - mu) / s
        g = 1.0 / (q * q)
        u = q * w
        with np.errstate(over="ignore", invalid="ignore"):
            E = np.exp(u)
        one_e = -np.expm1(u)                                    # 1 - e^u without cancellation
        c = log(g) + 1.0 - num(digamma(g))                      # d(g log g - lnG(g))/dg
        q3 = q * q * q
        val = log(abs(q)) + g * log(g) - num(gammaln(g)) - log(s) - lx + g * (u - E)
        g_mu = -one_e / (q * s)
        g_s = -1.0 / s - g * u * one_e / s
        g_q = 1.0 / q - 2.0 * c / q3 - 2.0 * (u - E) / q3 + g * w * one_e
        h_mumu = -E / (s * s)
        h_mus = one_e / (q * s * s) - E * w / (s * s)
        h_muq = E * w / (q * s) + one_e / (q * q * s)
        h_ss = 1.0 / (s * s) + g * u * (2.0 * one_e - u * E) / (s * s)
        h_sq = -(-2.0 * u * one_e / q3 + g * w * (one_e - u * E)) / s
        h_qq = (-1.0 / (q * q) + 6.0 * (c + u - E) / (q3 * q)
                + 4.0 * (1.0 / g - num(polygamma(1, g))) / (q3 * q3)
                - 4.0 * w * one_e / q3 - g * w * w * E)
        return val, [g_mu, g_s, g_q], [[h_mumu, h_mus, h_muq], [h_mus, h_ss, h_sq],
                                       [h_muq, h_sq, h_qq]]

    def _tails(self, x: Any, th: Theta, blk: Block | None) -> tuple[Any, Any]:
        mu, s, q = th
        w = (_logx(blk, x) - mu) / s
        if np.ndim(q) == 0:
            if abs(q) < _Q_SMALL:
                return log_ndtr(w), log_ndtr(-w)
            g = 1.0 / (q * q)
            u = g * np.exp(q * w)
            lo, hi = np.log(gammainc(g, u)), np.log(gammaincc(g, u))
            return (lo, hi) if q > 0 else (hi, lo)
        small = np.abs(q) < _Q_SMALL
        qq = np.where(small, 1.0, q)
        g = 1.0 / (qq * qq)
        with np.errstate(all="ignore"):
            u = g * np.exp(qq * w)
            lo, hi = np.log(gammainc(g, u)), np.log(gammaincc(g, u))
        lo, hi = np.where(qq > 0, lo, hi), np.where(qq > 0, hi, lo)
        return np.where(small, log_ndtr(w), lo), np.where(small, log_ndtr(-w), hi)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._tails(x, th, blk)[0]

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._tails(x, th, blk)[1]

    def _ppf(self, q: Any, th: Theta) -> Any:
        mu, s, Q = th
        if abs(Q) < _Q_SMALL:
            return np.exp(mu + s * ndtri(q))
        return self._scipy(th).ppf(q)

    def _scipy(self, th: Theta) -> Any:
        mu, s, q = th
        if abs(q) < _Q_SMALL:
            return st.lognorm(s, scale=math.exp(mu))
        return st.gengamma(1.0 / (q * q), q / s, scale=math.exp(mu + 2.0 * s * math.log(abs(q)) / q))

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        m, sd = _log_moments(x, w)
        # the Weibull member (Q = 1) from the log-moments: sigma = sd·√6/π, mu = m + γ_E σ
        s = fixed.get("sigma", sd * math.sqrt(6.0) / math.pi if sd > 0 else 1.0)
        return {"mu": fixed.get("mu", m + 0.5772156649015329 * s), "sigma": s,
                "Q": fixed.get("Q", 1.0)}


# ------------------------------------------------------------------------- Gompertz
@register
class Gompertz(Family):
    r"""Gompertz distribution (flexsurv parameterisation): hazard ``rate · e^{shape·x}``.

    .. math:: S(x) = \exp\!\Big(-\frac{\text{rate}}{\text{shape}}\big(e^{\text{shape}\,x}-1\big)\Big),
              \qquad f(x) = \text{rate}\; e^{\text{shape}\,x}\, S(x),\quad x \ge 0

    Parameters: ``shape`` (real), ``rate`` (> 0). ``shape = 0`` is the exponential. With
    ``shape < 0`` the hazard dies away and the distribution is *defective*: ``S(x)`` tends to
    ``exp(rate/shape) > 0``, the fraction that never fails (a "cure" fraction); its quantiles
    above ``1 − exp(rate/shape)`` and its samples for that fraction are ``inf``. scipy's
    ``gompertz(c = rate/shape, scale = 1/shape)`` for ``shape > 0``.
    """

    name = "gompertz"
    param_names = ("shape", "rate")
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": -1, "rate": -1}
    # shape is real (no log transform) and in units of 1/x: Newton's steps and its stopping
    # rule in it are not scale-free (data * 1e3 stopped at a wrong "converged" shape), so
    # every fit works on the data brought to unit magnitude (exact powers of two)
    rescale_beyond: ClassVar[int | None] = 1
    domains = (Real, Positive)
    support = Support(0.0, math.inf, lower_closed=True)
    formula = "S(x) = exp(-(rate/shape) (exp(shape x) - 1)), hazard rate exp(shape x)"

    @staticmethod
    def _H(x: Any, th: Theta) -> Any:
        b, r = th
        return r * x * exprel(b * x)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        b, r = th
        return np.log(r) + b * x - self._H(x, th)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return -self._H(x, th)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return _log1mexp(-self._H(x, th))

    def _ppf(self, q: Any, th: Theta) -> Any:
        b, r = th
        H = -np.log1p(-np.asarray(q, dtype=float))
        if abs(b) < 1e-300:
            return H / r
        with np.errstate(all="ignore"):
            a = b * H / r
            return np.where(a > -1.0, np.log1p(a) / b, np.inf)

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return self._ppf(rng.uniform(size=size), th)

    def _scipy(self, th: Theta) -> Any:
        b, r = th
        if not b > 0:
            raise FamilyError("gompertz with shape <= 0 has no scipy.stats equivalent "
                              "(scipy's gompertz needs shape > 0).")
        return st.gompertz(r / b, scale=1.0 / b)

    def mean(self) -> float:
        b, r = self.theta()
        if b < 0:
            return math.inf
        if b == 0:
            return 1.0 / r
        return float(self.to_scipy().mean())

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        _, m, _ = moments_of(x, w)
        b = fixed.get("shape", 0.0)
        return {"shape": b, "rate": fixed.get("rate", 1.0 / m if m > 0 else 1.0)}


# ------------------------------------------------------------------------- Burr XII
@register
class Burr12(Family):
    r"""Burr type XII (Singh–Maddala) distribution.

    .. math:: S(x) = \big(1 + (x/s)^c\big)^{-d},\qquad
              f(x) = \frac{c\,d}{s}\,(x/s)^{c-1}\big(1 + (x/s)^c\big)^{-d-1},\quad x > 0

    Parameters: ``c`` (> 0), ``d`` (> 0), ``scale`` (s > 0); scipy's ``burr12(c, d, scale=s)``.
    ``d = 1`` is the log-logistic; ``c = 1`` the Lomax.
    """

    name = "burr12"
    param_names = ("c", "d", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"c": 0, "d": 0, "scale": 1}
    # its starts and the Nelder-Mead fallback of small samples are not scale-free (n = 10 data
    # * 1e4 did not converge where the same data converged): fit at unit magnitude
    rescale_beyond: ClassVar[int | None] = 1
    domains = (Positive, Positive, Positive)
    support = _POS
    formula = "S(x) = (1 + (x/scale)^c)^-d"

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"c": math.inf, "d": 1.0, "scale": x0}    # the log-logistic's point mass

    @staticmethod
    def _L(x: Any, th: Theta, blk: Block | None) -> tuple[Any, Any]:
        c, _, s = th
        lz = _logx(blk, x) - np.log(s)
        return lz, np.logaddexp(0.0, c * lz)     # log(x/s), log(1 + (x/s)^c)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        c, d, s = th
        lz, L = self._L(x, th, blk)
        return np.log(c) + np.log(d) - np.log(s) + (c - 1.0) * lz - (d + 1.0) * L

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return -th[1] * self._L(x, th, blk)[1]

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        """Analytic (value, gradient, Hessian) per observation in ``(c, d, scale)``, with
        ``P = (x/s)^c / (1 + (x/s)^c)`` (the derivative of ``L = log(1 + (x/s)^c)`` in
        ``c log(x/s)``). Numerical derivatives (24 log-density calls a Newton step) made fits
        of a few values that run to a boundary cost seconds (issue 11)."""
        c, d, s = th
        lz, L = self._L(x, th, blk)
        P, Q = expit(c * lz), expit(-c * lz)          # P and 1 - P without cancellation
        PQ = P * Q
        d1 = d + 1.0
        val = np.log(c) + np.log(d) - np.log(s) + (c - 1.0) * lz - d1 * L
        g_c = 1.0 / c + lz - d1 * lz * P
        g_d = 1.0 / d - L
        g_s = c * (d1 * P - 1.0) / s
        h_cc = -1.0 / (c * c) - d1 * lz * lz * PQ
        h_cd = -lz * P
        h_cs = (d1 * (P + c * lz * PQ) - 1.0) / s
        h_dd = -1.0 / (d * d) + 0.0 * lz
        h_ds = c * P / s
        h_ss = -c * (d1 * P - 1.0 + c * d1 * PQ) / (s * s)
        return val, [g_c, g_d, g_s], [[h_cc, h_cd, h_cs], [h_cd, h_dd, h_ds],
                                      [h_cs, h_ds, h_ss]]

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        """Analytic derivatives of ``log S = -d L`` (right-censored values), as ``_d_logpdf``."""
        c, d, s = th
        lz, L = self._L(x, th, blk)
        P, Q = expit(c * lz), expit(-c * lz)
        PQ = P * Q
        val = -d * L
        g_c = -d * lz * P
        g_d = -L
        g_s = d * c * P / s
        h_cc = -d * lz * lz * PQ
        h_cd = -lz * P
        h_cs = d * (P + c * lz * PQ) / s
        h_dd = 0.0 * lz
        h_ds = c * P / s
        h_ss = -d * c * (P + c * PQ) / (s * s)
        return val, [g_c, g_d, g_s], [[h_cc, h_cd, h_cs], [h_cd, h_dd, h_ds],
                                      [h_cs, h_ds, h_ss]]

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return _log1mexp(-th[1] * self._L(x, th, blk)[1])

    def _ppf(self, q: Any, th: Theta) -> Any:
        c, d, s = th
        return s * np.expm1(-np.log1p(-np.asarray(q, dtype=float)) / d) ** (1.0 / c)

    def _scipy(self, th: Theta) -> Any:
        return st.burr12(th[0], th[1], scale=th[2])

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        lx = np.log(x[x > 0])
        q1, q2, q3 = np.quantile(lx, [0.25, 0.5, 0.75])
        c = 2.0 * math.log(3.0) / max(q3 - q1, 1e-12)       # the log-logistic member (d = 1)
        return {"c": fixed.get("c", c), "d": fixed.get("d", 1.0),
                "scale": fixed.get("scale", math.exp(q2))}


# skew-normal: SkewNormal lives in .skewnormal (its global profile start); re-exported here


# ------------------------------------------------------------------------- Birnbaum-Saunders
@register
class BirnbaumSaunders(Family):
    r"""Birnbaum–Saunders (fatigue-life) distribution.

    .. math:: F(x) = \Phi(\xi),\quad \xi = \frac{1}{\alpha}\Big(\sqrt{x/\beta}-\sqrt{\beta/x}\Big),
              \qquad f(x) = \phi(\xi)\,\frac{\sqrt{x/\beta}+\sqrt{\beta/x}}{2\alpha x}

    Parameters: ``shape`` (α > 0), ``scale`` (β > 0; the median). scipy's
    ``fatiguelife(α, scale=β)``.
    """

    name = "birnbaum_saunders"
    param_names = ("shape", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1}
    domains = (Positive, Positive)
    support = _POS
    formula = "F(x) = Phi((sqrt(x/scale) - sqrt(scale/x)) / shape)"

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"shape": 0.0, "scale": x0}

    @staticmethod
    def _xi(x: Any, th: Theta, blk: Block | None) -> tuple[Any, Any]:
        a, b = th
        h = 0.5 * (_logx(blk, x) - np.log(b))
        r, ri = np.exp(h), np.exp(-h)
        return (r - ri) / a, (r + ri)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        a = th[0]
        xi, sm = self._xi(x, th, blk)
        return -0.5 * xi * xi - _LOG_SQRT_2PI + np.log(sm) - np.log(2.0 * a) - _logx(blk, x)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return log_ndtr(self._xi(x, th, blk)[0])

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return log_ndtr(-self._xi(x, th, blk)[0])

    def _ppf(self, q: Any, th: Theta) -> Any:
        a, b = th
        h = 0.5 * a * ndtri(q)
        return b * (h + np.sqrt(h * h + 1.0)) ** 2

    def _scipy(self, th: Theta) -> Any:
        return st.fatiguelife(th[0], scale=th[1])

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        # modified moment estimates (Ng, Kundu & Balakrishnan 2003)
        xp = x[x > 0]
        wp = None if w is None else w[x > 0]
        s = float(np.average(xp, weights=wp))
        r = 1.0 / float(np.average(1.0 / xp, weights=wp))
        b = math.sqrt(s * r)
        a = math.sqrt(max(2.0 * (math.sqrt(s / r) - 1.0), 1e-8))
        return {"shape": fixed.get("shape", a), "scale": fixed.get("scale", b)}
