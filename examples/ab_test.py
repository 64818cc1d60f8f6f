"""An A/B test: visitors and conversions per variant. Is B's conversion rate higher?

Each variant's rate is a Bernoulli p (conversions as 1s, the other visitors as 0s, given as
weights). For the lift, both variants go into one likelihood with parameters "A's rate" and
"B's lift over A" (a custom model): the lift gets a profile-likelihood interval, and the
likelihood-ratio test compares lift = 0 (one rate for both) with the free fit.

Run: python examples/ab_test.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
df = mk.datasets.ab_test()                  # variant, visitors, conversions
print(df.to_string(index=False))

for r in df.itertuples():
    fit = mk.fit(mk.Data([1, 0], weights=[r.conversions, r.visitors - r.conversions]), "bernoulli")
    lo, hi = fit.ci()["p"]
    print(f"{r.variant}: {fit.params['p']:.2%} (95% CI {lo:.2%}–{hi:.2%})")


@mk.model(p_a=mk.UnitInterval, lift=mk.Interval(-1.0, 1.0))
def ab(converted, is_b, p_a, lift):
    """One visitor: converted (1/0) on variant A (is_b = 0) or B (is_b = 1)."""
    p = p_a + lift * is_b                   # B's rate is A's plus the lift
    return converted * np.log(p) + (1 - converted) * np.log1p(-p)


# four kinds of visitor, each row weighted by how many there were
data = {"converted": np.array([1.0, 0.0, 1.0, 0.0]), "is_b": np.array([0.0, 0.0, 1.0, 1.0])}
a, b = df.set_index("variant").loc["A"], df.set_index("variant").loc["B"]
weights = np.array([a.conversions, a.visitors - a.conversions, b.conversions,
                    b.visitors - b.conversions], dtype=float)
full = mk.fit(ab, data=data, weights=weights)
same = mk.fit(ab, data=data, weights=weights, fixed={"lift": 0.0})   # one rate for both
lo, hi = full.ci(method="profile")["lift"]
test = mk.lr_test(same, full)
print(full.summary())
print(test)
print(f"the conversion rate of B is {100 * full.params['lift']:.1f} points higher, 95% CI "
      f"{100 * lo:.1f}–{100 * hi:.1f}, LRT p = {test.p_value:.3f}")

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
mk.plot.profile(full, "lift", ax)
fig.savefig(out / "ab_test_lift.png", dpi=100)
print(f"wrote {out / 'ab_test_lift.png'}")
