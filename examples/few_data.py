"""Few data: the same question answered three ways — maximum likelihood, Firth's penalised
likelihood and a weak prior. A coin lands heads 7 times in 10; a second coin 10 times in 10.
What is the chance of heads?

Run: python examples/few_data.py [OUTPUT_FOLDER]
"""

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np

import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
coins = {"7 of 10": mk.datasets.coin(), "10 of 10": np.ones(10, dtype=int)}
ways = {
    "MLE": {},
    "Firth": {"penalty": "firth"},
    "weak prior Beta(2, 2)": {"prior": {"p": mk.priors.Beta(2, 2)}},
}
fits = {}
print(f"{'data':<9} {'method':<22} {'p':>6} {'95% profile interval':>22}")
for name, flips in coins.items():
    for way, kw in ways.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mk.BoundaryWarning)   # the MLE of 10/10 is p = 1
            res = mk.fit(flips, "bernoulli", **kw)
        lo, hi = res.ci(method="profile")["p"]
        fits[name, way] = res
        print(f"{name:<9} {way:<22} {res.params['p']:>6.3f} {lo:>10.3f} … {hi:.3f}")

mle, firth = fits["10 of 10", "MLE"], fits["10 of 10", "Firth"]
weak = fits["10 of 10", "weak prior Beta(2, 2)"]
print(f"\n10 of 10: the MLE says p = {mle.params['p']:.0f} (no standard error: "
      f"{mle.se['p']}); Firth says p = {firth.params['p']:.3f} = 10.5/11 "
      f"(SE {firth.se['p']:.3f}); the weak prior says {weak.params['p']:.3f} = 11/12")

ax = mk.plot.loglik(firth, "p")       # the penalised log-likelihood curve and its interval
ax.figure.savefig(out / "few_data_firth.png", dpi=100)
print(f"wrote {out / 'few_data_firth.png'}")
