"""Regression by maximum likelihood: ``mk.regress("y ~ x1 + x2", data=df, family="normal")``.

One parameter of a family depends on the covariates through a link, ``g(theta_i) = x_i'beta``;
the family's other parameters are shared. Every quantity is a full maximum-likelihood one
(``sigma`` of the normal model is ``sqrt(RSS/n)``, not ``RSS/(n-p)``), with the observed
information for standard errors:

==================  =======================  ======  ==============================
family              linked parameter         link    extra parameters
==================  =======================  ======  ==============================
normal              mu (mean)                identity sigma
bernoulli/logistic  p                        logit   —
poisson             rate (mean)              log     —   (``exposure=``/``offset=``)
negative_binomial   mean                     log     size (var = mean + mean²/size)
gamma               mean = shape·scale       log     shape
weibull (AFT)       scale                    log     shape
lognormal (AFT)     mu (mean of log y)       identity sigma
==================  =======================  ======  ==============================

AFT families take right-censored responses through ``observed=`` (True = event seen). The
derivatives are analytic: the family's per-observation derivatives in its natural parameters
(the same code the distribution fits use), composed with the link by the chain rule.

Formulas go through ``formulaic`` (the ``regression`` extra), imported on first use; plain
design matrices work without it: ``mk.regress(y=y, X=X)`` (a DataFrame's column names become
the coefficient names; an array's columns are named ``x1, x2, ...`` and no intercept is added).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import expit

from .._core.checks import require
from .._core.domains import Domain, Positive, Real
from .._data.data import as_float_array
from .._families.base import Family, get_family
from .._fit.assemble import model_dist, model_result
from .._fit.problem import Problem, Solution, maximize
from .._fit.result import Diagnostic, FitResult
from ..errors import DataError, FamilyError, ParameterError

__all__ = ["regress", "REGRESSION_FAMILIES"]

# family key -> (linked parameter, link, censoring allowed)
REGRESSION_FAMILIES: dict[str, tuple[str, str, bool]] = {
    "normal": ("mu", "identity", True),
    "bernoulli": ("p", "logit", False),
    "poisson": ("rate", "log", False),
    "negative_binomial": ("mean", "log", False),
    "gamma": ("mean", "log", False),
    "weibull": ("scale", "log", True),
    "lognormal": ("mu", "identity", True),
}
_ALIASES = {"logistic": "bernoulli", "logit": "bernoulli", "binomial": "bernoulli",
            "gaussian": "normal", "ols": "normal", "negbin": "negative_binomial",
            "nb": "negative_binomial", "nb2": "negative_binomial", "weibull_aft": "weibull",
            "lognormal_aft": "lognormal", "log_normal": "lognormal"}


def _family_key(family: Any) -> str:
    if isinstance(family, Family):
        key = family.name
    elif isinstance(family, str):
        key = family.strip().lower().replace("-", "_").replace(" ", "_")
    else:
        raise FamilyError(f"family must be a name such as 'poisson'; got {family!r}.")
    key = _ALIASES.get(key, key)
    if key not in REGRESSION_FAMILIES:
        raise FamilyError(f"regress supports the families {', '.join(REGRESSION_FAMILIES)}; got "
                          f"{family!r}. Hint: write any other model with @mk.model.")
    return key


# ---------------------------------------------------------------------- design
def _design(formula: str | None, data: Any, y: Any, X: Any, nan_policy: str
            ) -> tuple[np.ndarray, np.ndarray, list[str], str, Any]:
    """Response, design matrix, column names, response name and the kept row positions."""
    if formula is not None:
        if not isinstance(formula, str) or "~" not in formula:
            raise ParameterError(f"formula must be a string such as 'y ~ x1 + x2'; got {formula!r}.")
        if data is None:
            raise DataError("a formula needs data=, a data frame (or dict of columns).")
        model_matrix = require("formulaic", "regression", "formulas need formulaic",
                               " (or pass y= and X= design matrices).").model_matrix
        import pandas as pd

        df = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        try:
            mm = model_matrix(formula, df, na_action="raise" if nan_policy == "raise" else "drop")
        except Exception as exc:  # formulaic raises several private error types
            text = str(exc)
            missing = [c for c in _names_in(formula) if c not in df.columns]
            if missing:
                raise DataError(
                    f"the formula names columns that are not in the data: {', '.join(missing)}; "
                    f"available: {', '.join(map(str, df.columns))}.") from None
            if "missing" in text.lower() or "nan" in text.lower() or "null" in text.lower():
                raise DataError(f"the data have missing values in the formula's columns ({text}). "
                                "Hint: pass nan_policy='omit' to drop those rows.") from None
            raise DataError(f"the formula {formula!r} could not be evaluated: {text}") from None
        lhs, rhs = mm.lhs, mm.rhs
        if lhs is None or lhs.shape[1] != 1:
            raise DataError(f"the formula must have one response on the left of '~'; got "
                            f"{0 if lhs is None else lhs.shape[1]} columns.")
        rows = df.index.get_indexer(rhs.index)
        return (_float_matrix(lhs, "the response")[:, 0], _float_matrix(rhs, "the design matrix"),
                [str(c) for c in rhs.columns], str(lhs.columns[0]), rows)
    if y is None or X is None:
        raise ParameterError("regress needs a formula and data=, or y= and X= (a design matrix).")
    yv = as_float_array(y, "y")
    names: list[str]
    if hasattr(X, "columns"):
        names = [str(c) for c in X.columns]
        Xm = _float_matrix(X, "X")
    else:
        Xm = _float_matrix(X, "X")
        if Xm.ndim == 1:
            Xm = Xm[:, None]
        names = [f"x{j + 1}" for j in range(Xm.shape[1])]
    if Xm.ndim != 2 or Xm.shape[0] != yv.shape[0]:
        raise DataError(f"X must be a matrix with one row per response value ({yv.shape[0]}); got "
                        f"shape {Xm.shape}.")
    bad = ~np.isfinite(yv) | ~np.all(np.isfinite(Xm), axis=1)
    rows = np.arange(yv.shape[0])
    if bad.any():
        if nan_policy != "omit":
            raise DataError(f"y and X must be finite; got {int(bad.sum())} rows with NaN/inf (first "
                            f"at index {int(np.flatnonzero(bad)[0])}). Hint: nan_policy='omit'.")
        yv, Xm, rows = yv[~bad], Xm[~bad], rows[~bad]
    return yv, Xm, names, "y", rows


def _float_matrix(m: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(m, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must be numeric; got {exc}. Hint: encode text columns as "
                        "categories in the formula, e.g. C(column).") from None


def _names_in(formula: str) -> list[str]:
    import re

    out = []
    for tok in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", formula):
        if tok not in ("C", "I", "np", "log", "exp", "center", "scale", "poly", "bs", "Q") \
                and tok not in out:
            out.append(tok)
    return out


def _column(spec: Any, data: Any, rows: Any, what: str, n_in: int | None = None
            ) -> np.ndarray | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        if data is None or spec not in data:
            raise DataError(f"{what}={spec!r} is not a column of the data.")
        arr = as_float_array(data[spec], what)
    else:
        arr = as_float_array(spec, what)
    if n_in is not None and arr.shape[0] != n_in:
        raise DataError(f"{what} must have one entry per row of the data ({n_in}); got "
                        f"{arr.shape[0]}.")
    return arr[rows]


# ---------------------------------------------------------------------- link
def _link(link: str, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if link == "identity":
        one = np.ones_like(eta)
        return eta, one, 0.0 * eta
    if link == "log":
        m = np.exp(eta)
        return m, m, m
    p = expit(eta)
    d = p * (1.0 - p)
    return p, d, d * (1.0 - 2.0 * p)


class _Terms:
    """Per-observation log-likelihood and its derivatives in (eta, extras)."""

    def __init__(self, key: str, fam: Family, y: np.ndarray, obs: np.ndarray | None) -> None:
        self.key, self.fam, self.y, self.obs = key, fam, y, obs
        self.linked, self.link, _ = REGRESSION_FAMILIES[key]
        self.extras = [p for p in fam.param_names if p != self.linked] if key != "gamma" \
            else ["shape"]

    def __call__(self, eta: np.ndarray, ex: list[float], order: int
                 ) -> tuple[np.ndarray, list[np.ndarray], list[list[np.ndarray]]]:
        """Value, [d/d eta, d/d e_a], and the (1+m)x(1+m) second derivatives per observation."""
        if self.key == "bernoulli":  # stable in eta, even at separation
            y = self.y
            val = y * eta - np.logaddexp(0.0, eta)
            p = expit(eta)
            return val, [y - p], [[-p * (1.0 - p)]]
        fam, y = self.fam, self.y
        theta, J, K = self._theta(eta, ex)
        if self.obs is None:
            v, g, h = fam._d_logpdf(y, tuple(theta), None)
        else:
            ev, eg, eh = fam._d_logpdf(y, tuple(theta), None)
            sv, sg, sh = fam._d_logsf(y, tuple(theta), None)
            o = self.obs
            v = np.where(o, ev, sv)
            k = len(theta)
            g = [np.where(o, eg[i], sg[i]) for i in range(k)]
            h = [[np.where(o, eh[i][j], sh[i][j]) for j in range(k)] for i in range(k)]
        m1 = len(J[0])
        G = [sum(g[j] * J[j][a] for j in range(len(theta))) for a in range(m1)]
        Hm = [[sum(h[j][l] * J[j][a] * J[l][b] for j in range(len(theta)) for l in range(len(theta)))
               + sum(g[j] * K[j][a][b] for j in range(len(theta))) for b in range(m1)]
              for a in range(m1)]
        return np.asarray(v), G, Hm

    def _theta(self, eta: np.ndarray, ex: list[float]) -> tuple[list[Any], list[list[Any]],
                                                                list[list[list[Any]]]]:
        """Family parameters and their first/second derivatives in (eta, e_1, ..., e_m)."""
        fam = self.fam
        m1 = 1 + len(self.extras)
        zero = 0.0 * eta
        if self.key == "gamma":  # (shape, scale) with scale = exp(eta) / shape
            k = ex[0]
            s = np.exp(eta) / k
            theta = [k + zero, s]
            J = [[zero, 1.0 + zero], [s, -s / k]]
            K = [[[zero, zero], [zero, zero]],
                 [[s, -s / k], [-s / k, 2.0 * s / k**2]]]
            return theta, J, K
        mu, d1, d2 = _link(self.link, eta)
        theta, J, K = [], [], []
        for p in fam.param_names:
            if p == self.linked:
                theta.append(mu)
                J.append([d1] + [zero] * (m1 - 1))
                row = [[zero] * m1 for _ in range(m1)]
                row[0][0] = d2
                K.append(row)
            else:
                a = 1 + self.extras.index(p)
                theta.append(ex[a - 1] + zero)
                J.append([(1.0 + zero) if b == a else zero for b in range(m1)])
                K.append([[zero] * m1 for _ in range(m1)])
        return theta, J, K


# ---------------------------------------------------------------------- fitting
def regress(formula: str | None = None, data: Any = None, family: Any = "normal", *,
            y: Any = None, X: Any = None, observed: Any = None, weights: Any = None,
            offset: Any = None, exposure: Any = None, start: dict[str, float] | None = None,
            fixed: dict[str, float] | None = None, cov: str = "observed", strict: bool = False,
            maxiter: int = 200, nan_policy: str = "raise") -> FitResult:
    """Fit a regression model by maximum likelihood (see the module docstring).

    ``observed`` (AFT families): True where the event was seen, False where the time is
    right-censored — a column name or an array. ``weights``: frequency weights. ``offset`` is
    added to the linear predictor; ``exposure`` adds ``log(exposure)`` (Poisson/NB rates).
    """
    key = _family_key(family)
    fam = get_family(key)
    yv, Xm, cols, yname, rows = _design(formula, data, y, X, nan_policy)
    src = data if formula is not None else None
    n_in = (len(data) if formula is not None else len(as_float_array(y, "y")))
    obs_a = _column(observed, src, rows, "observed", n_in)
    w = _column(weights, src, rows, "weights", n_in)
    off = _column(offset, src, rows, "offset", n_in)
    expo = _column(exposure, src, rows, "exposure", n_in)
    n, p = Xm.shape
    if n == 0:
        raise DataError("no rows left to fit.")
    _, link, cens_ok = REGRESSION_FAMILIES[key]
    obs = None
    if obs_a is not None:
        if not cens_ok:
            raise DataError(f"{key} regression does not take censored responses; observed= is for "
                            "the normal, weibull and lognormal families.")
        if not np.all((obs_a == 0) | (obs_a == 1)):
            raise DataError("observed must be boolean (True = event seen, False = right-censored).")
        obs = obs_a.astype(bool)
        if not obs.any():
            raise DataError("at least one response must be observed exactly; got every row "
                            "right-censored, which leaves the likelihood unbounded.")
        if obs.all():
            obs = None
    if w is not None and (np.any(w < 0) or not np.all(np.isfinite(w))):
        raise DataError("weights must be finite and non-negative.")
    if w is not None and not np.any(w > 0):
        raise DataError("weights must not all be zero; got a total weight of 0.")
    eta_off = np.zeros(n)
    if off is not None:
        eta_off = eta_off + off
    if expo is not None:
        if np.any(expo <= 0):
            raise DataError("exposure must be positive.")
        eta_off = eta_off + np.log(expo)
    _check_response(fam, key, yv)
    rank = np.linalg.matrix_rank(Xm)
    if rank < p:
        raise DataError(f"the design matrix has rank {rank} < {p} columns ({', '.join(cols)}): some "
                        "columns are linear combinations of others. Hint: drop a redundant column.")
    terms = _Terms(key, fam, yv, obs)
    extras = terms.extras
    clash = [c for c in cols if c in extras]
    if clash:
        raise DataError(f"design column names clash with the family's parameters: {clash}.")
    names = cols + extras
    ext_doms: list[Domain] = [fam.domains[fam.param_names.index(e)] if e in fam.param_names
                              else Positive for e in extras]
    doms: list[Domain] = [Real] * p + ext_doms
    wsum = float(n if w is None else w.sum())

    def evaluate(th: tuple[float, ...], order: int) -> tuple[float, np.ndarray, np.ndarray]:
        beta = np.asarray(th[:p])
        eta = Xm @ beta + eta_off
        with np.errstate(all="ignore"):
            v, G, Hm = terms(eta, list(th[p:]), order)
        ww = np.ones(n) if w is None else w
        f = float(np.dot(ww, v))
        k = len(th)
        g = np.zeros(k)
        H = np.zeros((k, k))
        if order:
            g[:p] = Xm.T @ (ww * G[0])
            for a in range(1, len(G)):
                g[p + a - 1] = np.dot(ww, G[a])
            if order >= 2:
                H[:p, :p] = (Xm * (ww * Hm[0][0])[:, None]).T @ Xm
                for a in range(1, len(G)):
                    H[:p, p + a - 1] = H[p + a - 1, :p] = Xm.T @ (ww * Hm[0][a])
                    for b in range(1, len(G)):
                        H[p + a - 1, p + b - 1] = np.dot(ww, Hm[a][b])
        return (f if math.isfinite(f) else -math.inf), g, H

    fixed_d = _values(names, doms, fixed, "fixed")
    start_d = {**_start(key, yv, Xm, eta_off, obs, names, extras), **_values(names, doms, start, "start")}
    start_d.update(fixed_d)
    label = f"{key} regression"
    prob = Problem(names, doms, fixed_d, lambda th: evaluate(th, 0)[0], derivs=evaluate, label=label,
                   reproducer=lambda prm: f"mk.regress({formula!r}, data, family={key!r}, "
                   f"start={ {k: round(v, 6) for k, v in prm.items()} })")
    sol = maximize(prob, [start_d], maxiter=maxiter, n_starts=3, kind="analytic")
    diags: list[Diagnostic] = []
    sep = _separation(Xm, yv, cols, sol, eta_off) if key == "bernoulli" else None
    if sep is None and link == "log" and key != "normal":
        sep = _zero_counts(Xm, yv, cols, sol, eta_off)
    if sep is not None:
        diags.append(sep)
        sol.converged = False
    ev = _Scores(Xm, w, terms, eta_off, p) if cov == "sandwich" else None
    opts = {"formula": formula, "family": key, "link": link, "response": yname, "columns": cols}
    res = model_result(label, sol, prob, n_obs=wsum, strict=strict, cov=cov,
                       ev=ev, no_se=sep is not None, options=opts, extra_diags=diags,  # type: ignore[arg-type]
                       dist=model_dist(label.replace(" ", "_"), names, doms, sol.params))
    return res


def _values(names: list[str], doms: list[Domain], vals: Any, what: str) -> dict[str, float]:
    if vals is None:
        return {}
    if not isinstance(vals, dict):
        raise ParameterError(f"{what} must be a dict; got {vals!r}.")
    out = {}
    for k, v in vals.items():
        if k not in names:
            raise ParameterError(f"{what} names a parameter of the model ({', '.join(names)}); got {k!r}.")
        fv = float(v)
        if not doms[names.index(k)].contains(fv):
            raise ParameterError(f"{what} of {k} must lie in {doms[names.index(k)].describe()}; got {fv}.")
        out[k] = fv
    return out


def _check_response(fam: Family, key: str, y: np.ndarray) -> None:
    if key == "bernoulli":
        bad = ~((y == 0) | (y == 1))
    else:
        bad = fam.support.violations(y)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "0 or 1" if key == "bernoulli" else f"in {fam.support.describe()}"
        raise DataError(f"{key} regression needs responses {what}; got {int(bad.sum())} others "
                        f"(first at row {i}: {y[i]:g}).")


def _start(key: str, y: np.ndarray, X: np.ndarray, off: np.ndarray, obs: np.ndarray | None,
           names: list[str], extras: list[str]) -> dict[str, float]:
    """Least squares on the linked scale of the response."""
    if key == "bernoulli":
        z = None
    elif key in ("poisson", "negative_binomial"):
        z = np.log(y + 0.5)
    elif key in ("gamma", "weibull", "lognormal"):
        z = np.log(y)
    else:
        z = y
    p = X.shape[1]
    if z is None:
        beta = np.zeros(p)
        resid = np.zeros_like(y)
    else:
        beta = np.linalg.lstsq(X, z - off, rcond=None)[0]
        resid = z - off - X @ beta
    s = float(np.std(resid)) if resid.size > 1 else 1.0
    s = s if s > 1e-8 else 1.0
    out = dict(zip(names[:p], map(float, beta)))
    mu = np.exp(X @ beta + off) if key in ("negative_binomial", "gamma") else None
    for e in extras:
        if e == "sigma":
            out[e] = s
        elif e == "shape" and key == "weibull":
            out[e] = math.pi / (math.sqrt(6.0) * s)
        elif e == "shape":  # gamma
            assert mu is not None
            v = float(np.var(y / mu))
            out[e] = 1.0 / v if v > 1e-8 else 100.0
        elif e == "size":
            assert mu is not None
            ex = float(np.mean((y - mu) ** 2 - mu))
            out[e] = float(np.mean(mu) ** 2 / ex) if ex > 1e-8 else 10.0
    return out


def _separating(X: np.ndarray, s: np.ndarray) -> tuple[str, np.ndarray] | None:
    """A direction ``b`` with ``s_i x_i'b >= 0`` for all rows (``s = 2y - 1``), by linear
    programming: ``"complete"`` when every margin can be made positive, ``"quasi-complete"``
    when only some can; None when the classes overlap."""
    from scipy.optimize import linprog

    n, p = X.shape
    A = -(s[:, None] * X)
    # complete: maximise t subject to s_i x_i'b >= t, |b| <= 1
    res = linprog(np.r_[np.zeros(p), -1.0], A_ub=np.c_[A, np.ones(n)], b_ub=np.zeros(n),
                  bounds=[(-1.0, 1.0)] * p + [(0.0, 1.0)], method="highs")
    if res.status == 0 and -res.fun > 1e-9:
        return "complete", res.x[:p]
    # quasi-complete: s_i x_i'b >= 0 with sum s_i x_i'b >= 1
    res = linprog(np.zeros(p), A_ub=np.vstack([A, A.sum(axis=0)]),
                  b_ub=np.r_[np.zeros(n), -1.0], bounds=[(-1e6, 1e6)] * p, method="highs")
    if res.status == 0:
        return "quasi-complete", res.x
    return None


def _separation(X: np.ndarray, y: np.ndarray, cols: list[str], sol: Solution,
                off: np.ndarray) -> Diagnostic | None:
    """Diagnose (quasi-)complete separation, naming the simplest separating column(s)."""
    beta = np.array([sol.params[c] for c in cols])
    eta = X @ beta + off
    if sol.converged and np.max(np.abs(eta)) < 15:
        return None
    s = 2.0 * y - 1.0
    found = _separating(X, s)
    if found is None:
        return None
    kind, b = found
    icpt = [j for j in range(X.shape[1]) if np.all(X[:, j] == X[0, j])]
    involved = None
    if X.shape[1] <= 50:
        for j in range(X.shape[1]):
            if j in icpt:
                continue
            one = _separating(X[:, [*icpt, j]], s)
            if one is not None:
                kind, bj = one
                b = np.zeros(X.shape[1])
                b[[*icpt, j]] = bj
                involved = [cols[j]]
                break
    if involved is None:
        big = float(np.max(np.abs(b)))
        involved = [c for j, (c, v) in enumerate(zip(cols, b))
                    if abs(v) > 1e-8 * big and j not in icpt] or list(cols)
    margin = s * (X @ b)
    perfect = int(np.sum(margin > 1e-9 * max(1.0, float(np.max(np.abs(margin))))))
    verb = "predicts" if len(involved) == 1 else "predict"
    return Diagnostic(
        "separation", f"{kind} separation: {', '.join(involved)} {verb} the outcome exactly for "
        f"{perfect} of {len(y)} rows, so the maximum-likelihood coefficients are infinite (the "
        f"reported values only show where the optimiser stopped; fitted probabilities reach 0 or "
        f"1). Hint: drop or merge the separating variable, or use a penalised (Firth) fit.",
        "warning", involved[0])


def _zero_counts(X: np.ndarray, y: np.ndarray, cols: list[str], sol: Solution,
                 off: np.ndarray) -> Diagnostic | None:
    """Diagnose counts whose fitted means ran to 0 (all-zero counts, or zeros separated by a
    covariate): the log-link MLE does not exist (coefficients -> -inf)."""
    beta = np.array([sol.params[c] for c in cols])
    eta = X @ beta + off
    gone = (y == 0) & (eta < -15.0)
    if not gone.any():
        return None
    return Diagnostic(
        "separation", f"the fitted means of {int(gone.sum())} of {len(y)} zero-count rows ran to "
        "0: the maximum-likelihood coefficients are -inf (the reported values only show where the "
        "optimiser stopped). Hint: check for an all-zero response, or a covariate level whose "
        "counts are all 0; merge it or use a penalised fit.", "warning")


class _Scores:
    """Per-observation scores for sandwich covariances (analytic)."""

    per_obs = True

    def __init__(self, X: np.ndarray, w: np.ndarray | None, terms: _Terms, off: np.ndarray,
                 p: int) -> None:
        self.X, self.w, self.terms, self.off, self.p = X, w, terms, off, p

    def scores(self, prob: Problem, sol: Solution) -> np.ndarray:
        th = [sol.params[n] for n in prob.names]
        eta = self.X @ np.asarray(th[: self.p]) + self.off
        _, G, _ = self.terms(eta, th[self.p:], 1)
        S = np.column_stack([self.X * G[0][:, None]] + [G[a][:, None] for a in range(1, len(G))])
        return S[:, prob.free]
