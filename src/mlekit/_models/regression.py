"""Regression by maximum likelihood: ``mk.regress("y ~ x1 + x2", data=df, family="normal")``.

Distributional regression: any parameter of any family (built-in, ``Family.from_logpdf`` /
``from_cumhaz`` families, and the ``mk.ZeroInflated`` / ``mk.Hurdle`` / ``mk.Cure`` wrappers)
can depend on covariates. The main formula links the family's ``regression_param`` (the first
parameter unless the family names another); ``formulas={"shape": "~ batch"}`` links others. A
parameter without a formula is one shared value under its own name. The link follows the
parameter's domain: identity on the real line, log for positive values, logit on (0, 1), a
scaled logit on an interval. Coefficient names: the main formula's terms as they are
(``Intercept``, ``temp``), the others ``param:term`` (``shape:Intercept``, ``shape:batch``).

==================  =======================  ======  ==============================
family              linked parameter         link    shared parameters
==================  =======================  ======  ==============================
normal              mu (mean)                identity sigma
bernoulli/logistic  p                        logit   —
poisson             rate (mean)              log     —   (``exposure=``/``offset=``)
negative_binomial   mean                     log     size (var = mean + mean²/size)
gamma               mean = shape·scale       log     shape
weibull (AFT)       scale                    log     shape
lognormal (AFT)     mu (mean of log y)       identity sigma
==================  =======================  ======  ==============================

Every quantity is a full maximum-likelihood one (``sigma`` of the normal model is
``sqrt(RSS/n)``), with the observed information for standard errors (``cov="sandwich"`` for
the robust one). Continuous responses may be censored: ``observed=`` (True = event seen, False
= right-censored at the value) or ``lower=``/``upper=`` (interval-censored; NaN lower = left-,
NaN upper = right-censored, equal = exact). The derivatives are analytic where the family has
per-observation derivatives (see :mod:`mlekit._models.distreg`), numerical otherwise.

Formulas go through ``formulaic`` (the ``regression`` extra), imported on first use; plain
design matrices work without it: ``mk.regress(y=y, X=X)`` (a DataFrame's column names become
the coefficient names; an array's columns are named ``x1, x2, ...`` and no intercept is added).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._core.checks import arithmetic_guard, check_maxiter
from .._core.domains import Domain
from .._data.data import as_float_array
from .._families.base import Family, get_family
from .._families.shapes import KnownTrials
from .._fit.assemble import ModelLikelihood, model_dist, model_result
from .._fit.penalty import glm_firth, make_penalty, penalise_problem, penalised_result, penalised_solution
from .._fit.problem import Problem, Solution, maximize
from .._fit.result import Diagnostic
from ..errors import DataError, FamilyError, ParameterError
from .design import Designs
from .distreg import Coord, DistReg, Response, Scores, column_sizes, link_name, reparam_for, step_units
from .predict import RegressionResult
from .starts import starts as _starts

__all__ = ["regress"]

_ALIASES = {"logistic": "bernoulli", "logit": "bernoulli", "binomial": "bernoulli",
            "gaussian": "normal", "ols": "normal", "negbin": "negative_binomial",
            "nb": "negative_binomial", "nb2": "negative_binomial", "weibull_aft": "weibull",
            "lognormal_aft": "lognormal", "log_normal": "lognormal"}


def _family(family: Any) -> Family:
    if isinstance(family, str):
        key = family.strip().lower().replace("-", "_").replace(" ", "_")
        return get_family(_ALIASES.get(key, key))
    return get_family(family)


# ---------------------------------------------------------------------- fitting
def regress(formula: str | None = None, data: Any = None, family: Any = "normal", *,
            formulas: dict[str, str] | None = None, y: Any = None, X: Any = None,
            observed: Any = None, lower: Any = None, upper: Any = None, entry: Any = None,
            truncation: Any = None, weights: Any = None,
            offset: Any = None, exposure: Any = None, start: dict[str, float] | None = None,
            fixed: dict[str, float] | None = None, cov: str = "observed", strict: bool = False,
            maxiter: int = 200, nan_policy: str = "raise", penalty: Any = None,
            prior: Any = None) -> RegressionResult:
    """Fit a (distributional) regression model by maximum likelihood (see the module docs).

    ``penalty="firth"``: Firth's penalised likelihood (logistic and Poisson regression: the
    expected information ``X'WX``, finite estimates under separation, standard errors from its
    inverse as brglm2/logistf report them; other models: Jeffreys' prior with the observed
    information); ``prior={name: mk.priors.X(...)}``: a MAP fit (:mod:`mlekit._fit.penalty`).

    ``formulas``: ``{parameter: "~ terms"}`` for parameters other than the linked one.
    ``observed``: True where the event was seen, False where the response is right-censored
    (a column name or an array). ``lower``/``upper``: interval-censored responses (NaN lower:
    left-censored at upper; NaN upper: right-censored at lower; equal: exact). ``weights``:
    frequency weights. ``entry``: late entry (left truncation per row) — a row is in the data
    only because its response exceeded its entry time, so it contributes ``log f(t) - log
    S(entry)`` (``log S(t) - log S(entry)`` when censored). ``truncation=(lo, hi)``: per-row
    truncation windows as in ``mk.Data(x, truncation=...)`` — each a column name, an array or a
    number (``None``/``-inf``/``inf``: no bound) — so a row contributes ``log f(y) - log(F(hi) -
    F(lo))``; with ``entry`` the lower bound is the larger of the two. ``offset`` is added to the linked
    parameter's linear predictor; ``exposure`` adds ``log(exposure)`` (log-linked rates and
    means).

    Parameters
    ----------
    formula
        ``"y ~ x1 + x2"`` for the family's linked parameter (or give ``y=`` and ``X=``).
    data
        A DataFrame or a dict of columns for the formulas and the column names below.
    family
        A family name or object, or a ``ZeroInflated``/``Hurdle``/``Cure`` wrapper.
    formulas
        ``{parameter: "~ terms"}`` for parameters other than the linked one.
    y, X
        The response and the design matrix, instead of ``formula``.
    observed
        True where the event was seen, False where the response is right-censored.
    lower, upper
        Interval-censored responses (NaN lower: left-, NaN upper: right-censored).
    entry
        Late-entry times (left truncation per row).
    truncation
        Per-row truncation windows ``(lo, hi)``: each a column name, an array or a number
        (``None``/``-inf``/``inf`` for no bound), as in ``mk.Data(x, truncation=...)``.
    weights
        Frequency weights.
    offset, exposure
        Added to the linked parameter's linear predictor (``exposure``: its log).
    start, fixed
        Starting guesses / values held fixed, by coefficient name.
    cov
        ``"observed"`` or ``"sandwich"`` (robust) standard errors.
    strict
        Raise :class:`ConvergenceError` instead of warning when the fit is not clean.
    maxiter
        Newton iterations at most.
    nan_policy
        ``"raise"`` (default) or ``"omit"`` rows with a missing value.
    penalty, prior
        ``"firth"``, or ``{name: mk.priors.X(...)}`` for a MAP fit (above).

    Returns
    -------
    RegressionResult
        A :class:`FitResult` with the coefficients as parameters, ``summary()`` and
        ``predict()``.

    Raises
    ------
    ParameterError
        Unknown options, ``cov``, parameter names in ``formulas``/``start``/``fixed``.
    DataError
        Missing or non-numeric columns, no rows left, censoring with a discrete family.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 1, 2, 3, 4, 5], "y": [0.1, 1.2, 1.9, 3.2, 3.9, 5.1]})
    >>> res = mk.regress("y ~ x", data=df)     # coefficients Intercept, x; sigma
    """
    fam = _family(family)
    if cov not in ("observed", "sandwich"):
        raise ParameterError(f"cov must be 'observed' or 'sandwich'; got {cov!r}.")
    if formulas is not None and not isinstance(formulas, dict):
        raise ParameterError(f"formulas must be a dict such as {{'shape': '~ batch'}}; got "
                             f"{formulas!r}.")
    formulas = dict(formulas or {})
    if nan_policy not in ("raise", "omit"):
        raise ParameterError(f"nan_policy must be 'raise' or 'omit'; got {nan_policy!r}.")
    maxiter = check_maxiter(maxiter)
    censor_cols = lower is not None or upper is not None
    if censor_cols and (lower is None or upper is None):
        raise ParameterError("interval-censored responses need both lower= and upper=.")
    if censor_cols and observed is not None:
        raise ParameterError("give observed= (right censoring) or lower=/upper= (interval "
                             "censoring), not both.")
    reparam = reparam_for(fam)
    coord_names = list(reparam.names) if reparam else list(fam.param_names)
    coord_doms = list(reparam.domains) if reparam else list(fam.domains)
    linked = fam.regression_param or fam.param_names[0]
    if linked not in coord_names:
        raise FamilyError(f"{fam.name}: regression_param {linked!r} is not one of its parameters "
                          f"({', '.join(coord_names)}).")
    for k in formulas:
        if k == linked:
            raise ParameterError(f"the main formula already links {linked}; formulas= is for the "
                                 f"other parameters ({', '.join(c for c in coord_names if c != linked)}).")
        if k not in coord_names:
            raise ParameterError(f"formulas names parameters of {fam.name} "
                                 f"({', '.join(coord_names)}); got {k!r}.")
    des = Designs(formula, data, y, X, nan_policy, formulas, censor_cols)
    src = data if formula is not None else None
    rows = des.rows
    total = des.n_total
    obs_a = _column(observed, src, rows, "observed", total)
    lo = _column(lower, src, rows, "lower", total, nan_ok=True)
    hi = _column(upper, src, rows, "upper", total, nan_ok=True)
    w = _column(weights, src, rows, "weights", total)
    ent = _column(entry, src, rows, "entry", total)
    win = _window(truncation, ent, src, rows, total, des.X.shape[0])
    off = _column(offset, src, rows, "offset", total)
    expo = _column(exposure, src, rows, "exposure", total)
    n = des.X.shape[0]
    if n == 0:
        raise DataError("no rows left to fit.")
    if (obs_a is not None or censor_cols or win is not None) and fam.discrete:
        raise DataError(f"{fam.name} regression does not take censored responses; observed=, "
                        "lower=, upper=, entry= and truncation= are for continuous families.")
    obs = None
    if obs_a is not None:
        if not np.all((obs_a == 0) | (obs_a == 1)):
            raise DataError("observed must be boolean (True = event seen, False = right-censored).")
        obs = obs_a.astype(bool)
    if w is not None and (np.any(w < 0) or not np.all(np.isfinite(w))):
        raise DataError("weights must be finite and non-negative.")
    if w is not None and not np.sum(w) > 0:
        raise DataError("the weights sum to 0: no observation is left to fit.")
    eta_off = None
    if off is not None:
        eta_off = off
    if expo is not None:
        if np.any(expo <= 0):
            raise DataError("exposure must be positive.")
        eta_off = np.log(expo) if eta_off is None else eta_off + np.log(expo)
    if censor_cols:
        assert lo is not None and hi is not None
        resp = Response.build(None, lo=lo, hi=hi)
        _check_bounds(fam, lo, hi)
    else:
        assert des.y is not None
        resp = Response.build(des.y, obs)
        _check_response(fam, des.y, obs)
        if obs is not None and not obs.any():
            raise DataError("every response is right-censored (observed is all False): the "
                            "likelihood has no maximum (it grows as the lifetimes go to infinity). "
                            "Hint: a regression needs some observed events.")
    # coordinates: the linked one, then the others in the family's order
    coords: list[Coord] = []
    for name, dom in zip(coord_names, coord_doms):
        if name == linked:
            _check_rank(des.X, des.cols, "the design matrix")
            coords.append(Coord(name, dom, des.X, list(des.cols), eta_off, des.spec))
        elif name in des.extra:
            Xe, cols, spec = des.extra[name]
            _check_rank(Xe, cols, f"the design of formulas[{name!r}]")
            coords.append(Coord(name, dom, Xe, cols, None, spec))
        else:
            coords.append(Coord(name, dom, None, [name]))
    lk = coord_names.index(linked)
    coords.insert(0, coords.pop(lk))
    if ent is not None:
        _check_entry(ent, resp)
    if win is not None:
        _check_window(win, resp)
    model = DistReg(fam, resp, coords, w, reparam, win)
    names, doms = model.names, model.domains
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise DataError(f"design column names clash with the family's parameters: {dup}.")
    wsum = float(n if w is None else w.sum())
    fixed_d = _values(names, doms, fixed, "fixed")
    starts = _starts(fam, model, resp, eta_off, obs, lo, hi, w, fixed_d)
    user = _values(names, doms, start, "start")
    starts = [{**s, **user, **fixed_d} for s in starts]
    label = f"{fam.name} regression"
    prob = Problem(names, doms, fixed_d, model.value, derivs=model.evaluate, label=label,
                   reproducer=lambda prm: f"mk.regress({formula!r}, data, family={fam.name!r}, "
                   f"start={ {k: round(v, 6) for k, v in prm.items()} })")
    pen, plain, glm = make_penalty(penalty, prior), prob, None
    if pen is not None:
        link0 = link_name(coords[0].domain)
        if pen.kind == "firth" and fam.name in ("bernoulli", "poisson") and len(coords) == 1 \
                and link0 in ("logit", "log"):
            glm = glm_firth(des.X, w, np.zeros(n) if eta_off is None else eta_off, link0,
                            des.X.shape[1])
        prob = penalise_problem(prob, pen, glm=glm)
    with arithmetic_guard(f"{fam.name} regression on these responses"):
        sol = maximize(prob, starts, maxiter=maxiter, n_starts=3, kind="analytic",
                       step_scales=step_units(model.coords))
    if pen is not None:
        lls = penalised_solution(sol, plain, pen, glm=glm)
    diags: list[Diagnostic] = []
    sep = None
    if model.logistic:
        sep = _separation(des.X, resp.typical, des.cols, sol,
                          np.zeros(n) if eta_off is None else eta_off)
    if sep is not None:
        diags.append(sep)
        sol.converged = False
    diags += _boundary_probs(model, sol, fixed_d)
    if "numeric" in model.flags:
        diags.append(Diagnostic("numeric-derivatives", f"{fam.name} has no analytic derivatives "
                                "for some terms: they were taken numerically per observation",
                                "info"))
    opts = {"formula": formula, "family": fam.name, "link": link_name(coords[0].domain),
            "linked": linked, "response": des.yname, "columns": list(des.cols),
            "formulas": dict(formulas),
            "links": {c.name: (link_name(c.domain) if c.X is not None else "shared")
                      for c in coords}}
    res = model_result(label, sol, prob, n_obs=wsum, strict=strict, cov=cov,
                       ev=Scores(model) if cov == "sandwich" else None,
                       no_se=sep is not None, options=opts, extra_diags=diags,
                       dist=model_dist(label.replace(" ", "_"), names, doms, sol.params))
    if pen is not None:
        res = penalised_result(res, *lls, pen, prob)
    return RegressionResult.wrap(res, model, ModelLikelihood(prob))


def _column(spec: Any, data: Any, rows: Any, what: str, total: int, nan_ok: bool = False
            ) -> np.ndarray | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        if data is None or spec not in data:
            raise DataError(f"{what}={spec!r} is not a column of the data.")
        col = data[spec]
    else:
        col = spec
    try:
        arr = np.asarray(col, dtype=float) if nan_ok else as_float_array(col, what)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be numeric; got {np.asarray(col).dtype}.") from None
    if arr.ndim != 1 or arr.shape[0] != total:
        raise DataError(f"{what} must have one entry per row of the data ({total}); got shape "
                        f"{arr.shape}.")
    return arr[rows]


# the largest (and 1 / the smallest) column size of a design that is fitted as it is: squared
# covariates (the information) stay finite and normal below 2**450 ~ 1e135
_MAG = 2.0**450


def _check_rank(X: np.ndarray, cols: list[str], what: str) -> None:
    p = X.shape[1]
    if p == 0:
        raise DataError(f"{what} has no columns. Hint: '~ 1' is an intercept.")
    top = column_sizes(X)
    for j, t in enumerate(top):
        if t > _MAG or 0.0 < t < 1.0 / _MAG:
            raise DataError(
                f"{what}: column {cols[j]!r} has values of size {'up to' if t > 1 else 'at most'} "
                f"{t:.3g}; a coefficient is estimated from sums of squared covariates, which "
                f"{'overflow' if t > 1 else 'underflow'} double precision beyond about "
                f"1e{'+' if t > 1 else '-'}135. Hint: rescale the column (its coefficient "
                "scales inversely), e.g. express it in other units.")
    # the rank of the columns each on the scale of its largest value: a covariate measured in
    # tiny or huge units is not thereby a combination of the others
    rank = np.linalg.matrix_rank(X / np.where(top > 0.0, top, 1.0))
    if rank < p:
        raise DataError(f"{what} has rank {rank} < {p} columns ({', '.join(cols)}): some "
                        "columns are linear combinations of others (collinearity). Hint: drop a "
                        "redundant column.")
def _check_response(fam: Family, y: np.ndarray, obs: np.ndarray | None) -> None:
    if fam.name == "bernoulli":
        bad = ~((y == 0) | (y == 1))
    else:
        bad = fam.support.violations(y)
        if bad.size and obs is not None:   # right-censoring times may sit on a closed end
            bad &= obs | ~((y == fam.support.lower) | (y == fam.support.upper))
    trials = fam.n if isinstance(fam, KnownTrials) else None   # successes out of n known trials
    if trials is not None:
        bad = bad | (y > trials)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "0 or 1" if fam.name == "bernoulli" else f"in {fam.support.describe()}"
        if trials is not None:
            what = f"in 0, 1, ..., {trials:g} (successes out of n={trials:g} trials)"
        raise DataError(f"{fam.name} regression needs responses {what}; got {int(bad.sum())} "
                        f"others (first at row {i}: {y[i]:g}).")
    if fam.name == "bernoulli" and (np.all(y == 0) or np.all(y == 1)):
        v = int(y[0])
        raise DataError(f"all-{'zero' if v == 0 else 'one'} outcome: every response is {v}, so the "
                        f"maximum-likelihood probability is {v} and the coefficients are infinite. "
                        "Hint: a regression needs both outcomes.")
    if fam.discrete and fam.support.lower == 0 and np.all(y == 0):
        raise DataError(f"all-zero outcome: every response is 0, so {fam.name} regression has no "
                        "finite maximum (the mean goes to 0). Hint: check the response column.")


def _check_entry(ent: np.ndarray, resp: Response) -> None:
    if not np.all(np.isfinite(ent)):
        raise DataError("entry must be finite (0 or the support's lower end: no late entry).")
    low = np.full(resp.n, np.inf)       # the smallest value each row's response can take
    for kind, idx, blk in resp.groups:
        sel = slice(None) if idx is None else idx
        low[sel] = -np.inf if kind == "left" else blk.x
    bad = ent > low
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"entry must not exceed the response: a row enters the study only while "
                        f"still at risk; got {int(bad.sum())} rows with entry > time (first at "
                        f"row {i}: entry {ent[i]:g} > {low[i]:g}).")


def _window(truncation: Any, ent: np.ndarray | None, src: Any, rows: Any, total: int,
            n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Per-row truncation windows ``(lo, hi)`` (``n`` rows) from ``truncation=`` and ``entry=``."""
    if truncation is None and ent is None:
        return None
    ends: list[Any] = [None, None]
    if truncation is not None:
        if not (isinstance(truncation, (tuple, list)) and len(truncation) == 2):
            raise ParameterError(f"truncation must be a pair (lower, upper) of column names, "
                                 f"arrays or numbers; got {truncation!r}.")
        for j, (spec, none) in enumerate(zip(truncation, (-np.inf, np.inf))):
            what = ("lower", "upper")[j] + " truncation bound"
            if spec is None or (not isinstance(spec, str) and np.ndim(spec) == 0):
                try:
                    ends[j] = none if spec is None else float(spec)
                except (TypeError, ValueError):
                    raise DataError(f"the {what} must be a number, a column name or an array; "
                                    f"got {spec!r}.") from None
            else:
                col = _column(spec, src, rows, what, total, nan_ok=True)
                if col is not None and np.isnan(col).any():
                    raise DataError(f"the {what} must not be missing (use -inf/inf for no "
                                    "bound); got NaN.")
                ends[j] = col
    lo = np.broadcast_to(np.asarray(-np.inf if ends[0] is None else ends[0], dtype=float),
                         (n,)).astype(float)
    hi = np.broadcast_to(np.asarray(np.inf if ends[1] is None else ends[1], dtype=float),
                         (n,)).astype(float)
    if ent is not None:
        lo = np.maximum(lo, ent)
    bad = ~(lo < hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"each row's truncation window needs lower < upper; got {int(bad.sum())} "
                        f"rows without (first at row {i}: [{lo[i]:g}, {hi[i]:g}]).")
    return lo, hi


