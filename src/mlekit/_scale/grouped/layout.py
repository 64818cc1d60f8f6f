"""The machinery under grouped fits: group keys, a group-sorted data layout, the batched
log-likelihood and the batched problem (Newton over all groups is in ``newton.py``).

*Batch is a dimension.* Rows are sorted by group once and cut into pieces of whole groups.
The family's own per-observation functions are called with parameters that broadcast
against the rows — a ``(1, groups)`` row against an ``(m, groups)`` array when every group
in a piece has ``m`` rows, else gathered per row — and per-group sums come from
``sum(axis=0)`` (contiguous vector adds) or ``np.add.reduceat``. Pieces are independent,
run on the thread pool and are added in piece order, so threaded and single-threaded
results are identical.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._core.domains import default_start
from ..._core.engine import get_pool, get_threads, in_batches, in_callers_errstate
from ..._core.numdiff import numeric_derivs
from ..._data.data import Block, Data
from ..._families.base import Family
from ..._fit.likelihood import block_funcs, interval_derivs, log_interval_prob, shifted
from ...errors import DataError
from .newton import batched_newton  # re-exported for older imports

__all__ = ["group_codes", "Layout", "evaluate", "batched_newton", "Problem", "KINDS", "selection"]


KINDS = ("exact", "left", "right", "interval")
PIECE_ROWS = 1 << 15
IntArray = NDArray[np.intp]


# ---------------------------------------------------------------------------- group keys
def _is_column(obj: Any) -> bool:
    return not isinstance(obj, (str, bytes)) and np.ndim(obj) >= 1


def _factorize_one(key: Any) -> tuple[IntArray, Any]:
    """Codes 0..G-1 in sorted label order (-1 for a missing label) and the labels."""
    import pandas as pd

    arr = key
    if type(key).__module__.split(".")[0] == "pyarrow":
        arr = key.to_pandas()
    if isinstance(arr, (list, tuple)):
        arr = np.asarray(arr) if all(isinstance(v, (int, float, np.number)) for v in arr[:64]) \
            else pd.Series(arr, dtype=object)
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "iub" and arr.ndim == 1 and arr.size:
        a = arr.astype(np.int64, copy=False)
        if a.size >= 2 and a[0] == 0:
            step = a[1:] - a[:-1]
            if int(step.min()) >= 0 and int(step.max()) <= 1:    # already 0, 0, 1, 1, 2, ...
                return a.astype(np.intp, copy=False), np.arange(int(a[-1]) + 1)
        if a.size < 2 or bool(np.all(a[1:] >= a[:-1])):
            new = np.empty(a.size, dtype=bool)
            new[0] = True
            np.not_equal(a[1:], a[:-1], out=new[1:])
            codes = np.cumsum(new) - 1
            return codes.astype(np.intp), a[new]
        lo, hi = int(a.min()), int(a.max())
        if hi - lo < 4 * a.size + 1024:
            present = np.bincount(a - lo, minlength=hi - lo + 1) > 0
            remap = np.cumsum(present) - 1
            return remap[a - lo].astype(np.intp), np.flatnonzero(present) + lo
    try:
        codes, uniques = pd.factorize(arr, sort=True)
    except TypeError:  # labels of mixed, unorderable types
        codes, uniques = pd.factorize(arr, sort=False)
    return np.asarray(codes, dtype=np.intp), uniques


def group_codes(by: Any, n: int) -> tuple[IntArray, Any]:
    """Group codes per row (``-1`` where a label is missing) and the group labels as a pandas
    Index (a MultiIndex for several keys)."""
    import pandas as pd

    if isinstance(by, pd.DataFrame):
        keys, names = [by[c] for c in by.columns], [str(c) for c in by.columns]
    elif isinstance(by, (list, tuple)) and by and all(_is_column(k) for k in by):
        keys = list(by)
        names = [str(getattr(k, "name", None) or f"group_{i}") for i, k in enumerate(keys)]
    else:
        keys, names = [by], [str(getattr(by, "name", None) or "group")]
    for key, name in zip(keys, names):
        if not _is_column(key):
            raise DataError(f"by must be group labels, one per value (an array, Series or several "
                            f"of them); got {type(key).__name__}.")
        if np.ndim(key) > 1:
            raise DataError(f"by must be 1-D group labels, one per value; got an array of shape "
                            f"{np.shape(key)}. Hint: pass several keys as a list of columns or a "
                            "DataFrame.")
        if len(key) != n:
            raise DataError(f"by must have one label per value ({n}); got {len(key)} labels "
                            f"in {name!r}.")
    parts = [_factorize_one(k) for k in keys]
    if len(parts) == 1:
        codes, uniques = parts[0]
        return codes, pd.Index(uniques, name=names[0])
    sizes = [max(len(u), 1) for _, u in parts]
    missing = np.zeros(n, dtype=bool)
    combined = np.zeros(n, dtype=np.int64)
    for (c, _), size in zip(parts, sizes):
        missing |= c < 0
        combined = combined * size + np.maximum(c, 0)
    combined[missing] = -1
    if math.prod(sizes) > 2**62:
        raise DataError("by: too many combinations of keys to index; combine some keys first.")
    keep = ~missing
    codes = np.full(n, -1, dtype=np.intp)
    sub, uniq = _factorize_one(combined[keep]) if keep.any() else (np.empty(0, np.intp),
                                                                    np.empty(0, np.int64))
    codes[keep] = sub
    idx = np.unravel_index(np.asarray(uniq, dtype=np.int64), sizes)
    arrays = [np.asarray(u)[i] for (_, u), i in zip(parts, idx)]
    return codes, pd.MultiIndex.from_arrays(arrays, names=names)


# ---------------------------------------------------------------------------- layout
class Piece:
    """Rows of whole groups (or a slice of one big group) of one censoring kind."""

    __slots__ = ("blk", "dense", "kind", "lg", "pos", "starts")

    def __init__(self, kind: str, pos: IntArray, blk: Block, dense: bool,
                 lg: IntArray | None, starts: IntArray | None) -> None:
        self.kind = kind
        self.pos = pos          # positions of its groups in the layout's group list
        self.blk = blk
        self.dense = dense      # arrays are (m, groups); parameters broadcast as a row
        self.lg = lg            # flat pieces: local group index of each row
        self.starts = starts    # flat pieces: first row of each group

    @property
    def shape(self) -> tuple[int, ...]:
        return self.blk.x.shape

    def flat(self) -> tuple[IntArray, IntArray]:
        """``(lg, starts)`` of a flat piece (a dense piece has neither)."""
        assert self.lg is not None and self.starts is not None, "a dense piece has no row index"
        return self.lg, self.starts

    def group_rows(self) -> IntArray | int:
        """Rows per group: a count shared by every group of a dense piece, else an array."""
        if self.dense:
            return self.shape[0]
        lg, starts = self.flat()
        return np.diff(np.append(starts, lg.size))

    def reduce(self, arr: Any) -> Any:
        """Per-group weighted sums of a per-row array (or a value that broadcasts)."""
        if self.dense and self.blk.w is None and isinstance(arr, float):
            return np.full(self.shape[1], arr * self.shape[0])   # a constant: no pass
        a = np.asarray(arr)
        if a.shape != self.shape:
            a = np.broadcast_to(a, self.shape)
        if self.blk.w is not None:
            a = a * self.blk.w
        if self.dense:
            return np.add.reduce(a, axis=0)
        return np.add.reduceat(a, self.flat()[1])

    def theta(self, TH: NDArray[np.float64]) -> tuple[Any, ...]:
        cols = TH[self.pos]
        if self.dense:
            return tuple(cols[None, :, j] for j in range(cols.shape[1]))
        return tuple(cols[self.lg, j] for j in range(cols.shape[1]))

    def per_row(self, values: NDArray[Any]) -> Any:
        """A per-group array (aligned with ``pos``) spread to this piece's rows."""
        v = values[self.pos]
        return v[None, :] if self.dense else v[self.lg]

    def subset(self, keep: NDArray[np.bool_], newpos: IntArray) -> Piece:
        """The rows of the groups where ``keep`` (aligned with ``pos``) is true."""
        blk = self.blk
        if self.dense:
            sel: Any = (slice(None), keep)
        else:
            sel = keep[self.lg]
        nb = Block(blk.x[sel], None if blk.w is None else blk.w[sel],
                   hi=None if blk.hi is None else blk.hi[sel],
                   trials=None if blk.trials is None else blk.trials[sel])
        copied: dict[int, Any] = {}
        for key, val in blk._cache.items():
            if key.endswith("_buf"):
                continue                    # scratch buffers are made again when needed
            if isinstance(val, np.ndarray) and val.shape == blk.x.shape:
                if id(val) not in copied:   # an array cached under two keys is copied once
                    copied[id(val)] = val[sel]
                nb._cache[key] = copied[id(val)]
        if self.dense:
            return Piece(self.kind, newpos, nb, True, None, None)
        lg_all, starts_all = self.flat()
        counts = np.diff(np.append(starts_all, lg_all.size))[keep]
        lg = np.repeat(np.arange(counts.size, dtype=np.intp), counts)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
        return Piece(self.kind, newpos, nb, False, lg, starts)


