"""Before/after: the same benchmark scenarios on two versions of mlekit, in one script.

    python bench/bench_versions.py --base f0d6279                       # core fits, grouped, stream
    python bench/bench_versions.py --base f0d6279 --sizes 1e3,1e5 --families weibull,gamma
    python bench/bench_versions.py --base f0d6279 --base-dir /work/base --scipy-max-n 1e5

The base revision is checked out into a temporary git worktree (or ``--base-dir`` names a checkout
of it that already exists; its HEAD must match ``--base``); every scenario runs in a fresh
child process per version, alternating base/head ``--rounds`` times, and the best time of each
version is kept (so machine noise hits both alike). Each child also times scipy on the same data,
so the table shows both versions' ratios against scipy measured side by side:

- ``fit:<family>:<n>``: ``mk.fit(x, family)`` vs ``scipy.stats`` (the data of bench_fit.py, drawn
  once by the head version and saved, so both versions fit the same sample);
- ``grouped:weibull:<G>x<m>``: ``mk.fit(x, "weibull", by=g)`` vs a loop of ``weibull_min.fit``
  over the first 200 groups, extrapolated;
- ``stream:<family>:<rows>``: ``mk.fit(mk.read_parquet(file), family)`` on a Parquet file
  (no scipy peer; the ratio column is after/before only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CHILD = r'''
import json, os, sys, time, warnings
src, root, scenario, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
scipy_max_n = float(sys.argv[5])
sys.path.insert(0, src)
sys.path.insert(1, root)
import numpy as np
import scipy.stats as st
import mlekit as mk
kind, fam, size = scenario.split(":")

def best(fn, reps):
    t = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter(); out = fn(); t.append(time.perf_counter() - t0)
    return min(t), out

warnings.simplefilter("ignore")
res = {}
if kind == "data":   # the sample of a fit scenario, drawn once by the newer version
    from tests.families.cases import dist
    np.save(sys.argv[6], dist(fam).sample(int(float(size)), rng=12345))
elif kind == "fit":
    from bench.bench_fit import scipy_fit_timed
    n = int(float(size))
    x = np.load(sys.argv[6])
    mk.fit(x[:50], fam)
    res["mk"], r = best(lambda: mk.fit(x, fam), reps)
    res["scipy"] = (min(scipy_fit_timed(fam, x)[0] for _ in range(max(1, reps // 2)))
                    if n <= scipy_max_n else None)
    res["loglik"] = r.loglik
elif kind == "grouped":
    G, m = (int(v) for v in size.split("x"))
    rng = np.random.default_rng(20261124)
    shape, scale = rng.uniform(0.7, 3.0, G), rng.uniform(0.5, 5.0, G)
    x = (scale[:, None] * rng.weibull(shape[:, None], (G, m))).ravel()
    g = np.repeat(np.arange(G), m)
    mk.fit(x[: 50 * m], fam, by=g[: 50 * m])
    res["mk"], r = best(lambda: mk.fit(x, fam, by=g), reps)
    k = min(200, G)
    t0 = time.perf_counter()
    for i in range(k):
        st.weibull_min.fit(x[i * m:(i + 1) * m], floc=0)
    res["scipy"] = (time.perf_counter() - t0) / k * G
elif kind == "stream":
    import pyarrow as pa, pyarrow.parquet as pq
    rows = int(float(size))
    path = os.path.join("/tmp", f"mlekit_bench_versions_{rows}.parquet")
    if not os.path.exists(path):
        rng = np.random.default_rng(20261124)
        pq.write_table(pa.table({"x": rng.gamma(2.0, 1.5, rows)}), path + ".tmp",
                       row_group_size=1 << 20)
        os.replace(path + ".tmp", path)
    res["mk"], r = best(lambda: mk.fit(mk.read_parquet(path, column="x"), fam, quiet=True), reps)
    res["scipy"] = None
print(json.dumps(res))
'''


def run_child(src: str, scenario: str, reps: int, scipy_max_n: float,
              data: str = "") -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, src, ROOT, scenario, str(reps),
                          str(scipy_max_n), data],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    if out.returncode != 0:
        raise RuntimeError(f"{scenario} in {src}:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="git revision to compare against (e.g. f0d6279)")
    ap.add_argument("--sizes", default="1e3,1e5,1e7")
    ap.add_argument("--families", default="normal,exponential,gamma,weibull,lognormal,beta,"
                    "student_t,cauchy,lomax,loglogistic,gumbel,negative_binomial,poisson")
    ap.add_argument("--grouped", default="100000x20,10000x100")
    ap.add_argument("--stream", default="gamma:1e7,weibull:1e7")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--base-dir", default=None,
                    help="an existing checkout of --base to use instead of a temporary worktree")
    ap.add_argument("--scipy-max-n", type=float, default=float("inf"),
                    help="time scipy's fit only up to this n (its 1e7 fits of some families take "
                    "minutes; the scipy/mlekit ratio moves with mlekit's time alone)")
    a = ap.parse_args()
    scen = [f"fit:{f}:{n}" for f in a.families.split(",") if f for n in a.sizes.split(",")]
    scen += [f"grouped:weibull:{g}" for g in a.grouped.split(",") if g]
    scen += [f"stream:{s.split(':')[0]}:{s.split(':')[1]}" for s in a.stream.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        if a.base_dir is not None:
            wt = a.base_dir
            head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=wt, capture_output=True,
                                  text=True, check=True).stdout.strip()
            want = subprocess.run(["git", "rev-parse", a.base], cwd=wt, capture_output=True,
                                  text=True, check=True).stdout.strip()
            if head != want:
                sys.exit(f"--base-dir {wt} is at {head[:10]}, not at --base {a.base} ({want[:10]})")
        else:
            wt = os.path.join(tmp, "base")
            subprocess.run(["git", "worktree", "add", "-q", "--detach", wt, a.base], cwd=ROOT,
                           check=True)
        try:
            print(f"base = {a.base}, head = working tree; best of {a.rounds} alternating rounds\n")
            print("| scenario | mlekit before | mlekit after | after/before | scipy/mlekit before "
                  "| scipy/mlekit after |")
            print("|---|---:|---:|---:|---:|---:|")
            for s in scen:
                n = float(s.split(":")[2].split("x")[0])
                reps = 7 if n <= 1e4 else (3 if n <= 1e6 else 1)
                before: dict[str, float] = {}
                after: dict[str, float] = {}
                data = os.path.join(tmp, "sample.npy")
                if s.startswith("fit:"):
                    run_child(os.path.join(ROOT, "src"), s.replace("fit:", "data:"), 0, 0, data)
                for _ in range(a.rounds):
                    for src, acc in ((os.path.join(wt, "src"), before), (os.path.join(ROOT, "src"), after)):
                        r = run_child(src, s, reps, a.scipy_max_n, data)
                        for k, v in r.items():
                            if v is not None and k in ("mk", "scipy"):
                                acc[k] = min(acc.get(k, float("inf")), v)
                rb = f"{before['scipy'] / before['mk']:.3g}×" if "scipy" in before else "–"
                ra = f"{after['scipy'] / after['mk']:.3g}×" if "scipy" in after else "–"
                print(f"| {s} | {before['mk'] * 1e3:.3g} ms | {after['mk'] * 1e3:.3g} ms | "
                      f"{after['mk'] / before['mk']:.2f} | {rb} | {ra} |", flush=True)
        finally:
            if a.base_dir is None:
                subprocess.run(["git", "worktree", "remove", "--force", wt], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
