"""Maximise a log-likelihood given as a Python function of named, domain-constrained parameters.

Used by custom models (:mod:`mlekit._models.custom`), mixtures and time series. The optimiser is
:func:`mlekit._core.optimize.newton` on the unconstrained scale (:mod:`mlekit._core.domains`); the
derivatives come from, in order of preference, the user's analytic gradient/Hessian, JAX, or
finite differences with step control:

- steps are taken on the unconstrained scale and sized in units of each parameter's current
  standard error (``1/sqrt(-H_ii)`` from the previous Hessian), so the log-likelihood changes
  by a controlled amount whatever the parameter's scale; the size balances truncation against
  rounding (it grows with ``sqrt(|loglik|)``, i.e. with the number of observations);
- gradient and diagonal Hessian use the 5-point stencil (error ``O(h^4)``); mixed second
  derivatives use the 4-point cross, Richardson-extrapolated from steps ``h`` and ``2h``.

Starting values: the caller's, then a grid of data-driven candidates, then random restarts
around the best point when a run fails (multi-start). Findings (non-convergence, NaN regions,
flat directions) become :class:`Diagnostic` records with a one-line reproducer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .._core.checks import as_rng
from .._core.domains import Domain
from .._core.optimize import OptResult, newton, step_size
from .result import Diagnostic

__all__ = ["Problem", "Solution", "maximize", "fd_derivs", "flat_directions", "to_natural"]

Derivs = tuple[float, np.ndarray, np.ndarray]
_EPS = float(np.finfo(float).eps)


@dataclass
class Problem:
    """A log-likelihood over named parameters.

    ``value(th)`` gives the log-likelihood at the full natural parameter tuple; ``derivs``
    (optional) gives ``(ll, grad, hess)`` over *all* parameters in natural units (analytic or
    JAX); ``grad`` (optional) only the gradient (the Hessian then comes from its differences).
    """

    names: list[str]
    domains: list[Domain]
    fixed: dict[str, float]
    value: Callable[[tuple[float, ...]], float]
    derivs: Callable[[tuple[float, ...], int], Derivs] | None = None
    grad: Callable[[tuple[float, ...]], np.ndarray] | None = None
    label: str = "model"
    reproducer: Callable[[dict[str, float]], str] = field(default=lambda p: "")
    nan_at: dict[str, float] | None = None

    @property
    def free(self) -> list[int]:
        return [i for i, p in enumerate(self.names) if p not in self.fixed]

    def theta(self, eta: np.ndarray) -> tuple[float, ...]:
        vals = dict(self.fixed)
        for i, e in zip(self.free, eta):
            vals[self.names[i]] = float(self.domains[i].from_unconstrained(e))
        return tuple(vals[p] for p in self.names)

    def eta(self, params: dict[str, float]) -> np.ndarray:
        return np.array([float(self.domains[i].to_unconstrained(params[self.names[i]]))
                         for i in self.free])

    def safe_value(self, th: tuple[float, ...]) -> float:
        with np.errstate(all="ignore"):
            try:
                f = float(self.value(th))
            except (FloatingPointError, ZeroDivisionError, OverflowError):
                f = math.nan
        if math.isnan(f) and self.nan_at is None:
            self.nan_at = dict(zip(self.names, th))
        if math.isnan(f) or f == math.inf:
            return -math.inf if math.isnan(f) else f
        return f


@dataclass
class Solution:
    params: dict[str, float]
    loglik: float
    grad: np.ndarray       # natural scale, all k parameters
    hess: np.ndarray       # natural scale, k x k
    converged: bool
    iterations: int
    message: str
    method: str
    diagnostics: list[Diagnostic]
    eta: np.ndarray
    scales: np.ndarray


# ---------------------------------------------------------------------- finite differences
def fd_derivs(fun: Callable[[np.ndarray], float], x: np.ndarray, h: np.ndarray,
              order: int = 2, f0: float | None = None, richardson: bool = True) -> Derivs:
    """Gradient (5-point) and Hessian (5-point diagonal, Richardson 4-point cross) of a scalar
    function at ``x`` with per-coordinate steps ``h``."""
    k = x.size
    f0 = float(fun(x)) if f0 is None else f0
    g = np.zeros(k)
    H = np.zeros((k, k))

    def at(d: dict[int, float]) -> float:
        y = x.copy()
        for i, v in d.items():
            y[i] += v
        return float(fun(y))

    for i in range(k):
        hi = h[i]
        p1, m1, p2, m2 = at({i: hi}), at({i: -hi}), at({i: 2 * hi}), at({i: -2 * hi})
        g[i] = (m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * hi)
        if order >= 2:
            H[i, i] = (-p2 + 16.0 * p1 - 30.0 * f0 + 16.0 * m1 - m2) / (12.0 * hi * hi)
    if order >= 2:
        for i in range(k):
            for j in range(i + 1, k):
                hi, hj = h[i], h[j]

                def cross(a: float, b: float, i: int = i, j: int = j) -> float:
                    return (at({i: a, j: b}) - at({i: a, j: -b}) - at({i: -a, j: b})
                            + at({i: -a, j: -b})) / (4.0 * a * b)

                c1 = cross(hi, hj)
                H[i, j] = H[j, i] = (4.0 * c1 - cross(2 * hi, 2 * hj)) / 3.0 if richardson else c1
    return f0, g, H


def _steps(scales: np.ndarray, f: float) -> np.ndarray:
    """Steps in units of the standard errors ``scales``: larger when |loglik| is large (rounding
    dominates), smaller when it is small (truncation dominates)."""
    unit = min(0.5, max(0.005, 1e-3 * math.sqrt(abs(f) + 1.0)))
    return unit * scales


def _update_scales(scales: np.ndarray, H: np.ndarray, eta: np.ndarray) -> np.ndarray:
    d = -np.diag(H)
    ok = np.isfinite(d) & (d > 0)
    new = scales.copy()
    new[ok] = 1.0 / np.sqrt(d[ok])
    cap = 2.0 * np.maximum(1.0, np.abs(eta))
    return np.clip(new, 1e-12 * np.maximum(1.0, np.abs(eta)), cap)


def to_natural(prob: Problem, eta: np.ndarray, g_eta: np.ndarray, H_eta: np.ndarray,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian over all k natural parameters from those on the free eta scale."""
    k = len(prob.names)
    free = prob.free
    J1 = np.array([float(prob.domains[i].jacobian(e)[0]) for i, e in zip(free, eta)])
    J2 = np.array([float(prob.domains[i].jacobian(e)[1]) for i, e in zip(free, eta)])
    g_th = g_eta / J1
    H_th = (H_eta - np.diag(g_th * J2)) / np.outer(J1, J1)
    g = np.zeros(k)
    H = np.zeros((k, k))
    g[free] = g_th
    H[np.ix_(free, free)] = H_th
    return g, H


