"""mlekit: maximum likelihood estimation with uncertainty, diagnostics and model choice.

>>> import mlekit as mk
>>> res = mk.fit([2.3, 1.9, 2.5, 2.8, 1.7], "normal")
>>> round(res.params["mu"], 2), round(res.params["sigma"], 3)
(2.24, 0.398)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors
from .errors import (
    BoundaryWarning,
    ConvergenceError,
    ConvergenceWarning,
    DataError,
    FamilyError,
    MlekitError,
    MlekitWarning,
    NotFoundError,
    NumericalWarning,
    ParameterError,
)

if TYPE_CHECKING:  # the names below are imported on first use (see _LAZY)
    from . import datasets, plot
    from ._api.compare import Comparison, compare
    from ._api.fit import fit
    from ._api.gof import gof
    from ._api.lrt import lr_test
    from ._core.domains import Interval, Positive, Real, UnitInterval
    from ._core.engine import get_threads, set_threads
    from ._data.data import Data
    from ._data.sources import read_csv, read_parquet
    from ._data.sql_source import sql
    from ._families import (
        GEV,
        Bernoulli,
        Beta,
        BetaBinomial,
        Binomial,
        BirnbaumSaunders,
        Burr12,
        Cauchy,
        Exponential,
        Exponential2,
        Family,
        Gamma,
        Gamma3,
        GeneralizedPareto,
        GenGamma,
        Geometric,
        Gompertz,
        Gumbel,
        InverseGaussian,
        Laplace,
        Logistic,
        LogLogistic,
        LogLogistic3,
        LogNormal,
        LogNormal3,
        LogSeries,
        Lomax,
        NegativeBinomial,
        Normal,
        Pareto,
        Poisson,
        Rayleigh,
        SkewNormal,
        StudentT,
        Uniform,
        Weibull,
        Weibull3,
        ZTPoisson,
        families,
        get_family,
    )
    from ._families.logpdf import logpdf
    from ._families.wrappers import Cure, Hurdle, ZeroInflated
    from ._fit import priors
    from ._fit.result import Diagnostic, FitResult
    from ._fit.summary import Summary
    from ._models.custom import model
    from ._models.mixture import fit_mixture
    from ._models.regression import regress
    from ._models.timeseries import fit_ar1, fit_markov
    from ._scale.grouped.result import GroupedResult

__version__ = "0.1.0"

# Public names implemented in modules that are imported on first use (PEP 562): keeps
# ``import mlekit`` and ``mlekit --help`` fast, and lets each feature live in its own module.
_LAZY: dict[str, tuple[str, str]] = {
    # the core (lazy too: numpy/scipy load on first use, so `mlekit --help` stays fast)
    "fit": ("._api.fit", "fit"),
    "Data": ("._data.data", "Data"),
    "FitResult": ("._fit.result", "FitResult"),
    "Diagnostic": ("._fit.result", "Diagnostic"),
    "Summary": ("._fit.summary", "Summary"),
    "Real": ("._core.domains", "Real"),
    "Positive": ("._core.domains", "Positive"),
    "UnitInterval": ("._core.domains", "UnitInterval"),
    "Interval": ("._core.domains", "Interval"),
    "set_threads": ("._core.engine", "set_threads"),
    "get_threads": ("._core.engine", "get_threads"),
    **{name: ("._families", name) for name in (
        "families", "get_family", "Family", "Normal", "LogNormal", "Exponential", "Gamma",
        "Weibull", "Beta", "StudentT", "Cauchy", "Laplace", "Logistic", "LogLogistic", "Gumbel",
        "Pareto", "Lomax", "InverseGaussian", "Uniform", "Rayleigh", "Poisson", "Bernoulli",
        "Binomial", "Geometric", "NegativeBinomial", "GEV", "GeneralizedPareto", "Weibull3",
        "LogNormal3", "Gamma3",
        "LogLogistic3", "Exponential2", "GenGamma", "Gompertz", "Burr12", "SkewNormal",
        "BirnbaumSaunders", "BetaBinomial", "ZTPoisson", "LogSeries")},
    "ZeroInflated": ("._families.wrappers", "ZeroInflated"),
    "Hurdle": ("._families.wrappers", "Hurdle"),
    "Cure": ("._families.wrappers", "Cure"),
    # inference and model choice
    "compare": ("._api.compare", "compare"),
    "Comparison": ("._api.compare", "Comparison"),
    "lr_test": ("._api.lrt", "lr_test"),
    "gof": ("._api.gof", "gof"),
    # custom likelihoods and structured models
    "model": ("._models.custom", "model"),
    "regress": ("._models.regression", "regress"),
    "fit_mixture": ("._models.mixture", "fit_mixture"),
    "fit_ar1": ("._models.timeseries", "fit_ar1"),
    "fit_markov": ("._models.timeseries", "fit_markov"),
    "logpdf": ("._families.logpdf", "logpdf"),
    # data sources
    "read_csv": ("._data.sources", "read_csv"),
    "read_parquet": ("._data.sources", "read_parquet"),
    "sql": ("._data.sql_source", "sql"),
    "GroupedResult": ("._scale.grouped.result", "GroupedResult"),
    # plots and example data
    "plot": (".plot", ""),
    "datasets": (".datasets", ""),
    "extremes": ("._models.extremes", ""),
    "priors": ("._fit.priors", ""),   # mk.priors.Normal(...) etc.
}


def __getattr__(name: str) -> object:
    try:
        mod_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'mlekit' has no attribute {name!r}") from None
    import importlib

    mod = importlib.import_module(mod_name, __name__)
    val = getattr(mod, attr) if attr else mod
    globals()[name] = val
    return val


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "fit", "Data", "FitResult", "Summary", "Diagnostic", "families", "get_family", "Family",
    "Real", "Positive", "UnitInterval", "Interval", "set_threads", "get_threads", "errors",
    "Normal", "LogNormal", "Exponential", "Gamma", "Weibull", "Beta", "StudentT", "Cauchy",
    "Laplace", "Logistic", "LogLogistic", "Gumbel", "Pareto", "Lomax", "InverseGaussian",
    "Uniform", "Rayleigh", "Poisson", "Bernoulli", "Binomial", "Geometric", "NegativeBinomial",
    "GEV", "GeneralizedPareto", "extremes",
    "Weibull3", "LogNormal3", "Gamma3", "LogLogistic3", "Exponential2",
    "GenGamma", "Gompertz", "Burr12", "SkewNormal", "BirnbaumSaunders", "BetaBinomial",
    "ZTPoisson", "LogSeries",
    "ZeroInflated", "Hurdle", "Cure",
    "MlekitError", "DataError", "ParameterError", "FamilyError", "ConvergenceError",
    "NotFoundError",
    "ConvergenceWarning", "BoundaryWarning", "NumericalWarning", "__version__",
    "compare", "Comparison", "lr_test", "gof",
    "read_parquet", "read_csv", "sql", "GroupedResult",
    "model", "regress", "fit_mixture", "fit_ar1", "fit_markov", "logpdf", "plot", "datasets",
    "MlekitWarning", "priors",
]
