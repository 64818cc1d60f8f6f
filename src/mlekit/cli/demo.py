"""``mlekit demo``: the worked examples on the built-in data, with a plot and a reading each.

Each example returns an :class:`Example` (its numbers, plain-language reading and plot files),
so the demo, the examples folder and the tests share one implementation.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EXAMPLES", "Example", "run_demo", "run_example"]


@dataclass
class Example:
    name: str
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)   # (label, text)
    reading: str = ""
    numbers: dict[str, Any] = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- helpers
def _mk() -> Any:
    import mlekit

    return mlekit


def _profile_ci(res: Any, name: str, level: float = 0.95) -> tuple[float, float]:
    """Profile-likelihood interval of one parameter."""
    return res.ci(level=level, method="profile")[name]


def _quantity(res: Any, kind: str, arg: float, level: float = 0.95) -> tuple[float, float, float]:
    """(estimate, lo, hi) of ``res.quantile(q)`` or ``res.sf(t)`` (delta method)."""
    d = getattr(res, kind)(arg, level=level)
    return float(d.estimate), float(d.ci[0]), float(d.ci[1])


def _lrt_fixed(res: Any, fixed: dict[str, float]) -> tuple[float, float]:
    """LR statistic and p-value of ``fixed`` against the fit."""
    t = _mk().lr_test(res, fixed=fixed)
    return float(t.statistic), float(t.p_value)


def _rank(data: Any, families: list[str]) -> list[Any]:
    """Fits of several families, best AIC first."""
    cmp = _mk().compare(data, families, gof=False)
    return sorted(cmp.fits.values(), key=lambda r: r.aic)


def _pct(v: float, digits: int = 1) -> str:
    return f"{100 * v:.{digits}f}"


def _save(fig: Any, out: str | None, fname: str, ex: Example) -> None:
    import matplotlib.pyplot as plt

    if out is not None:
        path = os.path.join(out, fname)
        fig.savefig(path, dpi=100, bbox_inches="tight")
        ex.plots.append(path)
    plt.close(fig)


def _plot(ex: Example, out: str | None, fname: str, draw: Callable[[Any], Any],
          size: tuple[float, float] = (6.0, 4.0)) -> None:
    """One plot of an example: ``draw(ax)`` on a new figure, saved in ``out`` as ``fname``
    (without ``out``: nothing is drawn)."""
    if out is None:
        return
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size, layout="constrained")
    draw(ax)
    _save(fig, out, fname, ex)


# ---------------------------------------------------------------------------- examples
def coin(out: str | None) -> Example:
    mk = _mk()
    ex = Example("coin", "A weighted coin: 7 heads in 10 flips")
    flips = mk.datasets.coin()
    res = mk.fit(flips, "bernoulli")
    p = res.params["p"]
    lo, hi = _profile_ci(res, "p")
    stat, pval = _lrt_fixed(res, {"p": 0.5})
    ex.numbers = {"p": p, "ci": (lo, hi), "lrt_fair": (stat, pval)}
    ex.lines = [("model", "Bernoulli(p): each flip is heads with probability p"),
                ("estimate", f"p = {p:.2f} (= 7/10), 95% profile CI {lo:.2f}–{hi:.2f}"),
                ("test", f"fair coin p = 0.5: LR = {stat:.2f}, p-value {pval:.2f}")]
    ex.reading = (f"The most likely chance of heads is {p:.0%}, but ten flips are few: anything "
                  f"from {lo:.0%} to {hi:.0%} fits, and a fair coin is not ruled out "
                  f"(p = {pval:.2f}).")
    _plot(ex, out, "coin_loglik.png", lambda ax: mk.plot.loglik(res, "p", ax))
    return ex


def five_points(out: str | None) -> Example:
    mk = _mk()
    ex = Example("five_points", "Five points: a normal fit with little data")
    x = mk.datasets.five_points()
    res = mk.fit(x, "normal")
    mu, sigma = res.params["mu"], res.params["sigma"]
    slo, shi = _profile_ci(res, "sigma")
    mlo, mhi = _profile_ci(res, "mu")
    unbiased = float(x.std(ddof=1))
    ex.numbers = {"mu": mu, "sigma": sigma, "ci_mu": (mlo, mhi), "ci_sigma": (slo, shi)}
    ex.lines = [("model", "Normal(mu, sigma) for [2.3, 1.9, 2.5, 2.8, 1.7]"),
                ("estimate", f"mean mu = {mu:.2f}, standard deviation sigma = {sigma:.2f} (what "
                 "minimising the negative log-likelihood with scipy gives too)"),
                ("interval", f"mu {mlo:.2f}–{mhi:.2f}, sigma {slo:.2f}–{shi:.2f} "
                 "(95% profile likelihood)")]
    ex.reading = (f"The centre is about {mu:.2f}, but with five points the spread is uncertain: "
                  f"sigma could be anywhere from {slo:.2f} to {shi:.2f}, and the MLE {sigma:.2f} "
                  f"divides by n, so it runs low (the n−1 estimate is {unbiased:.2f}).")

    def draw(ax: Any) -> None:
        mk.plot.contour(res, "mu", "sigma", ax)
        ax.scatter(x, [ax.get_ylim()[0]] * len(x), marker="|", s=200, color="k", clip_on=False)

    _plot(ex, out, "five_points_contour.png", draw, (5.5, 4.5))
    return ex


def gaussian(out: str | None) -> Example:
    mk = _mk()
    ex = Example("gaussian", "A simulated normal sample: 100 draws with mean 5 and sd 2")
    x = mk.datasets.gaussian()
    res = mk.fit(x, "normal")
    mu, sigma = res.params["mu"], res.params["sigma"]
    ci = res.ci()
    ex.numbers = {"mu": mu, "sigma": sigma, "ci": ci}
    ex.lines = [("model", "Normal(mu, sigma); the truth is mu = 5, sigma = 2"),
                ("estimate", f"mu = {mu:.3f} (SE {res.se['mu']:.3f}), sigma = {sigma:.3f} "
                 f"(SE {res.se['sigma']:.3f})"),
                ("interval", f"mu {ci['mu'][0]:.2f}–{ci['mu'][1]:.2f}, sigma "
                 f"{ci['sigma'][0]:.2f}–{ci['sigma'][1]:.2f} (95% Wald)")]
    covered = ci["mu"][0] < 5 < ci["mu"][1] and ci["sigma"][0] < 2 < ci["sigma"][1]
    ex.reading = (f"From 100 draws the fit recovers the rules that made them: centre {mu:.2f} and "
                  f"spread {sigma:.2f}, with intervals that "
                  + ("cover the true 5 and 2." if covered else "miss the truth this time."))
    _plot(ex, out, "gaussian_density.png", lambda ax: mk.plot.density(res, ax, bins=20))
    return ex


def defects(out: str | None) -> Example:
    mk = _mk()
    ex = Example("defects", "Defects per machine and shift: Poisson or negative binomial?")
    df = mk.datasets.defects()
    counts = df["defects"].to_numpy()
    fits = _rank(mk.Data(counts, name="defects per machine-shift"), ["poisson", "negative_binomial"])
    best, other = fits[0], fits[1]
    nb = next(f for f in fits if f.family == "negative_binomial")
    daic = other.aic - best.aic
    mean = nb.params["mean"]
    mlo, mhi = nb.ci()["mean"]
    ex.numbers = {"best": best.family, "delta_aic": daic, "mean": mean, "size": nb.params["size"],
                  "var": float(counts.var()), "avg": float(counts.mean())}
    ex.lines = [("data", f"{len(counts)} machine-shifts; mean {counts.mean():.2f}, variance "
                 f"{counts.var():.2f}"),
                ("compare", ", ".join(f"{f.family} AIC {f.aic:.1f}" for f in fits)),
                ("estimate", f"negative binomial mean {mean:.2f} defects (95% CI {mlo:.2f}–{mhi:.2f}), "
                 f"size {nb.params['size']:.2f}")]
    ex.reading = (f"Defect counts vary more than a Poisson allows (variance {counts.var():.1f} vs mean "
                  f"{counts.mean():.1f}): the {best.family.replace('_', ' ')} wins by ΔAIC = "
                  f"{daic:.0f}, so some shifts are truly worse than others.")
    pois = next(f for f in fits if f.family == "poisson")
    t = mk.lr_test(pois, nb)   # Poisson is the boundary size = inf: chi-bar-square
    ex.numbers["lrt"] = (float(t.statistic), float(t.p_value))
    ex.lines.append(("test", f"Poisson within negative binomial: LR = {t.statistic:.1f}, "
                     f"p = {t.p_value:.1g} (boundary case, chi-bar-square)"))
    g = mk.fit(counts, "poisson", by=df["machine"])    # one rate per machine, in one call
    rates = g.params["rate"]
    ex.numbers["by_machine"] = (rates.idxmax(), float(rates.max()), rates.idxmin(), float(rates.min()))
    ex.lines.append(("by machine", f"{len(rates)} Poisson rates in one call: from "
                     f"{rates.min():.2f} ({rates.idxmin()}) to {rates.max():.2f} ({rates.idxmax()}) "
                     "defects per shift"))
    _plot(ex, out, "defects_compare.png", lambda ax: mk.plot.compare(fits, ax, kind="density"),
          (7, 4.5))
    return ex


def _lift_model() -> Any:
    """One visitor's conversion, with parameters A's rate and B's lift over it."""
    import numpy as np

    mk = _mk()

    @mk.model(p_a=mk.UnitInterval, lift=mk.Interval(-1.0, 1.0))
    def ab(converted: Any, is_b: Any, p_a: float, lift: float) -> Any:
        p = p_a + lift * is_b
        return converted * np.log(p) + (1 - converted) * np.log1p(-p)

    return ab


