"""``Family.from_scipy``: any ``scipy.stats`` distribution as a family.

``mk.Family.from_scipy(scipy.stats.nakagami, fixed={"loc": 0})`` gives a family whose
parameters are the distribution's shape parameters (scipy's names), then ``loc`` and ``scale``
(continuous; ``loc`` only for discrete distributions), minus those held ``fixed``. The
density, log-cdf and log-sf are scipy's (so censored data use scipy's ``logcdf``/``logsf``),
the derivatives are numerical, and the parameter domains come from scipy's shape-parameter
information (``dist._shape_info()``): an open interval per shape. A distribution without that
information, or with an integer-valued shape that is not fixed, is refused with a
:class:`~mlekit.errors.FamilyError` naming the fix.

Discrete distributions: ``loc`` is an integer shift, not estimable by Newton: it is fixed (at 0
unless ``fixed`` says otherwise).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

import numpy as np

from .._core.domains import Domain, Interval, Positive, Real, UnitInterval
from .._data.data import Block
from ..errors import FamilyError, ParameterError
from .base import FACTORIES, Family, Support

__all__ = ["from_scipy"]

Theta = tuple[Any, ...]


def _domain(lo: float, hi: float) -> Domain:
    if lo == -math.inf and hi == math.inf:
        return Real
    if lo == 0.0 and hi == math.inf:
        return Positive
    if lo == 0.0 and hi == 1.0:
        return UnitInterval
    return Interval(lo, hi)


def _shape_domains(dist: Any) -> list[tuple[str, Domain, bool]]:
    names = [s.strip() for s in (dist.shapes or "").split(",") if s.strip()]
    if not names:
        return []
    try:
        info = dist._shape_info()
    except (AttributeError, NotImplementedError):
        info = None
    if not info or len(info) != len(names):
        raise FamilyError(
            f"scipy.stats.{dist.name} has no usable support information for its shape "
            f"parameters ({', '.join(names)}): scipy's _shape_info() does not describe them, so "
            "their domains are unknown. Hint: fix them with fixed={...}, or write the family "
            "with mk.Family.from_logpdf(...) and declare the domains.")
    out = []
    for name, si in zip(names, info):
        lo, hi = (float(v) for v in si.endpoints)
        out.append((name, _domain(lo, hi), bool(si.integrality)))
    return out


def from_scipy(dist: Any, fixed: dict[str, float] | None = None, name: str | None = None) -> Family:
    """A :class:`Family` from a ``scipy.stats`` distribution (see the module docstring)."""
    import scipy.stats as st

    if isinstance(dist, str):
        dist = getattr(st, dist, None) or dist
    if hasattr(dist, "dist") and hasattr(dist, "kwds"):
        raise FamilyError("from_scipy needs the distribution, not a frozen one: pass "
                          f"scipy.stats.{dist.dist.name}, and fixed={{...}} for known parameters.")
    if not isinstance(dist, (st.rv_continuous, st.rv_discrete)):
        raise FamilyError(f"from_scipy needs a scipy.stats distribution such as "
                          f"scipy.stats.nakagami; got {dist!r}.")
    discrete = isinstance(dist, st.rv_discrete)
    fixed = dict(fixed or {})
    shapes = _shape_domains(dist)
    all_names = [s[0] for s in shapes] + (["loc"] if discrete else ["loc", "scale"])
    for key in fixed:
        if key not in all_names:
            raise ParameterError(f"fixed names a parameter of scipy.stats.{dist.name} "
                                 f"({', '.join(all_names)}); got {key!r}.")
    if discrete:
        fixed.setdefault("loc", 0.0)
        if float(fixed["loc"]) != round(float(fixed["loc"])):
            raise ParameterError(f"a discrete distribution's loc is an integer shift; got {fixed['loc']!r}.")
    doms: dict[str, Domain] = {}
    for sname, dom, integer in shapes:
        if integer and sname not in fixed:
            raise FamilyError(
                f"scipy.stats.{dist.name} has an integer-valued shape {sname!r}: it cannot be "
                f"estimated by Newton's method. Hint: fix it, e.g. fixed={{{sname!r}: 10}}.")
        doms[sname] = dom
    doms["loc"] = Real
    if not discrete:
        doms["scale"] = Positive
    free = [p for p in all_names if p not in fixed]
    for p, v in fixed.items():
        if p in doms and p != "loc" and not doms[p].contains(float(v)):
            raise ParameterError(f"fixed {p} must lie in {doms[p].describe()}; got {v!r}.")
    lower = upper = None
    if "loc" in fixed and ("scale" in fixed or discrete or dist.a in (0.0, -math.inf)):
        sc = 1.0 if discrete else float(fixed.get("scale", 1.0))
        lower = float(fixed["loc"]) + (dist.a * sc if math.isfinite(dist.a) else -math.inf)
        if dist.b == math.inf or "scale" in fixed or discrete:
            upper = float(fixed["loc"]) + (dist.b * sc if math.isfinite(dist.b) else math.inf)
    sup = Support(lower if lower is not None else -math.inf,
                  upper if upper is not None else math.inf,
                  lower_closed=discrete, upper_closed=discrete, integer=discrete)
    label = name or f"scipy.{dist.name}"
    attrs = {
        "name": label,
        "param_names": tuple(free),
        "domains": tuple(doms[p] for p in free),
        "support": sup,
        "discrete": discrete,
        "formula": f"scipy.stats.{dist.name}" + (f" with {fixed}" if fixed else ""),
        "data_unit_params": ("loc",) if "loc" in free else (),
        "_dist": dist,
        "_fixed": {k: float(v) for k, v in fixed.items()},
        "_all": tuple(all_names),
        "__doc__": f"scipy.stats.{dist.name} as an mlekit family (parameters: "
                   f"{', '.join(free) or 'none'}; fixed: {fixed or 'none'}).",
    }
    cls = type(f"Scipy_{dist.name}", (_ScipyFamily,), attrs)
    return cls()


class _ScipyFamily(Family):
    """Base of the families made by :func:`from_scipy`."""

    _dist: ClassVar[Any] = None
    _fixed: ClassVar[dict[str, float]] = {}
    _all: ClassVar[tuple[str, ...]] = ()

    def _args(self, th: Theta) -> tuple[list[Any], dict[str, Any]]:
        vals = dict(self._fixed)
        vals.update(zip(self.param_names, th))
        shapes = [vals[p] for p in self._all if p not in ("loc", "scale")]
        kw = {"loc": vals["loc"]}
        if not self.discrete:
            kw["scale"] = vals["scale"]
        return shapes, kw

    def _call(self, method: str, x: Any, th: Theta) -> Any:
        shapes, kw = self._args(th)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(self._dist, method)(x, *shapes, **kw)

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._call("logpmf" if self.discrete else "logpdf", x, th)

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._call("logcdf", x, th)

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._call("logsf", x, th)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return self._call("ppf", q, th)

    def _scipy(self, th: Theta) -> Any:
        shapes, kw = self._args(th)
        return self._dist(*shapes, **kw)

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return np.asarray(self._scipy(th).rvs(size=size, random_state=rng), dtype=float)

    def _support_bounds(self, th: Theta) -> tuple[float, float]:
        shapes, kw = self._args(th)
        with np.errstate(all="ignore"):
            lo, hi = self._dist.support(*shapes, **kw)
        return float(lo), float(hi)

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        fx = {**self._fixed, **fixed}
        guess: dict[str, float] = {}
        if not self.discrete:
            kw = {"f" + p: v for p, v in fx.items()}     # floc, fscale, f<shape>
            sample = x if x.size <= 2000 else x[:: x.size // 2000]
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est = self._dist.fit(sample, **kw)
                guess = dict(zip(self._all, (float(v) for v in est)))
            except (ValueError, RuntimeError, TypeError, FloatingPointError):
                guess = {}
        out = {}
        for p, dom in zip(self.param_names, self.domains):
            v = guess.get(p)
            if v is None or not math.isfinite(v) or not dom.contains(v):
                if p == "loc":
                    v = float(np.min(x)) - 0.1 * float(np.std(x) or 1.0)
                elif p == "scale":
                    v = float(np.std(x)) or 1.0
                else:
                    lo, hi = dom.lower, dom.upper
                    v = (0.5 * (lo + hi) if math.isfinite(lo) and math.isfinite(hi)
                         else lo + 1.0 if math.isfinite(lo) else hi - 1.0 if math.isfinite(hi)
                         else 0.0)
            out[p] = fx.get(p, v)
        return out


FACTORIES["scipy"] = from_scipy
