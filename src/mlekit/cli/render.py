"""Rendering for the command line: rich tables for people, JSON and CSV for programs.

Imported by :mod:`mlekit.cli` inside its commands (it pulls in rich and the core).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from typing import Any

from .._core.checks import fmt
from .._fit.summary import Summary
from ._common import UserError, console, split

__all__ = ["summary_for", "derived_rows", "emit_fit", "grouped", "emit_compare",
           "default_candidates", "emit_families", "emit_datasets"]


def _console() -> Any:
    return console()


def _user_error(msg: str) -> Exception:
    return UserError(msg)


def _num(v: Any) -> Any:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    if math.isnan(f):
        return None
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f


def _dump_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


# ---------------------------------------------------------------------------- fit
def summary_for(res: Any, args: argparse.Namespace) -> Summary:
    """The summary with the requested interval method and level."""
    kw: dict[str, Any] = {}
    if args.n_boot is not None or args.seed is not None:
        if args.ci != "bootstrap":
            raise _user_error("--n-boot and --seed go with --ci bootstrap.")
        if args.n_boot is not None:
            kw["n_boot"] = args.n_boot
        if args.seed is not None:
            kw["rng"] = args.seed
    if not kw:
        return res.summary(level=args.level, ci=args.ci)  # type: ignore[no-any-return]
    s = Summary(res, level=args.level, ci_method="wald")
    s.ci = res.ci(level=args.level, method="bootstrap", **kw)
    s.ci_method = "bootstrap"
    return s


def _quantity(label: str, kind: str, obj: Any) -> dict[str, Any]:
    ci = getattr(obj, "ci", (math.nan, math.nan))
    return {"name": label, "kind": kind, "estimate": _num(obj.estimate),
            "se": _num(getattr(obj, "se", math.nan)), "ci": [_num(ci[0]), _num(ci[1])],
            "method": getattr(obj, "method", None)}


def derived_rows(res: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Derived quantities asked for with --derived/--quantile/--sf/--cdf, with intervals."""

    asks = ([("derived", n, n) for n in split(args.derived)]
            + [("quantile", q, f"quantile({q:g})") for q in args.quantile]
            + [("sf", t, f"S({t:g})") for t in args.sf]
            + [("cdf", x, f"F({x:g})") for x in args.cdf]
            + [("return_level", t, f"return_level({t:g})")
               for t in getattr(args, "return_level", [])])
    if not asks:
        return []
    if not hasattr(res, "derived"):
        raise _user_error("derived quantities need mlekit's inference module (res.derived), "
                          "which this installation lacks.")
    out = []
    for kind, arg, label in asks:
        if kind == "quantile" and not 0.0 < arg < 1.0:
            raise _user_error(f"--quantile must lie strictly between 0 and 1; got {arg:g}.")
        if kind == "return_level" and not arg > 1.0:
            raise _user_error(f"--return-level must be a period > 1 (e.g. 100); got {arg:g}.")
        fn = getattr(res, kind)
        out.append(_quantity(label, kind, fn(arg, level=args.level)))
    return out


def emit_fit(res: Any, s: Summary, derived: list[dict[str, Any]], args: argparse.Namespace,
             desc: str) -> None:
    if args.format == "json":
        d = s.to_dict()
        if derived:
            d["derived"] = derived
        _dump_json(d)
        return
    if args.format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["kind", "name", "estimate", "se", "ci_lower", "ci_upper"])
        for p, v in res.params.items():
            lo, hi = s.ci[p]
            fixed = p in res.fixed
            w.writerow(["fixed" if fixed else "param", p, repr(float(v)),
                        "" if fixed else repr(float(res.se[p])), repr(float(lo)), repr(float(hi))])
        for r in derived:
            w.writerow([r["kind"], r["name"], r["estimate"], r["se"], r["ci"][0], r["ci"][1]])
        return
    render_fit_text(res, s, derived, desc, _console())