def ab_visitors(df: Any) -> tuple[dict[str, Any], Any]:
    """The A/B table as four weighted rows: (converted, is_b) with the number of visitors."""
    import numpy as np

    conv, vis = df["conversions"].to_numpy(float), df["visitors"].to_numpy(float)
    is_b = (df["variant"] == "B").to_numpy(float)
    data = {"converted": np.repeat([[1.0, 0.0]], len(df), axis=0).ravel(),
            "is_b": np.repeat(is_b, 2)}
    weights = np.column_stack([conv, vis - conv]).ravel()
    return data, weights


def ab_test(out: str | None) -> Example:
    mk = _mk()
    ex = Example("ab_test", "An A/B test: is button B's conversion rate higher?")
    df = mk.datasets.ab_test()
    fits = {}
    for _, row in df.iterrows():
        conv, vis = int(row["conversions"]), int(row["visitors"])
        fits[row["variant"]] = mk.fit(mk.Data([1, 0], weights=[conv, vis - conv]), "bernoulli")
    model = _lift_model()
    data, w = ab_visitors(df)
    full = mk.fit(model, data=data, weights=w)                        # A's rate, and B's lift
    same = mk.fit(model, data=data, weights=w, fixed={"lift": 0.0})  # one rate for both
    lift = full.params["lift"]
    lo, hi = full.ci(method="profile")["lift"]
    t = mk.lr_test(same, full)
    a, b = fits["A"], fits["B"]
    ex.numbers = {"pA": a.params["p"], "pB": b.params["p"], "lift": lift, "ci": (lo, hi),
                  "lrt": float(t.statistic), "p_value": float(t.p_value)}
    ex.lines = [("data", "; ".join(f"{r.variant}: {r.conversions} of {r.visitors} converted"
                                   for r in df.itertuples())),
                ("estimate", f"A {_pct(a.params['p'])}%, B {_pct(b.params['p'])}%; lift "
                 f"{_pct(lift, 2)} points (SE {_pct(full.se['lift'], 2)}), 95% profile CI "
                 f"{_pct(lo, 2)}–{_pct(hi, 2)}"),
                ("test", f"one rate for both (lift = 0) vs one each: LR = {t.statistic:.2f}, "
                 f"df = {t.df:g}, p = {t.p_value:.3f}")]
    ex.reading = (f"The conversion rate of B is {_pct(lift)} points higher, 95% CI "
                  f"{_pct(lo)}–{_pct(hi)}, LRT p = {t.p_value:.3f}")
    if out is not None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
        for ax, (v, r) in zip(axes[:2], fits.items()):
            mk.plot.profile(r, "p", ax)
            ax.set_title(f"variant {v}: conversion rate")
        mk.plot.profile(full, "lift", axes[2])
        axes[2].set_title("B's lift over A")
        _save(fig, out, "ab_test_profiles.png", ex)
    return ex


