"""Independent reference fits with scipy.stats (same data, same fixed parameters)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.stats as st
from scipy import optimize

# name -> (scipy dist, fit kwargs, converter scipy params -> mlekit params)
CONT: dict[str, tuple[Any, dict[str, float], Any]] = {
    "normal": (st.norm, {}, lambda p: {"mu": p[0], "sigma": p[1]}),
    "lognormal": (st.lognorm, {"floc": 0}, lambda p: {"mu": np.log(p[2]), "sigma": p[0]}),
    "exponential": (st.expon, {"floc": 0}, lambda p: {"rate": 1 / p[1]}),
    "gamma": (st.gamma, {"floc": 0}, lambda p: {"shape": p[0], "scale": p[2]}),
    "weibull": (st.weibull_min, {"floc": 0}, lambda p: {"shape": p[0], "scale": p[2]}),
    "beta": (st.beta, {"floc": 0, "fscale": 1}, lambda p: {"a": p[0], "b": p[1]}),
    "student_t": (st.t, {}, lambda p: {"mu": p[1], "sigma": p[2], "df": p[0]}),
    "cauchy": (st.cauchy, {}, lambda p: {"loc": p[0], "scale": p[1]}),
    "laplace": (st.laplace, {}, lambda p: {"loc": p[0], "scale": p[1]}),
    "logistic": (st.logistic, {}, lambda p: {"loc": p[0], "scale": p[1]}),
    "loglogistic": (st.fisk, {"floc": 0}, lambda p: {"shape": p[0], "scale": p[2]}),
    "gumbel": (st.gumbel_r, {}, lambda p: {"loc": p[0], "scale": p[1]}),
    "pareto": (st.pareto, {"floc": 0}, lambda p: {"shape": p[0], "scale": p[2]}),
    "lomax": (st.lomax, {"floc": 0}, lambda p: {"shape": p[0], "scale": p[2]}),
    "inverse_gaussian": (st.invgauss, {"floc": 0}, lambda p: {"mu": p[0] * p[2], "shape": p[2]}),
    "uniform": (st.uniform, {}, lambda p: {"low": p[0], "high": p[0] + p[1]}),
    "rayleigh": (st.rayleigh, {"floc": 0}, lambda p: {"scale": p[1]}),
    # scipy's sign conventions: genextreme c = -shape, genpareto c = shape
    "gev": (st.genextreme, {}, lambda p: {"loc": p[1], "scale": p[2], "shape": -p[0]}),
    "genpareto": (st.genpareto, {"floc": 0}, lambda p: {"scale": p[2], "shape": p[0]}),
    # threshold families: scipy's fit with a free loc
    "weibull3": (st.weibull_min, {}, lambda p: {"shape": p[0], "scale": p[2], "threshold": p[1]}),
    "lognormal3": (st.lognorm, {}, lambda p: {"mu": np.log(p[2]), "sigma": p[0], "threshold": p[1]}),
    "gamma3": (st.gamma, {}, lambda p: {"shape": p[0], "scale": p[2], "threshold": p[1]}),
    "loglogistic3": (st.fisk, {}, lambda p: {"shape": p[0], "scale": p[2], "threshold": p[1]}),
    "exponential2": (st.expon, {}, lambda p: {"rate": 1 / p[1], "threshold": p[0]}),
    # the wider catalogue
    "gengamma": (st.gengamma, {"floc": 0}, lambda p: _prentice(*p)),
    "gompertz": (st.gompertz, {"floc": 0}, lambda p: {"shape": 1 / p[2], "rate": p[0] / p[2]}),
    "burr12": (st.burr12, {"floc": 0}, lambda p: {"c": p[0], "d": p[1], "scale": p[3]}),
    "skew_normal": (st.skewnorm, {}, lambda p: {"loc": p[1], "scale": p[2], "alpha": p[0]}),
    "birnbaum_saunders": (st.fatiguelife, {"floc": 0}, lambda p: {"shape": p[0], "scale": p[2]}),
}


def _prentice(a: float, c: float, loc: float, scale: float) -> dict[str, float]:
    """scipy's gengamma(a, c, scale) in the Prentice (mu, sigma, Q) parameters."""
    q = np.sign(c) / np.sqrt(a)
    s = q / c
    return {"mu": float(np.log(scale) - 2 * s * np.log(abs(q)) / q), "sigma": float(s), "Q": float(q)}