class Layout:
    """Data sorted by group and cut into pieces; ``groups`` are the global group ids."""

    def __init__(self, groups: IntArray, pieces: list[Piece]) -> None:
        self.groups = groups
        self.pieces = pieces
        self._extremes: dict[tuple[str, str], NDArray[np.float64]] = {}
        # rows per group of each kind (set by build; None: count from the pieces)
        self.kind_rows: dict[str, IntArray] | None = None

    @property
    def n_groups(self) -> int:
        return int(self.groups.size)

    @classmethod
    def build(cls, blocks: dict[str, tuple[Block, IntArray]], n_groups: int,
              piece_rows: int | None = None, extremes: bool = False) -> Layout:
        """``blocks``: kind -> (block, group code of each of its rows). ``extremes``: the
        per-group min and max of each kind's values (:meth:`group_extreme`) are taken while
        each piece is made (in cache) instead of in later passes over all the rows."""
        piece_rows = piece_rows or PIECE_ROWS
        pieces: list[Piece] = []
        found: dict[tuple[str, str], NDArray[np.float64]] = {}
        rows: dict[str, IntArray] = {}
        for kind in KINDS:
            if kind not in blocks:
                continue
            blk, codes = blocks[kind]
            if blk.size == 0:
                continue
            # where the code changes (a bool pass); sorted when the codes there increase
            first = np.flatnonzero(codes[1:] != codes[:-1]) + 1
            bounds = np.concatenate(([0], first, [codes.size]))
            at = codes[bounds[:-1]]
            if at.size > 1 and not bool(np.all(at[1:] > at[:-1])):
                del first, bounds, at
                order = _stable_order(codes, n_groups)
                codes = codes[order]
                blk = blk.take(order)
                counts = np.bincount(codes, minlength=n_groups)
            else:                       # sorted: the counts from where the code changes
                counts = np.zeros(n_groups, dtype=np.intp)
                counts[at] = np.diff(bounds)
            present = np.flatnonzero(counts)
            lohi = (np.full(n_groups, np.nan), np.full(n_groups, np.nan)) if extremes else None
            pieces += _cut(kind, blk, present, counts[present], piece_rows, lohi)
            if lohi is not None:
                found[(kind, "min")], found[(kind, "max")] = lohi
            rows[kind] = counts
        out = cls(np.arange(n_groups, dtype=np.intp), pieces)
        out._extremes.update(found)
        out.kind_rows = rows
        return out

    def restrict(self, sel: IntArray) -> Layout:
        """The layout of the groups at positions ``sel`` (sorted), renumbered 0..len(sel)-1."""
        mask, remap = selection(self.n_groups, sel)
        pieces = []
        for p in self.pieces:
            keep = mask[p.pos]
            if not keep.any():
                continue
            newpos = remap[p.pos[keep]]
            if keep.all():
                pieces.append(Piece(p.kind, newpos, p.blk, p.dense, p.lg, p.starts))
            else:
                pieces.append(p.subset(keep, newpos))
        return Layout(self.groups[sel], pieces)

    def group_sums(self, fn: Callable[[Piece], Any], kinds: Sequence[str] = KINDS
                   ) -> NDArray[np.float64]:
        """Per-group weighted sums of ``fn(piece)`` over the pieces of the given kinds."""
        out = np.zeros(self.n_groups)
        for p in self.pieces:
            if p.kind in kinds:
                out[p.pos] += p.reduce(fn(p))
        return out

    def group_extreme(self, kind: str, which: str) -> NDArray[np.float64]:
        """Per-group min or max of the values of one kind (NaN where a group has none)."""
        key = (kind, which)
        if key not in self._extremes:
            self._extremes[key] = self._extreme(kind, which)
        return self._extremes[key]

    def _extreme(self, kind: str, which: str) -> NDArray[np.float64]:
        out = np.full(self.n_groups, np.nan)
        f = np.fmin if which == "min" else np.fmax
        for p in self.pieces:
            if p.kind == kind:
                out[p.pos] = f(out[p.pos], _piece_extreme(p, which))    # (NaN: none yet)
        return out


