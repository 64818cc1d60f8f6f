"""A report a user can send to someone else: one self-contained HTML file.

``res.report("report.html")``, ``cmp.report("report.html")`` or
``mlekit report data.csv -c hours --observed failed -f weibull -o report.html``. The file holds
the data summary, the fit (or the comparison table and the chosen fit), the estimates with
their intervals, the derived quantities asked for, goodness of fit, the diagnostic panel, the
warnings in plain words, and the command or code and the versions that reproduce it. A
regression (``mk.regress(...).report()``) gets its coefficient table instead of the estimates
(z, p-values, exp(coef) effects, the LR test against the intercept-only model; see
``_regreport``) and no goodness-of-fit section.

Self-contained: styles inline, plots as inline SVG, no script and no link to the network, so
it opens offline in any browser and prints on A4 (plots do not split across pages).
Every simulated number (GOF p-values, bootstrap intervals) uses a fixed, printed seed.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import math
import os
import platform
import re
from collections.abc import Sequence
from typing import Any

from .._core.numformat import decimals_for, fixed
from ..errors import ParameterError

__all__ = ["report", "render_report"]

SECTIONS = ("data", "fit", "estimates", "derived", "gof", "diagnostics", "warnings", "reproduce")

_CSS = """
:root { --ink:#1d2330; --muted:#5b6474; --line:#d9dde5; --warn:#a5370f; --accent:#1f5fa8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 980px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; padding-bottom: .2rem;
     border-bottom: 2px solid var(--line); }
