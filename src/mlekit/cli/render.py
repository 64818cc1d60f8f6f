"""Rendering for the command line: rich tables for people, JSON and CSV for programs.

Imported by :mod:`mlekit.cli` inside its commands (it pulls in rich and the core).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from ._common import UserError, console, split

if TYPE_CHECKING:   # numpy-free at import: `mlekit families` must answer at once
    from .._fit.summary import Summary

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
        return res.summary(level=args.level, ci=args.ci)
    from .._fit.summary import Summary

    s = Summary(res, level=args.level, ci_method="wald")
    s.ci = res.ci(level=args.level, method="bootstrap", **kw)
    s.ci_method = "bootstrap"
    s.ci_options = {"n_boot": kw.get("n_boot", 2000), "seed": kw.get("rng", 0),
                    "kind": "parametric", "interval": "percentile"}
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
    from rich.markup import escape

    from ._output import Col, decimals_for, fixed, print_table

    fam = type(res.dist).__name__
    con.print(f"[bold]{escape(fam)}[/bold] fit to {escape(desc)}")
    status = "converged" if res.converged else "[bold red]NOT converged[/bold red]"
    con.print(f"  data      {escape(s._data_line())}")
    con.print(f"  method    {escape(res.method)}"
              + (f", {res.iterations} iterations" if res.iterations else "") + f" · {status}")
    ic = [res.loglik, res.aic, res.aicc, res.bic]
    dd = decimals_for(ic, 8)
    con.print(f"  log-lik   {fixed(res.loglik, dd)}   AIC {fixed(res.aic, dd)}   "
              f"AICc {fixed(res.aicc, dd)}   BIC {fixed(res.bic, dd)}   k = {res.n_params}")
    pen = s._penalty()
    if pen:
        con.print(f"  {pen[0]:<9} {escape(pen[1])}; penalised log-lik "
                  f"{fixed(res.penalised_loglik, dd)} (AIC etc. use the plain log-lik)")
    pct = f"{s.level * 100:g}% CI ({s.ci_method})"
    notes = {row[0]: row[4] for row in s._rows()}
    rows = []
    for p, v in res.params.items():
        d = decimals_for([v], 6)
        if p in res.fixed:
            rows.append([p, fixed(v, d), "", "", notes.get(p, "fixed")])
            continue
        lo, hi = s.ci[p]
        rows.append([p, fixed(v, d), fixed(res.se[p], d), f"{fixed(lo, d)} … {fixed(hi, d)}",
                     notes.get(p, "")])
    print_table(con, [Col("parameter", "left", False), Col("estimate"), Col("std. error"),
                      Col(pct), Col("", "left", False, 1)], rows)
    opts = getattr(s, "ci_options", None) or {}
    if opts:
        con.print(f"· bootstrap intervals: {opts['n_boot']} {opts['kind']} refits, "
                  f"{opts['interval']} method, seed {opts['seed']} (change with --seed)",
                  markup=False, highlight=False)
    if derived:
        drows = []
        for r in derived:
            d = decimals_for([r["estimate"]], 6)
            drows.append([r["name"], _fx(r["estimate"], d), _fx(r["se"], d),
                          f"{_fx(r['ci'][0], d)} … {_fx(r['ci'][1], d)}", str(r["method"] or "")])
        print_table(con, [Col("derived", "left", False), Col("estimate"), Col("std. error"),
                          Col(f"{s.level * 100:g}% CI"), Col("method", "left", False, 1)], drows)
    from .._api.words import for_cli

    for sev, msg in _unique_notes(s._notes()):
        if "ci(method='profile')" in msg and s.ci_method == "profile":
            msg = msg.split(": Wald")[0] + " (profile intervals shown)"
        msg = for_cli(msg)
        con.print(("! " if sev == "warning" else "· ") + msg, highlight=False, markup=False)


def _unique_notes(notes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Notes with a hint repeated per parameter (the Lomax shape and scale) said once."""
    seen: set[str] = set()
    out = []
    for sev, msg in notes:
        parts = [p for p in msg.split("; ") if p not in seen or not p.startswith(("the ", "fit "))]
        seen.update(parts)
        out.append((sev, "; ".join(parts)))
    return out


def _esc(cells: Any) -> list[str]:
    """Table cells as literal text (no rich markup: '[lower, upper]' stays as written)."""
    from rich.markup import escape

    return [escape(str(c)) for c in cells]


