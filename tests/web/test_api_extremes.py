"""The extreme-value page's endpoint over real HTTP: the numbers are mlekit's (GEV fit, profile
intervals, return levels), the work is bounded, and bad input is a 4xx JSON error, never a 500
(a seeded fuzz of request bodies included)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import numpy as np
import pytest
from api_helpers import api_error as _err
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlekit as mk
from mlekit.web._extremes import MAX_N, MAX_PERIODS, SLIDER_PERIODS

URL = "/api/extremes/fit"


@pytest.fixture(scope="module")
def pirie() -> np.ndarray:
    return mk.datasets.portpirie()["sea_level"].to_numpy(dtype=float)


def test_example_fit_and_return_levels_are_mlekits(client: httpx.Client, pirie: np.ndarray) -> None:
    r = client.post(URL, json={"dataset": "portpirie"})
    assert r.status_code == 200, r.text
    out = r.json()
    ref = mk.fit(pirie, "gev")
    fit = out["fit"]
    assert fit["family"] == "gev" and fit["ci_method"] == "profile"
    assert fit["params"] == pytest.approx(ref.params, rel=1e-12)
    assert fit["loglik"] == pytest.approx(ref.loglik, rel=1e-12)
    prof = ref.ci(method="profile")
    for k in ("loc", "scale", "shape"):
        assert fit["ci"][k] == pytest.approx(list(prof[k]), rel=1e-9)
    rl = out["return_levels"]
    assert rl["period"] == [float(t) for t in SLIDER_PERIODS]
    d = ref.return_level(np.array(SLIDER_PERIODS, dtype=float))
    np.testing.assert_allclose(rl["estimate"], d.estimate, rtol=1e-12)
    np.testing.assert_allclose(rl["lower"], d.ci[0], rtol=1e-9)
    np.testing.assert_allclose(rl["upper"], d.ci[1], rtol=1e-9)
    np.testing.assert_allclose(rl["se"], d.se, rtol=1e-9)
    assert rl["method"] == "profile" and rl["level"] == 0.95
    # the curve covers the slider's periods and starts near the data
    curve = out["curve"]
    assert curve["period"][0] < 2 and set(rl["period"]) <= set(curve["period"])
    # the data at their empirical return periods: sorted, (n+1)/(n+1-i)
    pts = out["points"]
    assert pts["level"] == sorted(pirie.tolist()) and pts["period"][0] == pytest.approx(66 / 65)
    assert out["data"] == {"name": "portpirie", "n": 65, "n_dropped": 0,
                           "title": mk.datasets.describe("portpirie")["title"]}
    assert "mk.datasets.portpirie()['sea_level']" in out["python"]
    assert 'mk.fit(x, "gev")' in out["python"]


def test_inline_values_text_and_custom_periods(client: httpx.Client, pirie: np.ndarray) -> None:
    ref = mk.fit(pirie, "gev")
    T = [7.5, 100.0, 1234.0]
    for body in ({"values": pirie.tolist() + [None]}, {"text": "\n".join(map(str, pirie))},
                 {"text": "year,level\n" + "\n".join(f"{1923 + i},{v}" for i, v in enumerate(pirie))}):
        r = client.post(URL, json={**body, "periods": T, "level": 0.9, "curve": False})
        assert r.status_code == 200, r.text
        out = r.json()
        assert set(out) == {"return_levels", "data", "python"}
        d = ref.return_level(np.array(T), level=0.9)
        np.testing.assert_allclose(out["return_levels"]["estimate"], d.estimate, rtol=1e-12)
        np.testing.assert_allclose(out["return_levels"]["lower"], d.ci[0], rtol=1e-9)
        np.testing.assert_allclose(out["return_levels"]["upper"], d.ci[1], rtol=1e-9)
    assert out["data"]["name"] == "pasted column 'level'"   # the year column is skipped
    r = client.post(URL, json={"values": pirie.tolist() + [None], "curve": False})
    assert r.json()["data"]["n_dropped"] == 1


def test_an_unbounded_upper_end_is_marked_not_a_number(client: httpx.Client) -> None:
    # a heavy tail on a short record: the profile never reaches the cutoff above
    x = [1.0, 1.2, 1.1, 1.6, 1.3, 2.9, 1.05, 1.4, 8.0, 1.15]
    r = client.post(URL, json={"values": x, "periods": [1000.0], "curve": False})
    assert r.status_code == 200, r.text
    ref = mk.fit(x, "gev").return_level(1000.0)
    hi = r.json()["return_levels"]["upper"][0]
    assert hi == ("inf" if np.isinf(ref.ci[1]) else pytest.approx(ref.ci[1], rel=1e-9))
    json.dumps(r.json(), allow_nan=False)   # valid JSON: no NaN/Infinity tokens


@pytest.mark.parametrize("body, type_, needle", [
    ({}, "ValidationError", "one way"),
    ({"dataset": "portpirie", "values": [1.0, 2.0]}, "ValidationError", "values and dataset"),
    ({"dataset": "lightbulbs"}, "ValidationError", "dataset"),
    ({"values": [1.0, 2.0, 3.0]}, "TooFew", "at least 5"),
    ({"values": [None] * 9}, "TooFew", "got 0"),
    ({"values": ["abc"] * 6}, "ValidationError", "values.0"),
    ({"values": [1.0] * (MAX_N + 1)}, "ValidationError", "values"),
    ({"dataset": "portpirie", "periods": [1.0]}, "ValidationError", "above 1"),
    ({"dataset": "portpirie", "periods": [0.5, 10.0]}, "ValidationError", "got 0.5"),
    ({"dataset": "portpirie", "periods": [1e7]}, "ValidationError", "at most"),
    ({"dataset": "portpirie", "periods": []}, "ValidationError", "periods"),
    ({"dataset": "portpirie", "periods": [10.0] * (MAX_PERIODS + 1)}, "ValidationError", "periods"),
    ({"dataset": "portpirie", "level": 95}, "ValidationError", "level"),
    ({"dataset": "portpirie", "code": "__import__('os')"}, "ValidationError", "code"),
    ({"text": ""}, "EmptyData", "empty"),
    ({"text": "1 2 three 4 5"}, "NonNumeric", "three"),
    ({"text": "name\nalpha\nbeta\ngamma"}, "NonNumeric", "numeric column"),
])
def test_bad_input_is_a_4xx_with_a_message(client: httpx.Client, body: dict[str, Any], type_: str,
                                           needle: str) -> None:
    assert needle in _err(client.post(URL, json=body), 422, type_)


def test_identical_maxima_are_a_result_with_a_diagnostic(client: httpx.Client) -> None:
    r = client.post(URL, json={"values": [3.0] * 10})   # as /api/fit: degenerate, not a crash
    assert r.status_code == 200, r.text
    fit = r.json()["fit"]
    assert fit["converged"] is False
    assert [d["code"] for d in fit["diagnostics"]] == ["degenerate"]
    assert r.json()["return_levels"]["lower"][0] is None


def test_too_many_pasted_values_are_refused(client: httpx.Client) -> None:
    text = " ".join(["1.5"] * (MAX_N + 1))
    assert "at most" in _err(client.post(URL, json={"text": text}), 422, "TooMany")


def test_malformed_bodies(client: httpx.Client) -> None:
    for content in (b"{not json", b"[]", b"null", b"\xff\xfe\x00", b'{"values": "1 2 3"}'):
        r = client.post(URL, content=content, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500 and "error" in r.json(), (content, r.text)
    assert client.get(URL).status_code == 405
    assert client.get("/api/health").json()["status"] == "ok"


def test_openapi_documents_the_endpoint(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert "post" in spec["paths"][URL]
    assert "ExtremesRequest" in spec["components"]["schemas"]


_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
_field = st.one_of(_scalar, st.lists(_scalar, max_size=8),
                   st.lists(st.floats(-50, 50, allow_nan=False), min_size=0, max_size=12))
_body = st.dictionaries(st.sampled_from(["values", "text", "dataset", "periods", "level", "curve",
                                         "extra"]), _field, max_size=4)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_body)
def test_fuzzed_bodies_never_crash_the_server(client: httpx.Client, body: dict[str, Any]) -> None:
    if isinstance(body.get("values"), list) or isinstance(body.get("text"), str):
        body = {**body, "curve": False}   # bounded time per example
    r = client.post(URL, json=body)
    assert r.status_code in (200, 422), (body, r.status_code, r.text)
    out = r.json()
    assert ("error" in out) == (r.status_code == 422), out
    if r.status_code == 200:
        json.dumps(out, allow_nan=False)
