"""A family with parameters is a distribution; mk.families() describes them all."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st

import mlekit as mk
from mlekit.errors import ParameterError


def test_weibull_distribution_methods() -> None:
    d = mk.Weibull(shape=1.5, scale=2.0)
    ref = st.weibull_min(1.5, scale=2.0)
    x = np.array([0.3, 1.0, 2.5])
    np.testing.assert_allclose(d.logpdf(x), ref.logpdf(x), rtol=1e-13)
    np.testing.assert_allclose(d.sf(x), ref.sf(x), rtol=1e-13)
    np.testing.assert_allclose(d.hazard(x), 1.5 / 2.0 * (x / 2.0) ** 0.5, rtol=1e-12)
    assert math.isclose(d.ppf(0.1), ref.ppf(0.1), rel_tol=1e-13)
    assert math.isclose(d.mean(), ref.mean(), rel_tol=1e-13)
    assert isinstance(d.logpdf(1.0), float)
    assert d.sample(100, rng=0).shape == (100,)
    assert d.to_scipy().kwds == ref.kwds or math.isclose(d.to_scipy().mean(), ref.mean())


def test_fit_result_dist() -> None:
    x = mk.Gamma(shape=3.0, scale=2.0).sample(500, rng=1)
    res = mk.fit(x, "gamma")
    assert res.dist.params if hasattr(res.dist, "params") else True
    assert math.isclose(res.dist.ppf(0.1), st.gamma(res.params["shape"], scale=res.params["scale"]).ppf(0.1))
    assert res.dist.sample(100, rng=0).shape == (100,)


def test_partially_specified_family_cannot_act_as_distribution() -> None:
    with pytest.raises(ParameterError, match="needs values for scale"):
        mk.Weibull(shape=1.5).logpdf(1.0)
    with pytest.raises(ParameterError, match="must lie in"):
        mk.Normal(mu=0.0, sigma=-1.0)


def test_outside_support_is_minus_inf_not_nan() -> None:
    d = mk.Exponential(rate=2.0)
    assert d.logpdf(-1.0) == -math.inf and d.cdf(-1.0) == 0.0 and d.sf(-1.0) == 1.0
    assert mk.Poisson(rate=2.0).pmf(1.5) == 0.0
    assert mk.Binomial(n=5, p=0.3).pmf(6) == 0.0


def test_families_listing() -> None:
    fams = mk.families()
    assert len(fams) == 37
    wb = next(f for f in fams if f["name"] == "weibull")
    assert wb["params"] == ["shape", "scale"] and wb["support"] == "(0, inf)" and "exp" in wb["formula"]
    nb = next(f for f in fams if f["name"] == "negative_binomial")
    assert nb["params"] == ["mean", "size"] and nb["discrete"]


def test_pinned_parameter_names() -> None:
    expected = {
        "normal": ["mu", "sigma"], "lognormal": ["mu", "sigma"], "exponential": ["rate"],
        "gamma": ["shape", "scale"], "weibull": ["shape", "scale"], "beta": ["a", "b"],
        "student_t": ["mu", "sigma", "df"], "cauchy": ["loc", "scale"], "laplace": ["loc", "scale"],
        "logistic": ["loc", "scale"], "loglogistic": ["shape", "scale"], "gumbel": ["loc", "scale"],
        "pareto": ["shape", "scale"], "lomax": ["shape", "scale"], "inverse_gaussian": ["mu", "shape"],
        "uniform": ["low", "high"], "rayleigh": ["scale"], "poisson": ["rate"], "bernoulli": ["p"],
        "binomial": ["p"], "geometric": ["p"], "negative_binomial": ["mean", "size"],
        "gev": ["loc", "scale", "shape"], "genpareto": ["scale", "shape"],
        "weibull3": ["shape", "scale", "threshold"], "lognormal3": ["mu", "sigma", "threshold"],
        "gamma3": ["shape", "scale", "threshold"], "loglogistic3": ["shape", "scale", "threshold"],
        "exponential2": ["rate", "threshold"], "gengamma": ["mu", "sigma", "Q"],
        "gompertz": ["shape", "rate"], "burr12": ["c", "d", "scale"],
        "skew_normal": ["loc", "scale", "alpha"], "birnbaum_saunders": ["shape", "scale"],
        "beta_binomial": ["a", "b"], "zt_poisson": ["rate"], "logseries": ["p"],
    }
    assert {f["name"]: f["params"] for f in mk.families()} == expected


def test_docstrings_state_the_density() -> None:
    for f in mk.families():
        cls = getattr(mk, f["class"])
        assert cls.__doc__ and ("math::" in cls.__doc__ or "P(" in cls.__doc__), f["name"]


def test_loglogistic_and_geometric_conventions() -> None:
    d = mk.LogLogistic(shape=2.0, scale=3.0)
    assert math.isclose(d.cdf(3.0), 0.5) and math.isclose(d.cdf(6.0), 1 / (1 + 2.0**-2))
    g = mk.Geometric(p=0.25)
    assert math.isclose(g.pmf(0), 0.25) and math.isclose(g.mean(), 3.0)
    nb = mk.NegativeBinomial(mean=4.0, size=2.0)
    assert math.isclose(nb.mean(), 4.0) and math.isclose(nb.var(), 4.0 + 16.0 / 2.0)
    ig = mk.InverseGaussian(mu=2.0, shape=3.0)
    assert math.isclose(ig.mean(), 2.0) and math.isclose(ig.var(), 8.0 / 3.0)
    assert math.isclose(mk.Pareto(shape=3.0, scale=2.0).cdf(2.0), 0.0)
    assert math.isclose(mk.Lomax(shape=3.0, scale=2.0).sf(2.0), 2.0**-3)
    assert math.isclose(mk.Gumbel(loc=0.0, scale=1.0).cdf(0.0), math.exp(-1))


def test_families_doc_is_current() -> None:
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("gen", root / "tools" / "gen_families_doc.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (root / "docs" / "families.md").read_text(encoding="utf-8") == mod.render(), \
        "run: python tools/gen_families_doc.py"
