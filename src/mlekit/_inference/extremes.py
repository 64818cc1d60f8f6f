"""Return levels and return periods of extreme-value fits.

The ``T``-block return level ``z_T`` is the quantile at ``1 - 1/T``: the level exceeded on
average once every ``T`` blocks (years). For a GEV fit to block maxima it is
``loc + scale (y^-shape - 1)/shape`` with ``y = -log(1 - 1/T)``; for a generalised Pareto fit
to the excesses of a threshold ``u`` that occur at ``rate`` per block (peaks over threshold)
it is ``u + scale ((rate T)^shape - 1)/shape``.

- ``se``: the delta method, ``sqrt(grad' cov grad)`` with the analytic gradient (POT: plus the
  rate's own sampling variance, the Poisson ``rate/blocks``).
- ``method="profile"`` (default): the profile-likelihood interval. The model is
  re-parameterised with ``z_T`` in place of ``loc`` (GEV: ``loc = z_T - scale c(shape)``; GPD:
  ``scale = (z_T - u) / c(shape)``), the other parameters are re-maximised by Newton (analytic
  derivatives through the chain rule) at each trial ``z_T``, and the two ends where the profile
  deviance equals the chi-square cutoff are found by a safeguarded Newton iteration on the
  signed root deviance (whose slope is the score of ``loc``/``scale`` at the profile optimum).
  An end where the profile never reaches the cutoff is ``±inf`` (the likelihood does not rule
  out arbitrarily large levels — a heavy tail on a short record). As in Coles (2001), the POT
  profile holds the exceedance rate at its estimate.
- ``method="delta"``: ``z_T ± z_(1+level)/2 se`` (the natural scale, as in evd and ismev).

Other families' return levels are their quantiles at ``1 - 1/T`` (``res.quantile``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import chi2, norm

from .._core.optimize import newton
from ..errors import ParameterError
from .derived import Derived

if TYPE_CHECKING:
    from .._fit.result import FitResult

__all__ = ["return_level", "return_period", "gpd_return_level", "expm1_over_derivs"]

_METHODS = ("profile", "delta")

#: what a family's return level gives at one period: ``a``, ``z``, its gradient, extra variance
_LevelTerms = tuple[float, float, np.ndarray, float | None]
_LevelAt = Callable[[float], _LevelTerms]


# ---------------------------------------------------------------------------- c(shape)
def expm1_over_derivs(a: float, xi: float) -> tuple[float, float, float]:
    """``c(xi) = expm1(a xi)/xi`` (``a`` at ``xi = 0``) and its first two ``xi`` derivatives
    (a power series where ``|a xi| < 0.5``: no cancellation near the Gumbel/exponential)."""
    u = a * xi
    if abs(u) < 0.5:
        c = c1 = c2 = 0.0
        coef = a            # a^(k+1) / (k+1)!
        for k in range(40):
            c += coef * xi**k
            if k >= 1:
                c1 += k * coef * xi ** (k - 1)
            if k >= 2:
                c2 += k * (k - 1) * coef * xi ** (k - 2)
            coef = coef * a / (k + 2)
        return c, c1, c2
    E = math.exp(u)
    c = (E - 1.0) / xi
    c1 = (u * E - E + 1.0) / xi**2
    c2 = (u * u * E - 2.0 * u * E + 2.0 * E - 2.0) / xi**3
    return c, c1, c2


# ---------------------------------------------------------------------------- checks
def _periods(T: Any) -> np.ndarray:
    try:
        arr = np.asarray(T, dtype=float)
    except (TypeError, ValueError):
        arr = np.array([math.nan])  # not numbers: the message below says what T must be
    if arr.size == 0 or np.any(~np.isfinite(arr)) or np.any(arr <= 1):
        raise ParameterError(f"return periods T must be numbers > 1 (in blocks, e.g. years); "
                             f"got {T!r}.")
    return arr


def _check(method: str, level: float) -> tuple[str, float]:
    from .._core.checks import check_level

    m = str(method).lower()
    if m not in _METHODS:
        raise ParameterError(f"method must be one of {', '.join(_METHODS)}; got {method!r}.")
    return m, check_level(level)


def _label(name: str, T: np.ndarray) -> str:
    """The result's name: the periods ``T`` the user passed (the first three of a list)."""
    if T.ndim == 0:
        return f"{name}({float(T):g})"
    return f"{name}({', '.join(f'{v:g}' for v in T.ravel()[:3])}{', …' if T.size > 3 else ''})"


