"""Regression tests for the robustness review (../shared/ROBUSTNESS-REVIEW.md, issue 11)."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest

import mlekit as mk


# --- F1: a weight of 0 means the row is absent, in every estimator
@pytest.mark.parametrize("family,x,w", [
    ("uniform", [0.5, 1.0, 2.0, 100.0], [1, 1, 1, 0]),
    ("pareto", [0.01, 1.0, 2.0, 3.0], [0, 1, 1, 1]),
    ("normal", [0.01, 1.0, 2.0, 3.0], [0, 1, 1, 1]),
])
def test_zero_weight_is_absent_row(family: str, x: list[float], w: list[float]) -> None:
    kept = [v for v, wi in zip(x, w) if wi]
    a = mk.fit(x, family, weights=w)
    b = mk.fit(kept, family)
    assert a.params == pytest.approx(b.params, rel=1e-9)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-9)


def test_zero_weight_is_absent_row_grouped() -> None:
    x = [0.5, 1.0, 2.0, 100.0, 1.0, 2.0, 3.0]
    g = mk.fit(x, "uniform", weights=[1, 1, 1, 0, 1, 1, 1], by=[0, 0, 0, 0, 1, 1, 1])
    assert g.params.loc[0, "high"] == 2.0


def test_zero_weight_row_outside_support_is_ignored() -> None:
    res = mk.fit([-1.0, 1.0, 2.0, 3.0], "exponential", weights=[0, 1, 1, 1])
    assert res.params["rate"] == pytest.approx(0.5)


# --- F4: masked entries are missing values
def test_masked_array_mask_is_missing() -> None:
    x = np.ma.masked_array([1.0, 2.0, 3.0, 1000.0, 2.5], mask=[0, 0, 0, 1, 0])
    with pytest.raises(mk.DataError, match="missing"):
        mk.fit(x, "normal")
    assert mk.fit(x, "normal", nan_policy="omit").params["mu"] == pytest.approx(2.125)
    nomask = np.ma.masked_array([1.0, 2.0, 3.0])
    assert mk.fit(nomask, "normal").params["mu"] == pytest.approx(2.0)


# --- F8 / F9: no raw arithmetic exception, and "converged" means finite
_A = np.array([1, 2, 3, 4.5])


@pytest.mark.parametrize("x,family,kw", [
    (_A * 1e-170, "normal", {}), (_A * 1e-300, "rayleigh", {}), (_A * 1e-170, "weibull", {}),
    (_A * 1e160, "weibull", {}), (_A * 1e160, "inverse_gaussian", {}),
    (_A * 1e-170, "inverse_gaussian", {}), ([1.0, 2.0, 3.0, 2.5, 5e-324], "inverse_gaussian", {}),
    (np.random.default_rng(0).normal(0.5, 2, 50) * 1e100, "student_t", {}),
    ([1, 2, 3, 4.0], "normal", {"fixed": {"mu": 1e300}}),
    ([1, 2, 3, 4.0], "normal", {"fixed": {"sigma": 1e-300}}),
    ([1, 2, 3, 4.0], "gumbel", {"fixed": {"scale": 1e-300}}),
    ([.2, .4, .5, .7], "beta", {"fixed": {"a": 1e300}}),
    ([1, 2, 3, 4.0], "weibull", {"fixed": {"shape": 1e300}}),
    ([1, 2, 3, 4.0], "lognormal", {"fixed": {"sigma": 1e-300}}),
    (_A * 1e155, "rayleigh", {}), ([1e308, 1.7e308, 1e300], "normal", {}),
])
def test_extreme_magnitudes_clean(x: object, family: str, kw: dict[str, object]) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = mk.fit(x, family, **kw)
    except mk.MlekitError:
        return
    if res.converged:
        assert all(np.isfinite(v) for v in res.params.values()) and np.isfinite(res.loglik)


def test_nonfinite_estimate_is_not_converged() -> None:
    from mlekit._fit.assemble import nonfinite_diagnostic

    assert nonfinite_diagnostic({"a": 1.0}, -3.0) is None
    d = nonfinite_diagnostic({"a": np.inf}, -3.0)
    assert d is not None and d.severity == "warning" and "overflow" in d.message
    assert nonfinite_diagnostic({"a": 1.0}, -np.inf) is not None


# --- F11 / F12: compare and gof at huge magnitudes
def test_compare_huge_continuous_not_counts() -> None:
    x = np.random.default_rng(1).gamma(2, 1, 30) * 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cmp = mk.compare(x, "all", gof=False)
    assert not any(mk.get_family(f).discrete for f in list(cmp.fits) + list(cmp.failed))


def test_compare_tiny_values_no_crash() -> None:
    x = np.random.default_rng(0).gamma(2, 1, 30) * 1e-200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mk.compare(x, "all", n_boot=5, rng=0)


def test_gof_simulator_out_of_range_is_clean() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = mk.fit([1e200, 2e200, 3e200, 5e200], "negative_binomial")
        except mk.MlekitError:
            return
        with pytest.raises(mk.MlekitError):
            mk.gof(res, n_boot=5, rng=0)


# --- F13: a degenerate sandwich is flagged
@pytest.mark.parametrize("x,family", [([3.5], "exponential"),
                                      (np.full(678, 1.0925134), "exponential"),
                                      ([3.5, 3.6], "normal")])
def test_degenerate_sandwich_flagged(x: object, family: str) -> None:
    with pytest.warns(mk.NumericalWarning, match="sandwich"):
        res = mk.fit(x, family, cov="sandwich")
    assert any(d.code == "degenerate-sandwich" for d in res.diagnostics)


# --- F15: mistyped arguments
def test_mistyped_arguments() -> None:
    res = mk.fit([1.0, 2.0, 3.0, 4.0, 5.0], "normal")
    with pytest.raises(mk.ParameterError, match="rng"):
        res.ci(method="bootstrap", n_boot=5, rng="abc")
    with pytest.raises(mk.ParameterError, match="rng"):
        mk.gof(res, n_boot=5, rng="x")
    for bad in ("10", 0, -1, 2.5, True):
        with pytest.raises(mk.ParameterError, match="maxiter"):
            mk.fit([1.0, 2.0, 3.0], "cauchy", maxiter=bad)


# --- F3: failures and survivors at one time: the degenerate diagnostic, no OverflowError
@pytest.mark.parametrize("family", ["weibull", "gamma", "normal", "lognormal", "gumbel"])
def test_censored_ties_degenerate(family: str) -> None:
    with pytest.warns(mk.BoundaryWarning):
        res = mk.fit(mk.Data.right_censored([1.0, 1.0], [True, False]), family)
    assert not res.converged
    assert any(d.code == "degenerate" for d in res.diagnostics)


# --- entry points: a missing key is a KeyError and an MlekitError
def test_missing_keys() -> None:
    cmp = mk.compare([1.0, 2.0, 3.0, 4.0, 5.0], ["normal", "gamma"], gof=False)
    with pytest.raises(mk.NotFoundError, match="weibull"):
        cmp["weibull"]
    g = mk.fit([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "normal", by=[0, 0, 0, 1, 1, 1])
    with pytest.raises(KeyError):
        g["x"]
    with pytest.raises(mk.MlekitError):
        g["x"]
    res = mk.fit([1.0, 2.0, 3.0, 4.0, 5.0], "normal")
    with pytest.raises(mk.NotFoundError):
        mk.gof(res, n_boot=0)["nope"]


# --- F6: student_t tries a small-df basin; weights=2 equals duplicated rows
def test_student_t_small_df_basin() -> None:
    t4 = [-4.4, 287.5, -5e-13, -9.8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = mk.fit(t4, "student_t")
        b = mk.fit(t4, "student_t", weights=[2] * 4)
        c = mk.fit(t4 + t4, "student_t")
    assert a.params["df"] < 10 and a.loglik > -25.0
    assert b.loglik == pytest.approx(c.loglik, rel=1e-9)
    assert b.params == pytest.approx(c.params, rel=1e-5)


# --- F15 / F16: raw exceptions for mistyped arguments are MlekitErrors
def _f15_cases() -> dict[str, object]:
    import pandas as pd

    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    df = pd.DataFrame({"t": rng.weibull(2, 60) + 0.1, "x1": rng.normal(size=60),
                       "y": rng.normal(size=60)})

    def m_ok(x, mu, sigma):  # type: ignore[no-untyped-def]
        return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma)

    def rec(x, mu, sigma):  # type: ignore[no-untyped-def]
        return rec(x, mu, sigma)

    model = mk.model(sigma=mk.Positive)
    return {
        "mix maxiter=0": lambda: mk.fit_mixture(x, "normal", k=2, maxiter=0),
        "mix rng": lambda: mk.fit_mixture(x, "normal", k=2, rng="abc"),
        "binom n=ten": lambda: mk.Binomial(n="ten"),
        "regress observed short": lambda: mk.regress("t ~ x1", df, "weibull",
                                                     observed=np.ones(3)),
        "regress weights short": lambda: mk.regress("t ~ x1", df, weights=np.ones(3)),
        "regress X str": lambda: mk.regress(y=df.y.values, X=np.array([["a", "b"]] * 60)),
        "Interval(5,1)": lambda: mk.model(sigma=mk.Interval(5, 1)),
        "Interval(nan,1)": lambda: mk.Interval(float("nan"), 1),
        "recursion": lambda: mk.fit(model(rec), data={"x": x}),
        "by 2d": lambda: mk.fit(x, "normal", by=np.zeros((40, 2))),
        "model no data": lambda: mk.fit(model(m_ok)),
        "model empty": lambda: mk.fit(model(m_ok), data=[]),
        "model empty dict": lambda: mk.fit(model(m_ok), data={"x": []}),
        "regress zero weights": lambda: mk.regress("y ~ x1", df, weights=np.zeros(60)),
        "regress all censored": lambda: mk.regress("t ~ x1", df, "weibull",
                                                   observed=np.zeros(60, bool)),
    }


@pytest.mark.parametrize("case", sorted(_f15_cases()))
def test_mistyped_raise_mlekit_error(case: str) -> None:
    fn = _f15_cases()[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(mk.MlekitError):
            fn()  # type: ignore[operator]


def test_wald_log_huge_se_no_overflow() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(np.zeros(10), "negative_binomial")
        res.ci(method="wald-log")


# --- F7: beta on constant data is degenerate at once; bootstrap / gof do not refit for ever
def test_beta_constant_is_degenerate_at_once() -> None:

    with pytest.warns(mk.BoundaryWarning):
        res = mk.fit(np.full(10, 0.3), "beta")
    assert res.method == "degenerate"
    # gof refuses a degenerate fit before drawing a resample; the constant group of a grouped
    # fit is degenerate at once (no Newton), and its bootstrap ends
    with pytest.raises(mk.ParameterError):
        mk.gof(res, n_boot=10, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = np.concatenate([np.full(10, 0.3), np.random.default_rng(0).beta(2, 3, 20)])
        g = mk.fit(x, "beta", by=[0] * 10 + [1] * 20)
        assert list(g.method) == ["degenerate", "newton"]
        with contextlib.suppress(mk.MlekitError):
            g.ci(method="bootstrap", n_boot=3, rng=0)


# --- F8 / F9: scale equivariance of the in-memory fit at extreme magnitudes
@pytest.mark.parametrize("family", ["normal", "rayleigh", "weibull", "inverse_gaussian", "gamma",
                                    "exponential", "logistic", "gumbel", "cauchy", "laplace",
                                    "loglogistic", "lomax", "pareto", "uniform", "student_t"])
@pytest.mark.parametrize("k", [-300, -170, 160, 300])
def test_scale_equivariance_extremes(family: str, k: int) -> None:
    rng = np.random.default_rng(3)
    x = rng.pareto(2.5, 40) * 2.0 + 0.01 if family == "lomax" else rng.gamma(3.0, 1.0, 40) + 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = mk.fit(x, family)
        big = mk.fit(x * 10.0**k, family)
    fam = mk.get_family(family)
    for p, v in base.params.items():
        expect = v * (10.0**k) ** fam.scale_powers[p]
        assert big.params[p] == pytest.approx(expect, rel=1e-6), p
    assert big.converged == base.converged
    n = len(x)
    assert big.loglik == pytest.approx(base.loglik - n * k * np.log(10.0), rel=1e-8, abs=1e-6)


def test_huge_normal_is_finite() -> None:
    res = mk.fit([1e308, 1.7e308, 1e300], "normal")
    assert res.params["mu"] == pytest.approx(9.0e307, rel=1e-3)
    assert np.isfinite(res.params["sigma"]) and np.isfinite(res.loglik)


# --- F14: a location-scale fit whose scale collapsed is flagged on the boundary
def test_truncated_cauchy_collapse_flagged() -> None:
    x = [0.3727114694058213, 1192469.7199283966, 0.8456396242599791, 0.3920673512140776,
         1.1723522895969911, 0.3145618427908185, 0.37391521603591965, 1.1924697199283967,
         0.8660248594330044, 0.6131343903664126]
    with pytest.warns(mk.BoundaryWarning, match="collapsed"):
        res = mk.fit(mk.Data(x, truncation=(0.29369605889969236, None)), "cauchy")
    assert "scale" in res.on_boundary


# --- F17: a missing or zero-width delta interval says why
def test_derived_interval_note() -> None:
    res = mk.fit([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.5], "weibull")
    h = res.hazard(0.0)
    assert "no interval" in h.note and "no interval" in repr(h)
    assert res.quantile(0.5).note == ""
    assert "note" in h.to_dict()


# --- F11 (web): a job with gof on huge values answers with a table, not an InternalError
def test_web_job_huge_values_no_internal_error() -> None:
    pytest.importorskip("fastapi")
    from mlekit.web._compute import compare_payload, fit_payload

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = compare_payload({"values": [1e200, 2e200, 3e200, 5e200], "families": "all",
                               "gof": True, "n_boot": 5}, lambda *a: None)
        assert out.get("error") is None
        for values, fam in (([1e300, 2e300, 3e300], "weibull"), ([1e-300, 2e-300, 3e-300], "normal"),
                            ([1.0, 1.0], "weibull")):
            res = fit_payload({"values": values, "family": fam})
            assert res.get("error") is None or res["error"]["type"] != "InternalError"


def test_distribution_api_extreme_parameters() -> None:
    d = mk.Pareto(shape=2.0, scale=1e200)
    with np.errstate(all="ignore"):
        assert np.isfinite(d.cdf(3e200))


# --- F2: profile intervals of results without a re-evaluable likelihood refuse, never NaN
def test_profile_of_regression_is_finite() -> None:
    import pandas as pd

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x1": rng.normal(size=60)})
    df["y"] = 1 + 2 * df.x1 + rng.normal(size=60)
    res = mk.regress("y ~ x1", df)
    prof, wald = res.ci(method="profile"), res.ci()
    for name, (lo, hi) in prof.items():       # F2: no more (nan, nan)
        assert np.isfinite(lo) and np.isfinite(hi) and lo < res.params[name] < hi
        assert lo == pytest.approx(wald[name][0], rel=0.2, abs=0.05)


# --- F5: all-zero counts in a log-link regression: no MLE, flagged
def test_regression_all_zero_counts_flagged() -> None:
    import pandas as pd

    df = pd.DataFrame({"x1": np.random.default_rng(0).normal(size=60), "cnt": 0.0})
    with pytest.raises(mk.DataError, match="all-zero outcome"):
        mk.regress("cnt ~ x1", df, "poisson")


# --- F10: a very wide upload is refused at once (422), before any per-column work
def test_web_wide_csv_refused(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastapi")
    from pathlib import Path

    from mlekit.web import _datasets
    from mlekit.web._datasets import MAX_COLUMNS, read_table_file
    from mlekit.web._errors import WebError

    p = Path(str(tmp_path)) / "wide.csv"
    n = 100_000
    p.write_text(",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" * n) + "\n")

    def parsed(*args: object) -> None:   # the per-column work must not start
        raise AssertionError("the wide file reached the CSV parser")

    with monkeypatch.context() as m:
        m.setattr(_datasets, "_csv_frame", parsed)
        m.setattr(_datasets, "_count_lines", parsed)
        with pytest.raises(WebError) as info:
            read_table_file(p, "wide.csv")
    assert info.value.status == 422 and info.value.type == "TooManyColumns"
    q = Path(str(tmp_path)) / "ok.csv"
    q.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS // 2)) + "\n"
                 + ",".join("1" * (MAX_COLUMNS // 2)) + "\n")
    assert read_table_file(q, "ok.csv").shape == (1, MAX_COLUMNS // 2)


# --- grouped fits at extreme magnitudes: flagged or a clean error, never a raw exception
@pytest.mark.parametrize("family", ["normal", "weibull", "rayleigh", "gamma"])
@pytest.mark.parametrize("scale", [1e-170, 1e160, 1e300])
def test_grouped_extreme_magnitudes_clean(family: str, scale: float) -> None:
    x = np.array([1, 2, 3, 4.5, 2, 3]) * scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            g = mk.fit(x, family, by=[0, 0, 0, 1, 1, 1])
            r = g[0]
        except mk.MlekitError:
            return
    if r.converged:
        assert all(np.isfinite(v) for v in r.params.values()) and np.isfinite(r.loglik)
