"""What a statistician reads off a regression: ``r.tests()`` and ``r.summary()``.

Per coefficient: the estimate, its standard error, the Wald ``z = estimate / SE`` with its
two-sided p-value ``2 Φ(-|z|)``, the ``level`` interval (Wald, or profile likelihood with
``ci="profile"``; a shared positive parameter such as ``size`` or ``sigma`` gets its Wald
interval on the log scale, which never crosses 0) and, where the link makes ``exp(coef)`` an
effect on the natural scale, that effect with its interval (the interval's ends
exponentiated). What ``exp(coef)`` is called follows the family and the parameter (:func:`effect_label`):

==========================================  ====================================================
coefficient of                              exp(coef) is
==========================================  ====================================================
any logit-linked probability                an **odds ratio** (bernoulli p, zero_prob, cure_prob)
the log-linked mean of a count family       a **rate ratio** (poisson, negative_binomial, ...)
exponential ``rate``, gompertz ``rate``     a **hazard ratio**: the hazard is proportional to
                                            the rate (h(t) = rate; rate · e^(shape t)), so these
                                            are the proportional-hazards parameterisations
the scale of an AFT lifetime family         a **time ratio** (weibull, loglogistic, rayleigh,
(weibull, loglogistic, ... ``scale``;       lomax, burr12, birnbaum_saunders scale; lognormal
lognormal/gengamma ``mu``, identity link    and gengamma ``mu`` = log time): every quantile of
on log time)                                the lifetime is multiplied by it
a log-linked ``mean``/``mu`` (gamma,        a **mean ratio**
inverse_gaussian)
any other log-linked parameter              a ``<parameter> ratio`` (``shape ratio``, ...)
==========================================  ====================================================

(A Weibull AFT time ratio ``TR`` is the hazard ratio ``TR^-shape``; it is reported as the time
ratio, as lifelines' ``WeibullAFTFitter`` and R's ``survreg`` do.)

The summary's header holds the data (n, events and censoring for censored responses, late
entries), the log-likelihood, AIC/BIC and the likelihood-ratio test against the intercept-only
model: every linked parameter's formula reduced to its intercept (shared parameters re-estimated),
refitted on the same rows, weights and offsets; chi-square with df = the number of free
non-intercept coefficients.
"""

from __future__ import annotations

import math
import textwrap
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.numformat import decimals_for, fixed, pvalue_eq, pvalue_text
from .._fit.summary import Summary, _json_num
from .distreg import Coord, DistReg, link_name

if TYPE_CHECKING:
    from .predict import RegressionResult

__all__ = ["effect_label", "NullTest", "null_test", "coef_rows", "tests_frame",
           "RegressionSummary"]

WIDTH = 80
COLUMNS = ("estimate", "se", "z", "p_value", "ci_low", "ci_high", "exp_estimate", "exp_ci_low",
           "exp_ci_high", "effect")

_HAZARD = {("exponential", "rate"), ("gompertz", "rate")}
_TIME = {("weibull", "scale"), ("loglogistic", "scale"), ("rayleigh", "scale"),
         ("lomax", "scale"), ("burr12", "scale"), ("birnbaum_saunders", "scale"),
         ("lognormal", "mu"), ("gengamma", "mu")}


def effect_label(fam: Any, coord: Coord) -> str | None:
    """What ``exp(coef)`` of ``coord``'s coefficients means (None: not meaningful)."""
    from .._families.wrappers import Wrapped

    if coord.X is None:
        return None
    base = fam.base if isinstance(fam, Wrapped) else fam
    link = link_name(coord.domain)
    if link == "logit":
        return "odds ratio"
    key = (base.name, coord.name)
    if key in _HAZARD and link == "log":
        return "hazard ratio"
    if key in _TIME and link in ("log", "identity"):
        return "time ratio"
    if link != "log":
        return None
    if base.discrete and coord.name == (base.regression_param or base.param_names[0]):
        return "rate ratio"
    if coord.name in ("mean", "mu"):
        return "mean ratio"
    return f"{coord.name} ratio"


