"""The same message in the words of each front end.

The library speaks Python (``ci(method='profile')``, ``mk.families()``, ``nan_policy='omit'``);
the command line and the web page do not. :func:`for_cli` and :func:`for_web` rewrite the
Python phrases of a message into the options a user of that front end actually has. The
library's own messages stay as they are, so Python users keep the Python hints.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["for_cli", "for_web"]

_DERIVED = ("mean", "median", "var", "sd")

_CLI: list[tuple[str, str]] = [
    (r"family must be one of [^;]*; got ('[^']*')\. Did you mean", r"unknown family \1. Did you mean"),
    (r"Hint: mk\.families\(\) lists them with their parameters\.",
     "Hint: 'mlekit families' lists them."),
    (r"Hint: mk\.Binomial\(n=10\), or mk\.Data\(successes, trials=n_per_row\)\.",
     "Hint: name the column of trials with --trials COL."),
    (r"prefer ci\(method='profile'\)", "prefer --ci profile"),
    (r"use ci\(method='profile'\)", "use --ci profile"),
    (r"ci\(method='bootstrap'\)", "--ci bootstrap"),
    (r"pass nan_policy='omit'", "pass --nan omit"),
    (r"nan_policy='omit'", "--nan omit"),
    (r"; see \.flagged for the reasons", " (listed with the table)"),
    (r" Hint: see \.flagged\.", ""),
    (r"mk\.fit\(x, family\)", "mlekit fit FILE -f FAMILY"),
    (r"mk\.compare\(x, 'all'\)", "mlekit compare FILE --all"),
]

_WEB: list[tuple[str, str]] = [
    (r"Hint: mk\.families\(\) lists them with their parameters\.",
     "Hint: the family list shows them."),
    (r"prefer ci\(method='profile'\)", "prefer profile intervals (the 'intervals' choice)"),
    (r"use ci\(method='profile'\)", "use profile intervals"),
    (r"pass nan_policy='omit'", "choose to drop rows with missing values"),
    (r"; see \.flagged for the reasons", ""),
    (r"ask for them with gof=true", "tick 'goodness of fit' to compute them"),
]


def _derived_hint(msg: str) -> str:
    m = re.search(r"derived quantity must be one of (.*?) or a function of the parameters dict; "
                  r"got '([^']*)'\.", msg)
    if not m:
        return msg
    got = m.group(2)
    close = difflib.get_close_matches(got, _DERIVED, n=1, cutoff=0.5)
    mean = f" Did you mean '{close[0]}'?" if close else ""
    return msg.replace(m.group(0), f"--derived must be one of {', '.join(_DERIVED)} (or use "
                                   f"--quantile, --sf, --cdf); got '{got}'.{mean}")


def _apply(msg: str, table: list[tuple[str, str]]) -> str:
    for pat, rep in table:
        msg = re.sub(pat, rep, msg)
    return msg


def _rows(msg: str, word: str) -> str:
    """The library's 0-based "index i" of a value as the front end's 1-based "row i+1" (the
    data row, as the command line and the page count them)."""
    return re.sub(r"\bat index (\d+)", lambda m: f"at {word} {int(m.group(1)) + 1}", msg)


def for_cli(msg: str) -> str:
    """``msg`` in command-line words (options instead of Python keywords, rows from 1)."""
    return _rows(_apply(_derived_hint(msg), _CLI), "row")


def for_web(msg: str) -> str:
    """``msg`` in the web explorer's words (its controls instead of Python keywords, data
    rows from 1)."""
    return _rows(_apply(msg, _WEB), "data row")
