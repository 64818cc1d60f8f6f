"""compare: ranking, the table, 'all', failures listed with their reasons."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mlekit as mk


def test_table_and_best(rng: np.random.Generator) -> None:
    x = rng.weibull(1.5, size=200) * 10
    fams = ["exponential", "weibull", "gamma", "lognormal", "loglogistic"]
    cmp = mk.compare(x, fams, gof=False)
    t = cmp.table
    assert t.index[0] == cmp.best.family and set(t.index) == set(fams)
    for col in ("k", "loglik", "aic", "delta_aic", "weight", "aicc", "bic", "converged",
                "boundary", "notes"):
        assert col in t.columns
    assert np.all(np.diff(t["aic"].to_numpy()) >= 0) and t["delta_aic"].iloc[0] == 0.0
    assert t["weight"].sum() == pytest.approx(1.0)
    w = np.exp(-0.5 * t["delta_aic"])
    assert np.allclose(t["weight"], w / w.sum())
    for f in fams:
        r = mk.fit(x, f)
        assert t.loc[f, "loglik"] == pytest.approx(r.loglik, rel=1e-10)
        assert t.loc[f, "bic"] == pytest.approx(r.bic, rel=1e-10)
        assert cmp[f].family == f
    assert cmp.best.family in ("weibull", "gamma")
    by_bic = mk.compare(x, fams, criterion="bic", gof=False)
    assert np.all(np.diff(by_bic.table["bic"].to_numpy()) >= 0)


def test_all_picks_families_whose_support_fits(rng: np.random.Generator) -> None:
    x = rng.gamma(3.0, 2.0, size=200)
    cmp = mk.compare(x, "all", gof=False)
    assert "beta" in cmp.skipped and "requires values in" in cmp.skipped["beta"]
    assert "weibull" in cmp and "normal" in cmp and "poisson" not in cmp
    counts = rng.poisson(4.0, size=200).astype(float)
    cc = mk.compare(counts, "all", gof=False)
    assert set(cc.fits) <= {"poisson", "negative_binomial", "geometric", "binomial", "bernoulli"}
    assert "poisson" in cc and "bernoulli" in cc.skipped
    neg = mk.compare(rng.normal(size=100), "all", gof=False)
    assert "exponential" in neg.skipped and "normal" in neg


def test_failures_are_listed_with_reasons(rng: np.random.Generator) -> None:
    x = rng.gamma(3.0, 2.0, size=100)
    cmp = mk.compare(x, ["gamma", "beta"], gof=False)
    assert "beta" in cmp.failed and "requires values in" in cmp.failed["beta"]
    t = rng.weibull(1.5, size=80)
    d = mk.Data.right_censored(t, rng.random(80) < 0.7)
    cc = mk.compare(d, ["weibull", "uniform"], gof=False)
    assert "uniform" in cc.failed and "censored" in cc.failed["uniform"]
    text = str(cc)
    assert "uniform failed" in text and "best: weibull" in text


def test_mixing_counts_and_densities_is_refused() -> None:
    with pytest.raises(mk.ParameterError, match="one kind"):
        mk.compare([1, 2, 3, 4], ["poisson", "normal"])
    with pytest.raises(mk.ParameterError, match="criterion"):
        mk.compare([1.0, 2.0, 3.0], ["normal"], criterion="dic")
    with pytest.raises(mk.ParameterError, match="at least one"):
        mk.compare([1.0, 2.0, 3.0], [])
    with pytest.raises(mk.FamilyError):
        mk.compare([1.0, 2.0, 3.0], ["normel"])
    with pytest.raises(mk.ParameterError, match="twice"):
        mk.compare([1.0, 2.0, 3.0], ["normal", "normal"])


def test_gof_column_and_rendering(rng: np.random.Generator) -> None:
    x = rng.lognormal(0.0, 0.6, size=80)
    cmp = mk.compare(x, ["lognormal", "exponential"], rng=1, quiet=True)   # small n: gof on
    assert "gof_p" in cmp.table and 0 < cmp.table.loc["lognormal", "gof_p"] <= 1
    assert cmp.table.loc["exponential", "gof_p"] <= 0.02
    html = cmp._repr_html_()
    assert "class='mlekit mlekit-compare'" in html and "lognormal" in html
    d = json.loads(json.dumps(cmp.to_dict()))
    assert d["table"][0]["family"] == "lognormal" and d["criterion"] == "aic"
    assert "Comparison(2 fitted" in repr(cmp)
    big = mk.compare(rng.lognormal(size=2000), ["lognormal"])              # large n: off
    assert "gof_p" not in big.table


def test_boundary_flags_and_notes() -> None:
    counts = np.random.default_rng(0).poisson(3, 50).astype(float)     # not over-dispersed
    cmp = mk.compare(counts, ["poisson", "negative_binomial"], gof=False)
    nb = cmp.table.loc["negative_binomial"]
    assert nb["boundary"] == "size" and "Poisson limit" in nb["notes"]
    assert "! negative_binomial:" in str(cmp)


@pytest.mark.parametrize("kw, match", [
    ({"gof": True, "n_boot": -1}, "n_boot must be a whole number"),
    ({"gof": True, "n_boot": 2.5}, "n_boot must be a whole number"),
    ({"gof": True, "n_boot": "99"}, "n_boot must be a whole number"),
    ({"time_budget": -1.0}, "time_budget must be a number of seconds"),
    ({"time_budget": float("nan")}, "time_budget must be a number of seconds"),
    ({"time_budget": "1"}, "time_budget must be a number of seconds"),
])
def test_bad_arguments_raise_before_fitting(rng: np.random.Generator, kw: dict, match: str) -> None:
    # a negative n_boot was only a 'gof failed' note per family; a negative budget was ignored
    x = rng.weibull(1.5, 60)
    with pytest.raises(mk.ParameterError, match=match):
        mk.compare(x, ["weibull", "gamma"], quiet=True, **kw)


def test_zero_n_boot_and_budget_still_valid(rng: np.random.Generator) -> None:
    x = rng.weibull(1.5, 60)
    c = mk.compare(x, ["weibull", "gamma"], gof=True, n_boot=0, quiet=True)
    assert set(c.table.index) == {"weibull", "gamma"}
    assert len(mk.compare(x, ["weibull", "gamma"], gof=False, time_budget=0.0, quiet=True).table) >= 1


def test_fits_instead_of_data_named(rng: np.random.Generator) -> None:
    # was "values must be numeric; got a non-numeric value FitResult(...)"
    x = rng.weibull(1.5, 60)
    fits = [mk.fit(x, "weibull"), mk.fit(x, "gamma")]
    for bad in (fits, tuple(fits), fits[0]):
        with pytest.raises(mk.ParameterError, match="needs the data, not fit results"):
            mk.compare(bad, ["weibull"], quiet=True)
