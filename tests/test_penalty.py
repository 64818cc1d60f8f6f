"""Penalised and MAP fits (``penalty=``, ``prior=``), the priors, and the small-sample tools
(``laplace``, ``bias_corrected``, studentised / BCa bootstrap). Reference values against brglm2
are in ``test_penalty_reference.py``; coverage studies in ``test_coverage_small.py``."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import mlekit as mk
from mlekit._fit.priors import log_jacobian_derivs

PRIORS = [mk.priors.Normal(1, 2), mk.priors.Cauchy(0.5, 2), mk.priors.Beta(6, 9, lower=-0.5, upper=0.5),
          mk.priors.Gamma(2.5, scale=1.5), mk.priors.HalfNormal(2), mk.priors.LogNormal(0.2, 0.7),
          mk.priors.Flat()]


@pytest.mark.parametrize("prior", PRIORS, ids=repr)
def test_prior_densities_and_derivatives(prior: mk.priors.Prior) -> None:
    from scipy import integrate, stats

    x = 0.3
    v, d1, d2 = prior.derivs(x)
    h = 1e-5
    assert d1 == pytest.approx((prior.logpdf(x + h) - prior.logpdf(x - h)) / (2 * h), rel=1e-6,
                               abs=1e-9)
    assert d2 == pytest.approx((prior.derivs(x + h)[1] - prior.derivs(x - h)[1]) / (2 * h),
                               rel=1e-5, abs=1e-8)
    if isinstance(prior, mk.priors.Flat):
        return
    lo = max(prior.lower, -np.inf)
    total = integrate.quad(lambda t: math.exp(prior.logpdf(t)), lo, prior.upper)[0]
    assert total == pytest.approx(1.0, abs=1e-6)       # normalised log densities
    ref = {"Normal": lambda: stats.norm(1, 2).logpdf(x),
           "Gamma": lambda: stats.gamma(2.5, scale=1.5).logpdf(x),
           "LogNormal": lambda: stats.lognorm(0.7, scale=math.exp(0.2)).logpdf(x)}
    name = type(prior).__name__
    if name in ref:
        assert v == pytest.approx(ref[name](), rel=1e-12)


def test_prior_outside_support_and_bad_arguments() -> None:
    assert mk.priors.Beta(2, 2).logpdf(1.5) == -math.inf
    assert mk.priors.Gamma(2).logpdf(-1.0) == -math.inf
    with pytest.raises(mk.ParameterError, match="sd must be positive"):
        mk.priors.Normal(0, -1)
    with pytest.raises(mk.ParameterError, match="lower < upper"):
        mk.priors.Beta(2, 2, lower=1, upper=0)


@pytest.mark.parametrize("dom", [mk.Positive, mk.UnitInterval, mk.Interval(-0.5, 0.5), mk.Real])
def test_log_jacobian(dom: object) -> None:
    x = 0.2
    e = float(dom.to_unconstrained(x))
    v, d1, d2 = log_jacobian_derivs(dom, x)
    assert v == pytest.approx(math.log(abs(float(dom.jacobian(e)[0]))), abs=1e-12)
    h = 1e-5
    assert d1 == pytest.approx((log_jacobian_derivs(dom, x + h)[0]
                                - log_jacobian_derivs(dom, x - h)[0]) / (2 * h), abs=1e-6)
    assert d2 == pytest.approx((log_jacobian_derivs(dom, x + h)[1]
                                - log_jacobian_derivs(dom, x - h)[1]) / (2 * h), abs=1e-4)


# ---------------------------------------------------------------------- closed forms
def test_normal_normal_conjugate_map_exact() -> None:
    x = np.array([1.2, 2.5, 0.7, 3.1])
    pr = mk.priors.Normal(0.5, 2.0)
    res = mk.fit(x, "normal", fixed={"sigma": 1.5}, prior={"mu": pr})
    post = (0.5 / 4.0 + x.sum() / 2.25) / (1 / 4.0 + 4 / 2.25)
    assert res.params["mu"] == post
    assert res.method == "map"
    assert res.se["mu"] == pytest.approx(math.sqrt(1 / (1 / 4.0 + 4 / 2.25)), rel=1e-12)
    it = mk.fit(x, "normal", fixed={"sigma": 1.5}, prior={"mu": pr}, method="newton")
    assert it.params["mu"] == pytest.approx(post, rel=1e-10)


def test_poisson_and_bernoulli_firth_closed_forms() -> None:
    x = [3, 1, 0, 2, 0]
    assert mk.fit(x, "poisson", penalty="firth").params["rate"] == (6 + 0.5) / 5
    assert mk.fit(np.zeros(5, int), "poisson", penalty="firth").params["rate"] == 0.1
    assert mk.fit([1, 1, 1], "bernoulli", penalty="firth").params["p"] == 3.5 / 4


# ---------------------------------------------------------------------- results
def test_penalised_result_fields_and_summary() -> None:
    x = mk.Weibull(shape=2, scale=1).sample(15, rng=1)
    plain = mk.fit(x, "weibull")
    res = mk.fit(x, "weibull", prior={"shape": mk.priors.Normal(2, 1)})
    assert res.method == "map" and math.isnan(plain.penalised_loglik)
    th = tuple(res.params.values())
    assert res.loglik == pytest.approx(res.likelihood.base.evaluate(th, 0)[0], rel=1e-12)
    assert res.penalised_loglik == pytest.approx(
        res.loglik + mk.priors.Normal(2, 1).logpdf(res.params["shape"]), rel=1e-12)
    assert res.aic == 2 * 2 - 2 * res.loglik          # AIC from the plain log-likelihood
    assert res.loglik <= plain.loglik + 1e-9
    d = res.to_dict()
    assert d["prior"] == {"shape": "Normal(2, 1)"} and d["penalised_loglik"] == res.penalised_loglik
    assert "shape ~ Normal(2, 1)" in str(res)
    assert "penalised log-lik" in res._repr_html_()
    f = mk.fit(x, "weibull", penalty="firth")
    assert f.method == "penalised (firth, observed information)"
    assert f.to_dict()["penalty"] == "firth (Jeffreys)"


def test_callable_penalty_equals_the_same_prior() -> None:
    x = mk.Weibull(shape=2, scale=1).sample(15, rng=1)
    a = mk.fit(x, "weibull", penalty=lambda p: -0.5 * ((p["shape"] - 2) / 1) ** 2)
    b = mk.fit(x, "weibull", prior={"shape": mk.priors.Normal(2, 1)})
    assert a.method == "penalised (custom)"
    for p in ("shape", "scale"):
        assert a.params[p] == pytest.approx(b.params[p], rel=1e-7)
        assert a.se[p] == pytest.approx(b.se[p], rel=1e-4)


def test_jacobian_prior_is_the_mode_on_the_log_scale() -> None:
    # rate of an exponential with a Gamma(a, scale=s) prior: natural-scale mode
    # (n + a - 1) / (sum x + 1/s); with the Jacobian (log scale) (n + a) / (sum x + 1/s)
    x = np.array([0.5, 1.5, 2.0, 0.3])
    nat = mk.fit(x, "exponential", prior={"rate": mk.priors.Gamma(3, scale=2)})
    jac = mk.fit(x, "exponential", prior={"rate": mk.priors.Gamma(3, scale=2, jacobian=True)})
    assert nat.params["rate"] == pytest.approx((4 + 3 - 1) / (x.sum() + 0.5), rel=1e-8)
    assert jac.params["rate"] == pytest.approx((4 + 3) / (x.sum() + 0.5), rel=1e-8)
    assert "unconstrained scale" in jac.to_dict()["prior"]["rate"]


def test_penalty_argument_errors() -> None:
    with pytest.raises(mk.ParameterError, match="not both"):
        mk.fit([1.0, 2.0], "normal", penalty="firth", prior={"mu": mk.priors.Normal()})
    with pytest.raises(mk.ParameterError, match="'firth' or a function"):
        mk.fit([1.0, 2.0], "normal", penalty="ridge")
    with pytest.raises(mk.ParameterError, match="names a parameter"):
        mk.fit([1.0, 2.0], "normal", prior={"nu": mk.priors.Normal()})
    with pytest.raises(mk.ParameterError, match="mk.priors"):
        mk.fit([1.0, 2.0], "normal", prior={"mu": 3.0})
    with pytest.raises(mk.ParameterError, match="names a parameter"):   # grouped fits too
        mk.fit([1.0, 2.0, 3.0, 4.0], "normal", by=[0, 0, 1, 1], prior={"nu": mk.priors.Normal()})


def test_refit_bootstrap_and_lr_test_are_penalised() -> None:
    x = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    res = mk.fit(x, "bernoulli", penalty="firth")
    r2 = res._refit(res.data)
    assert r2.params["p"] == res.params["p"] and r2.method == res.method
    lo, hi = res.ci(method="bootstrap", n_boot=200, rng=0, quiet=True)["p"]
    assert 0 < lo < res.params["p"] < hi          # replicates with 0 successes stay inside (0, 1)
    t = mk.lr_test(res, fixed={"p": 0.5})
    pl = res.likelihood
    assert t.statistic == pytest.approx(2 * (res.penalised_loglik - pl.evaluate((0.5,), 0)[0]),
                                        rel=1e-9)
    assert "penalised loglik" in str(t)
    plain = mk.fit(x, "bernoulli", fixed={"p": 0.5})
    with pytest.raises(mk.ParameterError, match="same penalty"):
        mk.lr_test(plain, res)


def test_penalised_profile_interval_is_on_the_penalised_cutoff() -> None:
    res = mk.fit(np.zeros(12, int), "bernoulli", penalty="firth")   # MLE p = 0 on the boundary
    lo, hi = res.ci(method="profile")["p"]
    assert 0 < lo < res.params["p"] < hi < 1
    lik = res.likelihood
    for end in (lo, hi):
        dev = 2 * (res.penalised_loglik - lik.evaluate((end,), 0)[0])
        assert dev == pytest.approx(3.841459, abs=1e-5)


def test_custom_model_prior_and_firth() -> None:
    x = np.array([0.0, 1, 2, 3, 4, 5])
    y = np.array([0.0, 0, 1, 0, 1, 1])

    def grad(x, y, a, b):
        p = 1 / (1 + np.exp(-(a + b * x)))
        return [y - p, (y - p) * x]

    def hess(x, y, a, b):
        p = 1 / (1 + np.exp(-(a + b * x)))
        w = p * (1 - p)
        return [[-w, -w * x], [-w * x, -w * x * x]]

    @mk.model(grad=grad, hess=hess)
    def logit(x, y, a, b):
        eta = a + b * x
        return y * eta - np.logaddexp(0, eta)

    res = mk.fit(logit, data={"x": x, "y": y}, prior={"b": mk.priors.Normal(0, 2.5)})
    reg = mk.regress(y=y, X=np.c_[np.ones(6), x], family="bernoulli",
                     prior={"x2": mk.priors.Normal(0, 2.5)})
    assert res.method == "map"
    assert res.params["b"] == pytest.approx(reg.params["x2"], rel=1e-6)
    assert res.se["b"] == pytest.approx(reg.se["x2"], rel=1e-5)
    f = mk.fit(logit, data={"x": x, "y": y}, penalty="firth")
    g = mk.regress(y=y, X=np.c_[np.ones(6), x], family="bernoulli", penalty="firth")
    assert f.method == "penalised (firth, observed information)"   # observed = expected here
    assert f.params["b"] == pytest.approx(g.params["x2"], rel=1e-6)
    assert f.se["a"] == pytest.approx(g.se["x1"], rel=1e-6)

    @mk.model
    def numeric(x, y, a, b):
        eta = a + b * x
        return y * eta - np.logaddexp(0, eta)

    with pytest.raises(mk.ParameterError, match="needs the information matrix"):
        mk.fit(numeric, data={"x": x, "y": y}, penalty="firth")


def test_regression_firth_under_complete_separation() -> None:
    x = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
    y = (x > 0).astype(float)
    X = np.c_[np.ones(6), x]
    with pytest.warns(mk.NumericalWarning, match="penalty='firth'"):
        mk.regress(y=y, X=X, family="bernoulli")
    res = mk.regress(y=y, X=X, family="bernoulli", penalty="firth")
    assert res.converged and not res.warnings
    assert all(math.isfinite(v) for v in res.se.values())
    lo, hi = res.ci(method="profile")["x2"]
    assert 0 < lo < res.params["x2"] < hi < np.inf


# ---------------------------------------------------------------------- small-sample tools
def test_laplace_draws() -> None:
    x = mk.Weibull(shape=2, scale=1).sample(40, rng=2)
    res = mk.fit(x, "weibull", fixed={"scale": 1.0})
    d = res.laplace(20000, rng=0)
    assert list(d.columns) == ["shape", "scale"] and len(d) == 20000
    assert (d["shape"] > 0).all() and (d["scale"] == 1.0).all()
    # log(shape) ~ N(log k, (se/k)^2)
    k, se = res.params["shape"], res.se["shape"]
    assert np.log(d["shape"]).mean() == pytest.approx(math.log(k), abs=0.01 * se / k * 10)
    assert np.log(d["shape"]).std() == pytest.approx(se / k, rel=0.02)
    assert res.laplace(3, rng=1).equals(res.laplace(3, rng=1))


def test_bias_corrected_exponential_is_exact_first_order() -> None:
    x = mk.Exponential(rate=2).sample(10, rng=3)
    res = mk.fit(x, "exponential")
    bc = res.bias_corrected()
    lam = res.params["rate"]
    # E[rate_hat] = n rate / (n - 1): first-order bias rate / n
    assert bc.options["bias"]["rate"] == pytest.approx(lam / 10, rel=1e-6)
    assert bc.params["rate"] == pytest.approx(lam - lam / 10, rel=1e-6)
    assert bc.se == res.se and "Cox–Snell" in bc.method
    with pytest.raises(mk.ParameterError, match="exact"):
        mk.fit(mk.Data([1.0, 2.0, 3.0], observed=[1, 1, 0]), "exponential").bias_corrected()
    with pytest.raises(mk.ParameterError, match="maximum-likelihood"):
        mk.fit([0, 1, 0], "bernoulli", penalty="firth").bias_corrected()


def test_weibull_bias_correction_against_the_textbook_value() -> None:
    # the first-order bias of the Weibull shape MLE is about 1.38 k / n (Thoman, Bain & Antle
    # 1969; Ross 1996): check the size, not the digits
    x = mk.Weibull(shape=2, scale=1).sample(30, rng=5)
    res = mk.fit(x, "weibull")
    b = res.bias_corrected().options["bias"]["shape"]
    assert 1.2 * res.params["shape"] / 30 < b < 1.6 * res.params["shape"] / 30


def test_studentised_and_bca_bootstrap() -> None:
    x = mk.Weibull(shape=2, scale=1).sample(25, rng=4)
    res = mk.fit(x, "weibull")
    st = res.ci(method="bootstrap", interval="studentised", n_boot=200, rng=1, quiet=True)
    assert all(0 < lo < res.params[p] < hi for p, (lo, hi) in st.items())
    a = res.ci(method="bootstrap", kind="bca", n_boot=200, rng=1, quiet=True)
    b = res.ci(method="bootstrap", interval="bca", n_boot=200, rng=1, quiet=True)
    assert a == b
    with pytest.raises(mk.ParameterError, match="interval must be one of"):
        res.derived("mean", method="bootstrap", interval="studentised", n_boot=50, rng=0,
                    quiet=True)


def test_cli_penalty_firth(tmp_path: object) -> None:
    import pathlib

    p = pathlib.Path(str(tmp_path)) / "coin.csv"
    p.write_text("x\n" + "0\n" * 9 + "1\n")
    r = subprocess.run([sys.executable, "-m", "mlekit", "fit", str(p), "-f", "bernoulli",
                        "--penalty", "firth", "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import json

    d = json.loads(r.stdout)
    assert d["params"]["p"] == 1.5 / 11 and d["method"] == "penalised (firth)"
    assert d["penalty"] == "firth (Jeffreys)"
    t = subprocess.run([sys.executable, "-m", "mlekit", "fit", str(p), "-f", "bernoulli",
                        "--penalty", "firth"], capture_output=True, text=True)
    assert "penalty   firth (Jeffreys)" in t.stdout


def test_bartlett_profile_option() -> None:
    x = mk.Weibull(shape=1.5, scale=1).sample(15, rng=8)
    res = mk.fit(x, "weibull")
    plain = res.ci(method="profile", params="shape")["shape"]
    bart = res.ci(method="profile", params="shape", bartlett=True, n_boot=100, rng=0)["shape"]
    from mlekit._inference.bartlett import bartlett_factor

    c = bartlett_factor(res, "shape", n_boot=100, rng=0)
    assert 0.9 < c < 1.6
    assert (bart[0] < plain[0] and bart[1] > plain[1]) == (c > 1)
    assert bart == res.ci(method="profile", params="shape", bartlett=True, n_boot=100, rng=0)["shape"]
    with pytest.raises(mk.ParameterError, match="go with bartlett=True"):
        res.ci(method="profile", n_boot=100)


def test_penalised_fits_copy_and_pickle() -> None:
    import copy
    import pickle

    x = mk.Weibull(shape=2, scale=1).sample(15, rng=1)
    for kw in ({"prior": {"shape": mk.priors.Normal(2, 1)}}, {"penalty": "firth"}):
        res = mk.fit(x, "weibull", **kw)
        for other in (copy.deepcopy(res), pickle.loads(pickle.dumps(res))):
            assert other.params == res.params and other.method == res.method
            assert other.ci(method="profile") == res.ci(method="profile")
            assert other._refit(other.data).params == res.params
