"""mlekit: maximum likelihood estimation with uncertainty, diagnostics and model choice.

>>> import mlekit as mk
>>> res = mk.fit([2.3, 1.9, 2.5, 2.8, 1.7], "normal")
>>> round(res.params["mu"], 2), round(res.params["sigma"], 3)
(2.24, 0.398)
"""

from __future__ import annotations

from . import errors
from ._data import Data
from ._domains import Interval, Positive, Real, UnitInterval
from ._engine import get_threads, set_threads
from ._families import (Bernoulli, Beta, Binomial, Cauchy, Exponential, Family, Gamma, Geometric,
                        Gumbel, InverseGaussian, Laplace, Logistic, LogLogistic, LogNormal, Lomax,
                        NegativeBinomial, Normal, Pareto, Poisson, Rayleigh, StudentT, Uniform,
                        Weibull, families, get_family)
from ._fit import fit
from ._result import Diagnostic, FitResult
from ._summary import Summary
from .errors import (BoundaryWarning, ConvergenceError, ConvergenceWarning, DataError,
                     FamilyError, MlekitError, NumericalWarning, ParameterError)

__version__ = "0.1.0"

__all__ = [
    "fit", "Data", "FitResult", "Summary", "Diagnostic", "families", "get_family", "Family",
    "Real", "Positive", "UnitInterval", "Interval", "set_threads", "get_threads", "errors",
    "Normal", "LogNormal", "Exponential", "Gamma", "Weibull", "Beta", "StudentT", "Cauchy",
    "Laplace", "Logistic", "LogLogistic", "Gumbel", "Pareto", "Lomax", "InverseGaussian",
    "Uniform", "Rayleigh", "Poisson", "Bernoulli", "Binomial", "Geometric", "NegativeBinomial",
    "MlekitError", "DataError", "ParameterError", "FamilyError", "ConvergenceError",
    "ConvergenceWarning", "BoundaryWarning", "NumericalWarning", "__version__",
]
