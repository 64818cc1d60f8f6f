"""Pass 1 of a chunked fit (a streamed source or Dask chunks): what one read of every chunk
learns — counts, missing / out-of-support values, extremes, sufficient statistics and a
compact summary — plus the summaries' uses: start values, the in-memory subsample, and the
chunked twin of Weibull's profile fast path."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._data.data import Block, Data, fdot
from .._families.base import Family, FastFit, Stats, moments_of, newton_1d
from .._fit.family_fit import fit_family
from ..errors import DataError, FamilyError

__all__ = ["Scan", "scan_chunk", "concat_data", "weibull_profile_chunks", "gumbel_profile_chunks"]

_HIST_BITS = 18            # sign, 11 exponent bits and 6 mantissa bits of a float64
_MAX_COUNT_VALUE = 1 << 20
_MAX_INTERVAL_SAMPLE = 1 << 16
_KINDS = ("exact", "left", "right", "interval")
SUB_ROWS = 1 << 16         # rows per vectorised evaluation inside a chunk


# ---------------------------------------------------------------------------- pass 1
class Scan:
    """Everything pass 1 learns; adds exactly (in chunk order)."""

    def __init__(self) -> None:
        self.rows = self.missing = self.nonnumeric = 0
        self.first_bad = ""
        self.counts = dict.fromkeys(_KINDS, 0.0)
        self.minmax: dict[str, tuple[float, float]] = {}
        self.outside = 0
        self.outside_first = ""
        self.check_error = ""
        self.stats: Stats | None = None
        self.values: NDArray[np.float64] | None = None     # count data: weight of each value
        self.values_ok = True
        self.hist: dict[str, tuple[Any, Any]] = {}
        self.intervals: list[tuple[Any, Any, Any]] = []
        self.interval_stride = 1
        self.has_weights = False
        self.wb: Stats | None = None        # Weibull profile: sums of log x (exact + right)

    def __add__(self, o: Scan) -> Scan:
        s = Scan()
        s.rows, s.missing, s.nonnumeric = (self.rows + o.rows, self.missing + o.missing,
                                           self.nonnumeric + o.nonnumeric)
        s.first_bad = self.first_bad or o.first_bad
        s.counts = {k: self.counts[k] + o.counts[k] for k in _KINDS}
        for k in set(self.minmax) | set(o.minmax):
            a, b = self.minmax.get(k), o.minmax.get(k)
            s.minmax[k] = a if b is None else b if a is None else (min(a[0], b[0]), max(a[1], b[1]))
        s.outside = self.outside + o.outside
        s.outside_first = self.outside_first or o.outside_first
        s.check_error = self.check_error or o.check_error
        s.stats = o.stats if self.stats is None else self.stats if o.stats is None \
            else self.stats + o.stats
        s.values_ok = self.values_ok and o.values_ok
        if s.values_ok and (self.values is not None or o.values is not None):
            a = self.values if self.values is not None else np.zeros(0)
            b = o.values if o.values is not None else np.zeros(0)
            if a.size < b.size:
                a, b = b, a
            v = a.copy()
            v[:b.size] += b
            s.values = v
        for k in set(self.hist) | set(o.hist):
            a, b = self.hist.get(k), o.hist.get(k)
            s.hist[k] = a if b is None else b if a is None else (a[0] + b[0], a[1] + b[1])
        s.intervals = self.intervals + o.intervals
        s.interval_stride = max(self.interval_stride, o.interval_stride)
        s._thin()
        s.has_weights = self.has_weights or o.has_weights
        s.wb = o.wb if self.wb is None else self.wb if o.wb is None else self.wb + o.wb
        return s

    def _thin(self) -> None:
        while sum(len(v[0]) for v in self.intervals) > _MAX_INTERVAL_SAMPLE:
            self.intervals = [(lo[::2], hi[::2], w[::2] * 2) for lo, hi, w in self.intervals]
            self.interval_stride *= 2

    @property
    def n_obs(self) -> float:
        return sum(self.counts.values())


def _hist(x: NDArray[np.float64], w: NDArray[np.float64] | None) -> tuple[Any, Any]:
    key = (np.ascontiguousarray(x).view(np.uint64) >> np.uint64(64 - _HIST_BITS)).astype(np.intp)
    n = 1 << _HIST_BITS
    cnt = np.bincount(key, weights=w, minlength=n)
    sx = np.bincount(key, weights=x if w is None else w * x, minlength=n)
    return cnt, sx


def _inside(sup: Any, mm: tuple[float, float]) -> bool:
    """Every value between ``mm[0]`` and ``mm[1]`` lies in the (non-integer) support."""
    if sup.integer:
        return False
    lo, hi = mm
    ok_lo = lo >= sup.lower if sup.lower_closed else lo > sup.lower
    ok_hi = hi <= sup.upper if sup.upper_closed else hi < sup.upper
    return ok_lo and ok_hi


def scan_chunk(fam: Family, d: Data | None, miss: int, bad: int, where: str,
               fixed: dict[str, float], want: dict[str, bool]) -> Scan:
    s = Scan()
    s.missing, s.nonnumeric = miss, bad
    if miss or bad:
        s.first_bad = where
    if d is None:
        return s
    s.rows = d.n_rows
    s.has_weights = d.has_weights
    sup = fam.support
    known = getattr(d, "_minmax", None)      # from the fast path: exact values only
    for kind, blk in d.blocks.items():
        if not blk.size:
            continue
        s.counts[kind] = blk.wsum
        arrays = [blk.x] if blk.hi is None else [blk.x, blk.hi]
        for arr in arrays:
            if known is not None:
                s.minmax[kind] = known
                if _inside(sup, known):
                    continue
            fin = arr[np.isfinite(arr)] if kind == "interval" else arr
            if fin.size:
                mm = (float(fin.min()), float(fin.max()))
                prev = s.minmax.get(kind)
                s.minmax[kind] = mm if prev is None else (min(prev[0], mm[0]), max(prev[1], mm[1]))
            bad_mask = sup.violations(arr)
            if bad_mask.shape != arr.shape:          # the fast path's "nothing outside"
                continue
            if kind != "exact":
                bad_mask &= ~((arr == sup.lower) | (arr == sup.upper))
            nb = int(bad_mask.sum())
            if nb:
                s.outside += nb
                if not s.outside_first:
                    s.outside_first = f"{where}: {arr[bad_mask][0]:g}"
        if want["hist"] and kind != "interval":
            s.hist[kind] = _hist(blk.x, blk.w)
        if kind == "interval" and want["hist"]:
            s.intervals.append((blk.x, blk.hi, blk.w if blk.w is not None else np.ones(blk.size)))
            s._thin()
    if s.outside:
        return s
    if known is None or type(fam)._check_data is not Family._check_data:
        try:
            fam._check_data(d, fixed)
        except (DataError, FamilyError) as exc:
            s.check_error = f"{where}: {exc}"
            return s
    if want["stats"]:
        s.stats = fam._suffstats(d)
    if want.get("weibull"):
        s.wb = _weibull_scan(d)
    elif want.get("gumbel") and d.exact.size:
        b = d.exact
        s.wb = Stats({}, moments={"x": moments_of(b.x, b.w)})
    if want["values"]:
        b = d.exact
        if b.size:
            if b.trials is None and float(b.x.max()) < _MAX_COUNT_VALUE:
                s.values = np.bincount(b.x.astype(np.intp), weights=b.w).astype(float)
            else:
                s.values_ok = False
    return s


def summ_stub(scan: Scan, trunc: Any) -> Any:
    """An object with block sizes for a family's ``_can_closed_form(data)``."""
    class _B:
        def __init__(self, n: float) -> None:
            self.size = int(n > 0)

    class _D:
        pass

    d = _D()
    d.exact, d.left, d.right, d.interval_block = (  # type: ignore[attr-defined]
        _B(scan.counts["exact"]), _B(scan.counts["left"]), _B(scan.counts["right"]),
        _B(scan.counts["interval"]))
    d.truncation = trunc  # type: ignore[attr-defined]
    return d


