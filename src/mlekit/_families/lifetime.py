"""Lifetime families written through their cumulative hazard (log S = -H): Exponential,
Weibull, LogLogistic, Rayleigh, Pareto, Lomax."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._core.domains import Positive
from .._core.lazy import scipy_stats as st
from .._data.data import Block, Data, fdot
from .base import Derivs, Support
from .fused import exact_block, loglogistic_fit, lomax_fit
from .positive import _POS, _logx
from .profiles import WEIBULL
from .registry import register
from .samples import as_sample, sample_start
from .shapes import CumHaz
from .stats import EULER as _EULER
from .stats import FastFit, Stats, block_extreme, div, ex, finish, ln, sqrt, where

Theta = tuple[Any, ...]


@register
class Exponential(CumHaz):
    r"""Exponential distribution.

    .. math:: f(x) = \lambda e^{-\lambda x}, \quad x \ge 0

    Parameter: ``rate`` (λ > 0; the mean is ``1/rate``). With right-censored data the MLE is
    still closed form: events / total exposure.
    """

    name = "exponential"
    value_sums: ClassVar[tuple[str, ...]] = ("x",)   # the exposure: the (cached) sum of x
    param_names = ("rate",)
    scale_powers: ClassVar[dict[str, int] | None] = {"rate": -1}
    domains = (Positive,)
    support = Support(0.0, math.inf, lower_closed=True)
    formula = "f(x) = rate exp(-rate x)"
    closed_form_takes_right = True   # events / exposure

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return np.log(th[0]) - th[0] * x

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        r = th[0]
        return np.log(r) - r * x, [1.0 / r - x], [[-1.0 / r**2]]

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        return th[0] * x, [x], [[0.0 * x]]

    def _ppf(self, q: Any, th: Theta) -> Any:
        return -np.log1p(-q) / th[0]

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return rng.exponential(1.0 / th[0], size)

    def _scipy(self, th: Theta) -> Any:
        return st.expon(scale=1.0 / th[0])

    def _suffstats(self, data: Data) -> Stats:
        e, r = data.exact, data.right
        exposure = (e.wsum_of(e.x) if e.size else 0.0) + (r.wsum_of(r.x) if r.size else 0.0)
        return Stats({"events": e.wsum if e.size else 0.0, "exposure": exposure})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        if "rate" in fixed:
            return dict(fixed)
        d, t = stats.sums["events"], stats.sums["exposure"]
        return finish({"rate": where((d == 0) | (t == 0), math.nan, div(d, t))})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        r = p["rate"]
        return stats.sums["events"] * math.log(r) - r * stats.sums["exposure"]

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        return np.array([[-stats.sums["events"] / p["rate"] ** 2]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        m = s.mean()
        return {"rate": s.pick(m > 0, lambda: 1.0 / m, 1.0)}

    def _support_hint(self) -> str:
        return " Hint: lifetimes must be >= 0; check for sign errors or use a real-line family."


@register
class Weibull(CumHaz):
    r"""Weibull distribution (shape–scale, minimum; scipy's ``weibull_min``).

    .. math:: f(x) = \frac{k}{\lambda}\left(\frac{x}{\lambda}\right)^{k-1}
              e^{-(x/\lambda)^k},\qquad S(x) = e^{-(x/\lambda)^k}

    Parameters: ``shape`` (k > 0; k < 1 falling hazard, k > 1 rising), ``scale`` (λ > 0;
    the 63.2% life).
    """

    name = "weibull"
    regression_param = "scale"
    param_names = ("shape", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1}
    domains = (Positive, Positive)
    support = _POS  # f(0) is 0 or infinite unless shape = 1: a zero lifetime is censored
    # exact and right-censored data: Newton on the profile log-likelihood of the shape
    profile = WEIBULL
    formula = "f(x) = (shape/scale) (x/scale)^(shape-1) exp(-(x/scale)^shape)"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        k, lam = th
        u = _logx(blk, x) - np.log(lam)
        return np.log(k) - np.log(lam) + (k - 1.0) * u - np.exp(k * u)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        k, lam = th
        u = _logx(blk, x) - np.log(lam)
        z = np.exp(k * u)
        zu = z * u
        val = np.log(k) - np.log(lam) + (k - 1.0) * u - z
        gk = 1.0 / k + u - zu
        gl = (k / lam) * (z - 1.0)
        hkk = -1.0 / k**2 - zu * u
        hkl = (z + k * zu - 1.0) / lam
        hll = -(k / lam**2) * ((k + 1.0) * z - 1.0)
        return val, [gk, gl], [[hkk, hkl], [hkl, hll]]

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        k, lam = th
        u = _logx(blk, x) - np.log(lam)
        z = np.exp(k * u)
        if order == 0:
            return z, [], []
        zu = z * u
        dk, dl = zu, -k * z / lam
        hkk = zu * u
        hkl = -(z + k * zu) / lam
        hll = k * (k + 1.0) * z / lam**2
        return z, [dk, dl], [[hkk, hkl], [hkl, hll]]

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[1] * (-np.log1p(-q)) ** (1.0 / th[0])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return th[1] * rng.weibull(th[0], size)

    def _scipy(self, th: Theta) -> Any:
        return st.weibull_min(th[0], scale=th[1])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        m, sd = s.log_moments()
        k = fixed.get("shape", s.pick(sd > 0, lambda: math.pi / (math.sqrt(6) * sd), 1.0))
        return {"shape": k, "scale": fixed.get("scale", ex(m + _EULER / k))}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"shape": math.inf, "scale": x0}


@register
class LogLogistic(CumHaz):
    r"""Log-logistic distribution (Fisk): ``log x`` is Logistic(log scale, 1/shape).

    .. math:: F(x) = \frac{1}{1 + (x/\alpha)^{-\beta}},\qquad
              f(x) = \frac{(\beta/\alpha)(x/\alpha)^{\beta-1}}{\left(1+(x/\alpha)^\beta\right)^2}

    Parameters: ``shape`` (β > 0), ``scale`` (α > 0; the median).
    """

    name = "loglogistic"
    regression_param = "scale"
    param_names = ("shape", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1}
    domains = (Positive, Positive)
    support = _POS
    formula = "F(x) = 1 / (1 + (x/scale)^-shape)"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        b, a = th
        u = _logx(blk, x) - np.log(a)
        return np.log(b) - np.log(a) + (b - 1.0) * u - 2.0 * np.logaddexp(0.0, b * u)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        k, lam = th
        u = _logx(blk, x) - np.log(lam)
        z = k * u
        s = 1.0 / (1.0 + np.exp(-z))
        s1s = s * (1.0 - s)
        val = np.log(k) - np.log(lam) + (k - 1.0) * u - 2.0 * np.logaddexp(0.0, z)
        gk = 1.0 / k + u - 2.0 * u * s
        gl = (k / lam) * (2.0 * s - 1.0)
        hkk = -1.0 / k**2 - 2.0 * u * u * s1s
        hkl = (-1.0 + 2.0 * s + 2.0 * z * s1s) / lam
        hll = -(k / lam**2) * (2.0 * s - 1.0 + 2.0 * k * s1s)
        return val, [gk, gl], [[hkk, hkl], [hkl, hll]]

    def _exact_sums(self, blk: Block, th: Theta) -> tuple[float, Any, Any] | None:
        """Fused sums via the logistic law of log x: (loc, scale) = (log scale, 1/shape)."""
        k, lam = th
        if np.ndim(k) or np.ndim(lam):
            return None
        from .real import Logistic

        lb = blk.cached("log_block", lambda: Block(_logx(blk, blk.x), blk.w))
        fused = Logistic()._exact_sums(lb, (math.log(lam), 1.0 / k))
        assert fused is not None
        ll, gl, Hl = fused
        ll -= blk.cached("sum_log_x", lambda: lb.wsum_of(lb.x))  # Jacobian of y = log x
        gm, gs = gl
        grad = np.array([-gs / k**2, gm / lam])
        hkk = Hl[1, 1] / k**4 + 2.0 * gs / k**3
        hkl = -Hl[0, 1] / (k * k * lam)
        hll = (Hl[0, 0] - gm) / lam**2
        return ll, grad, np.array([[hkk, hkl], [hkl, hll]])

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        k, lam = th
        u = _logx(blk, x) - np.log(lam)
        z = k * u
        H = np.logaddexp(0.0, z)
        if order == 0:
            return H, [], []
        s = 1.0 / (1.0 + np.exp(-z))
        s1s = s * (1.0 - s)
        dz = [u, -k / lam + 0.0 * u]
        d2z = [[0.0 * u, -1.0 / lam + 0.0 * u], [-1.0 / lam + 0.0 * u, k / lam**2 + 0.0 * u]]
        dH = [s * dz[0], s * dz[1]]
        d2H = [[s1s * dz[i] * dz[j] + s * d2z[i][j] for j in range(2)] for i in range(2)]
        return H, dH, d2H

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        """Exact rows, nothing fixed: Newton on fused sums, concave in (shape, shape log
        scale) (:func:`fused.loglogistic_fit`)."""
        blk = exact_block(data, fixed)
        if blk is None or blk.x_extreme("min") <= 0:
            return None
        return loglogistic_fit(blk, _logx(blk, blk.x))

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[1] * (q / (1.0 - q)) ** (1.0 / th[0])

    def _scipy(self, th: Theta) -> Any:
        return st.fisk(th[0], scale=th[1])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        p = s.positive()
        lx = p.map(np.log(p.x), increasing=True)
        q1, med, q3 = lx.quartiles()
        sp = lx.spread(q3 - q1) * 1.349 / (2 * math.log(3))
        return {"shape": fixed.get("shape", 1.0 / sp), "scale": fixed.get("scale", ex(med))}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"shape": math.inf, "scale": x0}


@register
class Rayleigh(CumHaz):
    r"""Rayleigh distribution.

    .. math:: f(x) = \frac{x}{\sigma^2} e^{-x^2/(2\sigma^2)},\quad x \ge 0

    Parameter: ``scale`` (σ > 0). Closed-form MLE ``σ² = Σx²/(2n)``.
    """

    name = "rayleigh"
    param_names = ("scale",)
    scale_powers: ClassVar[dict[str, int] | None] = {"scale": 1}
    domains = (Positive,)
    support = _POS
    formula = "f(x) = (x/scale^2) exp(-x^2 / (2 scale^2))"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        s = th[0]
        return np.log(x) - 2.0 * np.log(s) - 0.5 * (x / s) ** 2     # x/s first: no overflow

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        s = th[0]
        x2 = x * x
        return (np.log(x) - 2.0 * np.log(s) - x2 / (2 * s * s), [-2.0 / s + x2 / s**3],
                [[2.0 / s**2 - 3.0 * x2 / s**4]])

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        s = th[0]
        x2 = x * x
        return x2 / (2 * s * s), [-x2 / s**3], [[3.0 * x2 / s**4]]

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[0] * np.sqrt(-2.0 * np.log1p(-q))

    def _scipy(self, th: Theta) -> Any:
        return st.rayleigh(scale=th[0])

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        return Stats({"W": b.wsum, "sx2": b.wsum_of(b.x * b.x), "slogx": b.wsum_of(np.log(b.x))})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        if fixed:
            return dict(fixed)
        return finish({"scale": sqrt(stats.sums["sx2"] / (2.0 * stats.sums["W"]))})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        s = p["scale"]
        return stats.sums["slogx"] - 2.0 * stats.sums["W"] * math.log(s) - stats.sums["sx2"] / (2 * s * s)

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        s = p["scale"]
        return np.array([[2.0 * stats.sums["W"] / s**2 - 3.0 * stats.sums["sx2"] / s**4]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        return {"scale": sqrt(s.mean(s.x * s.x) / 2.0)}


@register
class Pareto(CumHaz):
    r"""Pareto (type I) distribution on ``x >= scale``.

    .. math:: f(x) = \frac{\alpha\, x_m^\alpha}{x^{\alpha+1}},\qquad S(x) = (x_m/x)^\alpha

    Parameters: ``shape`` (α > 0, the tail index), ``scale`` (x_m > 0, the minimum). The MLE of
    ``scale`` is the sample minimum — a non-regular estimate: it has no Wald standard error;
    ``shape`` is then ``n / Σ log(x/scale)``. With a known scale, pass ``fixed={'scale': ...}``.
    """

    name = "pareto"
    param_names = ("shape", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1}
    domains = (Positive, Positive)
    support = _POS
    formula = "f(x) = shape scale^shape / x^(shape+1), x >= scale"
    nonregular = ("scale",)

    def _support_bounds(self, th: Theta) -> tuple[float, float]:
        return float(th[1]), math.inf

    def _outside(self, x: Any, th: Theta) -> Any:
        return np.asarray(x < th[1])

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        a, m = th
        lx = _logx(blk, x)
        return np.where(x >= m, np.log(a) + a * np.log(m) - (a + 1.0) * lx, -np.inf)

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        a, m = th
        lx = _logx(blk, x)
        val = np.where(x >= m, np.log(a) + a * np.log(m) - (a + 1.0) * lx, -np.inf)
        return (val, [1.0 / a + np.log(m) - lx, a / m + 0.0 * lx],
                [[-1.0 / a**2 + 0.0 * lx, 1.0 / m + 0.0 * lx], [1.0 / m + 0.0 * lx, -a / m**2 + 0.0 * lx]])

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        a, m = th
        L = np.maximum(_logx(blk, x) - np.log(m), 0.0)
        z = 0.0 * L
        return (a * L, [L, -a / m + z], [[z, -1.0 / m + z], [-1.0 / m + z, a / m**2 + z]])

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[1] * (1.0 - q) ** (-1.0 / th[0])

    def _scipy(self, th: Theta) -> Any:
        return st.pareto(th[0], scale=th[1])

    def _nonregular_from_extremes(self, ext: Any, fixed: dict[str, float]) -> dict[str, Any]:
        """The scale MLE: the smallest value that is not a left-censoring bound."""
        parts = [ext(kind, "min") for kind in ("exact", "right", "interval")]
        if all(isinstance(p, float) for p in parts):
            return {"scale": min((p for p in parts if p == p), default=math.nan)}
        with np.errstate(invalid="ignore"):
            return {"scale": np.fmin(np.fmin(parts[0], parts[1]), parts[2])}

    def _check_data(self, data: Data, fixed: dict[str, float]) -> None:
        super()._check_data(data, fixed)
        if "scale" in fixed:
            m = fixed["scale"]
            for kind, b in data.blocks.items():
                if b.size and kind in ("exact", "left") and (b.x < m).any():
                    i = int(np.flatnonzero(b.x < m)[0])
                    from ..errors import DataError
                    raise DataError(
                        f"Pareto with scale={m:g} requires values >= {m:g}; got "
                        f"{int((b.x < m).sum())} below (first at index {b.row_of(i)}: {b.x[i]:g}). "
                        "Hint: leave scale free, or truncate the data at the known scale."
                    )

    def _suffstats(self, data: Data) -> Stats:
        b = data.exact
        return Stats({"W": b.wsum, "slogx": b.wsum_of(_logx(b, b.x))},
                     mins={"min": block_extreme(b, b.x, "min")})

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        m = fixed.get("scale", stats.mins["min"])
        W = stats.sums["W"]
        if "shape" in fixed:
            return finish({"shape": fixed["shape"], "scale": m})
        denom = stats.sums["slogx"] - W * ln(m)
        return finish({"shape": where(denom > 0, div(W, denom), math.nan), "scale": m})

    def _stats_loglik(self, stats: Stats, p: dict[str, float]) -> float:
        a, m = p["shape"], p["scale"]
        W = stats.sums["W"]
        return W * (math.log(a) + a * math.log(m)) - (a + 1.0) * stats.sums["slogx"]

    def _stats_hessian(self, stats: Stats, p: dict[str, float]) -> np.ndarray:
        a, m, W = p["shape"], p["scale"], stats.sums["W"]
        return np.array([[-W / a**2, W / m], [W / m, -a * W / m**2]])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        m = fixed.get("scale", s.min())
        mr = s.rows(m)
        ml = s.mean(np.log(np.maximum(s.x, mr) / mr))
        return {"shape": fixed.get("shape", s.pick(ml > 0, lambda: 1.0 / ml, 1.0)), "scale": m}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"shape": math.inf, "scale": x0}


@register
class Lomax(CumHaz):
    r"""Lomax (Pareto type II) distribution on ``x >= 0``.

    .. math:: f(x) = \frac{\alpha}{\lambda}\left(1 + \frac{x}{\lambda}\right)^{-(\alpha+1)},\qquad
              S(x) = \left(1 + \frac{x}{\lambda}\right)^{-\alpha}

    Parameters: ``shape`` (α > 0), ``scale`` (λ > 0). When the data are lighter-tailed than
    exponential (CV < 1) the MLE runs off to α, λ → ∞ (the exponential limit).
    """

    name = "lomax"
    boundary_hints: ClassVar[dict[str, str]] = {
        "shape": "; the tail is not heavier than exponential: fit 'exponential'",
        "scale": "; the tail is not heavier than exponential: fit 'exponential'"}
    param_names = ("shape", "scale")
    scale_powers: ClassVar[dict[str, int] | None] = {"shape": 0, "scale": 1}
    domains = (Positive, Positive)
    support = Support(0.0, math.inf, lower_closed=True)
    formula = "f(x) = (shape/scale) (1 + x/scale)^-(shape+1)"

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        a, lam = th
        return np.log(a) - np.log(lam) - (a + 1.0) * np.log1p(x / lam)

    def _exact_sums(self, blk: Block, th: Theta) -> tuple[float, Any, Any] | None:
        """Fused sums for exact data: Σ log(1 + x/λ), Σ q and Σ q/(λ + x), q = x/(λ(λ + x))."""
        a, lam = th
        if np.ndim(a) or np.ndim(lam):
            return None
        x, w = blk.x, blk.w
        r = x / lam
        L = np.log1p(r)
        u = lam + x
        q = r / u
        qu = q / u
        if w is None:
            W, sL, sq, squ = float(x.size), float(L.sum()), float(q.sum()), float(qu.sum())
        else:
            W, sL = blk.wsum, float(fdot(w, L))
            sq, squ = float(fdot(w, q)), float(fdot(w, qu))
        ll = W * (math.log(a) - math.log(lam)) - (a + 1.0) * sL
        grad = np.array([W / a - sL, -W / lam + (a + 1.0) * sq])
        sq2 = sq / lam + squ
        hess = np.array([[-W / a**2, sq], [sq, W / lam**2 - (a + 1.0) * sq2]])
        return ll, grad, hess

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        a, lam = th
        L = np.log1p(x / lam)
        q = x / (lam * (lam + x))
        q2 = x * (2 * lam + x) / (lam * lam * (lam + x) ** 2)
        val = np.log(a) - np.log(lam) - (a + 1.0) * L
        return (val, [1.0 / a - L, -1.0 / lam + (a + 1.0) * q],
                [[-1.0 / a**2 + 0.0 * L, q], [q, 1.0 / lam**2 - (a + 1.0) * q2]])

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        a, lam = th
        L = np.log1p(x / lam)
        if order == 0:
            return a * L, [], []
        q = x / (lam * (lam + x))
        q2 = x * (2 * lam + x) / (lam * lam * (lam + x) ** 2)
        return a * L, [L, -a * q], [[0.0 * L, -q], [-q, a * q2]]

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        """Exact rows, nothing fixed: the profile Newton in log scale
        (:func:`fused.lomax_fit`)."""
        blk = exact_block(data, fixed)
        return None if blk is None else lomax_fit(blk)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return th[1] * np.expm1(-np.log1p(-q) / th[0])

    def _scipy(self, th: Theta) -> Any:
        return st.lomax(th[0], scale=th[1])

    @sample_start
    def _start(self, x: Any, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, Any]:
        s = as_sample(x, w)
        W, m, m2 = s.moments()
        v = m2 / W
        a = s.pick(v > m * m * 1.05, lambda: 2.0 * v / (v - m * m), 20.0)
        a = fixed.get("shape", s.clip(a, 1.2, 50.0))
        return {"shape": a, "scale": fixed.get("scale", s.pick(a > 1, m * (a - 1.0), m))}


