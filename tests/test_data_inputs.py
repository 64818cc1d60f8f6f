"""Data from lists, NumPy, pandas, polars and Arrow; data frames by column name."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import mlekit as mk
from mlekit.errors import DataError

X = [2.3, 1.9, 2.5, 2.8, 1.7]
REF = mk.fit(X, "normal")


@pytest.mark.parametrize("obj", [
    np.array(X), pd.Series(X), pl.Series(X), pa.array(X), pa.chunked_array([X[:2], X[2:]]),
    tuple(X), pd.Series(X).astype("Float64"),
])
def test_every_container_gives_the_same_fit(obj: object) -> None:
    res = mk.fit(obj, "normal")
    assert math.isclose(res.params["mu"], REF.params["mu"], rel_tol=1e-12)
    assert math.isclose(res.params["sigma"], REF.params["sigma"], rel_tol=1e-12)


def test_integer_and_boolean_inputs() -> None:
    heads = [True] * 7 + [False] * 3
    assert math.isclose(mk.fit(mk.Data(heads), "bernoulli").params["p"], 0.7)
    assert math.isclose(mk.fit(pl.Series(heads), "bernoulli").params["p"], 0.7)
    assert mk.fit(np.array([1, 2, 3], dtype=np.int64), "poisson").params["rate"] == 2.0


def test_missing_values_in_pandas_and_arrow() -> None:
    s = pd.Series([1.0, None, 2.0, 3.0], dtype="Float64")
    with pytest.raises(DataError, match="index 1"):
        mk.Data(s)
    assert mk.Data(s, nan_policy="omit").n_obs == 3
    assert mk.Data(pa.array([1.0, None, 2.0]), nan_policy="omit").n_obs == 2
    assert mk.Data(pl.Series([1.0, None, 2.0]), nan_policy="omit").n_obs == 2


def test_non_numeric_columns() -> None:
    with pytest.raises(DataError, match="numeric"):
        mk.Data(pd.Series(["a", "b"]))
    with pytest.raises(DataError, match="polars Series of dtype String"):
        mk.Data(pl.Series(["a", "b"]))
    with pytest.raises(DataError, match="Arrow array of type string"):
        mk.Data(pa.array(["a", "b"]))


@pytest.mark.parametrize("frame", ["pandas", "polars", "arrow", "dict"])
def test_from_frame_right_censored_with_weights(frame: str) -> None:
    cols = {"hours": [120.0, 340.0, 500.0, 500.0, 80.0, 260.0],
            "failed": [1, 1, 0, 0, 1, 1], "n": [2, 1, 3, 1, 1, 2]}
    df = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "arrow": pa.table, "dict": dict}[frame](cols)
    d = mk.Data.from_frame(df, value="hours", observed="failed", weights="n")
    assert d.count("exact") == 6 and d.count("right") == 4
    res = mk.fit(d, "weibull")
    ref = mk.fit(mk.Data.right_censored(np.repeat(cols["hours"], cols["n"]),
                                        observed=np.repeat(cols["failed"], cols["n"])), "weibull")
    for p in res.params:
        assert math.isclose(res.params[p], ref.params[p], rel_tol=1e-9)


def test_from_frame_interval_and_errors() -> None:
    df = pd.DataFrame({"lo": [1.0, 2.0, np.nan], "hi": [1.5, np.inf, 3.0]})
    d = mk.Data.from_frame(df, lower="lo", upper="hi")
    assert (d.interval_block.size, d.right.size, d.left.size) == (1, 1, 1)
    with pytest.raises(DataError, match="column 'x' not found; available columns: lo, hi"):
        mk.Data.from_frame(df, value="x")
    with pytest.raises(DataError, match="either value="):
        mk.Data.from_frame(df, value="lo", lower="lo", upper="hi")


def test_data_repr_and_counts() -> None:
    d = mk.Data.right_censored([1.0, 2.0, 3.0], observed=[1, 0, 1], weights=[1, 2, 3],
                               truncation=(0.5, None))
    assert repr(d) == "Data(n=3, right-censored=1, weighted (sum=6), truncated to [0.5, inf])"
    assert d.n_obs == 6 and d.n_rows == 3 and d.is_censored and d.is_truncated


def test_observed_must_be_boolean() -> None:
    with pytest.raises(DataError, match=r"observed must be boolean.*2 other values"):
        mk.Data.right_censored([1.0, 2.0, 3.0], observed=[1, 2, 3])
