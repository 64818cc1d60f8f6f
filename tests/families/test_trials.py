"""The known number of trials, written once (``shapes.KnownTrials``) for Binomial and
BetaBinomial: how ``n`` is checked, read (per row before the family's), shown and checked
against the successes — the same messages for both, with the family's own names."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

import mlekit as mk

FAMILIES = [(mk.Binomial, {"p": 0.3}), (mk.BetaBinomial, {"a": 2.0, "b": 3.0})]
IDS = ["binomial", "beta_binomial"]


@pytest.mark.parametrize(("cls", "values"), FAMILIES, ids=IDS)
def test_n_is_a_non_negative_integer(cls: Any, values: dict[str, float]) -> None:
    name = cls.__name__
    for bad in (-1, 2.5, "ten", [1, 2], math.nan, math.inf):
        with pytest.raises(mk.ParameterError, match="^" + re.escape(
                f"{name} trials n must be a non-negative integer; got {bad!r}.") + "$"):
            cls(n=bad, **values)
    for good, n in ((3.0, 3), (np.int64(4), 4), (0, 0)):
        fam = cls(n=good, **values)
        assert fam.n == n and type(fam.n) is int and repr(fam).endswith(f"n={n})")
    assert "n=" not in repr(cls(**values))
    assert cls.support_text == "{0, 1, …, n}"


@pytest.mark.parametrize(("cls", "values"), FAMILIES, ids=IDS)
def test_without_n_the_trials_come_from_the_rows_or_are_asked_for(cls: Any,
                                                                   values: dict[str, float]) -> None:
    msg = (f"{cls().name} needs the number of trials; got none. Hint: mk.{cls.__name__}(n=10), "
           "or mk.Data(successes, trials=n_per_row).")
    with pytest.raises(mk.FamilyError, match="^" + re.escape(msg) + "$"):
        cls(**values).pdf(3)
    with pytest.raises(mk.FamilyError, match="^" + re.escape(msg) + "$"):
        mk.fit(np.array([1.0, 2, 3, 4, 2]), cls())
    k = np.array([3.0, 5, 2, 4, 6, 1, 7, 3])
    rows = mk.Data(k, trials=np.array([10.0, 12, 8, 9, 10, 11, 10, 9]))
    own = mk.fit(rows, cls())
    assert own.loglik == pytest.approx(mk.fit(rows, cls(n=1000)).loglik, rel=1e-9)  # rows first
    assert own.loglik > mk.fit(k, cls(n=12)).loglik


@pytest.mark.parametrize(("cls", "values"), FAMILIES, ids=IDS)
def test_the_support_ends_at_n(cls: Any, values: dict[str, float]) -> None:
    d = cls(n=5, **values)
    assert d.pdf(6.0) == 0.0 and d.pdf(5.0) > 0.0
    assert d.cdf(5.0) == 1.0 and d.sf(5.0) == 0.0
    assert float(d.ppf(0.999999)) <= 5.0


@pytest.mark.parametrize(("cls", "values"), FAMILIES, ids=IDS)
def test_successes_must_not_exceed_the_trials(cls: Any, values: dict[str, float]) -> None:
    x = np.array([3.0, 5, 12, 2, 11, 4])
    with pytest.raises(mk.DataError, match="^" + re.escape(
            f"{cls.__name__} successes must not exceed the trials; got 2 rows with k > n "
            "(first at index 2: k=12, n=10).") + "$"):
        mk.fit(x, cls(n=10))
    trials = np.array([10.0, 10, 11, 10, 10, 10])
    with pytest.raises(mk.DataError, match=re.escape("got 2 rows with k > n (first at index 2: "
                                                     "k=12, n=11).")):
        mk.fit(mk.Data(x, trials=trials), cls())
    assert mk.fit(mk.Data(x, trials=trials + 2.0), cls()).converged
