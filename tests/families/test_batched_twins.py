"""The scalar and batched forms of the family kernels agree: the profile Newton on one data
set (``profiles.solve``, in memory and over chunks) and over groups (``_scale.grouped.profile.solve_groups``),
a family's closed form on floats and on per-group statistics (``GroupData``), and its
``_start`` on one data set and on a ``GroupSample``."""

from __future__ import annotations

import numpy as np
import pytest

import mlekit as mk
from mlekit._data.data import Block, Data
from mlekit._families import get_family, registry
from mlekit._families.base import Family
from mlekit._families.profiles import GUMBEL, WEIBULL
from mlekit._scale.grouped.layout import Layout
from mlekit._scale.grouped.moments import group_data
from mlekit._scale.grouped.profile import profile_groups


@pytest.mark.parametrize("prof, fam", [(WEIBULL, "weibull"), (GUMBEL, "gumbel")])
def test_profile_scalar_equals_batched(rng, prof, fam):
    G, m = 7, 40
    x = (rng.uniform(0.5, 3, G)[:, None] * rng.weibull(rng.uniform(0.8, 3, G)[:, None], (G, m)))
    if fam == "gumbel":
        x = np.log(x) * -3.0
    codes = np.repeat(np.arange(G), m)
    lay = Layout.build({"exact": (Block(x.ravel()), codes)}, G)
    params, ll, g, H, _, conv, _ = profile_groups(prof, lay, np.ones(G, dtype=bool), 100)
    assert conv.all()
    for i in range(G):
        one = prof.fit(Data(x[i]), {})
        assert one is not None and one.converged
        se = np.sqrt(np.diag(np.linalg.inv(-one.hess)))
        for j, p in enumerate(prof.names):   # batched: decrement 1e-12 (~1e-6 SE)
            assert abs(params[j][i] - one.params[p]) <= 2e-6 * se[j]
        assert ll[i] == pytest.approx(one.loglik, rel=1e-11)
        assert H[i] == pytest.approx(one.hess, rel=1e-6)
        assert np.abs(g[i]).max() < 1e-4 * np.sqrt(np.abs(np.diag(H[i]))).max()


def _closed(fam: Family) -> bool:
    return fam._overrides("_closed_form")


@pytest.mark.parametrize("name", sorted(n for n, c in registry.items() if _closed(c())))
def test_closed_form_on_groups_equals_scalar(rng, name):
    fam = get_family(name)
    if name == "binomial":
        fam = mk.Binomial(n=12)
    G, m = 5, 30
    dist = {"beta": lambda: rng.beta(2, 3, m), "uniform": lambda: rng.uniform(-1, 2, m),
            "normal": lambda: rng.normal(1, 2, m)}.get(name)
    xs = [dist() if dist else fam.with_params(**dict(zip(fam.param_names, _typical(fam)))).sample(
        m, rng) for _ in range(G)]
    codes = np.repeat(np.arange(G), m)
    x = np.concatenate(xs).astype(float)
    gd = group_data(Layout.build({"exact": (Block(x), codes)}, G, piece_rows=64), None)
    with np.errstate(all="ignore"):
        cf = fam._closed_form(fam._suffstats(gd), {})     # type: ignore[arg-type]
    if cf is None:            # a closed form kept scalar (Beta's Newton): grouped fits iterate
        return
    for i in range(G):
        one = fam._closed_form(fam._suffstats(Data(xs[i])), {})
        assert one is not None
        for p in fam.param_names:
            assert np.broadcast_to(cf[p], (G,))[i] == pytest.approx(one[p], rel=1e-12)


def _typical(fam: Family) -> list[float]:
    return {"exponential": [1.5], "gamma": [2.0, 1.5], "inverse_gaussian": [1.0, 3.0],
            "lognormal": [0.2, 0.6], "rayleigh": [2.0], "pareto": [3.0, 1.0], "poisson": [3.0],
            "bernoulli": [0.3], "binomial": [0.4], "geometric": [0.3], "lomax": [3.0, 1.0],
            "negative_binomial": [3.0, 2.0], "student_t": [0.0, 1.0, 5.0]}[fam.name]