def render_fit_text(res: Any, s: Summary, derived: list[dict[str, Any]], desc: str, con: Any) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    fam = type(res.dist).__name__
    con.print(f"[bold]{escape(fam)}[/bold] fit to {escape(desc)}")
    status = "converged" if res.converged else "[bold red]NOT converged[/bold red]"
    con.print(f"  data      {escape(s._data_line())}")
    con.print(f"  method    {escape(res.method)}"
              + (f", {res.iterations} iterations" if res.iterations else "") + f" · {status}")
    con.print(f"  log-lik   {fmt(res.loglik, 10)}   AIC {fmt(res.aic, 8)}   AICc {fmt(res.aicc, 8)}"
              f"   BIC {fmt(res.bic, 8)}   k = {res.n_params}")
    pen = s._penalty()
    if pen:
        con.print(f"  {pen[0]:<9} {escape(pen[1])}; penalised log-lik "
                  f"{fmt(res.penalised_loglik, 10)} (AIC etc. use the plain log-lik)")
    pct = f"{s.level * 100:g}% CI ({s.ci_method})"
    t = Table(box=box.SIMPLE_HEAD, pad_edge=True, show_edge=False)
    t.add_column("parameter")
    t.add_column("estimate", justify="right")
    t.add_column("std. error", justify="right")
    t.add_column(pct, justify="right")
    t.add_column("")
    for row in s._rows():
        t.add_row(*_esc(row))
    con.print(t)
    if derived:
        d = Table(box=box.SIMPLE_HEAD, show_edge=False)
        d.add_column("derived")
        d.add_column("estimate", justify="right")
        d.add_column("std. error", justify="right")
        d.add_column(f"{s.level * 100:g}% CI", justify="right")
        d.add_column("method")
        for r in derived:
            d.add_row(*_esc([r["name"], _f(r["estimate"]), _f(r["se"]),
                             f"{_f(r['ci'][0])} … {_f(r['ci'][1])}", str(r["method"] or "")]))
        con.print(d)
    for sev, msg in s._notes():
        if "ci(method='profile')" in msg:   # the Python hint, in command-line words
            if s.ci_method == "profile":
                msg = msg.split(": Wald")[0] + " (profile intervals shown)"
            else:
                msg = msg.replace("ci(method='profile')", "--ci profile")
        con.print(("! " if sev == "warning" else "· ") + msg, highlight=False, markup=False)


def _esc(cells: Any) -> list[str]:
    """Table cells as literal text (no rich markup: '[lower, upper]' stays as written)."""
    from rich.markup import escape

    return [escape(str(c)) for c in cells]


def _f(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    return fmt(float(v))


# ---------------------------------------------------------------------------- grouped
def _frame(table: Any) -> Any:
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):
        return table.to_pandas()
    return pd.DataFrame(table)


def grouped(args: argparse.Namespace, g: Any, desc: str) -> int:
    """Render a grouped fit (``--by``): a row per group with estimates, SEs and intervals."""
    import pandas as pd

    params = _frame(g.params)
    kw: dict[str, Any] = {}
    if args.ci == "bootstrap":
        if args.n_boot is not None:
            kw["n_boot"] = args.n_boot
        if args.seed is not None:
            kw["rng"] = args.seed
    ci = _frame(g.ci(level=args.level, method=args.ci, **kw))
    df = pd.concat([params, ci], axis=1)
    key = df.index.name or args.by
    df = df.reset_index().rename(columns={df.index.name or "index": key})
    if args.format == "json":
        recs = json.loads(df.to_json(orient="records", double_precision=15))
        _dump_json({"family": args.family, "by": args.by, "n_groups": len(df), "ci_level": args.level,
                    "ci_method": args.ci, "groups": recs})
        return 0
    if args.format == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    from rich import box
    from rich.table import Table

    names = [c for c in g.param_names if c in df.columns]
    con = _console()
    from rich.markup import escape

    con.print(f"[bold]{escape(args.family)}[/bold] fit to {escape(desc)}, one per "
              f"{escape(args.by)} ({len(df)} groups)")
    t = Table(box=box.SIMPLE_HEAD, show_edge=False)
    t.add_column(str(key))
    t.add_column("n", justify="right")
    for p in names:
        t.add_column(p, justify="right")
        t.add_column(f"{args.level * 100:g}% CI", justify="right")
    t.add_column("status")
    limit = 40
    for _, row in df.head(limit).iterrows():
        cells = [str(row[key]), fmt(float(row["n"]))] if "n" in df.columns else [str(row[key]), ""]
        for p in names:
            lo, hi = row.get(f"{p}_lower", math.nan), row.get(f"{p}_upper", math.nan)
            cells += [fmt(float(row[p])), f"{fmt(float(lo))} … {fmt(float(hi))}"]
        status = str(row.get("status", ""))
        msg = str(row.get("message", "") or "")
        cells.append(status + (f": {msg}" if msg else ""))
        t.add_row(*_esc(cells))
    con.print(t)
    if len(df) > limit:
        con.print(f"… {len(df) - limit} more groups (use --format csv for all of them)")
    return 0


# ---------------------------------------------------------------------------- compare
def default_candidates(data: Any) -> list[str]:
    """A sensible default set of families for the data's support."""
    import numpy as np

    pts = data.all_points()
    if pts.size and np.all(pts == np.floor(pts)) and pts.min() >= 0:
        return ["poisson", "negative_binomial", "geometric"]
    if pts.size and pts.min() > 0 and pts.max() < 1:
        return ["beta", "normal", "logistic"]
    if pts.size and pts.min() > 0:
        return ["exponential", "weibull", "gamma", "lognormal", "loglogistic"]
    return ["normal", "logistic", "laplace", "student_t", "gumbel"]


