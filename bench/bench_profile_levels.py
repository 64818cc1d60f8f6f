"""Profile return-level intervals: Newton runs ("profile fits") and wall time per call.

    python bench/bench_profile_levels.py

Seven points from a GEV with shape -0.499 (issue 11: flat and irregular profiles) and
n = 1e5 with 25 return periods. The cost is bounded by ``extremes.MAX_PROFILE_FITS`` per end.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

import mlekit as mk
from mlekit._inference import extremes


def run(res: Any, T: Any) -> tuple[int, float]:
    count = {"n": 0}
    real = extremes.newton

    def counted(*a: Any, **k: Any) -> Any:
        count["n"] += 1
        return real(*a, **k)

    extremes.newton = counted
    try:
        t = time.perf_counter()
        res.return_level(T)
        return count["n"], time.perf_counter() - t
    finally:
        extremes.newton = real


def main() -> None:
    warnings.simplefilter("ignore")
    for seed in (0, 5, 6, 7):
        res = mk.fit(mk.GEV(loc=0, scale=1, shape=-0.499).sample(7, rng=seed), "gev")
        n, el = run(res, [2, 10, 100, 1000])
        print(f"7 points, seed {seed}, 4 periods: {n} profile fits, {el:.2f} s")
    res = mk.fit(mk.GEV(loc=10, scale=2, shape=0.1).sample(100_000, rng=1), "gev")
    n, el = run(res, np.geomspace(1.5, 1e4, 25))
    print(f"n = 1e5, 25 periods: {n} profile fits, {el:.2f} s "
          f"(bound: {2 * 25 * extremes.MAX_PROFILE_FITS})")


if __name__ == "__main__":
    main()