def _pack(name: str, T: np.ndarray, rows: list[tuple[float, float, float, float]], method: str,
          level: float, note: str = "") -> Derived:
    out = np.array(rows, dtype=float).reshape(T.size, 4)
    if T.ndim == 0:
        e, s, lo, hi = out[0]
        return Derived(_label(name, T), float(e), float(s), (float(lo), float(hi)), method,
                       level, "identity", note)
    sh = T.shape
    return Derived(_label(name, T), out[:, 0].reshape(sh), out[:, 1].reshape(sh),
                   (out[:, 2].reshape(sh), out[:, 3].reshape(sh)), method, level, "identity", note)


# ---------------------------------------------------------------------------- profile engine
class _Reparam:
    """The log-likelihood with ``z`` (the return level) in place of one parameter; the others
    (``nuisance``, on an unconstrained scale) are re-maximised by Newton."""

    def __init__(self, res: FitResult, kind: str, a: float, threshold: float) -> None:
        lik = res.likelihood
        assert lik is not None
        self.lik, self.kind, self.a, self.u = lik, kind, a, threshold
        self.fits = 0                      # Newton runs of the nuisance ("profile fits")
        self.converged = True              # did the last profile point's Newton converge
        p = res.params
        if kind == "gev":
            self.eta = np.array([math.log(p["scale"]), p["shape"]])
        else:
            self.eta = np.array([p["shape"]])

    def theta(self, z: float, eta: np.ndarray) -> tuple[float, ...]:
        if self.kind == "gev":
            s, xi = math.exp(eta[0]), float(eta[1])
            c = expm1_over_derivs(self.a, xi)[0]
            return (z - s * c, s, xi)
        xi = float(eta[0])
        c = expm1_over_derivs(self.a, xi)[0]
        return ((z - self.u) / c, xi)

    def objective(self, z: float) -> Any:
        lik, a = self.lik, self.a

        def fun(eta: np.ndarray, order: int) -> tuple[float, np.ndarray, np.ndarray]:
            nan = (np.full(eta.size, math.nan), np.full((eta.size,) * 2, math.nan))
            if self.kind == "gev":
                if abs(eta[0]) > 700 or not eta[1] > -1.0:      # shape <= -1: unbounded
                    return -math.inf, *nan
                s, xi = math.exp(eta[0]), float(eta[1])
                c, c1, c2 = expm1_over_derivs(a, xi)
                th = (z - s * c, s, xi)
                ll, g, H = lik.evaluate(th, order)
                if order == 0 or not math.isfinite(ll):
                    return ll, *nan
                J = np.array([[-c, -s * c1], [1.0, 0.0], [0.0, 1.0]])
                gr = J.T @ g
                Hr = J.T @ H @ J + g[0] * np.array([[0.0, -c1], [-c1, -s * c2]])
                # log scale for the scale parameter
                gl = np.array([s * gr[0], gr[1]])
                Hl = np.array([[s * s * Hr[0, 0] + s * gr[0], s * Hr[0, 1]],
                               [s * Hr[0, 1], Hr[1, 1]]])
                return ll, gl, Hl
            xi = float(eta[0])
            c, c1, c2 = expm1_over_derivs(a, xi)
            zu = z - self.u
            if not (c > 0 and zu > 0 and xi > -1.0):
                return -math.inf, *nan
            s = zu / c
            ll, g, H = lik.evaluate((s, xi), order)
            if order == 0 or not math.isfinite(ll):
                return ll, *nan
            ds = -zu * c1 / c**2
            d2s = zu * (2.0 * c1 * c1 / c**3 - c2 / c**2)
            gr = np.array([g[0] * ds + g[1]])
            Hr = np.array([[H[0, 0] * ds * ds + 2.0 * H[0, 1] * ds + H[1, 1] + g[0] * d2s]])
            return ll, gr, Hr
        return fun

    def profile(self, z: float, warm: np.ndarray) -> tuple[float, np.ndarray, float]:
        """``(profile loglik, nuisance, d pl/dz)`` at ``z`` from the warm start ``warm``: at
        most ``_STARTS`` Newton runs of at most ``_NEWTON_ITER`` iterations (one ``fits``
        each)."""
        fun = self.objective(z)
        starts = [warm]
        if self.kind == "gev":
            starts += [np.array([warm[0], warm[1] * f]) for f in (0.5, 0.25, 0.0)]
        else:
            starts += [np.array([warm[0] * f]) for f in (0.5, 0.25, 0.0)]
        best = None
        for e0 in starts:
            with np.errstate(all="ignore"):
                if not math.isfinite(fun(e0, 0)[0]):
                    continue
                self.fits += 1
                r = newton(fun, e0, maxiter=_NEWTON_ITER)
            if best is None or r.fun > best.fun:
                best = r
            if r.converged:
                break
        if best is None or not math.isfinite(best.fun):
            return -math.inf, warm, math.nan
        self.converged = bool(best.converged)
        return float(best.fun), best.x, self.slope(z, best.x)

    def slope(self, z: float, eta: np.ndarray) -> float:
        """``d pl / dz`` at the profile optimum ``eta`` (envelope theorem: ``d ll / dz`` at
        fixed nuisance)."""
        _, g, _ = self.lik.evaluate(self.theta(z, eta), 1)
        if self.kind == "gev":
            return float(g[0])                                        # d loc / dz = 1
        return float(g[0]) / expm1_over_derivs(self.a, float(eta[0]))[0]    # d scale / dz

    def seed(self, th: tuple[float, ...]) -> tuple[float, np.ndarray]:
        """The return level of this ``T`` at the full parameter ``th`` and its nuisance: the
        end found for one ``T`` starts the search for the next (warm start between levels)."""
        if self.kind == "gev":
            loc, s, xi = th
            return loc + s * expm1_over_derivs(self.a, xi)[0], np.array([math.log(s), xi])
        s, xi = th
        return self.u + s * expm1_over_derivs(self.a, xi)[0], np.array([xi])