def scipy_fit(name: str, x: np.ndarray) -> dict[str, float]:
    if name in CONT:
        dist, kw, conv = CONT[name]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")   # scipy's free-loc fits warn on their way
            return {k: float(v) for k, v in conv(dist.fit(x, **kw)).items()}
    return discrete_fit(name, x)


def discrete_fit(name: str, x: np.ndarray, n: int | None = None) -> dict[str, float]:
    """Discrete families: minimise scipy's own NLL tightly (scipy has no MLE `fit` for them)."""
    if name == "poisson":
        f = lambda t: -st.poisson.logpmf(x, np.exp(t[0])).sum()  # noqa: E731
        r = optimize.minimize(f, [np.log(x.mean() + 0.5)], method="Nelder-Mead",
                              options={"xatol": 1e-12, "fatol": 1e-14})
        return {"rate": float(np.exp(r.x[0]))}
    if name == "negative_binomial":
        def f(t: np.ndarray) -> float:
            m, r = np.exp(t)
            return -st.nbinom.logpmf(x, r, r / (r + m)).sum()
        r = optimize.minimize(f, [np.log(x.mean()), 0.0], method="Nelder-Mead",
                              options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
        return {"mean": float(np.exp(r.x[0])), "size": float(np.exp(r.x[1]))}
    if name == "beta_binomial":
        def f(t: np.ndarray) -> float:
            a, b = np.exp(t)
            return -st.betabinom.logpmf(x, n, a, b).sum()
        r = optimize.minimize(f, [0.0, 0.0], method="Nelder-Mead",
                              options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
        return {"a": float(np.exp(r.x[0])), "b": float(np.exp(r.x[1]))}
    if name == "zt_poisson":
        def nll_zt(t: float) -> float:
            lam = np.exp(t)
            return -(st.poisson.logpmf(x, lam) - np.log(-np.expm1(-lam))).sum()
        r = optimize.minimize_scalar(nll_zt, bounds=(-10, 10), method="bounded",
                                     options={"xatol": 1e-13})
        return {"rate": float(np.exp(r.x))}
    if name == "logseries":
        r = optimize.minimize_scalar(lambda p: -st.logser.logpmf(x, p).sum(), bounds=(1e-9, 1 - 1e-9),
                                     method="bounded", options={"xatol": 1e-13})
        return {"p": float(r.x)}
    if name in ("bernoulli", "binomial", "geometric"):
        def nll(p: float) -> float:
            if name == "bernoulli":
                return -st.bernoulli.logpmf(x, p).sum()
            if name == "binomial":
                return -st.binom.logpmf(x, n, p).sum()
            return -st.geom.logpmf(x, p, loc=-1).sum()
        r = optimize.minimize_scalar(nll, bounds=(1e-9, 1 - 1e-9), method="bounded",
                                     options={"xatol": 1e-13})
        return {"p": float(r.x)}
    raise KeyError(name)


def scipy_loglik(name: str, params: dict[str, float], x: np.ndarray, n: int | None = None) -> float:
    """Log-likelihood computed by scipy.stats (independent of mlekit's densities)."""
    p = params
    table = {
        "normal": lambda: st.norm.logpdf(x, p["mu"], p["sigma"]),
        "lognormal": lambda: st.lognorm.logpdf(x, p["sigma"], scale=np.exp(p["mu"])),
        "exponential": lambda: st.expon.logpdf(x, scale=1 / p["rate"]),
        "gamma": lambda: st.gamma.logpdf(x, p["shape"], scale=p["scale"]),
        "weibull": lambda: st.weibull_min.logpdf(x, p["shape"], scale=p["scale"]),
        "beta": lambda: st.beta.logpdf(x, p["a"], p["b"]),
        "student_t": lambda: st.t.logpdf(x, p["df"], p["mu"], p["sigma"]),
        "cauchy": lambda: st.cauchy.logpdf(x, p["loc"], p["scale"]),
        "laplace": lambda: st.laplace.logpdf(x, p["loc"], p["scale"]),
        "logistic": lambda: st.logistic.logpdf(x, p["loc"], p["scale"]),
        "loglogistic": lambda: st.fisk.logpdf(x, p["shape"], scale=p["scale"]),
        "gumbel": lambda: st.gumbel_r.logpdf(x, p["loc"], p["scale"]),
        "pareto": lambda: st.pareto.logpdf(x, p["shape"], scale=p["scale"]),
        "lomax": lambda: st.lomax.logpdf(x, p["shape"], scale=p["scale"]),
        "inverse_gaussian": lambda: st.invgauss.logpdf(x, p["mu"] / p["shape"], scale=p["shape"]),
        "uniform": lambda: st.uniform.logpdf(x, p["low"], p["high"] - p["low"]),
        "rayleigh": lambda: st.rayleigh.logpdf(x, scale=p["scale"]),
        "gev": lambda: st.genextreme.logpdf(x, -p["shape"], p["loc"], p["scale"]),
        "genpareto": lambda: st.genpareto.logpdf(x, p["shape"], 0.0, p["scale"]),
        "weibull3": lambda: st.weibull_min.logpdf(x, p["shape"], p["threshold"], p["scale"]),
        "lognormal3": lambda: st.lognorm.logpdf(x, p["sigma"], p["threshold"], np.exp(p["mu"])),
        "gamma3": lambda: st.gamma.logpdf(x, p["shape"], p["threshold"], p["scale"]),
        "loglogistic3": lambda: st.fisk.logpdf(x, p["shape"], p["threshold"], p["scale"]),
        "exponential2": lambda: st.expon.logpdf(x, p["threshold"], 1 / p["rate"]),
        "gengamma": lambda: mk_gengamma(p).logpdf(x),
        "gompertz": lambda: st.gompertz.logpdf(x, p["rate"] / p["shape"], scale=1 / p["shape"]),
        "burr12": lambda: st.burr12.logpdf(x, p["c"], p["d"], scale=p["scale"]),
        "skew_normal": lambda: st.skewnorm.logpdf(x, p["alpha"], p["loc"], p["scale"]),
        "birnbaum_saunders": lambda: st.fatiguelife.logpdf(x, p["shape"], scale=p["scale"]),
        "beta_binomial": lambda: st.betabinom.logpmf(x, n, p["a"], p["b"]),
        "zt_poisson": lambda: st.poisson.logpmf(x, p["rate"]) - np.log(-np.expm1(-p["rate"])),
        "logseries": lambda: st.logser.logpmf(x, p["p"]),
        "poisson": lambda: st.poisson.logpmf(x, p["rate"]),
        "bernoulli": lambda: st.bernoulli.logpmf(x, p["p"]),
        "binomial": lambda: st.binom.logpmf(x, n, p["p"]),
        "geometric": lambda: st.geom.logpmf(x, p["p"], loc=-1),
        "negative_binomial": lambda: st.nbinom.logpmf(x, p["size"], p["size"] / (p["size"] + p["mean"])),
    }
    return float(np.sum(table[name]()))


def mk_gengamma(p: dict[str, float]) -> Any:
    """scipy's gengamma at Prentice parameters."""
    q, s, mu = p["Q"], p["sigma"], p["mu"]
    return st.gengamma(1 / q**2, q / s, scale=np.exp(mu + 2 * s * np.log(abs(q)) / q))
