"""Text output for people: a console that fits the terminal, tables that never cut a number.

* In a terminal the console takes the terminal's width; piped or redirected output has no colour,
  no fixed-width padding and no trailing spaces (``COLUMNS`` sets the width for prose).
* :func:`print_table` builds a rich table whose numeric columns never shrink: text columns wrap
  first, then low-priority columns are left out (with a note naming them), and if the essential
  columns still do not fit, the table is printed at its natural width (the terminal wraps the
  line, but every digit is there). Piped output always gets every column.
* :func:`number_column` formats one column of numbers in one style: the same number of decimals
  (so decimal points align) chosen for ``sig`` significant digits of the typical value.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from .._core.numformat import decimals_for, fixed

__all__ = ["make_console", "Col", "print_table", "number_column", "decimals_for", "fixed",
           "p_value", "is_terminal"]

PIPED_TABLE_WIDTH = 10_000   # tables in a file or a pipe are never squeezed


def is_terminal(stream: Any) -> bool:
    try:
        return bool(getattr(stream, "isatty", lambda: False)())
    except (ValueError, OSError):
        return False


class _StripTrailing:
    """A text stream filter that removes trailing spaces at the end of every line."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._pending = ""

    def write(self, s: str) -> int:
        text = self._pending + s
        *lines, last = text.split("\n")
        out = "".join(line.rstrip() + "\n" for line in lines)
        kept = last.rstrip()
        self._pending = last[len(kept):]
        self._stream.write(out + kept)
        return len(s)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"


def _env_width() -> int | None:
    cols = os.environ.get("COLUMNS", "")
    return int(cols) if cols.isdigit() and int(cols) > 0 else None


def make_console(stream: Any = None) -> Any:
    """A rich Console for ``stream`` (default stdout), sized to the terminal when there is one."""
    from rich.console import Console

    stream = stream or sys.stdout
    if is_terminal(stream):
        return Console(file=stream, highlight=False)
    out: Any = _StripTrailing(stream)
    con = Console(file=out, width=_env_width() or 100, highlight=False, color_system=None,
                  force_terminal=False, emoji=False, soft_wrap=False)
    con.mlekit_piped = _env_width() is None   # type: ignore[attr-defined]  # our own flag on rich's Console (read by render)
    return con


# ---------------------------------------------------------------------------- numbers
def number_column(values: Sequence[Any], sig: int = 6, decimals: int | str | None = "auto") -> list[str]:
    """A column of numbers in one format (same decimals, so points align when right-justified)."""
    d = decimals_for(values, sig) if decimals == "auto" else decimals
    return [fixed(v, d, sig) for v in values]  # type: ignore[arg-type]  # decimals is an int here: 'auto' resolved above


def p_value(p: Any, floor: float | None = None) -> str:
    """A p-value: 2 decimals; the Monte-Carlo floor 1/(n_boot + 1) as "≤ 0.01" (99 refits)."""
    if p is None:
        return ""
    f = float(p)
    if math.isnan(f):
        return ""
    if floor is not None and f <= floor * (1 + 1e-9):
        return f"≤ {floor:.2g}"
    if f < 0.01:
        return "< 0.01"
    return f"{f:.2f}"


# ---------------------------------------------------------------------------- tables
@dataclass
class Col:
    """One table column. ``priority`` 0 is essential; higher numbers are dropped first when the
    terminal is too narrow. ``numeric`` columns never wrap or shrink."""

    header: str
    justify: str = "right"
    numeric: bool = True
    priority: int = 0


def _build(cols: Sequence[Col], rows: Sequence[Sequence[str]], keep: list[int]) -> Any:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=True)
    for i in keep:
        c = cols[i]
        width = max([len(c.header)] + [len(r[i]) for r in rows]) if c.numeric else None
        t.add_column(c.header, justify=c.justify, no_wrap=c.numeric,  # type: ignore[arg-type]  # justify is one of rich's literals (set by Col)
                     min_width=width, overflow="fold")
    for r in rows:
        t.add_row(*[escape(r[i]) for i in keep])
    return t


def _natural_width(con: Any, table: Any) -> int:
    from rich.measure import Measurement

    opts = con.options.update_width(PIPED_TABLE_WIDTH)
    return int(Measurement.get(con, opts, table).maximum)


def _min_width(con: Any, table: Any) -> int:
    from rich.measure import Measurement

    opts = con.options.update_width(PIPED_TABLE_WIDTH)
    return int(Measurement.get(con, opts, table).minimum)


def print_table(con: Any, cols: Sequence[Col], rows: Sequence[Sequence[str]],
                what: str = "columns") -> list[str]:
    """Print a table that fits ``con`` without cutting numbers; returns the headers left out."""
    keep = list(range(len(cols)))
    if getattr(con, "mlekit_piped", False):
        table = _build(cols, rows, keep)
        con.print(table, width=max(_natural_width(con, table), con.width))
        return []
    width = con.width
    dropped: list[str] = []
    table = _build(cols, rows, keep)
    while _min_width(con, table) > width:
        cands = [i for i in keep if cols[i].priority > 0]
        if not cands:
            break
        worst = max(cands, key=lambda i: (cols[i].priority, i))
        keep.remove(worst)
        dropped.append(cols[worst].header)
        table = _build(cols, rows, keep)
    need = _min_width(con, table)
    con.print(table, width=max(need, width) if need > width else None)
    if dropped:
        con.print(f"(not shown at this width: {', '.join(reversed(dropped))}; widen the terminal "
                  "or use --format csv)", highlight=False, markup=False)
    return dropped
