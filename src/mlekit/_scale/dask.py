"""Dask: ``mk.fit(dask_array_or_series, family)`` and ``mk.fit(source, family, backend="dask")``.

The chunks are turned into validated ``Data`` once, on the workers, and kept there
(persisted); every pass maps the same per-chunk functions as the NumPy path
(``fam._suffstats``, ``_likelihood.chunk_terms``) over them and adds the small results on the
client in chunk order. Starting values come from the same subsample the in-memory fit uses
(every ``n // 100000``-th value of the cleaned data), so the Newton iterations follow the
NumPy path step by step and the results agree to rounding.

The cluster is the one the current ``distributed.Client`` points to (``Client()`` for a local
one, ``Client("tcp://scheduler:8786")`` for many machines); without a client, Dask's default
scheduler runs the tasks in local threads.
"""

from __future__ import annotations

import math
import os
from typing import Any, ClassVar

import numpy as np

from .._core.checks import require
from .._core.engine import add
from .._families.base import get_family
from .._fit.result import FitResult
from ..errors import DataError, ParameterError
from .scan import concat_data
from .stream import Progress, batch_data, fit_chunks

__all__ = ["fit_dask", "DaskChunks"]

_START_SAMPLE = 100_000


class _ArraySpec:
    """The ``source`` interface of :func:`mlekit._scale.stream.fit_chunks` for in-cluster arrays."""

    format = "dask"
    roles: ClassVar[dict[str, str | None]] = {
        "column": "x", "observed": None, "lower": None, "upper": None, "weights": None,
        "trials": None}
    censoring = "right"
    truncation = None
    censored = False

    def __init__(self, what: str, n_chunks: int) -> None:
        self.what = what
        self.n_chunks = n_chunks

    def describe(self) -> str:
        return f"a Dask {self.what} in {self.n_chunks} chunks"


def _client() -> Any:
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - dask without distributed
        return None
    try:
        return default_client()
    except ValueError:
        return None


def _make_chunk(raw: Any, spec: Any, where: str) -> tuple[Any, int, int, str]:
    """A chunk of values (NumPy or pandas) or of a source's batches -> (Data, missing,
    non-numeric, where) on a worker."""
    if isinstance(raw, list):                       # a source unit: list of batch dicts
        datas, miss, bad = [], 0, 0
        for b in raw:
            d, m, nb = batch_data(spec, b)
            miss, bad = miss + m, bad + nb
            if d is not None:
                datas.append(d)
        return (concat_data(datas) if datas else None), miss, bad, where
    arr = raw
    if hasattr(arr, "to_numpy"):
        arr = arr.to_numpy(dtype=float, na_value=np.nan)
    arr = np.ascontiguousarray(np.asarray(arr, dtype=np.float64).reshape(-1))
    with np.errstate(all="ignore"):
        d, miss, bad = batch_data(spec, {"x": arr, "_nonnumeric": 0})
    return d, miss, bad, where


def _apply_arg(chunk: tuple[Any, int, int, str], arg: Any, fn: Any) -> Any:
    d = chunk[0]
    with np.errstate(all="ignore"):
        return None if d is None else fn(d, arg)


def _apply(chunk: tuple[Any, int, int, str], fn: Any, on_batch: Any) -> Any:
    d, miss, bad, where = chunk
    with np.errstate(all="ignore"):
        if on_batch is not None:
            extra = on_batch(d, miss, bad, where)
            return extra if d is None else add(extra, fn(d))
        return None if d is None else fn(d)


class DaskChunks:
    """Validated ``Data`` chunks held on the cluster; ``map_reduce`` runs a function on every
    chunk where it lives and adds the results on the client, in chunk order."""

    def __init__(self, raw: list[Any], spec: Any, progress: Progress) -> None:
        import dask

        self.client = _client()
        self.progress = progress
        self.passes = 0
        make = dask.delayed(_make_chunk, pure=True)
        items = [make(r, spec, f"chunk {i}") for i, r in enumerate(raw)]
        if self.client is not None:
            self.items = self.client.compute(items)          # futures: data stay on workers
        else:
            self.items = list(dask.persist(*items))

    def map_reduce(self, fn: Any, label: str, on_batch: Any = None) -> Any:
        import dask

        self.passes += 1
        self.progress.start(label)
        if self.client is not None:
            futs = self.client.map(_apply, self.items, fn=fn, on_batch=on_batch, pure=False)
            from distributed import as_completed

            for _ in as_completed(futs):
                self.progress.update(1)
            parts = self.client.gather(futs)
        else:
            call = dask.delayed(_apply, pure=False)
            parts = dask.compute(*[call(it, fn, on_batch) for it in self.items])
        total = None
        for p in parts:
            if p is not None:
                total = p if total is None else add(total, p)
        self.progress.finish()
        return total

    def map_list(self, fn: Any, args: list[Any] | None = None) -> list[Any]:
        """``[fn(chunk_i, args[i]) for each chunk]`` (None for chunks with no rows)."""
        import dask

        args = [None] * len(self.items) if args is None else args
        if self.client is not None:
            return list(self.client.gather(self.client.map(_apply_arg, self.items, args, fn=fn,
                                                           pure=False)))
        call = dask.delayed(_apply_arg, pure=False)
        return list(dask.compute(*[call(it, a, fn) for it, a in zip(self.items, args)]))

    def collect(self) -> list[Any]:
        """Every chunk's ``Data``, gathered to the client (only done for small data)."""
        return [d for d in self.map_list(lambda d, _: d) if d is not None]

    def release(self) -> None:
        if self.client is not None:
            self.client.cancel(self.items)
        self.items = []


