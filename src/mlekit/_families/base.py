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

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import zeta

from .._core.domains import Domain
from .._data.data import Block, Data, fdot
from ..errors import DataError, FamilyError, ParameterError

__all__ = ["Family", "Support", "Derivs", "Stats", "FastFit", "register", "get_family",
           "families", "registry", "newton_1d", "trigamma"]

FloatArray = NDArray[np.float64]
Theta = tuple[Any, ...]
# (value, [d/dth_i], [[d2/dth_i dth_j]]) per observation
Derivs = tuple[Any, list[Any], list[list[Any]]]


@dataclass(frozen=True)
class Support:
    """Where a family puts its mass: ``[lower, upper]`` (ends included when closed)."""

    lower: float = -math.inf
    upper: float = math.inf
    lower_closed: bool = False
    upper_closed: bool = False
    integer: bool = False

    def describe(self) -> str:
        if self.integer:
            if self.upper == math.inf:
                return f"{{{self.lower:g}, {self.lower + 1:g}, {self.lower + 2:g}, …}}"
            if self.upper - self.lower <= 2:
                return "{" + ", ".join(f"{v:g}" for v in np.arange(self.lower, self.upper + 1)) + "}"
            return f"{{{self.lower:g}, {self.lower + 1:g}, …, {self.upper:g}}}"
        lo = "-inf" if self.lower == -math.inf else f"{self.lower:g}"
        hi = "inf" if self.upper == math.inf else f"{self.upper:g}"
        lb = "[" if self.lower_closed else "("
        rb = "]" if self.upper_closed else ")"
        return f"{lb}{lo}, {hi}{rb}"

    def violations(self, x: FloatArray) -> NDArray[np.bool_]:
        """Mask of values outside the support (NaN excluded)."""
        if x.size and not self.integer:
            ok = True        # only the finite ends need a reduction (none for the real line)
            if self.lower > -math.inf:
                lo = float(x.min())
                ok = lo >= self.lower if self.lower_closed else lo > self.lower
            if ok and self.upper < math.inf:
                hi = float(x.max())
                ok = hi <= self.upper if self.upper_closed else hi < self.upper
            if ok:
                return np.zeros(0, dtype=bool)  # fast path: nothing outside (an empty mask)
        bad = np.zeros(x.shape, dtype=bool)
        if self.lower > -math.inf:
            bad |= (x < self.lower) if self.lower_closed else (x <= self.lower)
        if self.upper < math.inf:
            bad |= (x > self.upper) if self.upper_closed else (x >= self.upper)
        if self.integer:
            bad |= np.isfinite(x) & (x != np.floor(x))
        return bad


@dataclass
class FastFit:
    """What a family's own fast estimator (``Family._fast_fit``) returns."""

    params: dict[str, float]
    method: str
    iterations: int = 0
    converged: bool = True
    loglik: float | None = None
    hess: Any = None


class Stats:
    """Mergeable sufficient statistics: ``sums`` add, ``mins``/``maxs`` take extremes and
    ``moments`` ``(W, mean, M2)`` merge by Chan's parallel formula (no cancellation)."""

    __slots__ = ("maxs", "mins", "moments", "sums")

    def __init__(self, sums: dict[str, float] | None = None, *, mins: dict[str, float] | None = None,
                 maxs: dict[str, float] | None = None,
                 moments: dict[str, tuple[float, float, float]] | None = None) -> None:
        self.sums = dict(sums or {})
        self.mins = dict(mins or {})
        self.maxs = dict(maxs or {})
        self.moments = dict(moments or {})

    def __add__(self, other: Stats) -> Stats:
        out = Stats({k: v + other.sums[k] for k, v in self.sums.items()},
                    mins={k: min(v, other.mins[k]) for k, v in self.mins.items()},
                    maxs={k: max(v, other.maxs[k]) for k, v in self.maxs.items()})
        for k, (wa, ma, sa) in self.moments.items():
            wb, mb, sb = other.moments[k]
            w = wa + wb
            if w == 0:
                out.moments[k] = (0.0, 0.0, 0.0)
                continue
            d = mb - ma
            out.moments[k] = (w, ma + d * wb / w, sa + sb + d * d * wa * wb / w)
        return out

    def __getitem__(self, key: str) -> float:
        for d in (self.sums, self.mins, self.maxs):
            if key in d:
                return d[key]
        raise KeyError(key)

    def __repr__(self) -> str:
        return f"Stats(sums={self.sums}, mins={self.mins}, maxs={self.maxs}, moments={self.moments})"


