"""The one-parameter profile Newton shared by Weibull and Gumbel, written once.

Both laws reduce to the same problem. With "log values" ``u`` (Weibull: ``log x``; Gumbel
for maxima: ``-x``), ``u`` follows a Gumbel law for minima whose scale is ``1/k``; the other
parameter has a closed form given ``k`` and the profile log-likelihood is

    l_p(k) = d log k - d log S0(k) + k sum_exact(w v) + const,
    S_j(k) = sum over the profile rows of w exp(k v) v^j,   v = u - max(u) <= 0,

where ``d`` is the weight of the exact rows and the profile rows are the exact rows plus,
for Weibull, the right-censored ones. Everything a backend needs is here, on floats or on
per-group arrays alike: the statistics a pass collects (:meth:`Profile.scan`), the start,
the profile's derivatives from the sums (:func:`derivs`), the estimate with its
log-likelihood, gradient and Hessian (:meth:`Profile.finish`), and the driver over a
``sums(k)`` callback, :func:`solve` (one data set: Newton on ``log k``, one pass over the
data per iteration — in memory or over chunks). Its batched twin for all groups at once is
``mlekit._scale.grouped.profile.solve_groups``; ``tests/families`` checks that they agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._data.data import Block, Data, fdot
from .stats import EULER, FastFit, Stats, moments_given_sum, newton_1d

__all__ = ["Profile", "WeibullProfile", "GumbelProfile", "derivs", "solve", "PROFILE_TOL"]

F = NDArray[np.float64]
# Newton's stopping rule on one data set: |score| <= 1e-9 standard errors (decrement 1e-18)
PROFILE_TOL = 1e-9


def _ln(x: Any) -> Any:
    return math.log(x) if isinstance(x, float) else np.log(x)


def _exp(x: Any) -> Any:
    return math.exp(x) if isinstance(x, float) else np.exp(x)


def derivs(S: list[Any], k: Any, d: Any, Lc: Any) -> tuple[Any, Any, Any]:
    """The profile's first three derivatives in ``k`` from the sums ``S_0..S_3`` (the third
    is 0 when only ``S_0..S_2`` are given)."""
    r1, r2 = S[1] / S[0], S[2] / S[0]
    g = d / k - d * r1 + Lc
    h = -d / k**2 - d * (r2 - r1 * r1)
    if len(S) > 3:
        r3 = S[3] / S[0]
        t = 2 * d / (k * k * k) - d * (r3 - 3 * r1 * r2 + 2 * (r1 * r1 * r1))  # ** 3: 6x slower
    else:
        t = 0.0 * g
    return g, h, t


class Profile:
    """A family whose MLE is the profile Newton above. Subclasses give the log values
    (:meth:`u`), which data kinds the profile covers, and the map back to the family's
    parameters (:meth:`finish`, :meth:`start_params`)."""

    kinds: tuple[str, ...] = ("exact",)   # the profile rows
    closed: str = ""                      # the parameter in closed form given k
    profiled: str = ""                    # the parameter k stands for

    def u(self, blk: Block) -> Any:
        raise NotImplementedError

    def k_of(self, value: float) -> float:
        """``k`` for a fixed value of the profiled parameter."""
        raise NotImplementedError

    def finish(self, k: Any, S: list[Any], d: Any, L: Any, c: Any
               ) -> tuple[list[Any], Any, list[Any], list[list[Any]]]:
        """Natural parameters, log-likelihood, gradient and Hessian at ``k`` (floats or
        per-group arrays)."""
        raise NotImplementedError

    def start_params(self, k0: Any, mean_u: Any) -> list[Any]:
        """The natural parameters at the start (for the "ran far from its start" check)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ applicability
    def applies(self, kinds: set[str], truncated: bool, fixed: dict[str, Any]) -> bool:
        """Data with these (non-empty) censoring kinds can take the profile path."""
        return (not truncated and self.closed not in fixed and "exact" in kinds
                and kinds <= set(self.kinds))

    def key(self, what: str) -> str:
        """A block-cache key for this profile's ``what`` (``u`` differs between profiles: a
        Weibull and a Gumbel fit of the same data must not share it)."""
        return f"{what}:{type(self).__name__}"

    def _u(self, blk: Block) -> Any:
        with np.errstate(divide="ignore"):
            return blk.cached(self.key("profile_u"), lambda: self.u(blk))

    def scan(self, data: Data) -> Stats:
        """Pass-1 statistics of one chunk: the exact rows' weight ``d`` and ``L = sum w u``
        (``-inf``: an exact value the profile cannot take, e.g. a Weibull zero), the largest
        ``u`` over the profile rows and Chan moments of ``u``."""
        st = None
        blocks = data.blocks
        for kind in self.kinds:
            blk = blocks[kind]
            if not blk.size:
                continue
            u = self._u(blk)
            W, S = blk.wsum, blk.wsum_of(u)
            exact = kind == "exact"
            part = Stats({"d": W if exact else 0.0, "L": S if exact else 0.0},
                         maxs={"umax": float(u.max())},
                         moments={"u": moments_given_sum(u, blk.w, W, S)})
            st = part if st is None else st + part
        if st is None:
            return Stats({"d": 0.0, "L": 0.0}, maxs={"umax": -math.inf},
                         moments={"u": (0.0, 0.0, 0.0)})
        return st

    @staticmethod
    def summary(st: Stats) -> tuple[float, float, float, float, float, float]:
        """``(d, L, max u, W, mean u, M2)`` from the pass-1 statistics."""
        return (st.sums["d"], st.sums["L"], st.maxs["umax"], *st.moments["u"])

    def k_start(self, summ: tuple[float, ...]) -> float:
        """``k`` from the RMS deviation of ``u`` about the exact rows' mean (Gumbel-min
        moments: SD = pi / (sqrt 6 k))."""
        d, L, _, W, mean, M2 = summ
        m = L / d
        s = math.sqrt(max((M2 + W * (mean - m) ** 2) / W, 1e-300))
        return math.pi / (math.sqrt(6) * s) if s > 0 else 1.0

    def usable(self, summ: tuple[float, ...]) -> bool:
        return summ[0] > 0 and math.isfinite(summ[1])

    # ------------------------------------------------------------------ one data set
    def fit(self, data: Data, fixed: dict[str, float], sums: Callable[..., Any] | None = None,
            st: Stats | None = None, k0: float | None = None, tol: float = PROFILE_TOL
            ) -> FastFit | None:
        """The profile fit of one data set: in memory (``sums`` None: computed here) or over
        chunks (``sums(k, c) -> (S0, S1, S2)`` one pass each, with ``st`` from pass 1).
        ``k0``: a start (else from the moments); ``tol``: Newton's stopping rule."""
        if st is None:
            blocks = data.blocks
            kinds = {kd for kd, b in blocks.items() if b.size}
            if not self.applies(kinds, data.is_truncated, fixed):
                return None
            if len(kinds) == 1:          # exact rows only: the summary without a Stats
                blk = blocks["exact"]
                u = self._u(blk)
                W, S = blk.wsum, blk.wsum_of(u)
                summ = (W, S, float(u.max()), *moments_given_sum(u, blk.w, W, S))
            else:
                summ = self.summary(self.scan(data))
        else:
            summ = self.summary(st)
        if not self.usable(summ):
            return None
        d, L, c = summ[0], summ[1], summ[2]
        if sums is None:
            sums = self._memory_sums(data, c)
        Lc = L - d * c
        memo: dict[str, Any] = {}

        def at(k: float) -> Any:
            S = memo["S"] = sums(k, c)
            memo["k"] = k
            return S

        if self.profiled in fixed:
            k = self.k_of(fixed[self.profiled])
            at(k)
            it, ok, method = 0, True, "closed-form"
        else:
            k, it, ok = solve(at, k0 if k0 is not None and k0 > 0 and math.isfinite(k0)
                              else self.k_start(summ), d, Lc, tol=tol)
            method = "profile-newton"
            if memo.get("k") != k:
                at(k)
        params, ll, _, H = self.finish(k, memo["S"], d, L, c)
        return FastFit(dict(zip(self.names, params)), method, it, ok, ll,
                       np.array(H, dtype=float))

    names: tuple[str, ...] = ()

    def _memory_sums(self, data: Data, c: float) -> Callable[[float, float], tuple[float, ...]]:
        blocks = data.blocks
        blks = [blocks[kd] for kd in self.kinds if blocks[kd].size]
        if len(blks) == 1:
            b = blks[0]
            v, w = self._u(b) - c, b.w
        else:
            v = np.concatenate([self._u(b) for b in blks]) - c
            w = None if all(b.w is None for b in blks) else np.concatenate(
                [np.ones(b.size) if b.w is None else b.w for b in blks])
        v2 = v * v
        buf = np.empty_like(v)          # one buffer for every iteration

        def sums(k: float, _c: float) -> tuple[float, float, float]:
            z = np.exp(np.multiply(v, k, out=buf), out=buf)
            if w is not None:
                np.multiply(z, w, out=z)
            return float(z.sum()), float(fdot(z, v)), float(fdot(z, v2))
        return sums


