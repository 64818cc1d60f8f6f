"""Small-sample latency: one ``mk.fit`` call against scipy's bare ``fit``, same data, one process.

    PYTHONPATH=src python bench/bench_small.py [--calls 200] [--loop 10000] [--skip-loop]

Three tables (issue 13, target 1):

* closed-form families at n = 20 and 1000: per-call time, the minimum of ``--calls`` calls;
* iterative families at n = 1000: the same (ratio scipy/mlekit, ≥ 20× is the target);
* a simulation loop: ``--loop`` fits of fresh samples of n = 50 (normal, gamma, Weibull, Poisson),
  the whole loop timed once for each library.

scipy references: ``dist.fit`` with the location fixed where mlekit's family has none (``floc=0``
for positive families); scipy has no MLE ``fit`` for discrete families, so their reference is the
closed form scipy users write by hand (``x.mean()``) — the floor of any fit. mlekit's result still
offers se, cov, loglik, aic and diagnostics; the bench touches none of them (they are lazy or
computed in the same pass).
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

RNG = np.random.default_rng(13)


def sample(name: str, n: int, rng: np.random.Generator = RNG) -> np.ndarray:
    if name == "normal":
        return rng.normal(1.0, 2.0, n)
    if name == "exponential":
        return rng.exponential(2.0, n)
    if name == "lognormal":
        return rng.lognormal(0.5, 0.8, n)
    if name == "poisson":
        return rng.poisson(3.5, n).astype(float)
    if name == "bernoulli":
        return (rng.random(n) < 0.3).astype(float)
    if name == "gamma":
        return rng.gamma(2.5, 1.5, n)
    if name == "weibull":
        return 2.0 * rng.weibull(1.7, n)
    if name == "cauchy":
        return rng.standard_cauchy(n) + 1.0
    if name == "lomax":
        return st.lomax.rvs(3.0, scale=2.0, size=n, random_state=rng)
    if name == "loglogistic":
        return st.fisk.rvs(3.0, scale=2.0, size=n, random_state=rng)
    raise KeyError(name)


SCIPY: dict[str, Callable[[np.ndarray], Any]] = {
    "normal": lambda x: st.norm.fit(x),
    "exponential": lambda x: st.expon.fit(x, floc=0),
    "lognormal": lambda x: st.lognorm.fit(x, floc=0),
    "poisson": lambda x: x.mean(),          # no scipy MLE fit: the hand-written closed form
    "bernoulli": lambda x: x.mean(),
    "gamma": lambda x: st.gamma.fit(x, floc=0),
    "weibull": lambda x: st.weibull_min.fit(x, floc=0),
    "cauchy": lambda x: st.cauchy.fit(x),
    "lomax": lambda x: st.lomax.fit(x, floc=0),
    "loglogistic": lambda x: st.fisk.fit(x, floc=0),
}


def per_call(f: Callable[[], Any], calls: int) -> float:
    best = float("inf")
    for _ in range(calls):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def fmt(t: float) -> str:
    return f"{t * 1e6:.1f} µs" if t < 1e-3 else f"{t * 1e3:.2f} ms"


def table(names: list[str], sizes: list[int], calls: int) -> None:
    print("| family | n | mlekit | scipy | mlekit/scipy | scipy/mlekit |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        for n in sizes:
            x = sample(name, n)
            mk.fit(x, name)  # warm: imports, first-call caches
            tm = per_call(lambda x=x, name=name: mk.fit(x, name), calls)
            ts = per_call(lambda x=x, name=name: SCIPY[name](x), calls)
            print(f"| {name} | {n} | {fmt(tm)} | {fmt(ts)} | {tm / ts:.2f}× | {ts / tm:.1f}× |")


def loop(names: list[str], fits: int, n: int = 50) -> None:
    print(f"\n| simulation loop ({fits:,} fits of n = {n}) | mlekit | scipy | scipy/mlekit |")
    print("|---|---:|---:|---:|")
    for name in names:
        xs = [sample(name, n, np.random.default_rng(i)) for i in range(fits)]
        t0 = time.perf_counter()
        for x in xs:
            mk.fit(x, name)
        tm = time.perf_counter() - t0
        t0 = time.perf_counter()
        for x in xs:
            SCIPY[name](x)
        ts = time.perf_counter() - t0
        print(f"| {name} | {tm:.2f} s | {ts:.2f} s | {ts / tm:.2f}× |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--loop", type=int, default=10_000)
    ap.add_argument("--skip-loop", action="store_true")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    print(f"per call: minimum of {a.calls} calls (2-core machine, shared)\n")
    table(["normal", "exponential", "lognormal", "poisson", "bernoulli"], [20, 1000], a.calls)
    print()
    table(["gamma", "weibull", "cauchy", "lomax", "loglogistic"], [1000], a.calls)
    if not a.skip_loop:
        loop(["normal", "gamma", "weibull", "poisson"], a.loop)


if __name__ == "__main__":
    main()
