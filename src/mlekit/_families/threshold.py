r"""Threshold (shifted) families: ``x - threshold`` follows a two-parameter base family.

``Weibull3`` (shape, scale, threshold), ``LogNormal3`` (mu, sigma, threshold), ``Gamma3``
(shape, scale, threshold), ``LogLogistic3`` (shape, scale, threshold) and ``Exponential2``
(rate, threshold); the support is ``(threshold, inf)``.

Estimation (``_fast_fit``): the threshold is **profiled**. With ``m`` the smallest value the
threshold must stay below (the smallest exact value, left-censoring bound or upper interval
bound; right-censoring bounds below the threshold simply say "survived past the threshold"),
write ``threshold = m - δ``. For each ``δ > 0`` the base family's own fast two-parameter
path runs on ``x - threshold`` (a closed form, the Weibull profile-Newton, or a warm-started
Newton for censored data), and a one-dimensional search over ``s = log δ`` — a coarse grid to
bracket the local maxima, then Brent's method — finds the maximum of the profile. The final
Hessian on all three parameters comes from the generic likelihood.

When the likelihood is unbounded — the profile increases without limit as ``threshold → m``
(a Weibull, gamma or log-logistic shape ≤ 1 at the limit, where the density is infinite at
the threshold) — there is no maximum-likelihood estimate. The result then carries the
``unbounded-likelihood`` diagnostic (and is not converged); ``method="mps"`` (maximum product
of spacings, :mod:`mlekit._fit.mps`) is the estimator to use. When the profile increases as
``threshold → -inf`` instead, the data are fitted as well by the two-parameter limit (normal
for the log-normal, the smallest-extreme-value law for the Weibull); the threshold is then
reported at the far end of the search with a ``boundary`` diagnostic.

The exponential's threshold is non-regular (the likelihood increases up to the smallest
value): its MLE is that value, with no Wald standard error (as for the Pareto's scale).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._core.domains import Real
from .._core.numdiff import data_unit
from .._data.data import Block, Data
from ..errors import DataError
from .base import Derivs, Family, FastFit, Support, register
from .lifetime import Exponential, LogLogistic, Weibull
from .positive import Gamma, LogNormal
from .threshold_fit import (
    WORK,
    inner_fit,
    inner_newton,
    log_interval,
    shifted,
    threshold_limit,
)
from .threshold_search import profile_threshold

__all__ = ["Threshold", "Weibull3", "LogNormal3", "Gamma3", "LogLogistic3", "Exponential2"]

Theta = tuple[Any, ...]
_DY = 1e-5     # relative step of the default _dy_logpdf (about the cube root of eps)
_SPEC = {2: "i,i->", 3: "i,i,i->"}   # weighted sums of products without temporaries


class Threshold(Family):
    """A family ``x - threshold ~ base`` (the last parameter is the threshold)."""

    base_cls: ClassVar[type[Family]] = Family
    # the base parameter whose value <= 1 at the threshold makes the density infinite there
    unbounded_shape: ClassVar[str | None] = "shape"
    closed_lower: ClassVar[bool] = False      # the support includes the threshold itself
    data_unit_params = ("threshold",)
    support = Support()
    support_text = "(threshold, inf)"
    limit_hint: ClassVar[str] = ""
    # how many scratch arrays of the block's length ``_exact_sums`` can reuse: a Newton on all
    # the data lends them (``blk.cached(WORK)``), so its iterations touch no fresh memory
    work_arrays: ClassVar[int] = 0
    # the estimate is the local maximum of a likelihood that can be unbounded as the threshold
    # approaches the smallest value: profile intervals must not chase that spike
    local_maximum: ClassVar[bool] = True
    # the profile over the threshold has no batched form, and the generic batched Newton finds
    # another point (or none) on these likelihoods: grouped fits run _fast_fit group by group
    fit_groups_separately: ClassVar[bool] = True
    _base_obj: ClassVar[Family | None] = None

    # ---------------------------------------------------------------- helpers
    @property
    def base(self) -> Family:
        cls = type(self)
        b = cls.__dict__.get("_base_obj")
        if b is None:
            b = cls.base_cls()
            cls._base_obj = b
        return b

    @staticmethod
    def _split(th: Theta) -> tuple[Theta, Any]:
        return tuple(th[:-1]), th[-1]

    def _valid(self, y: Any) -> Any:
        return (y >= 0) if self.closed_lower else (y > 0)

    def _support_bounds(self, th: Theta) -> tuple[float, float]:
        return float(th[-1]), math.inf

    def _outside(self, x: Any, th: Theta) -> Any:
        return np.asarray(~self._valid(x - th[-1]))

    # ---------------------------------------------------------------- distribution
    def _values(self, fn: Any, x: Any, th: Theta, outside: float) -> Any:
        th2, t = self._split(th)
        y = np.asarray(x - t, dtype=float)
        ok = self._valid(y)
        with np.errstate(all="ignore"):
            v = fn(np.where(ok, y, 1.0), th2, None)
        return np.where(ok, v, outside)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._values(self.base._logpdf, x, th, -math.inf)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._values(self.base._logcdf, x, th, -math.inf)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._values(self.base._logsf, x, th, 0.0)

    def _ppf(self, q: Any, th: Theta) -> Any:
        th2, t = self._split(th)
        return t + np.asarray(self.base._ppf(q, th2), dtype=float)

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        th2, t = self._split(th)
        return t + self.base._sample(size, th2, rng)

    def _scipy(self, th: Theta) -> Any:
        th2, t = self._split(th)
        fz = self.base._scipy(th2)
        kw = dict(fz.kwds)
        kw["loc"] = kw.get("loc", 0.0) + t
        return fz.dist(*fz.args, **kw)

    # ---------------------------------------------------------------- derivatives
    def _shift_derivs(self, dfn: Any, vfn: Any, x: Any, th: Theta, outside: float
                      ) -> Derivs | None:
        """Derivatives at ``y = x - threshold``: the base parameters' from the base family
        (analytic), the threshold's (``d/dt = -d/dy``) by relative differences in ``y``."""
        th2, t = self._split(th)
        y = np.asarray(x - t, dtype=float)
        ok = self._valid(y)
        ys = np.where(ok & (y > 0), y, 1.0)
        with np.errstate(all="ignore"):
            d0 = dfn(ys, th2, None)
            if d0 is None:
                return None
            h1 = (ys * (1.0 + 1e-5)) - ys
            h2 = (ys * (1.0 + 2e-4)) - ys
            dp, dm = dfn(ys + h1, th2, None), dfn(ys - h1, th2, None)
            vp2, vm2 = vfn(ys + h2, th2, None), vfn(ys - h2, th2, None)
        k2 = len(th2)
        v0 = np.asarray(d0[0], dtype=float)
        vy = (np.asarray(dp[0]) - np.asarray(dm[0])) / (2.0 * h1)
        vyy = (np.asarray(vp2) - 2.0 * v0 + np.asarray(vm2)) / (h2 * h2)
        if self.closed_lower:   # y = 0 is inside: one-sided differences there
            at0 = ok & (y == 0)
            if np.any(at0):
                z = np.zeros_like(ys)
                hz = 1e-6 * np.where(at0, 1.0, 1.0)
                e0 = vfn(z, th2, None)
                vy = np.where(at0, (np.asarray(vfn(z + hz, th2, None)) - e0) / hz, vy)
                v0 = np.where(at0, e0, v0)
        zero = 0.0 * v0
        grad = [np.where(ok, np.asarray(d0[1][i]) + zero, 0.0) for i in range(k2)]
        grad.append(np.where(ok, -vy, 0.0))
        hess = [[np.where(ok, np.asarray(d0[2][i][j]) + zero, 0.0) for j in range(k2)] + [zero]
                for i in range(k2)]
        hess.append([zero] * (k2 + 1))
        for i in range(k2):
            dgi = (np.asarray(dp[1][i]) - np.asarray(dm[1][i])) / (2.0 * h1)
            hess[i][k2] = hess[k2][i] = np.where(ok, -dgi, 0.0)
        hess[k2][k2] = np.where(ok, vyy, 0.0)
        return np.where(ok, v0, outside), grad, hess

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        b = self.base
        return self._shift_derivs(b._d_logpdf, b._logpdf, x, th, -math.inf)

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        b = self.base
        return self._shift_derivs(b._d_logcdf, b._logcdf, x, th, -math.inf)

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        b = self.base
        return self._shift_derivs(b._d_logsf, b._logsf, x, th, 0.0)

    # ---------------------------------------------------------------- the profile's slope
    def _dy_logpdf(self, y: Any, th2: Theta, blk: Block | None) -> Any:
        """``d/dy log f(y)`` of the base law at values ``y > 0`` (``th2``: the base
        parameters; ``blk``: the block whose ``x`` is ``y``, for cached ``log y``). An exact
        value's score in the threshold is its negative. Default: central differences of the
        base ``_logpdf`` with a relative step; a family with a formula overrides it."""
        y = np.asarray(y, dtype=float)
        h = (y * (1.0 + _DY)) - y
        f = self.base._logpdf
        with np.errstate(all="ignore"):
            return (np.asarray(f(y + h, th2, None)) - np.asarray(f(y - h, th2, None))) / (2 * h)

    def threshold_slope(self, d: Data, th2: Theta) -> float:
        """``d loglik / d threshold`` of the shifted data ``d`` (values ``x - threshold``;
        :func:`~mlekit._families.threshold_fit.shifted`) at the base parameters ``th2``. At the
        inner maximum it is the slope of the threshold's profile log-likelihood (the envelope
        theorem). Exact rows: ``-d/dy log f`` (:meth:`_dy_logpdf`); censored rows: the density
        over the probability of the row (``f/S`` right, ``-f/F`` left,
        ``-(f(hi) - f(lo)) / P`` interval)."""
        b = self.base
        g = 0.0
        e, lf, r, ib = d.exact, d.left, d.right, d.interval_block
        with np.errstate(all="ignore"):
            if e.size:
                g -= e.wsum_of(self._dy_logpdf(e.x, th2, e))
            if r.size:
                g += r.wsum_of(np.exp(b._logpdf(r.x, th2, None) - b._logsf(r.x, th2, None)))
            if lf.size:
                g -= lf.wsum_of(np.exp(b._logpdf(lf.x, th2, None) - b._logcdf(lf.x, th2, None)))
            if ib.size:
                lp = log_interval(b, ib.x, ib.hi, th2)
                fh = np.exp(b._logpdf(ib.hi, th2, None) - lp)
                fl = np.exp(b._logpdf(ib.x, th2, None) - lp)
                g -= ib.wsum_of(fh - fl)
        return float(g)

    # ---------------------------------------------------------------- data checks, starts
    def _check_data(self, data: Data, fixed: dict[str, float]) -> None:
        if "threshold" not in fixed:
            return
        t = fixed["threshold"]
        for kind, blk in data.blocks.items():
            if not blk.size or kind == "right":
                continue
            arr = blk.x if kind != "interval" else blk.hi
            assert arr is not None
            bad = ~self._valid(arr - t)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise DataError(
                    f"{type(self).__name__} with threshold={t:g} requires values above it; got "
                    f"{int(bad.sum())} {'' if kind == 'exact' else kind + '-censored '}at or "
                    f"below (first at index {blk.row_of(i)}: {arr[i]:g}). Hint: leave the "
                    "threshold free, or check the data.")

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        fixed2 = {k: v for k, v in fixed.items() if k != "threshold"}
        m = float(np.min(x))
        t = fixed.get("threshold", m - 0.25 * max(float(np.median(x)) - m, data_unit(x) * 1e-3))
        y = x - t
        ok = y > 0
        s = self.base._start(y[ok], None if w is None else w[ok], fixed2)
        return {**s, "threshold": t}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {**{p: math.nan for p in self.param_names[:-1]}, "threshold": x0}

    # ---------------------------------------------------------------- estimation
    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        if data.is_truncated:
            return None     # the generic Newton handles truncation
        fixed2 = {k: v for k, v in fixed.items() if k != "threshold"}
        m = threshold_limit(data)
        if "threshold" in fixed:
            t = fixed["threshold"]
            r = inner_fit(self.base, data, m, m - t, fixed2, None)
            if r is None:
                return None
            params, ll, method, it, ok = r
            return FastFit({**params, "threshold": t}, method, it, ok, ll)
        return profile_threshold(self, data, m, fixed2)




