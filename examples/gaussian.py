"""Seed 000: estimate the mean and standard deviation of a synthetic Gaussian sample.

The seed draws 100 values with np.random.seed(42) from N(5, 2), plots a 20-bin histogram
and fits a Gaussian by maximum likelihood. The same sample ships as mk.datasets.gaussian().

Run: python examples/gaussian.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")

# The seed's data, generated exactly as in the seed:
np.random.seed(42)
true_mean, true_std, num_samples = 5.0, 2.0, 100
data = np.random.normal(loc=true_mean, scale=true_std, size=num_samples)
assert np.array_equal(data, mk.datasets.gaussian())   # the built-in copy is the same sample

res = mk.fit(data, "normal")
print(res.summary())
print(f"\nestimated mean {res.params['mu']:.4f} (true {true_mean}), "
      f"estimated sd {res.params['sigma']:.4f} (true {true_std})")
print("closed form: the sample mean and the standard deviation dividing by n:",
      f"{data.mean():.4f}, {data.std():.4f}")

ax = mk.plot.density(res, bins=20)        # the seed's histogram with the fitted density
ax.figure.savefig(out / "gaussian_density.png", dpi=100)
fig = res.plot()                          # density, Q-Q, P-P and CDF
fig.savefig(out / "gaussian_panel.png", dpi=100)
print(f"wrote {out / 'gaussian_density.png'} and {out / 'gaussian_panel.png'}")
