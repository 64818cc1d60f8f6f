"""Penalised likelihoods: Firth/Jeffreys penalties, priors (MAP) and any log-penalty.

A :class:`Penalty` is a log-penalty ``pen(theta)`` added to THE log-likelihood in one place:
:class:`PenalisedLikelihood` wraps a likelihood (a family fit's :class:`~.likelihood.Likelihood`
or a named-parameter model's) and returns ``loglik + pen`` with its gradient and Hessian in the
natural parameters. Every estimator and every inference routine that evaluates
``res.likelihood`` — Newton, profile intervals, profile plots, derived quantities by profile —
therefore sees the penalised function, and a result's ``_refit`` (bootstrap, likelihood-ratio
tests) refits with the same penalty.

Kinds (``res.method``):

``penalty="firth"`` — ``"penalised (firth)"``
    Jeffreys' prior as a penalty, ``0.5·log det I(eta)``, with ``I`` the Fisher information on the
    parameters' unconstrained scale ``eta`` (logit for probabilities, log for positive
    parameters, the coefficients themselves in regression). For canonical exponential families
    — binomial/Bernoulli with logit, Poisson with log, logistic and Poisson regression — this is
    Firth's (1993) bias-reducing penalty, ``I`` is the expected information and the estimates are
    brglm2's/logistf's (binomial: ``p = (y + 1/2)/(n + 1)``; Poisson: ``(sum x + 1/2)/n``). For
    other families and models the *observed* information of the plain log-likelihood is used
    (``"penalised (firth, observed information)"``) and its derivatives are numerical.
    Standard errors: the inverse information of the plain likelihood at the penalised estimate
    (as brglm2 and logistf report them).
``prior={name: mk.priors.X(...)}`` — ``"map"``
    ``sum log prior(theta)`` (analytic derivatives), on the natural scale unless the prior was
    made with ``jacobian=True`` (see :mod:`mlekit._fit.priors`). Standard errors: the inverse of
    the penalised Hessian (the curvature of the log posterior, as the Laplace approximation).
``penalty=callable`` — ``"penalised (custom)"``
    ``fn(params_dict)`` → log-penalty; numerical derivatives. Standard errors as for priors.

``res.loglik`` (hence AIC/BIC) stays the plain log-likelihood at the penalised estimate;
``res.penalised_loglik`` is ``loglik + pen``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .._core.numdiff import numeric_derivs
from ..errors import ParameterError
from .priors import Prior, check_prior, log_jacobian_derivs

__all__ = ["Penalty", "make_penalty", "PenalisedLikelihood", "FIRTH_EXPECTED"]

Derivs = tuple[float, np.ndarray, np.ndarray]
Theta = tuple[float, ...]

#: families whose Firth penalty uses the expected information in closed form (exact data)
FIRTH_EXPECTED = ("bernoulli", "binomial", "poisson")


class Penalty:
    """What the user asked for (``penalty=`` / ``prior=``), before it meets a likelihood.

    ``kind``: ``"firth"``, ``"map"`` or ``"custom"``. :meth:`bind` ties it to a likelihood
    (Firth needs the likelihood's information) and returns ``pen(th, order) -> (v, g, H)``."""

    def __init__(self, kind: str, *, priors: Mapping[str, Prior] | None = None,
                 fn: Callable[[dict[str, float]], float] | None = None) -> None:
        self.kind = kind
        self.priors = dict(priors or {})
        self.fn = fn

    # ------------------------------------------------------------------ description
    @property
    def label(self) -> str:
        return {"firth": "penalised (firth)", "map": "map", "custom": "penalised (custom)"}[self.kind]

    def describe(self) -> str | dict[str, str]:
        if self.kind == "map":
            return {p: repr(pr) + (" (unconstrained scale)" if getattr(pr, "jacobian", False)
                                   else "") for p, pr in self.priors.items()}
        return "firth (Jeffreys)" if self.kind == "firth" else "custom log-penalty"

    def options(self) -> dict[str, Any]:
        key = "prior" if self.kind == "map" else "penalty"
        return {key: self.describe()}

    def uses_penalised_hessian(self) -> bool:
        """Standard errors from the penalised Hessian (priors, custom) or from the plain
        information (Firth)."""
        return self.kind != "firth"

    def check_names(self, names: Sequence[str], fixed: Mapping[str, float]) -> None:
        for p in self.priors:
            if p not in names:
                raise ParameterError(f"prior names a parameter of the model ({', '.join(names)}); "
                                     f"got {p!r}.")

    # ------------------------------------------------------------------ binding
    def bind(self, base: Any, domains: Sequence[Any], names: Sequence[str],
             free: Sequence[int], *, family: str | None = None, totals: float | None = None,
             glm: Any = None) -> Callable[[Theta, int], Derivs]:
        """``pen(th, order)`` for a likelihood ``base`` (``evaluate(th, order)``).

        ``family`` and ``totals`` (the total weight × trials) select the closed-form expected
        information of :data:`FIRTH_EXPECTED`; ``glm`` an analytic canonical-GLM Firth term."""
        k = len(names)
        if self.kind == "map":
            return _prior_term(self.priors, domains, names, free)
        if self.kind == "custom":
            assert self.fn is not None
            return _custom_term(self.fn, domains, names, free)
        if glm is not None:
            return glm
        if family in FIRTH_EXPECTED and totals is not None:
            return _firth_expected(family, totals, k)
        return _firth_observed(base, domains, free)

    def expected_information(self, family: str | None, totals: float | None,
                             th: Theta) -> np.ndarray | None:
        """The plain expected information (natural scale) where Firth has it in closed form."""
        if self.kind != "firth" or family not in FIRTH_EXPECTED or totals is None:
            return None
        p = th[0]
        return np.array([[totals / (p * (1.0 - p)) if family != "poisson" else totals / p]])


def make_penalty(penalty: Any = None, prior: Any = None) -> Penalty | None:
    """Check ``penalty=`` and ``prior=`` (at most one of them) and make the :class:`Penalty`."""
    if penalty is None and prior is None:
        return None
    if penalty is not None and prior is not None:
        raise ParameterError("give penalty= or prior=, not both (a prior is a penalty: "
                             "penalty='firth' is Jeffreys' prior).")
    if prior is not None:
        if not isinstance(prior, Mapping) or not prior:
            raise ParameterError("prior must be a dict {parameter: mk.priors.X(...)}, e.g. "
                                 f"prior={{'b': mk.priors.Normal(0, 2.5)}}; got {prior!r}.")
        return Penalty("map", priors={str(k): check_prior(str(k), v) for k, v in prior.items()})
    if isinstance(penalty, Penalty):
        return penalty
    if isinstance(penalty, str):
        if penalty.strip().lower() in ("firth", "jeffreys"):
            return Penalty("firth")
        raise ParameterError(f"penalty must be 'firth' or a function of the parameters dict; got "
                             f"{penalty!r}.")
    if callable(penalty):
        return Penalty("custom", fn=penalty)
    raise ParameterError(f"penalty must be 'firth' or a function of the parameters dict; got "
                         f"{penalty!r}.")


# ---------------------------------------------------------------------- the terms
class _PriorTerm:
    """``sum log prior(theta)`` (analytic). A prior on a parameter held fixed still counts (at
    the fixed value): a restricted fit's penalised log-likelihood is then comparable with the
    full fit's (penalised LR tests)."""

    def __init__(self, priors: Mapping[str, Prior], domains: Sequence[Any], names: Sequence[str],
                 free: Sequence[int]) -> None:
        self.idx = [(list(names).index(p), pr) for p, pr in priors.items()]
        self.domains = list(domains)
        self.free = set(free)

    def __call__(self, th: Theta, order: int) -> Derivs:
        k = len(th)
        v, g, H = 0.0, np.zeros(k), np.zeros((k, k))
        for i, pr in self.idx:
            a, b, c = pr.derivs(float(th[i]))
            if getattr(pr, "jacobian", False):
                ja, jb, jc = log_jacobian_derivs(self.domains[i], float(th[i]))
                a, b, c = a + ja, b + jb, c + jc
            v += a
            if i in self.free:
                g[i] += b
                H[i, i] += c
        return v, g, H


def _prior_term(priors: Mapping[str, Prior], domains: Sequence[Any], names: Sequence[str],
                free: Sequence[int]) -> Callable[[Theta, int], Derivs]:
    return _PriorTerm(priors, domains, names, free)


class _Numeric:
    """A scalar log-penalty ``value(th)`` with numerical derivatives (unconstrained steps)."""

    def __init__(self, domains: Sequence[Any], free: Sequence[int]) -> None:
        self.domains = list(domains)
        self.free = list(free)

    def value(self, th: Theta) -> float:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __call__(self, th: Theta, order: int) -> Derivs:
        k = len(th)
        v0 = self.value(th)
        if order == 0 or not math.isfinite(v0):
            return v0, np.full(k, 0.0 if order == 0 else math.nan), np.zeros((k, k))
        with np.errstate(all="ignore"):
            d = numeric_derivs(self.value, th, self.domains, self.free, order, f0=np.asarray(v0))
        g = np.array([float(d[1][i]) for i in range(k)])
        H = np.array([[float(d[2][i][j]) for j in range(k)] for i in range(k)]) if order >= 2 \
            else np.zeros((k, k))
        return v0, g, H


class _CustomTerm(_Numeric):
    """``fn(params_dict)``: the user's log-penalty."""

    def __init__(self, fn: Callable[[dict[str, float]], float], domains: Sequence[Any],
                 names: Sequence[str], free: Sequence[int]) -> None:
        super().__init__(domains, free)
        self.fn = fn
        self.names = list(names)

    def value(self, th: Theta) -> float:
        try:
            v = float(self.fn(dict(zip(self.names, (float(t) for t in th)))))
        except (ArithmeticError, ValueError):
            return -math.inf
        return v if not math.isnan(v) else -math.inf


def _custom_term(fn: Callable[[dict[str, float]], float], domains: Sequence[Any],
                 names: Sequence[str], free: Sequence[int]) -> Callable[[Theta, int], Derivs]:
    return _CustomTerm(fn, domains, names, free)


class _FirthExpected:
    """``0.5 log I(eta)``: binomial ``I = N p (1 - p)`` (logit), Poisson ``I = N rate`` (log)."""

    def __init__(self, family: str, total: float, k: int) -> None:
        self.family, self.total, self.k = family, total, k

    def __call__(self, th: Theta, order: int) -> Derivs:
        p = float(th[0])
        k = self.k
        g, H = np.zeros(k), np.zeros((k, k))
        if self.family == "poisson":
            if not p > 0:
                return -math.inf, g, H
            v = 0.5 * math.log(self.total * p)
            g[0], H[0, 0] = 0.5 / p, -0.5 / p**2
        else:
            if not 0 < p < 1:
                return -math.inf, g, H
            v = 0.5 * (math.log(self.total) + math.log(p) + math.log1p(-p))
            g[0] = 0.5 * (1.0 / p - 1.0 / (1.0 - p))
            H[0, 0] = -0.5 * (1.0 / p**2 + 1.0 / (1.0 - p) ** 2)
        return v, g, H


def _firth_expected(family: str, total: float, k: int) -> Callable[[Theta, int], Derivs]:
    return _FirthExpected(family, total, k)


class _FirthObserved(_Numeric):
    """``0.5 log det(-H_eta)``: the observed information of the plain log-likelihood on the
    unconstrained scale; numerical derivatives."""

    def __init__(self, base: Any, domains: Sequence[Any], free: Sequence[int]) -> None:
        super().__init__(domains, free)
        self.base = base

    def value(self, th: Theta) -> float:
        fr = self.free
        with np.errstate(all="ignore"):
            _, _, H = self.base.evaluate(tuple(th), 2)
        info = -np.asarray(H, dtype=float)[np.ix_(fr, fr)]
        if not np.all(np.isfinite(info)):
            return -math.inf
        sign, logdet = np.linalg.slogdet(info)
        if sign <= 0:
            return -math.inf
        jac = sum(log_jacobian_derivs(self.domains[i], float(th[i]))[0] for i in fr)
        return 0.5 * float(logdet) + jac


def _firth_observed(base: Any, domains: Sequence[Any], free: Sequence[int]
                    ) -> Callable[[Theta, int], Derivs]:
    return _FirthObserved(base, domains, free)


def glm_firth(X: np.ndarray, w: np.ndarray | None, off: np.ndarray, link: str, p: int
              ) -> Callable[[Theta, int], Derivs]:
    """Firth's penalty ``0.5 log det(X' W X)`` of a canonical-link GLM (logit Bernoulli:
    ``W = p(1 - p)``; log Poisson: ``W = mu``), analytic value and gradient (leverages), the
    Hessian by central differences of the gradient. Only the first ``p`` parameters (the
    coefficients) enter."""
    ww = np.ones(X.shape[0]) if w is None else w

    def parts(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = X @ beta + off
        if link == "logit":
            mu = 1.0 / (1.0 + np.exp(-eta))
            W, dlogW = mu * (1.0 - mu), 1.0 - 2.0 * mu
        else:
            W = np.exp(eta)
            dlogW = np.ones_like(eta)
        A = ww * W
        info = (X * A[:, None]).T @ X
        sign, logdet = np.linalg.slogdet(info)
        if sign <= 0 or not np.isfinite(logdet):
            return -math.inf, np.full(p, math.nan)
        h = A * np.einsum("ij,ij->i", X @ np.linalg.inv(info), X)   # leverages
        return 0.5 * float(logdet), 0.5 * X.T @ (h * dlogW)

    def pen(th: Theta, order: int) -> Derivs:
        k = len(th)
        beta = np.asarray(th[:p], dtype=float)
        g, H = np.zeros(k), np.zeros((k, k))
        with np.errstate(all="ignore"):
            v, gb = parts(beta)
            if order and math.isfinite(v):
                g[:p] = gb
                if order >= 2:
                    for j in range(p):
                        hj = 1e-5 * max(1.0, abs(beta[j]))
                        e = np.zeros(p)
                        e[j] = hj
                        H[:p, j] = (parts(beta + e)[1] - parts(beta - e)[1]) / (2.0 * hj)
                    H[:p, :p] = 0.5 * (H[:p, :p] + H[:p, :p].T)
        return v, g, H
    return pen


# ---------------------------------------------------------------------- the likelihood
class PenalisedLikelihood:
    """``base + pen``: a likelihood (``evaluate(th, order)`` in natural parameters) plus a bound
    penalty. Every other attribute (``names``, ``free``, ``theta``, ``data``, ``scores``, …) is
    the base likelihood's; :meth:`plain` evaluates the unpenalised one."""

    def __init__(self, base: Any, penalty: Penalty, term: Callable[[Theta, int], Derivs],
                 rebind: Callable[[Any], Callable[[Theta, int], Derivs]] | None = None) -> None:
        self.base = base
        self.penalty = penalty
        self.term = term
        self._rebind = rebind

    def __getattr__(self, name: str) -> Any:
        if name in ("base", "penalty", "term", "_rebind"):
            raise AttributeError(name)
        return getattr(self.base, name)

    def plain(self, th: Theta, order: int = 2) -> Derivs:
        out: Derivs = self.base.evaluate(th, order)
        return out

    def loglik(self, th: Theta) -> float:
        return self.evaluate(th, 0)[0]

    def evaluate(self, th: Theta, order: int = 2) -> Derivs:
        ll, g, H = self.base.evaluate(th, order)
        if not math.isfinite(ll):
            return ll, g, H
        pv, pg, pH = self.term(tuple(th), order)
        if not math.isfinite(pv):
            return -math.inf, np.full_like(g, math.nan), np.full_like(H, math.nan)
        return ll + pv, g + pg if order else g, H + pH if order >= 2 else H

    def with_data(self, data: Any) -> PenalisedLikelihood:
        base = self.base.with_data(data)
        term = self._rebind(base) if self._rebind is not None else self.term
        return PenalisedLikelihood(base, self.penalty, term, self._rebind)


# ---------------------------------------------------------------------- named-parameter models
class _ProblemLikelihood:
    """The plain log-likelihood of a :class:`~.problem.Problem` with analytic/JAX derivatives."""

    def __init__(self, prob: Any) -> None:
        self.prob = prob
        self.free = prob.free

    def evaluate(self, th: Theta, order: int = 2) -> Derivs:
        if order == 0 or self.prob.derivs is None:
            k = len(th)
            return self.prob.safe_value(tuple(th)), np.zeros(k), np.zeros((k, k))
        out: Derivs = self.prob.derivs(tuple(th), order)
        return out


def penalise_problem(prob: Any, penalty: Penalty, *, glm: Any = None) -> Any:
    """A copy of the :class:`~.problem.Problem` ``prob`` whose value (and derivatives, when it
    has them) include the penalty: custom models and regression maximise it with
    :func:`~.problem.maximize` like any other problem."""
    from dataclasses import replace

    penalty.check_names(prob.names, prob.fixed)
    if penalty.kind == "firth" and glm is None and prob.derivs is None:
        raise ParameterError(
            f"{prob.label}: penalty='firth' needs the information matrix as a function of the "
            "parameters, i.e. analytic or JAX derivatives (@mk.model(grad=..., hess=...) or "
            "diff='jax'). Hint: use prior={...} or a callable penalty instead.")
    term = penalty.bind(_ProblemLikelihood(prob), prob.domains, prob.names, prob.free, glm=glm)

    def value(th: Theta) -> float:
        v = prob.safe_value(th)
        return v + term(th, 0)[0] if math.isfinite(v) else v

    new = replace(prob, value=value)
    if prob.derivs is not None:
        base_d = prob.derivs

        def derivs(th: Theta, order: int) -> Derivs:
            f, g, H = base_d(th, order)
            pv, pg, pH = term(th, order)
            if not (math.isfinite(f) and math.isfinite(pv)):
                return -math.inf, g, H
            return f + pv, g + pg if order else g, H + pH if order >= 2 else H
        new.derivs = derivs
    elif prob.grad is not None:
        base_g = prob.grad
        new.grad = lambda th: np.asarray(base_g(th), dtype=float) + term(th, 1)[1]
    return new


def penalised_solution(sol: Any, plain: Any, penalty: Penalty, *, glm: Any = None
                       ) -> tuple[float, float, str]:
    """Before the result is assembled: the plain and penalised log-likelihoods at the estimate
    and the label for ``res.method``; for Firth, ``sol.hess`` becomes the plain information
    (standard errors as brglm2/logistf report them)."""
    th = tuple(float(sol.params[p]) for p in plain.names)
    pen_ll = float(sol.loglik)
    plain_ll = plain.safe_value(th)
    label = penalty.label
    if penalty.kind == "firth":
        if plain.derivs is not None:
            with np.errstate(all="ignore"):
                sol.hess = np.asarray(plain.derivs(th, 2)[2], dtype=float)
        if glm is None:
            label = "penalised (firth, observed information)"
    return plain_ll, pen_ll, label


def penalised_result(res: Any, plain_ll: float, pen_ll: float, label: str,
                     penalty: Penalty, prob: Any = None) -> Any:
    """The assembled result with the plain ``loglik``, ``penalised_loglik`` and the method;
    ``prob`` (the penalised problem) becomes ``res.likelihood`` where the result has none, so
    profile intervals are penalised-likelihood-ratio intervals."""
    from dataclasses import replace

    from .assemble import ModelLikelihood

    lik = res.likelihood if res.likelihood is not None or prob is None else ModelLikelihood(prob)
    return replace(res, loglik=plain_ll, penalised_loglik=pen_ll, method=label, likelihood=lik,
                   options={**res.options, **penalty.options(), "path": res.method})
