"""Dask collections on a real LocalCluster give the NumPy answer (to 1e-10 relative)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mlekit as mk
from mlekit._scale import stream as _stream
from mlekit.errors import DataError, ParameterError

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.dask


@pytest.fixture(autouse=True)
def chunked(monkeypatch):
    """Test data this small would be gathered and fitted in memory; test the cluster path."""
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 0)


@pytest.fixture(scope="session")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", scheduler_port=0)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def values():
    rng = np.random.default_rng(11)
    return {"x": 2.5 * rng.weibull(1.4, 250_000),
            "counts": rng.negative_binomial(2.0, 0.3, 50_000).astype(float)}


def _equal(a, b, rel=1e-10):
    for p in b.params:
        assert a.params[p] == pytest.approx(b.params[p], rel=rel, abs=0), p
        if math.isfinite(b.se[p]) and b.se[p] > 0:
            assert a.se[p] == pytest.approx(b.se[p], rel=rel), p
    assert a.loglik == pytest.approx(b.loglik, rel=rel)
    assert a.method == b.method and a.converged == b.converged


@pytest.mark.parametrize("family", ["weibull", "gamma", "lognormal", "loglogistic", "gumbel"])
def test_dask_array_equals_numpy(client, values, family):
    x = values["x"]
    r = mk.fit(da.from_array(x, chunks=40_000), family)
    _equal(r, mk.fit(x, family))
    assert r.iterations == mk.fit(x, family).iterations


def test_dask_prior_equals_numpy(client, values):
    """A prior needs no data: added to every pass, the MAP fit equals the in-memory one."""
    x = values["x"]
    prior = {"shape": mk.priors.Normal(1.0, 0.05)}
    r = mk.fit(da.from_array(x, chunks=40_000), "weibull", prior=prior)
    m = mk.fit(x, "weibull", prior=prior)
    _equal(r, m, rel=1e-8)
    with pytest.raises(ParameterError, match="firth"):
        mk.fit(da.from_array(x, chunks=40_000), "weibull", penalty="firth")


def test_dask_series_and_frame(client, values):
    x = values["x"][:60_000]
    s = dd.from_pandas(pd.Series(x, name="hours"), npartitions=5)
    _equal(mk.fit(s, "weibull"), mk.fit(x, "weibull"))
    frame = dd.from_pandas(pd.DataFrame({"hours": x}), npartitions=3)
    _equal(mk.fit(frame, "gamma"), mk.fit(x, "gamma"))
    two = dd.from_pandas(pd.DataFrame({"a": x, "b": x}), npartitions=2)
    with pytest.raises(DataError, match="one column"):
        mk.fit(two, "gamma")


def test_counts_on_dask(client, values):
    c = values["counts"]
    _equal(mk.fit(da.from_array(c, chunks=7_000), "negative_binomial"),
           mk.fit(c, "negative_binomial"), rel=1e-12)


def test_wrong_dtype_and_shape(client):
    with pytest.raises(DataError, match="must be numeric; got dtype <U"):
        mk.fit(da.from_array(np.array(["1.0", "2.0"])), "normal")
    s = dd.from_pandas(pd.Series(["a", "b", "c"], dtype=object), npartitions=1)
    with pytest.raises(DataError, match="Series must be numeric"):
        mk.fit(s, "normal")
    with pytest.raises(DataError, match="must be 1-D"):
        mk.fit(da.ones((4, 3)), "normal")


def test_missing_values_on_dask(client, values):
    x = values["x"][:50_000].copy()
    x[[5, 777, 40_000]] = np.nan
    dx = da.from_array(x, chunks=10_000)
    with pytest.raises(DataError, match="3 missing"):
        mk.fit(dx, "weibull")
    _equal(mk.fit(dx, "weibull", nan_policy="omit"), mk.fit(x, "weibull", nan_policy="omit"))


def test_backend_dask_on_files_and_arrays(client, values, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(2)
    x = values["x"][:90_000]
    failed = rng.random(x.size) < 0.7
    for i in range(3):
        sl = slice(i * 30_000, (i + 1) * 30_000)
        pq.write_table(pa.table({"t": x[sl], "failed": failed[sl]}), tmp_path / f"p{i}.parquet",
                       row_group_size=10_000)
    src = mk.read_parquet(tmp_path / "*.parquet", column="t", observed="failed")
    _equal(mk.fit(src, "weibull", backend="dask"),
           mk.fit(mk.Data.right_censored(x, failed), "weibull"))
    _equal(mk.fit(x, "lognormal", backend="dask"), mk.fit(x, "lognormal"))
    pq.write_table(pa.table({"t": x}), tmp_path / "one.parquet", row_group_size=20_000)
    _equal(mk.fit(str(tmp_path / "one.parquet"), "gamma", backend="dask"), mk.fit(x, "gamma"))
    with pytest.raises(ParameterError, match="DuckDB query"):
        pytest.importorskip("duckdb")
        mk.fit(mk.sql(f"SELECT t FROM '{tmp_path / 'one.parquet'}'"), "gamma", backend="dask")


@pytest.mark.parametrize("family", ["weibull", "lognormal", "exponential", "gamma", "poisson"])
def test_backend_dask_per_row_truncation(client, family, tmp_path):
    """entry= / truncation columns of a Parquet source on the cluster: the in-memory fit of
    the same rows with their windows (issue 16), to 1e-8."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from test_stream_truncation import _same, late_entry_frame

    df = late_entry_frame(family, n=1200)
    df["hi"] = np.where(np.arange(len(df)) % 3 == 0, df.t * 1.5 + 1.0, np.inf)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "d.parquet",
                   row_group_size=400)
    obs = None if family == "poisson" else "e"
    src = mk.read_parquet(tmp_path / "d.parquet", column="t", observed=obs, entry="t0",
                          truncation=(None, "hi"))
    mem = mk.fit(mk.Data(df.t.to_numpy(), observed=None if obs is None else df.e.to_numpy(),
                         entry=df.t0.to_numpy(), truncation=(None, df.hi.to_numpy())), family)
    r = mk.fit(src, family, backend="dask")
    assert r.options["passes"] >= 2 and r.method.startswith("newton")
    _same(r, mem)