def _fx(v: Any, decimals: int | None) -> str:
    from ._output import fixed

    return v if isinstance(v, str) else fixed(v, decimals)


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
        boot = ({"bootstrap": {"n_boot": kw.get("n_boot", 200), "seed": kw.get("rng", 0),
                               "kind": "nonparametric"}} if args.ci == "bootstrap" else {})
        _dump_json({"family": args.family, "by": args.by, "n_groups": len(df), "ci_level": args.level,
                    "ci_method": args.ci, **boot, "groups": recs})
        return 0
    if args.format == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    from rich.markup import escape

    from ._output import Col, decimals_for, fixed, print_table

    names = [c for c in g.param_names if c in df.columns]
    con = _console()
    con.print(f"[bold]{escape(type(g.dist).__name__)}[/bold] fits to {escape(desc)}, one per "
              f"{escape(args.by)} ({len(df)} groups)")
    limit = 40
    shown = df.head(limit)
    cols = [Col(str(key), "left", False), Col("n")]
    for p in names:
        cols += [Col(p), Col(f"{args.level * 100:g}% CI")]
    cols.append(Col("status", "left", False))
    # positive parameters: a Wald interval that would cross 0 is the log-scale one (as in
    # GroupedResult.ci: never below zero), marked, with the natural one in a note
    crossing = ci.attrs.get("crosses_zero", {}) if args.ci == "wald" else {}
    natural = ci.attrs.get("natural", {})
    swapped: list[str] = []
    dec = {p: decimals_for(shown[p].tolist(), 4) for p in names}
    ndec = decimals_for(shown["n"].tolist(), 6) if "n" in df.columns else 0
    rows = []
    for _, row in shown.iterrows():
        cells = [str(row[key]), fixed(row["n"], 0 if float(row["n"]).is_integer() else ndec)
                 ] if "n" in df.columns else [str(row[key]), ""]
        mark = ""
        for p in names:
            lo, hi = row.get(f"{p}_lower", math.nan), row.get(f"{p}_upper", math.nan)
            star = ""
            if row[key] in crossing.get(p, ()):
                nlo, nhi = natural[p][row[key]]
                nat = f"{fixed(nlo, dec[p], 4)} … {fixed(nhi, dec[p], 4)}"
                star, mark = " *", "wide"
                swapped.append(f"{row[key]} ({nat})")
            cells += [fixed(row[p], dec[p], 4), f"{fixed(lo, dec[p], 4)} … {fixed(hi, dec[p], 4)}{star}"]
        status = str(row.get("status", ""))
        if status == "ok" and mark:
            status = "ok (!)"
        cells.append(status)
        rows.append(cells)
    print_table(con, cols, rows)
    if swapped:
        con.print(f"* the Wald interval crosses 0 for {len(swapped)} group"
                  f"{'s' if len(swapped) > 1 else ''}, so the log-scale one is shown (never below "
                  "0); both are unreliable there: prefer --ci profile. On the natural scale: "
                  + ", ".join(swapped[:8]) + (f" and {len(swapped) - 8} more" if len(swapped) > 8
                                              else "") + ".", markup=False, highlight=False)
    bad = df[df["status"].astype(str) != "ok"] if "status" in df.columns else df.iloc[:0]
    if len(bad):
        con.print(f"flagged groups ({len(bad)} of {len(df)}):", markup=False, highlight=False)
        for _, row in bad.iterrows():
            msg = str(row.get("message", "") or "")
            con.print(f"! {row[key]} ({row['status']}): {msg}", markup=False, highlight=False)
    if len(df) > limit:
        con.print(f"… {len(df) - limit} more groups (use --format csv for all of them)")
    return 0


