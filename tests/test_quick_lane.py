"""The quick lane of ``mk.fit`` (a closed form on a plain float64 array, default options) gives
exactly what the general path gives — estimates, log-likelihood, SEs, covariance, diagnostics,
data — and leaves every case it cannot decide (bad values, ties, magnitudes, other families) to
the general path."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import mlekit as mk
from mlekit._fit.assemble import Estimate, finish
from mlekit._fit.deferred import finish_quick
from mlekit._fit.likelihood import Likelihood
from mlekit._fit.quick import quick_fit

RNG = np.random.default_rng(2026)

SAMPLES = {
    "normal": lambda n: RNG.normal(1.0, 2.0, n),
    "lognormal": lambda n: RNG.lognormal(0.5, 0.8, n),
    "exponential": lambda n: RNG.exponential(2.0, n),
    "gamma": lambda n: RNG.gamma(2.5, 1.5, n),
    "inverse_gaussian": lambda n: RNG.wald(2.0, 3.0, n),
    "rayleigh": lambda n: RNG.rayleigh(1.5, n),
    "beta": lambda n: RNG.beta(2.0, 3.0, n),
    "poisson": lambda n: RNG.poisson(3.5, n).astype(float),
    "bernoulli": lambda n: (RNG.random(n) < 0.3).astype(float),
    "geometric": lambda n: RNG.geometric(0.3, n).astype(float),
    "uniform": lambda n: RNG.uniform(-1.0, 3.0, n),
    "pareto": lambda n: 1.5 * (1.0 + RNG.pareto(2.0, n)),
}


def _same(a: mk.FitResult, b: mk.FitResult) -> None:
    assert a.family == b.family and a.method == b.method
    assert a.params == b.params
    assert a.loglik == b.loglik
    assert a.se == pytest.approx(b.se, rel=0, abs=0, nan_ok=True)
    np.testing.assert_array_equal(a.cov, b.cov)
    assert a.diagnostics == b.diagnostics
    assert (a.converged, a.n_obs, a.n_params, a.iterations, a.cov_type, a.fixed) == \
        (b.converged, b.n_obs, b.n_params, b.iterations, b.cov_type, b.fixed)
    np.testing.assert_array_equal(a.data.values, b.data.values)
    assert a.dist == b.dist
    assert a.ci() == b.ci()


@pytest.mark.parametrize("family", sorted(SAMPLES))
@pytest.mark.parametrize("n", [3, 20, 1000, 70_000])
def test_quick_lane_equals_the_general_path(family: str, n: int) -> None:
    x = SAMPLES[family](n)
    if np.ptp(x) == 0:
        x[0] = 1.0 - x[0] if family == "bernoulli" else x[0] + 1.0
    assert quick_fit(x, family) is not None      # the lane serves it ...
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the same warnings, checked below
        quick = mk.fit(x, family)
        general = mk.fit(list(x), family)        # ... a list takes the general path
    _same(quick, general)


@pytest.mark.parametrize("family, x", [
    ("bernoulli", [0.0, 1.0, 0.0]),
    ("beta", [1e-9, 0.5, 1.0 - 1e-9]),
    ("gamma", [1e-300, 1.0, 2.0]),
    ("inverse_gaussian", [1e-8, 1.0, 1e8]),
    ("geometric", [1.0, 1.0, 2.0]),
])
def test_warnings_are_emitted_at_fit_time_as_before(family: str, x: list[float]) -> None:
    caught = []
    for data in (np.array(x), list(x)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = mk.fit(data, family)
        caught.append(([(m.category, str(m.message), m.filename) for m in w], res.diagnostics,
                       res.params, res.method))
    assert caught[0] == caught[1]


@pytest.mark.parametrize("x, family", [
    (np.array([1.0, np.nan, 2.0]), "normal"),          # missing value: the general error
    (np.array([1.0, np.inf, 2.0]), "normal"),          # infinity
    (np.array([-1.0, 1.0, 2.0]), "exponential"),       # outside the support
    (np.array([0.0, 1.0, 2.0]), "lognormal"),          # on an open end of the support
    (np.array([1.5, 1.0, 2.0]), "poisson"),            # not a count
    (np.array([2.0, 2.0, 2.0]), "normal"),             # identical values (degenerate)
    (np.array([1e200, 2e200, 4e200]), "normal"),       # fitted rescaled
    (np.array([1e-200, 2e-200, 4e-200]), "exponential"),
    (np.full(5000, 3.0), "exponential"),               # identical, many (the sum-only check)
    (np.full(5, 3.0), "exponential"),                  # identical, few (the sum-only check)
    (np.full(5, 0.0), "exponential"),                  # identical zeros (a sum of 0)
    (np.array([0.1, 0.1, 0.1]), "gamma"),              # identical, the sum rounded
    (np.array([1e-170, 2e-170, 4e-170]), "lognormal"),  # tiny, few
    (np.array([1e170, 2e170, 4e170]), "rayleigh"),     # huge, few
    (np.linspace(1.0, 2.0, 5000) * 1e-170, "gamma"),   # tiny, many
    (np.linspace(1.0, 2.0, 5000) * 1e170, "gamma"),    # huge, many
    (np.array([1.0, 2.0]), "normal"),                  # as many values as parameters
    (np.array([1.0, 2.0, 4.0]), "weibull"),            # no closed form
    (np.array([1.0, 2.0, 4.0, 8.0]), "weibull3"),      # non-regular, not from the extremes
    (np.array([1.0, 2.0, 4.0])[::-1], "normal"),       # not C-contiguous
    (np.array([1, 2, 4]), "poisson"),                  # not float64
])
def test_cases_the_lane_leaves_to_the_general_path(x: np.ndarray, family: str) -> None:
    assert quick_fit(x, family) is None


def test_bad_values_give_the_general_errors() -> None:
    with pytest.raises(mk.DataError, match="NaN"):
        mk.fit(np.array([1.0, np.nan, 2.0]), "normal")
    with pytest.raises(mk.DataError, match="requires values in"):
        mk.fit(np.array([-1.0, 1.0, 2.0]), "exponential")
    with pytest.warns(mk.BoundaryWarning):
        res = mk.fit(np.array([2.0, 2.0, 2.0]), "normal")
    assert res.method == "degenerate"


DEFERRED = ("dist", "se", "cov", "cov_type", "diagnostics", "likelihood")
# ways of reading a fresh result: each one first, the others after it
READERS = {
    "cov": lambda r: r.cov,
    "se": lambda r: r.se,
    "dist": lambda r: r.dist,
    "diagnostics": lambda r: r.diagnostics,
    "likelihood": lambda r: r.likelihood,
    "cov_type": lambda r: r.cov_type,
    "aic": lambda r: r.aic,
    "ci": lambda r: r.ci(),
    "summary": lambda r: str(r.summary()),
    "to_dict": lambda r: json.dumps(r.to_dict()),
    "repr": repr,
    "warnings": lambda r: r.warnings,
}


def test_a_quick_result_defers_its_inference_fields() -> None:
    x = SAMPLES["normal"](50)
    res = mk.fit(x, "normal")
    assert not set(DEFERRED) & set(vars(res))      # not computed yet ...
    assert res.params and res.loglik and res.aic   # ... while the estimates are there
    cov = res.cov                                  # the first access computes them all, once
    assert set(DEFERRED) <= set(vars(res)) and res.cov is cov and res.se is res.se
    assert "_complete" not in vars(res)


@pytest.mark.parametrize("first", sorted(READERS))
@pytest.mark.parametrize("family", ["normal", "exponential", "lognormal", "gamma", "poisson",
                                    "bernoulli", "uniform", "pareto"])
def test_the_first_field_read_does_not_change_any_value(family: str, first: str) -> None:
    x = SAMPLES[family](40)
    general = mk.fit(list(x), family)
    res = mk.fit(x, family)
    assert not set(DEFERRED) & set(vars(res))
    got = READERS[first](res)
    assert first in ("cov", "dist", "likelihood") or got == READERS[first](general)
    for read in READERS.values():
        read(res)
    _same(res, general)
    assert json.dumps(res.to_dict()) == json.dumps(general.to_dict())
    assert repr(res) == repr(general) and str(res) == str(general)


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle", "replace"])
def test_copies_of_a_fresh_result_are_complete(how: str) -> None:
    x = SAMPLES["gamma"](30)
    general = mk.fit(list(x), "gamma")
    res = mk.fit(x, "gamma")
    other = {"copy": copy.copy, "deepcopy": copy.deepcopy,
             "pickle": lambda r: pickle.loads(pickle.dumps(r)),
             "replace": lambda r: dataclasses.replace(r, method=r.method)}[how](res)
    assert set(DEFERRED) <= set(vars(other)) and "_complete" not in vars(other)
    _same(other, general)
    _same(res, general)                           # the original is complete as well
    assert other.likelihood is not None and other._refit is not None
    assert other.dist.values == res.params
    assert set(vars(other)) == {f.name for f in dataclasses.fields(mk.FitResult)}


def test_quick_results_are_frozen_and_compare_by_identity() -> None:
    x = SAMPLES["normal"](50)
    res = mk.fit(x, "normal")
    for name in ("se", "cov", "params"):           # deferred or not, before the first read
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(res, name, {})
    assert not set(DEFERRED) & set(vars(res))      # a refused write computes nothing
    with pytest.raises(dataclasses.FrozenInstanceError):
        del res.se
    assert res == res and res != mk.fit(x, "normal") and hash(res) == hash(res)  # as before
    assert res.se == mk.fit(list(x), "normal").se
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.se = {}                               # immutable after the first read too
    assert res.likelihood.evaluate(tuple(res.params.values()), 0)[0] == pytest.approx(res.loglik)
    assert mk.FitResult.diagnostics == () and mk.FitResult.cov_type == "observed"  # defaults
    assert not callable(mk.FitResult.se)         # a field without a default: a descriptor


@pytest.mark.parametrize("family", ["exponential", "normal", "gamma", "poisson", "inverse_gaussian",
                                    "uniform", "pareto", "lognormal", "beta"])
@pytest.mark.parametrize("n", [4096, 262_144, 262_145, 600_000])
def test_quick_lane_equals_the_general_path_over_several_chunks(family: str, n: int) -> None:
    # from 4096 values the checks of the log families come from the fused pass (quickpass),
    # beyond CHUNK_ROWS (2**18) every family's; there its sums are per chunk, merged as the
    # statistics are
    x = SAMPLES[family](n)
    assert quick_fit(x, family) is not None
    _same(mk.fit(x, family), mk.fit(mk.Data(x.copy()), family))


def _spoilt(x: np.ndarray, i: int, v: float) -> np.ndarray:
    y = x.copy()
    y[i] = v
    return y


@pytest.mark.parametrize("n", [5000, 600_000])
@pytest.mark.parametrize("family", ["gamma", "inverse_gaussian"])
def test_the_log_pass_leaves_bad_values_to_the_general_path(family: str, n: int) -> None:
    x = SAMPLES[family](n)
    for i, v, match in [(n - 1, 0.0, "requires values in"), (n // 2, -1.0, "requires values in"),
                        (0, np.nan, "NaN"), (n - 300_000 if n > 300_000 else 7, np.inf, "finite")]:
        y = _spoilt(x, i, v)
        with warnings.catch_warnings():
            warnings.simplefilter("error")       # no warning from log(0), log(-1) or log(nan)
            assert quick_fit(y, family) is None
        with pytest.raises(mk.DataError, match=match):
            mk.fit(y, family)


@pytest.mark.parametrize("family", ["gamma", "inverse_gaussian"])
def test_the_log_pass_leaves_near_identical_values_to_the_general_path(family: str) -> None:
    # log(mean) - mean(log) within its rounding bound of 0: the pass cannot tell these from
    # identical values, so the general path decides (here: a very large shape, not degenerate)
    x = 3.0 + np.linspace(-1.0, 1.0, 5000) * 1e-9
    assert quick_fit(x, family) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # (inverse Gaussian: Newton, not converging)
        assert mk.fit(x, family).method != "degenerate"
    with pytest.warns(mk.BoundaryWarning):
        assert mk.fit(np.full(5000, 3.0), family).method == "degenerate"


@pytest.mark.parametrize("n", [5000, 600_000])
def test_the_extremes_pass_leaves_bad_values_to_the_general_path(n: int) -> None:
    x = SAMPLES["uniform"](n)
    for v in (np.nan, np.inf, -np.inf):
        assert quick_fit(_spoilt(x, n - 2, v), "uniform") is None
    e = SAMPLES["exponential"](n)
    assert quick_fit(_spoilt(e, n // 2, -1e-300), "exponential") is None
    assert quick_fit(_spoilt(e, n // 2, 0.0), "exponential") is not None   # [0, inf): closed
    p = SAMPLES["pareto"](n)
    assert quick_fit(_spoilt(p, 3, 0.0), "pareto") is None                # (0, inf): open


def test_concurrent_first_reads_compute_the_fields_once() -> None:
    res = mk.fit(SAMPLES["normal"](200), "normal")
    with ThreadPoolExecutor(8) as pool:
        covs = list(pool.map(lambda _: res.cov, range(32)))
    assert all(c is covs[0] for c in covs)


def test_reading_a_quick_result_warns_nothing() -> None:
    for family in ("normal", "gamma", "beta", "poisson", "geometric"):
        res = mk.fit(SAMPLES[family](30), family)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for read in READERS.values():
                read(res)


def test_results_that_warn_are_built_complete_at_fit_time() -> None:
    x = np.array([0.0, 0.0, 0.0, 0.0, 1.0])          # p = 0.2: clean, deferred
    assert not set(DEFERRED) & set(vars(mk.fit(x, "bernoulli")))
    # what the lane's closed forms never give (their checks exclude it), built by hand: an
    # information that is not positive definite, an estimate on the boundary
    fam, dat = mk.Exponential(), mk.Data(np.array([1.0, 2.0, 4.0]))
    cases = [(Estimate({"rate": 0.5}, -5.0, np.array([[1.0]]), "closed-form"),
              mk.NumericalWarning, "singular-information"),
             (Estimate({"rate": 0.0}, -5.0, np.array([[-1.0]]), "closed-form"),
              mk.BoundaryWarning, "boundary")]
    for est, warning, code in cases:
        assert est.hess is not None
        with pytest.warns(warning):
            res = finish_quick(fam, dat, est.params, est.loglik, est.hess, est.method,
                               refit=None)   # type: ignore[arg-type]
        assert set(DEFERRED) <= set(vars(res)) and res.warnings[0].code == code
        with pytest.warns(warning):
            ref = finish(fam, dat, Likelihood(fam, dat), est, fixed={}, nonreg={}, strict=False)
        assert (res.diagnostics, res.converged, res.params) == \
            (ref.diagnostics, ref.converged, ref.params)
        np.testing.assert_array_equal(res.cov, ref.cov)


@pytest.mark.parametrize("family", ["poisson", "bernoulli", "geometric"])
@pytest.mark.parametrize("n", [100, 1000, 5000])
def test_count_closed_forms_keep_a_compressed_likelihood(family: str, n: int) -> None:
    # below CLOSED_FORM_MIN_ROWS the closed form reads the rows (no compression), but the
    # likelihood kept for inference (profiles, scores) holds the distinct counts, on both paths
    x = SAMPLES[family](n)
    quick, general = mk.fit(x, family), mk.fit(mk.Data(x), family)
    _same(quick, general)
    for res in (quick, general):
        assert res.likelihood is not None
        assert res.likelihood.data.exact.size == np.unique(x).size < n
        assert res.data is not None and res.data.n_rows == n
    assert quick.ci(method="profile") == general.ci(method="profile")


def test_information_test_takes_any_array_like() -> None:
    # (a family's fast path may hand over its Hessian as nested lists)
    from mlekit._fit.assemble import _small_inverse
    from mlekit._fit.deferred import _regular_pd

    for h in ([[-2.0]], [[-2.0, 0.5], [0.5, -1.0]], [[1.0, 0.0], [0.0, -1.0]],
              [[float("nan"), 0.0], [0.0, -1.0]]):
        idx = [0] if len(h) == 1 else [0, 1]
        assert _regular_pd(h, idx) == _small_inverse(np.array(h), idx)[1]
