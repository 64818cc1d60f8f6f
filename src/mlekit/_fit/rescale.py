"""Fits at extreme magnitudes: data beyond ``2**±160`` are fitted multiplied by an exact power of
two and the result mapped back through the family's ``scale_powers`` (scale equivariance).

Written once for every backend: the in-memory fit (``family_fit``), the streamed/Dask fit
(``_scale.stream``, whose chunks are rescaled as they are read) and grouped fits (which fit
such groups one by one through the in-memory path).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .._families.base import Family
from ..errors import DataError
from .assemble import emit, nonfinite_diagnostic
from .result import Diagnostic, FitResult

__all__ = ["RESCALE_EXP", "exponent_of", "is_extreme", "limit_of", "scaled_inputs", "map_back"]

# data whose magnitude lies outside [2**-160, 2**160] (~1e-48 .. 1e48) are fitted rescaled:
# squares, sums and exponentials of such values under- or overflow in the closed forms and in
# Newton's steps, while the rescaled fit is an ordinary one
RESCALE_EXP = 160


def exponent_of(fam: Family, largest: float) -> int:
    """``e`` such that data whose largest magnitude is ``largest`` have magnitude ~1 once
    multiplied by ``2**-e``; 0 for ordinary magnitudes or a family without ``scale_powers``."""
    if fam.scale_powers is None or fam.discrete or not (math.isfinite(largest) and largest > 0):
        return 0
    e_hi = math.frexp(float(largest))[1]
    return e_hi if abs(e_hi) > limit_of(fam) else 0


def limit_of(fam: Family) -> int:
    """The family's rescaling limit: ``Family.rescale_beyond`` or :data:`RESCALE_EXP`."""
    lim = fam.rescale_beyond
    return RESCALE_EXP if lim is None else lim


def is_extreme(fam: Family, points: Any) -> bool:
    """Whether some nonzero value lies beyond ``2**±160`` (for a family that can rescale)."""
    if fam.scale_powers is None or fam.discrete:
        return False
    a = np.abs(np.asarray(points, dtype=float))
    a = a[np.isfinite(a) & (a > 0)]
    if not a.size:
        return False
    lo, hi = math.frexp(float(a.min()))[1], math.frexp(float(a.max()))[1]
    return max(abs(lo), abs(hi)) > limit_of(fam)


def scaled_inputs(fam: Family, e: int, fixed: dict[str, float], start: dict[str, float]
                  ) -> tuple[dict[str, float], dict[str, float]]:
    """``fixed`` and ``start`` for the data ``* 2**-e``; a fixed value that under- or
    overflows there is a ``DataError``."""
    pw = fam.scale_powers or {}
    with np.errstate(all="ignore"):
        fx = fam.rescaled_params(fixed, -e)
        for p, v in fx.items():
            if not (math.isfinite(v) and (v != 0.0 or pw.get(p, 0) == 0)) and fixed[p] != 0.0:
                raise DataError(f"fixed {p} = {fixed[p]:g} is out of range for data of this "
                                "magnitude. Hint: rescale the data and the fixed values.")
        return fx, fam.rescaled_params(start, -e)


def map_back(fam: Family, inner: FitResult, e: int, *, fixed: dict[str, float],
             exact_weight: float, strict: bool, **replace: Any) -> FitResult:
    """The fit ``inner`` (to the data ``* 2**-e``) as a fit to the data: estimates, SEs and
    covariance through ``scale_powers``, the log-likelihood less ``e log 2`` per exact
    observation (``exact_weight``: their total weight); ``replace``: other fields (data,
    likelihood, refit) for the caller to set."""
    pw = fam.scale_powers or {}
    with np.errstate(all="ignore"):
        params = fam.rescaled_params(inner.params, e)
        se = {p: float(np.ldexp(v, e * pw.get(p, 0))) for p, v in inner.se.items()}
        d = np.array([math.ldexp(1.0, e * pw.get(p, 0)) if abs(e * pw.get(p, 0)) < 1024
                      else math.inf for p in fam.param_names])
        covm = inner.cov * np.outer(d, d)
    loglik = inner.loglik - exact_weight * e * math.log(2.0)
    why = ("values of this magnitude under- or overflow" if abs(e) > RESCALE_EXP
           else f"{fam.name} is fitted at unit magnitude")
    diags = inner.diagnostics + (Diagnostic(
        "rescaled", f"fitted on the data × 2^{-e} ({why}) "
        "and mapped back; other messages quote the rescaled fit", "info"),)
    converged = inner.converged
    finite = nonfinite_diagnostic(params, loglik) if inner.method != "degenerate" else None
    if finite is not None:
        diags += (finite,)
        converged = False
        emit(dataclasses.replace(inner, diagnostics=(finite,)), strict)
    new = fam._copy()
    new.values = {p: float(params[p]) for p in fam.param_names}
    return dataclasses.replace(
        inner, params=params, se=se, cov=covm, loglik=loglik, fixed=dict(fixed), dist=new,
        diagnostics=diags, converged=converged, **replace)
