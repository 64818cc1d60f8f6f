"""Starting values for :func:`mlekit.regress`: least squares on the linked scale for the
classic GLM/AFT cases, else the family fitted without covariates (intercepts at its values,
a log-response or response regression for the linked parameter), and logistic regressions of
the zero indicator for the zero wrappers' linked ``zero_prob``; every candidate is scored and
Newton starts from the best."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._core.domains import Domain
from .._families.base import Family
from ..errors import MlekitError
from .distreg import Coord, DistReg, Response

__all__ = ["starts"]

# the starting values of _classic_start (least squares on the linked scale of the response)
_CLASSIC = ("normal", "bernoulli", "poisson", "negative_binomial", "gamma", "weibull", "lognormal")


def _marginal(fam: Family, resp: Response, obs: np.ndarray | None, lo: Any, hi: Any,
              w: np.ndarray | None) -> dict[str, float] | None:
    """The family fitted without covariates (a subsample of large data): the base start."""
    import warnings

    from .._data.data import Data
    from .._families.wrappers import ZeroInflated
    from .._fit.family_fit import fit_family

    if isinstance(fam, ZeroInflated) and not resp.censored:   # and Hurdle: base fit + zeros
        base = _marginal(fam.base, resp, obs, lo, hi, w)
        if base is None:
            return None
        y = resp.typical
        zero = float(np.mean(y == 0) if w is None else np.dot(w, y == 0) / np.sum(w))
        th = tuple(base[p] for p in fam.base.param_names)
        f0 = float(np.exp(fam.base._logpdf(np.zeros(1), th, None))[0]) if fam.discrete else 0.0
        excess = zero if type(fam).__name__ == "Hurdle" else (zero - f0) / max(1e-12, 1 - f0)
        return {**base, fam.extra: float(min(0.9, max(0.05, excess)))}
    n = resp.n
    idx = np.arange(n) if n <= 20_000 else np.sort(
        np.random.default_rng(0).choice(n, 20_000, replace=False))
    ww = None if w is None else w[idx]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if lo is not None:
                d = Data.interval(lo[idx], hi[idx], weights=ww)
            elif obs is not None:
                d = Data.right_censored(resp.typical[idx], observed=obs[idx], weights=ww)
            else:
                d = Data(resp.typical[idx], weights=ww)
            r = fit_family(fam, d)
    except (MlekitError, ArithmeticError, ValueError, NotImplementedError):
        return None
    out = {k: float(v) for k, v in r.params.items()}
    return out if all(math.isfinite(v) for v in out.values()) else None


def _inside(dom: Domain) -> float:
    """A point inside a domain (the midpoint of an interval, one unit inside a half-line)."""
    lo, hi = dom.lower, dom.upper
    if math.isfinite(lo) and math.isfinite(hi):
        return 0.5 * (lo + hi)
    if math.isfinite(lo):
        return lo + 1.0
    return hi - 1.0 if math.isfinite(hi) else 0.0


def _spread(r: np.ndarray) -> float:
    """``std(r)``; when its squares overflow (residuals near 1e300), computed on ``r / max|r|``."""
    with np.errstate(over="ignore"):
        s = float(np.std(r))
    if math.isfinite(s):
        return s
    m = float(np.max(np.abs(r)))   # (> 0 here: the spread of zeros is finite)
    return m * float(np.std(r / m)) if math.isfinite(m) else math.nan


def starts(fam: Family, model: DistReg, resp: Response, off: np.ndarray | None,
            obs: np.ndarray | None, lo: Any, hi: Any, w: np.ndarray | None,
            fixed: dict[str, float]) -> list[dict[str, float]]:
    coords = model.coords
    cands: list[dict[str, float]] = []
    classic = (fam.name in _CLASSIC and type(fam).__module__.startswith("mlekit._families.")
               and all(c.X is None for c in coords[1:]) and lo is None)
    if classic:
        X = coords[0].X
        assert X is not None
        cands.append(_classic_start(fam.name, resp.typical, X, np.zeros(resp.n) if off is None
                                    else off, [c.name for c in coords[1:]], coords[0].cols))
        if fam.name != "weibull" or obs is None:
            return cands
    nat = _marginal(fam, resp, obs, lo, hi, w)
    if nat is not None and model.reparam is not None:
        nat = model.reparam.inverse(nat)
    rho0 = {c.name: (nat[c.name] if nat is not None else _inside(c.domain)) for c in coords}
    for c in coords:    # a probability at its edge (a ZINB's zero_prob -> 0) is a poor start
        if c.domain.kind == "interval" and c.name not in fixed:
            e = float(np.clip(c.domain.to_unconstrained(rho0[c.name]), -3.0, 3.0))
            rho0[c.name] = float(c.domain.from_unconstrained(e))
    base: dict[str, float] = {}
    for c in coords:
        if c.X is None:
            base[c.name] = rho0[c.name]
            continue
        e0 = float(c.domain.to_unconstrained(rho0[c.name]))
        target = np.full(resp.n, e0) - (c.offset if c.offset is not None else 0.0)
        base.update(zip(c.cols, np.linalg.lstsq(c.X, target, rcond=None)[0].tolist()))
    cands.append(base)
    c0 = coords[0]
    assert c0.X is not None
    z = resp.typical
    e0 = float(c0.domain.to_unconstrained(rho0[c0.name]))
    zt = None
    if c0.domain.kind == "real":
        zt = z
    elif c0.domain.kind == "lower" and np.all(z > c0.domain.lower - (0.5 if fam.discrete else 0)):
        zt = np.log(z - c0.domain.lower + (0.5 if fam.discrete else 0.0))
    if zt is not None and np.all(np.isfinite(zt)) and c0.X.shape[1] > 1:
        for sign in (1.0, -1.0):
            target = sign * (zt - zt.mean()) + e0 - (c0.offset if c0.offset is not None else 0.0)
            b = np.linalg.lstsq(c0.X, target, rcond=None)[0]
            cands.append({**base, **dict(zip(c0.cols, b.tolist()))})
    scored: list[tuple[float, int, dict[str, float]]] = []

    def score(cd: dict[str, float]) -> None:
        th = [{**cd, **fixed}.get(nm, 0.0) for nm in model.names]
        v = model.value(th)
        scored.append((v if math.isfinite(v) else -math.inf, len(scored), cd))

    for cd in cands:
        score(cd)
    scored.sort(key=lambda t: (-t[0], t[1]))
    for zc in _zero_part_start(fam, coords, resp, rho0):    # on the best start so far
        score({**scored[0][2], **zc})
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [cd for v, _, cd in scored if v > -math.inf] or [cands[0]]


def _zero_part_start(fam: Family, coords: list[Coord], resp: Response,
                     rho0: dict[str, float]) -> list[dict[str, float]]:
    """Starts for a zero wrapper's linked zero_prob: a logistic regression of the zero
    indicator (the hurdle's exact zero part; for zero inflation as it is, as pscl starts, and
    shifted to the excess-zero level)."""
    from .._families.wrappers import Hurdle, ZeroInflated

    if not isinstance(fam, ZeroInflated) or resp.censored:
        return []
    c = next((c for c in coords if c.name == fam.extra and c.X is not None), None)
    if c is None:
        return []
    z = (resp.typical == 0).astype(float)
    frac = float(z.mean())
    if not 0.0 < frac < 1.0:
        return []
    X = c.X
    assert X is not None                # c was chosen linked (X is not None) above
    b = np.linalg.lstsq(X, np.full(resp.n, math.log(frac / (1 - frac))), rcond=None)[0]
    for _ in range(6):      # IRLS
        p = 1.0 / (1.0 + np.exp(-(X @ b)))
        wt = np.maximum(p * (1 - p), 1e-10)
        try:
            b = b + np.linalg.solve((X * wt[:, None]).T @ X, X.T @ (z - p))
        except np.linalg.LinAlgError:
            return []
    if not np.all(np.isfinite(b)):
        return []
    out = [dict(zip(c.cols, b.tolist()))]
    if not isinstance(fam, Hurdle):
        shift = math.log(rho0[c.name] / (1 - rho0[c.name])) - math.log(frac / (1 - frac))
        bs = b + np.linalg.lstsq(X, np.full(resp.n, shift), rcond=None)[0]
        out.append(dict(zip(c.cols, bs.tolist())))
    return out


def _classic_start(key: str, y: np.ndarray, X: np.ndarray, off: np.ndarray, extras: list[str],
                   cols: list[str]) -> dict[str, float]:
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
    s = _spread(resid) if resid.size > 1 else 1.0
    s = s if s > 1e-8 else 1.0
    out = dict(zip(cols, map(float, beta)))
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
