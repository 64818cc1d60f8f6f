"""The playground's computations: any family, points that may be censored, live intervals.

Every number is mlekit's: the log-likelihood is ``Likelihood.loglik`` on the same ``mk.Data``
``mk.fit`` gets (so the value shown after "jump to MLE" is ``mk.fit(...).loglik``), the
per-point terms are the family's ``logpdf`` / ``logsf`` / ``logcdf``, intervals come from
``FitResult.ci`` / ``profile`` / ``derived`` / ``quantile`` / ``sf``.

A point is ``(x, kind)`` with kind ``"e"`` (seen exactly: log f(x)), ``"r"`` (right-censored,
"still running at x": log P(X >= x), i.e. log S(x), for a count log S(x - 1)) or ``"l"``
(left-censored, "below the detection limit x": log F(x)). Work is bounded: at most
:data:`MAX_POINTS` points, :data:`CURVE_POINTS` curve points, :data:`MAX_GRID` ² surface cells.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import mlekit as mk

from .._data.data import Data
from .._families.base import Family
from .._families.registry import registry
from .._families.shapes import KnownTrials
from .._fit.likelihood import Likelihood
from .._fit.result import FitResult
from ..errors import DataError, MlekitError, ParameterError

__all__ = ["MAX_POINTS", "MAX_GRID", "CURVE_POINTS", "takes_trials", "trials_families",
           "make_family", "points_data", "python_code", "evaluate", "surface", "fit_playground",
           "family_setup", "slider_ranges"]

MAX_POINTS = 2000
MAX_GRID = 61
CURVE_POINTS = 300
MAX_BARS = 400
_CHI2_95 = 3.841458820694124
DERIVED = ("mean", "median", "quantile", "sf")


# ---------------------------------------------------------------------------- model and data
def takes_trials(fam: Family) -> bool:
    """Whether the family counts successes in a known number of trials ``n`` (Binomial,
    BetaBinomial: what :class:`~mlekit._families.shapes.KnownTrials` declares), so the
    playground needs ``trials``."""
    return isinstance(fam, KnownTrials)


def trials_families() -> list[str]:
    """The registered families that need the number of trials (sorted names)."""
    return sorted(name for name, cls in registry.items() if issubclass(cls, KnownTrials))


def make_family(name: str, trials: int | None = None) -> Family:
    """The family ``name`` (a FamilyError lists the names); binomial-type families need the
    number of trials ``n``."""
    fam = mk.get_family(name)
    if takes_trials(fam):
        if trials is None:
            raise ParameterError(f"the {fam.name} family needs the number of trials n; got none. "
                                 "Hint: set 'trials' (e.g. 10).")
        return type(fam)(n=int(trials))
    if trials is not None:
        raise ParameterError(f"trials is for the binomial families only; {fam.name} got "
                             f"trials={trials}. Hint: leave it out.")
    return fam


def _kinds(x: list[float], kinds: Sequence[str] | None) -> list[str]:
    ks = ["e"] * len(x) if kinds is None else list(kinds)
    if len(ks) != len(x):
        raise DataError(f"kinds must have one entry per point ({len(x)}); got {len(ks)}.")
    return ks


def points_data(x: list[float], kinds: Sequence[str] | None = None) -> Data:
    """``mk.Data`` for the points, as :func:`python_code` writes it: plain values; one
    ``observed`` mask when every censored point is censored on the same side; otherwise
    ``Data.interval`` with an infinite bound on the censored side."""
    ks = _kinds(x, kinds)
    if not x:
        raise DataError("the playground has no points; got none. Hint: click the plot to add some.")
    arr = np.asarray(x, dtype=float)
    sides = {k for k in ks if k != "e"}
    if not sides:
        return Data(arr)
    if len(sides) == 1:
        side = "right" if sides == {"r"} else "left"
        return Data(arr, observed=[k == "e" for k in ks], censoring=side)
    lo = np.where([k == "l" for k in ks], -math.inf, arr)
    hi = np.where([k == "r" for k in ks], math.inf, arr)
    return Data.interval(lo, hi)


def _num(v: float) -> str:
    return repr(float(v)) if not float(v).is_integer() or abs(v) >= 1e15 else str(int(v))


def python_code(family: str, x: list[float], kinds: Sequence[str] | None = None,
                trials: int | None = None) -> str:
    """The ``mk.fit`` call that reproduces the playground's fit (same ``mk.Data``)."""
    ks = _kinds(x, kinds)
    sides = {k for k in ks if k != "e"}
    vals = ", ".join(_num(v) for v in x)
    lines = ["import mlekit as mk", ""]
    if not sides:
        lines.append(f"data = [{vals}]")
    elif len(sides) == 1:
        obs = ", ".join("True" if k == "e" else "False" for k in ks)
        side = ', censoring="left"' if sides == {"l"} else ""
        what = ("False = still running (right-censored)" if sides == {"r"}
                else "False = below the detection limit (left-censored)")
        lines += [f"# observed: True = seen exactly, {what}",
                  f"data = mk.Data([{vals}],", f"               observed=[{obs}]{side})"]
    else:
        lo = ", ".join("-math.inf" if k == "l" else _num(v) for v, k in zip(x, ks))
        hi = ", ".join("math.inf" if k == "r" else _num(v) for v, k in zip(x, ks))
        lines = ["import math", *lines,
                 "# each value lies in [lower, upper]: -inf = below the detection limit, "
                 "inf = still running",
                 f"data = mk.Data.interval([{lo}],", f"                       [{hi}])"]
    fam = mk.get_family(family)
    if takes_trials(fam):
        cls = type(fam).__name__
        lines.append(f"res = mk.fit(data, mk.{cls}(n={trials}))")
    else:
        lines.append(f'res = mk.fit(data, "{family}")')
    lines.append("print(res)")
    return "\n".join(lines) + "\n"


