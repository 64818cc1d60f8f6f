"""One-pass statistics at large n (issue 13, target 3): ``mk.fit`` (estimates, SEs, covariance,
log-likelihood, diagnostics) against scipy's specialised ``fit`` and against the raw NumPy passes
the family's statistics need.

    PYTHONPATH=src python bench/bench_onepass.py [--sizes 2e5,1e7] [--repeats 9]

Minimum of ``--repeats`` calls each, same array, the mlekit and reference calls interleaved (on a
shared machine the load moves within seconds: interleaving lets both sides see the same load).
Targets: gamma and inverse Gaussian ≥ 1× scipy (ratio scipy/mlekit); exponential, uniform and
Laplace ≤ 1.2× the raw passes (ratio mlekit/raw).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.stats as st

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import mlekit as mk


def best_pair(f: Callable[[], Any], g: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """The minimum time of ``f`` and of ``g`` over ``repeats`` interleaved calls of each."""
    tf = tg = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        t1 = time.perf_counter()
        g()
        t2 = time.perf_counter()
        tf, tg = min(tf, t1 - t0), min(tg, t2 - t1)
    return tf, tg


def raw_exponential(x: np.ndarray) -> Any:   # support check + the sum
    return x.min() >= 0, x.sum()


def raw_uniform(x: np.ndarray) -> Any:       # the two extremes
    return x.min(), x.max()


def raw_laplace(x: np.ndarray) -> Any:       # the median, then the absolute deviations
    m = np.median(x)
    return m, np.abs(x - m).sum()


CASES: dict[str, tuple[str, Callable[[np.random.Generator, int], np.ndarray],
                       Callable[[np.ndarray], Any]]] = {
    "gamma": ("scipy", lambda r, n: r.gamma(2.5, 1.5, n), lambda x: st.gamma.fit(x, floc=0)),
    "inverse_gaussian": ("scipy", lambda r, n: r.wald(2.0, 3.0, n),
                         lambda x: st.invgauss.fit(x, floc=0)),
    "exponential": ("raw", lambda r, n: r.exponential(2.0, n), raw_exponential),
    "uniform": ("raw", lambda r, n: r.uniform(-1.0, 3.0, n), raw_uniform),
    "laplace": ("raw", lambda r, n: r.laplace(1.0, 2.0, n), raw_laplace),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2e5,1e7")
    ap.add_argument("--repeats", type=int, default=9)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(13)
    print("| family | n | mlekit | reference | time | target ratio |")
    print("|---|---:|---:|---|---:|---:|")
    for n in (int(float(s)) for s in a.sizes.split(",")):
        for name, (kind, gen, ref) in CASES.items():
            x = gen(rng, n)
            mk.fit(x, name)
            tm, tr = best_pair(lambda x=x, name=name: mk.fit(x, name), lambda x=x, ref=ref: ref(x),
                               a.repeats)
            what = "scipy fit" if kind == "scipy" else "raw passes"
            ratio = f"{tr / tm:.2f}× (scipy/mlekit)" if kind == "scipy" else \
                f"{tm / tr:.2f}× (mlekit/raw)"
            print(f"| {name} | {n:.0e} | {tm * 1e3:.2f} ms | {what} | {tr * 1e3:.2f} ms | {ratio} |")


if __name__ == "__main__":
    main()
