"""Shared pieces of family math: location-scale chain rules, cumulative-hazard tails, what
every count family declares, and the known number of trials of the binomial families."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._data.data import Block, Data
from ..errors import DataError, FamilyError, ParameterError
from .base import Derivs, Family, Support
from .stats import COUNTS_SCALE_NOTE

Theta = tuple[Any, ...]


class LocScale(Family):
    """A location-scale family ``f(x) = g((x - loc)/scale) / scale``.

    Subclasses give the standard log density and its first two derivatives (``_g``) and the
    standard log-cdf and log-sf (``_G``, ``_S``); all parameter derivatives — density,
    cdf and sf terms — follow from the chain rule here.
    """

    def _g(self, z: Any, order: int) -> tuple[Any, Any, Any]:
        raise NotImplementedError

    def _G(self, z: Any) -> Any:
        raise NotImplementedError

    def _S(self, z: Any) -> Any:
        raise NotImplementedError

    def _z(self, x: Any, th: Theta) -> Any:
        return (x - th[0]) / th[1]

    def _logpdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._g(self._z(x, th), 0)[0] - np.log(th[1])

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._G(self._z(x, th))

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return self._S(self._z(x, th))

    def _loc_x(self, blk: Block) -> tuple[Any, float]:
        """The values the location-scale form applies to, and the sum of any extra
        log-density term that does not depend on the parameters (LogNormal: log x, -Σ log x)."""
        return blk.x, 0.0

    def _exact_sums(self, blk: Block, th: Theta) -> tuple[float, Any, Any] | None:
        """Fused sums for exact data: six reductions instead of per-observation arrays."""
        m, s = th[0], th[1]
        if np.ndim(m) or np.ndim(s):
            return None  # batched parameters: per-observation path
        x, offset = self._loc_x(blk)
        z = (x - m) / s
        g, g1, g2 = self._g(z, 2)
        w = blk.w
        W = blk.wsum
        if w is None:
            sg, sg1 = float(g.sum()), float(g1.sum())
            szg1 = float(np.einsum("i,i->", z, g1))
            if np.ndim(g2):
                sg2 = float(g2.sum())
                szg2 = float(np.einsum("i,i->", z, g2))
                sz2g2 = float(np.einsum("i,i,i->", z, z, g2))
            else:
                sg2, szg2, sz2g2 = W * g2, g2 * float(z.sum()), g2 * float(np.einsum("i,i->", z, z))
        else:
            sg, sg1 = float(np.einsum("i,i->", w, g)), float(np.einsum("i,i->", w, g1))
            szg1 = float(np.einsum("i,i,i->", w, z, g1))
            wz = w * z
            if np.ndim(g2):
                sg2 = float(np.einsum("i,i->", w, g2))
                szg2 = float(np.einsum("i,i->", wz, g2))
                sz2g2 = float(np.einsum("i,i,i->", wz, z, g2))
            else:
                sg2, szg2, sz2g2 = W * g2, g2 * float(wz.sum()), g2 * float(np.einsum("i,i->", wz, z))
        s2 = s * s
        ll = sg - W * math.log(s) + offset
        grad = np.array([-sg1 / s, -(szg1 + W) / s])
        hms = (sg1 + szg2) / s2
        hess = np.array([[sg2 / s2, hms], [hms, (2.0 * szg1 + sz2g2 + W) / s2]])
        return ll, grad, hess

    def _d_logpdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        s = th[1]
        z = self._z(x, th)
        g, g1, g2 = self._g(z, 2)
        zg1 = z * g1
        val = g - np.log(s)
        grad = [-g1 / s, -(zg1 + 1.0) / s]
        hmm = g2 / s**2
        hms = (g1 + z * g2) / s**2
        hss = (2.0 * zg1 + z * z * g2 + 1.0) / s**2
        return val, grad, [[hmm, hms], [hms, hss]]

    def _tail_derivs(self, z: Any, s: float, V: Any, V1: Any, V2: Any) -> Derivs:
        grad = [-V1 / s, -z * V1 / s]
        hmm = V2 / s**2
        hms = (V1 + z * V2) / s**2
        hss = (2.0 * z * V1 + z * z * V2) / s**2
        return V, grad, [[hmm, hms], [hms, hss]]

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        z = self._z(x, th)
        g, g1, _ = self._g(z, 1)
        G = self._G(z)
        r = np.exp(g - G)  # f/F
        return self._tail_derivs(z, th[1], G, r, r * (g1 - r))

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs | None:
        z = self._z(x, th)
        g, g1, _ = self._g(z, 1)
        S = self._S(z)
        q = np.exp(g - S)  # f/S
        return self._tail_derivs(z, th[1], S, -q, -q * (g1 + q))


class CumHaz(Family):
    """A family whose survival function is ``exp(-H(x))``: log S = -H and
    log F = log(1 - exp(-H)), with derivatives from those of ``H`` (``_H``)."""

    def _H(self, x: Any, th: Theta, blk: Block | None, order: int) -> Derivs:
        raise NotImplementedError

    def _logsf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return -self._H(x, th, blk, 0)[0]

    def _logcdf(self, x: Any, th: Theta, blk: Block | None) -> Any:
        return np.log(-np.expm1(-self._H(x, th, blk, 0)[0]))

    def _d_logsf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        H, dH, d2H = self._H(x, th, blk, 2)
        k = len(th)
        return -H, [-dH[i] for i in range(k)], [[-d2H[i][j] for j in range(k)] for i in range(k)]

    def _d_logcdf(self, x: Any, th: Theta, blk: Block | None) -> Derivs:
        H, dH, d2H = self._H(x, th, blk, 2)
        k = len(th)
        a = 1.0 / np.expm1(H)
        b = -(a + a * a)
        val = np.log(-np.expm1(-H))
        grad = [a * dH[i] for i in range(k)]
        hess = [[a * d2H[i][j] + b * dH[i] * dH[j] for j in range(k)] for i in range(k)]
        return val, grad, hess


class Counts(Family):
    """A family of counts: discrete, on ``0, 1, 2, ...`` unless it says otherwise, and without
    a change of unit (:data:`COUNTS_SCALE_NOTE`)."""

    support = Support(0.0, math.inf, lower_closed=True, integer=True)
    discrete = True
    scale_note = COUNTS_SCALE_NOTE


class KnownTrials(Counts):
    """Successes in a known number of trials (Binomial, BetaBinomial). The trials are never
    estimated: they are the family's ``n`` (``mk.Binomial(n=10)``) or the rows' own
    (``mk.Data(k, trials=n)``, which take precedence). Written once here: the check of ``n``,
    :meth:`_trials` (what the family's formulas read), the support ``{0, 1, …, n}`` and the
    check of the data (``k <= n`` on every row)."""

    support_text = "{0, 1, …, n}"

    def __init__(self, n: int | None = None, **params: float) -> None:
        super().__init__(**params)
        if n is not None:
            try:
                ok = float(n) == int(n) and int(n) >= 0
            except (TypeError, ValueError, OverflowError):
                ok = False
            if not ok:
                raise ParameterError(f"{type(self).__name__} trials n must be a non-negative "
                                     f"integer; got {n!r}.")
            n = int(n)
        self.n = n

    def _repr_extra(self) -> str:
        return "" if self.n is None else f"n={self.n}"

    def _trials(self, blk: Block | None) -> Any:
        """The number of trials: the block's per-row trials, else the family's ``n``."""
        if blk is not None and blk.trials is not None:
            return blk.trials
        if self.n is None:
            raise FamilyError(
                f"{self.name} needs the number of trials; got none. Hint: "
                f"mk.{type(self).__name__}(n=10), or mk.Data(successes, trials=n_per_row)."
            )
        return float(self.n)

    def _support_bounds(self, th: Theta) -> tuple[float, float]:
        return 0.0, float(self.n) if self.n is not None else math.inf

    def _check_data(self, data: Data, fixed: dict[str, float]) -> None:
        super()._check_data(data, fixed)
        for blk in data.blocks.values():
            if not blk.size:
                continue
            n = self._trials(blk)
            bad = blk.x > n
            if np.any(bad):
                i = int(np.flatnonzero(np.broadcast_to(bad, blk.x.shape))[0])
                raise DataError(
                    f"{type(self).__name__} successes must not exceed the trials; got "
                    f"{int(np.sum(bad))} rows with k > n (first at index {blk.row_of(i)}: "
                    f"k={blk.x[i]:g}, n={np.broadcast_to(n, blk.x.shape)[i]:g})."
                )