def _check_support(fam: Family, x: np.ndarray) -> None:
    sup = fam.support
    bad = ~np.isfinite(x)
    if fam.discrete:
        bad |= x != np.round(x)
    if not (sup.lower == -math.inf and sup.upper == math.inf) and "threshold" not in \
            fam.param_names:
        bad |= (x < sup.lower) | (x > sup.upper)
        if not sup.lower_closed:
            bad |= x == sup.lower
        if not sup.upper_closed:
            bad |= x == sup.upper
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{fam.name} needs values in {fam.support_text or sup.describe()}; got "
                        f"{x[i]:g} (point {i + 1}). Hint: remove it, or pick another family.")


def _params(fam: Family, params: dict[str, float]) -> tuple[Family, tuple[float, ...]]:
    want = list(fam.param_names)
    if sorted(params) != sorted(want):
        raise ParameterError(f"{fam.name} has parameters {', '.join(want)}; got "
                             f"{', '.join(sorted(params)) or 'none'}.")
    frozen = fam.with_params(**{k: float(params[k]) for k in want})  # checks the domains
    return frozen, tuple(float(params[k]) for k in want)


# ---------------------------------------------------------------------------- evaluation
def _curve(frozen: Family, xrange: tuple[float, float] | None, x: np.ndarray) -> dict[str, Any]:
    if xrange is None:
        a, b = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
        pad = 0.15 * (b - a) + 0.5
        xrange = (a - pad, b + pad)
    a, b = float(xrange[0]), float(xrange[1])
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise ParameterError(f"xrange must be two finite numbers, low < high; got {xrange}.")
    with np.errstate(all="ignore"):
        if frozen.discrete:
            lo, hi = math.ceil(max(a, frozen.support.lower)), math.floor(b)
            step = max(1, math.ceil((hi - lo + 1) / MAX_BARS))
            ks = np.arange(lo, hi + 1, step, dtype=float) if hi >= lo else np.zeros(0)
            return {"kind": "pmf", "x": ks, "y": np.exp(frozen.logpdf(ks))}
        xs = np.linspace(a, b, CURVE_POINTS)
        return {"kind": "pdf", "x": xs, "y": np.exp(frozen.logpdf(xs))}


def evaluate(family: str, params: dict[str, float], x: list[float], kinds: Sequence[str] | None = None,
             trials: int | None = None, xrange: tuple[float, float] | None = None) -> dict[str, Any]:
    """Log-likelihood at ``params``, each point's term, and the density (pmf) curve."""
    fam = make_family(family, trials)
    frozen, theta = _params(fam, params)
    ks = _kinds(x, kinds)
    arr = np.asarray(x, dtype=float)
    _check_support(fam, arr)
    out: dict[str, Any] = {"family": fam.name, "params": dict(zip(fam.param_names, theta)),
                           "curve": _curve(frozen, xrange, arr)}
    if not x:
        out.update(loglik=None, terms=[], n=0)
        return out
    kind = np.asarray(ks)
    with np.errstate(all="ignore"):
        terms = np.empty(arr.size)
        e, r, lft = kind == "e", kind == "r", kind == "l"
        terms[e] = frozen.logpdf(arr[e])
        terms[r] = frozen.logsf(arr[r] - 1.0 if fam.discrete else arr[r])
        terms[lft] = frozen.logcdf(arr[lft])
        ll = Likelihood(fam, points_data(x, ks)).loglik(theta)
    out.update(loglik=ll, terms=terms, n=len(x))
    return out


