"""One log-likelihood for every family, written once.

    ll = Σ w·log f(exact) + Σ w·log F(left) + Σ w·log S(right) + Σ w·log(F(hi) − F(lo))
         − W·log(F(b) − F(a))            (truncation to [a, b])

Rows with their own truncation window ``[a_i, b_i]`` (``Block.tlo``/``thi``: per-row
truncation, late entry) contribute ``w_i·(term_i − log P(a_i <= X <= b_i))`` instead, the
window's term computed only for the rows that have one (:func:`row_terms`).

Everything is computed stably (log-cdf/log-sf and a log-difference, never ``log(1 - cdf)``) with its
gradient and Hessian in the natural parameters. Each term uses the family's analytic
derivatives where it has them, numerical ones otherwise. For discrete families "at least c"
is ``S(c − 1)`` and ``[a, b]`` is ``F(b) − F(a − 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._core.engine import CHUNK_ROWS, map_reduce
from .._core.numdiff import data_unit, numeric_derivs
from .._data.data import Block, Data
from .._families.base import Family
from ..errors import ParameterError

__all__ = ["Likelihood", "FreeParams"]

Theta = tuple[Any, ...]
Result = tuple[float, NDArray[np.float64], NDArray[np.float64]]
_LOG_HALF = math.log(0.5)


class FreeParams:
    """What every likelihood (in memory, streamed, a fitted model's) knows of its parameters:
    their names, the values held fixed, which are free, and the full tuple from the free values.
    ``flags`` collects what an evaluation noticed (``"numeric"``: numerical derivatives)."""

    def __init__(self, names: Sequence[str], fixed: dict[str, float] | None) -> None:
        self.names = tuple(names)
        self.fixed = dict(fixed or {})
        self.k = len(self.names)
        self.free = [i for i, p in enumerate(self.names) if p not in self.fixed]
        self.free_names = [self.names[i] for i in self.free]
        self.flags: set[str] = set()

    def theta(self, free_values: Sequence[float]) -> Theta:
        vals = dict(self.fixed)
        for i, v in zip(self.free, free_values):
            vals[self.names[i]] = float(v)
        return tuple(vals[p] for p in self.names)


class Likelihood(FreeParams):
    """A family and data, with some parameters possibly held fixed."""

    def __init__(self, family: Family, data: Data, fixed: dict[str, float] | None = None,
                 chunk_rows: int = CHUNK_ROWS) -> None:
        for key in fixed or {}:
            if key not in family.param_names:
                raise ParameterError(
                    f"fixed names a parameter of {type(family).__name__} "
                    f"({', '.join(family.param_names)}); got {key!r}."
                )
        super().__init__(family.param_names, fixed)
        self.family = family
        self.data = data
        self.chunks = list(data.chunks(chunk_rows))
        self._units: tuple[float | None, ...] | None = None

    @property
    def units(self) -> tuple[float | None, ...]:
        """Per parameter: the data's spread for locations in the data's units
        (``family.data_unit_params``), else ``None``: the step unit of numerical derivatives."""
        if self._units is None:
            loc = getattr(self.family, "data_unit_params", ())
            unit = 1.0
            if loc:
                parts = []
                for blk in self.data.blocks.values():
                    if blk.size:
                        step = max(1, blk.size // 10_000)  # a subsample is enough for a spread
                        parts += [blk.x[::step]] + ([] if blk.hi is None else [blk.hi[::step]])
                unit = data_unit(np.concatenate(parts)) if parts else 1.0
            self._units = tuple(unit if p in loc else None for p in self.names)
        return self._units

    # ------------------------------------------------------------------ evaluation
    def loglik(self, th: Theta) -> float:
        return self.evaluate(th, 0)[0]

    def evaluate(self, th: Theta, order: int = 2) -> Result:
        """``(loglik, grad, hess)`` over all ``k`` parameters (fixed ones have 0 entries)."""
        fam, k = self.family, self.k
        free = self.free

        flags = self.flags
        units = self.units

        def one(chunk: Data) -> Result:
            return chunk_terms(fam, chunk, th, order, free, k, flags, units=units)

        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            try:
                ll, g, H = map_reduce(one, self.chunks)
                if self.data.truncation is not None:
                    tl, tg, tH = truncation_term(fam, self.data.truncation, th, order, free, k,
                                                 flags, units=units)
                    W = self.data.n_obs
                    ll, g, H = ll - W * tl, g - W * tg, H - W * tH
            except ArithmeticError:
                # scalar (Python float) arithmetic at a parameter that under/overflowed to 0 or
                # inf, e.g. exp(eta) = 0.0 on the way to a boundary: the derivatives (or the
                # value) are not finite there; keep the value when it alone can be computed
                ll = self.evaluate(th, 0)[0] if order else -math.inf
                return ll, np.full(k, math.nan), np.full((k, k), math.nan)
        if math.isnan(ll):
            ll = -math.inf
        return float(ll), g, H

    # ------------------------------------------------------------------ per observation
    def with_data(self, data: Data) -> Likelihood:
        """The same family and fixed values on other data (a bootstrap sample)."""
        return Likelihood(self.family, data, self.fixed)

    def scores(self, th: Theta, idx: list[int]) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        """Per-row scores (rows × len(idx)) and weights, block by block."""
        fam = self.family
        trunc = self.data.truncation
        out = []
        tg = None
        if trunc is not None:
            _, tg, _ = truncation_term(fam, trunc, th, 1, idx, self.k, units=self.units)
        with np.errstate(all="ignore"):
            for chunk in self.chunks:
                for kind, blk in chunk.blocks.items():
                    if not blk.size:
                        continue
                    if trunc is not None and blk.tlo is None:
                        kind, blk = _censored_within(fam, kind, blk, trunc)
                    w = np.ones(blk.size) if blk.w is None else blk.w
                    if blk.tlo is not None:
                        d = row_terms(fam, kind, blk, th, 1, idx, self.k, units=self.units)
                        out.append((np.column_stack([d[1][i] for i in idx]), w))
                        continue
                    d = block_terms(fam, kind, blk, th, 1, idx, None, self.units)
                    G = np.column_stack([np.broadcast_to(d[1][i], (blk.size,)) for i in idx])
                    if tg is not None:
                        G = G - tg[idx]
                    out.append((G, w))
        return out


# ---------------------------------------------------------------------- per-chunk terms
def chunk_terms(fam: Family, chunk: Data, th: Theta, order: int, free: Sequence[int],
                k: int, flags: set[str] | None = None, *, units: Any = None) -> Result:
    ll = 0.0
    g = np.zeros(k)
    H = np.zeros((k, k))
    trunc = chunk.truncation
    for kind, blk in chunk.blocks.items():
        if not blk.size:
            continue
        if trunc is not None and blk.tlo is None:
            kind, blk = _censored_within(fam, kind, blk, trunc)
        if blk.tlo is not None:
            d = row_terms(fam, kind, blk, th, order, free, k, flags, units=units)
        else:
            fused = fam._exact_sums(blk, th) if order and kind == "exact" else None
            if fused is not None:
                val, dg, dh = fused
                ll += val
                g += dg
                H += dh
                continue
            d = block_terms(fam, kind, blk, th, order, free, flags, units)
        val, dg, dh = _reduce(blk, d, free, k, order)
        ll += val
        if order:
            g += dg
            H += dh
    return ll, g, H


def _censored_within(fam: Family, kind: str, blk: Block, trunc: tuple[float, float]
                     ) -> tuple[str, Block]:
    """A block as the likelihood reads it under a truncation range ``[a, b]``: a censored
    block becomes intervals inside the range ("X >= x" means ``x <= X <= b``, probability
    ``F(b) - F(x)``, not ``S(x)``; "X <= x" means ``a <= X <= x``). Other blocks, and a side
    the range leaves open, stay as they are."""
    a, b = trunc
    if kind == "right" and math.isfinite(b):
        lo, hi = blk.x, np.full(blk.size, b)
    elif kind == "left" and math.isfinite(a):
        lo, hi = np.full(blk.size, math.ceil(a) if fam.discrete else a), blk.x
    else:
        return kind, blk
    return "interval", blk.cached(f"within_truncation_{fam.discrete}", lambda: Block(
        lo, blk.w, hi=hi, trials=blk.trials, rows=blk.rows))


def shifted(fam: Family, blk: Block, which: str) -> Any:
    """Censoring points as the family's cdf/sf need them (discrete: ``x - 1``)."""
    if not fam.discrete:
        return blk.x if which == "x" else blk.hi
    if which == "x":
        return blk.cached("x_minus_1", lambda: blk.x - 1.0)
    return blk.hi


def block_funcs(fam: Family, kind: str) -> tuple[Any, Any]:
    if kind == "exact":
        return fam._logpdf, fam._d_logpdf
    if kind == "left":
        return fam._logcdf, fam._d_logcdf
    return fam._logsf, fam._d_logsf


def _reduce(blk: Block, d: tuple[Any, list[Any], list[list[Any]]], free: Sequence[int], k: int,
            order: int) -> Result:
    val = blk.wsum_of(d[0])
    g = np.zeros(k)
    H = np.zeros((k, k))
    if order:
        for i in free:
            g[i] = blk.wsum_of(d[1][i])
        if order >= 2:
            for a, i in enumerate(free):
                for j in free[a:]:
                    H[i, j] = H[j, i] = blk.wsum_of(d[2][i][j])
    return val, g, H


def log_interval_prob(fam: Family, lo: Any, hi: Any, th: Theta, blk: Block | None) -> Any:
    """``log(F(hi) - F(lo))`` without cancellation (cdf form in the lower half, sf above)."""
    la, lb = fam._logcdf(lo, th, blk), fam._logcdf(hi, th, blk)
    sa, sb = fam._logsf(lo, th, blk), fam._logsf(hi, th, blk)
    use_sf = lb > _LOG_HALF
    cdf_form = lb + np.log1p(-np.exp(la - lb))
    sf_form = sa + np.log1p(-np.exp(sb - sa))
    return np.where(use_sf, sf_form, cdf_form)


def interval_derivs(fam: Family, lo: Any, hi: Any, th: Theta, blk: Block | None, order: int,
                    free: Sequence[int], flags: set[str] | None = None, *,
                    units: Any = None) -> tuple[Any, list[Any], list[list[Any]]]:
    """Derivatives of ``log(F(hi) - F(lo))`` from those of log F and log S at both ends."""
    ca, cb = fam._d_logcdf(lo, th, blk), fam._d_logcdf(hi, th, blk)
    sa, sb = fam._d_logsf(lo, th, blk), fam._d_logsf(hi, th, blk)
    if ca is None or cb is None or sa is None or sb is None:
        if flags is not None:
            flags.add("numeric")
        return numeric_derivs(lambda t: log_interval_prob(fam, lo, hi, t, blk), th, fam.domains,
                              free, order, units=units)
    k = len(th)
    use_sf = cb[0] > _LOG_HALF
    # cdf form: P = F(b) - F(a); sf form: P = S(a) - S(b). Both: P = E1 - E2 with E1 > E2.
    e1 = _where3(use_sf, sa, cb)
    e2 = _where3(use_sf, sb, ca)
    r = np.exp(e2[0] - e1[0])
    val = e1[0] + np.log1p(-r)
    one_m_r = -np.expm1(e2[0] - e1[0])
    B = 1.0 / one_m_r
    A = r / one_m_r
    # a bound at the edge of the support (F(lo) = 0, S(hi) = 0) contributes nothing: its log
    # term is -inf and its derivatives NaN (0/0), which must not leak through A = 0
    dead = ~(r > 0)
    g = [0.0 * val] * k
    for i in free:
        g[i] = B * e1[1][i] - np.where(dead, 0.0, A * e2[1][i])
    hess: list[list[Any]] = [[0.0 * val] * k for _ in range(k)]
    for i in free:
        for j in free:
            hess[i][j] = (B * (e1[2][i][j] + e1[1][i] * e1[1][j])
                          - np.where(dead, 0.0, A * (e2[2][i][j] + e2[1][i] * e2[1][j]))
                          - g[i] * g[j])
    return val, g, hess


def _where3(cond: Any, a: tuple[Any, list[Any], list[list[Any]]],
            b: tuple[Any, list[Any], list[list[Any]]]) -> tuple[Any, list[Any], list[list[Any]]]:
    k = len(a[1])
    return (np.where(cond, a[0], b[0]),
            [np.where(cond, a[1][i], b[1][i]) for i in range(k)],
            [[np.where(cond, a[2][i][j], b[2][i][j]) for j in range(k)] for i in range(k)])


def truncation_term(fam: Family, trunc: tuple[float, float], th: Theta, order: int,
                    free: Sequence[int], k: int, flags: set[str] | None = None, *,
                    units: Any = None) -> Result:
    """``log P(a <= X <= b)`` and its derivatives (per observation; times W by the caller)."""
    a, b = trunc
    lo_s, hi_s = fam._support_bounds(th) if not getattr(fam, "nonregular", ()) else (-math.inf, math.inf)
    if a <= lo_s:
        a = -math.inf  # truncation at (or below) the support's edge removes nothing
    if b >= hi_s:
        b = math.inf
    if not math.isfinite(a) and not math.isfinite(b):
        return 0.0, np.zeros(k), np.zeros((k, k))
    if fam.discrete and math.isfinite(a):
        a = math.ceil(a) - 1.0
    xa, xb = np.array([a]), np.array([b])
    if not math.isfinite(a):
        f, df, x = fam._logcdf, fam._d_logcdf, xb
    elif not math.isfinite(b):
        f, df, x = fam._logsf, fam._d_logsf, xa
    else:
        if order == 0:
            return float(log_interval_prob(fam, xa, xb, th, None)[0]), np.zeros(k), np.zeros((k, k))
        di = interval_derivs(fam, xa, xb, th, None, order, free, flags, units=units)
        return _scalar(di, free, k, order)
    if order == 0:
        return float(np.asarray(f(x, th, None))[0]), np.zeros(k), np.zeros((k, k))
    d = df(x, th, None)
    if d is None:
        if flags is not None:
            flags.add("numeric")
        d = numeric_derivs(lambda t: f(x, t, None), th, fam.domains, free, order, units=units)
    return _scalar(d, free, k, order)


def _scalar(d: tuple[Any, list[Any], list[list[Any]]], free: Sequence[int], k: int,
            order: int) -> Result:
    g = np.zeros(k)
    H = np.zeros((k, k))
    for i in free:
        g[i] = float(np.asarray(d[1][i]).ravel()[0])
        if order >= 2:
            for j in free:
                H[i, j] = float(np.asarray(d[2][i][j]).ravel()[0])
    return float(np.asarray(d[0]).ravel()[0]), g, H


# ---------------------------------------------------------------------- per-row truncation
Derivs = tuple[Any, list[Any], list[list[Any]]]


def row_terms(fam: Family, kind: str, blk: Block, th: Theta, order: int, free: Sequence[int],
              k: int, flags: set[str] | None = None, *, units: Any = None) -> Derivs:
    """Per row of a block with truncation windows: ``term_i - log P(a_i <= X <= b_i)`` (value,
    gradient and Hessian arrays). A censored row reads inside its window ("X >= x" is ``x <= X
    <= b_i``) and the window's probability is computed only for rows that have one.

    ``th`` holds one value per parameter, or an array with one value per row of the block (a
    regression's linked parameters, ``_models/distreg.py``)."""
    n = blk.size
    a, b = _windows(fam, blk, th)
    v = np.zeros(n)
    g = [np.zeros(n) for _ in range(k)] if order else []
    h = [[np.zeros(n) for _ in range(k)] for _ in range(k)] if order >= 2 else []

    def rows(sel: Any) -> Theta:
        return th if sel is None else tuple(t[sel] if np.ndim(t) else t for t in th)

    def add(sel: Any, d: Derivs, sign: float) -> None:
        m = n if sel is None else int(np.count_nonzero(sel))
        sl = slice(None) if sel is None else sel
        v[sl] += sign * np.broadcast_to(d[0], (m,))
        if order:
            for i in free:
                g[i][sl] += sign * np.broadcast_to(d[1][i], (m,))
        if order >= 2:
            for i in free:
                for j in free:
                    h[i][j][sl] += sign * np.broadcast_to(d[2][i][j], (m,))

    # the row's own term, censored rows read inside their windows
    if kind == "right":
        pieces = [("interval", np.isfinite(b), "x", "b"), ("right", ~np.isfinite(b), "x", None)]
    elif kind == "left":
        pieces = [("interval", np.isfinite(a), "a", "x"), ("left", ~np.isfinite(a), "x", None)]
    else:
        pieces = [(kind, None, "x", "hi")]
    ends = {"x": blk.x, "hi": blk.hi, "b": b,
            "a": np.ceil(a) if fam.discrete else a}
    for pk, sel, lo_key, hi_key in pieces:
        if sel is not None:
            if not sel.any():
                continue
            if sel.all():
                sel = None                  # every row: no copies, no masked writes
        sub = _sub(blk, sel, ends[lo_key], ends[hi_key] if hi_key is not None else None)
        add(sel, block_terms(fam, pk, sub, rows(sel), order, free, flags, units), 1.0)
    # minus log P(a_i <= X <= b_i) on the rows with a window (discrete: P(X >= a) = S(a - 1))
    fa, fb = np.isfinite(a), np.isfinite(b)
    a1 = np.ceil(a) - 1.0 if fam.discrete else a
    for pk, sel, lo_v, hi_v in (("interval", fa & fb, a1, b), ("right", fa & ~fb, a1, None),
                                ("left", fb & ~fa, b, None)):
        if sel.any():
            sel = None if sel.all() else sel
            sub = _window_block(blk, pk, sel, lo_v, hi_v)
            add(sel, block_terms(fam, pk, sub, rows(sel), order, free, flags, units, shift=False),
                -1.0)
    return v, g, h


def _windows(fam: Family, blk: Block, th: Theta) -> tuple[Any, Any]:
    """The block's windows with bounds at (or past) the support's ends dropped (they remove
    nothing); families whose support moves with a non-regular parameter keep them all. With
    per-row parameters (a regression) the ends are the family's fixed ``support`` (the windows
    are then computed once per block)."""
    a, b = blk.tlo, blk.thi
    assert a is not None and b is not None
    if any(np.ndim(t) for t in th):
        lo, hi = fam.support.lower, fam.support.upper
        return blk.cached("windows_in_support", lambda: _drop_ends(a, b, lo, hi))
    if getattr(fam, "nonregular", ()):
        return a, b
    lo_s, hi_s = fam._support_bounds(th)
    return _drop_ends(a, b, lo_s, hi_s)


def _drop_ends(a: Any, b: Any, lo: Any, hi: Any) -> tuple[Any, Any]:
    return np.where(a <= lo, -np.inf, a), np.where(b >= hi, np.inf, b)


def _window_block(blk: Block, kind: str, sel: Any, lo: Any, hi: Any) -> Block:
    """The block of the window bounds ``lo`` (``hi``) on rows ``sel``: kept on ``blk`` while the
    bounds are the same arrays (fixed windows: the points' ``log`` and the like are computed
    once per fit, not once per evaluation)."""
    key = f"window_block_{kind}"
    got: tuple[Any, Any, Block] | None = blk._cache.get(key)
    if got is not None and got[0] is lo and got[1] is hi:
        return got[2]
    sub = _sub(blk, sel, lo, hi)
    blk._cache[key] = (lo, hi, sub)     # holding lo/hi keeps their identities valid
    return sub


def _sub(blk: Block, sel: Any, x: Any, hi: Any) -> Block:
    """Rows ``sel`` of ``blk`` as a block of the points ``x`` (and ``hi``), with their trials;
    all rows at the block's own points: the block itself (its cached ``log x`` and the like)."""
    if sel is None:
        if x is blk.x and hi is blk.hi:
            return blk
        return Block(x, None, hi=hi, trials=blk.trials)
    return Block(x[sel], None, hi=None if hi is None else hi[sel],
                 trials=None if blk.trials is None else blk.trials[sel])


def block_terms(fam: Family, kind: str, sub: Block, th: Theta, order: int, free: Sequence[int],
                flags: set[str] | None, units: Any, shift: bool = True) -> Derivs:
    """Per-row log f / log F / log S / log interval probability of the rows of ``sub`` (kind
    exact/left/right/interval) and their derivatives in the parameters ``free``; ``th`` may hold
    per-row arrays. ``shift=False``: the points are already where the discrete cdf/sf need
    them. The per-row terms of :func:`row_terms` and of a regression (``_models/distreg.py``)."""
    if kind == "interval":
        lo = shifted(fam, sub, "x") if shift else sub.x
        if order == 0:
            return log_interval_prob(fam, lo, sub.hi, th, sub), [], []
        return interval_derivs(fam, lo, sub.hi, th, sub, order, free, flags, units=units)
    f, df = block_funcs(fam, kind)
    x = shifted(fam, sub, "x") if (kind == "right" and shift) else sub.x
    if order == 0:
        return f(x, th, sub), [], []
    d: Derivs | None = df(x, th, sub)
    if d is None:
        if flags is not None:
            flags.add("numeric")
        d = numeric_derivs(lambda t: f(x, t, sub), th, fam.domains, free, order, units=units)
    return d
