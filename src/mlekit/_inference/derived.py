"""Derived quantities: functions of the parameters with standard errors and intervals.

``res.derived("mean")``, ``res.quantile(0.1)``, ``res.sf(1000)``, ``res.cdf(5)``,
``res.hazard(t)`` and ``res.derived(fn, name=...)`` for any ``fn(params_dict) -> float``.

- ``se`` is the delta-method standard error ``sqrt(grad' cov grad)`` (``cov`` is the fit's
  covariance: observed information or sandwich), with the gradient by central differences on
  the unconstrained scale.
- ``method="delta"`` (default): a Wald interval on a scale chosen so it respects the range of
  the quantity — ``logit`` for probabilities (sf, cdf), ``log`` for quantities that are positive
  by nature (quantiles, means, variances of positive families; hazards; sd), the natural scale
  otherwise. ``scale=`` overrides (``"identity"``, ``"log"``, ``"logit"``).
- ``method="profile"``: the profile-likelihood interval of ``g(theta)``: the smallest and largest
  ``g`` over the likelihood region ``{theta : 2 (ll_max - ll(theta)) <= chi2_1(level)}``
  (SLSQP on the unconstrained scale from the Wald end points, analytic log-likelihood gradient;
  for one free parameter, exact end points from the parameter's profile interval). Non-regular
  parameters (support end points) stay at their estimates.
- ``method="bootstrap"``: ``g`` on bootstrap replicates (``n_boot``, ``kind``, ``interval``,
  ``rng`` as for ``ci(method="bootstrap")``; replicates are shared through the result's cache
  when ``rng`` is an integer).

Array arguments (``res.sf([100, 200, 300])``) give arrays of estimates, SEs and bounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logit
from scipy.stats import norm

from ..errors import MlekitError, ParameterError

if TYPE_CHECKING:
    from .._fit.result import FitResult

__all__ = ["Derived", "derived", "quantile", "sf", "cdf", "hazard", "METHODS", "named_key",
           "numbers_at"]

METHODS = ("delta", "profile", "bootstrap")
SCALES = ("auto", "identity", "log", "logit")
_NAMED = ("mean", "median", "var", "sd")


@dataclass(frozen=True)
class Derived:
    """A derived quantity: ``estimate``, delta-method ``se``, ``ci = (lo, hi)`` at ``level`` by
    ``method``. For array arguments the fields are arrays of the same shape."""

    name: str
    estimate: Any
    se: Any
    ci: tuple[Any, Any]
    method: str
    level: float
    scale: str = "identity"
    # why the interval is missing or degenerate where the estimate is fine ("" otherwise)
    note: str = ""

    def __float__(self) -> float:
        return float(self.estimate)

    def to_dict(self) -> dict[str, Any]:
        def conv(v: Any) -> Any:
            a = np.asarray(v, dtype=float)
            return a.tolist() if a.ndim else float(a)
        return {"name": self.name, "estimate": conv(self.estimate), "se": conv(self.se),
                "ci": [conv(self.ci[0]), conv(self.ci[1])], "method": self.method,
                "level": self.level, "scale": self.scale,
                **({"note": self.note} if self.note else {})}

    def __repr__(self) -> str:
        from .._core.checks import fmt

        if np.ndim(self.estimate):
            return (f"Derived({self.name}: {np.size(self.estimate)} values, {self.level * 100:g}% "
                    f"CI by {self.method})")
        return (f"{self.name} = {fmt(float(self.estimate))} (SE {fmt(float(self.se))}), "
                f"{self.level * 100:g}% CI {fmt(float(self.ci[0]))} … {fmt(float(self.ci[1]))} "
                f"[{self.method}{', ' + self.scale + ' scale' if self.method == 'delta' else ''}]"
                + (f" ({self.note})" if self.note else ""))


# ---------------------------------------------------------------------------- evaluation
def _dist_at(res: FitResult, th: tuple[float, ...]) -> Any:
    d = res.dist._copy()
    d.values = dict(zip(res.dist.param_names, (float(t) for t in th)))
    return d


class _Quantity:
    """``g(theta)`` as a float, with a name and its natural interval scale."""

    def __init__(self, res: FitResult, fn: Callable[[tuple[float, ...]], float], name: str,
                 scale: str) -> None:
        self.res, self.fn, self.name, self.scale = res, fn, name, scale

    def __call__(self, th: tuple[float, ...]) -> float:
        try:
            with np.errstate(all="ignore"):
                v = self.fn(th)
            return float(v)
        except (ArithmeticError, ValueError, TypeError, AttributeError, NotImplementedError,
                MlekitError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return math.nan

    error = ""


def _positive_family(res: FitResult) -> bool:
    return res.dist.support.lower >= 0.0


def named_key(what: str) -> str:
    """The canonical name of a named derived quantity (``"std"`` -> ``"sd"``); a ParameterError
    for a name that is none of them (the command line checks ``--derived`` with it up front)."""
    key = {"std": "sd", "variance": "var", "average": "mean"}.get(what, what)
    if key not in _NAMED:
        raise ParameterError(f"derived quantity must be one of {', '.join(_NAMED)} or a function "
                             f"of the parameters dict; got {what!r}.")
    return key


def _named(res: FitResult, what: str) -> _Quantity:
    key = named_key(what)
    pos = _positive_family(res)
    if key == "mean":
        return _Quantity(res, lambda th: _dist_at(res, th).mean(), "mean", "log" if pos else "identity")
    if key == "median":
        return _Quantity(res, lambda th: _dist_at(res, th).median(), "median",
                         "log" if pos and not res.dist.discrete else "identity")
    if key == "var":
        return _Quantity(res, lambda th: _dist_at(res, th).var(), "var", "log")
    return _Quantity(res, lambda th: _dist_at(res, th).std(), "sd", "log")


def _callable(res: FitResult, fn: Callable[[dict[str, float]], float], name: str | None) -> _Quantity:
    names = res.dist.param_names

    def g(th: tuple[float, ...]) -> float:
        return float(fn(dict(zip(names, (float(t) for t in th)))))

    label = str(name or getattr(fn, "__name__", "g"))
    if label == "<lambda>":
        label = "g(params)"
    return _Quantity(res, g, label, "identity")


# ---------------------------------------------------------------------------- gradient
def _regular(res: FitResult) -> list[int]:
    nonreg = set(getattr(res.dist, "nonregular", ()))
    return [i for i, p in enumerate(res.params) if p not in res.fixed and p not in nonreg]


def gradient(res: FitResult, g: _Quantity, th: tuple[float, ...]) -> NDArray[np.float64]:
    """``d g / d theta`` over all parameters (zeros for fixed and non-regular ones)."""
    doms = res.dist.domains
    out = np.zeros(len(th))
    units = _units(res)
    for i in _regular(res):
        d = doms[i]
        with np.errstate(all="ignore"):
            e = float(d.to_unconstrained(th[i]))
        if not math.isfinite(e):
            out[i] = math.nan
            continue
        u = units[i]
        # a location steps in the data's units (1e-5 of 1 was 1e4 sigmas for data in 1e-9 units)
        h = 1e-5 * (u if u is not None else max(1.0, abs(e)))
        h = (e + h) - e
        vals = []
        for s in (-2, -1, 1, 2):
            t = list(th)
            t[i] = float(d.from_unconstrained(e + s * h))
            vals.append(g(tuple(t)))
        dge = (vals[0] - 8 * vals[1] + 8 * vals[2] - vals[3]) / (12 * h)
        out[i] = dge / float(d.jacobian(e)[0])
    return out


def _units(res: FitResult) -> tuple[float | None, ...]:
    """Per parameter, the data's spread for locations in the data's units, else ``None``."""
    units = getattr(res.likelihood, "units", None)
    return tuple(units) if units is not None else (None,) * len(res.params)


# ---------------------------------------------------------------------------- intervals
def _delta_ci(est: float, se: float, z: float, scale: str) -> tuple[float, float]:
    if not (math.isfinite(est) and math.isfinite(se)):
        return (math.nan, math.nan)
    if scale == "log":
        if est <= 0:
            return (math.nan, math.nan)
        f = math.exp(z * se / est)
        return (est / f, est * f)
    if scale == "logit":
        if est <= 0 or est >= 1:
            return (est, est) if se == 0 else (math.nan, math.nan)
        c = float(logit(est))
        s = se / (est * (1 - est))
        return (float(expit(c - z * s)), float(expit(c + z * s)))
    return (est - z * se, est + z * se)


def _profile_ci(res: FitResult, g: _Quantity, level: float, est: float,
                grad: NDArray[np.float64]) -> tuple[float, float]:
    from .profile import Profiler, cutoff

    prof = Profiler(res)
    reg = prof.regular
    if not reg:
        return (est, est)
    q = cutoff(level, 1)
    if len(reg) == 1:
        j = reg[0]
        lo, hi = prof.interval(j, level)
        vals = []
        pts = [lo, hi]
        dom = res.dist.domains[j]
        # interior extremes of a non-monotone g: a grid between the ends
        with np.errstate(all="ignore"):
            el = float(dom.to_unconstrained(lo)) if dom.contains(lo) else None
            eh = float(dom.to_unconstrained(hi)) if dom.contains(hi) else None
        if el is not None and eh is not None:
            pts += list(dom.from_unconstrained(np.linspace(el, eh, 41)[1:-1]))
        for v in pts:
            t = list(prof.th_hat)
            t[j] = float(v)
            vals.append(g(tuple(t)) if dom.lower < v < dom.upper or v == prof.th_hat[j]
                        else _limit(g, prof.th_hat, j, v, dom))
        arr = np.array(vals, dtype=float)
        if np.all(np.isnan(arr)):
            return (math.nan, math.nan)
        return (float(np.nanmin(arr)), float(np.nanmax(arr)))
    cands = _region_points(prof, level)
    return (_extreme(res, prof, g, q, est, grad, -1, cands),
            _extreme(res, prof, g, q, est, grad, +1, cands))


def _limit(g: _Quantity, th_hat: tuple[float, ...], j: int, v: float, dom: Any) -> float:
    """``g`` at a domain edge (an open profile interval): approach it on the unconstrained
    scale."""
    e = 40.0 if v >= dom.upper else -40.0
    t = list(th_hat)
    t[j] = float(dom.from_unconstrained(e))
    return g(tuple(t))


def _region_points(prof: Any, level: float) -> list[tuple[tuple[float, ...], int]]:
    """Points on (or, for open sides, far inside) the edge of the likelihood region: each
    parameter's profile-interval ends with the nuisance parameters at their profile optimum.
    The second item is 0 for an end point, or 1/2 for points 15/30 units out along an open
    side (used to tell a limit from divergence)."""
    out: list[tuple[tuple[float, ...], int]] = []
    for j in prof.regular:
        dom = prof.doms[j]
        lo, hi = prof.interval(j, level)
        e_hat = float(dom.to_unconstrained(prof.th_hat[j])) if dom.contains(prof.th_hat[j]) else None
        for v, side in ((lo, -1), (hi, +1)):
            if dom.lower < v < dom.upper and v != prof.th_hat[j]:
                pl, th, _ = prof.maximize(j, v)
                if math.isfinite(pl):
                    out.append((tuple(th), 0))
            elif e_hat is not None and v != prof.th_hat[j]:
                sgn = -1 if dom.kind == "upper" else 1
                warm = None
                for tag, dist in ((1, 15.0), (2, 30.0)):
                    vv = float(dom.from_unconstrained(e_hat + side * sgn * dist))
                    if dom.lower < vv < dom.upper:
                        pl, th, _ = prof.maximize(j, vv, warm)
                        if math.isfinite(pl):
                            warm = th
                            out.append((tuple(th), tag))
    return out


def _extreme(res: FitResult, prof: Any, g: _Quantity, q: float, est: float,
             grad: NDArray[np.float64], side: int,
             cands: list[tuple[tuple[float, ...], int]]) -> float:
    """The smallest (side=-1) or largest (side=+1) ``g`` over ``{D <= q}``.

    Candidates: the region's edge points from the parameters' profile intervals and the Wald
    extreme point; the best ones are polished by SLSQP on the unconstrained scale (analytic
    log-likelihood gradient, ``g`` on its own log/logit scale for conditioning), inside a box
    around the estimate. When the best value comes from a side of the region that is open (a
    parameter's profile never reaches the cutoff) and ``g`` keeps changing out there, the
    interval is open: ``-inf`` or ``+inf``."""
    from scipy.optimize import minimize

    reg = prof.regular
    doms = [res.dist.domains[i] for i in reg]
    th0 = list(prof.th_hat)
    l_star = prof.llmax - q / 2.0
    tr = _transform(g.scale, est)
    u_hat = tr(est)
    # locations in units of the data's spread (SLSQP's steps and tolerances are absolute)
    units = _units(res)
    sc = np.array([units[i] if units[i] is not None else 1.0 for i in reg])

    def eta_of(th: tuple[float, ...]) -> NDArray[np.float64]:
        return np.array([float(d.to_unconstrained(th[i])) for d, i in zip(doms, reg)]) / sc

    def theta(eta: NDArray[np.float64]) -> tuple[float, ...]:
        t = list(th0)
        for i, d, e in zip(reg, doms, eta * sc):
            t[i] = float(d.from_unconstrained(e))
        return tuple(t)

    with np.errstate(all="ignore"):
        eta_hat = eta_of(tuple(th0))
    if not np.all(np.isfinite(eta_hat)):
        eta_hat = np.where(np.isfinite(eta_hat), eta_hat, 0.0)
    J1 = np.array([float(d.jacobian(e)[0]) for d, e in zip(doms, eta_hat * sc)]) * sc
    cov = np.asarray(res.cov)[np.ix_(reg, reg)]
    cov_e = cov / np.outer(J1, J1)
    ok_cov = bool(np.all(np.isfinite(cov_e))) and bool(np.all(np.diag(cov_e) > 0))
    gu = grad[reg] * J1 * _dtransform(g.scale, est)
    sd_u = math.sqrt(max(float(gu @ cov_e @ gu), 0.0)) if ok_cov and np.all(np.isfinite(gu)) else 0.0
    unit = sd_u if sd_u > 0 and math.isfinite(sd_u) else max(abs(u_hat), 1.0)

    def obj(eta: NDArray[np.float64]) -> float:
        v = tr(g(theta(eta)))
        return -side * (v - u_hat) / unit if math.isfinite(v) else 1e6

    def cons(eta: NDArray[np.float64]) -> float:
        ll = prof.lik.evaluate(theta(eta), 0)[0]
        return float(ll - l_star) if math.isfinite(ll) else -1e6

    def cons_jac(eta: NDArray[np.float64]) -> NDArray[np.float64]:
        _, gr, _ = prof.lik.evaluate(theta(eta), 1)
        jac = np.array([float(d.jacobian(e)[0]) for d, e in zip(doms, eta * sc)]) * sc
        out = gr[reg] * jac
        return out if np.all(np.isfinite(out)) else np.zeros(len(reg))

    tol = 1e-6 * max(1.0, abs(l_star))
    # candidate starting points, all inside the region
    starts: list[tuple[NDArray[np.float64], int]] = []
    for th, tag in cands:
        with np.errstate(all="ignore"):
            e = eta_of(th)
        if np.all(np.isfinite(e)):
            starts.append((e, tag))
    if ok_cov and sd_u > 0:
        starts.append((eta_hat + side * math.sqrt(q) * (cov_e @ gu) / sd_u * 0.9, 0))
    scored = sorted(((obj(e), i) for i, (e, _) in enumerate(starts) if cons(e) >= -tol),
                    key=lambda t: t[0])
    if not scored:
        return est
    best_val = -side * math.inf
    best_tag = 0
    for _, i in scored[:2]:
        x0, tag = starts[i]
        span = np.maximum(np.abs(x0 - eta_hat), 1.0) * 3.0 + 2.0
        lo_b, hi_b = eta_hat - span, eta_hat + span
        with np.errstate(all="ignore"):
            r = minimize(obj, x0, method="SLSQP", bounds=list(zip(lo_b, hi_b)),
                         constraints=[{"type": "ineq", "fun": cons, "jac": cons_jac}],
                         options={"ftol": 1e-13, "maxiter": 500})
        for x, t in ((r.x, tag), (x0, tag)):
            if cons(x) < -tol:
                continue
            v = g(theta(x))
            if math.isfinite(v) and side * (v - best_val) > 0:
                best_val, best_tag = v, t
    if best_tag:
        # the extreme lies out along an open side: a limit, or divergence?
        far = [g(th) for th, tag in cands if tag == 2]
        mid = [g(th) for th, tag in cands if tag == 1]
        pick = max if side > 0 else min
        fb = pick(far) if far else math.nan
        mb = pick(mid) if mid else math.nan
        if math.isfinite(fb) and math.isfinite(mb) and abs(fb - mb) > 1e-3 * max(1.0, abs(fb)):
            return side * math.inf
    return float(best_val) if math.isfinite(best_val) else math.nan


def _transform(scale: str, est: float) -> Callable[[float], float]:
    if scale == "log" and est > 0:
        return lambda v: math.log(v) if v > 0 else -math.inf
    if scale == "logit" and 0 < est < 1:
        return lambda v: float(logit(v)) if 0 < v < 1 else (-math.inf if v <= 0 else math.inf)
    return lambda v: v


def _dtransform(scale: str, est: float) -> float:
    if scale == "log" and est > 0:
        return 1.0 / est
    if scale == "logit" and 0 < est < 1:
        return 1.0 / (est * (1.0 - est))
    return 1.0


# ---------------------------------------------------------------------------- public
def _check_method(method: str) -> str:
    m = str(method).lower()
    if m not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    return m


def _evaluate(res: FitResult, g: _Quantity, level: float, method: str, scale: str,
              **kw: Any) -> tuple[float, float, tuple[float, float], str]:
    th = tuple(float(res.params[p]) for p in res.params)
    est = g(th)
    if not math.isfinite(est):
        why = f" ({g.error})" if g.error else ""
        raise ParameterError(
            f"{g.name} is not finite at the estimate ({est}){why} for {res.family} with "
            f"{', '.join(f'{k}={v:.6g}' for k, v in res.params.items())}. Hint: the quantity may "
            "not exist for these parameter values (e.g. the mean of a heavy-tailed fit); for a "
            "custom model give a function of the parameters instead of a name.")
    grad = gradient(res, g, th)
    reg = _regular(res)
    cov = np.asarray(res.cov)
    gv = grad[reg]
    if not reg:
        se = 0.0
    else:   # (a fit without a likelihood, e.g. bias-corrected, keeps its covariance)
        var = float(gv @ cov[np.ix_(reg, reg)] @ gv)
        se = math.sqrt(var) if var >= 0 else math.nan
    sc = g.scale if scale == "auto" else scale
    if method == "delta":
        if kw:
            raise ParameterError(f"method='delta' takes no options; got {', '.join(kw)}.")
        z = float(norm.ppf(0.5 + level / 2))
        return est, se, _delta_ci(est, se, z, sc), sc
    if method == "profile":
        if kw:
            raise ParameterError(f"method='profile' takes no options; got {', '.join(kw)}.")
        if res.likelihood is None:
            return est, se, (math.nan, math.nan), sc
        return est, se, _profile_ci(res, g, level, est, grad), sc
    from .bootstrap import acceleration, check_interval, interval_from, replicates

    interval = check_interval(kw.pop("interval", "percentile"), ("percentile", "basic", "bca"))
    bs = replicates(res, **kw)
    vals = np.array([g(tuple(row)) for row in bs.params]) if bs.params.size else np.empty(0)
    a = acceleration(res, grad, bs.kind) if interval == "bca" else 0.0
    return est, se, interval_from(vals, est, level, interval, a), sc


def derived(res: FitResult, quantity: Any, *, name: str | None = None, method: str = "delta",
            level: float = 0.95, scale: str = "auto", **kwargs: Any) -> Derived:
    """A function of the parameters with its SE and interval (see the module docstring)."""
    from .._core.checks import check_level

    lv = check_level(level)
    m = _check_method(method)
    if scale not in SCALES:
        raise ParameterError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}.")
    if callable(quantity):
        g = _callable(res, quantity, name)
        try:
            with np.errstate(all="ignore"):
                v = quantity(dict(res.params))
            float(v)
        except Exception as exc:
            raise ParameterError(
                f"the derived function {g.name!r} failed at the estimate "
                f"({type(exc).__name__}: {exc}); it must take the parameters dict "
                f"({', '.join(res.params)}) and return a number.") from exc
    elif isinstance(quantity, str):
        g = _named(res, quantity.lower())
        if name:
            g.name = name
    else:
        raise ParameterError(f"quantity must be a name ({', '.join(_NAMED)}) or a function of the "
                             f"parameters dict; got {type(quantity).__name__}.")
    est, se, ci, sc = _evaluate(res, g, lv, m, scale, **kwargs)
    return Derived(g.name, est, se, ci, m, lv, sc)


def _vectorised(res: FitResult, xs: Any, make: Callable[[float], _Quantity], what: str,
                method: str, level: float, scale: str, kwargs: dict[str, Any]) -> Derived:
    from .._core.checks import check_level

    lv = check_level(level)
    m = _check_method(method)
    if scale not in SCALES:
        raise ParameterError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}.")
    arr = numbers_at(xs, what)
    if np.any(np.isnan(arr)):
        raise ParameterError(f"{what} must be numbers; got NaN.")
    flat = arr.ravel()
    out = np.empty((4, flat.size))
    name = ""
    sc = scale
    for k, x in enumerate(flat):
        g = make(float(x))
        name = g.name
        est, se, (lo, hi), sc = _evaluate(res, g, lv, m, scale, **dict(kwargs))
        out[:, k] = (est, se, lo, hi)
    note = _interval_note(res, out, what)
    if arr.ndim == 0:
        return Derived(name, float(out[0, 0]), float(out[1, 0]), (float(out[2, 0]), float(out[3, 0])),
                       m, lv, sc, note)
    shape = arr.shape
    label = f"{what}({', '.join(f'{v:g}' for v in flat[:3])}{', …' if flat.size > 3 else ''})"
    return Derived(label, out[0].reshape(shape), out[1].reshape(shape),
                   (out[2].reshape(shape), out[3].reshape(shape)), m, lv, sc, note)


def numbers_at(xs: Any, what: str) -> np.ndarray:
    """``xs`` as a float array, or a ParameterError naming what was passed."""
    try:
        return np.asarray(xs, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{what} takes a number or an array of numbers; got {xs!r}. "
                             "Hint: convert the values with float(...) or np.asarray(..., "
                             "dtype=float) first.") from None


def _interval_note(res: FitResult, out: np.ndarray, what: str) -> str:
    """A note when the interval is NaN or of zero width although the estimate is finite and the
    parameters have standard errors: the quantity is flat or undefined there (an extreme tail
    quantile below the precision of the parameters, a hazard outside the support)."""
    est, _se, lo, hi = out
    if not any(math.isfinite(v) and v > 0 for p, v in res.se.items() if p not in res.fixed):
        return ""
    bad = np.isfinite(est) & ~(np.isfinite(lo) & np.isfinite(hi) & (hi > lo))
    if not bad.any():
        return ""
    return (f"no interval for {int(bad.sum())} of {bad.size} {what} values: the quantity is flat "
            "or undefined there at the precision of the estimates (an extreme tail, or outside "
            "the support), so the delta method gives no standard error; try method='profile' "
            "or 'bootstrap'")


def quantile(res: FitResult, q: Any, *, method: str = "delta", level: float = 0.95,
             scale: str = "auto", **kwargs: Any) -> Derived:
    """The ``q`` quantile of the fitted distribution (``q`` in (0, 1); B10 life is ``q=0.1``)."""
    qa = numbers_at(q, "quantile")
    if np.any(~((qa > 0) & (qa < 1))):
        raise ParameterError(f"q must lie strictly between 0 and 1; got {q!r}.")
    pos = _positive_family(res) and not res.dist.discrete

    def make(p: float) -> _Quantity:
        return _Quantity(res, lambda th: float(_dist_at(res, th).ppf(p)), f"quantile({p:g})",
                         "log" if pos else "identity")

    return _vectorised(res, q, make, "quantile", method, level, scale, kwargs)


def sf(res: FitResult, t: Any, *, method: str = "delta", level: float = 0.95,
       scale: str = "auto", **kwargs: Any) -> Derived:
    """Survival probability ``P(X > t)`` with an interval (logit scale by default)."""
    def make(x: float) -> _Quantity:
        return _Quantity(res, lambda th: float(_dist_at(res, th).sf(x)), f"sf({x:g})", "logit")

    return _vectorised(res, t, make, "sf", method, level, scale, kwargs)


def cdf(res: FitResult, x: Any, *, method: str = "delta", level: float = 0.95,
        scale: str = "auto", **kwargs: Any) -> Derived:
    """Cumulative probability ``P(X <= x)`` with an interval (logit scale by default)."""
    def make(v: float) -> _Quantity:
        return _Quantity(res, lambda th: float(_dist_at(res, th).cdf(v)), f"cdf({v:g})", "logit")

    return _vectorised(res, x, make, "cdf", method, level, scale, kwargs)


def hazard(res: FitResult, t: Any, *, method: str = "delta", level: float = 0.95,
           scale: str = "auto", **kwargs: Any) -> Derived:
    """Hazard rate ``f(t) / S(t)`` with an interval (log scale by default)."""
    def make(x: float) -> _Quantity:
        return _Quantity(res, lambda th: float(_dist_at(res, th).hazard(x)), f"hazard({x:g})", "log")

    return _vectorised(res, t, make, "hazard", method, level, scale, kwargs)
