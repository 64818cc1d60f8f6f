"""The report's coefficient section for a regression (``mk.regress(...).report(...)``): per
coefficient the estimate, SE, z, p-value, interval and exp(coef) with its meaning, the LR test
against the intercept-only model, and the Python lines that reproduce the fit."""

from __future__ import annotations

import html
import math
from typing import Any

from .._core.numformat import pvalue_text

__all__ = ["is_regression", "coefficients_section", "regression_code"]


def is_regression(res: Any) -> bool:
    return callable(getattr(res, "tests", None)) and getattr(res, "model", None) is not None


def _e(v: Any) -> str:
    return html.escape(str(v), quote=False)


def _n(v: float) -> str:
    if v is None or math.isnan(v):
        return "—"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.6g}"


def coefficients_section(res: Any, level: float, ci: str) -> str:
    s = res.summary(level=level, ci=ci if ci in ("wald", "profile") else "wald")
    body = []
    multi = len({x["block"] for x in s.rows}) > 1
    block = None
    for x in s.rows:
        if multi and x["block"] != block:
            block = x["block"]
            what = "shared parameters" if block == "shared" else f"{block} ({x['link']} link)"
            body.append(f"<tr><td class='text' colspan='8'><b>{_e(what)}</b></td></tr>")
        exp = (f"<td>{_n(x['exp_estimate'])}</td><td>{_n(x['exp_ci_low'])} … "
               f"{_n(x['exp_ci_high'])}</td><td class='text'>{_e(x['effect'])}</td>"
               if x["effect"] else "<td></td><td></td><td></td>")
        z = "" if math.isnan(x["z"]) else f"{x['z']:.2f}"
        p = "" if math.isnan(x["p_value"]) else _e(pvalue_text(x["p_value"]))
        body.append(f"<tr><td>{_e(x['name'])}</td><td>{_n(x['estimate'])}</td>"
                    f"<td>{_n(x['se'])}</td><td>{z}</td><td>{p}</td>"
                    f"<td>{_n(x['ci_low'])} … {_n(x['ci_high'])}</td>{exp}</tr>")
    how = "profile likelihood" if s.ci_method == "profile" else "Wald (estimate ± z·SE)"
    return (f"<section id='coefficients'><h2>Coefficients</h2><p>{_e(s._title())}</p>"
            f"<p class='note'>{_e(' · '.join(s._facts()))}</p>"
            "<table><tr><th>coefficient</th><th>estimate</th><th>std. error</th><th>z</th>"
            f"<th>p-value</th><th>{level * 100:g}% interval</th><th>exp(coef)</th>"
            f"<th>its interval</th><th>meaning</th></tr>{''.join(body)}</table>"
            f"<p class='note'>Intervals: {_e(how)}; z and p-values: Wald. exp(coef) is the "
            "multiplicative effect of a one-unit change on the natural scale (a rate, odds, "
            "time or hazard ratio).</p></section>")


def regression_code(res: Any, level: float, ci: str) -> str:
    o = res.options
    extra = ""
    if o.get("formulas"):
        extra = f", formulas={dict(o['formulas'])!r}"
    return "\n".join([
        "import mlekit as mk", "",
        "df = ...   # the data frame the model was fitted to",
        f"res = mk.regress({o.get('formula')!r}, df, {o.get('family')!r}{extra})",
        f"print(res.summary(level={level!r}, ci={ci!r}))",
        f"res.tests(level={level!r})",
        'res.report("report.html")'])