def _extremes_data(scan: Scan) -> Data:
    """A tiny ``Data`` holding each kind's extremes (enough for sample-extreme estimates)."""
    blocks: dict[str, Block] = {}
    for kind in _KINDS:
        mm = scan.minmax.get(kind)
        x = np.array(mm, dtype=float) if mm else np.empty(0)
        blocks[kind] = Block(x, hi=(x.copy() if kind == "interval" else None))
    return Data._from_blocks(blocks["exact"], blocks["left"], blocks["right"], blocks["interval"])


def _summary_data(scan: Scan, trunc: Any) -> Data:
    """The compact summary as weighted data: histogram-bin means (exact, left, right) and
    the interval sample."""
    los, his, ws = [], [], []
    for kind in ("exact", "left", "right"):
        h = scan.hist.get(kind)
        if h is None:
            continue
        cnt, sx = h
        nz = np.flatnonzero(cnt > 0)
        v = sx[nz] / cnt[nz]
        lo = v if kind != "left" else np.full(v.size, -np.inf)
        hi = v if kind != "right" else np.full(v.size, np.inf)
        los.append(lo)
        his.append(hi)
        ws.append(cnt[nz])
    for lo, hi, w in scan.intervals:
        los.append(lo)
        his.append(hi)
        ws.append(w)
    lo_a, hi_a, w_a = np.concatenate(los), np.concatenate(his), np.concatenate(ws)
    lo_a = np.where(np.isneginf(lo_a) & np.isposinf(hi_a), np.nan, lo_a)
    return Data.interval(lo_a, hi_a, weights=w_a, truncation=trunc, nan_policy="omit")


