"""Custom likelihoods: ``@mk.model`` turns a log-likelihood function into something ``mk.fit``
can fit, with the same :class:`FitResult` (estimates, standard errors, intervals, summary)
as a built-in family.

::

    @mk.model(sigma=mk.Positive)            # domains: Real (default), Positive, UnitInterval,
    def gauss(x, mu, sigma):                # Interval(a, b); names come from the signature
        return -0.5*np.log(2*np.pi) - np.log(sigma) - (x - mu)**2 / (2*sigma**2)

    mk.fit(gauss, data=[2.3, 1.9, 2.5, 2.8, 1.7])        # data -> the first argument
    mk.fit(linear, data={"x": x, "y": y})                # or by name: the rest are parameters

The function returns the log-likelihood of each observation (summed, with ``weights`` if
given) or the total. Derivatives: analytic when ``grad=`` (and ``hess=``) are given; exact by
JAX when the function is written with ``jax.numpy`` (or ``diff="jax"``); otherwise finite
differences with step control (see :mod:`mlekit._fit.problem`). ``res.method`` says which.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .._core.domains import Domain, Real, as_domain, default_start, grid_starts
from .._data.data import as_float_array
from .._fit.assemble import model_result
from .._fit.penalty import make_penalty, penalise_problem, penalised_result, penalised_solution
from .._fit.problem import Problem, Solution, maximize
from .._fit.result import FitResult
from .._fit.warmstart import eta_hessian, refine
from ..errors import DataError, FamilyError, ParameterError

__all__ = ["model", "fit_model", "Model"]

_SUBSAMPLE_ABOVE = 50_000
_SUBSAMPLE_ROWS = 20_000
_DIFF = ("auto", "analytic", "jax", "numeric")


class Model:
    """A log-likelihood function with named, domain-constrained parameters (see
    :func:`model`). Calling it calls the function; ``.fit(data=...)`` fits it."""

    _mlekit_model = True

    def __init__(self, fn: Callable[..., Any], domains: dict[str, Any], *,
                 grad: Callable[..., Any] | None = None, hess: Callable[..., Any] | None = None,
                 diff: str = "auto", name: str | None = None,
                 data_args: tuple[str, ...] | None = None) -> None:
        if not callable(fn):
            raise FamilyError(f"@mk.model decorates a function; got {type(fn).__name__}.")
        sig = inspect.signature(fn)
        args = []
        for p in sig.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise FamilyError(
                    f"{fn.__name__}: parameters must be named arguments; got *{p.name}. "
                    "Hint: list every parameter in the signature, e.g. def f(x, mu, sigma).")
            args.append(p.name)
        self.fn = fn
        self.args = tuple(args)
        self.name: str = name or str(getattr(fn, "__name__", "model"))
        self.defaults = {p.name: p.default for p in sig.parameters.values()
                         if p.default is not p.empty}
        unknown = [k for k in domains if k not in self.args]
        if unknown:
            raise ParameterError(
                f"{self.name}: domains were given for {', '.join(unknown)}, which "
                f"{'is' if len(unknown) == 1 else 'are'} not an argument of "
                f"{self.name}({', '.join(self.args)}).")
        self.domains = {k: as_domain(v, k) for k, v in domains.items()}
        if diff not in _DIFF:
            raise ParameterError(f"diff must be one of {', '.join(_DIFF)}; got {diff!r}.")
        if hess is not None and grad is None:
            raise ParameterError(f"{self.name}: hess= needs grad= as well.")
        self.grad, self.hess, self.diff = grad, hess, diff
        self.data_args = tuple(data_args) if data_args else None
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def fit(self, data: Any = None, **kwargs: Any) -> FitResult:
        return fit_model(self, data=data, **kwargs)

    def __repr__(self) -> str:
        doms = ", ".join(f"{k}={v!r}" for k, v in self.domains.items())
        return f"mk.model({self.name}({', '.join(self.args)}){'; ' + doms if doms else ''})"


def model(fn: Callable[..., Any] | None = None, /, *, grad: Callable[..., Any] | None = None,
          hess: Callable[..., Any] | None = None, diff: str = "auto", name: str | None = None,
          data_args: tuple[str, ...] | None = None, **domains: Any) -> Any:
    """Declare a custom log-likelihood. Use as ``@mk.model`` or ``@mk.model(sigma=mk.Positive)``.

    Parameters
    ----------
    fn
        The log-likelihood: the arguments that ``mk.fit(..., data=)`` provides are the data
        (see ``data_args``), the others are the parameters, by name.
    **domains
        ``name=domain`` for parameters that are not on the whole real line: ``mk.Positive``,
        ``mk.UnitInterval``, ``mk.Interval(a, b)`` (or ``"positive"``, ``(a, b)``).
    grad, hess
        Optional analytic derivatives, called like the function; ``grad`` returns one entry per
        parameter (in signature order, per observation or summed), ``hess`` a nested k x k list.
    diff
        ``"auto"`` (analytic if given, else JAX if the function uses ``jax``, else numerical),
        or force ``"analytic"``, ``"jax"`` or ``"numeric"``.
    data_args
        Which arguments are data when ``data=`` is a single array (default: the first).
    name
        The model's name in results and messages (default: the function's name).

    Returns
    -------
    Model
        The model (or, as ``@mk.model(...)`` with options, a decorator that makes one), to fit
        with ``mk.fit(model, data=...)``; calling it calls the function.

    Raises
    ------
    FamilyError
        ``fn`` is not a function, or takes ``*args``/``**kwargs`` (parameters must be named).
    ParameterError
        A domain for a name that is not an argument, an unknown ``diff``, ``hess`` without
        ``grad``.

    Examples
    --------
    >>> import numpy as np
    >>> import mlekit as mk
    >>> @mk.model(sigma=mk.Positive)
    ... def normal_ll(x, mu, sigma):
    ...     return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma)
    >>> res = mk.fit(normal_ll, data=np.array([1.2, 0.7, 2.3, 1.9, 1.1]))
    >>> round(res.params["mu"], 2)
    1.44
    """

    def wrap(f: Callable[..., Any]) -> Model:
        return Model(f, domains, grad=grad, hess=hess, diff=diff, name=name, data_args=data_args)

    return wrap(fn) if fn is not None else wrap


# ---------------------------------------------------------------------- data
def _as_array(v: Any, key: str) -> np.ndarray:
    """``v`` as the model's own read-only float copy: the caller changing their array after the
    fit does not change the result, and a model function cannot write into the caller's data."""
    arr = np.array(_as_float(v, key), dtype=float, copy=True)
    arr.flags.writeable = False
    return arr


