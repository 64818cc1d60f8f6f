"""Extreme values (issue 14): GEV at n = 1e5 against ``scipy.stats.genextreme.fit``, the
profile interval of the 100-year return level at n = 100, and grouped GEV fits
(10,000 stations x 50 years).

    PYTHONPATH=src python bench/bench_extremes.py            # full run (~1 min)
    PYTHONPATH=src python bench/bench_extremes.py --quick    # smoke run

Times are the best of ``--repeat`` runs (wall clock). The log-likelihoods of mlekit and scipy
are both computed with scipy's logpdf at each one's estimate.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import scipy.stats as st

import mlekit as mk


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = 10_000 if args.quick else 100_000
    G = 1000 if args.quick else 10_000
    warnings.simplefilter("ignore")

    print(f"## GEV fit, n = {n:,}")
    print("| shape | mlekit s | scipy s | speed-up | loglik mlekit - scipy |")
    print("|---|---|---|---|---|")
    for shape in (-0.2, 0.0, 0.2):
        x = mk.GEV(loc=10.0, scale=2.0, shape=shape).sample(n, rng=1)
        tm, res = best_of(lambda x=x: mk.fit(x, "gev"), args.repeat)
        ts, sp = best_of(lambda x=x: st.genextreme.fit(x), 1)
        ll_mk = float(np.sum(st.genextreme.logpdf(x, -res.params["shape"], res.params["loc"],
                                                  res.params["scale"])))
        ll_sp = float(np.sum(st.genextreme.logpdf(x, *sp)))
        print(f"| {shape:g} | {tm:.3f} | {ts:.2f} | {ts / tm:.0f}x | {ll_mk - ll_sp:+.3g} |")

    print("\n## 100-year return level, profile interval, n = 100")
    print("| shape | ms per interval (best of 5 records x repeat) |")
    print("|---|---|")
    for shape in (-0.2, 0.0, 0.2):
        times = []
        for seed in range(5):
            res = mk.fit(mk.GEV(loc=10.0, scale=2.0, shape=shape).sample(100, rng=seed), "gev")
            res.return_level(100)
            t, _ = best_of(lambda res=res: res.return_level(100), args.repeat)
            times.append(t)
        print(f"| {shape:g} | median {1e3 * float(np.median(times)):.1f}, max "
              f"{1e3 * max(times):.1f} |")

    print(f"\n## Grouped GEV, {G:,} stations x 50 years")
    rng = np.random.default_rng(7)
    loc = rng.uniform(5, 15, G)
    x = np.concatenate([mk.GEV(loc=m, scale=2.0, shape=0.1).sample(50, rng=rng) for m in loc])
    by = np.repeat(np.arange(G), 50)
    t, g = best_of(lambda: mk.fit(x, "gev", by=by), args.repeat)
    ok = int((g.params["status"] == "ok").sum())
    print(f"{t:.2f} s ({ok} of {G} groups ok)")


if __name__ == "__main__":
    main()
