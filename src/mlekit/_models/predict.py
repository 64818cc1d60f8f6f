"""``RegressionResult``: a :class:`FitResult` of :func:`mlekit.regress` that predicts.

``r.predict(new_df)`` gives every parameter per row (a DataFrame: the regression coordinates
and the family's natural parameters). ``r.predict(new_df, what="quantile", q=0.1, ci="wald")``
gives a derived quantity per row — ``"quantile"`` (``q=``), ``"median"``, ``"mean"``, ``"sf"``,
``"cdf"``, ``"pdf"``, ``"hazard"`` (``x=``: a number, a column name or an array) or one parameter
by name — with ``ci="wald"`` (or ``ci=True``) delta-method intervals computed on the quantity's natural link
scale (log for positive quantities, logit for probabilities) from the coefficients' covariance,
or ``ci="profile"`` profile-likelihood intervals (the extremes of the row's quantity over the
likelihood region; one constrained optimisation per row and quantity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, cast

import numpy as np
from scipy.stats import norm

from .._core.domains import Domain, Positive, Real, UnitInterval
from .._fit.result import FitResult, check_level
from ..errors import DataError, ParameterError

__all__ = ["RegressionResult"]

_WHAT = ("params", "quantile", "median", "mean", "sf", "cdf", "pdf", "hazard")


@dataclass(frozen=True, eq=False)
class RegressionResult(FitResult):
    """The result of :func:`mlekit.regress` (a :class:`FitResult` with :meth:`predict`)."""

    model: Any = field(default=None, repr=False)

    @classmethod
    def wrap(cls, res: FitResult, model: Any, likelihood: Any) -> RegressionResult:
        kw = {f.name: getattr(res, f.name) for f in fields(FitResult)}
        seen: set[tuple[str, str | None]] = set()
        diags = []
        for d in res.diagnostics:     # one boundary finding per parameter
            key = (d.code, d.param)
            if d.code == "boundary" and key in seen:
                continue
            seen.add(key)
            diags.append(d)
        kw["diagnostics"] = tuple(diags)
        kw["likelihood"] = likelihood
        return cls(**kw, model=model)

    # ------------------------------------------------------------------ tests and summary
    def summary(self, level: float = 0.95, ci: str = "wald") -> Any:
        """Per coefficient: estimate, SE, Wald z and p, the ``level`` interval (``ci``: "wald"
        or "profile") and exp(coef) where it is a rate/odds/time/hazard ratio; the header has
        n, events, log-likelihood, AIC/BIC and the LR test against the intercept-only model
        (:mod:`mlekit._models.regsummary`). Prints in 80 columns; ``_repr_html_`` in Jupyter."""
        from .regsummary import RegressionSummary

        return RegressionSummary(self, level=check_level(level), ci_method=ci)

    def tests(self, level: float = 0.95, ci: str = "wald") -> Any:
        """A DataFrame indexed by coefficient: ``estimate, se, z, p_value, ci_low, ci_high,
        exp_estimate, exp_ci_low, exp_ci_high`` (NaN where exp(coef) is not an effect on the
        natural scale) and ``effect`` (what exp(coef) is: "rate ratio", "odds ratio", ...)."""
        from .regsummary import tests_frame

        return tests_frame(self, check_level(level), ci)

    # ------------------------------------------------------------------ nesting (lr_test)
    def lr_nesting(self, other: Any) -> tuple[int, int, str, tuple[str, ...]] | None:
        """When ``other`` (a regression on the same data) is nested in this one:
        ``(df, boundary, hypothesis, boundary parameters)``; else None."""
        from .._families.wrappers import Hurdle, Wrapped

        om = getattr(other, "model", None)
        if om is None or self.model is None or other is self:
            return None
        big, small = self.model, om
        bf, sf = big.fam, small.fam
        extra: list[Any] = []
        if bf.name == sf.name:
            pass
        elif isinstance(bf, Wrapped) and bf.base.name == sf.name:
            extra = [c for c in big.coords if c.name == bf.extra]
        else:
            return None
        bnames = set(self.params)
        by_name = {c.name: c for c in big.coords}
        for c in small.coords:
            bc = by_name.get(c.name)
            if bc is None:
                return None
            if c.X is None:
                want = [c.name] if bc.X is None else [f"{c.name}:Intercept"]
            else:
                want = list(c.cols)
            if not set(want) <= bnames:
                return None
        df = self.n_params - other.n_params
        if df <= 0:
            return None
        boundary, bp = 0, cast("tuple[str, ...]", ())
        note = "coefficients = 0"
        if extra:
            if extra[0].X is not None:
                return None     # a linked zero part reaches the base model only at -inf
            if not (isinstance(bf, Hurdle) and bf.discrete):
                boundary, bp = 1, (bf.extra,)
                note = f"{bf.extra} = 0, boundary"
            else:
                note = "zero_prob = f(0)"
        return df, boundary, f"{other.family} within {self.family} ({note})", bp

    def same_data(self, other: Any) -> bool | None:
        """Whether ``other`` (a regression) was fitted to the same responses, censoring,
        weights and truncation windows; None when ``other`` is not a regression."""
        om = getattr(other, "model", None)
        m = self.model
        if om is None or m is None or not hasattr(om, "resp"):
            return None
        if m.resp.n != om.resp.n or len(m.resp.groups) != len(om.resp.groups):
            return False

        def same(a: Any, b: Any) -> bool:
            if a is None or b is None:
                return a is None and b is None
            return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))

        for (ka, ia, ba), (kb, ib, bb) in zip(m.resp.groups, om.resp.groups):
            if ka != kb or not same(ia, ib) or not same(ba.x, bb.x) or not same(ba.hi, bb.hi):
                return False
        wa, wb = m.window_rows, om.window_rows
        if (wa is None) != (wb is None) or (wa is not None and not all(
                same(a, b) for a, b in zip(wa, wb))):
            return False
        return same(m.w, om.w)

    # ------------------------------------------------------------------ checks of the model
    def residuals(self, kind: str, *, rng: Any = 0) -> np.ndarray:
        """Residuals, one per fitted row (a numpy array in the order of ``r.predict()``'s
        rows): ``kind`` = ``"response"``, ``"pearson"``, ``"deviance"`` (GLM families),
        ``"cox-snell"``, ``"martingale"`` (continuous responses, censored or not) or
        ``"quantile"`` (randomised quantile residuals, any family; ``rng`` seeds the draws).
        Definitions: :mod:`mlekit._models.residuals`."""
        from .residuals import residuals

        return residuals(self, kind, rng)

    def influence(self) -> Any:
        """A DataFrame per fitted row: ``leverage``, ``cooks_distance`` and one
        ``dfbeta_<coefficient>`` column per coefficient (the one-step change
        ``estimate - estimate without the row``). Definitions: :mod:`mlekit._models.influence`."""
        from .influence import influence

        return influence(self)

    # ------------------------------------------------------------------ prediction
    def predict(self, new: Any = None, what: str = "params", *, q: Any = None, x: Any = None,
                ci: str | bool | None = None, level: float = 0.95, offset: Any = None,
                exposure: Any = None) -> Any:
        """Per-row predictions on ``new`` (a DataFrame; a design matrix for ``X=`` fits; None:
        the fitted rows) — see the module docstring."""
        import pandas as pd

        if what not in _WHAT and what not in self._coord_names():
            raise ParameterError(f"what must be one of {', '.join(_WHAT)} or a parameter "
                                 f"({', '.join(self._coord_names())}); got {what!r}.")
        if ci is True or ci is False:
            ci = "wald" if ci else None
        if ci not in (None, "wald", "profile"):
            raise ParameterError(f"ci must be None, True (= 'wald'), 'wald' or 'profile'; got "
                                 f"{ci!r}.")
        lv = check_level(level)
        Xs, offs, index = self._designs(new, offset, exposure)
        n = len(index)
        if what in ("sf", "cdf", "pdf", "hazard") and x is None:
            raise ParameterError(f"what={what!r} needs x= (a value, column name or array).")
        xv = self._arg(x, new, n, "x") if what in ("sf", "cdf", "pdf", "hazard") else None
        if what == "quantile":
            if q is None:
                raise ParameterError("what='quantile' needs q= (a probability such as 0.1).")
            qv = self._arg(q, new, n, "q")
            if not np.all((qv > 0) & (qv < 1)):
                raise ParameterError(f"q must lie strictly between 0 and 1 (e.g. 0.1); got {q!r}.")
        else:
            qv = None
        beta = np.array([self.params[p] for p in self.model.names])

        def quantities(b: np.ndarray) -> dict[str, tuple[np.ndarray, Domain]]:
            return self._quantities(b, Xs, offs, n, what, qv, xv)

        est = quantities(beta)
        out = pd.DataFrame(index=index)
        for k, (v, _) in est.items():
            out[k] = v
        if ci is None:
            return out
        if ci == "profile":
            return self._profile_columns(out, est, beta, Xs, offs, n, what, qv, xv, lv)
        C = np.asarray(self.cov, dtype=float)
        if not np.all(np.isfinite(C)):
            raise ParameterError("Wald intervals need the coefficients' covariance; this fit has "
                                 "none (see its diagnostics).")
        z = float(norm.ppf(0.5 + lv / 2.0))
        free = [i for i, p in enumerate(self.model.names) if p not in self.fixed]
        for k, (v, dom) in est.items():
            t0 = np.asarray(dom.to_unconstrained(np.clip(v, *_inside(dom))), dtype=float)
            J = np.zeros((n, len(beta)))
            for i in free:
                h = 1e-5 * max(1.0, abs(beta[i])) * max(1.0, math.sqrt(C[i, i]) * 10)
                h = min(h, 0.1 * math.sqrt(C[i, i])) if C[i, i] > 0 else h
                bp, bm = beta.copy(), beta.copy()
                bp[i] += h
                bm[i] -= h
                up = np.asarray(dom.to_unconstrained(np.clip(quantities(bp)[k][0], *_inside(dom))))
                dn = np.asarray(dom.to_unconstrained(np.clip(quantities(bm)[k][0], *_inside(dom))))
                J[:, i] = (up - dn) / (2 * h)
            se_t = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", J, C, J), 0.0))
            lo = dom.from_unconstrained(t0 - z * se_t)
            hi = dom.from_unconstrained(t0 + z * se_t)
            name = "" if k == "estimate" else f"{k}_"
            out[f"{name}lower"] = lo
            out[f"{name}upper"] = hi
        return out

    def _profile_columns(self, out: Any, est: dict[str, Any], beta: np.ndarray, Xs: list[Any],
                         offs: list[Any], n: int, what: str, qv: Any, xv: Any, lv: float) -> Any:
        """Profile-likelihood intervals per row: the extremes of the row's quantity over the
        likelihood region (``res.derived(fn, method="profile")``; one optimisation per row)."""
        names = self.model.names
        for k in est:
            lo, hi = np.empty(n), np.empty(n)
            for i in range(n):
                Xi = [None if X is None else X[i:i + 1] for X in Xs]
                oi = [None if o is None else np.asarray(o)[i:i + 1] for o in offs]
                qi = None if qv is None else qv[i:i + 1]
                xi = None if xv is None else xv[i:i + 1]

                def fn(p: dict[str, float], Xi: Any = Xi, oi: Any = oi, qi: Any = qi,
                       xi: Any = xi, k: str = k) -> float:
                    b = np.array([p[nm] for nm in names])
                    return float(self._quantities(b, Xi, oi, 1, what, qi, xi)[k][0][0])

                d = self.derived(fn, name=k, method="profile", level=lv)
                lo[i], hi[i] = d.ci
            name = "" if k == "estimate" else f"{k}_"
            out[f"{name}lower"] = lo
            out[f"{name}upper"] = hi
        return out

    def _coord_names(self) -> list[str]:
        m = self.model
        names = [c.name for c in m.coords]
        return names + [p for p in m.fam.param_names if p not in names]

    def _designs(self, new: Any, offset: Any, exposure: Any
                 ) -> tuple[list[np.ndarray | None], list[Any], Any]:
        m = self.model
        if new is None:
            return [c.X for c in m.coords], [c.offset for c in m.coords], range(m.n)
        Xs: list[np.ndarray | None] = []
        index = None
        for c in m.coords:
            if c.X is None:
                Xs.append(None)
                continue
            if c.spec is None:
                try:
                    Xa = np.asarray(new, dtype=float)
                except (TypeError, ValueError):
                    raise DataError(f"new must be a numeric design matrix with the {c.X.shape[1]} "
                                    f"columns of the fit; got non-numeric values "
                                    f"({type(new).__name__}).") from None
                Xa = Xa[:, None] if Xa.ndim == 1 else Xa
                if Xa.ndim != 2 or Xa.shape[1] != c.X.shape[1]:
                    raise DataError(f"new must have the {c.X.shape[1]} design columns of the fit; "
                                    f"got shape {Xa.shape}.")
                index = range(Xa.shape[0])
            else:
                import pandas as pd

                try:
                    df = new if isinstance(new, pd.DataFrame) else pd.DataFrame(new)
                except (TypeError, ValueError):
                    raise DataError(f"new must be a DataFrame (or a dict of columns) with the "
                                    f"formula's columns; got {type(new).__name__}.") from None
                try:
                    mm = c.spec.get_model_matrix(df, na_action="ignore")
                except Exception as exc:  # formulaic's private error types
                    raise DataError(f"the new data do not fit the formula of {c.name}: {exc}") \
                        from None
                Xa = np.asarray(mm, dtype=float)
                index = df.index
            Xs.append(Xa)
        n = len(index) if index is not None else 1
        off = None
        if offset is not None:
            off = self._arg(offset, new, n, "offset")
        if exposure is not None:
            ev = self._arg(exposure, new, n, "exposure")
            if not np.all(ev > 0):
                raise DataError(f"exposure must be positive (it enters as log(exposure)); got "
                                f"{int(np.sum(~(ev > 0)))} values <= 0 or NaN.")
            e = np.log(ev)
            off = e if off is None else off + e
        if off is None and m.coords[0].offset is not None:
            raise ParameterError("this fit has an offset/exposure: pass offset= or exposure= for "
                                 "the new rows.")
        offs = [off] + [None] * (len(m.coords) - 1)
        return Xs, offs, index if index is not None else range(1)

    @staticmethod
    def _arg(v: Any, new: Any, n: int, what: str) -> np.ndarray:
        if isinstance(v, str):
            if new is None or v not in new:
                raise DataError(f"{what}={v!r} is not a column of the new data.")
            v = new[v]
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise DataError(f"{what} must be numbers (a value, a column name or an array); got "
                            f"non-numeric values.") from None
        if a.ndim == 0:
            return np.full(n, float(a))
        if a.shape != (n,):
            raise DataError(f"{what} must be a number or one value per row ({n}); got shape "
                            f"{a.shape}.")
        return a

    def _quantities(self, b: np.ndarray, Xs: list[Any], offs: list[Any], n: int, what: str,
                    q: Any, x: Any) -> dict[str, tuple[np.ndarray, Domain]]:
        m = self.model
        fam = m.fam
        cv = m.coord_values(b, X=Xs, offsets=offs)
        rho = [np.broadcast_to(np.asarray(c[0], dtype=float), (n,)) for c in cv]
        theta = [np.broadcast_to(np.asarray(t, dtype=float), (n,)) for t in m.natural(rho)]
        params: dict[str, tuple[np.ndarray, Domain]] = {}
        for c, r in zip(m.coords, rho):
            params[c.name] = (np.array(r), c.domain)
        for p, d, t in zip(fam.param_names, fam.domains, theta):
            params.setdefault(p, (np.array(t), d))
        if what == "params":
            return params
        if what in params and what not in _WHAT:
            return {what: params[what]}
        th = tuple(theta)
        with np.errstate(all="ignore"):
            if what in ("quantile", "median"):
                qq = q if what == "quantile" else np.full(n, 0.5)
                v = np.asarray(fam._ppf(qq, th), dtype=float)
                dom: Domain = Positive if fam.support.lower >= 0 and np.all(v > 0) else Real
            elif what == "mean":
                v = _mean(fam, th)
                dom = Positive if np.all(v > 0) else Real
            elif what in ("sf", "cdf"):
                v = np.exp(fam._logsf(x, th, None) if what == "sf" else fam._logcdf(x, th, None))
                dom = UnitInterval
            elif what == "pdf":
                v = np.exp(fam._logpdf_safe(x, th))
                dom = Positive
            else:
                v = np.exp(fam._logpdf_safe(x, th) - fam._logsf(x, th, None))
                dom = Positive
        return {"estimate": (np.asarray(v, dtype=float), dom)}


def _inside(dom: Domain) -> tuple[float, float]:
    lo, hi = dom.lower, dom.upper
    eps = 1e-300
    return (lo + eps if math.isfinite(lo) else -np.inf,
            hi - 1e-16 * max(1.0, abs(hi)) if math.isfinite(hi) else np.inf)


def _mean(fam: Any, th: tuple[Any, ...]) -> np.ndarray:
    from .._families.wrappers import Cure, Hurdle, Wrapped

    if isinstance(fam, Wrapped):
        bth, p = th[:-1], th[-1]
        bm = _mean(fam.base, bth)
        if isinstance(fam, Cure):
            return np.where(p > 0, np.inf, bm)
        if isinstance(fam, Hurdle) and fam.discrete:
            f0 = np.exp(fam.base._logpdf(np.zeros_like(p), bth, None))
            return (1.0 - p) * bm / (1.0 - f0)
        return (1.0 - p) * bm
    return np.asarray(fam._scipy(th).mean(), dtype=float)

