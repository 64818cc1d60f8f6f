"""Pass 1 of a chunked fit (a streamed source or Dask chunks): what one read of every chunk
learns — counts, missing / out-of-support values, extremes, sufficient statistics and a
compact summary — plus the summaries' uses: start values, the in-memory subsample, and the
chunked twin of Weibull's profile fast path."""

from __future__ import annotations

import math
import warnings
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from .._data.data import Block, Data
from .._families.base import Family
from .._families.profiles import Profile
from .._families.stats import FastFit, Stats
from .._fit.family_fit import fit_family
from ..errors import DataError, FamilyError

__all__ = ["Scan", "scan_chunk", "concat_data", "profile_chunks", "profile_moments",
           "scan_extremes"]

_HIST_BITS = 18            # sign, 11 exponent bits and 6 mantissa bits of a float64
_MAX_COUNT_VALUE = 1 << 20
_MAX_INTERVAL_SAMPLE = 1 << 16
_KINDS = ("exact", "left", "right", "interval")
SUB_ROWS = 1 << 16         # rows per vectorised evaluation inside a chunk
_HIST_ROWS = 1 << 17       # a start-only histogram takes every s-th row, s = rows // this


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
        self.prof: Stats | None = None      # the family's profile statistics (profiles.py)
        self.mom: _MaxLast | None = None    # profile moments at a pilot's (k, c), if asked

    def __add__(self, o: Scan) -> Scan:
        s = Scan()
        s.rows, s.missing, s.nonnumeric = (self.rows + o.rows, self.missing + o.missing,
                                           self.nonnumeric + o.nonnumeric)
        s.first_bad = self.first_bad or o.first_bad
        s.counts = {k: self.counts[k] + o.counts[k] for k in _KINDS}
        for k in set(self.minmax) | set(o.minmax):
            mm = [m for m in (self.minmax.get(k), o.minmax.get(k)) if m is not None]
            s.minmax[k] = (min(m[0] for m in mm), max(m[1] for m in mm))
        s.outside = self.outside + o.outside
        s.outside_first = self.outside_first or o.outside_first
        s.check_error = self.check_error or o.check_error
        s.stats = o.stats if self.stats is None else self.stats if o.stats is None \
            else self.stats + o.stats
        s.values_ok = self.values_ok and o.values_ok
        if s.values_ok and (self.values is not None or o.values is not None):
            va = self.values if self.values is not None else np.zeros(0)
            vb = o.values if o.values is not None else np.zeros(0)
            if va.size < vb.size:
                va, vb = vb, va
            v = va.copy()
            v[:vb.size] += vb
            s.values = v
        for k in set(self.hist) | set(o.hist):
            hs = [h for h in (self.hist.get(k), o.hist.get(k)) if h is not None]
            s.hist[k] = hs[0] if len(hs) == 1 else (hs[0][0] + hs[1][0], hs[0][1] + hs[1][1])
        s.intervals = self.intervals + o.intervals
        s.interval_stride = max(self.interval_stride, o.interval_stride)
        s._thin()
        s.has_weights = self.has_weights or o.has_weights
        s.prof = o.prof if self.prof is None else self.prof if o.prof is None else self.prof + o.prof
        s.mom = o.mom if self.mom is None else self.mom if o.mom is None else self.mom + o.mom
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
            st = max(1, blk.size // _HIST_ROWS) if want.get("hist_stride") else 1
            s.hist[kind] = _hist(blk.x[::st], None if blk.w is None else blk.w[::st])
        if kind == "interval" and want["hist"]:
            s.intervals.append((blk.x, blk.hi, blk.w if blk.w is not None else np.ones(blk.size)))
            s._thin()
    if s.outside:
        return s
    if known is None or type(fam)._overrides("_check_data"):
        try:
            fam._check_data(d, fixed)
        except (DataError, FamilyError) as exc:
            s.check_error = f"{where}: {exc}"
            return s
    if want["stats"]:
        s.stats = fam._suffstats(d)
    if want.get("profile") and fam.profile is not None:
        s.prof = fam.profile.scan(d)
        if want.get("moments_at"):
            at = cast("tuple[float, float]", want["moments_at"])
            s.mom = profile_moments(fam.profile, d, float(at[0]), float(at[1]))
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
    d.exact, d.left, d.right, d.interval_block = (  # type: ignore[attr-defined]  # _D: a bare stand-in with Data's attributes
        _B(scan.counts["exact"]), _B(scan.counts["left"]), _B(scan.counts["right"]),
        _B(scan.counts["interval"]))
    d.truncation = trunc  # type: ignore[attr-defined]  # _D: a bare stand-in with Data's attributes
    d.is_truncated = trunc is not None  # type: ignore[attr-defined]  # _D: a bare stand-in with Data's attributes
    d.row_truncated = False  # type: ignore[attr-defined]  # _D: a bare stand-in with Data's attributes
    return d


def scan_extremes(scan: Scan) -> Any:
    """``ext(kind, "min"|"max")`` from pass 1 (for ``Family._nonregular_from_extremes``)."""
    def ext(kind: str, which: str) -> float:
        mm = scan.minmax.get(kind)
        return math.nan if mm is None else mm[0 if which == "min" else 1]
    return ext


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
                lo, hi = blk.x[sl], blk.hi[sl]  # type: ignore[index]  # interval blocks always carry hi
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

        def cat(name: str, blks: list[Any] = blks, fill: float = 1.0) -> Any:
            vals = [getattr(b, name) for b in blks]
            if all(v is None for v in vals):
                return None
            return np.concatenate([v if v is not None else np.full(b.size, fill)
                                   for v, b in zip(vals, blks)])

        # per-row truncation windows ride along (a chunk without any: the whole line)
        new[kind] = Block(cat("x"), cat("w"), hi=cat("hi"), trials=cat("trials"),
                          tlo=cat("tlo", fill=-np.inf), thi=cat("thi", fill=np.inf))
    return datas[0].replace(n_dropped=sum(d.n_dropped for d in datas), **new)


# ---------------------------------------------------------------------------- profile
TAYLOR_TERMS = 9          # moments S_0..S_8 per pass: S_0..S_2 by Taylor series near that k
_TAYLOR_RTOL = 1e-15      # largest relative remainder of a Taylor-evaluated sum


class _Moments:
    """``S_j = sum w exp(k v) v^j`` for ``j = 0..8`` at one ``k`` (one pass over the chunks),
    and ``S_0..S_2`` at nearby ``k + e`` from their Taylor series in ``e``:

        S_j(k + e) = sum_m e^m / m! S_{j+m}(k),

    truncated after ``S_8``. Every term of ``S_m`` has the sign of ``(-1)^m`` (``v <= 0``),
    so ``|S_8|`` bounds the remainder: ``|R_j| <= |e|^(9-j) / (9-j)! |S_8| exp(max(0, -e)
    |v_min|)``. A value is used only when that bound is below 1e-15 of the sum; otherwise
    the caller makes a pass at ``k + e``."""

    def __init__(self, k: float, S: NDArray[np.float64], vmin: float) -> None:
        self.k, self.S, self.vmin = k, S, vmin

    def at(self, k: float) -> tuple[float, float, float] | None:
        e = k - self.k
        if e == 0.0:
            return float(self.S[0]), float(self.S[1]), float(self.S[2])
        S, N = self.S, TAYLOR_TERMS - 1
        grow = math.exp(max(0.0, -e) * abs(self.vmin)) if math.isfinite(self.vmin) else math.inf
        out = []
        for j in range(3):
            terms = N - j                   # e^0 .. e^(terms-1) from S_j .. S_(N-1)
            val, c = 0.0, 1.0
            for m in range(terms):
                val += c * S[j + m]
                c *= e / (m + 1)
            bound = abs(c) * abs(S[N]) * grow  # c = e^terms / terms!
            if not (math.isfinite(val) and bound <= _TAYLOR_RTOL * abs(val)):
                return None
            out.append(val)
        return out[0], out[1], out[2]


def profile_moments(prof: Profile, d: Data, k: float, c: float) -> _MaxLast:
    """One chunk's ``S_0..S_8`` at ``(k, c)`` (``v = u - c``) and the extremes of ``v``."""
    out = np.zeros(TAYLOR_TERMS + 2)            # S_0..S_8, -min v, max v
    out[TAYLOR_TERMS] = out[TAYLOR_TERMS + 1] = -math.inf
    for kind in prof.kinds:
        blk = d.blocks[kind]
        if not blk.size:
            continue
        u = prof._u(blk)
        for a in range(0, blk.size, SUB_ROWS):
            sl = slice(a, a + SUB_ROWS)
            v = u[sl] - c
            z = np.exp(k * v)
            if blk.w is not None:
                z *= blk.w[sl]
            out[0] += float(z.sum())
            for j in range(1, TAYLOR_TERMS):
                z *= v
                out[j] += float(z.sum())
            out[TAYLOR_TERMS] = max(out[TAYLOR_TERMS], -float(v.min()))
            out[TAYLOR_TERMS + 1] = max(out[TAYLOR_TERMS + 1], float(v.max()))
    return _MaxLast(out)


def _shifted(k: float, c0: float, mom: _MaxLast, c: float) -> _Moments | None:
    """Moments taken with ``v = u - c0`` as moments about ``c >= max u`` (every ``v <= 0``
    again, so the Taylor bound holds): ``(v + D)^j`` expanded, ``D = c0 - c``."""
    a = mom.a
    S0, vmin = a[:TAYLOR_TERMS], -a[TAYLOR_TERMS]
    D = c0 - c
    if not (np.all(np.isfinite(S0)) and math.isfinite(vmin) and D <= 0
            and a[-1] + D <= 1e-12 * max(1.0, abs(c))):
        return None
    scale = math.exp(k * D)
    S = np.array([scale * sum(math.comb(j, i) * D ** (j - i) * S0[i] for i in range(j + 1))
                  for j in range(TAYLOR_TERMS)])
    return _Moments(k, S, vmin + D) if np.all(np.isfinite(S)) and S[0] > 0 else None


def profile_chunks(prof: Profile, chunks: Any, st: Stats, fixed: dict[str, float],
                   k0: float | None = None,
                   pilot: tuple[float, float, _MaxLast] | None = None) -> FastFit | None:
    """A family's profile fit (:mod:`mlekit._families.profiles`) over chunks: the same
    start and Newton as in memory. Each pass collects the moments ``S_0..S_8`` at the
    current ``k`` (:class:`_Moments`); the Newton iterations that stay near that ``k`` take
    their three sums from the moments' Taylor series without reading the data again, so a
    start from the histogram fit (``k0``, within ~1e-4) converges in one pass. ``st``: the
    profile statistics from pass 1; ``pilot``: ``(k, c, moments)`` that pass 1 collected at
    the shape of a fit to the first chunk (then usually no further pass at all)."""
    memo: list[_Moments] = []
    if pilot is not None:
        first = _shifted(pilot[0], pilot[1], pilot[2], Profile.summary(st)[2])
        if first is not None:
            memo.append(first)

    def sums(k: float, c: float) -> tuple[float, float, float]:
        for m in memo:
            got = m.at(k)
            if got is not None:
                return got
        tot = chunks.map_reduce(lambda d: profile_moments(prof, d, k, c),
                                f"pass {chunks.passes + 1} (profile)")
        m = _Moments(k, tot.a[:TAYLOR_TERMS], -tot.a[TAYLOR_TERMS])
        memo.insert(0, m)
        got = m.at(k)
        assert got is not None
        return got

    return prof.fit(None, fixed, sums=sums, st=st, k0=k0)  # type: ignore[arg-type]  # data=None: the profile reads the sums instead


class _MaxLast:
    """Moment sums followed by two maxima (``-min v``, ``max v``): adds the sums, keeps the
    maxima."""

    def __init__(self, a: NDArray[np.float64]) -> None:
        self.a = a

    def __add__(self, o: _MaxLast) -> _MaxLast:
        out = self.a + o.a
        out[-2:] = np.maximum(self.a[-2:], o.a[-2:])
        return _MaxLast(out)
