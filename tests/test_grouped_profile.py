"""The batched profile Newton of grouped Weibull/Gumbel fits (``_scale/grouped/profile.py``):
its moments/Taylor steps, extra passes for the groups that leave the Taylor radius, and the
restricted row sets give each group's own fit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import mlekit as mk
from mlekit._scale.grouped import profile as gp


def _data(rng, G=60):
    sizes = rng.integers(5, 60, G)
    x = np.concatenate([rng.uniform(0.5, 3) * rng.weibull(rng.uniform(0.6, 3), n) for n in sizes])
    lab = np.repeat(np.arange(G), sizes)
    return x, lab


def _check(g, x, lab, fam, **kw):
    for i, key in enumerate(g.labels):
        m = lab == key
        sub = {k: (v[m] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            one = mk.fit(x[m] if not isinstance(x, mk.Data) else _subset(x, m), fam, **sub)
        for j, p in enumerate(g.param_names):
            assert g.estimates[i, j] == pytest.approx(one.params[p], rel=1e-8)
        assert g.loglik[i] == pytest.approx(one.loglik, rel=1e-11)


def _subset(d, m):
    return mk.Data.right_censored(d._x[m], d._obs[m])


@pytest.mark.parametrize("fam", ["weibull", "gumbel"])
def test_ragged_weighted_groups_equal_separate_fits(rng, fam):
    x, lab = _data(rng)
    if fam == "gumbel":
        x = -3.0 * np.log(x)
    w = rng.integers(1, 4, x.size).astype(float)
    perm = rng.permutation(x.size)
    x, lab, w = x[perm], lab[perm], w[perm]
    g = mk.fit(x, fam, by=lab, weights=w)
    assert set(g.method) == {"profile-newton"}
    _check(g, x, lab, fam, weights=w)


def test_right_censored_groups_equal_separate_fits(rng):
    x, lab = _data(rng, 40)
    obs = rng.uniform(size=x.size) < 0.7
    g = mk.fit(mk.Data.right_censored(x, obs), "weibull", by=lab)
    for i, key in enumerate(g.labels):
        m = lab == key
        one = mk.fit(mk.Data.right_censored(x[m], obs[m]), "weibull")
        assert g.estimates[i, 0] == pytest.approx(one.params["shape"], rel=1e-8)
        assert g.loglik[i] == pytest.approx(one.loglik, rel=1e-11)


@pytest.mark.parametrize("rtol", [1e-30, 0.0])
def test_extra_passes_when_taylor_radius_is_small(rng, monkeypatch, rtol):
    """A small Taylor radius sends groups through more float64 passes (on restricted rows;
    radius 0: one pass per Halley step); the estimates do not change."""
    x, lab = _data(rng, 80)
    ref = mk.fit(x, "weibull", by=lab)
    passes = []
    orig = gp.ProfileRows.sums

    def counted(self, k, dtype, order):
        passes.append((np.dtype(dtype).name, self.n))
        return orig(self, k, dtype, order)

    monkeypatch.setattr(gp, "_TAYLOR_RTOL", rtol)
    monkeypatch.setattr(gp.ProfileRows, "sums", counted)
    g = mk.fit(x, "weibull", by=lab)
    f64 = [n for dt, n in passes if dt == "float64"]
    assert len(f64) >= 2
    assert (g.status == "ok").all()
    # without the polishing step (radius 0) the estimates stop at a decrement of 1e-12
    assert np.allclose(g.estimates, ref.estimates, rtol=1e-9 if rtol else 1e-6)
    assert np.allclose(g.loglik, ref.loglik, rtol=1e-12)


def test_taylor_series_and_radius(rng):
    """S_0..S_2 from the moments equal direct sums inside the radius."""
    v = -rng.exponential(1.0, (50, 3))
    k = np.array([0.7, 1.5, 3.0])
    M = [np.sum(np.exp(k * v) * v**j, axis=0) for j in range(gp.TAYLOR_ORDER + 1)]
    R = gp._radius(M, -v.min(axis=0))
    assert (R > 0).all() and (R < 1).all()
    for e in (R, -R, 0.3 * R):
        T = gp._taylor(M, e)
        for j in range(3):
            direct = np.sum(np.exp((k + e) * v) * v**j, axis=0)
            assert T[j] == pytest.approx(direct, rel=1e-14)


def test_degenerate_and_tiny_groups_flagged(rng):
    x = np.concatenate([rng.weibull(1.5, 30), np.full(5, 2.0), [1.0]])
    lab = np.repeat([0, 1, 2], [30, 5, 1])
    with pytest.warns(mk.errors.BoundaryWarning):
        g = mk.fit(x, "weibull", by=lab)
    assert list(g.status) == ["ok", "degenerate", "too-few-observations"]


def test_restricted_rows_give_the_same_sums(rng):
    """``ProfileRows.restrict``: dense and flat segments, weights, and a group whose rows sit
    in two segments (its exact and censored rows) give the full rows' sums."""
    dense = gp._Seg(np.array([0, 1, 2]), -rng.exponential(1, (4, 3)), rng.uniform(1, 2, (4, 3)),
                    None, None)
    lg = np.array([0, 0, 1, 1, 1, 2])
    flat = gp._Seg(np.array([3, 4, 1]), -rng.exponential(1, 6), rng.uniform(1, 2, 6), lg,
                   np.array([0, 2, 5]))
    rows = gp.ProfileRows([dense, flat], 5)
    k = rng.uniform(0.5, 2, 5)
    full = rows.sums(k, np.float64, 4)
    for sel in (np.array([1]), np.array([0, 1, 4]), np.array([1, 3])):
        sub = rows.restrict(sel)
        got = sub.sums(k[sel], np.float64, 4)
        for j in range(5):
            assert got[j] == pytest.approx(full[j][sel], rel=1e-14)
    # group 1 by hand: its dense column and its flat row (local group 2)
    z = np.concatenate([dense.w[:, 1] * np.exp(k[1] * dense.v[:, 1]),
                        flat.w[5:] * np.exp(k[1] * flat.v[5:])])
    assert full[0][1] == pytest.approx(z.sum(), rel=1e-14)


