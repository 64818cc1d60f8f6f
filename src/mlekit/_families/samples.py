"""What a family's ``_start`` reads: a :class:`Sample` of one data set (results are floats)
or a :class:`GroupSample` of many groups (results are per-group arrays), so one ``_start``
serves separate, chunked and grouped fits. Mark such a ``_start`` with :func:`sample_start`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .stats import log_moments, moments_of, quartiles, sd, spread, wmean, wquantile

__all__ = ["Sample", "GroupSample", "as_sample", "sample_start", "takes_sample"]

FloatArray = NDArray[np.float64]


class Sample:
    """The values a family's ``_start`` reads: one data set (results are floats) or, as
    :class:`GroupSample`, the values of many groups (results are per-group arrays). A
    ``_start`` written on a ``Sample`` therefore serves separate and grouped fits alike."""

    def __init__(self, x: FloatArray, w: FloatArray | None) -> None:
        self.x, self.w = x, w

    def rows(self, v: Any) -> Any:
        """A per-group value spread to the rows (identity for one data set)."""
        return v

    def map(self, v: FloatArray, increasing: bool = False) -> Sample:
        """The sample of per-row values ``v`` (same rows and weights; ``increasing``: ``v``
        is an increasing function of the values, so their order is kept)."""
        return Sample(v, self.w)

    def positive(self) -> Sample:
        keep = self.x > 0
        return Sample(self.x[keep], None if self.w is None else self.w[keep])

    def mean(self, v: Any = None) -> Any:
        return wmean(self.x if v is None else v, self.w)

    def moments(self) -> tuple[Any, Any, Any]:
        return moments_of(self.x, self.w)

    def sd(self) -> Any:
        return sd(self.x, self.w)

    def quantile(self, q: float) -> Any:
        return wquantile(self.x, self.w, q)

    def quartiles(self) -> tuple[Any, Any, Any]:
        """``quantile(q)`` for q = 0.25, 0.5, 0.75 (unweighted: from one selection)."""
        if self.w is None:
            return quartiles(self.x)
        return self.quantile(0.25), self.quantile(0.5), self.quantile(0.75)

    def spread(self, iqr: Any = None) -> Any:
        """A robust positive scale (IQR/1.349, else SD, else ...); ``iqr``: the sample's
        interquartile range when the caller has it (from :meth:`quartiles`)."""
        return spread(self.x, self.w, iqr)

    def log_moments(self) -> tuple[Any, Any]:
        return log_moments(self.x, self.w)

    def min(self) -> Any:
        return float(self.x.min())

    def max(self) -> Any:
        return float(self.x.max())

    @staticmethod
    def pick(cond: Any, a: Any, b: Any) -> Any:
        """``a`` where ``cond`` holds, else ``b``; a callable is called only when chosen (one
        data set) — guard divisions with ``lambda``."""
        v = a if cond else b
        return v() if callable(v) else v

    @staticmethod
    def clip(v: Any, lo: float, hi: float) -> Any:
        return min(max(v, lo), hi)


class GroupSample(Sample):
    """The values of many groups (``codes`` 0..G-1): every statistic is per group."""

    def __init__(self, x: FloatArray, w: FloatArray | None, codes: NDArray[np.intp],
                 n_groups: int, ordered: bool = False) -> None:
        super().__init__(x, w)
        self.codes, self.n_groups = codes, n_groups
        self.W = np.bincount(codes, weights=w, minlength=n_groups).astype(float)
        # ordered: rows sorted by group, and by value within each group (quantiles need no sort)
        self.ordered = ordered
        self._order: NDArray[np.intp] | None = None

    def rows(self, v: Any) -> Any:
        return np.asarray(v)[self.codes] if np.ndim(v) else v

    def map(self, v: FloatArray, increasing: bool = False) -> Sample:
        return GroupSample(v, self.w, self.codes, self.n_groups, self.ordered and increasing)

    def positive(self) -> Sample:
        keep = self.x > 0
        return GroupSample(self.x[keep], None if self.w is None else self.w[keep],
                           self.codes[keep], self.n_groups, self.ordered)

    def _sum(self, v: Any) -> Any:
        v = np.broadcast_to(np.asarray(v, dtype=float), self.x.shape)
        return np.bincount(self.codes, weights=v if self.w is None else v * self.w,
                           minlength=self.n_groups)

    def mean(self, v: Any = None) -> Any:
        return self._sum(self.x if v is None else v) / self.W

    def moments(self) -> tuple[Any, Any, Any]:
        m = self.mean()
        return self.W, m, self._sum((self.x - m[self.codes]) ** 2)

    def sd(self) -> Any:
        W, _, m2 = self.moments()
        return np.where(W > 0, np.sqrt(m2 / W), 0.0)

    def quartiles(self) -> tuple[Any, Any, Any]:
        return self.quantile(0.25), self.quantile(0.5), self.quantile(0.75)

    def quantile(self, q: float, weighted: bool = True) -> Any:
        if self.ordered:
            o: Any = slice(None)
        else:
            if self._order is None:
                self._order = np.lexsort((self.x, self.codes))
            o = self._order
        xs = self.x[o]
        n = np.bincount(self.codes, minlength=self.n_groups)
        start = np.cumsum(n) - n
        last = start + np.maximum(n - 1, 0)
        if self.w is None or not weighted:
            k = (n - 1) * q
            lo = np.floor(np.maximum(k, 0)).astype(np.intp)
            hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
            a, b = xs[np.minimum(start + lo, xs.size - 1)], xs[np.minimum(start + hi, xs.size - 1)]
            out = a + (b - a) * (k - lo)
        else:
            cw = np.cumsum(self.w[o])
            base = np.where(start > 0, cw[np.maximum(start - 1, 0)], 0.0)
            idx = np.searchsorted(cw, base + q * self.W)
            out = xs[np.clip(idx, start, last)]
        return np.where(n > 0, out, np.nan)

    def spread(self, iqr: Any = None) -> Any:
        if iqr is None:
            iqr = self.quantile(0.75) - self.quantile(0.25)
        s = np.where(iqr > 0, iqr / 1.349, self.sd())
        return np.where(s > 0, s, np.maximum(1.0, np.abs(self.quantile(0.5, False))) * 1e-3)

    def log_moments(self) -> tuple[Any, Any]:
        p = self.positive()
        assert isinstance(p, GroupSample)
        lp = p.map(np.log(p.x))
        W, m, m2 = lp.moments()
        return m, np.where(W > 0, np.sqrt(m2 / W), 0.0)

    def min(self) -> Any:
        out = np.full(self.n_groups, np.inf)
        np.minimum.at(out, self.codes, self.x)
        return out

    def max(self) -> Any:
        out = np.full(self.n_groups, -np.inf)
        np.maximum.at(out, self.codes, self.x)
        return out

    @staticmethod
    def pick(cond: Any, a: Any, b: Any) -> Any:
        with np.errstate(all="ignore"):
            av = a() if callable(a) else a
            bv = b() if callable(b) else b
        return np.where(cond, av, bv)

    @staticmethod
    def clip(v: Any, lo: float, hi: float) -> Any:
        return np.clip(v, lo, hi)


def sample_start(fn: Any) -> Any:
    """Marks a ``_start`` written on a :class:`Sample` (``as_sample``): grouped fits then
    call it once for all groups with a :class:`GroupSample`."""
    fn.takes_sample = True
    return fn


def takes_sample(fam: Any) -> bool:
    """Whether ``fam._start`` accepts a :class:`GroupSample` (see :func:`sample_start`)."""
    return bool(getattr(type(fam)._start, "takes_sample", False))


def as_sample(x: Any, w: FloatArray | None) -> Sample:
    """What ``_start(x, w, fixed)`` works on: ``x`` itself when it is a ``Sample``."""
    return x if isinstance(x, Sample) else Sample(x, w)
