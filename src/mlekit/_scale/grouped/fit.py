"""Grouped fits: ``mk.fit(x, family, by=labels)`` fits one model per group in one call.

Paths, per group (recorded in ``.params["method"]``):

``closed-form``      a formula on per-group sufficient statistics (vectorised)
``profile-newton``   the family's profile Newton (Weibull, Gumbel), batched over groups
``newton``           Newton batched across groups with the family's analytic derivatives
``fixed``            nothing to optimise: every parameter fixed or a sample extreme (as in
                     ``newton_fit``)
``separate``         estimates that are order statistics (Laplace's median): one fit per group
                     and families whose own estimator has no batched form (the threshold
                     profile: ``Family.fit_groups_separately``)

Groups that cannot be fitted (too few observations, everything censored on one side, all
values equal) or whose fit is not clean are flagged per group with the reason; they never
turn the whole call into an exception (``strict=True`` raises).
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._core.checks import check_param_dict, find_stack_level
from ..._core.domains import default_start
from ..._data.data import Block, Data, as_data
from ..._families.base import Family, get_family
from ..._fit.family_fit import fit_family
from ..._fit.newton import limit_applies
from ..._fit.rescale import is_extreme
from ..._fit.result import FitResult
from ...errors import (
    BoundaryWarning,
    ConvergenceError,
    ConvergenceWarning,
    DataError,
    NumericalWarning,
    ParameterError,
)
from .layout import KINDS, Layout, Problem, as_blocks, group_codes
from .moments import group_closed_form, group_findings, group_starts
from .newton import batched_newton
from .profile import profile_groups
from .result import GroupedResult

__all__ = ["fit_grouped", "GroupedResult"]

_LOOP_START_LIMIT = 5000


def fit_grouped(x: Any, family: Any, *, fixed: dict[str, float] | None = None,
                start: dict[str, float] | None = None, weights: Any = None,
                nan_policy: str = "raise", strict: bool = False, cov: str = "observed",
                maxiter: int = 200, by: Any = None, penalty: Any = None) -> GroupedResult:
    """One fit per group of ``by`` (see :func:`mlekit.fit`; the router has checked the
    options, the data and the family). ``penalty``: a :class:`~mlekit._fit.penalty.Penalty`
    applied to every group's fit."""
    if getattr(x, "_mlekit_source", False):
        x, by = x._grouped_input(by, nan_policy)
    if isinstance(by, str):
        raise DataError(f"by must be the group labels (an array or Series, one per value); got the "
                        f"string {by!r}. Hint: pass the column itself, e.g. by=df[{by!r}].")
    fam = get_family(family)
    dat = as_data(x, weights=weights, nan_policy=nan_policy)
    n_input = dat.n_rows + dat.n_dropped + dat.n_zero_weight
    codes, labels = group_codes(by, n_input)
    return fit_groups(fam, dat, codes, labels, fixed=fixed, start=start, strict=strict, cov=cov,
                      maxiter=maxiter, nan_policy=nan_policy, penalty=penalty)


def _drop_missing_labels(dat: Data, codes: NDArray[np.intp], nan_policy: str) -> Data:
    if codes.size == 0 or int(codes.min()) >= 0:
        return dat
    bad_rows = np.flatnonzero(codes < 0)
    if nan_policy == "raise":
        raise DataError(f"by must label every value; got {bad_rows.size} missing labels (first at "
                        f"index {bad_rows[0]}). Hint: pass nan_policy='omit' to drop those rows.")
    new: dict[str, Block] = {}
    for kind, blk in dat.blocks.items():
        if not blk.size:
            continue
        rows = blk.rows if blk.rows is not None else np.arange(blk.size)
        keep = codes[rows] >= 0
        nb = blk.take(keep)
        if nb.rows is None:
            nb.rows = rows[keep]
        new[kind] = nb
    return dat.replace(n_dropped=dat.n_dropped + int(bad_rows.size), **new)


