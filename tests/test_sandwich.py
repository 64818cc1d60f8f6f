"""Robust (sandwich) standard errors."""

from __future__ import annotations

import math

import numpy as np

import mlekit as mk


def test_sandwich_equals_observed_under_the_model_and_is_robust_otherwise() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(1, 2, 20000)
    a, b = mk.fit(x, "normal"), mk.fit(x, "normal", cov="sandwich")
    assert b.cov_type == "sandwich" and a.cov_type == "observed"
    assert math.isclose(a.se["mu"], b.se["mu"], rel_tol=1e-10)  # exactly equal for mu
    assert math.isclose(a.se["sigma"], b.se["sigma"], rel_tol=0.05)
    # exponential fitted to gamma(3) data: the model SE is wrong, the sandwich is the delta method
    y = rng.gamma(3.0, 1.0, 20000)
    s = mk.fit(y, "exponential", cov="sandwich")
    rate = 1 / y.mean()
    assert math.isclose(s.se["rate"], rate * y.std() / y.mean() / math.sqrt(y.size), rel_tol=1e-9)
    assert mk.fit(y, "exponential").se["rate"] > 1.5 * s.se["rate"]


def test_sandwich_with_censoring_weights_and_truncation() -> None:
    rng = np.random.default_rng(1)
    t = rng.weibull(1.5, 3000) * 2
    w = rng.integers(1, 3, t.size)
    d = mk.Data.right_censored(np.minimum(t, 3), observed=t <= 3, weights=w)
    res = mk.fit(d, "weibull", cov="sandwich")
    rep = mk.fit(mk.Data.right_censored(np.repeat(np.minimum(t, 3), w), observed=np.repeat(t <= 3, w)),
                 "weibull", cov="sandwich")
    for p in res.se:
        assert math.isclose(res.se[p], rep.se[p], rel_tol=1e-6)
    tr = mk.fit(mk.Data(t[t < 4], truncation=(0, 4)), "weibull", cov="sandwich")
    assert all(math.isfinite(v) and v > 0 for v in tr.se.values())
