"""Starting and stopping the explorer: ``serve`` (the CLI's entry point) in a real process,
``start`` with options, limits, time-outs and the temporary folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

import mlekit.web as mw
from mlekit.web import _server

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_is_loopback() -> None:
    for h in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"):
        assert _server.is_loopback(h), h
    for h in ("0.0.0.0", "::", "192.168.1.5", "example.org", ""):
        assert not _server.is_loopback(h), h


def test_a_non_loopback_host_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    class StopError(Exception):
        pass

    def no_bind(host: str, port: int) -> Any:  # never expose a port from the test suite
        raise StopError

    monkeypatch.setattr(_server, "_bind", no_bind)
    with pytest.warns(mw.ExposedServerWarning, match="other machines"), pytest.raises(StopError):
        mw.serve(host="10.11.12.13", open_browser=False)
    with pytest.raises(StopError):
        mw.serve(host="127.0.0.1", open_browser=False)  # no warning: filterwarnings=error


def test_bad_port_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"0\.\.65535"):
        mw.start(port=70000)


def test_importing_mlekit_does_not_import_the_web_stack() -> None:
    code = ("import sys, mlekit, mlekit.web; "
            "print(any(m in sys.modules for m in ('fastapi', 'uvicorn', 'starlette', 'plotly')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": SRC}, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_serve_prints_its_url_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    code = "import mlekit.web as w; w.serve(port=0, open_browser=False)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": SRC, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("mlekit explorer running at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split()[0]
        with httpx.Client(base_url=url, timeout=120) as c:
            for _ in range(200):
                try:
                    if c.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            r = c.post("/api/fit", json={"values": [2.3, 1.9, 2.5, 2.8, 1.7], "family": "normal"})
            assert r.status_code == 200, r.text
            assert r.json()["fit"]["params"]["mu"] == pytest.approx(2.24, rel=1e-12)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "stopped" in err
        assert "Traceback" not in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.fixture()
def small_server() -> Iterator[Any]:
    srv = mw.start(max_upload_mb=0.001, fit_workers=1, max_jobs=1)
    try:
        yield srv
    finally:
        srv.stop()


def test_upload_limit(small_server: Any) -> None:
    with httpx.Client(base_url=small_server.url, timeout=60) as c:
        big = b"x\n" + b"1.5\n" * 2000
        r = c.post("/api/datasets", params={"filename": "big.csv"}, content=big)
        assert r.status_code == 413
        err = r.json()["error"]
        assert err["type"] == "TooLarge" and "limit of 0.001 MB" in err["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            for _ in range(40):
                yield b"1.5\n" * 50

        r = c.post("/api/datasets", params={"filename": "big.csv"}, content=chunks())
        assert r.status_code == 413 and r.json()["error"]["type"] == "TooLarge"
        r = c.post("/api/fit", json={"values": [1.0] * 2000, "family": "normal"})
        assert r.status_code == 413
        assert c.post("/api/datasets", params={"filename": "ok.csv"}, content=b"x\n1\n2\n").status_code == 201
        assert c.get("/api/health").json()["max_upload_mb"] == 0.001


def test_job_timeout(rng: np.random.Generator) -> None:
    with mw.start(job_timeout=0.3, max_jobs=1) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        vals = np.round(rng.weibull(1.5, 300_000) + 0.01, 5).tolist()  # takes seconds
        r = c.post("/api/jobs", json={"values": vals, "families": "all"})
        assert r.status_code == 202, r.text
        jid = r.json()["id"]
        end = time.time() + 60
        while time.time() < end:
            job = c.get(f"/api/jobs/{jid}").json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.05)
        assert job["status"] == "error" and job["error"]["type"] == "Timeout", job
        assert "0.3 s" in job["error"]["message"]
        assert c.get("/api/health").status_code == 200


def test_uploads_leave_no_files_and_the_temp_folder_goes_at_shutdown() -> None:
    srv = mw.start()
    try:
        store = srv.app.state.store
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            assert c.post("/api/datasets", content=b"x\n1\n2\n3\n").status_code == 201
            assert c.post("/api/datasets", content=b"a,b\n1,2\n3\n4,5,6\n").status_code == 422
        tmp = store.temp_dir
        assert tmp.is_dir() and tmp.name.startswith("mlekit-web-")
        assert list(tmp.iterdir()) == []  # each upload is deleted once read
    finally:
        srv.stop()
    assert not tmp.exists()


def test_a_dead_worker_is_replaced() -> None:
    from concurrent.futures.process import BrokenProcessPool

    from mlekit.web._compute import fit_payload
    from mlekit.web._jobs import Workers

    w = Workers(fit_workers=1, max_jobs=1)
    try:
        fut = w.submit_fit(os._exit, 3)  # a worker that dies, as on running out of memory
        with pytest.raises(BrokenProcessPool) as info:
            fut.result(timeout=60)
        w.pool_broken(info.value)
        out = w.submit_fit(fit_payload, {"values": [2.3, 1.9, 2.5, 2.8, 1.7], "family": "normal"})
        assert out.result(timeout=60)["fit"]["params"]["mu"] == pytest.approx(2.24)
    finally:
        w.close()
