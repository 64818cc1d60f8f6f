"""Regenerate the built-in example data sets and their provenance records.

Run from a checkout::

    PYTHONPATH=src python -m mlekit.datasets._generate

Every generated data set is a pure function of a fixed seed, so running this script again
reproduces the committed files byte for byte (``tests/test_datasets.py`` checks it).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent

SEED_000 = "the tutorial 'Understanding Maximum Likelihood Estimation (MLE) in Machine Learning'"
SEED_001 = "the interactive explainer 'Maximum Likelihood Estimation'"


def coin() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    heads = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    return {"heads": heads}, {
        "title": "A weighted coin: 7 heads in 10 flips",
        "source": SEED_001,
        "how": "Transcribed: a coin is flipped 10 times and lands heads 7 times (1 = heads, 0 = "
               "tails). The order is not given; heads are listed first.",
        "columns": {"heads": "1 if the flip landed heads, else 0"},
        "licence": "facts from the source text; no licence needed",
        "suggested_family": "bernoulli",
    }


def five_points() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    return {"x": [2.3, 1.9, 2.5, 2.8, 1.7]}, {
        "title": "Five measurements: a normal fit with little data",
        "source": SEED_001,
        "how": "Transcribed from the source's code: data = np.array([2.3, 1.9, 2.5, 2.8, 1.7]).",
        "columns": {"x": "an observation (no unit given)"},
        "licence": "facts from the source text; no licence needed",
        "suggested_family": "normal",
    }


def gaussian() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    np.random.seed(42)  # exactly as in the source: the legacy global generator
    x = np.random.normal(loc=5.0, scale=2.0, size=100)
    return {"x": [float(v) for v in x]}, {
        "title": "A simulated normal sample (true mean 5, true sd 2, n = 100)",
        "source": SEED_000,
        "how": "Generated exactly as in the source: np.random.seed(42); "
               "np.random.normal(loc=5.0, scale=2.0, size=100). Stored at full precision.",
        "columns": {"x": "a draw from Normal(mu=5, sigma=2)"},
        "licence": "synthetic; public domain",
        "suggested_family": "normal",
        "truth": {"mu": 5.0, "sigma": 2.0},
    }


def defects() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    rng = np.random.default_rng(20240501)
    machines = [f"M{i:02d}" for i in range(1, 21)]
    base = rng.lognormal(mean=np.log(3.0), sigma=0.35, size=len(machines))
    shift_factor = {"early": 0.9, "late": 1.0, "night": 1.25}
    size = 4.0  # gamma heterogeneity between shifts: counts are negative binomial
    rows: dict[str, list[Any]] = {"machine": [], "day": [], "shift": [], "defects": []}
    for m, mu_m in zip(machines, base):
        for day in range(1, 11):
            for shift, f in shift_factor.items():
                lam = rng.gamma(shape=size, scale=mu_m * f / size)
                rows["machine"].append(m)
                rows["day"].append(day)
                rows["shift"].append(shift)
                rows["defects"].append(int(rng.poisson(lam)))
    return rows, {
        "title": "Defects counted per machine and shift (20 machines x 10 days x 3 shifts)",
        "source": "synthetic (mlekit)",
        "how": "numpy.random.default_rng(20240501). Machine base rates ~ LogNormal(log 3, 0.35); "
               "shift factors early 0.9, late 1.0, night 1.25; each machine-shift draws its own "
               "rate ~ Gamma(shape 4, mean base x factor) and a Poisson count from it. The counts "
               "are therefore over-dispersed: a negative binomial fits them better than a Poisson.",
        "columns": {"machine": "machine id", "day": "production day (1-10)",
                    "shift": "early, late or night", "defects": "number of defective parts"},
        "licence": "synthetic; public domain",
        "suggested_family": "negative_binomial (versus poisson)",
    }


def ab_test() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    return {"variant": ["A", "B"], "visitors": [9200, 9200], "conversions": [920, 1040]}, {
        "title": "An A/B test of a website button: visitors and conversions per variant",
        "source": "synthetic (mlekit)",
        "how": "Constructed counts (not a random draw): 9,200 visitors per variant, 920 conversions "
               "for A (10.0%) and 1,040 for B (11.3%), chosen to illustrate a lift of about 1.3 "
               "percentage points that a likelihood-ratio test detects at p < 0.01.",
        "columns": {"variant": "A (control) or B (new button)", "visitors": "visitors shown the variant",
                    "conversions": "visitors who converted"},
        "licence": "synthetic; public domain",
        "suggested_family": "binomial (one rate per variant)",
    }


def lightbulbs() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    rng = np.random.default_rng(7)
    n = 80
    shape, scale = 2.2, 1400.0
    life = scale * rng.weibull(shape, size=n)
    entry = rng.uniform(0.0, 800.0, size=n)      # bulbs were switched on at different times
    censor = 2000.0 - entry                       # the test was read out at hour 2000
    failed = life <= censor
    hours = np.round(np.where(failed, life, censor), 1)
    return {"bulb": [f"B{i:03d}" for i in range(1, n + 1)], "hours": [float(h) for h in hours],
            "failed": [int(f) for f in failed]}, {
        "title": "Lightbulb lifetimes in hours, with bulbs still burning at the end of the test",
        "source": "synthetic (mlekit)",
        "how": "numpy.random.default_rng(7). 80 bulbs with lifetimes ~ Weibull(shape 2.2, scale 1400 h), "
               "switched on at times ~ Uniform(0, 800) h and read out at hour 2000: a bulb still "
               "burning then is right-censored at its running time (failed = 0). Hours rounded to 0.1.",
        "columns": {"bulb": "bulb id", "hours": "hours burned (until failure, or until the read-out)",
                    "failed": "1 if the bulb burned out, 0 if it was still burning (right-censored)"},
        "licence": "synthetic; public domain",
        "suggested_family": "weibull",
        "truth": {"shape": shape, "scale": scale},
    }


# Annual maximum sea levels (metres) at Port Pirie, South Australia, 1923-1987, transcribed from
# R's evd package (data(portpirie), evd 2.3-6.1); the same series as ismev's `portpirie` and
# Coles (2001), Example 1.1 / Section 3.4.1 (GEV fit: loc 3.87, scale 0.198, shape -0.050).
PORTPIRIE = [4.03, 3.83, 3.65, 3.88, 4.01, 4.08, 4.18, 3.80, 4.36, 3.96, 3.98, 4.69, 3.85, 3.96,
             3.85, 3.93, 3.75, 3.63, 3.57, 4.25, 3.97, 4.05, 4.24, 4.22, 3.73, 4.37, 4.06, 3.71,
             3.96, 4.06, 4.55, 3.79, 3.89, 4.11, 3.85, 3.86, 3.86, 4.21, 4.01, 4.11, 4.24, 3.96,
             4.21, 3.74, 3.85, 3.88, 3.66, 4.11, 3.71, 4.18, 3.90, 3.78, 3.91, 3.72, 4.00, 3.66,
             3.62, 4.33, 4.55, 3.75, 4.08, 3.90, 3.88, 3.94, 4.33]


def portpirie() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    years = list(range(1923, 1923 + len(PORTPIRIE)))
    return {"year": years, "sea_level": PORTPIRIE}, {
        "title": "Annual maximum sea levels at Port Pirie, South Australia, 1923-1987 (metres)",
        "source": "Tawn, J. A. (1993) Extreme sea-levels, in Statistics in the Environment, "
                  "eds. V. Barnett and F. Turkman, Wiley; as used in Coles, S. G. (2001) An "
                  "Introduction to Statistical Modeling of Extreme Values, Springer (Example 1.1)",
        "how": "Transcribed from R's evd package (data(portpirie), evd 2.3-6.1; the same 65 "
               "values as ismev's portpirie). Years are 1923-1987 in order, as the evd help "
               "page states.",
        "columns": {"year": "calendar year (1923-1987)",
                    "sea_level": "the year's highest sea level, in metres"},
        "licence": "measurements (facts) published in the sources above; no licence needed",
        "suggested_family": "gev (Coles 2001: loc 3.87, scale 0.198, shape -0.050)",
    }


GENERATORS = {"coin": coin, "five_points": five_points, "gaussian": gaussian, "defects": defects,
              "ab_test": ab_test, "lightbulbs": lightbulbs, "portpirie": portpirie}


def render_csv(columns: dict[str, list[Any]]) -> str:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = list(columns)
    w.writerow(names)
    for row in zip(*(columns[c] for c in names)):
        w.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return buf.getvalue()


def render_all() -> dict[str, str]:
    """File name -> content for every data set and the provenance record."""
    files: dict[str, str] = {}
    prov: dict[str, Any] = {}
    for name, gen in GENERATORS.items():
        cols, meta = gen()
        files[f"{name}.csv"] = render_csv(cols)
        prov[name] = {"file": f"{name}.csv", "rows": len(next(iter(cols.values()))), **meta}
    files["provenance.json"] = json.dumps(prov, indent=2, ensure_ascii=False) + "\n"
    return files


def main() -> None:
    for fname, text in render_all().items():
        (HERE / fname).write_text(text, encoding="utf-8")
        print("wrote", HERE / fname)


if __name__ == "__main__":
    main()
