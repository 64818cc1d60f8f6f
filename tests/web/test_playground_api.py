"""The playground's endpoints (POST /api/playground/{setup,eval,fit,surface}) over real HTTP:
the numbers are mlekit's, and bad input is a 4xx JSON error, never a 500."""

from __future__ import annotations

import math
from typing import Any

import httpx
import numpy as np
import pytest
from api_helpers import api_error as _err

import mlekit as mk
from mlekit._fit.likelihood import Likelihood
from mlekit.web._playground import (
    MAX_GRID,
    MAX_POINTS,
    evaluate,
    family_setup,
    fit_playground,
    make_family,
    points_data,
    python_code,
    takes_trials,
    trials_families,
)

X = [1.2, 3.4, 5.0, 0.3, 2.2, 4.1]
KINDS = ["e", "e", "r", "l", "e", "r"]
ENDPOINTS = ("setup", "eval", "fit", "surface")


def _interval_data() -> mk.Data:
    lo = [-math.inf if k == "l" else v for v, k in zip(X, KINDS)]
    hi = [math.inf if k == "r" else v for v, k in zip(X, KINDS)]
    return mk.Data.interval(lo, hi)


# ---------------------------------------------------------------------------- the numbers
def test_eval_is_mlekits_loglik_terms_and_density(client: httpx.Client) -> None:
    params = {"shape": 1.5, "scale": 2.0}
    r = client.post("/api/playground/eval", json={"family": "weibull", "params": params, "x": X,
                                                  "kinds": KINDS, "xrange": [0, 8]})
    assert r.status_code == 200, r.text
    out = r.json()
    w = mk.Weibull(**params)
    ref = [float(w.logpdf(v)) if k == "e" else float(w.logsf(v)) if k == "r" else
           float(w.logcdf(v)) for v, k in zip(X, KINDS)]
    assert out["terms"] == pytest.approx(ref, rel=1e-13)
    lik = Likelihood(mk.get_family("weibull"), _interval_data())
    assert out["loglik"] == pytest.approx(lik.loglik((1.5, 2.0)), rel=1e-13)
    assert out["loglik"] == pytest.approx(sum(ref), rel=1e-12)
    curve = out["curve"]
    assert curve["kind"] == "pdf" and len(curve["x"]) == len(curve["y"]) == 300
    assert curve["y"] == pytest.approx(w.pdf(np.array(curve["x"])).tolist(), rel=1e-12, abs=1e-300)


def test_eval_counts_are_bars_and_a_right_censored_count_is_at_least_x() -> None:
    out = evaluate("poisson", {"rate": 2.5}, [0, 3, 4, 2], ["e", "r", "l", "e"], xrange=(-0.5, 9))
    p = mk.Poisson(rate=2.5)
    assert out["curve"]["kind"] == "pmf" and list(out["curve"]["x"]) == list(range(0, 10))
    # "still running at 3": X >= 3, i.e. S(2); "below the limit 4": X <= 4, i.e. F(4)
    ref = [float(p.logpdf(0)), float(p.logsf(2)), float(p.logcdf(4)), float(p.logpdf(2))]
    assert list(out["terms"]) == pytest.approx(ref, rel=1e-13)
    fit = mk.fit(points_data([0, 3, 4, 2], ["e", "r", "l", "e"]), "poisson")
    assert out["loglik"] == pytest.approx(float(np.sum(ref)), rel=1e-12)
    top = evaluate("poisson", fit.params, [0, 3, 4, 2], ["e", "r", "l", "e"])
    assert top["loglik"] == pytest.approx(fit.loglik, rel=1e-12)


@pytest.mark.parametrize("family", [f["name"] for f in mk.families()])
def test_every_family_sets_up_evaluates_and_fits(family: str) -> None:
    trials = 10 if takes_trials(mk.get_family(family)) else None
    s = family_setup({"family": family, "trials": trials})
    assert "error" not in s, s
    assert s["replaced"] and s["params"] == list(mk.get_family(family).param_names)
    for p, (lo, hi) in s["ranges"].items():
        assert lo < s["mle"][p] < hi or lo <= s["mle"][p] <= hi
    fam = make_family(family, trials)
    out = evaluate(family, s["mle"], s["x"], s["kinds"], trials)
    ref = mk.fit(points_data(s["x"], s["kinds"]), fam)
    assert out["loglik"] == pytest.approx(ref.loglik, rel=1e-9)
    assert float(np.sum(out["terms"])) == pytest.approx(out["loglik"], rel=1e-9)
    f = fit_playground({"family": family, "x": s["x"], "kinds": s["kinds"], "trials": trials})
    assert "error" not in f, f
    assert f["loglik"] == pytest.approx(ref.loglik, rel=1e-12)
    assert f["params"] == pytest.approx(dict(ref.params), rel=1e-9)


