"""An A/B test: visitors and conversions per variant. Is B's conversion rate higher?

Each variant's conversion rate is a Bernoulli p fitted to its visitors (conversions as 1s,
the rest as 0s, given as weights). The likelihood-ratio test compares "one rate for both"
with "one rate each"; the lift's interval uses the delta method on the two independent fits.

Run: python examples/ab_test.py [OUTPUT_FOLDER]
"""

import math
import sys
from pathlib import Path

import matplotlib
from scipy.stats import chi2, norm

matplotlib.use("Agg")
import mlekit as mk

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
df = mk.datasets.ab_test()                  # variant, visitors, conversions
print(df.to_string(index=False))


def rate(conversions: int, visitors: int) -> mk.FitResult:
    return mk.fit(mk.Data([1, 0], weights=[conversions, visitors - conversions]), "bernoulli")


fits = {r.variant: rate(r.conversions, r.visitors) for r in df.itertuples()}
pooled = rate(int(df.conversions.sum()), int(df.visitors.sum()))
a, b = fits["A"], fits["B"]

lift = b.params["p"] - a.params["p"]
se = math.hypot(a.se["p"], b.se["p"])
z = norm.ppf(0.975)
lr = 2 * (a.loglik + b.loglik - pooled.loglik)
p_value = chi2.sf(lr, df=1)
print(f"A: {a.params['p']:.2%} (95% CI {a.ci()['p'][0]:.2%}–{a.ci()['p'][1]:.2%})")
print(f"B: {b.params['p']:.2%} (95% CI {b.ci()['p'][0]:.2%}–{b.ci()['p'][1]:.2%})")
print(f"the conversion rate of B is {100 * lift:.1f} points higher, 95% CI "
      f"{100 * (lift - z * se):.1f}–{100 * (lift + z * se):.1f}, LRT p = {p_value:.3f}")

import matplotlib.pyplot as plt  # noqa: E402

fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained", sharey=True)
for ax, (variant, r) in zip(axes, fits.items()):
    mk.plot.profile(r, "p", ax)
    ax.set_title(f"variant {variant}")
fig.savefig(out / "ab_test_profiles.png", dpi=100)
print(f"wrote {out / 'ab_test_profiles.png'}")
