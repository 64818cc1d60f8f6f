"""Data.replace() and Data._from_blocks(): the one way code inside mlekit copies Data."""

from __future__ import annotations

import numpy as np
import pytest

import mlekit as mk
from mlekit._data.counts import compress_counts
from mlekit._data.data import Block


def test_replace_swaps_blocks_and_keeps_the_rest() -> None:
    d = mk.Data.interval([1.0, 2.0, -np.inf, 3.0], [1.0, np.inf, 4.0, 5.0], name="t",
                         truncation=(0.0, None))
    r = d.replace(interval=None, n_dropped=2)
    assert r.interval_block.size == 0 and r.exact is d.exact and r.right is d.right
    assert (r.name, r.truncation, r.n_dropped) == ("t", d.truncation, 2)
    assert d.interval_block.size == 1 and d.n_dropped == 0          # the original is untouched
    w = r.replace(exact=Block(np.array([1.0]), np.array([2.0])))
    assert w.has_weights and not r.has_weights and w.n_obs == 4.0
    with pytest.raises(TypeError, match="interval_block"):
        d.replace(interval_block=None)


def test_replace_drops_block_caches() -> None:
    x = np.repeat(np.arange(10.0), 20)
    c = compress_counts(mk.Data(x))
    assert c._compressed_from is not None and c.has_weights and c.n_obs == 200
    assert not hasattr(c.replace(name="y"), "_compressed_from")
    d = mk.Data._from_blocks(Block(x), name="x", exact_range=(0.0, 9.0))
    assert d._minmax == (0.0, 9.0) and d.n_rows == 200 and not d.has_weights
    assert not hasattr(d.replace(), "_minmax")


def test_copies_through_replace() -> None:
    d = mk.Data.right_censored([1.0, 2.0, 3.0, 4.0, 5.0], [1, 0, 1, 1, 0], name="h")
    pieces = list(d.chunks(1))
    assert len(pieces) == 5 and all(p.n_rows == 1 and p.name == "h" for p in pieces)
    w = d.with_weights([1.0, 2.0, 3.0, 4.0, 5.0])
    assert w.has_weights and w.n_obs == 15.0 and not d.has_weights
    i = mk.Data.interval([0.5, -1.0], [2.0, 3.0]).clip_intervals(0.0, np.inf)
    assert i.left.size == 1 and i.interval_block.size == 1


def test_compressed_counts_keep_everything_but_the_rows() -> None:
    """compress_counts builds a plain sample's summary directly (no replace()); a named,
    truncated or weighted sample keeps its name, window and weights through replace()."""
    x = np.repeat(np.arange(10.0), 20)
    for d in (mk.Data(x), mk.Data(x, name="n"), mk.Data(x, truncation=(0.0, None)),
              mk.Data(x, weights=np.full(200, 0.5))):
        c = compress_counts(d)
        assert c._compressed_from is d and c.has_weights and c.n_obs == d.n_obs
        assert (c.name, c.truncation, c.n_dropped) == (d.name, d.truncation, d.n_dropped)
        np.testing.assert_array_equal(c.exact.x, np.arange(10.0))
        assert c.exact._cache["intp"].tolist() == list(range(10))
        assert (c.exact.x_extreme("min"), c.exact.x_extreme("max")) == (0.0, 9.0)


def test_count_log_factorials_from_the_table_equal_gammaln() -> None:
    from scipy.special import gammaln

    from mlekit._families.discrete import _LGF_SIZE, _lgamma1_of

    k = np.array([0, 1, 2, 5, 170, 171, _LGF_SIZE - 1], dtype=np.intp)
    b = Block(k.astype(float))
    b._cache.update(intp=k, min=0.0, max=float(k.max()))
    np.testing.assert_array_equal(_lgamma1_of(b), gammaln(k + 1.0))
    for cache in ({"intp": k, "min": 0.0, "max": float(_LGF_SIZE)},      # beyond the table
                  {"intp": k, "max": 10.0},                               # minimum unknown
                  {"min": 0.0, "max": 10.0}):                             # no integers
        c = Block(np.array([0.5, 3.0, 7.25]))
        c._cache.update(cache)
        np.testing.assert_array_equal(_lgamma1_of(c), gammaln(c.x + 1.0))
