"""Uploaded and pasted data sets: reading CSV/Parquet safely and picking columns.

An upload is streamed into the explorer's own temporary folder (never a name the client
chose), read with pandas/pyarrow, and deleted at once; the parsed table lives in memory
(the few most recent ones). Every problem becomes a :class:`WebError` with a 4xx status
and a message the page shows as it is. Cells are read as numbers with the token table of
:mod:`mlekit._data.columns` (the same as ``mk.read_csv`` and the command line).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._data.columns import (
    NULL_SPELLINGS,
    STATUS_FALSE,
    STATUS_TRUE,
    is_missing,
    is_number,
    parse_cells,
    parse_token,
)
from ._errors import WebError

__all__ = ["Dataset", "DatasetStore", "parse_text", "read_table_file", "column_values",
           "observed_values"]

_SNIFF_BYTES = 64 * 1024
_DELIMS = (",", ";", "\t", "|")
_BINARY = STATUS_TRUE | STATUS_FALSE | {"1", "1.0", "0", "0.0"}


@dataclass
class Dataset:
    id: str
    name: str
    frame: Any  # pandas.DataFrame
    source: str
    created: float = field(default_factory=time.time)

    def info(self) -> dict[str, Any]:
        cols = [_column_info(self.frame, c) for c in self.frame.columns]
        numeric = [c["name"] for c in cols if c["numeric"]]
        binary = [c["name"] for c in cols if c["binary"]]
        value_guess = next((c for c in numeric if c not in binary and not _index_like(c)),
                           next((c for c in numeric if c not in binary),
                                numeric[0] if numeric else None))
        return {"id": self.id, "name": self.name, "source": self.source,
                "n_rows": int(self.frame.shape[0]), "columns": cols,
                "suggested_column": value_guess,
                "suggested_reason": None if value_guess is None or
                len([c for c in numeric if c not in binary]) <= 1 else
                "the first numeric column that is not 0/1 and not named like an index, id, "
                "day or date",
                "suggested_observed": next((c for c in binary if c != value_guess), None)}


_INDEX_WORDS = ("id", "index", "idx", "row", "day", "date", "time_id", "week", "month", "year",
                "no", "nr", "number", "seq", "key")


def _index_like(name: Any) -> bool:
    """A column named like a row label (``day``, ``id``, ``machine_id``...), not a measurement."""
    parts = [p for p in re.split(r"[^a-z0-9]+", str(name).lower()) if p]
    return bool(parts) and (parts[-1] in _INDEX_WORDS or parts[0] in ("id", "index", "row"))


def _column_info(df: Any, name: Any) -> dict[str, Any]:
    s = df[name]
    num, bad = _numbers(s)
    n_missing = int((np.isnan(num) & ~bad).sum())
    n_bad = int(bad.sum())
    finite = num[np.isfinite(num)]
    text = s.dropna().astype(str).str.strip().str.lower()
    uniq = set(text[~text.map(is_missing)].unique()[:4].tolist())
    binary = bool(uniq) and len(uniq) <= 2 and uniq <= _BINARY
    return {"name": str(name), "dtype": str(s.dtype), "numeric": n_bad == 0 and finite.size > 0,
            "n_missing": n_missing, "n_nonnumeric": n_bad, "binary": binary,
            "min": float(finite.min()) if finite.size else None,
            "max": float(finite.max()) if finite.size else None,
            "example": [str(v) for v in s.dropna().head(3).tolist()]}


def _numbers(s: Any, status: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A column as floats (NaN for missing) and the mask of its non-numeric cells."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(s), dtype=bool)
    return parse_cells(s, status=status)


# ---------------------------------------------------------------------------- parsing

#: columns an upload may have: the explorer's per-column work (types, summaries) is sized to it
MAX_COLUMNS = 2000


#: rows an upload may have, and cells (rows x columns): the parse and the per-column summaries
#: take time in proportion, and run in a request that Ctrl+C cannot interrupt
MAX_ROWS = 2_000_000
MAX_CELLS = 20_000_000


def _check_size(rows: int, cols: int) -> None:
    if rows > MAX_ROWS:
        raise WebError(422, f"the data have {rows:,} rows; the explorer reads at most "
                       f"{MAX_ROWS:,}. Hint: fit a file this large from Python or the command line "
                       "(mk.read_csv / mk.read_parquet stream it), or upload a sample.",
                       "TooManyRows")
    if rows * cols > MAX_CELLS:
        raise WebError(422, f"the data have {rows:,} rows x {cols:,} columns = {rows * cols:,} "
                       f"values; the explorer reads at most {MAX_CELLS:,}. Hint: keep the columns "
                       "you need, or fit the file from Python or the command line.",
                       "TooManyCells")


def _count_lines(path: Path) -> int:
    """Lines of a text file (a cheap pass in 16 MB blocks, before any parsing)."""
    n, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


def _too_many_columns(n: int, at_least: bool = False) -> WebError:
    many = f"{'at least ' if at_least else ''}{n:,}"
    return WebError(422, f"the data have {many} columns; the explorer reads at most "
                    f"{MAX_COLUMNS:,}. Hint: keep the columns you need (e.g. with a spreadsheet or "
                    "pandas) and upload again.", "TooManyColumns")


def _sniff(sample: str) -> tuple[str | None, bool]:
    """``(delimiter, has_header)``; delimiter ``None`` means whitespace-separated."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:30]
    if not lines:
        return ",", False
    if len(lines) > 1 and len(sample) >= _SNIFF_BYTES - 1:
        lines = lines[:-1]  # the last line of a truncated sample may be cut short
    best = None
    for d in _DELIMS:
        counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines]
        if counts[0] > 1 and all(c == counts[0] for c in counts):
            best = d
            break
    if best is None:
        counts = [len(ln.split()) for ln in lines]
        sep = None if counts[0] > 1 and all(c == counts[0] for c in counts) else ","
    else:
        sep = best
    first = next(csv.reader([lines[0]], delimiter=sep)) if sep else lines[0].split()
    header = not all(is_number(t.strip()) or is_missing(t) for t in first)
    return sep, header


