"""Reading columns of text or Arrow data as numbers, and source columns as ``Data``.

One token table serves every reader (``mk.read_csv``/``read_parquet``/``sql``, the command
line and the web explorer), so a file reads the same everywhere. A cell is compared after
stripping surrounding white space, without regard to case:

=============  ===============================================================  ==========
kind           tokens                                                           becomes
=============  ===============================================================  ==========
missing        empty, ``na``, ``n/a``, ``#n/a``, ``#na``, ``nan``, ``-nan``,     NaN (a
               ``null``, ``none``, ``<na>``, ``-``                              missing
                                                                                value)
number         anything Python's ``float()`` reads (``2.5``, ``1e-3``, ``inf``)   the number
boolean        ``true``/``yes`` and ``false``/``no`` (any column, like a         1 / 0
               boolean-typed column)
status         in a censoring (``observed``) column also ``t``/``y``,            1 / 0
               ``observed``, ``exact``, ``event`` and ``f``/``n``, ``censored``
=============  ===============================================================  ==========

Anything else is *non-numeric*: the readers count it (``mk.read_csv``, which drops it with
``nan_policy='omit'``) or report it (the command line and the explorer name the first one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._core.convert import is_number
from ..errors import DataError
from .data import Block, Data

__all__ = ["MISSING", "TRUE", "FALSE", "STATUS_TRUE", "STATUS_FALSE", "NULL_SPELLINGS",
           "is_number", "is_missing", "parse_token", "parse_cells", "arrow_to_float",
           "to_float", "data_from_columns", "batch_data", "missing_error"]

MISSING = frozenset({"", "na", "n/a", "#n/a", "#na", "nan", "-nan", "null", "none", "<na>", "-"})
TRUE = frozenset({"true", "yes"})
FALSE = frozenset({"false", "no"})
STATUS_TRUE = TRUE | {"t", "y", "observed", "exact", "event"}
STATUS_FALSE = FALSE | {"f", "n", "censored"}

# the usual spellings of the missing tokens, for the null markers of pyarrow/pandas readers
# (a speed-up only: other spellings and padded cells are caught by parse_cells)
NULL_SPELLINGS = sorted({v for t in MISSING for v in (t, t.upper(), t.capitalize(), t.title())}
                        | {"NaN", "-NaN", "#N/A", "<NA>"})


def is_missing(tok: Any) -> bool:
    """Whether a cell is a missing value (``None``, NaN or a missing token)."""
    if tok is None:
        return True
    if isinstance(tok, float):
        return math.isnan(tok)
    return isinstance(tok, str) and tok.strip().lower() in MISSING


_PARSE_CHUNK = 1 << 14


def _words(status: bool) -> dict[str, float]:
    yes, no = (STATUS_TRUE, STATUS_FALSE) if status else (TRUE, FALSE)
    return {**{w: 1.0 for w in yes}, **{w: 0.0 for w in no}}


def parse_token(tok: str, *, status: bool = False) -> float | None:
    """One cell as a float (NaN when missing); ``None`` when it is not a number."""
    key = tok.strip().lower()
    if key in MISSING:
        return math.nan
    words = _words(status)
    if key in words:
        return words[key]
    return float(key) if is_number(key) else None


def parse_cells(values: Iterable[Any], *, status: bool = False
                ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Cells (strings, ``None``, numbers) as floats with the token table: ``(values, bad)``,
    where ``bad`` marks the non-numeric cells (their value is NaN). Numbers are read by
    ``float()`` (correctly rounded, like Arrow's reader; ``pandas.to_numeric`` is not)."""
    import pandas as pd

    s = values.astype(object) if isinstance(values, pd.Series) else \
        pd.Series(np.asarray(values, dtype=object), dtype=object)
    n = len(s)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    if not n:
        return out, bad
    text = s.str.strip().str.lower()                 # NaN for cells that are not strings
    is_str = text.notna().to_numpy(dtype=bool)
    other = np.flatnonzero(~is_str & s.notna().to_numpy(dtype=bool))
    for i in other:                                  # numbers and booleans held as objects
        v = s.iloc[i]
        if is_number(v):
            out[i] = float(v)
        else:
            bad[i] = True
    words = _words(status)
    is_word = text.isin(words.keys()).to_numpy(dtype=bool)
    if is_word.any():
        out[is_word] = text[is_word].map(words).to_numpy(dtype=float)
    rest = np.flatnonzero(is_str & ~is_word & ~text.isin(MISSING).to_numpy(dtype=bool))
    cells = text.to_numpy(dtype=object)
    for lo in range(0, rest.size, _PARSE_CHUNK):
        pos = rest[lo:lo + _PARSE_CHUNK]
        part = cells[pos]
        try:
            out[pos] = part.astype(float)            # float() on each cell, in C
        except (TypeError, ValueError):              # some cell is not a number: one by one
            ok = np.array([is_number(c) for c in part], dtype=bool)
            out[pos[ok]] = part[ok].astype(float)
            bad[pos[~ok]] = True
    return out, bad


