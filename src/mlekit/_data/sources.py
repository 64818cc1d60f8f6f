"""Data sources bigger than memory: ``mk.read_parquet``, ``mk.read_csv`` (and ``mk.sql`` in
:mod:`mlekit._data.sql_source`).

A source only *describes* where the values are (files, columns, censoring columns); nothing
is read until it is fitted. ``mk.fit(source, family)`` then streams it in batches
(:mod:`mlekit._scale.stream`) with memory bounded by the batch size, or, with
``backend="dask"``, reads it on the workers of a Dask cluster (:mod:`mlekit._scale.dask`).

Columns: ``column`` holds the values; optionally ``observed`` (True = exact, False =
censored on the side given by ``censoring``), or ``lower``/``upper`` bounds for interval
censoring instead of ``column``; ``weights``; ``trials`` (binomial); per-row truncation:
``entry`` (late entry: row ``i`` is in the data only because its value exceeded ``entry[i]``)
and ``truncation=(lo, hi)`` where either bound may name a column (a window per row, as
``mk.Data(x, truncation=(lo_array, hi_array))``) or be a number (one bound for every row).
"""

from __future__ import annotations

import glob as _glob
import os
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._core.checks import require
from .._core.docs import fill_doc
from ..errors import DataError, ParameterError
from .columns import NULL_SPELLINGS, data_from_columns, to_float
from .truncation import column_name, source_windows

__all__ = ["read_parquet", "read_csv", "Source", "BATCH_ROWS"]

BATCH_ROWS = 1 << 20
_ROLES = ("column", "observed", "lower", "upper", "weights", "trials", "entry",
          "truncation_lower", "truncation_upper")
_WINDOW_ROLES = ("entry", "truncation_lower", "truncation_upper")


def _require(module: str, extra: str) -> Any:
    return require(module, extra, f"{module} is needed for this source")