def _sample_points(chunks: Any, scan: Scan) -> Data:
    """The subsample ``_fit._start_points`` would take from the concatenated data (every
    ``n // 100000``-th point of the exact, left, right, then interval rows), as ``Data``."""
    from .._fit.newton import START_SAMPLE

    sizes_l = chunks.map_list(lambda d, _: [b.size for b in d.blocks.values()])
    sizes = np.array([s if s is not None else [0, 0, 0, 0] for s in sizes_l], dtype=np.int64)
    total = int(sizes.sum())
    step = total // START_SAMPLE if total > START_SAMPLE else 1
    base = np.concatenate(([0], np.cumsum(sizes.sum(axis=0))[:-1]))
    offs = base[None, :] + np.cumsum(sizes, axis=0) - sizes      # (chunk, kind) offsets

    def pick(d: Data, off: Any) -> list[tuple[Any, Any]]:
        out = []
        for j, (kind, blk) in enumerate(d.blocks.items()):
            first = (-int(off[j])) % step
            sl = slice(first, None, step)
            if kind == "interval" and blk.size:
                lo, hi = blk.x[sl], blk.hi[sl]  # type: ignore[index]
                v = np.where(np.isfinite(lo) & np.isfinite(hi), 0.5 * (lo + hi),
                             np.where(np.isfinite(lo), lo, hi))
            else:
                v = blk.x[sl]
            out.append((v, blk.w[sl] if blk.w is not None else np.ones(v.size)))
        return out

    parts = chunks.map_list(pick, list(offs))
    xs = [p[j][0] for j in range(4) for p in parts if p is not None]
    ws = [p[j][1] for j in range(4) for p in parts if p is not None]
    return Data(np.concatenate(xs), weights=np.concatenate(ws) if scan.has_weights else None)


def _summary_size(d: Data) -> int:
    return d.n_rows


def _start_from_summary(fam: Family, summary: Data, fixed: dict[str, float],
                        start: dict[str, float], maxiter: int) -> dict[str, float]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fit_family(fam, summary, fixed=fixed, start=start, maxiter=maxiter)
        if all(math.isfinite(v) for v in r.params.values()) and r.converged:
            return {p: v for p, v in r.params.items() if p not in fixed}
    except (DataError, FamilyError, ValueError, ArithmeticError):
        pass
    return dict(start)




