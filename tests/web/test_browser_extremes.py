"""The extreme-value page in Debian's Chromium (Playwright): it opens from a link, fits the
example, the return-period slider moves the level (equal to ``mk.fit(x, "gev").return_level(T)``
to 1e-9), works from the keyboard, round-trips pasted maxima through the link, fits a 375-px
phone screen, and logs no console error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mlekit as mk

pytestmark = [pytest.mark.browser, pytest.mark.console_allows(422)]

Page = Any  # playwright.sync_api.Page


@pytest.fixture(scope="module")
def pirie_fit() -> Any:
    return mk.fit(mk.datasets.portpirie()["sea_level"].to_numpy(dtype=float), "gev")


def _open(page: Page, query: str = "?page=extremes") -> None:
    page.goto("/" + query)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("body[data-extremes=fitted]")
    page.wait_for_selector("#ext-plot .main-svg")


def _shown(page: Page) -> tuple[float, float, list[Any]]:
    """(T, level, [lower, upper]) as the page shows them (full precision attributes)."""
    T = float(page.get_attribute("#ext-level", "data-period"))
    level = float(page.get_attribute("#ext-level", "data-value"))
    ci = json.loads(page.get_attribute("#ext-ci", "data-value"))
    return T, level, ci


def _wait_T(page: Page, T: float) -> None:
    page.wait_for_function("T => +document.getElementById('ext-level').dataset.period === T", arg=T)


def _check(fit: Any, T: float, level: float, ci: list[Any]) -> None:
    d = fit.return_level(T)
    assert level == pytest.approx(d.estimate, rel=1e-9)
    assert ci[0] == pytest.approx(d.ci[0], rel=1e-9)
    assert ci[1] == pytest.approx(d.ci[1], rel=1e-9)


def test_the_link_opens_the_page_and_fits_the_example(ui: Page, pirie_fit: Any,
                                                      artifacts: Path) -> None:
    _open(ui, "?page=extremes&T=100")
    assert ui.get_attribute("body", "data-tab") == "extremes"
    T, level, ci = _shown(ui)
    assert T == 100
    _check(pirie_fit, T, level, ci)
    rows = ui.locator("#ext-params tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["loc", "scale", "shape"]
    assert "3.8747" in rows[0]   # Coles (2001): 3.87
    assert "invariance property" in ui.inner_text("#tab-extremes")
    # the plot: band, curve, data points and the T marker, on a log x axis
    names = ui.evaluate("() => document.getElementById('ext-plot').data.map(t => t.name)")
    assert "95% profile interval" in names and "data (empirical periods)" in names
    assert ui.evaluate("() => document.getElementById('ext-plot').layout.xaxis.type") == "log"
    assert 'mk.fit(x, "gev")' in ui.inner_text("#ext-code")
    ui.screenshot(path=str(artifacts / "web-extremes.png"), full_page=True)


def test_the_slider_moves_the_level_and_the_link(ui: Page, pirie_fit: Any) -> None:
    _open(ui, "?page=extremes&T=100")
    slider = ui.locator("#ext-T")
    slider.focus()
    ui.keyboard.press("ArrowRight")               # keyboard access: the next period, 150
    _wait_T(ui, 150)
    T, level, ci = _shown(ui)
    _check(pirie_fit, T, level, ci)
    assert "T=150" in ui.url and "page=extremes" in ui.url
    marker = ui.evaluate("() => document.getElementById('ext-plot').data[4].y")
    assert marker[1] == pytest.approx(level, rel=1e-12)
    ui.keyboard.press("End")
    _wait_T(ui, 1000)
    T2, level2, ci2 = _shown(ui)
    _check(pirie_fit, T2, level2, ci2)
    assert level2 > level and ci2[1] - ci2[0] > ci[1] - ci[0]   # wider further out
    ui.keyboard.press("Home")
    _wait_T(ui, 2)
    _check(pirie_fit, *_shown(ui))
    # a period off the slider's list, typed (Tab moves to the box) and computed by the server
    ui.keyboard.press("Tab")
    assert ui.evaluate("() => document.activeElement.id") == "ext-T-input"
    ui.keyboard.press("Control+a")
    ui.keyboard.type("37.5")
    ui.keyboard.press("Enter")
    _wait_T(ui, 37.5)
    _check(pirie_fit, *_shown(ui))


def test_pasted_maxima_round_trip_through_the_link(ui: Page, rng: np.random.Generator) -> None:
    x = np.round(mk.GEV(loc=30.0, scale=5.0, shape=0.1).sample(40, rng=rng), 2)
    _open(ui)
    ui.fill("#ext-text", " ".join(f"{v:g}" for v in x))
    ui.click("#ext-fit-btn")
    ui.wait_for_function("() => document.getElementById('ext-info').textContent.includes('40 maxima')")
    ui.wait_for_function("() => location.search.includes('maxima=')")
    fit = mk.fit(x, "gev")
    T, level, ci = _shown(ui)
    _check(fit, T, level, ci)
    link = ui.url
    ui.goto("about:blank")
    ui.goto(link)
    ui.wait_for_selector("body[data-extremes=fitted]")
    ui.wait_for_function("() => document.getElementById('ext-info').textContent.includes('40 maxima')")
    assert _shown(ui)[1] == pytest.approx(level, rel=1e-12)
    assert ui.input_value("#ext-text").split() == [f"{v:g}" for v in x]


def test_bad_maxima_show_the_error_and_clear_the_old_fit(ui: Page) -> None:
    _open(ui)
    ui.fill("#ext-text", "1.2 2.5 three")
    ui.click("#ext-fit-btn")
    ui.wait_for_selector("#ext-error:not([hidden])")
    assert "three" in ui.inner_text("#ext-error")
    assert ui.inner_text("#ext-level") == "—"
    assert ui.locator("#ext-params tbody tr").count() == 0
    ui.click("#ext-example-btn")
    ui.wait_for_selector("#ext-error", state="hidden")
    ui.wait_for_function("() => document.getElementById('ext-params').rows.length === 4")


def test_phone_layout(ui: Page, pirie_fit: Any, artifacts: Path) -> None:
    ui.set_viewport_size({"width": 375, "height": 800})
    _open(ui, "?page=extremes&T=50")
    width = ui.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone: {width} px wide"
    for sel in ("#ext-T", "#ext-T-input", "#ext-plot", "#ext-params", "#tabbtn-extremes"):
        box = ui.locator(sel).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, (sel, box)
    _check(pirie_fit, *_shown(ui))
    ui.screenshot(path=str(artifacts / "web-extremes-phone.png"), full_page=True)