@pytest.mark.parametrize("threads", [1, 2])
def test_layout_extremes_and_rows_taken_while_cutting(rng, threads):
    """``Layout.build(extremes=True)`` records each kind's per-group min/max and rows while it
    cuts the pieces (on the thread pool): equal to the lazy pass and to each group's own
    values, with ragged groups (flat pieces), equal-sized ones (dense) and a group split over
    several pieces; unsorted codes take the same path."""
    from mlekit._data.data import Data
    from mlekit._scale.grouped.layout import Layout, as_blocks

    sizes = np.array([3, 3, 3, 3, 40, 7, 1, 5, 5])
    lab = np.repeat(np.arange(sizes.size), sizes)
    x = rng.weibull(1.5, lab.size)
    obs = rng.uniform(size=x.size) < 0.7
    perm = rng.permutation(x.size)
    mk.set_threads(threads)
    try:
        for order in (np.arange(x.size), perm):
            dat = Data.right_censored(x[order], obs[order])
            codes = lab[order]
            lay = Layout.build(as_blocks(dat, codes), sizes.size, piece_rows=8, extremes=True)
            lazy = Layout.build(as_blocks(dat, codes), sizes.size, piece_rows=8)
            assert lazy.kind_rows is not None and lay.kind_rows is not None
            for kind, mask in (("exact", obs[order]), ("right", ~obs[order])):
                rows = np.bincount(codes[mask], minlength=sizes.size)
                assert np.array_equal(lay.kind_rows[kind], rows)
                for which, fn in (("min", np.min), ("max", np.max)):
                    want = np.array([fn(x[order][mask & (codes == i)]) if rows[i] else np.nan
                                     for i in range(sizes.size)])
                    assert ("exact", which) in lay._extremes
                    np.testing.assert_array_equal(lay.group_extreme(kind, which), want)
                    np.testing.assert_array_equal(lazy.group_extreme(kind, which), want)
            assert sum(p.dense for p in lay.pieces) and sum(not p.dense for p in lay.pieces)
    finally:
        mk.set_threads(None)


@pytest.mark.parametrize("threads", [1, 2])
def test_in_batches_keeps_the_order(threads):
    from mlekit._core.engine import in_batches

    mk.set_threads(threads)
    try:
        for n in (0, 1, 2, 5, 31):
            assert in_batches(lambda i: i * i, list(range(n))) == [i * i for i in range(n)]
    finally:
        mk.set_threads(None)
