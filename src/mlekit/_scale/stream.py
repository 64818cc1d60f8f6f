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
                one pass per iteration (typically 2-3), with the core's own ``_newton_fit``;
                or a profile family (Weibull, Gumbel): the profile Newton on moments that
                pass 1 collected at a pilot fit's shape (``scan.profile_chunks``), usually
                with no further pass.

Memory is bounded by the batch (row-group) size times the number of chunks in flight.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, cast

import numpy as np

from .._core.checks import check_param_dict
from .._core.engine import add, get_pool, get_threads
from .._data.columns import batch_data, missing_error
from .._data.data import Data
from .._families.base import Family, get_family
from .._fit.assemble import Estimate, finish, finish_degenerate
from .._fit.family_fit import FamilyRefit, check_counts, fit_family
from .._fit.likelihood import FreeParams, chunk_terms, truncation_term
from .._fit.newton import newton_fit
from .._fit.penalty import PenalisedLikelihood, Penalty
from .._fit.rescale import exponent_of, map_back, scaled_inputs
from .._fit.result import Diagnostic, FitResult
from ..errors import DataError, FamilyError, ParameterError
from .scaled import ScaledChunks, ScaledSource
from .scan import (
    SUB_ROWS,
    Scan,
    _sample_points,
    _start_from_summary,
    _summary_data,
    _summary_size,
    concat_data,
    profile_chunks,
    scan_chunk,
    scan_extremes,
    summ_stub,
)

__all__ = ["fit_source", "fit_chunks", "StreamLikelihood", "Progress"]

_IN_MEMORY_ROWS = 1 << 20  # at most this many rows: fitted in memory by the core's fit_family


# ---------------------------------------------------------------------------- progress
class Progress:
    """One :class:`mlekit._core.progress.Progress` bar per pass (rows, or chunks when the row count
    is not known in advance). ``quiet``: ``None`` draws only on a terminal (after 0.5 s)."""

    def __init__(self, quiet: bool | None, total: int | None) -> None:
        self.quiet = quiet
        self.total = total
        self._bar: Any = None

    def start(self, label: str) -> None:
        from .._core.progress import Progress as Bar

        self.finish()
        self._bar = Bar(self.total or 0, f"mlekit {label}", quiet=self.quiet)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# ---------------------------------------------------------------------------- chunks
class SourceChunks:
    """A source as a re-readable sequence of ``Data`` chunks."""

    def __init__(self, source: Any, progress: Progress) -> None:
        self.source = source
        self.progress = progress
        self.passes = 0

    def collect(self) -> list[Data]:
        """Every batch as ``Data``, in order (only done for small data)."""
        out = []
        for b in self.source.iter_batches():
            d, _, _ = batch_data(self.source, b)
            if d is not None:
                out.append(d)
        return out

    def map_list(self, fn: Callable[[Data, Any], Any], args: list[Any] | None = None
                 ) -> list[Any]:
        """``[fn(batch_i, args[i]) ...]`` over every batch, in order (None for empty ones)."""
        out = []
        for i, b in enumerate(self.source.iter_batches()):
            d, _, _ = batch_data(self.source, b)
            out.append(None if d is None else fn(d, None if args is None else args[i]))
        return out

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
    pool = get_pool()
    window: deque[Any] = deque()
    for it in items:
        window.append(pool.submit(work, it))
        if len(window) > threads:
            yield window.popleft().result()
    while window:
        yield window.popleft().result()


# ---------------------------------------------------------------------------- likelihood
class StreamLikelihood(FreeParams):
    """``Likelihood``'s interface over chunked data: each evaluation is one pass. An
    evaluation always computes the gradient and Hessian and remembers the last point, so the
    core Newton's line-search probe and its next full evaluation cost one pass together."""

    def __init__(self, fam: Family, chunks: Any, fixed: dict[str, float],
                 truncation: tuple[float, float] | None, n_obs: float) -> None:
        super().__init__(fam.param_names, fixed)
        self.family = fam
        self.chunks_src = chunks
        self.truncation = truncation
        self.n_obs = n_obs
        self.evaluations = 0
        self._last: tuple[Any, Any] | None = None

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

    def __init__(self, scan: Scan, truncation: Any, row_truncated: bool = False) -> None:
        self.n_obs = scan.n_obs
        self.only_exact = all(scan.counts[k] == 0 for k in ("left", "right", "interval"))
        self.truncation = truncation
        self.is_truncated = truncation is not None or row_truncated
        self.row_truncated = row_truncated      # entry= / truncation columns of the source