def test_trials_families_are_the_known_trials_classes(client: httpx.Client,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The families that need ``trials`` are those the classes declare (``KnownTrials``), not a
    list of names in the web layer: the page learns them from GET /api/playground/families,
    and a new trials family is set up, evaluated, fitted and written as code without an edit
    here."""
    from mlekit._families.discrete import Binomial
    from mlekit._families.registry import registry
    from mlekit._families.shapes import KnownTrials

    declared = sorted(f["name"] for f in mk.families()
                      if isinstance(mk.get_family(f["name"]), KnownTrials))
    assert declared == trials_families() == ["beta_binomial", "binomial"]
    r = client.get("/api/playground/families")
    assert r.status_code == 200 and r.json() == {"trials": declared}
    assert "get" in client.get("/openapi.json").json()["paths"]["/api/playground/families"]

    class Successes(Binomial):           # a new family of successes in n known trials
        name = "successes_in_trials"

    monkeypatch.setitem(registry, Successes.name, Successes)
    assert Successes.name in trials_families()
    fam = make_family(Successes.name, 7)
    assert type(fam) is Successes and fam.n == 7
    with pytest.raises(mk.ParameterError, match="needs the number of trials n"):
        make_family(Successes.name)
    s = family_setup({"family": Successes.name, "trials": 7, "x": [2, 3, 5, 4]})
    assert "error" not in s, s
    assert s["trials"] == 7 and s["params"] == ["p"] and not s["replaced"]
    ref = mk.fit(points_data([2, 3, 5, 4]), mk.Binomial(n=7))
    assert s["mle"]["p"] == pytest.approx(ref.params["p"], rel=1e-12)
    out = evaluate(Successes.name, {"p": 0.4}, [2, 3, 5, 4], None, 7)
    assert out["loglik"] == pytest.approx(float(np.sum(mk.Binomial(n=7, p=0.4).logpdf(
        np.array([2, 3, 5, 4])))), rel=1e-12)
    f = fit_playground({"family": Successes.name, "x": [2, 3, 5, 4], "kinds": None, "trials": 7})
    assert f["loglik"] == pytest.approx(ref.loglik, rel=1e-12)
    assert "mk.fit(data, mk.Successes(n=7))" in f["code"]
    # the existing families: the same code as before
    assert "mk.fit(data, mk.BetaBinomial(n=5))" in python_code("beta_binomial", [1, 2], None, 5)
    assert 'mk.fit(data, "poisson")' in python_code("poisson", [1, 2])


def test_fit_with_censoring_matches_mk_fit(client: httpx.Client) -> None:
    r = client.post("/api/playground/fit", json={"family": "weibull", "x": X, "kinds": KINDS,
                                                 "param": "shape", "derived": "median"})
    assert r.status_code == 200, r.text
    out = r.json()
    ref = mk.fit(_interval_data(), "weibull")
    assert out["params"] == pytest.approx(dict(ref.params), rel=1e-12)
    assert out["loglik"] == pytest.approx(ref.loglik, rel=1e-12)
    assert out["n_right"] == 2 and out["n_left"] == 1
    wald = ref.ci(method="wald")
    for p in ("shape", "scale"):
        assert out["wald"][p] == pytest.approx(list(wald[p]), rel=1e-10)
    assert out["profile"] == pytest.approx(list(ref.ci(method="profile", params=["shape"])["shape"]),
                                           rel=1e-8)
    pc = out["profile_curve"]
    assert pc["cutoff"] == pytest.approx(pc["loglik_max"] - 3.841458820694124 / 2, rel=1e-14)
    med = ref.derived("median")
    assert out["derived"]["estimate"] == pytest.approx(med.estimate, rel=1e-12)
    assert out["derived"]["ci"] == pytest.approx(list(med.ci), rel=1e-10)
    assert out["derived"]["profile"] is not None
    # the Python code it offers reproduces the fit
    ns: dict[str, Any] = {"print": lambda *a: None}
    exec(out["code"], ns)  # our own generated code, not user input
    assert ns["res"].loglik == pytest.approx(ref.loglik, rel=1e-12)


@pytest.mark.parametrize("kinds, needle", [
    (None, "data = ["),
    (["e", "r", "e"], "observed=[True, False, True])"),
    (["l", "e", "e"], 'censoring="left"'),
    (["l", "r", "e"], "mk.Data.interval"),
])
def test_python_code_reproduces_every_censoring_layout(kinds: list[str] | None, needle: str) -> None:
    x = [0.8, 2.5, 1.7]
    code = python_code("lognormal", x, kinds)
    assert needle in code
    ns: dict[str, Any] = {"print": lambda *a: None}
    exec(code, ns)  # generated by the module under test
    assert ns["res"].loglik == pytest.approx(mk.fit(points_data(x, kinds), "lognormal").loglik,
                                             rel=1e-12)
    ns = {"print": lambda *a: None}
    exec(python_code("binomial", [3, 4, 7], None, 10), ns)
    assert ns["res"].params["p"] == pytest.approx(14 / 30, rel=1e-12)


def test_quantile_and_survival(client: httpx.Client) -> None:
    ref = mk.fit(_interval_data(), "weibull")
    for derived, at, d in (("quantile", 0.1, ref.quantile(0.1)), ("sf", 2.0, ref.sf(2.0))):
        out = client.post("/api/playground/fit", json={"family": "weibull", "x": X, "kinds": KINDS,
                                                       "derived": derived, "at": at}).json()
        assert out["derived"]["estimate"] == pytest.approx(d.estimate, rel=1e-12)
        assert out["derived"]["ci"] == pytest.approx(list(d.ci), rel=1e-10)


def test_surface_is_the_loglik_on_the_grid(client: httpx.Client) -> None:
    body = {"family": "gev", "x": [2.1, 3.5, 2.8, 4.9, 3.1, 2.4, 3.9, 2.9], "params":
            {"loc": 2.8, "scale": 0.8, "shape": 0.1}, "px": "loc", "py": "scale",
            "xrange": [2.0, 3.6], "yrange": [0.0, 2.0], "n": 11}
    r = client.post("/api/playground/surface", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(out["x"]) == len(out["y"]) == 11 and len(out["z"]) == 11
    assert out["y"][0] > 0  # the open bound of a positive parameter is stepped inside
    lik = Likelihood(mk.get_family("gev"), mk.Data(body["x"]))
    for i, j in ((0, 0), (5, 7), (10, 3)):
        want = lik.loglik((out["x"][j], out["y"][i], 0.1))
        assert out["z"][i][j] == pytest.approx(want, rel=1e-12)


def test_setup_keeps_points_that_fit_and_replaces_those_that_do_not(client: httpx.Client) -> None:
    kept = client.post("/api/playground/setup", json={"family": "gamma", "x": X, "kinds": KINDS})
    assert kept.status_code == 200 and kept.json()["replaced"] is False
    assert kept.json()["x"] == X and kept.json()["kinds"] == KINDS
    neg = client.post("/api/playground/setup", json={"family": "weibull", "x": [-1.0, 2.0, 3.0]})
    assert neg.json()["replaced"] is True and min(neg.json()["x"]) > 0
    # a shared link keeps its points even without a clean fit; out of support is an error
    link = client.post("/api/playground/setup", json={"family": "normal", "x": [2.0], "keep": True})
    assert link.status_code == 200 and link.json()["x"] == [2.0] and link.json()["mle"] is None
    _err(client.post("/api/playground/setup", json={"family": "weibull", "x": [-1.0, 2.0],
                                                    "keep": True}), 422, "DataError")


# ---------------------------------------------------------------------------- bad input
GOOD: dict[str, dict[str, Any]] = {
    "setup": {"family": "weibull", "x": X, "kinds": KINDS},
    "eval": {"family": "weibull", "x": X, "kinds": KINDS, "params": {"shape": 1.5, "scale": 2}},
    "fit": {"family": "weibull", "x": X, "kinds": KINDS},
    "surface": {"family": "weibull", "x": X, "params": {"shape": 1.5, "scale": 2}, "px": "shape",
                "py": "scale", "xrange": [0.5, 3], "yrange": [0.5, 4], "n": 5},
}


@pytest.mark.parametrize("endpoint, change, type_, needle", [
    ("eval", {"family": "weibul"}, "FamilyError", "weibull"),
    ("eval", {"family": "__import__('os').system('true')"}, None, "family"),
    ("eval", {"params": {"shape": 1.5}}, "ParameterError", "scale"),
    ("eval", {"params": {"shape": -1, "scale": 2}}, "ParameterError", "shape"),
    ("eval", {"params": {"shape": "nan", "scale": 2}}, "ValidationError", "params"),
    ("eval", {"x": [1.0, -2.0, 3.0, 4, 5, 6]}, "DataError", "-2"),
    ("eval", {"kinds": ["e", "x", "e", "e", "e", "e"]}, "ValidationError", "kinds"),
    ("eval", {"kinds": ["e"]}, "ValidationError", "one entry per point"),
    ("eval", {"xrange": [3, 1]}, "ParameterError", "xrange"),
    ("eval", {"evil": 1}, "ValidationError", "evil"),
    ("eval", {"x": [1.0] * (MAX_POINTS + 1), "kinds": None}, "ValidationError", "x"),
    ("eval", {"trials": 10}, "ParameterError", "binomial"),
    ("fit", {"family": "binomial", "x": [1, 2, 3], "kinds": None}, "ParameterError", "trials"),
    ("fit", {"param": "rate"}, "ParameterError", "rate"),
    ("fit", {"derived": "mode"}, "ValidationError", "derived"),
    ("fit", {"derived": "quantile", "at": 1.5}, "ParameterError", "(0, 1)"),
    ("fit", {"derived": "sf"}, "ParameterError", "time t"),
    ("fit", {"x": [], "kinds": []}, "DataError", "no points"),
    ("fit", {"level": 2}, "ValidationError", "level"),
    ("surface", {"px": "shape", "py": "shape"}, "ParameterError", "two different"),
    ("surface", {"n": MAX_GRID + 1}, "ValidationError", "n"),
    ("surface", {"xrange": [-3, -1]}, "ParameterError", "range of shape"),
    ("setup", {"family": ""}, "ValidationError", "family"),
    ("setup", {"trials": 0}, "ValidationError", "trials"),
])
def test_bad_input_is_a_named_4xx(client: httpx.Client, endpoint: str, change: dict[str, Any],
                                  type_: str | None, needle: str) -> None:
    body = {**GOOD[endpoint], **change}
    msg = _err(client.post(f"/api/playground/{endpoint}", json=body), 422, type_)
    assert needle in msg


def test_fuzzed_bodies_never_crash_the_server(client: httpx.Client) -> None:
    rng = np.random.default_rng(19)
    junk: list[Any] = [None, True, -1, 0, 1e308, -1e308, "inf", "NaN", "", "x" * 300, [], {},
                       [None], [1, "a"], {"a": 1}, [[1, 2]], 2 ** 70, "1e999", [1e308] * 3]
    for _ in range(160):
        endpoint = ENDPOINTS[int(rng.integers(len(ENDPOINTS)))]
        body = dict(GOOD[endpoint])
        for _ in range(int(rng.integers(1, 3))):
            keys = [*body, "family", "x", "kinds", "params", "trials", "n", "px", "extra"]
            body[keys[int(rng.integers(len(keys)))]] = junk[int(rng.integers(len(junk)))]
        r = client.post(f"/api/playground/{endpoint}", json=body)
        assert r.status_code == 200 or 400 <= r.status_code < 500, (endpoint, body, r.text)
        assert r.status_code == 200 or "error" in r.json()
    for raw in (b"{", b"[]", b"\xff\xfe", b"null", b'{"family": "normal", "x": [1e999]}'):
        r = client.post("/api/playground/eval", content=raw,
                        headers={"content-type": "application/json"})
        _err(r, 422)
    assert client.get("/api/health").json()["status"] == "ok"


def test_openapi_documents_the_playground_endpoints(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for name in ENDPOINTS:
        assert "post" in paths[f"/api/playground/{name}"], name


def test_the_page_loads_the_playground_scripts(client: httpx.Client) -> None:
    page = client.get("/").text
    for name in ("pg-state.js", "pg-intervals.js", "pg-draw.js", "playground.js"):
        assert f'src="/static/{name}"' in page
        assert client.get(f"/static/{name}").status_code == 200, name
    for hook in ('data-testid="family"', 'data-testid="loglik"', 'data-testid="jump-to-mle"'):
        assert hook in page
