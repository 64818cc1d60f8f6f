"""``fit_family``: family × in-memory data → estimate → ``FitResult``.

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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._core.checks import check_param_dict, is_arithmetic
from .._core.engine import map_reduce
from .._data.counts import CLOSED_FORM_MIN_ROWS, compress_counts, compressed
from .._data.data import Data, as_data
from .._families.base import Family
from ..errors import DataError, ParameterError
from .assemble import Estimate, finish, finish_degenerate
from .likelihood import Likelihood
from .newton import newton_fit
from .penalty import FIRTH_EXPECTED, PenalisedLikelihood, Penalty
from .rescale import exponent_of, map_back, scaled_inputs
from .result import Diagnostic, FitResult

__all__ = ["fit_family", "direct_estimate", "as_data", "check_counts", "check_information",
           "compress_counts", "counts_min_rows", "FamilyRefit"]


def fit_family(fam: Family, dat: Data, *, fixed: dict[str, float] | None = None,
               start: dict[str, float] | None = None, strict: bool = False,
               cov: str = "observed", maxiter: int = 200, method: str = "auto",
               penalty: Penalty | None = None) -> FitResult:
    """Fit ``fam`` to in-memory data ``dat``: closed form, the family's own iteration or Newton
    (the path taken is recorded in ``FitResult.method``). ``penalty``: a penalised or MAP fit
    (:mod:`mlekit._fit.penalty`)."""
    path = method
    fixed_d = check_param_dict(fam, fixed, "fixed")
    start_d = check_param_dict(fam, start, "start")
    if method not in ("auto", "newton", "mps"):
        raise ParameterError(f"method must be 'auto', 'newton' or 'mps'; got {method!r}.")
    if method == "mps":   # maximum product of spacings
        from .mps import fit_mps

        return fit_mps(fam, dat, fixed=fixed, start=start, strict=strict, maxiter=maxiter,
                       refit=FamilyRefit(fam, method=method, maxiter=maxiter))
    if cov not in ("observed", "sandwich"):
        raise ParameterError(f"cov must be 'observed' or 'sandwich'; got {cov!r}.")
    fam._check_data(dat, fixed_d)
    e = rescale_exponent(fam, dat) if penalty is None else 0
    if e:
        return _fit_rescaled(fam, dat, e, fixed_d, start_d, strict=strict, cov=cov,
                             maxiter=maxiter, method=method)
    refit = FamilyRefit(fam, method=path, maxiter=maxiter, penalty=penalty)
    if penalty is not None:
        penalty.check_names(fam.param_names, fixed_d)
    if not fam.discrete:
        dat = dat.clip_intervals(fam.support.lower, fam.support.upper)
    if fam.discrete and not dat.has_trials:
        dat = compress_counts(dat, counts_min_rows(fam, dat, path, penalty))
    free = [p for p in fam.param_names if p not in fixed_d]
    check_information(fam, dat, free)

    # -- degenerate: every value identical (censoring bounds included: failures and survivors
    # at one inspection time leave the likelihood unbounded the same way); a family without a
    # degenerate case skips the passes for the extremes
    if (free and not fixed_d and not fam.discrete and dat.exact.size
            and (dat.only_exact or not dat.is_truncated)
            and type(fam)._degenerate is not Family._degenerate):
        if dat.only_exact:
            blk = dat.exact
            x = blk.x
            same = blk.x_extreme("min") == blk.x_extreme("max")
        else:
            x = dat.all_points()
            same = bool(x.min() == x.max())
        if x.size and same:
            deg = fam._degenerate(float(x[0]))
            if deg is not None:
                return finish_degenerate(fam, dat, deg, strict, refit=refit)

    # -- non-regular parameters (sample extremes)
    nonreg: dict[str, float] = {}
    for p in getattr(fam, "nonregular", ()):
        if p not in fixed_d:
            nonreg[p] = fam._nonregular_estimate(dat, fixed_d)[p]
    inner_fixed = {**fixed_d, **nonreg}
    lik = Likelihood(fam, dat, inner_fixed)
    if penalty is not None:
        return _fit_penalised(fam, dat, lik, penalty, start_d, fixed_d, nonreg, strict=strict,
                              cov=cov, maxiter=maxiter, refit=refit, path=path)

    est = direct_estimate(fam, dat, lik, inner_fixed, path)
    if fam.discrete and lik.data is dat:
        # counts a closed form read row by row (fewer than CLOSED_FORM_MIN_ROWS): Newton, when
        # the closed form declined, and inference read them compressed, as every count fit
        cdat = compressed(dat)
        if cdat is not dat:
            lik = Likelihood(fam, cdat, inner_fixed)
            if est is None:
                dat = cdat
    if est is None:
        est = newton_fit(fam, lik, dat, start_d, inner_fixed, maxiter)
    return finish(fam, dat, lik, est, fixed=fixed_d, nonreg=nonreg, strict=strict, cov_kind=cov,
                  refit=refit)


def counts_min_rows(fam: Family, dat: Data, path: str = "auto", penalty: Any = None) -> int:
    """From how many rows ``compress_counts`` merges count data for this fit: a closed form
    (one pass over the rows) from ``CLOSED_FORM_MIN_ROWS``, any other path from 64."""
    closed = (path == "auto" and penalty is None and type(fam)._suffstats is not Family._suffstats
              and fam._can_closed_form(dat))
    return CLOSED_FORM_MIN_ROWS if closed else 64


def direct_estimate(fam: Family, dat: Data, lik: Likelihood, inner_fixed: dict[str, float],
                    path: str = "auto") -> Estimate | None:
    """The closed form or the family's own estimator (``_fast_fit``) as an :class:`Estimate`
    with its log-likelihood and Hessian (evaluated on the data where the path gave none), or
    ``None`` when neither applies, one under- or overflowed, or its estimates are not finite:
    Newton decides then."""
    diags: list[Diagnostic] = []
    try:
        with np.errstate(all="ignore"):
            params, H, ll, method, iterations, converged, gn = _direct(
                fam, dat, lik, inner_fixed, path, diags)
    except Exception as exc:
        # a closed form or fast path that under- or overflowed at this magnitude: Newton
        # (on the log-likelihood, which is evaluated scale-safely) decides instead
        if not is_arithmetic(exc):
            raise
        return None
    if params is None or not all(math.isfinite(params[p]) for p in fam.param_names):
        return None
    grad_norm = 0.0 if gn is None else gn
    if H is None or not math.isfinite(ll):
        th = tuple(params[p] for p in fam.param_names)
        ll_e, g_e, H = lik.evaluate(th, 2)
        if not math.isfinite(ll):
            ll = ll_e
        grad_norm = float(np.max(np.abs(g_e[lik.free]))) if lik.free else 0.0
    return Estimate(params, ll, H, method, iterations, grad_norm, converged, diags)


def _direct(fam: Family, dat: Data, lik: Likelihood, inner_fixed: dict[str, float], path: str,
            diags: list[Diagnostic]) -> tuple[dict[str, float] | None, np.ndarray | None, float,
                                              str, int, bool, float | None]:
    """The closed form or the family's own estimator (None when neither applies); the last item
    is the fast path's gradient norm (None: not given)."""
    params: dict[str, float] | None = None
    H: np.ndarray | None = None
    ll = math.nan
    method = ""
    iterations = 0
    converged = True
    gnorm: float | None = None
    can_closed = getattr(fam, "_can_closed_form", None)
    closed_ok = can_closed(dat) if can_closed else (dat.only_exact and not dat.is_truncated)
    if closed_ok and path == "auto" and type(fam)._suffstats is not Family._suffstats:
        stats = map_reduce(fam._suffstats, lik.chunks)
        params = fam._closed_form(stats, inner_fixed) if stats is not None else None
        if params is not None and stats is not None:
            method = getattr(fam, "closed_form_method", "closed-form")
            if hasattr(fam, "_stats_loglik"):
                ll = fam._stats_loglik(stats, params)
            if hasattr(fam, "_stats_hessian"):
                try:
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
            gnorm = fast.grad_norm
            diags += [Diagnostic(*d) for d in fast.diagnostics]
            if not converged and not fast.diagnostics:
                diags.append(Diagnostic("nonconvergence", f"the {method} iteration did not "
                                        f"converge after {iterations} iterations", "warning"))
    return params, H, ll, method, iterations, converged, gnorm


