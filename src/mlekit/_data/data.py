"""``Data``: observed values with their censoring, weights and truncation.

Observations are held in four blocks, one per kind, so the log-likelihood can be written
once for every family::

    exact     x              contributes  w * log f(x)
    left      x  (X <= x)    contributes  w * log F(x)
    right     x  (X >= x)    contributes  w * log S(x)
    interval  lo < X <= hi   contributes  w * log(F(hi) - F(lo))

Truncation ``(a, b)`` says that only values in ``[a, b]`` could have been observed at all;
per-row windows (arrays, or ``entry=`` for late entry) are described in ``truncation.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._core.convert import as_float_array, fdot
from .._core.convert import bool_array as _bool_array
from .._core.convert import columns as _columns
from ..errors import DataError
from .block import Block, FloatArray, concat_blocks
from .block import empty_block as _empty_block
from .truncation import apply_truncation

__all__ = ["Data", "Block", "as_data", "as_float_array", "fdot"]

_KINDS = ("exact", "left", "right", "interval")
_NO_ROWS = _empty_block()   # Data._of_exact's (values: a shared read-only empty array)
# caches tied to the blocks of one Data object (set in this module only, dropped by replace()):
#   _minmax           (min, max) of the exact values, from a fast-path constructor
#   _compressed_from  the user's Data that compress_counts() summarised
_CACHES = ("_minmax", "_compressed_from")
_REPLACEABLE = frozenset((*_KINDS, "name", "n_dropped", "truncation"))   # replace()'s keywords


def _first(mask: NDArray[np.bool_]) -> tuple[int, int]:
    idx = np.flatnonzero(mask)
    return int(idx.size), int(idx[0]) if idx.size else -1


# ---------------------------------------------------------------------------- Data
class Data:
    """Observed values with their censoring, frequency weights and truncation.

    Parameters
    ----------
    values
        The observed values (a list, NumPy array, pandas/polars Series or Arrow array).
    weights
        Frequency weights (non-negative; integer weights equal repeating the row).
    observed
        Optional boolean mask: ``True`` where the value was seen exactly, ``False`` where it is
        censored (``censoring`` says which side).
    censoring
        ``"right"`` (the true value is at least the one recorded; default) or ``"left"``
        (at most the one recorded). Used only with ``observed``.
    truncation
        ``(a, b)``: only values in ``[a, b]`` could have entered the sample. ``None`` for
        either end means no bound on that side. Arrays (one entry per value, ``-inf``/``inf``
        for no bound) give each row its own window ``[a_i, b_i]``.
    entry
        Late entry (left truncation per row): row ``i`` is in the sample only because its value
        exceeded ``entry[i]`` (a number or one per value; combined with ``truncation``).
    trials
        Number of trials per observation (binomial data).
    nan_policy
        ``"raise"`` (default) or ``"omit"``: drop rows with a missing value and report how many.
    name
        The data's label on plot axes and in reports (default: a Series' name).

    Raises
    ------
    DataError
        Missing (``nan_policy="raise"``) or infinite values, no rows left, arrays of unequal
        lengths, bad weights or trials, ``lower > upper``, values outside their window.

    Examples
    --------
    >>> import mlekit as mk
    >>> d = mk.Data([2.1, 3.4, 5.0, 4.2], observed=[True, True, False, True])
    >>> mk.fit(d, "weibull").n_obs
    4.0
    """

    #: rows of weight 0, left out of the blocks (a weight of 0 means the row is absent)
    n_zero_weight: int = 0
    _minmax: tuple[float, float]      # the caches of _CACHES: declared, never defaulted
    _compressed_from: Data

    def __init__(
        self,
        values: Any = None,
        *,
        weights: Any = None,
        observed: Any = None,
        censoring: str = "right",
        truncation: Any = None,
        trials: Any = None,
        nan_policy: str = "raise",
        name: str | None = None,
        entry: Any = None,
    ) -> None:
        if isinstance(values, Data):
            raise DataError("values is already a Data object; pass it directly to mk.fit.")
        if censoring not in ("right", "left"):
            raise DataError(f"censoring must be 'right' or 'left'; got {censoring!r}.")
        if name is None:   # a pandas/polars Series keeps its column name (axis labels, reports)
            label = getattr(values, "name", None)
            name = label if isinstance(label, str) and label else None
        x = as_float_array(values, "values")
        n = x.shape[0]
        obs = None if observed is None else _bool_array(observed, "observed", n)
        lo = hi = x
        if obs is not None:
            neg_inf = np.full(n, -np.inf)
            pos_inf = np.full(n, np.inf)
            if censoring == "right":
                hi = np.where(obs, x, pos_inf)
            else:
                lo = np.where(obs, x, neg_inf)
        self._build(lo, hi, weights, trials, (truncation, entry), nan_policy, name,
                    interval=False)

    # ---------------------------------------------------------------- constructors
    @classmethod
    def right_censored(cls, values: Any, observed: Any, **kw: Any) -> Data:
        """Values that are exact where ``observed`` is True, and lower bounds elsewhere
        (units still running: the true lifetime is at least the recorded time)."""
        return cls(values, observed=observed, censoring="right", **kw)

    @classmethod
    def left_censored(cls, values: Any, observed: Any, **kw: Any) -> Data:
        """Values that are exact where ``observed`` is True, and upper bounds elsewhere
        (concentrations below a detection limit)."""
        return cls(values, observed=observed, censoring="left", **kw)

    @classmethod
    def interval(
        cls,
        lower: Any,
        upper: Any,
        *,
        weights: Any = None,
        truncation: Any = None,
        trials: Any = None,
        nan_policy: str = "raise",
        name: str | None = None,
        entry: Any = None,
    ) -> Data:
        """Interval-censored values: the true value lies in ``[lower, upper]``.

        ``lower == upper`` is an exact value; ``lower`` of ``-inf`` or NaN is left-censored at
        ``upper``; ``upper`` of ``inf`` or NaN is right-censored at ``lower``.
        """
        lo = as_float_array(lower, "lower")
        hi = as_float_array(upper, "upper")
        if lo.shape != hi.shape:
            raise DataError(
                f"lower and upper must have the same length; got {lo.shape[0]} and {hi.shape[0]}."
            )
        self = cls.__new__(cls)
        self._build(lo, hi, weights, trials, (truncation, entry), nan_policy, name,
                    interval=True)
        return self

    @classmethod
    def from_frame(
        cls,
        df: Any,
        value: str | None = None,
        *,
        observed: str | None = None,
        lower: str | None = None,
        upper: str | None = None,
        weights: str | None = None,
        trials: str | None = None,
        censoring: str = "right",
        truncation: tuple[float | None, float | None] | None = None,
        nan_policy: str = "raise",
    ) -> Data:
        """Build ``Data`` from named columns of a pandas/polars DataFrame, Arrow table or dict."""

        def col(name: str | None) -> Any:
            if name is None:
                return None
            cols = _columns(df)
            if name not in cols:
                raise DataError(
                    f"column {name!r} not found; available columns: {', '.join(map(str, cols))}."
                )
            return df[name]

        if value is not None and (lower is not None or upper is not None):
            raise DataError("give either value= (with observed=) or lower=/upper=, not both.")
        if value is None and (lower is None or upper is None):
            raise DataError("from_frame needs value= or both lower= and upper=.")
        common = dict(weights=col(weights), truncation=truncation, trials=col(trials),
                      nan_policy=nan_policy)
        if value is not None:
            return cls(col(value), observed=col(observed), censoring=censoring, name=value,
                       **common)
        return cls.interval(col(lower), col(upper), name=f"[{lower}, {upper}]", **common)

    # ---------------------------------------------------------------- trusted copies
    @classmethod
    def _from_blocks(
        cls,
        exact: Block | None = None,
        left: Block | None = None,
        right: Block | None = None,
        interval: Block | None = None,
        *,
        name: str | None = None,
        n_dropped: int = 0,
        truncation: tuple[float, float] | None = None,
        exact_range: tuple[float, float] | None = None,
    ) -> Data:
        """``Data`` from blocks that are already valid (no checks, no copies): the constructor
        for code inside mlekit that builds blocks itself. A missing block is empty;
        ``exact_range``: the (min, max) of the exact values when the caller knows it."""
        out = cls.__new__(cls)
        out.name, out.n_dropped, out.truncation = name, n_dropped, truncation
        out._set_blocks({"exact": exact, "left": left, "right": right, "interval": interval})
        if exact_range is not None:
            out._minmax = exact_range
        return out

    @classmethod
    def _of_exact(cls, exact: Block) -> Data:
        """``Data._from_blocks(exact)`` for an unnamed, untruncated block of exact values,
        without the keyword handling (the quick lane of ``mk.fit`` builds one per call)."""
        out = cls.__new__(cls)
        out.name, out.n_dropped, out.truncation = None, 0, None
        out.exact = exact
        out.left = out.right = out.interval_block = _NO_ROWS
        out._has_weights = exact.w is not None
        out._has_trials = exact.trials is not None
        return out

    def replace(self, **changes: Any) -> Data:
        """A copy with some of its parts replaced: blocks by kind (``exact=``, ``left=``,
        ``right=``, ``interval=``; ``None`` for an empty block) and ``name``, ``n_dropped`` or
        ``truncation``. Blocks are shared, not copied; weights/trials flags are re-derived
        from the blocks and caches of the original are dropped."""
        if not _REPLACEABLE.issuperset(changes):
            bad = set(changes) - _REPLACEABLE
            raise TypeError(f"Data.replace() got unexpected arguments: {', '.join(sorted(bad))}")
        get = changes.get
        out = type(self).__new__(type(self))
        out.name = get("name", self.name)
        out.n_dropped = get("n_dropped", self.n_dropped)
        out.truncation = get("truncation", self.truncation)
        out.n_zero_weight = self.n_zero_weight
        out._set_blocks({"exact": get("exact", self.exact), "left": get("left", self.left),
                         "right": get("right", self.right),
                         "interval": get("interval", self.interval_block)})
        return out

    def _set_blocks(self, blocks: Mapping[str, Block | None]) -> None:
        get = blocks.get
        e, lf, r, i = get("exact"), get("left"), get("right"), get("interval")
        self.exact = e = _empty_block() if e is None else e
        self.left = lf = _empty_block() if lf is None else lf
        self.right = r = _empty_block() if r is None else r
        self.interval_block = i = _empty_block() if i is None else i
        self._has_weights = not (e.w is None and lf.w is None and r.w is None and i.w is None)
        self._has_trials = not (e.trials is None and lf.trials is None and r.trials is None
                                and i.trials is None)

    # ---------------------------------------------------------------- construction core
    def _build(
        self,
        lo: FloatArray,
        hi: FloatArray,
        weights: Any,
        trials: Any,
        truncation: Any,
        nan_policy: str,
        name: str | None,
        *,
        interval: bool,
    ) -> None:
        if nan_policy not in ("raise", "omit"):
            raise DataError(f"nan_policy must be 'raise' or 'omit'; got {nan_policy!r}.")
        n = lo.shape[0]
        self.name = name
        self.n_dropped = 0
        w = None if weights is None else as_float_array(weights, "weights")
        t = None if trials is None else as_float_array(trials, "trials")
        for arr, what in ((w, "weights"), (t, "trials")):
            if arr is not None and arr.shape[0] != n:
                raise DataError(f"{what} must have one entry per value ({n}); got {arr.shape[0]}.")
        same = lo is hi
        with np.errstate(over="ignore", invalid="ignore"):  # huge finite values may overflow
            total = float(lo.sum()) if same and n and w is None and t is None else math.nan
        if math.isfinite(total):
            # fast path: a finite sum means no NaN and no infinity (one pass, no temporaries)
            self.exact = Block(lo, None)
            self.exact._cache["sum"] = total  # statistics reuse it (Block.x_sum)
            self.left = self.right = self.interval_block = _empty_block()
            self.truncation = apply_truncation(self, truncation[0], truncation[1], n)
            self._has_weights = False
            self._has_trials = False
            return
        # --- missing values
        if interval:
            lo_nan, hi_nan = np.isnan(lo), np.isnan(hi)
            missing = lo_nan & hi_nan
            if lo_nan.any() or hi_nan.any():
                lo = np.where(lo_nan, -np.inf, lo)
                hi = np.where(hi_nan, np.inf, hi)
            missing |= np.isneginf(lo) & np.isposinf(hi)
            what_missing = "rows with no bound (both NaN/infinite)"
        else:
            missing = np.isnan(lo) if same else (np.isnan(lo) | np.isnan(hi))
            what_missing = "NaN values"
        if w is not None:
            missing = missing | np.isnan(w)
        if t is not None:
            missing = missing | np.isnan(t)
        rows: NDArray[np.intp] | None = None
        if missing.any():
            cnt, first = _first(missing)
            if nan_policy == "raise":
                raise DataError(
                    f"values must not be missing; got {cnt} {what_missing} or missing "
                    f"weights (first at index {first}). Hint: pass nan_policy='omit' to drop "
                    "them, or encode a censored value with Data.interval(lower, upper)."
                )
            keep = ~missing
            rows = np.flatnonzero(keep)
            lo, hi = lo[keep], (lo[keep] if same else hi[keep])
            same = same and not interval
            w = None if w is None else w[keep]
            t = None if t is None else t[keep]
            self.n_dropped = cnt
        if lo.shape[0] == 0:
            raise DataError(
                "data must contain at least one observation; got "
                + ("an empty sequence." if self.n_dropped == 0
                   else f"none left after dropping {self.n_dropped} missing rows.")
            )
        # --- infinities in exact values
        if same:
            bad = np.isinf(lo)
            if bad.any():
                cnt, i = _first(bad)
                raise DataError(
                    f"values must be finite; got {cnt} infinite values (first at index "
                    f"{_orig(rows, i)}: {lo[i]}). Hint: a value known only to exceed a limit "
                    "is censored: use Data.right_censored or Data.interval."
                )
        else:
            bad = np.isposinf(lo) | np.isneginf(hi)
            if bad.any():
                cnt, i = _first(bad)
                raise DataError(
                    f"censoring bounds must leave room for a value; got {cnt} rows with lower = "
                    f"+inf or upper = -inf (first at index {_orig(rows, i)})."
                )
            bad = lo > hi
            if bad.any():
                cnt, i = _first(bad)
                raise DataError(
                    f"interval bounds need lower <= upper; got {cnt} rows with lower > upper "
                    f"(first at index {_orig(rows, i)}: [{lo[i]}, {hi[i]}]). Hint: check that "
                    "the columns are not swapped."
                )
        # --- weights
        if w is not None:
            bad = ~np.isfinite(w) | (w < 0)
            if bad.any():
                cnt, i = _first(bad)
                raise DataError(
                    f"weights must be finite and >= 0; got {cnt} bad weights (first at index "
                    f"{_orig(rows, i)}: {w[i]})."
                )
            if not (w > 0).any():
                raise DataError("weights must not all be zero; got a total weight of 0.")
            zero = w == 0
            if zero.any():
                # a weight of 0 means the row is absent, for every estimator (sample extremes,
                # degenerate checks, support checks and per-group fits included)
                keep = ~zero
                rows = np.flatnonzero(keep) if rows is None else rows[keep]
                lo, hi = lo[keep], (lo[keep] if same else hi[keep])
                w = w[keep]
                t = None if t is None else t[keep]
                self.n_zero_weight = int(zero.sum())
        if t is not None:
            bad = ~np.isfinite(t) | (t < 0) | (t != np.round(t))
            if bad.any():
                cnt, i = _first(bad)
                raise DataError(
                    f"trials must be non-negative integers; got {cnt} bad entries (first at "
                    f"index {_orig(rows, i)}: {t[i]})."
                )
        # --- split into blocks
        if same:
            self.exact = Block(lo, w, trials=t, rows=rows)
            self.left = self.right = self.interval_block = _empty_block()
        else:
            lo_inf, hi_inf = np.isneginf(lo), np.isposinf(hi)
            kinds = {
                "exact": lo == hi,
                "left": lo_inf & ~hi_inf,
                "right": hi_inf & ~lo_inf,
            }
            kinds["interval"] = ~(kinds["exact"] | kinds["left"] | kinds["right"])
            base_rows = rows if rows is not None else np.arange(lo.shape[0])

            def mk(mask: NDArray[np.bool_], xs: FloatArray, his: FloatArray | None) -> Block:
                if not mask.any():
                    return _empty_block()
                return Block(xs[mask], None if w is None else w[mask],
                             hi=None if his is None else his[mask],
                             trials=None if t is None else t[mask], rows=base_rows[mask])

            self.exact = mk(kinds["exact"], lo, None)
            self.left = mk(kinds["left"], hi, None)
            self.right = mk(kinds["right"], lo, None)
            self.interval_block = mk(kinds["interval"], lo, hi)
        self.truncation = apply_truncation(self, truncation[0], truncation[1], n)
        self._has_weights = w is not None
        self._has_trials = t is not None

    # ---------------------------------------------------------------- views
    @property
    def blocks(self) -> dict[str, Block]:
        return {"exact": self.exact, "left": self.left, "right": self.right,
                "interval": self.interval_block}

    @property
    def n_rows(self) -> int:
        """Number of rows (observations before weighting)."""
        return self.exact.size + self.left.size + self.right.size + self.interval_block.size

    @property
    def n_obs(self) -> float:
        """Number of observations: the sum of the weights (the row count when unweighted)."""
        if not self._has_weights:
            return float(self.n_rows)
        return sum(b.wsum for b in (self.exact, self.left, self.right, self.interval_block)
                   if b.size)

    def count(self, kind: str) -> float:
        """Weighted count of ``"exact"``, ``"left"``, ``"right"`` or ``"interval"`` rows."""
        return self.blocks[kind].wsum if self.blocks[kind].size else 0.0

    @property
    def is_censored(self) -> bool:
        return not self.only_exact

    @property
    def only_exact(self) -> bool:
        return not (self.left.size or self.right.size or self.interval_block.size)

    @property
    def is_truncated(self) -> bool:
        """Truncated at all: one range for every row, or windows per row."""
        return self.truncation is not None or self.row_truncated

    @property
    def row_truncated(self) -> bool:
        """Some rows carry their own truncation window (``Block.tlo``/``Block.thi``)."""
        # (no generator: the quick lane asks this on every small fit)
        e, lf, r, i = self.exact, self.left, self.right, self.interval_block
        return bool((e.tlo is not None and e.size) or (lf.tlo is not None and lf.size)
                    or (r.tlo is not None and r.size) or (i.tlo is not None and i.size))

    @property
    def has_weights(self) -> bool:
        return self._has_weights

    @property
    def has_trials(self) -> bool:
        return self._has_trials

    @property
    def values(self) -> FloatArray:
        """The exactly observed values."""
        return self.exact.x

    def all_points(self) -> FloatArray:
        """Every finite number in the data: exact values and finite censoring bounds."""
        parts = [self.exact.x, self.left.x, self.right.x]
        ib = self.interval_block
        if ib.size:
            assert ib.hi is not None, "an interval block carries its upper bounds"
            parts += [ib.x[np.isfinite(ib.x)], ib.hi[np.isfinite(ib.hi)]]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def chunks(self, size: int) -> Iterator[Data]:
        """Split into pieces of at most ``size`` rows per block (for chunked reductions)."""
        if self.n_rows <= size:
            yield self
            return
        for kind, blk in self.blocks.items():
            for start in range(0, blk.size, size):
                piece: dict[str, Block | None] = {k: None for k in _KINDS}
                piece[kind] = blk.take(slice(start, start + size))
                yield self.replace(**piece)

    def clip_intervals(self, lower: float, upper: float) -> Data:
        """Intervals reaching past ``[lower, upper]`` (a family's support) become one-sided:
        ``[lo <= lower, hi]`` is left-censored at hi, ``[lo, hi >= upper]`` right-censored at lo."""
        ib = self.interval_block
        if not ib.size or (lower == -math.inf and upper == math.inf):
            return self
        assert ib.hi is not None
        to_left = ib.x <= lower
        to_right = (ib.hi >= upper) & ~to_left
        if not (to_left.any() or to_right.any()):
            return self
        keep = ~(to_left | to_right)

        def part(mask: NDArray[np.bool_], xs: FloatArray) -> Block:
            if not mask.any():
                return _empty_block()
            return ib.like(xs[mask], None if ib.w is None else ib.w[mask], sel=mask)

        return self.replace(left=concat_blocks(self.left, part(to_left, ib.hi)),
                            right=concat_blocks(self.right, part(to_right, ib.x)),
                            interval=ib.take(keep) if keep.any() else None)

    def scaled(self, c: float) -> Data:
        """The same observations multiplied by ``c > 0`` (values, bounds and truncation)."""
        new: dict[str, Block | None] = {}
        for kind, b in self.blocks.items():
            new[kind] = None if not b.size else Block(
                b.x * c, b.w, hi=None if b.hi is None else b.hi * c, trials=b.trials, rows=b.rows,
                tlo=None if b.tlo is None else b.tlo * c, thi=None if b.thi is None else b.thi * c)
        trunc = None if self.truncation is None else (self.truncation[0] * c,
                                                      self.truncation[1] * c)
        return self.replace(truncation=trunc, **new)

    def with_weights(self, weights: Sequence[float] | FloatArray) -> Data:
        """A copy whose rows carry ``weights`` (in block order: exact, left, right, interval)."""
        w = np.asarray(weights, dtype=float)
        new: dict[str, Block] = {}
        start = 0
        for kind, blk in self.blocks.items():
            new[kind] = blk.like(blk.x, w[start:start + blk.size] if blk.size else None,
                                 hi=blk.hi)
            start += blk.size
        return self.replace(**new)

    def __len__(self) -> int:
        return self.n_rows

    def __repr__(self) -> str:
        parts = [f"n={self.n_rows}"]
        for kind in _KINDS:
            c = self.blocks[kind].size
            if c and kind != "exact":
                parts.append(f"{kind}-censored={c}")
        if self._has_weights:
            parts.append(f"weighted (sum={self.n_obs:g})")
        if self.truncation is not None:
            parts.append(f"truncated to [{self.truncation[0]:g}, {self.truncation[1]:g}]")
        elif self.row_truncated:
            parts.append("truncated per row")
        if self.n_dropped:
            parts.append(f"dropped {self.n_dropped} missing")
        return f"Data({', '.join(parts)})"


def as_data(x: Any, *, weights: Any = None, nan_policy: str = "raise") -> Data:
    """``x`` as :class:`Data` (a ``Data`` is returned as it is; weights may not be given twice)."""
    if isinstance(x, Data):
        if weights is not None:
            raise DataError("weights were given twice: in Data(...) and in fit(...); give them once.")
        return x
    return Data(x, weights=weights, nan_policy=nan_policy)


def _orig(rows: NDArray[np.intp] | None, i: int) -> int:
    return int(i if rows is None else rows[i])
