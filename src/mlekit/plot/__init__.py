"""Plots of fits: every function takes ``ax=None`` (a new figure when omitted) and returns the
matplotlib Axes it drew on; :func:`panel` (``res.plot()``) returns a Figure.

>>> import mlekit as mk
>>> res = mk.fit(mk.datasets.gaussian(), "normal")
>>> ax = mk.plot.density(res)          # the seed's histogram with the fitted bell curve

=================  ==================================================================
``density``        histogram (bars for counts) with the fitted density / pmf
``qq``, ``pp``     quantile–quantile and probability–probability plots
``cdf``            fitted CDF over the ECDF, Kaplan–Meier or Turnbull estimate
``survival``       fitted S(t) with a delta-method band, over Kaplan–Meier
``hazard``         fitted hazard (or cumulative hazard) with a band
``loglik``         log-likelihood over one parameter: MLE and profile cutoff
``profile``        profile log-likelihood against its quadratic (Wald) approximation
``contour``        log-likelihood surface over two parameters with joint regions
``panel``          the 2×2 diagnostic figure (``res.plot()``)
``residuals``      a regression's 2×2 residual checks (vs fitted, Q–Q, scale-location, leverage)
``compare``        candidate families of ``mk.compare`` overlaid on the data
``return_levels``  return level vs return period (log axis), profile band, data points
``mean_residual_life``, ``threshold_stability``  threshold choice for peaks over threshold
=================  ==================================================================

Censored rows are drawn distinctly: hollow ``>`` right-censored, ``<`` left-censored, ``o``
interval-censored (at the midpoint). matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

from .._inference.empirical import Empirical, empirical, kaplan_meier, turnbull
from ._diagnostic import cdf, density, pp, qq
from ._extremes import mean_residual_life, return_levels, threshold_stability
from ._likelihood import contour, loglik, profile, profile_curve
from ._panel import compare, panel
from ._report import report
from ._residuals import residuals
from ._survival import hazard, hazard_band, survival, survival_band

__all__ = ["density", "qq", "pp", "cdf", "survival", "hazard", "loglik", "profile", "contour",
           "panel", "compare", "empirical", "kaplan_meier", "turnbull", "Empirical",
           "profile_curve", "survival_band", "hazard_band", "report", "residuals",
           "return_levels", "mean_residual_life", "threshold_stability"]
