"""Goodness of fit: Kolmogorov–Smirnov, Anderson–Darling, Cramér–von Mises (and Pearson
chi-square for counts), with p-values by parametric bootstrap.

The statistics compare the fitted cdf ``F`` with the nonparametric estimate ``F_n`` of the
distribution of the data:

- exact data: the (weighted) empirical cdf;
- exact + right-censored: the Kaplan–Meier estimate, compared up to the largest observation
  (beyond it ``F_n`` is unknown when that observation is censored);
- anything else (left, interval, mixed censoring): Turnbull's nonparametric MLE (EM on the
  innermost intervals); inside an innermost interval of positive length, where the NPMLE does
  not say how the mass is spread, ``F_n`` follows the model's shape (linear in ``F``), so only
  what the data determine counts against the model;
- per-row truncation windows: late entry of exact and right-censored values takes the
  product-limit estimate with a risk set, any other windows Turnbull's truncated NPMLE
  (:mod:`mlekit._inference.truncnpmle`); ``F`` is then the model truncated to the union of the
  windows, which is what those estimate.

Kaplan–Meier and Turnbull are those of :mod:`mlekit._inference.empirical` (the ones the plots
draw), with its end-point conventions: for continuous data a right-censored ``c`` is
``X > c`` and an interval is ``lo < X <= hi``.

With ``u = F(x)`` (the truncated cdf when the data are truncated) and ``n`` the number of
observations (sum of the weights)::

    KS   D   = sup |F_n - F|
    CvM  W^2 = n ∫ (F_n - F)^2 dF
    AD   A^2 = n ∫ (F_n - F)^2 / (F (1 - F)) dF

computed exactly piece by piece (for the ordinary EDF they are the textbook formulas; checked
against ``scipy.stats``). For discrete families the integrals are sums over the support
(Choulakian, Lockhart & Stephens 1994), and Pearson's ``X^2`` uses cells pooled from the fitted
model so every expected count is at least 5.

The parameters were estimated from the same data, so the textbook null distributions do not
apply. p-values come from a parametric bootstrap that redraws data like the observed (same
size, weights, truncation and censoring model — see :mod:`mlekit._inference.bootstrap`), **refits each
sample** and recomputes every statistic: ``p = (1 + #{T* >= T}) / (B + 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import xlogy
from scipy.stats import chi2

from .._core.checks import arithmetic_guard, as_rng, check_whole
from .._inference.empirical import kaplan_meier, late_entries, product_limit_ok, turnbull
from ..errors import DataError, NotFoundError, ParameterError

if TYPE_CHECKING:
    from .._data.data import Data
    from .._fit.result import FitResult

__all__ = ["gof", "GofTest", "GofResult", "statistics"]

TESTS = ("ks", "ad", "cvm", "chi2")
_NAMES = {"ks": "Kolmogorov–Smirnov", "ad": "Anderson–Darling", "cvm": "Cramér–von Mises",
          "chi2": "Pearson chi-square"}


@dataclass(frozen=True)
class GofTest:
    """One goodness-of-fit test: ``statistic`` and its ``p_value``."""

    name: str
    statistic: float
    p_value: float
    method: str
    df: int | None = None
    p_asymptotic: float | None = None

    def __repr__(self) -> str:
        return f"GofTest({self.name}: statistic={self.statistic:.6g}, p_value={self.p_value:.4g})"


@dataclass(frozen=True)
class GofResult(Mapping[str, GofTest]):
    """Goodness-of-fit tests keyed ``"ks"``, ``"ad"``, ``"cvm"`` (and ``"chi2"`` for counts)."""

    family: str
    tests: dict[str, GofTest]
    n_boot: int
    n_failed: int
    npmle: str
    res: Any = field(default=None, repr=False, compare=False)

    def __getitem__(self, key: str) -> GofTest:
        try:
            return self.tests[key]
        except (KeyError, TypeError):
            raise NotFoundError(f"no test {key!r}; tests: {', '.join(self.tests)}.") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.tests)

    def __len__(self) -> int:
        return len(self.tests)

    @property
    def p_min(self) -> float:
        ps = [t.p_value for t in self.tests.values() if not math.isnan(t.p_value)]
        return min(ps) if ps else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {k: {"statistic": t.statistic, "p_value": t.p_value, "method": t.method,
                    **({"df": t.df, "p_asymptotic": t.p_asymptotic} if t.df is not None else {})}
                for k, t in self.tests.items()}

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame([{"test": _NAMES[k], "statistic": t.statistic, "p_value": t.p_value}
                             for k, t in self.tests.items()], index=list(self.tests))

    def __str__(self) -> str:
        head = f"Goodness of fit · {self.family} · compared with the {self.npmle}"
        lines = [head, "-" * len(head)]
        for k, t in self.tests.items():
            extra = f"  (df {t.df}, asymptotic p {t.p_asymptotic:.4g})" if t.df is not None else ""
            lines.append(f"{_NAMES[k]:<22} {t.statistic:>12.6g}   p = {t.p_value:.4g}{extra}")
        m = next(iter(self.tests.values())).method if self.tests else ""
        lines.append(f"p-values: {m}" + (f"; {self.n_failed} refits failed" if self.n_failed else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={t.statistic:.4g} (p={t.p_value:.3g})" for k, t in self.tests.items())
        return f"GofResult({self.family}: {inner})"

    def _repr_html_(self) -> str:
        import html

        rows = "".join(f"<tr><td>{html.escape(_NAMES[k])}</td><td>{t.statistic:.6g}</td>"
                       f"<td>{t.p_value:.4g}</td></tr>" for k, t in self.tests.items())
        return (f"<div class='mlekit-gof'><b>Goodness of fit · {html.escape(self.family)}</b>"
                f"<table><tr><th>test</th><th>statistic</th><th>p</th></tr>{rows}</table></div>")


# ---------------------------------------------------------------------------- NPMLE
def _rows(data: Data) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], str]:
    """Rows as closed intervals ``[lo, hi]`` (exact: lo == hi) with weights, and the kind of
    nonparametric estimate the data need."""
    from .._inference.bootstrap import row_arrays

    r = row_arrays(data)
    kinds = set(r["kind"].tolist())
    if data.row_truncated and not product_limit_ok(data):
        how = "Turnbull estimate"       # two-sided windows, or left/interval-censored rows
    elif kinds <= {"exact"}:
        how = "empirical cdf"
    elif kinds <= {"exact", "right"}:
        how = "Kaplan–Meier estimate"
    else:
        how = "Turnbull estimate"
    return r["lo"], r["hi"], r["w"], how


# ---------------------------------------------------------------------------- statistics
class _Model:
    """The fitted cdf (truncated if the data are) as a vectorised function."""

    def __init__(self, fam: Any, th: tuple[float, ...], trunc: tuple[float, float] | None) -> None:
        self.fam, self.th = fam, th
        self.discrete = bool(fam.discrete)
        self.Fa, self.Z = 0.0, 1.0
        if trunc is not None:
            a, b = trunc
            if self.discrete and math.isfinite(a):
                a = math.ceil(a) - 1.0
            Fa = self._raw(np.array([a]))[0] if math.isfinite(a) else 0.0
            Fb = self._raw(np.array([b]))[0] if math.isfinite(b) else 1.0
            self.Fa, self.Z = Fa, max(Fb - Fa, 1e-300)

    def _raw(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(all="ignore"):
            out = np.exp(np.asarray(self.fam._logcdf(x, self.th, None), dtype=float))
        out = np.where(np.isneginf(x), 0.0, np.where(np.isposinf(x), 1.0, out))
        return out

    def __call__(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.clip((self._raw(np.asarray(x, dtype=float)) - self.Fa) / self.Z, 0.0, 1.0)


def _segments_stats(u0: NDArray[np.float64], u1: NDArray[np.float64], A: NDArray[np.float64],
                    B: NDArray[np.float64], n: float) -> tuple[float, float, float]:
    """KS, CvM and AD for ``F_n = A + B u`` on the pieces ``[u0, u1]`` of the u axis."""
    fn0, fn1 = A + B * u0, A + B * u1
    ks = float(np.max(np.maximum(np.abs(fn0 - u0), np.abs(fn1 - u1)))) if u0.size else 0.0
    C = B - 1.0                                   # F_n - u = A + C u
    with np.errstate(all="ignore"):
        cvm_lin = np.where(np.abs(C) > 1e-14,
                           ((A + C * u1) ** 3 - (A + C * u0) ** 3) / (3.0 * np.where(C == 0, 1, C)),
                           A * A * (u1 - u0))
    cvm = n * float(np.sum(cvm_lin))
    eps = 1e-300
    v0, v1 = np.clip(u0, eps, 1 - 1e-16), np.clip(u1, eps, 1 - 1e-16)

    def anti(u: NDArray[np.float64]) -> NDArray[np.float64]:
        return -(C * C) * u + xlogy(A * A, u) - xlogy((A + C) ** 2, 1.0 - u)

    with np.errstate(all="ignore"):
        ad_parts = np.where(u1 > u0, anti(v1) - anti(v0), 0.0)
    ad = n * float(np.sum(ad_parts))
    return ks, cvm, max(ad, 0.0)


def _edf_stats(u: NDArray[np.float64]) -> tuple[float, float, float]:
    """The textbook formulas for unweighted exact data (``u`` sorted model cdf values)."""
    n = u.size
    i = np.arange(1, n + 1)
    ks = float(max(np.max(i / n - u), np.max(u - (i - 1) / n)))
    cvm = float(1.0 / (12 * n) + np.sum((u - (2 * i - 1) / (2 * n)) ** 2))
    uc = np.clip(u, 1e-300, 1.0 - 1e-16)
    ad = float(-n - np.sum((2 * i - 1) * (np.log(uc) + np.log1p(-uc[::-1]))) / n)
    return ks, cvm, ad


def _model_range(data: Data, discrete: bool) -> tuple[float, float] | None:
    """The range the fitted cdf is conditioned on: the data's common truncation range; with
    per-row windows the union of the windows, what the nonparametric estimate estimates: with
    late entry ``(min entry, inf)`` (the product-limit estimate with a risk set), else
    ``(min a_i, max b_i)`` (Turnbull's truncated NPMLE, which refuses windows that do not
    connect)."""
    if not data.row_truncated:
        return data.truncation
    if product_limit_ok(data):
        ent = late_entries(data)
        lo, hi = (-math.inf if ent is None else float(ent.min())), math.inf
    else:
        from .._inference.truncnpmle import window_range

        lo, hi = window_range(data)
    return None if (lo == -math.inf and hi == math.inf) else (lo, hi)


def _continuous_stats(model: _Model, data: Data) -> tuple[float, float, float]:
    if data.only_exact and data.exact.w is None and not data.row_truncated:
        return _edf_stats(np.sort(model(data.exact.x)))
    lo, _, w, how = _rows(data)
    n = float(w.sum())
    if how == "empirical cdf" and not data.row_truncated:
        order = np.argsort(lo, kind="stable")
        x, ww = lo[order], w[order]
        uniq, first = np.unique(x, return_index=True)
        F = np.cumsum(np.add.reduceat(ww, first)) / n
        t, tau = uniq, math.inf
    elif how in ("Kaplan–Meier estimate", "empirical cdf"):
        km = kaplan_meier(data)
        t, F, tau = km.x, km.cdf, km.info["end"]
    else:
        return _turnbull_stats(model, data, n)
    u = model(t)
    u_tau = 1.0 if math.isinf(tau) else float(model(np.array([tau]))[0])
    starts = np.concatenate(([0.0], u))
    ends = np.concatenate((u, [u_tau]))
    vals = np.concatenate(([0.0], F))
    keep = ends >= starts
    return _segments_stats(starts[keep], ends[keep], vals[keep], np.zeros(int(keep.sum())), n)


def _innermost(data: Data, discrete: bool
               ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Turnbull's innermost intervals ``(q, p]`` (``[q, p]`` for counts) and their masses."""
    tb = turnbull(data, discrete=discrete)
    assert tb.left is not None and tb.right is not None and tb.mass is not None
    return tb.left, tb.right, tb.mass


