"""The HTML report: one self-contained file (no network, inline SVG), its structure pinned."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import mlekit as mk
from mlekit.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("MLEKIT_UPDATE_GOLDEN") == "1"


class _Outline(HTMLParser):
    """Section ids, headings and table header rows: the report's skeleton."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._tag: str | None = None
        self._row: list[str] = []
        self.urls: list[str] = []
        self.svgs = 0
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.lines.append(f"section #{a.get('id')}")
        if tag in ("h1", "h2", "th"):
            self._tag = tag
        if tag == "svg":
            self.svgs += 1
        if tag == "script":
            self.scripts += 1
        for k in ("src", "href"):
            if a.get(k) and not str(a[k]).startswith(("#", "data:")):
                self.urls.append(str(a[k]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row:
            self.lines.append("  | " + " | ".join(self._row))
            self._row = []
        if tag == self._tag:
            self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag == "h2":
            self.lines.append(f"  {data.strip()}")
        elif self._tag == "th":
            self._row.append(data.strip())


def outline(text: str) -> _Outline:
    o = _Outline()
    o.feed(text)
    return o


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


@pytest.fixture(scope="module")
def bulbs() -> mk.FitResult:
    return mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")


def test_fit_report_structure(bulbs: mk.FitResult, tmp_path: Path) -> None:
    text = bulbs.report(tmp_path / "r.html", derived=["mean", ("quantile", 0.1), ("sf", 1000.0)])
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == text
    o = outline(text)
    assert o.urls == [] and o.scripts == 0 and o.svgs >= 1
    assert not re.search(r"(src|href)\s*=\s*['\"]https?:", text)
    _golden("report_fit_structure.txt", "\n".join(o.lines) + "\n")
    assert "seed 0" in text and "mk.fit(data, 'weibull')" in text
    assert "517.527" in text                     # B10 life, as the CLI prints it


def test_comparison_report_marks_flagged_fits(tmp_path: Path) -> None:
    cmp = mk.compare(mk.datasets.five_points(), "all", quiet=True)
    text = cmp.report()
    o = outline(text)
    assert "section #compare" in o.lines
    assert "uniform (!)" in text and "ranked after the regular fits" in text
    assert "the best is <b>weibull</b>" in text or f"<b>{cmp.best.family}</b>" in text


def test_report_is_deterministic(bulbs: mk.FitResult) -> None:
    strip = lambda t: re.sub(r"Made .*? UTC", "", t)  # noqa: E731
    assert strip(bulbs.report()) == strip(bulbs.report())


def test_report_rejects_unknown_options(bulbs: mk.FitResult) -> None:
    with pytest.raises(mk.ParameterError, match="did you mean derived="):
        bulbs.report(derive=["mean"])


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code = main(["report", "mlekit:lightbulbs", "-c", "hours", "--observed", "failed", "-f",
                 "weibull", "--quantile", "0.1", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "mlekit report mlekit:lightbulbs" in text and "quantile(0.1)" in text
    assert "ci(method=" not in text.split("id='warnings'")[1].split("</section>")[0]
    code = main(["report", "mlekit:five_points", "-o", str(tmp_path / "c.html")])
    assert code == 0 and "section #compare" in outline((tmp_path / "c.html").read_text()).lines


def test_notebook_views_share_one_style() -> None:
    res = mk.fit(mk.datasets.five_points(), "normal")
    cmp = mk.compare(mk.datasets.five_points(), gof=False)
    df = mk.datasets.defects()
    g = mk.fit(df["defects"].to_numpy(), "poisson", by=df["machine"].to_numpy())
    views = [res._repr_html_(), cmp._repr_html_(), g._repr_html_()]
    for v, kind in zip(views, ("fit", "compare", "grouped")):
        assert v.startswith(f"<div class='mlekit mlekit-{kind}'")
        assert "<pre>" not in v and "<table style=" in v


def test_a_directory_as_the_report_path_gets_a_named_error(tmp_path: Path) -> None:
    res = mk.fit([1.0, 2.0, 3.5, 4.0, 6.0], "weibull")
    with pytest.raises(mk.ParameterError, match=r"path must name a file .*got the directory .*"
                                                r"Hint: add a file name, e\.g\. .*report\.html"):
        res.report(path=tmp_path)
    out = tmp_path / "report.html"  # what the hint says works
    assert res.report(path=out) == out.read_text(encoding="utf-8")