def lightbulbs(out: str | None) -> Example:
    mk = _mk()
    ex = Example("lightbulbs", "Lightbulb lifetimes, some still burning (right-censored)")
    data = mk.datasets.lightbulbs(as_data=True)
    fits = _rank(data, ["exponential", "weibull", "lognormal", "gamma"])
    wb = next(f for f in fits if f.family == "weibull")
    expo = next(f for f in fits if f.family == "exponential")
    shape, scale = wb.params["shape"], wb.params["scale"]
    slo, shi = _profile_ci(wb, "shape")
    b10 = _quantity(wb, "quantile", 0.10)
    s1000 = _quantity(wb, "sf", 1000.0)
    ex.numbers = {"best": fits[0].family, "shape": shape, "scale": scale, "shape_ci": (slo, shi),
                  "b10": b10, "s1000": s1000, "delta_aic_exp": expo.aic - wb.aic}
    ex.lines = [("data", f"{data.n_rows} bulbs, {data.count('right'):g} still burning"),
                ("compare", ", ".join(f"{f.family} AIC {f.aic:.1f}" for f in fits)),
                ("estimate", f"Weibull shape {shape:.2f} (95% profile CI {slo:.2f}–{shi:.2f}), "
                 f"scale {scale:.0f} h"),
                ("derived", f"B10 life {b10[0]:.0f} h ({b10[1]:.0f}–{b10[2]:.0f}); S(1000 h) = "
                 f"{s1000[0]:.2f} ({s1000[1]:.2f}–{s1000[2]:.2f})")]
    ex.reading = (f"Bulbs wear out (shape {shape:.1f} > 1: the failure rate rises with age, so an "
                  f"exponential fits worse by ΔAIC = {expo.aic - wb.aic:.0f}); 10% have failed by "
                  f"{b10[0]:.0f} h and {s1000[0]:.0%} still burn at 1000 h.")
    if out is not None:
        _save(wb.plot(), out, "lightbulbs_panel.png", ex)
    _plot(ex, out, "lightbulbs_survival.png", lambda ax: mk.plot.survival(wb, ax))
    return ex


