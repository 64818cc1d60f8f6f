"""The quick lane of ``mk.fit``: a closed-form family fitted to a plain float64 array with every
option at its default — the call a simulation loop, a bootstrap by hand or a web service makes
thousands of times.

It takes the same steps as :func:`mlekit._fit.family_fit.fit_family` on that input (the family's
``_check_data`` → non-regular estimates from the extremes → ``_suffstats`` → ``_closed_form`` →
``_stats_loglik``/``_stats_hessian`` → ``finish``) with the checks fused into one pass over the
values (:mod:`mlekit._fit.quickpass`): the sums the statistics need, or the extremes, decide at
once that the values are finite, inside the support, not all equal and of ordinary magnitude, and
are reused by the statistics. Whatever it cannot decide that way — NaN or infinite values, values
outside the support, identical values, data that need rescaling, a family without a closed form —
returns ``None`` and the caller takes the general path, which gives the same errors, diagnostics
and results as always.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._core.engine import map_reduce
from .._data.data import Block, Data
from .._families.base import Family, get_family
from . import family_fit
from .assemble import Estimate, finish
from .family_fit import FamilyRefit
from .likelihood import Likelihood
from .quickpass import scan
from .result import FitResult

__all__ = ["quick_fit"]

# per registry name: (family, its refit) or None when the family has no quick lane
_PLANS: dict[str, tuple[Family, FamilyRefit] | None] = {}
_HOOKS = ("_suffstats", "_closed_form", "_stats_loglik", "_stats_hessian")
# hooks whose family-specific versions need the general path (a distribution that depends on
# the data, non-regular estimates not taken from the extremes)
_GENERAL = ("_for_data", "_nonregular_estimate")


def _plan(family: Any) -> tuple[Family, FamilyRefit] | None:
    if isinstance(family, str):
        try:
            return _PLANS[family]
        except KeyError:
            pass
    fam = get_family(family)
    cls = type(fam)
    ok = (all(cls._overrides(h) for h in _HOOKS)
          and not any(cls._overrides(h) for h in _GENERAL)
          and not fam.values)
    plan = (fam, FamilyRefit(fam, method="auto", maxiter=200, penalty=None)) if ok else None
    if isinstance(family, str):
        _PLANS[family] = plan
    return plan


def quick_fit(x: np.ndarray, family: Any) -> FitResult | None:
    """The fit of ``family`` to ``x`` (a 1-D float64 array) on the quick lane, or ``None`` when
    the general path must decide."""
    if x.dtype != np.float64 or x.ndim != 1 or not x.flags.c_contiguous:
        return None
    plan = _plan(family)
    if plan is None:
        return None
    fam, refit = plan
    n = x.shape[0]
    if n <= fam.k:   # too few values, or a degenerate/ill-posed case: the general path says so
        return None
    blk = Block(x)
    sc = scan(fam, x, blk)   # one pass: the statistics' sums and every check
    if sc is None:
        return None
    sc.cache_extremes(blk)
    dat = scanned = Data._from_blocks(blk)
    if type(fam)._overrides("_check_data"):
        fam._check_data(dat, {})     # the general path's first step (on the cached extremes)
    if fam.discrete:
        dat = family_fit.compress_counts(dat)   # the general path's step (and function)
    if not fam._can_closed_form(dat):
        return None
    # non-regular parameters (sample extremes) are held at their estimates, as fit_family does
    nonreg = fam._nonregular_estimate(dat, {}) if fam.nonregular else {}
    lik = Likelihood(fam, dat, nonreg)
    if lik.data is scanned:
        sc.cache_terms(lik.chunks, n)
    with np.errstate(all="ignore"):
        try:
            stats = map_reduce(fam._suffstats, lik.chunks)
            params = None if stats is None else fam._closed_form(stats, nonreg)
            if params is None or stats is None:
                return None
            ll = float(fam._stats_loglik(stats, params))
            H = fam._stats_hessian(stats, params)
            if H is None:
                return None
            H = np.asarray(H, dtype=float)
        except (ZeroDivisionError, OverflowError, ValueError, FloatingPointError):
            return None
    if (H.shape != (fam.k, fam.k) or not math.isfinite(ll)
            or not all(math.isfinite(v) for v in params.values())):
        return None
    method = getattr(fam, "closed_form_method", "closed-form")
    est = Estimate(params, ll, H, method)
    return finish(fam, dat, lik, est, fixed={}, nonreg=nonreg, strict=False, refit=refit)