def _logy(blk: Block | None, y: Any) -> Any:
    """``log y``, cached on the block when ``y`` is its values (the base fit computed it)."""
    if blk is not None and y is blk.x:
        return blk.cached("log_x", lambda: np.log(blk.x))
    return np.log(y)


def weibull3_sums(x: np.ndarray, w: np.ndarray | None, k: float, lam: float, c: float,
                  work: np.ndarray | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """``(loglik, grad, hess)`` of the three-parameter Weibull summed over exact values
    ``x > c`` (weights ``w``): ten sums of ``u = log(y/λ)``, ``z = e^(k u)`` and ``1/y``
    (``y = x - c``) in five arrays (``work``, shape ``(5, n)``, when given: fresh memory is
    slow to touch) and no other temporaries (products are summed by einsum)."""
    if work is None:
        work = np.empty((5, x.size))
    u, iy, z, zu, zi = work
    np.subtract(x, c, out=u)
    np.divide(1.0, u, out=iy)
    np.log(u, out=u)
    u -= math.log(lam)
    np.multiply(u, k, out=z)
    np.exp(z, out=z)
    np.multiply(z, u, out=zu)
    np.multiply(z, iy, out=zi)
    if w is None:
        W = float(x.size)

        def tot(*a: np.ndarray) -> float:
            return float(a[0].sum()) if len(a) == 1 else float(np.einsum("i,i->", *a))
    else:
        W = float(w.sum())

        def tot(*a: np.ndarray) -> float:
            return float(np.einsum(_SPEC[len(a) + 1], w, *a))
    Su, Sz, Szu, Szuu = tot(u), tot(z), tot(zu), tot(zu, u)
    Si, Szi, Szui, Sii, Szii = tot(iy), tot(zi), tot(zi, u), tot(iy, iy), tot(zi, iy)
    ll = W * (math.log(k) - math.log(lam)) + (k - 1.0) * Su - Sz
    grad = np.array([W / k + Su - Szu, (k / lam) * (Sz - W), -(k - 1.0) * Si + k * Szi])
    hkk = -W / k**2 - Szuu
    hkl = (Sz + k * Szu - W) / lam
    hll = -(k / lam**2) * ((k + 1.0) * Sz - W)
    hkc = -Si + Szi + k * Szui
    hlc = -k * k * Szi / lam
    hcc = -(k - 1.0) * (Sii + k * Szii)
    hess = np.array([[hkk, hkl, hkc], [hkl, hll, hlc], [hkc, hlc, hcc]])
    return ll, grad, hess


# ------------------------------------------------------------------------- the families
@register
class Weibull3(Threshold):
    r"""Three-parameter Weibull: ``x - threshold`` is Weibull(shape, scale).

    .. math:: f(x) = \frac{k}{\lambda}\left(\frac{x-\gamma}{\lambda}\right)^{k-1}
              e^{-((x-\gamma)/\lambda)^k},\quad x > \gamma

    Parameters: ``shape`` (k > 0), ``scale`` (λ > 0), ``threshold`` (γ, real: the failure-free
    life; scipy's ``weibull_min(k, loc=γ, scale=λ)``). For k ≤ 1 the likelihood is unbounded
    as γ approaches the smallest value: use ``method="mps"``.
    """

    name = "weibull3"
    base_cls = Weibull
    param_names = ("shape", "scale", "threshold")
    domains = (Weibull.domains[0], Weibull.domains[1], Real)
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1, "threshold": 1}
    formula = ("f(x) = (shape/scale) ((x-threshold)/scale)^(shape-1) "
               "exp(-((x-threshold)/scale)^shape), x > threshold")
    limit_hint = " (the smallest-extreme-value law, a Weibull with shape → inf)"
    work_arrays = 5

    def _dy_logpdf(self, y: Any, th2: Theta, blk: Block | None) -> Any:
        k, lam = th2      # ((k - 1) - k (y/λ)^k) / y
        return ((k - 1.0) - k * np.exp(k * (_logy(blk, y) - math.log(lam)))) / y

    def _exact_sums(self, blk: Block, th: Theta) -> tuple[float, Any, Any] | None:
        """Log-likelihood, gradient and Hessian of an exact block in one pass of sums (the
        threshold's derivatives analytic: ``d/dγ = ((k - 1) - k z) / y ...`` with
        ``y = x - γ``, ``z = (y/λ)^k``)."""
        k, lam, c = th
        if np.ndim(k) or np.ndim(lam) or np.ndim(c) or not blk.x_extreme("min") > c:
            return None
        work = blk.cached(WORK, lambda: None)
        return weibull3_sums(blk.x, blk.w, float(k), float(lam), float(c), work)


