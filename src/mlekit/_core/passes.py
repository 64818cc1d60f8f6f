"""Fused passes over a float64 array: several statistics from one read of the values.

NumPy sums a contiguous float64 array pairwise: blocks of at most 128 values with eight
accumulators, longer runs split in two at a multiple of 8, each half summed the same way.
:func:`fused` follows that split down to pieces of at most :data:`PIECE` values and lets NumPy
reduce each piece, so every sum it returns equals ``np.add.reduce`` of the whole array of
terms **bit for bit** — while a piece's derived values (``log x``, ``1/x``, ``|x - c|``) live
in one small buffer that stays in the core's cache, instead of a temporary as large as the data
(80 MB at 1e7 values, written and read back once per statistic). Minima and maxima are exact in
any order; counts are integers.

The terms, each with what it equals (one or two results each, in the order asked):

- ``"x"``: ``Σ x`` — ``np.add.reduce(x)``;
- ``"log"``: ``Σ log x`` — ``np.add.reduce(np.log(x))``;
- ``"inv"``: ``Σ 1/x`` — ``np.add.reduce(1.0 / x)``;
- ``"min"``, ``"max"``: the extremes (NaN when a value is NaN) — ``np.minimum.reduce(x)``,
  ``np.maximum.reduce(x)``;
- ``"absdev"``: ``Σ |x - c|`` and ``#(x > c) - #(x < c)`` — ``np.abs(x - c).sum()`` and
  ``np.sign(x - c).sum()``.

Run it under ``np.errstate`` when the values may be outside a term's domain (``log`` of a
negative value is NaN with an "invalid" warning — which is how a caller learns of it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["PIECE", "fused", "median_of", "TERMS"]

FloatArray = NDArray[np.float64]

# values per piece of a long array: 512 KB, half a core's L2 cache
PIECE = 1 << 16
# up to this many values (2 MB, the engine's chunk) a term is one NumPy call on the whole array:
# it measured as fast as pieces (CPU time) and saves their Python cost (~1 µs per term and piece)
_WHOLE = 1 << 18

TERMS = ("x", "log", "inv", "min", "max", "absdev")

_add = np.add.reduce
_min = np.minimum.reduce
_max = np.maximum.reduce
_count = np.count_nonzero


def _lo(a: float, b: float) -> float:
    return a if (a < b or a != a) else b   # NaN propagates, as in np.minimum


def _hi(a: float, b: float) -> float:
    return a if (a > b or a != a) else b


def _plus(a: float, b: float) -> float:
    return a + b


_MERGE: dict[str, tuple[Callable[[float, float], float], ...]] = {
    "x": (_plus,), "log": (_plus,), "inv": (_plus,), "min": (_lo,), "max": (_hi,),
    "absdev": (_plus, _plus)}


def _terms_of(v: FloatArray, b: FloatArray, terms: Sequence[str], c: float) -> list[float]:
    """Every term over the values ``v`` (one piece), ``b`` a scratch buffer of the same length."""
    out: list[float] = []
    for t in terms:
        if t == "x":
            out.append(float(_add(v)))
        elif t == "log":
            np.log(v, out=b)
            out.append(float(_add(b)))
        elif t == "inv":
            np.divide(1.0, v, out=b)
            out.append(float(_add(b)))
        elif t == "min":
            out.append(float(_min(v)))
        elif t == "max":
            out.append(float(_max(v)))
        elif t == "absdev":
            np.subtract(v, c, out=b)
            sg = int(_count(b > 0.0)) - int(_count(b < 0.0))
            np.absolute(b, out=b)
            out += [float(_add(b)), float(sg)]
        else:
            raise ValueError(f"fused() terms are {', '.join(TERMS)}; got {t!r}.")
    return out


def fused(x: FloatArray, terms: Sequence[str], center: float = 0.0) -> list[float]:
    """The ``terms`` (see the module docstring) of the 1-D float64 array ``x`` from one read of
    it: sums bit-identical to NumPy's reductions over the whole array. ``center``: the ``c`` of
    ``"absdev"``."""
    n = int(x.shape[0])
    if n <= _WHOLE:
        return _terms_of(x, np.empty(n), terms, center)
    merge = [m for t in terms for m in _MERGE[t]]
    return _tree(x, 0, n, np.empty(PIECE), terms, center, merge)


def _tree(x: FloatArray, lo: int, m: int, buf: FloatArray, terms: Sequence[str], center: float,
          merge: list[Callable[[float, float], float]]) -> list[float]:
    """The terms of ``x[lo:lo + m]``, split as NumPy's pairwise sum splits it. (A function of
    its own, not a recursive closure: a closure that calls itself is a reference cycle, and the
    chunk it holds would wait for the garbage collector — a streamed pass kept every chunk
    alive that way.)"""
    if m <= PIECE:
        return _terms_of(x[lo:lo + m], buf[:m], terms, center)
    h = m // 2
    h -= h % 8          # NumPy's split: halves at a multiple of its 8-way unrolling
    a = _tree(x, lo, h, buf, terms, center, merge)
    b = _tree(x, lo + h, m - h, buf, terms, center, merge)
    return [f(u, v) for f, u, v in zip(merge, a, b)]


def median_of(x: FloatArray) -> float:
    """``np.median(x)`` of finite values, bit for bit, with one selection instead of NumPy's
    three (it also places the largest value and, for an even count, the lower middle one by
    selections of their own): the lower middle value of an even count is the largest of the
    lower part of the one partition."""
    n = int(x.shape[0])
    h = n // 2
    part = np.partition(x, h)
    upper = float(part[h])
    if n % 2:
        return 0.0 + upper           # np.mean of one value: 0 + v (so -0.0 gives 0.0)
    lower = float(_max(part[:h]))
    return (0.0 + lower + upper) / 2.0   # np.mean of two values, summed from 0 like NumPy

