"""Truncation of ``Data``: one range for every row, or a window per row.

``truncation=(a, b)`` with numbers says that no value outside ``[a, b]`` could have been
observed at all; with arrays (or a number and an array) row ``i`` could only have been observed
inside its own window ``[a_i, b_i]`` (``-inf``/``inf``: no bound on that side). ``entry=t0``
(late entry, left truncation per row) is the window ``[t0_i, inf)``: a unit is in the study
only because it was still at risk at its entry time. Per-row windows are kept on the blocks
(``Block.tlo``/``Block.thi``, aligned with the block's rows) so they follow the rows wherever
they go (chunks, censored pieces, bootstrap copies).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import DataError

if TYPE_CHECKING:
    from .data import Data

__all__ = ["apply_truncation", "check_truncation", "source_windows"]


def _first(mask: NDArray[np.bool_]) -> tuple[int, int]:
    idx = np.flatnonzero(mask)
    return int(idx.size), int(idx[0]) if idx.size else -1


def _is_rowwise(v: Any) -> bool:
    return v is not None and not isinstance(v, (int, float)) and np.ndim(v) > 0


def apply_truncation(data: Data, trunc: Any, entry: Any, n: int) -> tuple[float, float] | None:
    """Check ``trunc``/``entry`` against ``data`` (``n`` rows given by the user) and return the
    common range (or ``None``); per-row windows are set on the blocks instead."""
    if entry is None and not (isinstance(trunc, (tuple, list)) and len(trunc) == 2
                              and (_is_rowwise(trunc[0]) or _is_rowwise(trunc[1]))):
        return check_truncation(trunc, data)
    if trunc is None:
        a: Any = -math.inf
        b: Any = math.inf
    else:
        try:
            a, b = trunc
        except (TypeError, ValueError):
            raise DataError(f"truncation must be a pair (lower, upper); got {trunc!r}.") from None
    lo = _bound(a, -math.inf, n, "truncation lower bound")
    hi = _bound(b, math.inf, n, "truncation upper bound")
    if entry is not None:
        ent = _bound(entry, -math.inf, n, "entry")
        lo = np.maximum(lo, ent)
    _set_windows(data, lo, hi, entry is not None)
    return None


def _bound(v: Any, none: float, n: int, what: str) -> NDArray[np.float64]:
    if v is None:
        return np.full(n, none)
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be numeric (-inf/inf for no bound); got "
                        f"{np.asarray(v).dtype}.") from None
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.ndim != 1 or arr.shape[0] != n:
        raise DataError(f"{what} must be a number or have one entry per value ({n}); got shape "
                        f"{arr.shape}.")
    return arr


def _set_windows(data: Data, lo: NDArray[np.float64], hi: NDArray[np.float64],
                 entry: bool) -> None:
    any_bound = False
    checks = []
    for blk in data.blocks.values():
        if not blk.size:
            continue
        rows = blk.rows if blk.rows is not None else np.arange(blk.size)
        a, b = lo[rows], hi[rows]
        bad = np.isnan(a) | np.isnan(b)
        if bad.any():
            cnt, i = _first(bad)
            raise DataError(f"truncation bounds must be numbers (-inf/inf for no bound); got "
                            f"{cnt} NaN (first at index {int(rows[i])}).")
        bad = ~(a < b)
        if bad.any():
            cnt, i = _first(bad)
            raise DataError(f"each row's truncation window needs lower < upper; got {cnt} rows "
                            f"without (first at index {int(rows[i])}: [{a[i]:g}, {b[i]:g}]).")
        # every finite point of a row (value, censoring bound) lies inside its window
        pts = [blk.x] if blk.hi is None else [blk.x, blk.hi]
        for p in pts:
            out = np.isfinite(p) & ((p < a) | (p > b))
            checks.append((out, p, a, b, rows))
        if np.isfinite(a).any() or np.isfinite(b).any():
            any_bound = True
        blk.tlo, blk.thi = a, b
    for out, p, a, b, rows in checks:
        if out.any():
            cnt, i = _first(out)
            hint = (" Hint: a row enters the study only while still at risk, so its entry "
                    "time cannot exceed its time." if entry else
                    " Hint: values outside a row's window could not have been sampled.")
            raise DataError(f"every value must lie inside its row's truncation window; got {cnt} "
                            f"outside (first at index {int(rows[i])}: {p[i]:g} not in "
                            f"[{a[i]:g}, {b[i]:g}]).{hint}")
    if not any_bound:   # every window is the whole line: nothing is truncated
        for blk in data.blocks.values():
            blk.tlo = blk.thi = None


def check_truncation(trunc: Any, data: Data) -> tuple[float, float] | None:
    """The common truncation range ``(a, b)`` checked against every value (``None``: none)."""
    if trunc is None:
        return None
    try:
        a, b = trunc
    except (TypeError, ValueError):
        raise DataError(f"truncation must be a pair (lower, upper); got {trunc!r}.") from None
    try:
        a = -math.inf if a is None else float(a)
        b = math.inf if b is None else float(b)
    except (TypeError, ValueError):
        raise DataError(f"truncation bounds must be numbers or None; got {trunc!r}.") from None
    if math.isnan(a) or math.isnan(b) or not a < b:
        raise DataError(f"truncation needs lower < upper; got ({a}, {b}).")
    if a == -math.inf and b == math.inf:
        return None
    pts = data.all_points()
    bad = (pts < a) | (pts > b)
    if bad.any():
        cnt, i = _first(bad)
        raise DataError(
            f"every value must lie inside the truncation range [{a:g}, {b:g}]; got {cnt} outside "
            f"(e.g. {pts[i]:g}). Hint: values outside the range could not have been sampled."
        )
    return (a, b)


# ---------------------------------------------------------------------------- sources
def column_name(v: Any, what: str) -> str | None:
    """A source's ``entry=`` / truncation column: a name (or ``None``)."""
    if v is None or isinstance(v, str):
        return v
    raise DataError(f"{what}= of a source names a column of per-row values; got "
                    f"{type(v).__name__}. Hint: write the values as a column of the file (or "
                    "fit an in-memory mk.Data(x, entry=array)).")


def source_windows(roles: dict[str, str | None], truncation: Any
                   ) -> tuple[tuple[Any, Any] | None, tuple[float, float]]:
    """A source's ``truncation=``: ``(common range or None, window_bounds)``. A column name on
    either side (or an ``entry`` column in ``roles``) makes per-row windows: the names go to
    ``roles["truncation_lower"/"truncation_upper"]``, numbers (one bound for every row) to
    ``window_bounds``, and the common range is ``None``; otherwise the pair is the common
    range, as before."""
    whole = (-math.inf, math.inf)
    if truncation is None:
        return None, whole
    try:
        a, b = truncation
    except (TypeError, ValueError):
        raise DataError(f"truncation must be a pair (lower, upper) of numbers, None or column "
                        f"names; got {truncation!r}.") from None
    if not isinstance(a, str) and not isinstance(b, str) and roles.get("entry") is None:
        return (a, b), whole
    bounds = []
    for side, v, none in (("truncation_lower", a, -math.inf), ("truncation_upper", b, math.inf)):
        if isinstance(v, str):
            roles[side] = v
            bounds.append(none)
            continue
        try:
            bounds.append(none if v is None else float(v))
        except (TypeError, ValueError):
            raise DataError(f"truncation bounds must be numbers, None or column names; got "
                            f"{v!r}.") from None
    return None, (bounds[0], bounds[1])