def _turnbull_stats(model: _Model, data: Data, n: float) -> tuple[float, float, float]:
    q, p, mass = _innermost(data, discrete=False)
    cum = np.cumsum(mass)
    uq, up = model(q), model(p)
    prev = np.concatenate(([0.0], cum[:-1]))
    # flat pieces between innermost intervals, linear-in-u pieces inside them
    s0, s1, A, B = [], [], [], []
    u_prev = 0.0
    for j in range(q.size):
        s0.append(u_prev)
        s1.append(max(uq[j], u_prev))
        A.append(prev[j])
        B.append(0.0)
        if up[j] > uq[j]:
            slope = (cum[j] - prev[j]) / (up[j] - uq[j])
            s0.append(uq[j])
            s1.append(up[j])
            A.append(prev[j] - slope * uq[j])
            B.append(slope)
        u_prev = max(up[j], u_prev)
    s0.append(u_prev)
    s1.append(1.0)
    A.append(cum[-1] if cum.size else 0.0)
    B.append(0.0)
    return _segments_stats(np.array(s0), np.array(s1), np.array(A), np.array(B), n)


def _discrete_grid(model: _Model, data: Data, res_th: Any) -> NDArray[np.float64]:
    pts = data.all_points()
    lo_s = model.fam._support_bounds(res_th)[0]
    top = float(np.max(pts[np.isfinite(pts)])) if np.isfinite(pts).any() else 0.0
    with np.errstate(all="ignore"):
        q_hi = float(np.asarray(model.fam._ppf(np.array([1 - 1e-10]), res_th), dtype=float)[0])
    hi = max(top, q_hi if math.isfinite(q_hi) else top)
    lo = max(lo_s, float(np.min(pts)) - 1.0) if math.isfinite(lo_s) else float(np.min(pts)) - 1.0
    rng = _model_range(data, True)
    if rng is not None and math.isfinite(rng[0]):
        lo = max(lo, math.ceil(rng[0]))
    hi = min(hi, lo + 2_000_000)
    return np.arange(math.floor(lo), math.floor(hi) + 1, dtype=float)