def _check_window(win: tuple[np.ndarray, np.ndarray], resp: Response) -> None:
    """Every finite response bound lies inside its row's window."""
    lo, hi = win
    for _kind, idx, blk in resp.groups:
        sel = slice(None) if idx is None else idx
        for pts in (blk.x, blk.hi):
            if pts is None:
                continue
            a, b = lo[sel], hi[sel]
            out = np.isfinite(pts) & ((pts < a) | (pts > b))
            if out.any():
                i = int(np.flatnonzero(out)[0])
                row = i if idx is None else int(idx[i])
                raise DataError(f"every response must lie inside its row's truncation window; got "
                                f"{int(out.sum())} outside (first at row {row}: {pts[i]:g} not in "
                                f"[{a[i]:g}, {b[i]:g}]). Hint: a value outside its window could "
                                "not have been observed.")


def _check_bounds(fam: Family, lo: np.ndarray, hi: np.ndarray) -> None:
    both = np.isfinite(lo) & np.isfinite(hi)
    if np.any(both & (lo > hi)):
        i = int(np.flatnonzero(both & (lo > hi))[0])
        raise DataError(f"lower must not exceed upper; got lower={lo[i]:g} > upper={hi[i]:g} at "
                        f"row {i}.")
    if np.any(np.isnan(lo) & np.isnan(hi)):
        raise DataError("a row has neither lower nor upper: it says nothing about the response.")
    s = fam.support
    for arr, what in ((lo, "lower"), (hi, "upper")):
        f = arr[np.isfinite(arr)]
        bad = (f < s.lower) | (f > s.upper)
        if bad.any():
            raise DataError(f"{what} bounds must lie in {fam.name}'s support {s.describe()}; got "
                            f"{int(bad.sum())} outside (e.g. {f[bad][0]:g}).")


