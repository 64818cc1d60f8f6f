"""Lightbulb lifetimes with bulbs still burning when the test was read out (right-censored).

Dropping the running bulbs, or treating their hours as failures, would bias the life
estimate low. The censored likelihood uses them as "lasted at least this long".

Run: python examples/lightbulbs.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
df = mk.datasets.lightbulbs()                       # bulb, hours, failed (0 = still burning)
data = mk.Data.right_censored(df["hours"], observed=df["failed"].astype(bool), name="hours")
print(data)

fits = {f: mk.fit(data, f) for f in ("exponential", "weibull", "lognormal", "gamma")}
for name, r in sorted(fits.items(), key=lambda kv: kv[1].aic):
    print(f"{name:>12}: AIC {r.aic:8.2f}")
wb = fits["weibull"]
print(wb.summary())

shape = wb.params["shape"]
print(f"shape {shape:.2f} > 1: the failure rate rises with age (wear-out)")
b10 = wb.dist.ppf(0.10)
print(f"B10 life (10% failed): {b10:.0f} h;  S(1000 h) = {wb.dist.sf(1000.0):.3f}")
S, lo, hi = mk.plot.survival_band(wb, [1000.0])
print(f"95% band for S(1000 h): {lo[0]:.3f}–{hi[0]:.3f} (delta method)")

naive = mk.fit(df.loc[df.failed == 1, "hours"], "weibull")
print(f"ignoring the running bulbs would give scale {naive.params['scale']:.0f} h instead of "
      f"{wb.params['scale']:.0f} h")

wb.plot().savefig(out / "lightbulbs_panel.png", dpi=100)
mk.plot.survival(wb).figure.savefig(out / "lightbulbs_survival.png", dpi=100)
print(f"wrote {out / 'lightbulbs_panel.png'} and {out / 'lightbulbs_survival.png'}")
