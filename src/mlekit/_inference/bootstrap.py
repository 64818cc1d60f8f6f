"""Bootstrap: simulate or resample the data, refit, and read intervals off the replicates.

Two kinds of replicate:

``parametric`` (default)
    New data are drawn from the fitted model, with the same design as the observed data:

    - the same number of observations (integer frequency weights are expanded: a row of
      weight 3 is three draws; non-integer weights stay attached to one draw per row);
    - truncation: draws come from the truncated model (inverse cdf on ``[F(a), F(b)]``);
    - right censoring (exact + right-censored rows): *conditional random censorship*; a
      censored row keeps its own censoring time, a row observed exactly at ``t`` gets a
      censoring time drawn from the Kaplan–Meier estimate of the censoring distribution (the
      "reverse" Kaplan–Meier, censored rows as events) given that it exceeds ``t`` (none left:
      not censored). A single test-end time gives type-I censoring at that time;
    - left censoring (detection limits) is the mirror image;
    - interval censoring (or a mix of left and right): a common inspection schedule; every
      finite censoring bound in the data is an inspection time, and a censored row reports
      the cell between inspections that its draw falls in (binned data are reproduced
      exactly);
    - binomial trials are kept per row.

``nonparametric``
    Rows are resampled with their censoring kind, bounds, trials and weights: new weights
    are ``Multinomial(N, w / N)`` with ``N = sum(w)`` (integer frequency weights; for
    unweighted data this is the ordinary bootstrap) or ``w * Multinomial(n_rows, 1/n_rows)``
    for non-integer weights.

Each replicate is refitted with the same family and fixed parameters, starting from the
original estimate. Replicates whose fit does not converge are dropped and counted
(``BootstrapSample.n_failed``); boundary estimates (a proportion of 0) are legitimate and kept.

Intervals: ``percentile`` (default), ``basic`` (``2 theta_hat - quantiles``), ``bca``
(bias-corrected and accelerated; the acceleration is the skewness of the empirical influence
values ``grad g' I^-1 score_i``, the infinitesimal jackknife) and ``studentised`` (bootstrap-t:
quantiles of ``(eta* - eta_hat) / se*(eta*)`` over the replicates, each with its own standard
error, on the parameter's unconstrained scale — log for positive parameters, logit for
probabilities — and mapped back, so the interval respects the domain; parameters only, not
derived quantities). ``ci(method="bootstrap", kind="bca")`` is short for
``interval="bca"`` with the parametric bootstrap. Non-regular parameters
(support end points) always use the ``basic`` interval: their replicates lie on one side of
the estimate, so percentile intervals would miss the truth.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from .._core.checks import as_rng, check_whole
from .._data.data import Block, Data
from ..errors import DataError, FamilyError, MlekitError, ParameterError

if TYPE_CHECKING:
    from .._fit.result import FitResult

__all__ = ["bootstrap_ci", "replicates", "BootstrapSample", "Simulator", "resample", "refit",
           "interval_from", "KINDS", "INTERVALS"]

KINDS = ("parametric", "nonparametric")
INTERVALS = ("percentile", "basic", "bca", "studentised")
_ALIASES = {"studentized": "studentised", "bootstrap-t": "studentised", "t": "studentised"}
_MAX_DRAWS = 50_000_000


@dataclass(frozen=True)
class BootstrapSample:
    """Replicate estimates: ``params`` has one row per successful replicate (columns in
    ``names`` order, natural scale)."""

    kind: str
    names: tuple[str, ...]
    params: NDArray[np.float64]
    n_boot: int
    n_failed: int
    estimate: tuple[float, ...] = field(default=())
    #: the replicates' own standard errors (natural scale; same shape as ``params``)
    se: NDArray[np.float64] | None = None

    def column(self, name: str) -> NDArray[np.float64]:
        return self.params[:, self.names.index(name)]

    def apply(self, fn: Any) -> NDArray[np.float64]:
        """``fn(params_dict)`` for every replicate (NaN where it fails)."""
        out = np.empty(self.params.shape[0])
        for i, row in enumerate(self.params):
            try:
                out[i] = float(fn(dict(zip(self.names, row))))
            except (ArithmeticError, ValueError, MlekitError):
                out[i] = math.nan
        return out


# ---------------------------------------------------------------------------- simulation
def row_arrays(data: Data) -> dict[str, Any]:
    """Rows as flat arrays in block order: lo, hi (X in [lo, hi]), weights, trials, kind and
    the per-row truncation window tlo, thi (-inf, inf where a row has none)."""
    lo, hi, w, t, kind, tlo, thi = [], [], [], [], [], [], []
    for k, blk in data.blocks.items():
        if not blk.size:
            continue
        if k == "exact":
            lo.append(blk.x)
            hi.append(blk.x)
        elif k == "left":
            lo.append(np.full(blk.size, -np.inf))
            hi.append(blk.x)
        elif k == "right":
            lo.append(blk.x)
            hi.append(np.full(blk.size, np.inf))
        else:
            assert blk.hi is not None
            lo.append(blk.x)
            hi.append(blk.hi)
        w.append(np.ones(blk.size) if blk.w is None else blk.w)
        t.append(blk.trials if blk.trials is not None else np.full(blk.size, np.nan))
        kind.append(np.full(blk.size, k))
        tlo.append(np.full(blk.size, -np.inf) if blk.tlo is None else blk.tlo)
        thi.append(np.full(blk.size, np.inf) if blk.thi is None else blk.thi)
    return {"lo": np.concatenate(lo), "hi": np.concatenate(hi), "w": np.concatenate(w),
            "trials": np.concatenate(t), "kind": np.concatenate(kind),
            "tlo": np.concatenate(tlo), "thi": np.concatenate(thi)}


def _reverse_km(times: NDArray[np.float64], is_cens: NDArray[np.bool_],
                w: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Kaplan–Meier of the censoring distribution: support points and their masses (the mass
    left over beyond the last censoring time sits on ``+inf``: not censored)."""
    order = np.argsort(times, kind="stable")
    t, c, ww = times[order], is_cens[order], w[order]
    uniq, first = np.unique(t, return_index=True)
    at_risk = ww[::-1].cumsum()[::-1][first]           # weight with time >= u
    d = np.add.reduceat(np.where(c, ww, 0.0), first)   # censoring "events" at u
    haz = np.where(at_risk > 0, d / np.maximum(at_risk, 1e-300), 0.0)
    surv = np.cumprod(1.0 - haz)
    prev = np.concatenate(([1.0], surv[:-1]))
    mass = prev - surv
    keep = mass > 0
    pts = np.append(uniq[keep], np.inf)
    masses = np.append(mass[keep], max(float(surv[-1]), 0.0))
    return pts, masses / masses.sum()


