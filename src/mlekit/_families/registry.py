"""The registry of built-in families: ``register`` (a class decorator), name lookup with
aliases and suggestions, and ``families()`` (the catalogue)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from ..errors import FamilyError

if TYPE_CHECKING:
    from .base import Family

__all__ = ["registry", "register", "lookup", "families"]

registry: dict[str, type[Family]] = {}

_ALIASES = {"gaussian": "normal", "norm": "normal", "log_normal": "lognormal", "t": "student_t",
            "studentt": "student_t", "expon": "exponential", "exp": "exponential",
            "negbin": "negative_binomial", "nbinom": "negative_binomial",
            "negativebinomial": "negative_binomial", "fisk": "loglogistic",
            "log_logistic": "loglogistic", "invgauss": "inverse_gaussian", "wald": "inverse_gaussian",
            "inversegaussian": "inverse_gaussian", "weibull_min": "weibull", "gumbel_r": "gumbel",
            "geom": "geometric", "binom": "binomial", "bern": "bernoulli"}


def register(cls: type[Family]) -> type[Family]:
    registry[cls.name] = cls
    return cls


def _norm_key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def lookup(spec: str) -> type[Family]:
    """The registered class for a name or alias (``FamilyError`` with suggestions if none)."""
    key = _norm_key(spec)
    key = _ALIASES.get(key, key)
    if key in registry:
        return registry[key]
    close = difflib.get_close_matches(key, list(registry), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise FamilyError(
        f"family must be one of {', '.join(sorted(registry))}; got {spec!r}.{hint} "
        "Hint: mk.families() lists them with their parameters."
    )


def families() -> list[dict[str, Any]]:
    """Every built-in family: name, class, parameters, support and density formula.

    Returns
    -------
    list of dict
        One dict per family, sorted by name, with ``name``, ``class``, ``params``,
        ``domains`` (each parameter's domain in words), ``support``, ``discrete`` and
        ``formula``.

    Examples
    --------
    >>> import mlekit as mk
    >>> weibull = next(f for f in mk.families() if f["name"] == "weibull")
    >>> weibull["params"]
    ['shape', 'scale']
    """
    out = []
    for key in sorted(registry):
        cls = registry[key]
        out.append({
            "name": key,
            "class": cls.__name__,
            "params": list(cls.param_names),
            "domains": {p: d.describe() for p, d in zip(cls.param_names, cls.domains)},
            "support": cls.support_text or cls.support.describe(),
            "discrete": cls.discrete,
            "formula": cls.formula,
        })
    return out
