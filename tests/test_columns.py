"""The one token table (mlekit._data.columns) that every reader uses."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

import mlekit as mk
from mlekit._data.columns import arrow_to_float, is_missing, parse_cells, parse_token
from mlekit.cli import tables


@pytest.mark.parametrize("tok", ["", " ", "NA", "n/a", "#N/A", "NaN", "null", "NULL", "None",
                                 "none", "-", " - ", "<NA>"])
def test_missing_tokens(tok: str) -> None:
    assert is_missing(tok)
    v = parse_token(tok)
    assert v is not None and math.isnan(v)


def test_numbers_booleans_and_status_words() -> None:
    assert parse_token(" 2.5 ") == 2.5 and parse_token("1e-3") == 1e-3
    assert parse_token("inf") == math.inf
    assert parse_token("TRUE") == 1.0 and parse_token("no") == 0.0
    assert parse_token("censored") is None and parse_token("censored", status=True) == 0.0
    assert parse_token("event", status=True) == 1.0 and parse_token("abc") is None
    vals, bad = parse_cells(["1", None, "x", " 3 ", "-", "yes", 4.0, True])
    np.testing.assert_array_equal(bad, [False, False, True, False, False, False, False, False])
    np.testing.assert_array_equal(vals, [1.0, np.nan, np.nan, 3.0, np.nan, 1.0, 4.0, 1.0])


def test_arrow_columns() -> None:
    vals, bad = arrow_to_float(pa.array(["1.5", "none", None, "oops", "Y"]), status=True)
    np.testing.assert_array_equal(vals, [1.5, np.nan, np.nan, np.nan, 1.0])
    assert bad is not None and bad.tolist() == [False, False, False, True, False]
    vals, bad = arrow_to_float(pa.array([True, False, None]))
    assert bad is None and vals[:2].tolist() == [1.0, 0.0] and math.isnan(vals[2])
    with pytest.raises(TypeError):
        arrow_to_float(pa.array([1, 2], type=pa.timestamp("s")))


def test_cli_and_read_csv_agree_on_words(tmp_path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("t,status\n1.0,event\n2.0,censored\n3.0,yes\n4.0,F\n5.0,exact\n")
    table = tables.read_table(str(f))
    cli = tables.column_values(table, "status", status=True)
    np.testing.assert_array_equal(cli, [1, 0, 1, 0, 1])
    with pytest.raises(mk.errors.DataError, match="got text such as 'event'"):
        tables.column_values(table, "status")
    d = mk.read_csv(f, column="t", observed="status").to_data()
    assert d.count("exact") == 3 and d.count("right") == 2
