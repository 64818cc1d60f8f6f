"""The explorer's computations, run in worker processes (never on the server's event loop).

Everything statistical is mlekit's public API: ``mk.fit``, ``FitResult.summary`` (with
profile intervals), ``mk.compare`` and ``mk.gof``. This module turns request payloads (plain
dicts of arrays and options) into JSON-ready dicts, and reports errors as
``{"error": {"type", "message"}}`` so the server can answer with a 4xx.
"""

from __future__ import annotations

import contextlib
import math
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import mlekit as mk

from .._api.words import for_web
from .._data.data import Data
from .._fit.result import FitResult
from ..errors import MlekitError
from ._plotdata import plot_data

__all__ = ["build_data", "fit_payload", "compare_payload", "job_main", "worker_init",
           "json_safe", "CI_CHOICES"]

Progress = Callable[[str, int, int], None]
CI_CHOICES = ("wald", "wald-log", "profile")


def worker_init() -> None:
    """Worker processes report problems through result diagnostics, not Python warnings.
    They ignore Ctrl+C: the terminal sends it to the whole process group, and the server
    (not each worker, with a traceback) shuts them down."""
    import signal

    with contextlib.suppress(ValueError, OSError):   # ValueError: not the main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")


def json_safe(obj: Any) -> Any:
    """Replace NaN by ``None`` and ±inf by ``"inf"``/``"-inf"`` (the convention of
    ``FitResult.to_dict``), recursively; NumPy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_safe(v) for v in obj.tolist()]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return obj


def _floats(values: Any) -> Any:
    return np.asarray([math.nan if v is None else v for v in values], dtype=float) \
        if isinstance(values, list) else np.asarray(values, dtype=float)


def build_data(values: Any, observed: Any = None, censoring: str = "right",
               nan_policy: str = "omit", upper: Any = None, weights: Any = None) -> Data:
    """``mk.Data`` from a value array and an optional ``observed`` mask (True = exact), or
    interval-censored rows (``values`` the lower bounds, ``upper`` the upper ones; a missing
    bound is unbounded), with optional frequency ``weights``."""
    x = _floats(values)
    w = None if weights is None else _floats(weights)
    if w is not None and w.shape != x.shape:
        raise mk.DataError(f"weights must have one entry per value ({x.size}); got {w.size}.")
    if upper is not None:
        if observed is not None:
            raise mk.DataError("give a censoring column or upper bounds, not both.")
        u = _floats(upper)
        if u.shape != x.shape:
            raise mk.DataError(f"upper bounds must have one entry per value ({x.size}); "
                               f"got {u.size}.")
        lo = np.where(np.isnan(x) & ~np.isnan(u), -math.inf, x)
        hi = np.where(np.isnan(u) & ~np.isnan(x), math.inf, u)
        return Data.interval(lo, hi, weights=w, nan_policy=nan_policy)
    if observed is None:
        return Data(x, weights=w, nan_policy=nan_policy)
    obs = np.asarray(observed, dtype=float) if not isinstance(observed, list) else \
        np.asarray([math.nan if v is None else float(v) for v in observed], dtype=float)
    if obs.shape != x.shape:
        raise mk.DataError(f"observed must have one entry per value ({x.size}); got {obs.size}.")
    missing = np.isnan(obs)
    if missing.any():
        # a row whose censoring status is unknown is a missing row
        x = np.where(missing, math.nan, x)
        obs = np.where(missing, 1.0, obs)
    return Data(x, observed=obs, censoring=censoring, weights=w, nan_policy=nan_policy)


def _data_info(data: Data) -> dict[str, Any]:
    return {"n_obs": data.n_obs, "n_rows": data.n_rows, "n_dropped": int(data.n_dropped),
            "n_exact": data.count("exact"), "n_left": data.count("left"),
            "n_right": data.count("right"), "n_interval": data.count("interval")}


def _fit_dict(res: FitResult, level: float, ci: str) -> dict[str, Any]:
    """``res.to_dict`` with intervals by ``ci``; a note says when that failed and Wald was
    shown instead."""
    note = None
    if res.method == "degenerate":
        out = res.to_dict(level=level)
    else:
        try:
            out = res.summary(level=level, ci=ci).to_dict()
        except (MlekitError, ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
            out = res.summary(level=level, ci="wald").to_dict()
            note = f"{ci} intervals failed ({exc}); showing Wald intervals."
    out["ci_note"] = note
    for d in out.get("diagnostics", ()):   # the page's words, not Python keywords
        if ci == "profile" and "ci(method='profile')" in d["message"]:
            d["message"] = d["message"].split(": Wald")[0] + " (profile intervals shown)"
        d["message"] = for_web(d["message"])
    return out


def _gof(res: FitResult, n_boot: int, rng: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``mk.gof`` as a JSON-ready dict (and a note when it could not run)."""
    if res.method == "degenerate" or res.likelihood is None:
        return None, "goodness of fit is not defined for this fit"
    from .._api.gof import gof

    try:
        g = gof(res, n_boot=n_boot, rng=rng, quiet=True)
    except MlekitError as exc:
        return None, f"gof failed: {exc}"
    return {k: {"statistic": float(t.statistic), "p_value": float(t.p_value), "name": t.name}
            for k, t in g.items()}, None


def _error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, MlekitError):
        return {"error": {"type": type(exc).__name__, "message": str(exc)}}
    return {"error": {"type": "InternalError",
                      "message": f"{type(exc).__name__}: {exc}",
                      "trace": traceback.format_exc(limit=6)}}


