r"""Extreme-value families: the generalised extreme value (GEV) and generalised Pareto (GPD).

Both are written through one transformed variable, ``y = log1p(shape z) / shape`` (``z`` the
standardised value; ``y = z`` at ``shape = 0``):

- GEV: ``F = exp(-exp(-y))`` — a Gumbel in ``y``; ``log f = -log scale - (1 + shape) y - e^{-y}``;
- GPD: ``S = exp(-y)`` — an exponential in ``y``; ``log f = -log scale - (1 + shape) y``.

Near ``shape = 0`` ``y`` and its derivatives in ``shape`` come from the power series of
``log1p`` (``|shape z| < 0.1``), so density, cdf, ppf and every derivative are continuous with
the Gumbel / exponential limit to rounding level. The sign of ``shape`` is Coles' (and R's
evd/ismev/extRemes'): ``shape > 0`` is the heavy (Fréchet / Pareto) tail, ``shape < 0`` has a
finite upper end point ``loc - scale/shape`` (GPD: ``-scale/shape``). scipy uses ``c = -shape``
for ``genextreme`` and ``c = shape`` for ``genpareto``.

The support depends on the parameters: outside it the log density is ``-inf`` (and a Newton
step that leaves it is rejected by the line search, which backs off). A fit with
``shape < -0.5`` is flagged ``nonregular-shape`` (the usual asymptotics fail); with
``shape < -1`` or a likelihood that runs off to ``+inf`` at the end point it is flagged
``unbounded-likelihood`` with the remedies (see :meth:`GEV._fit_diagnostics`).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import gamma as gamma_fn

from .._core.domains import Positive, Real
from .._core.lazy import scipy_stats as st
from .._core.optimize import newton
from .._data.data import Block, Data
from .base import Derivs, Family, FastFit, Support, register
from .extreme_math import (
    _EULER,
    _Y,
    _chain,
    _data_range,
    _expm1_over,
    _inside_start,
    _pwm,
    _RunawayError,
    gev_exact_sums,
)
from .registry import _ALIASES

__all__ = ["GEV", "GeneralizedPareto"]

Theta = tuple[Any, ...]


_ALIASES.update({"gpd": "genpareto", "generalized_pareto": "genpareto", "generalised_pareto": "genpareto",
                 "generalizedpareto": "genpareto", "genextreme": "gev"})




# ---------------------------------------------------------------------------- diagnostics
class _ExtremeDiagnostics(Family):
    """Hooks shared by GEV and GPD: ``_fit_diagnostics`` (named findings about the shape's
    regularity) and ``_feasible_theta`` (a starting point inside the parameter-dependent
    support)."""

    def _endpoint_gap(self, params: dict[str, float], data: Data) -> float:
        raise NotImplementedError

    def _feasible_theta(self, th: list[float], free: list[int], data: Data) -> list[float]:
        """``th`` with free parameters moved (scale up, or loc, or shape towards 0) so that every
        value lies inside the support — a starting point for re-maximising the free parameters
        when others are held (profiles, fixed shapes). Unchanged when already feasible."""
        lo_x, hi_x = _data_range(data)
        return self._feasible(th, free, lo_x, hi_x)

    def _feasible(self, th: list[float], free: list[int], lo_x: float, hi_x: float) -> list[float]:
        names = type(self).param_names
        gev = len(names) == 3
        t = list(th)
        m, s, xi = (t[0], t[1], t[2]) if gev else (0.0, t[0], t[1])
        lo_e, hi_e = self._support_bounds(tuple(t))
        margin = 1.0 + 1e-2
        if lo_x > lo_e and hi_x < hi_e:
            return t
        i_s, i_xi = names.index("scale"), names.index("shape")
        if i_s in free and xi != 0:
            # the end point loc - s/xi moves away from the data as s grows
            need = (xi * (m - lo_x) if xi > 0 else -xi * (hi_x - m))
            if need > 0:
                t[i_s] = max(s, need * margin)     # relative: scale-free
                return t
        if gev and 0 in free and xi != 0:
            t[0] = lo_x + s / xi / margin if xi > 0 else hi_x + s / xi / margin
            return t
        if i_xi in free:
            t[i_xi] = 0.0
        return t

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        """Exact, untruncated data: Newton on ``([loc,] log scale, shape)`` with the analytic
        derivatives, the shape kept at ``>= -1``. Where the log-likelihood is unbounded (it
        grows without limit as ``shape`` falls below -1 with the end point on the largest value)
        the walk stops at ``shape = -1`` instead of creeping towards the end point for hundreds
        of iterations; the result is reported unconverged and flagged."""
        if not data.only_exact or data.is_truncated:
            return None
        b = data.exact
        names = self.param_names
        free = [i for i, p in enumerate(names) if p not in fixed]
        # the weighted count (a row of weight 3 is three rows, as everywhere)
        if not free or b.wsum < len(free):
            return None
        try:
            with np.errstate(all="ignore"):
                s0 = {**self._start(b.x, b.w, fixed), **fixed}
        except (ValueError, ZeroDivisionError, FloatingPointError):
            return None
        gev = len(names) == 3
        i_s = names.index("scale")
        sc0 = s0["scale"]
        base = [float(s0[p]) for p in names]

        def theta(eta: np.ndarray) -> list[float]:
            th = list(base)
            for e, i in zip(eta, free):
                if gev and i == 0:
                    th[0] = base[0] + sc0 * e          # loc in units of the starting scale
                elif i == i_s:
                    th[i] = sc0 * math.exp(e)
                else:
                    th[i] = float(e)
            return th

        def obj(eta: np.ndarray, order: int) -> tuple[float, np.ndarray, np.ndarray]:
            k = len(free)
            bad = (-math.inf, np.full(k, math.nan), np.full((k, k), math.nan))
            if np.any(np.abs(eta) > 700):
                return bad
            th = tuple(theta(eta))
            if th[-1] < -1.0:
                return bad
            if order and self._beyond_limit(th):
                last[:] = [eta.copy()]
                raise _RunawayError
            with np.errstate(all="ignore"):
                if order == 0:
                    return b.wsum_of(self._logpdf(b.x, th, b)), np.zeros(k), np.zeros((k, k))
                fused = self._exact_sums(b, th)
                if fused is not None:
                    ll, gf, Hf_all = fused
                    gv, Hv = gf[free], Hf_all[np.ix_(free, free)]
                else:
                    d = self._d_logpdf(b.x, th, b)
                    assert d is not None
                    v, g, H = d
                    ll = b.wsum_of(v)
                    if not math.isfinite(ll):
                        return bad
                    gv = np.array([b.wsum_of(g[i]) for i in free])
                    Hv = np.array([[b.wsum_of(H[i][j]) for j in free] for i in free])
                J = np.array([sc0 if (gev and i == 0) else th[i] if i == i_s else 1.0
                              for i in free])
            J2 = np.array([th[i] if i == i_s else 0.0 for i in free])
            Hf = np.zeros((len(th), len(th)))
            Hf[np.ix_(free, free)] = Hv
            at.update(eta=eta.copy(), ll=ll, H=Hf)
            return ll, gv * J, Hv * np.outer(J, J) + np.diag(gv * J2)

        eta0 = np.array([0.0 if (gev and i == 0) else 0.0 if i == i_s else base[i]
                         for i in free])
        last: list[np.ndarray] = []
        at: dict[str, Any] = {}
        try:
            with np.errstate(all="ignore"):
                r = newton(obj, eta0, maxiter=200)
        except _RunawayError:
            th = theta(last[0])
            return FastFit(dict(zip(names, th)), "newton (stopped at shape = -1: unbounded "
                           "likelihood)", 0, False)
        if not math.isfinite(r.fun):
            return None
        th = theta(r.x)
        params = dict(zip(names, th))
        if r.converged and th[-1] > -1.0 + 1e-6:
            same = "eta" in at and np.array_equal(at["eta"], r.x)
            return FastFit(params, "newton", r.iterations, True,
                           at["ll"] if same else None, at["H"] if same else None)
        if th[-1] <= -1.0 + 1e-3:
            return FastFit(params, "newton (stopped at shape = -1: unbounded likelihood)",
                           r.iterations, False)
        return FastFit(params, "newton", r.iterations, False)

    def _beyond_limit(self, th: Theta) -> Any:
        """Newton stops at ``shape <= -1 + 1e-4``: beyond -1 the likelihood is unbounded (it
        runs off to +inf with the end point on the largest value); every backend stops there."""
        return np.asarray(th[-1]) < -1.0 + 1e-4

    def _fit_diagnostics(self, params: dict[str, float], data: Data, converged: bool,
                         fixed: dict[str, float] | None = None) -> list[tuple[str, str, str, str]]:
        """Named diagnostics for ``shape < -0.5`` (non-regular) and ``shape < -1`` or a
        likelihood running off to ``+inf`` at the upper end point (unbounded)."""
        xi = params.get("shape", math.nan)
        if not math.isfinite(xi) or xi >= -0.5 or "shape" in (fixed or {}):
            return []
        gap = self._endpoint_gap(params, data)
        runaway = xi < -1.0 or (not converged and (gap < 1e-6 or xi <= -1.0 + 1e-3))
        if runaway:
            return [(
                "unbounded-likelihood",
                f"shape = {xi:.4g} reached -1: the likelihood is unbounded (it runs off to +inf as the "
                "upper end point approaches the largest value), so this estimate is not a "
                "maximum and its standard errors mean nothing. Remedies: fix the shape "
                "(fixed={'shape': ...}, e.g. 0 for the "
                f"{'Gumbel' if self.name == 'gev' else 'exponential'} limit), fit a penalised "
                "or prior-weighted likelihood that keeps shape > -1, or collect more data",
                "warning", "shape")]
        return [(
            "nonregular-shape",
            f"shape = {xi:.4g} < -0.5: a short, bounded upper tail where the usual asymptotics "
            "of maximum likelihood fail (Smith 1985): standard errors and Wald intervals are "
            "unreliable; prefer profile or bootstrap intervals, or fix the shape",
            "warning", "shape")]


# ---------------------------------------------------------------------------- families
@register
class GEV(_ExtremeDiagnostics):
    r"""Generalised extreme value distribution (block maxima).

    .. math:: F(x) = \exp\!\left(-\left[1 + \xi z\right]^{-1/\xi}\right),\quad
              z = (x - \mu)/\sigma,\quad 1 + \xi z > 0

    Parameters: ``loc`` (μ, real), ``scale`` (σ > 0), ``shape`` (ξ, real). ``shape > 0`` is the
    heavy-tailed Fréchet type (lower end point ``loc - scale/shape``), ``shape < 0`` the
    Weibull type with upper end point ``loc - scale/shape``, ``shape = 0`` the Gumbel. This is
    the sign of Coles (2001) and R's evd/ismev; ``scipy.stats.genextreme`` uses ``c = -shape``.
    Starting values from probability-weighted moments (Hosking, Wallis & Wood 1985).
    """

    name = "gev"
    param_names = ("loc", "scale", "shape")
    data_unit_params = ("loc",)
    scale_powers: ClassVar[dict[str, int] | None] = {"loc": 1, "scale": 1, "shape": 0}
    domains = (Real, Positive, Real)
    support = Support()
    support_text = "1+shape z>0"
    formula = ("F(x) = exp(-(1 + shape z)^(-1/shape)), z = (x - loc)/scale; "
               "shape = 0: exp(-exp(-z))")

    def _support_bounds(self, th: Theta) -> tuple[Any, Any]:
        m, s, xi = th
        with np.errstate(divide="ignore", invalid="ignore"):
            end = np.asarray(m - s / np.where(xi == 0, 1.0, xi), dtype=float)
        lo = np.where(np.asarray(xi) > 0, end, -np.inf)
        hi = np.where(np.asarray(xi) < 0, end, np.inf)
        return (float(lo), float(hi)) if lo.ndim == 0 else (lo, hi)

    def _Y(self, x: Any, th: Theta, order: int) -> _Y:
        return _Y((x - th[0]) / th[1], th[2], order)

    def _exact_sums(self, blk: Block, th: Theta) -> tuple[float, Any, Any] | None:
        """Fused ``(loglik, grad, hess)`` over an exact block (see
        :func:`~mlekit._families.extreme_math.gev_exact_sums`); None for batched parameters or
        values outside the support."""
        if np.ndim(th[0]) or np.ndim(th[1]) or np.ndim(th[2]):
            return None
        with np.errstate(all="ignore"):
            return gev_exact_sums(blk.x, blk.w, float(th[0]), float(th[1]), float(th[2]))

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        Y = self._Y(x, th, 0)
        with np.errstate(over="ignore", invalid="ignore"):
            v = -np.log(th[1]) - (1.0 + th[2]) * Y.y - np.exp(-Y.y)
        return v if Y.all_inside else np.where(Y.inside, v, -np.inf)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        with np.errstate(over="ignore"):
            return -np.exp(-self._Y(x, th, 0).y)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        with np.errstate(over="ignore", divide="ignore"):
            return np.log(-np.expm1(-np.exp(-self._Y(x, th, 0).y)))

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        Y = self._Y(x, th, 2)
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(-Y.y)
            v = -np.log(th[1]) - (1.0 + th[2]) * Y.y - e
        if not Y.all_inside:
            v = np.where(Y.inside, v, -np.inf)
            e = np.where(Y.inside, e, 0.0)
        return _chain(v, -(1.0 + th[2]) + e, -e, Y, th[1], True, True)

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        Y = self._Y(x, th, 2)
        with np.errstate(over="ignore"):
            e = np.exp(-Y.y)
        v = -e
        if not Y.all_inside:
            e = np.where(Y.inside, e, 0.0)
        return _chain(v, e, -e, Y, th[1], True, False)

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        Y = self._Y(x, th, 2)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            e = np.exp(-Y.y)
            v = np.log(-np.expm1(-e))
            r = e / np.expm1(e)
            r = np.where(np.isnan(r), 0.0, r)              # e = inf: r -> 0
            q = e / -np.expm1(-e)
            v_yy = r * (1.0 - np.where(np.isnan(q), 1.0, q))
        return _chain(v, -r, v_yy, Y, th[1], True, False)

    def _ppf(self, q: Any, th: Theta) -> Any:
        with np.errstate(divide="ignore"):
            b = -np.log(-np.log(q))
        return th[0] + th[1] * _expm1_over(b, th[2])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return th[0] + th[1] * _expm1_over(-np.log(rng.standard_exponential(size)), th[2])

    def _scipy(self, th: Theta) -> Any:
        return st.genextreme(-th[2], loc=th[0], scale=th[1])

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        """Hosking's PWM estimator (shape clipped to [-0.45, 0.9] and shrunk until every value
        is inside the support); the Gumbel's moments when the L-scale is 0 or undefined."""
        x = np.asarray(x, dtype=float)
        xmin, xmax = float(x.min()), float(x.max())
        sd = float(np.std(x)) or max(abs(xmax), 1.0) * 1e-3
        if x.size >= 3:
            b0, b1, b2 = _pwm(x, w)
            l1, l2, l3 = b0, 2 * b1 - b0, 6 * b2 - 6 * b1 + b0
        else:
            l1, l2, l3 = float(x.mean()), sd / math.sqrt(math.pi), 0.0
        if not (l2 > 0 and math.isfinite(l2)):
            l2 = sd / math.sqrt(math.pi)
        t3 = l3 / l2
        c = 2.0 / (3.0 + t3) - math.log(2) / math.log(3) if abs(t3) < 1 else 0.0
        k = 7.8590 * c + 2.9554 * c * c
        xi = min(0.9, max(-0.45, -k))
        xi = fixed.get("shape", xi)
        if abs(xi) < 1e-6:
            s = l2 / math.log(2)
            m = l1 - _EULER * s
        else:
            kk = -xi
            s = l2 * kk / ((1 - 2.0 ** (-kk)) * float(gamma_fn(1 + kk)))
            m = l1 - s * (1 - float(gamma_fn(1 + kk))) / kk
        if not (s > 0 and math.isfinite(s) and math.isfinite(m)):
            s = sd * math.sqrt(6) / math.pi or 1.0
            m = l1 - _EULER * s
            xi = fixed.get("shape", 0.0)
        s = fixed.get("scale", s)
        m = fixed.get("loc", m)
        if "shape" not in fixed:
            xi = _inside_start(xmin, xmax, m, s, xi)
        free = [i for i, p in enumerate(self.param_names) if p not in fixed]
        m, s, xi = self._feasible([m, s, xi], free, xmin, xmax)
        return {"loc": m, "scale": s, "shape": xi}

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"loc": x0, "scale": 0.0, "shape": 0.0}

    def _endpoint_gap(self, params: dict[str, float], data: Data) -> float:
        xi = params["shape"]
        end = params["loc"] - params["scale"] / xi
        tops = [float(b.x.max()) for b in data.blocks.values() if b.size]
        return (end - max(tops)) / params["scale"] if tops else math.inf


