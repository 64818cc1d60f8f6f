"""Which families ``compare`` tries by default, and which fits it will not crown silently.

One default set for Python (``mk.compare(x)``), the command line (``mlekit compare``) and the
web explorer, chosen from the data's support:

* counts (whole numbers >= 0): poisson, negative_binomial, geometric;
* values in (0, 1): beta, normal, logistic;
* positive values: exponential, weibull, gamma, lognormal, loglogistic, normal;
* anything else: normal, logistic, laplace, student_t, gumbel.

``"all"`` still tries every family whose support holds the data.

A fit is *flagged* (ranked after the regular fits and never the "best") when a parameter ran
to the edge of its domain (a Lomax shape of 1e13 is an exponential in disguise, a Student-t
with df -> inf is a normal) or when the family is non-regular — its support depends on a
parameter (uniform, Pareto): its maximum sits on the sample extremes, and on few points its
likelihood beats every smooth family for no good reason, so AIC cannot compare it fairly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["default_families", "caution"]

COUNTS = ["poisson", "negative_binomial", "geometric"]
UNIT = ["beta", "normal", "logistic"]
POSITIVE = ["exponential", "weibull", "gamma", "lognormal", "loglogistic", "normal"]
REAL = ["normal", "logistic", "laplace", "student_t", "gumbel"]


def default_families(data: Any) -> list[str]:
    """The default candidate set for ``data`` (a :class:`mlekit.Data`)."""
    pts = np.asarray(data.all_points(), dtype=float)
    pts = pts[np.isfinite(pts)]
    if pts.size and np.all(pts == np.floor(pts)) and pts.min() >= 0:
        return list(COUNTS)
    if pts.size and pts.min() > 0 and pts.max() < 1:
        return list(UNIT)
    if pts.size and pts.min() > 0:
        return list(POSITIVE)
    return list(REAL)


def caution(res: Any) -> str:
    """Why a fit should not be crowned without a second look ("" when it is a regular fit)."""
    why = []
    nonreg = tuple(getattr(res.dist, "nonregular", ()) or ())
    if nonreg:
        why.append("non-regular family (its support depends on "
                   f"{', '.join(nonreg)}): AIC does not compare it fairly")
    edge = [p for p in getattr(res, "on_boundary", ()) if p not in nonreg]
    if edge:
        vals = ", ".join(f"{p} = {res.params[p]:.3g}" for p in edge if p in res.params)
        why.append(f"at the edge of its parameter space ({vals}): a simpler family in disguise")
    return "; ".join(why)
