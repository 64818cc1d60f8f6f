"""Dask LocalCluster (2 worker processes x 1 thread) against NumPy on the same values.

    PYTHONPATH=src python bench/bench_dask.py             # 1e8 values (~1.6 GB in RAM)
    PYTHONPATH=src python bench/bench_dask.py --n 1e7

The values are generated on the workers and persisted; the NumPy side fits the same values
gathered into this process (with mlekit's 2 threads). Times are per ``mk.fit`` call and
include turning the chunks into validated ``Data`` on the workers (done once per call and
kept for all of that call's passes). Overhead = Dask time / NumPy time.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e8)
    ap.add_argument("--chunks", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    n = int(a.n)

    import dask.array as da
    from distributed import Client, LocalCluster

    import mlekit as mk

    print(f"machine load (1/5/15 min): {os.getloadavg()}, cores: {os.cpu_count()}")
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = Client(cluster)
    print(f"LocalCluster(2 workers x 1 thread) up in {time.perf_counter() - t:.1f}s")
    try:
        t = time.perf_counter()
        mk.fit(da.from_array(np.arange(1.0, 1001.0), chunks=500), "weibull")
        print(f"first fit (workers import mlekit, numpy, scipy): {time.perf_counter() - t:.1f}s "
              "(excluded below)")
        x = da.random.default_rng(20261124).gamma(2.0, 1.5, size=n, chunks=n // a.chunks)
        x = x.persist()
        t = time.perf_counter()
        xn = x.compute()
        print(f"{n:,} values in {a.chunks} chunks; gathering them for NumPy took "
              f"{time.perf_counter() - t:.1f}s")
        print(f"{'family':<12} {'NumPy':>9} {'Dask':>9} {'overhead':>9} {'passes':>7} "
              f"{'max rel diff':>13}")
        for fam in ("gamma", "lognormal", "weibull"):
            tn, td = np.inf, np.inf
            for _ in range(a.repeat):
                t = time.perf_counter()
                rn = mk.fit(xn, fam)
                tn = min(tn, time.perf_counter() - t)
                t = time.perf_counter()
                rd = mk.fit(x, fam)
                td = min(td, time.perf_counter() - t)
            diff = max(abs(rd.params[p] / rn.params[p] - 1) for p in rn.params)
            diff = max(diff, abs(rd.loglik / rn.loglik - 1),
                       max(abs(rd.se[p] / rn.se[p] - 1) for p in rn.params))
            print(f"{fam:<12} {tn:8.2f}s {td:8.2f}s {td / tn:8.2f}x {rd.options['passes']:>7} "
                  f"{diff:13.1e}")
    finally:
        client.close()
        cluster.close()
    print(f"machine load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
