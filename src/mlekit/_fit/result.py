"""``FitResult``: an immutable record of one maximum-likelihood fit.

A result may be built *deferred* (:meth:`FitResult._deferred`): the estimates, log-likelihood
and counts are set, and the fields that only inference and printing read — ``dist``, ``se``,
``cov``, ``cov_type``, ``diagnostics``, ``likelihood`` — are computed together on the first
access to any of them and cached. From the outside the two kinds are the same object:
immutable, every field readable, and copying, pickling and ``dataclasses.replace`` materialise
the deferred fields first (so a copy or a pickle is always a complete result).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._core.checks import check_level
from .._core.docs import fill_doc

if TYPE_CHECKING:
    from .._data.data import Data
    from .._families.base import Family
    from .likelihood import Likelihood
    from .summary import Summary

__all__ = ["FitResult", "Diagnostic", "HtmlReport"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a fit. ``severity`` is ``"info"`` or ``"warning"``."""

    code: str
    message: str
    severity: str = "warning"
    param: str | None = None

    def __str__(self) -> str:
        return self.message


#: the docstring of the interval methods at a point (``quantile``, ``sf``, ``cdf``, ``hazard``)
_AT_DOC = """{summary} with SE and interval.

Parameters
----------
{arg}
    {what} (a number or an array).
method
    ``"delta"`` (default), ``"profile"`` or ``"bootstrap"`` (its options as in
    :meth:`ci`).
level
    Confidence level of the interval.
**kwargs
    Options of the interval method.

Returns
-------
Derived
    ``estimate``, ``se``, ``ci``, ``method`` (arrays for an array argument).
"""

#: the ``level`` and ``method`` entries of the ``ci`` docstrings (``FitResult``, ``GroupedResult``)
CI_LEVEL_METHOD = """level
    Confidence level, in (0, 1).
method
    ``"wald"``, ``"wald-log"``, ``"profile"`` or ``"bootstrap"``."""


class HtmlReport:
    """The ``report()`` method of a fit and of a comparison (one HTML writer for both)."""

    def report(self, path: Any = None, **options: Any) -> str:
        """A self-contained HTML report, written to ``path`` when given; returns the HTML. Of a
        fit: data, estimates, intervals, GOF, plots, warnings and how to reproduce it; of a
        comparison: the ranking, and that report of its best fit. Options: see
        :func:`mlekit.plot.report` (``derived=["mean", ("quantile", 0.1)]``, ``ci=``...).

        Parameters
        ----------
        path
            File to write the HTML to (default: not written).
        **options
            Options of :func:`mlekit.plot.report`.
        """
        from ..plot import report

        return report(self, path, **options)