@register
class LogNormal3(Threshold):
    r"""Three-parameter log-normal: ``log(x - threshold)`` is Normal(mu, sigma).

    .. math:: f(x) = \frac{1}{(x-\gamma)\sigma\sqrt{2\pi}}
              \exp\!\left(-\frac{(\log(x-\gamma)-\mu)^2}{2\sigma^2}\right),\quad x > \gamma

    Parameters: ``mu``, ``sigma`` (of ``log(x - γ)``), ``threshold`` (γ, real). The likelihood is
    always unbounded as γ approaches the smallest value (Hill 1963); the estimate is the
    local maximum of the profile, as in Minitab and ``reliability``.
    """

    name = "lognormal3"
    base_cls = LogNormal
    unbounded_shape = None
    param_names = ("mu", "sigma", "threshold")
    domains = (LogNormal.domains[0], LogNormal.domains[1], Real)
    scale_powers: ClassVar[dict[str, int] | None] = {"mu": 0, "sigma": 0, "threshold": 1}
    log_scale_params = ("mu",)
    formula = ("f(x) = exp(-(log(x-threshold) - mu)^2 / (2 sigma^2)) / "
               "((x-threshold) sigma sqrt(2 pi)), x > threshold")
    limit_hint = " (the normal law: fit 'normal')"

    def _dy_logpdf(self, y: Any, th2: Theta, blk: Block | None) -> Any:
        mu, sig = th2     # -(1 + (log y - mu) / sigma^2) / y
        return -(1.0 + (_logy(blk, y) - mu) / (sig * sig)) / y


