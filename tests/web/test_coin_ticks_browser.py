"""The coin's likelihood axis with many flips: readable scientific tick labels (a mantissa from
1 to 10, as "8e−59"), never plotly's shared-exponent "0.8e−58", and clear of the axis title."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Page = Any


def test_tiny_likelihood_ticks_are_readable(ui: Page) -> None:
    page = ui                              # no console error (conftest.py's ui checks)
    page.goto("/#coin")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#coin-plot .main-svg")
    for _ in range(100):                   # 7 + 100 heads, 3 + 100 tails: L(p̂) ~ 1e-63
        page.click("#coin-heads")
        page.click("#coin-tails")
    page.wait_for_function("() => document.getElementById('coin-counts').textContent"
                           ".startsWith('107 heads')")
    page.wait_for_timeout(200)
    labels = page.eval_on_selector_all("#coin-plot .ytick text", "ts => ts.map(t => t.textContent)")
    assert len(labels) >= 3, labels
    for lab in labels:
        text = lab.replace("−", "-")
        if text == "0":
            continue
        m = re.fullmatch(r"(\d(?:\.\d+)?)e-(\d+)", text)
        assert m, f"tick label {lab!r} is not readable scientific notation ({labels})"
        assert 1 <= float(m.group(1)) < 10
    ticks = page.eval_on_selector_all("#coin-plot .ytick text",
                                      "ts => ts.map(t => t.getBoundingClientRect().left)")
    title = page.eval_on_selector("#coin-plot .ytitle", "t => t.getBoundingClientRect().right")
    assert title <= min(ticks), (title, ticks)   # the title is left of every tick label
