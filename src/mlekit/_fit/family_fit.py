"""``fit``: family × data → estimate → ``FitResult``.

The path taken is recorded in ``FitResult.method``:

``closed-form``            a formula on sufficient statistics (one pass over the data)
``newton-on-statistics``   one pass for statistics, then Newton on a handful of numbers
``profile-newton``         a family's own reduced Newton iteration (e.g. negative binomial)
``newton``                 Newton over the data with analytic derivatives
``newton (numerical …)``   Newton where some terms use numerical derivatives
``degenerate``             all values equal: the estimate is on the boundary
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .._core.engine import map_reduce
from .._core.numdiff import data_unit
from .._core.optimize import newton
from .._data.data import Block, Data
from .._families.base import Family, get_family
from ..errors import (
    BoundaryWarning,
    ConvergenceError,
    ConvergenceWarning,
    DataError,
    NumericalWarning,
    ParameterError,
)
from .likelihood import Likelihood
from .result import Diagnostic, FitResult

__all__ = ["fit", "as_data"]

_START_SAMPLE = 100_000


def as_data(x: Any, *, weights: Any = None, nan_policy: str = "raise") -> Data:
    if isinstance(x, Data):
        if weights is not None:
            raise DataError("weights were given twice: in Data(...) and in fit(...); give them once.")
        return x
    return Data(x, weights=weights, nan_policy=nan_policy)


def _check_param_dict(fam: Family, values: Any, what: str) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParameterError(f"{what} must be a dict such as {{'shape': 1.5}}; got {values!r}.")
    out = {}
    for key, val in values.items():
        if key not in fam.param_names:
            raise ParameterError(
                f"{what} names a parameter of {type(fam).__name__} "
                f"({', '.join(fam.param_names)}); got {key!r}."
            )
        out[key] = fam._check_value(key, val, what)
    return out


def fit(
    x: Any = None,
    family: Any = None,
    *,
    data: Any = None,
    fixed: dict[str, float] | None = None,
    start: dict[str, float] | None = None,
    weights: Any = None,
    nan_policy: str = "raise",
    strict: bool = False,
    cov: str = "observed",
    maxiter: int = 200,
    method: str = "auto",
    by: Any = None,
    backend: str | None = None,
    **kwargs: Any,
) -> Any:
    """Fit a model by maximum likelihood.

    Parameters
    ----------
    x
        The data (list, array, Series, Arrow array, or :class:`mlekit.Data` for censoring,
        weights and truncation) — or a custom model made with :func:`mlekit.model`, in which
        case the data go in ``data=``.
    family
        A family name (``"weibull"``) or object (``mk.Weibull()``).
    fixed
        Parameters held at known values (excluded from ``n_params``).
    start
        Starting guesses for the optimiser — never constraints.
    weights
        Frequency weights (or give them to ``Data``).
    nan_policy
        ``"raise"`` (default) or ``"omit"``.
    strict
        Raise :class:`ConvergenceError` instead of warning when the fit is not clean
        (non-convergence, boundary estimate, singular information).
    cov
        ``"observed"`` (inverse observed information) or ``"sandwich"`` (robust).
    method
        ``"auto"`` (closed form when one exists, else Newton) or ``"newton"`` (always iterate:
        a check on the closed forms).
    by
        Group labels (array, Series, or several keys): one fit per group, in one call.
    backend
        ``"dask"`` to compute on the Dask cluster the current client points to.
    """
    from .._api.dispatch import dispatch

    if by is not None:
        kwargs["by"] = by
    if backend is not None:
        kwargs["backend"] = backend
    if method != "auto":
        kwargs["method"] = method
    special = dispatch(x, family, data=data, fixed=fixed, start=start, weights=weights,
                       nan_policy=nan_policy, strict=strict, cov=cov, maxiter=maxiter, **kwargs)
    if special is not NotImplemented:
        return special
    if backend not in (None, "numpy"):
        raise ParameterError(f"backend must be 'numpy' or 'dask'; got {backend!r}.")
    kwargs.pop("backend", None)
    kwargs.pop("method", None)
    if kwargs:
        from .._core.keywords import keywords_of, unexpected_keywords

        raise unexpected_keywords("fit", kwargs, keywords_of(fit))
    if x is None:
        x = data
    elif data is not None:
        raise DataError("give the data once: as the first argument or as data=, not both.")
    if family is None:
        raise ParameterError("fit needs a family, e.g. mk.fit(x, 'normal'); got none. "
                             "Hint: mk.compare(x, 'all') tries every family that fits.")
    fam = get_family(family)
    dat = as_data(x, weights=weights, nan_policy=nan_policy)
    return fit_family(fam, dat, fixed=fixed, start=start, strict=strict, cov=cov, maxiter=maxiter,
                      method=method)


def fit_family(fam: Family, dat: Data, *, fixed: dict[str, float] | None = None,
               start: dict[str, float] | None = None, strict: bool = False,
               cov: str = "observed", maxiter: int = 200, method: str = "auto") -> FitResult:
    path = method
    fixed_d = _check_param_dict(fam, fixed, "fixed")
    start_d = _check_param_dict(fam, start, "start")
    if method not in ("auto", "newton"):
        raise ParameterError(f"method must be 'auto' or 'newton'; got {method!r}.")
    if cov not in ("observed", "sandwich"):
        raise ParameterError(f"cov must be 'observed' or 'sandwich'; got {cov!r}.")
    fam._check_data(dat, fixed_d)
    if not fam.discrete:
        dat = dat.clip_intervals(fam.support.lower, fam.support.upper)
    if fam.discrete and not dat.has_trials:
        dat = compress_counts(dat)
    free = [p for p in fam.param_names if p not in fixed_d]
    _check_information(fam, dat, free)
    diags: list[Diagnostic] = []

    # -- degenerate: every value identical
    if free and not fixed_d and dat.only_exact and not fam.discrete:
        x = dat.exact.x
        if x.size and x.min() == x.max():
            deg = fam._degenerate(float(x[0]))
            if deg is not None:
                return _finish_degenerate(fam, dat, deg, strict)

    # -- non-regular parameters (sample extremes)
    nonreg: dict[str, float] = {}
    for p in getattr(fam, "nonregular", ()):
        if p not in fixed_d:
            nonreg[p] = fam._nonregular_estimate(dat, fixed_d)[p]
    inner_fixed = {**fixed_d, **nonreg}
    lik = Likelihood(fam, dat, inner_fixed)

    params: dict[str, float] | None = None
    H: np.ndarray | None = None
    ll = math.nan
    method = ""
    iterations = 0
    grad_norm = 0.0
    converged = True
    can_closed = getattr(fam, "_can_closed_form", None)
    closed_ok = can_closed(dat) if can_closed else (dat.only_exact and not dat.is_truncated)
    if closed_ok and path == "auto":
        stats = None
        if type(fam)._suffstats is not Family._suffstats:
            stats = map_reduce(fam._suffstats, lik.chunks)
            params = fam._closed_form(stats, inner_fixed)
            if params is not None:
                method = getattr(fam, "closed_form_method", "closed-form")
                if hasattr(fam, "_stats_loglik"):
                    ll = fam._stats_loglik(stats, params)
                if hasattr(fam, "_stats_hessian"):
                    try:
                        with np.errstate(all="ignore"):
                            H = np.asarray(fam._stats_hessian(stats, params), dtype=float)
                    except (ZeroDivisionError, OverflowError, ValueError):
                        H = None
    if params is None and path == "auto" and hasattr(fam, "_fast_fit"):
        fast = fam._fast_fit(dat, inner_fixed)
        if fast is not None:
            params, method = fast.params, fast.method
            iterations, converged = fast.iterations, fast.converged
            if fast.loglik is not None:
                ll = fast.loglik
            H = fast.hess
            if not converged:
                diags.append(Diagnostic("nonconvergence", f"the {method} iteration did not "
                                        f"converge after {iterations} iterations", "warning"))
    if params is not None:
        th = tuple(params[p] for p in fam.param_names)
        if H is None or not math.isfinite(ll):
            ll_e, g_e, H = lik.evaluate(th, 2)
            if not math.isfinite(ll):
                ll = ll_e
            grad_norm = float(np.max(np.abs(g_e[lik.free]))) if lik.free else 0.0
    else:
        params, ll, H, method, iterations, grad_norm, converged, opt_diags = _newton_fit(
            fam, lik, dat, start_d, inner_fixed, maxiter)
        diags += opt_diags

    return _finish(fam, dat, lik, params, ll, H, method, iterations, grad_norm, converged,
                   fixed_d, nonreg, diags, strict, cov)


def _embed(fam: Family, Hs: np.ndarray) -> np.ndarray:
    return np.asarray(Hs, dtype=float)


def _check_information(fam: Family, dat: Data, free: list[str]) -> None:
    n = dat.n_obs
    if n < len(free):
        raise DataError(
            f"{type(fam).__name__} has {len(free)} free parameters; got only {n:g} observations. "
            "Hint: fix some parameters with fixed={...} or collect more data."
        )
    if (dat.exact.size == 0 and dat.interval_block.size == 0
            and (dat.left.size == 0 or dat.right.size == 0)):
        side = "right" if dat.right.size else "left"
        raise DataError(
            f"at least one observation must be exact or bounded on both sides; got all "
            f"{dat.n_rows} values {side}-censored, which leaves the likelihood unbounded. "
            "Hint: with no failures yet, report a lower confidence bound on the mean life "
            "instead of a fit."
        )


def compress_counts(dat: Data) -> Data:
    """Replace the exact block of count data by its distinct values with summed weights."""
    b = dat.exact
    if b.size < 64:
        return dat
    x = b.x
    xmax = float(x.max())
    if xmax < 5e6 and x.min() >= 0:
        cnt = np.bincount(x.astype(np.intp), weights=b.w)
        vals = np.flatnonzero(cnt)
        w = cnt[vals].astype(float)
        vals = vals.astype(float)
    else:
        if b.w is None:
            vals, c = np.unique(x, return_counts=True)
            w = c.astype(float)
        else:
            vals, inv = np.unique(x, return_inverse=True)
            w = np.bincount(inv, weights=b.w)
    if vals.size > 0.5 * b.size:
        return dat
    out = Data.__new__(Data)
    out.__dict__.update(dat.__dict__)
    out.exact = Block(vals, w)
    out._has_weights = True
    out._compressed_from = dat  # type: ignore[attr-defined]
    return out


def _start_points(dat: Data) -> tuple[np.ndarray, np.ndarray | None]:
    """A (sub)sample of values and weights for data-driven starting values."""
    xs, ws = [], []
    any_w = dat.has_weights
    for kind, blk in dat.blocks.items():
        if not blk.size:
            continue
        if kind == "interval":
            lo, hi = blk.x, blk.hi
            assert hi is not None
            v = np.where(np.isfinite(lo) & np.isfinite(hi), 0.5 * (lo + hi),
                         np.where(np.isfinite(lo), lo, hi))
        else:
            v = blk.x
        xs.append(v)
        ws.append(blk.w if blk.w is not None else np.ones(blk.size))
    x = np.concatenate(xs)
    w = np.concatenate(ws) if any_w else None
    if x.size > _START_SAMPLE:
        step = x.size // _START_SAMPLE
        x = x[::step]
        w = None if w is None else w[::step]
    return x, w


def _newton_fit(fam: Family, lik: Likelihood, dat: Data, start: dict[str, float],
                fixed: dict[str, float], maxiter: int) -> tuple[Any, ...]:
    diags: list[Diagnostic] = []
    free = lik.free
    doms = [fam.domains[i] for i in free]
    if not free:
        th = lik.theta([])
        ll, g, H = lik.evaluate(th, 2)
        return dict(zip(fam.param_names, th)), ll, H, "fixed", 0, 0.0, True, diags
    x, w = _start_points(dat)
    # locations are in the data's units: optimise them in units of the data's spread, so the
    # step cap and the line search are the same at any scale (1e-9 or 1e9)
    sc = _real_scales(fam, free, x)
    bounded = np.array([d.kind != "real" for d in doms], dtype=bool)
    with np.errstate(all="ignore"):
        try:
            s_data = fam._start(x, w, fixed)
        except (ValueError, ZeroDivisionError, FloatingPointError):
            s_data = {}
    s0 = {**s_data, **start}
    starts = [s0]
    if start and s_data:
        starts.append(s_data)  # a poor user guess must not decide the fit
    # fall-back starts: scale the data-driven ones
    for f in (0.5, 2.0, 0.1, 10.0):
        starts.append({p: (v * f if fam.domains[fam.param_names.index(p)].lower == 0 else v)
                       for p, v in ({**start, **s_data} if s_data else s0).items()})
    last: dict[str, Any] = {}

    def make_obj() -> Any:
        def obj(eta: np.ndarray, order: int) -> tuple[float, np.ndarray, np.ndarray]:
            if np.any(np.abs(eta[bounded]) > 700):
                # exp(eta) is subnormal or overflows: the parameter has no precision left and
                # round-off makes up log-likelihood values (a "maximum" at rate = 5e-324)
                return -math.inf, np.full(len(eta), math.nan), np.full((len(eta),) * 2, math.nan)
            thf = [d.from_unconstrained(e) for d, e in zip(doms, eta * sc)]
            th = lik.theta([float(t) for t in thf])
            ll, g, H = lik.evaluate(th, order)
            if order == 0:
                return ll, g, H
            jac = [d.jacobian(e) for d, e in zip(doms, eta * sc)]
            J1 = np.array([float(j[0]) for j in jac]) * sc
            J2 = np.array([float(j[1]) for j in jac]) * sc * sc
            gf, Hf = g[free], H[np.ix_(free, free)]
            last.update(th=th, ll=ll, g=g, H=H)
            return ll, gf * J1, Hf * np.outer(J1, J1) + np.diag(gf * J2)
        return obj

    best = None
    for i, s in enumerate(starts):
        try:
            eta0 = np.array([float(d.to_unconstrained(s[fam.param_names[j]]))
                             for d, j in zip(doms, free)]) / sc
        except KeyError:
            eta0 = np.zeros(len(free))
        if not np.all(np.isfinite(eta0)):
            continue
        with np.errstate(all="ignore"):
            res = newton(make_obj(), eta0, maxiter=maxiter)
        if res.converged:
            best = (res, dict(last))
            break
        if best is None or (math.isfinite(res.fun) and res.fun > best[0].fun):
            best = (res, dict(last))
        if i == 0 and start:
            diags.append(Diagnostic("restart", f"the fit from the given start did not converge "
                                    f"({res.message}); other starts were tried", "info"))
    if best is None:
        raise DataError(
            f"{type(fam).__name__}: the log-likelihood is not finite at any starting value. "
            "Hint: check that the data suit this family, or pass start={...}."
        )
    res, snap = best
    fallback = False
    if not res.converged and math.isfinite(res.fun):
        polished = _nelder_mead_polish(make_obj(), res, smooth=getattr(fam, "smooth", True))
        if polished is not None:
            res, fallback = polished
            snap = {}
    if not math.isfinite(res.fun):
        raise DataError(
            f"{type(fam).__name__}: the log-likelihood is not finite at the starting values "
            f"({res.message}). Hint: pass start={{...}} with plausible values."
        )
    thf = [float(d.from_unconstrained(e)) for d, e in zip(doms, res.x * sc)]
    th = lik.theta(thf)
    if snap.get("th") != th:
        ll, g, H = lik.evaluate(th, 2)
    else:
        ll, g, H = snap["ll"], snap["g"], snap["H"]
    numeric = _uses_numeric(lik)
    note = getattr(fam, "derivatives_note", "")
    method = "newton" + (f" ({note})" if note else
                         " (numerical derivatives for censored/truncation terms)" if numeric else "")
    if fallback:
        method = "nelder-mead (Newton stalled: the log-likelihood is not smooth enough)"
        diags.append(Diagnostic("fallback-optimizer", "Newton's method stalled; the estimate was "
                                "polished with Nelder-Mead", "info"))
    if not res.converged:
        after = "" if "after" in res.message else f" after {res.iterations} iterations"
        diags.append(Diagnostic("nonconvergence",
                                f"the optimiser did not converge: {res.message}{after}", "warning"))
    # boundary: a parameter ran far from its data-driven start
    for d, j, e0, e in zip(doms, free, _eta(doms, free, fam, {**s0, **s_data}), res.x * sc):
        name = fam.param_names[j]
        # a transformed parameter that moved e^16 ~ 1e7-fold from its data-driven start has run
        # off towards an open end (a real-line parameter has no such end: its units are the data's)
        ran_off = d.kind != "real" and math.isfinite(e0) and abs(e - e0) > 16
        if d.kind == "real" and name in getattr(fam, "data_unit_params", ()):
            # a location that moved a million data spreads has run off to -inf/+inf
            unit = float(sc[free.index(j)])
            ran_off = math.isfinite(e0) and abs(e - e0) > 1e6 * unit
        if d.on_boundary(th[j], rtol=1e-10) or ran_off:
            diags.append(Diagnostic(
                "boundary", f"{name} = {th[j]:.6g} ran to the edge of its domain "
                f"{d.describe()}: the maximum is at (or beyond) the boundary"
                + _boundary_hint(fam, name), "warning", name))
    grad_norm = float(np.max(np.abs(g[free])))
    return (dict(zip(fam.param_names, th)), ll, H, method, res.iterations, grad_norm,
            res.converged, diags)


def _real_scales(fam: Family, free: list[int], x: np.ndarray) -> np.ndarray:
    """Units for the optimiser's coordinates: the data's spread for locations in the data's
    units (``family.data_unit_params``), 1 for the others (logs/logits are unit-free)."""
    loc = getattr(fam, "data_unit_params", ())
    s = data_unit(x) if loc else 1.0
    return np.array([s if fam.param_names[j] in loc else 1.0 for j in free])


def _nelder_mead_polish(obj: Any, res: Any, smooth: bool = True) -> Any:
    """Derivative-free polish when Newton stalls (kinks, e.g. Laplace's loc with censoring)."""
    from scipy.optimize import minimize

    def f(e: np.ndarray) -> float:
        v = obj(e, 0)[0]
        return -v if math.isfinite(v) else math.inf

    x0 = np.asarray(res.x, dtype=float)
    simplex = np.vstack([x0] + [x0 + np.eye(x0.size)[i] * 0.05 for i in range(x0.size)])
    with np.errstate(all="ignore"):
        nm = minimize(f, x0, method="Nelder-Mead",
                      options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000 * x0.size,
                               "initial_simplex": simplex})
    if not (nm.success and -nm.fun >= res.fun - 1e-12 * (1 + abs(res.fun))):
        return None
    # try to finish with Newton from there (smooth problems converge at once)
    with np.errstate(all="ignore"):
        again = newton(obj, nm.x, maxiter=50)
    if again.converged and again.fun >= -nm.fun - 1e-12 * (1 + abs(nm.fun)):
        return again, False
    with np.errstate(all="ignore"):
        _, g, H = obj(nm.x, 2)
    from .._core.optimize import OptResult, _direction
    # a smooth log-likelihood must also pass the Newton test (score ~ 0, curvature negative);
    # a kinked one (Laplace's loc) is judged by the simplex alone
    if smooth:
        ok = bool(np.all(np.isfinite(g)) and np.all(np.isfinite(H)))
        if ok:
            _, dec, pd = _direction(np.asarray(g, float), np.asarray(H, float))
            ok = pd and dec < 1e-6
        msg = "converged (Nelder-Mead)" if ok else \
            "Nelder-Mead stopped where the score is not zero (the optimum may not exist)"
    else:
        ok, msg = True, "converged (Nelder-Mead)"
    return OptResult(nm.x, -float(nm.fun), g, H, int(nm.nit), int(nm.nfev), ok, msg), True


