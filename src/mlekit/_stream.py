"""Fitting data that do not fit in memory: ``mk.fit(mk.read_parquet(...), family)``.

The data are a sequence of chunks that can be read again (a file streamed in batches, a
query re-run, or chunks held by Dask workers). Everything is a sum over chunks, added in
chunk order, so the thread count never changes a bit of the answer:

pass 1 (scan)   counts, missing / non-numeric / out-of-support values, extremes, the family's
                sufficient statistics, and a compact summary: the distinct values with their
                counts for count data, else a log-spaced histogram (2^6 bins per octave)
then            closed form on the statistics (no further pass, or one for the Hessian); or
                count data: an exact in-memory fit of the distinct values and their counts; or
                Newton from the fit to the histogram (a start within ~1e-5 of the optimum),
                one pass per iteration (typically 2-3), with the core's own ``_newton_fit``.

Memory is bounded by the batch (row-group) size times the number of chunks in flight.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._data import Block, Data
from ._engine import _get_pool, add, get_threads
from ._families._base import Family, Stats, get_family
from ._fit import _check_param_dict, _finish, _finish_degenerate, _newton_fit, fit_family
from ._likelihood import chunk_terms, truncation_term
from ._result import Diagnostic, FitResult
from .errors import DataError, FamilyError, ParameterError

__all__ = ["fit_source", "fit_chunks", "data_from_columns", "StreamLikelihood", "Progress"]

SUB_ROWS = 1 << 16         # rows per derivative evaluation inside a batch
_HIST_BITS = 18            # sign, 11 exponent bits and 6 mantissa bits of a float64
_MAX_COUNT_VALUE = 1 << 20
_MAX_INTERVAL_SAMPLE = 1 << 16
_KINDS = ("exact", "left", "right", "interval")


# ---------------------------------------------------------------------------- progress
class Progress:
    """A minimal progress line on stderr, one per pass (shown in a terminal by default)."""

    def __init__(self, enabled: bool | None, total: int | None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else bool(enabled)
        self.total = total
        self.done = 0
        self.label = ""
        self._last = 0.0

    def start(self, label: str) -> None:
        self.label, self.done, self._t0 = label, 0, time.perf_counter()
        self._show(force=True)

    def update(self, rows: int) -> None:
        self.done += rows
        self._show()

    def finish(self) -> None:
        if self.enabled:
            self._show(force=True)
            sys.stderr.write("\n")
            sys.stderr.flush()

    def _show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        pct = f"{100 * self.done / self.total:5.1f}% " if self.total else ""
        sys.stderr.write(f"\rmlekit {self.label}: {pct}{self.done:,} rows "
                         f"{now - self._t0:6.1f}s")
        sys.stderr.flush()


# ---------------------------------------------------------------------------- batches
def data_from_columns(source: Any, cols: dict[str, Any], nan_policy: str, where: str = ""
                      ) -> Data:
    """An in-memory ``Data`` from a batch (or all rows) of a source's columns; rows with a
    missing or non-numeric value are dropped (``omit``) or reported (``raise``)."""
    d, miss, bad = batch_data(source, cols)
    if nan_policy == "raise" and (miss or bad):
        raise _missing_error(source, miss, bad, where)
    if d is None:
        raise DataError(f"no observations left in {where or source.describe()} after dropping "
                        f"{miss} missing and {bad} non-numeric values.")
    return d


def _missing_error(source: Any, miss: int, bad: int, where: str) -> DataError:
    col = source.roles["column"] or f"{source.roles['lower']}/{source.roles['upper']}"
    parts = ([f"{miss} missing"] if miss else []) + ([f"{bad} non-numeric"] if bad else [])
    return DataError(
        f"column {col!r} must hold numbers; got {' and '.join(parts)} values (first in "
        f"{where}). Hint: pass nan_policy='omit' to drop those rows (the count is reported).")


def batch_data(source: Any, b: dict[str, Any]) -> tuple[Data | None, int, int]:
    """``(Data or None when no rows are left, rows dropped as missing, of which non-numeric)``."""
    r = source.roles
    bad = int(b.get("_nonnumeric", 0))
    w = b[r["weights"]] if r["weights"] else None
    t = b[r["trials"]] if r["trials"] else None
    trunc = source.truncation
    if r["column"] is not None and r["observed"] is None and w is None and t is None \
            and trunc is None:
        x = b[r["column"]]
        if x.size == 0:
            return None, 0, bad
        mn, mx = x.min(), x.max()
        if math.isfinite(mn) and math.isfinite(mx):       # no NaN, no inf: skip re-validation
            d = Data.__new__(Data)
            d.name, d.n_dropped, d._all_exact = r["column"], 0, True
            d.exact = Block(np.ascontiguousarray(x, dtype=np.float64))
            d.left = d.right = d.interval_block = Block(np.empty(0))
            d.truncation, d._has_weights, d._has_trials = None, False, False
            d._minmax = (float(mn), float(mx))  # type: ignore[attr-defined]
            return d, 0, bad
    n = len(b[r["column"] or r["lower"]])
    keep = np.ones(n, dtype=bool)
    for key in ("observed", "weights", "trials"):
        if r[key]:
            keep &= ~np.isnan(b[r[key]])
    if r["column"]:
        keep &= ~np.isnan(b[r["column"]])
    else:
        keep &= ~(np.isnan(b[r["lower"]]) & np.isnan(b[r["upper"]]))
    miss = int(n - keep.sum())
    if not keep.any():
        return None, miss, bad

    def col(key: str) -> Any:
        return None if not r[key] else (b[r[key]] if keep.all() else b[r[key]][keep])

    if r["column"]:
        d = Data(col("column"), observed=col("observed"), censoring=source.censoring,
                 weights=col("weights"), trials=col("trials"), truncation=trunc,
                 name=r["column"])
    else:
        d = Data.interval(col("lower"), col("upper"), weights=col("weights"),
                          trials=col("trials"), truncation=trunc)
    if d.has_weights and not any(blk.size and (blk.w > 0).any() for blk in d.blocks.values()):
        return None, miss, bad
    return d, miss, bad


# ---------------------------------------------------------------------------- chunks
class SourceChunks:
    """A source as a re-readable sequence of ``Data`` chunks."""

    def __init__(self, source: Any, progress: Progress) -> None:
        self.source = source
        self.progress = progress
        self.passes = 0

    def map_reduce(self, fn: Callable[[Data], Any], label: str,
                   on_batch: Callable[[Any, int, int, str], Any] | None = None) -> Any:
        """``fn(chunk0) + fn(chunk1) + ...`` in chunk order. ``on_batch(data, missing,
        non-numeric, where)`` sees every batch first (pass 1 uses it to count)."""
        src = self.source
        self.passes += 1
        self.progress.start(label)
        threads = get_threads()

        def do_batch(b: dict[str, Any]) -> Any:
            with np.errstate(all="ignore"):
                try:
                    d, miss, bad = batch_data(src, b)
                except DataError as exc:
                    raise DataError(f"in {b.get('_where') or src.describe()}: {exc}") from None
                if on_batch is not None:
                    extra = on_batch(d, miss, bad, b.get("_where", ""))
                    return extra if d is None else add(extra, fn(d))
                return None if d is None else fn(d)

        def do_unit(u: Any) -> tuple[Any, int]:
            total, rows = None, 0
            for b in src.read_unit(u):
                part = do_batch(b)
                rows += len(next(iter(v for k, v in b.items() if not k.startswith("_"))))
                total = part if total is None else (total if part is None else add(total, part))
            return total, rows

        def rows_of(b: dict[str, Any]) -> int:
            return len(next(iter(v for k, v in b.items() if not k.startswith("_"))))

        if src.parallel_units():
            items: Iterable[Any] = src.units()
            work: Callable[[Any], tuple[Any, int]] = do_unit
        else:
            items = src.iter_batches()

            def work(b: Any) -> tuple[Any, int]:
                return do_batch(b), rows_of(b)

        total = None
        for part, rows in _ordered(work, items, threads):
            self.progress.update(rows)
            if part is not None:
                total = part if total is None else add(total, part)
        self.progress.finish()
        return total


def _ordered(work: Callable[[Any], Any], items: Iterable[Any], threads: int) -> Iterable[Any]:
    """``work(item)`` for each item, in order, with at most ``threads + 1`` in flight."""
    if threads <= 1:
        for it in items:
            yield work(it)
        return
    pool = _get_pool()
    window: deque[Any] = deque()
    for it in items:
        window.append(pool.submit(work, it))
        if len(window) > threads:
            yield window.popleft().result()
    while window:
        yield window.popleft().result()


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
    if want["values"]:
        b = d.exact
        if b.size:
            if b.trials is None and float(b.x.max()) < _MAX_COUNT_VALUE:
                s.values = np.bincount(b.x.astype(np.intp), weights=b.w).astype(float)
            else:
                s.values_ok = False
    return s


# ---------------------------------------------------------------------------- likelihood
class StreamLikelihood:
    """``Likelihood``'s interface over chunked data: each evaluation is one pass. An
    evaluation always computes the gradient and Hessian and remembers the last point, so the
    core Newton's line-search probe and its next full evaluation cost one pass together."""

    def __init__(self, fam: Family, chunks: Any, fixed: dict[str, float],
                 truncation: tuple[float, float] | None, n_obs: float) -> None:
        self.family = fam
        self.chunks_src = chunks
        self.fixed = dict(fixed)
        self.names = fam.param_names
        self.k = len(self.names)
        self.free = [i for i, p in enumerate(self.names) if p not in self.fixed]
        self.free_names = [self.names[i] for i in self.free]
        self.truncation = truncation
        self.n_obs = n_obs
        self.flags: set[str] = set()
        self.evaluations = 0
        self._last: tuple[Any, Any] | None = None

    def theta(self, free_values: Any) -> tuple[float, ...]:
        vals = dict(self.fixed)
        for i, v in zip(self.free, free_values):
            vals[self.names[i]] = float(v)
        return tuple(vals[p] for p in self.names)

    def loglik(self, th: tuple[float, ...]) -> float:
        return self.evaluate(th, 0)[0]

    def evaluate(self, th: tuple[float, ...], order: int = 2) -> tuple[float, Any, Any]:
        th = tuple(float(v) for v in th)
        if self._last is not None and self._last[0] == th:
            return self._last[1]
        fam, k, free, flags = self.family, self.k, self.free, self.flags

        def one(chunk: Data) -> Any:
            total = None
            for piece in chunk.chunks(SUB_ROWS):     # cache-sized: bounded temporaries
                part = chunk_terms(fam, piece, th, 2, free, k, flags)
                total = part if total is None else add(total, part)
            return total

        self.evaluations += 1
        with np.errstate(all="ignore"):
            ll, g, H = self.chunks_src.map_reduce(one, f"pass {self.chunks_src.passes + 1}")
            if self.truncation is not None:
                tl, tg, tH = truncation_term(fam, self.truncation, th, 2, free, k)
                W = self.n_obs
                ll, g, H = ll - W * tl, g - W * tg, H - W * tH
        ll = float(ll) if math.isfinite(ll) or ll == math.inf else -math.inf
        out = (ll, g, H)
        self._last = (th, out)
        return out