def _piece_extreme(p: Piece, which: str) -> NDArray[np.float64]:
    """The min or max of each group's values in piece ``p``."""
    x = p.blk.x
    if p.dense:
        return np.asarray(x.min(axis=0) if which == "min" else x.max(axis=0))
    ufunc = np.minimum if which == "min" else np.maximum
    return np.asarray(ufunc.reduceat(x, p.flat()[1]))


def selection(n: int, sel: IntArray) -> tuple[NDArray[np.bool_], IntArray]:
    """For the groups at positions ``sel`` (sorted) of ``n``: the mask of the kept groups and
    each group's new number (0..len(sel)-1 for the kept ones)."""
    mask = np.zeros(n, dtype=bool)
    mask[sel] = True
    return mask, np.cumsum(mask) - 1


def _stable_order(codes: IntArray, n_groups: int) -> IntArray:
    """A stable sort of group codes by 16-bit radix passes (linear time)."""
    if n_groups <= 1 << 16:
        return np.argsort(codes.astype(np.uint16), kind="stable")
    o = np.argsort((codes & 0xFFFF).astype(np.uint16), kind="stable")
    c = codes[o] >> 16
    if n_groups <= 1 << 32:
        return o[np.argsort(c.astype(np.uint16), kind="stable")]
    return o[np.argsort(c, kind="stable")]  # pragma: no cover - beyond 4e9 groups


