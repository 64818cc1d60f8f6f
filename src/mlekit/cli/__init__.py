"""The ``mlekit`` command line.

::

    mlekit fit data.csv --column hours --observed failed --family weibull
    mlekit compare data.parquet --column x --families weibull,gamma,lognormal
    mlekit regress data.csv "y ~ x1 + x2" -f poisson
    mlekit families
    mlekit demo [NAME] [--out DIR]
    mlekit explore

The CLI holds no statistics: it parses arguments, reads the data, calls the public API and
renders what it returns. Heavy imports (numpy, scipy, pyarrow, rich, matplotlib) happen
inside the commands so that ``mlekit --help`` answers at once.

Exit codes: 0 success, 2 a user error (a one-line message, no traceback), 1 a bug.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from ._common import (
    ProgressBar,
    UserError,
    add_column_flags,
    add_inference_flags,
    column_kind,
    console,
    split,
)

__all__ = ["main", "build_parser", "UserError"]

EXIT_OK, EXIT_BUG, EXIT_USER = 0, 1, 2


# ---------------------------------------------------------------------------- parser
def _common() -> argparse.ArgumentParser:
    from ._argparse import Parser

    p: argparse.ArgumentParser = Parser(add_help=False)
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bars, notes or warnings on stderr")
    return p


def _data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    g.add_argument("source", metavar="FILE",
                   help="CSV, TSV, Parquet or JSON-lines file; '-' reads stdin (one number per "
                        "line); mlekit:NAME is a built-in data set (see 'mlekit datasets')")
    g.add_argument("-c", "--column", help="column with the values (default: the only column)")
    add_column_flags(g, "--observed")
    g.add_argument("--censoring", choices=("right", "left"), default="right",
                   help="what a 0 in --observed means (default: right)")
    add_column_flags(g, "--lower", "--upper", "--weights", "--trials", "--nan", "--input-format")


def build_parser() -> argparse.ArgumentParser:
    from ._argparse import Parser

    common = _common()
    parser: argparse.ArgumentParser = Parser(
        prog="mlekit",
        description="Maximum likelihood estimation with uncertainty, diagnostics and model choice.",
        epilog="Start with 'mlekit demo'. Every command has --help.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    f = sub.add_parser("fit", parents=[common], help="fit one family by maximum likelihood",
                       description="Fit one family to a column of a file by maximum likelihood.",
                       epilog="Example: mlekit fit mlekit:lightbulbs -c hours --observed failed "
                              "-f weibull --ci profile --quantile 0.1")
    _data_args(f)
    m = f.add_argument_group("model")
    m.add_argument("-f", "--family", required=True, help="family name (see 'mlekit families')")
    m.add_argument("--fixed", action="append", default=[], metavar="NAME=VALUE",
                   help="hold a parameter at a known value (repeatable, or comma-separated)")
    m.add_argument("--start", action="append", default=[], metavar="NAME=VALUE",
                   help="a starting guess for the optimiser")
    m.add_argument("--cov", choices=("observed", "sandwich"), default="observed",
                   help="covariance: inverse observed information (default) or robust sandwich")
    m.add_argument("--by", metavar="COL", help="one fit per group of this column")
    m.add_argument("--penalty", choices=("firth",), default=None,
                   help="penalised fit: 'firth' (Jeffreys prior; finite, less biased estimates "
                   "from few data, e.g. 0 successes in 10 trials)")
    i = f.add_argument_group("inference")
    add_inference_flags(i, "--ci", "--level", "--n-boot")
    i.add_argument("--seed", type=int, default=None,
                   help="random seed of the bootstrap (default: 0, so runs repeat)")
    add_inference_flags(i, "--derived", "--quantile", "--sf", "--cdf", "--return-level")
    o = f.add_argument_group("output")
    o.add_argument("--format", choices=("text", "json", "csv"), default="text",
                   help="text (default), json (as res.to_dict()) or csv")
    o.add_argument("--plot", metavar="FILE.png", help="write the 2x2 diagnostic panel to a file")

    c = sub.add_parser("compare", parents=[common], help="fit several families and rank them",
                       description="Fit several families to the same data and rank them by AIC.")
    _data_args(c)
    fams = c.add_mutually_exclusive_group()
    fams.add_argument("--families", metavar="A,B,...",
                      help="comma-separated families (default: a set chosen by the data's support, "
                           "the same as mk.compare(x); positive data: exponential, weibull, "
                           "gamma, lognormal, loglogistic, normal)")
    fams.add_argument("--all", action="store_true",
                      help="every family whose support fits the data")
    c.add_argument("--criterion", choices=("aic", "aicc", "bic"), default="aic",
                   help="ranking criterion (default: aic)")
    gof = c.add_mutually_exclusive_group()
    gof.add_argument("--gof", dest="gof", action="store_true", default=None,
                     help="add goodness-of-fit p-values (parametric bootstrap; default: only for "
                          "up to 1,000 observations)")
    gof.add_argument("--no-gof", dest="gof", action="store_false", help="skip goodness of fit")
    c.add_argument("--seed", type=int, default=None,
                   help="random seed of the GOF bootstrap (default: 0, so runs repeat)")
    c.add_argument("--format", choices=("text", "json", "csv"), default="text",
                   help="text (default), json (as cmp.to_dict()) or csv (the table)")
    c.add_argument("--plot", metavar="FILE.png", help="overlay the fitted candidates on the data")

    fa = sub.add_parser("families", parents=[common], help="list the built-in families",
                        description="List the built-in families: parameters, support, formula.")
    fa.add_argument("--format", choices=("text", "json"), default="text")

    ds = sub.add_parser("datasets", parents=[common], help="list the built-in example data sets",
                        description="List the built-in data sets (use them as mlekit:NAME).")
    ds.add_argument("--format", choices=("text", "json"), default="text")

    d = sub.add_parser("demo", parents=[common], help="run the worked examples on built-in data",
                       description="Walk through the built-in examples: estimate, interval, "
                                   "model choice, a plot each and a plain-language reading.")
    d.add_argument("name", nargs="?", metavar="NAME",
                   help="one example (coin, five_points, gaussian, defects, ab_test, lightbulbs); "
                        "default: all")
    d.add_argument("--out", default="mlekit-demo", metavar="DIR",
                   help="folder for the plots (default: ./mlekit-demo)")
    d.add_argument("--no-plots", action="store_true", help="skip the plots")

    from ._report import add_parser as _add_report

    _add_report(sub, common, _data_args)

    from ._regress import add_parser as _add_regress

    _add_regress(sub, common)

    e = sub.add_parser("explore", parents=[common], help="open the interactive web explorer",
                       description="Serve the interactive MLE explorer on this machine.")
    e.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    e.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    e.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return parser


# ---------------------------------------------------------------------------- entry
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 user error, 1 bug)."""
    parser = build_parser()
    setattr(parser, "argv", None if argv is None else list(argv))  # noqa: B010 (a Parser; usage errors name the command of argv)
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    if args.version:
        from .. import __version__

        print(f"mlekit {__version__}")
        return EXIT_OK
    if not args.command:
        parser.print_help()
        return EXIT_OK
    from ..errors import MlekitError

    saved_quiet = os.environ.get("MLEKIT_QUIET")
    if getattr(args, "quiet", False):
        os.environ["MLEKIT_QUIET"] = "1"  # silences mlekit's own progress bars (bootstrap, GOF)
    try:
        seed = getattr(args, "seed", None)
        if seed is not None and seed < 0:   # (numpy's own message names rng, not the option)
            raise UserError(f"--seed must be a non-negative integer; got {seed}. Hint: any "
                            "integer from 0 up gives a repeatable bootstrap.")
        handler = {"fit": _cmd_fit, "compare": _cmd_compare, "families": _cmd_families,
                   "datasets": _cmd_datasets, "demo": _cmd_demo, "explore": _cmd_explore,
                   "report": _cmd_report, "regress": _cmd_regress}
        return handler[args.command](args)
    except (MlekitError, UserError) as exc:
        _error(str(exc), args, type(exc).__name__)
        return EXIT_USER
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("mlekit."):
            _error(f"this installation of mlekit lacks the module {exc.name} that this command "
                   "needs; reinstall mlekit.")
            return EXIT_BUG
        if "pip install" in str(exc) or "mlekit[" in str(exc):
            _error(str(exc))
            return EXIT_USER
        return _bug()
    except ImportError as exc:
        if "pip install" in str(exc) or "mlekit[" in str(exc):
            _error(str(exc))
            return EXIT_USER
        return _bug()
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:  # `mlekit ... | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except Exception:
        return _bug()
    finally:
        if saved_quiet is None:
            os.environ.pop("MLEKIT_QUIET", None)
        else:
            os.environ["MLEKIT_QUIET"] = saved_quiet


