"""Streamed profile fits (Weibull, Gumbel) in one or two passes: the scan (which also takes
the moments S_0..S_8 at the shape of a fit to the first chunk), then at most one pass of the
moments at the histogram's start; their Taylor series serve the Newton iterations. Equal
to the in-memory fit."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mlekit as mk
from mlekit._scale import scan as _scan
from mlekit._scale import stream as _stream

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(autouse=True)
def chunked(monkeypatch):
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 0)


def _same(a, b, rel=1e-10):  # type: ignore[no-untyped-def]
    for p in b.params:
        assert a.params[p] == pytest.approx(b.params[p], rel=rel), p
        assert a.se[p] == pytest.approx(b.se[p], rel=1e-9), p
    assert a.loglik == pytest.approx(b.loglik, rel=1e-13)


@pytest.mark.parametrize(("family", "draw"), [
    ("weibull", lambda r, n: 3.0 * r.weibull(0.7, n)),
    ("weibull", lambda r, n: r.gamma(2.0, 1.5, n)),          # misspecified: still the MLE
    ("weibull", lambda r, n: 1e-6 * r.weibull(8.0, n)),      # tiny values, a large shape
    ("gumbel", lambda r, n: r.gumbel(5.0, 2.0, n)),
])
def test_profile_in_two_passes_equals_in_memory(tmp_path, family, draw) -> None:
    x = draw(np.random.default_rng(11), 400_000)
    pq.write_table(pa.table({"x": x}), tmp_path / "x.parquet", row_group_size=100_000)
    r = mk.fit(mk.read_parquet(tmp_path / "x.parquet", column="x"), family)
    m = mk.fit(x, family)
    assert r.method == m.method == "profile-newton"
    assert r.options["passes"] <= 2
    _same(r, m)


def test_censored_weighted_in_two_passes(tmp_path) -> None:
    rng = np.random.default_rng(5)
    n = 300_000
    x = 2.0 * rng.weibull(1.4, n)
    failed = rng.random(n) < 0.6
    w = rng.integers(1, 4, n).astype(float)
    pq.write_table(pa.table({"x": x, "f": failed, "w": w}), tmp_path / "c.parquet",
                   row_group_size=75_000)
    r = mk.fit(mk.read_parquet(tmp_path / "c.parquet", column="x", observed="f", weights="w"),
               "weibull")
    m = mk.fit(mk.Data.right_censored(x, failed, weights=w), "weibull")
    assert r.options["passes"] <= 2
    _same(r, m)


def test_one_pass_with_a_representative_first_chunk(tmp_path) -> None:
    x = 3.0 * np.random.default_rng(8).weibull(1.5, 1_200_000)
    pq.write_table(pa.table({"x": x}), tmp_path / "big.parquet", row_group_size=400_000)
    r = mk.fit(mk.read_parquet(tmp_path / "big.parquet", column="x"), "weibull")
    assert r.options["passes"] == 1
    _same(r, mk.fit(x, "weibull"))
    # a first chunk unlike the rest (sorted file): the pilot's moments are out of reach,
    # the histogram start and one more pass take over
    pq.write_table(pa.table({"x": np.sort(x)}), tmp_path / "sorted.parquet",
                   row_group_size=400_000)
    r = mk.fit(mk.read_parquet(tmp_path / "sorted.parquet", column="x"), "weibull")
    assert r.options["passes"] == 2
    _same(r, mk.fit(x, "weibull"))


def test_moments_taylor_series_against_direct_sums() -> None:
    rng = np.random.default_rng(2)
    v = np.log(rng.weibull(1.7, 50_000))
    v -= v.max()
    k = 1.7
    S = np.array([np.sum(np.exp(k * v) * v**j) for j in range(_scan.TAYLOR_TERMS)])
    mom = _scan._Moments(k, S, float(v.min()))
    for e in (1e-6, -1e-4, 3e-3):
        got = mom.at(k + e)
        assert got is not None
        want = [np.sum(np.exp((k + e) * v) * v**j) for j in range(3)]
        assert got == pytest.approx(want, rel=1e-14)
    # too far for a 1e-15 remainder: the caller makes a pass there instead
    assert mom.at(k * 1.5) is None
    assert _scan._Moments(k, S, -math.inf).at(k - 1e-6) is None
