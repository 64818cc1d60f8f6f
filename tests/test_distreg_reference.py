"""Distributional regression against R (tests/reference/round2, see its README.md).

pscl zeroinfl/hurdle on bioChemists, VGAM vglm with covariates on scale/shape, survreg with
interval-censored responses. Estimates to 1e-6 (relative), SEs to 1e-4, logliks to 1e-6·n.
Parameterisations (README): pscl's ``zero_*`` is the logit of the excess-zero probability for
zeroinfl (our ``zero_prob``), but the logit of q = P(Y > 0) for hurdle (our zero_prob = 1 - q);
negbin ``Log(theta)`` is the log of our ``size``; VGAM ``term:1``/``term:2`` are log scale and
log shape (weibullR) or mean and log sd (uninormal); survreg's ``Log(scale)`` is the log of the
lognormal sigma, or minus the log of the Weibull shape.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mlekit as mk

pytest.importorskip("formulaic")

HERE = Path(__file__).parent / "reference" / "round2"
with open(HERE / "round2.json") as fh:
    CASES = {c["id"]: c for c in json.load(fh)["cases"]}
COUNT = "art ~ fem + mar + kid5 + phd + ment"


def _data(case: dict[str, Any]) -> pd.DataFrame:
    return pd.read_csv(HERE / case["data_file"])


def _expit(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def _check(res: mk.FitResult, case: dict[str, Any], mapping: dict[str, tuple[str, Any, Any]]
           ) -> None:
    """mapping: our name -> (R name, value transform, d transform / d R value)."""
    est, se = case["estimates"], case["se"]
    for ours, (theirs, f, df) in mapping.items():
        assert res.params[ours] == pytest.approx(f(est[theirs]), rel=1e-6, abs=1e-9), ours
        assert res.se[ours] == pytest.approx(abs(df(est[theirs])) * se[theirs], rel=1e-4), ours
    assert res.loglik == pytest.approx(case["loglik"], abs=1e-6 * case["n"])
    assert res.converged


def _same(name: str) -> tuple[str, Any, Any]:
    return name, (lambda v: v), (lambda v: 1.0)


def _count_map(prefix: str = "count_") -> dict[str, tuple[str, Any, Any]]:
    out = {"Intercept": _same(f"{prefix}(Intercept)")}
    for c in ("fem", "mar", "kid5", "phd", "ment"):
        out[c] = _same(prefix + c)
    return out


LOGIT_P = (lambda v: _expit(v), lambda v: _expit(v) * (1 - _expit(v)))
LOGIT_1MP = (lambda v: 1 - _expit(v), lambda v: -_expit(v) * (1 - _expit(v)))
EXP = (math.exp, math.exp)


def test_zip_constant_zero_prob() -> None:
    case = CASES["zip_bioChemists_const"]
    res = mk.regress(COUNT, _data(case), mk.ZeroInflated("poisson"))
    _check(res, case, {**_count_map(), "zero_prob": ("zero_(Intercept)", *LOGIT_P)})


@pytest.mark.parametrize("cid,zero", [("zip_bioChemists_ment", "~ ment"),
                                      ("zip_bioChemists_full", "~ fem + mar + kid5 + phd + ment")])
def test_zip_zero_prob_with_covariates(cid: str, zero: str) -> None:
    case = CASES[cid]
    res = mk.regress(COUNT, _data(case), mk.ZeroInflated("poisson"), formulas={"zero_prob": zero})
    mapping = _count_map()
    for term in case["param_names"]:
        if term.startswith("zero_"):
            t = term[5:].replace("(Intercept)", "Intercept")
            mapping[f"zero_prob:{t}"] = _same(term)
    _check(res, case, mapping)


def test_zinb_zero_prob_with_covariate() -> None:
    case = CASES["zinb_bioChemists_ment"]
    res = mk.regress(COUNT, _data(case), mk.ZeroInflated("negative_binomial"),
                     formulas={"zero_prob": "~ ment"})
    _check(res, case, {**_count_map(), "zero_prob:Intercept": _same("zero_(Intercept)"),
                       "zero_prob:ment": _same("zero_ment"), "size": ("Log(theta)", *EXP)})


def test_zinb_boundary_is_reported_and_tested_against_the_boundary_null() -> None:
    """pscl's `| 1` ZINB has its supremum at zero_prob = 0: the plain NB regression."""
    case = CASES["zinb_bioChemists_const"]
    d = _data(case)
    with pytest.warns(mk.BoundaryWarning, match="zero_prob"):
        res = mk.regress(COUNT, d, mk.ZeroInflated("negative_binomial"))
    assert "zero_prob" in res.on_boundary and res.params["zero_prob"] < 1e-6
    assert res.loglik == pytest.approx(case["loglik"], abs=1e-6 * case["n"])
    nb = mk.regress(COUNT, d, "negative_binomial")
    for c in ("Intercept", "fem", "mar", "kid5", "phd", "ment"):
        assert nb.params[c] == pytest.approx(case["estimates"]["count_" + c.replace(
            "Intercept", "(Intercept)")], rel=1e-6)
        assert res.params[c] == pytest.approx(nb.params[c], rel=1e-4, abs=1e-6)
    t = mk.lr_test(nb, res)
    assert t.boundary and t.df == 1 and t.p_value == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("cid,base,extra", [
    ("hurdle_poisson_bioChemists", "poisson", {}),
    ("hurdle_negbin_bioChemists", "negative_binomial", {"size": ("Log(theta)", *EXP)}),
])
def test_hurdle(cid: str, base: str, extra: dict[str, Any]) -> None:
    case = CASES[cid]
    res = mk.regress(COUNT, _data(case), mk.Hurdle(base))
    _check(res, case, {**_count_map(), "zero_prob": ("zero_(Intercept)", *LOGIT_1MP), **extra})