def _as_float(v: Any, key: str) -> np.ndarray:
    if isinstance(v, (str, bytes)):
        raise DataError(f"data[{key!r}] must be numeric; got the text {v!r}.")
    if np.isscalar(v):
        try:
            # any scalar is tried: float() raises for the non-numeric ones (caught below)
            return np.asarray(float(v))  # type: ignore[arg-type]  # any scalar is tried; float() rejects the rest at run time
        except (TypeError, ValueError):
            raise DataError(f"data[{key!r}] must be numeric; got {v!r}.") from None
    if isinstance(v, np.ndarray) and v.dtype.kind in "fiub":   # numeric already: no scan
        return v.astype(float, copy=False)
    mod = type(v).__module__.split(".")[0]
    if mod in ("pandas", "polars", "pyarrow"):
        return as_float_array(v, f"data[{key!r}]")
    if any(isinstance(e, (str, bytes)) for e in np.asarray(v, dtype=object).ravel().tolist()):
        raise DataError(f"data[{key!r}] must be numeric; got text such as "
                        f"{np.asarray(v).ravel()[:2].tolist()!r}. Hint: convert it first.")
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"data[{key!r}] must be numeric; got values such as "
                        f"{np.asarray(v).ravel()[:2].tolist()!r}.") from None
    return arr