def rescale_exponent(fam: Family, dat: Data) -> int:
    """``e`` such that ``dat * 2**-e`` has magnitude ~1, or 0 when the data are of ordinary
    magnitude (or the family declares no ``scale_powers``)."""
    if fam.scale_powers is None or fam.discrete:
        return 0
    if dat.only_exact and dat.exact.size:
        # exact values are finite: the largest magnitude is an end of the range (cached extremes)
        blk = dat.exact
        big = max(-blk.x_extreme("min"), blk.x_extreme("max"))
        if big <= 0.0:   # every value is 0: nothing to rescale
            return 0
        return exponent_of(fam, big)
    pts = np.abs(dat.all_points())
    pts = pts[np.isfinite(pts) & (pts > 0)]
    return exponent_of(fam, float(pts.max())) if pts.size else 0


def _fit_rescaled(fam: Family, dat: Data, e: int, fixed: dict[str, float],
                  start: dict[str, float], *, strict: bool, cov: str, maxiter: int,
                  method: str) -> FitResult:
    """Fit ``dat * 2**-e`` (exact) and map the result back (:mod:`mlekit._fit.rescale`)."""
    fx, st = scaled_inputs(fam, e, fixed, start)
    with np.errstate(all="ignore"):
        inner = fit_family(fam, dat.scaled(math.ldexp(1.0, -e)), fixed=fx, start=st,
                           strict=strict, cov=cov, maxiter=maxiter, method=method)
    clipped = dat.clip_intervals(fam.support.lower, fam.support.upper)
    params = fam.rescaled_params(inner.params, e)
    nonreg = {p: params[p] for p in fam.nonregular if p not in fixed}
    lik = Likelihood(fam, clipped, {**fixed, **nonreg}) if inner.likelihood is not None else None
    return map_back(fam, inner, e, fixed=fixed, exact_weight=clipped.exact.wsum, strict=strict,
                    data=clipped if inner.data is not None else None, likelihood=lik,
                    _refit=FamilyRefit(fam, method=method, maxiter=maxiter))


