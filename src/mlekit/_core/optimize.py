"""Newton's method with a line search on an unconstrained scale.

The objective is a log-likelihood to maximise. Each iteration solves
``(-H + lambda I) step = g`` (``lambda`` = 0 when ``-H`` is positive definite; otherwise the
smallest shift that makes it so, as in Levenberg–Marquardt), caps the step length (a simple
trust region) and backtracks until the log-likelihood increases (Armijo). It stops when the
Newton decrement ``g' (-H)^-1 g`` — twice the predicted gain — is below ``tol``: the
remaining error in every parameter is then a tiny fraction of its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["newton", "OptResult", "direction", "step_size"]

FloatArray = NDArray[np.float64]
Objective = Callable[[FloatArray, int], tuple[float, FloatArray, FloatArray]]


@dataclass
class OptResult:
    x: FloatArray
    fun: float
    grad: FloatArray
    hess: FloatArray
    iterations: int
    evaluations: int
    converged: bool
    message: str
    decrement: float = math.nan
    history: list[float] = field(default_factory=list)


def direction(g: FloatArray, H: FloatArray) -> tuple[FloatArray, float, bool]:
    """Ascent direction and Newton decrement; ``True`` when ``-H`` was positive definite."""
    A = -H
    n = g.shape[0]
    if n == 1:
        a = float(A[0, 0])
        if a > 0 and math.isfinite(a):
            step = g / a
            return step, float(g[0] * step[0]), True
    elif n == 2:
        a, b, d = float(A[0, 0]), float(A[0, 1]), float(A[1, 1])
        det = a * d - b * b
        if a > 0 and det > 0 and math.isfinite(det):
            s0 = (d * g[0] - b * g[1]) / det
            s1 = (a * g[1] - b * g[0]) / det
            step = np.array([s0, s1])
            return step, float(g[0] * s0 + g[1] * s1), True
    elif n == 3:
        # Cholesky of the 3x3 in floats (numpy.linalg's wrappers cost more than the algebra)
        a00, a10, a20 = float(A[0, 0]), float(A[1, 0]), float(A[2, 0])
        a11, a21, a22 = float(A[1, 1]), float(A[2, 1]), float(A[2, 2])
        if a00 > 0 and math.isfinite(a00):
            l00 = math.sqrt(a00)
            l10, l20 = a10 / l00, a20 / l00
            p11 = a11 - l10 * l10
            if p11 > 0 and math.isfinite(p11):
                l11 = math.sqrt(p11)
                l21 = (a21 - l20 * l10) / l11
                p22 = a22 - l20 * l20 - l21 * l21
                if p22 > 0 and math.isfinite(p22):
                    l22 = math.sqrt(p22)
                    g0, g1, g2 = float(g[0]), float(g[1]), float(g[2])
                    y0 = g0 / l00
                    y1 = (g1 - l10 * y0) / l11
                    y2 = (g2 - l20 * y0 - l21 * y1) / l22
                    s2 = y2 / l22
                    s1 = (y1 - l21 * s2) / l11
                    s0 = (y0 - l10 * s1 - l20 * s2) / l00
                    if math.isfinite(s0) and math.isfinite(s1) and math.isfinite(s2):
                        return np.array([s0, s1, s2]), g0 * s0 + g1 * s1 + g2 * s2, True
    try:
        L = np.linalg.cholesky(A)
        step = np.linalg.solve(L.T, np.linalg.solve(L, g))
        return step, float(g @ step), True
    except np.linalg.LinAlgError:
        pass
    if not np.all(np.isfinite(A)):
        return g.copy(), float(g @ g), False
    w, V = np.linalg.eigh(A)
    scale = max(float(np.max(np.abs(w))), 1e-12)
    w = np.maximum(np.abs(w), 1e-6 * scale)
    step = V @ ((V.T @ g) / w)
    return step, float(g @ step), False


def _scaled_direction(g: FloatArray, H: FloatArray, unit: FloatArray | None
                      ) -> tuple[FloatArray, float, bool]:
    """:func:`direction` in the coordinates ``x / unit`` (the same Newton step when ``-H`` is
    positive definite; where it is not, the eigenvalue floor is then relative in those units)."""
    if unit is None:
        return direction(g, H)
    step, dec, pd = direction(g * unit, H * np.outer(unit, unit))
    return step * unit, dec, pd


def step_size(step: FloatArray, step_scale: FloatArray | None = None) -> float:
    """The largest move of ``step`` over its coordinates, each counted in units of
    ``max(1, step_scale)`` (plain units without ``step_scale``): what Newton's cap bounds."""
    if not step.size:
        return 0.0
    a = np.abs(step)
    return float(np.max(a if step_scale is None else a / np.maximum(step_scale, 1.0)))