# The cost of a profile interval is bounded whatever the data: at most _MAX_POINTS profile
# points per end, each at most _STARTS Newton runs ("profile fits") of at most _NEWTON_ITER
# iterations. An end not settled within the budget is reported open (+-inf) with a note.
_MAX_POINTS = 30
_STARTS = 4
_NEWTON_ITER = 100
MAX_PROFILE_FITS = _MAX_POINTS * _STARTS          # per end


class _End:
    """Where the search for one end stopped: ``z`` and the full parameter there (``th``, to
    seed the next level) and whether the budget ran out (``open``)."""

    __slots__ = ("open", "th", "z")

    def __init__(self, z: float, th: tuple[float, ...] | None, open_: bool = False) -> None:
        self.z, self.th, self.open = z, th, open_


def _end(rp: _Reparam, z_hat: float, llmax: float, se: float, q: float, side: int,
         seed: tuple[float, ...] | None = None) -> _End:
    """The end of the profile interval on ``side`` (-1 lower, +1 upper): a safeguarded Newton
    iteration on the signed root deviance ``r(z)``, bracketed once a point beyond the cutoff
    is found. A point whose profile slope points back towards the estimate (``side * slope >
    0``: the inner Newton settled on another branch of the nuisance, not the profile) or whose
    profile is not finite is not trusted as a bracket: the search retreats towards the last
    good point, as is one whose profile exceeds the maximum (the nuisance ran to the shape
    -1 ridge where the likelihood is unbounded). ``seed`` is the end found for another return
    period (a point of the deviance region's boundary): its level under this ``T`` is inside
    the region and near the end."""
    target = math.sqrt(q)
    step = se * target if se > 0 and math.isfinite(se) else max(abs(z_hat), 1.0) * 0.1
    inside_z, inside_warm = z_hat, rp.eta.copy()        # last point with dev < q
    outside_z: float | None = None
    z = z_hat + side * step
    if seed is not None:
        z0, e0 = rp.seed(seed)
        if math.isfinite(z0) and side * (z0 - z_hat) > 0:
            z, inside_warm = z0, e0
    lo_limit = rp.u if rp.kind == "gpd" else -math.inf
    far = 1e4 * max(step, 1e-300)
    tol = 1e-6 * (1.0 + abs(llmax))       # a profile above the maximum is not the profile
    for _ in range(_MAX_POINTS):
        if rp.kind == "gpd" and z <= lo_limit:
            z = 0.5 * (inside_z + lo_limit) if outside_z is None else 0.5 * (inside_z + outside_z)
        pl, eta, slope = rp.profile(z, inside_warm)
        dev = 2.0 * (llmax - pl) if math.isfinite(pl) else math.inf
        edge = float(eta[-1]) < -1.0 + 1e-6     # nuisance at the shape -1 edge: no slope
        lost = not rp.converged and not edge and dev > q     # an unfinished fit beyond the cutoff
        if not math.isfinite(pl) or lost or dev < -tol or (dev > 0 and side * slope > 0 and not edge):
            z = 0.5 * (inside_z + z)        # not a point of the profile: retreat
            continue
        dev = max(dev, 0.0)
        if edge:
            slope = math.nan                # bisection on dev alone
        r = math.sqrt(dev)
        if abs(r - target) < 1e-9 * target:
            return _End(z, rp.theta(z, eta))
        if r < target:
            inside_z, inside_warm = z, eta
        else:
            outside_z = z
        dr = -side * slope / r if r > 0 else math.nan    # d r/dz along the side
        nz = z + side * (target - r) / dr if dr > 0 and math.isfinite(dr) else math.nan
        if outside_z is None:
            d = abs(z - z_hat)
            if d > far:
                return _End(side * math.inf, None)
            # no bracket yet: Newton, at most 10 x farther and, until r is within 10 % of the
            # cutoff, at least 1.5 x farther
            nd = abs(nz - z_hat) if math.isfinite(nz) else 2 * d
            grow = 1.0 if r > 0.9 * target else 1.5
            z = z_hat + side * min(max(nd, grow * d), 10 * d)
            continue
        lo_b, hi_b = sorted((inside_z, outside_z))
        if not (math.isfinite(nz) and lo_b < nz < hi_b):
            nz = 0.5 * (inside_z + outside_z)
        if hi_b - lo_b <= 1e-12 * max(abs(z), se if math.isfinite(se) else 0.0, 1e-300):
            return _End(nz, rp.theta(inside_z, inside_warm))
        z = nz
    if outside_z is not None:               # budget spent inside a bracket: its midpoint
        return _End(0.5 * (inside_z + outside_z), None, True)
    return _End(side * math.inf, None, True)


