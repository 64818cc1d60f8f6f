"""Every mlekit warning names the user's line (pandas-style ``find_stack_level``), not a line
inside mlekit, however deep the warning is raised."""

from __future__ import annotations

import numpy as np
import pytest

import mlekit as mk


def test_fit_warning_points_at_the_caller() -> None:
    with pytest.warns(mk.BoundaryWarning) as rec:
        mk.fit([2.0, 2.0, 2.0, 2.0], "normal")
    assert {w.filename for w in rec} == {__file__}


def test_grouped_fit_warning_points_at_the_caller() -> None:
    x = np.r_[np.random.default_rng(0).weibull(1.5, 50), [3.0]]
    g = np.r_[np.zeros(50), [1.0]]
    with pytest.warns(mk.errors.MlekitWarning) as rec:
        mk.fit(x, "weibull", by=g)
    mine = [w for w in rec if "groups are flagged" in str(w.message)]
    assert mine and {w.filename for w in mine} == {__file__}


def test_custom_model_warning_points_at_the_caller() -> None:
    @mk.model(a=mk.Positive, b=mk.Positive)
    def product(x, a, b):          # only a*b is identifiable: singular information
        return np.log(a * b) - a * b * x

    x = np.random.default_rng(1).exponential(2.0, 200)
    with pytest.warns(mk.errors.MlekitWarning) as rec:
        mk.fit(product, data=x)
    assert rec and {w.filename for w in rec} == {__file__}


def test_stack_level_outside_the_package_is_the_callers_frame() -> None:
    from mlekit._core.checks import find_stack_level

    assert find_stack_level() == 1          # called from outside the package: this frame