def _as_chunks(x: Any, fam: Any) -> tuple[list[Any], Any]:
    """The raw per-chunk objects (delayed) and the spec describing their columns."""
    import dask

    mod = type(x).__module__
    if getattr(x, "_mlekit_source", False):
        if x.format == "sql":
            raise ParameterError("backend='dask' reads files on the workers; a DuckDB query "
                                 "cannot be shipped to them. Hint: fit the mk.sql source "
                                 "without backend=, or write the query result to Parquet.")
        read = dask.delayed(lambda src, u: list(src.read_unit(u)), pure=True)
        return [read(x, u) for u in x.units()], x
    if isinstance(x, (str, os.PathLike)):
        from .._data.sources import read_csv, read_parquet

        p = os.fspath(x)
        src = read_csv(p) if p.lower().endswith((".csv", ".csv.gz", ".txt")) else read_parquet(p)
        return _as_chunks(src, fam)
    if mod.startswith("dask.dataframe") or mod.startswith("dask_expr"):
        import dask.dataframe as dd

        if isinstance(x, dd.DataFrame):
            cols = list(x.columns)
            if len(cols) != 1:
                raise DataError(f"a Dask DataFrame must have one column to fit; got "
                                f"{len(cols)} ({', '.join(map(str, cols))}). Hint: pass ddf['x'].")
            x = x[cols[0]]
        import pandas as pd

        dt = x.dtype
        if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
            raise DataError(f"the Dask Series must be numeric; got dtype {dt}. Hint: "
                            "ddf['x'].astype(float), after cleaning non-numeric entries.")
        parts = list(x.to_delayed())
        return parts, _ArraySpec("Series", len(parts))
    if mod.startswith("dask.array"):
        dt = x.dtype
        if dt.kind not in "biuf":
            raise DataError(f"the Dask array must be numeric; got dtype {dt}. Hint: "
                            "x.astype(float).")
        if x.ndim == 2 and 1 in x.shape:
            x = x.reshape(-1)
        if x.ndim != 1:
            raise DataError(f"the Dask array must be 1-D; got shape {x.shape}.")
        parts = list(x.to_delayed().ravel())
        return parts, _ArraySpec("array", len(parts))
    if mod.startswith("dask"):
        raise DataError(f"mk.fit takes a Dask array, Series or one-column DataFrame; got "
                        f"{type(x).__name__}.")
    if getattr(x, "_mlekit_model", False) or type(x).__name__ == "Data":
        raise ParameterError("backend='dask' takes a Dask collection or a file source; got "
                             f"{type(x).__name__}. Hint: mk.read_parquet(...) with observed= "
                             "carries censoring to the cluster.")
    import dask.array as da

    from .._data.data import as_float_array

    arr = as_float_array(x)
    return _as_chunks(da.from_array(arr, chunks=max(1 << 20, math.ceil(arr.size / 64))), fam)


def fit_dask(x: Any, family: Any, *, fixed: dict[str, float] | None = None,
             start: dict[str, float] | None = None, nan_policy: str = "raise",
             strict: bool = False, cov: str = "observed", maxiter: int = 200,
             quiet: bool | None = None,
             progress: bool | None = None, penalty: Any = None) -> FitResult:
    """Fit ``family`` to a Dask collection (or a file source) on the current Dask cluster
    (the router has checked the options and the data)."""
    require("dask", "dask", "Dask is needed for this")
    fam = get_family(family)
    raw, spec = _as_chunks(x, fam)
    if not raw:
        raise DataError("the Dask collection has no chunks (no data).")
    if quiet is None and progress is not None:
        quiet = not progress
    chunks = DaskChunks(raw, spec, Progress(quiet, len(raw)))
    try:
        return fit_chunks(fam, chunks, spec, fixed=fixed, start=start, strict=strict, cov=cov,
                          maxiter=maxiter, nan_policy=nan_policy, where=spec.describe(),
                          start_points="sample", penalty=penalty)
    finally:
        chunks.release()