# ---------------------------------------------------------------------- LR test vs the null
@dataclass(frozen=True)
class NullTest:
    """The likelihood-ratio test against the intercept-only model (``statistic`` None with
    ``note`` saying why when it does not apply)."""

    statistic: float | None
    df: int
    p_value: float | None
    loglik_null: float | None
    note: str = ""

    def text(self) -> str:
        if self.statistic is None:
            return f"LR test vs intercept-only: not available ({self.note})"
        return (f"LR test vs intercept-only: chi2 = {self.statistic:.4g} on {self.df} df, "
                f"p {pvalue_eq(self.p_value)}")

    def to_dict(self) -> dict[str, Any]:
        def num(v: float | None) -> float | str | None:
            return None if v is None else _json_num(v)

        return {"statistic": num(self.statistic), "df": self.df,
                "p_value": num(self.p_value), "loglik_null": num(self.loglik_null),
                "note": self.note}


def _intercept(co: Coord) -> int | None:
    assert co.X is not None
    for j, c in enumerate(co.cols):
        if c.split(":")[-1] == "Intercept" or bool(np.all(co.X[:, j] == 1.0)):
            return j
    return None


_NULL: weakref.WeakKeyDictionary[Any, NullTest] = weakref.WeakKeyDictionary()


def null_test(r: RegressionResult) -> NullTest:
    """Refit with every linked formula reduced to its intercept; the LR test against it
    (computed once per result: ``print(r)`` and ``r.summary()`` reuse it)."""
    if r not in _NULL:
        _NULL[r] = _null_test(r)
    return _NULL[r]


def _null_test(r: RegressionResult) -> NullTest:
    from scipy.stats import chi2

    from .._fit.problem import Problem, maximize

    m: DistReg = r.model
    if "penalty" in r.options or "prior" in r.options:
        return NullTest(None, 0, None, None, "a penalised or MAP fit")
    coords: list[Coord] = []
    start: dict[str, float] = {}
    df = 0
    beta = np.array([r.params[p] for p in m.names])
    for a, co in enumerate(m.coords):
        if co.X is None:
            coords.append(co)
            start[co.name] = r.params[co.name]
            continue
        j = _intercept(co)
        if j is None:
            return NullTest(None, 0, None, None,
                            f"the formula of {co.name} has no intercept")
        df += sum(1 for i, c in enumerate(co.cols) if i != j and c not in r.fixed)
        name = co.cols[j]
        coords.append(Coord(co.name, co.domain, np.ones((m.n, 1)), [name], co.offset, None))
        eta = co.X @ beta[m.slices[a]]
        start[name] = float(np.average(eta, weights=m.w))
    if df == 0:
        return NullTest(None, 0, None, None, "the model has intercepts only")
    null = DistReg(m.fam, m.resp, coords, m.w, m.reparam, m.window_rows)
    null.units = m.units                          # the same data units
    fixed_d = {k: v for k, v in r.fixed.items() if k in null.names}
    prob = Problem(null.names, null.domains, fixed_d, null.value, derivs=null.evaluate,
                   label="intercept-only model")
    sol = maximize(prob, [{**start, **fixed_d}], maxiter=200, n_starts=3, kind="analytic")
    if not (sol.converged and math.isfinite(sol.loglik)):
        return NullTest(None, df, None, None, "the intercept-only refit did not converge")
    stat = max(2.0 * (r.loglik - sol.loglik), 0.0)
    return NullTest(stat, df, float(chi2.sf(stat, df)), float(sol.loglik))


