"""Prior distributions for maximum a posteriori (MAP) fits: ``mk.fit(x, "gev",
prior={"shape": mk.priors.Beta(6, 9, lower=-0.5, upper=0.5)})``.

Each prior gives its log density and the first two derivatives analytically, on the natural
scale of the parameter it is put on. The log density includes its normalising constant, so
``res.penalised_loglik`` is a log posterior density up to the marginal likelihood.

``jacobian=False`` (the default): the prior is a density for the parameter on its natural scale
and the MAP estimate maximises ``loglik + log prior(theta)``. ``jacobian=True``: the prior density
is carried over to the parameter's unconstrained scale (log for positive parameters, logit for
bounded ones) by adding ``log |d theta / d eta|``; the estimate is then the mode on that scale
(the same scale as the Laplace approximation of :meth:`FitResult.laplace`).
"""

from __future__ import annotations

import math

from .._core.domains import Domain
from ..errors import ParameterError

__all__ = ["Prior", "Normal", "Beta", "Gamma", "HalfNormal", "Cauchy", "Flat", "LogNormal"]

_LOG_2PI = math.log(2.0 * math.pi)
Derivs3 = tuple[float, float, float]


def _positive(name: str, **vals: float) -> None:
    for k, v in vals.items():
        if not (math.isfinite(float(v)) and float(v) > 0):
            raise ParameterError(f"{name}: {k} must be positive and finite; got {v!r}.")


class Prior:
    """A prior density on one parameter: ``logpdf(x)`` and its derivatives ``derivs(x)``.

    ``lower``/``upper``: the prior's support (``-inf``/``inf`` when unbounded)."""

    lower = -math.inf
    upper = math.inf
    #: ``True``: the density is carried to the parameter's unconstrained scale (see the module)
    jacobian = False

    def derivs(self, x: float) -> Derivs3:  # pragma: no cover - every prior overrides it
        raise NotImplementedError

    def logpdf(self, x: float) -> float:
        return self.derivs(x)[0]

    def __call__(self, x: float) -> float:
        return self.logpdf(x)

    def _outside(self, x: float) -> bool:
        return not (self.lower < x < self.upper) and not (
            math.isinf(self.lower) and math.isinf(self.upper))

    def describe(self) -> str:
        return repr(self)


class Normal(Prior):
    """Normal(mean, sd)."""

    def __init__(self, mean: float = 0.0, sd: float = 1.0, *, jacobian: bool = False) -> None:
        self.jacobian = bool(jacobian)
        _positive("Normal prior", sd=sd)
        self.mean, self.sd = float(mean), float(sd)

    def derivs(self, x: float) -> Derivs3:
        z = (x - self.mean) / self.sd
        return (-0.5 * z * z - math.log(self.sd) - 0.5 * _LOG_2PI, -z / self.sd,
                -1.0 / self.sd**2)

    def __repr__(self) -> str:
        return f"Normal({self.mean:g}, {self.sd:g})"


class Cauchy(Prior):
    """Cauchy(loc, scale): a weakly informative heavy-tailed prior."""

    def __init__(self, loc: float = 0.0, scale: float = 1.0, *, jacobian: bool = False) -> None:
        self.jacobian = bool(jacobian)
        _positive("Cauchy prior", scale=scale)
        self.loc, self.scale = float(loc), float(scale)

    def derivs(self, x: float) -> Derivs3:
        z = (x - self.loc) / self.scale
        q = 1.0 + z * z
        return (-math.log(math.pi * self.scale * q), -2.0 * z / (self.scale * q),
                -2.0 * (1.0 - z * z) / (self.scale**2 * q * q))

    def __repr__(self) -> str:
        return f"Cauchy({self.loc:g}, {self.scale:g})"


class Flat(Prior):
    """A flat (improper) prior: adds nothing. ``Flat(lower, upper)`` restricts the parameter
    to ``(lower, upper)`` (log density 0 inside, ``-inf`` outside)."""

    def __init__(self, lower: float = -math.inf, upper: float = math.inf, *,
                 jacobian: bool = False) -> None:
        self.jacobian = bool(jacobian)
        self.lower, self.upper = float(lower), float(upper)

    def derivs(self, x: float) -> Derivs3:
        if self._outside(x):
            return -math.inf, math.nan, math.nan
        return 0.0, 0.0, 0.0

    def __repr__(self) -> str:
        return "Flat()" if math.isinf(self.lower) and math.isinf(self.upper) else \
            f"Flat({self.lower:g}, {self.upper:g})"


