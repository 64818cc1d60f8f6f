"""Numbers for people, one format per column: the same decimals down a column (so decimal
points align), chosen for a number of significant digits of the column's typical value.
Used by the command line's tables and the HTML report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["decimals_for", "fixed", "pvalue_text", "pvalue_eq", "P_FLOOR"]

#: p-values below this are printed as "< 1e-16": near machine epsilon, where the normal or
#: chi-square approximation behind the number says nothing more (R prints "<2e-16")
P_FLOOR = 1e-16


def _finite(values: Sequence[Any]) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return out


def decimals_for(values: Sequence[Any], sig: int = 6, max_decimals: int = 8) -> int | None:
    """Decimals giving ``sig`` significant digits to the typical (90th-percentile) magnitude;
    ``None`` when the column needs scientific notation (tiny values)."""
    mags = sorted(abs(v) for v in _finite(values) if v != 0.0)
    if not mags:
        return min(sig - 1, max_decimals)
    typical = mags[min(len(mags) - 1, int(0.9 * len(mags)))]
    lead = math.floor(math.log10(typical))
    d = sig - 1 - lead
    if d > max_decimals:
        return None
    return max(d, 0)


def fixed(v: Any, decimals: int | None, sig: int = 6) -> str:
    """One cell: fixed decimals, or scientific when the value is far out of the column's range."""
    if v is None:
        return "—"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(f):
        return "—"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if decimals is None or (f != 0.0 and abs(f) >= 10 ** (sig + 2)):
        return f"{f:.{sig - 1}e}"
    s = f"{f:.{decimals}f}"
    if f != 0.0 and float(s) == 0.0 and decimals is not None:   # too small for the column
        return f"{f:.{max(sig - 3, 1)}e}"
    return s


def pvalue_text(p: Any) -> str:
    """A p-value for people, one style for the regression table, its LR test, the CLI and the
    report: three decimals from 0.1 up (``0.117``), three significant digits from 0.001
    (``0.0312``), scientific below (``2.31e-05``), ``"< 1e-16"`` at :data:`P_FLOOR`, ``"—"``
    when missing."""
    if p is None:
        return "—"
    try:
        f = float(p)
    except (TypeError, ValueError):
        return str(p)
    if math.isnan(f):
        return "—"
    if f < P_FLOOR:
        return "< 1e-16"
    if f < 1e-3:
        return f"{f:.2e}"
    if f >= 0.1:
        return f"{min(f, 1.0):.3f}"
    return f"{f:.3g}"


def pvalue_eq(p: Any) -> str:
    """The p-value after "p": ``"= 0.117"``, ``"= 2.31e-05"`` or ``"< 1e-16"``."""
    s = pvalue_text(p)
    return s if s.startswith("<") else f"= {s}"
