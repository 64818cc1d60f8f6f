"""``mlekit report``: the self-contained HTML report of a fit (``-f FAMILY``) or, without
``-f``, of a comparison of the default families (``--families``/``--all`` to choose)."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from ._common import add_inference_flags

__all__ = ["add_parser", "run"]


def add_parser(sub: Any, common: argparse.ArgumentParser, data_args: Any) -> None:
    r = sub.add_parser("report", parents=[common], help="write a self-contained HTML report",
                       description="Fit (or compare) and write one self-contained HTML file: data "
                                   "summary, estimates with intervals, derived quantities, "
                                   "goodness of fit, diagnostic plots, warnings and the command "
                                   "that reproduces it.",
                       epilog="Example: mlekit report mlekit:lightbulbs -c hours --observed failed "
                              "-f weibull --quantile 0.1 -o report.html")
    data_args(r)
    m = r.add_argument_group("model")
    fams = m.add_mutually_exclusive_group()
    fams.add_argument("-f", "--family", help="one family (default: compare the default set and "
                                             "report the best)")
    fams.add_argument("--families", metavar="A,B,...", help="compare these families")
    fams.add_argument("--all", action="store_true", help="compare every family that fits")
    i = r.add_argument_group("inference")
    add_inference_flags(i, "--ci", "--level", "--derived", "--quantile", "--sf", "--cdf")
    i.add_argument("--seed", type=int, default=0,
                   help="seed of the GOF and bootstrap refits (default: 0)")
    o = r.add_argument_group("output")
    o.add_argument("-o", "--out", required=True, metavar="FILE.html", help="the report file")


def run(args: argparse.Namespace, load: Any, progress: Any, warnings_cm: Any, split: Any) -> int:
    from ._common import UserError

    if not 0.0 < args.level < 1.0:
        raise UserError(f"--level must lie strictly between 0 and 1 (e.g. 0.95); got {args.level}.")
    for q in args.quantile:
        if not 0.0 < q < 1.0:
            raise UserError(f"--quantile must lie strictly between 0 and 1; got {q:g}.")
    from .._inference.derived import named_key

    for name in split(args.derived):  # the report would only say "not available" in a table row
        named_key(name)
    if args.family is not None and not args.family.strip():
        raise UserError("-f/--family needs a family name (e.g. -f weibull; 'mlekit families' "
                        "lists them); got an empty one. Leave -f out to compare the default set.")
    args.by = None
    data, _, desc = load(args, progress)
    import mlekit as mk

    from ..plot import report

    asks = ([n for n in split(args.derived)] + [("quantile", q) for q in args.quantile]
            + [("sf", t) for t in args.sf] + [("cdf", t) for t in args.cdf])
    ci_options = {"rng": args.seed} if args.ci == "bootstrap" else {}
    with warnings_cm(args):
        if args.family is not None:
            obj: Any = mk.fit(data, args.family)
        else:
            fams: Any = "all" if args.all else (split([args.families]) if args.families
                                                 else "default")
            obj = mk.compare(data, fams, rng=args.seed,
                             quiet=args.quiet or None)
        try:
            report(obj, args.out, level=args.level, ci=args.ci, ci_options=ci_options,
                   derived=asks, seed=args.seed, data_label=desc, words="cli",
                   command=_command(args))
        except OSError as exc:
            raise UserError(f"could not write the report to {args.out!r}: "
                            f"{exc.strerror or exc}.") from None
    if not args.quiet:
        print(f"mlekit: wrote {args.out}", file=sys.stderr)
    return 0


def _command(args: argparse.Namespace) -> str:
    parts = ["mlekit", "report", args.source]
    for opt in ("column", "observed", "lower", "upper", "weights", "trials", "family", "families"):
        v = getattr(args, opt, None)
        if v:
            parts += [f"--{opt}", str(v)]
    if args.all:
        parts.append("--all")
    if args.ci != "wald":
        parts += ["--ci", args.ci]
    if args.level != 0.95:
        parts += ["--level", f"{args.level:g}"]
    for opt in ("derived", "quantile", "sf", "cdf"):
        for v in getattr(args, opt):
            parts += [f"--{opt}", f"{v:g}" if isinstance(v, float) else str(v)]
    if args.seed != 0:
        parts += ["--seed", str(args.seed)]
    parts += ["-o", args.out]
    return " ".join(shlex.quote(p) for p in parts)