@register
class Gamma3(Threshold):
    r"""Three-parameter gamma (Pearson type III): ``x - threshold`` is Gamma(shape, scale).

    .. math:: f(x) = \frac{(x-\gamma)^{k-1} e^{-(x-\gamma)/\theta}}{\Gamma(k)\,\theta^k},
              \quad x > \gamma

    Parameters: ``shape`` (k > 0), ``scale`` (θ > 0), ``threshold`` (γ, real). For k ≤ 1 the
    likelihood is unbounded as γ approaches the smallest value: use ``method="mps"``.
    """

    name = "gamma3"
    base_cls = Gamma
    param_names = ("shape", "scale", "threshold")
    domains = (Gamma.domains[0], Gamma.domains[1], Real)
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1, "threshold": 1}
    formula = ("f(x) = (x-threshold)^(shape-1) exp(-(x-threshold)/scale) / "
               "(Gamma(shape) scale^shape), x > threshold")
    limit_hint = " (the normal law: fit 'normal')"

    def _dy_logpdf(self, y: Any, th2: Theta, blk: Block | None) -> Any:
        k, theta = th2    # (k - 1) / y - 1 / theta
        return (k - 1.0) / y - 1.0 / theta


@register
class LogLogistic3(Threshold):
    r"""Three-parameter log-logistic: ``x - threshold`` is LogLogistic(shape, scale).

    .. math:: F(x) = \frac{1}{1 + ((x-\gamma)/\alpha)^{-\beta}},\quad x > \gamma

    Parameters: ``shape`` (β > 0), ``scale`` (α > 0), ``threshold`` (γ, real). For β ≤ 1 the
    likelihood is unbounded as γ approaches the smallest value: use ``method="mps"``.
    """

    name = "loglogistic3"
    base_cls = LogLogistic
    param_names = ("shape", "scale", "threshold")
    domains = (LogLogistic.domains[0], LogLogistic.domains[1], Real)
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1, "threshold": 1}
    formula = "F(x) = 1 / (1 + ((x-threshold)/scale)^-shape), x > threshold"
    limit_hint = " (the logistic law: fit 'logistic')"

    def _dy_logpdf(self, y: Any, th2: Theta, blk: Block | None) -> Any:
        b, a = th2        # ((b - 1) - 2 b p) / y, p = z / (1 + z), z = (y/a)^b
        p = 0.5 * (1.0 + np.tanh(0.5 * b * (_logy(blk, y) - math.log(a))))
        return ((b - 1.0) - 2.0 * b * p) / y


