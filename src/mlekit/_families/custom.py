"""User-defined families: ``Family.from_logpdf`` and ``Family.from_cumhaz``.

A custom family is an ordinary :class:`Family` subclass made on the fly, so everything generic
— censoring, weights, truncation, fixed parameters, standard errors, summaries — works for it
exactly as for the built-in ones, through the one likelihood in :mod:`mlekit._fit.likelihood`.

- ``from_logpdf(logpdf, logcdf=None, logsf=None, params=...)``: the log density is required;
  a missing ``logcdf``/``logsf`` comes from the other (``log(1 - exp(.))``, computed stably),
  or, when both are missing, from numerical integration of the density (slow: give one of
  them when the data are censored).
- ``from_cumhaz(cumhaz, params=...)``: the cumulative hazard ``H`` gives ``log S = -H``,
  ``log F = log(1 - exp(-H))`` and ``log f = log h - H`` with the hazard ``h = dH/dx`` from
  ``hazard=`` or from a 5-point central difference in ``x`` with relative step.

Parameter derivatives are numerical: a 5-point stencil per parameter on the unconstrained
scale (step ``5e-3``; error ``O(h^4)``), Richardson-extrapolated mixed terms. The larger step
keeps the rounding noise of a numerically differentiated hazard out of the Hessian.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._core.domains import Domain, Real
from ..errors import FamilyError
from .base import FACTORIES, Derivs, Family, Support
from .stats import log1mexp as _log1mexp

__all__ = ["from_logpdf", "from_cumhaz", "CustomFamily"]

Theta = tuple[Any, ...]
_STEP = 5e-3


def _param_spec(fn: Callable[..., Any], params: Any, what: str) -> tuple[list[str], list[Domain]]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        sig = None
    sig_names = [] if sig is None else [p.name for p in sig.parameters.values()
                                        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)][1:]
    from .._core.domains import as_domain

    if params is None:
        if not sig_names:
            raise FamilyError(f"{what} must take the value first and then the parameters, e.g. "
                              "def logpdf(x, mu, sigma); got no parameters. Hint: pass params=.")
        return sig_names, [Real] * len(sig_names)
    if isinstance(params, dict):
        names = list(params)
        doms = [as_domain(v, k) for k, v in params.items()]
    elif isinstance(params, (list, tuple)):
        names = [str(p) for p in params]
        doms = [Real] * len(names)
    else:
        raise FamilyError(f"params must be a dict such as {{'shape': mk.Positive}} or a list of "
                          f"names; got {params!r}.")
    if sig_names and set(names) != set(sig_names):
        raise FamilyError(f"params ({', '.join(names)}) must match the arguments of {what} after "
                          f"the value ({', '.join(sig_names)}).")
    return names, doms


def _support(spec: Any, discrete: bool) -> Support:
    if spec is None:
        return Support(0.0, math.inf, lower_closed=True, integer=True) if discrete else Support()
    if isinstance(spec, Support):
        return spec
    lo, hi = (float(v) for v in spec)
    return Support(lo, hi, lower_closed=discrete or math.isfinite(lo),
                   upper_closed=discrete or math.isfinite(hi), integer=discrete)


class CustomFamily(Family):
    """Base of families made by :func:`from_logpdf` / :func:`from_cumhaz`."""

    derivatives_note = "numerical parameter derivatives: 5-point stencil, Richardson cross terms"
    _user_start: Any = None

    # -- the three functions, overridden per class
    def _kw(self, th: Theta) -> dict[str, Any]:
        return dict(zip(self.param_names, th))

    def _logpdf(self, x: Any, th: Theta, blk: Any) -> Any:
        raise NotImplementedError

    def _logcdf(self, x: Any, th: Theta, blk: Any) -> Any:
        return self._integrated(x, th, lower=True)

    def _logsf(self, x: Any, th: Theta, blk: Any) -> Any:
        return self._integrated(x, th, lower=False)

    def _integrated(self, x: Any, th: Theta, lower: bool) -> Any:
        """log F or log S by numerical integration (or summation) of the density."""
        from scipy.integrate import quad

        xa = np.asarray(x, dtype=float)
        flat = xa.ravel()
        out = np.empty(flat.shape)
        lo, hi = self._support_bounds(th)
        th_b = [np.broadcast_to(np.asarray(t, dtype=float), xa.shape).ravel() for t in th]
        cache: dict[tuple[float, ...], float] = {}
        for i, xi in enumerate(flat):
            ti = tuple(float(t[i]) for t in th_b)
            key = (float(xi), *ti)
            if key in cache:
                out[i] = cache[key]
                continue
            if self.discrete:
                if lower:
                    ks = np.arange(max(lo, 0.0) if math.isfinite(lo) else 0.0, math.floor(xi) + 1)
                    val = (float(np.logaddexp.reduce(self._logpdf(ks, ti, None)))
                           if ks.size else -math.inf)
                else:
                    ks = (np.arange(max(lo, 0.0), math.floor(xi) + 1) if math.isfinite(lo)
                          else np.zeros(0))
                    c = float(np.logaddexp.reduce(self._logpdf(ks, ti, None))) \
                        if ks.size else -math.inf
                    val = float(_log1mexp(min(c, 0.0)))
            else:
                def dens(t: float, ti: Theta = ti) -> float:
                    return float(np.exp(self._logpdf(np.asarray(t), ti, None)))
                a, b = (lo, min(xi, hi)) if lower else (max(xi, lo), hi)
                if b <= a:
                    val = -math.inf
                else:
                    p = quad(dens, a, b, limit=200, epsabs=0.0, epsrel=1e-12)[0]
                    val = math.log(p) if p > 0 else -math.inf
            cache[key] = out[i] = val
        return out.reshape(xa.shape)

    def _ppf(self, q: Any, th: Theta) -> Any:
        from scipy.optimize import brentq

        qa = np.asarray(q, dtype=float)
        lo, hi = self._support_bounds(th)
        out = np.empty(qa.size)
        for i, qi in enumerate(qa.ravel()):
            if qi <= 0:
                out[i] = lo
                continue
            if qi >= 1:
                out[i] = hi
                continue
            lq = math.log(qi)

            def g(t: float, lq: float = lq) -> float:
                return float(self._logcdf(np.asarray([t]), th, None)[0]) - lq

            a = lo if math.isfinite(lo) else -1.0
            b = a + 1.0
            while math.isfinite(lo) is False and g(a) > 0:
                a = 2 * a - 1.0
            while g(b) < 0:
                b = a + 2 * (b - a)
            if self.discrete:
                k = math.floor(a)
                while g(k) < 0:
                    k += 1
                out[i] = k
            else:
                out[i] = brentq(g, a + 1e-300 if math.isfinite(lo) else a, b, xtol=1e-14,
                                rtol=1e-13)
        return out.reshape(qa.shape)

    def _sample(self, size: Any, th: Theta, rng: np.random.Generator) -> Any:
        return self._ppf(rng.uniform(size=size), th)

    # -- derivatives in the parameters
    def _nd(self, f: Callable[[Theta], Any], th: Theta) -> Derivs:
        k = len(th)
        doms = self.domains
        eta = [np.asarray(doms[i].to_unconstrained(th[i]), dtype=float) for i in range(k)]
        h = [_STEP * np.maximum(1.0, np.abs(e)) for e in eta]

        def at(d: dict[int, Any]) -> Any:
            t = list(th)
            for i, v in d.items():
                t[i] = doms[i].from_unconstrained(eta[i] + v)
            return np.asarray(f(tuple(t)), dtype=float)

        v0 = np.asarray(f(th), dtype=float)
        g_e: list[Any] = [0.0 * v0] * k
        H_e: list[list[Any]] = [[0.0 * v0] * k for _ in range(k)]
        for i in range(k):
            p1, m1, p2, m2 = at({i: h[i]}), at({i: -h[i]}), at({i: 2 * h[i]}), at({i: -2 * h[i]})
            g_e[i] = (m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * h[i])
            H_e[i][i] = (-p2 + 16.0 * p1 - 30.0 * v0 + 16.0 * m1 - m2) / (12.0 * h[i] ** 2)
        for i in range(k):
            for j in range(i + 1, k):
                def cross(s: float, i: int = i, j: int = j) -> Any:
                    a, b = s * h[i], s * h[j]
                    return (at({i: a, j: b}) - at({i: a, j: -b}) - at({i: -a, j: b})
                            + at({i: -a, j: -b})) / (4.0 * a * b)
                H_e[i][j] = H_e[j][i] = (4.0 * cross(1.0) - cross(2.0)) / 3.0
        jac = [doms[i].jacobian(eta[i]) for i in range(k)]
        g = [g_e[i] / jac[i][0] for i in range(k)]
        H = [[(H_e[i][j] - (g[i] * jac[i][1] if i == j else 0.0)) / (jac[i][0] * jac[j][0])
              for j in range(k)] for i in range(k)]
        const = np.isinf(v0)  # log 0 (e.g. log F at the support's end) does not move
        if np.any(const):
            g = [np.where(const, 0.0, gi) for gi in g]
            H = [[np.where(const, 0.0, hij) for hij in row] for row in H]
        return v0, g, H

    def _d_logpdf(self, x: Any, th: Theta, blk: Any) -> Derivs:
        return self._nd(lambda t: self._logpdf(x, t, blk), th)

    def _d_logcdf(self, x: Any, th: Theta, blk: Any) -> Derivs:
        return self._nd(lambda t: self._logcdf(x, t, blk), th)

    def _d_logsf(self, x: Any, th: Theta, blk: Any) -> Derivs:
        return self._nd(lambda t: self._logsf(x, t, blk), th)

    # -- estimation hooks
    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        from .._core.domains import grid_starts

        if callable(self._user_start):
            s = dict(self._user_start(x, w))
        else:
            s = dict(self._user_start or {})
        xf = x[np.isfinite(x)]
        sub = xf[:: max(1, xf.size // 2000)]
        mean, med = float(np.mean(sub)), float(np.median(sub))
        sd, mabs = float(np.std(sub)), float(np.mean(np.abs(sub)))
        cands: dict[str, list[float]] = {}
        for p, d in zip(self.param_names, self.domains):
            from .._core.domains import default_start

            c = [default_start(d), mean, med, sd, mabs, 1.0 / sd if sd > 0 else 1.0]
            cands[p] = [v for v in dict.fromkeys(c) if math.isfinite(v) and d.contains(v)]

        def value(th: Theta) -> float:
            with np.errstate(all="ignore"):
                return float(np.sum(self._logpdf(sub, th, None)))

        given = {p: v for p, v in s.items() if p not in fixed}
        return grid_starts(list(self.param_names), list(self.domains), fixed, given, cands,
                           value, limit=256)[0]

    def _repr_extra(self) -> str:
        return "custom"


def _make(name: str, base: type[CustomFamily], names: list[str], doms: list[Domain],
          support: Support, discrete: bool, members: dict[str, Any], start: Any) -> Family:
    cls_name = "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_")) \
        or "Custom"
    attrs = {"name": name, "param_names": tuple(names), "domains": tuple(doms),
             "support": support, "discrete": discrete, "formula": f"user-defined ({name})",
             "_user_start": start, **members}
    cls = type(cls_name, (base,), attrs)
    return cls()


def from_logpdf(logpdf: Callable[..., Any], logcdf: Callable[..., Any] | None = None,
                logsf: Callable[..., Any] | None = None, params: Any = None, *,
                support: Any = None, discrete: bool = False, name: str | None = None,
                start: Any = None) -> Family:
    """A family from its log density ``logpdf(x, p1, p2, ...)`` (vectorised in ``x``).

    ``params``: ``{"name": domain}`` (e.g. ``{"shape": mk.Positive}``), a list of names (all
    real), or None (names from the signature, all real). ``support``: ``(lower, upper)`` of
    the values (default the real line; counts from 0 when ``discrete``). ``start``: a dict of
    starting values, or ``start(x, w) -> dict``.
    """
    if not callable(logpdf):
        raise FamilyError(f"logpdf must be a function; got {type(logpdf).__name__}.")
    names, doms = _param_spec(logpdf, params, "logpdf")

    def _lp(self: CustomFamily, x: Any, th: Theta, blk: Any) -> Any:
        return logpdf(x, **self._kw(th))

    members: dict[str, Any] = {"_logpdf": _lp}
    if logcdf is not None:
        members["_logcdf"] = lambda self, x, th, blk: logcdf(x, **self._kw(th))
    if logsf is not None:
        members["_logsf"] = lambda self, x, th, blk: logsf(x, **self._kw(th))
    if logcdf is not None and logsf is None:
        members["_logsf"] = lambda self, x, th, blk: _log1mexp(logcdf(x, **self._kw(th)))
    if logsf is not None and logcdf is None:
        members["_logcdf"] = lambda self, x, th, blk: _log1mexp(logsf(x, **self._kw(th)))
    return _make(name or str(getattr(logpdf, "__name__", "custom")), CustomFamily, names, doms,
                 _support(support, discrete), discrete, members, start)


def _dx(H: Callable[[Any], Any], x: Any, lower: float) -> Any:
    """dH/dx by a 5-point central difference with relative step (forward near ``lower``)."""
    x = np.asarray(x, dtype=float)
    h = 1e-3 * np.maximum(np.abs(x), 1e-8)
    central = (H(x - 2 * h) - 8.0 * H(x - h) + 8.0 * H(x + h) - H(x + 2 * h)) / (12.0 * h)
    if not math.isfinite(lower):
        return central
    near = x - 2 * h <= lower
    if not np.any(near):
        return central
    fwd = (-25.0 * H(x) + 48.0 * H(x + h) - 36.0 * H(x + 2 * h) + 16.0 * H(x + 3 * h)
           - 3.0 * H(x + 4 * h)) / (12.0 * h)
    return np.where(near, fwd, central)


def from_cumhaz(cumhaz: Callable[..., Any], params: Any = None, *,
                hazard: Callable[..., Any] | None = None, support: Any = (0.0, math.inf),
                name: str | None = None, start: Any = None) -> Family:
    """A lifetime family from its cumulative hazard ``H(x, p1, p2, ...)``: ``S = exp(-H)``.

    ``hazard``: the hazard ``h = dH/dx`` with the same signature (optional; differentiated
    numerically otherwise). ``params`` and ``start`` as in :func:`from_logpdf`.
    """
    if not callable(cumhaz):
        raise FamilyError(f"cumhaz must be a function; got {type(cumhaz).__name__}.")
    names, doms = _param_spec(cumhaz, params, "cumhaz")
    sup = _support(support, False)

    def _ls(self: CustomFamily, x: Any, th: Theta, blk: Any) -> Any:
        return -np.asarray(cumhaz(x, **self._kw(th)), dtype=float)

    def _lc(self: CustomFamily, x: Any, th: Theta, blk: Any) -> Any:
        return _log1mexp(_ls(self, x, th, blk))

    def _lp(self: CustomFamily, x: Any, th: Theta, blk: Any) -> Any:
        kw = self._kw(th)
        Hx = np.asarray(cumhaz(x, **kw), dtype=float)
        if hazard is not None:
            hx = np.asarray(hazard(x, **kw), dtype=float)
        else:
            hx = _dx(lambda t: np.asarray(cumhaz(t, **kw), dtype=float), x, sup.lower)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(hx) - Hx

    return _make(name or str(getattr(cumhaz, "__name__", "custom")), CustomFamily, names, doms, sup,
                 False, {"_logpdf": _lp, "_logcdf": _lc, "_logsf": _ls}, start)


FACTORIES.update(logpdf=from_logpdf, cumhaz=from_cumhaz)