class _Objective:
    """``f(eta, order)`` for :func:`newton`: log-likelihood on the free unconstrained scale."""

    def __init__(self, prob: Problem, scales: np.ndarray | None = None) -> None:
        self.prob = prob
        self.scales = scales
        self.kind = "analytic" if prob.derivs is not None else (
            "gradient" if prob.grad is not None else "numeric")

    def value(self, eta: np.ndarray) -> float:
        return self.prob.safe_value(self.prob.theta(eta))

    def __call__(self, eta: np.ndarray, order: int, final: bool = False) -> Derivs:
        prob = self.prob
        k = eta.size
        if order == 0:
            return self.value(eta), np.zeros(k), np.zeros((k, k))
        if self.scales is None:
            self.scales = 1e-2 * np.maximum(1.0, np.abs(eta))
        free = prob.free
        th = prob.theta(eta)
        if self.kind == "numeric":
            f0 = self.value(eta)
            if not math.isfinite(f0):
                return f0, np.full(k, np.nan), np.full((k, k), np.nan)
            f, g, H = fd_derivs(self.value, eta, _steps(self.scales, f0), order, f0,
                                richardson=final)
        else:
            J = [prob.domains[i].jacobian(e) for i, e in zip(free, eta)]
            J1 = np.array([float(j[0]) for j in J])
            J2 = np.array([float(j[1]) for j in J])
            if self.kind == "analytic":
                assert prob.derivs is not None
                with np.errstate(all="ignore"):
                    f, gn, Hn = prob.derivs(th, order)
                gf = np.asarray(gn, dtype=float)[free]
                Hf = np.asarray(Hn, dtype=float)[np.ix_(free, free)]
                g = gf * J1
                H = Hf * np.outer(J1, J1) + np.diag(gf * J2)
            else:
                f = self.value(eta)
                g = self._grad_eta(eta)
                H = np.zeros((k, k))
                if order >= 2:
                    h = _steps(self.scales, f)
                    for i in range(k):
                        def gat(d: float, i: int = i) -> np.ndarray:
                            e = eta.copy()
                            e[i] += d
                            return self._grad_eta(e)
                        hi = h[i]
                        H[:, i] = (gat(-2 * hi) - 8 * gat(-hi) + 8 * gat(hi) - gat(2 * hi)) / (12 * hi)
                    H = 0.5 * (H + H.T)
            if not math.isfinite(f):
                f = -math.inf
        if order >= 2 and np.all(np.isfinite(H)):
            self.scales = _update_scales(self.scales, H, eta)
        return f, g, H

    def _grad_eta(self, eta: np.ndarray) -> np.ndarray:
        prob = self.prob
        assert prob.grad is not None
        th = prob.theta(eta)
        with np.errstate(all="ignore"):
            gn = np.asarray(prob.grad(th), dtype=float)[prob.free]
        J1 = np.array([float(prob.domains[i].jacobian(e)[0]) for i, e in zip(prob.free, eta)])
        return gn * J1


