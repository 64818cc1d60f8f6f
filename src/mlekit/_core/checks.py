"""Small validators and helpers shared by every layer: argument checks, number formatting, the
stack level that makes a warning name the user's line, and optional-dependency imports."""

from __future__ import annotations

import importlib
import inspect
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError

__all__ = ["check_level", "check_param_dict", "fmt", "find_stack_level", "require",
           "is_arithmetic", "arithmetic_guard", "check_maxiter", "as_rng", "is_loopback"]

# the installed package (src/mlekit/): frames in here are mlekit's own
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def check_level(level: float) -> float:
    """A confidence level as a float strictly between 0 and 1."""
    try:
        lv = float(level)
    except (TypeError, ValueError):
        raise ParameterError(f"level must be a number in (0, 1); got {level!r}.") from None
    if not 0.0 < lv < 1.0:
        raise ParameterError(
            f"level must lie strictly between 0 and 1 (e.g. 0.95); got {level!r}."
            + (" Hint: give a fraction, not a percentage." if 1 < lv <= 100 else "")
        )
    return lv


def check_param_dict(fam: Any, values: Any, what: str) -> dict[str, float]:
    """``fixed=`` / ``start=`` checked against a family's parameters (``fam.param_names``,
    ``fam._check_value``); ``None`` gives ``{}``."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParameterError(f"{what} must be a dict such as {{'shape': 1.5}}; got {values!r}.")
    out = {}
    for key, val in values.items():
        if key not in fam.param_names:
            raise ParameterError(
                f"{what} names a parameter of {type(fam).__name__} "
                f"({', '.join(fam.param_names)}); got {key!r}."
            )
        out[key] = fam._check_value(key, val, what)
    return out


def fmt(v: float, digits: int = 6) -> str:
    """A number for people: 6 significant digits, no exponent unless needed."""
    if v is None:
        return "—"
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}g}"


def find_stack_level() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that points at the first frame outside mlekit
    (the user's line), however deep inside the package the warning is raised (as in pandas)."""
    frame = inspect.currentframe()
    n = 0
    try:
        while frame is not None:
            if os.path.abspath(frame.f_code.co_filename).startswith(_PKG_DIR):
                frame = frame.f_back
                n += 1
            else:
                break
    finally:
        del frame
    return max(n, 1)


def require(module: str, extra: str, purpose: str | None = None, after: str = "") -> ModuleType:
    """Import an optional dependency, or raise ``ImportError`` naming the extra that installs
    it: ``"<purpose>: pip install 'mlekit[<extra>]'<after>"`` (``purpose`` defaults to
    ``"<module> is needed for this"``)."""
    try:
        return importlib.import_module(module)
    except ImportError:  # pragma: no cover - depends on the environment
        what = purpose or f"{module} is needed for this"
        raise ImportError(f"{what}: pip install 'mlekit[{extra}]'{after}") from None


#: exceptions of float arithmetic that under- or overflowed (Python ``math`` raises these)
ARITHMETIC = (ZeroDivisionError, OverflowError, FloatingPointError)


def is_arithmetic(exc: BaseException) -> bool:
    """Whether ``exc`` is a float under-/overflow (``math`` raises ValueError 'math domain
    error' for a log or sqrt of a value that underflowed to 0 or went negative by rounding)."""
    if isinstance(exc, ARITHMETIC):
        return True
    return type(exc) is ValueError and "math domain error" in str(exc)


@contextmanager
def arithmetic_guard(what: str = "the data") -> Iterator[None]:
    """Turn a float under-/overflow escaping a computation into a ``DataError`` that says how to
    get a fit (the closed forms fall back to Newton first: this is the last resort)."""
    try:
        yield
    except Exception as exc:
        if not is_arithmetic(exc):
            raise
        raise DataError(
            f"{what} cannot be fitted at this magnitude: the computation under- or overflowed "
            f"({type(exc).__name__}: {exc}). Hint: rescale the values (e.g. divide by a power "
            "of ten) or the fixed values, and fit again."
        ) from exc


def check_whole(value: Any, what: str, least: int, example: int) -> int:
    """A count such as ``n_boot``: a whole number (an integer or an integral float) ``>= least``;
    a ``ParameterError`` that shows ``example`` otherwise."""
    try:
        b = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{what} must be a whole number; got {value!r}.") from None
    if b != value or b < least:
        raise ParameterError(f"{what} must be a whole number >= {least} (e.g. {example}); got "
                             f"{value!r}.")
    return b


def check_maxiter(maxiter: object, what: str = "maxiter") -> int:
    """An iteration limit: a positive integer."""
    if isinstance(maxiter, bool) or not isinstance(maxiter, (int, np.integer)):
        raise ParameterError(f"{what} must be a positive integer; got {maxiter!r}.")
    if maxiter < 1:
        raise ParameterError(f"{what} must be a positive integer (at least 1); got {maxiter!r}.")
    return int(maxiter)


def as_rng(rng: object) -> np.random.Generator:
    """``numpy.random.default_rng(rng)`` with a ``ParameterError`` for anything it refuses."""
    if isinstance(rng, (str, bytes, float, bool)):
        raise ParameterError(f"rng must be None, an integer seed or a numpy.random.Generator; got "
                             f"{rng!r}.")
    try:
        return np.random.default_rng(rng)  # type: ignore[arg-type]  # other seeds: numpy refuses them, caught below
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"rng must be None, an integer seed or a numpy.random.Generator; got "
                             f"{rng!r} ({exc}).") from None


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost`` (the explorer's server and ``mlekit
    explore`` warn about any other address)."""
    import ipaddress

    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def name_list(names: Any, most: int = 20) -> str:
    """Names (columns, options) for an error message: all of them, or the first ``most`` and a
    count (a file with thousands of columns would otherwise print them all on one line)."""
    cols = [str(c) for c in names]
    if len(cols) <= most:
        return ", ".join(cols)
    return f"{', '.join(cols[:most])}, ... ({len(cols) - most} more, {len(cols)} in all)"
