"""Built-in families. Importing this package registers all of them."""

from . import custom as custom  # (registers Family.from_logpdf / from_cumhaz)
from . import scipy_bridge as scipy_bridge  # (registers Family.from_scipy)
from .base import Family, Support, get_family
from .bounded import Beta, Uniform
from .catalog import BirnbaumSaunders, Burr12, GenGamma, Gompertz, SkewNormal
from .catalog_counts import BetaBinomial, LogSeries, ZTPoisson
from .discrete import Bernoulli, Binomial, Geometric, NegativeBinomial, Poisson
from .extreme import GEV, GeneralizedPareto
from .lifetime import Exponential, LogLogistic, Lomax, Pareto, Rayleigh, Weibull
from .positive import Gamma, InverseGaussian, LogNormal
from .real import Cauchy, Gumbel, Laplace, Logistic, Normal, StudentT
from .registry import families, registry
from .stats import Stats
from .threshold import Exponential2, Gamma3, LogLogistic3, LogNormal3, Weibull3

__all__ = [
    "Family", "Stats", "Support", "families", "get_family", "registry",
    "Normal", "LogNormal", "Exponential", "Gamma", "Weibull", "Beta", "StudentT", "Cauchy",
    "Laplace", "Logistic", "LogLogistic", "Gumbel", "Pareto", "Lomax", "InverseGaussian",
    "Uniform", "Rayleigh", "Poisson", "Bernoulli", "Binomial", "Geometric", "NegativeBinomial",
    "GEV", "GeneralizedPareto",
    "Weibull3", "LogNormal3", "Gamma3", "LogLogistic3", "Exponential2",
    "GenGamma", "Gompertz", "Burr12", "SkewNormal", "BirnbaumSaunders", "BetaBinomial",
    "ZTPoisson", "LogSeries",
]
