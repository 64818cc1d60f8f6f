"""Dependence modelled explicitly: the Gaussian AR(1) and finite-state Markov chains.

An i.i.d. fit treats every observation as a fresh draw. When each value depends on the one
before, that likelihood is wrong: the estimates may still be consistent (the marginal mean and
variance), but their standard errors are too small (positively correlated data carry less
information than their count), and a model of the dependence answers questions an i.i.d. model
cannot (how persistent is a shock? what comes after state A?).

- :func:`fit_ar1`: ``y_t - mu = phi (y_{t-1} - mu) + e_t``, ``e_t ~ N(0, sigma^2)``, with the
  exact likelihood (the first value from the stationary law ``N(mu, sigma^2/(1-phi^2))``), not
  the conditional least-squares one. Same answer as statsmodels' exact (Kalman) ARIMA(1,0,0).
- :func:`fit_markov`: transition probabilities ``P(a -> b)`` from one or several state
  sequences, conditional on each sequence's first state: the closed form ``n_ab / n_a`` with the
  multinomial (observed = expected) information for standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._core.domains import Interval, Positive, Real, UnitInterval
from .._data.data import as_float_array
from .._families.base import Family
from .._fit.assemble import emit, model_result
from .._fit.problem import Problem, maximize
from .._fit.result import Diagnostic, FitResult
from ..errors import DataError

__all__ = ["fit_ar1", "fit_markov", "ar1_loglik", "MarkovChain"]

_LOG_2PI = math.log(2.0 * math.pi)


def ar1_loglik(y: np.ndarray, mu: float, phi: float, sigma: float) -> float:
    """Exact Gaussian AR(1) log-likelihood (stationary start)."""
    z = y - mu
    e = z[1:] - phi * z[:-1]
    v1 = sigma * sigma / (1.0 - phi * phi)
    n = y.size
    return float(-0.5 * n * _LOG_2PI - 0.5 * math.log(v1) - 0.5 * z[0] ** 2 / v1
                 - (n - 1) * math.log(sigma) - 0.5 * float(e @ e) / (sigma * sigma))


def fit_ar1(y: Any, *, start: dict[str, float] | None = None, strict: bool = False,
            maxiter: int = 200) -> FitResult:
    """Fit a stationary Gaussian AR(1) by exact maximum likelihood.

    The model's parameters: ``mu`` (the mean of the series), ``phi`` (lag-1 autocorrelation,
    in (-1, 1)) and ``sigma`` (innovation standard deviation).

    Parameters
    ----------
    y
        The series, equally spaced in time, without gaps.
    start
        Starting guesses for ``mu``, ``phi``, ``sigma``.
    strict
        Raise :class:`ConvergenceError` instead of warning when the fit is not clean.
    maxiter
        Newton iterations at most.

    Returns
    -------
    FitResult
        ``mu``, ``phi`` and ``sigma`` with standard errors from the exact likelihood (the
        first observation from the stationary distribution).

    Raises
    ------
    DataError
        A missing or infinite value (a gap breaks the chain), or too short a series.

    Examples
    --------
    >>> import numpy as np
    >>> import mlekit as mk
    >>> rng = np.random.default_rng(3)
    >>> y = np.empty(500)
    >>> y[0] = 0.0
    >>> for t in range(1, 500):
    ...     y[t] = 0.6 * y[t - 1] + rng.normal()
    >>> res = mk.fit_ar1(y)
    >>> 0.5 < res.params["phi"] < 0.7
    True
    """
    x = as_float_array(y, "y")
    if not np.all(np.isfinite(x)):
        i = int(np.flatnonzero(~np.isfinite(x))[0])
        raise DataError(f"y must be finite (a gap breaks the chain of dependence); got a missing "
                        f"or infinite value at index {i}. Hint: fit the pieces between gaps "
                        "separately or impute.")
    if x.size < 4:
        raise DataError(f"AR(1) needs at least 4 observations; got {x.size}.")
    if np.all(x == x[0]):
        raise DataError("y is constant: sigma would be 0 and phi is not identifiable.")
    m = float(x.mean())
    d = x - m
    r1 = float(d[1:] @ d[:-1] / (d @ d))
    phi0 = min(max(r1, -0.95), 0.95)
    s0 = {"mu": m, "phi": phi0, "sigma": float(d.std() * math.sqrt(1 - phi0**2))}
    s0.update(start or {})
    names = ["mu", "phi", "sigma"]
    doms = [Real, Interval(-1.0, 1.0), Positive]

    def value(th: tuple[float, ...]) -> float:
        return ar1_loglik(x, *th)

    prob = Problem(names, doms, {}, value, label="ar1",
                   reproducer=lambda p: f"mk.fit_ar1(y, start={ {k: round(v, 6) for k, v in p.items()} })")
    sol = maximize(prob, [s0, {**s0, "phi": 0.0}], maxiter=maxiter)
    return model_result("ar1", sol, prob, n_obs=float(x.size), strict=strict,
                        options={"series_length": x.size})


# ---------------------------------------------------------------------- Markov chains
class MarkovChain(Family):
    """A fitted finite-state Markov chain: ``transition_matrix()``, ``stationary()``."""

    states: tuple[Any, ...] = ()

    def _logpdf(self, x: Any, th: Any, blk: Any) -> Any:
        from ..errors import FamilyError

        raise FamilyError("a Markov chain is a model of sequences: use transition_matrix().")

    def transition_matrix(self) -> np.ndarray:
        K = len(self.states)
        return np.array([[self.values[f"{a}->{b}"] for b in self.states] for a in self.states]
                        ).reshape(K, K)

    def stationary(self) -> dict[Any, float]:
        """The stationary distribution (left eigenvector of the transition matrix for 1)."""
        P = self.transition_matrix()
        w, V = np.linalg.eig(P.T)
        v = np.real(V[:, int(np.argmin(np.abs(w - 1.0)))])
        v = v / v.sum()
        return dict(zip(self.states, map(float, v)))


def _sequences(seqs: Any) -> list[list[Any]]:
    if isinstance(seqs, (str, bytes)):
        return [list(seqs)]
    items = list(seqs)
    if items and all(isinstance(s, (list, tuple, np.ndarray, str)) or type(s).__name__ == "Series"
                     for s in items):
        return [list(s) if isinstance(s, str) else list(np.asarray(s).tolist()) for s in items]
    return [list(np.asarray(items).tolist())]


def fit_markov(sequences: Any, *, states: Sequence[Any] | None = None,
               strict: bool = False) -> FitResult:
    """Transition probabilities of a first-order Markov chain from state sequences.

    The model's parameters are named ``"a->b"``; each row sums to 1, so there are ``K(K-1)``
    free parameters. The log-likelihood is conditional on each sequence's first state.

    Parameters
    ----------
    sequences
        One sequence of state labels (list, array, string) or a list of them.
    states
        All states, in the order of the transition matrix (default: those seen, sorted);
        a state that is never left has NaN probabilities and a ``no-transitions`` warning.
    strict
        Raise :class:`ConvergenceError` instead of warning when the fit is not clean.

    Returns
    -------
    FitResult
        Parameters ``"a->b"``: the estimated transition probabilities.

    Raises
    ------
    DataError
        States outside ``states``, fewer than 2 states, or no transition at all.

    Examples
    --------
    >>> res = mk.fit_markov("aabbbaab")
    >>> round(res.params["a->b"], 3)
    0.5
    """
    seqs = _sequences(sequences)
    seen = sorted({s for q in seqs for s in q}, key=lambda v: (str(type(v)), v))
    if states is None:
        sts = seen
    else:
        sts = list(states)
        extra = [s for s in seen if s not in sts]
        if extra:
            raise DataError(f"the sequences contain states not in states=: {extra[:5]}.")
    K = len(sts)
    if K < 2:
        raise DataError(f"a Markov chain needs at least 2 states; got {K}.")
    idx = {s: i for i, s in enumerate(sts)}
    N = np.zeros((K, K))
    for q in seqs:
        if len(q) >= 2:
            a = np.array([idx[s] for s in q])
            np.add.at(N, (a[:-1], a[1:]), 1.0)
    n_trans = float(N.sum())
    if n_trans == 0:
        raise DataError("no transitions: every sequence has fewer than 2 states.")
    rows = N.sum(axis=1)
    names = [f"{a}->{b}" for a in sts for b in sts]
    params: dict[str, float] = {}
    cov = np.zeros((K * K, K * K))
    diags: list[Diagnostic] = []
    for i, a in enumerate(sts):
        if rows[i] == 0:
            for b in sts:
                params[f"{a}->{b}"] = math.nan
            cov[i * K:(i + 1) * K, i * K:(i + 1) * K] = np.nan
            diags.append(Diagnostic("no-transitions", f"state {a!r} is never left (it only ends "
                                    "sequences): its transition probabilities are not "
                                    "estimable", "warning", f"{a}->{a}"))
            continue
        p = N[i] / rows[i]
        for j, b in enumerate(sts):
            params[f"{a}->{b}"] = float(p[j])
            if N[i, j] == 0:
                diags.append(Diagnostic("boundary", f"transition {a}->{b} was never observed "
                                        f"(0 of {rows[i]:g}): the estimate 0 is on the boundary "
                                        "and its Wald SE is 0; prefer profile or bootstrap "
                                        "intervals", "info", f"{a}->{b}"))
        cov[i * K:(i + 1) * K, i * K:(i + 1) * K] = (np.diag(p) - np.outer(p, p)) / rows[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = float(np.sum(np.where(N > 0, N * np.log(np.where(N > 0, N, 1.0) /
                                                      np.where(rows[:, None] > 0, rows[:, None], 1.0)),
                                   0.0)))
    se = {n: (math.sqrt(cov[i, i]) if cov[i, i] >= 0 else math.nan) for i, n in enumerate(names)}
    chain_cls: type[MarkovChain] = type("MarkovChain", (MarkovChain,), {
        "name": "markov", "param_names": tuple(names), "domains": (UnitInterval,) * len(names)})
    mc = MarkovChain.__new__(chain_cls)
    mc.values = dict(params)
    mc.states = tuple(sts)
    n_free = int(sum(K - 1 for r in rows if r > 0))
    res = FitResult(family="markov", dist=mc, params=params, se=se, cov=cov, loglik=ll,
                    n_obs=n_trans, n_params=n_free, converged=not any(d.severity == "warning"
                                                                      for d in diags),
                    method="closed-form", diagnostics=tuple(diags),
                    options={"counts": N, "states": tuple(sts)})
    emit(res, strict)
    return res