# ---------------------------------------------------------------------- the coefficient table
def coef_rows(r: RegressionResult, level: float, ci: str = "wald",
              cis: dict[str, tuple[float, float]] | None = None) -> list[dict[str, Any]]:
    """One dict per parameter: ``name``, ``block`` (the coordinate, or ``"shared"``), ``link``
    and the :data:`COLUMNS`."""
    from scipy.stats import norm

    m: DistReg = r.model
    cis = r.ci(level=level, method=ci) if cis is None else cis
    if ci == "wald" and any(co.X is None and co.domain.kind == "lower" for co in m.coords):
        cis = {**cis, **{k: v for k, v in r.ci(level=level, method="wald-log").items()
                         if any(co.X is None and co.name == k and co.domain.kind == "lower"
                                for co in m.coords)}}
    out: list[dict[str, Any]] = []
    for co in m.coords:
        label = effect_label(m.fam, co)
        link = link_name(co.domain)
        icpt = _intercept(co) if co.X is not None else None
        for k, name in enumerate(co.cols):
            est = float(r.params[name])
            fixed_p = name in r.fixed
            se = math.nan if fixed_p else float(r.se.get(name, math.nan))
            lo, hi = (est, est) if fixed_p else cis.get(name, (math.nan, math.nan))
            testable = co.X is not None or co.domain.kind == "real"
            z = est / se if testable and se > 0 else math.nan
            p = float(2.0 * norm.sf(abs(z))) if math.isfinite(z) else math.nan
            with np.errstate(over="ignore"):
                ex = [float(np.exp(v)) for v in (est, lo, hi)] if label else [math.nan] * 3
            out.append({"name": name, "block": co.name if co.X is not None else "shared",
                        "link": link if co.X is not None else "", "estimate": est, "se": se,
                        "z": z, "p_value": p, "ci_low": float(lo), "ci_high": float(hi),
                        "exp_estimate": ex[0], "exp_ci_low": ex[1], "exp_ci_high": ex[2],
                        "effect": label or "", "fixed": fixed_p, "intercept": k == icpt})
    return out


def tests_frame(r: RegressionResult, level: float, ci: str = "wald") -> Any:
    import pandas as pd

    rows = coef_rows(r, level, ci)
    df = pd.DataFrame([{k: row[k] for k in COLUMNS} for row in rows],
                      index=pd.Index([row["name"] for row in rows], name="coefficient"))
    df.attrs.update(level=level, ci=ci)
    return df


# ---------------------------------------------------------------------- the summary
def _counts(r: RegressionResult) -> str:
    m: DistReg = r.model
    n_txt = f"n = {r.n_obs:g}" + (f" ({m.n} weighted rows)" if m.w is not None else "")
    parts: list[str] = []
    words = {"exact": "events", "right": "right-censored", "left": "left-censored",
             "interval": "interval-censored"}
    if m.resp.censored:
        for kind, idx, _ in m.resp.groups:
            rows = np.arange(m.n) if idx is None else idx
            c = len(rows) if m.w is None else float(np.sum(m.w[rows]))
            parts.append(f"{c:g} {words[kind]}")
    if m.window_rows is not None:
        lo, hi = m.window_rows
        late = int(np.sum(np.asarray(lo) > m.fam.support.lower))
        above = int(np.sum(np.asarray(hi) < m.fam.support.upper))
        if late:
            parts.append(f"{late} late entries")
        if above:
            parts.append(f"{above} truncated above")
    return n_txt + (f", {', '.join(parts)}" if parts else "")


