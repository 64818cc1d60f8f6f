"""Residuals of a distributional regression (``RegressionResult.residuals``).

One value per fitted row (the rows the fit used, in their order: the rows of ``r.predict()``),
as a numpy array. ``kind``:

``"response"``
    ``y - E[y | x]`` (the mean of the fitted distribution of the row).
``"pearson"``
    GLM families (below): ``(y - mu) / sqrt(V(mu))`` with the GLM variance function, the
    dispersion *not* divided out, as R's ``residuals(glm, "pearson")`` and statsmodels'
    ``resid_pearson`` (the normal model's Pearson residual is ``y - mu``). Other families:
    ``(y - E[y | x]) / sd(y | x)`` under the fitted distribution.
``"deviance"``
    GLM families only: ``sign(y - mu) sqrt(d_i)`` with the unit deviance
    ``d_i = 2 phi (l_i(saturated) - l_i(fitted))``; the saturated model sets the row's mean
    to ``y`` with the other parameters at their estimates, and ``phi`` is the dispersion
    (normal: ``sigma^2``, gamma: ``1/shape``, inverse Gaussian: ``1/shape``, else 1), so the
    values are R's ``residuals(glm, "deviance")`` and statsmodels' ``resid_deviance``.
``"cox-snell"``, ``"martingale"``
    Continuous families (lifetimes, censored or not): ``r = -log S(t | x)`` at the event or
    censoring time (``+ log S(entry | x)`` on late-entry rows: the cumulative hazard from entry
    to ``t``), unit exponential under the model; martingale ``= delta - r`` (``delta`` = 1 for
    an event). Left- and interval-censored rows have neither (use ``"quantile"``).
``"quantile"``
    Randomised quantile residuals (Dunn & Smyth 1996): ``Phi^-1(u)`` with ``u`` the fitted
    cdf at ``y``, drawn uniformly over the cdf's jump where the response is discrete (counts,
    a zero-inflated point mass) and over ``(F(c), 1)`` / ``(0, F(c))`` / ``(F(a), F(b))`` for
    right- / left- / interval-censored rows; late entry uses the cdf truncated at the entry
    time. Standard normal under the model, for every family. ``rng``: seed or Generator
    (default 0, as everywhere in mlekit); computed on the log scale, so far tails stay finite.

GLM families (deviance residuals, GLM Pearson residuals, the GLM influence path):
``normal``, ``poisson``, ``bernoulli``, ``negative_binomial`` (``size`` as estimated),
``gamma``, ``inverse_gaussian``, ``exponential`` — without censoring or late entry.
``"response"``, ``"pearson"`` and ``"deviance"`` need uncensored responses without late
entry (the fitted mean is not the mean of a censored or truncated row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtri_exp, xlogy

from .._core.checks import as_rng
from .._families.stats import log1mexp
from ..errors import FamilyError, ParameterError
from .distreg import EXACT, INTERVAL, LEFT, RIGHT

__all__ = ["KINDS", "GLM_FAMILIES", "Fitted", "fitted", "residuals", "glm_parts"]

KINDS = ("response", "pearson", "deviance", "cox-snell", "martingale", "quantile")
GLM_FAMILIES = ("normal", "poisson", "bernoulli", "negative_binomial", "gamma",
                "inverse_gaussian", "exponential")
_CODE = {EXACT: 0, RIGHT: 1, LEFT: 2, INTERVAL: 3}


@dataclass
class Fitted:
    """The fitted rows: response per row, its kind, and the family's parameters per row."""

    n: int
    kind: np.ndarray            # 0 exact, 1 right-, 2 left-, 3 interval-censored
    a: np.ndarray               # the value (exact), the censoring time, the lower end
    b: np.ndarray               # the upper end of interval rows (else = a)
    theta: tuple[np.ndarray, ...]
    window: tuple[np.ndarray, np.ndarray] | None   # per-row truncation (lo, hi) or None

    @property
    def exact(self) -> bool:
        return bool(np.all(self.kind == 0)) and self.window is None