@register
class GeneralizedPareto(_ExtremeDiagnostics):
    r"""Generalised Pareto distribution (exceedances ``y = x - u`` of a threshold ``u``).

    .. math:: S(y) = \left(1 + \xi\, y/\sigma\right)^{-1/\xi},\quad y \ge 0

    Parameters: ``scale`` (σ > 0), ``shape`` (ξ, real). ``shape > 0``: Pareto-type heavy tail;
    ``shape = 0``: exponential (rate ``1/scale``); ``shape < 0``: upper end point
    ``-scale/shape``. ``scipy.stats.genpareto`` uses ``c = shape``. Starting values from
    L-moments (Hosking & Wallis 1987). Alias ``"gpd"``.
    """

    name = "genpareto"
    param_names = ("scale", "shape")
    scale_powers: ClassVar[dict[str, int] | None] = {"scale": 1, "shape": 0}
    domains = (Positive, Real)
    support = Support(0.0, math.inf, lower_closed=True)
    formula = "S(y) = (1 + shape y/scale)^(-1/shape), y >= 0; shape = 0: exp(-y/scale)"

    def _support_bounds(self, th: Theta) -> tuple[Any, Any]:
        s, xi = th
        with np.errstate(divide="ignore", invalid="ignore"):
            end = np.asarray(-s / np.where(xi == 0, 1.0, xi), dtype=float)
        hi = np.where(np.asarray(xi) < 0, end, np.inf)
        return (0.0, float(hi)) if hi.ndim == 0 else (np.zeros_like(hi), hi)

    def _Y(self, x: Any, th: Theta, order: int) -> _Y:
        return _Y(x / th[0], th[1], order)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        Y = self._Y(x, th, 0)
        v = -np.log(th[0]) - (1.0 + th[1]) * Y.y
        return v if Y.all_inside else np.where(Y.inside, v, -np.inf)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        with np.errstate(divide="ignore"):
            return np.log(-np.expm1(-self._Y(x, th, 0).y))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return -self._Y(x, th, 0).y

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        Y = self._Y(x, th, 2)
        v = -np.log(th[0]) - (1.0 + th[1]) * Y.y
        if not Y.all_inside:
            v = np.where(Y.inside, v, -np.inf)
        return _chain(v, -(1.0 + th[1]) + 0.0 * Y.z, 0.0 * Y.z, Y, th[0], False, True)

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        Y = self._Y(x, th, 2)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            v = np.log(-np.expm1(-Y.y))
            a = 1.0 / np.expm1(Y.y)
            b = 1.0 / -np.expm1(-Y.y)
        return _chain(v, a, -a * b, Y, th[0], False, False)

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        Y = self._Y(x, th, 2)
        one = 1.0 + 0.0 * Y.z
        return _chain(-Y.y, -one, 0.0 * one, Y, th[0], False, False)

    def _ppf(self, q: Any, th: Theta) -> Any:
        with np.errstate(divide="ignore"):
            b = -np.log1p(-np.asarray(q, dtype=float))
        return th[0] * _expm1_over(b, th[1])

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return th[0] * _expm1_over(rng.standard_exponential(size), th[1])

    def _scipy(self, th: Theta) -> Any:
        return st.genpareto(th[1], loc=0.0, scale=th[0])

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        """Hosking & Wallis' L-moment estimator (shape clipped to [-0.45, 0.9] and shrunk until
        every value is inside the support); the exponential when the L-scale is 0."""
        x = np.asarray(x, dtype=float)
        xmax = float(x.max())
        b0, b1, _ = _pwm(x, w) if x.size >= 2 else (float(x.mean()), 0.0, 0.0)
        l1, l2 = b0, 2 * b1 - b0
        xi = 2.0 - l1 / l2 if l2 > 0 and l1 > 0 else 0.0
        xi = fixed.get("shape", min(0.9, max(-0.45, xi)))
        s = fixed.get("scale", l1 * (1.0 - xi) if l1 > 0 else max(xmax, 1.0))
        if "shape" not in fixed:
            xi = _inside_start(0.0, xmax, 0.0, s, xi)
        free = [i for i, p in enumerate(self.param_names) if p not in fixed]
        s, xi = self._feasible([s, xi], free, 0.0, xmax)
        return {"scale": s, "shape": xi}

    def _endpoint_gap(self, params: dict[str, float], data: Data) -> float:
        end = -params["scale"] / params["shape"]
        tops = [float(b.x.max()) for b in data.blocks.values() if b.size]
        return (end - max(tops)) / params["scale"] if tops else math.inf