@dataclass(frozen=True, eq=False)
class FitResult(HtmlReport):
    """The result of :func:`mlekit.fit`.

    ``params``, ``se``: dicts keyed by parameter name (natural scale). ``cov``: covariance over
    all parameters in ``param_names`` order (rows/columns of fixed parameters are 0).
    ``loglik`` includes every constant. ``n_obs`` is the (weighted) number of observations;
    ``n_params`` the number of estimated parameters. For a penalised or MAP fit
    (``penalty=``/``prior=``) ``loglik`` — and with it AIC, AICc and BIC — is the plain
    log-likelihood at the penalised estimate; ``penalised_loglik`` adds the penalty/log prior.
    """

    family: str
    dist: Family
    params: dict[str, float]
    se: dict[str, float]
    cov: NDArray[np.float64]
    loglik: float
    n_obs: float
    n_params: int
    converged: bool
    method: str
    iterations: int = 0
    grad_norm: float = 0.0
    cov_type: str = "observed"
    fixed: dict[str, float] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    data: Data | None = field(default=None, repr=False)
    likelihood: Likelihood | None = field(default=None, repr=False)
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    #: ``loglik`` plus the penalty or log-prior of a penalised / MAP fit (``nan`` for a plain fit);
    #: ``loglik``, AIC and BIC are always the plain log-likelihood's
    penalised_loglik: float = math.nan
    # injected by the estimator that built this result (statsmodels' ``results.model``):
    # ``_refit(data, fixed=..., start=...)`` fits the same model to other data / with other
    # fixed values, so inference never imports an estimator. ``None``: cannot be refitted.
    _refit: Callable[..., FitResult] | None = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------------ fast construction
    @classmethod
    def _build(cls, values: dict[str, Any]) -> FitResult:
        """A result built without the dataclass ``__init__`` (one dict update instead of a
        frozen ``__setattr__`` per field: small fits are latency-bound). ``values`` names every
        field without a default; the others take their defaults. The same object as
        ``FitResult(**values)``."""
        obj = object.__new__(cls)
        d = obj.__dict__
        d.update(_DEFAULTS)
        for name, factory in _FACTORIES:
            d[name] = factory()
        d.update(values)
        return obj

    @classmethod
    def _deferred(cls, values: dict[str, Any], complete: Callable[[], dict[str, Any]]
                  ) -> FitResult:
        """A result whose :data:`DEFERRED` fields are computed on first access: ``values``
        names every other field without a default; ``complete()`` returns the values of every
        field (those of ``values`` equal to them), and is called at most once."""
        obj = object.__new__(cls)
        d = obj.__dict__
        d.update(_EAGER_DEFAULTS)
        d["fixed"] = {}           # the fields with a default factory (tests/test_quick_lane.py
        d["options"] = {}         # checks that a deferred result ends with every field)
        d.update(values)
        d["_complete"] = complete
        return obj

    def _materialise(self) -> dict[str, Any]:
        """Compute the deferred fields (once; a no-op for a complete result) and return the
        instance dict."""
        d = self.__dict__
        if "_complete" in d:
            with _MATERIALISE:
                complete = d.get("_complete")
                if complete is not None:   # not done meanwhile by another thread
                    values = complete()
                    for name in DEFERRED:
                        if name not in d:
                            d[name] = values[name]
                    del d["_complete"]
        return d

    def __getstate__(self) -> dict[str, Any]:
        # copy, deepcopy and pickle see a complete result (the recipe is a closure)
        return dict(self._materialise())

    # ------------------------------------------------------------------ criteria
    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(self.params)

    @property
    def free_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p not in self.fixed)

    @property
    def nll(self) -> float:
        """Negative log-likelihood (the quantity minimised)."""
        return -self.loglik

    @property
    def aic(self) -> float:
        return 2.0 * self.n_params - 2.0 * self.loglik

    @property
    def bic(self) -> float:
        return self.n_params * math.log(self.n_obs) - 2.0 * self.loglik

    @property
    def aicc(self) -> float:
        k, n = self.n_params, self.n_obs
        if n - k - 1 <= 0:
            return math.inf
        return self.aic + 2.0 * k * (k + 1) / (n - k - 1)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def on_boundary(self) -> list[str]:
        return [d.param for d in self.diagnostics if d.code == "boundary" and d.param]

    # ------------------------------------------------------------------ inference
    @fill_doc(level_method=CI_LEVEL_METHOD)
    def ci(self, level: float = 0.95, method: str = "wald", **kwargs: Any) -> dict[str, tuple[float, float]]:
        """Confidence intervals ``{name: (lo, hi)}``.

        ``method``: ``"wald"`` (estimate ± z·SE on the natural scale), ``"wald-log"`` (Wald on
        the log scale for positive parameters; intervals never cross 0), ``"profile"``
        (profile likelihood; option ``params=``) or ``"bootstrap"`` (options ``n_boot=2000``,
        ``kind="parametric" | "nonparametric"``, ``interval="percentile" | "basic" | "bca" |
        "studentised"`` — ``kind="bca"`` is short for ``interval="bca"`` —, ``rng=``,
        ``quiet=``, ``params=``). See ``docs/inference.md``.

        Parameters
        ----------
        {level_method}
        **kwargs
            Options of the method (above).

        Raises
        ------
        ParameterError
            An unknown method or option, or a level outside (0, 1).

        Examples
        --------
        >>> res = mk.fit(mk.Weibull(shape=1.5, scale=2.0).sample(200, rng=1), "weibull")
        >>> lo, hi = res.ci(method="profile")["shape"]
        """
        from .._inference.wald import confidence_intervals

        return confidence_intervals(self, check_level(level), method, **kwargs)

    def profile(self, param: str, *, n: int = 41, level: float = 0.99,
                bounds: tuple[float, float] | None = None) -> Any:
        """The profile log-likelihood of ``param`` as data (a :class:`Profile`: ``values``,
        ``loglik``, ``deviance``, ``z``, ``to_frame()``), on ``n`` points spanning the
        ``level`` profile interval or ``bounds``.

        Parameters
        ----------
        param
            The parameter's name.
        n
            Number of points.
        level
            The profile interval the points span (unless ``bounds``).
        bounds
            ``(lo, hi)``: the range of ``param`` instead.
        """
        from .._inference.profile import profile

        return profile(self, param, n=n, level=level, bounds=bounds)

    def derived(self, quantity: Any, *, name: str | None = None, method: str = "delta",
                level: float = 0.95, **kwargs: Any) -> Any:
        """A function of the parameters — ``"mean"``, ``"median"``, ``"var"``, ``"sd"`` or
        ``fn(params_dict)`` — with its delta-method SE and a ``level`` interval by
        ``method`` ``"delta"`` | ``"profile"`` | ``"bootstrap"``. Returns a ``Derived``
        (``estimate``, ``se``, ``ci``, ``method``).

        Parameters
        ----------
        quantity
            ``"mean"``, ``"median"``, ``"var"``, ``"sd"`` or ``fn(params_dict) -> float``.
        name
            Its label in printed output.
        method, level, **kwargs
            The interval: ``"delta"``, ``"profile"`` or ``"bootstrap"`` at ``level``.
        """
        from .._inference.derived import derived

        return derived(self, quantity, name=name, method=method, level=level, **kwargs)

    @fill_doc(_AT_DOC, summary="The ``q`` quantile (``q=0.1``: the B10 life)", arg="q",
              what="Probability, in (0, 1)")
    def quantile(self, q: Any, *, method: str = "delta", level: float = 0.95, **kwargs: Any) -> Any:
        from .._inference.derived import quantile

        return quantile(self, q, method=method, level=level, **kwargs)

    @fill_doc(_AT_DOC, summary="Survival probability ``P(X > t)``", arg="t", what="Time or value")
    def sf(self, t: Any, *, method: str = "delta", level: float = 0.95, **kwargs: Any) -> Any:
        from .._inference.derived import sf

        return sf(self, t, method=method, level=level, **kwargs)

    @fill_doc(_AT_DOC, summary="Cumulative probability ``P(X <= x)``", arg="x", what="Value")
    def cdf(self, x: Any, *, method: str = "delta", level: float = 0.95, **kwargs: Any) -> Any:
        from .._inference.derived import cdf

        return cdf(self, x, method=method, level=level, **kwargs)

    @fill_doc(_AT_DOC, summary="Hazard rate ``f(t) / S(t)``", arg="t", what="Time")
    def hazard(self, t: Any, *, method: str = "delta", level: float = 0.95, **kwargs: Any) -> Any:
        from .._inference.derived import hazard

        return hazard(self, t, method=method, level=level, **kwargs)

    def return_level(self, T: Any, *, method: str = "profile", level: float = 0.95) -> Any:
        """The ``T``-block return level (the quantile at ``1 - 1/T``; scalar or list of
        periods) with its delta-method SE and a ``level`` interval by ``method``
        ``"profile"`` (default) | ``"delta"``; see :mod:`mlekit._inference.extremes`.

        Parameters
        ----------
        T
            Return period(s) in blocks (> 1).
        method
            ``"profile"`` or ``"delta"``.
        level
            Confidence level of the interval.
        """
        from .._inference.extremes import return_level

        return return_level(self, T, method=method, level=level)

    def return_period(self, x: Any, *, level: float = 0.95) -> Any:
        """The return period ``1 / P(X > x)`` (in blocks) of the level ``x``, with SE and interval.

        Parameters
        ----------
        x
            The level(s).
        level
            Confidence level of the interval.
        """
        from .._inference.extremes import return_period

        return return_period(self, x, level=level)

    # ------------------------------------------------------------------ small samples
    def laplace(self, n: int = 1000, *, rng: Any = None) -> Any:
        """``n`` draws (a pandas DataFrame) from the Laplace (normal) approximation on the
        unconstrained scale — log for positive parameters, logit for probabilities — mapped
        back, so every draw respects the parameters' domains.

        Parameters
        ----------
        n
            Number of draws.
        rng
            Seed or ``numpy.random.Generator``.
        """
        from .._inference.smallsample import laplace

        return laplace(self, n, rng)

    def bias_corrected(self) -> FitResult:
        """The fit with Cox–Snell first-order bias-corrected estimates (expected cumulants;
        exact data of a continuous family); the same standard errors; ``options["bias"]``
        holds the bias removed."""
        from .._inference.smallsample import bias_corrected

        return bias_corrected(self)

    # ------------------------------------------------------------------ rendering
    def summary(self, level: float = 0.95, ci: str = "wald") -> Summary:
        """The printed table of the fit (estimates, SEs, intervals, log-likelihood, AIC/BIC).

        Parameters
        ----------
        level
            Confidence level of the intervals.
        ci
            Interval method: ``"wald"``, ``"wald-log"``, ``"profile"`` or ``"bootstrap"``.
        """
        from .summary import Summary

        return Summary(self, level=check_level(level), ci_method=ci)

    def to_dict(self, level: float = 0.95) -> dict[str, Any]:
        """A JSON-ready dict (the same as the CLI's ``--format json``).

        Parameters
        ----------
        level
            Confidence level of the intervals.
        """
        return self.summary(level=level).to_dict()

    def plot(self, fig: Any = None) -> Any:
        """The 2×2 diagnostic figure (density, Q–Q, P–P, CDF or survival); see :mod:`mlekit.plot`.

        Parameters
        ----------
        fig
            A matplotlib figure to draw into (default: a new one).
        """
        from ..plot import panel

        return panel(self, fig)

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
        return (f"FitResult({self.family}: {vals}; loglik={self.loglik:.6g}, n_obs={self.n_obs:g}, "
                f"converged={self.converged}, method={self.method!r})")

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