def fit_payload(p: dict[str, Any]) -> dict[str, Any]:
    """One family on one data set (the ``POST /api/fit`` endpoint)."""
    try:
        data = build_data(p["values"], p.get("observed"), p.get("censoring", "right"),
                          p.get("nan_policy", "omit"))
        res = mk.fit(data, p["family"])
        out: dict[str, Any] = {"data": _data_info(data),
                               "fit": _fit_dict(res, p.get("level", 0.95), p.get("ci", "wald"))}
        if p.get("gof"):
            out["gof"], out["gof_note"] = _gof(res, p.get("n_boot", 99), p.get("seed", 0))
        if p.get("plots"):
            out["plots"] = plot_data(res, data, p.get("level", 0.95))
        return json_safe(out)
    except Exception as exc:  # reported to the client, never raised into the server
        return _error(exc)


def _table_rows(cmp: Any) -> list[dict[str, Any]]:
    rows = []
    for fam, rec in cmp.table.iterrows():
        row = {"family": str(fam), **{k: (v.item() if hasattr(v, "item") else v)
                                      for k, v in rec.items()}}
        row["error"] = None
        rows.append(row)
    for fam, why in cmp.failed.items():
        rows.append({"family": fam, "error": why, "converged": False})
    return rows


def compare_payload(p: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Several families on one data set (the ``POST /api/jobs`` endpoint): ``mk.compare``
    ranks them; then, family by family, ``mk.gof`` p-values (the Anderson–Darling one in the
    table, as ``mk.compare(..., gof=True)`` gives with the same seed), intervals by ``ci`` and
    the plot data. ``progress(stage, done, total)`` is called between steps."""
    level = p.get("level", 0.95)
    ci = p.get("ci", "profile")
    data = build_data(p["values"], p.get("observed"), p.get("censoring", "right"),
                      p.get("nan_policy", "omit"), p.get("upper"), p.get("weights"))
    spec = p.get("families", "all")
    progress("fitting and ranking the families", 0, 0)
    from .._api.compare import compare

    cmp = compare(data, spec, gof=False, quiet=True)
    if not cmp.fits:
        why = "; ".join(f"{k}: {v}" for k, v in {**cmp.failed, **cmp.skipped}.items())
        raise mk.DataError(f"no family could be fitted to these data: {why or 'none to try'}")
    want_gof = p.get("gof")
    auto_gof = want_gof is None
    if auto_gof:  # as mk.compare: only where it is cheap
        want_gof = data.n_obs <= 1000
    order = [f for f in cmp.table.index if f in cmp.fits]
    # as mk.compare(gof=None): with many candidates, the best fit's GOF only
    gof_order = order[:1] if auto_gof and len(order) > 6 else order
    total = 1 + len(order) + (len(gof_order) if want_gof else 0)
    done = 1
    rows = _table_rows(cmp)
    by_name = {r["family"]: r for r in rows}
    details: dict[str, Any] = {}
    seed = int(p.get("seed", 0))   # every family from this seed, as mk.compare and the CLI
    if want_gof:
        for fam in gof_order:
            progress(f"goodness of fit: {fam} ({p.get('n_boot', 99)} bootstrap refits)", done, total)
            done += 1
            g, note = _gof(cmp.fits[fam], p.get("n_boot", 99), seed)
            details[fam] = {"gof": g, "gof_note": note}
            by_name[fam]["gof_p"] = g["ad"]["p_value"] if g else None
    for fam in order:
        progress(f"{ci} intervals and plots: {fam}", done, total)
        done += 1
        res = cmp.fits[fam]
        d = details.setdefault(fam, {"gof": None, "gof_note": None})
        d["fit"] = _fit_dict(res, level, ci)
        d["plots"] = plot_data(res, data, level)
    progress("done", total, total)
    notes = []
    if spec == "all" and cmp.fits and all(f.dist.discrete for f in cmp.fits.values()):
        notes.append("Every value is a whole number, so 'all' means the count families (a "
                     "probability and a density cannot be compared by AIC).")
    if not want_gof:
        notes.append("Goodness-of-fit p-values were not computed (by default only for up to "
                     "1,000 observations; tick 'goodness of fit' to compute them).")
    elif len(gof_order) < len(order):
        notes.append(f"Goodness of fit was computed for the chosen fit only ({len(order)} "
                     "families were ranked); tick 'goodness of fit' for all of them.")
    best = cmp.best.family if cmp.fits else None
    return json_safe({"data": _data_info(data), "table": rows, "best": best, "fits": details,
                      "skipped": [{"family": k, "reason": v} for k, v in cmp.skipped.items()],
                      "criterion": cmp.criterion, "level": level, "ci": ci,
                      "gof": bool(want_gof), "n_boot": p.get("n_boot", 99), "seed": p.get("seed", 0),
                      "notes": notes})


def job_main(conn: Any, payload: dict[str, Any]) -> None:
    """Entry point of a job process: messages ``("progress", stage, done, total)``, then one
    ``("result", dict)`` or ``("error", dict)``."""
    worker_init()

    def progress(stage: str, done: int, total: int) -> None:
        conn.send(("progress", stage, done, total))

    try:
        out = compare_payload(payload, progress)
        conn.send(("result", out))
    except Exception as exc:
        conn.send(("error", _error(exc)["error"]))
    finally:
        conn.close()