class Simulator:
    """Draws parametric-bootstrap data sets like the observed one from a fitted model."""

    def __init__(self, res: FitResult, data: Data | None = None) -> None:
        d = data if data is not None else res.data
        if d is None:
            raise ParameterError("the parametric bootstrap needs the fit's data; got a fit without.")
        self.res = res
        self.fam = res.dist
        self.th = tuple(res.params[p] for p in res.params)
        self.discrete = bool(self.fam.discrete)
        self.trunc = d.truncation
        rows = row_arrays(d)
        w = rows["w"]
        self.integer_w = bool(np.all(w == np.round(w)))
        if self.integer_w:
            reps = w.astype(np.int64)
            if reps.sum() > _MAX_DRAWS:
                raise DataError(
                    f"the parametric bootstrap draws one value per observation; got "
                    f"{int(reps.sum())} (sum of the weights), more than {_MAX_DRAWS}. "
                    "Hint: use kind='nonparametric', which reweights the rows instead.")
            rows = {k: np.repeat(v, reps) for k, v in rows.items()}
            self.w = None
        else:
            self.w = w
        self.n = rows["lo"].size
        # per-row truncation: each row is drawn inside its own window
        self.windows = (rows["tlo"], rows["thi"]) if d.row_truncated else None
        self.trials = rows["trials"] if d.has_trials else None
        if self.trials is not None and self.fam.name != "binomial":
            raise DataError(f"the parametric bootstrap cannot simulate trials for "
                            f"{self.fam.name}; got data with trials. Hint: kind='nonparametric'.")
        kinds = set(rows["kind"].tolist())
        self.kind_arr = rows["kind"]
        if kinds <= {"exact"}:
            self.mode = "exact"
        elif kinds <= {"exact", "right"} or kinds <= {"exact", "left"}:
            # right censoring; left censoring is its mirror image on the negated axis
            self.mode = "right" if "right" in kinds else "left"
            sign = 1.0 if self.mode == "right" else -1.0
            self.is_c = rows["kind"] != "exact"
            self.times = sign * np.where(self.is_c, rows["lo"] if sign > 0 else rows["hi"],
                                         rows["lo"])
            ww = np.ones(self.n) if self.w is None else self.w
            pts, m = _reverse_km(self.times, self.is_c, ww)
            self.cens = (pts, np.cumsum(m))
            self.sign = sign
        else:
            self.mode = "grid"
            cens = rows["kind"] != "exact"
            lo, hi = rows["lo"][cens], rows["hi"][cens]
            if self.discrete:
                cuts = np.concatenate([hi[np.isfinite(hi)], lo[np.isfinite(lo)] - 1.0])
            else:
                cuts = np.concatenate([hi[np.isfinite(hi)], lo[np.isfinite(lo)]])
            self.cuts = np.unique(cuts)
            self.censored_rows = cens

    # ---------------------------------------------------------------- draws
    def values(self, size: int, rng: np.random.Generator, trials: Any = None) -> NDArray[np.float64]:
        fam, th = self.fam, self.th
        if trials is not None and self.windows is None:
            return rng.binomial(trials.astype(np.int64), th[0]).astype(float)
        if self.windows is not None:
            lo_t, hi_t = self.windows
        elif self.trunc is None:
            return np.asarray(fam._sample(size, th, rng), dtype=float)
        else:
            lo_t, hi_t = np.array([self.trunc[0]]), np.array([self.trunc[1]])
        with np.errstate(all="ignore"):
            return _draw_in_windows(fam, th, lo_t, hi_t, rng.random(size), trials)

    def draw(self, rng: np.random.Generator) -> Data:
        n = self.n
        try:
            with np.errstate(all="ignore"):
                x = self.values(n, rng, self.trials)
        except (ValueError, OverflowError, ZeroDivisionError) as exc:
            # numpy's samplers refuse parameters beyond their range (a Poisson mean > 1e19...)
            raise DataError(f"{type(self.fam).__name__} cannot be simulated at the fitted "
                            f"parameters ({exc}). Hint: rescale the data, or use Wald/profile "
                            "intervals instead of a parametric bootstrap.") from None
        if not np.all(np.isfinite(x)):
            raise DataError(f"{type(self.fam).__name__} simulated non-finite values at the fitted "
                            "parameters (an overflow). Hint: rescale the data, or use Wald/"
                            "profile intervals instead of a parametric bootstrap.")
        trunc = self.trunc if self.windows is None else self.windows
        if self.mode == "exact":
            return Data(x, weights=self.w, trials=self.trials, truncation=trunc)
        if self.mode in ("right", "left"):
            # conditional random censorship: a censored row keeps its censoring time; a row
            # seen exactly at t gets one drawn from the censoring distribution given C > t
            pts, cm = self.cens
            t = self.times
            start = np.searchsorted(pts, t, side="right")
            base = np.where(start > 0, cm[np.maximum(start - 1, 0)], 0.0)
            v = base + rng.random(n) * (cm[-1] - base)
            idx = np.minimum(np.searchsorted(cm, v, side="left"), pts.size - 1)
            drawn = np.where(start < pts.size, pts[idx], np.inf)
            c = self.sign * np.where(self.is_c, t, np.maximum(drawn, t))
            if self.mode == "right":
                cens = (x >= c) if self.discrete else (x > c)
                lo, hi = np.where(cens, c, x), np.where(cens, np.inf, x)
            else:
                cens = (x <= c) if self.discrete else (x < c)
                lo, hi = np.where(cens, -np.inf, x), np.where(cens, c, x)
        else:
            lo, hi = x.copy(), x.copy()
            r = self.censored_rows
            xc = x[r]
            cuts = self.cuts
            k = np.searchsorted(cuts, xc, side="left")       # first cut >= x
            upper = np.where(k < cuts.size, cuts[np.minimum(k, cuts.size - 1)], np.inf)
            lower = np.where(k > 0, cuts[np.maximum(k - 1, 0)], -np.inf)
            if self.discrete:
                lower = np.where(np.isfinite(lower), lower + 1.0, lower)
            if self.windows is not None:    # a cut outside the row's window bounds nothing
                lower = np.where(lower < self.windows[0][r], -np.inf, lower)
                upper = np.where(upper > self.windows[1][r], np.inf, upper)
            lo[r], hi[r] = lower, upper
        return Data.interval(lo, hi, weights=self.w, trials=self.trials, truncation=trunc)