def solve(at: Callable[[float], Any], k0: float, d: float, Lc: float,
          tol: float = PROFILE_TOL, maxiter: int = 100) -> tuple[float, int, bool]:
    """Newton on ``eta = log k`` (``newton_1d``: steps capped at 1) for one data set; each
    iteration calls ``at(k)`` once (one pass over the data). Returns ``(k, iterations,
    converged)``."""
    def score(eta: float) -> tuple[float, float]:
        k = math.exp(eta)
        g, h, _ = derivs(at(k), k, d, Lc)
        return g * k, h * k * k + g * k

    eta, it, ok = newton_1d(score, math.log(k0), tol=tol, maxiter=maxiter)
    return math.exp(eta), it, ok


class WeibullProfile(Profile):
    """Weibull (shape k, scale): ``u = log x``; exact and right-censored rows;
    ``scale^k = sum(w x^k) / d``."""

    kinds = ("exact", "right")
    closed = "scale"
    profiled = "shape"
    names = ("shape", "scale")

    def u(self, blk: Block) -> Any:
        return blk.cached("log_x", lambda: np.log(blk.x))

    def k_of(self, value: float) -> float:
        return value

    def start_params(self, k0: Any, mean_u: Any) -> list[Any]:
        return [k0, _exp(mean_u + EULER / k0)]

    def finish(self, k: Any, S: list[Any], d: Any, L: Any, c: Any
               ) -> tuple[list[Any], Any, list[Any], list[list[Any]]]:
        S0, S1, S2 = S[0], S[1], S[2]
        lam_k = S0 / d                             # (scale / c)^k
        lscale = c + _ln(lam_k) / k
        scale = _exp(lscale)
        # sums of z = (x/scale)^k, z u and z u^2 with u = log x - log scale = v - (lscale - c)
        a = lscale - c
        Z0 = S0 / lam_k
        Z1 = (S1 - a * S0) / lam_k
        Z2 = (S2 - 2 * a * S1 + a * a * S0) / lam_k
        ll = d * (_ln(k) - lscale) + (k - 1.0) * (L - d * lscale) - Z0
        g = [d / k + (L - d * lscale) - Z1, (k / scale) * (Z0 - d)]
        hkl = (Z0 + k * Z1 - d) / scale
        H = [[-d / k**2 - Z2, hkl], [hkl, -(k / scale**2) * ((k + 1.0) * Z0 - d)]]
        return [k, scale], ll, g, H