# the families whose _start serves one data set and all groups at once (every original family)
_SAMPLE_STARTS = {
    "normal", "lognormal", "exponential", "gamma", "weibull", "beta", "student_t", "cauchy",
    "laplace", "logistic", "loglogistic", "gumbel", "pareto", "lomax", "inverse_gaussian",
    "uniform", "rayleigh", "poisson", "bernoulli", "binomial", "geometric", "negative_binomial",
}


@pytest.mark.parametrize("name", sorted(registry))
@pytest.mark.parametrize("weighted", [False, True])
def test_start_on_groups_equals_scalar(rng, name, weighted):
    """A family's ``_start`` on a ``GroupSample`` gives each group's own start."""
    from mlekit._families.samples import GroupSample, takes_sample

    fam = get_family(name) if name != "binomial" else mk.Binomial(n=12)
    if name not in _SAMPLE_STARTS:
        # a family whose _start is written for one data set: grouped fits start it group by group
        pytest.skip(f"{name}: _start is not written on a Sample")
    assert takes_sample(fam)
    G, m = 4, 25
    vals = {"beta": lambda: rng.beta(2, 3, m), "uniform": lambda: rng.uniform(-1, 2, m),
            "normal": lambda: rng.normal(1, 2, m), "logistic": lambda: rng.logistic(1, 2, m),
            "gumbel": lambda: rng.gumbel(1, 2, m), "laplace": lambda: rng.laplace(1, 2, m),
            "cauchy": lambda: rng.standard_cauchy(m), "student_t": lambda: rng.standard_t(5, m),
            "weibull": lambda: rng.weibull(1.5, m), "loglogistic": lambda: np.exp(rng.logistic(0, 1, m)),
            "lomax": lambda: rng.pareto(3.0, m), "negative_binomial":
            lambda: rng.negative_binomial(3, 0.4, m).astype(float)}
    xs = [vals[name]() if name in vals else fam.with_params(**dict(zip(
        fam.param_names, _typical(fam)))).sample(m, rng) for _ in range(G)]
    ws = [rng.integers(1, 4, m).astype(float) if weighted else None for _ in range(G)]
    x = np.concatenate(xs).astype(float)
    w = np.concatenate(ws) if weighted else None
    codes = np.repeat(np.arange(G), m)
    perm = rng.permutation(x.size)          # rows need not be sorted by group
    got = fam._start(GroupSample(x[perm], None if w is None else w[perm], codes[perm], G), None, {})
    for i in range(G):
        one = fam._start(np.asarray(xs[i], dtype=float), ws[i], {})
        for p in fam.param_names:
            assert np.broadcast_to(got[p], (G,))[i] == pytest.approx(one[p], rel=1e-9, abs=1e-12), p


def test_gamma_shape_scalar_equals_batched():
    from mlekit._families.stats import gamma_shape, inv_digamma

    s = np.array([1e-8, 1e-3, 0.1, 0.5, 1.0, 3.0, 20.0, -1.0, 0.0])
    arr = gamma_shape(s)
    for i, v in enumerate(s):
        one = gamma_shape(float(v))
        assert (np.isnan(one) and np.isnan(arr[i])) or one == pytest.approx(arr[i], rel=1e-13)
    y = np.array([-10.0, -2.5, -1.0, 0.0, 1.0, 5.0])
    arr = inv_digamma(y)
    for i, v in enumerate(y):
        assert inv_digamma(float(v)) == pytest.approx(arr[i], rel=1e-13)


def test_profiles_do_not_share_block_caches() -> None:
    """Weibull (u = log x) and Gumbel (u = -x) fits of one Data object: each its own u."""
    x = mk.Weibull(shape=2.0, scale=10.0).sample(500, rng=3) + 5.0
    d = mk.Data(x)
    wb, gu = mk.fit(x, "weibull").loglik, mk.fit(x, "gumbel").loglik
    assert mk.fit(d, "weibull").loglik == pytest.approx(wb, rel=1e-12)
    assert mk.fit(d, "gumbel").loglik == pytest.approx(gu, rel=1e-12)
    assert mk.fit(d, "weibull").loglik == pytest.approx(wb, rel=1e-12)
    g = np.repeat([0, 1], 250)
    gw = mk.fit(x, "weibull", by=g).loglik
    mk.fit(x, "gumbel", by=g)
    assert np.allclose(mk.fit(x, "weibull", by=g).loglik, gw, rtol=1e-12)
