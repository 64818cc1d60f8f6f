"""``Block``: the observations of one censoring kind (exact, left, right or interval) inside a
:class:`mlekit._data.data.Data`: values (or interval bounds), weights, trials and original rows,
with a per-block cache of derived arrays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from .._core.convert import fdot

__all__ = ["Block", "empty_block", "FloatArray", "concat_blocks"]

FloatArray = NDArray[np.float64]
T = TypeVar("T")


class Block:
    """Observations of one kind: values (or bounds), weights, trials and original rows."""

    __slots__ = ("_cache", "hi", "rows", "size", "thi", "tlo", "trials", "w", "x")

    def __init__(
        self,
        x: FloatArray,
        w: FloatArray | None = None,
        *,
        hi: FloatArray | None = None,
        trials: FloatArray | None = None,
        rows: NDArray[np.intp] | None = None,
        tlo: FloatArray | None = None,
        thi: FloatArray | None = None,
    ) -> None:
        self.x = x
        # per-row truncation: row i could only have been observed inside [tlo[i], thi[i]]
        # (both None when the rows are not truncated one by one; -inf/inf: no bound)
        self.tlo = tlo
        self.thi = thi
        self.hi = hi
        self.w = w
        self.trials = trials
        self.rows = rows
        self._cache: dict[str, Any] = {}
        self.size: int = int(x.shape[0])

    @property
    def wsum(self) -> float:
        """The sum of the weights (the row count when unweighted), computed once."""
        if self.w is None:
            return float(self.size)
        v = self._cache.get("wsum")
        if v is None:
            v = self._cache["wsum"] = float(np.add.reduce(self.w))
        return float(v)

    def cached(self, key: str, fn: Callable[[], T]) -> T:
        """A derived array (``log x``, ...) computed once per block."""
        try:
            return cast(T, self._cache[key])    # stored by this method under this key: fn's type
        except KeyError:
            val = self._cache[key] = fn()
            return val

    def x_sum(self) -> float:
        """``sum(x)`` (unweighted), computed once: ``Data`` records it while it checks that the
        values are finite, and statistics reuse it (one pass over the data fewer)."""
        v = self._cache.get("sum")
        if v is None:
            v = self._cache["sum"] = float(np.add.reduce(self.x))   # x.sum() without its wrapper
        return float(v)

    def x_extreme(self, which: str) -> float:
        """``min(x)`` or ``max(x)`` (``which``), computed once (support check, degenerate-data
        check)."""
        v = self._cache.get(which)
        if v is None:
            red = np.minimum.reduce if which == "min" else np.maximum.reduce
            v = self._cache[which] = float(red(self.x))
        return float(v)

    def wsum_of(self, arr: Any) -> float:
        """Weighted sum of a per-observation array (or scalar)."""
        if self.w is None:
            if arr is self.x:
                return self.x_sum()
            a = np.asarray(arr)
            if a.ndim == 1:
                return float(np.add.reduce(a))   # a.sum() without its wrapper
            return float(a.sum()) if a.ndim else float(a) * self.size
        if type(arr) is not np.ndarray or arr.shape != self.w.shape:
            arr = np.broadcast_to(arr, self.w.shape)
        return float(fdot(self.w, arr))

    def take(self, sl: slice | NDArray[Any]) -> Block:
        return Block(
            self.x[sl],
            None if self.w is None else self.w[sl],
            hi=None if self.hi is None else self.hi[sl],
            trials=None if self.trials is None else self.trials[sl],
            rows=None if self.rows is None else self.rows[sl],
            tlo=None if self.tlo is None else self.tlo[sl],
            thi=None if self.thi is None else self.thi[sl],
        )

    def like(self, x: FloatArray, w: FloatArray | None, *, hi: FloatArray | None = None,
             sel: Any = None) -> Block:
        """A block of new values (and weights) for the rows ``sel`` of this one (all rows when
        ``None``), keeping their trials, original rows and per-row truncation."""
        def pick(a: Any) -> Any:
            return None if a is None else (a if sel is None else a[sel])

        return Block(x, w, hi=hi, trials=pick(self.trials), rows=pick(self.rows),
                     tlo=pick(self.tlo), thi=pick(self.thi))

    @property
    def row_truncated(self) -> bool:
        return self.tlo is not None

    def row_of(self, i: int) -> int:
        return int(i if self.rows is None else self.rows[i])


_NOTHING = np.empty(0)
_NOTHING.flags.writeable = False


def empty_block() -> Block:
    """A block with no observations (its values: one shared read-only empty array)."""
    return Block(_NOTHING)


def concat_blocks(a: Block, b: Block) -> Block:
    """The rows of ``a`` then those of ``b`` (weights, trials, rows and per-row truncation kept;
    a part without per-row truncation gets the unbounded window)."""
    if not b.size:
        return a
    if not a.size:
        return b

    def cat(name: str, fill: float | None) -> Any:
        u, v = getattr(a, name), getattr(b, name)
        if u is None and v is None:
            return None
        if fill is None and (u is None or v is None):
            return None
        u = np.full(a.size, fill) if u is None else u
        v = np.full(b.size, fill) if v is None else v
        return np.concatenate([u, v])

    return Block(np.concatenate([a.x, b.x]), cat("w", 1.0), hi=cat("hi", None),
                 trials=cat("trials", None), rows=cat("rows", None), tlo=cat("tlo", -np.inf),
                 thi=cat("thi", np.inf))
