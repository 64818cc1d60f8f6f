"""``Summary``: the text, HTML and dict renderings of a fit."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.checks import fmt

if TYPE_CHECKING:
    from .result import FitResult

__all__ = ["Summary"]


def _json_num(v: float) -> float | str | None:
    if v is None:
        return None
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


class Summary:
    """A fit's summary: ``str()`` for terminals, ``_repr_html_()`` for Jupyter,
    ``to_dict()`` for JSON."""

    def __init__(self, res: FitResult, level: float = 0.95, ci_method: str = "wald") -> None:
        self.res = res
        self.level = level
        self.ci_method = ci_method
        self.ci = res.ci(level=level, method=ci_method) if res.method != "degenerate" else {
            p: (math.nan, math.nan) for p in res.params}
        self.extra_notes = self._honesty_notes()
        # how simulated intervals were made, so that they can be repeated (seed, replicates)
        self.ci_options: dict[str, Any] = (
            {"n_boot": 2000, "seed": 0, "kind": "parametric", "interval": "percentile"}
            if ci_method == "bootstrap" else {})

    def _honesty_notes(self) -> list[str]:
        """Small-sample honesty: when the Wald intervals shown are far from the profile ones
        (and the small-sample note does not already say to prefer the profile), say so."""
        r = self.res
        if self.ci_method not in ("wald", "wald-log") or r.method == "degenerate":
            return []
        if any(d.code == "small-sample" for d in r.diagnostics):
            return []
        from .._inference.profile import nonquadratic_notes
        from ..errors import MlekitError

        try:
            return nonquadratic_notes(r, self.level, self.ci)
        except (MlekitError, ArithmeticError, ValueError, np.linalg.LinAlgError):
            return []

    # ------------------------------------------------------------------ pieces
    def _data_line(self) -> str:
        d = self.res.data
        if d is None:
            return f"n = {self.res.n_obs:g}"
        parts = []
        for kind, label in (("exact", "exact"), ("left", "left-censored"),
                            ("right", "right-censored"), ("interval", "interval-censored")):
            c = d.count(kind)
            if c:
                parts.append(f"{c:g} {label}")
        extra = ""
        if d.has_weights:
            extra += f", {d.n_rows} weighted rows"
        if d.truncation is not None:
            extra += f", truncated to [{fmt(d.truncation[0])}, {fmt(d.truncation[1])}]"
        elif d.row_truncated:
            extra += ", truncated per row"
        if d.n_dropped:
            extra += f", {d.n_dropped} missing dropped"
        return f"n = {self.res.n_obs:g} ({', '.join(parts)}{extra})"

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for p, v in self.res.params.items():
            lo, hi = self.ci[p]
            se = self.res.se[p]
            note = "fixed" if p in self.res.fixed else ""
            if not note and any(d.param == p and d.code in ("boundary", "nonregular")
                                for d in self.res.diagnostics):
                note = next(d.code for d in self.res.diagnostics
                            if d.param == p and d.code in ("boundary", "nonregular"))
            rows.append((p, fmt(v), "" if p in self.res.fixed else fmt(se),
                         "" if p in self.res.fixed else f"{fmt(lo)} … {fmt(hi)}", note))
        return rows

    def _notes(self) -> list[tuple[str, str]]:
        return [(d.severity, d.message) for d in self.res.diagnostics] + \
            [("warning", m) for m in self.extra_notes]

    # ------------------------------------------------------------------ text
    def __str__(self) -> str:
        r = self.res
        fam = type(r.dist).__name__
        head = f"mlekit fit · {fam}({', '.join(r.params)})"
        lines = [head, "=" * max(len(head), 60)]
        lines.append(f"data         {self._data_line()}")
        lines.append(f"method       {r.method}"
                     + (f", {r.iterations} iterations" if r.iterations else ""))
        lines.append(f"converged    {'yes' if r.converged else 'NO'}")
        lines.append(f"log-lik      {fmt(r.loglik, 10)}")
        pen = self._penalty()
        if pen:
            lines.append(f"{pen[0]:<13}{pen[1]}; penalised log-lik {fmt(r.penalised_loglik, 10)} "
                         "(AIC etc. use the plain log-lik)")
        lines.append(f"AIC {fmt(r.aic, 8)}   AICc {fmt(r.aicc, 8)}   BIC {fmt(r.bic, 8)}   "
                     f"k = {r.n_params}")
        lines.append("")
        pct = f"{self.level * 100:g}% CI ({self.ci_method})"
        table = [("parameter", "estimate", "std. error", pct, "")] + self._rows()
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        for j, row in enumerate(table):
            cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in (1, 2)] + \
                    [row[3].center(widths[3]) if j == 0 else row[3].rjust(widths[3]), row[4]]
            lines.append("  ".join(cells).rstrip())
            if j == 0:
                lines.append("-" * len("  ".join(cells).rstrip()))
        notes = self._notes()
        if notes:
            lines.append("")
            for sev, msg in notes:
                lines.append(("! " if sev == "warning" else "· ") + msg)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _penalty(self) -> tuple[str, str] | None:
        """``("penalty" | "prior", description)`` of a penalised / MAP fit."""
        o = self.res.options
        if "prior" in o:
            return "prior", ", ".join(f"{p} ~ {d}" for p, d in o["prior"].items())
        if "penalty" in o:
            return "penalty", str(o["penalty"])
        return None

    # ------------------------------------------------------------------ html
    def _repr_html_(self) -> str:
        from .._core.htmlview import view

        r = self.res
        status = "converged" if r.converged else "NOT converged"
        facts = [self._data_line(), f"{r.method} · {status}",
                 f"log-lik {fmt(r.loglik, 10)} · AIC {fmt(r.aic, 8)} · BIC {fmt(r.bic, 8)} · "
                 f"k = {r.n_params}"]
        pen = self._penalty()
        if pen:
            facts.append(f"{' '.join(pen)} · penalised log-lik {fmt(r.penalised_loglik, 10)}")
        rows = [[p, v, se, ci, note] for p, v, se, ci, note in self._rows()]
        return view("fit", f"{type(r.dist).__name__} fit", facts,
                    ["parameter", "estimate", "std. error",
                     f"{self.level * 100:g}% CI ({self.ci_method})", ""], rows, self._notes())

    # ------------------------------------------------------------------ dict
    def to_dict(self) -> dict[str, Any]:
        r = self.res
        pen = self._penalty()
        extra: dict[str, Any] = {} if pen is None else {
            pen[0]: r.options[pen[0]], "penalised_loglik": _json_num(r.penalised_loglik)}
        return {
            "family": r.family,
            "params": {p: _json_num(v) for p, v in r.params.items()},
            "se": {p: _json_num(v) for p, v in r.se.items()},
            "ci": {p: [_json_num(a), _json_num(b)] for p, (a, b) in self.ci.items()},
            "ci_level": self.level,
            "ci_method": self.ci_method,
            **({"bootstrap": dict(self.ci_options)} if self.ci_options else {}),
            "loglik": _json_num(r.loglik),
            "aic": _json_num(r.aic),
            "aicc": _json_num(r.aicc),
            "bic": _json_num(r.bic),
            "n_obs": _json_num(r.n_obs),
            "n_params": r.n_params,
            "fixed": {p: _json_num(v) for p, v in r.fixed.items()},
            "converged": r.converged,
            "method": r.method,
            "iterations": r.iterations,
            "cov_type": r.cov_type,
            "cov": [[_json_num(c) for c in row] for row in r.cov.tolist()],
            "diagnostics": [{"code": d.code, "severity": d.severity, "message": d.message,
                             "param": d.param} for d in r.diagnostics],
            **extra,
        }