def _method_text(kind: str) -> str:
    return {
        "analytic": "newton (analytic gradient and Hessian)",
        "jax": "newton (exact derivatives by JAX)",
        "gradient": "newton (analytic gradient; Hessian by differences of the gradient)",
        "numeric": "newton (numerical derivatives: 5-point central differences with step "
                   "control, Richardson-extrapolated Hessian)",
    }[kind]


def maximize(prob: Problem, starts: Sequence[dict[str, float]], *, maxiter: int = 200,
             n_starts: int = 6, rng: int = 0, kind: str | None = None,
             scales: np.ndarray | None = None,
             step_scales: Sequence[float] | None = None) -> Solution:
    """Newton from each start in turn (then random restarts) until one converges; the best
    converged run (highest log-likelihood) wins.

    ``step_scales``: per parameter (all of ``prob.names``), its natural unit on the
    unconstrained scale, for Newton's step cap and non-definite steps
    (:func:`~mlekit._core.optimize.newton`); ``None``: 1 for every parameter."""
    free = prob.free
    diags: list[Diagnostic] = []
    gen = as_rng(rng)
    runs: list[tuple[OptResult, _Objective]] = []
    tried = 0
    queue = [prob.eta(s) for s in starts]
    unit = None if step_scales is None else np.asarray(step_scales, dtype=float)[free]
    while tried < max(n_starts, len(starts[:1])):
        if queue:
            eta0 = queue.pop(0)
        elif runs:
            best = max(runs, key=lambda r: r[0].fun if math.isfinite(r[0].fun) else -math.inf)
            base = best[0].x if math.isfinite(best[0].fun) else prob.eta(starts[0])
            eta0 = base + gen.normal(0.0, 1.0 + tried, base.size)
        else:
            break
        tried += 1
        if not np.all(np.isfinite(eta0)):
            continue
        obj = _Objective(prob, None if scales is None else scales.copy())
        if not free:
            f, _, _ = obj(eta0, 0)
            res = OptResult(eta0, f, np.zeros(0), np.zeros((0, 0)), 0, 1, math.isfinite(f),
                            "no free parameters")
        else:
            with np.errstate(all="ignore"):
                res = newton(obj, eta0, maxiter=maxiter, step_scale=unit)
        runs.append((res, obj))
        if res.converged:
            break
    finite = [r for r in runs if math.isfinite(r[0].fun)]
    if not finite:
        raise _not_finite(prob, starts)
    conv = [r for r in finite if r[0].converged]
    res, obj = max(conv or finite, key=lambda r: r[0].fun)
    if len(runs) > 1:
        diags.append(Diagnostic("restart", f"the first start did not converge "
                                f"({runs[0][0].message}); {len(runs)} starts were tried", "info"))
    # final derivatives, numerically as accurate as possible, and one polishing Newton step
    x = res.x
    with np.errstate(all="ignore"):
        f, g_eta, H_eta = obj(x, 2, final=True)
        if res.converged and math.isfinite(f) and x.size:
            try:
                step = np.linalg.solve(np.linalg.cholesky(-H_eta).T,
                                       np.linalg.solve(np.linalg.cholesky(-H_eta), g_eta))
            except np.linalg.LinAlgError:
                step = None
            if step is not None and np.all(np.isfinite(step)) and step_size(step, unit) < 1.0:
                f2 = obj.value(x + step)
                if math.isfinite(f2) and f2 >= f - 1e-12 * (1.0 + abs(f)):
                    x = x + step
                    sc = obj.scales if obj.scales is not None else np.ones(x.size)
                    if obj.kind != "numeric" or np.max(np.abs(step) / sc) > 1e-6:
                        f, g_eta, H_eta = obj(x, 2, final=True)
                    else:  # a step this small leaves the Hessian unchanged
                        f, g_eta = f2, g_eta + H_eta @ step
    if not math.isfinite(f):
        x, f, g_eta, H_eta = res.x, res.fun, res.grad, res.hess
    if obj.kind == "numeric" and x.size and obj.scales is not None:
        # entries below the rounding noise of the differences are zero: a flat direction
        noise = 50.0 * _EPS * (abs(f) + 1.0) / _steps(obj.scales, f) ** 2
        flat = np.abs(np.diag(H_eta)) < noise
        H_eta = H_eta.copy()
        H_eta[flat, :] = 0.0
        H_eta[:, flat] = 0.0
    res.x = x
    th = prob.theta(res.x)
    g, H = to_natural(prob, res.x, g_eta, H_eta)
    params = dict(zip(prob.names, th))
    converged = res.converged
    if not converged:
        diags.append(Diagnostic(
            "nonconvergence", f"the optimiser did not converge ({res.message}; best of "
            f"{len(runs)} starts). Reproduce: "
            f"{prob.reproducer(params)}", "warning"))
    return Solution(params, float(f), g, H, converged, res.iterations, res.message,
                    _method_text(kind or obj.kind), diags, res.x,
                    obj.scales if obj.scales is not None else np.ones(len(free)))


