"""Bootstrap intervals, the data simulator and resampler, and the progress bar."""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pytest
from scipy import stats

import mlekit as mk
from mlekit._core.progress import Progress, progress
from mlekit._inference.bootstrap import Simulator, replicates, resample


def test_exponential_percentile_and_bca_match_exact_quantiles(rng: np.random.Generator) -> None:
    # rate_hat* = n / Gamma(n, 1/rate_hat): the parametric-bootstrap quantiles are known exactly
    x = rng.exponential(0.5, size=15)
    res = mk.fit(x, "exponential")
    n, r = x.size, res.params["rate"]
    lo, hi = res.ci(method="bootstrap", n_boot=4000, rng=1, quiet=True)["rate"]
    g = stats.gamma(n)
    assert lo == pytest.approx(r * n / g.ppf(0.975), rel=0.04)
    assert hi == pytest.approx(r * n / g.ppf(0.025), rel=0.04)
    # the exact interval (pivot 2 rate S ~ chi2(2n)) is what BCa should approach
    S = x.sum()
    exact = (stats.chi2.ppf(0.025, 2 * n) / (2 * S), stats.chi2.ppf(0.975, 2 * n) / (2 * S))
    bca = res.ci(method="bootstrap", n_boot=4000, rng=1, interval="bca", quiet=True)["rate"]
    assert bca == pytest.approx(exact, rel=0.04)
    basic = res.ci(method="bootstrap", n_boot=4000, rng=1, interval="basic", quiet=True)["rate"]
    assert basic == pytest.approx((2 * r - hi, 2 * r - lo), rel=1e-12)


def test_reproducible_and_cached(rng: np.random.Generator) -> None:
    res = mk.fit(rng.weibull(1.5, size=30), "weibull")
    a = res.ci(method="bootstrap", n_boot=200, rng=7, quiet=True)
    b = res.ci(method="bootstrap", n_boot=200, rng=7, quiet=True)
    assert a == b
    bs = replicates(res, n_boot=200, rng=7)
    assert bs is replicates(res, n_boot=200, rng=7)          # cached on the result
    gen_a = res.ci(method="bootstrap", n_boot=50, rng=np.random.default_rng(3), quiet=True)
    gen_b = res.ci(method="bootstrap", n_boot=50, rng=np.random.default_rng(3), quiet=True)
    assert gen_a == gen_b
    c = res.ci(method="bootstrap", n_boot=200, rng=8, quiet=True)
    assert c != a
    assert bs.params.shape == (200 - bs.n_failed, 2) and bs.kind == "parametric"


def test_nonparametric_resample_keeps_rows_censoring_and_weights(rng: np.random.Generator) -> None:
    t = rng.weibull(1.2, size=40) * 5
    obs = rng.random(40) < 0.7
    w = rng.integers(1, 4, size=40).astype(float)
    d = mk.Data.right_censored(t, obs, weights=w)
    for _ in range(5):
        r = resample(d, rng)
        assert r.n_obs == d.n_obs                              # multinomial on the weights
        assert set(r.exact.x) <= set(d.exact.x) and set(r.right.x) <= set(d.right.x)
        assert np.all(r.exact.w > 0) and np.all(r.exact.w == np.round(r.exact.w))
    frac = np.mean([resample(d, rng).count("right") / d.n_obs for _ in range(300)])
    assert frac == pytest.approx(d.count("right") / d.n_obs, abs=0.02)
    nw = mk.Data(rng.normal(size=10), weights=rng.uniform(0.5, 2, size=10))
    r = resample(nw, rng)
    base = dict(zip(nw.exact.x, nw.exact.w))
    mult = r.exact.w / np.array([base[v] for v in r.exact.x])
    assert r.n_rows <= 10 and np.allclose(mult, np.round(mult)) and round(mult.sum()) == 10


def test_simulator_reproduces_design(rng: np.random.Generator) -> None:
    # random right censoring: censored share and censoring times like the data
    t = rng.weibull(1.5, size=400) * 10
    c = rng.uniform(0, 15, size=400)
    d = mk.Data.right_censored(np.minimum(t, c), t <= c)
    res = mk.fit(d, "weibull")
    sim = Simulator(res)
    shares = [sim.draw(rng).count("right") / 400 for _ in range(50)]
    assert np.mean(shares) == pytest.approx(d.count("right") / 400, abs=0.03)
    assert sim.draw(rng).right.x.max() <= d.right.x.max()
    # type I censoring at one test-end time is reproduced exactly
    d1 = mk.Data.right_censored(np.minimum(t, 8.0), t <= 8.0)
    s1 = Simulator(mk.fit(d1, "weibull")).draw(rng)
    assert np.all(s1.right.x == 8.0) and s1.exact.x.max() <= 8.0
    # truncation: every draw inside
    x = rng.normal(size=3000)
    x = x[x > 0.5][:200]
    st = Simulator(mk.fit(mk.Data(x, truncation=(0.5, None)), "normal")).draw(rng)
    assert st.exact.x.min() >= 0.5 and st.truncation == (0.5, math.inf)
    # binned data: the same cells come back
    edges = np.array([0.0, 1.0, 2.0, 4.0, np.inf])
    v = rng.gamma(2.0, size=300)
    k = np.searchsorted(edges, v) - 1
    db = mk.Data.interval(edges[k], edges[k + 1])
    sb = Simulator(mk.fit(db, "gamma")).draw(rng)
    cells = set(zip(sb.interval_block.x, sb.interval_block.hi)) | {(x, np.inf) for x in sb.right.x}
    assert cells <= {(0.0, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, np.inf)}
    # integer weights are expanded into draws; binomial trials are kept per row
    dw = mk.Data([1.0, 2.0, 3.0], weights=[2, 3, 5])
    assert Simulator(mk.fit(dw, "exponential")).draw(rng).n_rows == 10
    kb = mk.Data([3.0, 5.0, 1.0], trials=[10, 12, 4])
    sd = Simulator(mk.fit(kb, "binomial")).draw(rng)
    assert np.all(sd.exact.x <= np.array([10, 12, 4]))


