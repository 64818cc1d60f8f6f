"""The fused two-parameter Newton (``_families/fused.py``: Cauchy, log-logistic, Lomax) gives
the generic Newton's optimum (``method="newton"`` forces the generic path), its
log-likelihood, score and Hessian are the likelihood's at the estimate, chunked sums equal
one pass, and whatever it cannot settle (fixed values, censoring, a Lomax without an interior
maximum, Cauchy data with most values tied) is served by the generic path as before."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats as st

import mlekit as mk
from mlekit._data.data import Data
from mlekit._families import fused, get_family
from mlekit._fit.likelihood import Likelihood

SAMPLERS = {
    "cauchy": lambda rng, n: 3.0 * rng.standard_cauchy(n) - 2.0,
    "loglogistic": lambda rng, n: st.fisk.rvs(2.5, scale=40.0, size=n, random_state=rng),
    "lomax": lambda rng, n: st.lomax.rvs(2.5, scale=3.0, size=n, random_state=rng),
}
FAST_METHOD = {"cauchy": "newton", "loglogistic": "newton", "lomax": "profile-newton"}


def _same_optimum(a: mk.FitResult, b: mk.FitResult) -> None:
    # both stop at a Newton decrement <= 1e-12: within ~1e-6 standard errors of each other
    for p in a.params:
        assert abs(a.params[p] - b.params[p]) <= 1e-5 * b.se[p]
        assert a.se[p] == pytest.approx(b.se[p], rel=1e-5)
    assert a.loglik >= b.loglik - 1e-9 * (1 + abs(b.loglik))


@pytest.mark.parametrize("fam", sorted(SAMPLERS))
@pytest.mark.parametrize("n", [12, 200, 5000])
@pytest.mark.parametrize("weighted", [False, True])
def test_fused_equals_generic_newton(fam, n, weighted):
    rng = np.random.default_rng(n + 7 * weighted)
    x = SAMPLERS[fam](rng, n)
    w = rng.integers(1, 4, n).astype(float) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # small-sample notes are the same on both paths
        fast = mk.fit(x, fam, weights=w)
        slow = mk.fit(x, fam, weights=w, method="newton")
    if fast.method == slow.method == "newton" and fam == "lomax":
        return   # no interior maximum in this sample: both took the generic path
    assert fast.method == FAST_METHOD[fam]
    assert slow.method == "newton"
    assert fast.converged
    _same_optimum(fast, slow)
    assert [d.code for d in fast.diagnostics] == [d.code for d in slow.diagnostics]
    # the fast path's log-likelihood, score and Hessian are the likelihood's at the estimate
    dat = Data(x, weights=w)
    th = tuple(fast.params[p] for p in get_family(fam).param_names)
    ll, g, H = Likelihood(get_family(fam), dat).evaluate(th, 2)
    assert fast.loglik == pytest.approx(ll, rel=1e-12, abs=1e-9)
    assert np.allclose(fast.cov, np.linalg.inv(-H), rtol=1e-8, atol=0)
    assert np.all(np.abs(g) * np.sqrt(np.diag(fast.cov)) < 1e-5)


@pytest.mark.parametrize("fam", sorted(SAMPLERS))
def test_chunked_sums_equal_one_pass(fam, monkeypatch):
    x = SAMPLERS[fam](np.random.default_rng(3), 3000)
    one = mk.fit(x, fam)
    monkeypatch.setattr(fused, "CHUNK_ROWS", 700)     # five chunks, added in order
    many = mk.fit(x, fam)
    assert many.method == one.method == FAST_METHOD[fam]
    for p in one.params:
        assert many.params[p] == pytest.approx(one.params[p], rel=1e-9)
    assert many.loglik == pytest.approx(one.loglik, rel=1e-13)


def test_lomax_without_interior_maximum_keeps_the_boundary_report():
    # lighter-tailed than exponential (CV < 1): the MLE runs off to the exponential limit
    x = np.random.default_rng(1).gamma(3.0, 1.0, 400)
    with pytest.warns(mk.BoundaryWarning):
        res = mk.fit(x, "lomax")
    assert res.method == "newton"
    assert {"boundary"} <= {d.code for d in res.diagnostics}


def test_cases_the_fused_path_leaves_to_generic_newton():
    rng = np.random.default_rng(2)
    x = SAMPLERS["cauchy"](rng, 300)
    assert mk.fit(x, "cauchy", fixed={"scale": 2.0}).method == "newton"
    cens = mk.Data.right_censored(np.abs(x), observed=rng.random(300) < 0.8)
    assert mk.fit(cens, "loglogistic").method == "newton"
    assert mk.fit(cens, "lomax").method == "newton"
    # more than half the values tied: the Cauchy likelihood has no regular maximum
    tied = np.concatenate([np.full(20, 1.5), rng.normal(size=9)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(tied, "cauchy")
        ref = mk.fit(tied, "cauchy", method="newton")
    assert res.params == pytest.approx(ref.params, rel=1e-6, abs=1e-12)
    assert [d.code for d in res.diagnostics] == [d.code for d in ref.diagnostics]


def test_quartiles_match_percentile():
    rng = np.random.default_rng(4)
    for n in (8, 9, 10, 11, 1001):
        x = rng.normal(size=n)
        assert fused.quartiles(x) == pytest.approx(tuple(np.percentile(x, [25, 50, 75])),
                                                   rel=1e-14, abs=1e-15)


def test_student_t_other_starts_are_screened(monkeypatch):
    """t's other starts (small df) are stopped once they enter the quadratic neighbourhood of
    the best maximum (and the rest skipped): the same optimum as running them all out."""
    import mlekit._fit.newton as newton_mod

    x = np.random.default_rng(6).standard_t(5, 800) * 2.0 + 1.0
    runs: list[str] = []
    real = newton_mod.newton

    def spy(*a, **k):
        out = real(*a, **k)
        runs.append(out.message)
        return out

    monkeypatch.setattr(newton_mod, "newton", spy)
    screened = mk.fit(x, "student_t")
    assert runs == ["converged", "stopped"]        # the second other start was skipped
    runs.clear()
    monkeypatch.setattr(newton_mod, "_joined", lambda top: (lambda eta, f: False))
    full = mk.fit(x, "student_t")
    assert runs == ["converged", "converged", "converged"]
    assert screened.params == full.params
    assert screened.loglik == full.loglik


def test_student_t_screen_keeps_a_better_basin():
    # the main start runs off to df -> inf (a flat maximum: no neighbourhood to join), the
    # small-df starts find the better maximum (ROBUSTNESS-REVIEW F6)
    t4 = [-4.4, 287.5, -5e-13, -9.8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(t4, "student_t")
    assert res.params["df"] < 10 and res.loglik > -25.0


def test_large_samples_keep_the_generic_path():
    # above MAX_ROWS the in-memory fit stays the chunked backends' Newton (Dask, streams)
    x = SAMPLERS["lomax"](np.random.default_rng(8), fused.MAX_ROWS + 1)
    assert mk.fit(x, "lomax").method == "newton"
    assert mk.fit(x[: fused.MAX_ROWS], "lomax").method == "profile-newton"
