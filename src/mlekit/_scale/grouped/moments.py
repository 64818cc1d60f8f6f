"""Per-group shortcuts for grouped fits, through the families' own hooks: closed forms on
per-group ``Stats`` (the family's ``_suffstats`` over a ``GroupData``), the family's profile
Newton batched over groups, and the family's ``_start`` on all groups at once.

Every function here returns per-group natural parameters (NaN rows where the shortcut does
not apply, so those groups take the generic batched Newton); the tests check grouped fits
against separate fits for every family.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from ..._core.engine import get_pool, get_threads, in_callers_errstate
from ..._families.base import Family
from ..._families.profiles import Profile, solve_groups
from ..._families.samples import GroupSample, takes_sample
from ..._families.stats import GroupBlock, GroupData
from .layout import Layout, Piece

__all__ = ["group_starts", "group_closed_form", "profile_groups"]

F = NDArray[np.float64]


def _values(p: Piece) -> Any:
    """The point of each row used for starting values (interval midpoints)."""
    b = p.blk
    if p.kind != "interval":
        return b.x
    lo, hi = b.x, b.hi
    assert hi is not None, "an interval block carries its upper bounds"
    return np.where(np.isfinite(lo) & np.isfinite(hi), 0.5 * (lo + hi), np.where(np.isfinite(lo), lo, hi))


def group_starts(fam: Family, lay: Layout) -> F | None:
    """Per-group starting values ``(G, k)`` from the family's own ``_start``, called once
    for all groups with a ``GroupSample`` (the start points of every censoring kind, interval
    midpoints included); None when its ``_start`` is not written on a ``Sample``."""
    if not takes_sample(fam):
        return None
    xs, ws, cs = [], [], []
    weighted = any(p.blk.w is not None for p in lay.pieces)
    # every group in one piece: sort each group's values here (cheap, piece by piece) and
    # the sample needs no global sort for its quantiles
    pos = np.concatenate([p.pos for p in lay.pieces]) if lay.pieces else np.zeros(0, np.intp)
    ordered = bool(pos.size < 2 or np.all(pos[1:] > pos[:-1]))
    for p in lay.pieces:
        v = np.asarray(_values(p), dtype=float)
        w = p.blk.w if p.blk.w is not None else np.ones(v.shape)
        if p.dense:
            if ordered:
                o = np.argsort(v, axis=0)
                v, w = np.take_along_axis(v, o, 0), np.take_along_axis(w, o, 0)
            m = v.shape[0]
            v, w, codes = v.T.ravel(), w.T.ravel(), np.repeat(p.pos, m)
        else:
            lg = p.flat()[0]
            codes = p.pos[lg]
            if ordered:
                o = np.lexsort((v, lg))
                v, w, codes = v[o], w[o], codes[o]
        ok = np.isfinite(v)
        xs.append(v[ok])
        ws.append(w[ok])
        cs.append(codes[ok])
    G = lay.n_groups
    sample = GroupSample(np.concatenate(xs), np.concatenate(ws) if weighted else None,
                         np.concatenate(cs).astype(np.intp), G, ordered)
    with np.errstate(all="ignore"):
        # a family whose _start is marked ``takes_sample`` reads a Sample (checked above)
        s0 = fam._start(cast(Any, sample), None, {})
    return np.column_stack([np.broadcast_to(np.asarray(s0.get(p, np.nan), dtype=float), (G,))
                            for p in fam.param_names])


# ---------------------------------------------------------------------------- families' hooks
def group_data(lay: Layout, trunc: Any) -> GroupData:
    """The layout's rows as a ``GroupData`` (each piece a segment: no sort, no gather)."""
    blocks = {}
    for kind in ("exact", "left", "right", "interval"):
        pieces = [p for p in lay.pieces if p.kind == kind]
        if not pieces:
            continue
        segs, off = [], 0
        for p in pieces:
            n = p.blk.x.size
            m = p.shape[0] if p.dense else 0
            segs.append((off, off + n, p.pos, m, p.lg, p.starts))
            off += n

        def cat(name: str, pieces: list[Piece] = pieces) -> Any:
            vals = [getattr(p.blk, name) for p in pieces]
            if all(v is None for v in vals):
                return None
            return np.concatenate([(v if v is not None else np.ones(p.blk.x.shape)).ravel()
                                   for v, p in zip(vals, pieces)])

        gb = GroupBlock(cat("x"), cat("w"), cat("trials"), segs, lay.n_groups)
        gb.hi = cat("hi")
        blocks[kind] = gb
    return GroupData(blocks, lay.n_groups, trunc)


def group_closed_form(fam: Family, lay: Layout, trunc: Any, fixed: dict[str, Any]) -> F | None:
    """The family's own ``_closed_form`` on its own ``_suffstats`` of every group (one value
    per group; NaN rows: no closed form there), or None when it has none for these data."""
    if not fam._overrides("_closed_form"):
        return None
    gd = group_data(lay, trunc)
    if not fam._can_closed_form(gd):  # type: ignore[arg-type]  # GroupData: the duck-typed Data of the hooks
        return None
    G = lay.n_groups
    with np.errstate(all="ignore"):
        stats = fam._suffstats(gd)  # type: ignore[arg-type]  # GroupData: the duck-typed Data of the hooks
        cf = None if stats is None else fam._closed_form(stats, fixed)
    if cf is None:
        return None
    TH = np.column_stack([np.broadcast_to(np.asarray(cf[p], dtype=float), (G,))
                          for p in fam.param_names])
    TH[~np.isfinite(TH).all(axis=1)] = np.nan
    return TH


