"""Fixtures for the explorer's tests: a live server on 127.0.0.1, an httpx client, and
Playwright driving Debian's Chromium (never a downloaded browser), its console watched (``ui``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

import httpx

import mlekit.web as mw

CHROMIUM = os.environ.get("MLEKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def live_server() -> Iterator[Any]:
    """The explorer as users get it (uvicorn, worker processes), on a free loopback port."""
    srv = mw.start(job_timeout=120)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:  # overrides pytest-base-url's fixture
    return live_server.url.rstrip("/")


@pytest.fixture()
def client(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000},
            "accept_downloads": True}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "console_allows(*statuses): the browser may log these HTTP refusals of the API "
                   "(e.g. 422, 413 for bad input a test sends on purpose); any other error fails")


Page = Any  # playwright.sync_api.Page (imported lazily by pytest-playwright)


@pytest.fixture()
def ui(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The page with its console watched: any error (script, CSP, failed request) fails the
    test, except the API refusals a module allows with ``pytest.mark.console_allows(422, ...)``."""
    marker = request.node.get_closest_marker("console_allows")
    allowed = tuple(f"status of {s}" for s in (marker.args if marker else ()))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(60_000)
    yield page
    unexpected = [e for e in errors
                  if not ("Failed to load resource" in e and any(a in e for a in allowed))]
    assert unexpected == [], unexpected


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Browser tests skip without Chromium locally, and fail in CI (CI=true). A hook, not a
    fixture, so it runs before Playwright's session fixtures try to launch the browser."""
    if item.get_closest_marker("browser") is None:
        return
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return
    msg = (f"Chromium not found at {CHROMIUM}: apt-get install -y --no-install-recommends "
           "chromium (never `playwright install`)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg + " - browser tests must run in CI.")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