def fitted(r: Any) -> Fitted:
    """Per-row response and natural parameters of a ``RegressionResult``."""
    m = r.model
    n = m.n
    kind = np.zeros(n, dtype=np.int8)
    a = np.empty(n)
    b = np.empty(n)
    for k, idx, blk in m.resp.groups:
        sel = slice(None) if idx is None else idx
        kind[sel] = _CODE[k]
        a[sel] = blk.x
        b[sel] = blk.hi if k == INTERVAL else blk.x
    left = kind == 2
    a[left], b[left] = -np.inf, b[left]     # left-censored: (-inf, c]
    beta = np.array([r.params[p] for p in m.names], dtype=float)
    cv = m.coord_values(beta)
    rho = [np.broadcast_to(np.asarray(c[0], dtype=float), (n,)) for c in cv]
    theta = tuple(np.array(np.broadcast_to(np.asarray(t, dtype=float), (n,)))
                  for t in m.natural(rho))
    win = m.window_rows
    window = None if win is None else (np.asarray(win[0], dtype=float),
                                       np.asarray(win[1], dtype=float))
    return Fitted(n, kind, a, b, theta, window)


def _truncate(fam: Any, f: Fitted, lf: np.ndarray, ls: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """``(log F, log S)`` of each row's distribution truncated to its window ``[lo, hi]``:
    ``F_c(x) = (F(x) - F(lo)) / P``, ``S_c(x) = (S(x) - S(hi)) / P``, ``P = F(hi) - F(lo)``."""
    if f.window is None:
        return lf, ls
    lo, hi = f.window
    lf_a, ls_a = _logs(fam, lo, f.theta)
    lf_b, ls_b = _logs(fam, hi, f.theta)
    with np.errstate(all="ignore"):
        # log P from the tail where it is accurate
        lp = np.where(np.exp(lf_a) + np.exp(lf_b) < 1.0,
                      lf_b + log1mexp(np.minimum(lf_a - lf_b, 0.0)),
                      ls_a + log1mexp(np.minimum(ls_b - ls_a, 0.0)))
        lfc = lf + log1mexp(np.minimum(lf_a - lf, 0.0)) - lp
        lsc = ls + log1mexp(np.minimum(ls_b - ls, 0.0)) - lp
        lfc = np.where(lf_a == -np.inf, lf - lp, lfc)
        lsc = np.where(ls_b == -np.inf, ls - lp, lsc)
    return np.minimum(lfc, 0.0), np.minimum(lsc, 0.0)


# ---------------------------------------------------------------------- GLM pieces
def glm_parts(fam: Any, th: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mu, V(mu), phi)`` per row for a GLM family (see the module docs)."""
    name = fam.name
    one = np.ones_like(th[0])
    if name == "normal":
        mu = th[0]
        return mu, one, th[1] ** 2
    if name == "poisson":
        return th[0], th[0], one
    if name == "bernoulli":
        return th[0], th[0] * (1.0 - th[0]), one
    if name == "negative_binomial":
        mu, k = th
        return mu, mu + mu * mu / k, one
    if name == "gamma":
        mu = th[0] * th[1]
        return mu, mu * mu, 1.0 / th[0]
    if name == "inverse_gaussian":
        mu = th[0]
        return mu, mu ** 3, 1.0 / th[1]
    if name == "exponential":
        mu = 1.0 / th[0]
        return mu, mu * mu, one
    raise ParameterError(f"{name} is not a GLM family ({', '.join(GLM_FAMILIES)}).")


def _unit_deviance(name: str, y: np.ndarray, mu: np.ndarray, th: tuple[np.ndarray, ...]
                   ) -> np.ndarray:
    """``2 phi (l_sat - l)`` per row, written out per family (stable at y = 0, 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "normal":
            return (y - mu) ** 2
        if name == "poisson":
            return 2.0 * (xlogy(y, y / mu) - (y - mu))
        if name == "bernoulli":
            return 2.0 * (xlogy(y, y / mu) + xlogy(1.0 - y, (1.0 - y) / (1.0 - mu)))
        if name == "negative_binomial":
            k = th[1]
            return 2.0 * (xlogy(y, y / mu) - (y + k) * np.log((y + k) / (mu + k)))
        if name in ("gamma", "exponential"):
            return 2.0 * (-np.log(y / mu) + (y - mu) / mu)
        return (y - mu) ** 2 / (mu * mu * y)          # inverse_gaussian


def _mean_var(fam: Any, th: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the fitted distribution per row (wrappers as mixtures)."""
    from .._families.wrappers import Cure, Hurdle, Wrapped

    if isinstance(fam, Wrapped):
        bth, p = th[:-1], th[-1]
        bm, bv = _mean_var(fam.base, bth)
        m2 = bv + bm * bm                              # E[y^2] of the base
        if isinstance(fam, Cure):
            return np.where(p > 0, np.inf, bm), np.where(p > 0, np.inf, bv)
        if isinstance(fam, Hurdle) and fam.discrete:
            f0 = np.exp(fam.base._logpdf(np.zeros_like(p), bth, None))
            mean, ey2 = (1.0 - p) * bm / (1.0 - f0), (1.0 - p) * m2 / (1.0 - f0)
        else:
            mean, ey2 = (1.0 - p) * bm, (1.0 - p) * m2
        return mean, ey2 - mean * mean
    try:
        try:
            d = fam._scipy(th)
            return np.asarray(d.mean(), dtype=float), np.asarray(d.var(), dtype=float)
        except TypeError:       # a scipy bridge written for scalar parameters: row by row
            rows = [fam._scipy(tuple(float(t[i]) for t in th)) for i in range(th[0].shape[0])]
            return (np.array([float(d.mean()) for d in rows]),
                    np.array([float(d.var()) for d in rows]))
    except FamilyError:
        raise ParameterError(f"response and Pearson residuals need the fitted mean and variance; "
                             f"{fam.name} has no scipy.stats equivalent to give them. Hint: use "
                             "kind='quantile'.") from None


# ---------------------------------------------------------------------- residuals
def residuals(r: Any, kind: str = "deviance", rng: Any = 0) -> np.ndarray:
    """Residuals of a regression (see the module docs)."""
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {', '.join(repr(k) for k in KINDS)}; got "
                             f"{kind!r}.")
    fam = r.model.fam
    f = fitted(r)
    if kind == "quantile":
        return _quantile(fam, f, as_rng(rng))
    if kind in ("cox-snell", "martingale"):
        return _cox_snell(fam, f, kind)
    if not f.exact:
        raise ParameterError(f"{kind!r} residuals need uncensored responses without late entry "
                             "(the fitted mean is not the mean of a censored or truncated row); "
                             "this fit has censored or late-entry rows. Hint: use 'quantile', "
                             "'cox-snell' or 'martingale'.")
    y = f.a
    glm = fam.name in GLM_FAMILIES
    if kind == "deviance":
        if not glm:
            raise ParameterError(f"deviance residuals are defined for the GLM families "
                                 f"({', '.join(GLM_FAMILIES)}); got {fam.name}. Hint: use "
                                 "kind='quantile' (randomised quantile residuals work for every "
                                 "family) or 'pearson'.")
        mu, _, _ = glm_parts(fam, f.theta)
        d = _unit_deviance(fam.name, y, mu, f.theta)
        return np.sign(y - mu) * np.sqrt(np.maximum(d, 0.0))
    if glm:
        mu, V, _ = glm_parts(fam, f.theta)
    else:
        with np.errstate(all="ignore"):
            mu, V = _mean_var(fam, f.theta)
    if not np.all(np.isfinite(mu)):
        raise ParameterError(f"{kind!r} residuals need a finite fitted mean; {fam.name} has an "
                             "infinite mean on some rows (e.g. a cure fraction). Hint: use "
                             "kind='quantile' or 'cox-snell'.")
    if kind == "response":
        return y - mu
    return (y - mu) / np.sqrt(V)


def _logs(fam: Any, x: np.ndarray, th: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """``(log F(x), log S(x))`` with the support's ends (and infinite x) handled."""
    lo, hi = fam.support.lower, fam.support.upper
    with np.errstate(all="ignore"):
        xs = np.clip(x, lo, hi) if np.isfinite(lo) or np.isfinite(hi) else x
        xs = np.where(np.isfinite(xs), xs, np.where(xs > 0, hi, lo))
        lf = np.asarray(fam._logcdf(xs, th, None), dtype=float)
        ls = np.asarray(fam._logsf(xs, th, None), dtype=float)
    below = (x < lo) | (x == -np.inf)
    above = (x >= hi) | (x == np.inf)
    lf = np.where(below, -np.inf, np.where(above, 0.0, lf))
    ls = np.where(below, 0.0, np.where(above, -np.inf, ls))
    return lf, ls


def _cox_snell(fam: Any, f: Fitted, kind: str) -> np.ndarray:
    if fam.discrete:
        raise ParameterError(f"{kind} residuals are for continuous (lifetime) responses; "
                             f"{fam.name} is discrete. Hint: use kind='quantile'.")
    if np.any(f.kind >= 2):
        raise ParameterError(f"{kind} residuals need exact or right-censored rows; this fit has "
                             f"{int(np.sum(f.kind >= 2))} left- or interval-censored rows. "
                             "Hint: use kind='quantile'.")
    lf, ls = _logs(fam, f.a, f.theta)
    _, ls = _truncate(fam, f, lf, ls)       # late entry: the cumulative hazard from entry
    cs = -ls
    if kind == "cox-snell":
        return cs
    return (f.kind == 0).astype(float) - cs


def _quantile(fam: Any, f: Fitted, gen: np.random.Generator) -> np.ndarray:
    from .._families.wrappers import Wrapped

    n, th = f.n, f.theta
    v = gen.uniform(size=n)
    # the cdf interval (lower end, upper end) of u for every row, as (log F, log S) pairs
    up_x = np.where(f.kind == 1, np.inf, f.b)
    low_x = f.a.copy()
    point = f.kind == 0
    if fam.discrete:
        low_x = np.where(point, f.a - 1.0, low_x)
        point = np.zeros(n, dtype=bool)
    elif isinstance(fam, Wrapped) and fam.extra == "zero_prob":
        at0 = point & (f.a == 0)                   # the point mass at zero
        low_x = np.where(at0, -np.inf, low_x)
        point = point & ~at0
    lf_hi, ls_hi = _logs(fam, up_x, th)
    lf_lo, ls_lo = _logs(fam, low_x, th)
    lf_lo = np.where(point, lf_hi, lf_lo)
    ls_lo = np.where(point, ls_hi, ls_lo)
    lf_lo, ls_lo = _truncate(fam, f, lf_lo, ls_lo)   # the cdf truncated to each row's window
    lf_hi, ls_hi = _truncate(fam, f, lf_hi, ls_hi)
    with np.errstate(all="ignore"):
        lower_half = np.exp(lf_lo) + np.exp(lf_hi) < 1.0
        lv, l1v = np.log(v), np.log1p(-v)
        # lower half: log u = log(F_lo + v (F_hi - F_lo))
        wid_f = lf_hi + log1mexp(np.minimum(lf_lo - lf_hi, 0.0))
        lu = np.where(point, lf_lo, np.logaddexp(lf_lo, lv + wid_f))
        # upper half: log(1 - u) = log(S_hi + (1 - v) (S_lo - S_hi))
        wid_s = ls_lo + log1mexp(np.minimum(ls_hi - ls_lo, 0.0))
        ls_u = np.where(point, ls_lo, np.logaddexp(ls_hi, l1v + wid_s))
        out = np.where(lower_half, ndtri_exp(np.minimum(lu, 0.0)),
                       -ndtri_exp(np.minimum(ls_u, 0.0)))
    return np.asarray(out, dtype=float)
