"""Likelihood-ratio tests between nested models.

``mk.lr_test(small, big)``
    ``small`` must be a special case of ``big``: the same family with more parameters
    fixed, or a family that ``big`` reduces to at particular parameter values:

    ============== ================== ================================ ==========
    restricted     general            where                            boundary?
    ============== ================== ================================ ==========
    exponential    weibull            shape = 1, scale = 1/rate        no
    exponential    gamma              shape = 1, scale = 1/rate        no
    rayleigh       weibull            shape = 2, scale = sqrt(2) sigma no
    cauchy         student_t          df = 1                           no
    normal         student_t          df = inf                         yes
    poisson        negative_binomial  size = inf                       yes
    geometric      negative_binomial  size = 1, mean = (1-p)/p         no
    gumbel         gev                shape = 0                        no
    exponential    genpareto          shape = 0, scale = 1/rate        no
    ============== ================== ================================ ==========

``mk.lr_test(res, fixed={"shape": 1.0})``
    refits ``res`` with those values held fixed and tests them.

The statistic is ``2 (ll_big - ll_small)`` with ``df`` = the difference in free parameters. When
the restricted model sits on the boundary of the general one (a variance component, an extra
dispersion parameter that is infinite under the null) the null distribution is the
chi-bar-square mixture ``0.5 chi2(df-1) + 0.5 chi2(df)`` (Self & Liang 1987), and
``p = 0.5 P(chi2(df-1) >= s) + 0.5 P(chi2(df) >= s)`` with ``chi2(0)`` a point mass at 0. A
fixed value for a non-regular parameter (a support end point such as the Pareto scale) adds 2
degrees of freedom instead of 1: the statistic for an end point is asymptotically exponential
with mean 2.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import chi2

from .._core.checks import find_stack_level
from .._core.numformat import pvalue_eq
from ..errors import FamilyError, NumericalWarning, ParameterError

if TYPE_CHECKING:
    from .._fit.result import FitResult

__all__ = ["lr_test", "LRTest", "NESTINGS"]


@dataclass(frozen=True)
class _Nesting:
    """``small`` is ``big`` with ``at`` (a function of small's parameters giving big's)."""

    small: str
    big: str
    at: Callable[[dict[str, float]], dict[str, float]]
    restricted: tuple[str, ...]     # big's parameters pinned by the restriction
    boundary: bool = False
    note: str = ""


_NEST_LIST = [
    _Nesting("exponential", "weibull", lambda p: {"shape": 1.0, "scale": 1.0 / p["rate"]},
             ("shape",), note="shape = 1"),
    _Nesting("exponential", "gamma", lambda p: {"shape": 1.0, "scale": 1.0 / p["rate"]},
             ("shape",), note="shape = 1"),
    _Nesting("rayleigh", "weibull", lambda p: {"shape": 2.0, "scale": math.sqrt(2.0) * p["scale"]},
             ("shape",), note="shape = 2"),
    _Nesting("cauchy", "student_t", lambda p: {"mu": p["loc"], "sigma": p["scale"], "df": 1.0},
             ("df",), note="df = 1"),
    _Nesting("normal", "student_t", lambda p: {"mu": p["mu"], "sigma": p["sigma"], "df": 1e12},
             ("df",), boundary=True, note="df = inf (boundary)"),
    _Nesting("poisson", "negative_binomial", lambda p: {"mean": p["rate"], "size": 1e12},
             ("size",), boundary=True, note="size = inf (boundary)"),
    _Nesting("geometric", "negative_binomial",
             lambda p: {"mean": (1.0 - p["p"]) / p["p"], "size": 1.0}, ("size",),
             note="size = 1"),
    _Nesting("gumbel", "gev", lambda p: {"loc": p["loc"], "scale": p["scale"], "shape": 0.0},
             ("shape",), note="shape = 0"),
    _Nesting("exponential", "genpareto", lambda p: {"scale": 1.0 / p["rate"], "shape": 0.0},
             ("shape",), note="shape = 0"),
    # threshold = 0: the threshold is unrestricted on the real line, so the null is interior
    # and the statistic is chi-square(1) (for the Weibull/gamma, when the shape exceeds 2:
    # Smith 1985); the two-parameter fit needs x > 0
    *[_Nesting(small, small + "3", lambda p: {**p, "threshold": 0.0}, ("threshold",),
               note="threshold = 0") for small in ("weibull", "lognormal", "gamma", "loglogistic")],
    # the generalised gamma (Prentice) nests three two-parameter families
    _Nesting("weibull", "gengamma", lambda p: {"mu": math.log(p["scale"]), "sigma": 1.0 / p["shape"],
                                               "Q": 1.0}, ("Q",), note="Q = 1"),
    _Nesting("lognormal", "gengamma", lambda p: {"mu": p["mu"], "sigma": p["sigma"], "Q": 0.0},
             ("Q",), note="Q = 0"),
    _Nesting("gamma", "gengamma",
             lambda p: {"mu": math.log(p["scale"] * p["shape"]), "sigma": 1.0 / math.sqrt(p["shape"]),
                        "Q": 1.0 / math.sqrt(p["shape"])}, ("Q",), note="Q = sigma"),
    _Nesting("exponential", "gompertz", lambda p: {"shape": 0.0, "rate": p["rate"]}, ("shape",),
             note="shape = 0"),
    _Nesting("loglogistic", "burr12", lambda p: {"c": p["shape"], "d": 1.0, "scale": p["scale"]},
             ("d",), note="d = 1"),
    _Nesting("lomax", "burr12", lambda p: {"c": 1.0, "d": p["shape"], "scale": p["scale"]},
             ("c",), note="c = 1"),
    _Nesting("normal", "skew_normal", lambda p: {"loc": p["mu"], "scale": p["sigma"], "alpha": 0.0},
             ("alpha",), note="alpha = 0"),
]
NESTINGS: dict[tuple[str, str], _Nesting] = {(n.small, n.big): n for n in _NEST_LIST}


@dataclass(frozen=True)
class LRTest:
    """A likelihood-ratio test: ``statistic = 2 (loglik_full - loglik_restricted)``, ``df``,
    ``p_value`` (chi-square, or the chi-bar-square mixture when ``boundary``)."""

    statistic: float
    df: int
    p_value: float
    restricted: FitResult = field(repr=False)
    full: FitResult = field(repr=False)
    boundary: bool = False
    hypothesis: str = ""
    distribution: str = ""

    def __repr__(self) -> str:
        return (f"LRTest({self.hypothesis}: statistic={self.statistic:.6g}, df={self.df}, "
                f"p_value={self.p_value:.4g}; {self.distribution})")

    def __str__(self) -> str:
        ll_full, ll_res = _lls(self.full, self.restricted)
        what = "penalised loglik" if math.isfinite(self.full.penalised_loglik) else "loglik"
        return (f"Likelihood-ratio test · {self.hypothesis}\n"
                f"  restricted {self.restricted.family} {what} {ll_res:.10g} "
                f"(k = {self.restricted.n_params})\n"
                f"  full       {self.full.family} {what} {ll_full:.10g} "
                f"(k = {self.full.n_params})\n"
                f"  statistic {self.statistic:.6g} on {self.df} df, p {pvalue_eq(self.p_value)} "
                f"({self.distribution})")

    def to_dict(self) -> dict[str, Any]:
        return {"statistic": self.statistic, "df": self.df, "p_value": self.p_value,
                "boundary": self.boundary, "hypothesis": self.hypothesis,
                "distribution": self.distribution, "restricted": self.restricted.family,
                "full": self.full.family}


def p_value(stat: float, df: int, boundary: int = 0) -> float:
    """Upper-tail p-value: chi-square(df), or with ``boundary`` parameters on the edge of the
    parameter space the chi-bar-square ``sum_k C(b,k)/2^b chi2(df - b + k)``."""
    if stat <= 0:
        return 1.0
    if not boundary:
        return float(chi2.sf(stat, df))
    b = boundary
    p = 0.0
    for k in range(b + 1):
        d = df - b + k
        w = math.comb(b, k) / 2.0 ** b
        p += w * (float(chi2.sf(stat, d)) if d > 0 else 0.0)
    return p


def _same_data(a: FitResult, b: FitResult) -> bool:
    for x, y in ((a, b), (b, a)):
        hook = getattr(x, "same_data", None)   # regressions compare their responses
        same = hook(y) if hook is not None else None
        if same is not None:
            return bool(same)
    da, db = a.data, b.data
    if da is None or db is None:
        return a.n_obs == b.n_obs
    if da is db:
        return True
    if da.n_rows != db.n_rows or da.truncation != db.truncation:
        return False
    for ka, kb in zip(da.blocks.values(), db.blocks.values()):
        if ka.size != kb.size or not np.array_equal(ka.x, kb.x):
            return False
        if (ka.w is None) != (kb.w is None):
            return False
        if ka.w is not None and kb.w is not None and not np.array_equal(ka.w, kb.w):
            return False
        if ka.hi is not None and (kb.hi is None or not np.array_equal(ka.hi, kb.hi)):
            return False
    return True


def _lls(big: FitResult, small: FitResult) -> tuple[float, float]:
    """The log-likelihoods compared: the penalised ones when both fits are penalised (a
    penalised-likelihood-ratio test, as logistf's), else the plain ones."""
    pb, ps = (math.isfinite(r.penalised_loglik) for r in (big, small))
    if pb and ps:
        return big.penalised_loglik, small.penalised_loglik
    if pb or ps:
        raise ParameterError("lr_test compares fits with the same penalty or prior; got one "
                             "penalised and one plain fit.")
    return big.loglik, small.loglik


def _test(small: FitResult, big: FitResult, df: int, boundary: int, hypothesis: str,
          boundary_params: tuple[str, ...] = ()) -> LRTest:
    ll_big, ll_small = _lls(big, small)
    stat = 2.0 * (ll_big - ll_small)
    tol = 1e-6 * max(1.0, abs(ll_big))
    if stat < 0:
        if -stat > 2 * tol:
            warnings.warn(
                f"lr_test: the general model's log-likelihood ({ll_big:.10g}) is below the "
                f"restricted model's ({ll_small:.10g}): its fit stopped short of the maximum. "
                "The statistic is set to 0. Hint: refit the general model with start= at the "
                "restricted estimate.", NumericalWarning, stacklevel=find_stack_level())
        stat = 0.0
    # a general fit that ran to the nesting boundary has reached the restricted model
    if boundary and any(p in big.on_boundary for p in boundary_params) and stat < 1e-4:
        stat = 0.0
    if stat < 1e-9 * max(1.0, abs(ll_big)):
        stat = 0.0
    if boundary:
        parts = [f"{math.comb(boundary, k)}/{2 ** boundary} chi2({df - boundary + k})"
                 for k in range(boundary + 1)]
        dist = "chi-bar-square: " + " + ".join(parts)
    else:
        dist = f"chi2({df})"
    return LRTest(stat, df, p_value(stat, df, boundary), small, big, bool(boundary), hypothesis,
                  dist)


def lr_test(restricted: FitResult, full: FitResult | None = None, *,
            fixed: dict[str, float] | None = None) -> LRTest:
    """Likelihood-ratio test of a restricted model against a more general one.

    ``lr_test(small, big)`` for two fits of the same data, or ``lr_test(res, fixed={...})`` to
    test fixed parameter values of ``res`` (which is refitted with them held). See the module
    docstring for the known nestings and the boundary (chi-bar-square) cases.

    Parameters
    ----------
    restricted
        The fit of the smaller model (or, with ``fixed``, the fit whose parameters are tested).
    full
        The fit of the more general model, on the same data.
    fixed
        ``{name: value}``: test these values of ``restricted``'s parameters instead.

    Returns
    -------
    LRTest
        ``statistic``, ``df``, ``p_value`` (chi-square, or chi-bar-square when a tested value
        is on the boundary of its domain) and the two fits.

    Raises
    ------
    ParameterError
        Not fit results, different data, both ``full`` and ``fixed`` or neither.
    FamilyError
        Models that are not nested.

    Examples
    --------
    >>> x = mk.Weibull(shape=1.0, scale=2.0).sample(500, rng=1)
    >>> t = mk.lr_test(mk.fit(x, "exponential"), mk.fit(x, "weibull"))
    >>> t.df
    1
    """
    from .._fit.result import FitResult

    if not isinstance(restricted, FitResult):
        raise ParameterError(f"lr_test needs fit results; got {type(restricted).__name__}.")
    if fixed is not None:
        if full is not None:
            raise ParameterError("give either two fits or one fit and fixed={...}, not both.")
        return _fixed_test(restricted, fixed)
    if full is None:
        raise ParameterError("lr_test needs a second fit (the general model) or fixed={...}. "
                             "Hint: mk.lr_test(mk.fit(x, 'exponential'), mk.fit(x, 'weibull')).")
    if not isinstance(full, FitResult):
        raise ParameterError(f"lr_test needs fit results; got {type(full).__name__}.")
    if not _same_data(restricted, full):
        raise ParameterError("the two fits must use the same data; got different data (or "
                             "weights/censoring). A likelihood-ratio test compares models on one "
                             "data set.")
    for a, b in ((restricted, full), (full, restricted)):
        # models that know their own nestings (regressions, ZeroInflated/Hurdle/Cure wrappers)
        hook = getattr(b, "lr_nesting", None) or getattr(b.dist, "lr_nesting", None)
        spec = hook(a) if hook is not None else None
        if spec is not None:
            df, bnd, hyp, bparams = spec
            return _test(a, b, df, bnd, hyp, bparams)
    small, big = restricted, full
    if small.family == big.family:
        return _same_family(small, big)
    key = (small.family, big.family)
    if key not in NESTINGS:
        if (big.family, small.family) in NESTINGS:
            small, big = big, small
            key = (small.family, big.family)
        else:
            raise FamilyError(
                f"{restricted.family} and {full.family} are not nested: neither is a special "
                f"case of the other, so a likelihood-ratio test does not apply. Hint: compare "
                f"non-nested models by AIC with mk.compare(data, ['{restricted.family}', "
                f"'{full.family}']).")
    nest = NESTINGS[key]
    mapped = nest.at(dict(small.params))
    # fixed values must agree: what the general model holds fixed, the restricted must imply
    for p, v in big.fixed.items():
        if p in nest.restricted or not math.isclose(mapped[p], v, rel_tol=1e-9, abs_tol=1e-12):
            raise FamilyError(
                f"{small.family} is nested in {big.family} at {nest.note}, but the {big.family} "
                f"fit holds {p} = {v:g} fixed while the {small.family} fit implies {p} = "
                f"{mapped[p]:g}; the models are not nested as fitted.")
    df = big.n_params - small.n_params
    if df <= 0:
        raise FamilyError(f"{small.family} (k = {small.n_params}) must have fewer free parameters "
                          f"than {big.family} (k = {big.n_params}) to be nested in it.")
    hyp = f"{small.family} within {big.family} ({nest.note})"
    return _test(small, big, df, 1 if nest.boundary else 0, hyp, nest.restricted)


def _same_family(small: FitResult, big: FitResult) -> LRTest:
    fs, fb = small.fixed, big.fixed
    if set(fs) < set(fb):       # given the other way round
        small, big, fs, fb = big, small, fb, fs
    if set(fb) - set(fs) or any(not math.isclose(fs[p], fb[p], rel_tol=1e-12) for p in fb):
        raise FamilyError(
            f"two {small.family} fits are nested only when one fixes every parameter the other "
            f"fixes (at the same values) and more; got fixed={fs} and fixed={fb}.")
    extra = [p for p in fs if p not in fb]
    if not extra:
        raise FamilyError(f"the two {small.family} fits have the same free parameters: "
                          "nothing is being tested. Hint: fix a parameter in one of them.")
    if getattr(small.dist, "n", None) != getattr(big.dist, "n", None):
        raise FamilyError("the two fits use different family settings (e.g. binomial n).")
    return _fixed_result(small, big, extra)


def _fixed_result(small: FitResult, big: FitResult, tested: list[str]) -> LRTest:
    nonreg = set(getattr(big.dist, "nonregular", ()))
    df = sum(2 if p in nonreg else 1 for p in tested)
    hyp = ", ".join(f"{p} = {small.params[p]:g}" for p in tested) + f" in {big.family}"
    return _test(small, big, df, 0, hyp)


def _fixed_test(res: FitResult, fixed: dict[str, float]) -> LRTest:
    if not isinstance(fixed, dict) or not fixed:
        raise ParameterError(f"fixed must be a non-empty dict such as {{'shape': 1.0}}; got {fixed!r}.")
    for p in fixed:
        if p not in res.params:
            raise ParameterError(f"fixed names a parameter of {res.family} "
                                 f"({', '.join(res.params)}); got {p!r}.")
        if p in res.fixed:
            raise ParameterError(f"{p} is already fixed in this fit; nothing to test.")
    if res.data is None or res._refit is None:
        raise ParameterError(
            "lr_test(fixed=...) refits the model and needs its data; got a fit without data (a "
            "regression, a custom model or degenerate data). Hint: refit with the values held "
            "yourself (fixed={...}) and pass both fits: mk.lr_test(restricted, full).")
    both = {**res.fixed, **fixed}
    start = {p: v for p, v in res.params.items() if p not in both}
    dom = dict(zip(res.dist.param_names, res.dist.domains))
    start = {p: v for p, v in start.items() if math.isfinite(v) and dom[p].contains(v)}
    small = res._refit(res.data, fixed=both, start=start or None)
    return _fixed_result(small, res, list(fixed))
