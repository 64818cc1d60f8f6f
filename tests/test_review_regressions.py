"""Regressions found in a review of the core estimator and the inference layer."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import mlekit as mk


def _t_sample(n: int = 200, seed: int = 5) -> np.ndarray:
    return np.asarray(mk.StudentT(mu=1.0, sigma=2.0, df=4.0).sample(n, rng=seed), dtype=float)


@pytest.mark.parametrize("c", [1e-9, 1e9])
def test_newton_location_is_scale_equivariant(c: float) -> None:
    # the Newton step cap was 4 data units for real-line parameters: at 1e9 units the fit
    # stalled and Nelder-Mead returned a wrong, "converged" answer (mu off by 5%)
    x = _t_sample()
    r1 = mk.fit(x, "student_t")
    rc = mk.fit(x * c, "student_t")
    assert rc.method == r1.method == "newton"
    assert rc.params["mu"] == pytest.approx(r1.params["mu"] * c, rel=1e-7)
    assert rc.params["sigma"] == pytest.approx(r1.params["sigma"] * c, rel=1e-7)
    assert rc.params["df"] == pytest.approx(r1.params["df"], rel=1e-7)
    assert rc.se["mu"] == pytest.approx(r1.se["mu"] * c, rel=1e-6)


@pytest.mark.parametrize("family", ["normal", "cauchy", "logistic", "gumbel"])
def test_censored_location_scale_fit_at_1e9_units(family: str) -> None:
    x = np.asarray(mk.get_family(family).with_params(**{
        "normal": {"mu": 3.0, "sigma": 2.0}, "cauchy": {"loc": 1.0, "scale": 2.0},
        "logistic": {"loc": 1.0, "scale": 2.0}, "gumbel": {"loc": 1.0, "scale": 2.0},
    }[family]).sample(200, rng=1), dtype=float)
    c = float(np.quantile(x, 0.7))
    obs = x <= c
    xc = np.where(obs, x, c)
    r1 = mk.fit(mk.Data.right_censored(xc, observed=obs), family)
    rb = mk.fit(mk.Data.right_censored(xc * 1e9, observed=obs), family)  # no ConvergenceWarning
    assert rb.converged
    for p, v in r1.params.items():
        assert rb.params[p] == pytest.approx(v * 1e9, rel=1e-7), p


@pytest.mark.parametrize(("offset", "unit"), [(1e6, 1.0), (0.0, 1e-9), (1e5, 1e-3)])
def test_numerical_derivatives_use_the_data_units(offset: float, unit: float) -> None:
    # censored Student-t uses numerical derivatives; their step for mu was max(1, |mu|) in
    # absolute units: 1e6 sigmas for data in 1e-9 units, 1e6 sigmas for data offset by 1e6.
    # The SE of mu came out 45% too large (and Newton stalled into Nelder-Mead).
    x = _t_sample(seed=0)
    c = float(np.quantile(x, 0.7))
    obs = x <= c
    xc = np.where(obs, x, c)
    ref = mk.fit(mk.Data.right_censored(xc, observed=obs), "student_t")
    r = mk.fit(mk.Data.right_censored(offset + xc * unit, observed=obs), "student_t")
    assert not r.method.startswith("nelder-mead")
    assert (r.params["mu"] - offset) / unit == pytest.approx(ref.params["mu"], rel=1e-6, abs=1e-6)
    assert r.params["sigma"] / unit == pytest.approx(ref.params["sigma"], rel=1e-6)
    assert r.se["mu"] / unit == pytest.approx(ref.se["mu"], rel=1e-4)
    assert r.se["sigma"] / unit == pytest.approx(ref.se["sigma"], rel=1e-4)


def test_right_censoring_under_upper_truncation_stays_inside_the_range() -> None:
    # sampling truncated to [0, 0.9] and "X >= 0.3": the probability is F(0.9) - F(0.3), not
    # S(0.3). With S(0.3) the probability exceeded 1, the log-likelihood grew without bound as
    # rate -> 0 and the fit crashed (ZeroDivisionError) or reported a log-likelihood of 744.
    d = mk.Data.right_censored([0.1, 0.2, 0.3], observed=[True, True, False], truncation=(None, 0.9))
    r = mk.fit(d, "exponential")

    def ll(rate: float) -> float:
        return (2 * math.log(rate) - 0.3 * rate + math.log(math.exp(-0.3 * rate) - math.exp(-0.9 * rate))
                - 3 * math.log(-math.expm1(-0.9 * rate)))

    from scipy.optimize import minimize_scalar
    ref = minimize_scalar(lambda t: -ll(t), bounds=(1e-3, 50.0), method="bounded",
                          options={"xatol": 1e-10})
    assert r.params["rate"] == pytest.approx(ref.x, rel=1e-6)
    assert r.loglik == pytest.approx(ll(r.params["rate"]), rel=1e-12)
    assert r.converged and not r.on_boundary


def test_left_censoring_under_lower_truncation_counts_from_the_range_start() -> None:
    # discrete: "X <= 2" with sampling truncated to X >= 1 is P(1 <= X <= 2) = F(2) - F(0)
    from scipy import stats

    d = mk.Data.left_censored([2.0, 3, 4, 5, 2], observed=[False, True, True, True, False],
                              truncation=(1, None))
    r = mk.fit(d, "poisson")
    lam = r.params["rate"]
    ref = (stats.poisson.logpmf([3, 4, 5], lam).sum()
           + 2 * math.log(stats.poisson.cdf(2, lam) - stats.poisson.cdf(0, lam))
           - 5 * stats.poisson.logsf(0, lam))
    assert r.loglik == pytest.approx(ref, rel=1e-12)
    # continuous: "X <= 0.4" with sampling truncated to X >= 0.2
    d = mk.Data.left_censored([0.4, 0.5, 0.9, 1.3], observed=[False, True, True, True],
                              truncation=(0.2, None))
    r = mk.fit(d, "normal")
    n = stats.norm(r.params["mu"], r.params["sigma"])
    ref = (n.logpdf([0.5, 0.9, 1.3]).sum() + math.log(n.cdf(0.4) - n.cdf(0.2))
           - 4 * n.logsf(0.2))
    assert r.loglik == pytest.approx(ref, rel=1e-10)
    # the same data as explicit intervals inside the range give the same fit
    di = mk.Data.interval([0.2, 0.5, 0.9, 1.3], [0.4, 0.5, 0.9, 1.3], truncation=(0.2, None))
    ri = mk.fit(di, "normal")
    assert ri.params["mu"] == pytest.approx(r.params["mu"], abs=1e-5 * r.se["mu"])
    assert ri.loglik == pytest.approx(r.loglik, rel=1e-12)


@pytest.mark.parametrize(("family", "start"), [
    ("normal", {"sigma": 1e-300}),       # was ZeroDivisionError
    ("gamma", {"shape": 1e300}),         # was a false BoundaryWarning at the right answer
    ("student_t", {"df": 1e-300}),       # was df = 1e283, not converged (the MLE is df = 2.08)
])
def test_a_far_off_start_is_a_guess_not_a_verdict(family: str, start: dict[str, float]) -> None:
    x = np.asarray(mk.Gamma(shape=2.0, scale=1.0).sample(50, rng=1), dtype=float)
    d = mk.Data.right_censored(x, observed=x < 3)
    ref = mk.fit(d, family)
    r = mk.fit(d, family, start=start)
    assert r.converged
    assert not r.on_boundary
    for p, v in ref.params.items():
        assert r.params[p] == pytest.approx(v, rel=1e-6), p


def test_sandwich_scores_follow_the_truncated_censored_likelihood() -> None:
    # the per-observation scores must be those of the likelihood that was maximised: they sum
    # to zero at the estimate (right-censored rows under an upper truncation point included)
    from mlekit._fit.scores import observation_scores

    x = np.asarray(mk.Weibull(shape=1.5, scale=2.0).sample(300, rng=2), dtype=float)
    x = x[x < 4]
    d = mk.Data.right_censored(np.minimum(x, 3), observed=x < 3, truncation=(None, 4))
    r = mk.fit(d, "weibull", cov="sandwich")
    parts = observation_scores(r.likelihood, tuple(r.params.values()), [0, 1])
    total = sum((G * w[:, None]).sum(axis=0) for G, w in parts)
    assert np.abs(total).max() < 1e-6


@pytest.mark.parametrize("c", [1e-9, 1e9])
def test_profile_intervals_of_derived_quantities_are_scale_equivariant(c: float) -> None:
    # the region-extreme search (SLSQP) and the delta-method gradient stepped locations by
    # absolute amounts: B10 life of a normal fit in 1e-9 units came out (0.289, 1.393) x 1e-9
    # instead of (0.241, 1.467) x 1e-9
    x = np.asarray(mk.Normal(mu=3.0, sigma=2.0).sample(60, rng=11), dtype=float)
    r1 = mk.fit(x, "normal")
    rc = mk.fit(x * c, "normal")
    q1 = r1.quantile(0.1, method="profile").ci
    qc = rc.quantile(0.1, method="profile").ci
    assert qc[0] / c == pytest.approx(q1[0], rel=1e-6)
    assert qc[1] / c == pytest.approx(q1[1], rel=1e-6)
    s1 = r1.sf(4.0)
    sc = rc.sf(4.0 * c)
    assert sc.estimate == pytest.approx(s1.estimate, rel=1e-9)
    assert sc.se == pytest.approx(s1.se, rel=1e-5)


def test_profile_interval_of_a_scale_with_a_location_nuisance_at_1e9_units() -> None:
    # the nuisance maximisation stopped when |d ll / d mu| < 1e-9: always true for data in
    # 1e9 units, so the "profile" was not maximised over mu and the interval came out wrong
    x = np.asarray(mk.Logistic(loc=1.0, scale=2.0).sample(60, rng=3), dtype=float)
    p1 = mk.fit(x, "logistic").ci(method="profile")["scale"]
    pc = mk.fit(x * 1e9, "logistic").ci(method="profile")["scale"]
    assert pc[0] / 1e9 == pytest.approx(p1[0], rel=1e-7)
    assert pc[1] / 1e9 == pytest.approx(p1[1], rel=1e-7)


def test_grouped_fits_are_scale_equivariant_for_locations() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_t(4, 600) * 2 + 1
    g = np.repeat([0, 1, 2], 200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = mk.fit(x, "student_t", by=g)
        for s in (1e9, 1e-9):
            r = mk.fit(x * s, "student_t", by=g)
            assert list(r.params["status"]) == ["ok"] * 3
            np.testing.assert_allclose(r.params["mu"] / s, ref.params["mu"], rtol=1e-8)
            np.testing.assert_allclose(r.params["se_mu"] / s, ref.params["se_mu"], rtol=1e-6)


def test_grouped_censoring_under_truncation_equals_separate_fits() -> None:
    rng = np.random.default_rng(1)
    t = 2 * rng.weibull(1.5, 400)
    t = t[t < 4]
    obs = t < 3
    d = mk.Data.right_censored(np.minimum(t, 3), observed=obs, truncation=(None, 4))
    gg = np.arange(t.size) % 2
    g = mk.fit(d, "weibull", by=gg)
    for i in (0, 1):
        sel = gg == i
        sep = mk.fit(mk.Data.right_censored(np.minimum(t, 3)[sel], observed=obs[sel],
                                            truncation=(None, 4)), "weibull")
        assert g.params["shape"].iloc[i] == pytest.approx(sep.params["shape"], rel=1e-10)
        assert g.params["status"].iloc[i] == "ok"


def test_nelder_mead_fallback_is_not_called_converged_where_the_score_is_not_zero() -> None:
    # uniform data truncated to [0, 5] fitted as a truncated normal: the likelihood keeps
    # rising as mu -> -inf with sigma growing; never a silent "converged"
    x = np.random.default_rng(2).uniform(0, 5, 200)
    with pytest.warns(mk.ConvergenceWarning), warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.NumericalWarning)
        r = mk.fit(mk.Data(x, truncation=(0, 5)), "normal")
    assert not r.converged


def test_a_location_running_off_is_flagged() -> None:
    from mlekit._fit.newton import newton_fit  # noqa: F401  (the path under test)

    x = np.random.default_rng(0).uniform(0, 5, 200)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = mk.fit(mk.Data(x, truncation=(0, 5)), "normal")
    assert rec and (not r.converged or any(d.code == "boundary" for d in r.diagnostics))