def surface(family: str, params: dict[str, float], x: list[float], kinds: Sequence[str] | None,
            trials: int | None, px: str, py: str, xrange: tuple[float, float],
            yrange: tuple[float, float], n: int = 31) -> dict[str, Any]:
    """The log-likelihood over a ``n`` x ``n`` grid of (``px``, ``py``), the other parameters
    held at ``params`` (the slider values or the MLE: the page decides)."""
    fam = make_family(family, trials)
    _, theta = _params(fam, params)
    names = list(fam.param_names)
    if px not in names or py not in names or px == py:
        raise ParameterError(f"px and py must be two different parameters of {fam.name} "
                             f"({', '.join(names)}); got {px!r} and {py!r}.")
    if not 3 <= n <= MAX_GRID:
        raise ParameterError(f"n must be in 3..{MAX_GRID}; got {n}.")
    _check_support(fam, np.asarray(x, dtype=float))
    lik = Likelihood(fam, points_data(x, kinds))
    axes = []
    for name, rng in ((px, xrange), (py, yrange)):
        a, b = float(rng[0]), float(rng[1])
        dom = fam.domains[names.index(name)]
        a, b = max(a, dom.lower), min(b, dom.upper)
        if not (math.isfinite(a) and math.isfinite(b) and a < b):
            raise ParameterError(f"the range of {name} must be two finite numbers inside its "
                                 f"domain, low < high; got {rng}.")
        vals = np.linspace(a, b, n)
        if dom.lower == a:   # an open bound: step inside
            vals[0] = a + (b - a) / (4 * (n - 1))
        if dom.upper == b:
            vals[-1] = b - (b - a) / (4 * (n - 1))
        axes.append(vals)
    i, j = names.index(px), names.index(py)
    z = np.empty((n, n))
    th = list(theta)
    with np.errstate(all="ignore"):
        for r, yv in enumerate(axes[1]):
            th[j] = float(yv)
            for c, xv in enumerate(axes[0]):
                th[i] = float(xv)
                z[r, c] = lik.loglik(tuple(th))
    z[~np.isfinite(z)] = np.nan
    return {"x": axes[0], "y": axes[1], "z": z, "px": px, "py": py}


# ---------------------------------------------------------------------------- fitting
def slider_ranges(fam: Family, res: FitResult | None) -> dict[str, list[float]]:
    """Slider ranges from each parameter's domain and the fit: about ±4 standard errors (on
    the log scale for a positive parameter), at least a factor of 3 (or ±1) wide."""
    out = {}
    for name, dom in zip(fam.param_names, fam.domains):
        m = float(res.params[name]) if res is not None else math.nan
        s = float(res.se.get(name, math.nan)) if res is not None else math.nan
        lo_d, hi_d = dom.lower, dom.upper
        if not math.isfinite(m):
            lo, hi = ((0.01, 0.99) if (lo_d, hi_d) == (0.0, 1.0) else
                      (0.05, 5.0) if lo_d == 0.0 else (-5.0, 5.0))
        elif (lo_d, hi_d) == (0.0, 1.0):
            w = max(4 * s, 0.15) if math.isfinite(s) else 0.3
            lo, hi = max(0.005, m - w), min(0.995, m + w)
        elif lo_d == 0.0 and hi_d == math.inf and m > 0:
            f = math.exp(min(max(4 * s / m, math.log(3.0)), math.log(10.0))) \
                if math.isfinite(s) else 4.0
            lo, hi = m / f, m * f
        else:
            w = min(max(4 * s, 1.0, 0.25 * abs(m)), 10.0 * max(1.0, abs(m))) \
                if math.isfinite(s) else max(1.0, abs(m))
            lo, hi = max(lo_d, m - w), min(hi_d, m + w)
        out[name] = [float(lo), float(hi)]
    return out


