"""Reading tables for the command line: CSV, TSV, Parquet, JSON lines, or stdin.

Files are read with pyarrow (imported here, inside functions, never at ``import mlekit``).
Cells are read as numbers with the token table of :mod:`mlekit._data.columns` (missing-value
tokens such as ``NA``/``none``/``-``, booleans), the same as ``mk.read_csv`` and the explorer.
``mlekit:NAME`` names a built-in data set (``mlekit:lightbulbs``). Errors are
:class:`~mlekit.errors.DataError` with what was expected, what was got, and a hint.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._core.checks import name_list, require
from ..errors import DataError

__all__ = ["read_table", "column_values", "column_labels", "FORMATS", "detect_format"]

FORMATS = ("csv", "tsv", "parquet", "jsonl")
_EXT = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet",
        ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_COMPRESSED = (".gz", ".bz2", ".zst", ".lz4")

# Progress callback: (done, total, description); total None when unknown.
PROGRESS_BYTES = 32 * 2**20   # CSV files larger than this are read in blocks with progress
Progress = Callable[[float, float | None, str], None]


def _import_pyarrow() -> Any:
    return require("pyarrow", "io", "reading files needs pyarrow")


def detect_format(source: str, fmt: str | None = None) -> str:
    """The format of ``source`` from ``fmt`` or its extension (``.csv.gz`` counts as csv)."""
    if fmt is not None:
        f = fmt.lower().replace("-", "").replace("_", "")
        f = {"json": "jsonl", "jsonlines": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(f, f)
        if f not in FORMATS:
            raise DataError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}.")
        return f
    p = source.lower()
    for ext in _COMPRESSED:
        if p.endswith(ext):
            p = p[: -len(ext)]
    suffix = os.path.splitext(p)[1]
    if suffix in _EXT:
        return _EXT[suffix]
    raise DataError(
        f"file format must be one of .csv, .tsv, .parquet, .jsonl; got {suffix or 'no extension'!r} "
        f"for {source!r}. Hint: name the format with --input-format csv|tsv|parquet|jsonl."
    )


def _resolve(source: str) -> str:
    if source.startswith("mlekit:"):
        from .. import datasets

        return str(datasets.path(source.split(":", 1)[1]))
    if not os.path.exists(source):
        hint = ""
        if "." not in os.path.basename(source) and os.sep not in source:
            from .. import datasets

            if source.replace("-", "_") in datasets.names():
                hint = f" Hint: the built-in data set is spelled mlekit:{source}."
        raise DataError(f"file not found: {source!r} (looked in {os.getcwd()}).{hint}")
    if os.path.isdir(source):
        raise DataError(f"expected a file; got the directory {source!r}.")
    if os.path.getsize(source) == 0 and not _has_bytes(source):   # /proc files report size 0
        raise DataError(f"file {source!r} is empty; expected a header line and at least one row.")
    return source


def _has_bytes(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return bool(fh.read(1))
    except OSError:
        return False


# the longest header line read: a CSV needs a block that holds it (pyarrow's default is 1 MB)
_MAX_HEADER = 64 << 20


def _block_size(path: str, source: str) -> int:
    """A pyarrow block size that holds the header line (very wide files have long headers)."""
    n = 0
    with open(path, "rb") as fh:
        while n < _MAX_HEADER:
            chunk = fh.read(1 << 20)
            i = chunk.find(b"\n")
            if i >= 0 or not chunk:
                n += i if i >= 0 else 0
                break
            n += len(chunk)
    if n >= _MAX_HEADER:
        raise DataError(f"the header line of {source!r} is longer than {_MAX_HEADER >> 20} MB; "
                        "expected a CSV header of column names. Hint: keep the columns you need "
                        "(e.g. with cut or pandas) and try again.")
    return max(1 << 20, 2 * n + (1 << 16))


def read_table(source: str, columns: Sequence[str] | None = None, *, fmt: str | None = None,
               progress: Progress | None = None, stdin: Any = None) -> Any:
    """Read ``source`` (a path, ``mlekit:NAME`` or ``-`` for stdin) into a ``pyarrow.Table``.

    ``columns`` (when given) are checked against the file's header — an unknown one raises a
    DataError listing the available columns — and only they are read.
    """
    pa = _import_pyarrow()
    if source == "-":
        return _read_stdin(stdin if stdin is not None else sys.stdin, columns)
    path = _resolve(source)
    kind = detect_format(path, fmt)
    try:
        if kind in ("csv", "tsv"):
            table = _read_csv(path, "\t" if kind == "tsv" else ",", columns, progress, source)
        elif kind == "parquet":
            table = _read_parquet(path, columns, progress, source)
        else:
            import pyarrow.json as pj

            table = pj.read_json(path)
            _check_columns(table.column_names, columns, source)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, UnicodeDecodeError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"could not read {source!r} as {kind.upper()}: {msg}. Hint: check the file "
                        "format (--input-format) and that it has a header row.") from None
    if table.num_rows == 0:
        raise DataError(f"file {source!r} has a header but no rows; expected at least one row.")
    if columns:
        table = table.select(list(dict.fromkeys(columns)))
    return table


def _check_columns(available: list[str], wanted: Sequence[str] | None, source: str) -> None:
    for c in wanted or ():
        if c not in available:
            import difflib

            close = difflib.get_close_matches(c, available, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise DataError(f"column {c!r} not found in {source!r}; available columns: "
                            f"{name_list(available)}.{hint}")


def _read_csv(path: str, delim: str, columns: Sequence[str] | None, progress: Progress | None,
              source: str) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pc

    parse = pc.ParseOptions(delimiter=delim)
    block = _block_size(path, source)
    with pc.open_csv(path, parse_options=parse,
                     read_options=pc.ReadOptions(block_size=block)) as reader:
        names = reader.schema.names
    _check_columns(names, columns, source)
    for c in dict.fromkeys(columns or ()):
        if names.count(c) > 1:
            raise DataError(f"column {c!r} appears {names.count(c)} times in the header of "
                            f"{source!r}, so which one is meant is ambiguous. Hint: give the "
                            "columns distinct names.")
    conv = _convert_options(list(dict.fromkeys(columns)) if columns else None)
    size = os.path.getsize(path)
    if progress is None or size < PROGRESS_BYTES:
        return pc.read_csv(path, parse_options=parse, convert_options=conv,
                           read_options=pc.ReadOptions(block_size=block))
    batches = []
    src = pa.OSFile(path)
    try:
        reader = pc.open_csv(src, parse_options=parse, convert_options=conv,
                             read_options=pc.ReadOptions(block_size=max(block, min(8 * 2**20,
                                                                                   size // 8))))
        for batch in reader:
            batches.append(batch)
            progress(float(src.tell()), float(size), f"reading {os.path.basename(path)}")
        progress(float(size), float(size), f"reading {os.path.basename(path)}")
        return pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        src.close()


def _convert_options(columns: list[str] | None = None) -> Any:
    import pyarrow.csv as pc

    from .._data.columns import NULL_SPELLINGS

    return pc.ConvertOptions(include_columns=columns, strings_can_be_null=True,
                             null_values=NULL_SPELLINGS)


def _read_parquet(path: str, columns: Sequence[str] | None, progress: Progress | None,
                  source: str) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    _check_columns(pf.schema_arrow.names, columns, source)
    cols = list(dict.fromkeys(columns)) if columns else None
    total = pf.metadata.num_rows
    if progress is None or pf.num_row_groups < 2:
        return pf.read(columns=cols)
    parts, done = [], 0
    for i in range(pf.num_row_groups):
        t = pf.read_row_group(i, columns=cols)
        parts.append(t)
        done += t.num_rows
        progress(float(done), float(total), f"reading {os.path.basename(path)}")
    return pa.concat_tables(parts)


def _read_stdin(stream: Any, columns: Sequence[str] | None) -> Any:
    """Stdin holds one number per line; a first line that is not a number is a column name.
    Text with commas or tabs is read as CSV/TSV with a header."""
    import pyarrow as pa

    text = stream.read()
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise DataError("stdin is empty; expected one number per line (or CSV with a header).")
    if "," in lines[0] or "\t" in lines[0]:
        import pyarrow.csv as pc

        delim = "\t" if "\t" in lines[0] else ","
        try:
            table = pc.read_csv(io.BytesIO(text.encode()), parse_options=pc.ParseOptions(delimiter=delim),
                                convert_options=_convert_options())
        except pa.ArrowInvalid as exc:
            raise DataError(f"could not read stdin as CSV: {str(exc).splitlines()[0]}.") from None
        _check_columns(table.column_names, columns, "stdin")
        return table.select(list(dict.fromkeys(columns))) if columns else table
    from .._data.columns import is_missing, parse_token

    tokens = [t for ln in lines for t in ln.split()]
    if len(tokens) > len(lines) and all(parse_token(t) is not None for t in tokens):
        lines = tokens                          # "2.3 1.9 2.5": numbers separated by spaces
    name = "x"
    if parse_token(lines[0]) is None:          # neither a number nor a missing value
        name, lines = lines[0], lines[1:]
    wanted = list(columns or ())
    if wanted and wanted != [name]:
        _check_columns([name], wanted, "stdin")
    vals: list[float | None] = []
    for i, ln in enumerate(lines):
        v = parse_token(ln)
        if v is None:
            raise DataError(f"stdin must hold one number per line; got {ln[:40]!r} on data line {i + 1}.")
        vals.append(None if is_missing(ln) else v)
    if not vals:
        raise DataError("stdin has a header but no numbers; expected one number per line.")
    return pa.table({name: pa.array(vals, type=pa.float64())})


def column_values(table: Any, name: str, *, source: str = "the input", what: str | None = None,
                  status: bool = False) -> np.ndarray:
    """A numeric column as float64 (nulls and missing tokens become NaN; ``status``: a
    censoring column, which also reads observed/censored words); a DataError names a
    non-numeric column."""
    from .._data.columns import arrow_to_float

    col = table.column(name)
    try:
        out, bad = arrow_to_float(col, status=status)
    except TypeError:
        raise DataError(f"column {name!r} of {source} must be numeric; got type {col.type}.") from None
    if bad is not None:
        i = int(np.flatnonzero(bad)[0])
        v = col[i].as_py()
        raise DataError(f"column {name!r} of {source} must be numeric"
                        f"{' (' + what + ')' if what else ''}; got text such as {v!r} "
                        f"(row {i + 1}). Hint: choose another column with --column, "
                        "or fix that row.")
    return np.asarray(out, dtype=float)


def column_labels(table: Any, name: str) -> np.ndarray:
    """A column of group labels (any type) as a NumPy array of Python values."""
    col = table.column(name)
    return np.asarray(col.to_pylist(), dtype=object)