class RegressionSummary(Summary):
    """``r.summary()``: text (80 columns) for terminals, ``_repr_html_`` for Jupyter,
    ``to_dict()`` for JSON (the fit's dict plus ``coefficients`` and ``lr_test``)."""

    res: RegressionResult

    def __init__(self, res: RegressionResult, level: float = 0.95, ci_method: str = "wald"
                 ) -> None:
        super().__init__(res, level=level, ci_method=ci_method)
        self.rows = coef_rows(res, level, ci_method, self.ci)
        self.lr = null_test(res)

    # ------------------------------------------------------------------ pieces
    def _title(self) -> str:
        r = self.res
        o = r.options
        f = o.get("formula") or f"{o.get('response', 'y')} ~ {' + '.join(o.get('columns', []))}"
        return f"mlekit regression · {o.get('family', r.family)} · {f}"

    def _facts(self) -> list[str]:
        r = self.res
        links = [f"{c.name}: {link_name(c.domain)} link" + (
                 "" if c.name == r.options.get("linked") else
                 f" ({r.options.get('formulas', {}).get(c.name, '')})")
                 for c in r.model.coords if c.X is not None]
        shared = [c.name for c in r.model.coords if c.X is None]
        conv = "converged" if r.converged else "NOT converged"
        cov = "" if r.cov_type == "observed" else f" · {r.cov_type} covariance"
        return [_counts(r), "; ".join(links) + (f"; shared: {', '.join(shared)}" if shared else ""),
                f"log-lik {r.loglik:.10g} · AIC {r.aic:.8g} · BIC {r.bic:.8g} · {conv}{cov}",
                self.lr.text()]

    def _blocks(self) -> list[tuple[str, list[dict[str, Any]]]]:
        out: list[tuple[str, list[dict[str, Any]]]] = []
        for row in self.rows:
            if not out or out[-1][0] != row["block"]:
                out.append((row["block"], []))
            out[-1][1].append(row)
        return out

    def _ci_heads(self) -> tuple[str, str]:
        a = (1.0 - self.level) / 2.0 * 100.0
        return f"{a:.3g}%", f"{100.0 - a:.3g}%"

    # ------------------------------------------------------------------ text
    def __str__(self) -> str:
        lines = textwrap.wrap(self._title(), WIDTH, subsequent_indent="    ")
        lines.append("=" * WIDTH)
        for f in self._facts():
            lines += textwrap.wrap(f, WIDTH, subsequent_indent="    ")
        lo_h, hi_h = self._ci_heads()
        how = {"wald": "Wald", "profile": "profile likelihood"}.get(self.ci_method, self.ci_method)
        for block, rows in self._blocks():
            lines.append("")
            if block == "shared":
                head = ["shared", "estimate", "std. err.", lo_h, hi_h]
                cells = [[x["name"] + (" (fixed)" if x["fixed"] else ""), x["estimate"], x["se"],
                          math.nan if x["fixed"] else x["ci_low"],
                          math.nan if x["fixed"] else x["ci_high"]] for x in rows]
                lines += _table(head, cells, pcol=None, zcol=None)
                continue
            link = rows[0]["link"]
            lines.append(f"{block} ({link} link)")
            head = ["", "estimate", "std. err.", "z", "p-value", lo_h, hi_h]
            cells = [[x["name"], x["estimate"], x["se"], x["z"],
                      "fixed" if x["fixed"] else x["p_value"],
                      math.nan if x["fixed"] else x["ci_low"],
                      math.nan if x["fixed"] else x["ci_high"]] for x in rows]
            lines += _table(head, cells, pcol=4, zcol=3)
            eff = [x for x in rows if x["effect"] and not x["intercept"] and not x["fixed"]]
            if eff:
                lines.append("")
                head = [f"exp(coef): {eff[0]['effect']}", "", lo_h, hi_h]
                lines += _table(head, [[x["name"], x["exp_estimate"], x["exp_ci_low"],
                                        x["exp_ci_high"]] for x in eff], pcol=None, zcol=None)
        lines.append("")
        lines += textwrap.wrap(f"{self.level * 100:g}% intervals: {how}; z and p: Wald.", WIDTH)
        for sev, msg in self._notes():
            lines += textwrap.wrap(msg, WIDTH, initial_indent="! " if sev == "warning" else "· ",
                                   subsequent_indent="  ")
        return "\n".join(line.rstrip() for line in lines)

    # ------------------------------------------------------------------ html
    def _repr_html_(self) -> str:
        from .._core.htmlview import view

        lo_h, hi_h = self._ci_heads()
        rows: list[list[str]] = []
        multi = len(self._blocks()) > 1
        for block, rs in self._blocks():
            if multi:
                rows.append([block if block == "shared" else f"{block} ({rs[0]['link']} link)"]
                            + [""] * 8)
            d = _decimals([x["estimate"] for x in rs] + [x["se"] for x in rs])
            for x in rs:
                e = _decimals([x["exp_estimate"]])
                rows.append([x["name"], _cell(x["estimate"], d), _cell(x["se"], d),
                             "" if math.isnan(x["z"]) else f"{x['z']:.2f}",
                             "" if math.isnan(x["p_value"]) else pvalue_text(x["p_value"]),
                             "fixed" if x["fixed"] else
                             f"{_cell(x['ci_low'], d)} … {_cell(x['ci_high'], d)}",
                             "" if not x["effect"] or x["fixed"] else _cell(x["exp_estimate"], e),
                             "" if not x["effect"] or x["fixed"] else
                             f"{_cell(x['exp_ci_low'], e)} … {_cell(x['exp_ci_high'], e)}",
                             x["effect"]])
        how = {"wald": "Wald", "profile": "profile"}.get(self.ci_method, self.ci_method)
        return view("regression", self._title(), self._facts(),
                    ["coefficient", "estimate", "std. error", "z", "p-value",
                     f"{self.level * 100:g}% CI ({how}) {lo_h}…{hi_h}", "exp(coef)",
                     "exp CI", "meaning"], rows, self._notes())

    # ------------------------------------------------------------------ dict
    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        r = self.res
        d["regression"] = {
            "family": r.options.get("family"), "formula": r.options.get("formula"),
            "formulas": r.options.get("formulas", {}),
            "response": r.options.get("response"), "links": r.options.get("links", {}),
            "data": _counts(r), "lr_test": self.lr.to_dict(),
            "coefficients": [{"name": x["name"], "block": x["block"],
                              **{k: (x[k] if k == "effect" else _json_num(x[k])) for k in COLUMNS}}
                             for x in self.rows]}
        return d