def _values(names: list[str], doms: list[Domain], vals: Any, what: str) -> dict[str, float]:
    if vals is None:
        return {}
    if not isinstance(vals, dict):
        raise ParameterError(f"{what} must be a dict; got {vals!r}.")
    out = {}
    for k, v in vals.items():
        if k not in names:
            raise ParameterError(f"{what} names a parameter of the model ({', '.join(names)}); "
                                 f"got {k!r}.")
        try:
            fv = float(v)
        except (TypeError, ValueError):
            raise ParameterError(f"{what} of {k} must be a number; got {v!r}.") from None
        if not doms[names.index(k)].contains(fv):
            raise ParameterError(f"{what} of {k} must lie in {doms[names.index(k)].describe()}; "
                                 f"got {fv}.")
        out[k] = fv
    return out


def _boundary_probs(model: DistReg, sol: Solution, fixed: dict[str, float]) -> list[Diagnostic]:
    """A shared probability (zero_prob, cure_prob) that ran to 0 or 1."""
    out = []
    for c in model.coords:
        if c.X is not None or c.name in fixed or c.domain.kind != "interval":
            continue
        v = sol.params[c.name]
        lo, hi = c.domain.lower, c.domain.upper
        e = float(c.domain.to_unconstrained(v)) if c.domain.contains(v) else math.inf
        if c.domain.on_boundary(v, rtol=1e-10) or abs(e) > 30:
            continue        # reported by the generic boundary check
        if min(v - lo, hi - v) < 1e-6 * (hi - lo):
            end = lo if v - lo < hi - v else hi
            out.append(Diagnostic(
                "boundary", f"{c.name} = {v:.3g} ran to {end:g}, the edge of its range: the data "
                f"show no {'excess' if end == lo else 'non-excess'} part, and the model reduces to "
                f"{'the wrapped family' if end == lo else 'a degenerate one'} (a likelihood-ratio "
                "test against it uses the boundary chi-bar-square null)", "warning", c.name))
    return out