def test_left_censored_simulation(rng: np.random.Generator) -> None:
    x = rng.lognormal(0.0, 1.0, size=300)
    limit = 0.5
    d = mk.Data.left_censored(np.maximum(x, limit), x >= limit)
    res = mk.fit(d, "lognormal")
    draws = [Simulator(res).draw(rng) for _ in range(30)]
    assert all(np.all(s.left.x == limit) for s in draws)
    assert np.mean([s.count("left") for s in draws]) / 300 == pytest.approx(d.count("left") / 300,
                                                                               abs=0.03)


def test_censored_weighted_bootstrap_runs(rng: np.random.Generator) -> None:
    t = rng.weibull(1.5, size=60) * 10
    c = rng.uniform(0, 15, size=60)
    d = mk.Data.right_censored(np.minimum(t, c), t <= c, weights=rng.integers(1, 3, size=60))
    res = mk.fit(d, "weibull", fixed={"scale": 10.0})
    for kind in ("parametric", "nonparametric"):
        ci = res.ci(method="bootstrap", n_boot=100, rng=0, kind=kind, quiet=True)
        assert ci["scale"] == (10.0, 10.0)
        lo, hi = ci["shape"]
        assert lo < res.params["shape"] < hi


def test_nonregular_parameters_use_basic_interval(rng: np.random.Generator) -> None:
    u = rng.uniform(2.0, 5.0, size=40)
    res = mk.fit(u, "uniform")
    ci = res.ci(method="bootstrap", n_boot=300, rng=0, quiet=True)
    assert ci["high"][0] >= u.max() - 1e-12 and ci["high"][1] > ci["high"][0]
    assert ci["low"][1] <= u.min() + 1e-12


def test_boundary_estimates_are_kept() -> None:
    x = np.zeros(20)
    x[0] = 1
    res = mk.fit(x, "bernoulli")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bs = replicates(res, n_boot=300, rng=0)
    assert bs.n_failed == 0 and np.mean(bs.column("p") == 0) > 0.2   # 0.95^20 ~ 0.36


def test_bad_input(rng: np.random.Generator) -> None:
    res = mk.fit(rng.normal(size=20), "normal")
    with pytest.raises(mk.ParameterError, match="kind must be"):
        res.ci(method="bootstrap", kind="jackknife")
    with pytest.raises(mk.ParameterError, match="interval must be"):
        res.ci(method="bootstrap", interval="student")
    with pytest.raises(mk.ParameterError, match="n_boot"):
        res.ci(method="bootstrap", n_boot=1)
    with pytest.raises(mk.ParameterError, match="n_boot"):
        res.ci(method="bootstrap", n_boot=10.5)
    with pytest.raises(mk.ParameterError, match="bogus"):
        res.ci(method="bootstrap", bogus=1)
    with pytest.raises(mk.ParameterError, match="seed= is spelt rng="):
        res.ci(method="bootstrap", seed=1)


def test_progress_bar_only_where_wanted() -> None:
    out = io.StringIO()
    with Progress(5, "work", quiet=False, stream=out) as bar:
        for _ in range(5):
            bar.update()
    text = out.getvalue()
    assert "work" in text and "5/5" in text and text.endswith("\n")
    silent = io.StringIO()                      # not a terminal: nothing drawn
    assert list(progress(range(3), "x", stream=silent)) == [0, 1, 2] and silent.getvalue() == ""
    q = io.StringIO()
    with Progress(3, "q", quiet=True, stream=q) as bar:
        bar.update(3)
    assert q.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    with Progress(2, "t", stream=tty, delay=0.0) as bar:
        bar.update(2)
    assert "2/2" in tty.getvalue()


def test_an_infinite_n_boot_is_a_named_error() -> None:
    # (int(inf) raised a bare OverflowError in the bootstrap and gof checks)
    x = mk.Weibull(shape=1.5, scale=2.0).sample(50, rng=1)
    res = mk.fit(x, "weibull")
    for call in (lambda: res.ci(method="bootstrap", n_boot=math.inf),
                 lambda: mk.gof(res, n_boot=math.inf),
                 lambda: mk.compare(x, ["weibull"], gof=True, n_boot=math.inf)):
        with pytest.raises(mk.ParameterError, match="n_boot must be a whole number; got inf"):
            call()