def _bug() -> int:
    import traceback

    traceback.print_exc()
    print("mlekit: internal error (exit code 1). This is a bug in mlekit; please report it "
          "with the command and the traceback above.", file=sys.stderr)
    return EXIT_BUG


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _error(msg: str, args: argparse.Namespace | None = None, kind: str = "") -> None:
    """The error on stderr, one line; with ``--format json`` also as a JSON object on stdout
    (``{"error": {"type": ..., "message": ..., "exit_code": 2}}``), so that a script that
    parses the output reads the failure instead of an empty document."""
    from .._api.words import for_cli

    # no terminal escapes (a formula parser colours its caret; a binary file's bytes are quoted
    # back by the CSV reader): colour codes dropped, other control characters shown as \xNN
    one_line = " ".join(_ANSI.sub("", for_cli(msg)).split())
    one_line = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in one_line)
    print(f"mlekit: error: {one_line}", file=sys.stderr)
    if args is not None and getattr(args, "format", None) == "json":
        import json

        print(json.dumps({"error": {"type": kind or "Error", "message": one_line,
                                    "exit_code": EXIT_USER}}))


def _note(args: argparse.Namespace, msg: str) -> None:
    if not getattr(args, "quiet", False):
        from .._api.words import for_cli

        print(f"mlekit: {for_cli(msg)}", file=sys.stderr)