@register
class Exponential2(Threshold):
    r"""Two-parameter (shifted) exponential: ``x - threshold`` is Exponential(rate).

    .. math:: f(x) = \lambda e^{-\lambda (x-\gamma)},\quad x \ge \gamma

    Parameters: ``rate`` (λ > 0), ``threshold`` (γ, real: the guaranteed life). The MLE of the
    threshold is the smallest value (exact, left-censoring bound or upper interval bound) — a
    non-regular estimate with no Wald standard error (use bootstrap or profile intervals).
    """

    name = "exponential2"
    base_cls = Exponential
    unbounded_shape = None
    closed_lower = True
    param_names = ("rate", "threshold")
    domains = (Exponential.domains[0], Real)
    scale_powers: ClassVar[dict[str, int] | None] = {"rate": -1, "threshold": 1}
    support_text = "[threshold, inf)"
    formula = "f(x) = rate exp(-rate (x-threshold)), x >= threshold"
    nonregular = ("threshold",)

    def _nonregular_estimate(self, data: Data, fixed: dict[str, float]) -> dict[str, float]:
        return {"threshold": threshold_limit(data)}

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        if data.is_truncated or "threshold" not in fixed:
            return None
        t = fixed["threshold"]
        m = threshold_limit(data)
        fixed2 = {k: v for k, v in fixed.items() if k != "threshold"}
        d = shifted(data, m, m - t)
        with np.errstate(all="ignore"):
            if Exponential()._can_closed_form(d):
                p = Exponential()._closed_form(Exponential()._suffstats(d), fixed2)
                if p is not None:
                    return FastFit({**p, "threshold": t}, "closed-form", 0, True)
            r = inner_newton(self.base, d, fixed2, None)
        if r is None:
            return None
        return FastFit({**r[0], "threshold": t}, r[2], r[3], r[4], r[1])
