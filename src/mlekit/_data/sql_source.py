"""``mk.sql``: the result of a DuckDB query as a data source (streamed as Arrow record batches,
the query re-run for every pass); the column roles are those of :mod:`mlekit._data.sources`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from .._core.docs import fill_doc
from ..errors import DataError
from .sources import BATCH_ROWS, BATCH_ROWS_DOC, RAISES_DOC, ROLES_DOC, Source, _kw, _require

__all__ = ["sql", "SQLSource"]


class SQLSource(Source):
    """The result of a DuckDB query, streamed as Arrow record batches (re-run for each pass)."""

    format = "sql"

    def __init__(self, query: str, *, connection: Any = None, **kw: Any) -> None:
        duckdb = _require("duckdb", "sql")
        super().__init__(**kw)
        if not isinstance(query, str) or not query.strip():
            raise DataError(f"sql needs a query string; got {query!r}.")
        self.query = query
        self._con = connection
        self._lock = threading.Lock()
        try:
            rel = self.connection().sql(query)
            names = list(rel.columns)
        except duckdb.Error as exc:
            raise DataError(f"sql: the query failed: {exc}") from None
        if self.roles["column"] is None and self.roles["lower"] is None:
            if len(names) != 1:
                raise DataError(f"sql: the query returns {len(names)} columns ({', '.join(names)}); "
                                "say which holds the values with column=.")
            self.roles["column"] = names[0]
        self._check_columns(names, "the query result")

    def connection(self) -> Any:
        import duckdb

        if self._con is None:
            self._con = duckdb.connect()
        return self._con

    def describe(self) -> str:
        q = " ".join(self.query.split())
        return f"sql {q[:60]!r}" + ("…" if len(q) > 60 else "")

    def units(self) -> list[Any]:
        return [0]

    def parallel_units(self) -> bool:
        return False

    def read_unit(self, unit: Any) -> Iterator[dict[str, Any]]:
        with self._lock:
            cur = self.connection().cursor()
        cols = ", ".join(f'"{c}"' for c in dict.fromkeys(self.columns))
        rel = cur.sql(f"SELECT {cols} FROM ({self.query})")
        reader = (rel.to_arrow_reader(self.batch_rows) if hasattr(rel, "to_arrow_reader")
                  else rel.fetch_record_batch(self.batch_rows))
        try:
            for batch in reader:
                yield self._floats(batch, {"_nonnumeric": 0, "_where": self.describe()})
        finally:
            cur.close()

    def read_all_raw(self, keys: list[str]) -> dict[str, Any]:
        cols = ", ".join(f'"{c}"' for c in dict.fromkeys(self.columns + keys))
        try:
            rel = self.connection().sql(f"SELECT {cols} FROM ({self.query})")
            t = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        except Exception as exc:
            raise DataError(f"sql: could not read the by column(s) {keys}: {exc}") from None
        if hasattr(t, "read_all"):
            t = t.read_all()
        out = self._floats(t, {"_nonnumeric": 0})
        for k in keys:
            out[k] = t.column(k).to_pandas()
        return out


@fill_doc(roles=ROLES_DOC, batch_rows=BATCH_ROWS_DOC, raises=RAISES_DOC)
def sql(query: str, column: str | None = None, *, connection: Any = None,
        observed: str | None = None, censoring: str = "right", lower: str | None = None,
        upper: str | None = None, weights: str | None = None, trials: str | None = None,
        truncation: tuple[Any, Any] | None = None, entry: str | None = None,
        batch_rows: int = BATCH_ROWS) -> SQLSource:
    """Values from a DuckDB query, e.g. ``mk.sql("SELECT x FROM 'data/*.parquet' WHERE site = 3")``
    (``column`` may be omitted when the query returns one column). ``connection``: a DuckDB
    connection (default: a new in-memory one). The query runs again for every pass.

    Parameters
    ----------
    query
        A DuckDB SQL query.
    {roles}
    connection
        A DuckDB connection (default: a new in-memory one).
    {batch_rows}

    Returns
    -------
    SQLSource
        A description of the data for :func:`mlekit.fit`; the query runs when it is fitted.

    {raises}

    Examples
    --------
    >>> import mlekit as mk
    >>> q = "SELECT * FROM (VALUES (2.1), (3.4), (1.9), (5.6)) AS t(hours)"
    >>> res = mk.fit(mk.sql(q), "weibull")      # DuckDB's in-memory connection
    >>> res.n_obs
    4.0
    """
    return SQLSource(query, connection=connection, **_kw(column, observed, censoring, lower, upper,
                                                         weights, trials, truncation, batch_rows,
                                                         entry))