# ---------------------------------------------------------------------------- compare
def default_candidates(data: Any) -> list[str]:
    """The default set of families for the data's support (the same as ``mk.compare(x)``)."""
    from .._api.candidates import default_families

    return default_families(data)


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
    from rich.markup import escape

    from ._output import Col, decimals_for, fixed, p_value, print_table

    con = _console()
    crit = str(getattr(cmp, "criterion", "aic")).upper()
    flagged = {str(r["family"]): str(r["caution"]) for _, r in df.iterrows()
               if "caution" in df.columns and r["caution"]}
    best = cmp.best.family
    lower = [f for f in flagged if f in cmp.fits and
             getattr(cmp.fits[f], crit.lower()) < getattr(cmp.best, crit.lower())]
    con.print(f"[bold]Families compared[/bold] on {escape(desc)}: best by {crit} is [bold]{escape(best)}"
              "[/bold]" + (f" ({escape(', '.join(lower))} scored lower but "
                           f"{'is' if len(lower) == 1 else 'are'} flagged (!) below)" if lower else ""))
    show = [c for c in ("family", "k", "loglik", "aic", "delta_aic", "weight", "aicc", "bic", "gof_p",
                        "converged") if c in df.columns]
    if crit != "AICC" and "aicc" in show:
        show.remove("aicc")
    heads = {"delta_aic": "ΔAIC", "weight": "weight", "gof_p": "GOF p", "aic": "AIC",
             "aicc": "AICc", "bic": "BIC"}
    prio = {"family": 0, "k": 0, "loglik": 0, "aic": 0, "delta_aic": 0, "weight": 1, "aicc": 2,
            "bic": 3, "gof_p": 2, "converged": 1}
    prio[crit.lower()] = 0
    floor = getattr(cmp, "gof_floor", None)
    columns: list[list[str]] = []
    for c in show:
        vals = df[c].tolist()
        if c == "weight":
            columns.append([f"{float(v):.3f}" for v in vals])
        elif c == "gof_p":
            columns.append([p_value(v, floor) for v in vals])
        elif c == "converged":
            columns.append(["yes" if bool(v) else "NO" for v in vals])
        elif c == "delta_aic":
            columns.append([fixed(v, 2) for v in vals])
        elif c in ("loglik", "aic", "aicc", "bic"):
            columns.append([fixed(v, decimals_for(vals, 6)) for v in vals])
        else:
            columns.append([f"{v} (!)" if str(v) in flagged else str(v) for v in vals])
    cols = [Col(heads.get(c, c), "left" if c == "family" else "right", c != "family",
                prio.get(c, 1)) for c in show]
    dropped = print_table(con, cols, [list(r) for r in zip(*columns)] if columns else [])
    if "gof_p" in df.columns and getattr(cmp, "gof_n_boot", None) and "GOF p" not in dropped:
        seed = getattr(cmp, "gof_seed", None)
        blank = " Blank: not computed (--gof computes every family)." \
            if df["gof_p"].isna().any() else ""
        con.print(f"GOF p: Anderson–Darling, {cmp.gof_n_boot} parametric-bootstrap refits per "
                  f"family{f', seed {seed}' if seed is not None else ''}; "
                  f"'≤ {cmp.gof_floor:.2g}' is the smallest p they can show.{blank}",
                  markup=False, highlight=False)
    for _, row in df.iterrows():
        fam = str(row["family"]) if "family" in df.columns else ""
        notes = str(row["notes"]) if "notes" in df.columns and row["notes"] else ""
        said = [c for c in flagged.get(fam, "").split("; ")
                if c and not (notes and c.startswith("at the edge"))]   # the notes say it
        if notes:
            said.append(notes)
        elif "boundary" in df.columns and row["boundary"] and fam not in flagged:
            said.append(f"on the boundary: {row['boundary']}")
        if said:
            lead = f"! {fam} (ranked after the regular fits): " if fam in flagged else f"! {fam}: "
            con.print(lead + "; ".join(said), markup=False, highlight=False)
    for fam, why in (getattr(cmp, "failed", None) or {}).items():
        con.print(f"✗ {fam} failed: {why}", markup=False)
    skipped = getattr(cmp, "skipped", None) or {}
    if skipped:
        from .._api.compare import skipped_text

        con.print("skipped: " + skipped_text(skipped), markup=False)


# ---------------------------------------------------------------------------- listings
def emit_families(args: argparse.Namespace) -> None:
    from ._families_table import FAMILIES  # static: no numpy/scipy import

    fams = FAMILIES
    if args.format == "json":
        _dump_json(fams)
        return
    from ._output import Col, print_table

    rows = [[f["name"], ", ".join(_domain(p, d) for p, d in f["domains"].items()), f["support"],
             f["formula"]] for f in fams]
    con = _console()
    print_table(con, [Col("family", "left", True), Col("parameters", "left", False),
                      Col("support", "left", True), Col("density / mass", "left", False)], rows)
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
