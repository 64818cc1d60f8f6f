"""Likelihood-ratio tests: statistics, nestings, boundary mixtures and refusals."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from scipy import stats

import mlekit as mk
from mlekit._api.lrt import NESTINGS, p_value


def test_exponential_in_weibull(rng: np.random.Generator) -> None:
    x = rng.weibull(1.4, size=60) * 3
    e, w = mk.fit(x, "exponential"), mk.fit(x, "weibull")
    t = mk.lr_test(e, w)
    assert t.statistic == pytest.approx(2 * (w.loglik - e.loglik), rel=1e-12)
    assert t.df == 1 and t.p_value == pytest.approx(stats.chi2.sf(t.statistic, 1), rel=1e-12)
    assert not t.boundary and "shape = 1" in t.hypothesis
    assert mk.lr_test(w, e).statistic == t.statistic                 # order does not matter
    f = mk.lr_test(w, fixed={"shape": 1.0})
    assert f.statistic == pytest.approx(t.statistic, rel=1e-8) and f.df == 1
    two = mk.lr_test(mk.fit(x, "weibull", fixed={"shape": 1.0}), w)
    assert two.statistic == pytest.approx(t.statistic, rel=1e-8)
    assert "p = " in str(t) and "LRTest(" in repr(t) and t.to_dict()["df"] == 1


def test_every_nesting_maps_onto_the_general_model(rng: np.random.Generator) -> None:
    """The restricted fit's parameters, mapped into the general family, give the same
    log-likelihood (boundary nestings at a huge but finite value)."""
    cont = rng.gamma(2.0, 1.5, size=50)
    real = rng.standard_t(5, size=50)
    counts = rng.negative_binomial(3, 0.4, size=50).astype(float)
    data = {"exponential": cont, "rayleigh": cont, "cauchy": real, "normal": real,
            "poisson": counts, "geometric": counts, "gumbel": real, "weibull": cont, "lognormal": cont,
            "gamma": cont, "loglogistic": cont,
            "lomax": rng.pareto(2.5, size=50) * 2.0}
    for (small, big), nest in NESTINGS.items():
        x = data[small]
        r = mk.fit(x, small)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = mk.fit(x, big)
        mapped = nest.at(dict(r.params))
        th = tuple(mapped[p] for p in g.params)
        ll = g.likelihood.evaluate(th, 0)[0]
        assert ll == pytest.approx(r.loglik, rel=1e-7, abs=1e-7), (small, big)
        assert g.loglik >= r.loglik - 1e-6 * abs(r.loglik), (small, big)


def test_boundary_cases_use_chi_bar_square(rng: np.random.Generator) -> None:
    over = rng.negative_binomial(2, 0.4, size=200).astype(float)
    t = mk.lr_test(mk.fit(over, "poisson"), mk.fit(over, "negative_binomial"))
    assert t.boundary and t.df == 1
    assert t.p_value == pytest.approx(0.5 * stats.chi2.sf(t.statistic, 1), rel=1e-12)
    assert "chi-bar-square" in t.distribution
    under = rng.poisson(3, size=200).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = mk.fit(under, "negative_binomial")
    t0 = mk.lr_test(mk.fit(under, "poisson"), nb)
    if nb.on_boundary:                 # the general fit ran to the Poisson limit
        assert t0.statistic == 0.0 and t0.p_value == 1.0
    y = rng.normal(size=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = mk.lr_test(mk.fit(y, "normal"), mk.fit(y, "student_t"))
    assert tt.boundary and 0 <= tt.p_value <= 1


def test_p_value_mixtures() -> None:
    assert p_value(0.0, 1, 1) == 1.0
    assert p_value(2.7055, 1, 1) == pytest.approx(0.05, rel=1e-4)
    assert p_value(3.0, 2, 1) == pytest.approx(0.5 * stats.chi2.sf(3, 1) + 0.5 * stats.chi2.sf(3, 2))
    assert p_value(3.0, 2, 2) == pytest.approx(0.5 * stats.chi2.sf(3, 1) + 0.25 * stats.chi2.sf(3, 2))


def test_geometric_in_negative_binomial_is_interior(rng: np.random.Generator) -> None:
    x = rng.geometric(0.3, size=150).astype(float) - 1.0
    t = mk.lr_test(mk.fit(x, "geometric"), mk.fit(x, "negative_binomial"))
    assert not t.boundary and t.p_value == pytest.approx(stats.chi2.sf(t.statistic, 1), rel=1e-12)
    nb1 = mk.fit(x, "negative_binomial", fixed={"size": 1.0})
    assert nb1.loglik == pytest.approx(mk.fit(x, "geometric").loglik, rel=1e-9)


def test_nonregular_fixed_value_has_two_df(rng: np.random.Generator) -> None:
    x = rng.pareto(3.0, size=40) + 1.0
    res = mk.fit(x, "pareto")
    t = mk.lr_test(res, fixed={"scale": 0.98 * x.min()})
    assert t.df == 2 and t.statistic > 0


def test_refusals(rng: np.random.Generator) -> None:
    x = rng.weibull(1.5, size=40)
    w = mk.fit(x, "weibull")
    with pytest.raises(mk.FamilyError, match="not nested.*mk.compare"):
        mk.lr_test(mk.fit(x, "lognormal"), w)
    with pytest.raises(mk.ParameterError, match="same data"):
        mk.lr_test(mk.fit(x[:30], "exponential"), w)
    with pytest.raises(mk.FamilyError, match="same free parameters"):
        mk.lr_test(w, mk.fit(x, "weibull"))
    with pytest.raises(mk.FamilyError, match="nested only when"):
        mk.lr_test(mk.fit(x, "weibull", fixed={"shape": 1.0}), mk.fit(x, "weibull", fixed={"scale": 1.0}))
    with pytest.raises(mk.FamilyError, match="holds scale"):
        mk.lr_test(mk.fit(x, "exponential"), mk.fit(x, "weibull", fixed={"scale": 3.0}))
    with pytest.raises(mk.ParameterError, match="names a parameter"):
        mk.lr_test(w, fixed={"rate": 1.0})
    with pytest.raises(mk.ParameterError, match="already fixed"):
        mk.lr_test(mk.fit(x, "weibull", fixed={"shape": 1.0}), fixed={"shape": 2.0})
    with pytest.raises(mk.ParameterError, match="second fit"):
        mk.lr_test(w)
    with pytest.raises(mk.ParameterError, match="not both"):
        mk.lr_test(w, w, fixed={"shape": 1.0})
    with pytest.raises(mk.ParameterError, match="fit results"):
        mk.lr_test(x, w)


def test_general_fit_short_of_maximum_warns(rng: np.random.Generator) -> None:
    x = rng.weibull(1.5, size=40)
    e, w = mk.fit(x, "exponential"), mk.fit(x, "weibull")
    fake = dataclasses.replace(w, loglik=e.loglik - 1.0)
    with pytest.warns(mk.NumericalWarning, match="stopped short"):
        t = mk.lr_test(e, fake)
    assert t.statistic == 0.0 and t.p_value == 1.0
    assert math.isfinite(mk.lr_test(e, w).statistic)


# ---------------------------------------------------------------------------- slow: null p-values
def lrt_study(R: int = 1000, seed: int = 7) -> dict[str, np.ndarray]:
    """Null p-values of three nestings (one interior, two on the boundary)."""
    gen = np.random.default_rng(seed)
    out: dict[str, list[float]] = {"exponential in weibull (n=50)": [],
                                   "poisson in negative_binomial (n=100, boundary)": [],
                                   "normal in student_t (n=100, boundary)": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(R):
            x = gen.exponential(2.0, 50)
            out["exponential in weibull (n=50)"].append(
                mk.lr_test(mk.fit(x, "exponential"), mk.fit(x, "weibull")).p_value)
            c = gen.poisson(4.0, 100).astype(float)
            out["poisson in negative_binomial (n=100, boundary)"].append(
                mk.lr_test(mk.fit(c, "poisson"), mk.fit(c, "negative_binomial")).p_value)
            y = gen.normal(1.0, 2.0, 100)
            out["normal in student_t (n=100, boundary)"].append(
                mk.lr_test(mk.fit(y, "normal"), mk.fit(y, "student_t")).p_value)
    return {k: np.array(v) for k, v in out.items()}


def summarize(ps: np.ndarray, boundary: bool) -> dict[str, float]:
    """KS test of uniformity: of all p-values (interior), or for a boundary test of the
    p-values below 1/2 (uniform on (0, 1/2) under the chi-bar-square null; the others are the
    statistic-equals-zero half, with p = 1)."""
    if boundary:
        low = ps[ps < 0.5]
        return {"ks_p": float(stats.kstest(2 * low, "uniform").pvalue),
                "share_below_half": float(low.size / ps.size),
                "size_5pct": float(np.mean(ps <= 0.05))}
    return {"ks_p": float(stats.kstest(ps, "uniform").pvalue), "size_5pct": float(np.mean(ps <= 0.05))}


@pytest.mark.slow
def test_null_p_values_are_uniform() -> None:
    res = lrt_study()
    for name, ps in res.items():
        s = summarize(ps, "boundary" in name)
        assert s["ks_p"] > 0.01, (name, s)
        if "boundary" in name:
            # asymptotically half the statistics are 0; in finite samples the general model
            # hits the boundary somewhat more often, which only makes the test conservative
            assert 0.25 <= s["share_below_half"] <= 0.55, (name, s)
            assert s["size_5pct"] <= 0.05 + 0.02, (name, s)
        else:
            assert abs(s["size_5pct"] - 0.05) <= 0.02, (name, s)


def test_regressions_on_different_data_are_refused() -> None:
    # two regressions with the same number of rows but different responses were compared
    # (the check only looked at n_obs for fits without mk.Data)
    import pandas as pd

    def frame(seed: int) -> pd.DataFrame:
        r = np.random.default_rng(seed)
        x1, x2 = r.normal(size=80), r.normal(size=80)
        return pd.DataFrame({"y": 1 + 0.5 * x1 + r.normal(size=80), "x1": x1, "x2": x2})

    a, b = frame(1), frame(2)
    small = mk.regress("y ~ x1", a)
    with pytest.raises(mk.ParameterError, match="same data"):
        mk.lr_test(small, mk.regress("y ~ x1 + x2", b))
    w = np.ones(80)
    w[0] = 2.0
    with pytest.raises(mk.ParameterError, match="same data"):
        mk.lr_test(small, mk.regress("y ~ x1 + x2", a, weights=w))
    t = mk.lr_test(small, mk.regress("y ~ x1 + x2", a))    # same data: as before
    assert t.df == 1 and 0.0 <= t.p_value <= 1.0


def test_fixed_on_a_regression_points_to_two_fits() -> None:
    import pandas as pd

    r = np.random.default_rng(4)
    x1, x2 = r.normal(size=60), r.normal(size=60)
    d = pd.DataFrame({"y": 1 + 0.5 * x1 + r.normal(size=60), "x1": x1, "x2": x2})
    full = mk.regress("y ~ x1 + x2", d)
    with pytest.raises(mk.ParameterError, match=r"mk.lr_test\(restricted, full\)"):
        mk.lr_test(full, fixed={"x2": 0.0})
    # the hint works: the same test from two fits
    t = mk.lr_test(mk.regress("y ~ x1 + x2", d, fixed={"x2": 0.0}), full)
    assert t.df == 1
    assert t.statistic == pytest.approx(mk.lr_test(mk.regress("y ~ x1", d), full).statistic,
                                        rel=1e-6, abs=1e-8)