def _frozen_dist(fam: Family, params: dict[str, float]) -> Family:
    new = fam._copy()
    new.values = {p: float(params[p]) for p in fam.param_names}
    return new


@dataclass(frozen=True)
class FamilyRefit:
    """``FitResult._refit`` of a family fit: the same family and estimator options on other data
    or with other fixed values (bootstrap replicates, likelihood-ratio tests, profile plots).
    Diagnostics never raise here (``strict=False``) and the covariance is the observed one:
    callers use the estimates and the log-likelihood."""

    family: Family
    method: str = "auto"
    maxiter: int = 200
    penalty: Penalty | None = None

    def __call__(self, data: Data, *, fixed: dict[str, float] | None = None,
                 start: dict[str, float] | None = None) -> FitResult:
        return fit_family(self.family, data, fixed=fixed, start=start, maxiter=self.maxiter,
                          method=self.method, penalty=self.penalty)


def check_information(fam: Family, dat: Data, free: list[str]) -> None:
    """``DataError`` when ``dat`` cannot identify the free parameters: fewer observations than
    parameters, or every value censored on the same side (:func:`check_counts`)."""
    check_counts(fam, len(free), dat.n_obs, rows=dat.n_rows, weighted=dat.has_weights,
                 both_sides=dat.exact.size + dat.interval_block.size,
                 left=dat.left.size, right=dat.right.size)


def check_counts(fam: Family, n_free: int, n_obs: float, *, rows: int, weighted: bool,
                 both_sides: float, left: float, right: float) -> None:
    """The identification checks of a fit from its counts (in memory or streamed): ``n_obs``
    (the sum of the weights when ``weighted``) of ``rows`` rows, ``both_sides`` of them exact or
    interval-censored, ``left`` / ``right`` censored on one side."""
    if n_obs < n_free:
        freq = weighted and rows >= n_free
        weights = (f" (the weights of its {rows} rows sum to {n_obs:g}: they count as "
                   "frequencies)" if freq else "")
        hint = ("scale the weights so that they sum to the number of observations they stand for"
                if freq else "fix some parameters with fixed={...} or collect more data")
        raise DataError(
            f"{type(fam).__name__} has {n_free} free parameters; got only {n_obs:g} "
            f"observations{weights}. Hint: {hint}."
        )
    if both_sides == 0 and (left == 0 or right == 0):
        side = "right" if right else "left"
        raise DataError(
            f"at least one observation must be exact or bounded on both sides; got all "
            f"{rows} values {side}-censored, which leaves the likelihood unbounded. "
            "Hint: with no failures yet, report a lower confidence bound on the mean life "
            "instead of a fit."
        )




