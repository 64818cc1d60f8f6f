"""mk.regress against statsmodels (GLM, NegativeBinomial) and lifelines (AFT).

Conventions compared (full maximum likelihood vs statsmodels' GLM defaults):
- GLM reports standard errors with a dispersion ("scale") estimated by Pearson X²/(n - p);
  full ML uses the ML estimate (normal: RSS/n; gamma: 1/shape). So GLM is refitted with
  ``scale=`` fixed at the ML value: then the standard errors are the same quantity.
- GLM's IRLS uses the expected information; for the non-canonical gamma-log link the observed
  information (ours) differs, so GLM is fitted with ``method="newton"`` (observed Hessian).
- GLM's ``llf`` for gamma uses its Pearson scale; the ML log-likelihood is
  ``family.loglike(y, mu, scale=1/shape)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mlekit as mk

sm = pytest.importorskip("statsmodels.api")
smf = pytest.importorskip("statsmodels.formula.api")
pytest.importorskip("formulaic")

REL = 1e-6


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 300
    d = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(size=n),
                      "g": rng.choice(["a", "b", "c"], n)})
    eta = 0.3 + 0.5 * d.x1 - 0.7 * d.x2
    d["yn"] = eta + rng.normal(0, 1.3, n)
    d["yb"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    d["yp"] = rng.poisson(np.exp(eta))
    d["ynb"] = rng.negative_binomial(2, 2 / (2 + np.exp(eta + 1)))
    d["yg"] = rng.gamma(3, np.exp(eta) / 3)
    T = np.exp(1 + 0.5 * d.x1 - 0.3 * d.x2) * rng.weibull(1.5, n)
    C = rng.uniform(0, 6, n)
    d["t"] = np.minimum(T, C)
    d["e"] = (T <= C).astype(int)
    d["expo"] = rng.uniform(0.5, 2.0, n)
    return d


def _cmp(res: mk.FitResult, params: pd.Series, bse: pd.Series, llf: float) -> None:
    for c in params.index:
        assert res.params[c] == pytest.approx(params[c], rel=REL)
        assert res.se[c] == pytest.approx(bse[c], rel=REL)
    assert res.loglik == pytest.approx(llf, rel=1e-9)


def test_normal_is_ols_by_ml(df: pd.DataFrame) -> None:
    res = mk.regress("yn ~ x1 + x2 + C(g)", df, "normal")
    assert next(iter(res.params)) == "Intercept" and "C(g)[T.b]" in res.params
    assert list(res.params)[-1] == "sigma"
    s2 = res.params["sigma"] ** 2
    g = smf.glm("yn ~ x1 + x2 + C(g)", df, family=sm.families.Gaussian()).fit(scale=s2)
    _cmp(res, g.params, g.bse, g.llf)
    ols = smf.ols("yn ~ x1 + x2 + C(g)", df).fit()
    assert s2 == pytest.approx(ols.ssr / ols.nobs, rel=1e-10)   # the ML sigma: RSS/n
    assert res.loglik == pytest.approx(ols.llf, rel=1e-12)
    assert res.summary().to_dict()["params"]["x1"] == pytest.approx(res.params["x1"])


def test_logistic(df: pd.DataFrame) -> None:
    res = mk.regress("yb ~ x1 + x2", df, "logistic")
    g = smf.glm("yb ~ x1 + x2", df, family=sm.families.Binomial()).fit(tol=1e-14)
    _cmp(res, g.params, g.bse, g.llf)


def test_poisson_with_exposure(df: pd.DataFrame) -> None:
    res = mk.regress("yp ~ x1 + x2", df, "poisson", exposure="expo")
    g = smf.glm("yp ~ x1 + x2", df, family=sm.families.Poisson(),
                exposure=df["expo"]).fit(tol=1e-14)
    _cmp(res, g.params, g.bse, g.llf)


def test_gamma_log_link(df: pd.DataFrame) -> None:
    res = mk.regress("yg ~ x1 + x2", df, "gamma")
    k = res.params["shape"]
    model = smf.glm("yg ~ x1 + x2", df, family=sm.families.Gamma(sm.families.links.Log()))
    g = model.fit(scale=1 / k, method="newton", tol=1e-14, maxiter=100)
    llf = model.family.loglike(model.endog, g.mu, scale=1 / k)
    _cmp(res, g.params, g.bse, llf)


def test_negative_binomial(df: pd.DataFrame) -> None:
    res = mk.regress("ynb ~ x1 + x2", df, "negative_binomial")
    g = smf.negativebinomial("ynb ~ x1 + x2", df).fit(method="newton", maxiter=100, tol=1e-14,
                                                      disp=0)
    cols = ["Intercept", "x1", "x2"]
    _cmp(res, g.params[cols], g.bse[cols], g.llf)
    a, sa = g.params["alpha"], g.bse["alpha"]   # statsmodels: alpha = 1/size
    assert res.params["size"] == pytest.approx(1 / a, rel=REL)
    assert res.se["size"] == pytest.approx(sa / a**2, rel=REL)   # delta method


def _aft_loglik(df: pd.DataFrame, family: str, b: np.ndarray, extra: float) -> float:
    """Independent right-censored AFT log-likelihood (numpy/scipy)."""
    from scipy.special import log_ndtr

    X = np.c_[np.ones(len(df)), df.x1, df.x2]
    t, e = df.t.to_numpy(), df.e.to_numpy()
    lin = X @ b
    if family == "weibull":
        z = (t / np.exp(lin)) ** extra
        return float(np.sum(e * (np.log(extra) - lin + (extra - 1) * (np.log(t) - lin)) - z))
    zz = (np.log(t) - lin) / extra
    ld = -0.5 * np.log(2 * np.pi) - np.log(extra) - 0.5 * zz**2 - np.log(t)
    return float(np.sum(np.where(e == 1, ld, log_ndtr(-zz))))


@pytest.mark.parametrize("family,fitter,lin,extra,ename", [
    ("weibull", "WeibullAFTFitter", "lambda_", "rho_", "shape"),
    ("lognormal", "LogNormalAFTFitter", "mu_", "sigma_", "sigma"),
])
def test_aft_censored_matches_lifelines(df: pd.DataFrame, family: str, fitter: str, lin: str,
                                        extra: str, ename: str) -> None:
    """lifelines' BFGS stops with "precision loss" up to ~1e-5 (relative) short of the optimum
    on these data, so its point is polished with an independent log-likelihood and a tight
    Nelder-Mead before the 1e-6 comparison; its own numbers are compared on the SE scale."""
    import lifelines
    from scipy.optimize import minimize

    res = mk.regress("t ~ x1 + x2", df, family, observed="e")
    f = getattr(lifelines, fitter)().fit(df[["t", "e", "x1", "x2"]], "t", "e")
    s = f.summary
    cols = ["Intercept", "x1", "x2"]
    b0 = np.array([s.loc[(lin, c), "coef"] for c in cols])
    le, sle = s.loc[(extra, "Intercept"), ["coef", "se(coef)"]]   # lifelines: log shape/sigma
    assert res.loglik >= f.log_likelihood_ - 1e-9
    assert res.loglik == pytest.approx(f.log_likelihood_, rel=1e-10)
    for c in cols:
        assert abs(res.params[c] - s.loc[(lin, c), "coef"]) < 1e-3 * res.se[c]
        assert res.se[c] == pytest.approx(s.loc[(lin, c), "se(coef)"], rel=1e-4)
    assert res.se[ename] == pytest.approx(np.exp(le) * sle, rel=1e-4)   # delta method
    pol = minimize(lambda p: -_aft_loglik(df, family, p[:3], np.exp(p[3])), np.r_[b0, le],
                   method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 20000})
    for c, v in zip(cols, pol.x[:3]):
        assert res.params[c] == pytest.approx(v, rel=REL)
    assert res.params[ename] == pytest.approx(np.exp(pol.x[3]), rel=REL)
    assert res.loglik == pytest.approx(-pol.fun, rel=1e-12)


def test_design_matrices_and_weights(df: pd.DataFrame) -> None:
    X = np.c_[np.ones(len(df)), df.x1, df.x2]
    a = mk.regress(y=df.yp, X=X, family="poisson")
    assert list(a.params) == ["x1", "x2", "x3"]
    b = mk.regress("yp ~ x1 + x2", df, "poisson")
    assert a.params["x2"] == pytest.approx(b.params["x1"], rel=1e-10)
    w = np.random.default_rng(0).integers(1, 4, len(df))
    c = mk.regress(y=df.yp, X=X, family="poisson", weights=w)
    d = mk.regress(y=np.repeat(df.yp, w), X=np.repeat(X, w, axis=0), family="poisson")
    assert c.params["x2"] == pytest.approx(d.params["x2"], rel=1e-9)
    assert c.se["x2"] == pytest.approx(d.se["x2"], rel=1e-9)
    assert c.loglik == pytest.approx(d.loglik, rel=1e-12)


def test_sandwich_matches_statsmodels_hc0(df: pd.DataFrame) -> None:
    res = mk.regress("yp ~ x1 + x2", df, "poisson", cov="sandwich")
    g = smf.glm("yp ~ x1 + x2", df, family=sm.families.Poisson()).fit(cov_type="HC0", tol=1e-14)
    for c in g.params.index:
        assert res.se[c] == pytest.approx(g.bse[c], rel=1e-6)


def test_perfect_separation_is_diagnosed() -> None:
    d = pd.DataFrame({"x": np.arange(20.0), "z": np.random.default_rng(1).normal(size=20)})
    d["y"] = (d.x > 9.5).astype(float)
    with pytest.warns(mk.NumericalWarning, match="complete separation: x predicts the outcome"):
        res = mk.regress("y ~ x + z", d, "logistic")
    assert not res.converged and np.isnan(res.se["x"])
    assert any(dg.code == "separation" for dg in res.diagnostics)
    with pytest.raises(mk.ConvergenceError, match="separation"):
        mk.regress("y ~ x + z", d, "logistic", strict=True)


def test_bad_input(df: pd.DataFrame) -> None:
    with pytest.raises(mk.DataError, match="not in the data: x9"):
        mk.regress("yn ~ x1 + x9", df)
    with pytest.raises(mk.FamilyError, match="family must be one of"):
        mk.regress("yn ~ x1", df, "no_such_family")
    with pytest.raises(mk.DataError, match="responses 0 or 1"):
        mk.regress("yn ~ x1", df, "logistic")
    with pytest.raises(mk.DataError, match="does not take censored"):
        mk.regress("yp ~ x1", df, "poisson", observed="e")
    d2 = df.assign(x3=2 * df.x1)
    with pytest.raises(mk.DataError, match="rank"):
        mk.regress("yn ~ x1 + x3", d2)
    d3 = df.copy()
    d3.loc[3, "x1"] = np.nan
    with pytest.raises(mk.DataError, match="missing"):
        mk.regress("yn ~ x1", d3)
    assert mk.regress("yn ~ x1", d3, nan_policy="omit").n_obs == len(df) - 1


# ---------------------------------------------------------------- bad arguments (tools/sweep_regress.py)
@pytest.mark.parametrize("kw, match", [
    ({"formulas": "~ x1"}, "formulas must be a dict"),
    ({"fixed": {"x1": "a"}}, "fixed of x1 must be a number"),
    ({"start": {"x1": "a"}}, "start of x1 must be a number"),
    ({"nan_policy": "bogus"}, "nan_policy must be 'raise' or 'omit'"),
    ({"maxiter": 0}, "maxiter must be a positive integer"),
    ({"maxiter": -1}, "maxiter must be a positive integer"),
    ({"maxiter": 2.5}, "maxiter must be a positive integer"),
])
def test_regress_rejects_bad_arguments(df: pd.DataFrame, kw: dict, match: str) -> None:
    # were a bare ValueError (formulas, fixed/start strings) or silently accepted (maxiter<=0,
    # an unknown nan_policy read as 'omit')
    with pytest.raises(mk.ParameterError, match=match):
        mk.regress("yn ~ x1", df, **kw)


def test_regress_valid_arguments_unchanged(df: pd.DataFrame) -> None:
    r = mk.regress("yn ~ x1", df, formulas=None, maxiter=200, nan_policy="raise",
                   fixed={"x1": np.float32(0.5)})
    assert r.params["x1"] == 0.5
    assert mk.regress("yn ~ x1", df, maxiter=np.int64(50)).converged


def test_predict_rejects_bad_new_data(df: pd.DataFrame) -> None:
    r = mk.regress("yn ~ x1 + x2", df, formulas={"sigma": "~ x1"})
    with pytest.raises(mk.DataError, match="new must be a DataFrame"):
        r.predict(3.0)                                    # was pandas' ValueError
    with pytest.raises(mk.DataError, match="q must be numbers"):
        r.predict(df, what="quantile", q="g")             # a string column; was ValueError
    with pytest.raises(mk.ParameterError, match="q must lie strictly between 0 and 1"):
        r.predict(df, what="quantile", q=np.nan)          # was an all-NaN answer
    with pytest.raises(mk.ParameterError, match="needs x="):
        r.predict(df, what="sf")                          # was an all-NaN answer
    got = r.predict(df.head(3), what="quantile", q=0.5)   # valid input: as before
    assert np.allclose(got["estimate"], r.predict(df.head(3), what="mu")["mu"])
    ra = mk.regress(y=df["yn"], X=np.column_stack([np.ones(len(df)), df["x1"]]))
    with pytest.raises(mk.DataError, match="numeric design matrix"):
        ra.predict(np.full((3, 2), "a"))                  # was ValueError
    with pytest.raises(mk.DataError, match="design columns"):
        ra.predict(np.ones((3, 2, 2)))                    # was numpy's axis error
    assert len(ra.predict(np.ones((3, 2)))) == 3


def test_predict_rejects_nonpositive_exposure(df: pd.DataFrame) -> None:
    r = mk.regress("yp ~ x1", df, "poisson", exposure="expo")
    new = df.head(4)
    for bad in (np.zeros(4), np.array([1.0, -1.0, 1.0, 1.0]), np.array([1.0, np.nan, 1.0, 1.0])):
        with pytest.raises(mk.DataError, match="exposure must be positive"):
            r.predict(new, exposure=bad)                  # was numpy's divide-by-zero warning
    got = r.predict(new, exposure="expo", what="rate")
    assert np.allclose(got["rate"], r.predict(new, exposure=new["expo"], what="rate")["rate"])


def test_binomial_successes_above_trials_named(df: pd.DataFrame) -> None:
    # was "the log-likelihood must be finite at the starting values" (a ParameterError that
    # blamed the start, not the data)
    d = df.assign(k=np.minimum(df["yp"], 3))
    with pytest.raises(mk.DataError, match=r"successes out of n=2 trials.*first at row"):
        mk.regress("k ~ x1", d, mk.Binomial(n=2))
    r = mk.regress("k ~ x1", d, mk.Binomial(n=3))     # in support: fits as before
    assert r.converged


@pytest.mark.parametrize("data, match", [
    ({"yn": [1.0, 2.0, 3.0], "x1": [1.0, 2.0]}, "dict of equal-length columns"),
    ({"yn": 1.0, "x1": 2.0}, "dict of equal-length columns"),
])
def test_regress_unreadable_data_named(data: dict, match: str) -> None:
    # were pandas' ValueError from the DataFrame constructor
    with pytest.raises(mk.DataError, match=match):
        mk.regress("yn ~ x1", data)


def test_regress_duplicate_columns_and_complex_named(df: pd.DataFrame) -> None:
    dup = pd.concat([df[["yn", "x1"]], df[["x1"]]], axis=1)
    with pytest.raises(mk.DataError, match="duplicate column names \\(x1\\)"):
        mk.regress("yn ~ x1", dup)                        # was AttributeError (.dtype)
    with pytest.raises(mk.DataError, match="covariates must be real numbers"):
        mk.regress("yn ~ c", df.assign(c=df["x1"] + 1j))  # was a ComplexWarning
    with pytest.raises(mk.DataError, match="response must be real numbers"):
        mk.regress("c ~ x1", df.assign(c=df["yn"] + 1j))


def test_regress_huge_responses_named(df: pd.DataFrame) -> None:
    # was numpy's overflow warning in the starting values, then a ParameterError blaming them
    with pytest.raises(mk.DataError, match="rescale"):
        mk.regress("yn ~ x1", df.assign(yn=df["yn"] * 1e300))
    r = mk.regress("yn ~ x1", df.assign(yn=df["yn"] * 1e6))   # large but fine: as before
    base = mk.regress("yn ~ x1", df)
    assert r.params["x1"] == pytest.approx(base.params["x1"] * 1e6, rel=1e-6)


def test_a_formula_column_missing_from_a_wide_frame_lists_a_bounded_number_of_columns() -> None:
    import pandas as pd

    df = pd.DataFrame(np.ones((3, 3000)), columns=[f"c{i}" for i in range(3000)])
    with pytest.raises(mk.DataError) as err:
        mk.regress("y ~ x", data=df, family="normal")
    msg = str(err.value)
    assert "not in the data: y, x;" in msg and "c0, c1" in msg and "(2980 more, 3000 in all)" in msg
    assert len(msg) < 500


@pytest.mark.parametrize("formula, col", [("y ~ x", "y"), ("y ~ x", "x"),
                                          ("y ~ np.log(x) + I(x ** 2)", "x")])
def test_infinite_values_in_a_formula_are_named(formula: str, col: str) -> None:
    import pandas as pd

    df = pd.DataFrame({"y": [1.0, 1.5, 2.0, 3.0, 2.5, 1.2], "x": [2.0, 3.0, 4.0, 1.0, 2.0, 5.0]})
    df.loc[3, col] = np.inf
    what = "the response" if col == "y" else "the covariates"
    for policy in ("raise", "omit"):
        with pytest.raises(mk.DataError, match=f"{what} must be finite; got infinite values in "
                                               r"1 row \(first at data row 3\)"):
            mk.regress(formula, data=df, family="normal", nan_policy=policy)
