"""Grouped Weibull fits: mlekit (one call) against a loop of scipy ``weibull_min.fit(floc=0)``.

    PYTHONPATH=src python bench/bench_grouped.py            # full run (~1 min)
    PYTHONPATH=src python bench/bench_grouped.py --quick    # smoke run
    PYTHONPATH=src python bench/bench_grouped.py --cpu 7    # mlekit only: best CPU time of 7

The scipy loop takes minutes at 100,000 groups, so it is timed on the first
``--scipy-groups`` groups and extrapolated linearly (printed as such). The per-group
log-likelihoods of both are compared on those groups (scipy's logpdf at scipy's estimate).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import scipy.stats as st

import mlekit as mk


def weibull_groups(G: int, m: int, seed: int = 20261124) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = rng.uniform(0.7, 3.0, G)
    scale = rng.uniform(0.5, 5.0, G)
    x = (scale[:, None] * rng.weibull(shape[:, None], (G, m))).ravel()
    return x, np.repeat(np.arange(G), m)


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall time and the CPU time of that run."""
    best = (np.inf, np.inf, None)
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        w, c = time.perf_counter() - w0, time.process_time() - c0
        if w < best[0]:
            best = (w, c, out)
    return best


def run_case(G: int, m: int, n_scipy: int, repeat: int) -> dict[str, float]:
    x, g = weibull_groups(G, m)
    mk.fit(x[: 50 * m], "weibull", by=g[: 50 * m])            # warm-up (imports, pool)
    res = {}
    for threads in (2, 1):
        mk.set_threads(threads)
        w, c, r = timed(lambda: mk.fit(x, "weibull", by=g), repeat)
        res[f"wall{threads}"], res[f"cpu{threads}"] = w, c
    mk.set_threads(None)
    gr = r  # type: ignore[assignment]
    perm = np.random.default_rng(1).permutation(x.size)
    xs, gs = x[perm], g[perm]
    w, c, r2 = timed(lambda: mk.fit(xs, "weibull", by=gs), repeat)
    res["wall_shuffled"] = w
    # scipy on a subset, extrapolated
    n = min(n_scipy, G)
    t0 = time.perf_counter()
    est = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n):
            est.append(st.weibull_min.fit(x[i * m:(i + 1) * m], floc=0))
    per_group = (time.perf_counter() - t0) / n
    ll_sp = np.array([st.weibull_min.logpdf(x[i * m:(i + 1) * m], c, 0, s).sum()
                      for i, (c, _, s) in enumerate(est)])
    d = gr.loglik[:n] - ll_sp
    res.update(scipy_per_group=per_group, scipy_total=per_group * G, n_scipy=n,
               ll_min_diff=float(d.min()), ll_max_diff=float(d.max()),
               ll_frac_ge=float(np.mean(d >= -1e-9)),
               shape_maxrel=float(np.max(np.abs(gr.estimates[:n, 0] / [e[0] for e in est] - 1))),
               ok=float(np.mean(gr.status == "ok")),
               same_shuffled=float(np.max(np.abs(r2.estimates - gr.estimates))))
    return res


def other_families(G: int, m: int, repeat: int) -> list[tuple[str, float, str]]:
    x, g = weibull_groups(G, m)
    out = []
    for fam in ("gamma", "lognormal", "loglogistic"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w, _, r = timed(lambda fam=fam: mk.fit(x, fam, by=g), repeat)
        meths = ", ".join(sorted(set(r.method)))
        out.append((fam, w, meths))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--scipy-groups", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cpu", type=int, default=0,
                    help="only mlekit's best CPU time (one thread) over this many calls")
    a = ap.parse_args()
    cases = [(2000, 20), (500, 100)] if a.quick else [(100_000, 20), (10_000, 100)]
    if a.cpu:                       # CPU time: what a loaded shared machine still measures
        print(f"machine load (1/5/15 min): {os.getloadavg()}")
        mk.set_threads(1)
        for G, m in cases:
            x, g = weibull_groups(G, m)
            mk.fit(x[: 50 * m], "weibull", by=g[: 50 * m])
            best = np.inf
            for _ in range(a.cpu):
                c0 = time.process_time()
                mk.fit(x, "weibull", by=g)
                best = min(best, time.process_time() - c0)
            print(f"{G:>7}x{m:<6} mlekit 1 thread: best CPU {1e3 * best:7.1f} ms of {a.cpu}")
        mk.set_threads(None)
        return
    print(f"machine load (1/5/15 min): {os.getloadavg()}, cores: {os.cpu_count()}")
    print(f"{'case':>14} {'mlekit 2thr':>12} {'1thr':>8} {'cpu':>7} {'shuffled':>9} "
          f"{'scipy/group':>12} {'scipy total*':>13} {'ratio':>8}  loglik(mlekit - scipy)")
    for G, m in cases:
        r = run_case(G, m, min(a.scipy_groups, G), a.repeat)
        ratio = r["scipy_total"] / r["wall2"]
        print(f"{G:>7}x{m:<6} {r['wall2']:>10.3f}s {r['wall1']:>7.3f}s {r['cpu2']:>6.2f}s "
              f"{r['wall_shuffled']:>8.3f}s {1e3 * r['scipy_per_group']:>10.2f}ms "
              f"{r['scipy_total']:>12.1f}s {ratio:>7.0f}x  min {r['ll_min_diff']:+.1e}, "
              f"max {r['ll_max_diff']:+.1e}, >= -1e-9 in {100 * r['ll_frac_ge']:.1f}% "
              f"of {r['n_scipy']} groups; shape vs scipy max rel {r['shape_maxrel']:.1e}; "
              f"ok {100 * r['ok']:.2f}%")
    print("* scipy total = per-group time on the first groups x number of groups (extrapolated)")
    G, m = cases[0]
    print(f"\nother families on the same {G}x{m} data (2 threads):")
    for fam, w, meth in other_families(G, m, max(1, a.repeat // 2)):
        print(f"  {fam:<12} {w:7.3f}s  ({meth})")
    print(f"machine load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