def _cut(kind: str, blk: Block, gids: IntArray, counts: IntArray, piece_rows: int,
         lohi: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None) -> list[Piece]:
    """Pieces of about ``piece_rows`` rows holding whole groups (big groups split), made on
    the thread pool; ``lohi``: per-group min and max arrays updated with each piece's values
    (taken as it is made: in cache)."""
    ends = np.cumsum(counts)
    starts = ends - counts
    specs: list[tuple[int, int, int, int, int]] = []   # groups i:j, rows s:e, rows per group
    i, G = 0, gids.size
    while i < G:
        if counts[i] >= piece_rows:          # one big group: slices of it
            s, e = int(starts[i]), int(ends[i])
            for a in range(s, e, piece_rows):
                b = min(a + piece_rows, e)
                specs.append((i, i + 1, a, b, b - a))
            i += 1
            continue
        j = int(np.searchsorted(ends, starts[i] + piece_rows, side="right"))
        j = max(j, i + 1)
        j = min(j, G)
        while j > i + 1 and counts[j - 1] >= piece_rows:
            j -= 1
        c = counts[i:j]
        specs.append((i, j, int(starts[i]), int(ends[j - 1]),
                      int(c[0]) if bool(np.all(c == c[0])) else 0))
        i = j

    def make(spec: tuple[int, int, int, int, int]) -> tuple[Piece, Any]:
        i, j, s, e, m = spec
        sub = blk.take(slice(s, e))
        if m:                                # every group m rows: (m, groups) arrays
            p = Piece(kind, gids[i:j], _as_dense(sub, m, j - i), True, None, None)
        else:
            lg = np.repeat(np.arange(j - i, dtype=np.intp), counts[i:j])
            st = (starts[i:j] - s).astype(np.intp)
            p = Piece(kind, gids[i:j], sub, False, lg, st)
        return p, None if lohi is None else (_piece_extreme(p, "min"), _piece_extreme(p, "max"))

    out = []
    for p, ext in in_batches(make, specs):     # in order: identical with any threads
        out.append(p)
        if lohi is not None:
            lohi[0][p.pos] = np.fmin(lohi[0][p.pos], ext[0])     # (NaN: none yet)
            lohi[1][p.pos] = np.fmax(lohi[1][p.pos], ext[1])
    return out