def _draw_in_windows(fam: Any, th: Any, lo: Any, hi: Any, r: Any, trials: Any) -> Any:
    """Inverse-cdf draws inside ``[lo_i, hi_i]`` from uniforms ``r``: ``u`` on ``[F(a), F(b)]``,
    or, for windows in the upper half (``F(a) > 1/2``), on ``[S(b), S(a)]`` through the
    inverse survival function, which keeps its precision far in the upper tail. Binomial rows
    with their own trials are drawn from ``Binomial(trials_i, p)`` (``trials``)."""
    blk = None if trials is None else Block(np.zeros(r.size), None, trials=trials)
    a = np.ceil(lo) - 1.0 if fam.discrete else lo
    a, b = np.broadcast_to(a, r.shape), np.broadcast_to(hi, r.shape)
    fa, fb = np.isfinite(a), np.isfinite(b)
    la = np.where(fa, fam._logcdf(np.where(fa, a, 0.0), th, blk), -np.inf)
    lb = np.where(fb, fam._logcdf(np.where(fb, b, 0.0), th, blk), 0.0)
    sa = np.where(fa, fam._logsf(np.where(fa, a, 0.0), th, blk), 0.0)
    sb = np.where(fb, fam._logsf(np.where(fb, b, 0.0), th, blk), -np.inf)
    upper = la > math.log(0.5)
    if trials is not None:
        from scipy.stats import binom

        dist: Any = binom(trials.astype(np.int64), th[0])
    else:
        try:
            dist = fam._scipy(th)
        except FamilyError:
            dist = None
    Fa, Fb = np.exp(la), np.exp(lb)
    u = Fa + (Fb - Fa) * r
    x = np.asarray(fam._ppf(u, th) if dist is None else dist.ppf(u), dtype=float)
    if upper.any():
        Sa, Sb = np.exp(sa), np.exp(sb)
        v = Sb + (Sa - Sb) * r
        xs = np.asarray(fam._ppf(1.0 - v, th) if dist is None else dist.isf(v), dtype=float)
        x = np.where(upper, np.broadcast_to(xs, x.shape), x)
    return np.clip(x, lo, hi)


