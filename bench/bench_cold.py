"""Cold start: the first fit in a new process, against scipy's (issue 13, target 2).

    PYTHONPATH=src python bench/bench_cold.py [RUNS]

Three commands run in fresh processes, interleaved (A B C A B C ...), RUNS times each (default
10) after one warm-up round; the median wall time of each and the median of the per-round
ratios to scipy's are printed:

* scipy:  ``python -c "from scipy import stats; stats.norm.fit(x)"``
* mlekit: ``python -c "import mlekit as mk; mk.fit(x, 'normal')"``       (target ≤ 1.2× scipy)
* CLI:    ``python -m mlekit fit small.csv -f normal``                    (target ≤ 1.5× scipy)

x is the same five values everywhere (small.csv holds them in a temporary directory).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
X = [1.2, 2.3, 0.7, 1.9, 3.1]


def run(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "small.csv")
        Path(csv).write_text("x\n" + "\n".join(map(str, X)) + "\n")
        cases = {
            "scipy: stats.norm.fit": [py, "-c", f"from scipy import stats; stats.norm.fit({X})"],
            "mlekit: mk.fit(x, 'normal')": [py, "-c",
                                            f"import mlekit as mk; mk.fit({X}, 'normal')"],
            "CLI: mlekit fit small.csv -f normal": [py, "-m", "mlekit", "fit", csv, "-f",
                                                    "normal"],
        }
        for cmd in cases.values():  # warm-up round: file caches
            run(cmd, env)
        times: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(runs):
            for name, cmd in cases.items():
                times[name].append(run(cmd, env))
    ref = times["scipy: stats.norm.fit"]
    print(f"median wall seconds of {runs} interleaved runs ({os.cpu_count()} cores)")
    for name, ts in times.items():
        ratio = statistics.median(t / r for t, r in zip(ts, ref))
        print(f"  {statistics.median(ts):6.3f} s  {ratio:5.2f}x scipy  {name}")


if __name__ == "__main__":
    main()