def _as_dense(b: Block, m: int, g: int) -> Block:
    """Rows of ``g`` groups of ``m`` rows each as ``(m, g)`` arrays (a group per column)."""
    def r(a: Any) -> Any:
        if a is None:
            return None
        return a.reshape(m, 1) if g == 1 else np.ascontiguousarray(a.reshape(g, m).T)

    return Block(r(b.x), r(b.w), hi=r(b.hi), trials=r(b.trials))


# ---------------------------------------------------------------------------- evaluation
def _piece_terms(fam: Family, p: Piece, TH: NDArray[np.float64], order: int, free: Sequence[int],
                 flags: set[str], outer: bool) -> tuple[Any, ...]:
    blk, kind = p.blk, p.kind
    th = p.theta(TH)
    k = TH.shape[1]
    d: Any
    if kind == "interval":
        lo = shifted(fam, blk, "x")
        if order == 0:
            return (p.reduce(log_interval_prob(fam, lo, blk.hi, th, blk)),)
        d = interval_derivs(fam, lo, blk.hi, th, blk, order, free, flags)
    else:
        f, df = block_funcs(fam, kind)
        x = shifted(fam, blk, "x") if kind == "right" else blk.x
        if order == 0:
            return (p.reduce(f(x, th, blk)),)
        d = df(x, th, blk)
        if d is None:
            flags.add("numeric")
            d = numeric_derivs(lambda t: f(x, t, blk), th, fam.domains, free, order)
    Gp = p.pos.size
    g = np.zeros((Gp, k))
    H = np.zeros((Gp, k, k))
    for i in free:
        g[:, i] = p.reduce(d[1][i])
    if order >= 2:
        for a, i in enumerate(free):
            for j in free[a:]:
                H[:, i, j] = H[:, j, i] = p.reduce(d[2][i][j])
    out: tuple[Any, ...] = (p.reduce(d[0]), g, H)
    if outer:
        B = np.zeros((Gp, k, k))
        for a, i in enumerate(free):
            gi = np.broadcast_to(d[1][i], p.shape)
            for j in free[a:]:
                B[:, i, j] = B[:, j, i] = p.reduce(gi * np.broadcast_to(d[1][j], p.shape))
        out += (B,)
    return out


