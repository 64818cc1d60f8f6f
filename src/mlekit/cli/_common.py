"""What the command line's modules share: the user-error type, the console, the progress bar,
the comma-list splitter, the column options of ``fit``/``compare``/``report`` and ``regress``
and the interval options of ``fit`` and ``report``, declared once (kept out of
``cli/__init__.py`` so that ``render``, ``demo`` and ``_regress`` import them without importing
the entry module)."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["UserError", "console", "ProgressBar", "split", "COLUMNS", "add_column_flags",
           "column_kind", "INFERENCE", "add_inference_flags"]


class UserError(Exception):
    """A mistake in the command line itself (reported with exit code 2)."""


def console(stream: Any = None) -> Any:
    """A console sized to the terminal; piped output has no padding (see ``_output``)."""
    from ._output import make_console

    return make_console(stream)


class ProgressBar:
    """A rich progress bar on stderr, shown only in a terminal and without --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: float, total: float | None, desc: str) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=console(sys.stderr))
            self._bar.start()
            self._task = self._bar.add_task(desc, total=total)
        self._bar.update(self._task, completed=done, total=total, description=desc)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def split(items: list[str]) -> list[str]:
    return [p.strip() for item in items for p in item.split(",") if p.strip()]


# The column options every command that reads a table takes: flag -> (argparse keywords, what
# the column holds (the words of its errors), whether it is a 0/1 status). One declaration, so
# `fit` and `regress` show the same help and stop with the same message on a bad column.
COLUMNS: dict[str, tuple[dict[str, Any], str, bool]] = {
    "--observed": ({"metavar": "COL",
                    "help": "column that is 1/true where the value was seen exactly and 0/false "
                            "where it is right-censored (left-censored with --censoring left, "
                            "in the commands that have it)"},
                   "0/1", True),
    "--lower": ({"metavar": "COL", "help": "interval-censored data: column of lower bounds"},
                "lower bounds", False),
    "--upper": ({"metavar": "COL", "help": "interval-censored data: column of upper bounds"},
                "upper bounds", False),
    "--weights": ({"metavar": "COL", "help": "column of frequency weights"}, "weights", False),
    "--trials": ({"metavar": "COL", "help": "column of trials per row (binomial)"},
                 "trials", False),
    "--entry": ({"metavar": "COL", "help": "late-entry (left-truncation) times per row"},
                "entry times", False),
    "--nan": ({"choices": ("raise", "omit"), "default": "raise",
               "help": "missing values: stop with an error (default) or omit the rows"}, "", False),
    "--input-format": ({"choices": ("csv", "tsv", "parquet", "jsonl"),
                        "help": "file format (default: from the extension)"}, "", False),
}


def add_column_flags(group: Any, *flags: str) -> None:
    """Add the named column options (keys of :data:`COLUMNS`) to an argparse group."""
    for flag in flags:
        group.add_argument(flag, **COLUMNS[flag][0])


def column_kind(flag: str) -> tuple[str, bool]:
    """``(what, status)`` of a column option: the words of its errors and whether it is 0/1."""
    _, what, status = COLUMNS[flag]
    return what, status


# The interval options of `fit` and `report` (flag -> argparse keywords), declared once so that
# both commands read and explain them alike. `--seed` is not here: its default differs (fit:
# none, the bootstrap's own; report: 0, shared with the GOF refits).
INFERENCE: dict[str, dict[str, Any]] = {
    "--ci": {"default": "wald", "choices": ("wald", "wald-log", "profile", "bootstrap"),
             "help": "confidence interval method (default: wald)"},
    "--level": {"type": float, "default": 0.95, "help": "confidence level (default: 0.95)"},
    "--n-boot": {"type": int, "default": None, "metavar": "N",
                 "help": "bootstrap replicates with --ci bootstrap (default: 2000)"},
    "--derived": {"action": "append", "default": [], "metavar": "NAME",
                  "help": "a derived quantity with its interval: mean, median, var, sd ... "
                          "(repeatable or comma-separated)"},
    "--quantile": {"action": "append", "default": [], "type": float, "metavar": "Q",
                   "help": "the Q-quantile with its interval (e.g. 0.1 for B10 life)"},
    "--sf": {"action": "append", "default": [], "type": float, "metavar": "T",
             "help": "survival probability S(T) = P(X > T) with its interval"},
    "--cdf": {"action": "append", "default": [], "type": float, "metavar": "T",
              "help": "F(T) = P(X <= T) with its interval"},
    "--return-level": {"action": "append", "default": [], "type": float, "metavar": "T",
                       "help": "the T-block return level (quantile at 1 - 1/T; GEV/GPD: profile "
                               "CI)"},
}


def add_inference_flags(group: Any, *flags: str) -> None:
    """Add the named interval options (keys of :data:`INFERENCE`) to an argparse group."""
    for flag in flags:
        group.add_argument(flag, **INFERENCE[flag])
