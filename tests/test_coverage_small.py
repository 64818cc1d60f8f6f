"""Small samples: the remedies of issue 17 measured (slow; CI runs them with --run-slow).

- censored Weibull shape at n = 20: the profile interval with a Bartlett correction estimated by
  parametric bootstrap of the LR statistic (``ci(method="profile", bartlett=True)``);
- binomial p in {0.02, 0.05, 0.2} at n in {20, 50}: exact coverage (enumeration of the count) of
  Wald and profile intervals for the MLE and for the Firth (Jeffreys-penalised) fit;
- logistic regression with 10% events at n = 100: bias of the slope, MLE vs Firth;
- Weibull shape at n = 10: bias of the MLE and of the Cox–Snell corrected estimate.

``python tests/test_coverage_small.py`` prints the tables of ``docs/coverage.md`` section 4.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import expit

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import mlekit as mk

try:
    from test_coverage import _C30
except ImportError:  # pragma: no cover - run from another directory
    from tests.test_coverage import _C30


# ---------------------------------------------------------------------- studies
def weibull_censored_bartlett(R: int = 1000, n: int = 20, n_boot: int = 200, seed: int = 11
                              ) -> dict[str, float]:
    """Coverage of the plain and the Bartlett-corrected profile interval of the Weibull shape
    (1.5, scale 1, 30% random right censoring)."""
    gen = np.random.default_rng(seed)
    hit = {"profile": 0, "profile + bartlett": 0}
    done = 0
    t0 = time.time()
    for r in range(R):
        t, c = gen.weibull(1.5, n), gen.uniform(0, _C30, n)
        d = mk.Data.right_censored(np.minimum(t, c), t <= c)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = mk.fit(d, "weibull")
            plain = res.ci(method="profile", params="shape")["shape"]
            bart = res.ci(method="profile", params="shape", bartlett=True, n_boot=n_boot,
                          rng=r)["shape"]
        done += 1
        hit["profile"] += plain[0] <= 1.5 <= plain[1]
        hit["profile + bartlett"] += bart[0] <= 1.5 <= bart[1]
    out = {k: v / done for k, v in hit.items()}
    out["seconds"] = time.time() - t0
    return out


def binomial_exact(n: int, p: float) -> dict[str, float]:
    """Exact coverage (sum over the count) of 95% intervals, plain MLE vs Firth."""
    out: dict[str, float] = {}
    for pen in (None, "firth"):
        for method in ("wald", "profile"):
            cov = 0.0
            for k in range(n + 1):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = mk.fit(mk.Data([k], trials=[n]), "binomial", penalty=pen)
                    lo, hi = res.ci(method=method)["p"]
                if lo <= p <= hi:
                    cov += float(stats.binom.pmf(k, n, p))
            out[f"{'firth' if pen else 'mle'} {method}"] = cov
    # the estimates' bias on the logit scale (Firth's target); the MLE's is -inf with P(0) > 0
    ks = np.arange(n + 1)
    pk = stats.binom.pmf(ks, n, p)
    firth = (ks + 0.5) / (n + 1.0)
    out["firth logit bias"] = float(np.dot(pk, np.log(firth / (1 - firth)))) - math.log(p / (1 - p))
    out["P(no success)"] = float(pk[0])
    return out


def _intercept_for(rate: float) -> float:
    z, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / w.sum()
    return float(optimize.brentq(lambda b: float(np.dot(w, expit(b + z))) - rate, -10, 0))


def logistic_rare_bias(R: int = 1000, n: int = 100, slope: float = 1.0, seed: int = 5
                       ) -> dict[str, float]:
    """Mean estimates of the slope (true 1) and intercept, MLE vs Firth, 10% events."""
    b0 = _intercept_for(0.10)
    gen = np.random.default_rng(seed)
    est: dict[str, list[float]] = {"mle": [], "firth": []}
    icpt: dict[str, list[float]] = {"mle": [], "firth": []}
    separated = 0
    t0 = time.time()
    for _ in range(R):
        x = gen.standard_normal(n)
        y = (gen.random(n) < expit(b0 + slope * x)).astype(float)
        X = np.c_[np.ones(n), x]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = mk.regress(y=y, X=X, family="bernoulli")
        f = mk.regress(y=y, X=X, family="bernoulli", penalty="firth")
        if any("separation" in str(i.message) for i in w):
            separated += 1
            continue
        est["mle"].append(m.params["x2"])
        est["firth"].append(f.params["x2"])
        icpt["mle"].append(m.params["x1"])
        icpt["firth"].append(f.params["x1"])
    return {"intercept": b0, "separated": separated,
            "mle slope bias": float(np.mean(est["mle"])) - slope,
            "firth slope bias": float(np.mean(est["firth"])) - slope,
            "mle slope sd": float(np.std(est["mle"])), "firth slope sd": float(np.std(est["firth"])),
            "mle intercept bias": float(np.mean(icpt["mle"])) - b0,
            "firth intercept bias": float(np.mean(icpt["firth"])) - b0,
            "seconds": time.time() - t0}


def weibull_bias_correction(R: int = 4000, n: int = 10, shape: float = 2.0, seed: int = 3
                            ) -> dict[str, float]:
    gen = np.random.default_rng(seed)
    mle, bc = [], []
    t0 = time.time()
    for _ in range(R):
        x = gen.weibull(shape, n)
        res = mk.fit(x, "weibull")
        mle.append(res.params["shape"])
        bc.append(res.bias_corrected().params["shape"])
    m, b = np.array(mle), np.array(bc)
    return {"mle bias": float(m.mean() - shape), "corrected bias": float(b.mean() - shape),
            "se of bias": float(m.std() / math.sqrt(R)),
            "mle sd": float(m.std()), "corrected sd": float(b.std()),
            "mle rmse": float(np.sqrt(np.mean((m - shape) ** 2))),
            "corrected rmse": float(np.sqrt(np.mean((b - shape) ** 2))),
            "seconds": time.time() - t0}


# ---------------------------------------------------------------------- tests
@pytest.mark.slow
def test_censored_weibull_shape_bartlett_profile_covers_95() -> None:
    out = weibull_censored_bartlett(R=1000)
    assert 0.94 <= out["profile + bartlett"] <= 0.96, out
    assert out["profile + bartlett"] >= out["profile"] - 0.005, out


def test_binomial_exact_coverage_firth_beside_mle() -> None:
    """Exact (enumerated) coverages; fast, so not marked slow. Firth's penalised profile is
    never below 92% in these cells, where the MLE's Wald interval drops to 33%."""
    for n in (20, 50):
        for p in (0.02, 0.05, 0.2):
            out = binomial_exact(n, p)
            assert out["firth profile"] >= 0.92, (n, p, out)
            assert out["firth profile"] >= out["mle wald"] - 1e-12, (n, p, out)
    assert binomial_exact(20, 0.02)["mle wald"] < 0.34


