"""Confidence intervals for fitted parameters.

``wald`` and ``wald-log`` live here; ``profile`` and ``bootstrap`` are in their own modules.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from scipy.special import ndtri

from .._core.keywords import check_keywords, keywords_of
from ..errors import ParameterError

if TYPE_CHECKING:
    from .._fit.result import FitResult

__all__ = ["confidence_intervals", "crosses_zero", "wald", "CI_METHODS"]

CI_METHODS = ("wald", "wald-log", "profile", "bootstrap")


def crosses_zero(domain: Any, value: float, se: float, z: float) -> bool:
    """True when a positive parameter's natural-scale Wald interval ``value -/+ z se`` would
    go below 0 (its domain is ``(0, inf)``): ``wald`` then gives the log-scale interval."""
    return (domain.lower == 0.0 and math.isinf(domain.upper) and value > 0
            and math.isfinite(se) and value - z * se < 0.0)


def wald(res: FitResult, level: float, log: bool = False) -> dict[str, tuple[float, float]]:
    z = float(ndtri(0.5 + level / 2))  # norm.ppf without importing scipy.stats
    out: dict[str, tuple[float, float]] = {}
    for i, (p, v) in enumerate(res.params.items()):
        se = res.se[p]
        if p in res.fixed:
            out[p] = (v, v)
        elif not math.isfinite(se):
            out[p] = (math.nan, math.nan)
        elif (log and res.dist.domains[i].lower == 0.0 and math.isinf(res.dist.domains[i].upper)
              and v > 0) or crosses_zero(res.dist.domains[i], v, se, z):
            # wald-log; and plain wald where the natural interval would leave (0, inf): an
            # interval for a positive parameter never goes below 0 (a 'wald-log' diagnostic
            # on the result says so)
            f = math.exp(min(z * se / v, 709.0))  # beyond: the interval is (0, inf) anyway
            out[p] = (v / f, v * f)
        else:
            lo, hi = v - z * se, v + z * se
            out[p] = (lo, hi)
    return out


def confidence_intervals(res: FitResult, level: float, method: str,
                         **kwargs: Any) -> dict[str, tuple[float, float]]:
    m = str(method).lower()
    if m == "wald":
        _no_kwargs(kwargs, m)
        return wald(res, level)
    if m == "wald-log":
        _no_kwargs(kwargs, m)
        return wald(res, level, log=True)
    if m == "profile":
        if kwargs.pop("bartlett", False):
            from .bartlett import bartlett_profile_ci

            return bartlett_profile_ci(res, level, **kwargs)
        if "n_boot" in kwargs or "rng" in kwargs:
            raise ParameterError("ci(method='profile') takes params= and bartlett=; n_boot= and "
                                 "rng= go with bartlett=True.")
        from .profile import profile_ci

        check_keywords("ci(method='profile')", kwargs, keywords_of(profile_ci, 2), ("level",))
        return profile_ci(res, level, **kwargs)
    if m == "bootstrap":
        from .bootstrap import bootstrap_ci

        check_keywords("ci(method='bootstrap')", kwargs, keywords_of(bootstrap_ci, 2), ("level",))
        return bootstrap_ci(res, level, **kwargs)
    raise ParameterError(f"method must be one of {', '.join(CI_METHODS)}; got {method!r}.")


def _no_kwargs(kwargs: dict[str, Any], m: str) -> None:
    if kwargs:
        raise ParameterError(f"ci(method={m!r}) takes no options; got {', '.join(kwargs)}.")
