"""Typical parameter values for every family, used by the conformance suite."""

from __future__ import annotations

import mlekit as mk

# name -> (family object, params, x values to probe inside the support)
CASES: dict[str, tuple[mk.Family, dict[str, float], list[float]]] = {
    "normal": (mk.Normal(), {"mu": 1.5, "sigma": 2.0}, [-3.0, 0.0, 1.5, 4.0, 9.0]),
    "lognormal": (mk.LogNormal(), {"mu": 0.3, "sigma": 0.8}, [0.05, 0.5, 1.3, 4.0, 20.0]),
    "exponential": (mk.Exponential(), {"rate": 0.7}, [0.01, 0.5, 1.4, 5.0, 12.0]),
    "gamma": (mk.Gamma(), {"shape": 2.5, "scale": 1.3}, [0.05, 1.0, 3.0, 7.0, 15.0]),
    "weibull": (mk.Weibull(), {"shape": 1.7, "scale": 2.2}, [0.05, 1.0, 2.2, 4.0, 7.0]),
    "beta": (mk.Beta(), {"a": 2.2, "b": 3.5}, [0.01, 0.2, 0.4, 0.7, 0.97]),
    "student_t": (mk.StudentT(), {"mu": -0.5, "sigma": 1.2, "df": 4.5}, [-9.0, -2.0, -0.5, 1.0, 6.0]),
    "cauchy": (mk.Cauchy(), {"loc": 0.4, "scale": 0.9}, [-30.0, -1.0, 0.4, 2.0, 50.0]),
    "laplace": (mk.Laplace(), {"loc": 1.0, "scale": 0.6}, [-2.0, 0.3, 0.9, 1.8, 5.0]),
    "logistic": (mk.Logistic(), {"loc": 2.0, "scale": 0.7}, [-3.0, 1.0, 2.0, 3.0, 8.0]),
    "loglogistic": (mk.LogLogistic(), {"shape": 3.2, "scale": 1.8}, [0.1, 1.0, 1.8, 3.0, 10.0]),
    "gev": (mk.GEV(), {"loc": 1.0, "scale": 2.0, "shape": 0.2}, [-3.5, -1.0, 0.8, 1.05, 4.0, 30.0]),
    "genpareto": (mk.GeneralizedPareto(), {"scale": 1.5, "shape": -0.3}, [0.001, 0.01, 0.2, 1.5, 4.9]),
    "gumbel": (mk.Gumbel(), {"loc": 0.5, "scale": 1.5}, [-4.0, -1.0, 0.5, 3.0, 10.0]),
    "pareto": (mk.Pareto(), {"shape": 2.7, "scale": 1.5}, [1.5001, 1.8, 2.5, 6.0, 40.0]),
    "lomax": (mk.Lomax(), {"shape": 3.1, "scale": 2.4}, [0.01, 0.5, 2.0, 6.0, 30.0]),
    "inverse_gaussian": (mk.InverseGaussian(), {"mu": 1.6, "shape": 3.3}, [0.05, 0.6, 1.4, 3.0, 8.0]),
    "uniform": (mk.Uniform(), {"low": -1.0, "high": 2.5}, [-0.9, 0.0, 1.0, 2.0, 2.4]),
    "rayleigh": (mk.Rayleigh(), {"scale": 1.3}, [0.05, 0.8, 1.3, 2.5, 5.0]),
    "poisson": (mk.Poisson(), {"rate": 3.4}, [0, 1, 3, 6, 12]),
    "bernoulli": (mk.Bernoulli(), {"p": 0.3}, [0, 1]),
    "binomial": (mk.Binomial(n=12), {"p": 0.35}, [0, 2, 4, 7, 12]),
    "geometric": (mk.Geometric(), {"p": 0.25}, [0, 1, 3, 8, 20]),
    "negative_binomial": (mk.NegativeBinomial(), {"mean": 4.2, "size": 2.3}, [0, 2, 4, 9, 25]),
    # threshold (shifted) families
    "weibull3": (mk.Weibull3(), {"shape": 2.4, "scale": 2.2, "threshold": 1.5},
                 [1.55, 2.5, 3.7, 5.5, 8.0]),
    "lognormal3": (mk.LogNormal3(), {"mu": 0.3, "sigma": 0.5, "threshold": -2.0},
                   [-1.9, -1.0, 0.0, 2.0, 8.0]),
    "gamma3": (mk.Gamma3(), {"shape": 3.5, "scale": 1.3, "threshold": 4.0},
               [4.05, 5.0, 8.0, 11.0, 19.0]),
    "loglogistic3": (mk.LogLogistic3(), {"shape": 4.2, "scale": 1.8, "threshold": 0.5},
                     [0.6, 1.5, 2.3, 3.5, 10.0]),
    "exponential2": (mk.Exponential2(), {"rate": 0.7, "threshold": 3.0},
                     [3.01, 3.5, 4.4, 8.0, 15.0]),
    # the wider catalogue
    "gengamma": (mk.GenGamma(), {"mu": 0.8, "sigma": 0.6, "Q": 0.7}, [0.1, 0.9, 2.2, 4.0, 12.0]),
    "gompertz": (mk.Gompertz(), {"shape": 0.4, "rate": 0.3}, [0.05, 0.8, 2.0, 4.0, 8.0]),
    "burr12": (mk.Burr12(), {"c": 2.5, "d": 1.7, "scale": 1.4}, [0.05, 0.6, 1.3, 2.5, 9.0]),
    "skew_normal": (mk.SkewNormal(), {"loc": 1.0, "scale": 2.0, "alpha": 3.0},
                    [-2.0, 0.5, 1.5, 3.0, 8.0]),
    "birnbaum_saunders": (mk.BirnbaumSaunders(), {"shape": 0.6, "scale": 2.0},
                          [0.2, 1.0, 2.0, 4.0, 12.0]),
    "beta_binomial": (mk.BetaBinomial(n=12), {"a": 2.0, "b": 3.5}, [0, 2, 5, 9, 12]),
    "zt_poisson": (mk.ZTPoisson(), {"rate": 2.4}, [1, 2, 3, 6, 12]),
    "logseries": (mk.LogSeries(), {"p": 0.8}, [1, 2, 4, 9, 30]),
}

# families without closed-form/regular behaviour for some checks
NONREGULAR = {"uniform", "pareto", "exponential2"}


def dist(name: str) -> mk.Family:
    fam, params, _ = CASES[name]
    return fam.with_params(**params)
