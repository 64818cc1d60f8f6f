"""The explorer's computations, run in worker processes (never on the server's event loop).

Everything statistical is mlekit's public API: ``mk.fit``, ``FitResult.to_dict`` /
``summary``, ``mk.compare`` and ``mk.gof``. This module turns request payloads (plain
dicts of arrays and options) into JSON-ready dicts, and reports errors as
``{"error": {"type", "message"}}`` so the server can answer with a 4xx.
"""

from __future__ import annotations

import math
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import mlekit as mk

from .._data import Data
from .._result import FitResult
from ..errors import MlekitError
from ._plotdata import plot_data

__all__ = ["build_data", "fit_payload", "compare_payload", "job_main", "worker_init",
           "json_safe", "CI_CHOICES"]

Progress = Callable[[str, int, int], None]
CI_CHOICES = ("wald", "wald-log", "profile")


def worker_init() -> None:
    """Worker processes report problems through result diagnostics, not Python warnings."""
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


def build_data(values: Any, observed: Any = None, censoring: str = "right",
               nan_policy: str = "omit") -> Data:
    """``mk.Data`` from a value array and an optional ``observed`` mask (True = exact)."""
    x = np.asarray([math.nan if v is None else v for v in values], dtype=float) \
        if isinstance(values, list) else np.asarray(values, dtype=float)
    if observed is None:
        return Data(x, nan_policy=nan_policy)
    obs = np.asarray(observed, dtype=float) if not isinstance(observed, list) else \
        np.asarray([math.nan if v is None else float(v) for v in observed], dtype=float)
    if obs.shape != x.shape:
        raise mk.DataError(f"observed must have one entry per value ({x.size}); got {obs.size}.")
    missing = np.isnan(obs)
    if missing.any():
        # a row whose censoring status is unknown is a missing row
        x = np.where(missing, math.nan, x)
        obs = np.where(missing, 1.0, obs)
    return Data(x, observed=obs, censoring=censoring, nan_policy=nan_policy)


def _data_info(data: Data) -> dict[str, Any]:
    return {"n_obs": data.n_obs, "n_rows": data.n_rows, "n_dropped": int(data.n_dropped),
            "n_exact": data.count("exact"), "n_left": data.count("left"),
            "n_right": data.count("right")}


def _available(name: str) -> bool:
    """Whether an optional part of mlekit (e.g. ``compare``, ``gof``) is present."""
    try:
        getattr(mk, name)
    except (AttributeError, ImportError):
        return False
    return True


def _fit_dict(res: FitResult, level: float, ci: str) -> dict[str, Any]:
    """``res.to_dict`` with intervals by ``ci``; a note says when it fell back to Wald."""
    note = None
    if res.method == "degenerate":
        out = res.to_dict(level=level)
    else:
        try:
            out = res.summary(level=level, ci=ci).to_dict()
        except ImportError:
            out = res.summary(level=level, ci="wald").to_dict()
            note = f"{ci} intervals are not available in this mlekit build; showing Wald intervals."
        except (MlekitError, ArithmeticError, ValueError) as exc:
            out = res.summary(level=level, ci="wald").to_dict()
            note = f"{ci} intervals failed ({exc}); showing Wald intervals."
    out["ci_note"] = note
    return out


def _gof(res: FitResult) -> dict[str, Any] | None:
    if not _available("gof") or res.method == "degenerate":
        return None
    g = mk.gof(res)
    return {k: {"statistic": float(v.statistic), "p_value": float(v.p_value)} for k, v in g.items()}


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
            out["gof"] = _gof(res)
        if p.get("plots"):
            out["plots"] = plot_data(res, data)
        return json_safe(out)
    except Exception as exc:  # reported to the client, never raised into the server
        return _error(exc)


def _resolve_families(spec: Any, data: Data) -> tuple[list[str], list[dict[str, str]]]:
    """Family keys to try, and those skipped because the data lie outside their support."""
    from .._families._base import get_family, registry

    if spec == "all":
        names = sorted(registry)
    else:
        names = []
        for s in spec:
            key = get_family(s).name  # raises FamilyError for an unknown name
            if key not in names:
                names.append(key)
    keep, skipped = [], []
    for key in names:
        fam = get_family(key)
        try:
            fam._check_data(data, {})
        except MlekitError as exc:
            if spec == "all":
                skipped.append({"family": key, "reason": str(exc)})
                continue
            raise
        if spec == "all" and key == "binomial" and not data.has_trials:
            skipped.append({"family": key, "reason": "binomial needs the number of trials per row"})
            continue
        keep.append(key)
    return keep, skipped


def _row(res: FitResult) -> dict[str, Any]:
    return {"family": res.family, "k": res.n_params, "loglik": res.loglik, "aic": res.aic,
            "aicc": res.aicc, "bic": res.bic, "converged": bool(res.converged),
            "flags": [d.code for d in res.diagnostics if d.severity == "warning"], "error": None}


def compare_payload(p: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Several families on one data set, with details and plots for every successful fit
    (the ``POST /api/jobs`` endpoint). ``progress(stage, done, total)`` is called between
    steps."""
    level = p.get("level", 0.95)
    ci = p.get("ci", "profile")
    data = build_data(p["values"], p.get("observed"), p.get("censoring", "right"),
                      p.get("nan_policy", "omit"))
    families, skipped = _resolve_families(p.get("families", "all"), data)
    if not families:
        raise mk.DataError("no family fits these data's support; got none left to try. "
                           "Hint: check the column and its censoring.")
    want_gof = bool(p.get("gof", True))
    total = 2 * len(families)
    fits: dict[str, FitResult] = {}
    rows: list[dict[str, Any]] = []
    for i, fam in enumerate(families):
        progress(f"fitting {fam}", i, total)
        try:
            res = mk.fit(data, fam)
        except MlekitError as exc:
            rows.append({"family": fam, "error": str(exc), "converged": False})
            continue
        fits[fam] = res
        rows.append(_row(res))
    ok = [r for r in rows if r.get("error") is None and math.isfinite(r["aic"])]
    if ok:
        best_aic = min(r["aic"] for r in ok)
        wsum = sum(math.exp(-(r["aic"] - best_aic) / 2) for r in ok)
        for r in ok:
            r["delta_aic"] = r["aic"] - best_aic
            r["weight"] = math.exp(-(r["aic"] - best_aic) / 2) / wsum
    rows.sort(key=lambda r: (r.get("error") is not None,
                             r.get("aic") if r.get("aic") is not None and
                             math.isfinite(r.get("aic", math.inf)) else math.inf))
    details: dict[str, Any] = {}
    gof_note = None if _available("gof") or not want_gof else \
        "goodness-of-fit tests are not available in this mlekit build."
    done = len(families)
    for fam, res in fits.items():
        progress(f"intervals, GOF and plots for {fam}", done, total)
        done += 1
        d: dict[str, Any] = {"fit": _fit_dict(res, level, ci), "plots": plot_data(res, data)}
        d["gof"] = _gof(res) if want_gof else None
        details[fam] = d
        row = next(r for r in rows if r["family"] == fam)
        row["gof_p"] = _gof_p(d["gof"])
    progress("done", total, total)
    best = (ok and min(ok, key=lambda r: r["aic"])["family"]) or None
    return json_safe({"data": _data_info(data), "table": rows, "best": best, "fits": details,
                      "skipped": skipped, "level": level, "ci": ci, "gof_note": gof_note})


def _gof_p(g: dict[str, Any] | None) -> float | None:
    if not g:
        return None
    for key in ("ad", "ks", "cvm", "chi2"):
        if key in g:
            return g[key]["p_value"]
    return None


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
