"""The HTML report opened in Debian's Chromium: no console errors, no request leaves the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import mlekit as mk

pytestmark = pytest.mark.browser


def test_report_opens_offline_without_errors(ui: Any, tmp_path: Path, artifacts: Path) -> None:
    page = ui                              # no console error (conftest.py's ui checks)
    res = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")
    path = tmp_path / "report.html"
    res.report(path, derived=[("quantile", 0.1)])
    cmp_path = tmp_path / "compare.html"
    mk.compare(mk.datasets.five_points(), quiet=True).report(cmp_path)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for p, shot in ((path, "report_fit.png"), (cmp_path, "report_compare.png")):
        page.goto(p.as_uri())
        assert page.locator("section#diagnostics svg").count() == 1
        assert page.locator("h1").inner_text()
        page.screenshot(path=str(artifacts / shot), full_page=True)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    assert [u for u in requests if not u.startswith("file://")] == []
