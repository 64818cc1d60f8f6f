"""The quick lane's pass over the values (:mod:`mlekit._fit.quick`): one read of a plain float64
array gives the sums a family's ``_suffstats`` needs *and* decides everything the general path
checks before it fits — the values are finite, inside the support, not all equal, of ordinary
magnitude — or says that it cannot (``None``: the general path decides, with its errors).

The pass is made per chunk of ``CHUNK_ROWS`` values (the chunks ``Likelihood`` makes, threaded
as ``map_reduce`` threads them) with :func:`mlekit._core.passes.fused`; its results are stored
in the chunks' block caches, where ``_suffstats`` (through ``stats.value_sums`` and
``Block.x_extreme``) finds them. Which terms one chunk gets:

- a family whose statistics include ``Σ log x`` (``Family.value_sums``) on the open half-line
  (gamma, inverse Gaussian): ``Σ x`` and ``Σ log x`` (and ``Σ 1/x``) only. A finite ``Σ log x``
  says every value is positive and finite (log gives NaN below 0, -inf at 0, inf at inf);
  ``Σ x / n <= max <= Σ x`` bounds the magnitude; and Jensen's ``log(mean x) - mean(log x)``,
  zero exactly when every value is equal, above its rounding bound says they are not;
- a family on ``[0, inf)`` (exponential): ``min`` and ``Σ x`` (``mean <= max <= sum`` bounds the
  magnitude, a sum clearly above ``n * min`` says the values are not all equal);
- otherwise ``min`` and ``max`` (and ``Σ x`` when the statistics read it): NaN propagates
  through both, an infinity is an end, equal ends are identical values.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .._core.engine import CHUNK_ROWS, map_reduce
from .._core.passes import fused
from .._data.data import Block, Data
from .._families.base import Family
from .._families.stats import VALUE_SUM_KEYS
from .rescale import limit_of

__all__ = ["Scan", "scan"]

FloatArray = NDArray[np.float64]

# from this many values on the pass is fused (below, the separate reductions cost less than the
# error-state switch the unchecked sums need)
LARGE = 4096
_U = 2.0**-53          # unit roundoff
_KEY = {**VALUE_SUM_KEYS, "min": "min", "max": "max"}


class Scan:
    """What the pass found: the terms of each chunk (to be cached on the chunks' blocks) and the
    extremes of all the values when they were computed."""

    __slots__ = ("hi", "lo", "parts", "terms")

    def __init__(self, terms: tuple[str, ...], parts: list[list[float]],
                 lo: float | None = None, hi: float | None = None) -> None:
        self.terms, self.parts, self.lo, self.hi = terms, parts, lo, hi

    def cache_extremes(self, blk: Block) -> None:
        """Cache the extremes (when computed) on the values' block."""
        if self.lo is not None:
            blk._cache["min"] = self.lo
        if self.hi is not None:
            blk._cache["max"] = self.hi

    def cache_terms(self, chunks: list[Data], n: int) -> None:
        """Cache each chunk's terms on its block (``chunks``: the ``Likelihood``'s chunks of the
        ``n`` scanned values, in order). Chunks of another size (a likelihood built with other
        ``chunk_rows``) are left to compute their statistics themselves."""
        sizes = [min(CHUNK_ROWS, n - i) for i in range(0, n, CHUNK_ROWS)]
        if [c.exact.size for c in chunks] != sizes or len(sizes) != len(self.parts):
            return
        for c, vals in zip(chunks, self.parts):
            c.exact._cache.update(zip((_KEY[t] for t in self.terms), vals))


def _per_chunk(x: FloatArray, terms: tuple[str, ...]) -> list[list[float]]:
    """``fused(chunk, terms)`` for each chunk of ``CHUNK_ROWS`` values, in order."""
    n = x.shape[0]
    with np.errstate(all="ignore"):
        if n <= CHUNK_ROWS:
            return [fused(x, terms)]
        views = [x[i:i + CHUNK_ROWS] for i in range(0, n, CHUNK_ROWS)]
        out: list[list[float]] = map_reduce(lambda v: [fused(v, terms)], views)
        return out


def _total(parts: list[list[float]], j: int) -> float:
    t = parts[0][j]
    for p in parts[1:]:
        t = t + p[j]
    return t


def scan(fam: Family, x: FloatArray, blk: Block) -> Scan | None:
    """The pass over ``x`` (the values of ``blk``) for ``fam``, or ``None`` when the general
    path must decide (bad values, identical values, extreme magnitudes, undecided cases)."""
    n = x.shape[0]
    lim = limit_of(fam)
    sup = fam.support
    if n < LARGE:
        return _small(fam, x, lim)
    if ("log" in fam.value_sums and sup.lower == 0.0 and not sup.lower_closed
            and sup.upper == math.inf):
        return _log_scan(fam, x, n, lim)
    nonneg = sup.lower >= 0.0 and sup.upper == math.inf and not fam.discrete
    terms = ("min",) + (("x",) if nonneg or "x" in fam.value_sums else ()) \
        + (() if nonneg else ("max",))
    parts = _per_chunk(x, terms)
    lo = parts[0][0]
    for p in parts[1:]:
        lo = p[0] if (p[0] < lo or p[0] != p[0]) else lo
    if not _inside_below(lo, fam):
        return None
    hi: float | None = None
    if nonneg:
        total = _total(parts, 1)
        # mean <= max <= sum: ordinary magnitude; a sum clearly above n * min: not all equal
        proven = (total < 2.0 ** (lim - 1) and total >= n * 2.0 ** (1 - lim)
                  and total > n * lo * (1.0 + 4.0 * n * 2 * _U))
        if not proven:
            hi = float(np.maximum.reduce(x))
    else:
        hi = parts[0][-1]
        for p in parts[1:]:
            hi = p[-1] if (p[-1] > hi or p[-1] != p[-1]) else hi
    if hi is not None and not _upper_ok(fam, x, lo, hi, lim):
        return None
    return Scan(terms, parts, lo, hi)


def _inside_below(lo: float, fam: Family) -> bool:
    """``lo`` (the minimum) is finite and inside the support's lower end (NaN fails)."""
    sup = fam.support
    return (-math.inf < lo < math.inf and lo >= sup.lower
            and not (lo == sup.lower and not sup.lower_closed))


def _upper_ok(fam: Family, x: FloatArray, lo: float, hi: float, lim: int) -> bool:
    """Not all equal, ordinary magnitude, inside the support's upper end, integers where the
    support is the integers."""
    sup = fam.support
    if not (lo < hi < math.inf):
        return False      # equal values are the degenerate case
    if abs(math.frexp(max(-lo, hi))[1]) > lim:
        return False      # magnitudes that are fitted rescaled
    if hi > sup.upper or (hi == sup.upper and not sup.upper_closed):
        return False
    return not (sup.integer and not bool((np.floor(x) == x).all()))


def _small(fam: Family, x: FloatArray, lim: int) -> Scan | None:
    """Fewer than ``LARGE`` values: the minimum, then the maximum (the sums, when the statistics
    read them, are computed there)."""
    lo = float(np.minimum.reduce(x))
    if not _inside_below(lo, fam):
        return None
    hi = float(np.maximum.reduce(x))
    if not _upper_ok(fam, x, lo, hi, lim):
        return None
    return Scan((), [[]], lo, hi)


def _log_scan(fam: Family, x: FloatArray, n: int, lim: int) -> Scan | None:
    """``Σ x``, ``Σ log x`` (and ``Σ 1/x``) per chunk; the checks from the totals alone."""
    terms = tuple(t for t in ("x", "log", "inv") if t == "x" or t in fam.value_sums)
    parts = _per_chunk(x, terms)
    sums = [_total(parts, j) for j in range(len(terms))]
    if not all(math.isfinite(s) for s in sums):
        return None       # a value <= 0, NaN or infinite (or a sum that overflowed)
    sx, sl = sums[0], sums[1]
    # max <= sum < 2**(lim-1) (1 + n u) and max >= mean > 2**(1-lim) (1 - n u): |exponent| <= lim
    if not n * 2.0 ** (1 - lim) <= sx < 2.0 ** (lim - 1):
        return None
    # log(mean) - mean(log) is 0 for equal values up to rounding: the sums' (n u each, relative)
    # and log's (a few u); twice that bound is clearly positive
    mlog = sl / n
    if not math.log(sx / n) - mlog > 2.0 * (n + 16) * _U * (1.0 + abs(mlog)):
        return None
    return Scan(terms, parts)