def _table(head: list[str], cells: list[list[Any]], pcol: int | None, zcol: int | None
           ) -> list[str]:
    """Text rows: the first column left, numbers right, one format per column (the estimate
    and its standard error share theirs); when a row would be wider than :data:`WIDTH`, each
    name goes on a line of its own above its numbers."""
    ncol = len(head)
    cols: list[list[str]] = [[str(c[0]) for c in cells]]
    shared_dec = _decimals([v for c in cells for v in c[1:3]])
    for j in range(1, ncol):
        vals = [c[j] for c in cells]
        if j == pcol:
            cols.append([v if isinstance(v, str) else "" if _nan(v) else pvalue_text(v)
                         for v in vals])
        elif j == zcol:
            cols.append(["" if _nan(v) else f"{v:.2f}" for v in vals])
        else:
            d = shared_dec if j in (1, 2) else _decimals(vals)
            cols.append([_cell(v, d) for v in vals])
    widths = [max([len(head[j])] + [len(x) for x in cols[j]]) for j in range(ncol)]
    nums = sum(widths[1:]) + 2 * (ncol - 2)
    split = widths[0] + 2 + nums > WIDTH

    def numbers(vals: list[str]) -> str:
        return "  ".join(v.rjust(w) for v, w in zip(vals, widths[1:]))

    if split:
        out = ([head[0]] if head[0] else []) + [numbers(head[1:]).rstrip(), "-" * nums]
        for i in range(len(cells)):
            out += [cols[0][i], numbers([cols[j][i] for j in range(1, ncol)]).rstrip()]
        return out
    out = [(head[0].ljust(widths[0]) + "  " + numbers(head[1:])).rstrip()]
    out.append("-" * (widths[0] + 2 + nums))
    for i in range(len(cells)):
        out.append((cols[0][i].ljust(widths[0]) + "  "
                    + numbers([cols[j][i] for j in range(1, ncol)])).rstrip())
    return out


def _decimals(vals: list[Any]) -> int | None:
    """At least 4 decimals (as statsmodels prints), more for small values (4 significant
    digits), scientific for tiny ones."""
    d = decimals_for(vals, 4, 8)
    return None if d is None else max(d, 4)


def _cell(v: Any, d: int | None) -> str:
    """``v`` with the column's ``d`` decimals, or scientific (4 significant digits) when those
    decimals would show fewer than two of its digits (a coefficient of 2e-4 beside 8.7)."""
    if _nan(v):
        return ""
    f = float(v)
    if d is not None and f != 0.0 and abs(f) < 10.0 ** (1 - d):
        return f"{f:.3e}"
    return fixed(f, d, 4)


def _nan(v: Any) -> bool:
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return True
