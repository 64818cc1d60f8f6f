"""The quick lane of ``mk.fit``: a closed-form family fitted to a plain float64 array with every
option at its default — the call a simulation loop, a bootstrap by hand or a web service makes
thousands of times.

It takes the same steps as :func:`mlekit._fit.family_fit.fit_family` on that input (the family's
``_check_data`` → non-regular estimates from the extremes → ``_suffstats`` → ``_closed_form`` →
``_stats_loglik``/``_stats_hessian`` → ``finish``) with the checks fused: up to one chunk
(``CHUNK_ROWS`` values) one ``min``, one ``max`` (or, for non-negative values, the ``sum`` the
statistics reuse) decide at once that the values are finite, inside the support, not all equal
and of ordinary magnitude; beyond it — and from :data:`~mlekit._fit.quickpass.LARGE` values for
the families whose statistics hold ``Σ log x`` — one pass over the values
(:mod:`mlekit._fit.quickpass`) gives the sums the statistics need and decides the same. A clean
fit's result, estimates from the sample extremes included, defers its inference fields to first
access (``finish_quick``). Whatever the lane
cannot decide — NaN or infinite values, values outside the support, identical values, data that
need rescaling, a family without a closed form — returns ``None`` and the caller takes the general
path, which gives the same errors, diagnostics and results as always.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import numpy as np

from .._core.engine import CHUNK_ROWS, map_reduce
from .._data.counts import CLOSED_FORM_MIN_ROWS
from .._data.data import Block, Data
from .._families.base import Family, get_family
from .._families.support import Support
from . import family_fit
from .deferred import finish_quick, regular_of
from .family_fit import FamilyRefit
from .likelihood import Likelihood
from .quickpass import LARGE, scan
from .rescale import limit_of
from .result import FitResult

__all__ = ["CLOSED_HOOKS", "GENERAL_HOOKS", "plain_array", "plan_by_name", "quick_fit", "runner"]

# what the lane needs of a family, looked up once (a small fit is latency-bound): the family,
# its refit, its number of parameters, its support, its own _can_closed_form (None: the base
# hook's, which an exact untruncated block always passes), whether it has its own _check_data,
# its rescaling limit, and what finish_quick needs to know of it (deferred.regular_of)
Plan = tuple[Family, FamilyRefit, int, Support, Callable[[Data], bool] | None, bool, int,
             list[int] | None]
# per registry name: the plan, or None when the family has no quick lane
_PLANS: dict[str, Plan | None] = {}
# the hooks of a closed form: a family with all of them is this lane's (and not quickiter's)
CLOSED_HOOKS = ("_suffstats", "_closed_form", "_stats_loglik", "_stats_hessian")
# hooks whose family-specific versions need the general path (a distribution that depends on
# the data, non-regular estimates not taken from the extremes), on either lane
GENERAL_HOOKS = ("_for_data", "_nonregular_estimate")

P = TypeVar("P", bound=tuple[Any, ...])


def plan_by_name(family: Any, plans: dict[str, P | None],
                 make: Callable[[Family], P | None]) -> P | None:
    """A lane's plan for ``family``: ``make(get_family(family))``, kept in ``plans`` per
    registry name (a family object's is made on each call)."""
    if isinstance(family, str):
        try:
            return plans[family]
        except KeyError:
            pass
    plan = make(get_family(family))
    if isinstance(family, str):
        plans[family] = plan
    return plan


def _plan(family: Any) -> Plan | None:
    return plan_by_name(family, _PLANS, _make_plan)


def _make_plan(fam: Family) -> Plan | None:
    cls = type(fam)
    if not (all(cls._overrides(h) for h in CLOSED_HOOKS)
            and not any(cls._overrides(h) for h in GENERAL_HOOKS) and not fam.values):
        return None
    return (fam, FamilyRefit(fam, method="auto", maxiter=200, penalty=None), fam.k, fam.support,
            fam._can_closed_form if cls._overrides("_can_closed_form") else None,
            cls._overrides("_check_data"), limit_of(fam), regular_of(fam))


_EPS = 2.0**-52
_F64 = np.dtype(np.float64)
# the ufunc methods themselves (ndarray.min/.sum/.all add a Python wrapper per call)
_MIN, _MAX, _SUM = np.minimum.reduce, np.maximum.reduce, np.add.reduce
_ALL, _EQ = np.logical_and.reduce, np.equal


def _sum_proves(total: float, n: int, lo: float, lim: int) -> bool:
    """Whether the sum of ``n`` non-negative values (minimum ``lo``) proves what their maximum
    would: ``mean <= max <= sum`` gives an ordinary magnitude (exponent within ``±lim``), a sum
    clearly above ``n * min`` says the values are not all equal."""
    return (total < 2.0**lim and total >= n * 2.0**-(lim + 1)
            and total > n * lo * (1.0 + 4.0 * n * _EPS))


def plain_array(x: np.ndarray) -> bool:
    """Whether an ndarray is what the quick lanes take: contiguous, one-dimensional, float64."""
    return x.dtype == _F64 and x.ndim == 1 and x.flags.c_contiguous


def quick_fit(x: np.ndarray, family: Any) -> FitResult | None:
    """The fit of ``family`` to ``x`` (an ndarray) on the closed-form lane, or ``None`` when
    the general path must decide (what ``mk.fit`` runs, through :func:`runner`)."""
    run = runner(family)
    return None if run is None else run(x)


def runner(family: Any) -> Callable[[np.ndarray], FitResult | None] | None:
    """The closed-form lane of ``family`` as a function of the values (its plan bound: what
    ``mk.fit`` keeps per family name), or ``None`` when the family has no such lane."""
    plan = _plan(family)
    return None if plan is None else partial(_run, plan)


def _run(plan: Plan, x: np.ndarray) -> FitResult | None:
    # a contiguous 1-D float64 array with more values than the family has parameters (fewer:
    # a degenerate or ill-posed case, which the general path decides)
    if not plain_array(x) or x.shape[0] <= plan[2]:
        return None
    try:
        return _quick(x, plan)
    except (ZeroDivisionError, OverflowError, ValueError, FloatingPointError):
        return None


def _small_checks(x: np.ndarray, blk: Block, fam: Family, sup: Support, lim: int) -> bool:
    """Fewer than ``LARGE`` values: the checks from ``min`` and ``max`` (or, for non-negative
    values on a half-line, the ``sum`` the statistics reuse), cached on ``blk``."""
    n = x.shape[0]
    lo = float(_MIN(x))
    # NaN fails every comparison; values below the support: the general path raises the error
    if not (-math.inf < lo < math.inf) or lo < sup.lower or (lo == sup.lower
                                                           and not sup.lower_closed):
        return False
    cache = blk._cache
    cache["min"] = lo
    # (not for estimates from the extremes: the maximum is read anyway)
    if (lo >= 0.0 and sup.upper == math.inf and not fam.discrete and not fam.nonregular
            and _sum_proves(cache.setdefault("sum", float(_SUM(x))), n, lo, lim)):
        return True
    hi = float(_MAX(x))
    # equal values are the degenerate case
    if not (lo < hi < math.inf):
        return False
    if abs(math.frexp(hi if hi > -lo else lo)[1]) > lim:
        return False   # magnitudes that are fitted rescaled
    if hi > sup.upper or (hi == sup.upper and not sup.upper_closed):
        return False
    if sup.integer and not _integers(x, lo, hi, cache):
        return False
    cache["max"] = hi
    return True


# one error-state switch for the whole lane (sums of huge values, the closed forms); as a
# decorator, np.errstate builds no context-manager object per call
@np.errstate(all="ignore")
def _quick(x: np.ndarray, plan: Plan) -> FitResult | None:
    fam, refit, k, sup, can_closed_form, own_check, lim, regular = plan
    n = x.shape[0]
    blk = Block(x)
    sc = None
    # up to one chunk, the fused pass is the separate reductions (passes.fused makes each term
    # one NumPy call on the whole array): its own bookkeeping is saved except where it replaces
    # a pass (Σ log x: the checks of gamma and inverse Gaussian from the sums alone), and
    # except for counts (their integer check over the whole array allocates full-size
    # temporaries: first calls at 1e5 cost 2x the chunked scan)
    if n < LARGE or (n <= CHUNK_ROWS and "log" not in fam.value_sums and not fam.discrete):
        if not _small_checks(x, blk, fam, sup, lim):
            return None
    else:
        sc = scan(fam, x, blk)   # one pass: the statistics' sums and every check
        if sc is None:
            return None
        sc.cache_extremes(blk)
    dat = scanned = Data._of_exact(blk)
    if own_check:
        fam._check_data(dat, {})     # the general path's first step (on the cached extremes)
    if fam.discrete:
        # the general path's step (and function): a closed form's rule (counts_min_rows;
        # when the closed form does not apply below, the general path decides anyway)
        dat = family_fit.compress_counts(dat, CLOSED_FORM_MIN_ROWS)
    if can_closed_form is not None and not can_closed_form(dat):
        return None
    # non-regular parameters (sample extremes) are held at their estimates, as fit_family does
    nonreg = fam._nonregular_estimate(dat, {}) if fam.nonregular else {}
    lik: Likelihood | None = None
    if n <= CHUNK_ROWS:
        if sc is not None and dat is scanned:
            sc.cache_terms([dat], n)
        stats = fam._suffstats(dat)    # one chunk: map_reduce over [dat] is this call
    else:
        lik = Likelihood(fam, dat, nonreg)
        if sc is not None and lik.data is scanned:
            sc.cache_terms(lik.chunks, n)
        stats = map_reduce(fam._suffstats, lik.chunks)
    params = None if stats is None else fam._closed_form(stats, nonreg)
    if params is None or stats is None:
        return None
    ll = float(fam._stats_loglik(stats, params))
    H = fam._stats_hessian(stats, params)
    if H is None:
        return None
    if type(H) is not np.ndarray or H.dtype is not _F64:
        H = np.asarray(H, dtype=float)
    # NaN or an infinity in any (an overflowing sum of finite ones: the general path decides)
    if H.shape != (k, k) or not math.isfinite(ll + sum(params.values())):
        return None
    return finish_quick(fam, dat, params, ll, H, fam.closed_form_method, refit, lik, nonreg,
                        regular=regular, n_obs=float(n))


def _integers(x: np.ndarray, lo: float, hi: float, cache: dict[str, Any]) -> bool:
    """Whether every value (``lo >= 0``) is an integer."""
    if lo > -(2.0**52) and hi < 2.0**52:
        xi = x.astype(np.intp)   # truncation: the value itself exactly when it is an integer
        if not _ALL(_EQ(xi, x)):
            return False
        cache["intp"] = xi       # compress_counts' bincount reuses it
        return True
    return bool(_ALL(np.floor(x) == x))