# ---------------------------------------------------------------------------- in memory
def concat_data(datas: list[Data]) -> Data:
    """Chunks of one data set joined back into the ``Data`` the whole arrays would give
    (each censoring block in chunk order)."""
    if len(datas) == 1:
        return datas[0]
    new: dict[str, Block | None] = {}
    for kind in _KINDS:
        blks = [d.blocks[kind] for d in datas if d.blocks[kind].size]
        if not blks:
            new[kind] = None
            continue

        def cat(name: str, blks: list[Any] = blks) -> Any:
            vals = [getattr(b, name) for b in blks]
            if all(v is None for v in vals):
                return None
            return np.concatenate([v if v is not None else np.ones(b.size)
                                   for v, b in zip(vals, blks)])

        new[kind] = Block(cat("x"), cat("w"), hi=cat("hi"), trials=cat("trials"))
    return datas[0].replace(n_dropped=sum(d.n_dropped for d in datas), **new)


# ---------------------------------------------------------------------------- Weibull
def _weibull_scan(d: Data) -> Stats:
    """Pass-1 sums for the chunked Weibull profile: the exact rows' weight ``R`` and
    ``sum log x``, Chan moments of ``log x`` over exact and right-censored rows, the largest
    ``log x`` and the smallest exact value."""
    st = Stats({"R": 0.0, "L": 0.0}, mins={"xmin": math.inf}, maxs={"lxmax": -math.inf},
               moments={"lx": (0.0, 0.0, 0.0)})
    for kind in ("exact", "right"):
        blk = d.exact if kind == "exact" else d.right
        if not blk.size:
            continue
        with np.errstate(divide="ignore"):
            lx = blk.cached("log_x", lambda blk=blk: np.log(blk.x))
        part = Stats({"R": blk.wsum if kind == "exact" else 0.0,
                      "L": blk.wsum_of(lx) if kind == "exact" else 0.0},
                     mins={"xmin": float(blk.x.min()) if kind == "exact" else math.inf},
                     maxs={"lxmax": float(lx.max())}, moments={"lx": moments_of(lx, blk.w)})
        st = st + part
    return st


def weibull_profile_chunks(chunks: Any, scan: Scan, fixed: dict[str, float],
                           k0: float | None = None) -> FastFit | None:
    """The chunked twin of ``Weibull._fast_fit`` (exact and right-censored rows): the same
    centring, start and ``newton_1d`` iteration on the profile in the shape, with the three
    sums of each iteration computed in one pass over the chunks. ``k0``: a better start
    (a streamed file's histogram fit: about 2 passes instead of 5)."""
    wb = scan.wb
    if wb is None or "scale" in fixed or not wb.sums["R"] > 0 or wb.mins["xmin"] <= 0:
        return None
    R, L = wb.sums["R"], wb.sums["L"]
    m = L / R
    c = wb.maxs["lxmax"]
    W, mean, M2 = wb.moments["lx"]
    sums: dict[str, float] = {}

    def pass_at(k: float) -> tuple[float, float, float]:
        def one(d: Data) -> Any:
            out = np.zeros(3)
            for blk in (d.exact, d.right):
                if not blk.size:
                    continue
                lx = blk.cached("log_x", lambda blk=blk: np.log(blk.x))
                # kept with the chunk (Dask: on the worker, for every pass)
                tt = blk.cached("wb_t", lambda lx=lx: lx - c)
                d1 = blk.cached("wb_d", lambda lx=lx: lx - m)
                for a in range(0, blk.size, SUB_ROWS):
                    sl = slice(a, a + SUB_ROWS)
                    t = tt[sl]
                    dd = d1[sl]
                    z = np.exp(k * t)
                    if blk.w is not None:
                        z *= blk.w[sl]
                    out += (float(z.sum()), float(fdot(z, dd)), float(fdot(z, dd * dd)))
            return out

        s0, s1, s2 = chunks.map_reduce(one, f"pass {chunks.passes + 1} (profile)")
        return float(s0), float(s1) / float(s0), float(s2) / float(s0)

    def score(eta: float) -> tuple[float, float]:
        k = math.exp(eta)
        s0, a, b = pass_at(k)
        sums.update(s0=s0, a=a, b=b, k=k)
        g = R / k - R * a
        h = -R / (k * k) - R * (b - a * a)
        return g * k, h * k * k + g * k

    if "shape" in fixed:
        k = fixed["shape"]
        s0, a, b = pass_at(k)
        sums.update(s0=s0, a=a, b=b, k=k)
        it, ok = 0, True
    else:
        if k0 is None or not (k0 > 0 and math.isfinite(k0)):
            sd = math.sqrt(max((M2 + W * (mean - m) ** 2) / W, 1e-300))
            k0 = math.pi / (math.sqrt(6) * sd) if sd > 0 else 1.0
        eta, it, ok = newton_1d(score, math.log(k0), tol=1e-9)
        k = math.exp(eta)
        if sums.get("k") != k:
            score(eta)
    s0, a, b = sums["s0"], sums["a"], sums["b"]
    log_lam = c + math.log(s0 / R) / k
    lam = math.exp(log_lam)
    delta = m - log_lam
    szu = R * (a + delta)
    szu2 = R * (b + 2 * delta * a + delta * delta)
    ll = R * math.log(k) - R * log_lam + (k - 1.0) * (L - R * log_lam) - R
    H = np.array([[-R / k**2 - szu2, k * szu / lam], [k * szu / lam, (k * R - k * (k + 1.0) * R) / lam**2]])
    method = "profile-newton" if "shape" not in fixed else "closed-form"
    return FastFit({"shape": k, "scale": lam}, method, it, ok, ll, H)


