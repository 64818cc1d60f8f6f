"""mlekit.fit vs scipy.stats fits, every family, same data, one process.

    python bench/bench_fit.py [--sizes 1e3,1e5,1e7] [--families weibull,gamma] [--budget 60]

Prints a Markdown table: median wall time of each (best of a few repeats at small n), the
ratio scipy/mlekit, and loglik(mlekit) − loglik(scipy) (never negative beyond rounding).
scipy has no MLE `fit` for discrete families: its generic `scipy.stats.fit` (differential
evolution within bounds) is used. A scipy run that would exceed --budget seconds is
extrapolated linearly in n from the largest size that ran (marked ~).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
import scipy.stats as st

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tests.families.scipy_ref import CONT, scipy_loglik

import mlekit as mk

# (the families' test cases are imported where they are used: bench_versions.py imports
# scipy_fit_timed into an older mlekit, which may lack some of those families)

DISCRETE = {
    "poisson": (st.poisson, {"mu": (0, 100)}, lambda r: {"rate": r.params.mu}),
    "bernoulli": (st.bernoulli, {"p": (0, 1)}, lambda r: {"p": r.params.p}),
    "binomial": (st.binom, {"n": (12, 12), "p": (0, 1)}, lambda r: {"p": r.params.p}),
    "geometric": (st.geom, {"p": (0, 1), "loc": (-1, -1)}, lambda r: {"p": r.params.p}),
    "negative_binomial": (st.nbinom, {"n": (0.01, 100), "p": (0, 1)},
                          lambda r: {"mean": r.params.n * (1 - r.params.p) / r.params.p,
                                     "size": r.params.n}),
}


def scipy_fit_timed(name: str, x: np.ndarray) -> tuple[float, dict[str, float]]:
    t0 = time.perf_counter()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if name in CONT:
            d, kw, conv = CONT[name]
            p = conv(d.fit(x, **kw))
        else:
            d, bounds, conv = DISCRETE[name]
            p = conv(st.fit(d, x, bounds=bounds))
    return time.perf_counter() - t0, {k: float(v) for k, v in p.items()}


def mk_fit_timed(name: str, x: np.ndarray, reps: int) -> tuple[float, mk.FitResult]:
    from tests.families.cases import CASES

    fam = CASES[name][0]
    times = []
    res = None
    for _ in range(reps):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = mk.fit(x, fam)
        times.append(time.perf_counter() - t0)
    assert res is not None
    return float(np.median(times)), res


def main() -> None:
    from tests.families.cases import CASES, dist

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1e3,1e5,1e7")
    ap.add_argument("--families", default=",".join(sorted(CASES)))
    ap.add_argument("--budget", type=float, default=60.0)
    a = ap.parse_args()
    sizes = [int(float(s)) for s in a.sizes.split(",")]
    names = a.families.split(",")
    print("| family | n | mlekit | scipy | scipy/mlekit | Δloglik (mk − scipy) | mlekit path |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in names:
        last: tuple[int, float] | None = None
        for n in sizes:
            x = dist(name).sample(n, rng=12345)
            reps = 7 if n <= 1e4 else (3 if n <= 1e6 else 1)
            t_mk, res = mk_fit_timed(name, x, reps)
            est = last is not None and last[1] * n / last[0] > a.budget
            if est:
                assert last is not None
                t_sp, p_sp, mark = last[1] * n / last[0], None, "~"
            else:
                sp_times = []
                for _ in range(max(1, reps // 2)):
                    t, p_sp = scipy_fit_timed(name, x)
                    sp_times.append(t)
                t_sp, mark = float(np.median(sp_times)), ""
                last = (n, t_sp)
            dll = "n/a" if p_sp is None else \
                f"{res.loglik - scipy_loglik(name, p_sp, x, 12 if name == 'binomial' else None):+.2e}"
            print(f"| {name} | {n:.0e} | {t_mk * 1e3:.3g} ms | {mark}{t_sp * 1e3:.3g} ms | "
                  f"{mark}{t_sp / t_mk:.3g}× | {dll} | {res.method} |", flush=True)


if __name__ == "__main__":
    main()