class GumbelProfile(Profile):
    """Gumbel for maxima (loc, scale = 1/k): ``u = -x``; exact rows only; ``loc`` is closed
    form given the scale."""

    kinds = ("exact",)
    closed = "loc"
    profiled = "scale"
    names = ("loc", "scale")

    def u(self, blk: Block) -> Any:
        return -blk.x

    def k_of(self, value: float) -> float:
        return 1.0 / value

    def start_params(self, k0: Any, mean_u: Any) -> list[Any]:
        return [-(mean_u + EULER / k0), 1.0 / k0]

    def usable(self, summ: tuple[float, ...]) -> bool:
        return super().usable(summ) and summ[5] > 0

    def finish(self, k: Any, S: list[Any], d: Any, L: Any, c: Any
               ) -> tuple[list[Any], Any, list[Any], list[list[Any]]]:
        beta = 1.0 / k
        W = d
        xbar = -L / W
        ymin = -c - xbar                                      # min x - mean x
        r1, r2 = S[1] / S[0], S[2] / S[0]
        a1 = ymin - r1                                        # sum w e y / sum w e, y = x - mean
        a2 = ymin * ymin - 2 * ymin * r1 + r2
        mu = xbar + ymin - beta * _ln(S[0] / W)
        dlt = xbar - mu
        sz = W * dlt / beta                                   # sum z
        sze = W * (a1 + dlt) / beta                           # sum z e^{-z}
        sz2e = W * (a2 + 2 * dlt * a1 + dlt * dlt) / beta**2  # sum z^2 e^{-z}
        ll = -sz - W - W * _ln(beta)
        b2 = beta**2
        g = [0.0 * ll, (-W + sz - sze) / beta]
        H = [[-W / b2, -sze / b2], [-sze / b2, (2 * sze - 2 * sz - sz2e + W) / b2]]
        return [mu, beta], ll, g, H


WEIBULL = WeibullProfile()
GUMBEL = GumbelProfile()
