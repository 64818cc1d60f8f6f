"""Per-row truncation through streamed sources (issue 16): ``entry=`` (late entry) and
``truncation=("lo_col", "hi_col")`` columns of Parquet, CSV and SQL sources give the in-memory
fit of ``mk.Data(..., entry=, truncation=(lo_array, hi_array))`` to 1e-8 (parameters, standard
errors, log-likelihood), through the chunked Newton (every row adds its own
``-log P(a_i <= X <= b_i)``), started from the in-memory fit's own subsample so the
iterations are the in-memory ones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mlekit as mk
from mlekit._scale import stream as _stream
from mlekit.errors import DataError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(autouse=True)
def chunked(monkeypatch):
    """Small files would be fitted in memory; these tests are about the chunked passes."""
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 0)


_GEN = {
    "weibull": stats.weibull_min(1.6, scale=3.0),
    "lognormal": stats.lognorm(0.7, scale=2.0),
    "exponential": stats.expon(scale=2.5),
    "gamma": stats.gamma(2.2, scale=1.3),
    "poisson": stats.poisson(4.0),
}


def late_entry_frame(family: str, n: int = 2500, seed: int = 3) -> pd.DataFrame:
    """Units seen only if still at risk at their entry time; continuous ones right-censored."""
    rng = np.random.default_rng(seed)
    dist = _GEN[family]
    x = dist.rvs(size=4 * n, random_state=rng)
    if family == "poisson":
        t0 = rng.integers(0, 5, 4 * n).astype(float)
        keep = x >= t0                      # a count is "at risk" at its entry value
    else:
        t0 = rng.exponential(1.0, 4 * n)
        keep = x > t0
    x, t0 = x[keep][:n].astype(float), t0[keep][:n]
    if family == "poisson":
        return pd.DataFrame({"t": x, "e": np.ones(n, dtype=bool), "t0": t0})
    c = t0 + rng.exponential(3.0 * dist.mean(), n)
    return pd.DataFrame({"t": np.minimum(x, c), "e": x <= c, "t0": t0})


def _files(df: pd.DataFrame, tmp_path) -> tuple[str, str]:
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "d.parquet",
                   row_group_size=600)
    df.to_csv(tmp_path / "d.csv", index=False)
    return str(tmp_path / "d.parquet"), str(tmp_path / "d.csv")


def _same(a: mk.FitResult, b: mk.FitResult, rel: float = 1e-8) -> None:
    for p in b.params:
        assert a.params[p] == pytest.approx(b.params[p], rel=rel, abs=1e-12), p
        assert a.se[p] == pytest.approx(b.se[p], rel=rel), p
    assert a.loglik == pytest.approx(b.loglik, rel=rel)


def _chunked(r: mk.FitResult) -> None:
    """The fit went through passes over the chunks, not the in-memory route."""
    note = next(d.message for d in r.diagnostics if d.code == "source")
    assert "fitted in memory" not in note and "distinct values" not in note
    assert r.options["passes"] >= 3 and r.method.startswith("newton")


@pytest.mark.parametrize("family", ["weibull", "lognormal", "exponential", "gamma", "poisson"])
def test_late_entry_column_equals_in_memory(family, tmp_path):
    df = late_entry_frame(family)
    pqf, csvf = _files(df, tmp_path)
    obs = None if family == "poisson" else df.e.to_numpy()
    mem = mk.fit(mk.Data(df.t.to_numpy(), observed=obs, entry=df.t0.to_numpy()), family)
    observed = None if family == "poisson" else "e"
    for src in (mk.read_parquet(pqf, column="t", observed=observed, entry="t0", batch_rows=500),
                mk.read_csv(csvf, column="t", observed=observed, entry="t0", batch_rows=500)):
        r = mk.fit(src, family)
        _chunked(r)
        _same(r, mem)
    # the entry times matter: ignoring them is a different (biased) fit
    naive = mk.fit(mk.read_parquet(pqf, column="t", observed=observed), family)
    assert abs(naive.loglik - mem.loglik) > 1.0


def test_two_sided_window_columns(tmp_path):
    """``truncation=("lo", "hi")``: each row adds ``-log(F(hi_i) - F(lo_i))``; a number on one
    side is one bound for every row; with ``entry=`` the larger lower bound counts."""
    rng = np.random.default_rng(5)
    x = stats.lognorm(0.6, scale=2.0).rvs(size=20_000, random_state=rng)
    lo = rng.uniform(0.0, 1.5, x.size)
    hi = lo + rng.uniform(1.0, 6.0, x.size)
    hi[rng.random(x.size) < 0.3] = np.inf            # some rows bounded below only
    keep = (x >= lo) & (x <= hi)
    df = pd.DataFrame({"x": x[keep][:3000], "lo": lo[keep][:3000], "hi": hi[keep][:3000]})
    df["t0"] = df.lo * 0.5
    pqf, csvf = _files(df, tmp_path)
    for fam in ("lognormal", "weibull"):
        mem = mk.fit(mk.Data(df.x.to_numpy(), truncation=(df.lo.to_numpy(), df.hi.to_numpy())),
                     fam)
        for src in (mk.read_parquet(pqf, column="x", truncation=("lo", "hi"), batch_rows=700),
                    mk.read_csv(csvf, column="x", truncation=("lo", "hi"), batch_rows=700)):
            r = mk.fit(src, fam)
            _chunked(r)
            _same(r, mem)
    # a number for every row on one side, a column on the other; entry with a column
    mem = mk.fit(mk.Data(df.x.to_numpy(), truncation=(0.2, df.hi.to_numpy())), "lognormal")
    _same(mk.fit(mk.read_parquet(pqf, column="x", truncation=(0.2, "hi")), "lognormal"), mem)
    mem = mk.fit(mk.Data(df.x.to_numpy(), truncation=(df.lo.to_numpy(), 1e3),
                         entry=df.t0.to_numpy()), "lognormal")
    _same(mk.fit(mk.read_csv(csvf, column="x", truncation=("lo", 1e3), entry="t0"),
                 "lognormal"), mem)


def test_interval_censored_rows_with_windows_and_sql(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    rng = np.random.default_rng(8)
    x = 2.0 * rng.weibull(1.3, 8000)
    t0 = rng.exponential(0.7, x.size)
    keep = x > t0
    x, t0 = x[keep][:2000], t0[keep][:2000]
    lo = np.floor(x * 4) / 4
    lo = np.maximum(lo, t0)
    hi = np.floor(x * 4) / 4 + 0.25
    df = pd.DataFrame({"lo": lo, "hi": hi, "t0": t0})
    pqf, _ = _files(df, tmp_path)
    mem = mk.fit(mk.Data.interval(lo, hi, entry=t0), "weibull")
    r = mk.fit(mk.read_parquet(pqf, lower="lo", upper="hi", entry="t0"), "weibull")
    _chunked(r)
    _same(r, mem)
    q = mk.sql(f"SELECT * FROM '{pqf}'", lower="lo", upper="hi", entry="t0",
               connection=duckdb.connect())
    _same(mk.fit(q, "weibull"), mem)


def test_sandwich_and_small_sources_in_memory(tmp_path, monkeypatch):
    df = late_entry_frame("weibull", n=1500)
    pqf, _ = _files(df, tmp_path)
    data = mk.Data.right_censored(df.t.to_numpy(), df.e.to_numpy(), entry=df.t0.to_numpy())
    src = mk.read_parquet(pqf, column="t", observed="e", entry="t0")
    _same(mk.fit(src, "weibull", cov="sandwich"), mk.fit(data, "weibull", cov="sandwich"))
    # a small source is read once and fitted in memory: its windows go along (concat_data)
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 1 << 20)
    r = mk.fit(mk.read_parquet(pqf, column="t", observed="e", entry="t0", batch_rows=400),
               "weibull")
    assert "fitted in memory" in next(d.message for d in r.diagnostics if d.code == "source")
    _same(r, mk.fit(data, "weibull"), rel=1e-12)
    assert src.to_data().row_truncated


def test_missing_and_bad_window_columns(tmp_path):
    df = late_entry_frame("weibull", n=400)
    df.loc[[3, 10], "t0"] = np.nan
    pqf, csvf = _files(df, tmp_path)
    with pytest.raises(DataError, match="t/t0"):
        mk.fit(mk.read_parquet(pqf, column="t", observed="e", entry="t0"), "weibull")
    r = mk.fit(mk.read_csv(csvf, column="t", observed="e", entry="t0"), "weibull",
               nan_policy="omit")
    keep = df.t0.notna().to_numpy()
    mem = mk.fit(mk.Data.right_censored(df.t[keep].to_numpy(), df.e[keep].to_numpy(),
                                        entry=df.t0[keep].to_numpy()), "weibull")
    _same(r, mem)
    with pytest.raises(DataError, match="entry column 'nope' not found"):
        mk.read_parquet(pqf, column="t", entry="nope")
    with pytest.raises(DataError, match="names a column"):
        mk.read_parquet(pqf, column="t", entry=np.zeros(3))
    with pytest.raises(DataError, match="numbers, None or column names"):
        mk.read_parquet(pqf, column="t", truncation=("t0", object()))
    bad = df.assign(t0=df.t + 1.0)                 # entry after the time: impossible rows
    pq.write_table(pa.Table.from_pandas(bad, preserve_index=False), tmp_path / "bad.parquet")
    with pytest.raises(DataError, match="entry time cannot exceed"):
        mk.fit(mk.read_parquet(str(tmp_path / "bad.parquet"), column="t", observed="e",
                               entry="t0"), "weibull")


def test_extreme_magnitude_windows_are_rescaled(tmp_path):
    """Values near 2^200: the chunks (and their windows) are read rescaled."""
    df = late_entry_frame("weibull", n=1200)
    big = math.ldexp(1.0, 200)
    df = df.assign(t=df.t * big, t0=df.t0 * big)
    pqf, _ = _files(df, tmp_path)
    mem = mk.fit(mk.Data.right_censored(df.t.to_numpy(), df.e.to_numpy(),
                                        entry=df.t0.to_numpy()), "weibull")
    r = mk.fit(mk.read_parquet(pqf, column="t", observed="e", entry="t0"), "weibull")
    _same(r, mem, rel=1e-7)
