"""Turning an estimate into a :class:`FitResult`: covariance, diagnostics, warnings.

Shared by every estimator that builds a ``FitResult``: the in-memory family fit
(:func:`mlekit._fit.family_fit.fit_family`), the streamed and Dask fits, one group of a grouped
fit, and the named-parameter models (custom models, regression, mixtures, time series:
:func:`model_result`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from .._core.checks import find_stack_level
from .._core.domains import Domain
from .._core.numdiff import iqr_of
from .._families.base import Family
from .._inference.wald import crosses_zero
from ..errors import (
    BoundaryWarning,
    ConvergenceError,
    ConvergenceWarning,
    FamilyError,
    NumericalWarning,
    ParameterError,
)
from .likelihood import FreeParams
from .problem import Problem, Solution, fd_derivs, flat_directions, nan_hint, to_natural
from .result import Diagnostic, FitResult
from .scores import sandwich_cov

__all__ = ["Estimate", "covariance", "finish", "finish_values",
           "finish_degenerate", "emit", "model_result", "model_dist", "ModelDist",
           "ModelLikelihood"]


@dataclass
class Estimate:
    """What an estimation path found, before standard errors and diagnostics are added."""

    params: dict[str, float]
    loglik: float
    hess: np.ndarray | None
    method: str
    iterations: int = 0
    grad_norm: float = 0.0
    converged: bool = True
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _small_inverse(H: np.ndarray, idx: list[int]) -> tuple[list[list[float]], bool]:
    """The inverse of ``-H`` on ``idx`` (one or two parameters) in floats, and whether ``-H``
    is positive definite there (NaN entries when it is not)."""
    h = (H if type(H) is np.ndarray else np.asarray(H, dtype=float)).tolist()   # one call
    if len(idx) == 1:
        i = idx[0]
        a = -h[i][i]
        ok = math.isfinite(a) and a > 0
        return [[1.0 / a if ok else math.nan]], ok
    i, j = idx
    a, b, d = -h[i][i], -h[i][j], -h[j][j]
    if not _definite2(a, b, d):
        return [[math.nan, math.nan], [math.nan, math.nan]], False
    det = a * d - b * b
    return [[d / det, -b / det], [-b / det, a / det]], True


def _definite2(a: float, b: float, d: float) -> bool:
    """Whether the 2x2 information ``[[a, b], [b, d]]`` is positive definite (finite, and not
    singular to 1e-14 of ``a d``)."""
    return (math.isfinite(a) and math.isfinite(b) and math.isfinite(d) and a > 0
            and a * d - b * b > 1e-14 * (a * d))


def _pow2_scales(d: np.ndarray) -> np.ndarray:
    """Powers of 2 near ``1 / sqrt(d)`` (1 where an entry of ``d`` is not positive or not a
    normal number's square): ``d * e**2`` lies in [0.5, 2), exactly."""
    with np.errstate(all="ignore"):
        ex = -np.round(0.5 * np.log2(d))
    ex = np.where(np.isfinite(ex) & (d > 0.0), ex, 0.0)
    return np.ldexp(1.0, np.clip(ex, -500, 500).astype(np.int64))


def covariance(H: np.ndarray, idx: list[int], k: int) -> tuple[np.ndarray, bool]:
    """Inverse of the observed information ``-H`` on the parameters ``idx``."""
    m = len(idx)
    if not m:
        return np.zeros((k, k)), True
    if m <= 2:
        small, ok = _small_inverse(H, idx)
        c = np.array(small)
    else:
        info = -H if m == k else -H[np.ix_(idx, idx)]
        ok = bool(np.all(np.isfinite(info)))
        if ok:
            # on the parameters' own scales (the diagonal made ~1 by powers of 2, exactly):
            # numpy's inverse of the Cholesky factor pivots by size, and parameters of very
            # different scales (a covariate in tiny units) would lose the small entries
            e = _pow2_scales(np.diag(info))
            try:
                L = np.linalg.cholesky(info * np.outer(e, e))
                Li = np.linalg.inv(L)
                c = (Li.T @ Li) * np.outer(e, e)
            except np.linalg.LinAlgError:
                ok = False
        if not ok:
            c = np.full((m, m), math.nan)
    if m == k:
        return c, ok
    cov = np.zeros((k, k))
    cov[np.ix_(idx, idx)] = c
    return cov, ok


def _wald_parts(fam: Family, params: dict[str, float], H: np.ndarray, regular: list[int],
                cov: np.ndarray | None, fixed: dict[str, float], boundary: set[str],
                nonreg: dict[str, float]) -> dict[str, Any]:
    """``se``, ``cov`` and ``dist`` of a family result (``cov`` None: the observed-information
    covariance, computed here)."""
    names = fam.param_names
    if cov is None and len(regular) == len(names) <= 2:
        # every parameter free and regular (the usual fit): the small inverse in floats
        small, _ = _small_inverse(H, regular)
        return {"se": {p: math.sqrt(small[i][i]) if small[i][i] > 0 else math.nan
                       for i, p in enumerate(names)},
                "cov": np.array(small), "dist": _frozen(fam, params)}
    if cov is None:
        cov = covariance(H, regular, len(names))[0]
    se = {p: (0.0 if p in fixed else float(math.sqrt(cov[i, i])) if cov[i, i] > 0 else math.nan)
          for i, p in enumerate(names)}
    for i, p in enumerate(names):
        if p in boundary:
            se[p] = math.nan
            cov[i, :] = cov[:, i] = math.nan
    for p in nonreg:
        se[p] = math.nan
    return {"se": se, "cov": cov, "dist": _frozen(fam, params)}


def _boundary_findings(fam: Family, dat: Any, params: dict[str, float],
                       skip: Any) -> list[Diagnostic]:
    """A ``boundary`` warning for each parameter not in ``skip`` whose estimate sits on the edge
    of its domain (or is effectively at an infinite end, or a collapsed scale)."""
    out = []
    doms = fam.domains
    for i, p in enumerate(fam.param_names):
        if skip and p in skip:
            continue
        msg = None
        if doms[i].on_boundary(params[p], 0.0):
            msg = (f"{p} = {params[p]:.6g} is on the boundary of its domain "
                   f"{doms[i].describe()}")
        else:
            msg = fam._boundary_message(p, params) or _collapsed_scale(fam, dat, p, params, i)
        if msg:
            out.append(Diagnostic("boundary", msg + fam.boundary_hints.get(p, ""), "warning", p))
    return out


def finish(fam: Family, dat: Any, lik: Any, est: Estimate, *, fixed: dict[str, float],
           nonreg: dict[str, float], strict: bool, cov_kind: str = "observed",
           refit: Callable[..., FitResult] | None = None) -> FitResult:
    """The :class:`FitResult` of a family fit: covariance (observed information or sandwich),
    boundary / singular-information / non-regular / small-sample diagnostics, warnings.

    ``dat`` needs ``n_obs`` and ``only_exact``; ``refit`` is injected into the result as
    ``FitResult._refit`` (how inference refits the same model to other data)."""
    res = FitResult._build(finish_values(fam, dat, lik, est, fixed=fixed, nonreg=nonreg,
                                         cov_kind=cov_kind, refit=refit))
    emit(res, strict)
    return res


def finish_values(fam: Family, dat: Any, lik: Any, est: Estimate, *, fixed: dict[str, float],
                  nonreg: dict[str, float], cov_kind: str = "observed",
                  refit: Callable[..., FitResult] | None = None) -> dict[str, Any]:
    """The fields of :func:`finish`'s result (nothing emitted)."""
    names = fam.param_names
    k = len(names)
    params = est.params
    diags = list(est.diagnostics)
    # parameters whose estimate sits on the edge of the domain have no Wald SE
    boundary = {d.param for d in diags if d.code == "boundary" and d.param} if diags else set()
    found = _boundary_findings(fam, dat, params, {*fixed, *nonreg, *boundary})
    diags += found
    boundary.update(d.param for d in found if d.param)
    regular = [i for i, p in enumerate(names)
               if p not in fixed and p not in nonreg and p not in boundary]
    H = est.hess
    assert H is not None
    cov: np.ndarray | None = None
    cov_type = "observed"
    if cov_kind == "observed" and len(regular) <= 2:
        ok = _small_inverse(H, regular)[1] if regular else True   # the covariance: below
    else:
        cov, ok = covariance(H, regular, k)
    if cov_kind == "sandwich" and regular and ok:
        assert cov is not None
        observed = cov
        cov = sandwich_cov(lik, tuple(params[p] for p in names), cov, regular)
        cov_type = "sandwich"
        bad = degenerate_sandwich(observed, cov, regular)
        if bad:
            diags.append(Diagnostic(
                "degenerate-sandwich", "the sandwich variance of " + ", ".join(names[i] for i in bad)
                + " is NaN or vanishing next to the observed-information variance: the scores "
                "carry no information on it (too few or identical observations); prefer "
                "cov='observed'", "warning"))
    if not ok:
        diags.append(Diagnostic("singular-information",
                                "the observed information matrix is not positive definite at the "
                                "estimate: standard errors are unavailable (the parameters may not "
                                "be identifiable from these data)", "warning"))
    expected = list(fam.expected_info_params) if fam.expected_info_params and dat.only_exact \
        else []
    if expected:
        cov_type = "expected" if cov_type == "observed" else cov_type
    for p in expected:
        diags.append(Diagnostic("expected-information", f"SE of {p} uses the expected information "
                                f"(the log-likelihood is not twice differentiable in {p})", "info",
                                p))
    for p in nonreg:
        diags.append(Diagnostic("nonregular", f"{p} is estimated by a sample extreme "
                                f"({nonreg[p]:.6g}); it has no Wald standard error "
                                "(use bootstrap intervals)", "info", p))
    diags += [Diagnostic(*d) for d in fam._fit_diagnostics(params, dat, est.converged, fixed)]
    n_free = k - len(fixed)
    n = dat.n_obs
    n_info = n
    tr = [b.trials * (1.0 if b.w is None else b.w)
          for b in (getattr(dat, "blocks", None) or {}).values()
          if b.size and b.trials is not None] if getattr(dat, "has_trials", True) else []
    if tr:   # binomial rows: every trial is an observation of p (18,400 visitors, not 2 rows)
        n_info = float(sum(np.sum(t) for t in tr))
    if n_free and n_info < 10 * n_free:
        unit = "trials" if tr else "observations"
        diags.append(Diagnostic("small-sample", f"only {n_info:g} {unit} for {n_free} "
                                f"parameter{'s' if n_free > 1 else ''}: Wald intervals can be "
                                "far too narrow; prefer ci(method='profile')", "info"))
    if fam.discrete and hasattr(dat, "_compressed_from"):
        dat = dat._compressed_from  # keep the user's data on the result
    finite = nonfinite_diagnostic(params, est.loglik)
    if finite is not None:
        diags.append(finite)
    values = dict(
        family=fam.name, params=dict(params), loglik=float(est.loglik), n_obs=float(n),
        n_params=n_free, converged=bool(est.converged and ok and finite is None),
        method=est.method, iterations=est.iterations, grad_norm=est.grad_norm, cov_type=cov_type,
        fixed=dict(fixed), diagnostics=tuple(diags), data=dat, likelihood=lik, _refit=refit)
    values.update(_wald_parts(fam, values["params"], H, regular, cov, fixed, boundary, nonreg))
    logged = _wald_log_diagnostic(fam, values["params"], values.get("se"), fixed)
    if logged is not None:
        values["diagnostics"] = (*values["diagnostics"], logged)
    return values


def _wald_log_diagnostic(fam: Family, params: dict[str, float], se: Any,
                         fixed: dict[str, float]) -> Diagnostic | None:
    """An info diagnostic naming the positive parameters whose 95% Wald interval on the
    natural scale would go below 0 (``ci()`` gives them the log-scale interval instead)."""
    if not se:
        return None
    z = 1.959963984540054
    names = [p for p, d in zip(fam.param_names, fam.domains)
             if p not in fixed and p in se and crosses_zero(d, params[p], se[p], z)]
    if not names:
        return None
    what = ", ".join(names)
    return Diagnostic("wald-log", f"the Wald interval of {what} on the natural scale would go "
                      f"below 0, so the log-scale (wald-log) interval is given: it stays above 0 "
                      "but is unreliable too; prefer ci(method='profile')", "info", names[0])


def _collapsed_scale(fam: Family, dat: Any, p: str, params: dict[str, float],
                     i: int) -> str | None:
    """A message when the scale of a location-scale family has collapsed onto a few points
    (below 1e-4 of the data's interquartile range): the likelihood grows without bound as the
    scale -> 0 (ties, or truncation cutting the rest away), so the supremum is on the boundary."""
    pw = fam.scale_powers
    if not pw or pw.get(p) != 1 or fam.domains[i].lower != 0.0:
        return None
    points = getattr(dat, "all_points", None)
    if points is None:
        return None
    if getattr(dat, "only_exact", False):
        # the interquartile range is at most the range: no collapse is possible when the scale
        # is at least 1e-4 of it (every ordinary fit; skips the percentile pass)
        blk = dat.exact
        if blk.size < 4:
            return None
        c = blk._cache   # the extremes, when cached (as after every in-memory fit's checks)
        hi, lo = c.get("max"), c.get("min")
        if hi is None or lo is None:
            if not _location_params(fam):
                return None   # (no pass over the values for a family that cannot collapse)
            hi, lo = blk.x_extreme("max"), blk.x_extreme("min")
        if not params[p] < 1e-4 * (hi - lo):
            return None
    loc = _location_params(fam)
    if not loc:
        return None
    if getattr(dat, "only_exact", False):
        # a wide-ranged sample (e.g. Cauchy's) gets here every fit: first two counts that
        # bound the interquartile range, then (rarely) np.percentile's IQR from one selection,
        # kept on the block (exact values are finite, at least 4 here)
        blk = dat.exact
        if _iqr_bounded(blk.x, params[loc[0]], params[p]):
            return None
        iqr = blk.cached("iqr", lambda: iqr_of(blk.x))
    else:
        x = points()
        x = x[np.isfinite(x)]
        if x.size < 4:
            return None
        q1, q3 = np.percentile(x, [25.0, 75.0])
        iqr = float(q3 - q1)
    if not (iqr > 0 and params[p] < 1e-4 * iqr):
        return None
    return (f"{p} = {params[p]:.6g} collapsed below 1e-4 of the data's interquartile range "
            f"({iqr:.6g}): the likelihood grows without bound as {p} -> 0, so the maximum is on "
            "the boundary (ties, or truncation cutting most of the data away)")


def _iqr_bounded(x: np.ndarray, centre: float, scale: float) -> bool:
    """Whether counts prove ``scale >= 1e-4 * IQR(x)`` (np.percentile's quartiles): with
    ``a, b = centre -/+ 2500 scale``, when at most ``floor(0.25 (n-1))`` values lie below ``a``
    and at most ``n - 1 - hi`` above ``b`` (``hi`` the upper order statistic of the third
    quartile's interpolation), both quartiles lie in ``[a, b]``, so the IQR is at most
    ``b - a``: ``scale >= 2e-4 (b - a)`` then leaves a factor 2 for rounding."""
    n = x.shape[0]
    half = 2500.0 * scale
    a, b = centre - half, centre + half
    if not (math.isfinite(a) and math.isfinite(b) and scale >= 2e-4 * (b - a)):
        return False
    lo = math.floor(0.25 * (n - 1))
    hi = min(math.floor(0.75 * (n - 1)) + 1, n - 1)
    return (int(np.count_nonzero(x < a)) <= lo
            and int(np.count_nonzero(x > b)) <= n - 1 - hi)


def _location_params(fam: Family) -> list[str]:
    """The family's real (location) parameters of scale power 1: without one, its scale cannot
    collapse onto a few points."""
    pw = fam.scale_powers or {}
    return [q for q, d in zip(fam.param_names, fam.domains) if pw.get(q) == 1 and d.kind == "real"]


def nonfinite_diagnostic(params: dict[str, float], loglik: float) -> Diagnostic | None:
    """A warning when an estimate or the log-likelihood is not finite (an overflow, never a
    converged fit): every "converged" result has finite estimates and a finite log-likelihood."""
    bad = [p for p, v in params.items() if not math.isfinite(v)]
    if not bad and math.isfinite(loglik):
        return None
    what = (", ".join(f"{p} = {params[p]}" for p in bad) if bad else f"log-likelihood = {loglik}")
    return Diagnostic("overflow", f"the fit overflowed ({what}): the result is not an estimate. "
                      "Hint: rescale the data (e.g. divide by a power of ten) and fit again",
                      "warning")


def degenerate_sandwich(observed: np.ndarray, sandwich: np.ndarray, idx: list[int]) -> list[int]:
    """Parameters whose sandwich variance is NaN, or below 1e-12 of the observed-information
    variance (the score "meat" is degenerate)."""
    out = []
    for i in idx:
        o, v = float(observed[i, i]), float(sandwich[i, i])
        if not math.isfinite(v) or (math.isfinite(o) and o > 0 and v < 1e-12 * o):
            out.append(i)
    return out


def _frozen(fam: Family, params: dict[str, float]) -> Family:
    new = fam._copy()
    new.values = {p: float(params[p]) for p in fam.param_names}
    return new


def finish_degenerate(fam: Family, dat: Any, deg: dict[str, float], strict: bool, *,
                      refit: Callable[..., FitResult] | None = None) -> FitResult:
    """The result when every value is the same: the estimate is a point mass on the boundary."""
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
        _refit=refit,
    )
    emit(res, strict)
    return res


