"""Per-group shortcuts for grouped fits, through the families' own hooks: closed forms on
per-group ``Stats`` (the family's ``_suffstats`` over a ``GroupData``) and the family's
``_start`` on all groups at once (the profile Newton batched over groups is in ``profile.py``).

Every function here returns per-group natural parameters (NaN rows where the shortcut does
not apply, so those groups take the generic batched Newton); the tests check grouped fits
against separate fits for every family.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from ..._data.data import Block, Data
from ..._families.base import Family
from ..._families.samples import GroupSample, takes_sample
from ..._families.stats import GroupBlock, GroupData
from .layout import Layout, Piece

__all__ = ["group_starts", "group_closed_form", "group_data", "group_findings"]

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


def group_findings(fam: Family, dat: Data, codes: NDArray[np.intp], TH: F,
                   conv: NDArray[np.bool_], ok: NDArray[np.bool_], fixed: dict[str, float]
                   ) -> list[tuple[int, str, str]]:
    """The family's own findings about each clean (``ok``) group's fit
    (``Family._fit_diagnostics``, what an in-memory fit of the group reports: beta-binomial's
    binomial limit, GEV/GPD's shape): ``(group, code, message)`` of each group's first
    warning. Each group's rows are gathered by one sort of the row codes per censoring kind."""
    todo = np.flatnonzero(ok)
    out: list[tuple[int, str, str]] = []
    if todo.size == 0:
        return out
    G = TH.shape[0]
    split: dict[str, tuple[NDArray[np.intp], NDArray[np.intp]]] = {}
    for kind, blk in dat.blocks.items():
        if blk.size:
            c = codes[blk.rows if blk.rows is not None else np.arange(blk.size)]
            order = np.argsort(c, kind="stable")
            split[kind] = (order, np.searchsorted(c[order], np.arange(G + 1)))
    names = fam.param_names
    for i in todo:
        params = {p: float(TH[i, j]) for j, p in enumerate(names)}
        if not all(math.isfinite(v) for v in params.values()):
            continue
        new: dict[str, Block] = {}
        for kind, (order, bounds) in split.items():
            nb = dat.blocks[kind].take(order[bounds[i]:bounds[i + 1]])
            nb.rows = None
            new[kind] = nb
        with np.errstate(all="ignore"):
            found = fam._fit_diagnostics(params, dat.replace(n_dropped=0, **new), bool(conv[i]),
                                         fixed)
        first = next((f for f in found if f[2] == "warning"), None)
        if first is not None:
            out.append((int(i), first[0], first[1]))
    return out


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