class Beta(Prior):
    """Beta(a, b) on ``(lower, upper)`` (default ``(0, 1)``): the density of
    ``lower + (upper - lower)·B`` with ``B ~ Beta(a, b)`` — e.g. Martins & Stedinger's GEV shape
    prior ``Beta(6, 9, lower=-0.5, upper=0.5)``."""

    def __init__(self, a: float, b: float, *, lower: float = 0.0, upper: float = 1.0,
                 jacobian: bool = False) -> None:
        self.jacobian = bool(jacobian)
        _positive("Beta prior", a=a, b=b)
        if not (math.isfinite(lower) and math.isfinite(upper) and lower < upper):
            raise ParameterError(f"Beta prior: need finite lower < upper; got {lower!r}, {upper!r}.")
        self.a, self.b, self.lower, self.upper = float(a), float(b), float(lower), float(upper)
        w = self.upper - self.lower
        self._const = -(math.lgamma(self.a) + math.lgamma(self.b) - math.lgamma(self.a + self.b)) \
            - (self.a + self.b - 1.0) * math.log(w)

    def derivs(self, x: float) -> Derivs3:
        if not (self.lower < x < self.upper):
            return -math.inf, math.nan, math.nan
        u, v = x - self.lower, self.upper - x
        a1, b1 = self.a - 1.0, self.b - 1.0
        return (self._const + a1 * math.log(u) + b1 * math.log(v), a1 / u - b1 / v,
                -a1 / u**2 - b1 / v**2)

    def __repr__(self) -> str:
        rng = "" if (self.lower, self.upper) == (0.0, 1.0) else \
            f", lower={self.lower:g}, upper={self.upper:g}"
        return f"Beta({self.a:g}, {self.b:g}{rng})"


class Gamma(Prior):
    """Gamma(shape, scale) on the positive reals (mean ``shape·scale``)."""

    lower = 0.0

    def __init__(self, shape: float, scale: float = 1.0, *, jacobian: bool = False) -> None:
        self.jacobian = bool(jacobian)
        _positive("Gamma prior", shape=shape, scale=scale)
        self.shape, self.scale = float(shape), float(scale)

    def derivs(self, x: float) -> Derivs3:
        if not x > 0:
            return -math.inf, math.nan, math.nan
        k, s = self.shape, self.scale
        return ((k - 1.0) * math.log(x) - x / s - math.lgamma(k) - k * math.log(s),
                (k - 1.0) / x - 1.0 / s, -(k - 1.0) / x**2)

    def __repr__(self) -> str:
        return f"Gamma({self.shape:g}, scale={self.scale:g})"


class HalfNormal(Prior):
    """HalfNormal(sd): the normal density folded onto ``x > 0`` (for scales)."""

    lower = 0.0

    def __init__(self, sd: float = 1.0, *, jacobian: bool = False) -> None:
        self.jacobian = bool(jacobian)
        _positive("HalfNormal prior", sd=sd)
        self.sd = float(sd)

    def derivs(self, x: float) -> Derivs3:
        if not x > 0:
            return -math.inf, math.nan, math.nan
        z = x / self.sd
        return (-0.5 * z * z - math.log(self.sd) + 0.5 * math.log(2.0 / math.pi), -z / self.sd,
                -1.0 / self.sd**2)

    def __repr__(self) -> str:
        return f"HalfNormal({self.sd:g})"


class LogNormal(Prior):
    """LogNormal(mu, sigma): ``log x ~ Normal(mu, sigma)``."""

    lower = 0.0

    def __init__(self, mu: float = 0.0, sigma: float = 1.0, *, jacobian: bool = False) -> None:
        self.jacobian = bool(jacobian)
        _positive("LogNormal prior", sigma=sigma)
        self.mu, self.sigma = float(mu), float(sigma)

    def derivs(self, x: float) -> Derivs3:
        if not x > 0:
            return -math.inf, math.nan, math.nan
        s2 = self.sigma**2
        z = (math.log(x) - self.mu) / self.sigma
        v = -0.5 * z * z - math.log(x * self.sigma) - 0.5 * _LOG_2PI
        d1 = -(1.0 + (math.log(x) - self.mu) / s2) / x
        d2 = (1.0 + (math.log(x) - self.mu) / s2 - 1.0 / s2) / x**2
        return v, d1, d2

    def __repr__(self) -> str:
        return f"LogNormal({self.mu:g}, {self.sigma:g})"


def log_jacobian_derivs(dom: Domain, x: float) -> Derivs3:
    """``log |d theta / d eta|`` at ``theta = x`` and its first two derivatives in ``theta``,
    for a domain's transform (log for one-sided, logit for two-sided, none for the real line)."""
    kind = dom.kind
    lo, hi = dom.lower, dom.upper
    if kind == "real":
        return 0.0, 0.0, 0.0
    if kind == "lower":
        u = x - lo
        return (math.log(u), 1.0 / u, -1.0 / u**2) if u > 0 else (-math.inf, math.nan, math.nan)
    if kind == "upper":
        u = hi - x
        return (math.log(u), -1.0 / u, -1.0 / u**2) if u > 0 else (-math.inf, math.nan, math.nan)
    u, v = x - lo, hi - x
    if not (u > 0 and v > 0):
        return -math.inf, math.nan, math.nan
    return (math.log(u) + math.log(v) - math.log(hi - lo), 1.0 / u - 1.0 / v,
            -1.0 / u**2 - 1.0 / v**2)


def check_prior(name: str, prior: object) -> Prior:
    if not isinstance(prior, Prior):
        raise ParameterError(f"prior for {name} must be an mk.priors distribution (e.g. "
                             f"mk.priors.Normal(0, 2.5)); got {prior!r}.")
    return prior


