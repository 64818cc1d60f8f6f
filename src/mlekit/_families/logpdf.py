"""``mk.logpdf``: log-density helpers for writing custom likelihoods.

Each helper returns the element-wise log density (log probability for discrete models),
with every constant, and works on NumPy arrays and on JAX arrays alike: when any argument is
a JAX array (or a JAX tracer inside ``jit``/``grad``) the computation uses ``jax.numpy``, so a
model written with these helpers can be differentiated exactly by JAX::

    @mk.model(sigma=mk.Positive)
    def linear(x, y, a, b, sigma):
        return mk.logpdf.normal(y, a + b * x, sigma)

Parameterisations follow mlekit's families (``mk.families()``): ``normal(y, mu, sigma)``,
``gamma(y, shape, scale)``, ``weibull(y, shape, scale)``, ``negative_binomial(k, mean, size)``...
Outside the support the value is ``-inf``; invalid parameters give ``nan``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["logpdf", "array_module"]

_LOG_2PI = math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)


def _is_jax(a: Any) -> bool:
    return type(a).__module__.split(".")[0] in ("jax", "jaxlib")


def array_module(*args: Any) -> tuple[Any, Any]:
    """``(xp, special)``: ``jax.numpy`` and ``jax.scipy.special`` when any argument is a JAX
    array or tracer, otherwise NumPy and ``scipy.special``."""
    if any(_is_jax(a) for a in args):
        import jax.numpy as jnp
        import jax.scipy.special as jsp

        return jnp, jsp
    import scipy.special as sp

    return np, sp


def _xlogy(xp: Any, x: Any, y: Any) -> Any:
    """``x * log(y)`` with ``0 * log(0) = 0``."""
    return xp.where(x == 0, 0.0, x * xp.log(xp.where(x == 0, 1.0, y)))


def _xlog1py(xp: Any, x: Any, y: Any) -> Any:
    return xp.where(x == 0, 0.0, x * xp.log1p(xp.where(x == 0, 0.0, y)))


def _gev_y(xp: Any, z: Any, shape: Any) -> tuple[Any, Any]:
    """``(log1p(shape z)/shape, inside)`` (``z - shape z^2/2`` where ``|shape| < 1e-8``)."""
    t = 1.0 + shape * z
    inside = t > 0
    small = xp.abs(shape) < 1e-8
    y = xp.where(small, z - shape * z * z / 2,
                 xp.log(xp.where(inside, t, 1.0)) / xp.where(small, 1.0, shape))
    return y, inside


class _LogPdf:
    """Log densities; see the module docstring. ``dir(mk.logpdf)`` lists them."""

    @staticmethod
    def gev(y: Any, loc: Any = 0.0, scale: Any = 1.0, shape: Any = 0.0) -> Any:
        """Generalised extreme value (``shape > 0``: heavy Fréchet tail, as ``mk.GEV``)."""
        xp, _ = array_module(y, loc, scale, shape)
        t, inside = _gev_y(xp, (y - loc) / scale, shape)
        v = -xp.log(scale) - (1.0 + shape) * t - xp.exp(-xp.where(inside, t, 0.0))
        return xp.where(inside, v, -xp.inf)

    @staticmethod
    def genpareto(y: Any, scale: Any = 1.0, shape: Any = 0.0) -> Any:
        """Generalised Pareto on ``y >= 0`` (as ``mk.GeneralizedPareto``)."""
        xp, _ = array_module(y, scale, shape)
        t, inside = _gev_y(xp, y / scale, shape)
        return xp.where(inside & (y >= 0), -xp.log(scale) - (1.0 + shape) * t, -xp.inf)

    @staticmethod
    def normal(y: Any, mu: Any = 0.0, sigma: Any = 1.0) -> Any:
        """Normal(mu, sigma): ``-log(2π)/2 - log σ - (y-μ)²/(2σ²)``."""
        xp, _ = array_module(y, mu, sigma)
        z = (y - mu) / sigma
        return -0.5 * _LOG_2PI - xp.log(sigma) - 0.5 * z * z

    @staticmethod
    def lognormal(y: Any, mu: Any = 0.0, sigma: Any = 1.0) -> Any:
        """LogNormal: ``log y`` is Normal(mu, sigma)."""
        xp, _ = array_module(y, mu, sigma)
        ly = xp.log(y)
        z = (ly - mu) / sigma
        return xp.where(y > 0, -0.5 * _LOG_2PI - xp.log(sigma) - 0.5 * z * z - ly, -xp.inf)

    @staticmethod
    def student_t(y: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """Student's t with ``df`` degrees of freedom, location and scale."""
        xp, sp = array_module(y, df, loc, scale)
        z = (y - loc) / scale
        return (sp.gammaln((df + 1.0) / 2.0) - sp.gammaln(df / 2.0) - 0.5 * xp.log(df)
                - 0.5 * _LOG_PI - xp.log(scale) - (df + 1.0) / 2.0 * xp.log1p(z * z / df))

    @staticmethod
    def cauchy(y: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        xp, _ = array_module(y, loc, scale)
        z = (y - loc) / scale
        return -_LOG_PI - xp.log(scale) - xp.log1p(z * z)

    @staticmethod
    def laplace(y: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        xp, _ = array_module(y, loc, scale)
        return -math.log(2.0) - xp.log(scale) - xp.abs(y - loc) / scale

    @staticmethod
    def logistic(y: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        xp, _ = array_module(y, loc, scale)
        z = (y - loc) / scale
        return -z - xp.log(scale) - 2.0 * xp.logaddexp(0.0, -z)

    @staticmethod
    def exponential(y: Any, rate: Any = 1.0) -> Any:
        """Exponential with ``rate`` (mean ``1/rate``)."""
        xp, _ = array_module(y, rate)
        return xp.where(y >= 0, xp.log(rate) - rate * y, -xp.inf)

    @staticmethod
    def gamma(y: Any, shape: Any, scale: Any = 1.0) -> Any:
        """Gamma(shape, scale): ``(k-1) log y - y/θ - log Γ(k) - k log θ``."""
        xp, sp = array_module(y, shape, scale)
        return xp.where(y > 0, _xlogy(xp, shape - 1.0, y) - y / scale - sp.gammaln(shape)
                        - shape * xp.log(scale), -xp.inf)

    @staticmethod
    def weibull(y: Any, shape: Any, scale: Any = 1.0) -> Any:
        """Weibull(shape k, scale λ): ``log k - log λ + (k-1) log(y/λ) - (y/λ)^k``."""
        xp, _ = array_module(y, shape, scale)
        u = y / scale
        return xp.where(y >= 0, xp.log(shape) - xp.log(scale) + _xlogy(xp, shape - 1.0, u)
                        - u ** shape, -xp.inf)

    @staticmethod
    def beta(y: Any, a: Any, b: Any) -> Any:
        xp, sp = array_module(y, a, b)
        inside = (y > 0) & (y < 1)
        return xp.where(inside, _xlogy(xp, a - 1.0, y) + _xlog1py(xp, b - 1.0, -y)
                        - (sp.gammaln(a) + sp.gammaln(b) - sp.gammaln(a + b)), -xp.inf)

    @staticmethod
    def poisson(k: Any, rate: Any) -> Any:
        """Poisson with mean ``rate``: ``k log λ - λ - log k!``."""
        xp, sp = array_module(k, rate)
        return xp.where(k >= 0, _xlogy(xp, k, rate) - rate - sp.gammaln(k + 1.0), -xp.inf)

    @staticmethod
    def bernoulli(y: Any, p: Any) -> Any:
        """Bernoulli: ``y log p + (1-y) log(1-p)`` for y in {0, 1}."""
        xp, _ = array_module(y, p)
        return _xlogy(xp, y, p) + _xlog1py(xp, 1.0 - y, -p)

    @staticmethod
    def bernoulli_logit(y: Any, eta: Any) -> Any:
        """Bernoulli with ``p = 1/(1+exp(-eta))``, stable for any ``eta``."""
        xp, _ = array_module(y, eta)
        return y * eta - xp.logaddexp(0.0, eta)

    @staticmethod
    def binomial(k: Any, n: Any, p: Any) -> Any:
        xp, sp = array_module(k, n, p)
        lc = sp.gammaln(n + 1.0) - sp.gammaln(k + 1.0) - sp.gammaln(n - k + 1.0)
        return lc + _xlogy(xp, k, p) + _xlog1py(xp, n - k, -p)

    @staticmethod
    def negative_binomial(k: Any, mean: Any, size: Any) -> Any:
        """Negative binomial (mean–size): variance ``mean + mean²/size``."""
        xp, sp = array_module(k, mean, size)
        return (sp.gammaln(k + size) - sp.gammaln(size) - sp.gammaln(k + 1.0)
                + size * xp.log(size) + _xlogy(xp, k, mean) - (size + k) * xp.log(size + mean))

    @staticmethod
    def geometric(k: Any, p: Any) -> Any:
        """Failures before the first success: ``log p + k log(1-p)``, k = 0, 1, ..."""
        xp, _ = array_module(k, p)
        return xp.where(k >= 0, xp.log(p) + _xlog1py(xp, k, -p), -xp.inf)

    def __repr__(self) -> str:
        names = [n for n in dir(self) if not n.startswith("_")]
        return f"mk.logpdf: {', '.join(names)}"


logpdf = _LogPdf()
