"""Benchmark: ``mk.compare`` on 10 continuous families at n = 1e5 against fitter and distfit.

Same data for every tool, one timed run each (after a small warm-up run of every tool so that
imports and first-call costs are not timed). Prints the wall times and ratios, every family's
log-likelihood next to scipy's own MLE (``scipy.stats.<dist>.fit``, location fixed at 0 for the
positive families so the models are the same), and the per-family times of mlekit's fits.

    PYTHONPATH=src python bench/bench_compare.py [n] [--jobs N]

fitter and distfit fit every distribution with free location and scale by scipy's generic
optimiser (their designs; they rank by histogram residuals rather than likelihood). fitter runs
its fits in parallel processes by default (``n_jobs=-1``); ``--jobs 1`` forces one process, which
is also how mlekit runs here.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.stats as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import mlekit as mk

# mlekit name -> (scipy name, fixed loc for the scipy MLE or None)
FAMILIES = {
    "exponential": ("expon", 0.0),
    "gamma": ("gamma", 0.0),
    "weibull": ("weibull_min", 0.0),
    "lognormal": ("lognorm", 0.0),
    "loglogistic": ("fisk", 0.0),
    "inverse_gaussian": ("invgauss", 0.0),
    "rayleigh": ("rayleigh", 0.0),
    "normal": ("norm", None),
    "logistic": ("logistic", None),
    "gumbel": ("gumbel_r", None),
}


def scipy_loglik(x: np.ndarray, name: str, floc: float | None) -> tuple[float, float]:
    dist = getattr(st, name)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = dist.fit(x, floc=floc) if floc is not None else dist.fit(x)
    dt = time.perf_counter() - t
    return float(np.sum(dist.logpdf(x, *params))), dt


def run_fitter(x: np.ndarray, jobs: int) -> float:
    from fitter import Fitter

    t = time.perf_counter()
    f = Fitter(x, distributions=[v[0] for v in FAMILIES.values()], timeout=3600, verbose=False)
    f.fit(n_jobs=jobs, max_workers=jobs)
    return time.perf_counter() - t


def run_distfit(x: np.ndarray) -> float:
    from distfit import distfit

    t = time.perf_counter()
    d = distfit(distr=[v[0] for v in FAMILIES.values()], verbose="error")
    d.fit_transform(x, verbose="error")
    return time.perf_counter() - t


def main() -> None:
    argv = sys.argv[1:]
    jobs = -1
    if "--jobs" in argv:
        i = argv.index("--jobs")
        jobs = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    n = int(float(argv[0])) if argv else 100_000
    rng = np.random.default_rng(2026)
    x = rng.gamma(2.0, 1.5, size=n)
    fams = list(FAMILIES)

    # warm-up: every tool once on a small sample
    small = x[:2000]
    mk.compare(small, fams, gof=False)
    run_fitter(small, jobs)
    run_distfit(small)

    t = time.perf_counter()
    cmp = mk.compare(x, fams, gof=False)
    t_mk = time.perf_counter() - t
    t_fit = run_fitter(x, jobs)
    t_dist = run_distfit(x)

    print(f"n = {n:,}, {len(fams)} families (gamma(2, 1.5) data); one timed run each")
    print(f"{'tool':<34}{'time s':>9}{'x mlekit':>10}")
    for name, sec in (("mlekit compare", t_mk), (f"fitter (n_jobs={jobs})", t_fit),
                      ("distfit", t_dist)):
        print(f"{name:<34}{sec:>9.3f}{sec / t_mk:>10.1f}")
    print()
    print(f"{'family':<18}{'mk loglik':>16}{'scipy loglik':>16}{'mk - scipy':>12}"
          f"{'mk fit s':>10}{'scipy fit s':>12}")
    worst = np.inf
    for fam, (sname, floc) in FAMILIES.items():
        ll_sp, t_sp = scipy_loglik(x, sname, floc)
        ll_mk = cmp[fam].loglik
        worst = min(worst, ll_mk - ll_sp)
        print(f"{fam:<18}{ll_mk:>16.4f}{ll_sp:>16.4f}{ll_mk - ll_sp:>12.2e}"
              f"{cmp.timings[fam]:>10.4f}{t_sp:>12.3f}")
    print()
    print(f"every mlekit loglik >= scipy's: {worst >= -1e-6 * n} (smallest difference {worst:.2e})")
    print(f"best by AIC: {cmp.best.family}")


if __name__ == "__main__":
    main()
