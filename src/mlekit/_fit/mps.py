"""Maximum product of spacings (Cheng & Amin 1983; Ranneby 1984): ``method="mps"``.

For exact values sorted into distinct ``u_1 < ... < u_m`` with (weighted) counts ``c_j`` the
estimate maximises

    S(θ) = Σ_j log(F(u_j) − F(u_{j−1})) + Σ_j (c_j − 1) log f(u_j) + log(1 − F(u_m))

with ``F(u_0) = 0``: each spacing of the fitted cdf between neighbouring values, and for tied
values the density in place of the zero spacing (Cheng & Stephens 1989). Right-censored
values replace the last spacing: each contributes ``log S(c)``, as in the likelihood.
Spacings are computed as log-differences of ``logcdf``/``logsf`` (no cancellation in
either tail).

Unlike the likelihood, ``S`` stays bounded where the likelihood does not — a threshold
approaching the smallest value with a Weibull or gamma shape ≤ 1 — so it estimates every
continuous family, including those. The estimate is consistent and, where maximum likelihood
is regular, asymptotically as efficient; the standard errors come from the curvature of
``S`` (which estimates the Fisher information like the log-likelihood's). ``loglik`` on the
result is the log-likelihood at the MPS estimate.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._core.checks import check_param_dict
from .._core.domains import Real
from .._core.numdiff import data_unit
from .._data.data import Data
from .._families.base import Family
from ..errors import DataError, ParameterError
from .assemble import Estimate, finish
from .likelihood import Likelihood, log_interval_prob
from .problem import Problem, maximize
from .result import Diagnostic, FitResult

__all__ = ["fit_mps", "spacings_objective"]


def _prepare(dat: Data) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Distinct exact values, their weighted counts, and right-censoring points/weights."""
    if dat.left.size or dat.interval_block.size:
        raise ParameterError(
            "method='mps' handles exact and right-censored data; got left- or "
            "interval-censored values. Hint: use maximum likelihood (the default method).")
    if dat.is_truncated:
        raise ParameterError("method='mps' does not handle truncated data; use the default "
                             "maximum-likelihood method.")
    e = dat.exact
    if e.size == 0:
        raise DataError("method='mps' needs exact values; got none.")
    order = np.argsort(e.x, kind="stable")
    xs = e.x[order]
    ws = np.ones(xs.size) if e.w is None else e.w[order]
    u, start = np.unique(xs, return_index=True)
    c = np.add.reduceat(ws, start)
    r = dat.right
    return u, c, r.x, (None if r.w is None else r.w) if r.size else None


def spacings_objective(fam: Family, u: np.ndarray, c: np.ndarray, rx: np.ndarray,
                       rw: np.ndarray | None, th: tuple[float, ...]) -> float:
    """``S(θ)``: the log product of spacings (see the module docstring)."""
    with np.errstate(all="ignore"):
        first = np.asarray(fam._logcdf(u[:1], th, None), dtype=float)
        inner = (np.asarray(log_interval_prob(fam, u[:-1], u[1:], th, None), dtype=float)
                 if u.size > 1 else np.empty(0))
        total = float(first[0]) + float(inner.sum())
        ties = c - 1.0
        if np.any(ties != 0):
            lp = np.asarray(fam._logpdf(u, th, None), dtype=float)
            sel = ties != 0
            total += float(np.dot(ties[sel], lp[sel]))
        if rx.size:
            ls = np.asarray(fam._logsf(rx, th, None), dtype=float)
            total += float(ls.sum() if rw is None else np.dot(rw, ls))
        else:
            total += float(np.asarray(fam._logsf(u[-1:], th, None), dtype=float)[0])
    return total if math.isfinite(total) else -math.inf