# ---------------------------------------------------------------------- penalised fits
def _firth_totals(fam: Family, dat: Data) -> float | None:
    """``N`` of the closed-form expected information (binomial: total trials; Poisson and
    Bernoulli: total weight), for exact, untruncated data; ``None`` otherwise."""
    if fam.name not in FIRTH_EXPECTED or not dat.only_exact or dat.is_truncated:
        return None
    blk = dat.exact
    if fam.name == "binomial":
        trials = blk.trials if blk.trials is not None else getattr(fam, "n", None)
        if trials is None:
            return None
        return blk.wsum_of(np.broadcast_to(np.asarray(trials, dtype=float), (blk.size,)))
    return blk.wsum


def _penalised_closed_form(fam: Family, dat: Data, penalty: Penalty, fixed: dict[str, float],
                           totals: float | None) -> dict[str, float] | None:
    """The penalised estimates known in closed form: Firth binomial/Bernoulli
    ``(y + 1/2)/(n + 1)``, Firth Poisson ``(sum x + 1/2)/n``, and the normal mean under a
    ``Normal`` prior with sigma fixed (the conjugate posterior mode)."""
    if fixed and penalty.kind == "firth":
        return None
    if penalty.kind == "firth" and totals is not None and totals > 0:
        s = dat.exact.wsum_of(dat.exact.x)
        if fam.name == "poisson":
            return {"rate": (s + 0.5) / totals}
        return {"p": (s + 0.5) / (totals + 1.0)}
    if (penalty.kind == "map" and fam.name == "normal" and set(penalty.priors) == {"mu"}
            and set(fixed) == {"sigma"} and dat.only_exact and not dat.is_truncated):
        from .priors import Normal

        pr = penalty.priors["mu"]
        if type(pr) is Normal:
            n, s2 = dat.exact.wsum, fixed["sigma"] ** 2
            prec = 1.0 / pr.sd**2 + n / s2
            return {"mu": (pr.mean / pr.sd**2 + dat.exact.wsum_of(dat.exact.x) / s2) / prec,
                    "sigma": fixed["sigma"]}
    return None


@dataclass(frozen=True)
class _Binder:
    """Binds a penalty to a family likelihood (and again to a bootstrap sample's)."""

    family: Family
    penalty: Penalty

    def __call__(self, base: Any) -> Any:
        fam = self.family
        return self.penalty.bind(base, fam.domains, fam.param_names, base.free, family=fam.name,
                                 totals=_firth_totals(fam, base.data))


def _fit_penalised(fam: Family, dat: Data, lik: Likelihood, penalty: Penalty,
                   start: dict[str, float], fixed: dict[str, float], nonreg: dict[str, float], *,
                   strict: bool, cov: str, maxiter: int, refit: FamilyRefit, path: str
                   ) -> FitResult:
    """Maximise ``loglik + pen`` (:class:`PenalisedLikelihood`): a penalised closed form where
    one is known, Newton otherwise. ``loglik`` of the result is the plain log-likelihood."""
    inner_fixed = {**fixed, **nonreg}
    bind = _Binder(fam, penalty)
    plik = PenalisedLikelihood(lik, penalty, bind(lik), bind)
    totals = _firth_totals(fam, dat)
    closed = _penalised_closed_form(fam, dat, penalty, inner_fixed, totals) \
        if path == "auto" else None
    if closed is not None:
        est = Estimate(closed, math.nan, None, "closed-form")
    else:
        est = newton_fit(fam, plik, dat, start, inner_fixed, maxiter)
    how = est.method
    th = tuple(float(est.params[p]) for p in fam.param_names)
    pll, pg, pH = plik.evaluate(th, 2)
    ll, _, H = lik.evaluate(th, 2)
    label = penalty.label
    if penalty.uses_penalised_hessian():
        H = pH
    else:
        info = penalty.expected_information(fam.name, totals, th)
        if info is not None:
            H = -info
        else:
            label = "penalised (firth, observed information)"
    grad_norm = float(np.max(np.abs(pg[lik.free]))) if lik.free else 0.0
    est = Estimate(est.params, ll, H, label, est.iterations, grad_norm, est.converged,
                   est.diagnostics)
    res = finish(fam, dat, plik, est, fixed=fixed, nonreg=nonreg, strict=strict, cov_kind=cov,
                 refit=refit)
    return replace(res, penalised_loglik=float(pll),
                   options={**res.options, **penalty.options(), "path": how})
