"""Benchmark: ``mk.regress`` against statsmodels.

1. Poisson regression, n = 1e6 rows, 10 covariates + intercept: ``mk.regress(y=, X=,
   family="poisson")`` vs ``statsmodels.GLM(y, X, Poisson()).fit()`` (IRLS).
2. Zero-inflated negative binomial on pscl's ``bioChemists`` (915 rows; count part
   ``fem + mar + kid5 + phd + ment``, zero part ``~ ment``): ``mk.regress(...,
   mk.ZeroInflated("negative_binomial"), formulas={"zero_prob": "~ ment"})`` vs
   ``statsmodels ZeroInflatedNegativeBinomialP(...).fit()`` (its default: BFGS from a
   Poisson/NB start) — and the log-likelihood each reaches.

Each tool is run once untimed (imports, first-call costs), then timed as the best of
``repeats`` runs (default 3).

    PYTHONPATH=src python bench/bench_regression.py [repeats]
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import mlekit as mk

BIO = Path(__file__).resolve().parents[1] / "tests/reference/round2/data/bioChemists.csv"


def best_of(fn, repeats: int) -> tuple[float, object]:
    fn()
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def interleaved(fa, fb, repeats: int) -> tuple[float, object, float, object]:
    """Best times of two tools run alternately (a shared machine's load hits both alike)."""
    fa(), fb()
    ta = tb = float("inf")
    oa = ob = None
    for _ in range(repeats):
        t = time.perf_counter()
        oa = fa()
        ta = min(ta, time.perf_counter() - t)
        t = time.perf_counter()
        ob = fb()
        tb = min(tb, time.perf_counter() - t)
    return ta, oa, tb, ob


def poisson(repeats: int) -> None:
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    n, p = 1_000_000, 10
    X = np.column_stack([np.ones(n), rng.normal(size=(n, p)) * 0.3])
    beta = np.r_[0.5, rng.normal(0, 0.3, p)]
    y = rng.poisson(np.exp(X @ beta)).astype(float)
    t_mk, r = best_of(lambda: mk.regress(y=y, X=X, family="poisson"), repeats)
    t_sm, g = best_of(lambda: sm.GLM(y, X, family=sm.families.Poisson()).fit(), repeats)
    dmax = max(abs(r.params[f"x{j + 1}"] - g.params[j]) / g.bse[j] for j in range(p + 1))
    print(f"Poisson regression n = {n:.0e}, {p} covariates + intercept")
    print(f"  mlekit      {t_mk:7.3f} s   loglik {r.loglik:.6f}")
    print(f"  statsmodels {t_sm:7.3f} s   loglik {g.llf:.6f}")
    print(f"  ratio statsmodels / mlekit = {t_sm / t_mk:.2f}; max |coef diff| = {dmax:.1e} SE")


def zinb(repeats: int) -> None:
    from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP

    bio = pd.read_csv(BIO)
    cols = ["fem", "mar", "kid5", "phd", "ment"]
    fam = mk.ZeroInflated("negative_binomial")

    def ours() -> mk.FitResult:
        return mk.regress("art ~ fem + mar + kid5 + phd + ment", bio, fam,
                          formulas={"zero_prob": "~ ment"})

    exog = np.column_stack([np.ones(len(bio)), bio[cols].to_numpy(float)])
    infl = np.column_stack([np.ones(len(bio)), bio["ment"].to_numpy(float)])

    def theirs() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = ZeroInflatedNegativeBinomialP(bio["art"].to_numpy(float), exog, exog_infl=infl,
                                              p=2)
            return m.fit(disp=0, maxiter=500)

    t_mk, r, t_sm, g = interleaved(ours, theirs, 5 * repeats)
    print(f"Zero-inflated NB on bioChemists (n = {len(bio)}), zero part ~ ment")
    print(f"  mlekit      {t_mk * 1e3:7.1f} ms  loglik {r.loglik:.8f}  converged {r.converged}")
    print(f"  statsmodels {t_sm * 1e3:7.1f} ms  loglik {g.llf:.8f}  "
          f"converged {g.mle_retvals['converged']}")
    print(f"  ratio statsmodels / mlekit = {t_sm / t_mk:.1f}; loglik mlekit - statsmodels = "
          f"{r.loglik - g.llf:.2e}")


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    zinb(reps)
    poisson(reps)
