"""What the explorer's API tests share (imported by the test modules of tests/web, which pytest
puts on sys.path): reading an error response, waiting for a job."""

from __future__ import annotations

import time
from typing import Any

import httpx


def api_error(r: httpx.Response, status: int = 422, type_: str | None = None) -> str:
    """The message of an error response, after checking its status, its shape
    (``{"error": {"message", "type"}}``) and, if given, its type."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    if type_ is not None:
        assert body["error"]["type"] == type_, body
    return str(body["error"]["message"])


def wait_job(client: httpx.Client, job_id: str, timeout: float = 120) -> dict[str, Any]:
    """Poll ``/api/jobs/{id}`` until the job is no longer queued or running."""
    end = time.time() + timeout
    while time.time() < end:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {timeout} s")
