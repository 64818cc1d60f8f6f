"""Defects per machine and shift: a Poisson rate, or over-dispersed negative binomial counts?

Run: python examples/defects.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
df = mk.datasets.defects()                   # machine, day, shift, defects
counts = mk.Data(df["defects"], name="defects per machine-shift")
print(f"{len(df)} machine-shifts: mean {df.defects.mean():.2f}, variance {df.defects.var():.2f}")

pois = mk.fit(counts, "poisson")
nb = mk.fit(counts, "negative_binomial")
for r in (pois, nb):
    print(f"{r.family:>18}: loglik {r.loglik:9.2f}   AIC {r.aic:8.2f}   {r.params}")
print(f"the negative binomial is better by ΔAIC = {pois.aic - nb.aic:.1f}: the counts are over-dispersed")
print(nb.summary())

# Per machine: one Poisson rate per machine in one call (grouped fits).
try:
    by_machine = mk.fit(df["defects"], "poisson", by=df["machine"])
    print(by_machine.params)
except ModuleNotFoundError:
    print("(grouped fits with by= are not in this installation)")

ax = mk.plot.compare([pois, nb], kind="density")
ax.figure.savefig(out / "defects_compare.png", dpi=100)
print(f"wrote {out / 'defects_compare.png'}")
