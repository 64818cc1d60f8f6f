"""``r.tests()`` and ``r.summary()`` of mk.regress against statsmodels and lifelines (issue 18).

z, p-values, intervals and exp(coef) to 1e-6 on data sets shipped with statsmodels / lifelines:
GLM Poisson (``cpunish``), Logit (``spector``), NegativeBinomial (``fair``: affairs counts)
and WeibullAFTFitter (lifelines' ``rossi``). The LR test against the intercept-only model is
statsmodels' ``llnull``/``llr``. The printed summary fits 80 columns.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mlekit as mk

sm = pytest.importorskip("statsmodels.api")
pytest.importorskip("formulaic")

REL = 1e-6


def _check(t: pd.DataFrame, cols: list[str], params: pd.Series, bse: pd.Series,
           pvalues: pd.Series, ci: pd.DataFrame, rel: float = REL) -> None:
    for c in cols:
        assert t.loc[c, "estimate"] == pytest.approx(params[c], rel=rel, abs=1e-12)
        assert t.loc[c, "se"] == pytest.approx(bse[c], rel=rel)
        assert t.loc[c, "z"] == pytest.approx(params[c] / bse[c], rel=rel)
        assert t.loc[c, "p_value"] == pytest.approx(pvalues[c], rel=1e-5, abs=1e-300)
        assert t.loc[c, "ci_low"] == pytest.approx(ci.loc[c, 0], rel=rel, abs=1e-10)
        assert t.loc[c, "ci_high"] == pytest.approx(ci.loc[c, 1], rel=rel, abs=1e-10)
        assert t.loc[c, "exp_estimate"] == pytest.approx(np.exp(params[c]), rel=rel)
        assert t.loc[c, "exp_ci_low"] == pytest.approx(np.exp(ci.loc[c, 0]), rel=rel)
        assert t.loc[c, "exp_ci_high"] == pytest.approx(np.exp(ci.loc[c, 1]), rel=rel)


def _narrow(text: str) -> None:
    widths = [len(line) for line in text.splitlines()]
    assert max(widths) <= 80, max(text.splitlines(), key=len)


@pytest.fixture(scope="module")
def cpunish() -> pd.DataFrame:
    d = sm.datasets.cpunish.load_pandas().data
    d.columns = [c.lower() for c in d.columns]
    return d


def test_poisson_matches_statsmodels_glm(cpunish: pd.DataFrame) -> None:
    f = "executions ~ income + perpoverty + perblack + vc100k96 + south + degree"
    d = cpunish.assign(vc100k96=np.log(cpunish.vc100k96))
    r = mk.regress(f, d, "poisson")
    g = sm.GLM.from_formula(f, d, family=sm.families.Poisson()).fit(tol=1e-14)
    t = r.tests()
    assert list(t.columns[:9]) == ["estimate", "se", "z", "p_value", "ci_low", "ci_high",
                                   "exp_estimate", "exp_ci_low", "exp_ci_high"]
    _check(t, list(g.params.index), g.params, g.bse, g.pvalues, g.conf_int())
    assert set(t["effect"]) == {"rate ratio"}
    s2 = g.summary2().tables[1]
    assert t.loc["income", "z"] == pytest.approx(s2.loc["income", "z"], rel=REL)
    # the LR test against the intercept-only model is statsmodels' llnull
    s = r.summary()
    assert s.lr.loglik_null == pytest.approx(g.llnull, rel=1e-9)
    assert s.lr.df == 6 and s.lr.statistic == pytest.approx(2 * (g.llf - g.llnull), rel=1e-7)
    text = str(s)
    _narrow(text)
    assert "rate ratio" in text and "LR test vs intercept-only: chi2 = " in text
    # 90% intervals follow the level
    t90 = r.tests(level=0.9)
    ci90 = g.conf_int(alpha=0.1)
    assert t90.loc["south", "ci_low"] == pytest.approx(ci90.loc["south", 0], rel=REL)


def test_logit_matches_statsmodels(tmp_path: object) -> None:
    d = sm.datasets.spector.load_pandas().data
    r = mk.regress("GRADE ~ GPA + TUCE + PSI", d, "logistic")
    m = sm.Logit.from_formula("GRADE ~ GPA + TUCE + PSI", d).fit(method="newton", tol=1e-14,
                                                                 disp=0, maxiter=100)
    t = r.tests()
    _check(t, list(m.params.index), m.params, m.bse, m.pvalues, m.conf_int())
    assert t.loc["PSI", "effect"] == "odds ratio"
    s = r.summary()
    assert s.lr.statistic == pytest.approx(m.llr, rel=1e-7)
    assert s.lr.p_value == pytest.approx(m.llr_pvalue, rel=1e-6)
    assert s.lr.df == int(m.df_model)
    text = str(s)
    _narrow(text)
    assert "exp(coef): odds ratio" in text


def test_negative_binomial_matches_statsmodels() -> None:
    d = sm.datasets.fair.load_pandas().data
    d = d.assign(naff=np.round(d.affairs * 4).astype(int))   # counts
    f = "naff ~ rate_marriage + age + yrs_married + religious"
    r = mk.regress(f, d, "negative_binomial")
    m = sm.NegativeBinomial.from_formula(f, d, loglike_method="nb2").fit(
        method="newton", tol=1e-14, disp=0, maxiter=200)
    assert r.loglik == pytest.approx(m.llf, rel=1e-9)
    cols = [c for c in m.params.index if c != "alpha"]
    t = r.tests()
    _check(t, cols, m.params, m.bse, m.pvalues, m.conf_int())
    assert r.params["size"] == pytest.approx(1.0 / m.params["alpha"], rel=REL)
    assert math.isnan(t.loc["size", "z"]) and math.isnan(t.loc["size", "exp_estimate"])
    lo, hi = t.loc["size", ["ci_low", "ci_high"]]
    assert 0 < lo < r.params["size"] < hi      # the log-scale Wald interval of a shared size
    s = r.summary()
    assert s.lr.loglik_null == pytest.approx(m.llnull, rel=1e-8)
    assert s.lr.df == 4
    text = str(s)
    _narrow(text)
    assert "\nshared " in text and "size" in text


def test_weibull_aft_matches_lifelines() -> None:
    """lifelines is started at mlekit's optimum (its own BFGS otherwise stops ~1e-6 short, see
    test_regression) and stays there; its SEs come from its own (autograd) Hessian."""
    lifelines = pytest.importorskip("lifelines")
    from lifelines.datasets import load_rossi

    d = load_rossi()
    r = mk.regress("week ~ fin + age + prio", d, "weibull", observed="arrest")
    cols = d[["week", "arrest", "fin", "age", "prio"]]
    f0 = lifelines.WeibullAFTFitter().fit(cols, "week", "arrest")
    init = np.array([r.params[c] if lab == "lambda_" else math.log(r.params["shape"])
                     for lab, c in f0.params_.index])
    # lifelines optimises on covariates divided by their standard deviations
    f = lifelines.WeibullAFTFitter().fit(cols, "week", "arrest",
                                         initial_point=init * f0._norm_std.to_numpy())
    assert r.loglik >= f.log_likelihood_ - 1e-9
    assert r.loglik == pytest.approx(f.log_likelihood_, rel=1e-12)
    lr = f.log_likelihood_ratio_test()
    s_r = r.summary()
    assert s_r.lr.statistic == pytest.approx(lr.test_statistic, rel=1e-6)
    assert s_r.lr.df == lr.degrees_freedom
    s = f.summary.loc["lambda_"]
    t = r.tests()
    for c in ["Intercept", "fin", "age", "prio"]:
        assert t.loc[c, "estimate"] == pytest.approx(s.loc[c, "coef"], rel=REL)
        assert t.loc[c, "se"] == pytest.approx(s.loc[c, "se(coef)"], rel=REL)
        assert t.loc[c, "z"] == pytest.approx(s.loc[c, "z"], rel=REL)
        assert t.loc[c, "p_value"] == pytest.approx(s.loc[c, "p"], rel=1e-5)
        assert t.loc[c, "ci_low"] == pytest.approx(s.loc[c, "coef lower 95%"], rel=REL)
        assert t.loc[c, "ci_high"] == pytest.approx(s.loc[c, "coef upper 95%"], rel=REL)
        assert t.loc[c, "exp_estimate"] == pytest.approx(s.loc[c, "exp(coef)"], rel=REL)
        assert t.loc[c, "exp_ci_low"] == pytest.approx(s.loc[c, "exp(coef) lower 95%"], rel=REL)
        assert t.loc[c, "exp_ci_high"] == pytest.approx(s.loc[c, "exp(coef) upper 95%"],
                                                        rel=REL)
        assert t.loc[c, "effect"] == "time ratio"
    text = str(s_r)
    _narrow(text)
    assert "114 events, 318 right-censored" in text and "exp(coef): time ratio" in text


# ---------------------------------------------------------------------- labels and layout
@pytest.fixture(scope="module")
def life() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 250
    d = pd.DataFrame({"x": rng.normal(size=n), "batch": rng.integers(0, 2, n)})
    T = np.exp(1.0 + 0.4 * d.x) * rng.weibull(np.exp(0.3 + 0.3 * d.batch))
    C = rng.uniform(0.5, 8.0, n)
    d["t"], d["e"] = np.minimum(T, C), (T <= C).astype(int)
    d["y"] = rng.poisson(np.exp(0.2 + 0.5 * d.x))
    d["y"] = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(1 + d.x)), 0, d["y"])
    return d


def test_effect_labels(life: pd.DataFrame) -> None:
    ex = mk.regress("t ~ x", life, "exponential", observed="e").tests()
    assert ex.loc["x", "effect"] == "hazard ratio"
    ln = mk.regress("t ~ x", life, "lognormal", observed="e").tests()
    assert ln.loc["x", "effect"] == "time ratio"          # identity link on log time
    assert ln.loc["x", "exp_estimate"] == pytest.approx(math.exp(ln.loc["x", "estimate"]))
    assert math.isnan(ln.loc["sigma", "exp_estimate"]) and ln.loc["sigma", "effect"] == ""
    nm = mk.regress("t ~ x", life, "normal").tests()
    assert nm.loc["x", "effect"] == "" and math.isnan(nm.loc["x", "exp_ci_low"])
    zi = mk.regress("y ~ x", life, mk.ZeroInflated("poisson"),
                    formulas={"zero_prob": "~ x"}).tests()
    assert zi.loc["x", "effect"] == "rate ratio"
    assert zi.loc["zero_prob:x", "effect"] == "odds ratio"
    gm = mk.regress("t ~ x", life[life.e == 1], "gamma").tests()
    assert gm.loc["x", "effect"] == "mean ratio"


def test_summary_blocks_80_columns_and_html(life: pd.DataFrame) -> None:
    r = mk.regress("t ~ x", life, "weibull", observed="e", formulas={"shape": "~ batch"})
    text = str(r.summary())
    _narrow(text)
    lines = text.splitlines()
    assert lines[0] == "mlekit regression · weibull · t ~ x"
    assert "scale (log link)" in lines and "shape (log link)" in lines
    assert "exp(coef): shape ratio" in text
    assert text.index("scale (log link)") < text.index("shape (log link)")
    # both linked parameters are reduced to their intercepts in the null model: 2 df
    assert r.summary().lr.df == 2
    html = r.summary()._repr_html_()
    assert "time ratio" in html and "shape:batch" in html and "<table" in html
    assert r._repr_html_() == html
    d = r.summary().to_dict()
    assert d["params"]["x"] == pytest.approx(r.params["x"])          # the fit's dict, as before
    reg = d["regression"]
    assert reg["lr_test"]["df"] == 2 and [c["name"] for c in reg["coefficients"]] == list(r.params)


def test_long_names_wrap_within_80_columns() -> None:
    rng = np.random.default_rng(1)
    n = 120
    name = "a_rather_long_covariate_name_from_a_real_data_set"
    d = pd.DataFrame({name: rng.normal(size=n)})
    d["y"] = rng.poisson(np.exp(0.5 + 0.3 * d[name]))
    text = str(mk.regress(f"y ~ {name}", d, "poisson").summary())
    _narrow(text)
    assert name in text.splitlines()


def test_p_value_floor_and_precision() -> None:
    from mlekit._core.numformat import pvalue_text

    assert pvalue_text(0.0) == "< 1e-16" and pvalue_text(3e-300) == "< 1e-16"
    assert pvalue_text(2.3e-7) == "2.30e-07"
    assert pvalue_text(0.0312345) == "0.0312"
    assert pvalue_text(0.5) == "0.500" and pvalue_text(1.0) == "1.000"
    assert pvalue_text(float("nan")) == "—"
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"x": rng.normal(size=400)})
    d["y"] = rng.poisson(np.exp(1 + 1.5 * d.x))
    r = mk.regress("y ~ x", d, "poisson")
    assert r.tests().loc["x", "p_value"] < 1e-16
    line = next(s for s in str(r.summary()).splitlines() if s.startswith("x "))
    assert "< 1e-16" in line


def test_lr_test_of_nested_formulas_with_summary(life: pd.DataFrame) -> None:
    big = mk.regress("y ~ x + batch", life, "poisson")
    small = mk.regress("y ~ x", life, "poisson")
    t = mk.lr_test(small, big)
    assert t.df == 1
    assert t.statistic == pytest.approx(2 * (big.loglik - small.loglik))
    # the intercept-only null of each is the same model
    assert big.summary().lr.loglik_null == pytest.approx(small.summary().lr.loglik_null,
                                                         rel=1e-10)
    assert small.summary().lr.statistic == pytest.approx(
        2 * (small.loglik - small.summary().lr.loglik_null))


def test_no_lr_test_without_intercept_or_covariates(life: pd.DataFrame) -> None:
    r0 = mk.regress("y ~ 1", life, "poisson")
    assert r0.summary().lr.statistic is None and "intercepts only" in str(r0.summary())
    r1 = mk.regress("y ~ x - 1", life, "poisson")
    assert "no intercept" in r1.summary().lr.note
    rf = mk.regress("y ~ x", life, "poisson", penalty="firth")
    assert rf.summary().lr.statistic is None


def test_profile_intervals_in_tests(life: pd.DataFrame) -> None:
    r = mk.regress("y ~ x", life, "poisson")
    tp = r.tests(ci="profile")
    prof = r.ci(method="profile")
    assert tp.loc["x", "ci_low"] == prof["x"][0]
    assert tp.loc["x", "exp_ci_high"] == pytest.approx(math.exp(prof["x"][1]))
    assert "profile likelihood" in str(r.summary(ci="profile"))


# ---------------------------------------------------------------------- profile vs R confint(glm)
def _glm_cases() -> list[dict[str, object]]:
    import json
    from pathlib import Path

    ref = Path(__file__).resolve().parent / "reference" / "glm_profile.json"
    return json.loads(ref.read_text())["cases"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", _glm_cases(), ids=lambda c: str(c["id"]))
def test_profile_intervals_match_r_confint_glm(case: dict[str, object]) -> None:
    """``r.ci(method="profile")`` against MASS's ``confint(glm)`` to 1e-4 of the interval width
    (MASS interpolates a spline through a profile grid) and against the exact roots of R's
    profile deviance to 1e-6 of the width."""
    from pathlib import Path

    path = Path(__file__).resolve().parent / "reference" / str(case["file"])
    d = pd.read_csv(path)
    r = mk.regress(str(case["formula"]), d, str(case["family"]))
    assert r.loglik == pytest.approx(case["loglik"], rel=1e-10)
    prof = r.ci(method="profile")
    for name, (lo_m, hi_m) in case["confint_mass"].items():  # type: ignore[attr-defined]
        ours = prof["Intercept" if name == "(Intercept)" else name]
        lo_x, hi_x = case["profile_exact"][name]  # type: ignore[index]
        width = hi_x - lo_x
        assert abs(ours[0] - lo_m) <= 1e-4 * width and abs(ours[1] - hi_m) <= 1e-4 * width
        assert abs(ours[0] - lo_x) <= 1e-6 * width and abs(ours[1] - hi_x) <= 1e-6 * width
    t = r.tests(ci="profile")
    assert t["ci_low"].tolist() == [prof[k][0] for k in t.index]


# ---------------------------------------------------------------------- predict(ci=True)
def test_predict_ci_true_matches_statsmodels_get_prediction(cpunish: pd.DataFrame) -> None:
    f = "executions ~ income + perpoverty + south"
    r = mk.regress(f, cpunish, "poisson")
    g = sm.GLM.from_formula(f, cpunish, family=sm.families.Poisson()).fit(tol=1e-14)
    new = cpunish.iloc[:6]
    sf = g.get_prediction(new).summary_frame(alpha=0.1)
    p = r.predict(new, what="mean", ci=True, level=0.9)
    assert list(p.columns) == ["estimate", "lower", "upper"]
    np.testing.assert_allclose(p["estimate"], sf["mean"], rtol=REL)
    np.testing.assert_allclose(p["lower"], sf["mean_ci_lower"], rtol=REL)
    np.testing.assert_allclose(p["upper"], sf["mean_ci_upper"], rtol=REL)
    every = r.predict(new, ci=True, level=0.9)          # every parameter (here the rate)
    np.testing.assert_allclose(every["rate_lower"], sf["mean_ci_lower"], rtol=REL)
    assert r.predict(new, ci=False).columns.tolist() == ["rate"]


def test_predict_ci_true_any_parameter(life: pd.DataFrame) -> None:
    r = mk.regress("t ~ x", life, "weibull", observed="e", formulas={"shape": "~ batch"})
    new = pd.DataFrame({"x": [0.0, 1.0], "batch": [0, 1]})
    sh = r.predict(new, what="shape", ci=True)
    # shape = exp(shape:Intercept + shape:batch * batch): at batch 0 the interval is exp of the
    # coefficient's Wald interval
    lo, hi = r.tests().loc["shape:Intercept", ["exp_ci_low", "exp_ci_high"]]
    assert sh.loc[0, "shape_lower"] == pytest.approx(lo, rel=1e-6)
    assert sh.loc[0, "shape_upper"] == pytest.approx(hi, rel=1e-6)
    assert (sh["shape_lower"] < sh["shape"]).all() and (sh["shape"] < sh["shape_upper"]).all()
    with pytest.raises(mk.errors.ParameterError, match="ci must be"):
        r.predict(new, ci="bootstrap")


# ---------------------------------------------------------------------- the HTML report
def test_report_of_a_regression_has_the_coefficient_table(life: pd.DataFrame) -> None:
    import re

    r = mk.regress("t ~ x", life, "weibull", observed="e", formulas={"shape": "~ batch"})
    html = r.report(level=0.9)
    ids = re.findall(r"<section id='(\w+)'>", html)
    assert "coefficients" in ids and "estimates" not in ids and "gof" not in ids
    sec = html[html.index("<section id='coefficients'>"):]
    sec = sec[:sec.index("</section>")]
    assert "time ratio" in sec and "shape ratio" in sec and "90% interval" in sec
    assert "LR test vs intercept-only" in sec
    t = r.tests(level=0.9)
    assert f"{t.loc['x', 'exp_estimate']:.6g}" in sec
    assert "mk.regress('t ~ x', df, 'weibull', formulas={'shape': '~ batch'})" in html
    diag = html[html.index("<section id='diagnostics'>"):]
    diag = diag[:diag.index("</section>")]
    assert "<svg" in diag and "could not be drawn" not in diag and "quantile residuals" in diag


def test_fixed_coefficients_and_design_matrix_fits(life: pd.DataFrame) -> None:
    r = mk.regress("y ~ x + batch", life, "negative_binomial", fixed={"batch": 0.1, "size": 3.0})
    t = r.tests()
    assert math.isnan(t.loc["batch", "se"]) and math.isnan(t.loc["batch", "p_value"])
    s = r.summary()
    assert s.lr.df == 1                                   # only x is free beyond the intercept
    text = str(s)
    assert "size (fixed)" in text
    assert next(x for x in text.splitlines() if x.startswith("batch ")).split()[-1] == "fixed"
    assert "3.0000 … 3.0000" not in s._repr_html_()
    # y=/X= fits: an all-ones column is the intercept (of the null model, not an effect)
    X = np.column_stack([np.ones(len(life)), life.x])
    p = mk.regress(y=life.y.to_numpy(), X=X, family="poisson")
    sp = p.summary()
    assert sp.lr.df == 1
    assert sp.lr.loglik_null == pytest.approx(mk.regress("y ~ 1", life, "poisson").loglik,
                                              rel=1e-10)
    eff = str(sp).split("exp(coef): rate ratio")[1]
    assert "\nx2 " in eff and "\nx1 " not in eff