def newton(
    fun: Objective,
    x0: FloatArray,
    *,
    maxiter: int = 200,
    tol: float = 1e-12,
    max_step: float = 4.0,
    stop: Callable[[FloatArray, float], bool] | None = None,
    step_scale: FloatArray | None = None,
) -> OptResult:
    """Maximise ``fun`` from ``x0``. ``fun(x, order)`` returns ``(f, grad, hess)``; with
    ``order=0`` only ``f`` needs to be right. ``stop(x, f)``, asked at the start and after
    every step, ends the run early (not converged, message ``"stopped"``): a screen for
    runs that cannot lead anywhere new.

    ``step_scale``: per coordinate, its natural unit when that is not 1 (the coefficient of a
    covariate in tiny or huge units). The Newton direction does not depend on units; where
    ``-H`` is not positive definite the ascent direction is taken in the coordinates
    ``x / step_scale``, and a step moves no coordinate by more than ``max_step`` times
    ``max(1, step_scale)`` (the cap is loosened for large units, never tightened)."""
    x = np.array(x0, dtype=float)
    f, g, H = fun(x, 2)
    nev = 1
    history = [f]
    if not math.isfinite(f):
        return OptResult(x, f, g, H, 0, nev, False,
                         "the log-likelihood is not finite at the starting values", math.nan,
                         history)
    dec = math.nan
    for it in range(1, maxiter + 1):
        if stop is not None and stop(x, f):
            return OptResult(x, f, g, H, it - 1, nev, False, "stopped", dec, history)
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            return OptResult(x, f, g, H, it - 1, nev, False,
                             "non-finite gradient or Hessian", dec, history)
        step, dec, pd = _scaled_direction(g, H, step_scale)
        if pd and dec <= tol:
            return OptResult(x, f, g, H, it - 1, nev, True, "converged", dec, history)
        size = step_size(step, step_scale)
        if size > max_step:
            step *= max_step / size
        slope = float(g @ step)
        t = 1.0
        accepted = False
        full = None
        while t > 1e-12:
            xn = x + t * step
            # the first trial gets full derivatives (it is accepted nearly always)
            full = fun(xn, 2 if t == 1.0 else 0)
            fn = full[0]
            nev += 1
            if math.isfinite(fn) and (fn >= f + 1e-4 * t * slope
                                      or (fn >= f - 1e-13 * (1 + abs(f)) and dec < 1e-6)):
                accepted = True
                break
            t *= 0.5 if math.isfinite(fn) else 0.25
        if not accepted:
            conv = pd and dec < 1e-7
            msg = ("converged (no further improvement is possible in floating point)" if conv
                   else "the line search failed to increase the log-likelihood")
            return OptResult(x, f, g, H, it, nev, conv, msg, dec, history)
        x = xn
        if t == 1.0 and full is not None:
            f, g, H = full
        else:
            f, g, H = fun(x, 2)
            nev += 1
        history.append(f)
        if not math.isfinite(f):
            return OptResult(x, f, g, H, it, nev, False, "the log-likelihood became non-finite",
                             dec, history)
    step, dec, pd = _scaled_direction(g, H, step_scale)
    conv = pd and dec <= tol
    return OptResult(x, f, g, H, maxiter, nev, conv,
                     "converged" if conv else f"no convergence after {maxiter} iterations", dec,
                     history)