class _Summary:
    """What ``_fit._finish`` needs to know about the data."""

    def __init__(self, scan: Scan, truncation: Any) -> None:
        self.n_obs = scan.n_obs
        self.only_exact = all(scan.counts[k] == 0 for k in ("left", "right", "interval"))
        self.truncation = truncation


# ---------------------------------------------------------------------------- the fit
def fit_source(source: Any, family: Any, *, data: Any = None, fixed: dict[str, float] | None = None,
               start: dict[str, float] | None = None, weights: Any = None,
               nan_policy: str = "raise", strict: bool = False, cov: str = "observed",
               maxiter: int = 200, backend: str | None = None, progress: bool | None = None,
               **extra: Any) -> FitResult:
    """Fit ``family`` to a source from :func:`mlekit.read_parquet` / ``read_csv`` / ``sql``,
    streaming it in batches (``backend="dask"``: on a Dask cluster)."""
    if backend == "dask":
        from ._dask import fit_dask

        return fit_dask(source, family, data=data, fixed=fixed, start=start, weights=weights,
                        nan_policy=nan_policy, strict=strict, cov=cov, maxiter=maxiter, **extra)
    if extra:
        raise ParameterError(f"fit() got unexpected arguments: {', '.join(extra)}.")
    if backend not in (None, "numpy"):
        raise ParameterError(f"backend must be 'numpy' or 'dask'; got {backend!r}.")
    if data is not None or weights is not None:
        raise ParameterError("with a file or SQL source, weights come from a column: "
                             "read_parquet(..., weights='w'); data= and weights= are not used.")
    if family is None:
        raise ParameterError("fit needs a family, e.g. mk.fit(source, 'gamma'); got none.")
    if nan_policy not in ("raise", "omit"):
        raise DataError(f"nan_policy must be 'raise' or 'omit'; got {nan_policy!r}.")
    fam = get_family(family)
    prog = Progress(progress, source.n_rows)
    chunks = SourceChunks(source, prog)
    return fit_chunks(fam, chunks, source, fixed=fixed, start=start, strict=strict, cov=cov,
                      maxiter=maxiter, nan_policy=nan_policy, where=source.describe())


