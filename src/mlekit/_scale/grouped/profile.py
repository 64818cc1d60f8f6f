"""A family's profile Newton (:mod:`mlekit._families.profiles`: Weibull, Gumbel) for every
group at once.

The per-row work is what costs, so the iteration makes as few passes over the rows as it can:

1. one pass for the start, piece by piece (each piece's rows in cache): ``v = u - max u``
   per group (``max u`` and ``min u`` are ``u`` of the values' extremes, which the layout
   takes while it cuts the pieces), with ``sum v`` and ``sum v^2`` (the log values' spread
   gives the moment start, as in a separate fit);
2. a float32 Halley step (``exp`` is several times faster in float32; cubic convergence):
   one pass (a group whose step leaves its bracket steps again);
3. one float64 pass collecting the moments ``S_j = sum w exp(k v) v^j``, ``j = 0..8``, at that
   ``k``: a Halley step from these exact sums, then Newton on ``S_0..S_2`` from their Taylor
   series in ``k`` (as the streamed fit does, :class:`mlekit._scale.scan._Moments`): every
   term of ``S_m`` has the sign of ``(-1)^m`` (``v <= 0``), so ``|S_8|`` bounds the
   remainder, and a value is used only within the radius where that bound is below 1e-15 of
   the sum (:func:`_radius`). A group whose iterate leaves that radius gets another pass
   there (at 10,000 x 100: 2 groups; on their own rows only).

The per-group arithmetic runs on blocks of groups (arrays that stay in cache) and avoids
``np.where`` on masks without a pattern (~20x the cost of a multiplication). A dense
segment's column sums are ``ones @ z`` (BLAS gemv, ~2/3 of ``np.add.reduce(axis=0)``);
segments run on the thread pool in a few batches (``_core.engine.in_batches``).

Each group stops at a decrement of ``tol`` (1e-12) and takes one more Newton step from the
moments (the estimate is then the optimum to rounding, as a separate fit's).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._core.engine import in_batches
from ..._data.data import Block
from ..._families.profiles import Profile, derivs
from .layout import PIECE_ROWS, Layout, Piece, selection

__all__ = ["profile_groups", "solve_groups", "ProfileRows", "TAYLOR_ORDER"]

F = NDArray[np.float64]
IntArray = NDArray[np.intp]

TAYLOR_ORDER = 8          # a float64 pass collects S_0..S_8
_TAYLOR_RTOL = 1e-15      # largest relative remainder of a Taylor-evaluated sum
_BLOCK = 8192            # groups whose Newton arithmetic runs together (arrays in cache)
_HALLEY_HANDOFF = 1e3       # a float32 Halley step inside its bracket and below this (in units of
                          # 1/range of v) hands the group to float64; others step again


class _Seg:
    """Rows of some groups: ``(m, g)`` arrays (a group per column) or flat rows (``lg``: the
    local group of each row, ``starts``: each group's first row)."""

    __slots__ = ("at", "buf", "lg", "ones", "pos", "starts", "v", "v32", "w", "w32")

    def __init__(self, pos: IntArray, v: F, w: F | None, lg: IntArray | None,
                 starts: IntArray | None, v32: Any = None) -> None:
        self.pos, self.v, self.w, self.lg, self.starts = pos, v, w, lg, starts
        self.v32 = v.astype(np.float32) if v32 is None else v32
        self.w32 = None if w is None else w.astype(np.float32)
        self.buf: dict[Any, Any] = {}
        self.ones: dict[Any, Any] = {}
        # where its groups' sums go: a slice when they are consecutive (the usual case), None
        # when a group appears twice (then added with np.add.at)
        n = pos.size
        if n and pos[-1] - pos[0] == n - 1 and (n < 2 or bool(np.all(pos[1:] > pos[:-1]))):
            self.at: Any = slice(int(pos[0]), int(pos[0]) + n)
        else:
            self.at = pos if np.unique(pos).size == n else None

    @property
    def dense(self) -> bool:
        return self.lg is None

    def _ones(self, m: int, dtype: Any) -> Any:
        """A dense segment's column sums are ``ones @ a`` (BLAS gemv: ~2/3 of the time of
        ``np.add.reduce(a, axis=0)`` on arrays in cache)."""
        one = self.ones.get(dtype)
        if one is None:
            one = self.ones[dtype] = np.ones(m, dtype=dtype)
        return one

    def reduce(self, a: Any) -> Any:
        if self.starts is None:
            return self._ones(a.shape[0], a.dtype) @ a
        return np.add.reduceat(a, self.starts)

    def per_row(self, vals: Any) -> Any:
        v = vals[self.pos]
        return v[None, :] if self.lg is None else v[self.lg]

    def moments(self, k: F, dtype: Any, order: int) -> Any:
        """``S_0..S_order`` of this segment's groups at ``k`` (rows of an array in ``dtype``,
        columns aligned with ``pos``)."""
        f32 = dtype == np.float32
        v = self.v32 if f32 else self.v
        w = self.w32 if f32 else self.w
        z = self.buf.get(dtype)
        if z is None:
            z = self.buf[dtype] = np.empty_like(v)          # reused every pass
        kr = self.per_row(k.astype(dtype, copy=False) if f32 else k)
        np.exp(np.multiply(v, kr, out=z), out=z)
        if w is not None:
            np.multiply(z, w, out=z)
        out = np.empty((order + 1, self.pos.size), dtype=dtype)
        starts = self.starts
        one: Any = self._ones(z.shape[0], dtype) if starts is None else None
        for j in range(order + 1):
            if j:
                np.multiply(z, v, out=z)
            if starts is not None:
                out[j] = np.add.reduceat(z, starts)
            else:
                np.matmul(one, z, out=out[j])
        return out

    def counts(self) -> IntArray:
        """Rows per group of a flat segment."""
        assert self.lg is not None and self.starts is not None, "a flat segment"
        return np.diff(np.append(self.starts, self.lg.size))

    def take(self, keep: NDArray[np.bool_]) -> _Seg:
        """The rows of the groups where ``keep`` (aligned with ``pos``), positions unchanged."""
        if self.lg is None:
            cols = np.flatnonzero(keep)
            return _Seg(self.pos[cols], self.v[:, cols],
                        None if self.w is None else self.w[:, cols], None, None,
                        self.v32[:, cols])
        rows = keep[self.lg]
        counts = self.counts()[keep]
        lg = np.repeat(np.arange(counts.size, dtype=np.intp), counts)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
        return _Seg(self.pos[keep], self.v[rows], None if self.w is None else self.w[rows],
                    lg, starts, self.v32[rows])


def _merge(segs: list[_Seg]) -> list[_Seg]:
    """Small segments of equal shape joined (fewer, larger array operations per pass)."""
    out: list[_Seg] = []
    by_m: dict[Any, list[_Seg]] = {}
    for s in segs:
        by_m.setdefault(s.v.shape[0] if s.dense else "flat", []).append(s)
    for key, group in by_m.items():
        cur: list[_Seg] = []
        rows = 0
        for s in group:
            if cur and rows + s.v.size > PIECE_ROWS:
                out.append(cur[0] if len(cur) == 1 else _join(cur, key != "flat"))
                cur, rows = [], 0
            cur.append(s)
            rows += s.v.size
        if cur:
            out.append(cur[0] if len(cur) == 1 else _join(cur, key != "flat"))
    return out


def _join(segs: list[_Seg], dense: bool) -> _Seg:
    pos = np.concatenate([s.pos for s in segs])
    weighted = any(s.w is not None for s in segs)

    def w_of(s: _Seg) -> F:
        return s.w if s.w is not None else np.ones(s.v.shape)

    if dense:
        return _Seg(pos, np.concatenate([s.v for s in segs], axis=1),
                    np.concatenate([w_of(s) for s in segs], axis=1) if weighted else None,
                    None, None, np.concatenate([s.v32 for s in segs], axis=1))
    counts = np.concatenate([s.counts() for s in segs])
    lg = np.repeat(np.arange(counts.size, dtype=np.intp), counts)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
    return _Seg(pos, np.concatenate([s.v for s in segs]),
                np.concatenate([w_of(s) for s in segs]) if weighted else None, lg, starts,
                np.concatenate([s.v32 for s in segs]))


class ProfileRows:
    """The profile rows of ``n`` groups (``v = u - max u`` per group), cut into segments;
    :meth:`sums` makes one pass, :meth:`restrict` keeps the rows of some groups only."""

    def __init__(self, segs: list[_Seg], n: int) -> None:
        self.segs, self.n = segs, n

    def sums(self, k: F, dtype: Any, order: int) -> list[F]:
        """``S_0..S_order`` per group at ``k`` (one value per group of these rows)."""
        segs = self.segs
        parts = in_batches(lambda s: s.moments(k, dtype, order), segs)
        S = np.zeros((order + 1, self.n))
        for s, r in zip(segs, parts):       # in segment order: identical with any threads
            if s.at is None:                # a group twice (its exact and censored rows)
                for j in range(order + 1):
                    np.add.at(S[j], s.pos, r[j])
            else:
                S[:, s.at] += r
        return list(S)

    def restrict(self, sel: IntArray) -> ProfileRows:
        """The rows of the groups at positions ``sel`` (sorted), renumbered 0..len(sel)-1."""
        mask, remap = selection(self.n, sel)
        segs = []
        for s in self.segs:
            keep = mask[s.pos]
            if not keep.any():
                continue
            t = s if keep.all() else s.take(keep)
            segs.append(_Seg(remap[t.pos], t.v, t.w, t.lg, t.starts, t.v32))
        return ProfileRows(_merge(segs), int(sel.size))


class _Active:
    """``sums`` for the groups still iterating: the rows shrink with them (restricted when
    they fall below half of the rows held)."""

    def __init__(self, rows: ProfileRows) -> None:
        self.full = rows
        self.rows, self.idx = rows, np.arange(rows.n, dtype=np.intp)

    def sums(self, act: IntArray, k: F, dtype: Any, order: int) -> list[F]:
        pos = np.searchsorted(self.idx, act)
        if pos.size and (pos[-1] >= self.idx.size or not np.array_equal(self.idx[pos], act)):
            self.rows, self.idx = self.full, np.arange(self.full.n, dtype=np.intp)
            pos = act
        if act.size <= self.idx.size // 2:
            self.rows, self.idx = self.rows.restrict(pos), act
            pos = np.arange(act.size, dtype=np.intp)
        if self.idx.size == act.size:
            return self.rows.sums(k, dtype, order)
        kk = np.ones(self.idx.size)
        kk[pos] = k
        return [s[pos] for s in self.rows.sums(kk, dtype, order)]


def _radius(M: list[F], vr: F) -> F:
    """Per group, the ``|e|`` up to which the Taylor series of ``S_0..S_2`` from the moments
    ``M = S_0..S_N`` at ``k`` is exact to ``_TAYLOR_RTOL`` at ``k + e``. The remainder of
    ``S_j`` after ``T = N - j`` terms is at most ``|e|^T / T! |S_N| exp(max(0, -e) vr)`` and
    ``|S_j(k + e)| >= |S_j(k)| exp(-max(0, e) vr)`` (``vr = -min v``), so ``|e|^T exp(|e| vr)
    <= C = 1e-15 T! |S_j| / |S_N|`` suffices: it holds for ``|e| <= r exp(-r vr / T)``,
    ``r = C^(1/T)``."""
    N = len(M) - 1
    top = np.abs(M[N])
    R = np.full(top.shape, np.inf)
    for j in range(3):
        T = N - j
        r = (_TAYLOR_RTOL * math.factorial(T) * np.abs(M[j]) / top) ** (1.0 / T)
        R = np.fmin(R, r * np.exp(-r * vr / T))
    return np.where(np.isfinite(R) | (top == 0), R, 0.0)


def _taylor(M: list[F], e: F, order: int = 2) -> list[F]:
    """``S_0..S_order`` at ``k + e`` from the moments ``M = S_0..S_N`` at ``k`` (Horner:
    ``sum_m e^m / m! S_(j+m)``, ``m < N - j``)."""
    N = len(M) - 1
    out = []
    for j in range(order + 1):
        T = N - j
        val = M[j + T - 1] * (e / (T - 1))
        for m in range(T - 2, 0, -1):
            val += M[j + m]
            val *= e / m
        val += M[j]
        out.append(val)
    return out


def solve_groups(sums: Any, k0: F, d: F, Lc: F, vmin: F, maxiter: int = 100,
                 tol: float = 1e-12) -> tuple[F, list[F], IntArray, NDArray[np.bool_]]:
    """The profile Newton for all groups (see the module docstring). ``sums(active, k, dtype,
    order)`` returns ``S_0..S_order`` for the groups ``active`` (an :class:`_Active`'s
    ``sums``); ``vmin``: each group's smallest ``v``. Returns ``k``, ``S_0..S_2`` at ``k``,
    iterations and convergence per group."""
    G = k0.size
    k = k0.copy()
    it = np.zeros(G, dtype=np.intp)
    conv = np.zeros(G, dtype=bool)
    S = [np.full(G, np.nan) for _ in range(3)]
    vr = np.where(np.isfinite(vmin), -vmin, np.inf)
    ok0 = np.isfinite(k) & (k > 0) & (d > 0)
    lo, hi = np.zeros(G), np.full(G, np.inf)
    with np.errstate(all="ignore"):
        # --- float32 Halley until a step is small (most groups: one pass)
        act = np.flatnonzero(ok0)
        while act.size:
            ka, da, Lca = k[act], d[act], Lc[act]
            g, h, t = derivs(sums(act, ka, np.float32, 3), ka, da, Lca)
            fin = np.isfinite(g) & np.isfinite(h)
            small = fin & (g * g <= -h * 1e-9)        # float32 cannot go further: to float64
            lo[act], hi[act] = _narrowed(lo[act], hi[act], ka, g > 0)
            kn = ka - 2 * g * h / (2 * h * h - g * t)
            kn, inside = _bracketed(kn, lo[act], hi[act], ka)
            move = fin & ~small
            it[act[move]] += 1
            k[act[move]] = kn[move]
            going = move & ~(inside & (np.abs(kn - ka) * vr[act] <= _HALLEY_HANDOFF))
            act = act[going & (it[act] < maxiter)]
        # --- float64: moments S_0..S_8 per pass, Newton on their Taylor series
        lo[:], hi[:] = 0.0, np.inf
        act = np.flatnonzero(ok0)
        passes = 0
        while act.size and passes <= maxiter:
            passes += 1
            M = sums(act, k[act], np.float64, TAYLOR_ORDER)
            again = np.zeros(act.size, dtype=bool)
            for b in range(0, act.size, _BLOCK):   # per-group arrays that stay in cache
                sl = slice(b, b + _BLOCK)
                again[sl] = _newton_on_moments([m[sl] for m in M], act[sl], k, it, conv, S, d,
                                               Lc, vr, lo, hi, maxiter, tol)
            act = act[again]
    return k, S, it, conv


def _newton_on_moments(M: list[F], act: IntArray, k: F, it: IntArray, conv: NDArray[np.bool_],
                       S: list[F], d: F, Lc: F, vr: F, lo: F, hi: F, maxiter: int,
                       tol: float) -> NDArray[np.bool_]:
    """Steps for the groups ``act`` from their moments ``M`` at ``k[act]`` (updates ``k``,
    ``it``, ``conv``, ``S``, ``lo``, ``hi`` in place): a Halley step from the exact sums
    there, then Newton steps on the Taylor series while they stay within its radius; a group
    whose decrement is below ``tol`` takes one more Newton step and stops. Returns which of
    ``act`` need a pass at their new ``k``.

    The arrays hold every group still iterating and are compressed only when most have left
    (a group that leaves is written out when it leaves)."""
    n = act.size
    again = np.zeros(n, dtype=bool)
    st = {"loc": np.arange(n), "a": act, "kp": k[act], "R": _radius(M, vr[act]), "d": d[act],
          "Lc": Lc[act], "e": np.zeros(n), "lo": lo[act], "hi": hi[act], "it": it[act],
          "final": np.zeros(n, dtype=bool)}
    Ml = M
    live = np.ones(n, dtype=bool)
    first = True
    for _ in range(maxiter + 3):
        a, e = st["a"], st["e"]
        T = Ml[:4] if first else _taylor(Ml, e)
        ka = st["kp"] + e
        fin = st["final"]
        if fin.any():                            # took the polishing step: done here
            f = np.flatnonzero(fin)
            for j in range(3):
                S[j][a[f]] = T[j][f]
            k[a[f]], it[a[f]], conv[a[f]] = ka[f], st["it"][f], True
            live &= ~fin
            if not live.any():
                break
        g, h, t = derivs(T, ka, st["d"], st["Lc"])
        step = -g / h
        done = live & (g * step <= tol) & (h < 0)
        stop = live & ~done & (~np.isfinite(g) | (st["it"] >= maxiter))
        lo_, hi_ = st["lo"], st["hi"] = _narrowed(st["lo"], st["hi"], ka, g > 0)
        if first:                                # Halley from the exact sums
            step = np.where(done, step, -2 * g * h / (2 * h * h - g * t))
        kn, _ = _bracketed(ka + step, lo_, hi_, ka)
        kn = np.where(done, ka + step, kn)
        en = kn - st["kp"]
        within = np.abs(en) <= st["R"]
        go = live & ~done & ~stop
        st["it"] += go
        out = (done & ~within) | stop            # converged out of reach, or given up
        if out.any():
            f = np.flatnonzero(out)
            k[a[f]], it[a[f]] = ka[f], st["it"][f]
            c = f[done[f]]
            for j in range(3):
                S[j][a[c]] = T[j][c]
            conv[a[c]] = True
        far = go & ~within                       # beyond the Taylor radius: a pass there
        if far.any():
            f = np.flatnonzero(far)
            again[st["loc"][f]] = True
            k[a[f]], it[a[f]], lo[a[f]], hi[a[f]] = kn[f], st["it"][f], lo_[f], hi_[f]
        st["final"] = done & within
        live = (go & within) | st["final"]
        st["e"] = en                             # (the groups that left ignore it)
        nl = int(np.count_nonzero(live))
        if nl == 0:
            break
        if nl <= live.size // 2:
            sel = np.flatnonzero(live)
            st = {key: val[sel] for key, val in st.items()}
            Ml = [m[sel] for m in Ml]
            live = np.ones(nl, dtype=bool)
        first = False
    if live.any():                               # out of iterations
        f = np.flatnonzero(live)
        k[st["a"][f]] = st["kp"][f] + st["e"][f]
        it[st["a"][f]] = st["it"][f]
    return again


def _narrowed(lo: F, hi: F, ka: F, up: NDArray[np.bool_]) -> tuple[F, F]:
    """The bracket after the slope's sign at ``ka`` (``lo <= ka <= hi``, ``k > 0``): ``lo =
    ka`` where it rises, else ``hi = ka``. (``max(lo, ka * up)``: ``np.where`` on a mask with
    no pattern costs ~20x a multiplication.)"""
    return np.maximum(lo, ka * up), np.minimum(hi, ka / ~up)


def _bracketed(kn: F, lo: F, hi: F, ka: F) -> tuple[F, NDArray[np.bool_]]:
    """``kn`` where it lies inside ``(lo, hi)``, else a point that splits the bracket (a
    geometric mean; ``4 ka`` while there is no upper end)."""
    inside = (kn > lo) & (kn < hi)
    if inside.all():
        return kn, inside
    o = np.flatnonzero(~inside)
    lo_o, hi_o = lo[o], hi[o]
    kn = kn.copy()
    kn[o] = np.where(np.isfinite(hi_o), np.sqrt(np.maximum(lo_o, hi_o * 1e-3) * hi_o), ka[o] * 4)
    return kn, inside


# ---------------------------------------------------------------------------- the grouped fit
def _log_values(prof: Profile, p: Piece) -> Any:
    """The profile's log values ``u`` of a piece's rows as a new array (not cached on the
    block, and never the data themselves: it becomes ``v`` in place)."""
    u = prof.u(Block(p.blk.x))
    return u.copy() if np.may_share_memory(u, p.blk.x) else u


def _u_range(prof: Profile, lay: Layout, kinds: set[str]) -> tuple[F, F]:
    """Per group, the largest and the smallest ``u`` over the profile rows: ``u`` of the
    values' extremes (``u`` is monotone in ``x``; the layout has them, no pass over the
    rows). ``-inf``/``inf`` where a group has no such rows."""
    hi, lo = np.full(lay.n_groups, -np.inf), np.full(lay.n_groups, np.inf)
    for kind in kinds:
        a = np.asarray(prof.u(Block(lay.group_extreme(kind, "min"))), dtype=float)
        b = np.asarray(prof.u(Block(lay.group_extreme(kind, "max"))), dtype=float)
        hi = np.fmax(hi, np.fmax(a, b))
        lo = np.fmin(lo, np.fmin(a, b))
    return hi, lo


def profile_groups(prof: Profile, lay: Layout, k_mask: NDArray[np.bool_], maxiter: int
                   ) -> tuple[list[F], F, F, F, IntArray, NDArray[np.bool_], list[F]]:
    """A family's profile Newton for every group where ``k_mask``, batched.

    Returns the natural parameters (one array each), log-likelihood, gradient ``(G, 2)``,
    Hessian ``(G, 2, 2)``, iterations, convergence and the start values."""
    G = lay.n_groups
    pieces = [p for p in lay.pieces if p.kind in prof.kinds]
    d, Lv, W = np.zeros(G), np.zeros(G), np.zeros(G)
    sv, sv2 = np.zeros(G), np.zeros(G)
    with np.errstate(all="ignore"):
        c, umin = _u_range(prof, lay, {p.kind for p in pieces})

        def prepare(p: Piece) -> tuple[_Seg, Any, Any, Any]:
            """A piece's rows as ``v`` (one piece at a time: its rows stay in cache) and
            per group: weight, ``sum w v``, ``sum w v^2``."""
            u = _log_values(prof, p)
            v = np.subtract(u, p.per_row(c), out=u)          # v = u - max u, in place
            seg = _Seg(p.pos, v, p.blk.w, p.lg, p.starts)
            vw = v if p.blk.w is None else v * p.blk.w
            z = seg.buf[np.float64] = np.empty_like(v)      # (the moments' buffer)
            return seg, p.reduce(1.0), seg.reduce(vw), seg.reduce(np.multiply(vw, v, out=z))

        parts = in_batches(prepare, pieces)
        segs = []
        for p, (seg, n, a, a2) in zip(pieces, parts):       # in piece order: any threads
            segs.append(seg)
            W[p.pos] += n
            sv[p.pos] += a
            sv2[p.pos] += a2
            if p.kind == "exact":
                d[p.pos] += n
                Lv[p.pos] += a
        L = Lv + d * c                               # sum over the exact rows of u
        mv = Lv / d                                  # their mean, less c
        Q = sv2 - 2.0 * mv * sv + W * mv * mv        # sum over the profile rows of (u - mean)^2
        s_ = np.sqrt(np.maximum(Q / W, 1e-300))
        k0 = np.where(k_mask & (d > 0) & np.isfinite(L), np.pi / (np.sqrt(6) * s_), np.nan)
        rows = _Active(ProfileRows(segs, G))
        k, S, it, conv = solve_groups(rows.sums, k0, d, L - d * c, umin - c, maxiter)
        params, ll, g, H = prof.finish(k, S, d, L, c)
        start = prof.start_params(k0, mv + c + 0.0 * k0)
    grad = np.column_stack(g)
    Hm = np.empty((G, 2, 2))
    for i in range(2):
        for j in range(2):
            Hm[:, i, j] = H[i][j]
    return params, ll, grad, Hm, it, conv, start
