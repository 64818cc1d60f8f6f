"""Adversarial input sweep of ``mk.fit`` over every registered family (brief SWEEP).

Every (family, input) case runs once under ``warnings.simplefilter("error")`` and lands in
one class:

- ``ok``: a result (a converged one has finite estimates);
- ``named``: a ``mk.MlekitError`` subclass was raised;
- ``mlekit-warning``: an ``mk.MlekitWarning`` was raised (warnings are errors here);
- ``OTHER``: a bare exception, a foreign (numpy/scipy/...) warning, or a converged result
  with a non-finite estimate.

    python tools/sweep_inputs.py            # totals + the OTHER cases grouped by cause
    python tools/sweep_inputs.py --all      # plus every OTHER case, one per line

Not a unit test: a bench-style sweep to find inputs that still escape the product bar.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import traceback
import warnings
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import mlekit as mk  # noqa: E402

COUNT_FAMILIES_WITH_TRIALS = {"binomial", "beta_binomial"}


def _sample(info: dict[str, Any], n: int = 30) -> np.ndarray:
    """A plausible in-support sample for a family (only used as a base to perturb)."""
    name = info["name"]
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # the same sample on every call
    if name == "bernoulli":
        return rng.integers(0, 2, n).astype(float)
    if name in COUNT_FAMILIES_WITH_TRIALS:
        return rng.integers(0, 11, n).astype(float)
    if name in ("logseries", "zt_poisson"):
        return rng.integers(1, 6, n).astype(float)
    if info["discrete"]:
        return rng.integers(0, 6, n).astype(float)
    if name == "beta":
        return rng.uniform(0.05, 0.95, n)
    if name == "pareto":
        return 1.0 + rng.pareto(2.0, n)
    sup = info["support"]
    if sup.startswith("(-inf") or name in ("gev",):
        return rng.normal(5.0, 1.0, n)
    return rng.gamma(2.0, 1.5, n) + 0.01


def _extra(info: dict[str, Any], n: int) -> dict[str, Any]:
    return {}


def _family(name: str) -> Any:
    """The family to fit: its name, or an instance with n=10 trials for the binomials."""
    if name in COUNT_FAMILIES_WITH_TRIALS:
        return {"binomial": mk.Binomial, "beta_binomial": mk.BetaBinomial}[name](n=10)
    return name


Check = Callable[[Any], str]


def _quiet_params(call: Callable[[], Any]) -> dict[str, float] | None:
    """The converged estimates of a fit run with warnings silenced, or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = call()
    except Exception:
        return None
    return dict(res.params) if getattr(res, "converged", False) else None


def _agrees(ref: dict[str, float] | None, rtol: float) -> Check:
    """A check: a converged result's estimates match ``ref`` (when the reference converged)."""
    def check(res: Any) -> str:
        if ref is None or not getattr(res, "converged", False):
            return ""
        got = res[next(iter(res))].params if isinstance(res, mk.GroupedResult) else res.params
        bad = [p for p, v in ref.items()
               if not math.isclose(float(got[p]), v, rel_tol=rtol, abs_tol=rtol * 1e-3)]
        return f"wrong: estimates differ from the equivalent input ({', '.join(bad)})" if bad else ""
    return check


def _scaled(info: dict[str, Any], ref: dict[str, float] | None, c: float) -> dict[str, float] | None:
    """``ref`` mapped to the data ``x * c`` by the family's declared scale powers."""
    cls = getattr(mk, info["class"], None)
    powers = getattr(cls, "scale_powers", None)
    if ref is None or not powers:
        return None
    logs = getattr(cls, "log_scale_params", ())
    return {p: (v + math.log(c) if p in logs else v * c ** powers.get(p, 0)) for p, v in ref.items()}


def _checks(info: dict[str, Any], base: np.ndarray) -> dict[str, Check]:
    """Contracts of answers that a converged result must keep (else it is silently wrong)."""
    name = info["name"]

    def ref_of(x: Any, **kw: Any) -> dict[str, float] | None:
        return _quiet_params(lambda: mk.fit(x, _family(name), **kw))

    ref = ref_of(base)
    keep = np.ones(base.size, dtype=bool)
    keep[3] = False
    return {
        "object dtype": _agrees(ref, 1e-6),
        "python list": _agrees(ref, 1e-6),
        "float32 dtype": _agrees(ref_of(base.astype(np.float32).astype(float)), 1e-4),
        "by one group": _agrees(ref, 1e-5),
        "weights zeros": _agrees(ref_of(base[5:]), 1e-4),
        "pandas NaN omit": _agrees(ref_of(base[keep]), 1e-5),
        "huge 1e300": _agrees(_scaled(info, ref, 1e300), 1e-4),
        "tiny 1e-300": _agrees(_scaled(info, ref, 1e-300), 1e-4),
    }