def resolve_data(m: Model, data: Any, nan_policy: str) -> tuple[dict[str, np.ndarray], int]:
    """The data as ``{argument: array}`` and the number of rows dropped for NaN."""
    if data is None:
        return {}, 0
    if isinstance(data, Mapping) or type(data).__name__ == "DataFrame":
        keys = [str(k) for k in (data.keys() if isinstance(data, Mapping) else data.columns)]
        if isinstance(data, Mapping):
            bad = [k for k in keys if k not in m.args]
            if bad:
                raise DataError(
                    f"data keys must be arguments of {m.name}({', '.join(m.args)}); got "
                    f"{', '.join(map(repr, bad))}. Hint: rename the key or the function's argument.")
            use = keys
        else:
            use = [k for k in keys if k in m.args]
            if not use:
                raise DataError(f"no column of the data frame ({', '.join(keys)}) is an argument of "
                                f"{m.name}({', '.join(m.args)}).")
        out = {k: _as_array(data[k], k) for k in use}
    else:
        names = m.data_args or m.args[:1]
        if len(names) != 1:
            raise DataError(f"{m.name} takes several data arguments ({', '.join(names)}); pass "
                            "data={...} with one array per argument.")
        out = {names[0]: _as_array(data, names[0])}
    dropped = 0
    nan = {k: np.isnan(v) for k, v in out.items() if np.isnan(v).any()}
    if nan:
        if nan_policy == "raise":
            k, mask = next(iter(nan.items()))
            i = int(np.flatnonzero(mask.ravel())[0])
            raise DataError(f"data[{k!r}] must not contain NaN; got {int(mask.sum())} (first at "
                            f"index {i}). Hint: pass nan_policy='omit' to drop those rows.")
        if nan_policy != "omit":
            raise ParameterError(f"nan_policy must be 'raise' or 'omit'; got {nan_policy!r}.")
        lens = {v.shape[0] for v in out.values() if v.ndim}
        if len(lens) != 1:
            raise DataError("nan_policy='omit' needs data arrays of one length; got lengths "
                            f"{sorted(lens)}.")
        bad_rows = np.zeros(lens.pop(), dtype=bool)
        for v in nan.values():
            bad_rows |= v.reshape(v.shape[0], -1).any(axis=1)
        out = {k: (v[~bad_rows] if v.ndim else v) for k, v in out.items()}
        for v in out.values():
            v.flags.writeable = False
        dropped = int(bad_rows.sum())
    return out, dropped


# argument names that are data, not parameters, unless given a domain (@mk.model(y=mk.Real))
DATA_NAMES = frozenset({"x", "y", "z", "t", "x1", "x2", "y1", "y2", "obs", "time", "times",
                        "count", "counts", "event", "events", "status", "trials", "observed",
                        "censored", "group", "groups", "covariate", "covariates", "response"})


def missing_data(m: Model, d: dict[str, np.ndarray], params: list[str]) -> list[str]:
    """Arguments that look like data the caller forgot (so they would silently become free
    parameters): declared data arguments, arguments named like data (``y``, ``t``, ...) and
    arguments placed before a data argument in the signature. A domain makes it a parameter."""
    if m.data_args:
        return [a for a in m.data_args if a not in d]
    if not d:
        return []
    last = max(m.args.index(k) for k in d)
    return [a for a in params if a not in m.domains and a not in m.defaults
            and (a in DATA_NAMES or m.args.index(a) < last)]


def _n_rows(data: dict[str, np.ndarray]) -> tuple[int, bool]:
    """Number of observations and whether all arrays share one first dimension."""
    lens = [v.shape[0] for v in data.values() if v.ndim]
    if not lens:
        return 1, False
    if len(set(lens)) == 1:
        return lens[0], True
    return sum(lens), False


def _fmt(v: float) -> str:
    return f"{v:.6g}"