def _separating(X: np.ndarray, s: np.ndarray) -> tuple[str, np.ndarray] | None:
    """A direction ``b`` with ``s_i x_i'b >= 0`` for all rows (``s = 2y - 1``), by linear
    programming: ``"complete"`` when every margin can be made positive, ``"quasi-complete"``
    when only some can; None when the classes overlap."""
    from scipy.optimize import linprog

    n, p = X.shape
    A = -(s[:, None] * X)
    # complete: maximise t subject to s_i x_i'b >= t, |b| <= 1
    res = linprog(np.r_[np.zeros(p), -1.0], A_ub=np.c_[A, np.ones(n)], b_ub=np.zeros(n),
                  bounds=[(-1.0, 1.0)] * p + [(0.0, 1.0)], method="highs")
    if res.status == 0 and -res.fun > 1e-9:
        return "complete", res.x[:p]
    # quasi-complete: s_i x_i'b >= 0 with sum s_i x_i'b >= 1
    res = linprog(np.zeros(p), A_ub=np.vstack([A, A.sum(axis=0)]),
                  b_ub=np.r_[np.zeros(n), -1.0], bounds=[(-1e6, 1e6)] * p, method="highs")
    if res.status == 0:
        return "quasi-complete", res.x
    return None


def _separation(X: np.ndarray, y: np.ndarray, cols: list[str], sol: Solution,
                off: np.ndarray) -> Diagnostic | None:
    """Diagnose (quasi-)complete separation, naming the simplest separating column(s)."""
    beta = np.array([sol.params[c] for c in cols])
    eta = X @ beta + off
    if sol.converged and np.max(np.abs(eta)) < 15:
        return None
    s = 2.0 * y - 1.0
    found = _separating(X, s)
    if found is None:
        return None
    kind, b = found
    icpt = [j for j in range(X.shape[1]) if np.all(X[:, j] == X[0, j])]
    involved = None
    if X.shape[1] <= 50:
        for j in range(X.shape[1]):
            if j in icpt:
                continue
            one = _separating(X[:, [*icpt, j]], s)
            if one is not None:
                kind, bj = one
                b = np.zeros(X.shape[1])
                b[[*icpt, j]] = bj
                involved = [cols[j]]
                break
    if involved is None:
        big = float(np.max(np.abs(b)))
        involved = [c for j, (c, v) in enumerate(zip(cols, b))
                    if abs(v) > 1e-8 * big and j not in icpt] or list(cols)
    margin = s * (X @ b)
    perfect = int(np.sum(margin > 1e-9 * max(1.0, float(np.max(np.abs(margin))))))
    verb = "predicts" if len(involved) == 1 else "predict"
    return Diagnostic(
        "separation", f"{kind} separation: {', '.join(involved)} {verb} the outcome exactly for "
        f"{perfect} of {len(y)} rows, so the maximum-likelihood coefficients are infinite (the "
        f"reported values only show where the optimiser stopped; fitted probabilities reach 0 or "
        f"1). Hint: refit with penalty='firth' (Firth's penalised likelihood gives finite "
        f"estimates), or drop or merge the separating variable.",
        "warning", involved[0])


