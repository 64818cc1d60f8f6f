"""Count data compressed to their distinct values with summed weights (the discrete families'
fits read a few hundred distinct counts instead of millions of rows)."""

from __future__ import annotations

import numpy as np

from .block import Block
from .data import Data

__all__ = ["CLOSED_FORM_MIN_ROWS", "compress_counts", "compressed"]

#: rows from which a closed form reads compressed counts: it passes over the rows once, so
#: below this, compressing (a bincount, the distinct values copied into a new block) costs more
#: than it saves; an iterating fit reads the data every iteration and compresses from 64 rows
CLOSED_FORM_MIN_ROWS = 4096


def compress_counts(dat: Data, min_rows: int = 64) -> Data:
    """Replace the exact block of count data by its distinct values with summed weights
    (the copy remembers ``dat`` as ``_compressed_from``, so a result can keep the user's data);
    ``dat`` itself when it has fewer than ``min_rows`` exact rows."""
    b = dat.exact
    if b.size < min_rows or b.tlo is not None:   # rows with their own windows are not merged
        return dat
    x = b.x
    xmax = b.x_extreme("max")
    if xmax < 5e6 and b.x_extreme("min") >= 0:
        xi = b._cache.get("intp")   # the integer values, if the quick lane's check made them
        cnt = np.bincount(x.astype(np.intp) if xi is None else xi, weights=b.w)
        ints = cnt.nonzero()[0]   # np.flatnonzero without its wrapper (cnt is 1-D)
        w = cnt[ints].astype(float)
        vals = ints.astype(float)
    else:
        ints = None
        if b.w is None:
            vals, c = np.unique(x, return_counts=True)
            w = c.astype(float)
        else:
            vals, inv = np.unique(x, return_inverse=True)
            w = np.bincount(inv, weights=b.w)
    if vals.size > 0.5 * b.size:
        return dat
    blk = Block(np.asarray(vals, dtype=np.float64), w)
    if ints is not None:   # ascending distinct integers: their extremes, the integers themselves
        blk._cache.update(min=float(vals[0]), max=float(vals[-1]), intp=ints)
    # a plain sample of exact values (the quick lane's): the same Data, built directly
    plain = (type(dat) is Data and dat.name is None and dat.truncation is None
             and not (dat.n_dropped or dat.n_zero_weight or dat.left.size or dat.right.size
                      or dat.interval_block.size))
    out = Data._of_exact(blk) if plain else dat.replace(exact=blk)
    out._has_weights = True
    out._compressed_from = dat
    return out


def compressed(dat: Data) -> Data:
    """``dat`` compressed as an iterating fit reads it (from 64 rows), or ``dat`` itself when it
    is compressed already: the data of the likelihood a count fit keeps for inference (profile
    intervals, scores, ``res.likelihood``) when its closed form read the rows one by one."""
    if hasattr(dat, "_compressed_from") or dat.has_trials:
        return dat
    return compress_counts(dat)