# ---------------------------------------------------------------------- fitting
def fit_model(m: Model, *, data: Any = None, fixed: dict[str, float] | None = None,
              start: dict[str, float] | None = None, weights: Any = None,
              nan_policy: str = "raise", strict: bool = False, cov: str = "observed",
              maxiter: int = 200, diff: str | None = None, n_starts: int = 6,
              penalty: Any = None, prior: Any = None, **extra: Any) -> FitResult:
    """Fit a :class:`Model` by maximum likelihood (called by ``mk.fit(model, data=...)``);
    ``penalty=``/``prior=``: a penalised or MAP fit (:mod:`mlekit._fit.penalty`)."""
    pen = make_penalty(penalty, prior)
    extra = {k: v for k, v in extra.items() if v is not None}
    if extra:
        raise ParameterError(f"fit() of a custom model got unsupported arguments: "
                             f"{', '.join(extra)}.")
    if cov not in ("observed", "sandwich"):
        raise ParameterError(f"cov must be 'observed' or 'sandwich'; got {cov!r}.")
    if data is None and any(a not in m.domains and a not in m.defaults for a in m.args):
        raise DataError(f"{m.name} is fitted to data: pass data={{...}} (or a data frame) with "
                        f"its data arguments; got none, so {', '.join(m.args)} would all be "
                        "estimated.")
    d, dropped = resolve_data(m, data, nan_policy)
    if any(v.ndim and v.shape[0] == 0 for v in d.values()) or (data is not None and not d):
        raise DataError(f"{m.name}: the data must contain at least one observation; got none.")
    params = [a for a in m.args if a not in d]
    missing = missing_data(m, d, params)
    if missing:
        rest = [p for p in params if p not in missing]
        raise DataError(
            f"data has no {' or '.join(map(repr, missing))}; parameters are {', '.join(rest)}. "
            f"Hint: add {missing[0]!r} to data=, or, if {missing[0]} is a parameter, give it a "
            f"domain: @mk.model({missing[0]}=mk.Real).")
    if not params:
        raise ParameterError(f"{m.name}: every argument ({', '.join(m.args)}) was given as data; "
                             "none is left to estimate.")
    clash = [p for p in m.domains if p in d]
    if clash:
        raise ParameterError(f"{m.name}: {', '.join(clash)} has a parameter domain but was given "
                             "as data.")
    doms = [m.domains.get(p, Real) for p in params]
    fixed_d = _check_values(m, params, doms, fixed, "fixed")
    start_d = _check_values(m, params, doms, start, "start")
    n, same_len = _n_rows(d)
    w = None
    if weights is not None:
        w = as_float_array(weights, "weights")
        if w.shape[0] != n or not same_len:
            raise DataError(f"weights must have one entry per observation ({n}); got {w.shape[0]}.")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise DataError("weights must be finite and non-negative; got "
                            f"{int((~np.isfinite(w) | (w < 0)).sum())} bad entries.")
    ev = _Evaluator(m, d, params, w, n)
    guess = {p: default_start(dm) for p, dm in zip(params, doms)}
    for p in params:
        if p in m.defaults and isinstance(m.defaults[p], (int, float)):
            guess[p] = float(m.defaults[p])
    guess.update(start_d)
    guess.update(fixed_d)
    ev.check_output(tuple(guess[p] for p in params))
    kind = _diff_kind(m, diff)
    prob = ev.problem(doms, fixed_d, kind)
    cands = _candidates(d, params, doms)
    given = {p: v for p, v in guess.items() if p in start_d or p in m.defaults}
    value_for_grid = ev.value
    sub = None
    if kind not in ("jax",) and ev.per_obs and same_len and n > _SUBSAMPLE_ABOVE:
        sub = ev.subsample(_SUBSAMPLE_ROWS)
        value_for_grid = sub.value
    starts = [guess] if len(given) == len(params) - len(fixed_d) else []
    starts += grid_starts(params, doms, fixed_d, given, cands, value_for_grid)
    if given:  # data-driven starts that ignore the user's guesses, for restarts
        starts += grid_starts(params, doms, fixed_d, {}, cands, value_for_grid)[:2]
    scales = None
    sol = None
    if sub is not None:
        sp = sub.problem(doms, fixed_d, kind)
        sol0 = maximize(sp, starts, maxiter=maxiter, n_starts=n_starts, kind=kind)
        if sol0.converged:
            starts = [sol0.params, *starts]
            scales = sol0.scales * math.sqrt(sub.n / n)
            if kind == "numeric" and pen is None:
                # the subsample's Hessian, scaled to all the data, drives cheap gradient steps
                ratio = (float(w.sum()) / float(sub.w.sum()) if w is not None and sub.w is not None
                         and sub.w.sum() > 0 else n / sub.n)
                sol = refine(prob, prob.eta(sol0.params), eta_hessian(sp, sol0) * ratio)
    plain = prob
    if pen is not None:
        prob = penalise_problem(prob, pen)
    if sol is None:
        sol = maximize(prob, starts, maxiter=maxiter, n_starts=n_starts, kind=kind, scales=scales)
    if pen is not None:
        lls = penalised_solution(sol, plain, pen)
    res = model_result(m.name, sol, prob, n_obs=float(w.sum()) if w is not None else float(n),
                       strict=strict, cov=cov, ev=ev, dropped=dropped, options={"model": m})
    return res if pen is None else penalised_result(res, *lls, pen)


