"""Extreme-value workflows: block maxima, peaks over threshold, threshold choice.

``mk.extremes.block_maxima(series, "year")``
    the largest value of each block (year, month, or any pandas offset alias) of a series with
    a ``DatetimeIndex`` — the data for a GEV fit.
``mk.extremes.exceedances(series, threshold=u, decluster=None | "runs", run_length=3)``
    the excesses ``x - u`` of the values above ``u`` (runs declustering: a cluster ends after
    ``run_length`` consecutive values at or below ``u``; only each cluster's peak is kept) — the
    data for a generalised Pareto fit.
``mk.extremes.fit_pot(series, threshold=u)``
    the Poisson–GPD model: exceedances occur at ``rate`` per block, their excesses are GPD. Its
    ``return_level(T)`` is the ``T``-block level with a profile interval.
``mk.extremes.mean_residual_life(x)``, ``mk.extremes.threshold_stability(x, thresholds)``
    the two classic threshold-choice diagnostics as data frames with intervals.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import norm

from ..errors import DataError, ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from .._fit.result import FitResult

__all__ = ["block_maxima", "exceedances", "fit_pot", "POTResult", "mean_residual_life",
           "threshold_stability"]

_BLOCKS = {"year": "Y", "annual": "Y", "month": "M", "week": "W", "day": "D", "quarter": "Q"}


def _period_alias(block: str) -> str:
    key = str(block).strip().lower()
    return _BLOCKS.get(key, str(block))


def _series(series: Any, what: str, *, need_time: bool) -> pd.Series:
    import pandas as pd

    if isinstance(series, pd.DataFrame):
        if series.shape[1] != 1:
            raise DataError(f"{what} needs one column of values; got a data frame with columns "
                            f"{list(series.columns)}. Hint: pass df['level'].")
        series = series.iloc[:, 0]
    if not isinstance(series, pd.Series):
        if need_time:
            raise DataError(f"{what} needs a pandas Series with a DatetimeIndex; got "
                            f"{type(series).__name__}. Hint: pd.Series(values, index=dates).")
        series = pd.Series(np.asarray(series, dtype=float))
    if need_time and not isinstance(series.index, pd.DatetimeIndex):
        raise DataError(f"{what} needs a DatetimeIndex to form blocks; got a "
                        f"{type(series.index).__name__}. Hint: series.index = "
                        "pd.to_datetime(dates).")
    return series.astype(float)


def block_maxima(series: Any, block: str = "year") -> pd.Series:
    """The maximum of each block (``"year"``, ``"month"``, ``"week"``, ``"day"``, ``"quarter"``
    or a pandas period alias such as ``"2Y"``) of ``series`` (missing values skipped; blocks with
    no values dropped), indexed by the period."""
    s = _series(series, "block_maxima", need_time=True).dropna()
    if s.empty:
        raise DataError("block_maxima needs at least one value; got none (all missing?).")
    alias = _period_alias(block)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            periods = s.index.to_period(alias)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"block must be 'year', 'month', 'week', 'day', 'quarter' or a pandas "
                             f"period alias; got {block!r} ({exc}).") from None
    out = s.groupby(periods).max()
    out.name = s.name if s.name is not None else "maximum"
    return out


def _clusters(above: np.ndarray, run_length: int) -> np.ndarray:
    """Cluster ids (per exceedance) by the runs method."""
    idx = np.flatnonzero(above)
    if idx.size == 0:
        return np.zeros(0, dtype=np.intp)
    gaps = np.diff(idx) - 1                       # non-exceedances between successive ones
    new = np.concatenate([[True], gaps >= run_length])
    return np.cumsum(new) - 1


def exceedances(series: Any, threshold: float, *, decluster: str | None = None,
                run_length: int = 3) -> pd.Series:
    """Excesses ``x - threshold`` of the values above ``threshold`` (index kept). With
    ``decluster="runs"`` a cluster ends after ``run_length`` consecutive values at or below the
    threshold and only its largest excess is kept (exceedances of one storm are not
    independent)."""
    s = _series(series, "exceedances", need_time=False).dropna()
    u = float(threshold)
    if not math.isfinite(u):
        raise ParameterError(f"threshold must be a finite number; got {threshold!r}.")
    if decluster not in (None, "runs"):
        raise ParameterError(f"decluster must be None or 'runs'; got {decluster!r}.")
    if int(run_length) != run_length or run_length < 1:
        raise ParameterError(f"run_length must be a whole number >= 1; got {run_length!r}.")
    x = s.to_numpy()
    above = x > u
    if not above.any():
        raise DataError(f"no value exceeds the threshold {u:g} (largest {x.max():g}). Hint: "
                        "choose a lower threshold, e.g. a high quantile of the data.")
    if decluster is None:
        out = s[above] - u
    else:
        cid = _clusters(above, int(run_length))
        pos = np.flatnonzero(above)
        vals = x[pos]
        order = np.lexsort((-vals, cid))          # per cluster, the largest first
        first = np.concatenate([[True], np.diff(cid[order]) != 0])
        keep = np.sort(pos[order[first]])
        out = s.iloc[keep] - u
    out.name = "excess"
    return out


@dataclass(frozen=True, eq=False)
class POTResult:
    """A peaks-over-threshold fit: exceedances at ``rate`` per block (Poisson), excesses GPD.

    ``gpd`` is the generalised Pareto :class:`FitResult` of the excesses; ``rate`` the mean
    number of (declustered) exceedances per block, ``n_blocks`` the blocks spanned."""

    threshold: float
    gpd: FitResult
    rate: float
    n_blocks: float
    n_exceedances: int
    n_obs: int
    block: str
    decluster: str | None = None
    excesses: Any = field(default=None, repr=False)

    @property
    def rate_se(self) -> float:
        return math.sqrt(self.rate / self.n_blocks)

    def return_level(self, T: Any, *, method: str = "profile", level: float = 0.95) -> Any:
        """The ``T``-block return level ``u + scale((rate T)^shape - 1)/shape`` with its SE
        (GPD and rate) and a profile (rate held at its estimate) or delta interval."""
        from .._inference.extremes import gpd_return_level

        return gpd_return_level(self.gpd, T, rate=self.rate, threshold=self.threshold,
                                rate_var=self.rate / self.n_blocks, method=method, level=level)

    def return_period(self, x: Any, *, level: float = 0.95) -> Any:
        """The mean number of blocks between exceedances of the level ``x``."""
        from .._inference.extremes import return_period

        xa = np.asarray(x, dtype=float)
        if np.any(xa <= self.threshold):
            raise ParameterError(f"levels must lie above the threshold {self.threshold:g}; got "
                                 f"{x!r}.")
        return return_period(self.gpd, xa, rate=self.rate, threshold=self.threshold, level=level)

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "rate": self.rate, "rate_se": self.rate_se,
                "n_blocks": self.n_blocks, "n_exceedances": self.n_exceedances,
                "n_obs": self.n_obs, "block": self.block, "decluster": self.decluster,
                "gpd": self.gpd.to_dict()}

    def __str__(self) -> str:
        from .._core.checks import fmt

        head = (f"mlekit peaks over threshold · u = {fmt(self.threshold)}\n"
                f"exceedances  {self.n_exceedances} of {self.n_obs} values"
                f"{' (declustered: ' + self.decluster + ')' if self.decluster else ''}\n"
                f"rate         {fmt(self.rate)} per {self.block} (SE {fmt(self.rate_se)}, "
                f"{fmt(self.n_blocks)} {self.block}s)\n")
        return head + str(self.gpd)

    def __repr__(self) -> str:
        p = self.gpd.params
        return (f"POTResult(threshold={self.threshold:g}, rate={self.rate:.6g}/{self.block}, "
                f"scale={p['scale']:.6g}, shape={p['shape']:.6g}, n_exceedances="
                f"{self.n_exceedances})")

    def plot(self, fig: Any = None) -> Any:
        return self.gpd.plot(fig)


def _n_blocks(s: pd.Series, block: str, n_blocks: float | None) -> float:
    import pandas as pd

    if n_blocks is not None:
        nb = float(n_blocks)
        if not (nb > 0 and math.isfinite(nb)):
            raise ParameterError(f"n_blocks must be a positive number; got {n_blocks!r}.")
        return nb
    if not isinstance(s.index, pd.DatetimeIndex):
        raise DataError("fit_pot needs the number of blocks the record spans: pass a Series with a "
                        "DatetimeIndex, or n_blocks= (e.g. the number of years of data).")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return float(s.index.to_period(_period_alias(block)).nunique())


def fit_pot(series: Any, threshold: float, *, decluster: str | None = None, run_length: int = 3,
            block: str = "year", n_blocks: float | None = None, **fit_kwargs: Any) -> POTResult:
    """Peaks over threshold: the exceedances of ``threshold`` (optionally declustered), their
    rate per ``block`` and a generalised Pareto fit of the excesses."""
    from .._data.data import Data
    from .._families.base import get_family
    from .._fit.family_fit import fit_family

    s = _series(series, "fit_pot", need_time=False).dropna()
    nb = _n_blocks(s, block, n_blocks)
    ex = exceedances(s, threshold, decluster=decluster, run_length=run_length)
    if ex.size < 2:
        raise DataError(f"only {ex.size} exceedance of {float(threshold):g}: a GPD fit needs more. "
                        "Hint: lower the threshold.")
    gpd = fit_family(get_family("genpareto"), Data(ex.to_numpy()), **fit_kwargs)
    return POTResult(float(threshold), gpd, ex.size / nb, nb, int(ex.size), int(s.size),
                     str(block), decluster, ex)


# ---------------------------------------------------------------------------- threshold choice
def _values(x: Any) -> np.ndarray:
    a = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x, dtype=float).ravel()
    a = a[np.isfinite(a)]
    if a.size < 3:
        raise DataError(f"threshold diagnostics need at least 3 finite values; got {a.size}.")
    return a


def _default_thresholds(a: np.ndarray, min_exceed: int) -> np.ndarray:
    srt = np.sort(a)
    hi = srt[max(srt.size - min_exceed - 1, 0)]
    return np.linspace(srt[0], hi, 100)


def mean_residual_life(x: Any, thresholds: Any = None, *, level: float = 0.95,
                       min_exceedances: int = 5) -> pd.DataFrame:
    """Mean excess over each threshold with a normal ``level`` interval: above a threshold
    where the GPD holds, the curve is linear in the threshold."""
    import pandas as pd

    from .._core.checks import check_level

    lv = check_level(level)
    a = _values(x)
    us = (_default_thresholds(a, min_exceedances) if thresholds is None
          else np.asarray(thresholds, dtype=float).ravel())
    z = float(norm.ppf(0.5 + lv / 2))
    rows = []
    for u in us:
        e = a[a > u] - u
        n = e.size
        if n == 0:
            rows.append((u, 0, math.nan, math.nan, math.nan))
            continue
        m = float(e.mean())
        sd = float(e.std(ddof=1)) if n > 1 else math.nan
        h = z * sd / math.sqrt(n) if n > 1 else math.nan
        rows.append((u, n, m, m - h, m + h))
    return pd.DataFrame(rows, columns=["threshold", "n", "mean_excess", "lower", "upper"])


def threshold_stability(x: Any, thresholds: Any, *, level: float = 0.95) -> pd.DataFrame:
    """GPD fits at each threshold: the shape and the modified scale ``scale - shape u`` with
    Wald ``level`` intervals — both are constant above a threshold where the GPD holds."""
    import pandas as pd

    from .._core.checks import check_level
    from .._data.data import Data
    from .._families.base import get_family
    from .._fit.family_fit import fit_family

    lv = check_level(level)
    a = _values(x)
    z = float(norm.ppf(0.5 + lv / 2))
    rows = []
    for u in np.asarray(thresholds, dtype=float).ravel():
        e = a[a > u] - u
        if e.size < 3:
            rows.append((u, int(e.size), *([math.nan] * 6), False))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fit_family(get_family("genpareto"), Data(e))
        s, xi = r.params["scale"], r.params["shape"]
        cov = np.asarray(r.cov)
        ms = s - xi * u
        gv = np.array([1.0, -u])
        var = float(gv @ cov @ gv)
        h = z * math.sqrt(var) if var >= 0 else math.nan
        hx = z * r.se["shape"]
        rows.append((u, int(e.size), xi, xi - hx, xi + hx, ms, ms - h, ms + h, r.converged))
    return pd.DataFrame(rows, columns=["threshold", "n", "shape", "shape_lower", "shape_upper",
                                       "modified_scale", "modified_scale_lower",
                                       "modified_scale_upper", "converged"])
