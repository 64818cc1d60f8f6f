"""Three-parameter Weibull: ``mk.fit(x, "weibull3")`` vs ``scipy.stats.weibull_min.fit`` with a
free location, at n = 1e5 (median of R runs, wall clock and CPU time of this process; the
log-likelihood of both at their answers).

Data sets: well-behaved samples (shape 2.5, two seeds; shape 3.5 with the threshold far from 0,
at 1e4 with scale 2), a shape-1.5 sample (the threshold is hard to locate: its information is
infinite for shape < 2), a shape-0.8 sample (the likelihood is unbounded: mlekit says so and
points to ``method="mps"``, so its log-likelihood is not comparable) and a near-normal sample
(scipy issue 19407). Then ``mk.compare(x, "all")`` over every continuous family at n = 1e4
(target <= 2 s; fitter takes ~79 s for its list).

    PYTHONPATH=src python bench/bench_threshold.py [R] [--before OLD_SRC]

``--before OLD_SRC`` also runs the same measurements in a second process that imports mlekit
from ``OLD_SRC`` (e.g. ``git archive <commit> src | tar -x -C /tmp/old`` then
``/tmp/old/src``) and prints both: every speed-up is against scipy timed in the same process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from typing import Any

import numpy as np
import scipy.stats as st

import mlekit as mk

N = 100_000


def timed(fn: Any, r: int) -> tuple[float, float, Any]:
    wall, cpu, out = [], [], None
    for _ in range(r):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), out


def data_sets() -> dict[str, np.ndarray]:
    W3 = mk.Weibull3
    return {
        "shape 2.5": W3(shape=2.5, scale=10.0, threshold=50.0).sample(N, rng=1),
        "shape 2.5 (seed 7)": W3(shape=2.5, scale=10.0, threshold=50.0).sample(N, rng=7),
        "shape 3.5, threshold 1e4": W3(shape=3.5, scale=2.0, threshold=1e4).sample(N, rng=5),
        "shape 1.5": W3(shape=1.5, scale=10.0, threshold=50.0).sample(N, rng=2),
        "shape 0.8 (unbounded)": W3(shape=0.8, scale=10.0, threshold=50.0).sample(N, rng=6),
        "near-normal": np.random.default_rng(3).normal(100.0, 1.0, N),
    }


def measure(r: int) -> dict[str, Any]:
    rows = {}
    for label, x in data_sets().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tm, cm, res = timed(lambda x=x: mk.fit(x, "weibull3"), r)
            with np.errstate(all="ignore"):
                ts, cs, p = timed(lambda x=x: st.weibull_min.fit(x), r)
                lls = float(st.weibull_min.logpdf(x, *p).sum())
        unb = any(d.code == "unbounded-likelihood" for d in res.diagnostics)
        rows[label] = dict(tm=tm, cm=cm, ts=ts, cs=cs, llm=res.loglik, lls=lls, unbounded=unb)
    x = mk.Weibull3(shape=2.0, scale=10.0, threshold=5.0).sample(10_000, rng=4)
    tc, _, cmp = timed(lambda: mk.compare(x, "all"), r)
    slow = sorted(cmp.timings.items(), key=lambda kv: -kv[1])[:3]
    cmp_line = (f"mk.compare(x, 'all') at n = 10,000: {tc:.2f} s for {len(cmp.fits)} fitted, "
                f"{len(cmp.failed)} failed, {len(cmp.skipped)} skipped; best {cmp.best.family}; "
                f"slowest: {', '.join(f'{k} {v:.2f} s' for k, v in slow)}")
    return {"rows": rows, "compare": cmp_line}


def main() -> None:
    args = sys.argv[1:]
    if "--json" in args:     # the child process of --before
        print(json.dumps(measure(int(args[0]))))
        return
    before = None
    if "--before" in args:
        i = args.index("--before")
        before, args = args[i + 1], args[:i] + args[i + 2:]
    r = int(args[0]) if args else 3
    now = measure(r)
    old = None
    if before is not None:
        env = {**os.environ, "PYTHONPATH": before}
        out = subprocess.run([sys.executable, __file__, str(r), "--json"], env=env,
                             capture_output=True, text=True, check=True).stdout
        old = json.loads(out.strip().splitlines()[-1])
    head = "| data (n = 100,000) | mlekit s | scipy s | speed-up (wall / CPU) |"
    sep = "|---|---|---|---|"
    if old is not None:
        head = ("| data (n = 100,000) | before: mlekit s | scipy s | speed-up (wall / CPU) "
                "| after: mlekit s | scipy s | speed-up (wall / CPU) |")
        sep = "|---|---|---|---|---|---|---|"
    print(head + " loglik mlekit | loglik scipy |")
    print(sep + "---|---|")
    for label, a in now["rows"].items():
        cells = []
        for d in ([old["rows"][label]] if old is not None else []) + [a]:
            cells.append(f"{d['tm']:.4f} | {d['ts']:.3f} | {d['ts'] / d['tm']:.1f}x / "
                         f"{d['cs'] / d['cm']:.1f}x")
        llm = f"{a['llm']:.6f}" + (" (unbounded: no MLE)" if a["unbounded"] else "")
        print(f"| {label} | {' | '.join(cells)} | {llm} | {a['lls']:.6f} |")
    if old is not None:
        print("\nbefore: " + old["compare"])
    print(("after: " if old is not None else "\n") + now["compare"])


if __name__ == "__main__":
    main()
