"""The quick lane of ``mk.fit`` for families fitted by their own iteration: a family of one or two
parameters with a fast path (``_fast_fit``: the Weibull/Gumbel profile Newton, the fused Newton
of Cauchy, log-logistic and Lomax, the negative binomial's profile) fitted to a plain float64
array with every option at its default.

A fit of 1,000 values by such a path takes some 40 µs; the general route around it (options,
route table, ``fit_family``'s bookkeeping, the eager ``finish``) cost as much again. The lane
takes the same steps as :func:`mlekit._fit.family_fit.fit_family` on that input, in the same
order and through the same functions: the closed-form lane's checks from the extremes
(:func:`mlekit._fit.quick._small_checks`: finite values inside the support, not all equal, of
an ordinary magnitude — anything else returns ``None`` and the routes decide, with their errors
and diagnostics), the family's ``_check_data``, counts compressed, then
:func:`~mlekit._fit.family_fit.direct_estimate` (the fast path) or, where it declines, Newton.
A converged fit with nothing to report is assembled by ``finish_quick`` (inference fields
deferred to first access); any other by ``finish``, which warns now, as always.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from .._data.data import Block, Data
from .._families.base import Family
from .._families.support import Support
from . import family_fit
from .assemble import finish
from .deferred import finish_quick, regular_of
from .family_fit import FamilyRefit, direct_estimate
from .likelihood import Likelihood
from .newton import newton_fit
from .quick import CLOSED_HOOKS, GENERAL_HOOKS, _small_checks, plain_array, plan_by_name
from .quickpass import LARGE
from .rescale import limit_of
from .result import FitResult

__all__ = ["quick_iterative_fit", "runner"]


# per registry name: (family, refit, number of parameters, support, whether it has its own
# _check_data, rescaling limit, what finish_quick needs to know of it), or None when the family
# is not for this lane
Plan = tuple[Family, FamilyRefit, int, Support, bool, int, list[int] | None]
_PLANS: dict[str, Plan | None] = {}


def _plan(family: Any) -> Plan | None:
    return plan_by_name(family, _PLANS, _make_plan)


def _make_plan(fam: Family) -> Plan | None:
    cls = type(fam)
    # (a family with every closed-form hook is the closed-form lane's)
    if not (fam.k <= 2 and not fam.values and not fam.nonregular
            and (cls._overrides("_fast_fit") or fam.profile is not None)
            and not all(cls._overrides(h) for h in CLOSED_HOOKS)
            and not any(cls._overrides(h) for h in GENERAL_HOOKS)):
        return None
    return (fam, FamilyRefit(fam, method="auto", maxiter=200, penalty=None), fam.k, fam.support,
            cls._overrides("_check_data"), limit_of(fam), regular_of(fam))


def quick_iterative_fit(x: np.ndarray, family: Any) -> FitResult | None:
    """The fit of ``family`` to ``x`` (an ndarray) on this lane, or ``None`` when the general
    path must decide (what ``mk.fit`` runs, through :func:`runner`)."""
    run = runner(family)
    return None if run is None else run(x)


def runner(family: Any) -> Callable[[np.ndarray], FitResult | None] | None:
    """This lane for ``family`` as a function of the values (its plan bound), or ``None`` when
    the family is not for this lane."""
    plan = _plan(family)
    return None if plan is None else partial(_run, plan)


def _run(plan: Plan, x: np.ndarray) -> FitResult | None:
    n = x.shape[0]
    if not plain_array(x) or n <= plan[2]:
        return None
    if plan[0].discrete and n >= LARGE:
        # counts: the whole-array integer check allocates full-size temporaries (first fits
        # at n = 1e5 cost 1.5x); the general path checks them in chunks
        return None
    return _fit(x, plan)


def _fit(x: np.ndarray, plan: Plan) -> FitResult | None:
    fam, refit, _, sup, own_check, lim, regular = plan
    blk = Block(x)
    with np.errstate(all="ignore"):   # sums of huge values: the general path decides
        if not _small_checks(x, blk, fam, sup, lim):
            return None
    dat = Data._of_exact(blk)
    if own_check:
        fam._check_data(dat, {})     # the general path's first step (on the cached extremes)
    if fam.discrete:
        # the general path's step (and functions)
        dat = family_fit.compress_counts(dat, family_fit.counts_min_rows(fam, dat))
    lik = Likelihood(fam, dat, {})
    est = direct_estimate(fam, dat, lik, {})
    if est is None:                  # the fast path declined: Newton, as fit_family does
        est = newton_fit(fam, lik, dat, {}, {}, 200)
    elif est.converged and not est.diagnostics and math.isfinite(est.loglik):
        assert est.hess is not None
        return finish_quick(fam, dat, est.params, est.loglik, est.hess, est.method, refit, lik,
                            regular=regular, n_obs=float(x.shape[0]),
                            iterations=est.iterations, grad_norm=est.grad_norm)
    return finish(fam, dat, lik, est, fixed={}, nonreg={}, strict=False, cov_kind="observed",
                  refit=refit)