# ---------------------------------------------------------------------------- helpers
def _parse_pairs(items: list[str], what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise UserError(f"--{what} expects NAME=VALUE (e.g. --{what} shape=1.5); got {part!r}.")
            k, v = part.split("=", 1)
            try:
                out[k.strip()] = float(v)
            except ValueError:
                raise UserError(f"--{what} {k.strip()} must be a number; got {v!r}.") from None
    return out


def _load(args: argparse.Namespace, progress: ProgressBar) -> tuple[Any, Any, str]:
    """Read the file and build ``Data`` (and group labels for --by)."""
    import numpy as np

    from .._data.data import Data
    from ..errors import DataError
    from . import tables as _io

    interval = args.lower is not None or args.upper is not None
    if interval and (args.lower is None or args.upper is None):
        raise UserError("interval-censored data need both --lower and --upper.")
    if interval and (args.column or args.observed):
        raise UserError("give either --column (with --observed) or --lower/--upper, not both.")
    if args.source == "-" and sys.stdin.isatty():
        raise UserError("'-' reads numbers from stdin, but stdin is a terminal; pipe data in "
                        "(e.g. printf '1\\n2\\n' | mlekit fit - -f normal) or give a file.")
    by = getattr(args, "by", None)
    wanted = [c for c in ([args.lower, args.upper] if interval else [args.column])
              + [args.observed, args.weights, args.trials, by] if c]
    table = _io.read_table(args.source, wanted or None, fmt=args.input_format, progress=progress)
    progress.close()
    src = "stdin" if args.source == "-" else args.source
    if not interval and args.column is None:
        numeric = [n for n in table.column_names
                   if n not in (args.observed, args.weights, args.trials, by)]
        if len(numeric) != 1:
            from .._core.checks import name_list

            raise UserError(f"{src} has several columns ({name_list(table.column_names)}); "
                            "choose one with --column.")
        args.column = numeric[0]

    def num(name: str | None, kind: tuple[str, bool]) -> Any:
        return None if name is None else _io.column_values(table, name, source=src, what=kind[0],
                                                           status=kind[1])

    cols = {"lower": num(args.lower, column_kind("--lower")),
            "upper": num(args.upper, column_kind("--upper")),
            "value": num(args.column, ("the values", False)),
            "observed": num(args.observed, column_kind("--observed")),
            "weights": num(args.weights, column_kind("--weights")),
            "trials": num(args.trials, column_kind("--trials"))}
    n = table.num_rows
    missing = np.zeros(n, dtype=bool)
    for key, arr in cols.items():
        if arr is None or key in ("lower", "upper"):
            continue
        missing |= np.isnan(arr)
    if interval:
        missing |= np.isnan(cols["lower"]) & np.isnan(cols["upper"])
    labels = _io.column_labels(table, by) if by else None
    if labels is not None:
        missing |= np.array([v is None for v in labels], dtype=bool)
    if missing.any():
        k = int(missing.sum())
        first = int(np.flatnonzero(missing)[0])
        if args.nan == "raise":
            raise DataError(f"the data must have no missing values; got {k} rows with a missing "
                            f"value (first at row {first + 1}). Hint: pass --nan omit to drop them.")
        _note(args, f"dropped {k} rows with missing values")
        keep = ~missing
        cols = {key: (None if a is None else a[keep]) for key, a in cols.items()}
        labels = None if labels is None else labels[keep]
        if not keep.any():
            raise DataError("the data must contain at least one complete row; got none after "
                            "dropping the missing values.")
    if interval:
        data = Data.interval(cols["lower"], cols["upper"], weights=cols["weights"],
                             trials=cols["trials"], name=f"[{args.lower}, {args.upper}]")
        desc = f"[{args.lower}, {args.upper}] of {src}"
    else:
        data = Data(cols["value"], observed=cols["observed"], censoring=args.censoring,
                    weights=cols["weights"], trials=cols["trials"], name=args.column)
        desc = f"{args.column} of {src}"
    return data, labels, desc


class _Warnings:
    """Collect warnings raised while a command runs and print them once, briefly."""

    def __init__(self, args: argparse.Namespace) -> None:
        import warnings

        self.args = args
        self._cm = warnings.catch_warnings(record=True)

    def __enter__(self) -> _Warnings:
        import warnings

        self.caught = self._cm.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)
        seen: set[str] = set()
        for w in self.caught:   # each message, and each hint within them, once
            parts = [p for p in str(w.message).split("; ") if p not in seen]
            seen.update(parts)
            if parts:
                _note(self.args, "warning: " + "; ".join(parts))


