"""Profile likelihood: intervals by exact root finding, and profile curves as data.

For a parameter ``psi`` the profile log-likelihood is ``pl(psi) = max over the other free
parameters of ll``. The ``level`` interval is ``{psi : D(psi) <= q}`` with the deviance
``D = 2 (ll_max - pl)`` and ``q`` the ``level`` quantile of chi-square(1).

How it is computed (fast enough for simulation studies with thousands of fits):

- every profile point maximises over the nuisance parameters by Newton on their
  unconstrained scale, warm-started from the previous point;
- each end point solves ``sqrt(D) = sqrt(q)`` on the unconstrained scale of ``psi``
  (log for positive, logit for unit-interval parameters) by Newton, using the envelope
  theorem ``d pl / d psi = d ll / d psi`` at the profile optimum (no extra work), safeguarded by
  bisection once the root is bracketed — usually 3-5 profile points per end;
- when the profile never reaches the cutoff before the edge of the parameter's domain the
  interval is open on that side: the end is the domain's end (``0``, ``inf``, ...);
- when the estimate itself is on the boundary of the domain (a Poisson rate of 0 from all-zero
  counts) that end of the interval is the boundary, and the other end is still exact.

Non-regular parameters (Pareto ``scale``, Uniform ``low``/``high``: support end points estimated
by a sample extreme) have a likelihood that is ``-inf`` on one side of the estimate, and
``D`` at the true value is asymptotically exponential with mean 2 (chi-square with **2** degrees
of freedom), not chi-square(1). Their profile interval is therefore one-sided,
``{psi : D(psi) <= chi2_2(level)}``, with the estimate as its closed end. When they are nuisance
parameters they stay at their estimate, which maximises the likelihood whatever the other
parameters are.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

from .._core.checks import find_stack_level
from .._core.optimize import direction as newton_direction
from ..errors import FamilyError, NumericalWarning, ParameterError

if TYPE_CHECKING:
    from .._fit.result import FitResult

__all__ = ["profile_ci", "profile", "Profile", "Profiler"]

_MAX_ETA = 40.0     # how far (unconstrained scale) a search may walk before the side is open


def cutoff(level: float, df: int = 1) -> float:
    return float(chi2.ppf(level, df))


@dataclass(frozen=True)
class Profile:
    """A profile log-likelihood curve, as data (for plots and checks).

    ``values`` are parameter values in increasing order, ``loglik`` the profile
    log-likelihood there, ``nuisance`` the maximising values of the other parameters.
    ``deviance`` is ``2 (loglik_max - loglik)`` and ``z`` the signed root
    ``sign(value - mle) sqrt(deviance)`` — a straight line when the likelihood is quadratic.
    """

    param: str
    values: NDArray[np.float64]
    loglik: NDArray[np.float64]
    mle: float
    loglik_max: float
    nuisance: dict[str, NDArray[np.float64]]
    df: int = 1
    _res: Any = field(default=None, repr=False, compare=False)

    @property
    def deviance(self) -> NDArray[np.float64]:
        return np.maximum(2.0 * (self.loglik_max - self.loglik), 0.0)

    @property
    def z(self) -> NDArray[np.float64]:
        return np.sign(self.values - self.mle) * np.sqrt(self.deviance)

    def cutoff(self, level: float = 0.95) -> float:
        """The deviance threshold of a ``level`` interval."""
        from .._core.checks import check_level

        return cutoff(check_level(level), self.df)

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """The exact profile interval (root finding, not read off the grid)."""
        return profile_ci(self._res, level, params=[self.param])[self.param]

    def to_frame(self) -> Any:
        import pandas as pd

        cols = {self.param: self.values, "loglik": self.loglik, "deviance": self.deviance,
                "z": self.z}
        cols.update({f"{k}_hat": v for k, v in self.nuisance.items()})
        return pd.DataFrame(cols)

    def __len__(self) -> int:
        return int(self.values.size)


class Profiler:
    """Profile computations for one fit (holds the likelihood and the estimate)."""

    def __init__(self, res: FitResult) -> None:
        lik = res.likelihood
        if lik is None:
            raise ParameterError(
                f"profile intervals need the fit's likelihood; got a {res.method!r} fit without "
                "one. Hint: degenerate data (all values equal) have no interval.")
        self.res = res
        self.lik = lik
        self.names = tuple(res.params)
        self.doms = tuple(res.dist.domains)
        self.th_hat = tuple(float(res.params[p]) for p in self.names)
        ll = float(lik.evaluate(self.th_hat, 0)[0])
        self.llmax = ll if math.isfinite(ll) else float(res.loglik)
        nonreg = set(getattr(res.dist, "nonregular", ())) - set(res.fixed)
        self.nonregular = {self.names.index(p) for p in nonreg}
        self.free = [i for i, p in enumerate(self.names) if p not in res.fixed]
        self.regular = [i for i in self.free if i not in self.nonregular]
        self._warned = False
        self.evaluations = 0
        self.last_converged = True

    # ---------------------------------------------------------------- profile points
    def maximize(self, j: int, v: float, warm: list[float] | None = None
                 ) -> tuple[float, list[float], float]:
        """``(pl(v), maximising theta, d ll / d theta_j there)`` with parameter ``j`` at ``v``."""
        nuis = [i for i in self.regular if i != j]
        th = list(self.th_hat if warm is None else warm)
        th[j] = float(v)
        self.evaluations += 1
        lik = self.lik
        self.last_converged = True
        if not nuis:
            ll, g, _ = lik.evaluate(tuple(th), 0 if j in self.nonregular else 1)
            return float(ll), th, float(g[j])
        doms = [self.doms[i] for i in nuis]
        fam = getattr(lik, "family", None)      # None for custom models' likelihoods
        feasible = fam._feasible_theta if fam is not None else None
        if feasible is not None:
            th = feasible(th, nuis, lik.data)
        with np.errstate(all="ignore"):
            eta = np.array([float(d.to_unconstrained(th[i])) for d, i in zip(doms, nuis)])
            if not np.all(np.isfinite(eta)):
                th = list(self.th_hat)
                th[j] = float(v)
                if feasible is not None:
                    th = feasible(th, nuis, lik.data)
                eta = np.array([float(d.to_unconstrained(th[i])) for d, i in zip(doms, nuis)])
            ll, g, ok = _inner_newton(lik, th, nuis, doms, eta)
            if not ok and warm is not None:
                # a far-off warm start: try again from the estimate and keep the better
                cold = self.maximize(j, v, None)
                if not (cold[0] <= ll) or (self.last_converged and not ll > cold[0] + 1e-9):
                    return cold
            self.last_converged = ok
        return ll, th, float(g[j]) if g is not None else math.nan

    def deviance(self, pl: float) -> float:
        if not math.isfinite(pl):
            return math.inf
        d = 2.0 * (self.llmax - pl)
        if d < -1e-6 * max(1.0, abs(self.llmax)):
            if getattr(self.res.dist, "local_maximum", False):
                # the estimate is a local maximum of a likelihood that is unbounded elsewhere
                # (a threshold family near the smallest value): higher values there are the
                # spike, not a better fit; the point is inside the interval
                return 0.0
            if not self._warned:
                warnings.warn(
                    f"{self.res.family}: the profile found a log-likelihood {pl:.10g} above the "
                    f"fit's {self.llmax:.10g}: the fit had not reached the maximum; intervals "
                    "are measured from the higher value", NumericalWarning, stacklevel=find_stack_level())
                self._warned = True
            self.llmax = pl
            d = 0.0
        return max(d, 0.0)

    # ---------------------------------------------------------------- interval ends
    def bound(self, j: int, side: int, q: float) -> float:
        """The end of the ``{D <= q}`` interval for parameter ``j`` on ``side`` (-1 or +1)."""
        dom = self.doms[j]
        v_hat = self.th_hat[j]
        z = math.sqrt(q)
        edge = dom.lower if side < 0 else dom.upper
        sgn = -1 if dom.kind == "upper" else 1      # sign of d theta / d eta
        direction = side * sgn                       # where "outwards" is on the eta scale
        if j in self.nonregular:
            # the likelihood is -inf on one side of a support end point
            th = list(self.th_hat)
            th[j] = v_hat + side * 1e-9 * max(1.0, abs(v_hat))
            if not math.isfinite(self.lik.evaluate(tuple(th), 0)[0]):
                return v_hat
        with np.errstate(all="ignore"):
            e_hat = float(dom.to_unconstrained(v_hat))
        if math.isnan(e_hat):
            return math.nan
        if math.isinf(e_hat):
            # the estimate is on the boundary of the domain: that end is the boundary itself
            if (e_hat > 0) == (direction > 0):
                return v_hat
            return self._scan(j, direction, z, edge)
        se = self.res.se.get(self.names[j], math.nan)
        J1 = abs(float(dom.jacobian(e_hat)[0]))
        step = z * se / J1 if (math.isfinite(se) and se > 0 and J1 > 0) else math.nan
        if not math.isfinite(step) or step <= 0:
            step = 0.1 if dom.kind != "real" else 0.1 * max(abs(v_hat), 1e-3)
        if dom.kind != "real":
            step = min(step, 10.0)
        return self._solve(j, direction, z, e_hat, step, edge)

    def _eval(self, j: int, e: float, warm: list[float] | None
              ) -> tuple[float, float, list[float], bool]:
        """``(sqrt(D), d sqrt(D)/d eta, theta, reliable)`` at ``eta = e``. ``sqrt(D)`` is NaN
        when ``e`` maps onto the edge of the domain in floating point; ``reliable`` is False
        when the nuisance maximisation did not converge (``D`` may then be too large)."""
        dom = self.doms[j]
        v = float(dom.from_unconstrained(e))
        if not (dom.lower < v < dom.upper):
            return math.nan, math.nan, list(self.th_hat), True
        pl, th, gj = self.maximize(j, v, warm)
        # -inf after the cold retry: an impossible value (a threshold above the smallest
        # observation), outside the interval whatever the nuisance parameters
        ok = self.last_converged or pl == -math.inf
        D = self.deviance(pl) if ok or not math.isfinite(pl) or pl < self.llmax else max(
            2.0 * (self.llmax - pl), 0.0)
        s = math.sqrt(D)
        if j in self.nonregular or not math.isfinite(D) or s == 0.0:
            return s, math.nan, th, ok
        dD = -2.0 * gj * float(dom.jacobian(e)[0])
        return s, dD / (2.0 * s), th, ok

    def _solve(self, j: int, direction: int, z: float, e_hat: float, step: float,
               edge: float) -> float:
        """Solve ``sqrt(D(eta)) = z`` walking from ``e_hat`` in ``direction`` (eta scale).

        Expansion: the distance from the estimate at most doubles per trial (Newton steps
        when they are shorter). The side is declared open when the walk reaches the domain's
        edge in floating point, goes 50 units out on a log/logit scale, or when the signed
        root has levelled off: its gains per doubling shrink geometrically towards a limit below
        the cutoff, or when the nuisance maximisation fails there (the profile is then unknown).
        Once bracketed: safeguarded Newton, failed points counting as inside (the interval can
        only come out wider, never falsely narrow)."""
        dom = self.doms[j]
        a, fa = e_hat, -z           # inside: sqrt(D) - z < 0
        b = fb = math.nan           # outside, once found
        e = e_hat + direction * step
        warm: list[float] | None = None
        prev: tuple[float, float] | None = None
        grown: list[float] = [0.0]  # reliable sqrt(D) at successive doublings of the distance
        doubled = True
        expansions = 0
        for _ in range(120):
            s, ds, th, ok = self._eval(j, e, warm)
            if math.isnan(s):
                if math.isfinite(b):
                    e = 0.5 * (a + b)
                    continue
                return edge
            f = s - z
            if not ok and f > 0:
                if not math.isfinite(b):
                    # the nuisance parameters could not be maximised out here: the profile is
                    # unknown beyond this point, so the side is reported open (never falsely
                    # narrow)
                    return edge
                f, ds = -abs(f) * 1e-3 - 1e-12, math.nan     # unreliable: count as inside
            elif math.isfinite(s):
                warm = th
            if abs(f) <= 1e-10 * max(1.0, z):
                return float(dom.from_unconstrained(e))
            if f < 0:
                a, fa = e, f
            else:
                b, fb = e, f
            if math.isfinite(b) and abs(b - a) <= 1e-13 * max(1.0, abs(a)):
                return float(dom.from_unconstrained(a if abs(fa) < abs(fb) else b))
            # next trial: Newton (or secant), kept inside the bracket
            nxt = math.nan
            if ok and math.isfinite(ds) and ds * direction > 0 and math.isfinite(f):
                nxt = e - f / ds
            elif ok and prev is not None and math.isfinite(f) and f != prev[1]:
                nxt = e - f * (e - prev[0]) / (f - prev[1])
            if ok and math.isfinite(f):
                prev = (e, f)
            if math.isfinite(b):
                lo, hi = min(a, b), max(a, b)
                if not (math.isfinite(nxt) and lo < nxt < hi):
                    frac = fa / (fa - fb) if math.isfinite(fb) and ok else 0.5
                    nxt = a + (b - a) * max(0.1, min(0.9, frac))
            else:
                if ok and doubled:
                    grown.append(s)
                    if _levelled_off(grown, z):
                        return edge
                dist = max(abs(e - e_hat), 1e-3)
                if not math.isfinite(nxt) or (nxt - e) * direction <= 0 or abs(nxt - e) >= dist:
                    nxt = e + direction * dist
                    doubled = True
                else:
                    doubled = False
                expansions += 1
                too_far = (abs(nxt - e_hat) > 50.0) if dom.kind != "real" else expansions > 60
                if too_far:
                    return edge
            e = nxt
        return float(dom.from_unconstrained(a if not math.isfinite(b) else b))

    def _scan(self, j: int, direction: int, z: float, edge: float) -> float:
        """The far end when the estimate sits on the domain boundary: walk out, then solve."""
        dom = self.doms[j]
        e = -30.0 * direction
        last = None
        warm = None
        for _ in range(60):
            s, _, th, _ = self._eval(j, e, warm)
            if math.isfinite(s):
                warm = th
            if s > z:
                if last is None:
                    return float(dom.from_unconstrained(e))
                return self._solve(j, direction, z, last, abs(e - last), edge)
            last = e
            e += direction * 2.0
        return edge

    def interval(self, j: int, level: float) -> tuple[float, float]:
        if j in self.nonregular:
            q = cutoff(level, 2)
        else:
            q = cutoff(level, 1)
        return (self.bound(j, -1, q), self.bound(j, +1, q))


def _levelled_off(grown: list[float], z: float) -> bool:
    """True when the last gains of ``sqrt(D)`` (per doubling of the distance) shrink
    geometrically (ratio < 1/2) towards a limit clearly below ``z``."""
    if len(grown) < 4:
        return False
    g1, g2 = grown[-2] - grown[-3], grown[-1] - grown[-2]
    if not (g1 > 0 and 0 <= g2 < 0.5 * g1):
        return False
    r = g2 / g1
    limit = grown[-1] + g2 * r / (1.0 - r)
    return limit < z - 0.05 * (z - grown[0]) and g2 < 0.01 * (z - grown[-1])


def _inner_newton(lik: Any, th: list[float], nuis: list[int], doms: list[Any],
                  eta: NDArray[np.float64], maxiter: int = 60) -> tuple[float, Any, bool]:
    """Maximise over the nuisance parameters ``nuis`` (unconstrained values ``eta``) in place
    in ``th``; returns ``(ll, full gradient, converged)`` at the optimum. Every trial point is evaluated
    with derivatives, so an accepted step costs one likelihood pass."""

    def at(e: NDArray[np.float64]) -> tuple[float, Any, Any, Any, Any]:
        t = list(th)
        for i, d, x in zip(nuis, doms, e):
            t[i] = float(d.from_unconstrained(x))
        try:
            ll, g, H = lik.evaluate(tuple(t), 2)
        except (OverflowError, ZeroDivisionError, FloatingPointError):
            return -math.inf, None, None, None, t
        if not math.isfinite(ll):
            return ll, g, None, None, t
        J = [d.jacobian(x) for d, x in zip(doms, e)]
        J1 = np.array([float(a[0]) for a in J])
        J2 = np.array([float(a[1]) for a in J])
        gn = g[nuis]
        if len(nuis) == 1:
            i = nuis[0]
            return ll, g, gn * J1, np.array([[H[i, i] * J1[0] ** 2 + gn[0] * J2[0]]]), t
        return ll, g, gn * J1, H[np.ix_(nuis, nuis)] * np.outer(J1, J1) + np.diag(gn * J2), t

    f, g, ge, He, t = at(eta)
    if not math.isfinite(f):
        return f, None, False
    real = np.array([d.kind == "real" for d in doms])
    # the gradient per unit of the data's spread for locations (d ll / d mu is 1e-9-small for
    # data in 1e9 units even far from the optimum)
    units = getattr(lik, "units", None)
    gscale = np.array([1.0 if units is None or units[i] is None else units[i] for i in nuis])
    converged = False
    stall = 0
    for _ in range(maxiter):
        if not (np.all(np.isfinite(ge)) and np.all(np.isfinite(He))):
            break
        if ge.size == 1:
            h = float(He[0, 0])
            pd = h < 0.0
            step = ge / -h if pd else ge * (1.0 / max(abs(h), 1e-12))
            dec = float(ge[0] * step[0])
        else:
            step, dec, pd = newton_direction(ge, He)
        if (pd and dec <= 1e-11) or float(np.max(np.abs(ge * gscale))) < 1e-9:
            # converged; or a flat direction (a nuisance running off to an edge of its domain
            # where the likelihood no longer changes, e.g. negative-binomial size -> inf)
            converged = True
            break
        # cap the step: 4 units on log/logit scales, 4 x |value| for real-valued parameters
        cap = np.where(real, 4.0 * np.maximum(1.0, np.abs(eta)), 4.0)
        ratio = float(np.max(np.abs(step) / cap))
        if ratio > 1.0:
            step = step / ratio
        slope = float(ge @ step)
        s = 1.0
        while s > 1e-8:
            fn, gn_, gen, Hen, tn = at(eta + s * step)
            if math.isfinite(fn) and fn >= f + 1e-4 * s * slope:
                break
            s *= 0.5 if math.isfinite(fn) else 0.25
        else:
            # no step along the Newton direction raises the likelihood, however short: a
            # maximum to floating-point precision (its derivatives may be mostly noise)
            converged = True
            break
        gain = fn - f
        eta, f, g, ge, He, t = eta + s * step, fn, gn_, gen, Hen, tn
        stall = stall + 1 if gain <= 1e-12 * (1.0 + abs(f)) else 0
        if (gain <= 1e-13 * (1.0 + abs(f)) and dec < 1e-8) or stall >= 2:
            converged = True      # nothing left to gain (twice in a row: noise-level steps)
            break
    th[:] = t
    return float(f), g, converged


def profile_ci(res: FitResult, level: float, params: Any = None, **kwargs: Any
               ) -> dict[str, tuple[float, float]]:
    """Profile-likelihood intervals ``{name: (lo, hi)}`` (see the module docstring).

    ``params``: a name or list of names to compute (default: all). Fixed parameters get
    ``(value, value)``; a fit without a likelihood (degenerate data) gets ``(nan, nan)``.
    (``ci(method="profile", bartlett=True)`` is :func:`.bartlett.bartlett_profile_ci`.)
    """
    if kwargs:
        raise ParameterError(f"ci(method='profile') takes params= and bartlett= (with n_boot=, "
                             f"rng=); got {', '.join(kwargs)}.")
    names = select_params(res, params)
    if res.likelihood is None:
        if res.method != "degenerate":
            raise FamilyError(
                f"profile intervals need a likelihood that can be re-evaluated; this "
                f"{res.family!r} result ({res.method}) has none. Hint: use ci(method='wald').")
        return {p: (math.nan, math.nan) for p in names}
    prof = Profiler(res)
    out: dict[str, tuple[float, float]] = {}
    for p in names:
        if p in res.fixed:
            out[p] = (res.params[p], res.params[p])
        else:
            out[p] = prof.interval(prof.names.index(p), level)
    return out


def select_params(res: FitResult, params: Any) -> list[str]:
    if params is None:
        return list(res.params)
    names = [params] if isinstance(params, str) else list(params)
    for p in names:
        if p not in res.params:
            raise ParameterError(f"params must name parameters of {res.family} "
                                 f"({', '.join(res.params)}); got {p!r}.")
    return names


def profile(res: FitResult, param: str, *, n: int = 41, level: float = 0.99,
            bounds: tuple[float, float] | None = None) -> Profile:
    """The profile log-likelihood of ``param`` on ``n`` points.

    The grid spans the ``level`` profile interval (widened a little) unless ``bounds`` is
    given; an open side is replaced by the estimate ± 4 standard errors (or a factor of e^4
    on the log scale).
    """
    from .._core.checks import check_level

    if param not in res.params:
        raise ParameterError(f"param must name a parameter of {res.family} "
                             f"({', '.join(res.params)}); got {param!r}.")
    if param in res.fixed:
        raise ParameterError(f"{param} is fixed at {res.params[param]:g}; it has no profile. "
                             "Hint: refit without fixing it.")
    n = int(n)
    if n < 3:
        raise ParameterError(f"n must be at least 3 grid points; got {n}.")
    prof = Profiler(res)
    j = prof.names.index(param)
    dom = prof.doms[j]
    v_hat = prof.th_hat[j]
    if bounds is None:
        lo, hi = prof.interval(j, check_level(level))
        e_hat = float(dom.to_unconstrained(v_hat)) if dom.contains(v_hat) else math.nan
        with np.errstate(all="ignore"):
            el = float(dom.to_unconstrained(lo)) if dom.contains(lo) else e_hat - 4.0
            eh = float(dom.to_unconstrained(hi)) if dom.contains(hi) else e_hat + 4.0
        if not math.isfinite(el):
            el = eh - 8.0
        if not math.isfinite(eh):
            eh = el + 8.0
        pad = 0.1 * (eh - el)
        if lo == v_hat:
            pad_lo = 0.0
        else:
            pad_lo = pad
        pad_hi = 0.0 if hi == v_hat else pad
        grid = dom.from_unconstrained(np.linspace(el - pad_lo, eh + pad_hi, n))
    else:
        a, b = (float(bounds[0]), float(bounds[1]))
        if not (a < b and dom.contains(a) and dom.contains(b)):
            raise ParameterError(f"bounds must be an increasing pair inside {dom.describe()}; "
                                 f"got {bounds!r}.")
        grid = np.linspace(a, b, n)
    grid = np.asarray(grid, dtype=float)
    ll = np.full(n, -np.inf)
    nuis_idx = [i for i in prof.regular if i != j]
    nuis = {prof.names[i]: np.full(n, np.nan) for i in nuis_idx}
    # sweep outwards from the estimate so every point is warm-started from its neighbour
    start = int(np.searchsorted(grid, v_hat))
    for order in (range(start, n), range(start - 1, -1, -1)):
        warm = None
        for k in order:
            pl, th, _ = prof.maximize(j, float(grid[k]), warm)
            ll[k] = pl if math.isfinite(pl) else -np.inf
            if math.isfinite(pl):
                warm = th
                for i in nuis_idx:
                    nuis[prof.names[i]][k] = th[i]
    return Profile(param=param, values=grid, loglik=ll, mle=v_hat, loglik_max=prof.llmax,
                   nuisance=nuis, df=2 if j in prof.nonregular else 1, _res=res)


NONQUADRATIC = 0.10   # Wald vs profile end points differing by more than this share of the width


def nonquadratic_notes(res: FitResult, level: float, wald: dict[str, tuple[float, float]],
                       max_rows: int = 5_000) -> list[str]:
    """Messages for parameters whose Wald interval is off from the profile interval by more
    than ``NONQUADRATIC`` of the profile interval's width (a log-likelihood far from
    quadratic). Skipped for large data (the profile is quadratic there, and costs passes)."""
    if res.likelihood is None or res.data is None or res.data.n_rows > max_rows:
        return []
    prof = Profiler(res)
    out = []
    for j in prof.regular:
        p = prof.names[j]
        wl, wh = wald.get(p, (math.nan, math.nan))
        if not (math.isfinite(wl) and math.isfinite(wh)):
            continue
        lo, hi = prof.interval(j, level)
        width = hi - lo
        if not (math.isfinite(width) and width > 0):
            out.append(f"the profile {level * 100:g}% interval for {p} is open "
                       f"({lo:.6g} … {hi:.6g}); the Wald interval ({wl:.6g} … {wh:.6g}) hides "
                       "that: prefer ci(method='profile')")
            continue
        off = max(abs(wl - lo), abs(wh - hi)) / width
        if off > NONQUADRATIC:
            out.append(f"the log-likelihood is far from quadratic in {p}: the Wald and profile "
                       f"{level * 100:g}% intervals differ by {off * 100:.0f}% of the width "
                       f"(profile {lo:.6g} … {hi:.6g}); prefer ci(method='profile')")
    return out
