"""Small-sample tools on a fitted model: draws from the Laplace approximation and the
Cox–Snell first-order bias correction.

``laplace(res, n, rng)``
    ``eta ~ N(eta_hat, J^-1 cov J^-1)`` on the unconstrained scale (log for positive parameters,
    logit for probabilities; ``J = d theta / d eta`` at the estimate), mapped back to the natural
    scale: draws that respect every domain. For a MAP fit this is the usual Laplace
    approximation of the posterior; for a maximum-likelihood fit it is the normal approximation
    of the estimate's sampling distribution.

``bias_corrected(res)``
    ``theta_tilde = theta_hat - b(theta_hat)`` with Cox & Snell's (1968) first-order bias, in
    Cordeiro & Klein's (1994) matrix form ``b = K^-1 A vec(K^-1)``, ``A_rtu = d kappa_rt /
    d theta_u - kappa_rtu / 2``:

    the *expected* cumulants, for exact (uncensored, untruncated) data of a continuous family
    with a quantile function: per-observation expectations by quadrature over the fitted
    distribution (``x = F^-1(Phi(z))``, trapezoid on ``z`` in [-8.5, 8.5]); the family's
    analytic second derivatives (numerical where it has none), third derivatives and
    ``d kappa / d theta`` by central differences of them. Censored data, regression and custom
    models are refused (their expected cumulants depend on the censoring and the design; the
    observed-information shortcut ``1/2 sum cov cov l_rtu`` is not a valid substitute — it
    misses ``E[l_rt l_u]`` and gets the Weibull shape's bias wrong by an order of magnitude).

    The correction removes the ``O(1/n)`` bias; the standard errors are unchanged to that order
    (the corrected estimator's variance is the MLE's to ``O(1/n)``; in small samples it is
    usually slightly larger when the correction shrinks towards larger values, smaller when it
    shrinks towards zero — measured in ``docs/coverage.md``).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import norm

from ..errors import ParameterError

if TYPE_CHECKING:
    from .._fit.result import FitResult

__all__ = ["laplace", "bias_corrected", "cox_snell_bias"]

_Z = np.linspace(-8.5, 8.5, 1201)
_WZ = norm.pdf(_Z) * (_Z[1] - _Z[0])
_WZ = _WZ / _WZ.sum()


def _free(res: FitResult) -> list[str]:
    nonreg = set(getattr(res.dist, "nonregular", ()))
    return [p for p in res.params if p not in res.fixed and p not in nonreg]


def laplace(res: FitResult, n: int = 1000, rng: Any = None) -> Any:
    """``n`` draws (a pandas DataFrame, one column per parameter) from the normal approximation
    on the unconstrained scale, mapped back (see the module docstring)."""
    import pandas as pd

    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ParameterError(f"n must be a positive whole number; got {n!r}.")
    names = list(res.params)
    doms = dict(zip(res.dist.param_names, res.dist.domains))
    free = _free(res)
    idx = [names.index(p) for p in free]
    cov = np.asarray(res.cov, dtype=float)[np.ix_(idx, idx)]
    if not np.all(np.isfinite(cov)):
        raise ParameterError(f"{res.family}: the Laplace approximation needs a finite covariance; "
                             "got none (see the fit's diagnostics).")
    e_hat = np.array([float(doms[p].to_unconstrained(res.params[p])) for p in free])
    J1 = np.array([float(doms[p].jacobian(e)[0]) for p, e in zip(free, e_hat)])
    cov_e = cov / np.outer(J1, J1)
    gen = np.random.default_rng(rng)
    w, V = np.linalg.eigh(0.5 * (cov_e + cov_e.T))
    L = V * np.sqrt(np.clip(w, 0.0, None))
    draws = e_hat + gen.standard_normal((int(n), len(free))) @ L.T
    cols = {}
    for p in names:
        if p in free:
            cols[p] = np.asarray(doms[p].from_unconstrained(draws[:, free.index(p)]), dtype=float)
        else:
            cols[p] = np.full(int(n), float(res.params[p]))
    return pd.DataFrame(cols)


# ---------------------------------------------------------------------- Cox–Snell
def _point_hess(fam: Any, x: np.ndarray, th: tuple[float, ...], idx: list[int]) -> np.ndarray:
    """Per-point Hessians of ``log f(x; th)`` over ``idx``: shape ``(len(x), m, m)``."""
    d = fam._d_logpdf(x, th, None)
    if d is None:
        from .._core.numdiff import numeric_derivs

        d = numeric_derivs(lambda t: fam._logpdf(x, t, None), th, fam.domains, idx, 2)
    m = len(idx)
    out = np.empty((x.size, m, m))
    for a, i in enumerate(idx):
        for b, j in enumerate(idx):
            out[:, a, b] = np.broadcast_to(np.asarray(d[2][i][j], dtype=float), x.shape)
    return out


def _nodes(fam: Any, names: tuple[str, ...], th: tuple[float, ...]) -> np.ndarray:
    dist = fam.with_params(**dict(zip(names, th)))
    lo = np.asarray(dist.ppf(norm.cdf(_Z[_Z <= 0])), dtype=float)
    hi = np.asarray(dist.isf(norm.sf(_Z[_Z > 0])), dtype=float)
    return np.concatenate([lo, hi])


def _steps(th: tuple[float, ...], idx: list[int]) -> list[float]:
    return [1e-4 * max(abs(th[i]), 1e-2) for i in idx]


def _expected_bias(res: FitResult, idx: list[int]) -> np.ndarray:
    fam = res.dist
    names = tuple(fam.param_names)
    th = tuple(float(res.params[p]) for p in names)
    N = float(res.n_obs)
    steps = _steps(th, idx)

    def e2(t: tuple[float, ...], x: np.ndarray | None = None) -> np.ndarray:
        xs = _nodes(fam, names, t) if x is None else x
        with np.errstate(all="ignore"):
            H = _point_hess(fam, xs, t, idx)
        # nodes whose quantile is not representable (isf = inf far in a tail) carry weight
        # < 1e-9: drop them and renormalise
        ok = np.isfinite(xs) & np.all(np.isfinite(H), axis=(1, 2))
        w = _WZ[ok] / _WZ[ok].sum()
        return np.einsum("k,kab->ab", w, H[ok])

    def shifted(u: int, h: float) -> tuple[float, ...]:
        t = list(th)
        t[idx[u]] += h
        return tuple(t)

    x0 = _nodes(fam, names, th)
    K = N * e2(th, x0)                                   # kappa_rt (negative definite)
    m = len(idx)
    dK = np.empty((m, m, m))                             # d kappa_rt / d theta_u
    K3 = np.empty((m, m, m))                             # kappa_rtu
    for u, h in enumerate(steps):
        dK[:, :, u] = N * (e2(shifted(u, h)) - e2(shifted(u, -h))) / (2 * h)
        K3[:, :, u] = N * (e2(shifted(u, h), x0) - e2(shifted(u, -h), x0)) / (2 * h)
    if not (np.all(np.isfinite(dK)) and np.all(np.isfinite(K3)) and np.all(np.isfinite(K))):
        raise ArithmeticError("non-finite expected cumulants")
    Kinv = np.linalg.inv(K)
    A = dK - 0.5 * K3
    out: np.ndarray = np.einsum("sr,tu,rtu->s", Kinv, Kinv, A)
    return out


def _expected_ok(res: FitResult) -> bool:
    d = res.data
    fam = res.dist
    return (d is not None and d.only_exact and not d.is_truncated and not fam.discrete
            and hasattr(fam, "with_params") and type(fam).__name__ != "ModelDist"
            and res.likelihood is not None and hasattr(res.likelihood, "family"))


def cox_snell_bias(res: FitResult) -> tuple[dict[str, float], str]:
    """The first-order bias ``{name: b}`` of the estimate and how it was computed."""
    if math.isfinite(res.penalised_loglik):
        raise ParameterError("bias_corrected() corrects a maximum-likelihood estimate; got a "
                             f"{res.method!r} fit (Firth's penalty already removes the first-order "
                             "bias of canonical models).")
    free = _free(res)
    names = list(res.params)
    idx = [names.index(p) for p in free]
    if not idx:
        return {}, "none"
    if not _expected_ok(res):
        raise ParameterError(
            f"bias_corrected() needs exact (uncensored, untruncated) data of a continuous family "
            f"with a quantile function; got a {res.family!r} fit with other data. Hint: "
            "penalty='firth' reduces the bias of binomial/Poisson/logistic fits; a bootstrap "
            "estimates the bias of any fit (ci(method='bootstrap', kind='bca') corrects for it).")
    try:
        b = _expected_bias(res, idx)
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        raise ParameterError(f"{res.family}: the expected cumulants for the bias correction are "
                             f"not finite at this estimate ({exc}).") from exc
    return {p: float(v) for p, v in zip(free, b)}, "expected"


def bias_corrected(res: FitResult) -> FitResult:
    """``res`` with Cox–Snell bias-corrected estimates (see the module docstring): the same
    standard errors, ``method`` extended by the correction, ``options["bias"]`` the bias
    removed. Profile intervals belong to the maximum-likelihood fit: the corrected result has
    no likelihood (Wald intervals are centred on the corrected estimate, and derived quantities
    such as quantiles take their delta-method SE from the kept covariance)."""
    bias, how = cox_snell_bias(res)
    doms = dict(zip(res.dist.param_names, res.dist.domains))
    params = dict(res.params)
    for p, b in bias.items():
        v = params[p] - b
        if not bool(doms[p].contains(v)):
            raise ParameterError(f"the bias correction moves {p} out of its domain "
                                 f"({params[p]:.6g} - {b:.6g}); the sample is too small for a "
                                 "first-order correction. Hint: use a penalised fit.")
        params[p] = v
    try:
        dist = res.dist.with_params(**params)
    except Exception:  # a model's parameter record: keep its structure, new values
        dist = res.dist._copy()
        dist.values = dict(params)
    return replace(res, params=params, dist=dist, likelihood=None, _refit=None,
                   method=f"{res.method} + Cox–Snell bias correction ({how} cumulants)",
                   options={**res.options, "bias": bias})