def test_without_a_client_uses_local_threads(values):
    """No distributed client in this thread's context: Dask's default scheduler runs it."""
    import dask

    x = values["x"][:30_000]
    with dask.config.set(scheduler="threads"):
        r = mk.fit(da.from_array(x, chunks=7_000), "weibull")
    _equal(r, mk.fit(x, "weibull"))


def test_grouped_fits_per_partition_recipe(client):
    """docs/scale.md: shuffle by group, one batched grouped fit per partition."""
    rng = np.random.default_rng(5)
    G, m = 40, 30
    x = (rng.uniform(1, 3, G)[:, None] * rng.weibull(1.5, (G, m))).ravel()
    machine = np.repeat([f"M-{i:04d}" for i in range(G)], m)
    pdf = pd.DataFrame({"x": x, "machine": machine}).sample(frac=1.0, random_state=1)
    ddf = dd.from_pandas(pdf, npartitions=4)

    def fit_part(p: pd.DataFrame) -> pd.DataFrame:
        return mk.fit(p["x"].to_numpy(), "weibull", by=p["machine"].to_numpy()).params

    meta = fit_part(pd.DataFrame({"x": x[:60], "machine": machine[:60]}))   # two whole groups
    table = ddf.shuffle("machine").map_partitions(fit_part, meta=meta.iloc[:0]).compute()
    local = mk.fit(x, "weibull", by=machine).params
    table = table.sort_index()
    assert list(table.index) == list(local.index)
    np.testing.assert_allclose(table["shape"], local["shape"], rtol=1e-12)