def moments_of(x: FloatArray, w: FloatArray | None) -> tuple[float, float, float]:
    """``(W, mean, M2)`` of ``x`` with optional weights, by two passes."""
    if x.size == 0:
        return (0.0, 0.0, 0.0)
    if w is None:
        m = float(x.mean())
        d = x - m
        return (float(x.size), m, float(fdot(d, d)))
    W = float(w.sum())
    if W == 0:
        return (0.0, 0.0, 0.0)
    m = float(fdot(w, x)) / W
    d = x - m
    return (W, m, float(fdot(w, d * d)))


def trigamma(x: Any) -> Any:
    """ψ'(x) as a fast ufunc (``scipy.special.polygamma(1, x)`` is a slow Python wrapper)."""
    return zeta(2.0, x)


def newton_1d(fun: Any, t0: float, *, tol: float = 1e-10, maxiter: int = 100,
              max_step: float = 1.0) -> tuple[float, int, bool]:
    """Maximise a concave 1-D function of ``t`` by Newton: ``fun(t) -> (grad, hess)``.

    Stops when the score, in units of its standard error (``|g|/sqrt(-h)``), is below
    ``tol``. Steps are capped at ``max_step``; a non-concave point takes a capped
    gradient step. Returns ``(t, iterations, converged)``.
    """
    t = t0
    for it in range(1, maxiter + 1):
        g, h = fun(t)
        if not (math.isfinite(g) and math.isfinite(h)):
            return t, it, False
        if h < 0 and abs(g) <= tol * math.sqrt(-h):
            return t, it, True
        step = -g / h if h < 0 else math.copysign(max_step, g)
        t += max(-max_step, min(max_step, step))
    return t, maxiter, False


# ---------------------------------------------------------------------------- registry
registry: dict[str, type[Family]] = {}


def register(cls: type[Family]) -> type[Family]:
    registry[cls.name] = cls
    return cls


def _norm_key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


_ALIASES = {"gaussian": "normal", "norm": "normal", "log_normal": "lognormal", "t": "student_t",
            "studentt": "student_t", "expon": "exponential", "exp": "exponential",
            "negbin": "negative_binomial", "nbinom": "negative_binomial",
            "negativebinomial": "negative_binomial", "fisk": "loglogistic",
            "log_logistic": "loglogistic", "invgauss": "inverse_gaussian", "wald": "inverse_gaussian",
            "inversegaussian": "inverse_gaussian", "weibull_min": "weibull", "gumbel_r": "gumbel",
            "geom": "geometric", "binom": "binomial", "bern": "bernoulli"}


def get_family(spec: Any) -> Family:
    """A ``Family`` instance from a registry key (``"weibull"``), a class or an instance."""
    if isinstance(spec, Family):
        return spec
    if isinstance(spec, type) and issubclass(spec, Family):
        return spec()
    if isinstance(spec, str):
        key = _norm_key(spec)
        key = _ALIASES.get(key, key)
        if key in registry:
            return registry[key]()
        close = difflib.get_close_matches(key, list(registry), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise FamilyError(
            f"family must be one of {', '.join(sorted(registry))}; got {spec!r}.{hint} "
            "Hint: mk.families() lists them with their parameters."
        )
    raise FamilyError(
        f"family must be a name such as 'weibull' or a family object such as mk.Weibull(); "
        f"got {type(spec).__name__}."
    )


def families() -> list[dict[str, Any]]:
    """Every built-in family: name, class, parameters, support and density formula."""
    out = []
    for key in sorted(registry):
        cls = registry[key]
        out.append({
            "name": key,
            "class": cls.__name__,
            "params": list(cls.param_names),
            "domains": {p: d.describe() for p, d in zip(cls.param_names, cls.domains)},
            "support": getattr(cls, "support_text", "") or cls.support.describe(),
            "discrete": cls.discrete,
            "formula": cls.formula,
        })
    return out


# ---------------------------------------------------------------------------- Family
class Family:
    """A parametric family. With all parameters set it is also a distribution."""

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
        from .custom import from_logpdf

        return from_logpdf(logpdf, logcdf=logcdf, logsf=logsf, params=params, **kwargs)

    @classmethod
    def from_cumhaz(cls, cumhaz: Any, params: Any = None, **kwargs: Any) -> Family:
        """A lifetime family from a cumulative hazard ``H(x, p1, ...)`` (``S = exp(-H)``)."""
        from .custom import from_cumhaz

        return from_cumhaz(cumhaz, params=params, **kwargs)

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
        return tuple(self.values[p] for p in self.param_names)

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
        return type(self) is type(other) and self.__dict__ == other.__dict__  # type: ignore[union-attr]

    __hash__ = None  # type: ignore[assignment]

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
        gen = np.random.default_rng(rng)
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
                bad = sup.violations(arr)
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

    def _boundary_message(self, name: str, params: dict[str, float]) -> str | None:
        """A message when ``params[name]`` is effectively at an infinite end of its domain
        (a limit such as the t distribution's df → ∞), else None."""
        return None