# ---------------------------------------------------------------------------- the fit
def fit_source(source: Any, family: Any, *, fixed: dict[str, float] | None = None,
               start: dict[str, float] | None = None, nan_policy: str = "raise",
               strict: bool = False, cov: str = "observed", maxiter: int = 200,
               quiet: bool | None = None, progress: bool | None = None,
               penalty: Penalty | None = None) -> FitResult:
    """Fit ``family`` to a source from :func:`mlekit.read_parquet` / ``read_csv`` / ``sql``,
    streaming it in batches (the router has checked the options). ``quiet``: ``None``
    shows a progress bar per pass in a terminal, ``True`` never, ``False`` always
    (``progress=True`` is the same as ``quiet=False``)."""
    if quiet is None and progress is not None:
        quiet = not progress
    fam = get_family(family)
    prog = Progress(quiet, source.n_rows)
    chunks = SourceChunks(source, prog)
    return fit_chunks(fam, chunks, source, fixed=fixed, start=start, strict=strict, cov=cov,
                      maxiter=maxiter, nan_policy=nan_policy, where=source.describe(),
                      penalty=penalty)


def fit_chunks(fam: Family, chunks: Any, source: Any, *, fixed: dict[str, float] | None,
               start: dict[str, float] | None, strict: bool, cov: str, maxiter: int,
               nan_policy: str, where: str, start_points: str = "histogram",
               penalty: Penalty | None = None) -> FitResult:
    """The fit over re-readable chunks (a streamed source or Dask chunks).

    ``penalty``: a prior (MAP) or a custom log-penalty, which does not depend on the data, added
    to every pass's log-likelihood (Firth's penalty needs the information of all the data at
    every step and is refused unless the data are small enough to be fitted in memory).

    ``start_points``: ``"histogram"`` starts Newton from a fit to the pass-1 histogram (fewest
    passes); ``"sample"`` takes the same subsample as the in-memory fit (one extra cheap map
    over chunks held in memory) so the iterations match the NumPy path step by step."""
    fixed_d = check_param_dict(fam, fixed, "fixed")
    start_d = check_param_dict(fam, start, "start")
    if penalty is not None:
        penalty.check_names(fam.param_names, fixed_d)
    refit = FamilyRefit(fam, maxiter=maxiter, penalty=penalty)
    trunc = _trunc(source)
    # per-row windows (entry= or truncation columns): every row adds its own -log P(window),
    # which no sufficient statistic, count table or profile sum carries: the chunked Newton
    rowwise = bool(getattr(source, "row_windows", False))
    if rowwise:
        # the summary's histogram cannot carry the windows: start from the in-memory fit's own
        # subsample (one cheap pass), so Newton follows the in-memory iterations step by step
        start_points = "sample"
    plain = trunc is None and not rowwise
    has_stats = type(fam)._overrides("_suffstats")
    closed_candidate = has_stats and plain and not source.censored
    want = {"stats": has_stats and plain,
            "values": fam.discrete and source.roles["trials"] is None and not rowwise,
            "hist": not closed_candidate and start_points == "histogram"}
    # the family's profile Newton, when its in-memory fast fit is that profile
    want["profile"] = (fam.profile is not None and not type(fam)._overrides("_fast_fit")
                       and plain)
    if start_points == "histogram" and want["profile"]:
        want["hist"] = True         # a start for the profile iteration from the summary
        # ... which needs ~1e-3 accuracy (its moments' Taylor series reach that far): a
        # histogram of every 8th row of large chunks suffices and costs an eighth
        want["hist_stride"] = True
        # a fit to the first chunk: pass 1 then also collects the profile's moments at its
        # shape, and the profile Newton usually needs no further pass
        pilot = _pilot(fam, chunks, fixed_d) if not fixed_d and plain else None
        if pilot is not None:
            want["moments_at"] = pilot  # type: ignore[assignment]  # want's one non-bool entry (read with a cast)
    scan: Scan = chunks.map_reduce(
        lambda d: Scan(), "pass 1 (scan)",
        on_batch=lambda d, miss, bad, w: scan_chunk(fam, d, miss, bad, w, fixed_d, want))
    if scan is None or scan.n_obs == 0:
        raise DataError(f"{where} holds no observations"
                        + (f" (dropped {scan.missing} missing values)" if scan and scan.missing else "")
                        + ".")
    if scan.missing and nan_policy == "raise":
        raise missing_error(source, scan.missing - scan.nonnumeric, scan.nonnumeric,
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
    summ = _Summary(scan, trunc, rowwise)
    free = [p for p in fam.param_names if p not in fixed_d]
    check_counts(fam, len(free), scan.n_obs, rows=scan.rows - scan.missing,
                 weighted=scan.has_weights,
                 both_sides=scan.counts["exact"] + scan.counts["interval"],
                 left=scan.counts["left"], right=scan.counts["right"])

    e = exponent_of(fam, max((max(abs(lo), abs(hi)) for lo, hi in scan.minmax.values()),
                             default=0.0))
    if e and scan.rows > _IN_MEMORY_ROWS:
        return _fit_rescaled(fam, chunks, source, scan, e, fixed_d, start_d, strict=strict,
                             cov=cov, maxiter=maxiter, nan_policy=nan_policy, where=where,
                             start_points=start_points)
    if scan.rows <= _IN_MEMORY_ROWS:
        # small enough to hold: exactly the in-memory fit (every fast path of the core)
        res = fit_family(fam, concat_data(chunks.collect()), fixed=fixed_d, start=start_d,
                         strict=strict, cov=cov, maxiter=maxiter, penalty=penalty)
        notes.append("fitted in memory")
        return _done(res, notes, chunks, scan)
    if penalty is not None and penalty.kind == "firth":
        raise ParameterError(f"penalty='firth' needs the information matrix of all the data at "
                             f"every Newton step, which passes over chunks of {where} do not "
                             "give; priors (prior={...}) and callable penalties work here. Hint: "
                             "load the column with source.to_data() and fit that with "
                             "penalty='firth'.")
    if fam.order_statistic_params:
        raise ParameterError(f"{type(fam).__name__} is fitted from order statistics (its "
                             f"{', '.join(fam.order_statistic_params)}: a median), which passes "
                             "over chunks cannot give exactly. Hint: load the column with "
                             "source.to_data() and fit that.")

    def done(res: FitResult) -> FitResult:
        return _done(res, notes, chunks, scan)

    # --- count data: the distinct values and their counts are the whole data
    if want["values"] and scan.values_ok and scan.values is not None and summ.only_exact:
        vals = np.flatnonzero(scan.values)
        d = Data(vals.astype(float), weights=scan.values[vals], truncation=trunc)
        res = fit_family(fam, d, fixed=fixed_d, start=start_d, strict=strict, cov=cov,
                         maxiter=maxiter, penalty=penalty)
        notes.append(f"fitted exactly on its {vals.size} distinct values")
        return done(res)
    # --- degenerate: all exact values equal
    if free and not fixed_d and summ.only_exact and not fam.discrete and penalty is None:
        lo, hi = scan.minmax["exact"]
        if lo == hi:
            deg = fam._degenerate(lo)
            if deg is not None:
                return done(finish_degenerate(fam, Data([lo]), deg, strict, refit=refit))
    nonreg: dict[str, float] = {}
    for p in fam.nonregular:
        if p not in fixed_d:
            nonreg[p] = fam._nonregular_from_extremes(scan_extremes(scan), fixed_d)[p]
    inner = {**fixed_d, **nonreg}
    lik = StreamLikelihood(fam, chunks, inner, trunc, scan.n_obs)
    if penalty is not None:
        if cov == "sandwich":
            raise ParameterError("cov='sandwich' with a prior or penalty is not available for "
                                 "streamed fits; got both. Hint: cov='observed'.")
        return done(_fit_penalised(fam, lik, penalty, chunks, scan, trunc, summ, start_points,
                                   fixed_d, start_d, nonreg, strict=strict, maxiter=maxiter,
                                   refit=refit))
    closed_ok = not rowwise and fam._can_closed_form(summ_stub(scan, trunc))
    params = None
    H = None
    ll = math.nan
    method, iters, grad, conv, diags = "", 0, 0.0, True, []
    if closed_ok and scan.stats is not None:
        params = fam._closed_form(scan.stats, inner)
        if params is not None:
            method = fam.closed_form_method
            ll = fam._stats_loglik(scan.stats, params)
            Hs = fam._stats_hessian(scan.stats, params)
            H = None if Hs is None else np.asarray(Hs, dtype=float)
    fast = None
    prof = fam.profile
    kinds = {kd for kd, n in scan.counts.items() if n > 0}
    if (params is None and prof is not None and want["profile"] and scan.prof is not None
            and prof.applies(kinds, trunc is not None, inner)):
        s0 = (_start_from_summary(fam, _summary_data(scan, trunc), fixed_d, start_d, maxiter)
              if scan.hist else {})
        k0 = prof.k_of(s0[prof.profiled]) if prof.profiled in s0 else None
        at = cast("tuple[float, float] | None", want.get("moments_at"))
        fast = profile_chunks(prof, chunks, scan.prof, inner, k0,
                              None if scan.mom is None or not at else (at[0], at[1], scan.mom))
    if fast is not None:
        params, method, iters, conv = fast.params, fast.method, fast.iterations, fast.converged
        ll, H = fast.loglik, fast.hess   # type: ignore[assignment]  # the fast path's loglik/hess are set when it returns
        if not conv:
            diags.append(Diagnostic("nonconvergence", f"the {method} iteration did not "
                                    f"converge after {iters} iterations", "warning"))
    if params is not None:
        th = tuple(params[p] for p in fam.param_names)
        if H is None or not math.isfinite(ll):
            ll_e, g_e, H = lik.evaluate(th, 2)
            ll = ll if math.isfinite(ll) else ll_e
            grad = float(np.max(np.abs(g_e[lik.free]))) if lik.free else 0.0
    elif start_points == "sample" or not scan.hist:
        sample = _sample_points(chunks, scan)
        est = newton_fit(fam, lik, sample, start_d, inner, maxiter)
    else:
        summary = _summary_data(scan, trunc)
        s0 = _start_from_summary(fam, summary, fixed_d, start_d, maxiter)
        for p in nonreg:
            s0.pop(p, None)
        est = newton_fit(fam, lik, summary, {**s0}, inner, maxiter)
        notes.append(f"Newton started from a fit to a {_summary_size(summary)}-point summary")
    if params is not None:
        est = Estimate(params, ll, H, method, iters, grad, conv, list(diags))
    res = finish(fam, summ, lik, est, fixed=fixed_d, nonreg=nonreg, strict=strict, refit=refit)
    res = dataclasses.replace(res, data=None)
    if cov == "sandwich" and lik.free:
        res = _sandwich(res, fam, chunks, inner, trunc)
    return done(res)


def _pilot(fam: Family, chunks: Any, fixed: dict[str, float]) -> tuple[float, float] | None:
    """``(k, max u)`` of the family's profile fit to the first chunk of a large source, or
    None (a small or unknown-size source, or a first chunk the profile cannot fit)."""
    src = getattr(chunks, "source", None)
    prof = fam.profile
    n = getattr(src, "n_rows", None)
    if prof is None or src is None or n is None or n <= _IN_MEMORY_ROWS:
        return None
    import warnings

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for b in src.iter_batches():
                d, _, _ = batch_data(src, b)
                if d is not None and d.n_rows:
                    break
            else:
                return None
            ff = prof.fit(d, fixed)
            if ff is None or not ff.converged:
                return None
            k = float(prof.k_of(ff.params[prof.profiled]))
            c = float(prof.summary(prof.scan(d))[2])
    except (DataError, FamilyError, ValueError, ArithmeticError):
        return None
    return (k, c) if math.isfinite(k) and k > 0 and math.isfinite(c) else None


def _fit_penalised(fam: Family, lik: StreamLikelihood, penalty: Penalty, chunks: Any, scan: Scan,
                   trunc: Any, summ: Any, start_points: str, fixed: dict[str, float],
                   start: dict[str, float], nonreg: dict[str, float], *, strict: bool,
                   maxiter: int, refit: FamilyRefit) -> FitResult:
    """Newton on ``loglik + pen`` over the chunks (a prior or a callable penalty: the term
    needs no data). As in memory: ``loglik`` is the plain log-likelihood, the covariance the
    inverse curvature of the penalised one."""
    inner = {**fixed, **nonreg}
    plik = PenalisedLikelihood(lik, penalty, penalty.bind(lik, fam.domains, fam.param_names,
                                                          lik.free, family=fam.name))
    if start_points == "sample" or not scan.hist:
        s0, origin = dict(start), _sample_points(chunks, scan)
    else:
        origin = _summary_data(scan, trunc)
        s0 = _start_from_summary(fam, origin, fixed, start, maxiter)
        for p in nonreg:
            s0.pop(p, None)
    est = newton_fit(fam, plik, origin, s0, inner, maxiter)
    th = tuple(float(est.params[p]) for p in fam.param_names)
    pll, pg, pH = plik.evaluate(th, 2)
    ll = lik.evaluate(th, 2)[0]
    grad = float(np.max(np.abs(pg[lik.free]))) if lik.free else 0.0
    est = Estimate(est.params, ll, pH, penalty.label, est.iterations, grad, est.converged,
                   est.diagnostics)
    res = finish(fam, summ, plik, est, fixed=fixed, nonreg=nonreg, strict=strict, refit=refit)
    return dataclasses.replace(res, data=None, penalised_loglik=float(pll),
                               options={**res.options, **penalty.options(), "path": "newton"})
def _fit_rescaled(fam: Family, chunks: Any, source: Any, scan: Scan, e: int,
                  fixed: dict[str, float], start: dict[str, float], **kw: Any) -> FitResult:
    """The chunked fit at an extreme magnitude: over the chunks read ``* 2**-e``, mapped back
    through the family's ``scale_powers`` (as the in-memory fit does)."""
    factor = math.ldexp(1.0, -e)
    fx, st = scaled_inputs(fam, e, fixed, start)
    with np.errstate(all="ignore"):
        inner = fit_chunks(fam, ScaledChunks(chunks, factor), ScaledSource(source, factor),
                           fixed=fx, start=st, **kw)
    params = fam.rescaled_params(inner.params, e)
    nonreg = {p: params[p] for p in fam.nonregular if p not in fixed}
    lik = StreamLikelihood(fam, chunks, {**fixed, **nonreg}, _trunc(source), scan.n_obs)
    return map_back(fam, inner, e, fixed=fixed, exact_weight=scan.counts["exact"],
                    strict=kw["strict"], likelihood=lik,
                    _refit=FamilyRefit(fam, maxiter=kw["maxiter"]))


def _done(res: FitResult, notes: list[str], chunks: Any, scan: Scan) -> FitResult:
    diags = (*res.diagnostics, Diagnostic("source", "; ".join(notes), "info"))
    return dataclasses.replace(res, diagnostics=diags,
                               options={**res.options, "passes": chunks.passes, "rows": scan.rows,
                                        "dropped": scan.missing, "nonnumeric": scan.nonnumeric})


def _trunc(source: Any) -> tuple[float, float] | None:
    t = source.truncation
    if t is None:
        return None
    a, b = t
    if np.ndim(a) or np.ndim(b):
        raise DataError("a source's truncation bounds are numbers (one range for every row) or "
                        "column names (a window per row); got arrays. Hint: write the bounds as "
                        "columns of the file and pass truncation=('lo_col', 'hi_col'), or fit "
                        "mk.Data(x, truncation=(lo, hi)) in memory.")
    a = -math.inf if a is None else float(a)
    b = math.inf if b is None else float(b)
    if not a < b:
        raise DataError(f"truncation needs lower < upper; got ({a}, {b}).")
    return None if (a == -math.inf and b == math.inf) else (a, b)


def _sandwich(res: FitResult, fam: Family, chunks: Any, inner: dict[str, float],
              trunc: Any) -> FitResult:
    from .._fit.likelihood import Likelihood
    from .._fit.scores import score_outer

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