def _check_values(m: Model, params: list[str], doms: list[Domain], values: Any,
                  what: str) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParameterError(f"{what} must be a dict such as {{'{params[0]}': 1.0}}; got {values!r}.")
    out = {}
    for k, v in values.items():
        if k not in params:
            raise ParameterError(f"{what} names a parameter of {m.name} ({', '.join(params)}); "
                                 f"got {k!r}.")
        try:
            fv = float(v)
        except (TypeError, ValueError):
            raise ParameterError(f"{what} of {k} must be a number; got {v!r}.") from None
        dom = doms[params.index(k)]
        if not dom.contains(fv):
            raise ParameterError(f"{what} of {k} must lie in {dom.describe()}; got {fv!r}.")
        out[k] = fv
    return out


def _diff_kind(m: Model, diff: str | None) -> str:
    kind = diff or m.diff
    if kind not in _DIFF:
        raise ParameterError(f"diff must be one of {', '.join(_DIFF)}; got {kind!r}.")
    if kind == "auto":
        if m.grad is not None:
            return "analytic" if m.hess is not None else "gradient"
        from .._core.jaxdiff import jax_available, uses_jax

        return "jax" if uses_jax(m.fn) and jax_available() else "numeric"
    if kind == "analytic":
        if m.grad is None:
            raise ParameterError(f"{m.name}: diff='analytic' needs grad= (and hess=) in @mk.model.")
        return "analytic" if m.hess is not None else "gradient"
    return kind