.sub { color: var(--muted); margin: 0 0 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid var(--line); text-align: right; }
th { background: #f3f5f8; font-weight: 600; }
th:first-child, td:first-child, td.text { text-align: left; }
tr.best td { font-weight: 600; background: #eef5ff; }
tr.flag td { color: var(--muted); }
.note { color: var(--muted); font-size: .92rem; }
ul.warnings li { color: var(--warn); margin: .2rem 0; }
ul.ok li { color: #256b35; }
figure { margin: .5rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
pre { background: #f6f7f9; border: 1px solid var(--line); padding: .7rem; overflow-x: auto;
      font-size: .88rem; white-space: pre-wrap; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, pre { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(v: Any) -> str:
    return html.escape(str(v), quote=False)


def _num(v: Any, digits: int = 6) -> str:
    if v is None:
        return "—"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _e(v)
    if math.isnan(f):
        return "—"
    if math.isinf(f):
        return "∞" if f > 0 else "−∞"
    return f"{f:.{digits}g}"


def _svg(fig: Any) -> str:
    """A matplotlib figure as inline SVG (text kept as text: small, sharp, searchable)."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mlekit-report"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)
    return text


def _figure(obj: Any, caption: str, draw: Any = None) -> str:
    import matplotlib

    matplotlib.use("Agg")
    try:
        fig = draw(obj) if draw is not None else obj.plot()
        fig = getattr(fig, "figure", fig)
        return f"<figure>{_svg(fig)}<figcaption>{_e(caption)}</figcaption></figure>"
    except Exception as exc:   # a plot that cannot be drawn must not lose the report
        return f"<p class='note'>The plot could not be drawn ({_e(type(exc).__name__)}: {_e(exc)}).</p>"


def _residual_plot(res: Any) -> Any:
    from ._residuals import residuals

    return residuals(res)


# ---------------------------------------------------------------------------- sections
def _data_section(res: Any, data_label: str | None) -> str:
    import numpy as np

    d = res.data
    rows = []
    if d is None:
        rows.append(("observations", f"{res.n_obs:g}"))
    else:
        rows.append(("observations", f"{d.n_obs:g}" + (f" ({d.n_rows} weighted rows)"
                                                        if d.has_weights else "")))
        for kind, label in (("exact", "seen exactly"), ("left", "left-censored (upper bounds)"),
                            ("right", "right-censored (lower bounds, e.g. still running)"),
                            ("interval", "interval-censored")):
            c = d.count(kind)
            if c:
                rows.append((label, f"{c:g}"))
        pts = np.asarray(d.all_points(), dtype=float)
        pts = pts[np.isfinite(pts)]
        if pts.size:
            rows.append(("range of the values", f"{_num(pts.min())} to {_num(pts.max())}"))
            rows.append(("median of the values", _num(float(np.median(pts)))))
        ex = np.asarray(d.exact.x, dtype=float) if d.exact.size else np.empty(0)
        if ex.size:
            rows.append(("mean of the exact values", _num(float(ex.mean()))))
        if d.truncation is not None:
            rows.append(("truncated to", f"[{_num(d.truncation[0])}, {_num(d.truncation[1])}]"))
        elif d.row_truncated:
            rows.append(("truncated", "per row (each row's own window)"))
        if d.n_dropped:
            rows.append(("rows dropped (missing values)", f"{d.n_dropped}"))
    kv = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    head = f"<p>{_e(data_label)}</p>" if data_label else ""
    return f"<section id='data'><h2>Data</h2>{head}<dl class='kv'>{kv}</dl></section>"


def _fit_section(res: Any) -> str:
    status = "converged" if res.converged else "<b>did NOT converge</b>"
    rows = [("family", f"{_e(type(res.dist).__name__)} (<code>{_e(res.family)}</code>)"),
            ("estimation", f"{_e(res.method)}" + (f", {res.iterations} iterations"
                                                  if res.iterations else "") + f"; {status}"),
            ("log-likelihood", _num(res.loglik, 10)),
            ("AIC / AICc / BIC", f"{_num(res.aic, 8)} / {_num(res.aicc, 8)} / {_num(res.bic, 8)}"),
            ("free parameters", f"{res.n_params}")]
    kv = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f"<section id='fit'><h2>Fit</h2><dl class='kv'>{kv}</dl></section>"


def _compare_section(cmp: Any) -> str:
    t = cmp.table
    cols = [c for c in ("k", "loglik", "aic", "delta_aic", "weight", "bic", "gof_p") if c in t]
    heads = {"k": "k", "loglik": "log-lik", "aic": "AIC", "delta_aic": "ΔAIC",
             "weight": "Akaike weight", "bic": "BIC", "gof_p": "GOF p"}
    body = []
    floor = getattr(cmp, "gof_floor", None)
    for i, (fam, row) in enumerate(t.iterrows()):
        cells = []
        for c in cols:
            v = row[c]
            if c == "weight":
                cells.append(f"{float(v):.3f}")
            elif c == "delta_aic":
                cells.append(f"{float(v):.2f}")
            elif c == "gof_p":
                fv = float(v)
                cells.append("—" if math.isnan(fv) else
                             (f"≤ {floor:.2g}" if floor and fv <= floor * (1 + 1e-9) else f"{fv:.2f}"))
            else:
                cells.append(fixed(v, 0) if c == "k" else fixed(v, decimals_for(t[c].tolist(), 6)))
        flag = str(row.get("caution", "") or "")
        cls = "best" if i == 0 else ("flag" if flag or not row.get("converged", True) else "")
        mark = " (!)" if flag else ("" if row.get("converged", True) else " (not converged)")
        body.append(f"<tr class='{cls}'><td>{_e(fam)}{mark}</td>"
                    + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "<tr><th>family</th>" + "".join(f"<th>{_e(heads[c])}</th>" for c in cols) + "</tr>"
    notes = []
    for fam, row in t.iterrows():
        if row.get("caution"):
            notes.append(f"<li>{_e(fam)} is ranked after the regular fits: {_e(row['caution'])}.</li>")
    for fam, why in cmp.failed.items():
        notes.append(f"<li>{_e(fam)} could not be fitted: {_e(why)}</li>")
    if cmp.skipped:
        notes.append(f"<li>not tried (their support does not hold the data): "
                     f"{_e(', '.join(cmp.skipped))}</li>")
    gof = ""
    if getattr(cmp, "gof_n_boot", None):
        gof = (f"<p class='note'>GOF p: Anderson–Darling test, {cmp.gof_n_boot} parametric-bootstrap "
               f"refits per family, seed {_e(cmp.gof_seed)}; “≤ {cmp.gof_floor:.2g}” is the smallest "
               "p-value that many refits can show; “—”: not computed.</p>")
    return (f"<section id='compare'><h2>Model comparison</h2><p>{len(cmp.fits)} families ranked by "
            f"{_e(cmp.criterion.upper())}; the best is <b>{_e(cmp.best.family)}</b>, described "
            f"below.</p><table>{head}{''.join(body)}</table>{gof}"
            + (f"<ul class='warnings'>{''.join(notes)}</ul>" if notes else "")
            + _figure(cmp, "The candidate families over the data.") + "</section>")


def _estimates_section(res: Any, level: float, ci: str, ci_options: dict[str, Any]) -> str:
    s = res.summary(level=level, ci=ci) if not ci_options else None
    if s is not None:
        cis = s.ci
    else:
        cis = res.ci(level=level, method=ci, **ci_options)
    body = []
    for p, v in res.params.items():
        if p in res.fixed:
            body.append(f"<tr><td>{_e(p)}</td><td>{_num(v)}</td><td class='text' colspan='2'>"
                        "held fixed</td></tr>")
            continue
        lo, hi = cis[p]
        d = decimals_for([v], 6)
        body.append(f"<tr><td>{_e(p)}</td><td>{fixed(v, d)}</td><td>{fixed(res.se[p], d)}</td>"
                    f"<td>{fixed(lo, d)} … {fixed(hi, d)}</td></tr>")
    how = {"wald": "Wald (estimate ± z·SE)", "wald-log": "Wald on the log scale",
           "profile": "profile likelihood", "bootstrap": "parametric bootstrap"}.get(ci, ci)
    if ci == "bootstrap":
        how += (f", {ci_options.get('n_boot', 2000)} refits, seed "
                f"{ci_options.get('rng', 0)}")
    return (f"<section id='estimates'><h2>Estimates</h2><table><tr><th>parameter</th>"
            f"<th>estimate</th><th>std. error</th><th>{level * 100:g}% interval</th></tr>"
            f"{''.join(body)}</table><p class='note'>Intervals: {_e(how)}.</p></section>")


def _derived_section(res: Any, asks: Sequence[Any], level: float) -> str:
    if not asks:
        return ""
    body = []
    for ask in asks:
        kind, arg = ("derived", ask) if isinstance(ask, str) else ask
        a = f"{arg:g}" if isinstance(arg, (int, float)) else str(arg)
        label = {"derived": a, "quantile": f"quantile({a})", "sf": f"S({a}) = P(X > {a})",
                 "cdf": f"F({a}) = P(X ≤ {a})"}.get(kind, f"{kind}({a})")
        try:
            q = getattr(res, kind)(arg, level=level)
            lo, hi = q.ci
            d = decimals_for([q.estimate], 6)
            body.append(f"<tr><td>{_e(label)}</td><td>{fixed(q.estimate, d)}</td>"
                        f"<td>{fixed(q.se, d)}</td><td>{fixed(lo, d)} … {fixed(hi, d)}</td>"
                        f"<td class='text'>{_e(q.method)}</td></tr>")
        except Exception as exc:
            body.append(f"<tr><td>{_e(label)}</td><td class='text' colspan='4'>not available: "
                        f"{_e(exc)}</td></tr>")
    return (f"<section id='derived'><h2>Derived quantities</h2><table><tr><th>quantity</th>"
            f"<th>estimate</th><th>std. error</th><th>{level * 100:g}% interval</th>"
            f"<th>method</th></tr>{''.join(body)}</table></section>")


def _gof_section(res: Any, n_boot: int, seed: int) -> str:
    from .._api.gof import gof

    names = {"ks": "Kolmogorov–Smirnov", "ad": "Anderson–Darling", "cvm": "Cramér–von Mises",
             "chi2": "chi-squared"}
    try:
        g = gof(res, n_boot=n_boot, rng=seed, quiet=True)
    except Exception as exc:
        return (f"<section id='gof'><h2>Goodness of fit</h2><p class='note'>Not available: "
                f"{_e(exc)}</p></section>")
    floor = 1.0 / (n_boot + 1)
    body = "".join(
        f"<tr><td>{_e(names.get(k, k))}</td><td>{_num(t.statistic)}</td><td>"
        + (f"≤ {floor:.2g}" if t.p_value <= floor * (1 + 1e-9) else
           ("—" if math.isnan(t.p_value) else f"{t.p_value:.2f}"))
        + "</td></tr>" for k, t in g.items())
    worst = g.p_min
    verdict = ("The data are consistent with the fitted family (no test rejects it at 5%)."
               if worst >= 0.05 else
               "At least one test rejects the fitted family at 5%: look at the diagnostic plots.")
    return (f"<section id='gof'><h2>Goodness of fit</h2><table><tr><th>test</th><th>statistic</th>"
            f"<th>p-value</th></tr>{body}</table><p>{_e(verdict)}</p><p class='note'>p-values by "
            f"parametric bootstrap: {g.n_boot} refits, seed {seed}; compared with the {_e(g.npmle)}."
            "</p></section>")


def _warnings_section(res: Any, extra: Sequence[str], words: Any) -> str:
    msgs = [words(d.message) for d in res.diagnostics] + [words(m) for m in extra]
    msgs = list(dict.fromkeys(m for m in msgs if m))
    if not msgs:
        return ("<section id='warnings'><h2>Warnings</h2><ul class='ok'><li>None: the fit "
                "converged, no estimate is on the edge of its range, and the sample is large "
                "enough for the intervals shown.</li></ul></section>")
    items = "".join(f"<li>{_e(m[0].upper() + m[1:])}</li>" for m in msgs)
    return f"<section id='warnings'><h2>Warnings</h2><ul class='warnings'>{items}</ul></section>"


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"mlekit": "?", "python": platform.python_version()}
    for pkg in ("mlekit", "numpy", "scipy", "matplotlib", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    if out["mlekit"] == "?":
        from .. import __version__

        out["mlekit"] = __version__
    return out


def _reproduce_section(command: str | None, code: str | None) -> str:
    v = _versions()
    parts = []
    if command:
        parts.append(f"<p>Command:</p><pre>{_e(command)}</pre>")
    if code:
        parts.append(f"<p>Python:</p><pre>{_e(code)}</pre>")
    vers = ", ".join(f"{k} {val}" for k, val in v.items())
    made = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<section id='reproduce'><h2>How to reproduce</h2>{''.join(parts)}"
            f"<p class='note'>Made {made} with {_e(vers)} on {_e(platform.system())}.</p></section>")


def _python_code(res: Any, level: float, ci: str, asks: Sequence[Any], compared: Any) -> str:
    lines = ["import mlekit as mk", "", "data = ...   # the data summarised above (e.g. "
             "mk.Data.right_censored(hours, observed=failed))"]
    if compared is not None:
        fams = list(compared.fits) + list(compared.failed)
        lines.append(f"cmp = mk.compare(data, {fams!r}, criterion={compared.criterion!r})")
        lines.append(f"res = cmp[{res.family!r}]")
    else:
        fixed = f", fixed={dict(res.fixed)!r}" if res.fixed else ""
        lines.append(f"res = mk.fit(data, {res.family!r}{fixed})")
    lines.append(f"res.ci(level={level!r}, method={ci!r})")
    for ask in asks:
        kind, arg = ("derived", ask) if isinstance(ask, str) else ask
        lines.append(f"res.{kind}({arg!r}, level={level!r})")
    lines.append("mk.gof(res, n_boot=99, rng=0)")
    lines.append('res.report("report.html")')
    return "\n".join(lines)


# ---------------------------------------------------------------------------- entry
def render_report(obj: Any, *, level: float = 0.95, ci: str = "wald",
                  ci_options: dict[str, Any] | None = None, derived: Sequence[Any] = (),
                  gof_n_boot: int = 99, seed: int = 0, title: str | None = None,
                  data_label: str | None = None, command: str | None = None,
                  words: str = "python") -> str:
    """The report's HTML text for a :class:`FitResult` or a :class:`Comparison`."""
    from .._api.words import for_cli

    # by shape, not isinstance: FitResult.report() calls this module (no import cycle)
    compared = obj if all(hasattr(obj, a) for a in ("fits", "table", "best")) else None
    res = compared.best if compared is not None else obj
    if not all(hasattr(res, a) for a in ("params", "dist", "diagnostics", "summary")):
        raise ParameterError(f"report needs a fit result or a comparison; got {type(obj).__name__}.")
    say = for_cli if words == "cli" else (lambda m: m)
    ci_options = dict(ci_options or {})
    fam = type(res.dist).__name__
    name = title or (f"{fam} fit" if compared is None else f"Model comparison: {fam} is best")
    dname = getattr(res.data, "name", None)
    about = data_label or (f"data: {dname}" if dname else "")
    code = _python_code(res, level, ci, derived, compared)
    from ._regreport import coefficients_section, is_regression, regression_code

    regression = compared is None and is_regression(res)
    if regression:
        code = regression_code(res, level, ci)
    body = [
        f"<header><h1>{_e(name)}</h1><p class='sub'>mlekit report"
        + (f" · {_e(about)}" if about else "") + "</p></header>",
        _data_section(res, data_label),
        _compare_section(compared) if compared is not None else "",
        _fit_section(res),
        coefficients_section(res, level, ci) if regression else
        _estimates_section(res, level, ci, ci_options),
        _derived_section(res, derived, level),
        _gof_section(res, gof_n_boot, seed) if res.likelihood is not None and not regression
        else "",
        "<section id='diagnostics'><h2>Diagnostic plots</h2>"
        + (_figure(res, "Residuals against the linear predictor, a normal Q–Q plot of the "
                        "randomised quantile residuals, scale-location, and residuals against "
                        "leverage with Cook's distance contours.", draw=_residual_plot)
           if regression else
           _figure(res, "Density, Q–Q, P–P and distribution (or survival) function: the points "
                        "should follow the fitted curve and the diagonals.")) + "</section>",
        _warnings_section(res, [], say),
        _reproduce_section(command, code),
    ]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">"
            f"<title>{_e(name)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(b for b in body if b) + "</body></html>\n")


def report(obj: Any, path: Any = None, **options: Any) -> str:
    """Write the report of ``obj`` (a fit or a comparison) to ``path`` (when given); returns the
    HTML text. Options: ``level``, ``ci``, ``ci_options``, ``derived`` (names such as ``"mean"``
    or pairs such as ``("quantile", 0.1)``, ``("sf", 1000)``), ``gof_n_boot``, ``seed``,
    ``title``, ``data_label``, ``command``."""
    from .._core.keywords import check_keywords, keywords_of

    check_keywords("report", options, keywords_of(render_report, 1))
    if path is not None and os.path.isdir(path):
        raise ParameterError(f"path must name a file to write the report to; got the directory "
                             f"{str(path)!r}. Hint: add a file name, e.g. "
                             f"{os.path.join(str(path), 'report.html')!r}.")
    text = render_report(obj, **options)
    if path is not None:
        from pathlib import Path

        Path(path).write_text(text, encoding="utf-8")
    return text
