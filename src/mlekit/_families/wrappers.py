"""Family wrappers: ``mk.ZeroInflated(family)``, ``mk.Hurdle(family)``, ``mk.Cure(family)``.

Each wraps any family (built-in or user-defined) and is itself a :class:`Family`, so it works
in ``mk.fit``, ``mk.regress``, ``mk.compare``, ``mk.lr_test`` and the bootstrap. Its parameters
are the wrapped family's followed by one probability:

- ``ZeroInflated(f)`` — ``zero_prob`` = π, the probability of an excess (structural) zero:
  ``P(0) = π + (1-π) f(0)``, ``P(y) = (1-π) f(y)`` for ``y != 0`` (pscl's ``zeroinfl``).
- ``Hurdle(f)`` — ``zero_prob`` = π = ``P(Y = 0)``; positive values follow the zero-truncated
  ``f``: ``P(y) = (1-π) f(y) / (1 - f(0))`` (pscl's ``hurdle`` models ``1 - π`` instead).
- ``Cure(f)`` — ``cure_prob`` = p, the fraction never failing (mixture cure model, for censored
  lifetimes): ``S(t) = p + (1-p) S_f(t)``, density ``(1-p) f(t)``.

For a continuous ``f`` the zero wrappers put a point mass π at 0 and density ``(1-π) f(y)``
elsewhere (a "zero-adjusted" model; the two wrappers coincide). Per-observation derivatives are
analytic (the mixture's chain rule on the wrapped family's ``_d_logpdf``/``_d_logsf``/
``_d_logcdf``) whenever the wrapped family has them, numerical otherwise.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._core.domains import UnitInterval
from ..errors import FamilyError
from .base import Derivs, Family, Support, get_family
from .stats import log1mexp as _log1mexp

__all__ = ["ZeroInflated", "Hurdle", "Cure", "Wrapped"]

Theta = tuple[Any, ...]


def _stack(d: Derivs) -> tuple[Any, Any, Any]:
    """Value, gradient ``(k, n)`` and Hessian ``(k, k, n)`` arrays of per-row derivatives."""
    a, ga, ha = d
    k = len(ga)
    parts = np.broadcast_arrays(np.asarray(a, dtype=float), *[np.asarray(g, dtype=float)
                                                              for g in ga],
                                *[np.asarray(h, dtype=float) for row in ha for h in row])
    shape = parts[0].shape
    G = np.array(parts[1:k + 1]) if k else np.zeros((0, *shape))
    H = np.array(parts[k + 1:]).reshape(k, k, *shape) if k else np.zeros((0, 0, *shape))
    return parts[0], G, H


def _stack_with(p: Any, d: Derivs) -> tuple[Any, Any, Any]:
    a, ga, ha = _stack(d)
    shape = np.broadcast_shapes(np.shape(a), np.shape(p))
    if shape != np.shape(a):
        kb = ga.shape[0]
        pad = len(shape) - np.ndim(a)
        a = np.broadcast_to(a, shape)
        ga = np.broadcast_to(ga.reshape(kb, *([1] * pad), *ga.shape[1:]), (kb, *shape))
        ha = np.broadcast_to(ha.reshape(kb, kb, *([1] * pad), *ha.shape[2:]), (kb, kb, *shape))
    return a, ga, ha


def _lists(v: Any, G: Any, H: Any) -> Derivs:
    return v, list(G), [list(row) for row in H]


def _mix_arrays(p: Any, d: Derivs) -> tuple[Any, Any, Any]:
    """``log(p + (1-p) exp(a))`` and its derivatives in (base parameters..., p), stacked."""
    return _mix_stacked(p, *_stack_with(p, d))


def _mix_stacked(p: Any, a: Any, ga: Any, ha: Any) -> tuple[Any, Any, Any]:
    kb = ga.shape[0]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lu = np.logaddexp(np.log(p), np.log1p(-p) + a)
        e = np.exp(a - lu)                       # e^a / u
        s = (1.0 - p) * e                        # the base's share of u
        lp = np.exp(-lu) - e                     # (1 - e^a) / u
        gb = s * ga
        G = np.concatenate([gb, (lp + 0.0 * a)[None]])
        H = np.empty((kb + 1, kb + 1, *np.shape(a)))
        H[:kb, :kb] = s * (ha + ga[:, None] * ga[None, :]) - gb[:, None] * gb[None, :]
        cross = -e * ga - lp * gb
        H[:kb, kb] = cross
        H[kb, :kb] = cross
        H[kb, kb] = -lp * lp
    return lu, G, H


def _scaled_arrays(p: Any, d: Derivs, sign: float = -1.0) -> tuple[Any, Any, Any]:
    """``log(1-p) + a`` (sign -1) or ``log(p) + a`` (sign +1) and derivatives, stacked."""
    a, ga, ha = _stack_with(p, d)
    kb = ga.shape[0]
    with np.errstate(divide="ignore"):
        lq = np.log1p(-p) if sign < 0 else np.log(p)
    q = (1.0 - p) if sign < 0 else p
    G = np.concatenate([ga, (sign / q + 0.0 * a)[None]])
    H = np.zeros((kb + 1, kb + 1, *np.shape(a)))
    H[:kb, :kb] = ha
    H[kb, kb] = -1.0 / q**2
    return np.array(lq + a, dtype=float), G, H


def _mix(p: Any, d: Derivs) -> Derivs:
    return _lists(*_mix_arrays(p, d))


def _scaled(p: Any, d: Derivs, sign: float = -1.0) -> Derivs:
    return _lists(*_scaled_arrays(p, d, sign))


def _select(cond: Any, a: tuple[Any, Any, Any], b: tuple[Any, Any, Any]) -> Derivs:
    return _lists(np.where(cond, a[0], b[0]), np.where(cond, a[1], b[1]),
                  np.where(cond, a[2], b[2]))


def _zeros(d: Derivs) -> Derivs:
    z = np.zeros(np.shape(d[0]))    # not 0 * d: the base's terms are nan/-inf at x = 0
    return z, [z] * len(d[1]), [[z] * len(d[1]) for _ in d[1]]


class Wrapped(Family):
    """Base of the wrappers: the wrapped family ``base`` plus one probability ``extra``."""

    extra = "zero_prob"
    prefix = ""

    def __init__(self, family: Any, **params: float) -> None:
        base = get_family(family)
        if isinstance(base, Wrapped):
            raise FamilyError(f"{type(self).__name__} wraps a plain family; got {base!r}.")
        self.base = base._copy()
        self.base.values = {}
        # a family's ClassVars are set per instance here, from the family it wraps
        # (each type: ignore[misc] below: mypy forbids assigning a ClassVar through an instance)
        self.name = f"{self.prefix}_{base.name}"  # type: ignore[misc]  # see above
        self.param_names = (*base.param_names, self.extra)  # type: ignore[misc]  # see above
        self.domains = (*base.domains, UnitInterval)  # type: ignore[misc]  # see above
        self.discrete = base.discrete  # type: ignore[misc]  # see above
        self.support = self._make_support(base.support)  # type: ignore[misc]  # see above
        self.data_unit_params = base.data_unit_params  # type: ignore[misc]  # see above
        self.regression_param = base.regression_param or base.param_names[0]  # type: ignore[misc]  # see above
        self.formula = f"{type(self).__name__}({base.formula or base.name})"  # type: ignore[misc]  # see above
        nonreg = getattr(base, "nonregular", ())
        if nonreg:
            self.nonregular = nonreg  # type: ignore[misc]  # see above
        super().__init__(**{**base.values, **params})

    def _make_support(self, s: Support) -> Support:
        return s

    def _repr_extra(self) -> str:
        return f"of {type(self.base).__name__}"

    @staticmethod
    def _split(th: Theta) -> tuple[Theta, Any]:
        return tuple(th[:-1]), th[-1]

    def _support_bounds(self, th: Theta) -> tuple[float, float]:
        lo, hi = self.base._support_bounds(self._split(th)[0])
        return min(lo, self.support.lower), hi

    def _check_data(self, data: Any, fixed: dict[str, float]) -> None:
        Family._check_data(self, data, fixed)

    def _boundary_message(self, name: str, params: dict[str, float]) -> str | None:
        if name in self.base.param_names:
            return self.base._boundary_message(name, params)
        return None

    def lr_nesting(self, other: Any) -> tuple[int, int, str, tuple[str, ...]] | None:
        """``(df, boundary, hypothesis, params)`` when the fit ``other`` is this model's
        wrapped family on the same data (a likelihood-ratio test applies), else None."""
        if getattr(other, "family", None) != self.base.name:
            return None
        return 1, 1, f"{self.base.name} within {self.name} ({self.extra} = 0, boundary)", \
            (self.extra,)


class ZeroInflated(Wrapped):
    """Zero-inflated ``family``: its parameters and ``zero_prob``; see the module docs.

    Parameters
    ----------
    family
        The family it wraps (a name or a family object).
    **params
        Known values of some or all of its parameters, e.g. ``mk.ZeroInflated("poisson", zero_prob=0.2)``:
        with all of them it is a distribution (``pdf``, ``cdf``, ``sample`` ...); in a fit they are
        held fixed.
    """

    extra = "zero_prob"
    prefix = "zero_inflated"

    def _make_support(self, s: Support) -> Support:
        if s.lower <= 0 <= s.upper:
            return Support(s.lower, s.upper, s.lower_closed or s.lower == 0, s.upper_closed,
                           s.integer)
        raise FamilyError(f"{type(self).__name__} needs a family whose values can be 0; "
                          f"{self.base.name} lives on {s.describe()}.")

    def _zero_logpdf(self, bth: Theta, p: Any, x: Any, blk: Any) -> Any:
        return self.base._logpdf(x, bth, blk) if self.discrete else -np.inf

    def _logpdf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = self.base._logpdf(x, bth, blk)
            if not self.discrete:
                return np.where(x == 0, np.log(p), np.log1p(-p) + a)
            return np.where(x == 0, np.logaddexp(np.log(p), np.log1p(-p) + a), np.log1p(-p) + a)

    def _logcdf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.log1p(-p) + self.base._logcdf(x, bth, blk)
            return np.where(np.asarray(x) >= 0, np.logaddexp(np.log(p), c), c)

    def _logsf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.log1p(-p) + self.base._logsf(x, bth, blk)
            return np.where(np.asarray(x) >= 0, s, np.logaddexp(np.log(p), s))

    def _ppf(self, q: Any, th: Theta) -> Any:
        bth, p = self._split(th)
        qq = np.clip((q - p) / (1.0 - p), 0.0, 1.0)
        return np.where(q <= p, 0.0, np.maximum(self.base._ppf(qq, bth), 0.0)
                        if self.support.lower == 0 else self.base._ppf(qq, bth))

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        bth, p = self._split(th)
        x = np.asarray(self.base._sample(size, bth, rng), dtype=float)
        return np.where(rng.uniform(size=x.shape) < p, 0.0, x)

    def _d_logpdf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logpdf(x, bth, blk)
        if d is None:
            return None
        pos = _scaled_arrays(p, d)
        if not self.discrete:
            zero = _scaled_arrays(p, _zeros(d), sign=1.0)
            return _select(np.asarray(x) == 0, zero, pos)
        z = np.asarray(x) == 0
        if z.ndim != 1 or pos[0].shape != z.shape:
            return _select(z, _mix_arrays(p, d), pos)
        # the mixture terms on the zero rows only (the expensive ones)
        idx = np.flatnonzero(z)
        if idx.size:
            a, ga, ha = _stack_with(p, d)
            mv, mg, mh = _mix_stacked(p[idx] if np.ndim(p) else p, a[idx], ga[:, idx],
                                      ha[:, :, idx])
            pos[0][idx] = mv
            pos[1][:, idx] = mg
            pos[2][:, :, idx] = mh
        return _lists(*pos)

    def _d_logcdf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logcdf(x, bth, blk)
        return None if d is None else _mix(p, d)

    def _d_logsf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logsf(x, bth, blk)
        return None if d is None else _scaled(p, d)

    def _start(self, x: NDArray[np.float64], w: NDArray[np.float64] | None,
               fixed: dict[str, float]) -> dict[str, float]:
        zero = x == 0
        pos = x[~zero] if (~zero).sum() >= 5 else x
        bfix = {k: v for k, v in fixed.items() if k in self.base.param_names}
        st = self.base._start(pos, None, bfix)
        f0 = float(np.exp(self.base._logpdf(np.zeros(1), tuple(st[k] for k in
                                                                   self.base.param_names), None)[0])) \
            if self.discrete else 0.0
        frac = float(np.mean(zero))
        excess = (frac - f0) / max(1e-12, 1.0 - f0)
        return {**st, self.extra: float(min(0.9, max(0.05, excess)))}

    def mean(self) -> float:
        bth, p = self._split(self.theta())
        return (1.0 - p) * float(self.base._scipy(bth).mean())

    def var(self) -> float:
        bth, p = self._split(self.theta())
        b = self.base._scipy(bth)
        m, v = float(b.mean()), float(b.var())
        return (1.0 - p) * (v + m * m) - ((1.0 - p) * m) ** 2


class Hurdle(ZeroInflated):
    """Hurdle ``family``: ``zero_prob`` = P(Y = 0); positive values from the zero-truncated
    family. For a continuous family the same as :class:`ZeroInflated`.

    Parameters
    ----------
    family
        The family it wraps (a name or a family object).
    **params
        Known values of some or all of its parameters, e.g. ``mk.Hurdle("poisson", zero_prob=0.2)``: with
        all of them it is a distribution (``pdf``, ``cdf``, ``sample`` ...); in a fit they are
        held fixed.
    """

    extra = "zero_prob"
    prefix = "hurdle"

    def lr_nesting(self, other: Any) -> tuple[int, int, str, tuple[str, ...]] | None:
        if getattr(other, "family", None) != self.base.name:
            return None
        if not self.discrete:
            return super().lr_nesting(other)
        return 1, 0, f"{self.base.name} within {self.name} (zero_prob = f(0))", ()

    def _c(self, bth: Theta, like: Any, blk: Any) -> Any:
        """log P_f(Y > 0) at every row (0 for a continuous family)."""
        if not self.discrete:
            return 0.0
        return _log1mexp(self.base._logpdf(0.0 * np.asarray(like, dtype=float), bth, None))

    def _logpdf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = self.base._logpdf(x, bth, blk)
            return np.where(x == 0, np.log(p), np.log1p(-p) + a - self._c(bth, x, blk))

    def _logsf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.log1p(-p) + self.base._logsf(x, bth, blk) - self._c(bth, x, blk)
            return np.where(np.asarray(x) >= 0, np.minimum(s, 0.0), 0.0)

    def _logcdf(self, x: Any, th: Theta, blk: Any) -> Any:
        return _log1mexp(self._logsf(x, th, blk))

    def _ppf(self, q: Any, th: Theta) -> Any:
        bth, p = self._split(th)
        if not self.discrete:
            return ZeroInflated._ppf(self, q, th)
        f0 = np.exp(self.base._logpdf(np.zeros(np.shape(q)), bth, None))
        u = np.clip(f0 + (q - p) / (1.0 - p) * (1.0 - f0), 0.0, 1.0)
        return np.where(q <= p, 0.0, np.maximum(self.base._ppf(u, bth), 1.0))

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        bth, p = self._split(th)
        if not self.discrete:
            return ZeroInflated._sample(self, size, th, rng)
        u = rng.uniform(size=size)
        f0 = np.exp(self.base._logpdf(np.zeros(np.shape(u)), bth, None))
        y = np.maximum(self.base._ppf(f0 + rng.uniform(size=np.shape(u)) * (1.0 - f0), bth), 1.0)
        return np.where(u < p, 0.0, y)

    def _c_derivs(self, bth: Theta, x: Any) -> Derivs | None:
        d0 = self.base._d_logpdf(0.0 * np.asarray(x, dtype=float), bth, None)
        if d0 is None:
            return None
        a, ga, ha = d0
        kb = len(ga)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            c = _log1mexp(a)
            r = np.exp(a - c)
        g = [-r * ga[i] for i in range(kb)]
        h = [[-r * ha[i][j] - r * (1.0 + r) * ga[i] * ga[j] for j in range(kb)] for i in range(kb)]
        return c, g, h

    def _minus_c(self, d: Derivs, bth: Theta, x: Any) -> Derivs | None:
        if not self.discrete:
            return d
        c = self._c_derivs(bth, x)
        if c is None:
            return None
        kb = len(d[1])
        return (d[0] - c[0], [d[1][i] - c[1][i] for i in range(kb)],
                [[d[2][i][j] - c[2][i][j] for j in range(kb)] for i in range(kb)])

    def _d_logpdf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logpdf(x, bth, blk)
        d = None if d is None else self._minus_c(d, bth, x)
        if d is None:
            return None
        zero = _scaled_arrays(p, _zeros(d), sign=1.0)
        return _select(np.asarray(x) == 0, zero, _scaled_arrays(p, d))

    def _d_logsf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logsf(x, bth, blk)
        d = None if d is None else self._minus_c(d, bth, x)
        return None if d is None else _scaled(p, d)

    def _d_logcdf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        return None

    def _start(self, x: NDArray[np.float64], w: NDArray[np.float64] | None,
               fixed: dict[str, float]) -> dict[str, float]:
        st = super()._start(x, w, fixed)
        st[self.extra] = float(min(0.95, max(0.02, np.mean(x == 0))))
        return st

    def mean(self) -> float:
        bth, p = self._split(self.theta())
        f0 = math.exp(float(self.base._logpdf(np.zeros(1), bth, None)[0])) if self.discrete else 0.0
        return (1.0 - p) * float(self.base._scipy(bth).mean()) / (1.0 - f0)

    def var(self) -> float:
        bth, p = self._split(self.theta())
        f0 = math.exp(float(self.base._logpdf(np.zeros(1), bth, None)[0])) if self.discrete else 0.0
        b = self.base._scipy(bth)
        m2 = (float(b.var()) + float(b.mean()) ** 2) / (1.0 - f0)
        m = float(b.mean()) / (1.0 - f0)
        return (1.0 - p) * m2 - ((1.0 - p) * m) ** 2


class Cure(Wrapped):
    """Mixture cure model: ``cure_prob`` = p, ``S(t) = p + (1-p) S_f(t)``; for right-censored
    lifetimes (``mk.Data.right_censored`` or ``observed=`` in ``mk.regress``).

    Parameters
    ----------
    family
        The family it wraps (a name or a family object).
    **params
        Known values of some or all of its parameters, e.g. ``mk.Cure("weibull", cure_prob=0.3)``: with
        all of them it is a distribution (``pdf``, ``cdf``, ``sample`` ...); in a fit they are
        held fixed.
    """

    extra = "cure_prob"
    prefix = "cure"

    def _logpdf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore"):
            return np.log1p(-p) + self.base._logpdf(x, bth, blk)

    def _logcdf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore"):
            return np.log1p(-p) + self.base._logcdf(x, bth, blk)

    def _logsf(self, x: Any, th: Theta, blk: Any) -> Any:
        bth, p = self._split(th)
        with np.errstate(divide="ignore"):
            return np.logaddexp(np.log(p), np.log1p(-p) + self.base._logsf(x, bth, blk))

    def _ppf(self, q: Any, th: Theta) -> Any:
        bth, p = self._split(th)
        qq = np.clip(q / (1.0 - p), 0.0, 1.0)
        return np.where(q >= 1.0 - p, np.inf, self.base._ppf(qq, bth))

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        bth, p = self._split(th)
        x = np.asarray(self.base._sample(size, bth, rng), dtype=float)
        return np.where(rng.uniform(size=x.shape) < p, np.inf, x)

    def _d_logpdf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logpdf(x, bth, blk)
        return None if d is None else _scaled(p, d)

    def _d_logcdf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logcdf(x, bth, blk)
        return None if d is None else _scaled(p, d)

    def _d_logsf(self, x: Any, th: Theta, blk: Any) -> Derivs | None:
        bth, p = self._split(th)
        d = self.base._d_logsf(x, bth, blk)
        return None if d is None else _mix(p, d)

    def _start(self, x: NDArray[np.float64], w: NDArray[np.float64] | None,
               fixed: dict[str, float]) -> dict[str, float]:
        bfix = {k: v for k, v in fixed.items() if k in self.base.param_names}
        return {**self.base._start(x, w, bfix), self.extra: 0.2}

    def mean(self) -> float:
        return math.inf if self.theta()[-1] > 0 else float(self.base._scipy(self.theta()[:-1]).mean())
