"""Per-group intervals computed for all groups at once: profile likelihood (a batched root
search whose every step is a batched Newton fit of the other parameters) and the
nonparametric bootstrap (resampling rows within each group)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2, norm

from ..._core.checks import as_rng
from ..._data.data import Block, Data
from ...errors import ParameterError
from .layout import KINDS, Problem, batched_newton

if TYPE_CHECKING:
    from .result import GroupedResult

__all__ = ["profile_ci", "bootstrap_ci"]

F = NDArray[np.float64]


def profile_ci(res: GroupedResult, level: float, *, tol: float = 1e-8, maxiter: int = 60
               ) -> tuple[F, F]:
    """Profile-likelihood intervals ``{theta : 2 (l_max - l_p(theta)) <= chi2_1(level)}`` per
    group and parameter. An end that the profile never reaches is the edge of the domain."""
    prob = res._problem
    if prob is None:
        raise ParameterError("profile intervals need the grouped likelihood; this result was "
                             "assembled from separate fits. Hint: use g[label].ci('profile').")
    lo, hi = res._wald(level, log=False)
    lo[:], hi[:] = np.nan, np.nan
    z = float(norm.ppf(0.5 + level / 2))
    drop = float(chi2.ppf(level, 1)) / 2
    ok = np.isin(res.status.astype(str), ("ok", "boundary")) & np.isfinite(res.loglik)
    for j, p in enumerate(res.param_names):
        if p in res.fixed:
            lo[:, j] = hi[:, j] = res.estimates[:, j]
            continue
        if p in res.nonregular:
            continue
        idx = np.flatnonzero(ok & np.isfinite(res.se[:, j]))
        if idx.size == 0:
            continue
        for side, out in ((-1.0, lo), (1.0, hi)):
            out[idx, j] = _one_side(res, prob, idx, j, side, z, drop, tol, maxiter)
    return lo, hi


def _one_side(res: GroupedResult, prob: Problem, idx: NDArray[np.intp], j: int, side: float,
              z: float, drop: float, tol: float, maxiter: int) -> F:
    fam = res.dist
    dom = fam.domains[j]
    th_hat = res.estimates[idx]
    l_hat = res.loglik[idx]
    e_hat = np.asarray(dom.to_unconstrained(th_hat[:, j]), dtype=float)
    J1 = dom.jacobian(e_hat)[0]
    se_e = np.abs(res.se[idx, j] / J1)
    fixed_cols = prob.fixed_cols.copy()
    fixed_cols[:, j] = 1.0                      # marks the column as fixed
    inner = Problem(fam, prob.lay, prob.n_obs, fixed_cols, prob.trunc)
    free = inner.free
    eta_in = np.column_stack([d.to_unconstrained(th_hat[:, f]) for f, d in zip(free, inner.doms)]) \
        if free else np.zeros((idx.size, 0))

    def u_of(e: F, sel: NDArray[np.intp]) -> F:
        """sqrt(2 (l_hat - l_p(e))) for the groups at positions ``sel`` of ``idx``."""
        inner.fixed_cols[idx[sel], j] = dom.from_unconstrained(e)
        if free:
            r = batched_newton(inner, idx[sel], eta_in[sel], 50)
            good = np.isfinite(r["ll"])
            eta_in[sel[good]] = r["eta"][good]
            lp = r["ll"]
        else:
            TH = inner.fixed_cols[idx[sel]]
            lp = inner.evaluate(idx[sel], TH, 0)[0]
        with np.errstate(invalid="ignore"):
            return np.sqrt(2.0 * np.maximum(l_hat[sel] - lp, 0.0))

    n = idx.size
    out = np.full(n, np.nan)
    # secant on u(e) = z, from (e_hat, 0) and the Wald guess
    e0, u0 = e_hat.copy(), np.zeros(n)
    e1 = e_hat + side * z * se_e
    sel = np.arange(n)
    u1 = u_of(e1[sel], sel)
    edge = np.zeros(n, dtype=bool)
    for _ in range(maxiter):
        done = np.isfinite(u1) & (np.abs(u1 - z) <= tol * z)
        out[sel[done]] = e1[sel[done]]
        far = np.isfinite(u1) & (u1 < z) & (np.abs(e1[sel] - e_hat[sel]) > 60 * np.maximum(se_e[sel], 1.0))
        edge[sel[far]] = True
        keep = ~done & ~far
        s = sel[keep]
        if s.size == 0:
            sel = s
            break
        ua, ub = u0[s], u1[keep]
        ea, eb = e0[s], e1[s]
        with np.errstate(all="ignore"):
            slope = (ub - ua) / (eb - ea)
            en = eb + (z - ub) / slope
        flat = ~np.isfinite(en) | (slope * side <= 0)
        en = np.where(flat, eb + side * (np.abs(eb - e_hat[s]) + se_e[s]), en)
        # keep the new point on the right side of the estimate
        en = np.where((en - e_hat[s]) * side <= 0, 0.5 * (eb + e_hat[s]), en)
        fin = np.isfinite(ub)   # where l_p is not finite, step back towards the last good point
        en = np.where(fin, en, 0.5 * (ea + eb))
        e0[s], u0[s] = np.where(fin, eb, ea), np.where(fin, ub, ua)
        e1[s] = en
        sel = s
        u1 = u_of(e1[sel], sel)
    th = np.asarray(dom.from_unconstrained(out), dtype=float)
    bound = dom.lower if side < 0 else dom.upper
    th[edge] = bound
    return th


# ---------------------------------------------------------------------------- bootstrap
def bootstrap_ci(res: GroupedResult, level: float, *, n_boot: int = 200, rng: Any = 0
                 ) -> tuple[F, F]:
    """Percentile intervals from ``n_boot`` nonparametric bootstrap replicates: the rows of
    every group are resampled with replacement (all censoring kinds together) and all
    groups are refitted in one batched call per replicate."""
    if res.data is None or res.codes is None or res._refit is None:
        raise ParameterError("bootstrap needs the grouped data; this result has none.")
    if int(n_boot) < 2:
        raise ParameterError(f"n_boot must be at least 2; got {n_boot!r}.")
    gen = as_rng(rng)
    table = _RowTable(res.data, res.codes, len(res.labels))
    draws = np.full((int(n_boot), *res.estimates.shape), np.nan)
    for b in range(int(n_boot)):
        dat, codes = table.resample(gen)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = res._refit(res.dist, dat, codes, res.labels, fixed=res.fixed,
                           start=res.options.get("start"), maxiter=res.options.get("maxiter", 200))
        good = (r.status == "ok")
        draws[b, good] = r.estimates[good]
    a = (1.0 - level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanquantile(draws, a, axis=0)
        hi = np.nanquantile(draws, 1 - a, axis=0)
    return lo, hi


class _RowTable:
    """Every row of the data with its kind and group, sorted by group."""

    def __init__(self, dat: Data, codes: NDArray[np.intp], G: int) -> None:
        parts: dict[str, list[Any]] = {"x": [], "hi": [], "w": [], "t": [], "kind": [], "g": [],
                                       "tlo": [], "thi": []}
        self.has_w, self.has_t = dat.has_weights, dat.has_trials
        self.has_tr = dat.row_truncated   # per-row truncation windows go with their rows
        for kd, blk in enumerate(dat.blocks.values()):
            if not blk.size:
                continue
            rows = blk.rows if blk.rows is not None else np.arange(blk.size)
            parts["x"].append(blk.x)
            parts["hi"].append(blk.hi if blk.hi is not None else blk.x)
            parts["w"].append(blk.w if blk.w is not None else np.ones(blk.size))
            parts["t"].append(blk.trials if blk.trials is not None else np.zeros(blk.size))
            parts["kind"].append(np.full(blk.size, kd))
            parts["tlo"].append(np.full(blk.size, -np.inf) if blk.tlo is None else blk.tlo)
            parts["thi"].append(np.full(blk.size, np.inf) if blk.thi is None else blk.thi)
            parts["g"].append(codes[rows])
        cat = {k: np.concatenate(v) for k, v in parts.items()}
        keep = cat["g"] >= 0
        order = np.argsort(cat["g"][keep], kind="stable")
        self.cols = {k: v[keep][order] for k, v in cat.items()}
        counts = np.bincount(self.cols["g"], minlength=G)
        self.start = np.cumsum(counts) - counts
        self.count = counts
        self.template = dat

    def resample(self, gen: np.random.Generator) -> tuple[Data, NDArray[np.intp]]:
        g = self.cols["g"]
        pick = self.start[g] + np.floor(gen.random(g.size) * self.count[g]).astype(np.intp)
        c = {k: v[pick] for k, v in self.cols.items()}
        new: dict[str, Block] = {}
        codes_all = np.empty(g.size, dtype=np.intp)
        start = 0
        for kd, kind in enumerate(KINDS):
            m = c["kind"] == kd
            n = int(m.sum())
            rows = np.arange(start, start + n)
            codes_all[start:start + n] = c["g"][m]
            blk = Block(c["x"][m], c["w"][m] if self.has_w else None,
                        hi=c["hi"][m] if kind == "interval" else None,
                        trials=c["t"][m] if self.has_t else None, rows=rows,
                        tlo=c["tlo"][m] if self.has_tr else None,
                        thi=c["thi"][m] if self.has_tr else None) if n else \
                Block(np.empty(0))
            new[kind] = blk
            start += n
        return self.template.replace(n_dropped=0, **new), codes_all