def _not_finite(prob: Problem, starts: Sequence[dict[str, float]]) -> Exception:
    from ..errors import ParameterError

    s = dict(starts[0]) if starts else {}
    s.update(prob.fixed)
    hint = nan_hint(prob) or " Hint: pass start={...} with values where it is finite."
    return ParameterError(
        f"{prob.label}: the log-likelihood must be finite at the starting values; got "
        f"{prob.safe_value(tuple(s[p] for p in prob.names))} at "
        f"{', '.join(f'{p}={v:.6g}' for p, v in s.items())} and at every other start tried. "
        f"Reproduce: {prob.reproducer(s)}.{hint}")


def nan_hint(prob: Problem) -> str:
    """A hint naming Real-domain parameters that were negative where the function gave NaN."""
    at = prob.nan_at
    if not at:
        return ""
    neg = [p for p, d in zip(prob.names, prob.domains)
           if p not in prob.fixed and d.kind == "real" and at[p] <= 0]
    if not neg:
        return ""
    decl = ", ".join(f"{p}=mk.Positive" for p in neg)
    return (f" Hint: the function returned NaN where {', '.join(neg)} <= 0; if "
            f"{'it is' if len(neg) == 1 else 'they are'} positive, declare @mk.model({decl}).")


def flat_directions(names: Sequence[str], info: np.ndarray) -> str:
    """Describe the flat directions of an information matrix (not positive definite)."""
    if not np.all(np.isfinite(info)):
        return "the information matrix is not finite"
    w, V = np.linalg.eigh(0.5 * (info + info.T))
    top = max(float(np.max(np.abs(w))), 1e-300)
    parts = []
    for lam, v in zip(w, V.T):
        if lam > 1e-9 * top:
            continue
        idx = [i for i in range(len(names)) if abs(v[i]) > 0.2]
        sign = 1.0 if v[idx[0]] > 0 else -1.0
        big = [(names[i], sign * v[i]) for i in idx]
        if len(big) == 1:
            parts.append(f"the log-likelihood does not depend on {big[0][0]} (is it used?)")
        else:
            combo = " ".join(f"{'+' if c >= 0 else '−'} {abs(c):.2g}·{n}" for n, c in big)
            parts.append(f"{', '.join(n for n, _ in big[:-1])} and {big[-1][0]} are not "
                         f"separately identifiable (flat along {combo.lstrip('+ ')})")
    return "; ".join(parts) or "the information matrix is nearly singular"