def _expand(path: Any, what: str) -> list[str]:
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    files: list[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = sorted(f for f in _glob.glob(os.path.join(p, "**", "*"), recursive=True)
                           if os.path.isfile(f) and not os.path.basename(f).startswith((".", "_")))
        elif _glob.has_magic(p):
            found = sorted(f for f in _glob.glob(p, recursive=True) if os.path.isfile(f))
        else:
            found = [p] if os.path.isfile(p) else []
        if not found:
            kind = "pattern" if _glob.has_magic(p) else "path"
            raise DataError(f"{what} needs existing files; got the {kind} {p!r}, which matches no "
                            f"files (working directory {os.getcwd()!r}). Hint: check the path, "
                            "or use an absolute path.")
        files += found
    return files


class Source:
    """Where the values of a fit come from (base class of the file and SQL sources)."""

    _mlekit_source = True
    format = ""

    def __init__(self, column: str | None, observed: str | None, censoring: str,
                 lower: str | None, upper: str | None, weights: str | None, trials: str | None,
                 truncation: tuple[Any, Any] | None, batch_rows: int,
                 entry: str | None = None) -> None:
        if censoring not in ("right", "left"):
            raise DataError(f"censoring must be 'right' or 'left'; got {censoring!r}.")
        if column is not None and (lower is not None or upper is not None):
            raise DataError("give either column= (with observed=) or lower=/upper=, not both.")
        if (lower is None) != (upper is None):
            raise DataError("interval censoring needs both lower= and upper= columns.")
        if int(batch_rows) < 1:
            raise ParameterError(f"batch_rows must be a positive integer; got {batch_rows!r}.")
        self.roles: dict[str, str | None] = {
            "column": column, "observed": observed, "lower": lower, "upper": upper,
            "weights": weights, "trials": trials, "entry": column_name(entry, "entry"),
            "truncation_lower": None, "truncation_upper": None}
        self.censoring = censoring
        # per-row windows: the column roles, and the bounds that are one number for every row
        # (``window_bounds``); ``truncation`` is then ``None``
        self.truncation, self.window_bounds = source_windows(self.roles, truncation)
        self.batch_rows = int(batch_rows)

    # ------------------------------------------------------------------ description
    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(c for c in self.roles.values() if c is not None))

    @property
    def row_windows(self) -> bool:
        """Rows carry their own truncation windows (``entry=`` or a truncation column)."""
        return any(self.roles.get(r) is not None for r in _WINDOW_ROLES)

    @property
    def censored(self) -> bool:
        return self.roles["observed"] is not None or self.roles["lower"] is not None

    @property
    def n_rows(self) -> int | None:
        """Number of rows, when the format records it (Parquet)."""
        return None

    def _check_columns(self, available: list[str], where: str) -> None:
        for role, name in self.roles.items():
            if name is not None and name not in available:
                what = "value column" if role == "column" else f"{role.replace('_', ' ')} column"
                raise DataError(f"{what} {name!r} not found in {where}; available columns: "
                                f"{', '.join(map(str, available))}.")

    def _check_types(self, schema: Any, where: str) -> None:
        import pyarrow as pa

        for role, name in self.roles.items():
            if name is None:
                continue
            typ = schema.field(name).type
            if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)
                    or pa.types.is_boolean(typ) or pa.types.is_decimal(typ) or pa.types.is_null(typ)):
                raise DataError(f"{role} column {name!r} must be numeric; got type {typ} in {where}. "
                                "Hint: convert it when writing the file, or read it with mk.sql "
                                "and a CAST.")

    def __repr__(self) -> str:
        cols = ", ".join(f"{k}={v!r}" for k, v in self.roles.items() if v is not None)
        return f"{type(self).__name__}({self.describe()}; {cols})"

    def describe(self) -> str:
        return self.format

    # ------------------------------------------------------------------ reading
    def units(self) -> list[Any]:
        """Independent work units (read in any order, added in this order)."""
        raise NotImplementedError

    def read_unit(self, unit: Any) -> Iterator[dict[str, Any]]:
        """The batches of one unit: dicts of column name -> NumPy array (NaN for nulls),
        plus ``"_nonnumeric"`` (count of values that were not numbers) and ``"_where"``."""
        raise NotImplementedError

    def parallel_units(self) -> bool:
        return True

    def iter_batches(self) -> Iterator[dict[str, Any]]:
        for u in self.units():
            yield from self.read_unit(u)

    def read_all(self) -> dict[str, NDArray[Any]]:
        """Every row of the needed columns, in memory."""
        parts: dict[str, list[Any]] = {c: [] for c in self.columns}
        bad = 0
        for b in self.iter_batches():
            bad += b.get("_nonnumeric", 0)
            for c in self.columns:
                parts[c].append(b[c])
        out = {c: (np.concatenate(v) if v else np.empty(0)) for c, v in parts.items()}
        out["_nonnumeric"] = bad  # type: ignore[assignment]  # a count under a reserved key, not a column
        return out

    def to_data(self, nan_policy: str = "raise") -> Any:
        """Read the whole source into an in-memory :class:`mlekit.Data`."""
        cols = self.read_all()
        return data_from_columns(self, cols, nan_policy, where=self.describe())

    def _grouped_input(self, by: Any, nan_policy: str) -> tuple[Any, Any]:
        """``mk.fit(source, family, by="column")``: the values and the group labels, in memory."""
        keys = [by] if isinstance(by, str) else list(by) if isinstance(by, (list, tuple)) else None
        if keys is None or not all(isinstance(k, str) for k in keys):
            raise DataError("with a file or SQL source, by= names the group column(s) of that "
                            f"source (e.g. by='machine'); got {type(by).__name__}.")
        extra = self._with_columns(keys)
        cols = extra.read_all_raw(keys)
        data = self.to_data_from(cols, nan_policy)
        labels = [cols[k] for k in keys]
        return data, (labels[0] if len(labels) == 1 else labels)

    def _floats(self, table: Any, out: dict[str, Any]) -> dict[str, Any]:
        """The value columns of an Arrow table or batch as floats into ``out`` (counting the
        non-numeric values in ``out["_nonnumeric"]``)."""
        for role, c in self.roles.items():
            if c is not None and c not in out:
                out[c], bad = to_float(table.column(c), c, status=role == "observed")
                out["_nonnumeric"] += bad
        return out

    def _with_columns(self, keys: list[str]) -> Source:
        return self

    def read_all_raw(self, keys: list[str]) -> dict[str, Any]:
        """The value columns (as floats) and the key columns (any type), in memory."""
        raise NotImplementedError

    def to_data_from(self, cols: dict[str, Any], nan_policy: str) -> Any:
        return data_from_columns(self, cols, nan_policy, where=self.describe())


