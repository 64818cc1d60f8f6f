"""The Newton path of a family fit: starting values, the optimiser's units, the Newton driver
on the unconstrained scale and the Nelder–Mead polish when Newton stalls."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._core.domains import default_start
from .._core.numdiff import data_unit
from .._core.optimize import OptResult, direction, newton
from .._data.data import Data
from .._families.base import Family
from ..errors import DataError
from .assemble import Estimate
from .result import Diagnostic

__all__ = ["START_SAMPLE", "start_points", "newton_fit", "real_scales", "nelder_mead_polish",
           "limit_applies"]

START_SAMPLE = 100_000


def start_points(dat: Data) -> tuple[np.ndarray, np.ndarray | None]:
    """A (sub)sample of values and weights for data-driven starting values: every
    ``step``-th value of the blocks laid end to end (``step = n // START_SAMPLE``), taken block
    by block (no copy of all the values first)."""
    xs, ws = [], []
    any_w = dat.has_weights
    blocks = [(kind, blk) for kind, blk in dat.blocks.items() if blk.size]
    n = sum(blk.size for _, blk in blocks)
    step = n // START_SAMPLE if n > START_SAMPLE else 1
    offset = 0
    for kind, blk in blocks:
        first = (-offset) % step           # the block's first index on the global stride
        offset += blk.size
        if kind == "interval":
            lo, hi = blk.x[first::step], blk.hi
            assert hi is not None
            hi = hi[first::step]
            v = np.where(np.isfinite(lo) & np.isfinite(hi), 0.5 * (lo + hi),
                         np.where(np.isfinite(lo), lo, hi))
        else:
            v = blk.x[first::step]
        xs.append(v)
        if any_w:
            ws.append(blk.w[first::step] if blk.w is not None else np.ones(v.size))
    # (a fresh array, as the concatenation always gave: callers may reorder it in place)
    x = np.concatenate(xs) if len(xs) != 1 else xs[0].copy()
    w = (np.concatenate(ws) if len(ws) != 1 else ws[0].copy()) if any_w else None
    return x, w


def newton_fit(fam: Family, lik: Any, dat: Data, start: dict[str, float],
               fixed: dict[str, float], maxiter: int) -> Estimate:
    """Newton from the data-driven (and the given) starting values, with fall-back starts and a
    Nelder–Mead polish; ``lik``: a likelihood with ``free``, ``theta``, ``evaluate``, ``flags``.
    ``dat`` only supplies starting points (a summary of the data will do)."""
    diags: list[Diagnostic] = []
    free = lik.free
    doms = [fam.domains[i] for i in free]
    if not free:
        th = lik.theta([])
        ll, g, H = lik.evaluate(th, 2)
        return Estimate(dict(zip(fam.param_names, th)), ll, H, "fixed", 0, 0.0, True, diags)
    x, w = start_points(dat)
    # locations are in the data's units: optimise them in units of the data's spread, so the
    # step cap and the line search are the same at any scale (1e-9 or 1e9)
    sc = real_scales(fam, free, x)
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
    every = free == list(range(len(fam.param_names)))   # no fixed parameter: no sub-matrices
    fsel = np.ix_(free, free)

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
            gf, Hf = (g, H) if every else (g[free], H[fsel])
            last.update(th=th, ll=ll, g=g, H=H)
            return ll, gf * J1, Hf * np.outer(J1, J1) + np.diag(gf * J2)
        return obj

    # the family's limit (the supremum lies beyond: GPD's shape -> -1, the skew-normal's
    # half-normal limit): a run that reaches it stops there, and no other start is tried
    limited = limit_applies(fam, fixed)

    def at_limit(eta: np.ndarray, f: float) -> bool:
        thf = [float(d.from_unconstrained(e)) for d, e in zip(doms, eta * sc)]
        return bool(np.all(fam._beyond_limit(lik.theta(thf))))

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
            res = newton(make_obj(), eta0, maxiter=maxiter, stop=at_limit if limited else None)
        if res.converged or res.message == "stopped":
            best = (res, dict(last))
            break
        if best is None or (math.isfinite(res.fun) and res.fun > best[0].fun):
            best = (res, dict(last))
        if i == 0 and start:
            diags.append(Diagnostic("restart", f"the fit from the given start did not converge "
                                    f"({res.message}); other starts were tried", "info"))
    stopped = best is not None and best[0].message == "stopped"
    if best is not None and best[0].converged:
        # a multimodal likelihood: Newton from the family's starts in other basins too; a run
        # that enters the quadratic neighbourhood of the best maximum so far is stopped there
        # (it can only end at that maximum: ``_joined``)
        with np.errstate(all="ignore"):
            try:
                others = fam._other_starts(x, w, fixed)
            except (ValueError, ZeroDivisionError, FloatingPointError):
                others = []
        for s in others:
            s = {**s, **start, **fixed}
            eta0 = np.array([float(d.to_unconstrained(s[fam.param_names[j]]))
                             for d, j in zip(doms, free)]) / sc
            if not np.all(np.isfinite(eta0)):
                continue
            with np.errstate(all="ignore"):
                alt = newton(make_obj(), eta0, maxiter=maxiter, stop=_joined(best[0]))
            if alt.converged and alt.fun > best[0].fun + 1e-9 * max(1.0, abs(best[0].fun)):
                best = (alt, dict(last))
            elif alt.message == "stopped":
                # a start in another basin led back to the best maximum, a regular one: the
                # data show no sign of a second basin, the remaining starts are skipped
                break
    if best is None:
        raise DataError(
            f"{type(fam).__name__}: the log-likelihood is not finite at any starting value. "
            "Hint: check that the data suit this family, or pass start={...}."
        )
    res, snap = best
    fallback = False
    if not res.converged and math.isfinite(res.fun) and not stopped:
        polished = nelder_mead_polish(make_obj(), res, smooth=getattr(fam, "smooth", True))
        if polished is not None:
            res, fallback = polished
            snap = {}
    if not math.isfinite(res.fun):
        why = "" if "not finite at the starting values" in res.message else f" ({res.message})"
        raise DataError(
            f"{type(fam).__name__}: the log-likelihood is not finite at the starting values"
            f"{why}. Hint: pass start={{...}} with plausible values."
        )
    thf = [float(d.from_unconstrained(e)) for d, e in zip(doms, res.x * sc)]
    th = lik.theta(thf)
    if snap.get("th") != th:
        ll, g, H = lik.evaluate(th, 2)
    else:
        ll, g, H = snap["ll"], snap["g"], snap["H"]
    numeric = "numeric" in lik.flags
    note = getattr(fam, "derivatives_note", "")
    method = "newton" + (f" ({note})" if note else
                         " (numerical derivatives for censored/truncation terms)" if numeric else "")
    if fallback:
        method = "nelder-mead (Newton stalled: the log-likelihood is not smooth enough)"
        diags.append(Diagnostic("fallback-optimizer", "Newton's method stalled; the estimate was "
                                "polished with Nelder-Mead", "info"))
    if stopped:
        diags.append(Diagnostic("nonconvergence", "the optimiser stopped where the likelihood's "
                                "supremum lies beyond, at a limit of the parameters (after "
                                f"{res.iterations} iterations): the estimate is not a maximum",
                                "warning"))
    elif not res.converged:
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
                + fam.boundary_hints.get(name, ""), "warning", name))
    grad_norm = float(np.max(np.abs(g[free])))
    return Estimate(dict(zip(fam.param_names, th)), ll, H, method, res.iterations, grad_norm,
                    res.converged, diags)


def limit_applies(fam: Family, fixed: dict[str, float]) -> bool:
    """Whether Newton should stop at the family's limit (``Family._beyond_limit``): it has one,
    and the fixed values alone (the free parameters at their domains' default starts) do not
    put the fit beyond it (a skew-normal with ``alpha`` held at 100 is an ordinary fit)."""
    if not type(fam)._overrides("_beyond_limit"):
        return False
    th = tuple(np.float64(fixed.get(p, default_start(d)))
               for p, d in zip(fam.param_names, fam.domains))
    with np.errstate(all="ignore"):
        return not bool(np.all(fam._beyond_limit(th)))


def _joined(top: OptResult) -> Any:
    """``stop(eta, f)`` for a run from another start: True once ``eta`` lies in the quadratic
    neighbourhood of the converged maximum ``top`` — within one unit of its curvature,
    ``q = d' (-H) d <= 1`` (``d = eta - top.x``; no coordinate of ``d`` beyond 0.5, and
    ``-H`` at least 1 in every direction), where the log-likelihood is what the
    quadratic model of ``top`` predicts, ``f = top.fun - q/2``, to a quarter of ``q/2``.
    Newton from such a point ends at ``top`` (never above it): the run cannot win."""
    x0, f0 = top.x, top.fun
    A = -np.asarray(top.hess, dtype=float)
    tiny = 1e-12 * (1.0 + abs(f0))
    # a maximum with a flat direction (on its way to a boundary: t's df -> inf) has no such
    # neighbourhood: every coordinate must be known to within one unit
    well = bool(np.all(np.isfinite(A)) and np.linalg.eigvalsh(A).min() >= 1.0)

    def stop(eta: np.ndarray, f: float) -> bool:
        if not well:
            return False
        d = eta - x0
        if float(np.max(np.abs(d))) > 0.5:
            return False
        q = float(d @ A @ d)
        return 0.0 <= q <= 1.0 and abs((f0 - f) - 0.5 * q) <= 0.125 * q + tiny
    return stop


def real_scales(fam: Family, free: list[int], x: np.ndarray) -> np.ndarray:
    """Units for the optimiser's coordinates: the data's spread for locations in the data's
    units (``family.data_unit_params``), 1 for the others (logs/logits are unit-free)."""
    loc = getattr(fam, "data_unit_params", ())
    s = data_unit(x) if loc else 1.0
    return np.array([s if fam.param_names[j] in loc else 1.0 for j in free])


# Nelder-Mead's budget per free parameter (iterations; twice that in evaluations): a cap that
# does not depend on the data. Polishes that succeed take < 1,200 iterations for 3 parameters;
# where the maximum does not exist (a ridge to a boundary) the simplex crawls until the cap,
# and the 4,000 per parameter it had cost ~1 s per fit for nothing (issue 11)
NM_STEPS = 1000


def nelder_mead_polish(obj: Any, res: Any, smooth: bool = True) -> Any:
    """Derivative-free polish when Newton stalls (kinks, e.g. Laplace's loc with censoring),
    within ``NM_STEPS`` iterations per parameter."""
    from scipy.optimize import minimize

    def f(e: np.ndarray) -> float:
        v = obj(e, 0)[0]
        return -v if math.isfinite(v) else math.inf

    x0 = np.asarray(res.x, dtype=float)
    simplex = np.vstack([x0] + [x0 + np.eye(x0.size)[i] * 0.05 for i in range(x0.size)])
    with np.errstate(all="ignore"):
        nm = minimize(f, x0, method="Nelder-Mead",
                      options={"xatol": 1e-10, "fatol": 1e-12, "initial_simplex": simplex,
                               "maxiter": NM_STEPS * x0.size, "maxfev": 2 * NM_STEPS * x0.size})
    if not (nm.success and -nm.fun >= res.fun - 1e-12 * (1 + abs(res.fun))):
        return None
    # try to finish with Newton from there (smooth problems converge at once)
    with np.errstate(all="ignore"):
        again = newton(obj, nm.x, maxiter=50)
    if again.converged and again.fun >= -nm.fun - 1e-12 * (1 + abs(nm.fun)):
        return again, False
    with np.errstate(all="ignore"):
        _, g, H = obj(nm.x, 2)
    # a smooth log-likelihood must also pass the Newton test (score ~ 0, curvature negative);
    # a kinked one (Laplace's loc) is judged by the simplex alone
    if smooth:
        ok = bool(np.all(np.isfinite(g)) and np.all(np.isfinite(H)))
        if ok:
            _, dec, pd = direction(np.asarray(g, float), np.asarray(H, float))
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
