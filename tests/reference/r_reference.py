"""Read the R reference fits: ``reference.json`` and the data files next to it.

Usage from a test (``tests/`` is not a package)::

    sys.path.insert(0, str(Path(__file__).parent / "reference"))
    from r_reference import CASES, BY_ID, make_data

    case = BY_ID["lung_weibull"]
    res = mk.fit(make_data(case), case["family"], fixed=case["fixed"] or None)
    case["params"], case["loglik"], case["se"], case["profile"]["ci"]

See README.md in this folder for the fields and conventions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

import mlekit as mk

REF_DIR = Path(__file__).resolve().parent
REF: dict[str, Any] = json.loads((REF_DIR / "reference.json").read_text())
CASES: list[dict[str, Any]] = REF["cases"]
BY_ID: dict[str, dict[str, Any]] = {c["id"]: c for c in CASES}

_COLUMNS: dict[str, dict[str, np.ndarray]] = {}


def columns(dataset: str) -> dict[str, np.ndarray]:
    """The columns of a dataset's CSV file as float arrays (``NA`` read as NaN)."""
    if dataset not in _COLUMNS:
        meta = REF["datasets"][dataset]
        path = REF_DIR / meta["file"]
        header = path.read_text().splitlines()[0].split(",")
        if header != meta["columns"]:
            raise AssertionError(f"{path}: header {header} != {meta['columns']}")
        arr = np.genfromtxt(path, delimiter=",", skip_header=1, missing_values="NA",
                            filling_values=np.nan, ndmin=2)
        if arr.shape != (meta["n_rows"], len(header)):
            raise AssertionError(f"{path}: shape {arr.shape}, expected {(meta['n_rows'], len(header))}")
        _COLUMNS[dataset] = {h: arr[:, i] for i, h in enumerate(header)}
    return {k: v.copy() for k, v in _COLUMNS[dataset].items()}


def make_data(case: dict[str, Any]) -> mk.Data:
    """A case's data as ``mk.Data``: exact values (``x``), fitdistcens-style ``left, right``
    (NaN = open end), optional ``weight`` (frequency weights), binomial ``successes, trials``,
    and the case's ``truncation`` (``null`` = unbounded)."""
    meta = REF["datasets"][case["dataset"]]
    col = columns(case["dataset"])
    w = col.get("weight")
    kw: dict[str, Any] = {}
    if case.get("truncation") is not None:
        kw["truncation"] = tuple(None if t is None else float(t) for t in case["truncation"])
    kind = meta["kind"]
    if kind in ("exact", "exact-weighted"):
        return mk.Data(col["x"], weights=w, **kw)
    if kind in ("interval", "interval-weighted"):
        return mk.Data.interval(col["left"], col["right"], weights=w, **kw)
    if kind == "binomial":
        return mk.Data(col["successes"], trials=col["trials"], **kw)
    raise AssertionError(f"unknown dataset kind {kind!r}")
