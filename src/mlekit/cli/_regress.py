"""``mlekit regress FILE FORMULA -f FAMILY``: a regression by maximum likelihood from a file.

Text output is ``r.summary()`` (80 columns: coefficients with z, p, intervals and exp(coef)
effects, the LR test against the intercept-only model); ``--format json`` the header and the
coefficient table (``r.tests()``) as JSON; ``--format csv`` the coefficient table.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._common import add_column_flags, column_kind

__all__ = ["add_parser", "run"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    r = sub.add_parser(
        "regress", parents=[common], help="regression: covariates on a family's parameters",
        description="Fit a (distributional) regression by maximum likelihood: the formula links "
                    "the family's main parameter (poisson rate, weibull scale, ...) to "
                    "covariates; --formula links others. Prints estimates, z, p-values, "
                    "intervals and exp(coef) effects (rate/odds/time/hazard ratios).",
        epilog='Example: mlekit regress data.csv "y ~ x1 + x2" -f poisson   ·   '
               'mlekit regress life.csv "hours ~ temp" -f weibull --observed failed '
               '--formula shape="~ batch" --ci profile')
    g = r.add_argument_group("data")
    g.add_argument("source", metavar="FILE",
                   help="CSV, TSV, Parquet or JSON-lines file; mlekit:NAME is a built-in data set")
    g.add_argument("formula", metavar="FORMULA",
                   help="'response ~ terms' (formulaic syntax: C(g) for categories, a:b, "
                        "np.log(x), '- 1' for no intercept)")
    add_column_flags(g, "--observed", "--lower", "--upper", "--entry", "--weights")
    g.add_argument("--offset", metavar="COL", help="offset added to the linear predictor")
    g.add_argument("--exposure", metavar="COL", help="exposure (adds log(exposure); log links)")
    add_column_flags(g, "--nan", "--input-format")
    m = r.add_argument_group("model")
    m.add_argument("-f", "--family", required=True,
                   help="family (poisson, negative_binomial, logistic, normal, weibull, ...)")
    m.add_argument("--formula", dest="formulas", action="append", default=[],
                   metavar='PARAM="~ TERMS"',
                   help="a formula for another parameter, e.g. shape=\"~ batch\" (repeatable)")
    m.add_argument("--cov", choices=("observed", "sandwich"), default="observed",
                   help="covariance: inverse observed information (default) or robust sandwich")
    m.add_argument("--penalty", choices=("firth",), default=None,
                   help="Firth's penalised likelihood (finite estimates under separation)")
    i = r.add_argument_group("inference")
    i.add_argument("--ci", choices=("wald", "profile"), default="wald",
                   help="interval method for the coefficients (default: wald)")
    i.add_argument("--level", type=float, default=0.95, help="confidence level (default: 0.95)")
    o = r.add_argument_group("output")
    o.add_argument("--format", choices=("text", "json", "csv"), default="text",
                   help="text (the summary), json (header and coefficient table) or csv "
                        "(the coefficient table)")


def _formulas(items: list[str]) -> dict[str, str]:
    from ._common import UserError

    out: dict[str, str] = {}
    for item in items:
        name, sep, rhs = item.partition("=")
        if not sep or not name.strip() or "~" not in rhs:
            raise UserError(f'--formula expects PARAM="~ terms" (e.g. --formula shape="~ batch"); '
                            f"got {item!r}.")
        out[name.strip()] = rhs.strip()
    return out


def _frame(args: argparse.Namespace, progress: Any) -> Any:
    from . import tables as _io

    table = _io.read_table(args.source, None, fmt=args.input_format, progress=progress)
    progress.close()
    df = table.to_pandas()
    for flag, col in (("--observed", args.observed), ("--lower", args.lower),
                      ("--upper", args.upper)):
        if col is not None and col in df.columns:
            what, status = column_kind(flag)
            df[col] = _io.column_values(table, col, source=args.source, what=what, status=status)
    return df


def run(args: argparse.Namespace, progress: Any, warnings_cm: Any) -> int:
    from ._common import UserError

    if not 0.0 < args.level < 1.0:
        raise UserError(f"--level must lie strictly between 0 and 1 (e.g. 0.95); got {args.level}.")
    formulas = _formulas(args.formulas)
    df = _frame(args, progress)
    import mlekit as mk

    with warnings_cm(args):
        r = mk.regress(args.formula, df, args.family, formulas=formulas or None,
                       observed=args.observed, lower=args.lower, upper=args.upper,
                       entry=args.entry, weights=args.weights, offset=args.offset,
                       exposure=args.exposure, cov=args.cov, penalty=args.penalty,
                       nan_policy=args.nan)
        s = r.summary(level=args.level, ci=args.ci)
        text = str(s) if args.format == "text" else ""
    if args.format == "csv":
        r.tests(level=args.level, ci=args.ci).to_csv(sys.stdout, lineterminator="\n")
    elif args.format == "json":
        out = s.to_dict()
        reg = out.pop("regression")
        body = {k: out[k] for k in ("family", "loglik", "aic", "bic", "n_obs", "n_params",
                                    "converged", "cov_type", "ci_level", "ci_method")}
        body.update(reg)
        body["diagnostics"] = out["diagnostics"]
        sys.stdout.write(json.dumps(body, indent=2, allow_nan=False) + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0
