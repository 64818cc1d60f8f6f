"""``GroupedResult``: one fit per group, as a table, with per-group inference."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..._core.checks import arithmetic_guard, check_level
from ..._core.docs import fill_doc
from ..._fit.result import CI_LEVEL_METHOD, Diagnostic, FitResult
from ...errors import DataError, NotFoundError, ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from ..._data.data import Data
    from ..._families.base import Family
    from .layout import Problem

__all__ = ["GroupedResult"]

F = NDArray[np.float64]


class GroupedResult:
    """The result of ``mk.fit(x, family, by=labels)``: one fit per group.

    ``params`` is a pandas DataFrame with a row per group (estimates, standard errors,
    log-likelihood, AIC, convergence, number of observations, the path taken and a status:
    ``ok`` or the reason the group is flagged). ``g[label]`` is the full :class:`FitResult`
    of one group; ``g.ci(...)`` and ``g.compare(...)`` work on every group at once.

    Arrays (one row per group, in label order): ``estimates`` ``(G, k)``, ``se``, ``cov``
    ``(G, k, k)``, ``loglik``, ``n_obs``, ``converged``, ``status``.
    """

    def __init__(self, *, fam: Family, labels: Any, theta: F, se: F, cov: F, hess: F,
                 loglik: F, n_obs: F, n_rows: F, converged: NDArray[np.bool_],
                 iterations: NDArray[np.intp], status: NDArray[Any], message: NDArray[Any],
                 method: NDArray[Any], fixed: dict[str, float], nonregular: tuple[str, ...],
                 cov_type: str, data: Data | None, codes: NDArray[np.intp] | None,
                 problem: Problem | None, options: dict[str, Any] | None = None,
                 results: list[Any] | None = None, refit: Callable[..., GroupedResult] | None = None,
                 subset: Callable[[Data, NDArray[np.intp], int], Data] | None = None) -> None:
        self.dist = fam
        self.family = fam.name
        self.param_names = fam.param_names
        self.labels = labels
        self.estimates = theta
        self.se = se
        self.cov = cov
        self.hess = hess
        self.loglik = loglik
        self.n_obs = n_obs
        self.n_rows = n_rows
        self.converged = converged
        self.iterations = iterations
        self.status = status
        self.message = message
        self.method = method
        self.fixed = dict(fixed)
        self.nonregular = nonregular
        self.cov_type = cov_type
        self.data = data
        self.codes = codes
        self._problem = problem
        self.options = dict(options or {})
        self._results = results
        self._params: pd.DataFrame | None = None
        # injected by the estimator (``fit_groups``), so inference and ``compare`` refit and
        # subset without importing it: ``_refit(fam, data, codes, labels, **options)``
        self._refit = refit
        self._subset = subset

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_results(cls, fam: Family, labels: Any, results: list[Any], fixed: dict[str, float],
                     data: Data, codes: NDArray[np.intp], *,
                     refit: Callable[..., GroupedResult] | None = None,
                     subset: Callable[[Data, NDArray[np.intp], int], Data] | None = None
                     ) -> GroupedResult:
        """Assemble from separate fits (``FitResult`` or the exception a group raised).

        Parameters
        ----------
        fam, labels, fixed
            The family, the group labels and the values held fixed.
        results
            One ``FitResult`` or exception per label.
        data, codes
            All the data and each row's group index (for refits and subsets).
        refit, subset
            How to refit the groups and how to take one group's rows.
        """
        G, k = len(labels), fam.k
        th, se = np.full((G, k), np.nan), np.full((G, k), np.nan)
        cov, H = np.full((G, k, k), np.nan), np.full((G, k, k), np.nan)
        ll, n = np.full(G, np.nan), np.zeros(G)
        conv, it = np.zeros(G, bool), np.zeros(G, np.intp)
        status, msg = np.full(G, "ok", object), np.full(G, "", object)
        method = np.full(G, "", object)
        nrows = np.bincount(codes[codes >= 0], minlength=G).astype(float)
        for i, r in enumerate(results):
            if isinstance(r, Exception):
                status[i], msg[i] = ("too-few-observations" if "observations" in str(r) else "failed",
                                     str(r))
                continue
            th[i] = [r.params[p] for p in fam.param_names]
            se[i] = [r.se[p] for p in fam.param_names]
            cov[i], ll[i], n[i] = r.cov, r.loglik, r.n_obs
            conv[i], it[i], method[i] = r.converged, r.iterations, "separate: " + r.method
            warn = r.warnings
            if warn:
                status[i], msg[i] = warn[0].code, warn[0].message
        return cls(fam=fam, labels=labels, theta=th, se=se, cov=cov, hess=H, loglik=ll, n_obs=n,
                   n_rows=nrows, converged=conv, iterations=it, status=status, message=msg,
                   method=method, fixed=fixed, nonregular=tuple(getattr(fam, "nonregular", ())),
                   cov_type="observed", data=data, codes=codes, problem=None, results=results,
                   refit=refit, subset=subset)

    # ------------------------------------------------------------------ table
    @property
    def n_groups(self) -> int:
        return len(self.labels)

    def __len__(self) -> int:
        return self.n_groups

    def __iter__(self) -> Any:
        return iter(self.labels)

    def keys(self) -> Any:
        """The group labels (``res[label]`` is that group's fit)."""
        return self.labels

    @property
    def n_params(self) -> int:
        return self.dist.k - len(self.fixed)

    @property
    def aic(self) -> F:
        return 2.0 * self.n_params - 2.0 * self.loglik

    @property
    def bic(self) -> F:
        with np.errstate(all="ignore"):
            return self.n_params * np.log(self.n_obs) - 2.0 * self.loglik

    @property
    def params(self) -> pd.DataFrame:
        """A row per group: ``n``, estimates, ``se_<name>``, ``loglik``, ``aic``,
        ``converged``, ``iterations``, ``method``, ``status``, ``message``."""
        if self._params is None:
            import pandas as pd

            cols: dict[str, Any] = {"n": self.n_obs}
            for j, p in enumerate(self.param_names):
                cols[p] = self.estimates[:, j]
            for j, p in enumerate(self.param_names):
                cols[f"se_{p}"] = self.se[:, j]
            cols.update(loglik=self.loglik, aic=self.aic, converged=self.converged,
                        iterations=self.iterations, method=self.method, status=self.status,
                        message=self.message)
            self._params = pd.DataFrame(cols, index=self.labels)
        return self._params

    def to_frame(self) -> pd.DataFrame:
        """The estimates, one row per group (the same as :attr:`params`)."""
        return self.params

    @property
    def flagged(self) -> pd.DataFrame:
        """The groups whose fit is not clean, with the reason."""
        t = self.params
        return t.loc[t["status"] != "ok", ["n", "status", "message"]]

    # ------------------------------------------------------------------ one group
    def _index(self, key: Any) -> int:
        try:
            loc = self.labels.get_loc(key)
        except (KeyError, TypeError):
            sample = ", ".join(repr(v) for v in list(self.labels[:3]))
            raise NotFoundError(f"no group {key!r}; groups are labelled like {sample}, ...") from None
        if not isinstance(loc, (int, np.integer)):
            raise NotFoundError(f"group label {key!r} is not unique")
        return int(loc)

    def __getitem__(self, key: Any) -> FitResult:
        """The full :class:`FitResult` of one group."""
        with arithmetic_guard(f"group {key!r}"):
            return self._group(key)

    def _group(self, key: Any) -> FitResult:
        from ..._fit.assemble import Estimate, finish, finish_degenerate
        from ..._fit.family_fit import FamilyRefit
        from ..._fit.likelihood import Likelihood

        i = self._index(key)
        code = self.status[i]
        if self._results is not None:
            r = self._results[i]
            if isinstance(r, Exception):
                raise DataError(f"group {key!r} has no fit: {r}")
            return r
        if code in ("too-few-observations", "all-censored", "failed"):
            raise DataError(f"group {key!r} has no fit: {self.message[i]}. Hint: see .flagged.")
        assert self.data is not None and self.codes is not None and self._subset is not None
        fam = self.dist
        sub = self._subset(self.data, self.codes, i)
        refit = FamilyRefit(fam, maxiter=self.options.get("maxiter", 200))
        params = dict(zip(self.param_names, (float(v) for v in self.estimates[i])))
        if code == "degenerate":
            return finish_degenerate(fam, sub, params, strict=False, refit=refit)
        nonreg = {p: params[p] for p in self.nonregular}
        inner = {**self.fixed, **nonreg}
        lik = Likelihood(fam, sub, inner)
        diags: list[Diagnostic] = []
        if code == "nonconvergence":
            diags.append(Diagnostic("nonconvergence", str(self.message[i]), "warning"))
        elif code == "boundary" and not any(
                m == self.message[i] for _, m, _, _ in
                fam._fit_diagnostics(params, sub, bool(self.converged[i]), dict(self.fixed))):
            # (a finding of the family's own, which ``finish`` reports again, is not repeated)
            name = str(self.message[i]).split(" = ")[0]
            diags.append(Diagnostic("boundary", str(self.message[i]), "warning",
                                    name if name in params else None))
        free = [j for j, p in enumerate(self.param_names) if p not in inner]
        _, g, H = lik.evaluate(tuple(params[p] for p in self.param_names), 2)
        grad = float(np.max(np.abs(g[free]))) if free else 0.0
        est = Estimate(params, float(self.loglik[i]), H, str(self.method[i]),
                       int(self.iterations[i]), grad, bool(self.converged[i]), diags)
        return finish(fam, sub, lik, est, fixed=dict(self.fixed), nonreg=nonreg, strict=False,
                      cov_kind=self.options.get("cov", "observed"), refit=refit)

    # ------------------------------------------------------------------ inference
    @fill_doc(level_method=CI_LEVEL_METHOD)
    def ci(self, level: float = 0.95, method: str = "wald", **kwargs: Any) -> pd.DataFrame:
        """Confidence intervals for every group: a DataFrame with ``<name>_lower`` and
        ``<name>_upper`` columns. ``method``: ``"wald"``, ``"wald-log"``, ``"profile"``
        (vectorised across groups) or ``"bootstrap"`` (resampling within groups;
        ``n_boot=``, ``rng=``).

        Parameters
        ----------
        {level_method}
        **kwargs
            Options of the method (``n_boot=``, ``rng=`` for the bootstrap).
        """
        import pandas as pd

        lv = check_level(level)
        m = str(method).lower()
        if m in ("wald", "wald-log"):
            if kwargs:
                raise ParameterError(f"ci(method={m!r}) takes no options; got {', '.join(kwargs)}.")
            lo, hi = self._wald(lv, log=m == "wald-log")
        elif m == "profile":
            from .infer import profile_ci

            lo, hi = profile_ci(self, lv, **kwargs)
        elif m == "bootstrap":
            from .infer import bootstrap_ci

            lo, hi = bootstrap_ci(self, lv, **kwargs)
        else:
            raise ParameterError(f"method must be one of wald, wald-log, profile, bootstrap; "
                                 f"got {method!r}.")
        cols: dict[str, Any] = {}
        for j, p in enumerate(self.param_names):
            cols[f"{p}_lower"], cols[f"{p}_upper"] = lo[:, j], hi[:, j]
        out = pd.DataFrame(cols, index=self.labels)
        if m == "wald":
            self._log_where_crossing(out, lv)
        return out

    def _log_where_crossing(self, out: pd.DataFrame, level: float) -> None:
        """As a single fit's ``ci()``: a positive parameter whose natural-scale Wald interval
        would go below 0 gets the log-scale (wald-log) interval in that group. Recorded in
        ``out.attrs``: ``"crosses_zero"`` (parameter -> group labels), ``"natural"``
        (parameter -> {label: (lower, upper)} on the natural scale) and a ``"note"``."""
        lo_log, hi_log = self._wald(level, log=True)
        crossing: dict[str, list[Any]] = {}
        natural: dict[str, dict[Any, tuple[float, float]]] = {}
        for j, (p, d) in enumerate(zip(self.param_names, self.dist.domains)):
            if p in self.fixed or not (d.lower == 0.0 and math.isinf(d.upper)):
                continue
            lo_c, hi_c = out[f"{p}_lower"].to_numpy(), out[f"{p}_upper"].to_numpy()
            bad = np.flatnonzero((lo_c < 0.0) & (self.estimates[:, j] > 0))
            if not bad.size:
                continue
            labels = out.index[bad].tolist()
            crossing[p] = labels
            natural[p] = {lab: (float(lo_c[i]), float(hi_c[i])) for lab, i in zip(labels, bad)}
            lo_c, hi_c = lo_c.copy(), hi_c.copy()
            lo_c[bad], hi_c[bad] = lo_log[bad, j], hi_log[bad, j]
            out[f"{p}_lower"], out[f"{p}_upper"] = lo_c, hi_c
        if crossing:
            parts = "; ".join(f"{p} in {len(g)} group{'s' * (len(g) > 1)} (first {g[0]!r})"
                              for p, g in crossing.items())
            out.attrs["crosses_zero"] = crossing
            out.attrs["natural"] = natural
            out.attrs["note"] = (f"the Wald interval on the natural scale would go below 0 for a "
                                 f"positive parameter: {parts}; the log-scale (wald-log) interval "
                                 "is given there (it stays above 0, but is unreliable too). "
                                 "Hint: ci(method='profile').")

    def _wald(self, level: float, log: bool) -> tuple[F, F]:
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + level / 2))
        th, se = self.estimates, self.se
        lo, hi = th - z * se, th + z * se
        if log:
            for j, d in enumerate(self.dist.domains):
                if d.lower == 0.0 and math.isinf(d.upper):
                    with np.errstate(all="ignore"):
                        f = np.exp(z * se[:, j] / th[:, j])
                    lo[:, j], hi[:, j] = th[:, j] / f, th[:, j] * f
        for j, p in enumerate(self.param_names):
            if p in self.fixed:
                lo[:, j] = hi[:, j] = th[:, j]
        return lo, hi

    def compare(self, *families: Any, criterion: str = "aic") -> pd.DataFrame:
        """Fit other families to the same groups and compare them group by group.

        Returns a DataFrame with, per family, the log-likelihood and the criterion
        (``"aic"``, ``"bic"``), the best family of each group and its weight (Akaike weight
        for AIC).

        Parameters
        ----------
        *families
            The other families (names or objects); this result's family is included.
        criterion
            ``"aic"`` or ``"bic"``.
        """
        import pandas as pd

        from ..._families.base import get_family

        if criterion not in ("aic", "bic"):
            raise ParameterError(f"criterion must be 'aic' or 'bic'; got {criterion!r}.")
        if self.data is None or self.codes is None or self._refit is None:
            raise ParameterError("compare needs the grouped data; this result has none.")
        fits: list[GroupedResult] = [self]
        for f in families:
            if isinstance(f, GroupedResult):
                fits.append(f)
                continue
            fam = get_family(f)
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fits.append(self._refit(fam, self.data, self.codes, self.labels,
                                       maxiter=self.options.get("maxiter", 200),
                                       nan_policy=self.options.get("nan_policy", "raise")))
        cols: dict[tuple[str, str], Any] = {}
        crit = []
        for r in fits:
            c = getattr(r, criterion)
            c = np.where(r.status == "ok", c, np.nan)
            crit.append(c)
            cols[(r.family, "loglik")] = r.loglik
            cols[(r.family, criterion)] = c
            cols[(r.family, "status")] = r.status
        C = np.column_stack(crit)
        allnan = np.isnan(C).all(axis=1)
        best = np.where(allnan, -1, np.nanargmin(np.where(allnan[:, None], 0.0, C), axis=1))
        names = np.array([r.family for r in fits] + [""], dtype=object)
        with np.errstate(all="ignore"):
            d = C - np.nanmin(np.where(allnan[:, None], 0.0, C), axis=1, keepdims=True)
            wts = np.exp(-0.5 * d)
            wts = wts / np.nansum(wts, axis=1, keepdims=True)
        out = pd.DataFrame(cols, index=self.labels)
        out[("best", "family")] = names[best]
        out[("best", "weight")] = np.where(allnan, np.nan,
                                           np.take_along_axis(wts, np.maximum(best, 0)[:, None],
                                                              axis=1)[:, 0])
        out.columns = pd.MultiIndex.from_tuples(out.columns)
        return out

    # ------------------------------------------------------------------ rendering
    def summary(self) -> str:
        """A printed overview: groups fitted and flagged, methods, each estimate's median and range."""
        ok = int((self.status == "ok").sum())
        lines = [f"mlekit grouped fit · {type(self.dist).__name__}({', '.join(self.param_names)})",
                 f"groups       {self.n_groups} ({ok} ok, {self.n_groups - ok} flagged)",
                 f"observations {float(np.sum(self.n_obs)):g}"]
        meth, cnt = np.unique(self.method.astype(str), return_counts=True)
        lines.append("method       " + ", ".join(f"{m or '-'} ({c})" for m, c in zip(meth, cnt)))
        if ok < self.n_groups:
            kinds, c2 = np.unique(self.status[self.status != "ok"].astype(str), return_counts=True)
            lines.append("flagged      " + ", ".join(f"{k} ({c})" for k, c in zip(kinds, c2)))
        okm = self.status == "ok"
        if okm.any():
            for j, p in enumerate(self.param_names):
                v = self.estimates[okm, j]
                q = np.quantile(v, [0.0, 0.5, 1.0])
                lines.append(f"{p:<12} median {q[1]:.6g} (range {q[0]:.6g} … {q[2]:.6g})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        ok = int((self.status == "ok").sum())
        return (f"GroupedResult({self.family}: {self.n_groups} groups, {ok} ok, "
                f"{self.n_groups - ok} flagged)")

    def _repr_html_(self) -> str:
        from ..._core.htmlview import view

        lines = self.summary().splitlines()
        rows = []
        for i in range(min(self.n_groups, 20)):
            rows.append([str(self.labels[i]), f"{self.n_obs[i]:g}"]
                        + [f"{v:.6g}" for v in self.estimates[i]] + [str(self.status[i])])
        notes = [("info", f"… {self.n_groups - 20} more groups (.params has them all)")] \
            if self.n_groups > 20 else []
        return view("grouped", f"Grouped fit: {type(self.dist).__name__}, {self.n_groups} groups",
                    [ln.strip() for ln in lines[1:4]], ["group", "n", *self.param_names, "status"],
                    rows, notes)