# ---------------------------------------------------------------------------- Gumbel
def gumbel_profile_chunks(chunks: Any, scan: Scan, fixed: dict[str, float],
                          beta0: float | None = None) -> FastFit | None:
    """The chunked twin of ``Gumbel._fast_fit`` (exact, untruncated data): ``loc`` is closed
    form given ``scale``; ``newton_1d`` on the profile in ``scale``, one pass per iteration."""
    if scan.wb is None or "loc" in fixed or "exact" not in scan.minmax:
        return None
    W, xbar, M2 = scan.wb.moments["x"]
    var = M2 / W
    if not var > 0:
        return None
    ymin = scan.minmax["exact"][0] - xbar
    acc: dict[str, float] = {}

    def sums(beta: float) -> tuple[float, float, float]:
        def one(d: Data) -> Any:
            out = np.zeros(3)
            b = d.exact
            for a in range(0, b.size, SUB_ROWS):
                sl = slice(a, a + SUB_ROWS)
                y = b.x[sl] - xbar
                e = np.exp(-(y - ymin) / beta)
                if b.w is not None:
                    e *= b.w[sl]
                out += (float(e.sum()), float(fdot(e, y)), float(fdot(e, y * y)))
            return out

        s, s1, s2 = chunks.map_reduce(one, f"pass {chunks.passes + 1} (profile)")
        return float(s), float(s1) / float(s), float(s2) / float(s)

    def score(eta: float) -> tuple[float, float]:
        beta = math.exp(eta)
        s, a1, a2 = sums(beta)
        acc.update(beta=beta, s=s, a1=a1, a2=a2)
        g = beta + a1
        dg = 1.0 + (a2 - a1 * a1) / beta**2
        return -g * beta * W / beta**2, -(dg * beta + g) * beta * W / beta**2

    if "scale" in fixed:
        beta = fixed["scale"]
        s, a1, a2 = sums(beta)
        acc.update(beta=beta, s=s, a1=a1, a2=a2)
        it, ok, method = 0, True, "closed-form"
    else:
        if beta0 is None or not (beta0 > 0 and math.isfinite(beta0)):
            beta0 = math.sqrt(6 * var) / math.pi
        eta, it, ok = newton_1d(score, math.log(beta0), tol=1e-9)
        beta = math.exp(eta)
        if acc.get("beta") != beta:
            score(eta)
        method = "profile-newton"
    s, a1, a2 = acc["s"], acc["a1"], acc["a2"]
    mu = xbar + ymin - beta * math.log(s / W)
    dlt = xbar - mu
    sz = W * dlt / beta
    sze = W * (a1 + dlt) / beta
    sz2e = W * (a2 + 2 * dlt * a1 + dlt * dlt) / beta**2
    ll = -sz - W - W * math.log(beta)
    H = np.array([[-W, -sze], [-sze, 2 * sze - 2 * sz - sz2e + W]]) / beta**2
    return FastFit({"loc": mu, "scale": beta}, method, it, ok, ll, H)