def _eta(doms: list[Any], free: list[int], fam: Family, s0: dict[str, float]) -> list[float]:
    out = []
    for d, j in zip(doms, free):
        v = s0.get(fam.param_names[j])
        try:
            out.append(float(d.to_unconstrained(v)) if v is not None else math.nan)
        except (TypeError, ValueError):
            out.append(math.nan)
    return out


def _boundary_hint(fam: Family, name: str) -> str:
    hints = {
        ("student_t", "df"): "; the data look normal: fit 'normal' instead",
        ("negative_binomial", "size"): "; the counts are not over-dispersed: fit 'poisson' instead",
        ("lomax", "shape"): "; the tail is not heavier than exponential: fit 'exponential'",
        ("lomax", "scale"): "; the tail is not heavier than exponential: fit 'exponential'",
    }
    return hints.get((fam.name, name), "")


def _uses_numeric(lik: Likelihood) -> bool:
    return "numeric" in lik.flags


def _covariance(H: np.ndarray, idx: list[int], k: int) -> tuple[np.ndarray, bool]:
    """Inverse of the observed information ``-H`` on the parameters ``idx``."""
    cov = np.zeros((k, k))
    m = len(idx)
    if not m:
        return cov, True
    info = -H if m == k else -H[np.ix_(idx, idx)]
    if m == 1:
        a = float(info[0, 0])
        ok = math.isfinite(a) and a > 0
        c = np.array([[1.0 / a if ok else math.nan]])
    elif m == 2:
        a, b, d = float(info[0, 0]), float(info[0, 1]), float(info[1, 1])
        det = a * d - b * b
        ok = all(math.isfinite(v) for v in (a, b, d)) and a > 0 and det > 1e-14 * (a * d)
        c = (np.array([[d, -b], [-b, a]]) / det) if ok else np.full((2, 2), math.nan)
    else:
        ok = bool(np.all(np.isfinite(info)))
        if ok:
            try:
                L = np.linalg.cholesky(info)
                Li = np.linalg.inv(L)
                c = Li.T @ Li
            except np.linalg.LinAlgError:
                ok = False
        if not ok:
            c = np.full((m, m), math.nan)
    if m == k:
        return c, ok
    cov[np.ix_(idx, idx)] = c
    return cov, ok