def _piece_extreme(p: Piece, arr: Any, which: str) -> Any:
    if p.dense:
        return arr.min(axis=0) if which == "min" else arr.max(axis=0)
    return (np.minimum if which == "min" else np.maximum).reduceat(arr, p.flat()[1])


def profile_groups(prof: Profile, lay: Layout, k_mask: NDArray[np.bool_], maxiter: int
                   ) -> tuple[list[F], F, F, F, NDArray[np.intp], NDArray[np.bool_], list[F]]:
    """A family's profile Newton (:mod:`mlekit._families.profiles`) for every group where
    ``k_mask``, batched: per-group statistics here, the iteration in ``solve_groups``.

    Returns the natural parameters (one array each), log-likelihood, gradient ``(G, 2)``,
    Hessian ``(G, 2, 2)``, iterations, convergence and the start values."""
    G = lay.n_groups
    pieces = [p for p in lay.pieces if p.kind in prof.kinds]
    d, L, Wu = np.zeros(G), np.zeros(G), np.zeros(G)
    c, umin = np.full(G, -np.inf), np.full(G, np.inf)
    with np.errstate(all="ignore"):
        for p in pieces:
            u = prof._u(p.blk)
            if p.kind == "exact":
                d[p.pos] += p.reduce(1.0)
                L[p.pos] += p.reduce(u)
            Wu[p.pos] += p.reduce(1.0)
            c[p.pos] = np.fmax(c[p.pos], _piece_extreme(p, u, "max"))
            umin[p.pos] = np.fmin(umin[p.pos], _piece_extreme(p, u, "min"))
        m = L / d
        Q = np.zeros(G)
        for p in pieces:
            Q[p.pos] += p.reduce((prof._u(p.blk) - p.per_row(m)) ** 2)
        s = np.sqrt(np.maximum(Q / Wu, 1e-300))
        k0 = np.where(k_mask & (d > 0) & np.isfinite(L), np.pi / (np.sqrt(6) * s), np.nan)
        for p in pieces:
            def shifted_u(p: Piece = p) -> Any:
                return prof._u(p.blk) - p.per_row(c)
            v = p.blk.cached(prof.key("profile_v"), shifted_u)
            p.blk._cache[prof.key("profile_v32")] = v.astype(np.float32)
    state: dict[str, Any] = {"lay": lay, "idx": lay.groups, "dtype": None}

    def sums(act: NDArray[np.intp], k: F, dtype: Any, order: int) -> list[F]:
        if dtype != state["dtype"]:                 # a new phase: back to every group
            state.update(lay=lay, idx=lay.groups, dtype=dtype)
        lay_a, idx_a = state["lay"], state["idx"]
        if act.size <= idx_a.size // 2:
            lay_a = lay_a.restrict(np.searchsorted(idx_a, act))
            idx_a = act
            state.update(lay=lay_a, idx=idx_a)
        if idx_a.size != act.size:
            kk = np.full(idx_a.size, np.nan)
            pos = np.searchsorted(idx_a, act)
            kk[pos] = k
            return [x[pos] for x in _profile_sums(prof, lay_a, kk, dtype, order)]
        return _profile_sums(prof, lay_a, k, dtype, order)

    k, S, it, conv = solve_groups(sums, k0, d, L - d * c, c - umin, maxiter)
    with np.errstate(all="ignore"):
        params, ll, g, H = prof.finish(k, S, d, L, c)
        start = prof.start_params(k0, m + 0.0 * k0)
    grad = np.column_stack(g)
    Hm = np.empty((G, 2, 2))
    for i in range(2):
        for j in range(2):
            Hm[:, i, j] = H[i][j]
    return params, ll, grad, Hm, it, conv, start


def _profile_sums(prof: Profile, lay: Layout, k: F, dtype: Any, order: int) -> list[F]:
    """``S_j = sum over the profile rows of w exp(k v) v^j``, ``j = 0..order``, per group
    (``v`` is ``u`` minus the group's largest ``u``, so ``exp(k v) <= 1``)."""
    pieces = [p for p in lay.pieces if p.kind in prof.kinds]

    def one(p: Piece) -> list[Any]:
        key = prof.key("profile_v" if dtype == np.float64 else "profile_v32")
        v = p.blk._cache[key]
        z = p.blk.cached(key + "_buf", lambda: np.empty_like(v))   # reused every iteration
        with np.errstate(under="ignore", invalid="ignore"):
            np.exp(np.multiply(p.per_row(k.astype(dtype)), v, out=z), out=z)
        out = [p.reduce(z)]
        for _ in range(order):
            np.multiply(z, v, out=z)
            out.append(p.reduce(z))
        return [np.asarray(a, dtype=np.float64) for a in out]

    if get_threads() > 1 and len(pieces) > 1:
        parts = list(get_pool().map(in_callers_errstate(one), pieces))
    else:
        parts = [one(p) for p in pieces]
    S = [np.zeros(lay.n_groups) for _ in range(order + 1)]
    for p, r in zip(pieces, parts):
        for j in range(order + 1):
            S[j][p.pos] += r[j]
    return S
