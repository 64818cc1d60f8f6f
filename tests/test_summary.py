"""Golden renderings of a fit summary (text, HTML, dict)."""

from __future__ import annotations

import json
import math

import numpy as np

import mlekit as mk
from conftest import SEED_FIVE

GOLDEN = """\
mlekit fit · Normal(mu, sigma)
============================================================
data         n = 5 (5 exact)
method       closed-form
converged    yes
log-lik      -2.488113167
AIC 8.9762263   AICc 14.976226   BIC 8.1951022   k = 2

parameter  estimate  std. error    95% CI (wald)
------------------------------------------------
mu             2.24    0.177989  1.89115 … 2.58885
sigma      0.397995    0.125857  0.15132 … 0.64467

· only 5 observations for 2 parameters: Wald intervals can be far too narrow; prefer ci(method='profile')"""


def test_seed_summary_text_is_golden() -> None:
    assert str(mk.fit(SEED_FIVE, "normal").summary()) == GOLDEN


def test_summary_html_and_dict() -> None:
    res = mk.fit(SEED_FIVE, "normal")
    html = res.summary()._repr_html_()
    assert "class='mlekit mlekit-fit'" in html and ">mu</td>" in html
    assert "converged" in html and res._repr_html_() == html
    d = res.to_dict()
    for key in ("family", "params", "se", "ci", "loglik", "aic", "bic", "n_obs", "converged", "method"):
        assert key in d
    back = json.loads(json.dumps(d))
    assert back["params"]["mu"] == res.params["mu"] and back["family"] == "normal"
    assert back["ci"]["mu"] == list(res.ci()["mu"])


def test_summary_level_and_wald_log() -> None:
    res = mk.fit(SEED_FIVE, "normal")
    s90 = str(res.summary(level=0.9))
    assert "90% CI (wald)" in s90
    lo, hi = res.ci(level=0.95, method="wald-log")["sigma"]
    assert lo > 0 and math.isclose(lo * hi, res.params["sigma"] ** 2, rel_tol=1e-12)
    assert res.ci(method="wald-log")["mu"] == res.ci()["mu"]  # real-valued: unchanged


def test_repr_is_one_line() -> None:
    r = repr(mk.fit(SEED_FIVE, "normal"))
    assert "\n" not in r and r.startswith("FitResult(normal: mu=2.24")


def test_warning_banner_in_summary() -> None:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(np.ones(5), "bernoulli")
    assert "! p = 1 is on the boundary" in str(res.summary())
