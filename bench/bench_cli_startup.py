"""How fast does the command line answer? ``mlekit --help`` must take <= 0.3 s.

Runs each command N times in fresh processes (median wall time) side by side with two
references: the bare interpreter (the floor) and the same imports done eagerly at the top of a
CLI module (what --help would cost without lazy imports).

    PYTHONPATH=src python bench/bench_cli_startup.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
PY = sys.executable
CASES = {
    "python -c pass (floor)": [PY, "-c", "pass"],
    "import mlekit": [PY, "-c", "import mlekit"],
    "mlekit --help": [PY, "-m", "mlekit", "--help"],
    "mlekit fit --help": [PY, "-m", "mlekit", "fit", "--help"],
    "eager imports (numpy, scipy.stats, pandas, pyarrow, rich, matplotlib.pyplot)":
        [PY, "-c", "import numpy, scipy.stats, pandas, pyarrow, rich, matplotlib.pyplot"],
    "mlekit fit mlekit:five_points -f normal": [PY, "-m", "mlekit", "fit", "mlekit:five_points",
                                                 "-f", "normal"],
}


def timeit(cmd: list[str], n: int) -> float:
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    res = {name: timeit(cmd, n) for name, cmd in CASES.items()}
    floor = res["python -c pass (floor)"]
    print(f"median of {n} runs, wall seconds (machine: {os.cpu_count()} cores, shared)")
    for name, t in res.items():
        print(f"  {t:6.3f} s  {t / floor:5.1f}x floor  {name}")
    eager = res["eager imports (numpy, scipy.stats, pandas, pyarrow, rich, matplotlib.pyplot)"]
    print(f"mlekit --help is {eager / res['mlekit --help']:.1f}x faster than eager imports; "
          f"target <= 0.3 s: {'met' if res['mlekit --help'] <= 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
