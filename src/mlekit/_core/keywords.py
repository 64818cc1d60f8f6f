"""Friendly errors for misspelt keyword arguments.

``res.ci(method="bootstrap", seed=1)`` or ``mk.fit(x, nan="omit")`` must not end in a raw
``TypeError`` from deep inside mlekit: :func:`check_keywords` raises a
:class:`~mlekit.errors.ParameterError` that names the keyword the user meant, from a table of
common aliases (the CLI's spelling, other libraries' spellings) or a close match.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import ParameterError

__all__ = ["ALIASES", "check_keywords", "unexpected_keywords", "keywords_of"]

# what people type (other libraries, the CLI's option names) -> mlekit's keyword
ALIASES: dict[str, str] = {
    "seed": "rng", "random_state": "rng", "random_seed": "rng", "rs": "rng",
    "nan": "nan_policy", "nans": "nan_policy", "missing": "nan_policy", "na_action": "nan_policy",
    "n_bootstrap": "n_boot", "nboot": "n_boot", "B": "n_boot", "n_resamples": "n_boot",
    "bootstrap": "n_boot", "reps": "n_boot",
    "confidence": "level", "conf_level": "level", "confidence_level": "level", "alpha": "level",
    "ci": "method", "ci_method": "method",
    "verbose": "quiet", "progress": "quiet",
    "weight": "weights", "w": "weights",
    "params_fixed": "fixed", "fix": "fixed", "x0": "start", "init": "start",
    "group": "by", "groups": "by", "groupby": "by",
}


def _suggest(name: str, allowed: list[str]) -> str | None:
    target = ALIASES.get(name)
    if target in allowed:
        return target
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def unexpected_keywords(func: str, given: Iterable[str], allowed: Iterable[str],
                        also: Iterable[str] = ()) -> ParameterError:
    """The error for keywords ``given`` that ``func`` does not take (``also``: the caller's own
    parameters, offered as suggestions but not listed)."""
    allowed = sorted(a for a in allowed if not a.startswith("_"))
    given = list(given)
    hints = []
    for g in given:
        s = _suggest(g, allowed + list(also))
        if s is not None:
            hints.append(f"{g}= is spelt {s}= here" if g in ALIASES else f"did you mean {s}=?")
    call = func if func.endswith(")") else f"{func}()"
    msg = f"{call} got unexpected argument{'s' if len(given) > 1 else ''}: {', '.join(given)}."
    if hints:
        msg += " Hint: " + "; ".join(hints) + ("" if hints[-1].endswith("?") else ".")
    else:
        msg += f" It takes {', '.join(a + '=' for a in allowed)}." if allowed else \
            " It takes no options."
    return ParameterError(msg)


def keywords_of(fn: Callable[..., Any], skip: int = 0) -> list[str]:
    """The keyword names ``fn`` accepts (after its first ``skip`` positional parameters)."""
    params = list(inspect.signature(fn).parameters.values())[skip:]
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def check_keywords(func: str, given: dict[str, Any], allowed: Iterable[str],
                   also: Iterable[str] = ()) -> None:
    """Raise a :class:`ParameterError` (with a suggestion) if ``given`` holds unknown keys;
    ``also`` are the caller's own parameters, offered as suggestions too."""
    allowed = list(allowed)
    extra = [k for k in given if k not in allowed]
    if extra:
        raise unexpected_keywords(func, extra, allowed, also)