def emit(res: FitResult, strict: bool) -> None:
    """Raise (``strict``) or warn, at the user's line, for each warning-level diagnostic."""
    for d in res.warnings:
        if strict:
            raise ConvergenceError(f"{res.family} fit is not clean: {d.message}. "
                                   "Hint: pass strict=False to get the result with its diagnostics.")
        cat = {"nonconvergence": ConvergenceWarning, "boundary": BoundaryWarning,
               "degenerate": BoundaryWarning}.get(d.code, NumericalWarning)
        warnings.warn(f"{res.family}: {d.message}", cat, stacklevel=find_stack_level())


# ---------------------------------------------------------------------- named-parameter models
class ModelDist(Family):
    """The parameters of a fitted custom model (a likelihood, not a distribution)."""

    def _logpdf(self, x: Any, th: Any, blk: Any) -> Any:
        raise FamilyError(f"{type(self).__name__} is a custom likelihood, not a distribution: "
                          "it has no logpdf. Hint: use mk.Family.from_logpdf for a distribution.")


def model_dist(name: str, names: list[str], doms: list[Domain], values: dict[str, float]) -> Family:
    """A :class:`ModelDist` subclass instance called ``name`` holding ``values``."""
    cls = cast("type[ModelDist]", type(name, (ModelDist,), {
        "name": name, "param_names": tuple(names), "domains": tuple(doms)}))
    d = cls.__new__(cls)
    d.values = dict(values)
    return d


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def model_result(name: str, sol: Solution, prob: Problem, *, n_obs: float, strict: bool,
                 cov: str = "observed", ev: Any = None, dropped: int = 0,
                 options: dict[str, Any] | None = None, dist: Family | None = None,
                 extra_diags: list[Diagnostic] | None = None, no_se: bool = False,
                 refit: Callable[..., FitResult] | None = None) -> FitResult:
    """A :class:`FitResult` from a :class:`Solution` (shared by custom models, regression,
    mixtures and time series). ``ev``: the evaluator of per-observation terms (``per_obs``,
    ``w``, ``scores(prob, sol)``) for ``cov="sandwich"``."""
    names = prob.names
    k = len(names)
    free = prob.free
    diags = list(sol.diagnostics) + list(extra_diags or [])
    H = sol.hess
    covm, ok = covariance(H, free, k)
    if ok and free:
        info = -H[np.ix_(free, free)]
        dsc = 1.0 / np.sqrt(np.diag(info))
        ok = float(np.linalg.eigvalsh(info * np.outer(dsc, dsc))[0]) > 1e-10
        if not ok:
            covm[np.ix_(free, free)] = np.nan
    cov_type = "observed"
    if no_se:  # the caller has diagnosed why (e.g. separation): no standard errors
        covm = np.full((k, k), np.nan)
    elif not ok:
        msg = flat_directions([names[i] for i in free], -H[np.ix_(free, free)])
        diags.append(Diagnostic("singular-information", "the observed information matrix is not "
                                f"positive definite at the estimate: {msg}; standard errors are "
                                f"unavailable. Reproduce: {prob.reproducer(sol.params)}", "warning"))
    elif cov == "sandwich":
        if ev is None or not ev.per_obs:
            raise ParameterError("cov='sandwich' needs per-observation log-likelihoods; the "
                                 "function returns a total.")
        S = ev.scores(prob, sol)
        if ev.w is not None:
            S = S * np.sqrt(ev.w)[:, None]
        B = S.T @ S
        A = covm[np.ix_(free, free)]
        observed = covm
        covm = np.zeros((k, k))
        covm[np.ix_(free, free)] = A @ B @ A
        cov_type = "sandwich"
        bad = degenerate_sandwich(observed, covm, free)
        if bad:
            diags.append(Diagnostic(
                "degenerate-sandwich", "the sandwich variance of " + ", ".join(names[i] for i in bad)
                + " is NaN or vanishing next to the observed-information variance; prefer "
                "cov='observed'", "warning"))
    hint = nan_hint(prob)
    if hint:
        at = prob.nan_at or {}
        diags.append(Diagnostic("nan-region", f"the function returned NaN during the search at "
                                f"{', '.join(f'{p}={_fmt(v)}' for p, v in at.items())}."
                                f"{hint} Reproduce: {prob.reproducer(at)}", "warning"))
    for i in free:
        p = names[i]
        dm = prob.domains[i]
        e = float(dm.to_unconstrained(sol.params[p])) if dm.contains(sol.params[p]) else math.inf
        if dm.on_boundary(sol.params[p], rtol=1e-10) or (dm.kind != "real" and abs(e) > 30):
            diags.append(Diagnostic("boundary", f"{p} = {_fmt(sol.params[p])} ran to the edge of "
                                    f"its domain {dm.describe()}: the maximum is at (or beyond) "
                                    "the boundary", "warning", p))
    if dropped:
        diags.append(Diagnostic("missing", f"{dropped} rows with NaN were dropped", "info"))
    nf = len(free)
    if nf and n_obs < 10 * nf:
        diags.append(Diagnostic("small-sample", f"only {n_obs:g} observations for {nf} "
                                "parameters: Wald intervals can be far too narrow; prefer "
                                "ci(method='profile')", "info"))
    se = {p: (0.0 if p in prob.fixed else math.sqrt(covm[i, i]) if covm[i, i] >= 0 else math.nan)
          for i, p in enumerate(names)}
    if not ok or no_se:
        se = {p: (0.0 if p in prob.fixed else math.nan) for p in names}
    grad_norm = float(np.max(np.abs(sol.grad[free]))) if free else 0.0
    finite = nonfinite_diagnostic(sol.params, sol.loglik)
    if finite is not None:
        diags.append(finite)
    converged = (sol.converged and ok and finite is None
                 and not any(d.code == "boundary" for d in diags))
    res = FitResult(
        family=name,
        dist=dist if dist is not None else model_dist(name, names, prob.domains, sol.params),
        params=dict(sol.params), se=se, cov=covm, loglik=float(sol.loglik), n_obs=n_obs,
        n_params=nf, converged=bool(converged), method=sol.method, iterations=sol.iterations,
        grad_norm=grad_norm, cov_type=cov_type, fixed=dict(prob.fixed), diagnostics=tuple(diags),
        data=None, likelihood=ModelLikelihood(prob) if dist is None else None,  # type: ignore[arg-type]  # ModelLikelihood: Likelihood's interface, duck-typed
        options=dict(options or {}), _refit=refit,
    )
    emit(res, strict)
    return res


class ModelLikelihood(FreeParams):
    """The log-likelihood of a fitted named-parameter model with the interface of
    :class:`mlekit._fit.likelihood.Likelihood` (``evaluate(th, order)`` in natural parameters),
    so profile intervals and tests can re-evaluate it."""

    def __init__(self, prob: Problem) -> None:
        super().__init__(prob.names, prob.fixed)
        self.prob = prob

    def loglik(self, th: tuple[float, ...]) -> float:
        return self.prob.safe_value(tuple(th))

    def evaluate(self, th: tuple[float, ...], order: int = 2) -> tuple[float, np.ndarray, np.ndarray]:
        prob = self.prob
        if order == 0:
            return self.loglik(th), np.zeros(self.k), np.zeros((self.k, self.k))
        if prob.derivs is not None:
            return prob.derivs(tuple(th), order)
        sub = Problem(prob.names, prob.domains, {}, prob.value)
        eta = sub.eta(dict(zip(prob.names, th)))
        h = 1e-3 * np.maximum(1.0, np.abs(eta))
        f, g, H = fd_derivs(lambda e: sub.safe_value(sub.theta(e)), eta, h, order)
        gn, Hn = to_natural(sub, eta, g, H)
        return f, gn, Hn