def _profile_ci(res: FitResult, kind: str, a: float, z_hat: float, se: float, level: float,
                threshold: float = 0.0, seeds: list[Any] | None = None
                ) -> tuple[float, float, bool]:
    """Both ends; ``seeds`` (two entries, updated in place) carries the full parameter at each
    end from one return period to the next. The flag is True when an end is open because the
    search ran out of its budget."""
    if not res.converged:           # no maximum to profile from (e.g. the shape at -1)
        return math.nan, math.nan, False
    rp = _Reparam(res, kind, a, threshold)
    q = float(chi2.ppf(level, 1))
    sd = seeds if seeds is not None else [None, None]
    ends = []
    for i, side in enumerate((-1, +1)):
        e = _end(rp, z_hat, res.loglik, se, q, side, sd[i])
        if e.th is not None:
            sd[i] = e.th
        ends.append(e)
    return ends[0].z, ends[1].z, ends[0].open or ends[1].open


def _budget_note(open_ends: bool, res: FitResult | None = None) -> str:
    if res is not None and not res.converged:
        return ("no profile interval: the fit did not converge, so there is no maximum to "
                "profile from; see the fit's diagnostics (e.g. fix the shape)")
    if not open_ends:
        return ""
    return (f"the profile search did not settle an end within {_MAX_POINTS} profile points "
            f"(the likelihood is flat or irregular there, e.g. the shape at -1): that end is "
            f"the midpoint of its last bracket, or ±inf where none was found; try "
            f"method='delta', a bootstrap interval, or more data")


# ---------------------------------------------------------------------------- public
def _fixed_free(res: FitResult) -> bool:
    return not res.fixed and res.likelihood is not None and res.family in ("gev", "genpareto")


def _levels(res: FitResult, kind: str, Ts: np.ndarray, at: _LevelAt, method: str,
            level: float, *, profile: bool, threshold: float = 0.0,
            name: str = "return_level") -> Derived:
    """The loop the GEV and GPD return levels share: one row per period ``t`` of ``Ts``.
    ``at(t)`` is the family's own part — its guard on ``t``, ``a`` (the argument of
    :func:`expm1_over_derivs`), the level ``z``, its gradient in the fit's free parameters and
    any variance beyond ``grad' cov grad`` (None: none). The SE is the delta method's; the
    interval ``z ± z_q se`` (``"delta"``), the profile interval (each end seeded from the
    previous period's) or, where ``profile`` is False (nothing to profile), NaN."""
    cov = np.asarray(res.cov)
    zq = float(norm.ppf(0.5 + level / 2))
    rows = []
    seeds: list[Any] = [None, None]
    open_ends = False
    for t in Ts.ravel():
        a, z, grad, extra_var = at(t)
        var = float(grad @ cov @ grad)
        if extra_var is not None:
            var += extra_var
        se = math.sqrt(var) if var >= 0 else math.nan
        if method == "delta":
            ci = (z - zq * se, z + zq * se)
        elif not profile:
            ci = (math.nan, math.nan)
        else:
            lo, hi, flag = _profile_ci(res, kind, a, z, se, level, threshold, seeds)
            ci = (lo, hi)
            open_ends |= flag
        rows.append((z, se, *ci))
    return _pack(name, Ts, rows, method, level,
                 _budget_note(open_ends, res if method == "profile" and res.likelihood else None))


