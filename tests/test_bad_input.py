"""Bad input gets a named error with what was expected, what was got, and a hint."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import mlekit as mk
from mlekit.errors import (
    BoundaryWarning,
    ConvergenceError,
    DataError,
    FamilyError,
    MlekitError,
    ParameterError,
)


def test_nan_raises_by_default_and_omit_drops_and_reports() -> None:
    with pytest.raises(DataError, match=r"1 NaN.*index 2.*nan_policy='omit'"):
        mk.fit([1.0, 2.0, np.nan, 3.0], "normal")
    res = mk.fit([1.0, 2.0, np.nan, 3.0], "normal", nan_policy="omit")
    assert res.n_obs == 3 and res.data is not None and res.data.n_dropped == 1
    assert "1 missing dropped" in str(res.summary())


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_values(bad: float) -> None:
    with pytest.raises(DataError, match=r"finite.*index 1.*censored"):
        mk.fit([1.0, bad, 3.0], "normal")


def test_empty_data() -> None:
    with pytest.raises(DataError, match="at least one observation"):
        mk.fit([], "normal")
    with pytest.raises(DataError, match="none left after dropping 2"):
        mk.fit([np.nan, np.nan], "normal", nan_policy="omit")


def test_fewer_observations_than_parameters() -> None:
    with pytest.raises(DataError, match=r"3 free parameters; got only 2 observations.*fixed"):
        mk.fit([1.0, 2.0], "student_t")


def test_values_outside_support_count_and_first_index() -> None:
    with pytest.raises(DataError, match=r"Weibull requires values in \(0, inf\); got 2 values outside "
                                        r"\(first at index 1: -1\).*left-censored"):
        mk.fit([1.0, -1.0, 2.0, -3.0], "weibull")
    with pytest.raises(DataError, match=r"Poisson.*got 1 values outside \(first at index 2: 1.5\)"):
        mk.fit([1, 2, 1.5], "poisson")
    with pytest.raises(DataError, match="Beta"):
        mk.fit([0.2, 1.0], "beta")


def test_non_numeric_input() -> None:
    with pytest.raises(DataError, match="numeric.*'a'"):
        mk.fit(["1.0", "a"], "normal")
    with pytest.raises(DataError, match="string"):
        mk.fit("1 2 3", "normal")
    with pytest.raises(DataError, match="scalar"):
        mk.fit(3.0, "normal")


@pytest.mark.parametrize("w, msg", [([1, -1, 1], r"weights must be finite and >= 0; got 1 bad weights \(first at index 1"),
                                    ([1, np.nan, 1], "missing"),
                                    ([1, 1], r"weights must have one entry per value \(3\); got 2"),
                                    ([0, 0, 0], "must not all be zero")])
def test_bad_weights(w: list[float], msg: str) -> None:
    with pytest.raises(DataError, match=msg):
        mk.fit(mk.Data([1.0, 2.0, 3.0], weights=w), "normal")


def test_interval_bounds_swapped() -> None:
    with pytest.raises(DataError, match=r"lower <= upper; got 1 rows.*index 1: \[5.0, 2.0\].*swapped"):
        mk.Data.interval([1.0, 5.0], [2.0, 2.0])


def test_unknown_family_and_parameter_names() -> None:
    with pytest.raises(FamilyError, match="Did you mean 'weibull'"):
        mk.fit([1.0, 2.0], "weibul")
    with pytest.raises(ParameterError, match=r"fixed names a parameter of Gamma \(shape, scale\); got 'rate'"):
        mk.fit([1.0, 2.0, 3.0], "gamma", fixed={"rate": 1.0})
    with pytest.raises(ParameterError, match="start names"):
        mk.fit([1.0, 2.0, 3.0], "gamma", start={"k": 1.0})
    with pytest.raises(ParameterError, match="Weibull has parameters shape, scale; got 'lam'"):
        mk.Weibull(lam=1.0)


def test_fixed_and_start_outside_domain() -> None:
    with pytest.raises(ParameterError, match=r"fixed of Gamma parameter shape must lie in \(0, inf\); got -1"):
        mk.fit([1.0, 2.0, 3.0], "gamma", fixed={"shape": -1.0})
    with pytest.raises(ParameterError, match=r"start of Bernoulli parameter p must lie in \(0, 1\); got 1.5"):
        mk.fit([0, 1, 1], "bernoulli", start={"p": 1.5})


@pytest.mark.parametrize("name", ["normal", "weibull", "gamma", "lognormal", "logistic", "student_t"])
def test_constant_data_reports_a_boundary_estimate(name: str) -> None:
    with pytest.warns(BoundaryWarning, match="all 6 values equal 2"):
        res = mk.fit([2.0] * 6, name)
    assert res.method == "degenerate" and not res.converged
    assert any(d.code == "degenerate" for d in res.diagnostics)
    text = str(res.summary())
    assert "all 6 values equal 2" in text
    with pytest.raises(ConvergenceError, match="not clean"):
        mk.fit([2.0] * 6, name, strict=True)


def test_all_observations_right_censored() -> None:
    with pytest.raises(DataError, match="right-censored.*unbounded"):
        mk.fit(mk.Data.right_censored([10.0, 20.0, 30.0], observed=[0, 0, 0]), "weibull")


def test_errors_share_the_hierarchy() -> None:
    for cls in (DataError, ParameterError, FamilyError, ConvergenceError):
        assert issubclass(cls, MlekitError)
    assert issubclass(DataError, ValueError) and issubclass(FamilyError, TypeError)


def test_bernoulli_all_ones_is_a_boundary_not_a_crash() -> None:
    with pytest.warns(BoundaryWarning, match="boundary"):
        res = mk.fit([1, 1, 1, 1], "bernoulli")
    assert res.params["p"] == 1.0 and res.loglik == 0.0


def test_poisson_all_zeros_rate_on_boundary() -> None:
    with pytest.warns(BoundaryWarning):
        res = mk.fit([0, 0, 0], "poisson")
    assert res.params["rate"] == 0.0 and res.loglik == 0.0


def test_under_dispersed_counts_send_nb_size_to_the_boundary() -> None:
    rng = np.random.default_rng(0)
    k = rng.binomial(10, 0.5, 500)
    with pytest.warns(BoundaryWarning, match="size.*poisson"):
        res = mk.fit(k, "negative_binomial")
    assert res.params["size"] > 1e4
    assert math.isclose(res.params["mean"], k.mean(), rel_tol=1e-6)


def test_normal_data_send_student_t_df_to_the_boundary() -> None:
    x = np.random.default_rng(1).normal(size=3000)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = mk.fit(x, "student_t")
    if res.params["df"] > 1e4:
        assert any("normal" in str(w.message) for w in rec)


def test_exact_zero_lifetimes_get_a_clear_error() -> None:
    with pytest.raises(DataError, match=r"Weibull requires values in \(0, inf\); got 1 values outside "
                                        r"\(first at index 0: 0\).*left-censored"):
        mk.fit([0.0, 1.0, 2.0, 3.0], "weibull")
    # a zero that is really "failed before the first inspection" is left-censored data
    d = mk.Data.interval([-np.inf, 1.0, 2.0, 3.0], [0.5, 1.0, 2.0, 3.0])
    assert mk.fit(d, "weibull").converged
    assert mk.fit([0.0, 1.0, 2.0, 3.0], "exponential").converged  # f(0) = rate is fine


def test_an_estimate_mapped_back_beyond_float_range_is_mlekits_diagnostic_not_numpys() -> None:
    # data near the float maximum are fitted rescaled by 2**e; mapping the gamma's scale back
    # overflows to inf: numpy's "overflow encountered in ldexp" must not leak, mlekit says it
    x = np.concatenate([np.random.default_rng(7).gamma(2.0, 1.5, 30) + 0.01,
                        [np.finfo(float).max] * 3])
    with pytest.warns(mk.NumericalWarning, match=r"overflowed \(scale = inf\).*rescale the data"):
        res = mk.fit(x, "gamma")
    assert not res.converged and math.isinf(res.params["scale"])


def test_a_non_finite_start_says_so_once() -> None:
    # the optimiser's own message is the same sentence: it was quoted in parentheses after it
    x = np.concatenate([np.random.default_rng(7).normal(5.0, 1.0, 30), [np.finfo(float).max] * 3])
    with pytest.raises(DataError, match=r"^StudentT: the log-likelihood is not finite at the "
                                        r"starting values\. Hint: pass start=") as exc:
        mk.fit(x, "student_t")
    assert str(exc.value).count("not finite") == 1


@pytest.mark.parametrize(("kw", "hint"), [("trials", r"mk\.Binomial\(n=\.\.\.\)"),
                                          ("weights", r"np\.full\(len\(x\), value\)")])
def test_a_scalar_where_one_value_per_row_is_needed_says_how_to_pass_it(kw: str, hint: str) -> None:
    with pytest.raises(DataError, match=rf"{kw} must be a 1-D sequence with one value per "
                                        rf"observation; got a scalar 10\. Hint: .*{hint}"):
        mk.Data([1.0, 2.0, 3.0], **{kw: 10})
    # what the hint says works
    assert mk.fit(mk.Data([1.0, 2.0, 3.0], trials=np.full(3, 10)), "binomial").converged
    assert mk.fit([1.0, 2.0, 3.0], mk.Binomial(n=10)).converged


def test_tiny_frequency_weights_are_named_as_the_reason_for_too_few_observations() -> None:
    x = np.arange(1.0, 31.0)
    with pytest.raises(DataError, match=r"Weibull has 2 free parameters; got only 0\.3 observations "
                                        r"\(the weights of its 30 rows sum to 0\.3: they count as "
                                        r"frequencies\)\. Hint: scale the weights"):
        mk.fit(x, "weibull", weights=np.full(30, 0.01))
    # unweighted, too few rows: the hint stays the one about fixing parameters
    with pytest.raises(DataError, match=r"got only 1 observations\. Hint: fix some parameters"):
        mk.fit([1.0], "weibull")
    # what the hint says works: the same weights scaled to sum to 30 give the unweighted fit
    w = np.full(30, 0.01)
    res = mk.fit(x, "weibull", weights=w * 30 / w.sum())
    assert math.isclose(res.params["shape"], mk.fit(x, "weibull").params["shape"], rel_tol=1e-6)
