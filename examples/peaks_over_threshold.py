"""Peaks over threshold: choose a threshold, decluster, fit the Poisson-GPD model and read the
100-year level per year — using every large value, not only one per year.

Run: python examples/peaks_over_threshold.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd

import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
rng = np.random.default_rng(2026)
days = pd.date_range("1965-01-01", "2024-12-31", freq="D")
level = pd.Series(mk.GEV(loc=2.0, scale=0.6, shape=0.05).sample(days.size, rng=rng), index=days)

mrl = mk.extremes.mean_residual_life(level)
stab = mk.extremes.threshold_stability(level, [4.0, 4.25, 4.5, 4.75, 5.0])
print(stab[["threshold", "n", "shape", "shape_lower", "shape_upper"]].round(3).to_string(index=False))

u = 4.5
ex = mk.extremes.exceedances(level, threshold=u, decluster="runs", run_length=3)
print(f"{ex.size} cluster peaks above {u} m (declustered, runs of 3 days)")
pot = mk.extremes.fit_pot(level, threshold=u, decluster="runs", run_length=3)
print(pot)
rl = pot.return_level(100)
print(f"POT 100-year level: {rl.estimate:.2f} m, 95% profile CI {rl.ci[0]:.2f}-{rl.ci[1]:.2f} m")
gp = mk.fit(ex, "genpareto")
lr = mk.lr_test(mk.fit(ex, "exponential"), gp)
print(f"exponential (shape = 0) vs GPD: LR p = {lr.p_value:.3f}")

mk.plot.return_levels(pot).figure.savefig(out / "pot_return_levels.png", dpi=100)
mk.plot.mean_residual_life(level).figure.savefig(out / "pot_mrl.png", dpi=100)
ax = mk.plot.threshold_stability(level, [4.0, 4.25, 4.5, 4.75, 5.0])
ax[0].figure.savefig(out / "pot_stability.png", dpi=100)
print(f"mean residual life computed at {len(mrl)} thresholds")
