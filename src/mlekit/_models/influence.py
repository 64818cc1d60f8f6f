"""Leverage, Cook's distance and dfbeta of a regression (``RegressionResult.influence``).

A pandas DataFrame with one row per fitted row (index ``0..n-1``, the rows of
``r.predict()``): ``leverage``, ``cooks_distance``, and ``dfbeta_<coefficient>`` — the
one-step approximation of ``estimate - estimate without the row`` (statsmodels' ``d_params``;
divide by ``r.se[coefficient]`` for statsmodels' scaled ``dfbetas``). With frequency weights a
row stands for ``w_i`` identical observations and every measure is that of deleting the whole
row: for families without a dispersion the values are statsmodels' for the GLM with
``var_weights=w`` (the same likelihood); with ``freq_weights`` statsmodels' hat values agree but
its Cook's distance and ``d_params`` weight the rows differently.

**GLM path** — a GLM family (:data:`mlekit._models.residuals.GLM_FAMILIES`), uncensored, no
late entry, covariates on the mean only (the other parameters shared), as statsmodels'
``GLMResults.get_influence()`` (observed information):

- ``leverage`` ``h_i = w_i u_i x_i' (X' W U X)^-1 x_i``, the diagonal of the weighted hat
  matrix with ``u_i = -phi d^2 l_i / d eta_i^2`` (the observed Hessian factor; the expected one
  for canonical links) and ``W`` the frequency weights;
- ``cooks_distance`` ``= w_i r_i^2 h_i / (p (1 - h_i)^2 scale)`` with ``r_i`` the Pearson
  residual, ``p`` the number of mean coefficients and ``scale`` = 1 (poisson, bernoulli,
  negative binomial, exponential) or Pearson's ``X^2 / (n - p)`` (normal, gamma, inverse Gaussian: R's and
  statsmodels' dispersion estimate, not the maximum-likelihood one);
- ``dfbeta`` ``= (X' W U X)^-1 x_i w_i sqrt(u_i) |r_i| sign(dl_i/d eta_i) / (1 - h_i)`` (one
  column per mean coefficient). A row whose observed Hessian factor is ``u_i <= 0`` (possible
  with a non-canonical link, e.g. the inverse Gaussian's log link; statsmodels gives NaN there)
  takes the score form ``(X' W U X)^-1 x_i w_i phi dl_i/d eta_i / (1 - h_i)``, the same thing
  when ``u_i`` is the expected factor; the Cook's distance above is
  ``dfbeta_i' (X' W U X) dfbeta_i / (p scale)``, which holds for those rows too.

**Generalised path** — every other fit (covariates on several parameters, censored responses,
late entry, wrappers, any family), from the observed information ``J = -d^2 l / d beta^2`` (all
free coefficients, shared parameters included) and the per-row scores ``s_i``:

- ``leverage`` ``h_i = w_i sum_a -(d^2 l_i / d eta_a^2) z_ai' C_aa z_ai`` over the parameters
  ``a`` linked to covariates (``eta_a`` their linear predictors, ``z_ai`` row ``i``'s design
  for ``a``, ``C_aa`` that block of ``J^-1``, so the uncertainty of the shared parameters
  counts): the leverage of each linear predictor in the Newton (working) regression, summed.
  With one linked parameter orthogonal to the shared ones it is the GLM hat value above; it is
  negative only where a row's log-likelihood is locally convex in a linear predictor;
- ``dfbeta`` ``= J^-1 w_i s_i / (1 - h_i)`` (statsmodels' ``MLEInfluence.d_params``);
- ``cooks_distance`` ``= dfbeta_i' J dfbeta_i / k`` with ``k`` free coefficients
  (statsmodels' ``MLEInfluence.cooks_distance`` with the observed information).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError
from .residuals import GLM_FAMILIES, fitted, glm_parts

__all__ = ["influence", "is_glm", "glm_scale"]


def _full(v: Any, n: int) -> np.ndarray:
    return np.array(np.broadcast_to(np.asarray(v, dtype=float), (n,)))


def is_glm(r: Any) -> bool:
    """True when ``r`` takes the GLM path (see the module docs)."""
    m = r.model
    return (m.fam.name in GLM_FAMILIES and m.coords[0].X is not None
            and all(c.X is None for c in m.coords[1:]) and not m.resp.censored
            and m.window_rows is None)


def glm_scale(family: str, pearson: np.ndarray, w: np.ndarray, p: int) -> float:
    """The GLM dispersion of R and statsmodels: Pearson's ``X^2 / (n - p)`` for the families
    with a dispersion (normal, gamma, inverse Gaussian), else 1."""
    if family in ("normal", "gamma", "inverse_gaussian"):
        return float(np.sum(w * pearson ** 2) / (np.sum(w) - p))
    return 1.0


def influence(r: Any) -> Any:
    """Leverage, Cook's distance and dfbeta per fitted row (see the module docs)."""
    import pandas as pd

    m = r.model
    beta = np.array([r.params[p] for p in m.names], dtype=float)
    free = [i for i, p in enumerate(m.names) if p not in r.fixed]
    if not free:
        raise ParameterError("influence needs at least one estimated coefficient; every "
                             "parameter of this fit is fixed.")
    with np.errstate(all="ignore"):
        _, G, Hm = m.obs_terms(beta, 2)
    n = m.n
    w = np.ones(n) if m.w is None else np.asarray(m.w, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if is_glm(r):
            lev, cook, dfb, names = _glm(r, beta, G, Hm, w, free)
        else:
            lev, cook, dfb, names = _general(r, beta, Hm, w, free)
    out = pd.DataFrame({"leverage": lev, "cooks_distance": cook}, index=range(n))
    for j, name in enumerate(names):
        out[f"dfbeta_{name}"] = dfb[:, j]
    return out


def _glm(r: Any, beta: np.ndarray, G: list[Any], Hm: list[list[Any]], w: np.ndarray,
         free: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    m = r.model
    n = m.n
    f = fitted(r)
    mu, V, phi = glm_parts(m.fam, f.theta)
    cols = [j for j in range(m.coords[0].width) if j in free]
    if not cols:
        raise ParameterError("influence needs estimated mean coefficients; all of them are "
                             "fixed in this fit.")
    X = np.asarray(m.coords[0].X, dtype=float)[:, cols]
    u = -_full(Hm[0][0], n) * phi
    A = X.T @ (X * (w * u)[:, None])
    XA = X @ np.linalg.inv(A)
    lev = w * u * np.sum(XA * X, axis=1)
    pear = (f.a - mu) / np.sqrt(V)
    p = X.shape[1]
    scale = glm_scale(m.fam.name, pear, w, p)
    g = _full(G[0], n)
    step = w * np.where(u > 0, np.sqrt(np.abs(u)) * np.abs(pear) * np.sign(g), phi * g)
    dfb = XA * (step / (1.0 - lev))[:, None]
    cook = np.sum((dfb @ A) * dfb, axis=1) / (p * scale)
    return lev, cook, dfb, [m.names[j] for j in cols]


def _general(r: Any, beta: np.ndarray, Hm: list[list[Any]], w: np.ndarray, free: list[int]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    m = r.model
    n = m.n
    K = len(m.names)
    H = m.evaluate(beta, 2)[2][np.ix_(free, free)]
    J = -H
    try:
        C = np.linalg.inv(J)
    except np.linalg.LinAlgError:
        raise ParameterError("influence needs an invertible observed information; this fit's "
                             "is singular (see its diagnostics).") from None
    # E_a: the row's design for coordinate a, placed in the coefficient vector (free part)
    E = []
    for a, co in enumerate(m.coords):
        Ea = np.zeros((n, K))
        Ea[:, m.slices[a]] = co.X if co.X is not None else 1.0
        E.append(Ea[:, free])
    lev = np.zeros(n)
    for a, co in enumerate(m.coords):
        if co.X is not None:
            lev -= w * _full(Hm[a][a], n) * np.sum((E[a] @ C) * E[a], axis=1)
    S = w[:, None] * m.score_matrix(beta)[:, free]
    dfb = (S @ C) / (1.0 - lev)[:, None]
    cook = np.sum((dfb @ J) * dfb, axis=1) / len(free)
    return lev, cook, dfb, [m.names[j] for j in free]