def _cases(info: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    name = info["name"]
    base = _sample(info)
    p0 = info["params"][0]
    # a valid value for the first parameter: the estimate on the base sample
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            valid = float(mk.fit(_data(info, base), _family(name)).params[p0])
    except Exception:
        valid = 1.0

    def fit(x: Any, **kw: Any) -> Callable[[], Any]:
        return lambda: mk.fit(_data(info, x), _family(name), **kw)

    def fit_raw(x: Any, **kw: Any) -> Callable[[], Any]:
        extra = _extra(info, 0)
        if extra:
            return lambda: mk.fit(mk.Data(x, **extra), _family(name), **kw)
        return lambda: mk.fit(x, _family(name), **kw)

    def data_fit(make: Callable[[], Any], **kw: Any) -> Callable[[], Any]:
        return lambda: mk.fit(make(), _family(name), **kw)

    nan_in = base.copy()
    nan_in[3] = np.nan
    inf_in = base.copy()
    inf_in[3] = np.inf
    neg = base.copy()
    neg[:3] = -np.abs(neg[:3]) - 1.0
    nonint = base.copy() + 0.5
    above1 = base.copy()
    above1[:3] = 1.5
    grp = np.zeros(base.size, dtype=int)
    obs_none = np.zeros(base.size, dtype=bool)
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("empty", fit_raw(np.array([], dtype=float))),
        ("one value", fit_raw(base[:1])),
        ("two values", fit_raw(base[:2])),
        ("all equal", fit_raw(np.full(20, base[0]))),
        ("NaN inside", fit_raw(nan_in)),
        ("inf inside", fit_raw(inf_in)),
        ("negative values", fit_raw(neg)),
        ("non-integers", fit_raw(nonint)),
        ("values > 1", fit_raw(above1)),
        ("huge 1e300", fit_raw(base * 1e300)),
        ("tiny 1e-300", fit_raw(base * 1e-300)),
        ("int dtype", fit_raw(np.round(base).astype(int))),
        ("bool dtype", fit_raw(base > np.median(base))),
        ("object dtype", fit_raw(base.astype(object))),
        ("float32 dtype", fit_raw(base.astype(np.float32))),
        ("python list", fit_raw(base.tolist())),
        ("2-D array", fit_raw(base.reshape(-1, 2))),
        ("fixed valid", fit(base, fixed={p0: valid})),
        ("fixed invalid", fit(base, fixed={p0: -1.0 if "(0" in info["domains"][p0] else np.nan})),
        ("fixed unknown", fit(base, fixed={"nope": 1.0})),
        ("weights zeros", fit(base, weights=np.where(np.arange(base.size) < 5, 0.0, 1.0))),
        ("weights all zero", fit(base, weights=np.zeros(base.size))),
        ("weights negative", fit(base, weights=np.where(np.arange(base.size) < 2, -1.0, 1.0))),
        ("weights NaN", fit(base, weights=np.where(np.arange(base.size) < 1, np.nan, 1.0))),
        ("weights wrong length", fit(base, weights=np.ones(base.size + 3))),
        ("by one group", fit_raw(base, by=grp)),
        ("three values", fit_raw(base[:3])),
        ("near-constant", fit_raw(base[0] * (1 + 1e-13 * np.arange(20)))),
        ("zeros inside", fit_raw(np.where(np.arange(base.size) < 3, 0.0, base))),
        ("huge spread", fit_raw(np.concatenate([base, [1e200]]))),
        ("max float", fit_raw(np.concatenate([base, [np.finfo(float).max] * 3]))),
        ("strings", fit_raw(["a", "b", "c"])),
        ("None inside list", fit_raw([*base[:5].tolist(), None])),
        ("complex dtype", fit_raw(base.astype(complex))),
        ("nested ragged list", fit_raw([[1.0, 2.0], [3.0]])),
        ("scalar", fit_raw(3.0)),
        ("all NaN omit", fit_raw(np.full(10, np.nan), nan_policy="omit")),
        ("nan_policy bogus", fit_raw(base, nan_policy="bogus")),
        ("fixed all params", fit(base, fixed={p: valid if p == p0 else 1.0 for p in info["params"]})),
        ("fixed inf", fit(base, fixed={p0: np.inf})),
        ("fixed string", fit(base, fixed={p0: "x"})),
        ("start invalid", fit(base, start={p0: -5.0 if "(0" in info["domains"][p0] else np.nan})),
        ("start unknown", fit(base, start={"nope": 1.0})),
        ("start inf", fit(base, start={p0: np.inf})),
        ("weights inf", fit(base, weights=np.where(np.arange(base.size) < 1, np.inf, 1.0))),
        ("weights huge", fit(base, weights=np.full(base.size, 1e300))),
        ("weights tiny", fit(base, weights=np.full(base.size, 1e-300))),
        ("weights strings", fit(base, weights=["a"] * base.size)),
        ("weights 2-D", fit(base, weights=np.ones((base.size, 2)))),
        ("by wrong length", fit_raw(base, by=grp[:-2])),
        ("by with NaN", fit_raw(base, by=np.where(np.arange(base.size) < 2, np.nan, 1.0))),
        ("by singleton groups", fit_raw(base, by=np.arange(base.size))),
        ("by two groups one tiny", fit_raw(base, by=(np.arange(base.size) < 1).astype(int))),
        ("maxiter 0", fit(base, maxiter=0)),
        ("maxiter negative", fit(base, maxiter=-1)),
        ("method bogus", fit(base, method="bogus")),
        ("cov bogus", fit(base, cov="bogus")),
        ("one observed rest censored", lambda: mk.fit(mk.Data(base, observed=np.arange(base.size) < 1,
                                                               **_extra(info, 0)), _family(name))),
        ("observed wrong length", lambda: mk.fit(mk.Data(base, observed=obs_none[:-1],
                                                          **_extra(info, 0)), _family(name))),
        ("left censored all", lambda: mk.fit(mk.Data(base, observed=obs_none, censoring="left",
                                                      **_extra(info, 0)), _family(name))),
        ("interval lower > upper", data_fit(lambda: mk.Data.interval(base, base - 0.5))),
        ("interval all open", data_fit(lambda: mk.Data.interval(np.full(base.size, -np.inf),
                                                                 np.full(base.size, np.inf)))),
        ("interval NaN both", data_fit(lambda: mk.Data.interval(nan_in, nan_in))),
        ("interval wrong length", data_fit(lambda: mk.Data.interval(base, base[:-1] + 1))),
        ("interval widths 0", data_fit(lambda: mk.Data.interval(base, base))),
        ("truncation reversed", data_fit(lambda: mk.Data(base, truncation=(10.0, 1.0)))),
        ("truncation excludes data", data_fit(lambda: mk.Data(base, truncation=(1e6, np.inf)))),
        ("truncation NaN", data_fit(lambda: mk.Data(base, truncation=(np.nan, np.inf)))),
        ("truncation scalar", data_fit(lambda: mk.Data(base, truncation=3.0))),
        ("truncation tight", data_fit(lambda: mk.Data(base, truncation=(base.min(), base.max())))),
        ("entry after value", data_fit(lambda: mk.Data(base, entry=base + 1.0))),
        ("entry NaN", data_fit(lambda: mk.Data(base, entry=np.where(np.arange(base.size) < 1,
                                                                    np.nan, 0.0)))),
        ("censored + weights zero on observed", data_fit(lambda: mk.Data(
            base, observed=np.arange(base.size) % 2 == 0,
            weights=np.where(np.arange(base.size) % 2 == 0, 0.0, 1.0)))),
        ("censoring bogus", data_fit(lambda: mk.Data(base, observed=obs_none, censoring="both"))),
        ("observed non-bool", data_fit(lambda: mk.Data(base, observed=np.full(base.size, 2.0)))),
        ("observed NaN", data_fit(lambda: mk.Data(base, observed=np.where(
            np.arange(base.size) < 1, np.nan, 1.0)))),
        ("fixed + start same param", fit(base, fixed={p0: valid}, start={p0: valid})),
        ("fixed numpy scalar", fit(base, fixed={p0: np.float32(valid)})),
        ("fixed as list", fit(base, fixed=[valid])),
        ("start as list", fit(base, start=[valid])),
        ("family bogus name", lambda: mk.fit(base, "weibul")),
        ("family None", lambda: mk.fit(base, None)),
        ("family int", lambda: mk.fit(base, 3)),
        ("all censored", lambda: mk.fit(mk.Data(base, observed=obs_none, **_extra(info, 0)), _family(name))),
    ]
    try:
        import pandas as pd

        s = pd.Series(nan_in)
        cases.append(("pandas Series NaN", fit_raw(s)))
        cases.append(("pandas NaN omit", fit_raw(s, nan_policy="omit")))
    except ImportError:  # pragma: no cover
        pass
    return cases