def _finish(fam: Family, dat: Data, lik: Likelihood, params: dict[str, float], ll: float,
            H: np.ndarray | None, method: str, iterations: int, grad_norm: float,
            converged: bool, fixed: dict[str, float], nonreg: dict[str, float],
            diags: list[Diagnostic], strict: bool, cov_kind: str) -> FitResult:
    names = fam.param_names
    k = len(names)
    # parameters whose estimate sits on the edge of the domain have no Wald SE
    boundary = {d.param for d in diags if d.code == "boundary" and d.param}
    for i, p in enumerate(names):
        if p in fixed or p in nonreg or p in boundary:
            continue
        msg = None
        if fam.domains[i].on_boundary(params[p], rtol=0.0):
            msg = (f"{p} = {params[p]:.6g} is on the boundary of its domain "
                   f"{fam.domains[i].describe()}")
        else:
            msg = fam._boundary_message(p, params)
        if msg:
            diags.append(Diagnostic("boundary", msg + _boundary_hint(fam, p), "warning", p))
            boundary.add(p)
    regular = [i for i, p in enumerate(names)
               if p not in fixed and p not in nonreg and p not in boundary]
    assert H is not None
    cov, ok = _covariance(H, regular, k)
    cov_type = "observed"
    if cov_kind == "sandwich" and regular and ok:
        from .._inference.wald import sandwich_cov
        cov = sandwich_cov(lik, tuple(params[p] for p in names), cov, regular)
        cov_type = "sandwich"
    if not ok:
        diags.append(Diagnostic("singular-information",
                                "the observed information matrix is not positive definite at the "
                                "estimate: standard errors are unavailable (the parameters may not "
                                "be identifiable from these data)", "warning"))
    if fam.name == "laplace" and dat.only_exact:
        cov_type = "expected" if cov_type == "observed" else cov_type
        diags.append(Diagnostic("expected-information", "SE of loc uses the expected information "
                                "(the log-likelihood is not twice differentiable in loc)", "info",
                                "loc"))
    se = {p: (0.0 if p in fixed else float(math.sqrt(cov[i, i])) if cov[i, i] > 0 else math.nan)
          for i, p in enumerate(names)}
    for i, p in enumerate(names):
        if p in boundary:
            se[p] = math.nan
            cov[i, :] = cov[:, i] = math.nan
    for p in nonreg:
        se[p] = math.nan
        diags.append(Diagnostic("nonregular", f"{p} is estimated by a sample extreme "
                                f"({nonreg[p]:.6g}); it has no Wald standard error "
                                "(use bootstrap intervals)", "info", p))
    n_free = k - len(fixed)
    n = dat.n_obs
    n_info = n
    tr = [b.trials * (1.0 if b.w is None else b.w) for b in (getattr(dat, "blocks", None) or {}).values()
          if b.size and b.trials is not None]
    if tr:   # binomial rows: every trial is an observation of p (18,400 visitors, not 2 rows)
        n_info = float(sum(np.sum(t) for t in tr))
    if n_free and n_info < 10 * n_free:
        unit = "trials" if tr else "observations"
        diags.append(Diagnostic("small-sample", f"only {n_info:g} {unit} for {n_free} "
                                f"parameter{'s' if n_free > 1 else ''}: Wald intervals can be "
                                "far too narrow; prefer ci(method='profile')", "info"))
    if fam.discrete and hasattr(dat, "_compressed_from"):
        dat = dat._compressed_from  # keep the user's data on the result
    res = FitResult(
        family=fam.name, dist=_frozen(fam, params), params=dict(params), se=se, cov=cov,
        loglik=float(ll), n_obs=float(n), n_params=n_free, converged=bool(converged and ok),
        method=method, iterations=iterations, grad_norm=grad_norm, cov_type=cov_type,
        fixed=dict(fixed), diagnostics=tuple(diags), data=dat, likelihood=lik,
    )
    _emit(res, strict)
    return res