def fit_chunks(fam: Family, chunks: Any, source: Any, *, fixed: dict[str, float] | None,
               start: dict[str, float] | None, strict: bool, cov: str, maxiter: int,
               nan_policy: str, where: str, start_points: str = "histogram") -> FitResult:
    """The fit over re-readable chunks (a streamed source or Dask chunks).

    ``start_points``: ``"histogram"`` starts Newton from a fit to the pass-1 histogram (fewest
    passes); ``"sample"`` takes the same subsample as the in-memory fit (one extra cheap map
    over chunks held in memory) so the iterations match the NumPy path step by step."""
    fixed_d = _check_param_dict(fam, fixed, "fixed")
    start_d = _check_param_dict(fam, start, "start")
    if cov not in ("observed", "sandwich"):
        raise ParameterError(f"cov must be 'observed' or 'sandwich'; got {cov!r}.")
    trunc = _trunc(source)
    has_stats = type(fam)._suffstats is not Family._suffstats
    closed_candidate = has_stats and trunc is None and not source.censored
    want = {"stats": has_stats and trunc is None,
            "values": fam.discrete and source.roles["trials"] is None,
            "hist": not closed_candidate and start_points == "histogram"}
    if hasattr(fam, "_fit_exact") and not fam.discrete:
        raise ParameterError(f"{type(fam).__name__} is fitted from order statistics (a median), "
                             "which a streamed pass cannot give exactly. Hint: load the column "
                             "with source.to_data() and fit that.")
    scan: Scan = chunks.map_reduce(
        lambda d: Scan(), "pass 1 (scan)",
        on_batch=lambda d, miss, bad, w: scan_chunk(fam, d, miss, bad, w, fixed_d, want))
    if scan is None or scan.n_obs == 0:
        raise DataError(f"{where} holds no observations"
                        + (f" (dropped {scan.missing} missing values)" if scan and scan.missing else "")
                        + ".")
    if scan.missing and nan_policy == "raise":
        raise _missing_error(source, scan.missing - scan.nonnumeric, scan.nonnumeric,
                             scan.first_bad)
    if scan.outside:
        raise DataError(f"{type(fam).__name__} requires values in {fam.support.describe()}; got "
                        f"{scan.outside} values outside (first in {scan.outside_first})."
                        + fam._support_hint())
    if scan.check_error:
        raise DataError(scan.check_error)
    notes = [f"streamed from {where}: {scan.rows:,} rows"]
    if scan.missing:
        notes.append(f"{scan.missing:,} rows dropped ({scan.missing - scan.nonnumeric:,} missing, "
                     f"{scan.nonnumeric:,} non-numeric)")
    summ = _Summary(scan, trunc)
    free = [p for p in fam.param_names if p not in fixed_d]
    if scan.n_obs < len(free):
        raise DataError(f"{type(fam).__name__} has {len(free)} free parameters; got only "
                        f"{scan.n_obs:g} observations.")
    if scan.counts["exact"] + scan.counts["interval"] == 0 and (
            scan.counts["left"] == 0 or scan.counts["right"] == 0):
        raise DataError("at least one observation must be exact or bounded on both sides; got "
                        "every value censored on the same side, which leaves the likelihood "
                        "unbounded.")

    def done(res: FitResult) -> FitResult:
        diags = (*res.diagnostics, Diagnostic("source", "; ".join(notes), "info"))
        return dataclasses.replace(res, diagnostics=diags,
                                   options={**res.options, "passes": chunks.passes,
                                            "rows": scan.rows, "dropped": scan.missing,
                                            "nonnumeric": scan.nonnumeric})

    # --- count data: the distinct values and their counts are the whole data
    if want["values"] and scan.values_ok and scan.values is not None and summ.only_exact:
        vals = np.flatnonzero(scan.values)
        d = Data(vals.astype(float), weights=scan.values[vals], truncation=trunc)
        res = fit_family(fam, d, fixed=fixed_d, start=start_d, strict=strict, cov=cov,
                         maxiter=maxiter)
        notes.append(f"fitted exactly on its {vals.size} distinct values")
        return done(res)
    # --- degenerate: all exact values equal
    if free and not fixed_d and summ.only_exact and not fam.discrete:
        lo, hi = scan.minmax["exact"]
        if lo == hi:
            deg = fam._degenerate(lo)
            if deg is not None:
                return done(_finish_degenerate(fam, Data([lo]), deg, strict))
    nonreg: dict[str, float] = {}
    for p in getattr(fam, "nonregular", ()):
        if p not in fixed_d:
            nonreg[p] = fam._nonregular_estimate(_extremes_data(scan), fixed_d)[p]
    inner = {**fixed_d, **nonreg}
    lik = StreamLikelihood(fam, chunks, inner, trunc, scan.n_obs)
    can_closed = getattr(fam, "_can_closed_form", None)
    closed_ok = (can_closed(summ_stub(scan, trunc)) if can_closed else
                 (summ.only_exact and trunc is None))
    params = None
    H = None
    ll = math.nan
    method, iters, grad, conv, diags = "", 0, 0.0, True, []
    if closed_ok and scan.stats is not None:
        params = fam._closed_form(scan.stats, inner)
        if params is not None:
            method = "closed-form"
            if hasattr(fam, "_stats_loglik"):
                ll = fam._stats_loglik(scan.stats, params)
            if hasattr(fam, "_stats_hessian"):
                H = np.asarray(fam._stats_hessian(scan.stats, params), dtype=float)
    if params is not None:
        th = tuple(params[p] for p in fam.param_names)
        if H is None or not math.isfinite(ll):
            ll_e, g_e, H = lik.evaluate(th, 2)
            ll = ll if math.isfinite(ll) else ll_e
            grad = float(np.max(np.abs(g_e[lik.free]))) if lik.free else 0.0
    elif start_points == "sample":
        sample = _sample_points(chunks, scan)
        params, ll, H, method, iters, grad, conv, diags = _newton_fit(
            fam, lik, sample, start_d, inner, maxiter)  # type: ignore[arg-type]
    else:
        summary = _summary_data(scan, trunc)
        s0 = _start_from_summary(fam, summary, fixed_d, start_d, maxiter)
        for p in nonreg:
            s0.pop(p, None)
        params, ll, H, method, iters, grad, conv, diags = _newton_fit(
            fam, lik, summary, {**s0}, inner, maxiter)  # type: ignore[arg-type]
        notes.append(f"Newton started from a fit to a {_summary_size(summary)}-point summary")
    res = _finish(fam, summ, lik, params, ll, H, method, iters, grad, conv, fixed_d,  # type: ignore[arg-type]
                  nonreg, list(diags), strict, "observed")
    res = dataclasses.replace(res, data=None)
    if cov == "sandwich" and lik.free:
        res = _sandwich(res, fam, chunks, inner, trunc)
    return done(res)


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


