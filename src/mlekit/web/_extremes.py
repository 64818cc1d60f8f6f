"""The explorer's extreme-value page: a GEV fit to annual maxima (pasted, inline, or the
built-in Port Pirie sea levels), its parameters with profile intervals, and return levels
with profile intervals over a set of return periods (the return-level plot and its slider).

Work is bounded: at most ``MAX_N`` maxima and ``MAX_PERIODS`` return periods per request, and
the fit runs in the explorer's worker processes, never on the event loop. Bad input is a 4xx
``{"error": ...}``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["router", "extremes_payload", "MAX_N", "MAX_PERIODS", "MAX_PERIOD", "SLIDER_PERIODS",
           "EXAMPLE"]

#: most maxima one request may fit (annual maxima: the longest records are a few hundred years;
#: 5,000 keeps a worst-case request to seconds, see bench/bench_web_extremes.py)
MAX_N = 5_000
#: most return periods one request may ask for
MAX_PERIODS = 50
#: the longest return period accepted (blocks)
MAX_PERIOD = 1e6
#: the periods the page's slider steps through (each level and interval computed by mlekit)
SLIDER_PERIODS = (2, 3, 4, 5, 7, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250, 300, 400,
                  500, 750, 1000)
#: short periods added to the plotted curve only (the curve starts near the data)
_CURVE_EXTRA = (1.1, 1.25, 1.5)
#: the built-in example data set and its column
EXAMPLE = ("portpirie", "sea_level")
_MIN_N = 5


class ExtremesRequest(BaseModel):
    """Annual (block) maxima, given one way: inline ``values``, pasted ``text``, or the
    built-in ``dataset``; and the return periods to report."""

    model_config = ConfigDict(extra="forbid")
    values: list[float | None] | None = Field(
        None, max_length=MAX_N, description=f"the maxima (null = missing); at most {MAX_N:,}")
    text: str | None = Field(None, max_length=400_000, description="pasted numbers (spaces, "
                             "commas, new lines) or CSV text with a header row")
    dataset: Literal["portpirie"] | None = Field(
        None, description="the built-in example: annual maximum sea levels at Port Pirie")
    periods: list[float] | None = Field(
        None, min_length=1, max_length=MAX_PERIODS,
        description=f"return periods T in blocks (1 < T <= {MAX_PERIOD:g}); default: the page's "
                    "slider periods, 2 to 1000")
    level: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")
    curve: bool = Field(True, description="also return the fit, the plot's curve and the data "
                                          "points (false: the return levels only)")


def _bad(message: str, type_: str = "ValidationError") -> Any:
    from ._errors import WebError

    return WebError(422, message, type_)


def _values(req: ExtremesRequest) -> tuple[np.ndarray, str, str]:
    """The maxima, a short name and the Python expression that loads them."""
    given = [k for k in ("values", "text", "dataset") if getattr(req, k) is not None]
    if len(given) != 1:
        raise _bad("give the maxima one way: values (a list of numbers), text (pasted) or "
                   f"dataset ('{EXAMPLE[0]}'); got {' and '.join(given) or 'none'}.")
    if req.dataset is not None:
        import mlekit as mk

        col = mk.datasets.load(req.dataset)[EXAMPLE[1]]
        return (col.to_numpy(dtype=float), req.dataset,
                f"mk.datasets.{req.dataset}()[{EXAMPLE[1]!r}]")
    if req.values is not None:
        x = np.array([math.nan if v is None else v for v in req.values], dtype=float)
        return x, "values", "x"
    from ._datasets import Dataset, column_values, parse_text

    frame = parse_text(req.text or "")
    col = Dataset("paste", "pasted", frame, "paste").info()["suggested_column"]
    if col is None:
        raise _bad("the pasted table has no numeric column: paste the maxima, one number per "
                   "year.", "NonNumeric")
    x = column_values(frame, col)
    if x.size > MAX_N:
        raise _bad(f"the explorer fits at most {MAX_N:,} maxima; got {x.size:,}. Hint: fit "
                   "larger series in Python: mk.fit(x, 'gev').", "TooMany")
    return x, "pasted" if list(frame.columns) == ["x"] else f"pasted column {col!r}", "x"


def _periods(req: ExtremesRequest) -> list[float]:
    if req.periods is None:
        return [float(t) for t in SLIDER_PERIODS]
    Ts = [float(t) for t in req.periods]
    bad = [t for t in Ts if not (math.isfinite(t) and 1 < t <= MAX_PERIOD)]
    if bad:
        raise _bad(f"return periods must be numbers above 1 and at most {MAX_PERIOD:g} (in "
                   f"blocks, e.g. years); got {bad[0]:g}. Hint: T = 100 is the level exceeded "
                   "once in 100 years on average.")
    return Ts


def _fit_table(res: Any, level: float) -> dict[str, Any]:
    from ._compute import _fit_dict

    out = _fit_dict(res, level, "profile")
    keep = ("family", "params", "se", "ci", "ci_level", "ci_method", "ci_note", "loglik", "aic",
            "bic", "n_obs", "converged", "diagnostics")
    return {k: out.get(k) for k in keep}


def extremes_payload(p: dict[str, Any]) -> dict[str, Any]:
    """Runs in a worker process: the GEV fit and its return levels, JSON-ready (errors as
    ``{"error": ...}``, as ``_compute.fit_payload``)."""
    from ._compute import _error, json_safe
    from ._plotdata import empirical_periods, return_levels_json

    try:
        import mlekit as mk

        x = np.asarray(p["values"], dtype=float)
        res = mk.fit(x, "gev", nan_policy="omit")
        level = float(p["level"])
        Ts = list(p["periods"])
        out: dict[str, Any] = {"return_levels": return_levels_json(res, Ts, level)}
        if p.get("curve", True):
            curve_T = sorted(set(Ts) | set(_CURVE_EXTRA))
            out["curve"] = return_levels_json(res, curve_T, level)
            out["fit"] = _fit_table(res, level)
            out["points"] = empirical_periods(x[np.isfinite(x)])
        return json_safe(out)
    except Exception as exc:  # reported to the client, never raised into the server
        return _error(exc)


router = APIRouter(prefix="/api/extremes", tags=["extremes"])


@router.post("/fit", summary="GEV fit to block maxima, with return levels and profile intervals")
async def extremes_fit(req: ExtremesRequest, request: Request) -> JSONResponse:
    """``mk.fit(x, "gev")``: parameters with profile intervals, and ``res.return_level(T)``
    (estimate, delta-method SE, profile interval) at each return period; with ``curve`` also
    the plotted curve and the data at their empirical return periods. The answer's ``python``
    is the code that reproduces the numbers."""
    from fastapi.concurrency import run_in_threadpool

    from ._jobs import await_fit

    x, name, expr = await run_in_threadpool(_values, req)
    finite = x[np.isfinite(x)]
    if finite.size < _MIN_N:
        raise _bad(f"a GEV fit needs at least {_MIN_N} maxima (one per year, say); got "
                   f"{finite.size}. Hint: paste one number per block, or load the example.",
                   "TooFew")
    Ts = _periods(req)
    payload = {"values": x.tolist(), "periods": Ts, "level": req.level, "curve": req.curve}
    out = await await_fit(request.app.state.workers, extremes_payload, payload)
    T_show = Ts[len(Ts) // 2] if req.periods is not None else 100
    load = "x = ...  # your maxima" if expr == "x" else f"x = {expr}"
    out["data"] = {"name": name, "n": int(finite.size), "n_dropped": int(x.size - finite.size)}
    if name == EXAMPLE[0]:
        import mlekit as mk

        out["data"]["title"] = mk.datasets.describe(name)["title"]
    out["python"] = (f"import mlekit as mk\n{load}\nres = mk.fit(x, \"gev\")\n"
                     f"res.return_level({T_show:g}, level={req.level:g})   # profile interval")
    return JSONResponse(out)
