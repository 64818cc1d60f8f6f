"""Profile-likelihood intervals: checked against closed-form profiles and brute force."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import optimize, stats

import mlekit as mk
from conftest import SEED_FIVE

Q95 = stats.chi2.ppf(0.95, 1)


def _roots(pl, mle: float, lo: float, hi: float, q: float = Q95) -> tuple[float, float]:
    top = pl(mle)
    f = lambda v: 2 * (top - pl(v)) - q  # noqa: E731
    return optimize.brentq(f, lo, mle, xtol=1e-14), optimize.brentq(f, mle, hi, xtol=1e-14)


def test_exponential_rate_matches_closed_form(rng: np.random.Generator) -> None:
    x = rng.exponential(2.0, size=20)
    res = mk.fit(x, "exponential")
    n, S = x.size, x.sum()
    lo, hi = _roots(lambda r: n * math.log(r) - r * S, n / S, 1e-8, 100.0)
    got = res.ci(method="profile")["rate"]
    assert got == pytest.approx((lo, hi), rel=1e-9)


def test_normal_mu_and_sigma_match_closed_form(rng: np.random.Generator) -> None:
    x = rng.normal(3.0, 2.0, size=15)
    res = mk.fit(x, "normal")
    n, m, s2 = x.size, x.mean(), x.var()
    pl_sigma = lambda s: -n * math.log(s) - n * s2 / (2 * s * s)  # noqa: E731
    pl_mu = lambda mu: -n / 2 * math.log(s2 + (m - mu) ** 2)  # noqa: E731
    ci = res.ci(method="profile")
    assert ci["sigma"] == pytest.approx(_roots(pl_sigma, math.sqrt(s2), 1e-3, 100.0), rel=1e-9)
    assert ci["mu"] == pytest.approx(_roots(pl_mu, m, m - 100, m + 100), rel=1e-9, abs=1e-9)
    ci90 = res.ci(level=0.9, method="profile")
    q90 = stats.chi2.ppf(0.9, 1)
    assert ci90["sigma"] == pytest.approx(_roots(pl_sigma, math.sqrt(s2), 1e-3, 100.0, q90), rel=1e-9)


def test_right_censored_weibull_against_closed_form_profile(rng: np.random.Generator) -> None:
    t = rng.weibull(1.7, size=40) * 10.0
    c = rng.uniform(0, 20, size=40)
    obs = t <= c
    y = np.minimum(t, c)
    res = mk.fit(mk.Data.right_censored(y, obs), "weibull")
    d = obs.sum()

    def pl(k: float) -> float:         # scale maximised in closed form given the shape
        lam = (np.sum(y**k) / d) ** (1 / k)
        z = y / lam
        return float(np.sum(obs * (np.log(k / lam) + (k - 1) * np.log(z))) - np.sum(z**k))

    want = _roots(pl, res.params["shape"], 0.05, 20.0)
    assert res.ci(method="profile")["shape"] == pytest.approx(want, rel=1e-8)


def test_truncated_normal_against_brute_force(rng: np.random.Generator) -> None:
    x = rng.normal(1.0, 1.5, size=2000)
    x = x[(x > 0) & (x < 4)][:300]
    res = mk.fit(mk.Data(x, truncation=(0, 4)), "normal")

    def ll(mu: float, s: float) -> float:
        z = stats.norm(mu, s)
        return float(np.sum(z.logpdf(x)) - x.size * math.log(z.cdf(4) - z.cdf(0)))

    def pl(s: float) -> float:
        r = optimize.minimize_scalar(lambda mu: -ll(mu, s), bracket=(0.0, 2.0), tol=1e-12)
        return -float(r.fun)

    want = _roots(pl, res.params["sigma"], 0.5, 5.0)
    assert res.ci(method="profile")["sigma"] == pytest.approx(want, rel=1e-6)


def test_truncated_normal_open_sides(rng: np.random.Generator) -> None:
    # 60 points on [0, 4]: as mu -> -inf and sigma -> inf (mu/sigma^2 -> -rate) the truncated
    # normal tends to a truncated exponential, whose best fit is inside the 95% region: the
    # interval for mu is open below and the one for sigma open above
    x = rng.normal(1.0, 1.5, size=400)
    x = x[(x > 0) & (x < 4)][:60]
    res = mk.fit(mk.Data(x, truncation=(0, 4)), "normal")

    def trexp(rate: float) -> float:
        return float(x.size * math.log(rate) - rate * x.sum() - x.size * math.log1p(-math.exp(-4 * rate)))

    limit = -optimize.minimize_scalar(lambda r: -trexp(r), bounds=(1e-6, 20), method="bounded").fun
    assert 2 * (res.loglik - limit) < Q95
    ci = res.ci(method="profile")
    assert ci["mu"][0] == -math.inf and ci["mu"][1] < 2.0
    assert ci["sigma"][1] == math.inf and 0.9 < ci["sigma"][0] < res.params["sigma"]


def test_integer_weights_equal_repetition(rng: np.random.Generator) -> None:
    x = rng.gamma(2.0, 1.0, size=12)
    w = rng.integers(1, 4, size=12)
    a = mk.fit(mk.Data(x, weights=w), "gamma").ci(method="profile")
    b = mk.fit(np.repeat(x, w), "gamma").ci(method="profile")
    for p in a:
        assert a[p] == pytest.approx(b[p], rel=1e-8)


def test_fixed_parameter(rng: np.random.Generator) -> None:
    x = rng.normal(0.0, 2.0, size=10)
    res = mk.fit(x, "normal", fixed={"mu": 0.0})
    n, ss = x.size, float(np.sum(x**2))
    pl = lambda s: -n * math.log(s) - ss / (2 * s * s)  # noqa: E731
    ci = res.ci(method="profile")
    assert ci["mu"] == (0.0, 0.0)
    assert ci["sigma"] == pytest.approx(_roots(pl, math.sqrt(ss / n), 0.01, 100.0), rel=1e-9)


def test_estimate_on_boundary_gives_closed_end() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = mk.fit(np.zeros(20), "bernoulli")
        p = mk.fit(np.zeros(20), "poisson")
        one = mk.fit(np.ones(20), "bernoulli")
    assert b.ci(method="profile")["p"] == pytest.approx((0.0, 1 - math.exp(-Q95 / 40)), rel=1e-9)
    assert p.ci(method="profile")["rate"] == pytest.approx((0.0, Q95 / 40), rel=1e-9)
    assert one.ci(method="profile")["p"] == pytest.approx((math.exp(-Q95 / 40), 1.0), rel=1e-9)


def test_open_interval_when_profile_never_crosses() -> None:
    counts = np.random.default_rng(0).poisson(3, 50)      # not over-dispersed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(counts, "negative_binomial")
    lo, hi = res.ci(method="profile")["size"]
    assert hi == math.inf and 1 < lo < 100
    # mean is still a proper interval, close to the Poisson one
    pois = mk.fit(counts, "poisson").ci(method="profile")["rate"]
    assert res.ci(method="profile")["mean"] == pytest.approx(pois, rel=0.02)


def test_nonregular_parameters_use_one_sided_chi2_2(rng: np.random.Generator) -> None:
    x = rng.pareto(3.0, size=50) + 1.0
    res = mk.fit(x, "pareto")
    n, m = x.size, x.min()

    def pl(s: float) -> float:
        a = n / np.log(x / s).sum()
        return float(n * math.log(a) + n * a * math.log(s) - (a + 1) * np.log(x).sum())

    q2 = stats.chi2.ppf(0.95, 2)
    lo = optimize.brentq(lambda s: 2 * (pl(m) - pl(s)) - q2, 0.5, m, xtol=1e-14)
    assert res.ci(method="profile")["scale"] == pytest.approx((lo, m), rel=1e-9)
    u = rng.uniform(2.0, 5.0, size=30)
    ci = mk.fit(u, "uniform").ci(method="profile")
    r = u.max() - u.min()
    # D(high) = 2 n log((high - low)/range) with low at its estimate
    assert ci["high"] == pytest.approx((u.max(), u.min() + r * math.exp(q2 / 60)), rel=1e-9)
    assert ci["low"] == pytest.approx((u.max() - r * math.exp(q2 / 60), u.min()), rel=1e-9)


def test_profile_curve_as_data(rng: np.random.Generator) -> None:
    x = rng.weibull(1.3, size=30)
    res = mk.fit(x, "weibull")
    prof = res.profile("shape", n=31)
    assert len(prof) == 31 and np.all(np.diff(prof.values) > 0)
    assert prof.deviance.min() < 0.05 and np.all(prof.deviance >= 0)
    lo, hi = prof.ci()
    assert (lo, hi) == res.ci(method="profile")["shape"]
    # the grid spans the 99% interval: the ends are beyond the 99% cutoff
    assert prof.deviance[0] >= prof.cutoff(0.99) - 1e-6 and prof.deviance[-1] >= prof.cutoff(0.99) - 1e-6
    # nuisance scale at each point maximises the likelihood given the shape
    k, lam = prof.values[5], prof.nuisance["scale"][5]
    assert lam == pytest.approx(np.mean(x**k) ** (1 / k), rel=1e-7)
    df = prof.to_frame()
    assert list(df.columns[:4]) == ["shape", "loglik", "deviance", "z"] and "scale_hat" in df
    assert np.all(np.sign(prof.z) == np.sign(prof.values - prof.mle))
    b = res.profile("scale", bounds=(0.5, 2.0), n=5)
    assert b.values[0] == 0.5 and b.values[-1] == 2.0


def test_summary_flags_non_quadratic_profile() -> None:
    x = np.random.default_rng(2).weibull(0.8, size=25) * 10
    res = mk.fit(x, "weibull")
    text = str(res.summary())
    assert "far from quadratic in scale" in text and "prefer ci(method='profile')" in text
    # the small-sample note already recommends the profile: no second banner
    assert "far from quadratic" not in str(mk.fit(SEED_FIVE, "normal").summary())


def test_bad_input() -> None:
    res = mk.fit(SEED_FIVE, "normal")
    with pytest.raises(mk.ParameterError, match="params must name"):
        res.ci(method="profile", params="nope")
    with pytest.raises(mk.ParameterError, match="takes params="):
        res.ci(method="profile", n_boot=10)
    with pytest.raises(mk.ParameterError, match="strictly between 0 and 1"):
        res.ci(level=95, method="profile")
    with pytest.raises(mk.ParameterError, match="method must be one of"):
        res.ci(method="likelihood")
    with pytest.raises(mk.ParameterError, match="fixed"):
        mk.fit(SEED_FIVE, "normal", fixed={"mu": 2.0}).profile("mu")
    with pytest.raises(mk.ParameterError, match="at least 3"):
        res.profile("mu", n=2)
    with pytest.raises(mk.ParameterError, match="bounds"):
        res.profile("sigma", bounds=(2.0, 1.0))


def test_degenerate_fit_has_nan_profile() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit([2.0, 2.0, 2.0], "normal")
    assert all(math.isnan(v) for pair in res.ci(method="profile").values() for v in pair)


# ---------------------------------------------------------------------------- R reference
def _reference() -> list[dict]:
    """The R reference cases (tests/reference, made by make_reference.R with fitdistrplus /
    MASS / bbmle and polished to the optimum) that carry profile intervals."""
    import os
    import sys
    from pathlib import Path

    ref = Path(os.environ.get("MLEKIT_REFERENCE_DIR", Path(__file__).parent / "reference"))
    if not (ref / "r_reference.py").exists():
        return []
    sys.path.insert(0, str(ref))
    try:
        import r_reference
    finally:
        sys.path.remove(str(ref))
    return [c for c in r_reference.CASES if c.get("profile", {}).get("ci")]


_REF = _reference()


@pytest.mark.skipif(not _REF, reason="tests/reference (R reference fits) not present")
@pytest.mark.parametrize("case", _REF, ids=[c["id"] for c in _REF])
def test_profile_ci_matches_r_reference(case: dict) -> None:
    import sys

    r_reference = sys.modules.get("r_reference")
    assert r_reference is not None
    binom = case["family"] == "binomial"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(r_reference.make_data(case), mk.Binomial() if binom else case["family"],
                     fixed=case["fixed"] or None)
    assert res.loglik == pytest.approx(case["loglik"], rel=1e-9, abs=1e-7)
    got = res.ci(method="profile", params=list(case["profile"]["ci"]))
    for p, (lo, hi) in case["profile"]["ci"].items():
        dom = res.dist.domains[res.dist.param_names.index(p)]
        want_lo = dom.lower if lo is None else lo        # null in the JSON: an open end
        want_hi = dom.upper if hi is None else hi
        assert got[p][0] == pytest.approx(want_lo, rel=5e-8, abs=1e-10), (p, "lower")
        assert got[p][1] == pytest.approx(want_hi, rel=5e-8, abs=1e-10), (p, "upper")
