"""Newton on a large data set from a subsample's fit, for log-likelihoods without derivatives.

A custom model's function is a pass over all the data; with finite differences a full Newton
step costs ``1 + 4p + 4 p(p-1)`` of them (13 for two parameters) and the Richardson Hessian
at the end 17. When the function returns one value per observation, the fit of a subsample
(:mod:`mlekit._models.custom`, 20,000 rows) already knows the answer to within
``sqrt(n / n_sub)`` standard errors *and* the shape of the log-likelihood: its Hessian times
``n / n_sub`` is the full-data Hessian to ``O(1 / sqrt(n_sub))`` (whatever the model, also
when it is misspecified — unlike the BHHH outer product of the scores, which equals minus
the Hessian only under correct specification). So:

1. steps ``eta += (-H_sub * n / n_sub)^-1 g`` with ``g`` the central-difference gradient
   (``2p`` passes, step 0.02 standard errors: truncation and rounding both below 1e-6 SE).
   The error shrinks by a factor ~ ``1/sqrt(n_sub)`` per step (two or three steps);
2. once the Newton decrement is below 1e-10, the exact derivatives once: 5-point gradient
   and diagonal, mixed derivatives from the ``(+h, +h)`` and ``(-h, -h)`` points (2 passes
   per pair instead of 4), Richardson-extrapolated (``1 + 4p + 2p(p-1)`` passes);
3. one polishing Newton step with them (it is ~1e-5 SE long: the Hessian at its end differs
   by ~1e-8 relative, checked with the third derivatives the 5-point stencils give).

Anything unexpected — a decrement that does not fall 10-fold per step, a non-finite value, a
Hessian that is not negative definite, a polishing step that lowers the log-likelihood —
returns None and the caller runs the general multi-start Newton (:func:`maximize`) instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .problem import Problem, Solution, _method_text, _steps, to_natural

__all__ = ["refine", "eta_hessian"]

_GRAD_STEP = 0.02       # gradient steps in standard errors
_DEC_DONE = 1e-10       # Newton decrement at which the exact derivatives are taken
_H_CHANGE = 1e-7        # relative Hessian change over the polishing step that is ignored


def refine(prob: Problem, eta0: np.ndarray, H0: np.ndarray, *, maxsteps: int = 8
           ) -> Solution | None:
    """The maximum of ``prob`` from ``eta0`` (free parameters, unconstrained scale) with
    ``H0`` an estimate of the Hessian there (same scale), or None when the shortcut does not
    apply (the caller then runs :func:`maximize`)."""
    k = eta0.size
    if k == 0 or H0.shape != (k, k) or not np.all(np.isfinite(H0)):
        return None
    A = -0.5 * (H0 + H0.T)
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    scales = 1.0 / np.sqrt(np.diag(A))

    def value(e: np.ndarray) -> float:
        return prob.safe_value(prob.theta(e))

    def solve(g: np.ndarray) -> np.ndarray:
        return np.linalg.solve(L.T, np.linalg.solve(L, g))

    eta = np.array(eta0, dtype=float)
    dec_prev = math.inf
    it = 0
    with np.errstate(all="ignore"):
        while True:
            g = np.empty(k)
            for i in range(k):
                h = (eta[i] + _GRAD_STEP * scales[i]) - eta[i]      # exact in floating point
                e_p, e_m = eta.copy(), eta.copy()
                e_p[i] += h
                e_m[i] -= h
                g[i] = (value(e_p) - value(e_m)) / (2.0 * h)
            if not np.all(np.isfinite(g)):
                return None
            step = solve(g)
            dec = float(g @ step)
            if dec <= _DEC_DONE:
                break
            if dec > 0.1 * dec_prev or it >= maxsteps:
                return None          # not the fast linear convergence this relies on
            dec_prev = dec
            eta = eta + step
            it += 1
        f, g, H, third = _final_derivs(value, eta, scales)
        if not (math.isfinite(f) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            return None
        polished = _newton_step(value, eta, f, g, H)
        if polished is None:
            return None
        step, f2 = polished
        if np.max(np.abs(third * step) / np.abs(np.diag(H))) > _H_CHANGE:
            eta = eta + step         # still a long way: the derivatives once more, there
            f, g, H, _ = _final_derivs(value, eta, scales)
            polished = _newton_step(value, eta, f, g, H)
            if polished is None:
                return None
            step, f2 = polished
        eta = eta + step
        g = g + H @ step
        f = f2
    gn, Hn = to_natural(prob, eta, g, H)
    th = prob.theta(eta)
    new_scales = 1.0 / np.sqrt(-np.diag(H))
    return Solution(dict(zip(prob.names, th)), float(f), gn, Hn, True, it + 1, "converged",
                    _method_text("numeric"), [], eta, new_scales)


def _newton_step(value: Callable[[np.ndarray], float], eta: np.ndarray, f: float, g: np.ndarray,
                 H: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The Newton step ``-H^-1 g`` (Cholesky of ``-H``) and the value it reaches, or None when
    ``-H`` is not positive definite or the step does not polish (:func:`_polished_value`)."""
    try:
        Lf = np.linalg.cholesky(-H)
    except np.linalg.LinAlgError:
        return None
    step = np.linalg.solve(Lf.T, np.linalg.solve(Lf, g))
    f2 = _polished_value(value, eta, step, f, g)
    return None if f2 is None else (step, f2)


