"""The explorer's JSON API over real HTTP (httpx → uvicorn → worker processes): every
endpoint, and every kind of bad input the issue names, answered with a 4xx JSON error."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from api_helpers import api_error as _err
from api_helpers import wait_job as _wait

import mlekit as mk

SEED = [2.3, 1.9, 2.5, 2.8, 1.7]


def _upload(client: httpx.Client, content: bytes, filename: str = "data.csv") -> httpx.Response:
    return client.post("/api/datasets", params={"filename": filename}, content=content,
                       headers={"content-type": "application/octet-stream"})


# ---------------------------------------------------------------------------- meta + page
def test_health_and_families(client: httpx.Client) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.json()["version"] == mk.__version__
    fams = client.get("/api/families").json()
    assert [f["name"] for f in fams] == [f["name"] for f in mk.families()]
    assert {"name", "params", "support", "formula"} <= set(fams[0])


def test_openapi_documents_every_endpoint_the_page_uses(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [("/api/health", "get"), ("/api/families", "get"), ("/api/fit", "post"),
                         ("/api/datasets", "post"), ("/api/datasets/paste", "post"),
                         ("/api/datasets/{dataset_id}", "get"), ("/api/datasets/{dataset_id}", "delete"),
                         ("/api/jobs", "post"), ("/api/jobs/{job_id}", "get"),
                         ("/api/jobs/{job_id}", "delete")]:
        assert method in paths[path], (path, method)
    static = Path(mk.__file__).parent / "web" / "static"
    used = "".join(p.read_text() for p in static.glob("*.js"))
    for p in ("/api/health", "/api/families", "/api/fit", "/api/datasets", "/api/datasets/paste",
              "/api/jobs"):
        assert f'"{p}' in used, p  # the page calls the documented API and nothing else
    assert "FitRequest" in spec["components"]["schemas"]
    # no Swagger UI (it would load scripts from a CDN)
    assert client.get("/docs").status_code == 404


def test_page_static_files_and_security_headers(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Gaussian playground" in r.text and "/static/vendor/plotly.min.js" in r.text
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    for name in ("mle.js", "app.js", "playground.js", "coin.js", "data.js", "style.css", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200, name
    assert "http://" not in r.text.replace("http://www.w3.org", "") and "https://" not in r.text


def test_plotly_is_served_from_the_installed_wheel(client: httpx.Client) -> None:
    import plotly

    r = client.get("/static/vendor/plotly.min.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    wheel = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert r.content == wheel.read_bytes()


def test_unknown_route_and_method_are_json_errors(client: httpx.Client) -> None:
    _err(client.get("/api/nope"), 404, "NotFound")
    _err(client.put("/api/fit", json={}), 405, "MethodNotAllowed")


def test_host_header_must_be_loopback(live_server: Any) -> None:
    # against DNS rebinding: a page on another origin resolving to 127.0.0.1 is refused
    with httpx.Client(base_url=live_server.url, headers={"host": "evil.example:80"}) as c:
        msg = _err(c.get("/api/health"), 400, "BadHost")
    assert "evil.example" in msg
    with httpx.Client(base_url=live_server.url.replace("127.0.0.1", "localhost")) as c:
        assert c.get("/api/health").status_code == 200


# ---------------------------------------------------------------------------- /api/fit
def test_fit_matches_mlekit(client: httpx.Client) -> None:
    r = client.post("/api/fit", json={"values": SEED, "family": "normal"})
    assert r.status_code == 200, r.text
    out = r.json()
    ref = mk.fit(SEED, "normal")
    assert out["fit"]["params"] == pytest.approx(ref.params, rel=1e-12, abs=1e-12)
    assert out["fit"]["loglik"] == pytest.approx(ref.loglik, rel=1e-12)
    assert out["fit"]["method"] == ref.method
    assert out["data"]["n_obs"] == 5 and out["data"]["n_dropped"] == 0
    assert "plots" not in out


@pytest.mark.parametrize("censoring", ["right", "left"])
def test_fit_censored_matches_mlekit(client: httpx.Client, censoring: str, rng: np.random.Generator) -> None:
    x = np.round(rng.weibull(1.7, 60) * 3.0, 4) + 0.01
    obs = rng.random(60) > 0.3
    r = client.post("/api/fit", json={"values": x.tolist(), "observed": obs.tolist(),
                                      "censoring": censoring, "family": "weibull", "level": 0.9,
                                      "plots": True})
    assert r.status_code == 200, r.text
    out = r.json()
    ref = mk.fit(mk.Data(x, observed=obs, censoring=censoring), "weibull")
    assert out["fit"]["params"] == pytest.approx(ref.params, rel=1e-10)
    assert out["fit"]["se"] == pytest.approx(ref.se, rel=1e-8)
    assert out["fit"]["ci_level"] == 0.9
    key = "n_right" if censoring == "right" else "n_left"
    assert out["data"][key] == float((~obs).sum())
    plots = out["plots"]
    assert plots["n_censored"] == float((~obs).sum())
    assert len(plots["density"]["x"]) == len(plots["density"]["y"]) > 100
    assert plots["qq"] is not None and plots["cdf_empirical"] is not None
    assert plots["histogram"]["censored_kind"] == censoring


def test_fit_missing_values_are_dropped_and_reported(client: httpx.Client) -> None:
    r = client.post("/api/fit", json={"values": [*SEED, None, None], "family": "normal"})
    assert r.status_code == 200
    assert r.json()["data"]["n_dropped"] == 2
    assert r.json()["fit"]["params"]["mu"] == pytest.approx(2.24, rel=1e-12)
    msg = _err(client.post("/api/fit", json={"values": [*SEED, None], "family": "normal",
                                             "nan_policy": "raise"}), 422, "DataError")
    assert "missing" in msg.lower() or "nan" in msg.lower()


def test_fit_degenerate_data_is_a_result_not_a_crash(client: httpx.Client) -> None:
    r = client.post("/api/fit", json={"values": [2.0, 2.0, 2.0], "family": "normal"})
    assert r.status_code == 200, r.text
    out = r.json()["fit"]
    assert out["method"] == "degenerate" and out["loglik"] == "inf"
    assert any(d["code"] == "degenerate" for d in out["diagnostics"])


def test_fit_ci_profile_and_gof_options(client: httpx.Client) -> None:
    coin = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    r = client.post("/api/fit", json={"values": coin, "family": "bernoulli", "ci": "profile",
                                      "gof": True, "n_boot": 49, "seed": 3})
    assert r.status_code == 200, r.text
    out = r.json()
    fit = out["fit"]
    ref = mk.fit(coin, "bernoulli")
    assert fit["params"]["p"] == pytest.approx(0.7, abs=1e-15)
    assert fit["ci_method"] == "profile" and fit["ci_note"] is None
    assert fit["ci"]["p"] == pytest.approx(list(ref.ci(method="profile")["p"]), abs=1e-12)
    g = mk.gof(ref, n_boot=49, rng=3, quiet=True)
    assert set(out["gof"]) == set(g)
    for k, t in g.items():
        assert out["gof"][k]["statistic"] == pytest.approx(t.statistic, rel=1e-12)
        assert out["gof"][k]["p_value"] == pytest.approx(t.p_value, abs=1e-12)


@pytest.mark.parametrize("body, type_, needle", [
    ({"values": [1.0, "abc"], "family": "normal"}, "ValidationError", "values.1"),
    ({"values": [], "family": "normal"}, "ValidationError", "values"),
    ({"values": [1.0, 2.0], "family": "normol"}, "FamilyError", "Did you mean 'normal'"),
    ({"values": [1.0, 2.0]}, "ValidationError", "family"),
    ({"values": [1.0, 2.0], "family": "normal", "level": 95}, "ValidationError", "level"),
    ({"values": [1.0, 2.0], "family": "normal", "ci": "magic"}, "ValidationError", "ci"),
    ({"values": [1.0, 2.0], "family": "normal", "evil": "__import__('os')"}, "ValidationError", "evil"),
    ({"values": [1.0, 2.0], "observed": [True], "family": "normal"}, "ValidationError", "observed"),
    ({"values": [-1.0, 2.0, 3.0], "family": "weibull"}, "DataError", "Weibull requires"),
    ({"values": [1.5, 2.0], "family": "poisson"}, "DataError", "Poisson requires"),
    ({"values": [1.0, 2.0], "family": "normal", "censoring": "middle"}, "ValidationError", "censoring"),
])
def test_fit_bad_input(client: httpx.Client, body: dict[str, Any], type_: str, needle: str) -> None:
    msg = _err(client.post("/api/fit", json=body), 422, type_)
    assert needle in msg


def test_fit_malformed_json_and_wrong_body(client: httpx.Client) -> None:
    _err(client.post("/api/fit", content=b"{not json", headers={"content-type": "application/json"}),
         422, "ValidationError")
    _err(client.post("/api/fit", content=b"1,2,3", headers={"content-type": "text/csv"}), 422,
         "ValidationError")


# ---------------------------------------------------------------------------- datasets
def test_upload_csv_and_describe_columns(client: httpx.Client) -> None:
    csv = b"hours,failed,site\n120,1,a\n340,0,b\n95.5,1,a\n,1,c\n410,0,b\n"
    r = _upload(client, csv, "life.csv")
    assert r.status_code == 201, r.text
    info = r.json()
    assert info["n_rows"] == 5 and info["name"] == "life.csv"
    cols = {c["name"]: c for c in info["columns"]}
    assert cols["hours"]["numeric"] and cols["hours"]["n_missing"] == 1
    assert cols["failed"]["binary"] and not cols["site"]["numeric"]
    assert info["suggested_column"] == "hours" and info["suggested_observed"] == "failed"
    assert client.get(f"/api/datasets/{info['id']}").json()["columns"] == info["columns"]
    assert client.delete(f"/api/datasets/{info['id']}").json() == {"deleted": info["id"]}
    _err(client.get(f"/api/datasets/{info['id']}"), 404, "UnknownDataset")


@pytest.mark.parametrize("content, n_rows, cols", [
    (b"1.5\n2.5\n3.5\n", 3, ["x"]),                      # no header
    (b"a;b\n1;2\n3;4\n", 2, ["a", "b"]),                  # semicolons
    (b"a\tb\n1\t2\n3\t4\n", 2, ["a", "b"]),               # tabs
    (b"x y\n1 2\n3 4\n", 2, ["x", "y"]),                  # whitespace
    ("t,\xe9tat\n1,1\n2,0\n".encode("latin-1"), 2, ["t", "\xe9tat"]),  # Latin-1 text
])
def test_upload_csv_dialects(client: httpx.Client, content: bytes, n_rows: int, cols: list[str]) -> None:
    r = _upload(client, content)
    assert r.status_code == 201, r.text
    assert r.json()["n_rows"] == n_rows
    assert [c["name"] for c in r.json()["columns"]] == cols


def test_upload_parquet(client: httpx.Client, rng: np.random.Generator) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    buf = io.BytesIO()
    pq.write_table(pa.table({"x": rng.gamma(2.0, 1.5, 500), "ok": rng.random(500) > 0.2}), buf)
    r = _upload(client, buf.getvalue(), "g.parquet")
    assert r.status_code == 201, r.text
    cols = {c["name"]: c for c in r.json()["columns"]}
    assert r.json()["n_rows"] == 500 and cols["x"]["numeric"] and cols["ok"]["binary"]


@pytest.mark.parametrize("content, filename, type_, needle", [
    (b"a,b\n1,2\n3,4,5\n6,7\n", "bad.csv", "MalformedCSV", "Expected 2 fields"),
    (b"a,b\n1,2,3\n4,5\n", "long.csv", "MalformedCSV", "more fields than the header"),
    (b"", "empty.csv", "EmptyData", "empty"),
    (b"a,b\n", "header.csv", "EmptyData", "no data rows"),
    (b"\x00\x01\x02binary\x00junk", "x.csv", "MalformedCSV", "binary"),
    (b"PAR1 this is not really parquet", "fake.parquet", "MalformedParquet", "Parquet"),
])
def test_upload_bad_files(client: httpx.Client, content: bytes, filename: str, type_: str,
                          needle: str) -> None:
    assert needle in _err(_upload(client, content, filename), 422, type_)


def test_upload_multipart_is_refused_with_a_hint(client: httpx.Client) -> None:
    r = client.post("/api/datasets", files={"file": ("a.csv", b"x\n1\n2\n")})
    assert "--data-binary" in _err(r, 415, "UnsupportedMedia")


def test_paste(client: httpx.Client) -> None:
    r = client.post("/api/datasets/paste", json={"text": "2.3, 1.9 2.5\n2.8;1.7\nNA"})
    assert r.status_code == 201, r.text
    info = r.json()
    assert info["n_rows"] == 6 and info["columns"][0]["n_missing"] == 1
    r = client.post("/api/datasets/paste", json={"text": "t,obs\n1,1\n2,0\n"})
    assert [c["name"] for c in r.json()["columns"]] == ["t", "obs"]
    assert "'abc'" in _err(client.post("/api/datasets/paste", json={"text": "1 2 abc"}), 422, "NonNumeric")
    _err(client.post("/api/datasets/paste", json={"text": "   "}), 422, "EmptyData")
    _err(client.post("/api/datasets/paste", json={}), 422, "ValidationError")


# ---------------------------------------------------------------------------- jobs
def test_job_compares_families_like_mlekit(client: httpx.Client, rng: np.random.Generator) -> None:
    x = np.round(rng.gamma(2.5, 2.0, 300), 5)
    obs = rng.random(300) > 0.25
    csv = "life,seen\n" + "\n".join(f"{a},{int(b)}" for a, b in zip(x, obs))
    ds = _upload(client, csv.encode()).json()["id"]
    fams = ["exponential", "weibull", "gamma", "lognormal"]
    r = client.post("/api/jobs", json={"dataset": ds, "column": "life", "observed_column": "seen",
                                       "families": fams, "gof": True, "n_boot": 19, "seed": 7})
    assert r.status_code == 202 and r.headers["location"] == f"/api/jobs/{r.json()['id']}"
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    assert job["progress"]["done"] == job["progress"]["total"] == 1 + 2 * len(fams)
    res = job["result"]
    data = mk.Data(x, observed=obs)
    cmp = mk.compare(data, fams, gof=True, n_boot=19, rng=7, quiet=True)
    assert [row["family"] for row in res["table"]] == list(cmp.table.index)
    assert res["best"] == cmp.best.family
    for row in res["table"]:
        ref = cmp.table.loc[row["family"]]
        for col in ("loglik", "aic", "bic", "delta_aic", "weight", "gof_p"):
            assert row[col] == pytest.approx(float(ref[col]), rel=1e-9, abs=1e-12), col
        fit = res["fits"][row["family"]]
        assert fit["fit"]["params"] == pytest.approx(cmp[row["family"]].params, rel=1e-10)
        assert fit["fit"]["ci_method"] == "profile"
        prof = cmp[row["family"]].ci(method="profile")
        for p_, (lo, hi) in prof.items():
            assert fit["fit"]["ci"][p_] == pytest.approx([lo, hi], rel=1e-8)
        assert set(fit["gof"]) == {"ks", "ad", "cvm"}
        assert fit["gof"]["ad"]["p_value"] == row["gof_p"]
    assert res["data"]["n_right"] == float((~obs).sum())
    plots = res["fits"][res["best"]]["plots"]
    assert plots["cdf_empirical"]["kind"] == "kaplan-meier"
    assert plots["n_censored"] == float((~obs).sum())


def test_job_all_families_lists_skipped_ones(client: httpx.Client, rng: np.random.Generator) -> None:
    x = np.round(rng.normal(0.0, 1.0, 200), 4)  # negative values: positive families cannot fit
    r = client.post("/api/jobs", json={"values": x.tolist(), "families": "all", "gof": False})
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    res = job["result"]
    tried = {row["family"] for row in res["table"]}
    skipped = {s["family"] for s in res["skipped"]}
    assert {"normal", "logistic", "cauchy"} <= tried
    assert {"weibull", "gamma", "beta"} <= skipped
    assert not tried & skipped and "poisson" not in tried
    assert all(s["reason"] for s in res["skipped"])
    assert all(row.get("gof_p") is None for row in res["table"])
    assert any("not computed" in n for n in res["notes"])


def test_job_all_on_counts_means_count_families(client: httpx.Client, rng: np.random.Generator) -> None:
    r = client.post("/api/jobs", json={"values": rng.poisson(2.0, 150).tolist()})
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    res = job["result"]
    assert {row["family"] for row in res["table"]} <= {f["name"] for f in mk.families() if f["discrete"]}
    assert any("whole number" in n for n in res["notes"])
    assert res["gof"] is True  # n <= 1000: on by default, as in mk.compare
    assert all(isinstance(row["gof_p"], float) for row in res["table"] if row["error"] is None)


def test_job_mixing_counts_and_densities_is_refused(client: httpx.Client) -> None:
    r = client.post("/api/jobs", json={"values": [1, 2, 3, 4], "families": ["poisson", "normal"]})
    job = _wait(client, r.json()["id"])
    assert job["status"] == "error" and job["error"]["type"] == "ParameterError"
    assert "one kind" in job["error"]["message"]


def test_job_inline_values_and_discrete_plots(client: httpx.Client, rng: np.random.Generator) -> None:
    counts = rng.poisson(3.0, 400).tolist()
    r = client.post("/api/jobs", json={"values": counts, "families": ["poisson", "negative_binomial"]})
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    p = job["result"]["fits"]["poisson"]
    assert p["fit"]["params"]["rate"] == pytest.approx(np.mean(counts), rel=1e-12)
    assert p["plots"]["discrete"] and all(float(v).is_integer() for v in p["plots"]["density"]["x"])


@pytest.mark.parametrize("body, status, type_, needle", [
    ({"dataset": "nope", "column": "x"}, 404, "UnknownDataset", "nope"),
    ({"values": [1.0, 2.0], "families": ["normol"]}, 422, "FamilyError", "normal"),
    ({"values": [1.0, 2.0], "families": []}, 422, "ValidationError", "at least one"),
    ({}, 422, "ValidationError", "neither"),
    ({"values": [1.0, 2.0], "observed": [True], "families": "all"}, 422, "ValidationError", "observed"),
    ({"values": [1.0, 2.0], "families": "everything"}, 422, "ValidationError", "families"),
])
def test_job_bad_requests(client: httpx.Client, body: dict[str, Any], status: int, type_: str,
                          needle: str) -> None:
    assert needle in _err(client.post("/api/jobs", json=body), status, type_)


def test_job_bad_columns(client: httpx.Client) -> None:
    csv = b"x,label,blank,flag\n1.5,a,,yes\n2.5,b,,maybe\n3.5,c,,no\n"
    ds = _upload(client, csv).json()["id"]

    def job(**kw: Any) -> httpx.Response:
        return client.post("/api/jobs", json={"dataset": ds, "families": ["normal"], **kw})

    assert "one of the data's columns" in _err(job(column="nope"), 422, "UnknownColumn")
    assert "'a'" in _err(job(column="label"), 422, "NonNumeric")
    assert "empty" in _err(job(column="blank"), 422, "EmptyColumn")
    assert "'maybe'" in _err(job(column="x", observed_column="flag"), 422, "BadCensoring")
    _err(job(), 422, "ValidationError")  # a dataset without a column
    _err(job(column="x", values=[1.0]), 422, "ValidationError")


def test_job_that_fails_reports_the_error(client: httpx.Client) -> None:
    r = client.post("/api/jobs", json={"values": [-1.0, 2.0, 3.0], "families": ["weibull"]})
    job = _wait(client, r.json()["id"])
    assert job["status"] == "error" and job["error"]["type"] == "DataError"
    assert "no family could be fitted" in job["error"]["message"]
    assert "Weibull requires" in job["error"]["message"]


def _slow_values(rng: np.random.Generator, n: int = 400_000) -> list[float]:
    return np.round(rng.weibull(1.3, n) * 10 + 0.001, 6).tolist()


def test_cancel_stops_the_job_process(client: httpx.Client, live_server: Any,
                                      rng: np.random.Generator) -> None:
    r = client.post("/api/jobs", json={"values": _slow_values(rng), "families": "all"})
    jid = r.json()["id"]
    workers = live_server.app.state.workers
    end = time.time() + 60
    while workers.get_job(jid).process is None and time.time() < end:
        time.sleep(0.02)
    proc = workers.get_job(jid).process
    assert proc is not None and proc.is_alive()
    pid = proc.pid
    out = client.delete(f"/api/jobs/{jid}").json()
    assert out["status"] == "cancelled"
    end = time.time() + 10
    while workers.get_job(jid).process is not None and time.time() < end:
        time.sleep(0.02)
    assert workers.get_job(jid).process is None  # the runner joined the terminated process
    import os
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    time.sleep(0.3)
    assert client.get(f"/api/jobs/{jid}").json()["status"] == "cancelled"
    _err(client.get("/api/jobs/unknown"), 404, "UnknownJob")
    _err(client.delete("/api/jobs/unknown"), 404, "UnknownJob")


def test_a_long_job_does_not_block_other_requests(client: httpx.Client, rng: np.random.Generator) -> None:
    r = client.post("/api/jobs", json={"values": _slow_values(rng), "families": "all"})
    jid = r.json()["id"]
    try:
        fit = client.post("/api/fit", json={"values": SEED, "family": "normal"})
        health = client.get("/api/health")
        assert fit.status_code == 200 and health.status_code == 200
        # answered while the job still ran: not queued behind it
        assert client.get(f"/api/jobs/{jid}").json()["status"] == "running"
    finally:
        client.delete(f"/api/jobs/{jid}")


def test_the_server_survives_every_bad_request(client: httpx.Client) -> None:
    bad = [("post", "/api/fit", {"content": b"\xff\xfe\x00"}), ("post", "/api/jobs", {"json": []}),
           ("post", "/api/datasets", {"content": b"\x00" * 100}), ("get", "/api/jobs/%00", {}),
           ("post", "/api/datasets/paste", {"json": {"text": "x\n1,2,3\n4\n"}})]
    for method, path, kw in bad:
        r = getattr(client, method)(path, **kw)
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
        assert "error" in r.json()
    assert client.get("/api/health").json()["status"] == "ok"


def test_json_numbers_are_always_finite_or_marked() -> None:
    from mlekit.web._compute import json_safe

    out = json_safe({"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": np.float64(2.0),
                     "d": np.array([1, 2]), "e": np.bool_(True)})
    assert out == {"a": None, "b": ["inf", "-inf", 1.5], "c": 2.0, "d": [1, 2], "e": True}


def test_interval_censored_and_weighted_columns(client: httpx.Client) -> None:
    csv = b"lo,hi,w\n1.0,2.0,1\n2.0,3.5,2\n0.5,1.5,1\n3.0,,1\n,0.8,3\n1.5,2.5,2\n"
    ds = _upload(client, csv).json()
    r = client.post("/api/jobs", json={"dataset": ds["id"], "column": "lo", "upper_column": "hi",
                                       "weight_column": "w", "families": ["weibull", "lognormal"],
                                       "ci": "wald", "gof": False})
    assert r.status_code == 202, r.text
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    res = job["result"]
    lo = [1.0, 2.0, 0.5, 3.0, -np.inf, 1.5]
    hi = [2.0, 3.5, 1.5, np.inf, 0.8, 2.5]
    ref = mk.fit(mk.Data.interval(lo, hi, weights=[1, 2, 1, 1, 3, 2]), "weibull")
    row = next(t for t in res["table"] if t["family"] == "weibull")
    assert row["loglik"] == pytest.approx(ref.loglik, rel=1e-6)
    assert res["data"]["n_interval"] > 0 and res["data"]["n_obs"] == 10
    both = client.post("/api/jobs", json={"dataset": ds["id"], "column": "lo", "upper_column": "hi",
                                          "observed_column": "w", "families": ["weibull"]})
    assert both.status_code == 422 and "not both" in both.json()["error"]["message"]