def arrow_to_float(arr: Any, *, status: bool = False
                   ) -> tuple[NDArray[np.float64], NDArray[np.bool_] | None]:
    """An Arrow array of numbers, booleans or text as float64 (NaN for nulls and missing
    tokens): ``(values, bad)``, ``bad`` marking non-numeric text (``None`` when there is none).
    Raises ``TypeError`` for other Arrow types (dates, lists, ...)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    typ = arr.type
    if pa.types.is_floating(typ) and typ == pa.float64() and arr.null_count == 0:
        return _float64_view(arr), None
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        try:                                # fast path: plain numbers (and nulls)
            return _to_numpy(arr.cast(pa.float64())), None
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        vals, bad = parse_cells(arr.to_numpy(zero_copy_only=False), status=status)
        return vals, (bad if bad.any() else None)
    if pa.types.is_null(typ):
        return np.full(len(arr), np.nan), None
    if (pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)
            or pa.types.is_decimal(typ)):
        return np.asarray(_to_numpy(arr.cast(pa.float64())), dtype=float), None
    raise TypeError(f"not a numeric Arrow type: {typ}")


def _float64_view(arr: Any) -> NDArray[np.float64]:
    """A read-only NumPy view of a float64 Arrow array without nulls (what ``to_numpy`` returns,
    without the pandas import pyarrow's conversion triggers: ~0.25 s on a CLI fit)."""
    view = np.frombuffer(arr.buffers()[1], dtype=np.float64, count=len(arr),
                         offset=arr.offset * 8)
    view.flags.writeable = False
    return view


def _to_numpy(arr: Any) -> NDArray[np.float64]:
    """A float64 Arrow array as NumPy (NaN for nulls); without nulls, a view (no pandas)."""
    if arr.null_count == 0:
        return _float64_view(arr)
    out: np.ndarray = arr.to_numpy(zero_copy_only=False)   # pyarrow is untyped
    return out


def to_float(arr: Any, name: str, *, status: bool = False) -> tuple[NDArray[np.float64], int]:
    """An Arrow column of a source as float64 and the number of non-numeric values (NaN)."""
    vals, bad = arrow_to_float(arr, status=status)
    return vals, (0 if bad is None else int(bad.sum()))


# ---------------------------------------------------------------------------- to Data
def data_from_columns(source: Any, cols: dict[str, Any], nan_policy: str, where: str = ""
                      ) -> Data:
    """An in-memory ``Data`` from a batch (or all rows) of a source's columns; rows with a
    missing or non-numeric value are dropped (``omit``) or reported (``raise``)."""
    d, miss, bad = batch_data(source, cols)
    if nan_policy == "raise" and (miss or bad):
        raise missing_error(source, miss, bad, where)
    if d is None:
        raise DataError(f"no observations left in {where or source.describe()} after dropping "
                        f"{miss} missing and {bad} non-numeric values.")
    return d


def missing_error(source: Any, miss: int, bad: int, where: str) -> DataError:
    """The error for a source column with missing or non-numeric values."""
    col = source.roles["column"] or f"{source.roles['lower']}/{source.roles['upper']}"
    extra = [c for k in ("entry", "truncation_lower", "truncation_upper")
             if (c := source.roles.get(k))]
    if extra:   # a missing window bound drops its row too
        col = "/".join([col, *extra])
    parts = ([f"{miss} missing"] if miss else []) + ([f"{bad} non-numeric"] if bad else [])
    return DataError(
        f"column {col!r} must hold numbers; got {' and '.join(parts)} values (first in "
        f"{where}). Hint: pass nan_policy='omit' to drop those rows (the count is reported).")


def batch_data(source: Any, b: dict[str, Any]) -> tuple[Data | None, int, int]:
    """``(Data or None when no rows are left, rows dropped as missing, of which non-numeric)``."""
    r = source.roles
    bad = int(b.get("_nonnumeric", 0))
    w = b[r["weights"]] if r["weights"] else None
    t = b[r["trials"]] if r["trials"] else None
    trunc = source.truncation
    windows = [k for k in ("entry", "truncation_lower", "truncation_upper") if r.get(k)]
    if r["column"] is not None and r["observed"] is None and w is None and t is None \
            and trunc is None and not windows:
        x = b[r["column"]]
        if x.size == 0:
            return None, 0, bad
        mn, mx = x.min(), x.max()
        if math.isfinite(mn) and math.isfinite(mx):       # no NaN, no inf: skip re-validation
            d = Data._from_blocks(Block(np.ascontiguousarray(x, dtype=np.float64)),
                                  name=r["column"], exact_range=(float(mn), float(mx)))
            return d, 0, bad
    n = len(b[r["column"] or r["lower"]])
    keep = np.ones(n, dtype=bool)
    for key in ("observed", "weights", "trials", *windows):
        if r[key]:
            keep &= ~np.isnan(b[r[key]])
    if r["column"]:
        keep &= ~np.isnan(b[r["column"]])
    else:
        keep &= ~(np.isnan(b[r["lower"]]) & np.isnan(b[r["upper"]]))
    miss = int(n - keep.sum())
    if r["weights"]:
        # a weight of 0 means the row is absent (a chunk may hold nothing else)
        keep &= b[r["weights"]] != 0
    if not keep.any():
        return None, miss, bad

    def col(key: str) -> Any:
        return None if not r.get(key) else (b[r[key]] if keep.all() else b[r[key]][keep])

    entry = col("entry")
    if windows:     # per-row windows: a column on either side, the other one number
        lo_b, hi_b = source.window_bounds
        tl, tu = col("truncation_lower"), col("truncation_upper")
        trunc = (lo_b if tl is None else tl, hi_b if tu is None else tu)
    if r["column"]:
        d = Data(col("column"), observed=col("observed"), censoring=source.censoring,
                 weights=col("weights"), trials=col("trials"), truncation=trunc,
                 name=r["column"], entry=entry)
    else:
        d = Data.interval(col("lower"), col("upper"), weights=col("weights"),
                          trials=col("trials"), truncation=trunc, entry=entry)
    if d.has_weights and not any(blk.size and blk.w is not None and bool((blk.w > 0).any())
                                 for blk in d.blocks.values()):
        return None, miss, bad
    return d, miss, bad
