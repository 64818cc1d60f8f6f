"""Covariates in tiny or huge units: the fit is the unit-scale fit with its coefficients (and
SEs) rescaled, not a false collinearity error or a run of capped Newton steps that never
converges (round-1 behaviour: ``x * 1e-14`` was "rank 1 < 2", ``x * 1e-8`` in a Poisson
regression stopped after 200 iterations at a wrong intercept)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mlekit as mk
from mlekit._core.optimize import newton
from mlekit.errors import DataError


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    r = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"x": r.normal(size=n), "u": r.uniform(size=n)})
    eta = 0.3 + 0.5 * df.x - 0.8 * df.u
    df["yp"] = r.poisson(np.exp(eta))
    df["yb"] = r.binomial(1, 1.0 / (1.0 + np.exp(-eta)))
    df["yw"] = np.exp(eta) * r.weibull(1.7, n)
    df["yn"] = eta + r.normal(size=n)
    return df


@pytest.mark.parametrize("family,y", [("poisson", "yp"), ("bernoulli", "yb"),
                                      ("weibull", "yw"), ("gamma", "yw"), ("normal", "yn")])
@pytest.mark.parametrize("sx,su", [(1e-100, 1e100), (1e-14, 1e14), (1e14, 1e-6), (1e-6, 1e6),
                                   (1e-20, 1e-20), (1e100, 1e-8)])
def test_units_rescale_the_coefficients(frame: pd.DataFrame, family: str, y: str,
                                        sx: float, su: float) -> None:
    ref = mk.regress(f"{y} ~ x + u", frame, family=family)
    res = mk.regress(f"{y} ~ x + u", frame.assign(x=frame.x * sx, u=frame.u * su),
                     family=family)
    assert res.converged
    for name, s in [("Intercept", 1.0), ("x", sx), ("u", su)]:
        assert res.params[name] * s == pytest.approx(ref.params[name], rel=1e-7)
        assert res.se[name] * s == pytest.approx(ref.se[name], rel=1e-5)
    assert res.loglik == pytest.approx(ref.loglik, rel=1e-10)


def test_profile_interval_in_tiny_units(frame: pd.DataFrame) -> None:
    ref = mk.regress("yp ~ x", frame, family="poisson").ci(method="profile")["x"]
    ci = mk.regress("yp ~ x", frame.assign(x=frame.x * 1e-8),
                    family="poisson").ci(method="profile")["x"]
    assert ci[0] * 1e-8 == pytest.approx(ref[0], rel=1e-6)
    assert ci[1] * 1e-8 == pytest.approx(ref[1], rel=1e-6)


@pytest.mark.parametrize("s,word", [(1e140, "overflow"), (1e-140, "underflow")])
def test_sizes_beyond_double_precision_are_named(frame: pd.DataFrame, s: float,
                                                 word: str) -> None:
    with pytest.raises(DataError, match=rf"column 'z' has values of size .* {word} .*rescale"):
        mk.regress("yp ~ z", frame.assign(z=frame.x * s), family="poisson")


def test_collinear_columns_are_still_found(frame: pd.DataFrame) -> None:
    # a copy in other units is the same direction, and a column of zeros is no direction
    with pytest.raises(DataError, match="collinearity"):
        mk.regress("yp ~ x + z", frame.assign(z=frame.x * 1e-30), family="poisson")
    with pytest.raises(DataError, match="collinearity"):
        mk.regress("yp ~ x + z", frame.assign(z=0.0), family="poisson")


def test_newton_step_cap_counts_in_the_given_units() -> None:
    # the maximum of -(x - c)^2 / 2 at c = 1e9: capped at 4 per step the run cannot arrive in
    # 200 iterations; in units of 1e9 it takes one full Newton step
    c = 1e9

    def fun(x: np.ndarray, order: int) -> tuple[float, np.ndarray, np.ndarray]:
        d = x - c
        return float(-0.5 * d @ d), -d, -np.eye(1)

    plain = newton(fun, np.zeros(1), maxiter=200)
    assert not plain.converged
    scaled = newton(fun, np.zeros(1), maxiter=200, step_scale=np.array([c]))
    assert scaled.converged and scaled.iterations <= 2
    assert scaled.x[0] == pytest.approx(c, rel=1e-12)
