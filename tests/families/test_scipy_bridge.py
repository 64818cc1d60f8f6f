"""Family.from_scipy: any scipy.stats distribution as a family."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st

import mlekit as mk


def test_nakagami_with_fixed_loc_matches_scipys_fit() -> None:
    F = mk.Family.from_scipy(st.nakagami, fixed={"loc": 0})
    assert F.param_names == ("nu", "scale")
    x = st.nakagami.rvs(1.7, scale=2.0, size=500, random_state=1)
    res = mk.fit(x, F)
    assert res.converged
    p = st.nakagami.fit(x, floc=0)
    assert res.loglik >= float(st.nakagami.logpdf(x, *p).sum()) - 1e-7
    assert math.isclose(res.loglik, float(st.nakagami.logpdf(x, res.params["nu"], 0,
                                                             res.params["scale"]).sum()),
                        rel_tol=1e-12)
    assert res.dist.to_scipy().mean() == pytest.approx(float(res.dist.mean()))


def test_free_loc_and_scale_and_censoring() -> None:
    F = mk.Family.from_scipy(st.gumbel_r)
    assert F.param_names == ("loc", "scale")
    x = st.gumbel_r.rvs(3.0, 2.0, size=400, random_state=3)
    a, b = mk.fit(x, F), mk.fit(x, "gumbel")
    assert math.isclose(a.loglik, b.loglik, rel_tol=1e-9)
    d = mk.Data.right_censored(np.minimum(x, 6.0), x < 6.0)
    a, b = mk.fit(d, F), mk.fit(d, "gumbel")
    assert math.isclose(a.params["scale"], b.params["scale"], rel_tol=1e-5)


def test_discrete_distributions() -> None:
    P = mk.Family.from_scipy(st.poisson)
    assert P.param_names == ("mu",) and P.discrete
    k = st.poisson.rvs(3.3, size=500, random_state=2).astype(float)
    assert math.isclose(mk.fit(k, P).params["mu"], k.mean(), rel_tol=1e-7)
    B = mk.Family.from_scipy(st.betabinom, fixed={"n": 12})
    k = st.betabinom.rvs(12, 2.0, 3.5, size=500, random_state=2).astype(float)
    ours = mk.fit(k, mk.BetaBinomial(n=12))
    assert math.isclose(mk.fit(k, B).loglik, ours.loglik, rel_tol=1e-8)


def test_clear_errors() -> None:
    with pytest.raises(mk.FamilyError, match="integer-valued shape 'n'"):
        mk.Family.from_scipy(st.binom)
    with pytest.raises(mk.FamilyError, match="not a frozen one"):
        mk.Family.from_scipy(st.norm(0, 1))
    with pytest.raises(mk.ParameterError, match="fixed names"):
        mk.Family.from_scipy(st.norm, fixed={"mu": 0})

    class NoSupport(st.rv_continuous):
        def _pdf(self, x: np.ndarray, a: float) -> np.ndarray:
            return np.exp(-x * x / 2) / np.sqrt(2 * np.pi)

    with pytest.raises(mk.FamilyError, match="no usable support information"):
        mk.Family.from_scipy(NoSupport(name="nosupport", shapes="a"))