def _candidates(d: dict[str, np.ndarray], params: list[str], doms: list[Domain]
                ) -> dict[str, list[float]]:
    """Data-driven candidate starting values per parameter (by domain)."""
    stats = []
    for v in d.values():
        if v.ndim == 1 and v.size > 1:
            f = v[:: v.size // 100_000] if v.size > 100_000 else v
            f = f[np.isfinite(f)]
            if f.size > 1:
                stats.append((float(np.mean(f)), float(np.median(f)), float(np.std(f)),
                              float(np.mean(np.abs(f)))))
    out: dict[str, list[float]] = {}
    for p, dm in zip(params, doms):
        c = [default_start(dm)]
        for mean, med, sd, mabs in stats:
            if dm.kind == "real":
                c += [mean, med]
            elif dm.kind == "lower" and dm.lower == 0:
                c += [x for x in (sd, mabs) if x > 0]
        out[p] = [x for x in dict.fromkeys(c) if math.isfinite(x) and dm.contains(x)]
    return out


class _Evaluator:
    """Calls the user's function with data and parameters, and sums its output."""

    def __init__(self, m: Model, d: dict[str, np.ndarray], params: list[str],
                 w: np.ndarray | None, n: int) -> None:
        self.m, self.d, self.params, self.w, self.n = m, d, params, w, n
        self.per_obs = False

    def call(self, th: tuple[float, ...], fn: Callable[..., Any] | None = None) -> Any:
        return (fn or self.m.fn)(**self.d, **dict(zip(self.params, th)))

    def check_output(self, th: tuple[float, ...]) -> None:
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(self.call(th), dtype=float)
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError,
                RecursionError) as exc:
            hint = (". Hint: the data are read-only (the fit keeps its own copy); compute on a "
                    "copy (e.g. x = x - mu, not x -= mu)" if "read-only" in str(exc) else "")
            raise ParameterError(f"calling {self.reproducer(dict(zip(self.params, th)))} raised "
                                 f"{type(exc).__name__}: {exc}{hint}") from exc
        if out.ndim == 0:
            self.per_obs = False
        elif out.shape == (self.n,):
            self.per_obs = True
        else:
            raise ParameterError(
                f"{self.m.name} must return the log-likelihood of each observation (shape "
                f"({self.n},)) or the total (a scalar); got shape {out.shape}. Hint: check the "
                "broadcasting of the data arrays.")
        if self.w is not None and not self.per_obs:
            raise DataError(f"weights need {self.m.name} to return one value per observation; "
                            "it returns a total.")
        with np.errstate(all="ignore"):
            total = float(out.sum())
        # a finite (or -inf) sum means no NaN and no +inf: the element-wise check only then
        bad = (np.zeros(out.shape, dtype=bool) if math.isfinite(total) or total == -math.inf
               else ~np.isfinite(out) & ~np.isneginf(out))
        if bad.any():
            params = dict(zip(self.params, th))
            first = f" (first at index {int(np.flatnonzero(bad.ravel())[0])})" if out.ndim else ""
            raise ParameterError(
                f"{self.m.name} must return finite log-likelihoods at the starting values; got "
                f"{int(bad.sum())} NaN/inf value{'s' if bad.sum() > 1 else ''}{first} at "
                f"{', '.join(f'{k}={_fmt(v)}' for k, v in params.items())}. Reproduce: "
                f"{self.reproducer(params)}. Hint: pass start={{...}}, or declare domains "
                "(e.g. sigma=mk.Positive) so invalid values are never tried.")

    def _total(self, out: Any) -> float:
        a = np.asarray(out, dtype=float)
        if self.w is not None:
            return float(np.dot(self.w, a))
        return float(a.sum())

    def value(self, th: tuple[float, ...]) -> float:
        return self._total(self.call(th))

    def reproducer(self, params: dict[str, float]) -> str:
        if len(self.d) == 1 and self.m.args and next(iter(self.d)) == self.m.args[0]:
            dpart = ["data"]
        else:
            dpart = [f"{k}=data[{k!r}]" for k in self.d]
        pp = [f"{k}={_fmt(v)}" for k, v in params.items() if k in self.params]
        return f"{self.m.name}({', '.join(dpart + pp)})"

    def subsample(self, rows: int) -> _Evaluator:
        idx = np.sort(np.random.default_rng(0).choice(self.n, rows, replace=False))
        sub = _Evaluator(self.m, {k: v[idx] for k, v in self.d.items()}, self.params,
                         None if self.w is None else self.w[idx], rows)
        sub.per_obs = self.per_obs
        return sub

    def problem(self, doms: list[Domain], fixed: dict[str, float], kind: str) -> Problem:
        k = len(self.params)
        prob = Problem(list(self.params), list(doms), dict(fixed), self.value,
                       label=self.m.name, reproducer=self.reproducer)
        m = self.m
        if kind == "analytic":
            def derivs(th: tuple[float, ...], order: int) -> tuple[float, np.ndarray, np.ndarray]:
                f = self.value(th)
                g = np.array([self._total(gi) for gi in self.call(th, m.grad)])
                H = np.zeros((k, k))
                if order >= 2:
                    hh = self.call(th, m.hess)
                    H = np.array([[self._total(hh[i][j]) for j in range(k)] for i in range(k)])
                return f, g, H
            prob.derivs = derivs
        elif kind == "gradient":
            prob.grad = lambda th: np.array([self._total(gi) for gi in self.call(th, m.grad)])
        elif kind == "jax":
            from .._core.jaxdiff import JaxDerivs

            free = prob.free
            jd = JaxDerivs(m.fn, self.d, self.params, free, fixed, self.w, self.per_obs)
            self.jax = jd

            def jderivs(th: tuple[float, ...], order: int) -> tuple[float, np.ndarray, np.ndarray]:
                v = np.array([th[i] for i in free])
                f, gf, Hf = jd(v, order)
                g = np.zeros(k)
                H = np.zeros((k, k))
                g[free] = gf
                H[np.ix_(free, free)] = Hf
                return f, g, H
            prob.derivs = jderivs
            prob.value = lambda th: jderivs(th, 0)[0]
        return prob

    def scores(self, prob: Problem, sol: Solution) -> np.ndarray:
        """Per-observation scores ``(n, k_free)`` in natural units (for sandwich covariances)."""
        free = prob.free
        th = tuple(sol.params[p] for p in self.params)
        if hasattr(self, "jax"):
            return self.jax.scores(np.array([th[i] for i in free]))
        if self.m.grad is not None:
            gs = self.call(th, self.m.grad)
            return np.column_stack([np.broadcast_to(np.asarray(gs[i], float), (self.n,))
                                    for i in free])
        out = np.zeros((self.n, len(free)))
        for j, i in enumerate(free):
            dom = prob.domains[i]
            e = float(dom.to_unconstrained(th[i]))
            h = 0.05 * sol.scales[j]

            def at(de: float, i: int = i, e: float = e, dom: Domain = dom) -> np.ndarray:
                t = list(th)
                t[i] = float(dom.from_unconstrained(e + de))
                return np.asarray(self.call(tuple(t)), dtype=float)

            d = (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h)
            out[:, j] = d / float(dom.jacobian(e)[0])
        return out