def _csv_frame(src: Any, sample: str) -> Any:
    import pandas as pd

    sep, header = _sniff(sample)
    kw: dict[str, Any] = dict(header=0 if header else None, low_memory=False, skip_blank_lines=True,
                              skipinitialspace=True, keep_default_na=False, na_values=NULL_SPELLINGS)
    kw["sep"] = r"\s+" if sep is None else sep
    try:
        df = pd.read_csv(src, **kw)
    except pd.errors.EmptyDataError:
        raise WebError(422, "the data are empty: no rows to read.", "EmptyData") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).replace("Error tokenizing data. C error: ", "").strip()
        raise WebError(422, f"could not read the CSV data: {msg}. Hint: every row needs the same "
                       "number of fields; quote values that contain the delimiter.",
                       "MalformedCSV") from None
    except UnicodeDecodeError:
        raise WebError(422, "could not read the CSV data: it is not UTF-8 or Latin-1 text.",
                       "MalformedCSV") from None
    if not isinstance(df.index, pd.RangeIndex):  # pandas' "implicit index": rows too long
        raise WebError(422, "could not read the CSV data: the first data row has more fields than "
                       "the header row. Hint: every row needs the same number of fields.",
                       "MalformedCSV")
    if df.shape[1] > MAX_COLUMNS:
        raise _too_many_columns(df.shape[1])
    if not header:
        df.columns = ["x"] if df.shape[1] == 1 else [f"column_{i + 1}" for i in range(df.shape[1])]
    df.columns = [str(c) for c in df.columns]
    if df.shape[0] == 0:
        raise WebError(422, "the data have a header row but no data rows.", "EmptyData")
    return df


