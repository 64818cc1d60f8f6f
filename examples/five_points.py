"""The seed's reference implementation (seed 001), and the same fit in mlekit.

The seed minimises a hand-written negative log-likelihood with scipy.optimize.minimize and
prints "MLE Derived Mean: 2.24" and "MLE Derived Std Dev: 0.40". mlekit gets the same numbers
in closed form, with standard errors and intervals.

Run: python examples/five_points.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import matplotlib
import numpy as np
from scipy.optimize import minimize

matplotlib.use("Agg")
import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")

# --- the seed's code, verbatim --------------------------------------------------
data = np.array([2.3, 1.9, 2.5, 2.8, 1.7])


def neg_log_likelihood(params):
    mu, sigma = params
    if sigma <= 0:
        return np.inf
    n = len(data)
    # Minimizing negative log-likelihood is the same as maximizing log-likelihood
    ll = - (n / 2) * np.log(2 * np.pi) - n * np.log(sigma) - np.sum((data - mu) ** 2) / (2 * sigma ** 2)
    return -ll


with np.errstate(invalid="ignore"):  # (not in the seed) its inf for sigma <= 0 upsets scipy's
    result = minimize(neg_log_likelihood, [0.0, 1.0])  # finite differences: a harmless warning
mu_est, sigma_est = result.x

print(f"MLE Derived Mean: {mu_est:.2f}")
print(f"MLE Derived Std Dev: {sigma_est:.2f}")

# --- the same in mlekit ---------------------------------------------------------------
res = mk.fit(mk.datasets.five_points(), "normal")
print(f"mlekit:           mu = {res.params['mu']:.2f}, sigma = {res.params['sigma']:.2f}"
      f"  (log-likelihood {res.loglik:.4f}; scipy's minimum: {-result.fun:.4f})")
print(res.summary())
for name in ("mu", "sigma"):
    lo, hi = mk.plot.profile_curve(res, name)["ci"]
    print(f"95% profile interval for {name}: {lo:.2f} to {hi:.2f}")
print("With five points the interval for sigma is wide: MLE is confident only with more data.")

ax = mk.plot.contour(res, "mu", "sigma")
ax.figure.savefig(out / "five_points_contour.png", dpi=100)
print(f"wrote {out / 'five_points_contour.png'}")
