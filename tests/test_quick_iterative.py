"""The quick lane for families fitted by their own iteration (``_fit/quickiter.py``: a plain
float64 array, default options) gives exactly what the general path gives — estimates,
log-likelihood, iterations, SEs, covariance, diagnostics, warnings, data — whatever field is read
first, and leaves every case it cannot decide to the general path."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import mlekit as mk
from mlekit._fit.quickiter import quick_iterative_fit
from mlekit._fit.quickpass import LARGE

RNG = np.random.default_rng(20261203)

SAMPLES = {
    "weibull": lambda n: 2.0 * RNG.weibull(1.5, n),
    "gumbel": lambda n: RNG.gumbel(1.0, 2.0, n),
    "cauchy": lambda n: RNG.standard_cauchy(n) * 2.0 + 1.0,
    "loglogistic": lambda n: 3.0 * np.exp(RNG.logistic(0.0, 0.5, n)),
    "lomax": lambda n: 2.0 * RNG.pareto(3.0, n),
    "negative_binomial": lambda n: RNG.negative_binomial(2.0, 0.4, n).astype(float),
    "laplace": lambda n: RNG.laplace(1.0, 2.0, n),
    "genpareto": lambda n: 1.5 * RNG.pareto(4.0, n),
}


def _nan_eq(a: object, b: object) -> bool:
    """Equality where NaN equals NaN (inside dicts and tuples of floats)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_nan_eq(a[k], b[k]) for k in a)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_nan_eq(u, v) for u, v in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _same(a: mk.FitResult, b: mk.FitResult) -> None:
    assert a.family == b.family and a.method == b.method
    assert a.params == b.params
    assert a.loglik == b.loglik
    assert (a.converged, a.n_obs, a.n_params, a.iterations, a.grad_norm, a.cov_type, a.fixed) \
        == (b.converged, b.n_obs, b.n_params, b.iterations, b.grad_norm, b.cov_type, b.fixed)
    assert _nan_eq(a.se, b.se)
    np.testing.assert_array_equal(a.cov, b.cov)
    assert a.diagnostics == b.diagnostics
    np.testing.assert_array_equal(a.data.values, b.data.values)
    assert a.dist == b.dist
    assert _nan_eq(a.ci(), b.ci())


def _fit_recording(x: object, family: str) -> tuple[mk.FitResult, list[tuple[object, str]]]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = mk.fit(x, family)
    return res, [(m.category, str(m.message)) for m in w]