def test_vglm_weibull_covariates_on_scale_and_shape() -> None:
    case = CASES["vglm_weibullR_scale_shape"]
    res = mk.regress("y ~ x + batch", _data(case), "weibull", formulas={"shape": "~ x + batch"})
    assert list(res.params) == ["Intercept", "x", "batch", "shape:Intercept", "shape:x",
                                "shape:batch"]
    _check(res, case, {"Intercept": _same("(Intercept):1"), "x": _same("x:1"),
                       "batch": _same("batch:1"), "shape:Intercept": _same("(Intercept):2"),
                       "shape:x": _same("x:2"), "shape:batch": _same("batch:2")})


def test_vglm_normal_log_sd() -> None:
    case = CASES["vglm_uninormal_logsd"]
    res = mk.regress("y ~ x", _data(case), "normal", formulas={"sigma": "~ x"})
    _check(res, case, {"Intercept": _same("(Intercept):1"), "x": _same("x:1"),
                       "sigma:Intercept": _same("(Intercept):2"), "sigma:x": _same("x:2")})


@pytest.mark.parametrize("cid,family", [("survreg_interval_lognormal", "lognormal"),
                                        ("survreg_interval_weibull", "weibull")])
def test_survreg_interval_censored(cid: str, family: str) -> None:
    case = CASES[cid]
    d = _data(case)
    res = mk.regress("t ~ x", d, family, lower="lo", upper="hi")
    extra: tuple[str, Any, Any]
    if family == "lognormal":
        extra = ("sigma", math.exp, math.exp)
    else:
        extra = ("shape", lambda v: math.exp(-v), lambda v: -math.exp(-v))
    _check(res, case, {"Intercept": _same("(Intercept)"), "x": _same("x"),
                       extra[0]: ("Log(scale)", extra[1], extra[2])})
    assert res.options["response"] == "t"
    assert np.isnan(d.lo).any() and np.isnan(d.hi).any()   # left- and right-censored rows too


def test_late_entry_weibull_aft() -> None:
    """Own-likelihood reference: sum log f / log S minus sum log S(entry) (README D4)."""
    case = CASES["weibull_aft_late_entry"]
    d = _data(case)
    res = mk.regress("time ~ x", d, "weibull", observed="status", entry="entry")
    _check(res, case, {"Intercept": _same("(Intercept)"), "x": _same("x"),
                       "shape": ("Log(scale)", lambda v: math.exp(-v), lambda v: -math.exp(-v))})
    ign = mk.regress("time ~ x", d, "weibull", observed="status")
    assert ign.loglik == pytest.approx(case["ignoring_entry"]["loglik"], abs=1e-6 * case["n"])
    with pytest.raises(mk.DataError, match="entry must not exceed"):
        mk.regress("time ~ x", d.assign(entry=d.time + 1), "weibull", observed="status",
                   entry="entry")
