"""Firth (Jeffreys-penalised) GLMs against R's brglm2 (``type = "AS_mean"``, equal to Firth's
penalised likelihood for canonical links): ``tests/reference/round2`` cases ``firth_*``.
Coefficients and standard errors (inverse expected information at the penalised estimate) to
1e-6; plain and penalised log-likelihoods to 1e-8."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mlekit as mk

HERE = Path(__file__).parent / "reference" / "round2"
CASES = {c["id"]: c for c in json.loads((HERE / "round2.json").read_text())["cases"]
         if c["id"].startswith("firth_")}


def _data(case: dict) -> pd.DataFrame:
    return pd.read_csv(HERE / case["data_file"])


def _r_name(name: str) -> str:
    return "Intercept" if name == "(Intercept)" else name


def _check(res: mk.FitResult, case: dict) -> None:
    for name in case["param_names"]:
        ours = _r_name(name)
        assert res.params[ours] == pytest.approx(case["estimates"][name], rel=1e-6, abs=1e-6)
        assert res.se[ours] == pytest.approx(case["se"][name], rel=1e-6)
    assert res.loglik == pytest.approx(case["plain_loglik"], abs=1e-8)
    assert res.penalised_loglik == pytest.approx(case["loglik"], abs=1e-8)
    assert res.method == "penalised (firth)"


def test_cases_present() -> None:
    assert set(CASES) == {"firth_endometrial_logit", "firth_poisson_groups",
                          "firth_poisson_covariate", "firth_binomial_intercept_3_of_20",
                          "firth_binomial_intercept_0_of_10"}


def test_endometrial_logistic_firth() -> None:
    case = CASES["firth_endometrial_logit"]
    fr = mk.regress("HG ~ NV + PI + EH", data=_data(case), family="bernoulli", penalty="firth")
    _check(fr, case)
    assert fr.converged and not fr.warnings
    # Heinze & Schemper (2002), Table: 3.775, 2.929, -0.0348, -2.604
    assert [round(fr.params[p], 3) for p in ("Intercept", "NV", "EH")] == [3.775, 2.929, -2.604]


def test_endometrial_separation_message_names_firth() -> None:
    case = CASES["firth_endometrial_logit"]
    with pytest.warns(mk.NumericalWarning, match="penalty='firth'"):
        mk.regress("HG ~ NV + PI + EH", data=_data(case), family="bernoulli")


def test_endometrial_penalised_profile_intervals() -> None:
    """Penalised-likelihood-ratio intervals (logistf's): finite for the separating NV, and each
    end point on the cutoff of the penalised profile."""
    case = CASES["firth_endometrial_logit"]
    fr = mk.regress("HG ~ NV + PI + EH", data=_data(case), family="bernoulli", penalty="firth")
    ci = fr.ci(method="profile")
    lo, hi = ci["NV"]
    assert math.isfinite(lo) and math.isfinite(hi) and lo < fr.params["NV"] < hi
    # logistf (Heinze & Schemper 2002) reports NV: 0.609 .. 7.855
    assert lo == pytest.approx(0.609, abs=2e-3) and hi == pytest.approx(7.855, abs=2e-3)
    prof = fr.profile("NV", n=5, bounds=(lo, hi))
    assert prof.deviance[0] == pytest.approx(3.841459, abs=1e-4)
    assert prof.deviance[-1] == pytest.approx(3.841459, abs=1e-4)


@pytest.mark.parametrize("cid,formula", [("firth_poisson_groups", "y ~ gA + gC"),
                                         ("firth_poisson_covariate", "y ~ gA + gC + x")])
def test_poisson_firth(cid: str, formula: str) -> None:
    case = CASES[cid]
    fr = mk.regress(formula, data=_data(case), family="poisson", penalty="firth")
    _check(fr, case)


def test_poisson_firth_group_means_closed_form() -> None:
    df = _data(CASES["firth_poisson_groups"])
    fr = mk.regress("y ~ gA + gC", data=df, family="poisson", penalty="firth")
    for g, eta in (("A", fr.params["Intercept"] + fr.params["gA"]),
                   ("B", fr.params["Intercept"]), ("C", fr.params["Intercept"] + fr.params["gC"])):
        y = df.y[df.g == g]
        assert math.exp(eta) == pytest.approx((y.sum() + 0.5) / y.size, rel=1e-9)
        # the same number from the Poisson family's Firth closed form
        res = mk.fit(y.to_numpy(), "poisson", penalty="firth")
        assert res.params["rate"] == (y.sum() + 0.5) / y.size
        assert res.method == "penalised (firth)"


@pytest.mark.parametrize("cid", ["firth_binomial_intercept_3_of_20",
                                 "firth_binomial_intercept_0_of_10"])
def test_binomial_intercept_closed_form(cid: str) -> None:
    case = CASES[cid]
    row = _data(case).iloc[case["row"] - 1]
    y, n = float(row.successes), float(row.trials)
    res = mk.fit(mk.Data([y], trials=[n]), "binomial", penalty="firth")
    p = res.params["p"]
    assert p == (y + 0.5) / (n + 1.0)        # exactly the closed form
    icpt = math.log(p / (1.0 - p))
    assert icpt == pytest.approx(case["estimates"]["(Intercept)"], abs=1e-12)
    # SE of the intercept (logit scale) from the expected information: se_p / (p (1 - p))
    assert res.se["p"] / (p * (1 - p)) == pytest.approx(case["se"]["(Intercept)"], rel=1e-9)
    assert res.loglik == pytest.approx(case["plain_loglik"], abs=1e-10)
    assert res.penalised_loglik == pytest.approx(case["loglik"], abs=1e-10)
    # Newton on the penalised likelihood reaches the same point
    it = mk.fit(mk.Data([y], trials=[n]), "binomial", penalty="firth", method="newton")
    assert it.params["p"] == pytest.approx(p, rel=1e-6)


def test_bernoulli_firth_closed_form_and_weights() -> None:
    flips = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    res = mk.fit(flips, "bernoulli", penalty="firth")
    assert res.params["p"] == (2 + 0.5) / (10 + 1)
    w = mk.fit(mk.Data([1.0, 0.0], weights=[2, 8]), "bernoulli", penalty="firth")
    assert w.params["p"] == res.params["p"]
    none = mk.fit(np.zeros(10), "bernoulli", penalty="firth")   # finite where the MLE is 0
    assert none.params["p"] == 0.5 / 11 and math.isfinite(none.se["p"]) and not none.warnings