def _starts(fam: Family, dat: Data, u: np.ndarray, fixed: dict[str, float],
            start: dict[str, float]) -> list[dict[str, float]]:
    pts = dat.all_points()
    out: list[dict[str, float]] = []
    if "threshold" in fam.param_names and "threshold" not in fixed:
        m = float(u[0])
        span = max(float(np.max(pts)) - m, data_unit(pts))
        for frac in (0.05, 0.5, 1e-3):
            t = m - frac * span
            y = pts - t
            try:
                s = fam._start(pts, None, {**fixed, "threshold": t})
            except (ValueError, ZeroDivisionError, FloatingPointError):
                continue
            if np.all(y > 0):
                out.append(s)
    else:
        with contextlib.suppress(ValueError, ZeroDivisionError, FloatingPointError):
            out.append(fam._start(pts, None, fixed))
    out = [{**s, **start, **fixed} for s in out]
    if start:
        out.insert(0, {**out[0], **start} if out else dict(start))
    return out


def fit_mps(fam: Family, dat: Data, *, fixed: dict[str, float] | None = None,
            start: dict[str, float] | None = None, strict: bool = False,
            maxiter: int = 200, refit: Callable[..., FitResult] | None = None) -> FitResult:
    """Fit ``fam`` to ``dat`` by maximum product of spacings (``refit``: see ``FitResult._refit``)."""
    if fam.discrete:
        raise ParameterError(f"method='mps' is for continuous families; {fam.name} is discrete.")
    fixed_d = check_param_dict(fam, fixed, "fixed")
    start_d = check_param_dict(fam, start, "start")
    fam._check_data(dat, fixed_d)
    u, c, rx, rw = _prepare(dat)
    if u.size + rx.size < len(fam.param_names) - len(fixed_d):
        raise DataError(f"{type(fam).__name__} has more free parameters than observations.")
    names = list(fam.param_names)

    def value(th: tuple[float, ...]) -> float:
        return spacings_objective(fam, u, c, rx, rw, th)

    # real-valued locations in the data's units: optimise them in units of the data's spread
    unit = data_unit(dat.all_points())
    loc = set(getattr(fam, "data_unit_params", ()))
    doms = [d if (p not in loc or d.kind != "real") else _Scaled(unit)
            for p, d in zip(names, fam.domains)]
    prob = Problem(names=names, domains=doms, fixed=fixed_d, value=value,
                   label=f"{fam.name} (mps)")
    starts = _starts(fam, dat, u, fixed_d, start_d)
    starts = [s for s in starts if math.isfinite(value(tuple(s[p] for p in names)))]
    if not starts:
        raise DataError(f"{type(fam).__name__}: the product of spacings is zero at every "
                        "starting value. Hint: pass start={...}.")
    best = None
    for s in starts:
        with np.errstate(all="ignore"):
            sol = maximize(prob, [s], maxiter=maxiter, n_starts=1)
        if best is None or (sol.converged and not best.converged) or (
                sol.converged == best.converged and sol.loglik > best.loglik):
            best = sol
    assert best is not None
    params = {p: float(best.params[p]) for p in names}
    th = tuple(params[p] for p in names)
    lik = Likelihood(fam, dat, fixed_d)
    ll = float(lik.evaluate(th, 0)[0])
    diags: list[Diagnostic] = [d for d in best.diagnostics if d.code != "restart"]
    free = [i for i, p in enumerate(names) if p not in fixed_d]
    grad_norm = float(np.max(np.abs(best.grad[free]))) if free else 0.0
    est = Estimate(params, ll, best.hess, "mps", best.iterations, grad_norm, best.converged, diags)
    return finish(fam, dat, lik, est, fixed=fixed_d, nonreg={}, strict=strict, cov_kind="observed",
                  refit=refit)


class _Scaled(type(Real)):  # type: ignore[misc]  # a base class computed at run time (Real's class)
    """The real line, optimised in units of ``unit`` (a location in the data's units)."""

    def __init__(self, unit: float) -> None:
        super().__init__(-math.inf, math.inf)
        self.unit = unit

    def to_unconstrained(self, theta: Any) -> Any:
        return np.asarray(theta, dtype=float) / self.unit

    def from_unconstrained(self, eta: Any) -> Any:
        return np.asarray(eta, dtype=float) * self.unit

    def jacobian(self, eta: Any) -> tuple[Any, Any]:
        e = np.asarray(eta, dtype=float)
        return np.full_like(e, self.unit), np.zeros_like(e)
