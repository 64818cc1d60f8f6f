"""Screenshots of each explorer page for the docs (``docs/img/explorer-*.png``).

Every run drives each page to a state worth showing and checks that it rendered (its plots
drawn, no console error) and that the committed screenshot exists. With
``MLEKIT_UPDATE_SCREENSHOTS=1`` the screenshots are written again::

    MLEKIT_UPDATE_SCREENSHOTS=1 python -m pytest tests/web/test_screenshots.py
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import mlekit as mk

pytestmark = pytest.mark.browser

Page = Any  # playwright.sync_api.Page
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
UPDATE = os.environ.get("MLEKIT_UPDATE_SCREENSHOTS") == "1"
WIDTH, PHONE = 1280, 375


@pytest.fixture()
def ui(ui: Page) -> Page:
    """The watched page of conftest.py, with more time and the screenshots' width."""
    ui.set_default_timeout(90_000)
    ui.set_viewport_size({"width": WIDTH, "height": 860})
    return ui


def _ready(page: Page, url: str, tab: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("t => document.body.getAttribute('data-tab') === t", arg=tab)


def _playground(page: Page) -> None:
    _ready(page, "/#playground", "playground")
    page.wait_for_selector("#tab-playground .main-svg")


def _coin(page: Page) -> None:
    _ready(page, "/#coin", "coin")
    page.wait_for_selector("#tab-coin .main-svg")


def _data(page: Page) -> None:
    _ready(page, "/#data", "data")
    page.wait_for_selector("#data-families input", state="attached")
    page.fill("#data-text", mk.datasets.path("lightbulbs").read_text(encoding="utf-8"))
    page.click("#data-paste-btn")
    page.wait_for_selector("#data-setup:not([hidden])")
    page.uncheck("#data-all")
    for f in ("exponential", "weibull", "lognormal", "loglogistic"):
        page.check(f"#data-families input[value={f}]")
    page.click("#data-fit")
    page.wait_for_selector("#data-results:not([hidden])")
    page.wait_for_selector("#plot-density .main-svg")


def _extremes(page: Page) -> None:
    _ready(page, "/?page=extremes&T=100", "extremes")
    page.wait_for_selector("body[data-extremes=fitted]")
    page.wait_for_selector("#ext-plot .main-svg")


def _extremes_phone(page: Page) -> None:
    page.set_viewport_size({"width": PHONE, "height": 800})
    _extremes(page)


PAGES: dict[str, tuple[Callable[[Page], None], int]] = {
    "playground": (_playground, WIDTH), "coin": (_coin, WIDTH), "data": (_data, WIDTH),
    "extremes": (_extremes, WIDTH), "extremes-phone": (_extremes_phone, PHONE)}


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_renders_and_has_its_screenshot(ui: Page, name: str) -> None:
    drive, width = PAGES[name]
    drive(ui)
    ui.wait_for_timeout(300)   # let plotly finish its transitions before the picture
    out = DOCS_IMG / f"explorer-{name}.png"
    if UPDATE:
        DOCS_IMG.mkdir(exist_ok=True)
        ui.screenshot(path=str(out), full_page=True)
    assert out.exists(), (f"{out} is missing: regenerate with MLEKIT_UPDATE_SCREENSHOTS=1 "
                          "python -m pytest tests/web/test_screenshots.py")
    w, h = _png_size(out)
    assert w == width and h >= 600, (name, w, h)


def test_the_docs_show_every_screenshot() -> None:
    text = (DOCS_IMG.parent / "web.md").read_text(encoding="utf-8")
    for name in PAGES:
        assert f"img/explorer-{name}.png" in text, name
