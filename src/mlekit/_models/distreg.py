"""The likelihood engine of distributional regression (used by :func:`mlekit.regress`).

Every parameter ("coordinate") of a family is either linked to covariates,
``theta_a,i = link_a^{-1}(x_a,i' beta_a)``, or one shared value. The link is the inverse of the
coordinate's domain transform (identity on the real line, log for positive values, logit on
(0, 1), scaled logit on an interval), i.e. ``Domain.from_unconstrained``.

Derivatives are analytic wherever the family has per-observation derivatives (``_d_logpdf``,
``_d_logsf``, ``_d_logcdf``; interval-censored rows through ``log(F(b) - F(a))``): with
``g_a = dl_i/dtheta_a`` and ``h_ab`` per observation, the chain rule through the link gives
``G_a = g_a theta_a'`` and ``H_ab = h_ab theta_a' theta_b' + [a = b] g_a theta_a''`` on the
linear-predictor scale, and then ``grad_beta_a = X_a' (w G_a)`` and
``hess_{beta_a beta_b} = X_a' diag(w H_ab) X_b`` (a shared value is a column of ones). A
family without analytic derivatives is differentiated numerically per observation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from .._core.domains import Domain, Real
from .._core.numdiff import data_unit
from .._data.data import Block
from .._families.base import Family
from .._fit.likelihood import block_terms, row_terms

__all__ = ["Response", "Coord", "Reparam", "DistReg", "link_name", "column_sizes",
           "step_units"]

Derivs = tuple[Any, list[Any], list[list[Any]]]
Groups = list[tuple[str, np.ndarray | None, Block]]   # (kind, rows or None for all, block)
EXACT, RIGHT, LEFT, INTERVAL = "exact", "right", "left", "interval"


def link_name(dom: Domain) -> str:
    k = dom.kind
    if k == "real":
        return "identity"
    if k == "lower":
        return "log" if dom.lower == 0 else f"log(x - {dom.lower:g})"
    if k == "upper":
        return f"log({dom.upper:g} - x)"
    if dom.lower == 0 and dom.upper == 1:
        return "logit"
    return f"logit on ({dom.lower:g}, {dom.upper:g})"


class Response:
    """The response rows grouped by kind: exact, right-, left- and interval-censored."""

    def __init__(self, n: int, groups: list[tuple[str, np.ndarray | None, Block]],
                 typical: np.ndarray) -> None:
        self.n = n
        self.groups = groups
        self.typical = typical      # one value per row (for starting values and plots)

    @property
    def censored(self) -> bool:
        return any(kind != EXACT for kind, _, _ in self.groups)

    @classmethod
    def build(cls, y: np.ndarray | None, obs: np.ndarray | None = None,
              lo: np.ndarray | None = None, hi: np.ndarray | None = None) -> Response:
        if lo is None and hi is None:
            assert y is not None
            n = y.shape[0]
            if obs is None or obs.all():
                return cls(n, [(EXACT, None, Block(y))], y)
            groups = [(EXACT, np.flatnonzero(obs), None), (RIGHT, np.flatnonzero(~obs), None)]
            return cls(n, [(k, i, Block(y[i])) for k, i, _ in groups if i.size], y)
        assert lo is not None and hi is not None
        n = lo.shape[0]
        left = np.isnan(lo) | (lo == -np.inf)
        right = np.isnan(hi) | (hi == np.inf)
        exact = ~left & ~right & (lo == hi)
        inter = ~left & ~right & ~exact
        typ = np.where(left, hi, np.where(right, lo, np.where(exact, lo, 0.5 * (lo + hi))))
        out: list[tuple[str, np.ndarray | None, Block]] = []
        for kind, m, blk in ((EXACT, exact, lambda i: Block(lo[i])),
                             (RIGHT, right & ~left, lambda i: Block(lo[i])),
                             (LEFT, left & ~right, lambda i: Block(hi[i])),
                             (INTERVAL, inter, lambda i: Block(lo[i], hi=hi[i]))):
            idx = np.flatnonzero(m)
            if idx.size:
                out.append((kind, None if idx.size == n else idx, blk(idx)))
        return cls(n, out, typ)


@dataclass
class Coord:
    """One coordinate: linked (design ``X``, coefficient names ``cols``) or shared (``X`` None)."""

    name: str
    domain: Domain
    X: np.ndarray | None
    cols: list[str]
    offset: np.ndarray | None = None
    spec: Any = None            # the formula's model spec (for predictions on new data)

    @property
    def width(self) -> int:
        return 1 if self.X is None else self.X.shape[1]


def column_sizes(X: np.ndarray) -> np.ndarray:
    """``max |x|`` of each column of a design (0 for a design without rows)."""
    return np.max(np.abs(X), axis=0) if X.shape[0] else np.zeros(X.shape[1])


def step_units(coords: list[Coord]) -> list[float]:
    """Per coefficient (coordinates in order), its natural unit for Newton
    (:func:`~mlekit._core.optimize.newton`'s ``step_scale``): ``1 / max |x|`` for a covariate
    (a unit change of its linear predictor), 1 for a shared parameter. A covariate in tiny
    units otherwise needs millions of capped steps to reach a coefficient of millions, and one
    in huge units gets non-definite steps that hardly move it."""
    out: list[float] = []
    for co in coords:
        if co.X is None:
            out.append(1.0)
            continue
        out.extend(float(1.0 / t) if t > 0.0 else 1.0 for t in column_sizes(co.X))
    return out


@dataclass
class Reparam:
    """Regression coordinates that are not the family's own parameters (gamma: mean, shape)."""

    names: tuple[str, ...]
    domains: tuple[Domain, ...]
    natural: Callable[[list[Any]], tuple[list[Any], list[list[Any]], list[list[list[Any]]]]]
    inverse: Callable[[dict[str, float]], dict[str, float]]


def _gamma_natural(rho: list[Any]) -> tuple[list[Any], list[list[Any]], list[list[list[Any]]]]:
    m, k = rho          # (mean, shape) -> (shape, scale = mean / shape)
    s = m / k
    zero = 0.0 * s
    one = 1.0 + zero
    J = [[zero, one], [1.0 / k + zero, -s / k]]
    K = [[[zero, zero], [zero, zero]],
         [[zero, -1.0 / k**2 + zero], [-1.0 / k**2 + zero, 2.0 * s / k**2]]]
    return [k + zero, s], J, K


REPARAMS: dict[str, Reparam] = {}


def _with_extra(rp: Reparam, name: str, domain: Domain) -> Reparam:
    """``rp`` for a wrapped family (ZeroInflated/Hurdle/Cure): the wrapper's own parameter is
    appended as an identity coordinate."""

    def natural(rho: list[Any]) -> tuple[list[Any], list[list[Any]], list[list[list[Any]]]]:
        theta, J, K = rp.natural(list(rho[:-1]))
        p = rho[-1]
        zero = 0.0 * p
        one = 1.0 + zero
        J2 = [[*row, zero] for row in J] + [[zero] * len(J[0]) + [one]]
        width = len(J[0]) + 1
        K2 = [[[*K[i][j], zero] for j in range(len(K[i]))] + [[zero] * width] for i in range(len(K))]
        K2.append([[zero] * width for _ in range(width)])
        return [*theta, p], J2, K2

    def inverse(p: dict[str, float]) -> dict[str, float]:
        return {**rp.inverse(p), name: p[name]}

    return Reparam((*rp.names, name), (*rp.domains, domain), natural, inverse)


def reparam_for(fam: Family) -> Reparam | None:
    base = getattr(fam, "base", None)
    if isinstance(base, Family) and fam.param_names[:-1] == base.param_names:
        rp = reparam_for(base)
        if rp is not None and (fam.regression_param or "") in rp.names:
            return _with_extra(rp, fam.param_names[-1], fam.domains[-1])
        return None
    if fam.name == "gamma" and (fam.regression_param or "") == "mean":
        from .._core.domains import Positive

        return Reparam(("mean", "shape"), (Positive, Positive), _gamma_natural,
                       lambda p: {"mean": p["shape"] * p["scale"], "shape": p["shape"]})
    return None


def _full(v: Any, n: int) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    return a if a.shape == (n,) else np.broadcast_to(a, (n,))


def family_terms(fam: Family, groups: Groups, n: int, theta: Sequence[Any], order: int,
                 units: Sequence[float | None] | None = None, flags: set[str] | None = None
                 ) -> Derivs:
    """Per-observation log-likelihood (and derivatives in the natural parameters): the
    likelihood's own per-row terms (``_fit/likelihood.py``: :func:`block_terms`, and
    :func:`row_terms` for rows with a truncation window), group by group."""
    k = fam.k
    if len(groups) == 1 and groups[0][1] is None:
        kind, _, blk = groups[0]
        d = _group(fam, kind, blk, tuple(theta), order, units, flags)
        return (_full(d[0], n), [_full(g, n) for g in d[1]],
                [[_full(h, n) for h in row] for row in d[2]])
    v = np.empty(n)
    g = [np.empty(n) for _ in range(k)] if order else []
    H = [[np.empty(n) for _ in range(k)] for _ in range(k)] if order >= 2 else []
    for kind, idx, blk in groups:
        th = tuple(t[idx] if np.ndim(t) else t for t in theta)
        d = _group(fam, kind, blk, th, order, units, flags)
        v[idx] = d[0]
        for i in range(len(g)):
            g[i][idx] = d[1][i]
        for i in range(len(H)):
            for j in range(k):
                H[i][j][idx] = d[2][i][j]
    return v, g, H


def _group(fam: Family, kind: str, blk: Block, th: tuple[Any, ...], order: int,
           units: Sequence[float | None] | None, flags: set[str] | None) -> Derivs:
    free = range(fam.k)
    if blk.tlo is not None:
        d = row_terms(fam, kind, blk, th, order, free, fam.k, flags, units=units)
    else:
        d = block_terms(fam, kind, blk, th, order, free, flags, units)
    if kind == EXACT and order == 0:
        # the coefficients may move a linked parameter's support past a row (Weibull location,
        # GEV ends): such a row is impossible, not a finite density
        bad = fam._outside(blk.x, th)
        if bad.any():
            return np.where(bad, -np.inf, d[0]), [], []
    return d


def windowed(fam: Family, resp: Response, window: tuple[np.ndarray, np.ndarray]) -> Groups:
    """``resp``'s groups with each row's truncation window ``[lo_i, hi_i]`` on its block
    (``Block.tlo``/``thi``, as in ``mk.Data(x, truncation=...)``); rows whose window truncates
    nothing (bounds at or past the support's ends) keep it too: :func:`row_terms` drops it."""
    lo, hi = (np.asarray(w, dtype=float) for w in window)
    out: Groups = []
    for kind, idx, blk in resp.groups:
        rows = slice(None) if idx is None else idx
        out.append((kind, idx, Block(blk.x, blk.w, hi=blk.hi, trials=blk.trials,
                                     tlo=lo[rows], thi=hi[rows])))
    return out


class DistReg:
    """Log-likelihood of a distributional regression in its coefficient vector."""

    def __init__(self, fam: Family, resp: Response, coords: list[Coord], w: np.ndarray | None,
                 reparam: Reparam | None = None,
                 window: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.fam, self.resp, self.coords, self.w, self.reparam = fam, resp, coords, w, reparam
        self.n = resp.n
        # per-row truncation (late entry = lower bounds): row i was observable only inside
        # [a_i, b_i]; the windows ride on the response's blocks (Block.tlo/thi)
        self.window_rows = window          # the (lo, hi) arrays as given (refits reuse them)
        self.groups = resp.groups if window is None else windowed(fam, resp, window)
        self.names: list[str] = [c for co in coords for c in co.cols]
        self.domains: list[Domain] = [d for co in coords
                                      for d in ([co.domain] if co.X is None else [Real] * co.width)]
        self.slices: list[slice] = []
        at = 0
        for co in coords:
            self.slices.append(slice(at, at + co.width))
            at += co.width
        self.flags: set[str] = set()
        # the coordinates in the family's (or the reparameterisation's) own order
        order = list(reparam.names) if reparam is not None else list(fam.param_names)
        self.perm = [next(a for a, co in enumerate(coords) if co.name == nm) for nm in order]
        self.units = [data_unit(resp.typical) if p in fam.data_unit_params else None
                      for p in fam.param_names]
        self.logistic = (fam.name == "bernoulli" and len(coords) == 1 and not resp.censored
                         and coords[0].X is not None)
        self.per_obs = True

    # ------------------------------------------------------------------ coordinates
    def coord_values(self, th: Sequence[float], X: list[np.ndarray | None] | None = None,
                     offsets: list[Any] | None = None) -> list[tuple[Any, Any, Any]]:
        """(value, d value/d eta, d2 value/d eta2) per coordinate (arrays or scalars)."""
        out: list[tuple[Any, Any, Any]] = []
        for a, co in enumerate(self.coords):
            b = np.asarray(th[self.slices[a]], dtype=float)
            Xa = co.X if X is None else X[a]
            if Xa is None:
                out.append((float(b[0]), 1.0, 0.0))
                continue
            eta = Xa @ b
            off = co.offset if offsets is None else offsets[a]
            if off is not None:
                eta = eta + off
            val = co.domain.from_unconstrained(eta)
            d1, d2 = co.domain.jacobian(eta)
            out.append((val, d1, d2))
        return out

    def natural(self, rho: list[Any]) -> list[Any]:
        """The family's parameters from the coordinates' values (in coordinate order)."""
        rr = [rho[a] for a in self.perm]
        if self.reparam is None:
            return rr
        return self.reparam.natural(rr)[0]

    def obs_terms(self, th: Sequence[float], order: int) -> tuple[Any, list[Any], list[list[Any]]]:
        """Per observation: value, d/d eta_a and d2/d eta_a d eta_b (coordinate scale)."""
        if self.logistic:
            X = self.coords[0].X
            assert X is not None        # self.logistic: the one coordinate is linked
            eta = X @ np.asarray(th, dtype=float)
            if self.coords[0].offset is not None:
                eta = eta + self.coords[0].offset
            y = self.resp.groups[0][2].x
            val = y * eta - np.logaddexp(0.0, eta)
            p = expit(eta)
            return val, [y - p], [[-p * (1.0 - p)]]
        cv = self.coord_values(th)
        perm = self.perm
        rho = [cv[a][0] for a in perm]        # family order
        m = len(rho)
        if self.reparam is None:
            v, g, h = self._terms(rho, order)
        else:
            theta, J, K = self.reparam.natural(rho)
            v, gn, hn = self._terms(theta, order)
            kk = len(theta)
            g, h = [], []
            if order:
                g = [sum(gn[i] * J[i][a] for i in range(kk)) for a in range(m)]
            if order >= 2:
                h = [[sum(hn[i][j] * J[i][a] * J[j][b] for i in range(kk) for j in range(kk))
                      + sum(gn[i] * K[i][a][b] for i in range(kk)) for b in range(m)]
                     for a in range(m)]
        if not order:
            return v, [], []
        pos = {a: j for j, a in enumerate(perm)}    # coordinate -> family position
        g = [g[pos[a]] for a in range(m)]
        if order >= 2:
            h = [[h[pos[a]][pos[b]] for b in range(m)] for a in range(m)]
        G = [g[a] * cv[a][1] if self.coords[a].X is not None else g[a] for a in range(m)]
        Hm: list[list[Any]] = []
        if order >= 2:
            Hm = [[0.0] * m for _ in range(m)]     # every entry set below
            for a in range(m):
                for b in range(a, m):
                    hab = h[a][b]
                    if self.coords[a].X is not None:
                        hab = hab * cv[a][1]
                    if self.coords[b].X is not None:
                        hab = hab * cv[b][1]
                    if a == b and self.coords[a].X is not None:
                        hab = hab + g[a] * cv[a][2]
                    Hm[a][b] = Hm[b][a] = hab
        return v, G, Hm

    def _terms(self, theta: list[Any], order: int) -> Derivs:
        """The family's per-row terms (truncated to each row's window where there is one)."""
        return family_terms(self.fam, self.groups, self.n, theta, order, self.units, self.flags)

    # ------------------------------------------------------------------ sums
    def evaluate(self, th: Sequence[float], order: int) -> tuple[float, np.ndarray, np.ndarray]:
        K = len(self.names)
        g = np.zeros(K)
        H = np.zeros((K, K))
        with np.errstate(all="ignore"):
            v, G, Hm = self.obs_terms(th, order)
            w = self.w
            f = float(np.sum(v) if w is None else np.dot(w, v))
            if not math.isfinite(f):
                return -math.inf, g, H
            if order:
                for a, co in enumerate(self.coords):
                    ga = G[a] if w is None else w * G[a]
                    g[self.slices[a]] = (co.X.T @ ga) if co.X is not None else np.sum(ga)
            if order >= 2:
                for a, ca in enumerate(self.coords):
                    for b in range(a, len(self.coords)):
                        cb = self.coords[b]
                        hab = Hm[a][b] if w is None else w * Hm[a][b]
                        if ca.X is not None and cb.X is not None:
                            blk = (ca.X * hab[:, None]).T @ cb.X
                        elif ca.X is not None:
                            blk = (ca.X.T @ hab)[:, None]
                        elif cb.X is not None:
                            blk = (cb.X.T @ hab)[None, :]
                        else:
                            blk = np.array([[np.sum(hab)]])
                        H[self.slices[a], self.slices[b]] = blk
                        H[self.slices[b], self.slices[a]] = blk.T
        return f, g, H

    def value(self, th: Sequence[float]) -> float:
        return self.evaluate(th, 0)[0]

    def score_matrix(self, th: Sequence[float]) -> np.ndarray:
        """Per-observation scores ``(n, K)`` in the coefficients (unweighted)."""
        with np.errstate(all="ignore"):
            _, G, _ = self.obs_terms(th, 1)
        cols = []
        for a, co in enumerate(self.coords):
            ga = _full(G[a], self.n)
            cols.append(co.X * ga[:, None] if co.X is not None else ga[:, None])
        return np.column_stack(cols)


class Scores:
    """Per-observation scores for sandwich covariances (the ``ev`` of ``model_result``)."""

    per_obs = True

    def __init__(self, model: DistReg) -> None:
        self.model = model
        self.w = model.w

    def scores(self, prob: Any, sol: Any) -> np.ndarray:
        th = [sol.params[n] for n in prob.names]
        return self.model.score_matrix(th)[:, prob.free]
