"""Small-sample latency: one ``mk.fit`` call against scipy's bare ``fit``, same data, one process.

    PYTHONPATH=src python bench/bench_small.py [--calls 200] [--loop 10000] [--skip-loop]
    # before/after: the closed-form table for another tree too, in child processes, alternating
    git archive <commit> src | tar -x -C /tmp/before
    PYTHONPATH=src python bench/bench_small.py --before-src /tmp/before/src --rounds 3 --skip-loop

Three tables (issue 13, target 1):

* closed-form families at n = 20 and 1000: per-call time, the minimum of ``--calls`` calls;
* iterative families at n = 1000: the same (ratio scipy/mlekit, ≥ 20× is the target);
* a simulation loop: ``--loop`` fits of fresh samples of n = 50 (normal, gamma, Weibull, Poisson),
  the whole loop timed once for each library.

scipy references: ``dist.fit`` with the location fixed where mlekit's family has none (``floc=0``
for positive families). scipy has no ``dist.fit`` for discrete families: their references are
the *validated* hand-written MLE — ``x.mean()`` after the checks any fit must make (integers,
``x.min() >= 0``, and ``x.max() <= 1`` for Bernoulli), the honest floor of a fit — and
``scipy.stats.fit(dist, x, bounds)`` (a numerical optimiser; timed over 3 calls). mlekit's
result still offers se, cov, loglik, aic and diagnostics; the bench touches none of them (they
are deferred to first access, or computed in the same pass).

With ``--before-src``, the closed-form table is measured ``--rounds`` times for each tree,
alternating, each round in a fresh process; every ratio is taken inside one process, and the
table gives the smallest times and the range of the ratios over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.stats as st

# --src DIR (read before the import): measure the mlekit tree in DIR (a child of --before-src)
sys.path.insert(0, sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv
                else os.path.join(os.path.dirname(__file__), "..", "src"))

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


def _counts_mle(x: np.ndarray, upper: float = np.inf) -> float:
    """The validated hand-written MLE of a count family: the checks any fit makes (integers,
    inside the support), then the mean."""
    if not (np.all(x == np.floor(x)) and x.min() >= 0 and x.max() <= upper):
        raise ValueError("not counts")
    return float(x.mean())


SCIPY: dict[str, Callable[[np.ndarray], Any]] = {
    "normal": lambda x: st.norm.fit(x),
    "exponential": lambda x: st.expon.fit(x, floc=0),
    "lognormal": lambda x: st.lognorm.fit(x, floc=0),
    "poisson": _counts_mle,                 # scipy has no dist.fit for discrete families
    "bernoulli": lambda x: _counts_mle(x, 1.0),
    "gamma": lambda x: st.gamma.fit(x, floc=0),
    "weibull": lambda x: st.weibull_min.fit(x, floc=0),
    "cauchy": lambda x: st.cauchy.fit(x),
    "lomax": lambda x: st.lomax.fit(x, floc=0),
    "loglogistic": lambda x: st.fisk.fit(x, floc=0),
}


# scipy.stats.fit for the discrete families (differential evolution within the bounds)
SCIPY_FIT: dict[str, Callable[[np.ndarray], Any]] = {
    "poisson": lambda x: st.fit(st.poisson, x, bounds={"mu": (0.0, 100.0)}),
    "bernoulli": lambda x: st.fit(st.bernoulli, x, bounds={"p": (0.0, 1.0)}),
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


def measure(names: list[str], sizes: list[int], calls: int) -> list[dict[str, Any]]:
    """Per family and size: mlekit's time, the reference's (and scipy.stats.fit's for the
    discrete families), all in this process."""
    rows = []
    for name in names:
        for n in sizes:
            x = sample(name, n, np.random.default_rng(n))
            mk.fit(x, name)  # warm: imports, first-call caches
            tm = per_call(lambda x=x, name=name: mk.fit(x, name), calls)
            ts = per_call(lambda x=x, name=name: SCIPY[name](x), calls)
            row = {"family": name, "n": n, "mlekit": tm, "ref": ts}
            if name in SCIPY_FIT:
                row["scipy_fit"] = per_call(lambda x=x, name=name: SCIPY_FIT[name](x), 3)
            rows.append(row)
    return rows


def table(names: list[str], sizes: list[int], calls: int) -> None:
    print("| family | n | mlekit | reference | mlekit/reference | scipy.stats.fit |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in measure(names, sizes, calls):
        sf = fmt(r["scipy_fit"]) if "scipy_fit" in r else ""
        ref = fmt(r["ref"]) + (" (validated `mean`)" if r["family"] in SCIPY_FIT else "")
        print(f"| {r['family']} | {r['n']} | {fmt(r['mlekit'])} | {ref} | "
              f"{r['mlekit'] / r['ref']:.2f}× | {sf} |")


CLOSED = ["normal", "exponential", "lognormal", "poisson", "bernoulli"]


def before_after(before_src: str, rounds: int, calls: int) -> None:
    """The closed-form table for the tree in ``before_src`` and this one, ``rounds`` fresh
    processes each, alternating."""
    runs: dict[str, list[list[dict[str, Any]]]] = {"before": [], "after": []}
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    for _ in range(rounds):
        for key, src in (("before", before_src), ("after", here)):
            out = subprocess.run([sys.executable, __file__, "--json", "--src", src,
                                  "--calls", str(calls)], capture_output=True, text=True,
                                 check=True).stdout
            runs[key].append(json.loads(out))
    print(f"per call: minimum of {calls} calls; {rounds} rounds (fresh processes) per tree; "
          "ratio = mlekit / reference in the same process (range over the rounds)\n")
    print("| family | n | before | after | reference | before/ref | after/ref | "
          "scipy.stats.fit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for i, r in enumerate(runs["after"][0]):
        cells = []
        for key in ("before", "after"):
            rs = [run[i] for run in runs[key]]
            ratios = sorted(x["mlekit"] / x["ref"] for x in rs)
            cells.append((min(x["mlekit"] for x in rs), ratios))
        allrs = [run[i] for key in runs for run in runs[key]]
        ref = min(x["ref"] for x in allrs)
        sf = min((x["scipy_fit"] for x in allrs if "scipy_fit" in x), default=None)
        refname = " (validated `mean`)" if sf is not None else ""

        def rng(v: list[float]) -> str:
            return f"{v[len(v) // 2]:.2f}× ({v[0]:.2f}–{v[-1]:.2f})" if len(v) > 1 else \
                f"{v[0]:.2f}×"

        print(f"| {r['family']} | {r['n']} | {fmt(cells[0][0])} | {fmt(cells[1][0])} | "
              f"{fmt(ref)}{refname} | {rng(cells[0][1])} | {rng(cells[1][1])} | "
              f"{fmt(sf) if sf is not None else ''} |")


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
    ap.add_argument("--before-src", help="another tree's src/: the closed-form table for both")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--src", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    if a.json:   # a child of --before-src: the closed-form measurements as JSON
        print(json.dumps(measure(CLOSED, [20, 1000], a.calls)))
        return
    if a.before_src:
        before_after(a.before_src, a.rounds, a.calls)
        if a.skip_loop:
            return
    print(f"per call: minimum of {a.calls} calls (2-core machine, shared)\n")
    table(CLOSED, [20, 1000], a.calls)
    print()
    table(["gamma", "weibull", "cauchy", "lomax", "loglogistic"], [1000], a.calls)
    if not a.skip_loop:
        loop(["normal", "gamma", "weibull", "poisson"], a.loop)


if __name__ == "__main__":
    main()
