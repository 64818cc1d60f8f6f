"""The ``Family`` base class: a named parametric model that is also a distribution.

A family defines, in its natural parameters ``th`` (a tuple of floats or arrays that
broadcast against ``x``):

- ``_logpdf``, ``_logcdf``, ``_logsf`` (stable; never ``log(1 - cdf)``) and ``_ppf``;
- optionally analytic per-observation derivatives ``_d_logpdf`` / ``_d_logcdf`` /
  ``_d_logsf`` returning ``(value, grad, hess)`` (lists of arrays, one per parameter);
  anything missing is differentiated numerically by :mod:`mlekit._core.numdiff`;
- optionally sufficient statistics ``_suffstats`` and a pure ``_closed_form`` on them;
- ``_start``: data-driven starting values for Newton.

Everything else (censoring, weights, truncation, fixed parameters, standard errors) is
generic and lives in :mod:`mlekit._fit.likelihood` and :mod:`mlekit._fit.family_fit`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core.checks import as_rng
from .._core.domains import Domain
from .._data.data import Block, Data
from ..errors import DataError, FamilyError, ParameterError
from .registry import families, lookup, register, registry
from .stats import FastFit, Stats, data_extremes
from .support import Support

if TYPE_CHECKING:
    from .profiles import Profile

# Stats, FastFit and the registry live in .stats / .registry; re-exported for old imports
__all__ = ["Family", "Support", "Derivs", "get_family", "data_extremes", "Stats", "FastFit",
           "register", "families", "registry"]

FloatArray = NDArray[np.float64]
Theta = tuple[Any, ...]
# (value, [d/dth_i], [[d2/dth_i dth_j]]) per observation
Derivs = tuple[Any, list[Any], list[list[Any]]]


def get_family(spec: Any) -> Family:
    """A ``Family`` instance from a registry key (``"weibull"``), a class or an instance.

    Parameters
    ----------
    spec
        A name from :func:`mlekit.families`, a ``Family`` subclass, or an instance (returned
        as it is).

    Returns
    -------
    Family
        ``spec`` itself when it is an instance, else a new instance with no parameter values.

    Raises
    ------
    FamilyError
        An unknown name (the message lists the known ones) or an object that is no family.

    Examples
    --------
    >>> import mlekit as mk
    >>> mk.get_family("gamma").param_names
    ('shape', 'scale')
    """
    if isinstance(spec, Family):
        return spec
    if isinstance(spec, type) and issubclass(spec, Family):
        return spec()
    if isinstance(spec, str):
        return lookup(spec)()
    raise FamilyError(
        f"family must be a name such as 'weibull' or a family object such as mk.Weibull(); "
        f"got {type(spec).__name__}."
    )


# ---------------------------------------------------------------------------- Family
# Factories of user-defined families (``Family.from_logpdf`` ...), registered by custom.py etc.
FACTORIES: dict[str, Callable[..., Family]] = {}


class Family:
    """A parametric family. With all parameters set it is also a distribution.

    Parameters
    ----------
    **params
        Known values of some or all of its parameters, e.g. ``mk.Weibull(shape=1.5, scale=2.0)``: with
        all of them it is a distribution (``pdf``, ``cdf``, ``sample`` ...); in a fit they are
        held fixed.
        An unknown name or a value outside its domain raises ``ParameterError``.

    **The contract.** A family is one class; every backend (in memory, chunked/streamed, Dask,
    grouped) reaches it only through the attributes and hooks below, each declared here with
    a default, so a backend never asks for a family by name or class. ``_overrides(name)``
    tells whether a subclass provides its own version of a hook (scipy's idea).

    Required: ``name``, ``param_names``, ``domains``, ``support``, ``_logpdf`` and ``_start``
    (plus ``_scipy`` or ``_logcdf``/``_logsf``/``_ppf``/``_sample`` for the distribution API).

    Hooks and attributes (what — called by — default):

    - ``_d_logpdf``/``_d_logcdf``/``_d_logsf``: analytic per-observation (value, grad, hess)
      — likelihood, grouped — None: numerical derivatives.
    - ``_exact_sums``: fused sums over an exact block — likelihood — None.
    - ``_suffstats``: mergeable ``Stats`` of one chunk — fit, stream, grouped (with per-group
      arrays) — None: no closed form.
    - ``_closed_form``: the MLE from ``Stats`` (floats, or arrays with one entry per group;
      None/NaN: not available) — fit, stream, grouped — None.
    - ``_can_closed_form``: may the closed form be used on data of this shape (reads block
      sizes and ``truncation`` only) — fit, stream, grouped — all exact (right-censored rows
      too where ``closed_form_takes_right``) and untruncated.
    - ``closed_form_takes_right``: the closed form's statistics hold right-censored rows too
      (the exponential's events and exposure) — fit, stream, grouped — False.
    - ``closed_form_method``: ``FitResult.method`` of the closed form — fit, stream —
      ``"closed-form"``.
    - ``_stats_loglik`` / ``_stats_hessian``: log-likelihood / natural-scale Hessian from
      ``Stats`` (give both or neither) — fit, stream — NaN / None: evaluated on the data.
    - ``value_sums``: the sums over the values ``_suffstats`` reads through
      ``stats.value_sums`` (``"x"``: Σx, ``"log"``: Σ log x, ``"inv"``: Σ 1/x) — the quick
      lane computes them in its one pass over the values; a finite Σ log x proves every value
      positive and finite — ``()``.
    - ``_fast_fit``: the family's own estimator (``FastFit``) — fit — the ``profile`` fit
      where there is one (Cauchy, log-logistic, Lomax: :mod:`mlekit._families.fused`), else None.
    - ``profile``: a one-parameter profile Newton (:mod:`mlekit._families.profiles`) serving
      the in-memory fit, chunked passes and grouped fits alike — fit, stream, grouped — None.
    - ``_start``: starting values from a (sub)sample — fit, stream, grouped — required.
      Written on a :class:`~mlekit._families.samples.Sample` and marked ``@sample_start``,
      one ``_start`` serves a grouped fit for all groups at once (else group by group).
    - ``_other_starts``: starting values in other basins of a multimodal likelihood (t's
      small df): Newton runs from each and keeps the highest maximum; runs that rejoin the
      best one stop, the rest are skipped (``_fit.newton._joined``) — fit — ``[]``.
    - ``scale_powers``: how each parameter transforms when the data are multiplied by ``c``
      (``p * c**power``) — fit, grouped, stream (data at extreme magnitudes are fitted
      rescaled) — None. ``log_scale_params``: those of them that are the log of a scale
      (``p + log c``, power 0). ``scale_note``: why a family has none (bounded support,
      counts). ``rescaled_params`` applies them.
    - ``property_exceptions``: robustness properties of issue 11 (only ``MlekitError``
      escapes, weights = repeated rows, a converged fit is a maximum, refits are
      deterministic, scale equivariance) that do not hold for the family, with the reason —
      tests/test_robustness_props.py, which reports each as a skip with that reason — ``{}``.
    - ``_degenerate``: the estimate when every value is equal — fit, stream, grouped — None.
    - ``nonregular``: parameters estimated by sample extremes (no Wald SE) — fit, stream,
      grouped, inference — ``()``.
    - ``_nonregular_from_extremes``: those estimates from each censoring kind's extremes
      (floats or per-group arrays) — stream, grouped, and fit through
      ``_nonregular_estimate`` (from ``Data``) — NotImplementedError.
    - ``order_statistic_params``: parameters whose MLE is an order statistic (a median): no
      chunked pass can give it (stream refuses), grouped fits go group by group — ``()``.
      ``fit_groups_separately``: so do the groups of a family whose own estimator has no
      batched form (the threshold profile), each exactly ``mk.fit`` of its rows — False.
    - ``smooth``: the log-likelihood is twice differentiable — fit (Nelder–Mead's acceptance) — True.
    - ``derivatives_note``: appended to ``method`` after Newton — fit — ``""``.
    - ``data_unit_params``: locations in the data's units (step sizes) — fit, likelihood, grouped — ``()``.
    - ``boundary_hints``: hint appended to a parameter's boundary diagnostic — fit, grouped — ``{}``.
    - ``expected_info_params``: SE from the expected information when all data are exact —
      fit — ``()``.
    - ``support_text``: the support as text when ``support`` cannot say it — ``families()``
      — ``""``.
    - ``_boundary_message``: a parameter at an infinite limit (t's df) — fit, grouped — None.
    - ``_beyond_limit``: where Newton stops, the supremum being a limit — fit, grouped — False.
    - ``_check_data``: raise ``DataError`` for impossible values — fit, stream, grouped —
      the support check.
    - ``_for_data``: the distribution of one observation of the data (Binomial: with the
      data's trial count) — plots — the family itself.
    """

    name: ClassVar[str] = ""
    param_names: ClassVar[tuple[str, ...]] = ()
    domains: ClassVar[tuple[Domain, ...]] = ()
    support: ClassVar[Support] = Support()
    discrete: ClassVar[bool] = False
    formula: ClassVar[str] = ""
    closed_form_note: ClassVar[str] = ""
    # real-line parameters measured in the data's units (locations): the optimiser and the
    # numerical derivatives size their steps by the data's spread for these
    data_unit_params: ClassVar[tuple[str, ...]] = ()
    # hint appended to a boundary diagnostic of a parameter (e.g. t's df -> inf: "fit 'normal'")
    boundary_hints: ClassVar[dict[str, str]] = {}
    # parameters whose SE uses the expected information when all data are exact (Laplace loc)
    expected_info_params: ClassVar[tuple[str, ...]] = ()
    # parameters estimated by sample extremes (non-regular: no Wald SE); see
    # _nonregular_from_extremes
    nonregular: ClassVar[tuple[str, ...]] = ()
    # parameters whose MLE is an order statistic (Laplace's median): chunked passes cannot give
    # it and grouped fits take it group by group
    order_statistic_params: ClassVar[tuple[str, ...]] = ()
    fit_groups_separately: ClassVar[bool] = False     # likewise (see the hooks above)
    # FitResult.method of the closed form
    closed_form_method: ClassVar[str] = "closed-form"
    closed_form_takes_right: ClassVar[bool] = False
    # sums over the values that _suffstats reads ("x", "log", "inv"): see the hooks above
    value_sums: ClassVar[tuple[str, ...]] = ()
    # the log-likelihood is twice differentiable (False: Laplace's kinks in loc)
    smooth: ClassVar[bool] = True
    # appended to the method after Newton, e.g. how the derivatives are computed
    derivatives_note: ClassVar[str] = ""
    # the support as text when Support cannot describe it (Binomial: "{0, 1, …, n}")
    support_text: ClassVar[str] = ""
    # a one-parameter profile Newton (Weibull, Gumbel): see mlekit._families.profiles
    profile: ClassVar[Profile | None] = None
    # the parameter ``mk.regress("y ~ x", ...)`` links to the covariates ("": the first one)
    regression_param: ClassVar[str] = ""
    # scale equivariance: data x -> c x maps each parameter p -> p * c**power (1: a location or
    # scale, -1: a rate, 0: a shape). Data far from 1 in magnitude are fitted rescaled by a
    # power of two (exact) and the estimates mapped back. None: not declared (no rescaling).
    scale_powers: ClassVar[dict[str, int] | None] = None
    # parameters that are the log of a scale (lognormal's mu, the generalised gamma's mu): data
    # x -> c x adds log c to them; their scale_powers entry is 0
    log_scale_params: ClassVar[tuple[str, ...]] = ()
    # why a family declares no scale_powers (bounded support, counts): said here, in the family
    scale_note: ClassVar[str] = ""
    # robustness properties (tests/test_robustness_props.py) that do not hold for this family,
    # each with the reason: keys "errors", "weights", "maximum", "deterministic", "scale",
    # optionally "<key>:<backend>" (memory, grouped, streamed); empty: every property holds
    property_exceptions: ClassVar[dict[str, str]] = {}
    # data beyond 2**±rescale_beyond are fitted rescaled (``_fit.rescale``; None: 2**±160); low
    # for a family whose optimiser is not scale-free, so that it always fits at unit magnitude
    rescale_beyond: ClassVar[int | None] = None

    def rescaled_params(self, params: dict[str, float], e: int) -> dict[str, float]:
        """The parameters for the data ``x * 2**e`` given those for ``x`` (exact for the
        powers: ``p * 2**(e * power)``; ``+ e log 2`` for ``log_scale_params``); names missing
        from ``scale_powers`` are kept."""
        pw = self.scale_powers or {}
        out: dict[str, float] = {}
        for p, v in params.items():
            if p in self.log_scale_params:
                out[p] = float(v) + e * math.log(2.0)
            else:  # an estimate beyond float range maps to inf: the fit's overflow check says so
                with np.errstate(over="ignore", under="ignore"):
                    out[p] = float(np.ldexp(float(v), e * pw.get(p, 0)))
        return out

    @classmethod
    def _overrides(cls, name: str) -> bool:
        """Whether this class provides its own ``name`` (a hook or attribute) instead of
        ``Family``'s default."""
        return getattr(cls, name) is not getattr(Family, name)

    def __init__(self, **params: float) -> None:
        self.values: dict[str, float] = {}
        for key, val in params.items():
            if key not in self.param_names:
                raise ParameterError(
                    f"{type(self).__name__} has parameters {', '.join(self.param_names)}; "
                    f"got {key!r}."
                )
            if val is None:
                continue
            self.values[key] = self._check_value(key, val, "value")

    def _check_value(self, key: str, val: Any, what: str) -> float:
        try:
            v = float(val)
        except (TypeError, ValueError):
            raise ParameterError(f"{what} of {key} must be a number; got {val!r}.") from None
        dom = self.domains[self.param_names.index(key)]
        if not dom.contains(v):
            raise ParameterError(
                f"{what} of {type(self).__name__} parameter {key} must lie in "
                f"{dom.describe()}; got {v!r}."
            )
        return v

    # ---------------------------------------------------------------- user-defined families
    @classmethod
    def from_logpdf(cls, logpdf: Any, logcdf: Any = None, logsf: Any = None, params: Any = None,
                    **kwargs: Any) -> Family:
        """A family from a log density ``logpdf(x, p1, ...)`` (optionally ``logcdf``/``logsf``
        for fast censored terms); see :mod:`mlekit._families.custom`."""
        return FACTORIES["logpdf"](logpdf, logcdf=logcdf, logsf=logsf, params=params, **kwargs)

    @classmethod
    def from_scipy(cls, dist: Any, fixed: dict[str, float] | None = None,
                   name: str | None = None) -> Family:
        """A family from a ``scipy.stats`` distribution, e.g.
        ``Family.from_scipy(scipy.stats.nakagami, fixed={"loc": 0})``; see
        :mod:`mlekit._families.scipy_bridge`."""
        return FACTORIES["scipy"](dist, fixed=fixed, name=name)

    @classmethod
    def from_cumhaz(cls, cumhaz: Any, params: Any = None, **kwargs: Any) -> Family:
        """A lifetime family from a cumulative hazard ``H(x, p1, ...)`` (``S = exp(-H)``)."""
        return FACTORIES["cumhaz"](cumhaz, params=params, **kwargs)

    # ---------------------------------------------------------------- identity
    @property
    def k(self) -> int:
        return len(self.param_names)

    @property
    def is_frozen(self) -> bool:
        return len(self.values) == self.k

    def theta(self) -> Theta:
        if not self.is_frozen:
            missing = [p for p in self.param_names if p not in self.values]
            raise ParameterError(
                f"{type(self).__name__} needs values for {', '.join(missing)} to act as a "
                f"distribution; got only {self.values or 'none'}. Hint: "
                f"{type(self).__name__}({', '.join(f'{p}=...' for p in self.param_names)}), "
                "or use the .dist of a fit result."
            )
        # numpy scalars: the kernels' arithmetic (``m**2``, ``x**a``) then overflows to inf
        # under errstate instead of raising Python's OverflowError at extreme parameters
        return tuple(np.float64(self.values[p]) for p in self.param_names)

    def with_params(self, **params: float) -> Family:
        """A copy of this family with (some) parameter values replaced."""
        new = self._copy()
        for key, val in params.items():
            if key not in self.param_names:
                raise ParameterError(f"{type(self).__name__} has no parameter {key!r}.")
            new.values[key] = self._check_value(key, val, "value")
        return new

    def _copy(self) -> Family:
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.values = dict(self.values)
        return new

    def __repr__(self) -> str:
        vals = ", ".join(f"{p}={self.values[p]:.6g}" for p in self.param_names if p in self.values)
        extra = self._repr_extra()
        return f"{type(self).__name__}({', '.join(x for x in (vals, extra) if x)})"

    def _repr_extra(self) -> str:
        return ""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # unhashable: __eq__ compares the parameters

    # ---------------------------------------------------------------- distribution API
    def logpdf(self, x: ArrayLike) -> Any:
        """Log density (log probability mass for discrete families) at ``x``."""
        xa = np.asarray(x, dtype=float)
        th = self.theta()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = self._logpdf_safe(xa, th)
        return out[()] if out.ndim == 0 else out

    def pdf(self, x: ArrayLike) -> Any:
        return np.exp(self.logpdf(x))

    pmf = pdf

    def logcdf(self, x: ArrayLike) -> Any:
        return self._tail(x, lower=True)

    def cdf(self, x: ArrayLike) -> Any:
        return np.exp(self.logcdf(x))

    def logsf(self, x: ArrayLike) -> Any:
        return self._tail(x, lower=False)

    def sf(self, x: ArrayLike) -> Any:
        return np.exp(self.logsf(x))

    def hazard(self, x: ArrayLike) -> Any:
        return np.exp(self.logpdf(x) - self.logsf(x))

    def cumhazard(self, x: ArrayLike) -> Any:
        return -self.logsf(x)

    def ppf(self, q: ArrayLike) -> Any:
        """Quantile function (inverse of the cdf)."""
        qa = np.asarray(q, dtype=float)
        if np.any((qa < 0) | (qa > 1)):
            raise ParameterError(f"probabilities must lie in [0, 1]; got {qa[(qa < 0) | (qa > 1)][:3]}.")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.asarray(self._ppf(qa, self.theta()), dtype=float)
        return out[()] if out.ndim == 0 else out

    def isf(self, q: ArrayLike) -> Any:
        return self.ppf(1.0 - np.asarray(q, dtype=float))

    def median(self) -> float:
        return float(self.ppf(0.5))

    def mean(self) -> float:
        return float(self.to_scipy().mean())

    def var(self) -> float:
        return float(self.to_scipy().var())

    def std(self) -> float:
        return math.sqrt(self.var())

    def sample(self, size: int | Sequence[int] = 1, rng: Any = None) -> Any:
        """Random draws; ``rng`` is a seed or a ``numpy.random.Generator``."""
        gen = as_rng(rng)
        return self._sample(size, self.theta(), gen)

    def to_scipy(self) -> Any:
        """The equivalent frozen ``scipy.stats`` distribution."""
        return self._scipy(self.theta())

    def _tail(self, x: ArrayLike, lower: bool) -> Any:
        xa = np.asarray(x, dtype=float)
        th = self.theta()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            xa2 = np.floor(xa) if self.discrete else xa
            out = self._logcdf(xa2, th, None) if lower else self._logsf(xa2, th, None)
            out = np.asarray(out, dtype=float)
            lo, hi = self._support_bounds(th)
            below, above = xa < lo, xa >= hi
            if lower:
                out = np.where(below, -np.inf, np.where(above, 0.0, out))
            else:
                out = np.where(below, 0.0, np.where(above, -np.inf, out))
        return out[()] if out.ndim == 0 else out

    def _logpdf_safe(self, x: FloatArray, th: Theta) -> FloatArray:
        out = np.asarray(self._logpdf(x, th, None), dtype=float)
        bad = self._outside(x, th)
        return np.where(bad, -np.inf, out) if bad.any() else out

    def _outside(self, x: FloatArray, th: Theta) -> NDArray[np.bool_]:
        lo, hi = self._support_bounds(th)
        s = self.support
        bad = (x < lo) | (x > hi)
        if not (s.lower_closed or s.integer):
            bad |= x == lo
        if not (s.upper_closed or s.integer):
            bad |= x == hi
        if s.integer:
            bad |= x != np.floor(x)
        return np.asarray(bad)

    def _support_bounds(self, th: Theta) -> tuple[float, float]:
        """Support end points at parameters ``th`` (overridden where they depend on them)."""
        return self.support.lower, self.support.upper

    # ---------------------------------------------------------------- to implement
    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        raise NotImplementedError

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._scipy(th).logcdf(x)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._scipy(th).logsf(x)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return self._scipy(th).ppf(q)

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return self._scipy(th).rvs(size=size, random_state=rng)

    def _scipy(self, th: Theta) -> Any:
        raise FamilyError(f"{type(self).__name__} has no scipy.stats equivalent.")

    # analytic derivatives: return None when not available
    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        return None

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        return None

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        return None

    def _exact_sums(self, blk: Block, th: Theta) -> tuple[float, Any, Any] | None:
        """Optional fused ``(loglik, grad, hess)`` summed over an exact block (all k
        parameters), avoiding per-observation derivative arrays. None: not available."""
        return None

    # estimation hooks
    def _suffstats(self, data: Data) -> Stats | None:
        """Sufficient statistics of one chunk, or None when there is no closed form."""
        return None

    def _closed_form(self, stats: Stats, fixed: dict[str, float]) -> dict[str, float] | None:
        """The MLE from merged statistics (all-exact, untruncated data), or None."""
        return None

    def _start(self, x: FloatArray, w: FloatArray | None, fixed: dict[str, float]) -> dict[str, float]:
        """Starting values from a (sub)sample of the data's values."""
        raise NotImplementedError

    def _can_closed_form(self, data: Data) -> bool:
        """Whether ``_closed_form`` applies to data of this shape (all exact, untruncated by
        default; only block sizes and ``truncation`` are read, so a summary of a chunked
        source works as well)."""
        return (data.left.size == 0 and data.interval_block.size == 0
                and (self.closed_form_takes_right or data.right.size == 0)
                and not data.is_truncated)

    def _stats_loglik(self, stats: Stats, p: dict[str, Any]) -> Any:
        return math.nan   # the log-likelihood at p from the statistics (NaN: evaluate it)

    def _stats_hessian(self, stats: Stats, p: dict[str, Any]) -> Any:
        return None   # the natural-scale Hessian at p from the statistics (None: evaluate it)

    def _fast_fit(self, data: Data, fixed: dict[str, float]) -> FastFit | None:
        """The family's own estimator for these data, or None (then Newton). By default the
        ``profile`` Newton where the family has one and the data suit it."""
        return None if self.profile is None else self.profile.fit(data, fixed)

    def _nonregular_from_extremes(self, ext: Any, fixed: dict[str, float]) -> dict[str, Any]:
        """Estimates of the ``nonregular`` parameters from ``ext(kind, "min"|"max")``: each
        censoring kind's extreme value (a float, or an array with one entry per group; NaN
        where there is none)."""
        raise NotImplementedError(f"{type(self).__name__} declares nonregular parameters "
                                  "but no _nonregular_from_extremes")

    def _nonregular_estimate(self, data: Data, fixed: dict[str, float]) -> dict[str, float]:
        """Estimates of the ``nonregular`` parameters from the data (sample extremes)."""
        return self._nonregular_from_extremes(data_extremes(data), fixed)

    def _for_data(self, data: Data) -> Family:
        """The distribution of one observation of ``data`` (default: this family)."""
        return self

    def _other_starts(self, x: FloatArray, w: FloatArray | None,
                      fixed: dict[str, float]) -> list[dict[str, float]]:
        """Starts in other basins of the likelihood, in order of promise (none by default)."""
        return []

    def _degenerate(self, x0: float) -> dict[str, float] | None:
        """Boundary estimate for data that are all equal to ``x0`` (None: not degenerate)."""
        return None

    def _check_data(self, data: Data, fixed: dict[str, float]) -> None:
        """Raise ``DataError`` when values lie outside the support."""
        sup = self.support
        for kind, blk in data.blocks.items():
            if not blk.size:
                continue
            arrays = [blk.x] if blk.hi is None else [blk.x, blk.hi]
            for arr in arrays:
                bad = sup.violations(arr, blk.x_extreme if arr is blk.x else None)
                if bad.size == 0:
                    continue
                if kind in ("left", "right", "interval"):
                    # censoring bounds may sit at an open end of the support
                    bad &= ~((arr == sup.lower) | (arr == sup.upper))
                if bad.any():
                    i = int(np.flatnonzero(bad)[0])
                    raise DataError(
                        f"{type(self).__name__} requires values in {sup.describe()}; got "
                        f"{int(bad.sum())} {'' if kind == 'exact' else kind + '-censored '}"
                        f"values outside (first at index {blk.row_of(i)}: {arr[i]:g})."
                        + self._support_hint()
                    )
            if not self.discrete and kind in ("left", "right"):
                edge = sup.lower if kind == "left" else sup.upper
                imp = (blk.x <= edge) if kind == "left" else (blk.x >= edge)
                if math.isfinite(edge) and imp.any():
                    i = int(np.flatnonzero(imp)[0])
                    raise DataError(
                        f"a {kind}-censored value at the {'lower' if kind == 'left' else 'upper'} "
                        f"end of {type(self).__name__}'s support has probability 0; got "
                        f"{int(imp.sum())} (first at index {blk.row_of(i)}: {blk.x[i]:g}). Hint: "
                        "such a row says nothing possible about the value; drop it or fix the bound."
                    )

    def _support_hint(self) -> str:
        s = self.support
        if s.integer:
            return " Hint: this family is for counts; use a continuous family for measurements."
        if s.lower == 0:
            return (" Hint: values at a detection limit can be passed as left-censored; for data "
                    "that can be zero or negative use a family on the real line.")
        return ""

    def _fit_diagnostics(self, params: dict[str, float], data: Data, converged: bool,
                         fixed: dict[str, float] | None = None) -> list[tuple[str, str, str, str]]:
        """Family-specific findings about a finished fit, as ``(code, message, severity,
        param)`` (GEV/GPD: a non-regular or unbounded shape). Called by ``_fit.assemble.finish``;
        default: none."""
        return []

    def _feasible_theta(self, th: list[float], free: list[int], data: Data) -> list[float]:
        """``th`` with the free parameters moved inside a parameter-dependent support (a start
        for re-maximising them when others are held: profiles). Default: unchanged."""
        return th

    def _boundary_message(self, name: str, params: dict[str, float]) -> str | None:
        """A message when ``params[name]`` is effectively at an infinite end of its domain
        (a limit such as the t distribution's df → ∞), else None."""
        return None

    def _beyond_limit(self, th: Theta) -> Any:
        """True (per group when ``th`` holds arrays) where Newton stops: the supremum lies at a
        limit beyond (GPD/GEV shape -> -1, the skew-normal's half-normal limit). False."""
        return False