def _frozen(fam: Family, params: dict[str, float]) -> Family:
    new = fam._copy()
    new.values = {p: float(params[p]) for p in fam.param_names}
    return new


def _finish_degenerate(fam: Family, dat: Data, deg: dict[str, float], strict: bool) -> FitResult:
    k = fam.k
    names = fam.param_names
    msg = (f"all {dat.n_rows} values equal {dat.exact.x[0]:g}: the likelihood is unbounded and the "
           "estimate sits on the boundary (a point mass). Hint: check the data; a scale "
           "parameter cannot be estimated from identical values")
    diags = (Diagnostic("degenerate", msg, "warning"),)
    dist = fam._copy()
    dist.values = dict(deg)
    res = FitResult(
        family=fam.name, dist=dist, params=dict(deg), se={p: math.nan for p in names},
        cov=np.full((k, k), np.nan), loglik=math.inf, n_obs=dat.n_obs, n_params=k,
        converged=False, method="degenerate", diagnostics=diags, data=dat, likelihood=None,
    )
    _emit(res, strict)
    return res


def _emit(res: FitResult, strict: bool) -> None:
    for d in res.warnings:
        if strict:
            raise ConvergenceError(f"{res.family} fit is not clean: {d.message}. "
                                   "Hint: pass strict=False to get the result with its diagnostics.")
        cat = {"nonconvergence": ConvergenceWarning, "boundary": BoundaryWarning,
               "degenerate": BoundaryWarning}.get(d.code, NumericalWarning)
        warnings.warn(f"{res.family}: {d.message}", cat, stacklevel=4)
