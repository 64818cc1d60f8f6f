"""One column parser: a CSV holding missing-value tokens ("-", "none", " NA "), booleans and
censoring words reads the same through the command line, ``mk.read_csv`` and the explorer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from api_helpers import wait_job as _wait

import mlekit as mk

SRC = str(Path(__file__).resolve().parents[2] / "src")
CSV = "x,seen\n1.5,1\n-,1\n2.5,yes\nnone,0\n3.75,no\n NA ,true\n4.25,censored\n"
KEPT = mk.Data([1.5, 2.5, 3.75, 4.25], observed=[True, True, False, False], name="x")


def test_missing_tokens_read_the_same_everywhere(client: httpx.Client, tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text(CSV)
    ref = mk.fit(KEPT, "normal")

    # mk.read_csv
    src = mk.read_csv(f, column="x", observed="seen")
    res = mk.fit(src, "normal", nan_policy="omit")
    assert res.n_obs == 4 and res.params == pytest.approx(ref.params, rel=1e-9)
    with pytest.raises(mk.errors.DataError, match="3 missing"):
        mk.fit(src, "normal")

    # the command line
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}
    argv = [sys.executable, "-m", "mlekit", "fit", str(f), "-c", "x", "--observed", "seen",
            "-f", "normal", "--format", "json"]
    r = subprocess.run([*argv, "--nan", "omit"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["n_obs"] == 4 and "dropped 3 rows" in r.stderr
    assert out["params"] == pytest.approx(ref.params, rel=1e-9)
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "3 rows with a missing value" in r.stderr

    # the explorer: upload, then a job on the uploaded columns
    up = client.post("/api/datasets", params={"filename": "t.csv"}, content=CSV.encode(),
                     headers={"content-type": "application/octet-stream"})
    assert up.status_code == 201, up.text
    cols = {c["name"]: c for c in up.json()["columns"]}
    assert cols["x"]["numeric"] and cols["x"]["n_missing"] == 3 and cols["x"]["n_nonnumeric"] == 0
    job = client.post("/api/jobs", json={"dataset": up.json()["id"], "column": "x",
                                         "observed_column": "seen", "families": ["normal"]})
    done = _wait(client, job.json()["id"])
    assert done["status"] == "done", done
    fit = done["result"]["fits"]["normal"]["fit"]
    assert fit["params"] == pytest.approx(ref.params, rel=1e-9)


def test_pasted_tokens(client: httpx.Client) -> None:
    r = client.post("/api/datasets/paste", json={"text": "1.5 - 2.5 none 3.75 NA"})
    assert r.status_code == 201, r.text
    col = r.json()["columns"][0]
    assert r.json()["n_rows"] == 6 and col["n_missing"] == 3 and col["numeric"]
