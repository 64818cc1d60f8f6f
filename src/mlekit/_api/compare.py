"""``compare``: fit several families to one data set and rank them.

``mk.compare(data, ["exponential", "weibull", "gamma"])`` or ``mk.compare(data, "all")``.

``"all"`` means every built-in family whose support can hold the data: the count families when
every value is a whole number, the continuous families otherwise (a likelihood for counts is a
probability and one for measurements a density: their AICs cannot be compared, so a list that
mixes the two is refused). Families whose support does not fit the data are listed in
``skipped`` with the reason; fits that fail are listed in ``failed`` with the error — never
hidden. Warnings raised while fitting are kept in the table's ``notes`` column instead of
being printed one by one.

The table (a pandas DataFrame, one row per fitted family, best first) holds ``k``, ``loglik``,
``aic``, ``delta_aic``, ``weight`` (Akaike weight), ``aicc``, ``bic``, ``gof_p`` (Anderson–Darling
p-value by parametric bootstrap; see :func:`mlekit.gof`), ``converged``, ``boundary`` (parameters
estimated on the edge of their domain) and ``notes``.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._core.checks import arithmetic_guard, as_rng, check_whole
from .._families.base import Family, get_family, registry
from .._fit.result import FitResult, HtmlReport
from ..errors import MlekitError, NotFoundError, ParameterError

__all__ = ["compare", "Comparison", "skipped_text"]

CRITERIA = ("aic", "aicc", "bic")
_GOF_AUTO_MAX = 1000
_GOF_AUTO_FAMILIES = 6


@dataclass(frozen=True)
class Comparison(HtmlReport):
    """The result of :func:`mlekit.compare`."""

    table: Any
    fits: dict[str, FitResult]
    failed: dict[str, str]
    skipped: dict[str, str]
    criterion: str
    timings: dict[str, float] = field(default_factory=dict, repr=False)
    gof_n_boot: int | None = None     # refits per family behind gof_p (None: no GOF column)
    gof_seed: Any = None              # the seed they used (reported so runs can be repeated)

    @property
    def gof_floor(self) -> float | None:
        """The smallest p-value ``gof_n_boot`` refits can give, 1/(n_boot + 1)."""
        return 1.0 / (self.gof_n_boot + 1) if self.gof_n_boot else None

    @property
    def best(self) -> FitResult:
        """The fit with the smallest criterion (among those that converged, when any did)."""
        if not self.fits:
            raise ParameterError("no family could be fitted; see .failed for the reasons.")
        return self.fits[self.table.index[0]]

    def __getitem__(self, family: str) -> FitResult:
        try:
            return self.fits[family]
        except (KeyError, TypeError):
            why = (f" (it failed: {self.failed[family]})" if family in self.failed else
                   " (skipped: its support does not fit the data)" if family in self.skipped
                   else "")
            raise NotFoundError(f"no fit of {family!r} in this comparison{why}; fitted: "
                                f"{', '.join(self.fits) or 'none'}.") from None

    def __contains__(self, family: object) -> bool:
        return family in self.fits

    def __iter__(self) -> Any:
        return iter(self.fits.values())

    def __len__(self) -> int:
        return len(self.fits)

    def _display(self) -> Any:
        t = self.table.copy()
        for c in ("loglik", "aic", "delta_aic", "aicc", "bic"):
            t[c] = t[c].map(lambda v: f"{v:.6g}" if math.isfinite(v) else str(v))
        t["weight"] = t["weight"].map(lambda v: f"{v:.3f}")
        if "gof_p" in t:
            t["gof_p"] = t["gof_p"].map(lambda v: "" if math.isnan(v) else f"{v:.3g}")
        return t

    def __str__(self) -> str:
        head = f"mlekit compare · {len(self.fits)} families · ranked by {self.criterion.upper()}"
        lines = [head, "=" * len(head)]
        if len(self.fits):
            lines.append(self._display().drop(columns=["notes"]).to_string())
            lines.append("")
            lines.append(f"best: {self.table.index[0]}")
        notes = [(f, n) for f, n in self.table["notes"].items() if n]
        for f, n in notes:
            lines.append(f"! {f}: {n}")
        for f, why in self.failed.items():
            lines.append(f"✗ {f} failed: {why}")
        if self.skipped:
            lines.append("skipped: " + skipped_text(self.skipped))
        return "\n".join(lines)

    def __repr__(self) -> str:
        best = self.table.index[0] if len(self.fits) else "none"
        return (f"Comparison({len(self.fits)} fitted, {len(self.failed)} failed, "
                f"{len(self.skipped)} skipped; best by {self.criterion}: {best})")

    def _repr_html_(self) -> str:
        from .._core.htmlview import view

        t = self._display()
        cols = [c for c in ("k", "loglik", "aic", "delta_aic", "weight", "bic", "gof_p") if c in t]
        heads = {"loglik": "log-lik", "aic": "AIC", "delta_aic": "ΔAIC", "weight": "weight",
                 "bic": "BIC", "gof_p": "GOF p"}
        rows = [[f"{fam} (!)" if row.get("caution") else fam] + [row[c] for c in cols]
                for fam, row in t.iterrows()]
        notes = [("warning", f"{f}: {n}") for f, n in self.table["notes"].items() if n]
        notes += [("warning", f"{f} failed: {w}") for f, w in self.failed.items()]
        if self.skipped:
            notes.append(("info", "skipped: " + skipped_text(self.skipped)))
        best = str(self.table.index[0]) if len(self.fits) else "none"
        return view("compare", f"Comparison: best by {self.criterion.upper()} is {best}",
                    [f"{len(self.fits)} families"], ["family"] + [heads.get(c, c) for c in cols],
                    rows, notes, highlight_first=True)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Overlay the candidate families on the data (:func:`mlekit.plot.compare`).

        Parameters
        ----------
        ax
            A matplotlib Axes to draw on (default: a new figure).
        **kwargs
            Options of :func:`mlekit.plot.compare`.
        """
        from ..plot import compare as plot_compare

        return plot_compare(self, ax, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the criterion and one row per family (the CLI's ``--format json``)."""
        rows = []
        for fam, row in self.table.iterrows():
            rows.append({"family": fam, **{k: (v.item() if hasattr(v, "item") else v)
                                            for k, v in row.items()}})
        return {"criterion": self.criterion, "table": rows, "failed": dict(self.failed),
                "skipped": dict(self.skipped),
                "gof": {"n_boot": self.gof_n_boot,
                        "seed": self.gof_seed if isinstance(self.gof_seed, int) else None}}


def skipped_text(skipped: dict[str, str]) -> str:
    """Skipped families grouped by reason: ``"a, b (reason); c (other reason)"``."""
    by: dict[str, list[str]] = {}
    for fam, why in skipped.items():
        by.setdefault(why, []).append(fam)
    return "; ".join(f"{', '.join(fams)} ({why})" for why, fams in by.items())


def _is_count_data(dat: Any) -> bool:
    pts = dat.all_points()
    pts = pts[np.isfinite(pts)]
    # from 2**53 on every float is a whole number: that says nothing about counts
    return (bool(pts.size) and bool(np.all(pts == np.round(pts))) and bool(np.all(pts >= 0))
            and bool(np.all(pts < 2.0**53)))


def _candidates(families: Any, dat: Any) -> tuple[list[Family], dict[str, str]]:
    skipped: dict[str, str] = {}
    if isinstance(families, str) and families.lower() == "default":
        from .candidates import default_families

        families = default_families(dat)
        fams = [get_family(f) for f in families if f in registry]
        return [f for f in fams if _fits_support(f, dat)], skipped
    if isinstance(families, str) and families.lower() == "all":
        counts = _is_count_data(dat)
        fams = []
        for key, cls in sorted(registry.items()):
            if bool(cls.discrete) == counts:
                fams.append(cls())
            else:
                skipped[key] = ("a count family: the data are not all whole numbers >= 0"
                                if cls.discrete else "a continuous family: the data are counts "
                                "(a density and a probability have no common AIC scale)")
        return fams, skipped
    if isinstance(families, (str, Family, type)):
        families = [families]
    try:
        items = list(families)
    except TypeError:
        raise ParameterError(f"families must be 'all' or a list of names; got {families!r}.") from None
    if not items:
        raise ParameterError("families must name at least one family; got an empty list.")
    fams = [get_family(f) for f in items]
    kinds = {bool(f.discrete) for f in fams}
    if len(kinds) > 1:
        disc = [f.name for f in fams if f.discrete]
        cont = [f.name for f in fams if not f.discrete]
        raise ParameterError(
            f"compare needs families of one kind; got count families ({', '.join(disc)}) and "
            f"continuous ones ({', '.join(cont)}). A probability and a density are on different "
            "scales, so their AICs cannot be compared. Hint: compare each kind separately.")
    seen: set[str] = set()
    out = []
    for f in fams:
        if f.name in seen:
            raise ParameterError(f"families lists {f.name!r} twice.")
        seen.add(f.name)
        out.append(f)
    return out, skipped


def _fits_support(fam: Family, dat: Any) -> bool:
    try:
        fam._check_data(dat, {})
    except (MlekitError, ValueError, TypeError):
        return False
    return True


def _check_args(n_boot: Any, time_budget: Any) -> None:
    """``n_boot`` a whole number >= 0 and ``time_budget`` None or a number >= 0 (argument errors
    raise here, before any fit, instead of landing in every family's notes)."""
    check_whole(n_boot, "n_boot", 0, 99)
    if time_budget is None:
        return
    real = isinstance(time_budget, (int, float, np.integer, np.floating))
    if isinstance(time_budget, bool) or not real or not float(time_budget) >= 0:
        raise ParameterError(f"time_budget must be a number of seconds >= 0 (or None: no limit); "
                             f"got {time_budget!r}.")


def compare(data: Any, families: Any = "default", *, criterion: str = "aic",
            gof: bool | None = None, n_boot: int = 99, rng: Any = 0, quiet: bool | None = None,
            weights: Any = None, nan_policy: str = "raise",
            time_budget: float | None = None) -> Comparison:
    """Fit each family in ``families`` to ``data`` and rank them by ``criterion``.

    Parameters
    ----------
    data
        Anything :func:`mlekit.fit` accepts (array, Series, :class:`mlekit.Data` with censoring).
    families
        ``"default"`` (a set chosen by the data's support, the same as ``mlekit compare``;
        see :mod:`mlekit._api.candidates`), ``"all"`` or a list of family names/objects.
    criterion
        ``"aic"`` (default), ``"aicc"`` or ``"bic"``.
    gof
        Add a goodness-of-fit p-value column (Anderson–Darling, parametric bootstrap with
        ``n_boot`` refits per family). ``None`` (default): only when there are at most
        1,000 observations, where it is cheap, and with more than six candidates only for the
        best fit (the others on request: ``gof=True``, or ``mk.gof(cmp[name])``).
    n_boot
        Bootstrap refits per family for the goodness-of-fit p-values.
    rng
        Seed of the GOF bootstrap (default 0: the same p-values on every run, in Python, the
        CLI and the web explorer); each family's refits start from this seed, so a family's
        p-value equals ``mk.gof(cmp[family], n_boot=n_boot, rng=seed)``. ``None``: fresh
        randomness.
    quiet
        ``None`` (default): a progress bar only on a terminal; ``True``: never; ``False``: always.
    weights
        Frequency weights (or give them to ``Data``).
    nan_policy
        ``"raise"`` (default) or ``"omit"``.
    time_budget
        Seconds for the fits (not the goodness-of-fit bootstrap; at least one family is
        fitted): families not started when it runs out are listed in ``skipped`` with that
        reason. ``None``: no limit.

    Returns
    -------
    Comparison
        The fits ranked by ``criterion`` (``cmp.table``, ``cmp.best``, ``cmp[name]`` for one
        :class:`FitResult`); families that could not be fitted are in ``cmp.failed`` with
        the reason.

    Raises
    ------
    ParameterError
        An unknown criterion, an empty or repeated ``families`` list, or no family that
        could be fitted.

    Examples
    --------
    >>> import mlekit as mk
    >>> cmp = mk.compare([2.1, 3.4, 1.9, 5.6, 4.2, 3.3, 2.8],
    ...                  ["weibull", "gamma", "lognormal"], gof=False, quiet=True)
    >>> cmp.best.family in {"weibull", "gamma", "lognormal"}
    True
    """
    from .._data.data import as_data
    from .._fit.family_fit import fit_family

    crit = str(criterion).lower()
    if crit not in CRITERIA:
        raise ParameterError(f"criterion must be one of {', '.join(CRITERIA)}; got {criterion!r}.")
    _check_args(n_boot, time_budget)
    if isinstance(data, FitResult) or (isinstance(data, (list, tuple)) and data
                                       and all(isinstance(d, FitResult) for d in data)):
        raise ParameterError(
            "compare fits the families itself: it needs the data, not fit results; got "
            f"{type(data).__name__} of fits. Hint: mk.compare(x, ['weibull', 'gamma']), or rank "
            "fits you already have by their .aic.")
    dat = as_data(data, weights=weights, nan_policy=nan_policy)
    fams, skipped = _candidates(families, dat)
    explicit = not (isinstance(families, str) and families.lower() in ("all", "default"))
    fits: dict[str, FitResult] = {}
    failed: dict[str, str] = {}
    notes: dict[str, str] = {}
    timings: dict[str, float] = {}
    start = time.perf_counter()
    for fam in fams:
        if time_budget is not None and fits and time.perf_counter() - start > time_budget:
            skipped[fam.name] = f"the time budget of {time_budget:g} s was used up"
            continue
        try:
            fam._check_data(dat, {})
        except (MlekitError, ValueError, TypeError) as exc:
            if explicit:
                failed[fam.name] = str(exc)
            else:
                skipped[fam.name] = str(exc)
            continue
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with arithmetic_guard():
                    res = fit_family(fam, dat)
            except (MlekitError, np.linalg.LinAlgError) as exc:
                failed[fam.name] = f"{type(exc).__name__}: {exc}"
                continue
            finally:
                timings[fam.name] = time.perf_counter() - t0
        fits[fam.name] = res
        msgs = [str(w.message).removeprefix(f"{fam.name}: ") for w in caught]
        parts = [seg for m in msgs for seg in m.split("; ")]   # a hint repeated per parameter
        notes[fam.name] = "; ".join(dict.fromkeys(parts))     # (Lomax shape and scale) once
    do_gof = gof if gof is not None else dat.n_obs <= _GOF_AUTO_MAX
    gof_p: dict[str, float] = {}
    if do_gof and fits:
        from .gof import gof as run_gof

        shared = not isinstance(rng, (int, np.integer)) or isinstance(rng, bool)
        gen = as_rng(rng) if shared else None
        which = list(fits)
        if gof is None and len(fits) > _GOF_AUTO_FAMILIES:   # many candidates: the best only
            which = list(_table(fits, notes, None, crit).index[:1])
        for name, res in fits.items():
            if name not in which:
                gof_p[name] = math.nan
                continue
            if res.likelihood is None:
                gof_p[name] = math.nan
                continue
            try:
                g = run_gof(res, n_boot=n_boot, rng=gen if shared else int(rng), quiet=quiet)
                gof_p[name] = g["ad"].p_value
            except MlekitError as exc:
                gof_p[name] = math.nan
                notes[name] = "; ".join(x for x in (notes[name], f"gof failed: {exc}") if x)
    table = _table(fits, notes, gof_p if do_gof else None, crit)
    seed = int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None
    return Comparison(table, {f: fits[f] for f in table.index}, failed, skipped, crit, timings,
                      n_boot if do_gof and fits else None, seed)


def _table(fits: dict[str, FitResult], notes: dict[str, str], gof_p: dict[str, float] | None,
           crit: str) -> Any:
    import pandas as pd

    from .candidates import caution

    rows = []
    for name, r in fits.items():
        rows.append({"caution": caution(r),
            "family": name, "k": r.n_params, "loglik": r.loglik, "aic": r.aic,
            "aicc": r.aicc, "bic": r.bic, "converged": bool(r.converged),
            "boundary": ", ".join(r.on_boundary), "notes": notes.get(name, ""),
            **({"gof_p": gof_p.get(name, math.nan)} if gof_p is not None else {}),
        })
    cols = ["k", "loglik", "aic", "delta_aic", "weight", "aicc", "bic"] + \
        (["gof_p"] if gof_p is not None else []) + ["converged", "caution", "boundary", "notes"]
    if not rows:
        return pd.DataFrame(columns=cols).rename_axis("family")
    df = pd.DataFrame(rows).set_index("family")
    ok = df["converged"] & np.isfinite(df[crit]) & (df["caution"] == "")
    # rank: regular converged fits first, then flagged ones (see candidates.caution), then
    # fits that did not converge; by the criterion within each
    df["_bad"] = np.where(ok, 0, np.where(df["converged"] & np.isfinite(df[crit]), 1, 2))
    df = df.sort_values(["_bad", crit], kind="stable").drop(columns="_bad")
    base = df.loc[ok.reindex(df.index), "aic"].min() if ok.any() else df["aic"].min()
    df["delta_aic"] = df["aic"] - base
    rel = np.exp(-0.5 * df["delta_aic"].where(ok.reindex(df.index), np.inf))
    total = rel.sum()
    df["weight"] = rel / total if total > 0 else 0.0
    return df[cols]



