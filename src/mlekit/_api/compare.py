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

from .._core.checks import arithmetic_guard, as_rng
from .._families.base import Family, get_family, registry
from .._fit.result import FitResult
from ..errors import MlekitError, NotFoundError, ParameterError

__all__ = ["compare", "Comparison"]

CRITERIA = ("aic", "aicc", "bic")
_GOF_AUTO_MAX = 1000


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`mlekit.compare`."""

    table: Any
    fits: dict[str, FitResult]
    failed: dict[str, str]
    skipped: dict[str, str]
    criterion: str
    timings: dict[str, float] = field(default_factory=dict, repr=False)

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
            lines.append("skipped (support does not fit the data): " + ", ".join(self.skipped))
        return "\n".join(lines)

    def __repr__(self) -> str:
        best = self.table.index[0] if len(self.fits) else "none"
        return (f"Comparison({len(self.fits)} fitted, {len(self.failed)} failed, "
                f"{len(self.skipped)} skipped; best by {self.criterion}: {best})")

    def _repr_html_(self) -> str:
        import html

        body = self._display().to_html(classes="mlekit-compare", border=0)
        extra = "".join(f"<li style='color:#c33'>{html.escape(f)} failed: {html.escape(w)}</li>"
                        for f, w in self.failed.items())
        if self.skipped:
            extra += ("<li style='color:#555'>skipped (support does not fit the data): "
                      + html.escape(", ".join(self.skipped)) + "</li>")
        return (f"<div class='mlekit-compare'><p><b>mlekit compare</b> · ranked by "
                f"{html.escape(self.criterion.upper())} · best: <code>"
                f"{html.escape(str(self.table.index[0]) if len(self.fits) else 'none')}</code></p>"
                f"{body}{'<ul>' + extra + '</ul>' if extra else ''}</div>")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Overlay the candidate families on the data (:func:`mlekit.plot.compare`)."""
        from ..plot import compare as plot_compare

        return plot_compare(self, ax, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for fam, row in self.table.iterrows():
            rows.append({"family": fam, **{k: (v.item() if hasattr(v, "item") else v)
                                            for k, v in row.items()}})
        return {"criterion": self.criterion, "table": rows, "failed": dict(self.failed),
                "skipped": dict(self.skipped)}


def _is_count_data(dat: Any) -> bool:
    pts = dat.all_points()
    pts = pts[np.isfinite(pts)]
    # from 2**53 on every float is a whole number: that says nothing about counts
    return (bool(pts.size) and bool(np.all(pts == np.round(pts))) and bool(np.all(pts >= 0))
            and bool(np.all(pts < 2.0**53)))


def _candidates(families: Any, dat: Any) -> tuple[list[Family], dict[str, str]]:
    skipped: dict[str, str] = {}
    if isinstance(families, str) and families.lower() == "all":
        counts = _is_count_data(dat)
        fams = [cls() for key, cls in sorted(registry.items()) if bool(cls.discrete) == counts]
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


def compare(data: Any, families: Any = "all", *, criterion: str = "aic", gof: bool | None = None,
            n_boot: int = 99, rng: Any = None, quiet: bool | None = None, weights: Any = None,
            nan_policy: str = "raise") -> Comparison:
    """Fit each family in ``families`` to ``data`` and rank them by ``criterion``.

    Parameters
    ----------
    data
        Anything :func:`mlekit.fit` accepts (array, Series, :class:`mlekit.Data` with censoring).
    families
        ``"all"`` or a list of family names/objects.
    criterion
        ``"aic"`` (default), ``"aicc"`` or ``"bic"``.
    gof
        Add a goodness-of-fit p-value column (Anderson–Darling, parametric bootstrap with
        ``n_boot`` refits per family). ``None`` (default): only when there are at most
        1,000 observations, where it is cheap.
    """
    from .._data.data import as_data
    from .._fit.family_fit import fit_family

    crit = str(criterion).lower()
    if crit not in CRITERIA:
        raise ParameterError(f"criterion must be one of {', '.join(CRITERIA)}; got {criterion!r}.")
    dat = as_data(data, weights=weights, nan_policy=nan_policy)
    fams, skipped = _candidates(families, dat)
    explicit = not (isinstance(families, str) and families.lower() == "all")
    fits: dict[str, FitResult] = {}
    failed: dict[str, str] = {}
    notes: dict[str, str] = {}
    timings: dict[str, float] = {}
    for fam in fams:
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
        notes[fam.name] = "; ".join(dict.fromkeys(msgs))
    do_gof = gof if gof is not None else dat.n_obs <= _GOF_AUTO_MAX
    gof_p: dict[str, float] = {}
    if do_gof and fits:
        from .gof import gof as run_gof

        gen = as_rng(rng)
        for name, res in fits.items():
            if res.likelihood is None:
                gof_p[name] = math.nan
                continue
            try:
                g = run_gof(res, n_boot=n_boot, rng=gen, quiet=quiet)
                gof_p[name] = g["ad"].p_value
            except MlekitError as exc:
                gof_p[name] = math.nan
                notes[name] = "; ".join(x for x in (notes[name], f"gof failed: {exc}") if x)
    table = _table(fits, notes, gof_p if do_gof else None, crit)
    return Comparison(table, {f: fits[f] for f in table.index}, failed, skipped, crit, timings)


def _table(fits: dict[str, FitResult], notes: dict[str, str], gof_p: dict[str, float] | None,
           crit: str) -> Any:
    import pandas as pd

    rows = []
    for name, r in fits.items():
        rows.append({
            "family": name, "k": r.n_params, "loglik": r.loglik, "aic": r.aic,
            "aicc": r.aicc, "bic": r.bic, "converged": bool(r.converged),
            "boundary": ", ".join(r.on_boundary), "notes": notes.get(name, ""),
            **({"gof_p": gof_p.get(name, math.nan)} if gof_p is not None else {}),
        })
    cols = ["k", "loglik", "aic", "delta_aic", "weight", "aicc", "bic"] + \
        (["gof_p"] if gof_p is not None else []) + ["converged", "boundary", "notes"]
    if not rows:
        return pd.DataFrame(columns=cols).rename_axis("family")
    df = pd.DataFrame(rows).set_index("family")
    ok = df["converged"] & np.isfinite(df[crit])
    # rank: converged fits first, then by the criterion
    df["_bad"] = ~ok
    df = df.sort_values(["_bad", crit], kind="stable").drop(columns="_bad")
    base = df.loc[ok.reindex(df.index), "aic"].min() if ok.any() else df["aic"].min()
    df["delta_aic"] = df["aic"] - base
    rel = np.exp(-0.5 * df["delta_aic"].where(ok.reindex(df.index), np.inf))
    total = rel.sum()
    df["weight"] = rel / total if total > 0 else 0.0
    return df[cols]



