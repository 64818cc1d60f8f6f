"""Slow: the 95% profile interval for the 100-year return level of a GEV fitted to n = 50
annual maxima covers the true level 95 ± 1.5% of the time (2000 simulated records; the
table is in docs/coverage.md)."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

import mlekit as mk

R = 2000
N = 50


def coverage(shape: float, reps: int = R, n: int = N, seed: int = 20261203) -> tuple[float, float]:
    truth = mk.GEV(loc=10.0, scale=2.0, shape=shape)
    z100 = float(truth.ppf(0.99))
    rng = np.random.default_rng(seed)
    hits = done = 0
    for _ in range(reps):
        x = truth.sample(n, rng=rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = mk.fit(x, "gev")
            if not res.converged:
                continue
            lo, hi = res.return_level(100).ci
        done += 1
        hits += lo <= z100 <= hi
    return 100.0 * hits / done, 100.0 * done / reps


@pytest.mark.slow
@pytest.mark.parametrize("shape", [0.1])
def test_profile_return_level_coverage(shape: float) -> None:
    t = time.perf_counter()
    cov, ok = coverage(shape)
    print(f"GEV shape {shape}: coverage {cov:.2f}% ({ok:.1f}% converged) "
          f"in {time.perf_counter() - t:.0f} s")
    assert ok > 98.0
    assert 93.5 <= cov <= 96.5