def _trunc(source: Any) -> tuple[float, float] | None:
    t = source.truncation
    if t is None:
        return None
    a, b = t
    a = -math.inf if a is None else float(a)
    b = math.inf if b is None else float(b)
    if not a < b:
        raise DataError(f"truncation needs lower < upper; got ({a}, {b}).")
    return None if (a == -math.inf and b == math.inf) else (a, b)


def _extremes_data(scan: Scan) -> Data:
    """A tiny ``Data`` holding each kind's extremes (enough for sample-extreme estimates)."""
    d = Data.__new__(Data)
    d.__dict__.update(Data([0.0]).__dict__)
    for kind in _KINDS:
        mm = scan.minmax.get(kind)
        x = np.array(mm, dtype=float) if mm else np.empty(0)
        blk = Block(x, hi=(x.copy() if kind == "interval" else None))
        setattr(d, "interval_block" if kind == "interval" else kind, blk)
    return d


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
    from ._fit import _START_SAMPLE

    sizes_l = chunks.map_list(lambda d, _: [b.size for b in d.blocks.values()])
    sizes = np.array([s if s is not None else [0, 0, 0, 0] for s in sizes_l], dtype=np.int64)
    total = int(sizes.sum())
    step = total // _START_SAMPLE if total > _START_SAMPLE else 1
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


def _sandwich(res: FitResult, fam: Family, chunks: Any, inner: dict[str, float],
              trunc: Any) -> FitResult:
    from ._likelihood import Likelihood
    from ._sandwich import score_outer

    names = fam.param_names
    idx = [i for i, p in enumerate(names) if p not in inner]
    th = tuple(res.params[p] for p in names)
    if not np.all(np.isfinite(res.cov[np.ix_(idx, idx)])):
        return res

    def one(d: Data) -> Any:
        return score_outer(Likelihood(fam, d, inner), th, idx)

    B = chunks.map_reduce(one, "pass (sandwich)")
    A = res.cov[np.ix_(idx, idx)]
    cov = np.zeros_like(res.cov)
    cov[np.ix_(idx, idx)] = A @ B @ A
    se = {p: (0.0 if p in res.fixed else float(math.sqrt(cov[i, i])) if cov[i, i] >= 0
              else math.nan) for i, p in enumerate(names)}
    for p in inner:
        if p not in res.fixed:
            se[p] = math.nan
    return dataclasses.replace(res, cov=cov, se=se, cov_type="sandwich")
