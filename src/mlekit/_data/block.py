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
        return float(self.size if self.w is None else self.w.sum())

    def cached(self, key: str, fn: Callable[[], Any]) -> Any:
        """A derived array (``log x``, ...) computed once per block."""
        try:
            return self._cache[key]
        except KeyError:
            val = self._cache[key] = fn()
            return val

    def wsum_of(self, arr: Any) -> float:
        """Weighted sum of a per-observation array (or scalar)."""
        if self.w is None:
            a = np.asarray(arr)
            return float(a.sum()) if a.ndim else float(a) * self.size
        return float(fdot(self.w, np.broadcast_to(arr, self.w.shape)))

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


def empty_block() -> Block:
    """A block with no observations."""
    return Block(np.empty(0))
