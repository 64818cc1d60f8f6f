"""The catalogue families against R (VGAM / actuar densities fitted by fitdistrplus, polished
by optim): tests/reference/catalog.json, made by tests/reference/make_catalog.R."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mlekit as mk

from .scipy_ref import _prentice

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "catalog.json")
                 .read_text(encoding="utf-8"))["cases"]


def _to_mlekit(family: str, e: dict[str, float]) -> dict[str, float]:
    if family == "burr12":
        return {"c": e["shape2"], "d": e["shape1"], "scale": e["scale"]}
    if family == "birnbaum_saunders":
        return {"shape": e["shape"], "scale": e["scale"]}
    if family == "gengamma":
        return _prentice(e["k"], e["d"], 0.0, e["scale"])
    if family == "gompertz":
        return {"shape": e["scale"], "rate": e["shape"]}
    if family == "skew_normal":
        return {"loc": e["location"], "scale": e["scale"], "alpha": e["shape"]}
    if family == "zt_poisson":
        return {"rate": e["lambda"]}
    if family == "logseries":
        return {"p": e["prob"]}
    if family == "beta_binomial":
        return {"a": e["shape1"], "b": e["shape2"]}
    raise KeyError(family)


def _family(name: str) -> Any:
    return mk.BetaBinomial(n=12) if name == "beta_binomial" else mk.get_family(name)


@pytest.mark.parametrize("cid", sorted(REF))
def test_catalogue_matches_r(cid: str) -> None:
    case = REF[cid]
    x = np.asarray(case["values"], dtype=float)
    fam = _family(case["family"])
    r_params = _to_mlekit(case["family"], case["estimate"])
    # the same density: mlekit's log-likelihood at R's estimate is R's
    ll_at_r = float(np.sum(fam.with_params(**r_params).logpdf(x)))
    assert math.isclose(ll_at_r, case["loglik"], rel_tol=1e-9, abs_tol=1e-8)
    res = mk.fit(x, fam)
    assert res.converged
    assert res.loglik >= case["loglik"] - 1e-7 * abs(case["loglik"])
    assert res.loglik >= case["package_loglik"] - 1e-9 * abs(case["loglik"])
    for p, v in r_params.items():
        assert abs(res.params[p] - v) <= 1e-3 * max(abs(v), res.se[p]), p