def _method_cases(info: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    """Adversarial arguments to the methods of a clean fit (levels, probabilities, names)."""
    name = info["name"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = mk.fit(_sample(info), _family(name))
    except Exception:
        return []
    p0 = info["params"][0]
    out: list[tuple[str, Callable[[], Any]]] = []
    for lv in (0.0, 1.0, 1.5, -0.2, math.nan, "0.9"):
        out.append((f"ci(level={lv!r})", lambda lv=lv: res.ci(level=lv)))
        out.append((f"summary(level={lv!r})", lambda lv=lv: res.summary(level=lv)))
    out += [
        ("ci(method=bogus)", lambda: res.ci(method="bogus")),
        ("ci(method=profile)", lambda: res.ci(method="profile")),
        ("quantile(-0.1)", lambda: res.quantile(-0.1)),
        ("quantile(1.1)", lambda: res.quantile(1.1)),
        ("quantile(nan)", lambda: res.quantile(math.nan)),
        ("quantile([0, 1])", lambda: res.quantile([0.0, 1.0])),
        ("quantile(str)", lambda: res.quantile("a")),
        ("quantile(2-D)", lambda: res.quantile(np.full((2, 2), 0.5))),
        ("sf(nan)", lambda: res.sf(math.nan)),
        ("sf(inf)", lambda: res.sf(math.inf)),
        ("sf(-inf)", lambda: res.sf(-math.inf)),
        ("cdf(str)", lambda: res.cdf("a")),
        ("cdf([])", lambda: res.cdf([])),
        ("hazard(-1)", lambda: res.hazard(-1.0)),
        ("hazard(0)", lambda: res.hazard(0.0)),
        ("profile(unknown)", lambda: res.profile("nope")),
        ("profile(n=1)", lambda: res.profile(p0, n=1)),
        ("profile(level=2)", lambda: res.profile(p0, level=2.0)),
        ("derived(unknown)", lambda: res.derived("nope")),
        ("derived(lambda nan)", lambda: res.derived(lambda p: math.nan, name="nan")),
        ("return_level(0.5)", lambda: res.return_level(0.5)),
        ("return_level(1)", lambda: res.return_level(1.0)),
        ("return_period(nan)", lambda: res.return_period(math.nan)),
        ("laplace(n=0)", lambda: res.laplace(n=0)),
        ("to_dict(level=2)", lambda: res.to_dict(level=2.0)),
        ("derived(raises)", lambda: res.derived(lambda p: 1 / 0, name="boom")),
        ("derived(returns str)", lambda: res.derived(lambda p: "x", name="s")),
        ("derived(vector)", lambda: res.derived(lambda p: np.ones(2), name="v")),
        ("ci(bootstrap, n=0)", lambda: res.ci(method="bootstrap", n=0)),
        ("ci(bootstrap, n=3)", lambda: res.ci(method="bootstrap", n=3)),
        ("profile(n=0)", lambda: res.profile(p0, n=0)),
        ("return_period(str)", lambda: res.return_period("a")),
        ("return_level(str)", lambda: res.return_level("a")),
        ("laplace(n=-1)", lambda: res.laplace(n=-1)),
        ("report(path=dir)", lambda: res.report(path=str(ROOT))),
        ("compare unknown family", lambda: mk.compare(_sample(info), [_family(name), "nope"])),
        ("compare empty list", lambda: mk.compare(_sample(info), [])),
        ("lr_test same fit", lambda: mk.lr_test(res, res)),
    ]
    return out


def _data(info: dict[str, Any], x: Any) -> Any:
    extra = _extra(info, 0)
    return mk.Data(x, **extra) if extra else x


def _finite_params(res: Any) -> bool:
    if isinstance(res, mk.GroupedResult):
        return all(_finite_params(res[k]) for k in res)
    params = getattr(res, "params", None)
    if not isinstance(params, dict):
        return True
    if not getattr(res, "converged", False):
        return True
    return all(math.isfinite(float(v)) for v in params.values())


def _materialise(res: Any) -> None:
    """Touch what a user reads first, so deferred work (SEs, diagnostics) runs inside the sweep."""
    if isinstance(res, mk.GroupedResult):
        for k in res:
            _materialise(res[k])
        return
    for attr in ("se", "cov", "loglik", "aic", "warnings"):
        getattr(res, attr, None)
    str(res)
    res.summary()
    if res.converged:
        res.ci()


def classify(call: Callable[[], Any], check: Check | None = None,
             fit: bool = True) -> tuple[str, str]:
    """The class of one case; ``fit=False``: the call returns something other than a fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np_state = np.seterr(divide="warn", over="warn", invalid="warn", under="ignore")  # numpy defaults
        try:
            res = call()
            if not fit:
                str(res)
                return "ok", ""
            _materialise(res)
            if not _finite_params(res):
                return "OTHER", "converged with non-finite params"
            wrong = check(res) if check is not None else ""
            if wrong:
                return "OTHER", wrong
            return "ok", ""
        except mk.MlekitError as e:
            return "named", type(e).__name__
        except mk.MlekitWarning as w:
            return "mlekit-warning", type(w).__name__
        except Warning as w:
            tb = traceback.extract_tb(w.__traceback__)
            where = _where(tb)
            return "OTHER", f"{type(w).__name__}: {str(w)[:70]} @ {where}"
        except Exception as e:
            tb = traceback.extract_tb(e.__traceback__)
            return "OTHER", f"{type(e).__name__}: {str(e)[:70]} @ {_where(tb)}"
        finally:
            np.seterr(**np_state)


def _where(tb: traceback.StackSummary) -> str:
    """The deepest mlekit frame (file:line) of a traceback."""
    for fr in reversed(tb):
        if "mlekit" in fr.filename:
            return f"{Path(fr.filename).relative_to(ROOT / 'src')}:{fr.lineno}"
    return "?"



class Tally:
    """The outcomes of a sweep: a count per outcome class, and the OTHER cases by cause."""

    def __init__(self) -> None:
        self.totals: Counter[str] = Counter()
        self.by_cause: dict[str, list[str]] = defaultdict(list)
        self.t0 = time.perf_counter()

    def add(self, kind: str, detail: str, where: str) -> None:
        self.totals[kind] += 1
        if kind == "OTHER":
            self.by_cause[detail].append(where)

    def print(self, show_all: bool) -> None:
        """The totals per outcome, then the OTHER cases grouped by cause."""
        totals, by_cause = self.totals, self.by_cause
        n = sum(totals.values())
        print(f"{n} cases in {time.perf_counter() - self.t0:.1f} s: " + ", ".join(
            f"{k} {totals[k]}" for k in ("ok", "named", "mlekit-warning", "OTHER")))
        if by_cause:
            print("\nOTHER cases grouped by cause (most common first):")
            for cause, where in sorted(by_cause.items(), key=lambda kv: -len(kv[1])):
                shown = where if show_all else where[:6]
                more = "" if show_all or len(where) <= 6 else f" ... (+{len(where) - 6})"
                print(f"  {len(where):3d}  {cause}\n       {', '.join(shown)}{more}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="print every OTHER case")
    ap.add_argument("--family", action="append", help="restrict to these families")
    args = ap.parse_args(argv)
    tally = Tally()
    for info in mk.families():
        if args.family and info["name"] not in args.family:
            continue
        checks = _checks(info, _sample(info))
        for label, call in _cases(info):
            tally.add(*classify(call, checks.get(label)), f"{info['name']}/{label}")
        for label, call in _method_cases(info):
            tally.add(*classify(call, fit=False), f"{info['name']}/.{label}")
    tally.print(args.all)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