def evaluate(fam: Family, lay: Layout, TH: NDArray[np.float64], order: int, free: Sequence[int],
             flags: set[str], outer: bool = False, threads: int | None = None) -> tuple[Any, ...]:
    """Per-group ``(loglik, grad, hess[, score outer products])`` at natural parameters
    ``TH`` (one row per group of ``lay``)."""
    L, k = TH.shape
    ll = np.zeros(L)
    g = np.zeros((L, k))
    H = np.zeros((L, k, k))
    B = np.zeros((L, k, k)) if outer else None

    def one(p: Piece) -> tuple[Any, ...]:
        with np.errstate(all="ignore"):
            return _piece_terms(fam, p, TH, order, free, flags, outer)

    nthreads = get_threads() if threads is None else threads
    if nthreads > 1 and len(lay.pieces) > 1:
        parts = list(get_pool().map(in_callers_errstate(one), lay.pieces))
    else:
        parts = [one(p) for p in lay.pieces]
    for p, r in zip(lay.pieces, parts):
        ll[p.pos] += r[0]
        if order:
            g[p.pos] += r[1]
            H[p.pos] += r[2]
        if outer:
            B[p.pos] += r[3]  # type: ignore[index]  # r has its 4th entry exactly when outer
    with np.errstate(invalid="ignore"):
        ll[np.isnan(ll)] = -np.inf
    return (ll, g, H, B) if outer else (ll, g, H)


def truncation_terms(fam: Family, trunc: tuple[float, float], TH: NDArray[np.float64], order: int,
                     free: Sequence[int]) -> tuple[Any, Any, Any]:
    """Per-group ``log P(a <= X <= b)`` and its derivatives (per observation)."""
    a, b = trunc
    if fam.discrete and math.isfinite(a):
        a = math.ceil(a) - 1.0
    L, k = TH.shape
    th = tuple(TH[:, j] for j in range(k))
    xa, xb = np.full(L, a), np.full(L, b)
    with np.errstate(all="ignore"):
        if math.isfinite(a) and math.isfinite(b):
            if order == 0:
                return log_interval_prob(fam, xa, xb, th, None), None, None
            d = interval_derivs(fam, xa, xb, th, None, order, free)
        else:
            f, df, x = ((fam._logcdf, fam._d_logcdf, xb) if not math.isfinite(a)
                        else (fam._logsf, fam._d_logsf, xa))
            if order == 0:
                return f(x, th, None), None, None
            dd = df(x, th, None)
            if dd is None:
                dd = numeric_derivs(lambda t: f(x, t, None), th, fam.domains, free, order)
            d = dd
    g = np.zeros((L, k))
    H = np.zeros((L, k, k))
    for i in free:
        g[:, i] = np.broadcast_to(d[1][i], (L,))
        if order >= 2:
            for j in free:
                H[:, i, j] = np.broadcast_to(d[2][i][j], (L,))
    return np.broadcast_to(d[0], (L,)), g, H


