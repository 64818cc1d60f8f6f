"""Coverage of 95% intervals over simulated data sets (slow; CI runs it with --run-slow).

For each case, R data sets are drawn from a known model, fitted with ``mk.fit``, and the
interval of one parameter is computed with ``res.ci(method=...)``: the share that covers the
true value is compared with 95% (binomial standard error sqrt(.95 * .05 / R) = 0.49 points
at R = 2000), and, where it can be computed exactly (normal sigma, exponential rate, Poisson
rate, Bernoulli p), with the exact coverage of that interval — which checks the
implementation to within simulation error even where the interval itself cannot reach 95%.

Run ``python tests/test_coverage.py`` for the full report (it writes the tables used in
``docs/coverage.md``); ``--quick`` uses R = 400.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import optimize, stats

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import mlekit as mk

LEVEL = 0.95
Q = stats.chi2.ppf(LEVEL, 1)
Z = stats.norm.ppf(0.5 + LEVEL / 2)
R_DEFAULT = 2000


# ---------------------------------------------------------------------------- exact coverage
def _normal_sigma(n: int, method: str) -> float:
    if method == "wald":
        a = Z / math.sqrt(2 * n)
        return float(stats.chi2.cdf(n / (1 - a) ** 2, n - 1) - stats.chi2.cdf(n / (1 + a) ** 2, n - 1))
    D = lambda w: w - n - n * math.log(w / n)  # noqa: E731   (n s^2/sigma^2 = w ~ chi2(n-1))
    lo = optimize.brentq(lambda w: D(w) - Q, 1e-9, n)
    hi = optimize.brentq(lambda w: D(w) - Q, n, 100 * n)
    return float(stats.chi2.cdf(hi, n - 1) - stats.chi2.cdf(lo, n - 1))


def _exponential_rate(n: int, method: str) -> float:
    g = stats.gamma(n)                         # u = rate * sum(x) ~ Gamma(n)
    if method == "wald":
        return float(g.cdf(n * (1 + Z / math.sqrt(n))) - g.cdf(n * (1 - Z / math.sqrt(n))))
    D = lambda u: 2 * (u - n - n * math.log(u / n))  # noqa: E731
    return float(g.cdf(optimize.brentq(lambda u: D(u) - Q, n, 100 * n))
                 - g.cdf(optimize.brentq(lambda u: D(u) - Q, 1e-9, n)))


def _enumerate(n: int, method: str, ll: Callable[[float, int], float], pmf: Any,
               support: range, truth: float, se: Callable[[float], float], top: float) -> float:
    cov = 0.0
    for k in support:
        pk = float(pmf(k))
        if pk < 1e-15:
            continue
        est = k / n
        if method == "wald":
            s = se(est)
            ok = est - Z * s <= truth <= est + Z * s
        else:
            l_hat = ll(est, k) if 0 < est < top else 0.0
            ok = 2 * (l_hat - ll(truth, k)) <= Q
        cov += pk * ok
    return cov


def _poisson_rate(n: int, method: str, rate: float = 3.0) -> float:
    def ll(lam: float, S: int) -> float:
        return (S * math.log(lam) if S else 0.0) - n * lam

    return _enumerate(n, method, ll, stats.poisson(n * rate).pmf, range(0, int(n * rate * 4) + 60),
                      rate, lambda e: math.sqrt(e / n), math.inf)


def _bernoulli_p(n: int, method: str, p: float = 0.05) -> float:
    def ll(q: float, k: int) -> float:
        return (k * math.log(q) if k else 0.0) + ((n - k) * math.log1p(-q) if n - k else 0.0)

    return _enumerate(n, method, ll, stats.binom(n, p).pmf, range(n + 1), p,
                      lambda e: math.sqrt(e * (1 - e) / n), 1.0)


# ---------------------------------------------------------------------------- cases
def _censoring_limit(shape: float, share: float) -> float:
    """c such that T ~ Weibull(shape, 1), C ~ U(0, c) censors a ``share`` of the units."""
    from scipy.integrate import quad

    f = lambda c: quad(lambda t: math.exp(-(t**shape)), 0, c)[0] / c - share  # noqa: E731
    return float(optimize.brentq(f, 0.01, 100.0))


_C30 = _censoring_limit(1.5, 0.30)


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    param: str
    truth: float
    draw: Callable[[np.random.Generator, int, int], Any]
    exact: Callable[[int, str], float] | None = None

    def data(self, rows: Any, i: int) -> Any:
        if isinstance(rows, tuple):
            t, c = rows
            return mk.Data.right_censored(np.minimum(t[i], c[i]), t[i] <= c[i])
        return rows[i]


CASES = {
    "normal sigma": Case("normal sigma", "normal", "sigma", 2.0,
                         lambda g, R, n: g.normal(10.0, 2.0, (R, n)), _normal_sigma),
    "exponential rate": Case("exponential rate", "exponential", "rate", 0.5,
                             lambda g, R, n: g.exponential(2.0, (R, n)), _exponential_rate),
    "weibull shape": Case("weibull shape", "weibull", "shape", 1.5,
                          lambda g, R, n: 3.0 * g.weibull(1.5, (R, n))),
    "poisson rate": Case("poisson rate", "poisson", "rate", 3.0,
                         lambda g, R, n: g.poisson(3.0, (R, n)).astype(float), _poisson_rate),
    "bernoulli p=0.05": Case("bernoulli p=0.05", "bernoulli", "p", 0.05,
                             lambda g, R, n: (g.random((R, n)) < 0.05).astype(float), _bernoulli_p),
    "weibull shape, 30% right-censored": Case(
        "weibull shape, 30% right-censored", "weibull", "shape", 1.5,
        lambda g, R, n: (g.weibull(1.5, (R, n)), g.uniform(0, _C30, (R, n)))),
}


def run(case: Case, n: int, R: int, methods: tuple[str, ...], seed: int) -> dict[str, Any]:
    """Coverage counts of each interval method over R simulated data sets."""
    gen = np.random.default_rng(seed)
    rows = case.draw(gen, R, n)
    hits = dict.fromkeys(methods, 0)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # boundary estimates (p = 0) are part of the study
        for i in range(R):
            res = mk.fit(case.data(rows, i), case.family)
            for m in methods:
                kw = {"params": [case.param]} if m == "profile" else {}
                lo, hi = res.ci(level=LEVEL, method=m, **kw)[case.param]
                hits[m] += bool(lo <= case.truth <= hi)
    return {"hits": hits, "R": R, "seconds": time.perf_counter() - t0}


def _seed(name: str, n: int) -> int:
    return zlib.crc32(f"{name}|{n}".encode())


def _se(R: int, p: float = LEVEL) -> float:
    return math.sqrt(p * (1 - p) / R)


# ---------------------------------------------------------------------------- tests
GRID = [(c, n) for c in CASES for n in (20, 50)]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n"), GRID, ids=[f"{c}-n{n}" for c, n in GRID])
def test_profile_coverage_small_n(name: str, n: int) -> None:
    case = CASES[name]
    out = run(case, n, R_DEFAULT, ("profile", "wald"), seed=_seed(name, n))
    cov = out["hits"]["profile"] / out["R"]
    se = _se(out["R"])
    if case.exact is not None:
        exact = case.exact(n, "profile")
        # the implementation: simulated coverage = the interval's exact coverage
        assert abs(cov - exact) <= 3.5 * _se(out["R"], exact), (name, n, cov, exact)
        # Wald too (a check of the simulation itself)
        wex = case.exact(n, "wald")
        wcov = out["hits"]["wald"] / out["R"]
        assert abs(wcov - wex) <= 3.5 * _se(out["R"], max(min(wex, 0.999), 0.5)), (name, n, wcov, wex)
        if abs(exact - LEVEL) <= 2 * se:
            assert abs(cov - LEVEL) <= 3.5 * se, (name, n, cov)
    elif n >= 50:
        assert abs(cov - LEVEL) <= 3.5 * se, (name, n, cov)
    else:
        # at n = 20 the chi-square calibration of the profile interval is itself slightly off
        # (normal sigma: exactly 93.9%; censored Weibull shape: 93.2% over 10,000 data sets,
        # see docs/coverage.md); require it within 2.5 points
        assert abs(cov - LEVEL) <= 0.025, (name, n, cov)


LARGE = list(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("name", LARGE)
def test_wald_coverage_n1000(name: str) -> None:
    case = CASES[name]
    out = run(case, 1000, R_DEFAULT, ("wald",), seed=_seed(name, 1000))
    cov = out["hits"]["wald"] / out["R"]
    assert abs(cov - LEVEL) <= 3.5 * _se(out["R"]), (name, cov)
    if case.exact is not None:
        exact = case.exact(1000, "wald")
        assert abs(cov - exact) <= 3.5 * _se(out["R"], exact)


# ---------------------------------------------------------------------------- report
def report(R: int) -> str:
    lines = [f"R = {R} data sets per cell; binomial SE of a 95% coverage = {100 * _se(R):.2f} points.",
             "", "| case | n | method | coverage % | exact % | seconds |", "|---|---|---|---|---|---|"]
    for name, case in CASES.items():
        for n, methods in ((20, ("profile", "wald", "wald-log")), (50, ("profile", "wald", "wald-log")),
                           (1000, ("wald",))):
            out = run(case, n, R, methods, seed=_seed(name, n))
            for m in methods:
                cov = 100 * out["hits"][m] / out["R"]
                ex = ""
                if case.exact is not None and m in ("profile", "wald"):
                    ex = f"{100 * case.exact(n, m):.2f}"
                lines.append(f"| {name} | {n} | {m} | {cov:.2f} | {ex} | "
                             f"{out['seconds']:.1f} |")
            print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(400 if "--quick" in sys.argv else R_DEFAULT))
