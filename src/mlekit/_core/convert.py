"""Conversion of user inputs (lists, NumPy, pandas, polars, Arrow) to float arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import DataError

__all__ = ["as_float_array", "bool_array", "columns", "fdot"]

FloatArray = NDArray[np.float64]

try:  # np.einsum without its Python wrapper (what it calls when optimize=False): ~1 µs a call
    from numpy._core.multiarray import c_einsum as _c_einsum
except ImportError:  # pragma: no cover - NumPy < 2
    _c_einsum = np.einsum


def fdot(a: Any, b: Any) -> Any:
    """Dot product of two 1-D arrays without BLAS (``einsum``): BLAS threads spin badly on a
    busy machine (100x slower for 1e5 elements when every core is taken)."""
    return _c_einsum("i,i->", a, b)


def as_float_array(obj: Any, what: str = "values") -> FloatArray:
    """Convert a list, NumPy array, pandas/polars Series or Arrow array to 1-D float64."""
    if (type(obj) is np.ndarray and obj.dtype == np.float64 and obj.ndim == 1
            and obj.flags.c_contiguous):
        return obj  # what the checks below return for it, without them (small-fit latency)
    if obj is None:
        raise DataError(f"{what} are required; got None.")
    if isinstance(obj, (str, bytes)):
        raise DataError(
            f"{what} must be a sequence of numbers; got a string {obj[:40]!r}. "
            "Hint: read files with mk.read_csv or pass a column of a data frame."
        )
    arr: Any
    mod = type(obj).__module__.split(".")[0]
    if mod == "pyarrow":
        arr = _from_arrow(obj, what)
    elif mod == "polars":
        dtype = str(getattr(obj, "dtype", ""))
        if not any(t in dtype for t in ("Int", "UInt", "Float", "Boolean", "Decimal")):
            raise DataError(f"{what} must be numeric; got a polars Series of dtype {dtype}.")
        arr = obj.cast(__import__("polars").Float64).to_numpy()
    elif mod == "pandas":
        arr = _from_pandas(obj, what)
    elif mod.startswith("dask"):
        raise DataError(
            f"{what}: a Dask collection cannot be converted to an in-memory array implicitly. "
            "Hint: pass it to mk.fit directly, which computes on the cluster."
        )
    elif isinstance(obj, np.ma.MaskedArray):
        arr = _from_masked(obj, what)
    else:
        try:
            arr = np.asarray(obj)
        except Exception as exc:  # pragma: no cover - exotic inputs
            raise DataError(f"{what} could not be read as an array: {exc}") from None
    text = arr.dtype.kind in "US" or (arr.dtype == object and any(
        isinstance(v, (str, bytes)) for v in arr.ravel().tolist()))
    if text:   # text that looks like numbers is still text: never converted silently
        strs = [v for v in arr.ravel().tolist() if isinstance(v, (str, bytes))]
        first = next((v for v in strs if not is_number(v)), strs[0])
        kind = "numbers written as text" if is_number(first) else "text"
        raise DataError(
            f"{what} must be numeric; got {kind} such as {first!r}. Hint: convert them first "
            "(e.g. [float(v) for v in values] or pd.to_numeric(column, errors='coerce')), or "
            "read the file with mk.read_csv.")
    if arr.dtype == object:
        try:
            arr = arr.astype(float)
        except (TypeError, ValueError):
            bad = next((v for v in arr.ravel() if not is_number(v)), None)
            raise DataError(
                f"{what} must be numeric; got a non-numeric value {bad!r}. "
                "Hint: clean the column or pass nan_policy='omit' after converting "
                "missing markers to NaN."
            ) from None
    if arr.dtype.kind in "US":
        bad = next((v for v in arr.ravel().tolist() if not is_number(v)), None)
        if bad is None:
            arr = arr.astype(float)
        else:
            raise DataError(
                f"{what} must be numeric; got a non-numeric value {bad!r}. Hint: convert the "
                "column with pd.to_numeric(..., errors='coerce') and pass nan_policy='omit'."
            )
    if arr.dtype.kind not in "biuf":
        raise DataError(
            f"{what} must be numeric; got dtype {arr.dtype} (e.g. {arr.ravel()[:1].tolist()}). "
            "Hint: convert the column with pd.to_numeric(..., errors='coerce')."
        )
    if arr.ndim == 0:
        v = arr.item()
        hint = ("repeat it per observation (np.full(len(x), n)) or give it to the family: "
                "mk.Binomial(n=...), mk.BetaBinomial(n=...)" if what == "trials" else
                "pass one value per observation, e.g. np.full(len(x), value)")
        raise DataError(f"{what} must be a 1-D sequence with one value per observation; got a "
                        f"scalar {v!r}. Hint: {hint}.")
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise DataError(f"{what} must be 1-D; got an array of shape {arr.shape}.")
    return np.ascontiguousarray(arr, dtype=np.float64)


def is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _from_masked(obj: Any, what: str) -> Any:
    """A masked array's values with its masked entries missing (NaN): a mask means "no value"."""
    mask = np.ma.getmaskarray(obj)
    if not mask.any():
        return np.asarray(obj.data)
    if obj.dtype.kind not in "biuf":
        raise DataError(f"{what} must be numeric; got a masked array of dtype {obj.dtype}.")
    return np.ma.filled(obj.astype(np.float64), np.nan)


def _from_arrow(obj: Any, what: str) -> Any:
    import pyarrow as pa

    typ = obj.type
    if not (pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)
            or pa.types.is_decimal(typ)):
        raise DataError(f"{what} must be numeric; got an Arrow array of type {typ}.")
    if isinstance(obj, pa.ChunkedArray):
        obj = obj.combine_chunks() if obj.num_chunks != 1 else obj.chunk(0)
    obj = obj.cast(pa.float64())
    return obj.to_numpy(zero_copy_only=False)


def _from_pandas(obj: Any, what: str) -> Any:
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        if obj.shape[1] != 1:
            raise DataError(
                f"{what} must be one column; got a DataFrame with columns {list(obj.columns)}. "
                "Hint: use mk.Data.from_frame(df, value='column')."
            )
        obj = obj.iloc[:, 0]
    dtype = obj.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return obj.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(obj, dtype=object)


def bool_array(obj: Any, what: str, n: int) -> NDArray[np.bool_]:
    arr = as_float_array(obj, what)
    if arr.shape[0] != n:
        raise DataError(f"{what} must have one entry per value ({n}); got {arr.shape[0]}.")
    bad = ~((arr == 0) | (arr == 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{what} must be boolean (True/1 = value observed exactly); got {int(bad.sum())} "
            f"other values (first at index {i}: {float(arr[i]):g})."
        )
    return arr.astype(bool)


def columns(df: Any) -> list[Any]:
    if isinstance(df, dict):
        return list(df.keys())
    cols = getattr(df, "column_names", None)  # Arrow tables (their .columns are the arrays)
    if cols is None:
        cols = getattr(df, "columns", None)
    if cols is None:
        raise DataError(f"expected a data frame, Arrow table or dict; got {type(df).__name__}.")
    return list(cols)