#: the defaults of the dataclass fields that have one (what ``__init__`` would set)
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(FitResult) if f.default is not MISSING}
_FACTORIES: tuple[tuple[str, Callable[[], Any]], ...] = tuple(
    (f.name, f.default_factory) for f in fields(FitResult) if f.default_factory is not MISSING)

#: the fields a deferred result computes on first access (none has a default factory)
DEFERRED = ("dist", "se", "cov", "cov_type", "diagnostics", "likelihood")
_EAGER_DEFAULTS = {k: v for k, v in _DEFAULTS.items() if k not in DEFERRED}
_MATERIALISE = threading.RLock()


class _Deferred:
    """A deferred field: a non-data descriptor, so it is consulted only while the instance
    dict lacks the field (a complete result reads its fields as plain attributes)."""

    __slots__ = ("default", "name")

    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    def __get__(self, obj: FitResult | None, owner: type | None = None) -> Any:
        if obj is None:   # on the class: the default the dataclass set there, else (as a
            # property does) the descriptor itself
            return self if self.default is MISSING else self.default
        d = obj._materialise()
        try:
            return d[self.name]
        except KeyError:
            raise AttributeError(self.name) from None


for _f in fields(FitResult):
    if _f.name in DEFERRED:
        setattr(FitResult, _f.name, _Deferred(_f.name, _f.default))