# ---------------------------------------------------------------------------- the problem
class Problem:
    """A family over grouped data with some parameters fixed (a value per group, possibly)."""

    def __init__(self, fam: Family, lay: Layout, n_obs: NDArray[np.float64],
                 fixed_cols: NDArray[np.float64], trunc: tuple[float, float] | None) -> None:
        self.fam = fam
        self.lay = lay
        self.n_obs = n_obs                  # per group of lay (weighted)
        self.fixed_cols = fixed_cols        # (G, k): NaN where the parameter is free
        self.free = [j for j in range(fam.k) if np.isnan(fixed_cols[:, j]).all()]
        self.doms = [fam.domains[j] for j in self.free]
        self.trunc = trunc
        self.flags: set[str] = set()
        self._active: tuple[IntArray, Layout] = (lay.groups, lay)
        self._inside = np.array([default_start(d) for d in fam.domains])

    def natural(self, idx: IntArray, eta: NDArray[np.float64]) -> NDArray[np.float64]:
        TH = self.fixed_cols[idx].copy()
        for c, (j, d) in enumerate(zip(self.free, self.doms)):
            TH[:, j] = d.from_unconstrained(eta[:, c])
        return TH

    def _base_for(self, idx: IntArray) -> tuple[IntArray, Layout, IntArray]:
        """The working layout if it holds every group in ``idx`` (else the full one) and the
        positions of ``idx`` in it."""
        cur_idx, cur = self._active
        pos = np.searchsorted(cur_idx, idx)
        if idx.size and (pos[-1] >= cur_idx.size or not np.array_equal(cur_idx[pos], idx)):
            cur_idx, cur = self.lay.groups, self.lay
            pos = np.searchsorted(cur_idx, idx)
        return cur_idx, cur, pos

    def set_active(self, idx: IntArray) -> None:
        """Shrink the working layout when the active groups fall below half of it."""
        cur_idx, cur, pos = self._base_for(idx)
        if idx.size <= cur_idx.size // 2:
            self._active = (idx, cur.restrict(pos))
        else:
            self._active = (cur_idx, cur)

    def layout_for(self, idx: IntArray) -> tuple[Layout, IntArray | None]:
        """A layout covering ``idx`` and, when it holds more groups, where ``idx`` sit in it."""
        cur_idx, cur, pos = self._base_for(idx)
        if idx.size == cur_idx.size:
            return cur, None
        if idx.size > cur_idx.size // 2:
            return cur, pos
        return cur.restrict(pos), None

    def evaluate(self, idx: IntArray, TH: NDArray[np.float64], order: int,
                 outer: bool = False) -> tuple[Any, ...]:
        """Natural-scale per-group terms at ``TH`` (rows aligned with ``idx``)."""
        lay, sel = self.layout_for(idx)
        if sel is None:
            res = evaluate(self.fam, lay, TH, order, self.free, self.flags, outer)
        else:
            full = np.tile(self._inside, (lay.n_groups, 1))  # valid values for the others
            full[sel] = TH
            res = tuple(r[sel] for r in evaluate(self.fam, lay, full, order, self.free, self.flags,
                                                 outer) if r is not None)
        if self.trunc is None:
            return res
        tl, tg, tH = truncation_terms(self.fam, self.trunc, TH, order, self.free)
        W = self.n_obs[idx]
        ll = res[0] - W * tl
        if order == 0:
            return (ll, *res[1:])
        return (ll, res[1] - W[:, None] * tg, res[2] - W[:, None, None] * tH, *res[3:])

    def on_eta(self, idx: IntArray, eta: NDArray[np.float64], order: int) -> tuple[Any, ...]:
        """``(ll, grad, hess)`` on the unconstrained scale of the free parameters, plus the
        natural-scale ``(TH, grad, hess)``."""
        TH = self.natural(idx, eta)
        ll, g, H = self.evaluate(idx, TH, order)
        if order == 0:
            return ll, None, None, TH, g, H
        J1 = np.empty_like(eta)
        J2 = np.empty_like(eta)
        for c, d in enumerate(self.doms):
            J1[:, c], J2[:, c] = d.jacobian(eta[:, c])
        fr = self.free
        gf = g[:, fr]
        Hf = H[:, fr][:, :, fr]
        He = Hf * J1[:, :, None] * J1[:, None, :]
        kf = len(fr)
        He[:, range(kf), range(kf)] += gf * J2
        return ll, gf * J1, He, TH, g, H


def as_blocks(dat: Data, codes: IntArray) -> dict[str, tuple[Block, IntArray]]:
    """Each non-empty block of ``dat`` with the group code of each of its rows."""
    out = {}
    for kind, blk in dat.blocks.items():
        if blk.size:
            # rows None: the block's rows are 0..size-1 of the data (a view, no gather)
            out[kind] = (blk, codes[blk.rows] if blk.rows is not None else codes[:blk.size])
    return out