class ParquetSource(Source):
    """Parquet file(s), read row group by row group (memory is bounded by the row-group size)."""

    format = "parquet"

    def __init__(self, path: Any, **kw: Any) -> None:
        pq = _require("pyarrow.parquet", "io")
        super().__init__(**kw)
        self.path = path
        self.files = _expand(path, "read_parquet")
        self._local = threading.local()
        meta = []
        for f in self.files:
            try:
                md = pq.ParquetFile(f).metadata
            except Exception as exc:
                raise DataError(f"read_parquet could not read {f!r} as Parquet: {exc}") from None
            meta.append(md)
        schema = pq.ParquetFile(self.files[0]).schema_arrow
        if not self.columns:
            if len(schema.names) != 1:
                raise DataError("read_parquet needs column= (the values) or lower=/upper=; got "
                                f"none, and the file has columns {', '.join(schema.names)}.")
            self.roles["column"] = schema.names[0]
        for f in self.files:
            sch = pq.ParquetFile(f).schema_arrow
            self._check_columns(sch.names, f)
            self._check_types(sch, f)
        self._units = [(i, j) for i, md in enumerate(meta) for j in range(md.num_row_groups)]
        self._rows = sum(md.num_rows for md in meta)

    @property
    def n_rows(self) -> int | None:
        return self._rows

    def __getstate__(self) -> dict[str, Any]:       # picklable for Dask workers
        state = dict(self.__dict__)
        state.pop("_local", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def describe(self) -> str:
        n = len(self.files)
        return f"{self.files[0]!r}" if n == 1 else f"{n} Parquet files like {self.files[0]!r}"

    def units(self) -> list[Any]:
        return list(self._units)

    def _file(self, i: int) -> Any:
        import pyarrow.parquet as pq

        cache = getattr(self._local, "files", None)
        if cache is None:
            cache = self._local.files = {}
        if i not in cache:
            cache[i] = pq.ParquetFile(self.files[i])
        return cache[i]

    def read_unit(self, unit: Any) -> Iterator[dict[str, Any]]:
        i, rg = unit
        pf = self._file(i)
        start = 0
        if pf.metadata.row_group(rg).num_rows <= self.batch_rows:   # whole row group at once
            batches: Any = [pf.read_row_group(rg, columns=self.columns, use_threads=False)]
        else:
            batches = pf.iter_batches(batch_size=self.batch_rows, row_groups=[rg],
                                      columns=self.columns, use_threads=False)
        for batch in batches:
            out = self._floats(batch, {"_nonnumeric": 0,
                                       "_where": f"{self.files[i]!r} row group {rg}, rows {start}+"})
            start += batch.num_rows
            yield out

    def read_all_raw(self, keys: list[str]) -> dict[str, Any]:
        import pyarrow.parquet as pq

        for f in self.files:
            self._check_columns_keys(pq.ParquetFile(f).schema_arrow.names, keys, f)
        tabs = [pq.read_table(f, columns=list(dict.fromkeys(self.columns + keys))) for f in self.files]
        import pyarrow as pa

        t = pa.concat_tables(tabs)
        out = self._floats(t, {"_nonnumeric": 0})
        for k in keys:
            out[k] = t.column(k).to_pandas()
        return out

    def _check_columns_keys(self, names: list[str], keys: list[str], where: str) -> None:
        for k in keys:
            if k not in names:
                raise DataError(f"by column {k!r} not found in {where}; available columns: "
                                f"{', '.join(names)}.")


class CSVSource(Source):
    """CSV file(s), parsed in blocks by pyarrow's streaming reader."""

    format = "csv"

    def __init__(self, path: Any, *, delimiter: str = ",", **kw: Any) -> None:
        _require("pyarrow.csv", "io")
        super().__init__(**kw)
        self.path = path
        self.delimiter = delimiter
        self.files = _expand(path, "read_csv")
        if not self.columns:
            names = self._header(self.files[0])
            if len(names) != 1:
                raise DataError("read_csv needs column= (the values) or lower=/upper=; got none, "
                                f"and the file has columns {', '.join(names)}.")
            self.roles["column"] = names[0]
        for f in self.files:
            self._check_columns(self._header(f), f)

    def _header(self, f: str) -> list[str]:
        import pyarrow.csv as pcsv

        try:
            reader = pcsv.open_csv(f, read_options=pcsv.ReadOptions(block_size=1 << 16),
                                   parse_options=pcsv.ParseOptions(delimiter=self.delimiter),
                                   convert_options=pcsv.ConvertOptions(
                                       column_types={}, strings_can_be_null=True, null_values=NULL_SPELLINGS))
        except Exception as exc:
            raise DataError(f"read_csv could not parse {f!r}: {exc}") from None
        return list(reader.schema.names)

    def describe(self) -> str:
        n = len(self.files)
        return f"{self.files[0]!r}" if n == 1 else f"{n} CSV files like {self.files[0]!r}"

    def units(self) -> list[Any]:
        return list(range(len(self.files)))

    def parallel_units(self) -> bool:
        return False

    def _reader(self, f: str, as_text: bool, cols: list[str]) -> Any:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        typ = pa.string() if as_text else pa.float64()
        return pcsv.open_csv(
            f, read_options=pcsv.ReadOptions(block_size=max(1 << 16, self.batch_rows * 12)),
            parse_options=pcsv.ParseOptions(delimiter=self.delimiter),
            convert_options=pcsv.ConvertOptions(include_columns=cols,
                                                column_types={c: typ for c in self.columns},
                                                strings_can_be_null=True, null_values=NULL_SPELLINGS))

    def read_unit(self, unit: Any) -> Iterator[dict[str, Any]]:
        """Batches of one file. Value columns are read as text and cast to numbers batch by
        batch, so that a value that is not a number is counted (and dropped with
        ``nan_policy='omit'``) instead of stopping the read."""
        f = self.files[unit]
        for batch in self._reader(f, True, self.columns):
            yield self._convert(batch, f)

    def _convert(self, batch: Any, f: str) -> dict[str, Any]:
        return self._floats(batch, {"_nonnumeric": 0, "_where": f"{f!r}"})

    def read_all_raw(self, keys: list[str]) -> dict[str, Any]:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        tabs = []
        for f in self.files:
            names = self._header(f)
            for k in keys:
                if k not in names:
                    raise DataError(f"by column {k!r} not found in {f!r}; available columns: "
                                    f"{', '.join(names)}.")
            tabs.append(pcsv.read_csv(
                f, parse_options=pcsv.ParseOptions(delimiter=self.delimiter),
                convert_options=pcsv.ConvertOptions(include_columns=list(dict.fromkeys(self.columns + keys)),
                                                    column_types={c: pa.string() for c in self.columns},
                                                    strings_can_be_null=True, null_values=NULL_SPELLINGS)))
        t = pa.concat_tables(tabs)
        out = self._floats(t, {"_nonnumeric": 0})
        for k in keys:
            out[k] = t.column(k).to_pandas()
        return out


# the parts of the sources' docstrings that read_parquet, read_csv and sql share
ROLES_DOC = """column, observed, censoring, lower, upper, weights, trials, truncation, entry
    The columns' roles and the truncation, as in :func:`read_parquet`."""
BATCH_ROWS_DOC = """batch_rows
    Rows read per batch: the memory bound of a streamed fit."""
RAISES_DOC = """Raises
------
DataError
    Conflicting column roles, as for :func:`read_parquet`."""


def _kw(column: str | None, observed: str | None, censoring: str, lower: str | None,
        upper: str | None, weights: str | None, trials: str | None,
        truncation: tuple[Any, Any] | None, batch_rows: int, entry: str | None
        ) -> dict[str, Any]:
    return dict(column=column, observed=observed, censoring=censoring, lower=lower, upper=upper,
                weights=weights, trials=trials, truncation=truncation, batch_rows=batch_rows,
                entry=entry)


@fill_doc(batch_rows=BATCH_ROWS_DOC)
def read_parquet(path: Any, column: str | None = None, *, observed: str | None = None,
                 censoring: str = "right", lower: str | None = None, upper: str | None = None,
                 weights: str | None = None, trials: str | None = None,
                 truncation: tuple[Any, Any] | None = None, entry: str | None = None,
                 batch_rows: int = BATCH_ROWS) -> ParquetSource:
    """Values in Parquet file(s): a path, a glob (``"lifetimes/*.parquet"``), a directory or a
    list of those. Nothing is read until the source is fitted.

    Parameters
    ----------
    path
        A file, a glob, a directory, or a list of those.
    column
        The column of values (may be omitted when the data have a single column).
    observed
        Optional boolean column: True where the value was seen exactly, False where it is
        censored on the side given by ``censoring``.
    censoring
        ``"right"`` (default: the true value is at least the one recorded) or ``"left"``.
    lower, upper
        Columns of interval bounds, instead of ``column`` (interval censoring; both needed).
    weights
        Column of frequency weights.
    trials
        Column of trials per row (binomial data).
    truncation
        ``(a, b)``: only values in ``[a, b]`` could enter the sample (``None``: no bound). A
        bound given as a column name is a window per row (``-inf``/``inf`` in the column: no
        bound on that side), as ``mk.Data(x, truncation=(lo_array, hi_array))``: each row then
        adds ``-log P(a_i <= X <= b_i)`` to the log-likelihood.
    entry
        Column of late-entry times (left truncation per row, as ``Data.right_censored(...,
        entry=)``): a row is in the data only because its value exceeded its entry time;
        combined with a truncation lower bound, the larger of the two counts.
    {batch_rows}

    Returns
    -------
    ParquetSource
        A description of the data for :func:`mlekit.fit` (streamed, or ``backend="dask"``).

    Raises
    ------
    DataError
        Conflicting column roles (``column`` with ``lower``/``upper``, one bound only); files
        or columns that do not exist are reported when the source is fitted.

    Examples
    --------
    >>> mk.fit(mk.read_parquet("lifetimes/*.parquet", column="hours", observed="failed"),
    ...        "weibull")  # doctest: +SKIP
    """
    return ParquetSource(path, **_kw(column, observed, censoring, lower, upper, weights, trials,
                                     truncation, batch_rows, entry))


@fill_doc(roles=ROLES_DOC, batch_rows=BATCH_ROWS_DOC, raises=RAISES_DOC)
def read_csv(path: Any, column: str | None = None, *, observed: str | None = None,
             censoring: str = "right", lower: str | None = None, upper: str | None = None,
             weights: str | None = None, trials: str | None = None,
             truncation: tuple[Any, Any] | None = None, entry: str | None = None,
             delimiter: str = ",", batch_rows: int = BATCH_ROWS) -> CSVSource:
    """Values in CSV file(s) with a header row (path, glob, directory or list). Empty fields
    and ``NA``/``NaN``/``null``/``none``/``-`` (any case) are missing values, ``true``/``false``
    and ``yes``/``no`` are 1/0; other text in a value column is counted as non-numeric. Both
    follow ``nan_policy`` at fit time (the token table is in :mod:`mlekit._data.columns`).

    Parameters
    ----------
    path
        A file, a glob, a directory, or a list of those.
    {roles}
    delimiter
        The field separator.
    {batch_rows}

    Returns
    -------
    CSVSource
        A description of the data for :func:`mlekit.fit`; nothing is read until then.

    {raises}

    Examples
    --------
    >>> mk.fit(mk.read_csv("failures.csv", column="hours", observed="failed"),
    ...        "weibull")  # doctest: +SKIP
    """
    return CSVSource(path, delimiter=delimiter, **_kw(column, observed, censoring, lower, upper,
                                                      weights, trials, truncation, batch_rows,
                                                      entry))