def return_level(res: FitResult, T: Any, *, method: str = "profile", level: float = 0.95) -> Derived:
    """The ``T``-block return level (quantile at ``1 - 1/T``) with SE and interval."""
    m, lv = _check(method, level)
    Ts = _periods(T)
    if res.family == "genpareto":
        return gpd_return_level(res, T, method=m, level=lv)
    if res.family != "gev" or (res.fixed and res.likelihood is not None):
        # the quantile at 1 - 1/T (a fixed GEV parameter: its generic profile interval), named
        # by the periods T as the GEV's own levels are
        d = res.quantile(1.0 - 1.0 / Ts, method=m, level=lv, scale="identity")
        return Derived(_label("return_level", Ts), d.estimate, d.se, d.ci, m, lv, "identity")
    p = res.params
    mu, s, xi = p["loc"], p["scale"], p["shape"]

    def at(t: float) -> _LevelTerms:        # every T > 1 has a level (checked by _periods)
        a = -math.log(-math.log1p(-1.0 / t))          # b = -log(y_p), y_p = -log(1 - 1/T)
        c, c1, _ = expm1_over_derivs(a, xi)
        return a, mu + s * c, np.array([1.0, c, s * c1]), None

    # no likelihood (the bias-corrected fit): the delta-method SE on its covariance, no
    # profile interval, as for the GPD
    return _levels(res, "gev", Ts, at, m, lv, profile=_fixed_free(res))


def gpd_return_level(res: FitResult, T: Any, *, rate: float = 1.0, threshold: float = 0.0,
                     rate_var: float = 0.0, method: str = "profile", level: float = 0.95,
                     name: str = "return_level") -> Derived:
    """Return level of a generalised Pareto fit to excesses of ``threshold`` that occur at
    ``rate`` per block: ``threshold + scale c(shape)``, ``c = ((rate T)^shape - 1)/shape``
    (``rate = 1``: ``T`` counts exceedances). ``rate_var`` adds the rate's variance to the SE."""
    m, lv = _check(method, level)
    Ts = _periods(T)
    if not (rate > 0 and math.isfinite(rate)):
        raise ParameterError(f"the exceedance rate must be positive; got {rate!r}.")
    p = res.params
    s, xi = p["scale"], p["shape"]

    def at(t: float) -> _LevelTerms:
        if rate * t <= 1.0:
            raise ParameterError(f"T = {t:g} blocks is shorter than the mean time between "
                                 f"exceedances (1/rate = {1 / rate:.4g}); give a longer period.")
        a = math.log(rate * t)
        c, c1, _ = expm1_over_derivs(a, xi)
        # dz/drate = s (rT)^xi / rate
        extra = (s * math.exp(a * xi) / rate) ** 2 * rate_var if rate_var > 0 else None
        return a, threshold + s * c, np.array([c, s * c1]), extra

    return _levels(res, "gpd", Ts, at, m, lv, threshold=threshold, name=name,
                   profile=not (res.fixed or res.likelihood is None))


def return_period(res: FitResult, x: Any, *, rate: float = 1.0, threshold: float = 0.0,
                  level: float = 0.95) -> Derived:
    """The return period ``1 / (rate P(X > x))`` of the level ``x`` (in blocks), with its
    delta-method SE and an interval on the log scale."""
    from .derived import numbers_at, sf

    xa = numbers_at(x, "return_period")
    d = sf(res, xa - threshold, method="delta", level=level, scale="logit")
    with np.errstate(divide="ignore", invalid="ignore"):
        est = 1.0 / (rate * np.asarray(d.estimate, dtype=float))
        se = np.asarray(d.se, dtype=float) * est / np.asarray(d.estimate, dtype=float)
        lo = 1.0 / (rate * np.asarray(d.ci[1], dtype=float))
        hi = 1.0 / (rate * np.asarray(d.ci[0], dtype=float))
    label = f"return_period({float(xa):g})" if xa.ndim == 0 else "return_period"
    if xa.ndim == 0:
        return Derived(label, float(est), float(se), (float(lo), float(hi)), "delta", d.level, "log")
    return Derived(label, est, se, (lo, hi), "delta", d.level, "log")