EXAMPLES: dict[str, Callable[[str | None], Example]] = {
    "coin": coin, "five_points": five_points, "gaussian": gaussian, "defects": defects,
    "ab_test": ab_test, "lightbulbs": lightbulbs,
}


def run_example(name: str, out: str | None = None) -> Example:
    key = name.strip().lower().replace("-", "_")   # five-points works too
    if key not in EXAMPLES:
        from ..errors import ParameterError

        raise ParameterError(f"demo name must be one of {', '.join(EXAMPLES)}; got {name!r}.")
    if out is not None:
        import matplotlib

        matplotlib.use("Agg")
        os.makedirs(out, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo's data are known; diagnostics are in the text
        return EXAMPLES[key](out)


def run_demo(name: str | None = None, *, out: str | None = "mlekit-demo", quiet: bool = False,
             console: Any = None) -> int:
    """Run one example (``name``) or all, print what they found, write plots to ``out``."""
    if console is None:
        from ._common import console as make_console

        console = make_console()
    from rich.table import Table

    names = [name] if name else list(EXAMPLES)
    if out is not None:
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as exc:
            from ..errors import DataError

            raise DataError(f"--out must be a folder mlekit can create; got {out!r} ({exc}).") from None
    t0 = time.perf_counter()
    for i, n in enumerate(names, 1):
        ex = run_example(n, out)
        console.rule(f"[bold]{i}. {ex.title}[/bold]" if len(names) > 1 else f"[bold]{ex.title}[/bold]",
                     align="left")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=11, no_wrap=True)
        grid.add_column()
        for label, text in ex.lines:
            grid.add_row(f" {label}", text)
        grid.add_row(" [bold]reading[/bold]", f"[bold]{ex.reading}[/bold]")
        for p in ex.plots:
            grid.add_row(" plot", p)
        console.print(grid, highlight=False)
    if not quiet:
        console.print(f"\n{len(names)} example{'s' if len(names) > 1 else ''} in "
                      f"{time.perf_counter() - t0:.1f} s"
                      + (f"; plots in {os.path.abspath(out)}" if out else "")
                      + ". Next: 'mlekit datasets' lists the data (use them as mlekit:NAME), "
                      "'mlekit fit --help' shows how to fit your own file, 'mlekit explore' "
                      "opens the interactive explorer.",
                      highlight=False)
    return 0