def _check_derived(kind: str, at: float | None) -> None:
    if kind not in DERIVED:
        raise ParameterError(f"derived must be one of {', '.join(DERIVED)}; got {kind!r}.")
    if kind == "quantile" and at is not None and not 0 < float(at) < 1:
        raise ParameterError(f"the quantile's probability must be in (0, 1); got {at}.")
    if kind == "sf" and at is None:
        raise ParameterError("survival S(t) needs a time t ('at'); got none.")


def _derived(res: FitResult, kind: str, at: float | None, level: float) -> dict[str, Any]:
    if kind == "quantile":
        q = 0.5 if at is None else float(at)
        d, label = res.quantile(q, level=level), f"quantile({q:g})"
    elif kind == "sf":
        assert at is not None
        d, label = res.sf(float(at), level=level), f"S({float(at):g}) = P(X > {float(at):g})"
    else:
        d, label = res.derived(kind, level=level), kind
    out = {"name": label, "estimate": float(d.estimate), "se": float(d.se),
           "ci": [float(v) for v in d.ci], "method": str(d.method), "profile": None,
           "note": None}
    if kind != "sf" and kind != "quantile":
        try:
            p = res.derived(kind, method="profile", level=level)
            out["profile"] = [float(v) for v in p.ci]
        except (MlekitError, ArithmeticError, ValueError) as exc:
            out["note"] = f"profile interval failed: {exc}"
    return out


def fit_playground(p: dict[str, Any]) -> dict[str, Any]:
    """``mk.fit`` on the playground's points: estimates, Wald intervals for every parameter,
    the profile interval and profile curve of ``param``, a derived quantity, slider ranges
    and the Python code. Errors come back as ``{"error": ...}`` (run in a worker)."""
    from ._compute import _error, json_safe

    try:
        with warnings.catch_warnings():   # they are in the result's diagnostics and notes
            warnings.simplefilter("ignore")
            return json_safe(_fit_playground(p))
    except Exception as exc:  # reported to the client, never raised into the server
        return _error(exc)