def _discrete_stats(model: _Model, data: Data, th: Any) -> tuple[float, float, float]:
    lo, _, w, how = _rows(data)
    n = float(w.sum())
    xs = _discrete_grid(model, data, th)
    F = model(xs)
    pm = np.diff(np.concatenate(([model(np.array([xs[0] - 1.0]))[0]], F)))
    tau = math.inf
    if how == "empirical cdf":
        order = np.argsort(lo, kind="stable")
        pos = np.searchsorted(lo[order], xs, side="right")
        cw = np.concatenate(([0.0], np.cumsum(w[order])))
        Fn = cw[pos] / n
    elif how == "Kaplan–Meier estimate":
        km = kaplan_meier(data, discrete=True)
        t, Fj, tau = km.x, km.cdf, km.info["end"]
        idx = np.searchsorted(t, xs, side="right")
        Fn = np.concatenate(([0.0], Fj))[idx]
    else:
        q, p, mass = _innermost(data, discrete=True)
        cum = np.cumsum(mass)
        prev = np.concatenate(([0.0], cum[:-1]))
        j = np.searchsorted(p, xs, side="right")          # innermost intervals wholly <= x
        Fn = np.concatenate(([0.0], cum))[j]
        inside = (j < q.size)
        jj = np.minimum(j, q.size - 1)
        part = inside & (q[jj] <= xs) & (xs < p[jj])
        if part.any():
            uq, up = model(q[jj] - 1.0), model(p[jj])
            frac = np.where(up > uq, (F - uq) / np.maximum(up - uq, 1e-300), 1.0)
            Fn = np.where(part, prev[jj] + frac * mass[jj], Fn)
    keep = xs <= tau if math.isfinite(tau) else np.ones(xs.size, bool)
    d = (Fn - F)[keep]
    ks = float(np.max(np.abs(d))) if d.size else 0.0
    cvm = n * float(np.sum(d * d * pm[keep]))
    den = F[keep] * (1.0 - F[keep])
    ok = den > 1e-300
    ad = n * float(np.sum(d[ok] ** 2 * pm[keep][ok] / den[ok]))
    return ks, cvm, ad


