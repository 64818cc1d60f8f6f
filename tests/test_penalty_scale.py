"""Penalties and priors beyond one in-memory fit (issue 17): grouped fits penalise every group
exactly as ``mk.fit(group, penalty=...)``; streamed (and Dask) fits add a prior or a callable
penalty to every pass; Firth's penalty, which needs the information of all the data at every
step, is refused there with a named error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import mlekit as mk
from mlekit._scale import stream as _stream

PRIOR = {"shape": mk.priors.Normal(1.5, 0.5)}


@pytest.fixture(scope="module")
def grouped():
    rng = np.random.default_rng(0)
    x = 2.0 * rng.weibull(1.5, 75)
    g = np.repeat(["a", "b", "c"], 25)
    return x, g


def _same(a: mk.FitResult, b: mk.FitResult, rel: float = 1e-8) -> None:
    for p in b.params:
        assert a.params[p] == pytest.approx(b.params[p], rel=rel), p
        assert a.se[p] == pytest.approx(b.se[p], rel=1e-6), p
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
    assert a.method == b.method


@pytest.mark.parametrize("how", [{"penalty": "firth"}, {"prior": PRIOR},
                                 {"penalty": lambda p: -0.5 * (p["shape"] - 2.0) ** 2}])
def test_grouped_penalised_fit_equals_each_group_alone(grouped, how):
    x, g = grouped
    res = mk.fit(x, "weibull", by=g, **how)
    for lab in ("a", "b", "c"):
        one = mk.fit(x[g == lab], "weibull", **how)
        _same(res[lab], one)
        assert res.method[list(res.labels).index(lab)] == "separate: " + one.method
    assert "penalty" in res.options or "prior" in res.options


def test_grouped_firth_counts(grouped):
    """Firth for binomial-type data has a closed form: (y + 1/2)/(n + 1) per group."""
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1, 1, 1], dtype=float)
    g = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    res = mk.fit(y, "bernoulli", by=g, penalty="firth")
    assert res[0].params["p"] == pytest.approx(1.5 / 6.0, rel=1e-12)
    assert res[1].params["p"] == pytest.approx(5.5 / 6.0, rel=1e-12)


def test_grouped_penalised_bootstrap_refits_with_the_penalty(grouped):
    x, g = grouped
    res = mk.fit(x, "weibull", by=g, prior=PRIOR)
    ci = res.ci(method="bootstrap", n_boot=20, rng=0)
    assert np.all(ci["shape_lower"] < res.params["shape"])
    with pytest.raises(mk.ParameterError, match="separate fits"):
        res.ci(method="profile")


def test_grouped_prior_names_are_checked(grouped):
    x, g = grouped
    with pytest.raises(mk.ParameterError, match="nope"):
        mk.fit(x, "weibull", by=g, prior={"nope": mk.priors.Normal(0, 1)})


# ---------------------------------------------------------------------- streamed
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    rng = np.random.default_rng(3)
    x = 3.0 * rng.weibull(1.6, 30_000)
    d = tmp_path_factory.mktemp("penalty_stream")
    pq.write_table(pa.table({"x": x}), d / "x.parquet", row_group_size=6_000)
    return d / "x.parquet", x


@pytest.mark.parametrize("how", [{"prior": {"shape": mk.priors.Normal(1.0, 0.05),
                                            "scale": mk.priors.Gamma(2.0, 1.0)}},
                                 {"penalty": lambda p: -50.0 * (p["shape"] - 1.0) ** 2}])
def test_streamed_prior_equals_in_memory(parquet, monkeypatch, how):
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 0)
    path, x = parquet
    r = mk.fit(mk.read_parquet(path, column="x", batch_rows=5_000), "weibull", **how)
    m = mk.fit(x, "weibull", **how)
    assert r.method == m.method
    for p in m.params:
        assert r.params[p] == pytest.approx(m.params[p], rel=1e-8)
        assert r.se[p] == pytest.approx(m.se[p], rel=1e-6)
    assert r.loglik == pytest.approx(m.loglik, rel=1e-10)
    assert r.penalised_loglik == pytest.approx(m.penalised_loglik, rel=1e-10)
    assert r.params["shape"] != pytest.approx(mk.fit(x, "weibull").params["shape"], rel=1e-3)


def test_streamed_firth_is_refused_beyond_memory(parquet, monkeypatch):
    path, x = parquet
    src = mk.read_parquet(path, column="x")
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 0)
    with pytest.raises(mk.ParameterError, match="firth.*to_data"):
        mk.fit(src, "weibull", penalty="firth")
    with pytest.raises(mk.ParameterError, match="sandwich"):
        mk.fit(src, "weibull", prior=PRIOR, cov="sandwich")
    monkeypatch.setattr(_stream, "_IN_MEMORY_ROWS", 1 << 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = mk.fit(src, "weibull", penalty="firth")
        assert small.params == mk.fit(x, "weibull", penalty="firth").params