def emit_compare(cmp: Any, args: argparse.Namespace, desc: str) -> None:
    if args.format == "json":
        if hasattr(cmp, "to_dict"):
            _dump_json(json.loads(json.dumps(cmp.to_dict(), default=_num)))
        else:
            df = _frame(cmp.table)
            _dump_json({"best": cmp.best.family,
                        "table": json.loads(df.reset_index().to_json(orient="records"))})
        return
    df = _frame(cmp.table)
    if df.index.name:
        df = df.reset_index()
    if args.format == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    from rich import box
    from rich.table import Table

    con = _console()
    crit = str(getattr(cmp, "criterion", "aic")).upper()
    from rich.markup import escape

    con.print(f"[bold]compare[/bold] on {escape(desc)}: best by {crit} is "
              f"[bold]{escape(cmp.best.family)}[/bold]")
    show = [c for c in ("family", "k", "loglik", "aic", "delta_aic", "weight", "aicc", "bic", "gof_p",
                        "converged") if c in df.columns]
    if crit != "AICC" and "aicc" in show:
        show.remove("aicc")
    heads = {"delta_aic": "ΔAIC", "weight": "Akaike weight", "gof_p": "GOF p", "aic": "AIC",
             "aicc": "AICc", "bic": "BIC"}
    t = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for c in show:
        t.add_column(heads.get(c, c), justify="left" if c == "family" else "right", no_wrap=True)
    for _, row in df.iterrows():
        cells = []
        for c in show:
            v = row[c]
            if c == "weight":
                cells.append(f"{float(v):.3f}")
            elif c == "gof_p":
                nan = v is None or (isinstance(v, float) and math.isnan(v))
                cells.append("" if nan else f"{float(v):.2g}")
            elif c == "converged":
                cells.append("yes" if bool(v) else "NO")
            elif isinstance(v, float):
                cells.append(f"{v:.2f}" if c == "delta_aic" else fmt(v, 7))
            else:
                cells.append(str(v))
        t.add_row(*_esc(cells))
    con.print(t)
    for c, what in (("boundary", "on the boundary: "), ("notes", "")):
        if c in df.columns:
            for _, row in df.iterrows():
                if row[c]:
                    con.print(f"! {row['family'] if 'family' in df.columns else ''}: {what}{row[c]}",
                              markup=False)
    for fam, why in (getattr(cmp, "failed", None) or {}).items():
        con.print(f"✗ {fam} failed: {why}", markup=False)
    skipped = getattr(cmp, "skipped", None) or {}
    if skipped:
        from .._api.compare import skipped_text

        con.print("skipped: " + skipped_text(skipped), markup=False)


# ---------------------------------------------------------------------------- listings
def emit_families(args: argparse.Namespace) -> None:
    from .._families import families

    fams = families()
    if args.format == "json":
        _dump_json(fams)
        return
    from rich import box
    from rich.table import Table

    t = Table(box=box.SIMPLE_HEAD, show_edge=False)
    t.add_column("family", no_wrap=True)
    t.add_column("parameters")
    t.add_column("support", no_wrap=True)
    t.add_column("density / mass")
    for f in fams:
        params = ", ".join(_domain(p, d) for p, d in f["domains"].items())
        t.add_row(*_esc([f["name"], params, f["support"], f["formula"]]))
    con = _console()
    con.print(t)
    con.print(f"{len(fams)} families. Aliases such as gaussian, t, negbin are accepted.")


def _domain(p: str, d: str) -> str:
    if d == "(-inf, inf)":
        return p
    if d == "(0, inf)":
        return f"{p} > 0"
    if d == "(0, 1)":
        return f"0 < {p} < 1"
    return f"{p} in {d}"


def emit_datasets(args: argparse.Namespace) -> None:
    from .. import datasets

    recs = [{"name": n, **datasets.describe(n), "path": str(datasets.path(n))}
            for n in datasets.names()]
    if args.format == "json":
        _dump_json(recs)
        return
    from rich import box
    from rich.table import Table

    t = Table(box=box.SIMPLE_HEAD, show_edge=False)
    t.add_column("name", no_wrap=True)
    t.add_column("rows", justify="right")
    t.add_column("columns")
    t.add_column("what")
    for r in recs:
        t.add_row(*_esc([f"mlekit:{r['name']}", str(r["rows"]), ", ".join(r["columns"]), r["title"]]))
    con = _console()
    con.print(t)
    con.print("Use as a file: mlekit fit mlekit:lightbulbs --column hours --observed failed "
              "--family weibull")
