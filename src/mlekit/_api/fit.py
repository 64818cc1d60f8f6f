"""``mk.fit``: the router. One ordered route table sends a call to the estimator that serves it:

==================  ======================================  ===========================================
route               taken when                              estimator
==================  ======================================  ===========================================
custom model        ``x`` is a ``@mk.model``                :func:`mlekit._models.custom.fit_model`
grouped             ``by=`` is given                        :func:`mlekit._scale.grouped.fit.fit_grouped`
Dask                ``x`` is a Dask collection, or          :func:`mlekit._scale.dask.fit_dask`
                    ``backend="dask"``
streamed source     ``x`` is a file/SQL source              :func:`mlekit._scale.stream.fit_source`
in memory           anything else                           :func:`mlekit._fit.family_fit.fit_family`
==================  ======================================  ===========================================

The options are checked once here (:class:`FitOptions`); each estimator module is imported only
when its route is taken, so ``import mlekit`` stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from numpy import ndarray as _ndarray

from .._core.checks import arithmetic_guard, is_arithmetic
from ..errors import DataError, ParameterError
from .options import FitOptions

if TYPE_CHECKING:
    from .._fit.result import FitResult
    from .._scale.grouped.result import GroupedResult

__all__ = ["fit", "ROUTES"]

_STREAM_OPTIONS = ("quiet", "progress")


# ---------------------------------------------------------------------------- routes
def _is_model(x: Any, opts: FitOptions) -> bool:
    return bool(getattr(x, "_mlekit_model", False))


def _is_grouped(x: Any, opts: FitOptions) -> bool:
    return opts.by is not None


def _is_dask(x: Any, opts: FitOptions) -> bool:
    return type(x).__module__.split(".")[0] == "dask" or opts.backend == "dask"


def _is_source(x: Any, opts: FitOptions) -> bool:
    return bool(getattr(x, "_mlekit_source", False))


def _always(x: Any, opts: FitOptions) -> bool:
    return True


def _extra_with_method(opts: FitOptions) -> dict[str, Any]:
    """Route-specific options; ``method`` counts as one on routes that have no choice of it."""
    extra = dict(opts.extra)
    if opts.method != "auto":
        extra["method"] = opts.method
    return extra


def _unexpected(names: Any, allowed: tuple[str, ...] = ()) -> ParameterError:
    """The error for keywords fit() does not take, naming the one meant (``nan=`` ->
    ``nan_policy=``, ``seed=`` -> ``rng=``...)."""
    from .._core.keywords import keywords_of, unexpected_keywords

    return unexpected_keywords("fit", list(names), [*keywords_of(fit), *allowed])


def _one_data(x: Any, data: Any) -> Any:
    if x is None:
        return data
    if data is not None:
        raise DataError("give the data once: as the first argument or as data=, not both.")
    return x


def _need_family(family: Any, example: str, hint: str = "") -> None:
    if family is None:
        raise ParameterError(f"fit needs a family, e.g. {example}; got none.{hint}")


def _fit_model(x: Any, family: Any, data: Any, opts: FitOptions) -> Any:
    from .._models.custom import fit_model

    # the model's own checks (it is also fitted directly by Model.fit) report what it rejects
    extra = _extra_with_method(opts)
    if opts.by is not None:
        extra["by"] = opts.by
    if opts.backend is not None:
        extra["backend"] = opts.backend
    if opts.penalty is not None or opts.prior is not None:
        extra["penalty"] = opts.penalty_spec()
    return fit_model(x, data=data, weights=opts.weights, nan_policy=opts.nan_policy,
                     **opts.estimator_kwargs(), **extra)


def _fit_grouped(x: Any, family: Any, data: Any, opts: FitOptions) -> Any:
    from .._scale.grouped.fit import fit_grouped

    extra = _extra_with_method(opts)
    if extra:
        raise _unexpected(extra)
    if opts.backend not in (None, "numpy"):
        raise ParameterError(
            f"grouped fits run in memory with NumPy; got backend={opts.backend!r}. Hint: compute the "
            "value and group columns (e.g. ddf[['x', 'g']].compute()) and fit those.")
    x = _one_data(x, data)
    _need_family(family, "mk.fit(x, 'weibull', by=g)")
    opts.check_nan_policy()
    return fit_grouped(x, family, by=opts.by, weights=opts.weights, nan_policy=opts.nan_policy,
                       penalty=opts.penalty_spec(), **opts.estimator_kwargs())


def _fit_dask(x: Any, family: Any, data: Any, opts: FitOptions) -> Any:
    from .._scale.dask import fit_dask

    extra = _extra_with_method(opts)
    bad = [k for k in extra if k not in _STREAM_OPTIONS]
    if bad:
        raise _unexpected(bad, _STREAM_OPTIONS)
    x = _one_data(x, data)
    if opts.weights is not None:
        raise ParameterError("with backend='dask', weights come from a source column: "
                             "mk.read_parquet(..., weights='w').")
    _need_family(family, "mk.fit(x, 'weibull')")
    opts.check_nan_policy()
    return fit_dask(x, family, nan_policy=opts.nan_policy, penalty=opts.penalty_spec(),
                    **opts.estimator_kwargs(), **opts.route_extra(_STREAM_OPTIONS))


def _fit_source(x: Any, family: Any, data: Any, opts: FitOptions) -> Any:
    from .._scale.stream import fit_source

    extra = _extra_with_method(opts)
    bad = [k for k in extra if k not in _STREAM_OPTIONS]
    if bad:
        raise _unexpected(bad, _STREAM_OPTIONS)
    opts.check_backend()
    if data is not None or opts.weights is not None:
        raise ParameterError("with a file or SQL source, weights come from a column: "
                             "read_parquet(..., weights='w'); data= and weights= are not used.")
    _need_family(family, "mk.fit(source, 'gamma')")
    opts.check_nan_policy()
    return fit_source(x, family, nan_policy=opts.nan_policy, penalty=opts.penalty_spec(),
                      **opts.estimator_kwargs(), **opts.route_extra(_STREAM_OPTIONS))


_MEMORY: tuple[Any, Any, Any] | None = None


def _memory_estimator() -> tuple[Any, Any, Any]:
    """``(get_family, as_data, fit_family)``, imported on the first in-memory fit (an import
    statement in the function costs ~3 µs a call: a tenth of a small fit)."""
    global _MEMORY
    if _MEMORY is None:
        from .._data.data import as_data
        from .._families.base import get_family
        from .._fit.family_fit import fit_family

        _MEMORY = (get_family, as_data, fit_family)
    return _MEMORY


def _fit_memory(x: Any, family: Any, data: Any, opts: FitOptions) -> Any:
    get_family, as_data, fit_family = _MEMORY or _memory_estimator()
    opts.check_backend()
    extra = dict(opts.extra)
    trials = extra.pop("trials", None)   # binomial-type counts: mk.fit(k, "beta_binomial", trials=n)
    if extra:
        raise _unexpected(extra)
    x = _one_data(x, data)
    _need_family(family, "mk.fit(x, 'normal')",
                 " Hint: mk.compare(x, 'all') tries every family that fits.")
    fam = get_family(family)
    weights = opts.weights
    if trials is not None:
        from .._data.data import Data

        if isinstance(x, Data):
            raise DataError("trials were given twice: in Data(...) and in fit(...); give them once.")
        x = Data(x, weights=weights, trials=trials, nan_policy=opts.nan_policy)
        weights = None
    dat = as_data(x, weights=weights, nan_policy=opts.nan_policy)
    return fit_family(fam, dat, method=opts.method, penalty=opts.penalty_spec(),
                      **opts.estimator_kwargs())


# per family name: the quick lane that serves mk.fit(x, name) for a plain array with default
# options (a function of x returning the result, or None when it cannot decide)
_LANES: dict[str, Callable[[Any], FitResult | None]] = {}


def _no_lane(x: Any) -> None:
    return None


def _quick_lane(family: Any, x: Any) -> Callable[[Any], FitResult | None]:
    """The quick lane of ``family``: closed forms (``_fit/quick.py``), else the families fitted
    by their own iteration (``_fit/quickiter.py``), else none (the routes serve every call);
    kept per family name (a family object's is not built for values no lane takes)."""
    from .._fit import quick, quickiter

    if not isinstance(family, str) and not quick.plain_array(x):
        return _no_lane
    lane = quick.runner(family) or quickiter.runner(family) or _no_lane
    if isinstance(family, str):
        _LANES[family] = lane
    return lane


Route = tuple[str, Callable[[Any, FitOptions], bool], Callable[[Any, Any, Any, FitOptions], Any]]

#: The routes of ``mk.fit``, tried in order: the first whose test passes serves the call.
ROUTES: tuple[Route, ...] = (
    ("custom model", _is_model, _fit_model),
    ("grouped", _is_grouped, _fit_grouped),
    ("dask", _is_dask, _fit_dask),
    ("streamed source", _is_source, _fit_source),
    ("in memory", _always, _fit_memory),
)


# ---------------------------------------------------------------------------- fit
@overload
def fit(x: Any = ..., family: Any = ..., *, data: Any = ..., fixed: dict[str, float] | None = ...,
        start: dict[str, float] | None = ..., weights: Any = ..., nan_policy: str = ...,
        strict: bool = ..., cov: str = ..., maxiter: int = ..., method: str = ...,
        by: None = ..., backend: str | None = ...,
        penalty: Any = ..., prior: Any = ..., **kwargs: Any) -> FitResult: ...


@overload
def fit(x: Any = ..., family: Any = ..., *, data: Any = ..., fixed: dict[str, float] | None = ...,
        start: dict[str, float] | None = ..., weights: Any = ..., nan_policy: str = ...,
        strict: bool = ..., cov: str = ..., maxiter: int = ..., method: str = ...,
        by: Any, backend: str | None = ...,
        penalty: Any = ..., prior: Any = ..., **kwargs: Any) -> GroupedResult: ...


def fit(
    x: Any = None,
    family: Any = None,
    *,
    data: Any = None,
    fixed: dict[str, float] | None = None,
    start: dict[str, float] | None = None,
    weights: Any = None,
    nan_policy: str = "raise",
    strict: bool = False,
    cov: str = "observed",
    maxiter: int = 200,
    method: str = "auto",
    by: Any = None,
    backend: str | None = None,
    penalty: Any = None,
    prior: Any = None,
    **kwargs: Any,
) -> FitResult | GroupedResult:
    """Fit a model by maximum likelihood.

    Parameters
    ----------
    x
        The data (list, array, Series, Arrow array, or :class:`mlekit.Data` for censoring,
        weights and truncation) — or a custom model made with :func:`mlekit.model`, in which
        case the data go in ``data=``.
    family
        A family name (``"weibull"``) or object (``mk.Weibull()``).
    data
        The data of a custom model (a dict of arrays, a DataFrame, or one array).
    fixed
        Parameters held at known values (excluded from ``n_params``).
    start
        Starting guesses for the optimiser — never constraints.
    weights
        Frequency weights (or give them to ``Data``).
    nan_policy
        ``"raise"`` (default) or ``"omit"``.
    strict
        Raise :class:`ConvergenceError` instead of warning when the fit is not clean
        (non-convergence, boundary estimate, singular information).
    cov
        ``"observed"`` (inverse observed information) or ``"sandwich"`` (robust).
    maxiter
        Newton iterations at most.
    method
        ``"auto"`` (closed form when one exists, else Newton) or ``"newton"`` (always iterate:
        a check on the closed forms).
    by
        Group labels (array, Series, or several keys): one fit per group, in one call.
    backend
        ``"dask"`` to compute on the Dask cluster the current client points to.
    penalty
        ``"firth"`` (Jeffreys' prior as a penalty: finite, less biased estimates from few data;
        for binomial/Poisson/logistic it is Firth's bias reduction) or a function
        ``fn(params_dict) -> log-penalty``. ``res.method`` then reads ``"penalised (firth)"``;
        ``res.loglik`` stays the plain log-likelihood, ``res.penalised_loglik`` adds the penalty.
        See :mod:`mlekit._fit.penalty`. In-memory, custom-model and grouped fits (each group
        penalised as ``mk.fit(group, penalty=...)``); streamed and Dask fits take priors and
        callable penalties (Firth only when the data are small enough to be fitted in memory).
    prior
        ``{name: mk.priors.X(...)}``: a maximum a posteriori fit (``res.method == "map"``). The
        priors are densities on the parameters' natural scale (``jacobian=True`` on a prior: on
        the unconstrained scale).
    **kwargs
        Options of one route: ``quiet=``/``progress=`` (streamed and Dask fits), ``diff=``,
        ``n_starts=`` (custom models).

    Returns
    -------
    FitResult
        One fit; with ``by=``, a :class:`GroupedResult` (one fit per group).

    Raises
    ------
    ParameterError
        No family, an unknown option or family name, an option the route does not take
        (e.g. ``weights=`` with a file source), a bad ``cov``/``backend``/``fixed``/``start``.
    DataError
        Data that cannot be fitted: missing values with ``nan_policy="raise"``, values outside
        the family's support, the data given twice, too few observations.
    ConvergenceError
        With ``strict=True``, a fit that is not clean (the warning otherwise).

    Examples
    --------
    >>> import mlekit as mk
    >>> res = mk.fit([2.1, 3.4, 1.9, 5.6, 4.2, 3.3], "weibull")
    >>> sorted(res.params)
    ['scale', 'shape']
    >>> d = mk.Data([2.1, 3.4, 5.0], observed=[True, True, False])   # 5.0 right-censored
    >>> mk.fit(d, "exponential").converged
    True
    """
    if (type(x) is _ndarray and data is None and not kwargs and fixed is None and start is None
            and weights is None and by is None and backend is None and penalty is None
            and prior is None and nan_policy == "raise" and strict is False and cov == "observed"
            and maxiter == 200 and method == "auto" and family is not None):
        # the quick lanes: a closed form or a family's own iteration on a plain array with
        # default options (None: they cannot decide, and the routes below serve the call)
        try:
            try:
                lane = _LANES[family]
            except (KeyError, TypeError):   # not seen yet, or a family object
                lane = _quick_lane(family, x)
            res = lane(x)
        except Exception as exc:   # an under-/overflow: the general path decides what to say
            if not is_arithmetic(exc):
                raise
            res = None
        if res is not None:
            return res
    opts = FitOptions(fixed=fixed, start=start, weights=weights, nan_policy=nan_policy,
                      strict=strict, cov=cov, maxiter=maxiter, method=method, backend=backend,
                      by=by, penalty=penalty, prior=prior, extra=kwargs)
    for _name, applies, run in ROUTES:
        if applies(x, opts):
            with arithmetic_guard():
                return run(x, family, data, opts)
    raise AssertionError("unreachable: the last route takes every call")  # pragma: no cover