def read_table_file(path: Path, filename: str) -> Any:
    """A DataFrame from an uploaded CSV or Parquet file (by content, then by name)."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head:
        raise WebError(422, "the uploaded file is empty.", "EmptyData")
    is_parquet = head[:4] == b"PAR1" or filename.lower().endswith((".parquet", ".pq"))
    if is_parquet:
        return _parquet_frame(path)
    first = head.split(b"\n", 1)[0]
    widest = max(first.count(d.encode()) for d in (",", ";", "\t", "|", " "))
    if widest >= MAX_COLUMNS:  # refused before pandas parses a very wide file
        raise _too_many_columns(widest + 1, at_least=True)
    if b"\x00" in head:
        raise WebError(422, f"{filename or 'the file'} is not a text CSV file (it contains binary "
                       "data). Hint: upload CSV text or a Parquet file.", "MalformedCSV")
    try:
        sample = head.decode("utf-8")
        enc = "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut at the end of the sample
            sample, enc = head[:exc.start].decode("utf-8"), "utf-8"
        else:
            sample, enc = head.decode("latin-1"), "latin-1"
    _check_size(_count_lines(path) - 1, widest + 1)
    with open(path, encoding=enc, newline="") as fh:
        return _csv_frame(fh, sample)


def _parquet_frame(path: Path) -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is in the web extra
        raise WebError(422, "reading Parquet needs pyarrow: pip install 'mlekit[web]'.",
                       "MissingDependency") from None
    try:
        meta = pq.read_metadata(path)
        n_cols = len(meta.schema.names)
    except (pa.ArrowException, OSError) as exc:
        raise WebError(422, f"could not read the Parquet file: {exc}", "MalformedParquet") from None
    if n_cols > MAX_COLUMNS:
        raise _too_many_columns(n_cols)
    _check_size(int(meta.num_rows), n_cols)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise WebError(422, f"could not read the Parquet file: {exc}", "MalformedParquet") from None
    if table.num_rows == 0:
        raise WebError(422, "the Parquet file has no rows.", "EmptyData")
    df = table.to_pandas()
    df.columns = [str(c) for c in df.columns]
    return df


# "1,5 2,5 3,5": decimal commas, which a CSV reader would take for six values (the page's
# DECIMAL_COMMAS in static/data.js is the same pattern)
_DECIMAL_COMMAS = re.compile(r"^\s*-?\d+,\d+(?:[\s;]+-?\d+,\d+)*\s*$")


def parse_text(text: str) -> Any:
    """Pasted text: numbers separated by spaces, commas, semicolons or new lines, or CSV
    with a header row."""
    import pandas as pd

    if not text or not text.strip():
        raise WebError(422, "the pasted text is empty: paste numbers such as 2.3, 1.9, 2.5.",
                       "EmptyData")
    if _DECIMAL_COMMAS.match(text):
        first = re.split(r"[\s;]+", text.strip())[0]
        raise WebError(422, f"these numbers use decimal commas (such as {first!r}), which would be "
                       "read as separate values. Hint: write them with decimal points (1.5 2.5), "
                       "one per line or separated by spaces.", "DecimalCommas")
    tokens = [t for t in re.split(r"[\s,;|]+", text.strip()) if t]
    vals = [parse_token(t) for t in tokens]
    bad = next((i for i, v in enumerate(vals) if v is None), None)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if bad is not None and len(lines) > 1:
        return _csv_frame(io.StringIO(text), text[:_SNIFF_BYTES])  # a table with a header row
    if bad is not None:
        raise WebError(422, f"pasted values must be numbers separated by spaces, commas or new "
                       f"lines (or CSV with a header row); got {tokens[bad][:40]!r} (value "
                       f"{bad + 1}).", "NonNumeric")
    return pd.DataFrame({"x": np.array(vals, dtype=float)})


# ---------------------------------------------------------------------------- columns
def _column(df: Any, name: str, what: str) -> Any:
    if name not in df.columns:
        cols = ", ".join(map(str, df.columns))
        raise WebError(422, f"{what} must be one of the data's columns ({cols}); got {name!r}.",
                       "UnknownColumn")
    return df[name]


def column_values(df: Any, name: str) -> np.ndarray:
    """Float values of a column (missing as NaN); 422 for text or an empty column."""
    s = _column(df, name, "column")
    x, bad = _numbers(s)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WebError(422, f"column {name!r} must be numeric; got {int(bad.sum())} non-numeric "
                       f"values (first in data row {i + 1}: {str(s.iloc[i]).strip()[:40]!r}). "
                       "Hint: pick a numeric column, or clean the file.", "NonNumeric")
    if not np.isfinite(x).any():
        raise WebError(422, f"column {name!r} is empty: none of its {x.size} rows holds a number.",
                       "EmptyColumn")
    return x


def observed_values(df: Any, name: str) -> np.ndarray:
    """A censoring column as 1.0 (exact), 0.0 (censored) or NaN (missing)."""
    s = _column(df, name, "observed column")
    x, bad = _numbers(s, status=True)
    bad = bad | ~(np.isnan(x) | (x == 0) | (x == 1))
    shown = [str(v) for v in s[bad].head(1).tolist()]
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WebError(422, f"observed column {name!r} must hold 1/0, true/false or yes/no "
                       f"(1 = value seen exactly, 0 = censored); got {int(bad.sum())} other values "
                       f"(first in data row {i + 1}: {shown[0][:40]!r}).", "BadCensoring")
    return x


# ---------------------------------------------------------------------------- store
class DatasetStore:
    """Recent data sets in memory, and the temporary folder uploads pass through."""

    def __init__(self, max_upload_bytes: int, max_datasets: int = 8) -> None:
        self.max_upload_bytes = max_upload_bytes
        self.max_datasets = max_datasets
        self._items: OrderedDict[str, Dataset] = OrderedDict()
        self._lock = threading.Lock()
        self._tmp: Path | None = None

    @property
    def temp_dir(self) -> Path:
        with self._lock:
            if self._tmp is None:
                self._tmp = Path(tempfile.mkdtemp(prefix="mlekit-web-"))
                # removed at shutdown (cleanup), or when the store goes / the interpreter exits
                weakref.finalize(self, shutil.rmtree, str(self._tmp), True)
            return self._tmp

    def new_upload_path(self) -> Path:
        return self.temp_dir / f"{uuid.uuid4().hex}.upload"

    def cleanup(self) -> None:
        with self._lock:
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)
                self._tmp = None
            self._items.clear()

    def add(self, frame: Any, name: str, source: str) -> Dataset:
        ds = Dataset(uuid.uuid4().hex[:16], _display_name(name), frame, source)
        with self._lock:
            self._items[ds.id] = ds
            while len(self._items) > self.max_datasets:
                self._items.popitem(last=False)
        return ds

    def get(self, ds_id: str) -> Dataset:
        with self._lock:
            ds = self._items.get(ds_id)
            if ds is not None:
                self._items.move_to_end(ds_id)
        if ds is None:
            raise WebError(404, f"no data set with id {ds_id!r} (it may have been replaced by newer "
                           "uploads). Hint: upload or paste the data again.", "UnknownDataset")
        return ds

    def delete(self, ds_id: str) -> None:
        self.get(ds_id)
        with self._lock:
            self._items.pop(ds_id, None)


def _display_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[^\w.\- ()]+", "_", base)[:120] or "data"
