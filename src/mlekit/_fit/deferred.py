"""The result of a quick lane's fit (``_fit/quick.py``, ``_fit/quickiter.py``): a converged fit
of one or two parameters with nothing to report keeps its inference fields — covariance, SEs,
distribution, diagnostics, likelihood — for its first access (:meth:`FitResult._deferred`); a
fit with something to say is :func:`~mlekit._fit.assemble.finish`'s result, warnings and all."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import EllipsisType
from typing import Any

import numpy as np

from .._data.counts import compressed
from .._families.base import Family
from .assemble import Estimate, _boundary_findings, _definite2, finish, finish_values
from .likelihood import Likelihood
from .result import FitResult

__all__ = ["finish_quick", "regular_of"]

_NONE: dict[str, float] = {}


def regular_of(fam: Family) -> list[int] | None:
    """What :func:`finish_quick` needs to know of ``fam`` once (a lane keeps it in its plan):
    the positions of its regular parameters — those not held at sample extremes — or ``None``
    when no result of the family can be deferred (more than two parameters, or the family's
    own ``_fit_diagnostics`` to run)."""
    if fam.k > 2 or type(fam)._fit_diagnostics is not Family._fit_diagnostics:
        return None
    return [i for i, p in enumerate(fam.param_names) if p not in fam.nonregular]


def finish_quick(fam: Family, dat: Any, params: dict[str, float], loglik: float, H: np.ndarray,
                 method: str, refit: Callable[..., FitResult], lik: Any = None,
                 nonreg: dict[str, float] | None = None, *,
                 regular: list[int] | EllipsisType | None = ...,
                 n_obs: float | None = None, iterations: int = 0,
                 grad_norm: float = 0.0) -> FitResult:
    """:func:`finish` of ``Estimate(params, loglik, H, method, iterations, grad_norm)``
    (converged, ``fixed={}``, observed information, not strict) for a fit whose estimates and
    log-likelihood the caller has checked to be finite.

    ``nonreg``: the estimates of the family's ``nonregular`` parameters (all of them; they have
    no Wald SE), ``regular``: :func:`regular_of` the family (computed when not given: ``...``;
    ``None``, as ``regular_of`` says, for a family whose results cannot be deferred), ``n_obs``:
    ``dat.n_obs`` (read when not given). When nothing can warn — a positive definite observed
    information on the regular parameters, no boundary finding, no family
    ``_fit_diagnostics`` — the result defers its inference fields (the likelihood: ``lik``, or
    ``Likelihood(fam, dat, nonreg)``) to first access, where :func:`finish_values` computes them
    as ``finish`` would; otherwise (the warnings are emitted now) it is ``finish``'s result."""
    nr = nonreg or _NONE
    if regular is ...:
        regular = regular_of(fam)
    if regular is None or not _regular_pd(H, regular) or (
            regular and _boundary_findings(fam, dat, params, nr)):
        return finish(fam, dat, lik if lik is not None else _likelihood(fam, dat, nr),
                      Estimate(params, loglik, H, method, iterations, grad_norm),
                      fixed={}, nonreg=nr, strict=False, refit=refit)

    def complete() -> dict[str, Any]:
        return finish_values(fam, dat, lik if lik is not None else _likelihood(fam, dat, nr),
                             Estimate(params, loglik, H, method, iterations, grad_norm),
                             fixed={}, nonreg=nr, cov_kind="observed", refit=refit)

    return FitResult._deferred(
        {"family": fam.name, "params": dict(params), "loglik": float(loglik),
         "n_obs": float(dat.n_obs) if n_obs is None else n_obs, "n_params": len(params),
         "converged": True, "method": method, "iterations": iterations, "grad_norm": grad_norm,
         "data": getattr(dat, "_compressed_from", dat) if fam.discrete else dat,
         "_refit": refit},
        complete)


def _likelihood(fam: Family, dat: Any, nonreg: dict[str, float]) -> Likelihood:
    """The likelihood a quick-lane result keeps for inference: counts compressed as
    ``fit_family`` keeps them (:func:`mlekit._data.counts.compressed`)."""
    return Likelihood(fam, compressed(dat) if fam.discrete else dat, nonreg)


def _regular_pd(H: Any, idx: list[int]) -> bool:
    """Whether ``-H`` is positive definite on ``idx`` (none, one or two parameters): the test
    of :func:`~mlekit._fit.assemble._small_inverse` without the inverse."""
    if not idx:
        return True
    h = (H if type(H) is np.ndarray else np.asarray(H, dtype=float)).tolist()
    if len(idx) == 1:
        a = -h[idx[0]][idx[0]]
        return math.isfinite(a) and a > 0
    i, j = idx
    return _definite2(-h[i][i], -h[i][j], -h[j][j])