@pytest.mark.slow
def test_logistic_rare_events_firth_bias_below_mle() -> None:
    out = logistic_rare_bias(R=1000)
    assert abs(out["firth slope bias"]) < abs(out["mle slope bias"]), out
    assert abs(out["firth intercept bias"]) < abs(out["mle intercept bias"]), out


@pytest.mark.slow
def test_weibull_shape_bias_correction_removes_80_percent() -> None:
    out = weibull_bias_correction(R=4000)
    assert out["mle bias"] > 10 * out["se of bias"], out          # a real bias to remove
    assert abs(out["corrected bias"]) <= 0.2 * out["mle bias"], out


# ---------------------------------------------------------------------- report
def _report(quick: bool) -> None:  # pragma: no cover - writes the docs' tables
    R = 400 if quick else 2000
    print("## censored Weibull shape, n = 20, 30% censored")
    print(weibull_censored_bartlett(R=R))
    print("## binomial, exact coverage")
    print("| n | p | P(0 successes) | MLE Wald | MLE profile | Firth Wald | Firth profile |")
    for n in (20, 50):
        for p in (0.02, 0.05, 0.2):
            o = binomial_exact(n, p)
            print(f"| {n} | {p} | {o['P(no success)']:.3f} | {100 * o['mle wald']:.2f} | "
                  f"{100 * o['mle profile']:.2f} | {100 * o['firth wald']:.2f} | "
                  f"{100 * o['firth profile']:.2f} |")
    print("## logistic regression, 10% events, n = 100")
    print(logistic_rare_bias(R=R))
    print("## Weibull shape bias correction, n = 10")
    print(weibull_bias_correction(R=2 * R))


if __name__ == "__main__":  # pragma: no cover
    _report("--quick" in sys.argv)
