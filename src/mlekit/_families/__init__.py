"""Built-in families. Importing this package registers all of them."""

from ._base import Family, Stats, Support, families, get_family, registry
from ._bounded import Beta, Uniform
from ._discrete import Bernoulli, Binomial, Geometric, NegativeBinomial, Poisson
from ._lifetime import Exponential, LogLogistic, Lomax, Pareto, Rayleigh, Weibull
from ._positive import Gamma, InverseGaussian, LogNormal
from ._real import Cauchy, Gumbel, Laplace, Logistic, Normal, StudentT

__all__ = [
    "Family", "Stats", "Support", "families", "get_family", "registry",
    "Normal", "LogNormal", "Exponential", "Gamma", "Weibull", "Beta", "StudentT", "Cauchy",
    "Laplace", "Logistic", "LogLogistic", "Gumbel", "Pareto", "Lomax", "InverseGaussian",
    "Uniform", "Rayleigh", "Poisson", "Bernoulli", "Binomial", "Geometric", "NegativeBinomial",
]
