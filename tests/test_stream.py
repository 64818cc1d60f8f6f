"""Streamed fits of files and queries equal in-memory fits of the same values."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import mlekit as mk
from mlekit._scale import stream as _stream
from mlekit.errors import DataError, ParameterError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

N = 120_000


@pytest.fixture(autouse=True)
def chunked(monkeypatch):
    """Small test files would be fitted in memory (exactly the core's path); these tests are
    about the chunked algorithms, so switch that off (``test_small_data_in_memory`` checks it)."""
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 0)


@pytest.fixture(scope="module")
def lifetimes(tmp_path_factory):
    rng = np.random.default_rng(7)
    x = 3.0 * rng.weibull(1.6, N)
    failed = rng.random(N) < 0.75
    w = rng.integers(1, 4, N).astype(float)
    site = rng.integers(1, 5, N)
    counts = rng.negative_binomial(3, 0.4, N).astype(float)
    d = tmp_path_factory.mktemp("lifetimes")
    for i in range(3):
        sl = slice(i * N // 3, (i + 1) * N // 3)
        pq.write_table(pa.table({"hours": x[sl], "failed": failed[sl], "w": w[sl],
                                 "site": site[sl], "counts": counts[sl]}),
                       d / f"part{i}.parquet", row_group_size=15_000)
    return {"dir": d, "x": x, "failed": failed, "w": w, "site": site, "counts": counts}


def _close(a, b, rel=1e-8):
    for p in b.params:
        assert a.params[p] == pytest.approx(b.params[p], rel=rel), p
        if math.isfinite(b.se[p]) and b.se[p] > 0:
            assert a.se[p] == pytest.approx(b.se[p], rel=1e-6), p
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


@pytest.mark.parametrize("family", ["gamma", "lognormal", "exponential", "normal", "weibull",
                                    "loglogistic", "inverse_gaussian", "gumbel"])
def test_streamed_equals_in_memory(lifetimes, family):
    src = mk.read_parquet(lifetimes["dir"] / "*.parquet", column="hours", batch_rows=8_000)
    r = mk.fit(src, family)
    m = mk.fit(lifetimes["x"], family)
    assert r.method == m.method
    # closed forms to rounding; profile paths converge to |score| <= 1e-9 standard errors
    # from different starts (the file's histogram fit, the in-memory moments)
    rel = {"closed-form": 1e-12, "newton-on-statistics": 1e-12, "profile-newton": 1e-9}
    _close(r, m, rel=rel.get(m.method, 1e-8))
    assert r.options["rows"] == N
    if family == "gamma":
        assert r.options["passes"] == 1
    if family == "weibull":
        assert r.options["passes"] <= 4
        assert any(d.code == "source" for d in r.diagnostics)


def test_censored_weighted_streamed(lifetimes):
    d = lifetimes["dir"]
    src = mk.read_parquet(d, column="hours", observed="failed", weights="w")
    r = mk.fit(src, "weibull")
    m = mk.fit(mk.Data.right_censored(lifetimes["x"], lifetimes["failed"], weights=lifetimes["w"]),
               "weibull")
    _close(r, m)
    r = mk.fit(mk.read_parquet(d, column="hours", observed="failed"), "exponential")
    m = mk.fit(mk.Data.right_censored(lifetimes["x"], lifetimes["failed"]), "exponential")
    assert r.method == "closed-form"
    _close(r, m, rel=1e-13)


def test_interval_and_truncation_streamed(tmp_path, lifetimes):
    x = lifetimes["x"][:20_000]
    lo, hi = np.floor(x), np.floor(x) + 1.0
    lo[lo == 0] = np.nan                       # below 1: left-censored
    pq.write_table(pa.table({"lo": lo, "hi": hi}), tmp_path / "iv.parquet", row_group_size=4000)
    r = mk.fit(mk.read_parquet(tmp_path / "iv.parquet", lower="lo", upper="hi"), "gamma")
    m = mk.fit(mk.Data.interval(lo, hi), "gamma")
    _close(r, m)
    y = x[x < 5]
    pq.write_table(pa.table({"y": y}), tmp_path / "tr.parquet", row_group_size=4000)
    r = mk.fit(mk.read_parquet(tmp_path / "tr.parquet", column="y", truncation=(None, 5)), "weibull")
    _close(r, mk.fit(mk.Data(y, truncation=(None, 5)), "weibull"))


def test_counts_fitted_exactly_in_one_pass(lifetimes):
    src = mk.read_parquet(lifetimes["dir"], column="counts")
    for fam in ("negative_binomial", "poisson", "geometric"):
        r = mk.fit(src, fam)
        m = mk.fit(lifetimes["counts"], fam)
        _close(r, m, rel=1e-12)
        assert r.options["passes"] == 1


def test_threaded_equals_single_threaded(lifetimes):
    src = mk.read_parquet(lifetimes["dir"], column="hours", observed="failed", batch_rows=5000)
    out = []
    for threads in (1, 2):
        mk.set_threads(threads)
        try:
            out.append(mk.fit(src, "weibull"))
        finally:
            mk.set_threads(None)
    a, b = out
    assert a.params == b.params and a.se == b.se and a.loglik == b.loglik


def test_sandwich_streamed(lifetimes):
    r = mk.fit(mk.read_parquet(lifetimes["dir"], column="hours"), "weibull", cov="sandwich")
    m = mk.fit(lifetimes["x"], "weibull", cov="sandwich")
    assert r.cov_type == "sandwich"
    assert r.se["shape"] == pytest.approx(m.se["shape"], rel=1e-6)


def test_csv_missing_and_non_numeric(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 1.5, 5000)
    col = x.astype(object)
    col[[10, 2000]] = "oops"
    col[[30, 4000, 4001]] = None
    pd.DataFrame({"x": col, "y": 1}).to_csv(tmp_path / "a.csv", index=False)
    src = mk.read_csv(tmp_path / "a.csv", column="x", batch_rows=500)
    with pytest.raises(DataError, match="3 missing and 2 non-numeric"):
        mk.fit(src, "gamma")
    r = mk.fit(src, "gamma", nan_policy="omit")
    keep = np.ones(x.size, bool)
    keep[[10, 2000, 30, 4000, 4001]] = False
    _close(r, mk.fit(x[keep], "gamma"), rel=1e-13)
    assert r.options["dropped"] == 5 and r.options["nonnumeric"] == 2
    assert "5 rows dropped (3 missing, 2 non-numeric)" in str(r.summary())
    d = src.to_data(nan_policy="omit")
    assert d.n_rows == 4995


def test_sql_source(lifetimes):
    pytest.importorskip("duckdb")
    glob = str(lifetimes["dir"] / "*.parquet")
    r = mk.fit(mk.sql(f"SELECT hours FROM '{glob}' WHERE site = 3", batch_rows=7000), "lognormal")
    m = mk.fit(lifetimes["x"][lifetimes["site"] == 3], "lognormal")
    _close(r, m, rel=1e-12)
    with pytest.raises(DataError, match="returns 2 columns"):
        mk.sql(f"SELECT hours, site FROM '{glob}'")
    with pytest.raises(DataError, match="query failed"):
        mk.sql(f"SELECT nope FROM '{glob}'")


def test_grouped_from_source(lifetimes):
    src = mk.read_parquet(lifetimes["dir"], column="hours")
    g = mk.fit(src, "weibull", by="site")
    m = mk.fit(lifetimes["x"], "weibull", by=lifetimes["site"])
    np.testing.assert_allclose(g.estimates, m.estimates, rtol=1e-13)
    assert g.params.index.name == "site"


def test_bad_sources(tmp_path, lifetimes):
    with pytest.raises(DataError, match="matches no files"):
        mk.read_parquet(tmp_path / "nothing" / "*.parquet", column="x")
    with pytest.raises(DataError, match=r"needs column= .* the file has columns hours, failed"):
        mk.read_parquet(lifetimes["dir"])
    with pytest.raises(DataError, match="value column 'x' not found"):
        mk.read_parquet(lifetimes["dir"], column="x")
    pq.write_table(pa.table({"s": ["a", "b"]}), tmp_path / "s.parquet")
    with pytest.raises(DataError, match="must be numeric; got type string"):
        mk.read_parquet(tmp_path / "s.parquet", column="s")
    with pytest.raises(DataError, match=r"Poisson requires values in .*got 120000 values outside"):
        mk.fit(mk.read_parquet(lifetimes["dir"], column="hours"), "poisson")
    with pytest.raises(ParameterError, match="order statistics"):
        mk.fit(mk.read_parquet(lifetimes["dir"], column="hours"), "laplace")
    with pytest.raises(ParameterError, match="weights come from a column"):
        mk.fit(mk.read_parquet(lifetimes["dir"], column="hours"), "gamma", weights=[1.0])
    pq.write_table(pa.table({"x": [1.0, np.nan, 2.0, 3.0]}), tmp_path / "nan.parquet")
    with pytest.raises(DataError, match="1 missing"):
        mk.fit(mk.read_parquet(tmp_path / "nan.parquet", column="x"), "gamma")


def test_progress_bar_per_pass(lifetimes, capsys):
    # log-logistic: Newton passes after the scan (Weibull now often needs the scan alone)
    mk.fit(mk.read_parquet(lifetimes["dir"], column="hours"), "loglogistic", quiet=False)
    err = capsys.readouterr().err
    assert "mlekit pass 1 (scan)" in err and f"{N}/{N}" in err and "pass 2" in err
    mk.fit(mk.read_parquet(lifetimes["dir"], column="hours"), "weibull")
    assert capsys.readouterr().err == ""          # not a terminal: silent


def test_degenerate_stream(tmp_path):
    pq.write_table(pa.table({"x": np.full(100, 2.5)}), tmp_path / "c.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = mk.fit(mk.read_parquet(tmp_path / "c.parquet", column="x"), "weibull")
    assert r.method == "degenerate"


def test_small_data_in_memory(lifetimes, monkeypatch):
    """At most ``_IN_MEMORY_ROWS`` rows: read once and fitted by the core's ``fit_family``
    (its fast paths included), so the result is the in-memory one to the last bit."""
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 1 << 20)
    src = mk.read_parquet(lifetimes["dir"], column="hours")
    for fam in ("gumbel", "laplace", "weibull"):
        r = mk.fit(src, fam)
        m = mk.fit(lifetimes["x"], fam)
        assert r.params == m.params and r.loglik == m.loglik and r.method == m.method
        assert "fitted in memory" in str(r.summary())


def test_weibull_with_exact_zero_is_rejected_like_in_memory(tmp_path):
    """A lifetime of exactly 0 lies outside the Weibull support (its density there is 0 or
    infinite): in memory and streamed, the same named error with the censoring hint."""
    rng = np.random.default_rng(9)
    x = 2.0 * rng.weibull(1.3, 30_000)
    x[123] = 0.0
    pq.write_table(pa.table({"x": x}), tmp_path / "z.parquet", row_group_size=5000)
    with pytest.raises(DataError, match=r"requires values in \(0, inf\).*index 123.*left-censored"):
        mk.fit(x, "weibull")
    with pytest.raises(DataError, match=r"requires values in \(0, inf\).*z.parquet.*left-censored"):
        mk.fit(mk.read_parquet(tmp_path / "z.parquet", column="x"), "weibull")


@pytest.mark.parametrize("family", ["weibull", "gamma", "normal", "poisson"])
def test_chunk_of_zero_weights_is_absent(tmp_path, family) -> None:
    # a weight of 0 means "row absent" in every backend: a row group whose weights are all 0
    # holds no rows (it used to raise "weights must not all be zero")
    rng = np.random.default_rng(3)
    x = rng.poisson(4.0, 3000).astype(float) if family == "poisson" else rng.weibull(2, 3000) * 5
    w = rng.integers(1, 4, 3000).astype(float)
    w[1000:2000] = 0.0
    w[2500] = 0.0
    path = tmp_path / "zw.parquet"
    pq.write_table(pa.table({"x": x, "w": w}), path, row_group_size=1000)
    streamed = mk.fit(mk.read_parquet(path, column="x", weights="w", batch_rows=1000), family)
    memory = mk.fit(mk.Data(x, weights=w), family)
    for k, v in memory.params.items():
        assert streamed.params[k] == pytest.approx(v, rel=1e-8)
    assert streamed.loglik == pytest.approx(memory.loglik, rel=1e-10)
