"""Priors for maximum a posteriori fits: ``mk.fit(x, "gev", prior={"shape": mk.priors.Beta(6, 9,
lower=-0.5, upper=0.5)})``. See :mod:`mlekit._fit.priors` (``jacobian=False``, the default: the
density is on the parameter's natural scale; ``jacobian=True``: on its unconstrained scale)."""

from ._fit.priors import Beta, Cauchy, Flat, Gamma, HalfNormal, LogNormal, Normal, Prior

__all__ = ["Prior", "Normal", "Beta", "Gamma", "HalfNormal", "Cauchy", "Flat", "LogNormal"]