def resample(data: Data, rng: np.random.Generator) -> Data:
    """A nonparametric bootstrap copy of ``data`` (rows resampled with their censoring)."""
    sizes = [blk.size for blk in data.blocks.values()]
    w = np.concatenate([np.ones(b.size) if b.w is None else b.w for b in data.blocks.values()])
    integer = bool(np.all(w == np.round(w)))
    if integer:
        N = int(w.sum())
        new_w = rng.multinomial(N, w / w.sum()).astype(float)
    else:
        new_w = rng.multinomial(w.size, np.full(w.size, 1.0 / w.size)) * w
    new: dict[str, Block] = {}
    start = 0
    for (kind, blk), size in zip(data.blocks.items(), sizes):
        ww = new_w[start:start + size]
        start += size
        keep = ww > 0
        if not blk.size or not keep.any():
            nb = Block(np.empty(0))
        else:
            nb = blk.like(blk.x[keep], ww[keep], hi=None if blk.hi is None else blk.hi[keep],
                          sel=keep)
        new[kind] = nb
    return data.replace(**new)


def refit(res: FitResult, data: Data) -> FitResult | None:
    """Refit ``res``'s model to ``data`` (same family and fixed values, through the refit the
    estimator injected into ``res``); ``None`` on failure."""
    if res._refit is None:
        return None
    start = {p: v for p, v in res.params.items() if p not in res.fixed and math.isfinite(v)}
    dom = dict(zip(res.dist.param_names, res.dist.domains))
    start = {p: v for p, v in start.items() if dom[p].contains(v)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = res._refit(data, fixed=dict(res.fixed) or None, start=start or None)
        except (MlekitError, ArithmeticError, np.linalg.LinAlgError):
            return None
    if any(d.code == "nonconvergence" for d in r.diagnostics):
        return None
    if any(math.isnan(v) for v in r.params.values()):
        return None
    return r


# ---------------------------------------------------------------------------- replicates
def _check_kind(kind: str) -> str:
    k = str(kind).lower().replace("-", "").replace("_", "")
    if k in ("parametric", "param"):
        return "parametric"
    if k in ("nonparametric", "nonparam", "np"):
        return "nonparametric"
    raise ParameterError(f"kind must be 'parametric' or 'nonparametric'; got {kind!r}.")


def replicates(res: FitResult, n_boot: int = 2000, kind: str = "parametric", rng: Any = 0,
               quiet: bool | None = None) -> BootstrapSample:
    """``n_boot`` bootstrap replicates of ``res``'s estimate.

    With an integer (or ``None``-free) seed ``rng`` the replicates are cached on the result, so
    intervals for several parameters or derived quantities reuse one bootstrap run.
    """
    from .._core.progress import Progress

    kind = _check_kind(kind)
    n_boot = check_whole(n_boot, "n_boot", 2, 2000)
    if res.data is None or res.likelihood is None:
        raise ParameterError(
            f"bootstrap needs a family fit with its data (mk.fit(x, family)); got a "
            f"{res.family!r} fit without (a custom model or degenerate data). Hint: use "
            "ci(method='profile').")
    cache = None
    key: tuple[Any, ...] | None = None
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        cache = res.options.setdefault("_bootstrap_cache", {})
        key = (kind, n_boot, int(rng))
        if key in cache:
            return cache[key]
    gen = as_rng(rng)
    names = tuple(res.params)
    sim = Simulator(res) if kind == "parametric" else None
    rows = []
    ses = []
    failed = 0
    with Progress(n_boot, f"bootstrap ({kind}, {res.family})", quiet=quiet) as bar:
        for _ in range(n_boot):
            try:
                d = sim.draw(gen) if sim is not None else resample(res.data, gen)
            except DataError:
                d = None
            except (FamilyError, NotImplementedError) as exc:
                raise FamilyError(
                    f"the parametric bootstrap draws samples from {res.family}, which cannot be "
                    f"sampled ({exc}). Hint: kind='nonparametric' resamples the data instead, "
                    "or give the family a _sample/_ppf method.") from exc
            r = refit(res, d) if d is not None else None
            if r is None:
                failed += 1
            else:
                rows.append([r.params[p] for p in names])
                ses.append([r.se.get(p, math.nan) for p in names])
            bar.update()
    params = np.array(rows, dtype=float).reshape(-1, len(names))
    if params.shape[0] < max(2, n_boot // 2):
        raise ParameterError(
            f"bootstrap: only {params.shape[0]} of {n_boot} replicates could be refitted; the "
            "model is too unstable for these data. Hint: use ci(method='profile').")
    out = BootstrapSample(kind, names, params, n_boot, failed,
                          tuple(float(res.params[p]) for p in names),
                          np.array(ses, dtype=float).reshape(-1, len(names)))
    if cache is not None and key is not None:
        cache[key] = out
    return out


# ---------------------------------------------------------------------------- intervals
def acceleration(res: FitResult, grad: NDArray[np.float64], kind: str = "nonparametric") -> float:
    """BCa acceleration ``a = sum U^3 / (6 (sum U^2)^1.5)`` of the influence values
    ``U_i = grad' I^-1 score_i``.

    Nonparametric bootstrap: the observed data's influence values (the infinitesimal
    jackknife). Parametric bootstrap: their expectation under the fitted model (Efron 1987),
    estimated from data sets drawn like the observed one (a fixed internal seed, so intervals
    stay reproducible): the skewness of a small sample's own scores is far too noisy.
    """
    lik = res.likelihood
    names = list(res.params)
    nonreg = set(getattr(res.dist, "nonregular", ()))
    idx = [i for i, p in enumerate(names) if p not in res.fixed and p not in nonreg]
    if lik is None or not idx:
        return 0.0
    cov = np.asarray(res.cov)[np.ix_(idx, idx)]
    if not np.all(np.isfinite(cov)):
        return 0.0
    v = cov @ np.asarray(grad, dtype=float)[idx]
    if not np.all(np.isfinite(v)):
        return 0.0
    th = tuple(res.params[p] for p in names)
    liks = [lik]
    if kind == "parametric" and res.data is not None:
        sim = Simulator(res)
        m = max(1, min(40, 200_000 // max(sim.n, 1)))
        gen = np.random.default_rng(20_261_124)
        liks = [lik.with_data(sim.draw(gen)) for _ in range(m)]
    s2 = s3 = 0.0
    for lk in liks:
        for G, w in lk.scores(th, idx):
            u = G @ v
            s2 += float(np.dot(w, u * u))
            s3 += float(np.dot(w, u ** 3))
    m = len(liks)
    if not (s2 > 0 and math.isfinite(s3)):
        return 0.0
    return (s3 / m) / (6.0 * (s2 / m) ** 1.5)


def interval_from(reps: NDArray[np.float64], estimate: float, level: float, interval: str,
                  accel: float = 0.0) -> tuple[float, float]:
    """A ``level`` interval from replicate values ``reps`` of a quantity estimated as
    ``estimate``."""
    r = np.asarray(reps, dtype=float)
    r = r[~np.isnan(r)]
    if r.size < 2:
        return (math.nan, math.nan)
    alpha = (1.0 - level) / 2.0
    if interval == "percentile":
        lo, hi = np.quantile(r, [alpha, 1.0 - alpha])
        return (float(lo), float(hi))
    if interval == "basic":
        lo, hi = np.quantile(r, [alpha, 1.0 - alpha])
        return (float(2 * estimate - hi), float(2 * estimate - lo))
    # bca
    B = r.size
    frac = (np.sum(r < estimate) + 0.5 * np.sum(r == estimate)) / B
    frac = min(max(frac, 0.5 / B), 1.0 - 0.5 / B)
    z0 = float(norm.ppf(frac))
    qs = []
    for a in (alpha, 1.0 - alpha):
        za = float(norm.ppf(a))
        den = 1.0 - accel * (z0 + za)
        adj = norm.cdf(z0 + (z0 + za) / den) if den > 0 else (0.0 if a < 0.5 else 1.0)
        qs.append(float(adj))
    lo, hi = np.quantile(r, qs)
    return (float(lo), float(hi))


def check_interval(interval: str, allowed: tuple[str, ...] = INTERVALS) -> str:
    i = str(interval).lower()
    i = _ALIASES.get(i, i)
    if i not in allowed:
        raise ParameterError(f"interval must be one of {', '.join(allowed)}; got {interval!r}.")
    return i


def studentised_interval(bs: BootstrapSample, res: FitResult, p: str,
                         level: float) -> tuple[float, float]:
    """Bootstrap-t interval for parameter ``p`` on its unconstrained scale (see the module)."""
    j = bs.names.index(p)
    dom = dict(zip(res.dist.param_names, res.dist.domains))[p]
    se_hat = float(res.se[p])
    if bs.se is None or not (math.isfinite(se_hat) and se_hat > 0):
        return (math.nan, math.nan)
    with np.errstate(all="ignore"):
        e_hat = float(dom.to_unconstrained(float(res.params[p])))
        s_hat = se_hat / abs(float(dom.jacobian(e_hat)[0]))
        e = np.asarray(dom.to_unconstrained(bs.params[:, j]), dtype=float)
        s = bs.se[:, j] / np.abs(np.asarray(dom.jacobian(e)[0], dtype=float))
        t = (e - e_hat) / s
    t = t[np.isfinite(t)]
    if t.size < 2:
        return (math.nan, math.nan)
    alpha = (1.0 - level) / 2.0
    qlo, qhi = np.quantile(t, [alpha, 1.0 - alpha])
    lo, hi = dom.from_unconstrained(e_hat - qhi * s_hat), dom.from_unconstrained(e_hat - qlo * s_hat)
    return (float(lo), float(hi))


def bootstrap_ci(res: FitResult, level: float, n_boot: int = 2000, kind: str = "parametric",
                 interval: str = "percentile", rng: Any = 0, quiet: bool | None = None,
                 params: Any = None) -> dict[str, tuple[float, float]]:
    """Bootstrap intervals ``{name: (lo, hi)}`` (see the module docstring)."""
    from .profile import select_params

    if str(kind).lower() in INTERVALS or str(kind).lower() in _ALIASES:
        # ci(method="bootstrap", kind="bca"): the interval named as the kind (parametric draws)
        interval, kind = str(kind), "parametric"
    interval = check_interval(interval)
    names = select_params(res, params)
    if res.likelihood is None:
        return {p: (math.nan, math.nan) for p in names}
    bs = replicates(res, n_boot=n_boot, kind=kind, rng=rng, quiet=quiet)
    nonreg = set(getattr(res.dist, "nonregular", ()))
    out: dict[str, tuple[float, float]] = {}
    for p in names:
        v = float(res.params[p])
        if p in res.fixed:
            out[p] = (v, v)
            continue
        how = "basic" if p in nonreg else interval
        if how == "studentised":
            out[p] = studentised_interval(bs, res, p, level)
            continue
        a = 0.0
        if how == "bca":
            g = np.zeros(len(res.params))
            g[list(res.params).index(p)] = 1.0
            a = acceleration(res, g, bs.kind)
        out[p] = interval_from(bs.column(p), v, level, how, a)
    return out
