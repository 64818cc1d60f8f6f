"""One look for the notebook views (``_repr_html_``) of FitResult, Comparison and
GroupedResult: a title line, key facts, a compact table with aligned numbers, and notes
(warnings in red). Plain HTML with inline styles: notebooks strip style sheets."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

__all__ = ["view"]

_BOX = ("font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-size: 13px; "
        "line-height: 1.45; color: #1d2330; max-width: 60em")
_TABLE = "border-collapse: collapse; margin: .35em 0; font-variant-numeric: tabular-nums"
_TH = "padding: .2em .7em; border-bottom: 1px solid #9aa3b2; font-weight: 600; text-align: {a}"
_TD = "padding: .15em .7em; border-bottom: 1px solid #e3e6ec; text-align: {a}"


def view(kind: str, title: str, facts: Sequence[str], headers: Sequence[str],
         rows: Sequence[Sequence[Any]], notes: Sequence[tuple[str, str]] = (),
         highlight_first: bool = False) -> str:
    """``kind``: "fit", "compare" or "grouped" (a CSS class hook); ``rows``: cells as text
    (the first column is left-aligned, the rest right-aligned); ``notes``: (severity, text)."""
    e = html.escape
    head = "".join(f"<th style='{_TH.format(a='left' if i == 0 else 'right')}'>{e(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        strong = " font-weight: 600; background: #eef5ff;" if highlight_first and r == 0 else ""
        body.append("<tr>" + "".join(
            f"<td style='{_TD.format(a='left' if i == 0 else 'right')};{strong}'>{e(str(c))}</td>"
            for i, c in enumerate(row)) + "</tr>")
    fact = " · ".join(e(f) for f in facts)
    items = "".join(
        f"<li style='color: {'#a5370f' if sev == 'warning' else '#5b6474'}'>{e(msg)}</li>"
        for sev, msg in notes)
    return (f"<div class='mlekit mlekit-{e(kind)}' style=\"{_BOX}\">"
            f"<div style='font-weight: 600; font-size: 1.05em'>{e(title)}</div>"
            + (f"<div style='color: #5b6474'>{fact}</div>" if fact else "")
            + f"<table style='{_TABLE}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}"
            "</tbody></table>"
            + (f"<ul style='margin: .2em 0 0 1.2em; padding: 0'>{items}</ul>" if items else "")
            + "</div>")