def _polished_value(value: Callable[[np.ndarray], float], eta: np.ndarray, step: np.ndarray,
                    f: float, g: np.ndarray) -> float | None:
    """The log-likelihood after the polishing step, or None if the step lowered it. A step
    whose predicted gain ``g'step / 2`` is below 1e-10 (about 1e-5 standard errors) is not
    evaluated: the quadratic model is then exact to far below the rounding of ``f``."""
    gain = 0.5 * float(g @ step)
    if 0.0 <= gain <= 1e-10:
        return f + gain
    f2 = value(eta + step)
    return f2 if math.isfinite(f2) and f2 >= f - 1e-12 * (1.0 + abs(f)) else None


def _final_derivs(value: Callable[[np.ndarray], float], eta: np.ndarray, scales: np.ndarray
                  ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Value, 5-point gradient, Hessian (5-point diagonal; mixed terms from the ``(h, h)`` and
    ``(-h, -h)`` points with the diagonal ones, Richardson-extrapolated from ``h`` and
    ``2h``) and the diagonal third derivatives, with steps sized as in
    :func:`mlekit._fit.problem.fd_derivs`."""
    fn = value
    k = eta.size
    f0 = float(fn(eta))
    h = _steps(scales, f0)
    h = (eta + h) - eta
    pts: dict[tuple[int, int], float] = {}

    def at(d: dict[int, float]) -> float:
        y = eta.copy()
        for i, v in d.items():
            y[i] += v
        return float(fn(y))

    g = np.zeros(k)
    H = np.zeros((k, k))
    third = np.zeros(k)
    for i in range(k):
        hi = h[i]
        for m in (1, -1, 2, -2):
            pts[(i, m)] = at({i: m * hi})
        p1, m1, p2, m2 = pts[(i, 1)], pts[(i, -1)], pts[(i, 2)], pts[(i, -2)]
        g[i] = (m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * hi)
        H[i, i] = (-p2 + 16.0 * p1 - 30.0 * f0 + 16.0 * m1 - m2) / (12.0 * hi * hi)
        third[i] = (p2 - 2.0 * p1 + 2.0 * m1 - m2) / (2.0 * hi**3)
    for i in range(k):
        for j in range(i + 1, k):
            c = []
            for m in (1, 2):
                a, b = m * h[i], m * h[j]
                pp, mm = at({i: a, j: b}), at({i: -a, j: -b})
                # f(a,b) + f(-a,-b) - f(a,0) - f(-a,0) - f(0,b) - f(0,-b) + 2 f0 = 2ab H_ij + O(h^4)
                c.append((pp + mm - pts[(i, m)] - pts[(i, -m)] - pts[(j, m)] - pts[(j, -m)]
                          + 2.0 * f0) / (2.0 * a * b))
            H[i, j] = H[j, i] = (4.0 * c[0] - c[1]) / 3.0
    return f0, g, H, third


def eta_hessian(prob: Problem, sol: Solution) -> np.ndarray:
    """The Hessian of a solution over its free parameters on the unconstrained scale."""
    free = prob.free
    J = [prob.domains[i].jacobian(e) for i, e in zip(free, sol.eta)]
    J1 = np.array([float(j[0]) for j in J])
    J2 = np.array([float(j[1]) for j in J])
    Hf = np.asarray(sol.hess, dtype=float)[np.ix_(free, free)]
    gf = np.asarray(sol.grad, dtype=float)[free]
    return Hf * np.outer(J1, J1) + np.diag(gf * J2)
