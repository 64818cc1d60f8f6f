"""Three-parameter Weibull: ``mk.fit(x, "weibull3")`` vs ``scipy.stats.weibull_min.fit`` with a
free location, at n = 1e5 (median of R runs; log-likelihood of both at their answers).

Data sets: a well-behaved sample (shape 2.5), a shape-1.5 sample (the threshold is hard to
locate), and a near-normal sample (the profile is open: scipy's shape runs to ~1e8, as in
scipy issue 19407). Then ``mk.compare(x, "all")`` over every continuous family at n = 1e4
(target <= 2 s; fitter takes ~79 s for its list).

    PYTHONPATH=src python bench/bench_threshold.py [R]
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings

import numpy as np
import scipy.stats as st

import mlekit as mk


def timed(fn, r: int):  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(r):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(r: int = 3) -> None:
    n = 100_000
    sets = {
        "shape 2.5": mk.Weibull3(shape=2.5, scale=10.0, threshold=50.0).sample(n, rng=1),
        "shape 1.5": mk.Weibull3(shape=1.5, scale=10.0, threshold=50.0).sample(n, rng=2),
        "near-normal": np.random.default_rng(3).normal(100.0, 1.0, n),
    }
    print(f"| data (n = {n:,}) | mlekit s | scipy s | speed-up | loglik mlekit | loglik scipy |")
    print("|---|---|---|---|---|---|")
    for label, x in sets.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tm, res = timed(lambda x=x: mk.fit(x, "weibull3"), r)
            with np.errstate(all="ignore"):
                ts, p = timed(lambda x=x: st.weibull_min.fit(x), r)
                lls = float(st.weibull_min.logpdf(x, *p).sum())
        print(f"| {label} | {tm:.3f} | {ts:.3f} | {ts / tm:.1f}x | {res.loglik:.6f} | {lls:.6f} |")
    x = mk.Weibull3(shape=2.0, scale=10.0, threshold=5.0).sample(10_000, rng=4)
    tc, cmp = timed(lambda: mk.compare(x, "all"), r)
    slow = sorted(cmp.timings.items(), key=lambda kv: -kv[1])[:3]
    print(f"\nmk.compare(x, 'all') at n = 10,000: {tc:.2f} s for {len(cmp.fits)} fitted, "
          f"{len(cmp.failed)} failed, {len(cmp.skipped)} skipped; best {cmp.best.family}; "
          f"slowest: {', '.join(f'{k} {v:.2f} s' for k, v in slow)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