@pytest.mark.parametrize("family", sorted(SAMPLES))
@pytest.mark.parametrize("n", [3, 6, 20, 1000, 70_000])
def test_iterative_lane_equals_the_general_path(family: str, n: int) -> None:
    x = SAMPLES[family](n)
    # the lane serves it ... (counts from LARGE values go to the general path's chunked check)
    served = not (mk.get_family(family).discrete and n >= LARGE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                      # the same warnings, checked below
        assert (quick_iterative_fit(x, family) is not None) == served
    quick, w_quick = _fit_recording(x, family)
    general, w_general = _fit_recording(list(x), family)    # ... a list takes the general path
    _same(quick, general)
    assert w_quick == w_general


@pytest.mark.parametrize("first", ["cov", "se", "dist", "diagnostics", "likelihood", "ci",
                                   "summary", "repr"])
@pytest.mark.parametrize("family", ["weibull", "cauchy", "negative_binomial"])
def test_the_first_field_read_does_not_change_any_value(family: str, first: str) -> None:
    x = SAMPLES[family](500)
    res = mk.fit(x, family)
    assert "_complete" in res.__dict__                     # a clean fit: built deferred
    readers = {"cov": lambda r: r.cov, "se": lambda r: r.se, "dist": lambda r: r.dist,
               "diagnostics": lambda r: r.diagnostics, "likelihood": lambda r: r.likelihood,
               "ci": lambda r: r.ci(), "summary": lambda r: str(r.summary()), "repr": repr}
    readers[first](res)
    _same(res, mk.fit(list(x), family))


def test_a_deferred_result_keeps_its_iterations_and_gradient() -> None:
    x = SAMPLES["weibull"](1000)
    res = mk.fit(x, "weibull")
    assert "_complete" in res.__dict__
    assert res.iterations > 0 and res.method == "profile-newton"
    general = mk.fit(list(x), "weibull")
    assert (res.iterations, res.grad_norm) == (general.iterations, general.grad_norm)


@pytest.mark.parametrize("x, family", [
    (np.array([1.0, np.nan, 2.0, 3.0]), "weibull"),        # missing value: the general error
    (np.array([1.0, np.inf, 2.0, 3.0]), "cauchy"),         # infinity
    (np.array([-1.0, 1.0, 2.0, 3.0]), "weibull"),          # outside the support
    (np.array([0.0, 1.0, 2.0, 3.0]), "loglogistic"),       # on an open end of the support
    (np.array([1.5, 1.0, 2.0, 3.0]), "negative_binomial"),  # not a count
    (np.array([2.0, 2.0, 2.0, 2.0]), "gumbel"),            # identical values (degenerate)
    (np.array([1e200, 2e200, 4e200, 3e200]), "weibull"),   # fitted rescaled
    (np.array([1e-200, 2e-200, 4e-200]), "lomax"),
    (np.array([1.0, 2.0]), "cauchy"),                      # as many values as parameters
    (np.array([1.0, 2.0, 4.0, 8.0]), "normal"),            # a closed form: the other lane
    (np.array([1.0, 2.0, 4.0, 8.0]), "student_t"),         # no fast path of its own
    (np.array([1.0, 2.0, 4.0, 8.0]), "weibull3"),          # three parameters
    (np.array([1.0, 2.0, 4.0, 8.0])[::-1], "weibull"),     # not C-contiguous
    (np.array([1, 2, 4, 8]), "weibull"),                   # not float64
])
def test_cases_the_lane_leaves_to_the_general_path(x: np.ndarray, family: str) -> None:
    assert quick_iterative_fit(x, family) is None


def test_bad_values_give_the_general_errors() -> None:
    with pytest.raises(mk.DataError, match="NaN"):
        mk.fit(np.array([1.0, np.nan, 2.0, 3.0]), "weibull")
    with pytest.raises(mk.DataError, match="requires values in"):
        mk.fit(np.array([-1.0, 1.0, 2.0, 3.0]), "weibull")
    with pytest.warns(mk.BoundaryWarning):
        res = mk.fit(np.array([2.0, 2.0, 2.0, 2.0]), "weibull")
    assert res.method == "degenerate"


@pytest.mark.parametrize("family, x", [
    ("negative_binomial", [3.0, 3.0, 2.0, 4.0, 3.0]),       # under-dispersed: the Poisson limit
    ("lomax", [1.0, 1.1, 0.9, 1.05, 0.95]),                # CV < 1: the exponential limit
    ("genpareto", [0.1, 0.5, 2.0]),                        # family diagnostics
    ("cauchy", [1.0, 1.0, 1.0, 1.0, 2.0, 3.0]),            # most values tied: a collapse
])
def test_results_that_warn_are_built_complete_at_fit_time(family: str, x: list[float]) -> None:
    quick, w_quick = _fit_recording(np.array(x), family)
    general, w_general = _fit_recording(list(x), family)
    assert w_quick and "_complete" not in quick.__dict__
    assert w_quick == w_general
    _same(quick, general)


@pytest.mark.parametrize("n", [4, 5, 7, 1000, 100_003])
def test_one_selection_quartiles_equal_the_separate_ones(n: int) -> None:
    """The Cauchy start's quartiles and the collapsed-scale check's IQR from one selection are
    bit for bit the per-quantile selections and ``np.percentile`` they replace."""
    from mlekit._core.numdiff import iqr_of
    from mlekit._families.stats import quartiles, wquantile

    x = RNG.standard_cauchy(n)
    assert quartiles(x) == tuple(wquantile(x, None, q) for q in (0.25, 0.5, 0.75))
    q1, q3 = np.percentile(x, [25.0, 75.0])
    assert iqr_of(x) == float(q3 - q1)


def test_the_counted_iqr_bound_never_hides_a_collapse() -> None:
    """``_iqr_bounded`` (two counts instead of a selection) only says "no collapse" when the
    exact IQR says so too, whatever the centre and scale, ties and heavy tails included."""
    from mlekit._fit.assemble import _iqr_bounded

    rng = np.random.default_rng(7)
    for n in (4, 5, 9, 100, 1001):
        for x in (rng.standard_cauchy(n) * 1e3, np.round(rng.normal(size=n), 1),
                  np.r_[np.zeros(n - 2), 1e9, -1e9]):
            q1, q3 = np.percentile(x, [25.0, 75.0])
            iqr = float(q3 - q1)
            for centre in (0.0, float(np.median(x)), 1e6, -3.0):
                for scale in np.geomspace(1e-12, 1e12, 49):
                    if _iqr_bounded(x, centre, float(scale)):
                        assert scale >= 1e-4 * iqr


def test_a_collapsed_cauchy_scale_is_still_reported() -> None:
    x = np.r_[np.zeros(60), RNG.standard_cauchy(40) * 1e3]
    quick, w_quick = _fit_recording(x, "cauchy")
    general, w_general = _fit_recording(list(x), "cauchy")
    assert "scale" in quick.on_boundary and w_quick == w_general
    _same(quick, general)
