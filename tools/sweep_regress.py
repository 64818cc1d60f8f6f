"""Adversarial input sweep of ``mk.regress``, its result's methods, ``mk.compare`` and
``mk.lr_test`` (brief SWEEP2).

The ``units`` cases put one covariate in tiny or huge units and require the unit-scale fit,
rescaled. Every case runs once under ``warnings.simplefilter("error")`` and is classified as in
``tools/sweep_inputs.py`` (``ok`` / ``named`` / ``mlekit-warning`` / ``OTHER``; OTHER: a
bare exception, a foreign warning, or a converged fit with a non-finite estimate).

    python tools/sweep_regress.py            # totals + the OTHER cases grouped by cause
    python tools/sweep_regress.py --all      # plus every OTHER case, one per line

Not a unit test: a bench-style sweep to find inputs that still escape the product bar.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sweep_inputs import Tally, classify, mk

Case = tuple[str, Callable[[], Any], bool]  # label, call, returns a fit

# bad input that must not pass: an ``ok`` here is a silent answer to a wrong question (OTHER)
MUST_REJECT = {
    "regress/maxiter 0", "regress/maxiter negative", "regress/nan_policy bogus",
    "regress/formulas not a dict", "regress/fixed string",
    "result/.predict(sf no x)", "result/.predict(quantile q=nan)",
    "result/.predict(scalar)", "result/array .predict(3-D)",
    "compare/compare n_boot negative", "compare/compare time_budget negative",
    "compare/lr_test regress different data", "compare/lr_test different data",
    "compare/lr_test non-nested", "compare/lr_test regress non-nested",
    "compare/lr_test ZI vs poisson other data", "compare/lr_test regress weights differ",
    "compare/lr_test grouped result", "compare/lr_test censored vs uncensored",
    "compare/compare criterion int",
    "compare/compare default on strings", "compare/compare [] getitem",
    "compare/compare weights negative",
}


def _frame(n: int = 60, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    mu = 1.0 + 0.5 * x1
    return pd.DataFrame({
        "y": mu + rng.normal(scale=0.7, size=n),
        "t": rng.weibull(1.5, n) * np.exp(0.3 * x1) + 0.01,
        "k": rng.poisson(np.exp(0.2 + 0.3 * x1)).astype(float),
        "b": (rng.uniform(size=n) < 1 / (1 + np.exp(-x1))).astype(float),
        "ev": rng.uniform(size=n) < 0.7,
        "x1": x1, "x2": x2,
        "g": np.where(np.arange(n) % 3 == 0, "a", np.where(np.arange(n) % 3 == 1, "b", "c")),
    })


def _regress_cases() -> list[Case]:
    df = _frame()
    reg = mk.regress

    def with_col(col: str, values: Any) -> pd.DataFrame:
        d = df.copy()
        d[col] = values
        return d

    n = len(df)
    y_nan = df["y"].to_numpy().copy()
    y_nan[2] = np.nan
    y_inf = df["y"].to_numpy().copy()
    y_inf[2] = np.inf
    t_neg = df["t"].to_numpy().copy()
    t_neg[:2] = -1.0
    X = np.column_stack([np.ones(n), df["x1"], df["x2"]])
    zeros_k = np.zeros(n)
    cases: list[Case] = [
        ("valid formula", lambda: reg("y ~ x1 + x2", df), True),
        ("unknown column", lambda: reg("y ~ x1 + nope", df), True),
        ("unknown response", lambda: reg("nope ~ x1", df), True),
        ("formula syntax error", lambda: reg("y ~ x1 +", df), True),
        ("formula garbage", lambda: reg("y ~~ (x1", df), True),
        ("formula no tilde", lambda: reg("y x1", df), True),
        ("formula empty", lambda: reg("", df), True),
        ("formula not str", lambda: reg(3, df), True),  # type: ignore[arg-type]
        ("formula + y=", lambda: reg("y ~ x1", df, y=df["y"], X=X), True),
        ("neither formula nor y", lambda: reg(None, df), True),
        ("data None", lambda: reg("y ~ x1", None), True),
        ("data list", lambda: reg("y ~ x1", [1, 2, 3]), True),
        ("response NaN", lambda: reg("y ~ x1", with_col("y", y_nan)), True),
        ("response NaN omit", lambda: reg("y ~ x1", with_col("y", y_nan), nan_policy="omit"), True),
        ("response inf", lambda: reg("y ~ x1", with_col("y", y_inf)), True),
        ("response negative weibull", lambda: reg("t ~ x1", with_col("t", t_neg), "weibull"), True),
        ("response non-int poisson", lambda: reg("y ~ x1", df, "poisson"), True),
        ("response 2 in bernoulli", lambda: reg("k ~ x1", with_col("k", df["k"] + 2), "bernoulli"),
         True),
        ("response strings", lambda: reg("g ~ x1", df), True),
        ("response bool", lambda: reg("ev ~ x1", df, "bernoulli"), True),
        ("constant covariate", lambda: reg("y ~ x1 + c", with_col("c", 1.0)), True),
        ("all-NaN covariate", lambda: reg("y ~ x1 + c", with_col("c", np.nan)), True),
        ("all-NaN covariate omit", lambda: reg("y ~ x1 + c", with_col("c", np.nan),
                                               nan_policy="omit"), True),
        ("inf covariate", lambda: reg("y ~ x1 + c", with_col("c", np.where(np.arange(n) < 1,
                                                                           np.inf, 1.0))), True),
        ("collinear covariates", lambda: reg("y ~ x1 + c", with_col("c", 2 * df["x1"])), True),
        ("more covariates than rows", lambda: reg("y ~ " + " + ".join(f"z{i}" for i in range(8)),
                                                  pd.DataFrame({"y": df["y"][:5], **{
                                                      f"z{i}": np.random.default_rng(i).normal(
                                                          size=5) for i in range(8)}})), True),
        ("string covariate", lambda: reg("y ~ x1 + g", df), True),
        ("object covariate mixed", lambda: reg("y ~ x1 + c", with_col(
            "c", np.array([1.0, "a"] * (n // 2), dtype=object))), True),
        ("categorical covariate", lambda: reg("y ~ x1 + c", with_col(
            "c", pd.Categorical(df["g"]))), True),
        ("bool covariate", lambda: reg("y ~ x1 + ev", df), True),
        ("empty DataFrame", lambda: reg("y ~ x1", df.iloc[:0]), True),
        ("one row", lambda: reg("y ~ x1", df.iloc[:1]), True),
        ("formulas unknown param", lambda: reg("y ~ x1", df, formulas={"nope": "~ x1"}), True),
        ("formulas linked param again", lambda: reg("y ~ x1", df, formulas={"mu": "~ x1"}), True),
        ("formulas not a dict", lambda: reg("y ~ x1", df, formulas="~ x1"), True),  # type: ignore
        ("formulas bad formula", lambda: reg("y ~ x1", df, formulas={"sigma": "~ x1 +"}), True),
        ("formulas with response", lambda: reg("y ~ x1", df, formulas={"sigma": "y ~ x1"}), True),
        ("family bogus", lambda: reg("y ~ x1", df, "weibul"), True),
        ("family None", lambda: reg("y ~ x1", df, None), True),
        ("family int", lambda: reg("y ~ x1", df, 3), True),
        ("family list", lambda: reg("y ~ x1", df, ["normal"]), True),
        ("ZI bogus inner", lambda: reg("k ~ x1", df, mk.ZeroInflated("nope")), True),
        ("ZI continuous inner", lambda: reg("t ~ x1", df, mk.ZeroInflated("weibull")), True),
        ("ZI nested", lambda: reg("k ~ x1", df, mk.ZeroInflated(mk.ZeroInflated("poisson"))), True),
        ("ZI no zeros", lambda: reg("k ~ x1", with_col("k", df["k"] + 1), mk.ZeroInflated("poisson")),
         True),
        ("ZI all zeros", lambda: reg("k ~ x1", with_col("k", zeros_k), mk.ZeroInflated("poisson")),
         True),
        ("Hurdle no zeros", lambda: reg("k ~ x1", with_col("k", df["k"] + 1), mk.Hurdle("poisson")),
         True),
        ("Hurdle all zeros", lambda: reg("k ~ x1", with_col("k", zeros_k), mk.Hurdle("poisson")),
         True),
        ("Hurdle bogus inner", lambda: reg("k ~ x1", df, mk.Hurdle(None)), True),
        ("Cure no censoring", lambda: reg("t ~ x1", df, mk.Cure("weibull"),
                                          observed=np.ones(n, dtype=bool)), True),
        ("Cure no observed arg", lambda: reg("t ~ x1", df, mk.Cure("weibull")), True),
        ("Cure all censored", lambda: reg("t ~ x1", df, mk.Cure("weibull"),
                                          observed=np.zeros(n, dtype=bool)), True),
        ("Cure discrete inner", lambda: reg("k ~ x1", df, mk.Cure("poisson"), observed="ev"), True),
        ("observed unknown column", lambda: reg("t ~ x1", df, "weibull", observed="nope"), True),
        ("observed wrong length", lambda: reg("t ~ x1", df, "weibull", observed=np.ones(3)), True),
        ("observed NaN", lambda: reg("t ~ x1", df, "weibull",
                                     observed=np.where(np.arange(n) < 1, np.nan, 1.0)), True),
        ("weights negative", lambda: reg("y ~ x1", df, weights=np.where(np.arange(n) < 1, -1.0, 1.0)),
         True),
        ("weights wrong length", lambda: reg("y ~ x1", df, weights=np.ones(3)), True),
        ("weights strings", lambda: reg("y ~ x1", df, weights=["a"] * n), True),
        ("offset wrong length", lambda: reg("k ~ x1", df, "poisson", offset=np.ones(3)), True),
        ("exposure zero", lambda: reg("k ~ x1", df, "poisson", exposure=np.zeros(n)), True),
        ("exposure negative", lambda: reg("k ~ x1", df, "poisson", exposure=-np.ones(n)), True),
        ("start unknown", lambda: reg("y ~ x1", df, start={"nope": 1.0}), True),
        ("start NaN", lambda: reg("y ~ x1", df, start={"x1": np.nan}), True),
        ("fixed unknown", lambda: reg("y ~ x1", df, fixed={"nope": 1.0}), True),
        ("fixed string", lambda: reg("y ~ x1", df, fixed={"x1": "a"}), True),
        ("cov bogus", lambda: reg("y ~ x1", df, cov="bogus"), True),
        ("maxiter 0", lambda: reg("y ~ x1", df, maxiter=0), True),
        ("maxiter negative", lambda: reg("y ~ x1", df, maxiter=-1), True),
        ("nan_policy bogus", lambda: reg("y ~ x1", df, nan_policy="bogus"), True),
        ("penalty bogus", lambda: reg("y ~ x1", df, penalty="bogus"), True),
        ("prior not a dict", lambda: reg("y ~ x1", df, prior=3), True),
        ("truncation reversed", lambda: reg("t ~ x1", df, "weibull", truncation=(10.0, 1.0)), True),
        ("entry after value", lambda: reg("t ~ x1", df, "weibull", entry=df["t"] + 1), True),
        ("lower > upper", lambda: reg("t ~ x1", df, "weibull", lower=df["t"] + 1, upper=df["t"]),
         True),
        ("weights NaN", lambda: reg("y ~ x1", df, weights=np.where(np.arange(n) < 1, np.nan, 1.0)),
         True),
        ("weights all zero", lambda: reg("y ~ x1", df, weights=np.zeros(n)), True),
        ("weights column unknown", lambda: reg("y ~ x1", df, weights="nope"), True),
        ("offset NaN", lambda: reg("k ~ x1", df, "poisson",
                                   offset=np.where(np.arange(n) < 1, np.nan, 0.0)), True),
        ("offset strings", lambda: reg("k ~ x1", df, "poisson", offset=["a"] * n), True),
        ("exposure column unknown", lambda: reg("k ~ x1", df, "poisson", exposure="nope"), True),
        ("entry NaN", lambda: reg("t ~ x1", df, "weibull",
                                  entry=np.where(np.arange(n) < 1, np.nan, 0.0)), True),
        ("entry unknown column", lambda: reg("t ~ x1", df, "weibull", entry="nope"), True),
        ("truncation unknown column", lambda: reg("t ~ x1", df, "weibull", truncation=("nope", None)),
         True),
        ("truncation scalar", lambda: reg("t ~ x1", df, "weibull", truncation=3.0), True),
        ("truncation 3-tuple", lambda: reg("t ~ x1", df, "weibull", truncation=(0, 1, 2)), True),
        ("truncation excludes data", lambda: reg("t ~ x1", df, "weibull", truncation=(1e6, None)),
         True),
        ("lower only", lambda: reg("t ~ x1", df, "weibull", lower=df["t"]), True),
        ("lower and upper NaN", lambda: reg("t ~ x1", df, "weibull", lower=np.full(n, np.nan),
                                            upper=np.full(n, np.nan)), True),
        ("lower/upper strings", lambda: reg("t ~ x1", df, "weibull", lower=["a"] * n,
                                            upper=["b"] * n), True),
        ("observed + lower", lambda: reg("t ~ x1", df, "weibull", observed="ev", lower=df["t"],
                                         upper=df["t"]), True),
        ("observed strings", lambda: reg("t ~ x1", df, "weibull", observed=["yes"] * n), True),
        ("observed all False", lambda: reg("t ~ x1", df, "weibull", observed=np.zeros(n, bool)),
         True),
        ("formulas shape for normal", lambda: reg("y ~ x1", df, formulas={"shape": "~ x1"}), True),
        ("formulas sigma unknown col", lambda: reg("y ~ x1", df, formulas={"sigma": "~ nope"}), True),
        ("formulas sigma collinear", lambda: reg("y ~ x1", with_col("c", 2 * df["x1"]),
                                                 formulas={"sigma": "~ x1 + c"}), True),
        ("formulas value not str", lambda: reg("y ~ x1", df, formulas={"sigma": 3}), True),
        ("formula on a fixed param", lambda: reg("y ~ x1", df, formulas={"sigma": "~ x1"},
                                                 fixed={"sigma": 1.0}), True),
        ("gamma negative response", lambda: reg("y ~ x1", df, "gamma"), True),
        ("nb non-integer", lambda: reg("t ~ x1", df, "negative_binomial"), True),
        ("beta response 0/1", lambda: reg("b ~ x1", df, "beta"), True),
        ("bernoulli separation", lambda: reg("b ~ x1", with_col("b", (df["x1"] > 0).astype(float)),
                                             "bernoulli"), True),
        ("firth on normal", lambda: reg("y ~ x1", df, penalty="firth"), True),
        ("prior unknown param", lambda: reg("y ~ x1", df, prior={"nope": mk.priors.Normal(0, 1)}),
         True),
        ("prior not a prior", lambda: reg("y ~ x1", df, prior={"x1": 3.0}), True),
        ("strict + bad fit", lambda: reg("b ~ x1", with_col("b", (df["x1"] > 0).astype(float)),
                                         "bernoulli", strict=True), True),
        ("ZI formulas zero_prob unknown col", lambda: reg("k ~ x1", df, mk.ZeroInflated("poisson"),
                                                          formulas={"zero_prob": "~ nope"}), True),
        ("ZI negative counts", lambda: reg("y ~ x1", df, mk.ZeroInflated("poisson")), True),
        ("Hurdle continuous inner", lambda: reg("t ~ x1", df, mk.Hurdle("weibull")), True),
        ("Cure interval censored", lambda: reg("t ~ x1", df, mk.Cure("weibull"), lower=df["t"],
                                               upper=df["t"] + 1), True),
        ("Cure fixed cure_prob 1", lambda: reg("t ~ x1", df, mk.Cure("weibull"), observed="ev",
                                               fixed={"cure_prob": 1.0}), True),
        ("ZI fixed zero_prob NaN", lambda: reg("k ~ x1", df, mk.ZeroInflated("poisson"),
                                               fixed={"zero_prob": np.nan}), True),
        ("family class", lambda: reg("t ~ x1", df, mk.Weibull), True),
        ("family instance", lambda: reg("t ~ x1", df, mk.Weibull()), True),
        ("family custom model", lambda: reg("t ~ x1", df, mk.Data), True),
        ("family with trials", lambda: reg("k ~ x1", df, mk.Binomial(n=2)), True),
        ("binomial k > n", lambda: reg("k ~ x1", with_col("k", df["k"] + 5), mk.Binomial(n=2)), True),
        ("nb size formula", lambda: reg("k ~ x1", df, "negative_binomial",
                                        formulas={"size": "~ x2"}), True),
        ("weibull shape formula censored", lambda: reg("t ~ x1", df, "weibull", observed="ev",
                                                       formulas={"shape": "~ x2"}), True),
        ("gamma shape formula", lambda: reg("t ~ x1", df, "gamma", formulas={"shape": "~ g"}), True),
        ("mixture family", lambda: reg("t ~ x1", df, "mixture"), True),
        ("extreme family gev", lambda: reg("y ~ x1", df, "gev"), True),
        ("response from expression", lambda: reg("np.log(t) ~ x1", df), True),
        ("formula with I()", lambda: reg("y ~ I(x1 ** 2)", df), True),
        ("formula unknown function", lambda: reg("y ~ nofunc(x1)", df), True),
        ("formula interaction strings", lambda: reg("y ~ x1 * g", df), True),
        ("data dict", lambda: reg("y ~ x1", {"y": df["y"].tolist(), "x1": df["x1"].tolist()}),
         True),
        ("data dict ragged", lambda: reg("y ~ x1", {"y": [1.0, 2.0, 3.0], "x1": [1.0, 2.0]}), True),
        ("data dict scalars", lambda: reg("y ~ x1", {"y": 1.0, "x1": 2.0}), True),
        ("data duplicate columns", lambda: reg("y ~ x1", pd.concat([df[["y", "x1"]], df[["x1"]]],
                                                                   axis=1)), True),
        ("data duplicate index", lambda: reg("y ~ x1", df.set_index(np.zeros(n, int))), True),
        ("data Series", lambda: reg("y ~ x1", df["y"]), True),
        ("data ndarray", lambda: reg("y ~ x1", df[["y", "x1"]].to_numpy()), True),
        ("response all NaN omit", lambda: reg("y ~ x1", with_col("y", np.nan), nan_policy="omit"),
         True),
        ("response datetime", lambda: reg("d ~ x1", with_col("d", pd.date_range("2020", periods=n))),
         True),
        ("covariate datetime", lambda: reg("y ~ d", with_col("d", pd.date_range("2020", periods=n))),
         True),
        ("covariate complex", lambda: reg("y ~ c", with_col("c", df["x1"] + 1j)), True),
        ("covariate huge", lambda: reg("y ~ c", with_col("c", df["x1"] * 1e300)), True),
        ("covariate tiny", lambda: reg("y ~ c", with_col("c", df["x1"] * 1e-300)), True),
        ("response huge", lambda: reg("y ~ x1", with_col("y", df["y"] * 1e300)), True),
        ("categorical one level", lambda: reg("y ~ x1 + C(c)", with_col("c", "a")), True),
        ("cure prob formula unknown", lambda: reg("t ~ x1", df, mk.Cure("weibull"), observed="ev",
                                                  formulas={"cure_prob": "~ nope"}), True),
        # array form
        ("array valid", lambda: reg(y=df["y"], X=X), True),
        ("array X 1-D", lambda: reg(y=df["y"], X=df["x1"].to_numpy()), True),
        ("array X wrong rows", lambda: reg(y=df["y"], X=X[:-3]), True),
        ("array X strings", lambda: reg(y=df["y"], X=np.full((n, 2), "a")), True),
        ("array X NaN", lambda: reg(y=df["y"], X=np.where(np.arange(n)[:, None] < 1, np.nan, X)),
         True),
        ("array X inf", lambda: reg(y=df["y"], X=np.where(np.arange(n)[:, None] < 1, np.inf, X)),
         True),
        ("array X collinear", lambda: reg(y=df["y"], X=np.column_stack([X, 2 * X[:, 1]])), True),
        ("array X zero columns", lambda: reg(y=df["y"], X=np.empty((n, 0))), True),
        ("array X 3-D", lambda: reg(y=df["y"], X=np.ones((n, 2, 2))), True),
        ("array y 2-D", lambda: reg(y=np.ones((n, 2)), X=X), True),
        ("array empty", lambda: reg(y=np.array([]), X=np.empty((0, 2))), True),
        ("array y only", lambda: reg(y=df["y"]), True),
        ("array X only", lambda: reg(X=X), True),
        ("array more cols than rows", lambda: reg(y=df["y"][:2], X=X[:2]), True),
        ("array y NaN", lambda: reg(y=y_nan, X=X), True),
        ("array y strings", lambda: reg(y=np.full(n, "a"), X=X), True),
        ("array X DataFrame", lambda: reg(y=df["y"], X=df[["x1", "x2"]]), True),
        ("array X DataFrame strings", lambda: reg(y=df["y"], X=df[["x1", "g"]]), True),
    ]
    return cases


def _fit_quiet(call: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


def _method_cases() -> list[Case]:
    df = _frame()
    r = _fit_quiet(lambda: mk.regress("y ~ x1 + x2", df, formulas={"sigma": "~ x1"}))
    ra = _fit_quiet(lambda: mk.regress(y=df["y"], X=np.column_stack([np.ones(len(df)), df["x1"]])))
    rp = _fit_quiet(lambda: mk.regress("k ~ x1", df, "poisson", exposure=np.ones(len(df))))
    rz = _fit_quiet(lambda: mk.regress("k ~ x1", df, mk.ZeroInflated("poisson"),
                                       formulas={"zero_prob": "~ x2"}))
    rc = _fit_quiet(lambda: mk.regress("t ~ x1", df, mk.Cure("weibull"), observed="ev"))
    rh = _fit_quiet(lambda: mk.regress("k ~ x1", df, mk.Hurdle("poisson")))
    rw = _fit_quiet(lambda: mk.regress("t ~ x1", df, "weibull", observed="ev"))
    out: list[Case] = []
    for lv in (0.0, 1.0, 1.5, -0.2, math.nan, "0.9"):
        out.append((f".ci(level={lv!r})", lambda lv=lv: r.ci(level=lv), False))
        out.append((f".summary(level={lv!r})", lambda lv=lv: r.summary(level=lv), False))
        out.append((f".predict(ci, level={lv!r})", lambda lv=lv: r.predict(df, ci=True, level=lv),
                    False))
    out += [
        (".ci(method=bogus)", lambda: r.ci(method="bogus"), False),
        (".summary(ci=bogus)", lambda: r.summary(ci="bogus"), False),
        (".predict(missing column)", lambda: r.predict(df.drop(columns="x2")), False),
        (".predict(missing column of other formula)", lambda: r.predict(df[["x2"]]), False),
        (".predict(empty frame)", lambda: r.predict(df.iloc[:0]), False),
        (".predict(NaN covariate)", lambda: r.predict(df.assign(x1=np.nan)), False),
        (".predict(string covariate)", lambda: r.predict(df.assign(x1="a")), False),
        (".predict(ndarray for formula fit)", lambda: r.predict(np.ones((3, 2))), False),
        (".predict(list)", lambda: r.predict([1, 2, 3]), False),
        (".predict(dict)", lambda: r.predict({"x1": [0.0, 1.0], "x2": [0.0, 1.0]}), False),
        (".predict(scalar)", lambda: r.predict(3.0), False),
        (".predict(what=bogus)", lambda: r.predict(df, what="bogus"), False),
        (".predict(quantile no q)", lambda: r.predict(df, what="quantile"), False),
        (".predict(quantile q=1.5)", lambda: r.predict(df, what="quantile", q=1.5), False),
        (".predict(quantile q=nan)", lambda: r.predict(df, what="quantile", q=math.nan), False),
        (".predict(quantile q=str col)", lambda: r.predict(df, what="quantile", q="g"), False),
        (".predict(quantile q wrong len)", lambda: r.predict(df, what="quantile", q=[0.1, 0.2]),
         False),
        (".predict(sf no x)", lambda: r.predict(df, what="sf"), False),
        (".predict(sf x=nope col)", lambda: r.predict(df, what="sf", x="nope"), False),
        (".predict(sf x wrong len)", lambda: r.predict(df, what="sf", x=np.ones(3)), False),
        (".predict(ci=bogus)", lambda: r.predict(df, ci="bogus"), False),
        (".predict(offset wrong len)", lambda: r.predict(df, offset=np.ones(3)), False),
        ("array .predict(wrong width)", lambda: ra.predict(np.ones((3, 5))), False),
        ("array .predict(1-D)", lambda: ra.predict(np.ones(2)), False),
        ("array .predict(strings)", lambda: ra.predict(np.full((3, 2), "a")), False),
        ("array .predict(DataFrame)", lambda: ra.predict(df), False),
        ("array .predict(3-D)", lambda: ra.predict(np.ones((3, 2, 2))), False),
        (".residuals(bogus)", lambda: r.residuals("bogus"), False),
        (".residuals(None)", lambda: r.residuals(None), False),
        (".predict(what=None)", lambda: r.predict(df, what=None), False),
        (".predict(pdf x=str col)", lambda: r.predict(df, what="pdf", x="g"), False),
        (".predict(ci=profile, level=2)", lambda: r.predict(df.head(2), ci="profile", level=2.0),
         False),
        (".predict(exposure for no-offset fit)", lambda: r.predict(df, exposure=np.ones(len(df))),
         False),
        (".predict(Series)", lambda: r.predict(df.iloc[0]), False),
        (".predict(list of dicts)", lambda: r.predict([{"x1": 0.0, "x2": 1.0}]), False),
        ("poisson .predict(no exposure)", lambda: rp.predict(df), False),
        ("poisson .predict(exposure 0)", lambda: rp.predict(df, exposure=np.zeros(len(df))), False),
        ("poisson .predict(exposure str)", lambda: rp.predict(df, exposure="g"), False),
        ("ZI .predict(missing zero col)", lambda: rz.predict(df[["x1"]]), False),
        ("ZI .predict(what=zero_prob)", lambda: rz.predict(df, what="zero_prob"), False),
        ("ZI .summary(level=2)", lambda: rz.summary(level=2.0), False),
        (".influence()", lambda: r.influence(), False),
        (".ci(profile)", lambda: r.ci(method="profile"), False),
        (".summary(ci=profile, level=nan)", lambda: r.summary(ci="profile", level=math.nan), False),
        (".lr_nesting(3)", lambda: r.lr_nesting(3), False),
        ("cure .predict(sf no x)", lambda: rc.predict(df, what="sf"), False),
        ("cure .predict(hazard x=-1)", lambda: rc.predict(df, what="hazard", x=-1.0), False),
        ("cure .residuals(deviance)", lambda: rc.residuals("deviance"), False),
        ("cure .influence()", lambda: rc.influence(), False),
        ("hurdle .predict(quantile)", lambda: rh.predict(df, what="quantile", q=0.5), False),
        ("hurdle .residuals(pearson)", lambda: rh.residuals("pearson"), False),
        ("weibull .predict(sf x=nan)", lambda: rw.predict(df, what="sf", x=math.nan), False),
        ("weibull .summary(ci=profile)", lambda: rw.summary(ci="profile"), False),
        ("weibull .ci(bootstrap, n=3)", lambda: rw.ci(method="bootstrap", n=3), False),
        ("weibull .profile(level=2)", lambda: rw.profile("x1", level=2.0), False),
        ("mk.gof(regression)", lambda: mk.gof(rw), False),
        ("compare(frame, [regressions])", lambda: mk.compare(df, [rw, rc]), False),
        (".tests(level=2)", lambda: r.tests(level=2.0), False),
        (".profile(unknown)", lambda: r.profile("nope"), False),
        (".derived(unknown)", lambda: r.derived("nope"), False),
        (".quantile(0.5)", lambda: r.quantile(0.5), False),
        (".to_dict(level=2)", lambda: r.to_dict(level=2.0), False),
    ]
    return out


def _compare_cases() -> list[Case]:
    rng = np.random.default_rng(3)
    x = rng.weibull(1.5, 80) * 2.0
    x2 = rng.weibull(1.5, 60) * 2.0
    fw = _fit_quiet(lambda: mk.fit(x, "weibull"))
    fe = _fit_quiet(lambda: mk.fit(x, "exponential"))
    fl = _fit_quiet(lambda: mk.fit(x, "lognormal"))
    fo = _fit_quiet(lambda: mk.fit(x2, "weibull"))
    df = _frame()
    r1 = _fit_quiet(lambda: mk.regress("y ~ x1", df))
    r2 = _fit_quiet(lambda: mk.regress("y ~ x1 + x2", df))
    r3 = _fit_quiet(lambda: mk.regress("y ~ x2", df))
    r_other = _fit_quiet(lambda: mk.regress("y ~ x1 + x2", _frame(seed=2)))
    r0 = _fit_quiet(lambda: mk.regress("y ~ 1", df))
    w = np.ones(len(df))
    w[0] = 3.0
    r2w = _fit_quiet(lambda: mk.regress("y ~ x1 + x2", df, weights=w))
    rpo = _fit_quiet(lambda: mk.regress("k ~ x1", df, "poisson"))
    rzi = _fit_quiet(lambda: mk.regress("k ~ x1", df, mk.ZeroInflated("poisson")))
    rzi_other = _fit_quiet(lambda: mk.regress("k ~ x1", _frame(seed=2), mk.ZeroInflated("poisson")))
    fg = _fit_quiet(lambda: mk.fit(x, "weibull", by=np.arange(x.size) % 2))
    fwc = _fit_quiet(lambda: mk.fit(mk.Data(x, observed=np.arange(x.size) % 4 > 0), "weibull"))
    fwp = _fit_quiet(lambda: mk.fit(x, "weibull", prior={"shape": mk.priors.Normal(1.0, 1.0)}))
    cmp = mk.compare
    lrt = mk.lr_test
    out: list[Case] = [
        ("compare empty list", lambda: cmp(x, []), False),
        ("compare one family", lambda: cmp(x, ["weibull"], quiet=True), False),
        ("compare duplicate families", lambda: cmp(x, ["weibull", "weibull"], quiet=True), False),
        ("compare unknown family", lambda: cmp(x, ["weibull", "nope"], quiet=True), False),
        ("compare family None in list", lambda: cmp(x, ["weibull", None], quiet=True), False),
        ("compare families str bogus", lambda: cmp(x, "bogus", quiet=True), False),
        ("compare families int", lambda: cmp(x, 3, quiet=True), False),
        ("compare list of fits", lambda: cmp(x, [fw, fe], quiet=True), False),
        ("compare data a fit", lambda: cmp(fw, ["weibull"], quiet=True), False),
        ("compare data None", lambda: cmp(None, ["weibull"], quiet=True), False),
        ("compare data empty", lambda: cmp(np.array([]), ["weibull"], quiet=True), False),
        ("compare data strings", lambda: cmp(["a", "b"], ["weibull"], quiet=True), False),
        ("compare data NaN", lambda: cmp(np.r_[x, np.nan], ["weibull"], quiet=True), False),
        ("compare data a DataFrame", lambda: cmp(df, ["weibull"], quiet=True), False),
        ("compare criterion bogus", lambda: cmp(x, ["weibull", "gamma"], criterion="bogus",
                                                quiet=True), False),
        ("compare criterion None", lambda: cmp(x, ["weibull", "gamma"], criterion=None,
                                               quiet=True), False),
        ("compare criterion upper", lambda: cmp(x, ["weibull", "gamma"], criterion="AIC",
                                                quiet=True), False),
        ("compare n_boot 0", lambda: cmp(x, ["weibull"], gof=True, n_boot=0, quiet=True), False),
        ("compare n_boot negative", lambda: cmp(x, ["weibull"], gof=True, n_boot=-1, quiet=True),
         False),
        ("compare weights wrong length", lambda: cmp(x, ["weibull"], weights=np.ones(3),
                                                     quiet=True), False),
        ("compare nan_policy bogus", lambda: cmp(x, ["weibull"], nan_policy="bogus", quiet=True),
         False),
        ("compare time_budget negative", lambda: cmp(x, ["weibull"], time_budget=-1.0,
                                                     quiet=True), False),
        ("lr_test nested", lambda: lrt(fe, fw), False),
        ("lr_test reversed", lambda: lrt(fw, fe), False),
        ("lr_test same fit", lambda: lrt(fw, fw), False),
        ("lr_test non-nested", lambda: lrt(fw, fl), False),
        ("lr_test different data", lambda: lrt(fe, fo), False),
        ("lr_test one fit", lambda: lrt(fw), False),
        ("lr_test not a fit", lambda: lrt(3, fw), False),  # type: ignore[arg-type]
        ("lr_test full not a fit", lambda: lrt(fw, "weibull"), False),  # type: ignore[arg-type]
        ("lr_test list", lambda: lrt([fe, fw]), False),  # type: ignore[arg-type]
        ("lr_test None", lambda: lrt(None), False),  # type: ignore[arg-type]
        ("lr_test fixed unknown", lambda: lrt(fw, fixed={"nope": 1.0}), False),
        ("lr_test fixed NaN", lambda: lrt(fw, fixed={"shape": math.nan}), False),
        ("lr_test fixed out of domain", lambda: lrt(fw, fixed={"shape": -1.0}), False),
        ("lr_test fixed string", lambda: lrt(fw, fixed={"shape": "a"}), False),
        ("lr_test fixed + full", lambda: lrt(fe, fw, fixed={"scale": 1.0}), False),
        ("lr_test fixed empty", lambda: lrt(fw, fixed={}), False),
        ("lr_test fixed list", lambda: lrt(fw, fixed=[1.0]), False),  # type: ignore[arg-type]
        ("lr_test regress nested", lambda: lrt(r1, r2), False),
        ("lr_test regress non-nested", lambda: lrt(r1, r3), False),
        ("lr_test regress different data", lambda: lrt(r1, r_other), False),
        ("lr_test regress vs plain fit", lambda: lrt(fw, r2), False),
        ("lr_test regress fixed", lambda: lrt(r2, fixed={"x2": 0.0}), False),
        ("lr_test regress fixed unknown", lambda: lrt(r2, fixed={"nope": 0.0}), False),
        ("lr_test ZI vs poisson regress", lambda: lrt(rpo, rzi), False),
        ("lr_test ZI vs poisson other data", lambda: lrt(rpo, rzi_other), False),
        ("lr_test regress weights differ", lambda: lrt(r1, r2w), False),
        ("lr_test grouped result", lambda: lrt(fg, fg), False),
        ("lr_test censored vs uncensored", lambda: lrt(fe, fwc), False),
        ("lr_test penalised vs plain", lambda: lrt(fe, fwp), False),
        ("lr_test regress vs its intercept-only", lambda: lrt(r0, r2), False),
        ("compare families tuple", lambda: cmp(x, ("weibull", "gamma"), quiet=True), False),
        ("compare families set", lambda: cmp(x, {"weibull", "gamma"}, quiet=True), False),
        ("compare families dict", lambda: cmp(x, {"weibull": 1}, quiet=True), False),
        ("compare families nested list", lambda: cmp(x, [["weibull"]], quiet=True), False),
        ("compare criterion int", lambda: cmp(x, ["weibull"], criterion=3, quiet=True), False),
        ("compare gof str", lambda: cmp(x, ["weibull"], gof="yes", quiet=True), False),
        ("compare rng bogus", lambda: cmp(x, ["weibull"], gof=True, n_boot=5, rng="a", quiet=True),
         False),
        ("compare quiet str", lambda: cmp(x, ["weibull"], quiet="no"), False),
        ("compare censored Data", lambda: cmp(mk.Data(x, observed=np.arange(x.size) % 4 > 0),
                                              ["weibull", "lognormal"], quiet=True), False),
        ("compare all censored", lambda: cmp(mk.Data(x, observed=np.zeros(x.size, bool)),
                                             ["weibull", "lognormal"], quiet=True), False),
        ("compare negative data", lambda: cmp(-x, ["weibull", "lognormal"], quiet=True), False),
        ("compare all families fail", lambda: cmp(-x, ["weibull", "gamma"], quiet=True), False),
        ("compare discrete on continuous", lambda: cmp(x, ["poisson", "weibull"], quiet=True), False),
        ("compare one value", lambda: cmp(x[:1], ["weibull", "gamma"], quiet=True), False),
        ("compare constant data", lambda: cmp(np.full(20, 2.0), ["weibull", "gamma"], quiet=True),
         False),
        ("compare default on strings", lambda: cmp(np.array(["a"] * 5), quiet=True), False),
        ("compare .best of empty", lambda: cmp(-x, ["weibull", "gamma"], quiet=True).best, False),
        ("compare [] getitem", lambda: cmp(x, ["weibull"], quiet=True)["nope"], False),
        ("compare weights negative", lambda: cmp(x, ["weibull"], weights=-np.ones(x.size),
                                                 quiet=True), False),
    ]
    return out


class NotRescaledError(Exception):
    """A covariate in other units gave another fit than the unit-scale one rescaled."""


def _units_cases() -> list[Case]:
    """One covariate in tiny or huge units (x1 * s): the fit must be the unit-scale fit with
    that coefficient and its SE divided by s (every other estimate and the log-likelihood the
    same); anything else is OTHER."""
    df = _frame()
    out: list[Case] = []
    for fam, y in [("normal", "y"), ("poisson", "k"), ("bernoulli", "b"), ("weibull", "t"),
                   ("gamma", "t"), ("lognormal", "t"), ("exponential", "t"),
                   ("negbin", "k")]:
        for s in (1e-100, 1e-14, 1e-6, 1e6, 1e14, 1e100):
            def call(fam: str = fam, y: str = y, s: float = s) -> Any:
                ref = mk.regress(f"{y} ~ x1 + x2", df, family=fam)
                res = mk.regress(f"{y} ~ x1 + x2", df.assign(x1=df.x1 * s), family=fam)
                for p, v in ref.params.items():
                    c = s if p == "x1" else 1.0
                    if not (math.isclose(res.params[p] * c, v, rel_tol=1e-6, abs_tol=1e-9)
                            and math.isclose(res.se[p] * c, ref.se[p], rel_tol=1e-4)):
                        raise NotRescaledError(f"{p}: {res.params[p] * c!r} (SE {res.se[p] * c!r}) "
                                          f"against {v!r} (SE {ref.se[p]!r})")
                if not math.isclose(res.loglik, ref.loglik, rel_tol=1e-9):
                    raise NotRescaledError(f"loglik {res.loglik!r} against {ref.loglik!r}")
                return res
            out.append((f"{fam} x1*{s:g}", call, True))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="print every OTHER case")
    args = ap.parse_args(argv)
    tally = Tally()
    for group, cases in (("regress", _regress_cases()), ("result", _method_cases()),
                         ("compare", _compare_cases()), ("units", _units_cases())):
        for label, call, is_fit in cases:
            kind, detail = classify(call, fit=is_fit)
            if kind == "ok" and f"{group}/{label}" in MUST_REJECT:
                kind, detail = "OTHER", "accepted bad input without an error"
            tally.add(kind, detail, f"{group}/{label}")
    tally.print(args.all)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
