"""The weighted coin (seed 001): 7 heads in 10 flips. What is the chance of heads?

Run: python examples/coin.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
flips = mk.datasets.coin()                  # 1 = heads: seven 1s and three 0s
res = mk.fit(flips, "bernoulli")
print(res.summary())

p = res.params["p"]
print(f"\nMLE of p: {p:.2f}  (the share of heads, 7/10)")
curve = mk.plot.profile_curve(res, "p")     # the log-likelihood curve and its 95% interval
lo, hi = curve["ci"]
print(f"95% likelihood interval: {lo:.3f} to {hi:.3f}")

# Why 0.7? It makes the 7-in-10 we saw more likely than any other p:
for q in (0.5, 0.7, 0.9):
    print(f"  likelihood at p = {q}: {q**7 * (1 - q)**3:.6f}")

ax = mk.plot.loglik(res, "p")
ax.figure.savefig(out / "coin_loglik.png", dpi=100)
print(f"wrote {out / 'coin_loglik.png'}")
