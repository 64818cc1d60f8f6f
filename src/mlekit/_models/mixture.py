"""Finite mixtures by EM: ``mk.fit_mixture(x, ["normal", "normal"])``.

Any families (built-in or user-defined), censored data and weights: the E-step uses each
observation's own likelihood term (density, cdf, survival or interval probability), the M-step
is an ordinary weighted fit of each component (closed form where the family has one, Newton
otherwise). Several starts (quantile split, then random partitions); the best EM solution is
polished by Newton on the full mixture log-likelihood, whose observed information gives the
standard errors of every parameter, the mixing weights included (delta method from the
logits).

Parameters are named ``"0.mu"``, ``"0.sigma"``, ``"1.mu"``, ... and the weights ``"0.weight"``,
``"1.weight"``, ...; components of one family are ordered by their first parameter.
``k=range(1, 5)`` fits each number of components and returns the one with the smallest BIC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .._core.checks import as_rng, check_maxiter
from .._core.domains import Domain, Real, UnitInterval
from .._data.data import Data, as_data
from .._families.base import Family, get_family
from .._fit.assemble import covariance, emit
from .._fit.likelihood import Likelihood, log_interval_prob, shifted
from .._fit.newton import newton_fit
from .._fit.problem import Problem, maximize
from .._fit.result import Diagnostic, FitResult
from ..errors import ConvergenceError, DataError, FamilyError, MlekitError, ParameterError

__all__ = ["fit_mixture", "MixtureDist"]


def logsumexp(a: Any, axis: int | None = None) -> Any:
    """``log(sum(exp(a)))`` along ``axis``, stable, -inf when every term is -inf."""
    a = np.asarray(a, dtype=float)
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return np.squeeze(out, axis=axis) if axis is not None else float(out.ravel()[0])


def _terms(fam: Family, dat: Data, th: tuple[float, ...]) -> np.ndarray:
    """Per-row log-likelihood terms in block order (exact, left, right, interval)."""
    out = []
    with np.errstate(all="ignore"):
        for kind, blk in dat.blocks.items():
            if not blk.size:
                continue
            if kind == "exact":
                v = fam._logpdf_safe(blk.x, th)
            elif kind == "left":
                v = fam._logcdf(blk.x, th, blk)
            elif kind == "right":
                v = fam._logsf(shifted(fam, blk, "x"), th, blk)
            else:
                v = log_interval_prob(fam, shifted(fam, blk, "x"), blk.hi, th, blk)
            out.append(np.broadcast_to(np.asarray(v, dtype=float), (blk.size,)))
    v = np.concatenate(out)
    return np.where(np.isnan(v), -np.inf, v)


def _row_weights(dat: Data) -> np.ndarray:
    return np.concatenate([blk.w if blk.w is not None else np.ones(blk.size)
                           for blk in dat.blocks.values() if blk.size])


def _with_weights(dat: Data, w: np.ndarray) -> Data:
    """``dat`` with row weights ``w`` in block order (blocks that are empty stay empty)."""
    full = np.zeros(dat.n_rows)
    full[:] = w
    return dat.with_weights(full)


def _m_step(fam: Family, dat: Data, start: dict[str, float] | None) -> dict[str, float] | None:
    lik = Likelihood(fam, dat, {})
    if dat.only_exact and not dat.is_truncated and type(fam)._suffstats is not Family._suffstats:
        from .._core.engine import map_reduce

        stats = map_reduce(fam._suffstats, lik.chunks)
        p = fam._closed_form(stats, {}) if stats is not None else None
        if p is not None and all(math.isfinite(v) for v in p.values()):
            return p
    try:
        out = newton_fit(fam, lik, dat, dict(start or {}), {}, 50)
    except (DataError, ValueError, np.linalg.LinAlgError):
        return None
    return out.params if math.isfinite(out.loglik) else None


def _em(fams: list[Family], dat: Data, resp: np.ndarray, maxiter: int, tol: float
        ) -> tuple[list[dict[str, float]], np.ndarray, float] | None:
    w0 = _row_weights(dat)
    K = len(fams)
    params: list[dict[str, float] | None] = [None] * K
    ll_old = -math.inf
    for _ in range(maxiter):
        pis = (w0 @ resp) / w0.sum()
        if np.any(pis * w0.sum() < 1e-3):
            return None
        for j, fam in enumerate(fams):
            params[j] = _m_step(fam, _with_weights(dat, w0 * resp[:, j]), params[j])
            if params[j] is None:
                return None
        logf = np.column_stack([np.log(pis[j]) + _terms(f, dat, tuple(params[j][p]  # type: ignore[index]  # params[j] was checked not None just above
                                                                        for p in f.param_names))
                                for j, f in enumerate(fams)])
        tot = logsumexp(logf, axis=1)
        ll = float(w0 @ tot)
        if not math.isfinite(ll):
            return None
        resp = np.exp(logf - tot[:, None])
        if ll - ll_old < tol * (1.0 + abs(ll)):
            break
        ll_old = ll
    return [dict(p) for p in params if p is not None], (w0 @ resp) / w0.sum(), ll


def _initial(dat: Data, K: int, i: int, gen: np.random.Generator) -> np.ndarray:
    pts = np.concatenate([blk.x if kind != "interval" else
                          np.where(np.isfinite(blk.x), blk.x, blk.hi)  # type: ignore[arg-type]  # interval blocks always carry hi
                          for kind, blk in dat.blocks.items() if blk.size])
    n = pts.size
    resp = np.full((n, K), 0.05 / max(K - 1, 1))
    if i == 0:   # split at quantiles
        ranks = np.argsort(np.argsort(pts, kind="stable"), kind="stable")
        lab = np.minimum(ranks * K // n, K - 1)
    else:        # random centres, nearest assignment
        cent = np.sort(gen.choice(pts, K, replace=False))
        lab = np.argmin(np.abs(pts[:, None] - cent[None, :]), axis=1)
    resp[np.arange(n), lab] = 0.95 if K > 1 else 1.0
    return resp / resp.sum(axis=1, keepdims=True)


def _choose_k(x: Any, family: Any, ks: list[int], *, strict: bool, **kw: Any) -> FitResult:
    """Fit each number of components in ``ks`` and keep the lowest BIC; a count that cannot be
    fitted (too many parameters for the data, no finite start) is skipped and reported."""
    fits: dict[int, FitResult] = {}
    failed: dict[int, str] = {}
    first: MlekitError | None = None
    for v in ks:
        try:
            f = fit_mixture(x, [family] * v, strict=False, **kw)
        except (DataError, ConvergenceError, ParameterError) as exc:
            failed[v], first = str(exc), first or exc
            continue
        if math.isfinite(f.bic):
            fits[v] = f
        else:
            failed[v] = f"the fit did not reach a finite log-likelihood ({f.loglik})"
    if not fits:
        if first is not None and len(failed) == 1:
            raise first
        raise DataError("no number of components could be fitted: " + "; ".join(
            f"k={v}: {m}" for v, m in failed.items()) + ". Hint: fewer components or more data.")
    best = min(fits, key=lambda v: fits[v].bic)
    table = ", ".join(f"k={v}: {f.bic:.6g}" for v, f in fits.items())
    text = f"{best} components chosen by BIC ({table})"
    if failed:
        text += "; skipped " + "; ".join(f"k={v} ({m.rstrip('.')})" for v, m in failed.items())
    res = fits[best]
    extra = Diagnostic("model-choice", text, "info")
    chosen = replace(res, diagnostics=(*res.diagnostics, extra),
                     options={**res.options, "bic": {v: f.bic for v, f in fits.items()},
                              "fits": fits, "failed": failed})
    emit(chosen, strict)
    return chosen


def fit_mixture(x: Any, families: Any, *, k: Any = None, weights: Any = None,
                n_starts: int = 5, maxiter: int = 300, tol: float = 1e-7, rng: int = 0,
                strict: bool = False, nan_policy: str = "raise") -> FitResult:
    """Fit a finite mixture by EM (see the module docstring).

    ``families``: a list (``["normal", "normal"]``, ``[mk.Weibull(), "lognormal"]``), or one
    family with ``k=`` components; ``k`` may be a range of counts, chosen by BIC.

    Parameters
    ----------
    x
        The data (array-like or :class:`mlekit.Data`).
    families
        The components' families (a list), or one family repeated ``k`` times.
    k
        Number of components (with one family), or a range of numbers to choose from by BIC.
    weights
        Frequency weights.
    n_starts
        EM runs from different starts; the best log-likelihood is kept.
    maxiter, tol
        EM iterations at most, and the change of the log-likelihood that ends them.
    rng
        Seed of the random starts.
    strict
        Raise :class:`ConvergenceError` instead of warning when the fit is not clean.
    nan_policy
        ``"raise"`` (default) or ``"omit"``.

    Returns
    -------
    FitResult
        Each component's parameters and mixing weight, prefixed by its number from 0
        (``"0.mu"``, ``"0.weight"``, ``"1.mu"``, ...).

    Raises
    ------
    ParameterError
        Neither a list of families nor one family with ``k=``, or a ``k`` that is not a
        positive whole number (or a range of them).
    FamilyError
        ``families`` that are not family names or objects.
    DataError
        Fewer observations than the mixture has parameters, or no start from which EM finds
        a finite mixture.
    ConvergenceError
        With ``strict=True``, a fit that is not clean.

    Examples
    --------
    >>> import numpy as np
    >>> import mlekit as mk
    >>> rng = np.random.default_rng(1)
    >>> x = np.concatenate([rng.normal(0, 1, 300), rng.normal(6, 1, 200)])
    >>> res = mk.fit_mixture(x, ["normal", "normal"])
    >>> round(res.params["1.weight"], 1)
    0.4
    """
    check_maxiter(maxiter)
    if isinstance(families, (str, Family, type)):
        if k is None:
            raise ParameterError("give several families (a list) or one family and k=, e.g. "
                                 "fit_mixture(x, 'normal', k=2).")
        # validated before any work: k = 10**9 or range(1, 10**9) must not build a huge list
        ks: Sequence[int]
        if isinstance(k, range):
            ks = k
            ok = len(k) > 0 and k.step > 0 and k.start >= 1
        else:
            try:
                ks = [k] if isinstance(k, int) else list(k)
            except TypeError:
                ks = []
            ok = bool(ks) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in ks)
        if not ok:
            raise ParameterError(f"k must be a positive integer or a range of them; got {k!r}.")
        k_max = ks[-1] if isinstance(ks, range) else max(ks)
        n_obs = as_data(x, weights=weights, nan_policy=nan_policy).n_obs
        if k_max >= n_obs:
            raise DataError(f"a {k_max}-component mixture needs more than {k_max} observations; "
                            f"got {n_obs:g}. Hint: fewer components (k=2 or 3 is usual).")
        if not isinstance(k, int):
            return _choose_k(x, families, list(ks), strict=strict, weights=weights,
                             n_starts=n_starts, maxiter=maxiter, tol=tol, rng=rng,
                             nan_policy=nan_policy)
        families = [families] * int(k)
    if not isinstance(families, Sequence) or len(families) < 1:
        raise FamilyError(f"families must be a list of family names or objects; got {families!r}.")
    fams = [get_family(f) for f in families]
    dat = as_data(x, weights=weights, nan_policy=nan_policy)
    for f in fams:
        f._check_data(dat, {})
    K = len(fams)
    n_free = sum(f.k for f in fams) + K - 1
    if dat.n_obs <= n_free:
        raise DataError(f"a {K}-component mixture has {n_free} parameters; got only "
                        f"{dat.n_obs:g} observations.")
    gen = as_rng(rng)
    best: tuple[list[dict[str, float]], np.ndarray, float] | None = None
    tried = 0
    for i in range(n_starts):
        tried += 1
        out = _em(fams, dat, _initial(dat, K, i, gen), maxiter, tol)
        if out is not None and (best is None or out[2] > best[2]):
            best = out
    if best is None:
        raise DataError(f"EM found no finite {K}-component mixture in {tried} starts (components "
                        "collapsed onto single points or emptied). Hint: fewer components, or "
                        "families that suit the data.")
    comps, pis, _ = best
    if len({f.name for f in fams}) == 1 and K > 1:   # order identical families
        order = np.argsort([c[fams[0].param_names[0]] for c in comps], kind="stable")
        comps = [comps[i] for i in order]
        pis = pis[order]
    return _polish(fams, dat, comps, pis, strict, tried)


def _polish(fams: list[Family], dat: Data, comps: list[dict[str, float]], pis: np.ndarray,
            strict: bool, tried: int) -> FitResult:
    K = len(fams)
    names: list[str] = []
    doms: list[Domain] = []
    for j, f in enumerate(fams):
        names += [f"{j}.{p}" for p in f.param_names]
        doms += list(f.domains)
    lnames = [f"{j}.logit" for j in range(1, K)]
    w0 = _row_weights(dat)
    kk = [f.k for f in fams]
    offs = np.cumsum([0, *kk])

    def value(th: tuple[float, ...]) -> float:
        lg = np.r_[0.0, th[len(names):]]
        lw = lg - logsumexp(lg)
        logf = np.column_stack([lw[j] + _terms(f, dat, tuple(th[offs[j]:offs[j + 1]]))
                                for j, f in enumerate(fams)])
        v = float(w0 @ logsumexp(logf, axis=1))
        return v if not math.isnan(v) else -math.inf

    start = {n: comps[j][p] for j, f in enumerate(fams) for n, p in
             zip(names[offs[j]:offs[j + 1]], f.param_names)}
    start.update({ln: float(np.log(pis[j + 1] / pis[0])) for j, ln in enumerate(lnames)})
    prob = Problem(names + lnames, doms + [Real] * (K - 1), {}, value, label="mixture",
                   reproducer=lambda p: "mk.fit_mixture(x, [...], n_starts=...)")
    sol = maximize(prob, [start], maxiter=100, n_starts=2)
    lg = np.r_[0.0, [sol.params[n] for n in lnames]]
    w = np.exp(lg - logsumexp(lg))
    m = len(names)
    cov_in, ok = covariance(sol.hess, list(range(m + K - 1)), m + K - 1)
    G = np.zeros((m + K, m + K - 1))
    G[:m, :m] = np.eye(m)
    for a in range(K):
        for b in range(1, K):
            G[m + a, m + b - 1] = w[a] * ((a == b) - w[b])
    cov = G @ cov_in @ G.T
    wnames = [f"{j}.weight" for j in range(K)]
    params = {n: sol.params[n] for n in names} | dict(zip(wnames, map(float, w)))
    se = {p: (math.sqrt(cov[i, i]) if ok and cov[i, i] >= 0 else math.nan)
          for i, p in enumerate(params)}
    diags = list(sol.diagnostics)
    if not ok:
        diags.append(Diagnostic("singular-information", "the observed information of the mixture "
                                "is not positive definite: components may coincide or a weight may "
                                "be near 0; standard errors are unavailable", "warning"))
    if tried > 1:
        diags.append(Diagnostic("starts", f"EM was run from {tried} starts; the best log-likelihood "
                                "was polished by Newton", "info"))
    for j, wj in enumerate(w):
        if wj < 1e-4:
            diags.append(Diagnostic("boundary", f"component {j} has weight {wj:.3g}: fewer "
                                    "components may do", "warning", f"{j}.weight"))
    dist = MixtureDist.make(fams, list(params), doms + [UnitInterval] * K, params)
    res = FitResult(
        family="mixture(" + ", ".join(f.name for f in fams) + ")", dist=dist, params=params,
        se=se, cov=cov, loglik=float(sol.loglik), n_obs=float(dat.n_obs), n_params=m + K - 1,
        converged=bool(sol.converged and ok), method="EM, then " + sol.method,
        iterations=sol.iterations, grad_norm=float(np.max(np.abs(sol.grad))) if m else 0.0,
        diagnostics=tuple(diags), data=dat, options={"components": fams})
    emit(res, strict)
    return res


class MixtureDist(Family):
    """A fitted finite mixture as a distribution: ``pdf``, ``cdf``, ``sf``, ``ppf``, ``sample``."""

    comps: tuple[Family, ...] = ()

    @classmethod
    def make(cls, fams: list[Family], names: list[str], doms: list[Domain],
             params: dict[str, float]) -> MixtureDist:
        sub: type[MixtureDist] = type("Mixture", (cls,), {"name": "mixture", "param_names": tuple(names),
                                                         "domains": tuple(doms)})
        d = sub.__new__(sub)
        d.values = dict(params)
        d.comps = tuple(f.with_params(**{p: params[f"{j}.{p}"] for p in f.param_names})
                        for j, f in enumerate(fams))
        lo = min(f.support.lower for f in fams)
        hi = max(f.support.upper for f in fams)
        d.support = type(fams[0].support)(lo, hi)  # type: ignore[misc]  # the mixture's own ClassVar, set per instance
        d.discrete = all(f.discrete for f in fams)  # type: ignore[misc]  # the mixture's own ClassVar, set per instance
        return d

    def _lw(self) -> np.ndarray:
        K = len(self.comps)
        return np.log([self.values[f"{j}.weight"] for j in range(K)])

    def _mix(self, fn: str, x: Any) -> Any:
        lw = self._lw()
        parts = [lw[j] + np.asarray(getattr(c, fn)(x), dtype=float) for j, c in enumerate(self.comps)]
        return logsumexp(np.stack(parts), axis=0)

    def _logpdf(self, x: Any, th: Any, blk: Any) -> Any:
        return self._mix("logpdf", x)

    def _logcdf(self, x: Any, th: Any, blk: Any) -> Any:
        return self._mix("logcdf", x)

    def _logsf(self, x: Any, th: Any, blk: Any) -> Any:
        return self._mix("logsf", x)

    def _ppf(self, q: Any, th: Any) -> Any:
        from scipy.optimize import brentq

        qa = np.atleast_1d(np.asarray(q, dtype=float))
        out = np.empty(qa.shape)
        for i, qi in enumerate(qa):
            lo = min(float(c.ppf(1e-12)) for c in self.comps)
            hi = max(float(c.ppf(1 - 1e-12)) for c in self.comps)
            out[i] = brentq(lambda t, qi=qi: float(np.exp(self._mix("logcdf", t))) - qi, lo, hi,
                            xtol=1e-13)
        return out.reshape(np.shape(q))

    def _sample(self, size: Any, th: Any, rng: np.random.Generator) -> Any:
        w = np.exp(self._lw())
        n = int(np.prod(size))
        lab = rng.choice(len(self.comps), n, p=w / w.sum())
        out = np.empty(n)
        for j, c in enumerate(self.comps):
            m = lab == j
            if m.any():
                out[m] = c.sample(int(m.sum()), rng=rng)
        return out.reshape(size)

    def mean(self) -> float:
        w = np.exp(self._lw())
        return float(sum(wj * c.mean() for wj, c in zip(w, self.comps)))