def _compress(fam: Family, blocks: dict[str, tuple[Block, NDArray[np.intp]]], G: int
              ) -> dict[str, tuple[Block, NDArray[np.intp]]]:
    """Count data: each group's exact values replaced by its distinct values with summed weights."""
    if not fam.discrete or "exact" not in blocks:
        return blocks
    blk, codes = blocks["exact"]
    if blk.size < 64 or blk.trials is not None:
        return blocks
    xmax = float(blk.x.max())
    span = int(xmax) + 1
    if xmax >= 5e6 or blk.x.min() < 0 or span * G >= 2**62:
        return blocks
    key = codes.astype(np.int64) * span + blk.x.astype(np.int64)
    if span * G <= 4 * blk.size + 1024:
        cnt = np.bincount(key, weights=blk.w, minlength=span * G)
        uk = np.flatnonzero(cnt)
        w = cnt[uk].astype(float)
    else:
        uk, inv = np.unique(key, return_inverse=True)
        w = np.bincount(inv, weights=blk.w).astype(float)
    if uk.size > 0.5 * blk.size:
        return blocks
    out = dict(blocks)
    out["exact"] = (Block((uk % span).astype(float), w), (uk // span).astype(np.intp))
    return out


def fit_groups(fam: Family, dat: Data, codes: NDArray[np.intp], labels: Any, *,
               fixed: dict[str, float] | None = None, start: dict[str, float] | None = None,
               strict: bool = False, cov: str = "observed", maxiter: int = 200,
               nan_policy: str = "raise", penalty: Any = None) -> GroupedResult:
    """Fit ``fam`` to each group (``codes`` index ``labels``) of ``dat``. Penalised/MAP fits
    (``penalty``) and data with per-row truncation windows are fitted group by group with the
    in-memory estimator, so each group's fit is exactly ``mk.fit(group, ...)``."""
    fixed_d = check_param_dict(fam, fixed, "fixed")
    start_d = check_param_dict(fam, start, "start")
    if cov not in ("observed", "sandwich"):
        raise ParameterError(f"cov must be 'observed' or 'sandwich'; got {cov!r}.")
    dat = _drop_missing_labels(dat, codes, nan_policy)
    fam._check_data(dat, fixed_d)
    if penalty is not None or dat.row_truncated:
        if penalty is not None:
            penalty.check_names(fam.param_names, fixed_d)
        return _separately(fam, dat, codes, labels, fixed_d, start_d, strict, cov, maxiter,
                           penalty)
    G = len(labels)
    blocks = as_blocks(dat, codes)
    blocks_c = _compress(fam, blocks, G)
    lay = Layout.build(blocks_c, G, extremes=not fam.discrete)   # (extremes: in cache)
    n_rows = np.zeros(G)
    counts = {kind: np.zeros(G) for kind in KINDS}     # weights per group and kind
    if lay.kind_rows is not None and all(b.w is None for b, _ in blocks_c.values()):
        for kind, c in lay.kind_rows.items():           # unweighted: the rows (no pass)
            counts[kind] = c.astype(float)
        n_rows = sum(counts.values(), n_rows)
    else:
        for pc in lay.pieces:
            counts[pc.kind][pc.pos] += pc.reduce(1.0)
            if blocks_c is blocks:
                n_rows[pc.pos] += pc.group_rows()
    if blocks_c is not blocks:
        n_rows = np.zeros(G)
        for _, c in blocks.values():
            n_rows += np.bincount(c, minlength=G)
    n_obs = sum(counts.values(), np.zeros(G))
    k = fam.k
    names = fam.param_names
    nonreg = [p for p in fam.nonregular if p not in fixed_d]
    n_free = k - len(fixed_d)
    st = _Status(G)

    # --- groups that cannot be fitted
    st.flag(n_obs < max(n_free, 1), "too-few-observations",
            lambda i: f"{n_obs[i]:g} observations for {n_free} free parameters")
    one_sided = ((counts["exact"] + counts["interval"]) == 0) & (
        (counts["left"] == 0) | (counts["right"] == 0))
    st.flag(one_sided, "all-censored", lambda i: "every observation is censored on the same side; "
            "the likelihood is unbounded")
    TH = np.full((G, k), np.nan)
    for j, p in enumerate(names):
        if p in fixed_d:
            TH[:, j] = fixed_d[p]
    exact_only = (counts["left"] + counts["right"] + counts["interval"]) == 0
    if n_free and not fixed_d and not fam.discrete and "exact" in blocks:
        lo, hi = lay.group_extreme("exact", "min"), lay.group_extreme("exact", "max")
        for i in np.flatnonzero(exact_only & (lo == hi) & st.ok):
            deg = fam._degenerate(float(lo[i]))
            if deg is not None:
                TH[i] = [deg[p] for p in names]
                st.set(i, "degenerate", f"all {n_rows[i]:g} values equal {lo[i]:g}: the estimate "
                       "is on the boundary (a point mass)")
    # --- non-regular parameters (sample extremes)
    fixed_cols = TH.copy()
    fixed_cols[~st.ok] = np.nan
    for p in fixed_d:
        fixed_cols[:, names.index(p)] = fixed_d[p]
    if nonreg:
        try:
            est = fam._nonregular_from_extremes(lay.group_extreme, fixed_d)
        except NotImplementedError:
            return _separately(fam, dat, codes, labels, fixed_d, start_d, strict, cov, maxiter)
        for p in nonreg:
            fixed_cols[:, names.index(p)] = est[p]
    if fam.order_statistic_params or fam.fit_groups_separately:
        # a per-group median, or an estimator with no batched form (the threshold profile):
        # fitted group by group, as mk.fit fits each group's rows
        return _separately(fam, dat, codes, labels, fixed_d, start_d, strict, cov, maxiter)
    if _extreme_values(fam, dat, lay):
        # values beyond 2**±160: each group through the in-memory fit, rescaled by its own power
        # of two (mlekit._fit.rescale), as a fit of that group alone would be
        return _separately(fam, dat, codes, labels, fixed_d, start_d, strict, cov, maxiter)
    if dat.truncation is not None and (dat.left.size or dat.right.size):
        # censoring under truncation is an interval inside the range (see _likelihood.py):
        # the batched path does not model it, so these fits run group by group
        return _separately(fam, dat, codes, labels, fixed_d, start_d, strict, cov, maxiter)

    method = np.full(G, "", dtype=object)
    iters = np.zeros(G, dtype=np.intp)
    conv = np.zeros(G, dtype=bool)
    ll = np.full(G, np.nan)
    g_nat = np.zeros((G, k))
    H = np.full((G, k, k), np.nan)
    eta_start = np.full((G, k), np.nan)
    todo = st.ok.copy()
    trunc = dat.truncation

    # --- closed forms
    free_nonreg = [j for j, p in enumerate(names) if p not in fixed_d and p not in nonreg]
    # the family's closed form on per-group statistics (non-regular estimates held fixed)
    if not fixed_d and todo.any():
        inner = {p: fixed_cols[:, names.index(p)] for p in nonreg}
        cf = group_closed_form(fam, lay, trunc, inner)
        if cf is not None:
            sel = todo & np.isfinite(cf).all(axis=1)
            TH[sel] = cf[sel]
            method[sel], conv[sel], todo[sel] = fam.closed_form_method, True, False
    # the family's profile Newton, batched (when its own fast fit is that profile)
    prof = fam.profile
    kinds = {kd for kd in KINDS if kd in blocks_c}
    if (prof is not None and not fixed_d and todo.any() and not type(fam)._overrides("_fast_fit")
            and prof.applies(kinds, trunc is not None, {})):
        pw, llw, gw, Hw, itw, cw, s0 = profile_groups(prof, lay, todo, maxiter)
        done = todo & cw
        at: Any = slice(None) if done.all() else done   # every group: views, no masked copies
        for j, v in enumerate(pw):
            TH[at, j] = v[at]
        ll[at], g_nat[at], H[at] = llw[at], gw[at], Hw[at]
        with np.errstate(all="ignore"):
            for j, d in enumerate(fam.domains):
                eta_start[at, j] = d.to_unconstrained(s0[j][at])
        method[at], conv[at], iters[at], todo[at] = "profile-newton", True, itw[at], False

    prob = Problem(fam, lay, n_obs, fixed_cols, trunc)
    # --- batched Newton for the rest
    if todo.any() and not prob.free:
        # every parameter fixed or a sample extreme (a uniform with one bound fixed): nothing
        # to optimise; the log-likelihood and Hessian are evaluated below. The method is the
        # separate fit's: its closed form's when the family has one, else newton_fit's "fixed"
        idx = np.flatnonzero(todo)
        TH[idx] = fixed_cols[idx]
        method[idx] = (fam.closed_form_method if type(fam)._overrides("_closed_form")
                       else "fixed")
        conv[idx], todo[idx] = True, False
    if todo.any():
        idx = np.flatnonzero(todo)
        res = _newton_groups(fam, prob, lay, idx, start_d, fixed_d, maxiter)
        TH[idx], ll[idx], g_nat[idx], H[idx] = res["TH"], res["ll"], res["g"], res["H"]
        conv[idx], iters[idx], eta_start[idx] = res["converged"], res["iterations"], res["eta0"]
        method[idx] = "newton" + (" (numerical derivatives)" if "numeric" in prob.flags else "")
        nc = idx[~res["converged"]]
        for i, m in zip(nc, res["message"][~res["converged"]]):
            st.set(i, "nonconvergence" if np.isfinite(ll[i]) else "failed",
                   f"the optimiser did not converge: {m} after {iters[i]} iterations")

    # --- log-likelihood and Hessian where the path gave only the estimate
    fitted = st.ok | st.mask("nonconvergence")
    need = np.flatnonzero(fitted & (~np.isfinite(ll) | np.isnan(H).any(axis=(1, 2))))
    if need.size:
        r = prob.evaluate(need, TH[need], 2)
        ll[need], g_nat[need], H[need] = r
    regular = [j for j, p in enumerate(names) if p not in fixed_d and p not in nonreg]
    covs, pd = _covariances(H, regular, k)
    cov_type = "observed"
    if cov == "sandwich" and regular:
        rows = np.flatnonzero(fitted & pd)
        if rows.size:
            B = prob.evaluate(rows, TH[rows], 1, outer=True)[3]
            R = np.ix_(regular, regular)
            for c_i, i in enumerate(rows):
                A = covs[i][R]
                covs[i][R] = A @ B[c_i][R] @ A
        cov_type = "sandwich"
    se = np.sqrt(np.maximum(np.einsum("gii->gi", covs), 0.0))
    se[np.isnan(np.einsum("gii->gi", covs))] = np.nan
    for j, p in enumerate(names):
        if p in fixed_d:
            se[:, j] = 0.0
        elif p in nonreg:
            se[:, j] = np.nan
    st.flag(fitted & st.ok & ~pd, "singular-information",
            lambda i: "the observed information is not positive definite at the estimate: standard "
            "errors are unavailable")
    _boundaries(fam, TH, eta_start, st, free_nonreg, fitted)
    conv &= st.ok | st.mask("boundary")
    if type(fam)._overrides("_fit_diagnostics"):   # the family's own findings, per clean group
        for g_i, code, msg in group_findings(fam, dat, codes, TH, conv, st.ok, fixed_d):
            st.set(g_i, code, msg)
    for i in np.flatnonzero(~fitted):
        if st.code[i] != "degenerate":
            TH[i, [j for j in range(k) if names[j] not in fixed_d]] = np.nan
        se[i] = np.nan
        ll[i] = np.inf if st.code[i] == "degenerate" else np.nan
        method[i] = "degenerate" if st.code[i] == "degenerate" else ""
    out = GroupedResult(
        fam=fam, labels=labels, theta=TH, se=se, cov=covs, hess=H, loglik=ll, n_obs=n_obs,
        n_rows=n_rows, converged=conv, iterations=iters, status=st.code, message=st.msg,
        method=method, fixed=fixed_d, nonregular=tuple(nonreg), cov_type=cov_type,
        data=dat, codes=codes, problem=prob, refit=fit_groups, subset=subset_data,
        options={"start": start_d, "maxiter": maxiter, "cov": cov, "nan_policy": nan_policy})
    if st.used:                                 # (else every group is "ok")
        _report(out, strict)
    return out


def _extreme_values(fam: Family, dat: Data, lay: Layout) -> bool:
    """``is_extreme`` on the data's values; from the per-group extremes (no pass over the
    rows) when every value is positive and finite."""
    if fam.scale_powers is None or fam.discrete:
        return False
    kinds = [kd for kd in ("exact", "left", "right") if dat.blocks[kd].size]
    if kinds and not dat.interval_block.size:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)     # all-NaN: a kind's empty groups
            lo = min(float(np.nanmin(lay.group_extreme(kd, "min"))) for kd in kinds)
            hi = max(float(np.nanmax(lay.group_extreme(kd, "max"))) for kd in kinds)
        if lo > 0 and math.isfinite(hi):
            return is_extreme(fam, np.array([lo, hi]))
    return is_extreme(fam, dat.all_points())


class _Status:
    def __init__(self, G: int) -> None:
        self.code = np.full(G, "ok", dtype=object)
        self.msg = np.full(G, "", dtype=object)
        self.ok = np.ones(G, dtype=bool)
        self.used: set[str] = set()

    def set(self, i: int | np.integer[Any], code: str, msg: str) -> None:
        self.code[i], self.msg[i] = code, msg
        self.ok[i] = False
        self.used.add(code)

    def mask(self, code: str) -> NDArray[np.bool_]:
        """Which groups carry ``code`` (no pass over the codes when none does)."""
        if code not in self.used:
            return np.zeros(self.ok.size, dtype=bool)
        return np.asarray(self.code == code, dtype=bool)

    def flag(self, mask: NDArray[np.bool_], code: str, msg: Any) -> None:
        for i in np.flatnonzero(mask & self.ok):
            self.set(int(i), code, msg(i))


def _newton_groups(fam: Family, prob: Problem, lay: Layout, idx: NDArray[np.intp],
                   start: dict[str, float], fixed: dict[str, float], maxiter: int) -> dict[str, Any]:
    names = fam.param_names
    free, doms = prob.free, prob.doms
    S = _starts(fam, lay, idx)
    for p, v in start.items():
        S[:, names.index(p)] = v
    with np.errstate(all="ignore"):
        eta0 = np.column_stack([d.to_unconstrained(S[:, j]) for j, d in zip(free, doms)]) \
            if free else np.zeros((idx.size, 0))
    units = _location_units(fam, S, free)
    # the family's limit (GPD's shape -> -1, the skew-normal's half-normal limit): a group
    # that reaches it stops there and is not restarted, as in an in-memory fit
    stop = fam._beyond_limit if limit_applies(fam, fixed) else None
    best = batched_newton(prob, idx, eta0, maxiter, units=units, stop=stop)
    best["eta0"] = np.full((idx.size, fam.k), np.nan)
    best["eta0"][:, free] = eta0
    for f in (0.5, 2.0, 0.1, 10.0):
        left = np.flatnonzero(~best["converged"] & ~best["stopped"])
        if left.size == 0:
            break
        e = eta0[left].copy()
        for c, d in enumerate(doms):
            if d.lower == 0:
                e[:, c] = e[:, c] + math.log(f)
        r = batched_newton(prob, idx[left], e, maxiter,
                           units=None if units is None else units[left], stop=stop)
        better = r["converged"] | (np.isfinite(r["ll"]) & ~(r["ll"] <= best["ll"][left]))
        for key in ("eta", "ll", "TH", "g", "H", "iterations", "converged", "message",
                    "stopped"):
            best[key][left[better]] = r[key][better]
    return best


def _location_units(fam: Family, S: NDArray[np.float64], free: list[int]
                    ) -> NDArray[np.float64] | None:
    """Per group and free parameter, the unit a Newton step is capped in: a location in the
    data's units moves in units of the group's starting scale (as in separate fits), so the
    fit is the same whether the data are in 1e-9 or 1e9 units."""
    loc = [c for c, j in enumerate(free) if fam.param_names[j] in fam.data_unit_params]
    if not loc:
        return None
    spread_col = next((j for j, p in enumerate(fam.param_names) if p in ("sigma", "scale")), None)
    if spread_col is None:
        return None
    spread = S[:, spread_col]
    units = np.ones((S.shape[0], len(free)))
    good = np.isfinite(spread) & (spread > 0)
    for c in loc:
        units[good, c] = spread[good]
    return units


def _starts(fam: Family, lay: Layout, idx: NDArray[np.intp]) -> NDArray[np.float64]:
    """Per-group starting values: the family's ``_start`` on all groups at once (a
    ``GroupSample``), else each group's own ``_start`` (up to a few thousand groups) or one
    start from all the data."""
    from ..._fit.newton import start_points

    names = fam.param_names
    try:
        S = group_starts(fam, lay.restrict(idx))
    except (ValueError, ZeroDivisionError, FloatingPointError, IndexError, TypeError):
        S = None
    if S is not None:
        pass
    elif idx.size <= _LOOP_START_LIMIT:
        S = np.full((idx.size, fam.k), np.nan)
        for c, i in enumerate(idx):
            sub = lay.restrict(np.array([i]))
            xs, ws = _piece_points(sub)
            try:
                with np.errstate(all="ignore"):
                    s0 = fam._start(xs, ws, {})
                S[c] = [s0.get(p, np.nan) for p in names]
            except (ValueError, ZeroDivisionError, FloatingPointError, IndexError):
                pass
    else:
        S = np.full((idx.size, fam.k), np.nan)
    # fill what is missing or invalid from a start on all the data
    bad = ~np.isfinite(S)
    for j, d in enumerate(fam.domains):
        bad[:, j] |= ~d.contains(np.where(np.isfinite(S[:, j]), S[:, j], 0.0))
    if bad.any():
        xs, ws = _piece_points(lay)
        x = Data(xs, weights=ws)
        pts, w = start_points(x)
        try:
            with np.errstate(all="ignore"):
                s0 = fam._start(pts, w, {})
        except (ValueError, ZeroDivisionError, FloatingPointError, IndexError):
            s0 = {}
        for j, p in enumerate(names):
            S[bad[:, j], j] = s0.get(p, 1.0)
    return S


def _piece_points(lay: Layout) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    from .moments import _values

    xs, ws = [], []
    for p in lay.pieces:
        v = np.asarray(_values(p), dtype=float).ravel()
        w = p.blk.w.ravel() if p.blk.w is not None else np.ones(v.size)
        ok = np.isfinite(v)
        xs.append(v[ok])
        ws.append(w[ok])
    x, w = np.concatenate(xs), np.concatenate(ws)
    return x, (None if np.all(w == 1) else w)


def _covariances(H: NDArray[np.float64], regular: list[int], k: int
                 ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    G = H.shape[0]
    cov = np.zeros((G, k, k))
    if not regular:
        return cov, np.ones(G, dtype=bool)
    A = -(H if len(regular) == k else H[:, regular][:, :, regular])
    r = len(regular)
    fin = np.isfinite(A).all(axis=(1, 2))
    C = np.full((G, r, r), np.nan)
    with np.errstate(all="ignore"):
        if r == 1:
            pd = fin & (A[:, 0, 0] > 0)
            C[pd, 0, 0] = 1.0 / A[pd, 0, 0]
        elif r == 2:
            a, b, c = A[:, 0, 0], A[:, 0, 1], A[:, 1, 1]
            det = a * c - b * b
            pd = fin & (a > 0) & (det > 0)
            if pd.all():                          # (no masked copies: the usual case)
                C[:, 0, 0], C[:, 1, 1], C[:, 0, 1] = c / det, a / det, -b / det
                C[:, 1, 0] = C[:, 0, 1]
            else:
                C[pd, 0, 0], C[pd, 1, 1] = c[pd] / det[pd], a[pd] / det[pd]
                C[pd, 0, 1] = C[pd, 1, 0] = -b[pd] / det[pd]
        else:
            # judge and invert the information on the correlation scale: parameters in very
            # different units (a location in 1e9 units next to a df) make A badly scaled
            diag = np.einsum("gii->gi", A)
            pd = fin & (diag > 0).all(axis=1)
            if pd.any():
                s = 1.0 / np.sqrt(diag[pd])
                R = A[pd] * s[:, :, None] * s[:, None, :]
                ok = np.linalg.eigvalsh(R)[:, 0] > 0
                sel = np.flatnonzero(pd)
                pd[sel[~ok]] = False
                if ok.any():
                    C[sel[ok]] = np.linalg.inv(R[ok]) * s[ok][:, :, None] * s[ok][:, None, :]
    if r == k:
        return C, pd
    reg = np.asarray(regular, dtype=np.intp)
    cov[np.ix_(np.arange(G), reg, reg)] = C
    return cov, pd


def _boundaries(fam: Family, TH: NDArray[np.float64], eta0: NDArray[np.float64], st: _Status,
                free: list[int], fitted: NDArray[np.bool_]) -> None:
    for j in free:
        d = fam.domains[j]
        name = fam.param_names[j]
        v = TH[:, j]
        tol = 1e-10 * np.maximum(1.0, np.abs(v))
        with np.errstate(all="ignore"):
            on = ~np.isfinite(v)
            if math.isfinite(d.lower):
                on |= v - d.lower <= tol
            if math.isfinite(d.upper):
                on |= d.upper - v <= tol
            far = np.abs(d.to_unconstrained(np.where(on, default_start(d), v)) - eta0[:, j]) > 16
            if d.kind == "real":
                far[:] = False  # a real-line parameter has no open end to run to
        # the family's own limits (t's df -> inf, NB size -> inf), as in separate fits
        limit = np.zeros(TH.shape[0], dtype=bool)
        has_limits = type(fam)._overrides("_boundary_message")
        for i in np.flatnonzero(fitted & ~on) if has_limits else ():
            row = dict(zip(fam.param_names, (float(t) for t in TH[i])))
            if all(math.isfinite(t) for t in row.values()) and fam._boundary_message(name, row):
                limit[i] = True
        hint = fam.boundary_hints.get(name, "")
        st.flag(fitted & (on | limit | (far & np.isfinite(eta0[:, j]))), "boundary",
                lambda i, name=name, hint=hint, j=j, d=d: f"{name} = {TH[i, j]:.6g} ran to the "
                f"edge of its domain {d.describe()}" + hint)


def _separately(fam: Family, dat: Data, codes: NDArray[np.intp], labels: Any,
                fixed: dict[str, float], start: dict[str, float], strict: bool, cov: str,
                maxiter: int, penalty: Any = None) -> GroupedResult:
    """Families whose estimate is not a smooth optimum (Laplace's median, unknown non-regular
    parameters), penalised fits and per-row truncation: one ordinary fit per group."""
    results: list[FitResult | DataError | ConvergenceError] = []
    for i in range(len(labels)):
        sub = subset_data(dat, codes, i)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.append(fit_family(fam, sub, fixed=fixed, start=start, cov=cov,
                                          maxiter=maxiter, penalty=penalty))
        except (DataError, ConvergenceError) as exc:
            results.append(exc)
    refit = fit_groups if penalty is None else functools.partial(fit_groups, penalty=penalty)
    out = GroupedResult.from_results(fam, labels, results, fixed, dat, codes, refit=refit,
                                     subset=subset_data)
    if penalty is not None:
        out.options.update(penalty.options())
    _report(out, strict)
    return out


def subset_data(dat: Data, codes: NDArray[np.intp], gid: int) -> Data:
    """The rows of ``dat`` in group ``gid`` as their own ``Data``."""
    new: dict[str, Block] = {}
    for kind, blk in dat.blocks.items():
        rows = blk.rows if blk.rows is not None else np.arange(blk.size)
        sel = np.flatnonzero(codes[rows] == gid) if blk.size else np.empty(0, np.intp)
        nb = blk.take(sel)
        nb.rows = None
        new[kind] = nb
    return dat.replace(n_dropped=0, **new)


def _report(res: GroupedResult, strict: bool) -> None:
    codes = res.status
    bad = codes != "ok"
    if not bad.any():
        return
    kinds, counts = np.unique(codes[bad].astype(str), return_counts=True)
    detail = ", ".join(f"{c} {k}" for k, c in zip(kinds, counts))
    first = res.labels[int(np.flatnonzero(bad)[0])]
    msg = (f"{res.family}: {int(bad.sum())} of {len(codes)} groups are flagged ({detail}; first: "
           f"{first!r}); see .flagged for the reasons")
    if strict:
        raise ConvergenceError(msg + ". Hint: pass strict=False to get the other groups' fits.")
    if "nonconvergence" in kinds or "failed" in kinds:
        cat: type[Warning] = ConvergenceWarning
    elif "boundary" in kinds or "degenerate" in kinds:
        cat = BoundaryWarning
    else:
        cat = NumericalWarning
    warnings.warn(msg, cat, stacklevel=find_stack_level())