def _chi2_cells(model: _Model, data: Data, th: Any) -> NDArray[np.float64] | None:
    """Cell edges (upper inclusive ends; the last cell is open) pooled to expected >= 5."""
    if data.is_censored:
        return None
    n = data.n_obs
    xs = _discrete_grid(model, data, th)
    F = model(xs)
    edges: list[float] = []
    acc_prev = 0.0
    for x, f in zip(xs, F):
        if n * (f - acc_prev) >= 5.0 and n * (1.0 - f) >= 5.0:
            edges.append(float(x))
            acc_prev = f
    return np.array(edges)


def _chi2_stat(model: _Model, data: Data, edges: NDArray[np.float64]) -> float:
    n = data.n_obs
    b = data.exact
    x = b.x
    w = np.ones(x.size) if b.w is None else b.w
    cells = np.searchsorted(edges, x, side="left")
    obs = np.bincount(cells, weights=w, minlength=edges.size + 1)
    F = np.concatenate(([0.0], model(edges), [1.0]))
    exp = n * np.diff(F)
    ok = exp > 0
    return float(np.sum((obs[ok] - exp[ok]) ** 2 / exp[ok]))


def statistics(res: FitResult, data: Data | None = None, edges: Any = None) -> dict[str, float]:
    """The observed statistics of ``res`` on ``data`` (default: its own data)."""
    d = data if data is not None else res.data
    if d is None:
        raise ParameterError("gof needs the fit's data; got a fit without data.")
    th = tuple(res.params[p] for p in res.params)
    model = _Model(res.dist, th, _model_range(d, res.dist.discrete))
    if res.dist.discrete:
        ks, cvm, ad = _discrete_stats(model, d, th)
    else:
        ks, cvm, ad = _continuous_stats(model, d)
    out = {"ks": ks, "ad": ad, "cvm": cvm}
    if res.dist.discrete and edges is not None:
        out["chi2"] = _chi2_stat(model, d, edges)
    return out