# ---------------------------------------------------------------------------- fit
def _cmd_fit(args: argparse.Namespace) -> int:
    from . import render

    progress = ProgressBar(args.quiet)
    if not 0.0 < args.level < 1.0:
        raise UserError(f"--level must lie strictly between 0 and 1 (e.g. 0.95); got {args.level}.")
    if args.by and (args.plot or args.derived or args.quantile or args.sf or args.cdf
                    or args.return_level):
        raise UserError("--plot, --derived, --quantile, --sf and --cdf describe one fit; with --by "
                        "fit a group on its own (filter the file) to get them.")
    fixed = _parse_pairs(args.fixed, "fixed")
    start = _parse_pairs(args.start, "start")
    data, labels, desc = _load(args, progress)
    import mlekit as mk

    with _Warnings(args):
        if labels is not None:
            import pandas as pd

            g = mk.fit(data, args.family, fixed=fixed or None, start=start or None, cov=args.cov,
                       by=pd.Series(labels, name=args.by), penalty=args.penalty)
            return render.grouped(args, g, desc)
        res = mk.fit(data, args.family, fixed=fixed or None, start=start or None, cov=args.cov,
                     penalty=args.penalty)
        summary = render.summary_for(res, args)
        derived = render.derived_rows(res, args)
        if args.plot:
            _save_panel(res, args.plot)
            _note(args, f"wrote {args.plot}")
    render.emit_fit(res, summary, derived, args, desc)
    return EXIT_OK


def _save_panel(res: Any, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    fig = res.plot()
    _savefig(fig, path)


def _savefig(fig: Any, path: str) -> None:
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    except (OSError, ValueError) as exc:
        raise UserError(f"could not write the plot to {path!r}: {exc}") from None
    finally:
        plt.close(fig)


# ---------------------------------------------------------------------------- compare
def _cmd_compare(args: argparse.Namespace) -> int:
    from . import render

    progress = ProgressBar(args.quiet)
    data, _, desc = _load(args, progress)
    import mlekit as mk

    if args.all:
        candidates: Any = "all"
    elif args.families:
        candidates = split([args.families])
    else:
        candidates = render.default_candidates(data)
    with _Warnings(args):
        kw: dict[str, Any] = {"criterion": args.criterion, "gof": args.gof}
        if args.seed is not None:
            kw["rng"] = args.seed
        if args.quiet:
            kw["quiet"] = True
        cmp = mk.compare(data, candidates, **kw)
        if args.plot:
            import matplotlib

            matplotlib.use("Agg")
            ax = mk.plot.compare(cmp)
            _savefig(ax.figure, args.plot)
            _note(args, f"wrote {args.plot}")
    render.emit_compare(cmp, args, desc)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from ._report import run

    return run(args, _load, ProgressBar(args.quiet), _Warnings, split)


def _cmd_regress(args: argparse.Namespace) -> int:
    from ._regress import run

    return run(args, ProgressBar(args.quiet), _Warnings)


# ---------------------------------------------------------------------------- listings
def _cmd_families(args: argparse.Namespace) -> int:
    from . import render

    render.emit_families(args)
    return EXIT_OK


def _cmd_datasets(args: argparse.Namespace) -> int:
    from . import render

    render.emit_datasets(args)
    return EXIT_OK


# ---------------------------------------------------------------------------- demo, explore
def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args.name, out=None if args.no_plots else args.out, quiet=args.quiet,
                    console=console())


def _cmd_explore(args: argparse.Namespace) -> int:
    import importlib

    try:
        web = importlib.import_module("mlekit.web")
    except ImportError as exc:
        raise UserError(f"the web explorer is not available: {exc}. Hint: pip install "
                        "'mlekit[web]'.") from None
    from ._explore import serve

    return serve(web, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
