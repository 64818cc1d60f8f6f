"""Maximum product of spacings (method="mps"): agreement with scipy's "mse" fit, a better
objective where scipy's does not converge, ties, censoring, and unbounded likelihoods."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats as st

import mlekit as mk
from mlekit._fit.mps import _prepare, spacings_objective


def _objective(name: str, x: np.ndarray | mk.Data, params: dict[str, float]) -> float:
    fam = mk.get_family(name)
    d = x if isinstance(x, mk.Data) else mk.Data(x)
    u, c, rx, rw = _prepare(d)
    return spacings_objective(fam, u, c, rx, rw, tuple(params[p] for p in fam.param_names))


def _scipy_mse(x: np.ndarray, bounds: dict[str, tuple[float, float]]) -> tuple[dict[str, float], bool]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        r = st.fit(st.weibull_min, x, bounds=bounds, method="mse")
    p = r.params
    return {"shape": p.c, "scale": p.scale, "threshold": p.loc}, bool(r.success)


@pytest.mark.parametrize("shape,seed", [(2.5, 1), (0.7, 2), (1.2, 3)])
def test_mps_agrees_with_scipy_mse_and_never_has_a_worse_objective(shape: float, seed: int) -> None:
    x = mk.Weibull3(shape=shape, scale=10.0, threshold=50.0).sample(150, rng=seed)
    res = mk.fit(x, "weibull3", method="mps")
    assert res.method == "mps" and res.converged
    assert res.params["threshold"] < x.min()
    ref, ok = _scipy_mse(x, {"c": (0.1, 10.0), "loc": (0.0, 100.0), "scale": (0.1, 100.0)})
    mine = _objective("weibull3", x, res.params)
    theirs = _objective("weibull3", x, ref)
    assert mine >= theirs - 1e-8
    if ok and mine - theirs < 1e-5:     # scipy's stochastic search reached the same optimum
        for p in res.params:
            assert abs(res.params[p] - ref[p]) < 0.1 * res.se[p], p
    assert all(math.isfinite(res.se[p]) for p in res.params)


def test_mps_beats_scipy_where_its_search_does_not_converge() -> None:
    x = mk.Weibull3(shape=1.8, scale=10.0, threshold=50.0).sample(100, rng=4)
    res = mk.fit(x, "weibull3", method="mps")
    # a box that scipy's differential evolution explores poorly in its default budget
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        r = st.fit(st.weibull_min, x, bounds={"c": (0.01, 1e3), "loc": (-1e4, 1e4),
                                              "scale": (1e-3, 1e4)}, method="mse")
    p = r.params
    ref = {"shape": p.c, "scale": p.scale, "threshold": p.loc}
    assert _objective("weibull3", x, res.params) >= _objective("weibull3", x, ref) - 1e-9


def test_mps_estimates_where_the_likelihood_is_unbounded() -> None:
    x = mk.Weibull3(shape=0.7, scale=5.0, threshold=20.0).sample(300, rng=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ml = mk.fit(x, "weibull3")
    assert any(d.code == "unbounded-likelihood" for d in ml.diagnostics)
    res = mk.fit(x, "weibull3", method="mps")
    assert res.converged and res.params["threshold"] < x.min()
    assert abs(res.params["shape"] - 0.7) < 4 * res.se["shape"]


def test_ties_use_the_density_and_weights_equal_repetition() -> None:
    x = np.round(mk.Weibull3(shape=2.0, scale=10.0, threshold=50.0).sample(200, rng=5), 1)
    assert np.unique(x).size < x.size
    res = mk.fit(x, "weibull3", method="mps")
    assert res.converged
    u, c = np.unique(x, return_counts=True)
    wres = mk.fit(mk.Data(u, weights=c), "weibull3", method="mps")
    for p in res.params:
        assert math.isclose(res.params[p], wres.params[p], rel_tol=1e-6), p
    fam = mk.Weibull3(**res.params)
    cdf = np.concatenate([[0.0], fam.cdf(u), [1.0]])
    manual = np.sum(np.log(np.diff(cdf))) + np.sum((c - 1) * fam.logpdf(u))
    assert math.isclose(_objective("weibull3", x, res.params), manual, rel_tol=1e-9)


def test_right_censored_values_use_the_survival_function() -> None:
    x = mk.Weibull3(shape=2.0, scale=10.0, threshold=50.0).sample(200, rng=6)
    d = mk.Data.right_censored(np.minimum(x, 62.0), x < 62.0)
    res = mk.fit(d, "weibull3", method="mps")
    assert res.converged
    fam = mk.Weibull3(**res.params)
    e = np.sort(x[x < 62.0])
    cdf = np.concatenate([[0.0], fam.cdf(e)])
    manual = np.sum(np.log(np.diff(cdf))) + np.sum(fam.logsf(np.full((x >= 62).sum(), 62.0)))
    assert math.isclose(_objective("weibull3", d, res.params), manual, rel_tol=1e-9)


def test_mps_for_two_parameter_families_and_errors() -> None:
    x = mk.Gamma(shape=3.0, scale=2.0).sample(500, rng=7)
    res = mk.fit(x, "gamma", method="mps")
    ml = mk.fit(x, "gamma")
    for p in res.params:
        assert abs(res.params[p] - ml.params[p]) < 0.5 * ml.se[p]
    with pytest.raises(mk.ParameterError, match="continuous"):
        mk.fit([1, 2, 3, 4], "poisson", method="mps")
    with pytest.raises(mk.ParameterError, match="interval"):
        mk.fit(mk.Data.interval([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]), "gamma", method="mps")