def gof(res: FitResult, *, n_boot: int = 999, rng: Any = 0, quiet: bool | None = None
        ) -> GofResult:
    """Goodness-of-fit tests of a fit (see the module docstring).

    Parameters
    ----------
    res
        The fit to test.
    n_boot
        Parametric-bootstrap refits that give the p-values (``0``: statistics only, p-values
        NaN).
    rng
        Seed or ``numpy.random.Generator`` of the bootstrap.
    quiet
        ``None`` (default): a progress bar only on a terminal; ``True``: never; ``False``: always.

    Returns
    -------
    GofResult
        Kolmogorov–Smirnov, Anderson–Darling and Cramér–von Mises statistics (Pearson's
        chi-square for counts) with their bootstrap p-values.

    Raises
    ------
    ParameterError
        ``res`` is not a fit result or carries no data, or ``n_boot`` is not a whole number
        >= 0.
    DataError
        Per-row truncation windows other than late entry on continuous data (the tests need
        the product-limit estimate with a risk set there).

    Examples
    --------
    >>> res = mk.fit(mk.Normal(mu=0.0, sigma=1.0).sample(200, rng=1), "normal")
    >>> g = mk.gof(res, n_boot=0)
    """
    with arithmetic_guard("the fitted model"):
        return _gof(res, n_boot=n_boot, rng=rng, quiet=quiet)


def _gof(res: FitResult, *, n_boot: int = 999, rng: Any = None, quiet: bool | None = None
        ) -> GofResult:
    from .._core.progress import Progress
    from .._inference.bootstrap import Simulator, refit

    # a fit result by its shape (no import of _fit.result: the report calls gof from there)
    if not all(hasattr(res, a) for a in ("params", "dist", "likelihood", "data", "family")):
        raise ParameterError(f"gof needs a fit result; got {type(res).__name__}.")
    if res.data is None or res.likelihood is None:
        raise ParameterError(
            f"gof needs a family fit with its data (mk.fit(x, family)); got a {res.family!r} "
            "fit without (a custom model or degenerate data).")
    B = check_whole(n_boot, "n_boot", 0, 999)
    d = res.data
    edges = None
    df = None
    if res.dist.discrete:
        th = tuple(res.params[p] for p in res.params)
        edges = _chi2_cells(_Model(res.dist, th, d.truncation), d, th)
        if edges is not None:
            df = edges.size + 1 - 1 - res.n_params
    obs = statistics(res, d, edges)
    keys = list(obs)
    gen = as_rng(rng)
    exceed = dict.fromkeys(keys, 0)
    done = 0
    failed = 0
    if B:
        sim = Simulator(res)
        with Progress(B, f"gof bootstrap ({res.family})", quiet=quiet) as bar:
            for _ in range(B):
                r = None
                try:
                    dd = sim.draw(gen)
                    r = refit(res, dd)
                except ParameterError:
                    r = None
                st = None
                if r is not None:
                    try:    # a sample with no nonparametric estimate (per-row windows)
                        st = statistics(r, dd, edges)
                    except DataError:
                        st = None
                if st is None:
                    failed += 1
                else:
                    done += 1
                    for k in keys:
                        if st[k] >= obs[k] - 1e-12 * max(1.0, abs(obs[k])):
                            exceed[k] += 1
                bar.update()
    method = (f"parametric bootstrap, {done} refitted samples" if B else
              "not computed (n_boot=0)")
    tests: dict[str, GofTest] = {}
    for k in keys:
        p = (1 + exceed[k]) / (done + 1) if done else math.nan
        if k == "chi2":
            pa = float(chi2.sf(obs[k], df)) if df is not None and df > 0 else math.nan
            tests[k] = GofTest(k, obs[k], p, method, df, pa)
        else:
            tests[k] = GofTest(k, obs[k], p, method)
    _, _, _, how = _rows(d)
    return GofResult(res.family, tests, B, failed, how, res)
