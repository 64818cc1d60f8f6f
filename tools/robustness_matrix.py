"""Re-measure the robustness review's summary table (../shared/ROBUSTNESS-REVIEW.md, issue 11).

Every input is run once and put in one class:

- ``error``: a clean ``MlekitError`` (CLI: exit 2; web: a 4xx JSON answer);
- ``flagged``: a result that carries a warning-level diagnostic or emitted a warning;
- ``ok``: a clean result that passed the category's checks;
- ``crash``: any other exception (CLI: exit 1; web: HTTP 500 or an InternalError);
- ``hang``: took more than ``HANG_S`` seconds;
- ``wrong``: a clean, converged result that failed a check (non-finite estimate, not a local
  maximum, the weight-0/mask/scale contract broken, ...).

    python tools/robustness_matrix.py              # the table, as Markdown
    python tools/robustness_matrix.py --details    # plus every crash / hang / wrong input

The last three columns must be 0 (docs/robustness.md).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import mlekit as mk  # noqa: E402
from families.cases import CASES, dist  # noqa: E402
from mlekit._families.registry import registry  # noqa: E402

HANG_S = 20.0
CLASSES = ("error", "flagged", "ok", "crash", "hang", "wrong")
DETAILS: list[str] = []


class WrongResultError(Exception):
    """A check on a clean result failed."""


def classify(cat: str, label: str, fn: Callable[[], Any],
             check: Callable[[Any], None] | None = None) -> str:
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            res = fn()
        except mk.MlekitError:
            out = "error"
        except Exception as exc:
            out = "crash"
            DETAILS.append(f"[{cat}] crash {label}: {type(exc).__name__}: {exc}"[:300])
        else:
            flagged = any(issubclass(w.category, mk.MlekitWarning) for w in caught) or bool(
                getattr(res, "warnings", ()))
            out = "flagged" if flagged else "ok"
            if check is not None and not flagged:
                try:
                    check(res)
                except WrongResultError as exc:
                    out = "wrong"
                    DETAILS.append(f"[{cat}] wrong {label}: {exc}"[:300])
                except mk.MlekitError:
                    pass
    if time.perf_counter() - t0 > HANG_S:
        DETAILS.append(f"[{cat}] hang {label}: {time.perf_counter() - t0:.1f} s")
        return "hang"
    return out


# ------------------------------------------------------------------------- checks
def check_fit(res: Any) -> None:
    """A converged, unflagged fit: finite numbers and a local maximum of its likelihood."""
    if not res.converged:
        return
    if not all(math.isfinite(v) for v in res.params.values()) or not math.isfinite(res.loglik):
        raise WrongResultError(f"converged with {res.params}, loglik {res.loglik}")
    lik = getattr(res, "likelihood", None)
    if lik is None:
        return
    fam = registry.get(res.family)
    skip = set(res.fixed) | set(getattr(fam, "nonregular", ()) or ())
    th = [res.params[p] for p in res.param_names]
    ll0 = float(lik.evaluate(tuple(th), 0)[0])
    if not math.isclose(ll0, res.loglik, rel_tol=1e-6, abs_tol=1e-6):
        raise WrongResultError(f"reported loglik {res.loglik} but the likelihood gives {ll0}")
    for i, p in enumerate(res.param_names):
        if p in skip:
            continue
        for f in (1 - 1e-4, 1 + 1e-4):
            t2 = list(th)
            t2[i] = th[i] * f if th[i] != 0 else (f - 1)
            ll = float(lik.evaluate(tuple(t2), 0)[0])
            if ll > ll0 + 1e-6 * max(1.0, abs(ll0)):
                raise WrongResultError(f"not a maximum: {p} -> {t2[i]:.6g} raises loglik {ll0} to {ll}")


def same_as(ref: Callable[[], Any]) -> Callable[[Any], None]:
    def check(res: Any) -> None:
        check_fit(res)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = ref()
        for p, v in want.params.items():
            if not math.isclose(res.params[p], v, rel_tol=1e-6, abs_tol=1e-9):
                raise WrongResultError(f"{p} = {res.params[p]} but the reference fit gives {v}")
    return check


# ------------------------------------------------------------------------- 1. bad inputs
def _fam(name: str) -> Any:
    fam = CASES[name][0]
    return fam if getattr(fam, "n", None) is not None else name


def bad_inputs(name: str) -> dict[str, tuple[Callable[[], Any], Callable[[Any], None] | None]]:
    fam = _fam(name)
    good = np.asarray(dist(name).sample(30, rng=1), dtype=float)
    n = good.size
    first = registry[name].param_names[0]
    w0 = np.ones(n)
    w0[:3] = 0.0
    masked = np.ma.masked_array(np.append(good, good[0] * 1000 + 7), mask=[0] * n + [1])

    def fit(x: Any, **kw: Any) -> Callable[[], Any]:
        return lambda: mk.fit(x, fam, **kw)

    kinds: dict[str, tuple[Callable[[], Any], Callable[[Any], None] | None]] = {
        "empty": (fit([]), None), "nan": (fit([math.nan, 1.0]), None),
        "inf": (fit([math.inf, 1.0, 2.0]), None), "none": (fit(None), None),
        "string": (fit("abc"), None), "numeric strings": (fit(["1", "2", "3"]), None),
        "object array": (fit(np.array([1.0, "a", None], dtype=object)), None),
        "complex": (fit(np.array([1 + 1j, 2.0])), None),
        "datetime": (fit(np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]")), None),
        "2-D": (fit(np.ones((3, 3))), None), "3-D": (fit(np.ones((2, 2, 2))), None),
        "generator": (fit(v for v in good), None),
        "bool array": (fit(np.array([True, False, True, True])), check_fit),
        "constant": (fit(np.full(10, good[0])), check_fit),
        "single value": (fit([good[0]]), check_fit), "two values": (fit(good[:2]), check_fit),
        "negative": (fit(-np.abs(good) - 1.0), check_fit), "zeros": (fit(np.zeros(10)), check_fit),
        "mixed signs": (fit(np.array([-2.0, -1.0, 0.5, 1.0, 3.0])), check_fit),
        "huge": (fit(good * 1e300), check_fit), "tiny": (fit(good * 1e-300), check_fit),
        "denormal": (fit(np.append(good, 5e-324)), check_fit),
        "integers": (fit(np.round(good).astype(int)), check_fit),
        "good": (fit(good), check_fit), "good list": (fit(good.tolist()), check_fit),
        "masked": (fit(masked), None),
        "masked omit": (fit(masked, nan_policy="omit"),
                        same_as(lambda: mk.fit(good, fam))),
        "weights zero rows": (fit(good, weights=w0), same_as(lambda: mk.fit(good[3:], fam))),
        "weights negative": (fit(good, weights=-w0), None),
        "weights nan": (fit(good, weights=np.full(n, math.nan)), None),
        "weights inf": (fit(good, weights=np.full(n, math.inf)), None),
        "weights all zero": (fit(good, weights=np.zeros(n)), None),
        "weights wrong length": (fit(good, weights=np.ones(n + 1)), None),
        "weights 2": (fit(good, weights=np.full(n, 2.0)),
                      same_as(lambda: mk.fit(np.repeat(good, 2), fam))),
        "observed wrong length": (lambda: mk.fit(mk.Data.right_censored(good, np.ones(n + 1)),
                                                 fam), None),
        "observed 2": (lambda: mk.fit(mk.Data.right_censored(good, np.full(n, 2.0)), fam), None),
        "all censored": (lambda: mk.fit(mk.Data.right_censored(good, np.zeros(n)), fam), None),
        "censored ties": (lambda: mk.fit(mk.Data.right_censored([good[0]] * 2, [1, 0]), fam),
                          check_fit),
        "interval lower>upper": (lambda: mk.fit(mk.Data.interval(good + 1, good), fam), None),
        "interval": (lambda: mk.fit(mk.Data.interval(good * 0.9, good * 1.1 + 0.1), fam),
                     check_fit),
        "truncation bad": (lambda: mk.fit(mk.Data(good, truncation=(5.0, 1.0)), fam), None),
        "fixed unknown": (fit(good, fixed={"nope": 1.0}), None),
        "fixed nan": (fit(good, fixed={first: math.nan}), None),
        "fixed huge": (fit(good, fixed={first: 1e300}), check_fit),
        "fixed tiny": (fit(good, fixed={first: 1e-300}), check_fit),
        "start bad": (fit(good, start={first: -1e300}), check_fit),
        "maxiter 0": (fit(good, maxiter=0), None), "maxiter str": (fit(good, maxiter="10"), None),
        "nan_policy typo": (fit(good, nan_policy="omitt"), None),
        "cov typo": (fit(good, cov="sandwhich"), None),
        "cov sandwich": (fit(good, cov="sandwich"), check_fit),
        "method typo": (fit(good, method="newtn"), None),
    }
    return kinds


# ------------------------------------------------------------------------- 1b. magnitudes
SCALES = [1e-320, 1e-300, 1e-200, 1e-170, 1e-100, 1e-50, 1e50, 1e100, 1e155, 1e160, 1e200,
          1e300]


def sweep(name: str) -> list[tuple[str, Callable[[], Any], Callable[[Any], None] | None]]:
    fam = registry[name]
    x = np.asarray(dist(name).sample(40, rng=3), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            base = mk.fit(x, name)
        except mk.MlekitError:
            base = None
    out: list[tuple[str, Callable[[], Any], Callable[[Any], None] | None]] = []
    for c in SCALES:
        def check(res: Any, c: float = c) -> None:
            check_fit(res)
            if base is None or base.warnings or not base.converged or fam.scale_powers is None:
                return
            if c < 1e-300 or not res.converged:     # denormals lose digits: a scale, not a shape
                return
            e = math.log10(c)
            for p, v in base.params.items():
                want = (v + e * math.log(10.0) if p in fam.log_scale_params
                        else v * c ** fam.scale_powers[p] if abs(e * fam.scale_powers[p]) < 300
                        else None)
                if want is not None and not math.isclose(res.params[p], want, rel_tol=1e-5):
                    raise WrongResultError(f"x{c:g}: {p} = {res.params[p]} but equivariance gives {want}")
        out.append((f"{name} x{c:g}", lambda c=c: mk.fit(x * c, name), check))
    return out


# ------------------------------------------------------------------------- 2. random data sets
def fuzz(name: str, n_sets: int) -> list[tuple[str, Callable[[], Any], Callable[[Any], None]]]:
    fam = _fam(name)
    out = []
    for s in range(n_sets):
        rng = np.random.default_rng(1000 + s)
        n = int(rng.integers(1, 300))
        x = np.asarray(dist(name).sample(n, rng=s), dtype=float)
        if not registry[name].discrete:
            x = np.round(x, int(rng.integers(0, 4))) if rng.random() < 0.4 else x
            sup = registry[name].support
            x = x[(x > sup.lower) & (x < sup.upper)]
        w = rng.integers(0, 4, x.size).astype(float) if rng.random() < 0.5 else None
        kind = rng.integers(0, 3)
        if kind == 1 and not registry[name].discrete and x.size:
            data: Any = mk.Data.right_censored(x, rng.random(x.size) < 0.7, weights=w)
        elif kind == 2 and not registry[name].discrete and x.size:
            data = mk.Data.interval(x - 0.05 * np.abs(x), x + 0.05 * np.abs(x) + 1e-3, weights=w)
        else:
            data = mk.Data(x, weights=w)
        out.append((f"{name} set {s} (n={x.size}, kind {kind})",
                    lambda d=data: mk.fit(d, fam), check_fit))
    return out


# ------------------------------------------------------------------------- 3. entry points
def entry_points() -> dict[str, list[tuple[str, Callable[[], Any], Callable[[Any], None] | None]]]:
    import pandas as pd

    rng = np.random.default_rng(0)
    x = rng.gamma(2.0, 1.5, 40)
    out: dict[str, list[Any]] = {k: [] for k in ("3a", "3b", "3c", "3d", "3e", "3f", "3g")}
    for name in sorted(registry):
        fam = _fam(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = mk.fit(np.asarray(dist(name).sample(40, rng=2), float), fam)
            except mk.MlekitError:
                continue
        calls: dict[str, Callable[[], Any]] = {
            "ci wald": lambda r=res: r.ci(), "ci wald-log": lambda r=res: r.ci(method="wald-log"),
            "ci profile": lambda r=res: r.ci(method="profile"),
            "ci bootstrap": lambda r=res: r.ci(method="bootstrap", n_boot=20, rng=0),
            "ci bad method": lambda r=res: r.ci(method="nope"),
            "ci seed=": lambda r=res: r.ci(method="bootstrap", seed=1),
            "ci rng str": lambda r=res: r.ci(method="bootstrap", n_boot=5, rng="abc"),
            "quantile": lambda r=res: r.quantile(0.5), "quantile 1e-300": lambda r=res:
            r.quantile(1e-300), "quantile 2": lambda r=res: r.quantile(2.0),
            "sf": lambda r=res: r.sf(1.0), "cdf": lambda r=res: r.cdf(1.0),
            "hazard 0": lambda r=res: r.hazard(0.0), "derived mean": lambda r=res:
            r.derived("mean"), "derived typo": lambda r=res: r.derived("meen"),
            "summary": lambda r=res: r.summary(), "gof": lambda r=res: mk.gof(r, n_boot=10, rng=0),
            "gof rng str": lambda r=res: mk.gof(r, n_boot=5, rng="x"),
        }
        for label, fn in calls.items():
            out["3a"].append((f"{name} {label}", fn, None))
    for label, fn in {
        "compare default": lambda: mk.compare(x, gof=False),
        "compare all": lambda: mk.compare(x, "all", gof=False),
        "compare all huge": lambda: mk.compare(x * 1e200, "all", gof=False),
        "compare all tiny": lambda: mk.compare(x * 1e-200, "all", n_boot=5, rng=0),
        "compare missing key": lambda: mk.compare(x, ["normal", "gamma"], gof=False)["weibull"],
        "compare unknown family": lambda: mk.compare(x, ["normal", "gama"], gof=False),
        "compare counts": lambda: mk.compare(np.round(x * 3), "all", gof=False),
    }.items():
        out["3b"].append((label, fn, None))
    by = np.arange(40) % 4
    for name in sorted(registry):
        fam = _fam(name)
        v = np.asarray(dist(name).sample(40, rng=5), float)
        out["3c"] += [
            (f"{name} by", lambda v=v, f=fam: mk.fit(v, f, by=by), None),
            (f"{name} by huge", lambda v=v, f=fam: mk.fit(v * 1e300, f, by=by), None),
            (f"{name} by missing key", lambda v=v, f=fam: mk.fit(v, f, by=by)["zz"], None),
            (f"{name} by 2-D", lambda v=v, f=fam: mk.fit(v, f, by=np.zeros((40, 2))), None),
            (f"{name} by weights 0", lambda v=v, f=fam: mk.fit(v, f, by=by, weights=(by > 0)),
             None),
        ]

    def line(x, mu, sigma):  # type: ignore[no-untyped-def]
        return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma)

    def rec(x, mu, sigma):  # type: ignore[no-untyped-def]
        return rec(x, mu, sigma)

    def writes(x, mu, sigma):  # type: ignore[no-untyped-def]
        x[:] = 0
        return line(x, mu, sigma)

    m = mk.model(sigma=mk.Positive)
    out["3d"] += [
        ("model ok", lambda: mk.fit(m(line), data={"x": x}), check_fit),
        ("model no data", lambda: mk.fit(m(line)), None),
        ("model empty", lambda: mk.fit(m(line), data=[]), None),
        ("model recursion", lambda: mk.fit(m(rec), data={"x": x}), None),
        ("model writes data", lambda: mk.fit(m(writes), data={"x": x}), None),
        ("model strings", lambda: mk.fit(m(line), data={"x": ["1", "2", "3"]}), None),
        ("Interval(5, 1)", lambda: mk.model(sigma=mk.Interval(5, 1)), None),
        ("Interval(nan, 1)", lambda: mk.Interval(math.nan, 1), None),
    ]
    df = pd.DataFrame({"t": rng.weibull(2, 60) + 0.1, "x1": rng.normal(size=60),
                       "y": rng.normal(size=60)})
    out["3e"] += [
        ("regress ok", lambda: mk.regress("y ~ x1", df), None),
        ("regress profile", lambda: mk.regress("y ~ x1", df).ci(method="profile"), None),
        ("regress zero counts", lambda: mk.regress("c ~ x1", df.assign(c=0.0), "poisson"), None),
        ("regress all censored", lambda: mk.regress("t ~ x1", df, "weibull",
                                                    observed=np.zeros(60, bool)), None),
        ("regress zero weights", lambda: mk.regress("y ~ x1", df, weights=np.zeros(60)), None),
        ("regress short observed", lambda: mk.regress("t ~ x1", df, "weibull",
                                                      observed=np.ones(3)), None),
        ("regress X str", lambda: mk.regress(y=df.y.values, X=np.array([["a", "b"]] * 60)), None),
    ]
    mix = np.concatenate([rng.normal(0, 1, 30), rng.normal(5, 1, 30)])
    out["3f"] += [
        ("mixture k=2", lambda: mk.fit_mixture(mix, "normal", k=2), None),
        ("mixture k=10**9", lambda: mk.fit_mixture(mix, "normal", k=10**9), None),
        ("mixture k=2.5", lambda: mk.fit_mixture(mix, "normal", k=2.5), None),
        ("mixture maxiter=0", lambda: mk.fit_mixture(mix, "normal", k=2, maxiter=0), None),
        ("mixture rng str", lambda: mk.fit_mixture(mix, "normal", k=2, rng="abc"), None),
        ("mixture range", lambda: mk.fit_mixture(mix[:12], "normal", k=range(1, 5)), None),
        ("mixture profile", lambda: mk.fit_mixture(mix, "normal", k=2).ci(method="profile"),
         None),
    ]
    r1 = mk.fit(x, "gamma")
    out["3g"] += [
        ("lr_test nested", lambda: mk.lr_test(mk.fit(x, "exponential"), r1), None),
        ("lr_test same", lambda: mk.lr_test(r1, r1), None),
        ("lr_test not a fit", lambda: mk.lr_test(r1, "x"), None),
        ("gof n_boot=0", lambda: mk.gof(r1, n_boot=0), None),
        ("gof n_boot str", lambda: mk.gof(r1, n_boot="9"), None),
        ("gof constant beta", lambda: mk.gof(mk.fit(np.full(10, 0.3), "beta"), n_boot=10,
                                             rng=0), None),
    ]
    return out


# ------------------------------------------------------------------------- 4. CLI
def cli_cases(tmp: Path) -> list[tuple[str, list[str], str | None]]:
    (tmp / "good.csv").write_text("x,obs\n" + "".join(f"{v:.4f},{i % 3 > 0:d}\n" for i, v in
                                                      enumerate(np.random.default_rng(0)
                                                                .gamma(2, 1, 30))))
    (tmp / "huge.csv").write_text("x\n1e308\n1.7e308\n1e300\n")
    (tmp / "tiny.csv").write_text("x\n1e-300\n2e-300\n3e-300\n")
    (tmp / "dup.csv").write_text("x,x\n1,2\n3,4\n5,6\n")
    (tmp / "empty.csv").write_text("")
    (tmp / "header.csv").write_text("x\n")
    (tmp / "text.csv").write_text("x\n1\nabc\n3\n")
    (tmp / "bin.csv").write_bytes(b"x\n\x00\x01\x02\n")
    (tmp / "neg.csv").write_text("x\n1.5\n-1.2\n2.0\n")
    (tmp / "semi.csv").write_text("x;y\n1;2\n3;4\n")
    (tmp / "wide.csv").write_text(",".join(f"c{i}" for i in range(200_000)) + "\n"
                                  + ",".join("1" for _ in range(200_000)) + "\n"
                                  + ",".join("3" for _ in range(200_000)) + "\n")
    g = "good.csv"
    return [
        ("fit", ["fit", g, "-c", "x", "-f", "weibull"], None),
        ("fit censored", ["fit", g, "-c", "x", "--observed", "obs", "-f", "weibull"], None),
        ("fit profile", ["fit", g, "-c", "x", "-f", "gamma", "--ci", "profile"], None),
        ("fit bootstrap", ["fit", g, "-c", "x", "-f", "gamma", "--ci", "bootstrap",
                           "--n-boot", "20"], None),
        ("fit json", ["fit", g, "-c", "x", "-f", "normal", "--format", "json"], None),
        ("fit fixed mu=1e300", ["fit", g, "-c", "x", "-f", "normal", "--fixed", "mu=1e300"], None),
        ("fit fixed sigma=1e-300", ["fit", g, "-c", "x", "-f", "normal", "--fixed",
                                    "sigma=1e-300"], None),
        ("fit huge", ["fit", "huge.csv", "-c", "x", "-f", "normal"], None),
        ("fit tiny weibull", ["fit", "tiny.csv", "-c", "x", "-f", "weibull"], None),
        ("fit dup header", ["fit", "dup.csv", "-c", "x", "-f", "normal"], None),
        ("fit empty", ["fit", "empty.csv", "-f", "normal"], None),
        ("fit header only", ["fit", "header.csv", "-f", "normal"], None),
        ("fit text", ["fit", "text.csv", "-c", "x", "-f", "normal"], None),
        ("fit binary", ["fit", "bin.csv", "-c", "x", "-f", "normal"], None),
        ("fit negative weibull", ["fit", "neg.csv", "-c", "x", "-f", "weibull"], None),
        ("fit semicolon", ["fit", "semi.csv", "-c", "x", "-f", "normal"], None),
        ("fit wide", ["fit", "wide.csv", "-c", "c5", "-f", "normal"], None),
        ("fit proc", ["fit", "/proc/self/status", "--input-format", "csv", "-f", "normal"], None),
        ("fit missing file", ["fit", "nosuch.csv", "-f", "normal"], None),
        ("fit no family", ["fit", g, "-c", "x"], None),
        ("fit bad family", ["fit", g, "-c", "x", "-f", "weibul"], None),
        ("fit bad level", ["fit", g, "-c", "x", "-f", "normal", "--level", "95"], None),
        ("fit stdin line", ["fit", "-", "-f", "normal"], "2.3 1.9 2.5\n"),
        ("fit stdin garbage", ["fit", "-", "-f", "normal"], "abc\n"),
        ("fit path traversal", ["fit", "mlekit:../../etc/passwd", "-f", "normal"], None),
        ("compare", ["compare", g, "-c", "x"], None),
        ("compare all", ["compare", g, "-c", "x", "--all"], None),
        ("compare huge", ["compare", "huge.csv", "-c", "x", "--all"], None),
        ("families", ["families"], None),
        ("explore bad port", ["explore", "--port", "99999"], None),
    ]


def run_cli(tmp: Path) -> Counter[str]:
    from mlekit.cli import main

    counts: Counter[str] = Counter()
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        for label, argv, stdin in cli_cases(tmp):
            out, err = io.StringIO(), io.StringIO()
            old_in = sys.stdin
            sys.stdin = io.StringIO(stdin or "")
            t0 = time.perf_counter()
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                        warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        code = main(argv)
                    except SystemExit as exc:
                        code = int(exc.code or 0)
            finally:
                sys.stdin = old_in
            dt = time.perf_counter() - t0
            text = out.getvalue()
            if dt > HANG_S:
                cls = "hang"
            elif code == 2:
                cls = "error" if len(err.getvalue().strip().splitlines()) == 1 else "crash"
            elif code == 0:
                low = text.lower().replace("aicc inf", "")   # AICc is inf when n <= k + 1
                cls = "wrong" if (" inf " in low or " nan " in low) else (
                    "flagged" if ("!" in text or "warning" in low or "·" in text) else "ok")
            else:
                cls = "crash"
            if cls in ("crash", "hang", "wrong"):
                DETAILS.append(f"[4] {cls} {label}: exit {code}; {err.getvalue().strip()[:200]}")
            counts[cls] += 1
    finally:
        os.chdir(cwd)
    return counts


# ------------------------------------------------------------------------- 5. web API
def run_web() -> Counter[str]:
    from fastapi.testclient import TestClient

    from mlekit.web import create_app

    counts: Counter[str] = Counter()
    reqs: list[tuple[str, str, dict[str, Any]]] = [
        ("fit ok", "/api/fit", {"json": {"values": [2.3, 1.9, 2.5, 2.8, 1.7], "family": "normal"}}),
        ("fit huge weibull", "/api/fit", {"json": {"values": [1e300, 2e300, 3e300],
                                                   "family": "weibull"}}),
        ("fit tiny normal", "/api/fit", {"json": {"values": [1e-300, 2e-300, 3e-300],
                                                  "family": "normal"}}),
        ("fit censored ties", "/api/fit", {"json": {"values": [1.0, 1.0], "observed": [1, 0],
                                                    "family": "weibull"}}),
        ("fit bad family", "/api/fit", {"json": {"values": [1.0, 2.0], "family": "nope"}}),
        ("fit no values", "/api/fit", {"json": {"family": "normal"}}),
        ("fit text values", "/api/fit", {"json": {"values": ["a", "b"], "family": "normal"}}),
        ("fit extra field", "/api/fit", {"json": {"values": [1.0, 2.0], "family": "normal",
                                                  "formula": "y ~ x"}}),
        ("fit malformed", "/api/fit", {"content": b"{not json"}),
        ("fit nested", "/api/fit", {"content": b"[" * 10000 + b"]" * 10000}),
        ("paste ok", "/api/datasets/paste", {"json": {"text": "2.3 1.9 2.5"}}),
        ("paste decimal commas", "/api/datasets/paste", {"json": {"text": "1,5 2,5 3,5"}}),
        ("paste empty", "/api/datasets/paste", {"json": {"text": ""}}),
        ("upload wide", "/api/datasets?filename=x.csv",
         {"content": (",".join(f"c{i}" for i in range(100_000)) + "\n"
                      + ",".join("1" for _ in range(100_000)) + "\n").encode()}),
        ("upload binary", "/api/datasets?filename=x.csv", {"content": b"\x00\x01\x02"}),
        ("upload empty", "/api/datasets?filename=x.csv", {"content": b""}),
        ("traversal", "/static/../../etc/passwd", {}),
        ("unknown dataset", "/api/datasets/nope", {}),
        ("job huge gof", "/api/jobs", {"json": {"values": [1e200, 2e200, 3e200, 5e200],
                                               "families": "all", "gof": True, "n_boot": 5}}),
    ]
    with TestClient(create_app(fit_workers=1, max_jobs=1)) as c:
        for label, url, kw in reqs:
            t0 = time.perf_counter()
            method = c.get if not kw else c.post
            r = method(url, **kw)
            if label.startswith("job") and r.status_code < 300:
                jid = r.json()["id"]
                for _ in range(400):
                    j = c.get(f"/api/jobs/{jid}").json()
                    if j.get("status") in ("done", "error", "cancelled"):
                        break
                    time.sleep(0.05)
                bad = j.get("status") == "error" and (j.get("error") or {}).get("type") == \
                    "InternalError"
                cls = "crash" if bad else "ok"
            elif r.status_code >= 500:
                cls = "crash"
            elif r.status_code >= 400:
                cls = "error" if r.headers.get("content-type", "").startswith(
                    "application/json") else "crash"
            else:
                cls = "ok"
            if time.perf_counter() - t0 > HANG_S:
                cls = "hang"
            if cls in ("crash", "hang"):
                DETAILS.append(f"[5] {cls} {label}: HTTP {r.status_code} {r.text[:200]}")
            counts[cls] += 1
    return counts


# ------------------------------------------------------------------------- the table
def tally(cat: str, cases: list[tuple[str, Callable[[], Any], Any]]) -> Counter[str]:
    return Counter(classify(cat, label, fn, check) for label, fn, check in cases)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--details", action="store_true", help="list every crash / hang / wrong")
    ap.add_argument("--fuzz", type=int, default=25, help="random data sets per family")
    args = ap.parse_args(argv)
    import tempfile

    fams = sorted(registry)
    rows: list[tuple[str, Counter[str]]] = []
    t0 = time.perf_counter()
    bad = [(f"{n} {k}", fn, chk) for n in fams for k, (fn, chk) in bad_inputs(n).items()]
    rows.append((f"1. Bad-input matrix, `mk.fit` x {len(fams)} families "
                 f"({len(bad_inputs('normal'))} input kinds)", tally("1", bad)))
    cont = [n for n in fams if not registry[n].discrete]
    rows.append((f"1b. Scale sweep x1e-320...1e300, {len(cont)} continuous families",
                 tally("1b", [c for n in cont for c in sweep(n)])))
    rows.append((f"2. Random data sets (n=1..300, censoring, intervals, weights, ties), "
                 f"{args.fuzz} per family", tally("2", [c for n in fams for c in fuzz(n, args.fuzz)])))
    ep = entry_points()
    names = {"3a": "3a. `ci`, `quantile`, `sf`, `cdf`, `hazard`, `derived`, `summary`, `gof` on "
                   f"{len(fams)} fits",
             "3b": "3b. `mk.compare`", "3c": "3c. grouped fits, `by=`",
             "3d": "3d. `mk.model` custom likelihoods", "3e": "3e. `mk.regress`",
             "3f": "3f. `mk.fit_mixture`", "3g": "3g. `mk.lr_test`, `mk.gof` misuse"}
    for k, title in names.items():
        rows.append((title, tally(k, ep[k])))
    with tempfile.TemporaryDirectory() as d:
        rows.append(("4. CLI `mlekit ...`", run_cli(Path(d))))
    rows.append(("5. Web API (in-process client)", run_web()))
    print("| category | inputs tried | clean MlekitError | result with warnings/diagnostics | "
          "crash | hang (>20 s) | silent wrong |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total: Counter[str] = Counter()
    for title, c in rows:
        total.update(c)
        print(f"| {title} | {sum(c.values()):,} | {c['error']:,} | {c['flagged']:,} | "
              f"{c['crash']} | {c['hang']} | {c['wrong']} |")
    print(f"| **total** | {sum(total.values()):,} | {total['error']:,} | {total['flagged']:,} | "
          f"{total['crash']} | {total['hang']} | {total['wrong']} |")
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    if args.details and DETAILS:
        print("\n" + "\n".join(DETAILS))
    return 1 if total["crash"] or total["hang"] or total["wrong"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