def _fit_playground(p: dict[str, Any]) -> dict[str, Any]:
    fam = make_family(p["family"], p.get("trials"))
    x, ks = list(p["x"]), _kinds(p["x"], p.get("kinds"))
    _check_derived(p.get("derived", "mean"), p.get("at"))
    _check_support(fam, np.asarray(x, dtype=float))
    data = points_data(x, ks)
    level = float(p.get("level", 0.95))
    res = _fit(data, fam)
    names = list(fam.param_names)
    param = p.get("param") or names[0]
    if param not in names:
        raise ParameterError(f"param must be one of {', '.join(names)}; got {param!r}.")
    out: dict[str, Any] = {
        "family": fam.name, "params": dict(res.params), "se": dict(res.se),
        "loglik": res.loglik, "method": res.method, "converged": bool(res.converged),
        "n": len(x), "n_right": ks.count("r"), "n_left": ks.count("l"),
        "diagnostics": [d.message for d in res.diagnostics],
        "ranges": slider_ranges(fam, res), "level": level, "param": param,
        "code": python_code(fam.name, x, ks, p.get("trials")),
        "wald": {}, "profile": None, "profile_curve": None, "derived": None, "notes": []}
    if res.method == "degenerate":
        out["notes"].append("the data are degenerate (e.g. all points equal): no intervals")
        return out
    out["wald"] = {k: list(v) for k, v in res.ci(level=level, method="wald").items()}
    try:
        out["profile"] = list(res.ci(level=level, method="profile", params=[param])[param])
        prof = res.profile(param, n=int(p.get("profile_points", 41)),
                           level=max(level, 0.99))
        cut = _chi2_half(level)
        out["profile_curve"] = {"values": prof.values, "loglik": prof.loglik,
                                "mle": prof.mle, "loglik_max": prof.loglik_max,
                                "cutoff": prof.loglik_max - cut}
    except (MlekitError, ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        out["notes"].append(f"profile likelihood of {param} failed: {exc}")
    try:
        out["derived"] = _derived(res, p.get("derived", "mean"), p.get("at"), level)
    except (MlekitError, ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        out["notes"].append(f"{p.get('derived', 'mean')} could not be computed: {exc}")
    return out


def _chi2_half(level: float) -> float:
    if level == 0.95:
        return _CHI2_95 / 2
    from .._core.lazy import scipy_stats as st

    return float(st.chi2.ppf(level, 1)) / 2


def _fit(data: Data, fam: Family) -> FitResult:
    """``mk.fit``; its warnings are in the result's diagnostics, which the page shows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(data, fam)
    assert isinstance(res, FitResult)
    return res


# ---------------------------------------------------------------------------- family switch
# example points by support, each fitted by every family of its kind without a warning
_EXAMPLES: dict[str, list[float]] = {
    "real": [2.3, 1.9, 2.5, 2.8, 1.7, 3.4, 0.9, 2.1, 6.5, -1.2],
    "positive": [2.61, 1.2, 7.15, 1.33, 0.65, 3.61, 1.62, 1.72, 0.28, 2.11, 2.56, 1.0],
    "heavy": [0.3, 1.1, 0.2, 4.8, 0.7, 12.5, 0.9, 2.2, 0.4, 1.6, 7.9, 0.1],
    "threshold": [7.99, 8.67, 7.24, 9.69, 7.08, 7.15, 5.87, 6.59, 7.23, 8.35, 7.68, 7.11, 9.05,
                  7.04, 7.32, 6.79, 7.65, 8.1, 7.12, 8.87, 6.58, 9.76, 8.16, 9.95, 10.56, 8.28,
                  7.83, 6.56, 8.38, 6.64],
    "unit": [0.21, 0.35, 0.12, 0.48, 0.27, 0.64, 0.33, 0.18],
    "binary": [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    "counts": [0, 1, 6, 2, 0, 4, 1, 9, 3, 0, 2, 5],
    "counts1": [1, 2, 1, 3, 1, 5, 2, 1, 1, 4],
}
_NO_CLEAN_FIT = {"boundary", "unbounded-likelihood", "nonconvergence", "degenerate", "nonregular"}
_EXAMPLE_OF = {"lomax": "heavy", "gamma3": "threshold", "weibull3": "threshold",
               "lognormal3": "threshold", "loglogistic3": "threshold"}


def _example(fam: Family) -> list[float]:
    sup = fam.support
    if fam.name in _EXAMPLE_OF:
        kind = _EXAMPLE_OF[fam.name]
    elif fam.discrete:
        kind = "binary" if sup.upper == 1 else "counts1" if sup.lower >= 1 else "counts"
    elif sup.lower == 0 and sup.upper == 1:
        kind = "unit"
    elif sup.lower >= 0 or "threshold" in fam.param_names:
        kind = "positive"
    else:
        kind = "real"
    return [float(v) for v in _EXAMPLES[kind]]


def family_setup(p: dict[str, Any]) -> dict[str, Any]:
    """What the page needs when the family changes: the family's parameters and domains,
    the points to use (the current ones when the family's support holds them, else an
    example; with ``keep`` — a shared link — always the current ones), the fit, the slider
    ranges and starting slider values (the MLE rounded to two significant digits, so "jump to
    MLE" still has somewhere to go)."""
    from ._compute import _error, json_safe

    try:
        fam = make_family(p["family"], p.get("trials"))
        x, ks, replaced = list(p.get("x") or []), p.get("kinds"), False
        res: FitResult | None = None
        if p.get("keep"):
            _check_support(fam, np.asarray(x, dtype=float))
            _kinds(x, ks)
        try:
            if not x:
                raise DataError("no points")
            _check_support(fam, np.asarray(x, dtype=float))
            res = _fit(points_data(x, ks), fam)
            if res.method == "degenerate" or not res.converged or \
                    {d.code for d in res.diagnostics} & _NO_CLEAN_FIT:
                raise DataError("no clean fit to the current points")
        except MlekitError:
            if not p.get("keep"):
                x, ks, replaced = _example(fam), None, True
                res = _fit(points_data(x, ks), fam)
            elif res is not None and res.method == "degenerate":
                res = None
        mle = dict(res.params) if res is not None else None
        start = {k: float(f"{v:.2g}") for k, v in (mle or {}).items()}
        if mle is not None and not _inside(fam, start):
            start = dict(mle)
        return json_safe({
            "family": fam.name, "params": list(fam.param_names),
            "domains": {n: [d.lower, d.upper] for n, d in zip(fam.param_names, fam.domains)},
            "discrete": bool(fam.discrete), "support": [fam.support.lower, fam.support.upper],
            "x": x, "kinds": ks or ["e"] * len(x), "replaced": replaced, "start": start,
            "mle": mle, "ranges": slider_ranges(fam, res),
            "formula": fam.formula, "trials": p.get("trials")})
    except Exception as exc:
        return _error(exc)


def _inside(fam: Family, params: dict[str, float]) -> bool:
    try:
        fam.with_params(**params)
    except MlekitError:
        return False
    return True
