"""``Block``: the observations of one censoring kind (exact, left, right or interval) inside a
:class:`mlekit._data.data.Data`: values (or interval bounds), weights, trials and original rows,
with a per-block cache of derived arrays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._core.convert import fdot

__all__ = ["Block", "empty_block", "FloatArray"]

FloatArray = NDArray[np.float64]


class Block:
    """Observations of one kind: values (or bounds), weights, trials and original rows."""

    __slots__ = ("_cache", "hi", "rows", "size", "trials", "w", "x")

    def __init__(
        self,
        x: FloatArray,
        w: FloatArray | None = None,
        *,
        hi: FloatArray | None = None,
        trials: FloatArray | None = None,
        rows: NDArray[np.intp] | None = None,
    ) -> None:
        self.x = x
        self.hi = hi
        self.w = w
        self.trials = trials
        self.rows = rows
        self._cache: dict[str, Any] = {}
        self.size: int = int(x.shape[0])

    @property
    def wsum(self) -> float:
        return float(self.size if self.w is None else np.add.reduce(self.w))

    def cached(self, key: str, fn: Callable[[], Any]) -> Any:
        """A derived array (``log x``, ...) computed once per block."""
        try:
            return self._cache[key]
        except KeyError:
            val = self._cache[key] = fn()
            return val

    def x_sum(self) -> float:
        """``sum(x)`` (unweighted), computed once: ``Data`` records it while it checks that the
        values are finite, and statistics reuse it (one pass over the data fewer)."""
        return self.cached("sum", lambda: float(self.x.sum()))  # type: ignore[no-any-return]

    def x_extreme(self, which: str) -> float:
        """``min(x)`` or ``max(x)``, computed once (support check, degenerate-data check)."""
        if which == "min":
            return self.cached("min", lambda: float(np.minimum.reduce(self.x)))  # type: ignore[no-any-return]
        return self.cached("max", lambda: float(np.maximum.reduce(self.x)))  # type: ignore[no-any-return]

    def wsum_of(self, arr: Any) -> float:
        """Weighted sum of a per-observation array (or scalar)."""
        if self.w is None:
            if arr is self.x:
                return self.x_sum()
            a = np.asarray(arr)
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
        )

    def row_of(self, i: int) -> int:
        return int(i if self.rows is None else self.rows[i])


_NOTHING = np.empty(0)
_NOTHING.flags.writeable = False


def empty_block() -> Block:
    """A block with no observations (its values: one shared read-only empty array)."""
    return Block(_NOTHING)
