"""mk.extremes: block maxima, exceedances with runs declustering, peaks over threshold,
threshold-choice diagnostics."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mlekit as mk


@pytest.fixture(scope="module")
def daily() -> pd.Series:
    rng = np.random.default_rng(3)
    idx = pd.date_range("1980-01-01", "2019-12-31", freq="D")
    return pd.Series(rng.gumbel(10, 3, idx.size), index=idx, name="level")


def test_block_maxima(daily: pd.Series) -> None:
    bm = mk.extremes.block_maxima(daily, "year")
    assert bm.size == 40 and bm.iloc[0] == daily["1980"].max()
    assert mk.extremes.block_maxima(daily, "month").size == 480
    with pytest.raises(mk.DataError, match="DatetimeIndex"):
        mk.extremes.block_maxima(daily.to_numpy(), "year")
    with pytest.raises(mk.ParameterError, match="block"):
        mk.extremes.block_maxima(daily, "fortnightish")


def test_exceedances_and_runs_declustering() -> None:
    s = pd.Series([0, 5, 6, 0, 0, 0, 7, 0, 8, 0, 0, 0, 0, 9], dtype=float)
    plain = mk.extremes.exceedances(s, threshold=4)
    assert plain.tolist() == [1, 2, 3, 4, 5]
    runs = mk.extremes.exceedances(s, threshold=4, decluster="runs", run_length=3)
    # clusters: {5, 6}, {7, 8} (one value between), {9}
    assert runs.tolist() == [2, 4, 5] and runs.index.tolist() == [2, 8, 13]
    assert mk.extremes.exceedances(s, threshold=4, decluster="runs", run_length=1).tolist() == \
        [2, 3, 4, 5]
    with pytest.raises(mk.DataError, match="no value exceeds"):
        mk.extremes.exceedances(s, threshold=100)


def test_fit_pot_return_levels(daily: pd.Series) -> None:
    pot = mk.extremes.fit_pot(daily, threshold=25)
    assert pot.n_blocks == 40 and pot.rate == pytest.approx(pot.n_exceedances / 40)
    assert pot.gpd.family == "genpareto"
    d = pot.return_level(100)
    p = pot.gpd.params
    lam_T = pot.rate * 100
    expect = 25 + p["scale"] * (lam_T ** p["shape"] - 1) / p["shape"]
    assert d.estimate == pytest.approx(expect, rel=1e-12)
    assert d.ci[0] < d.estimate < d.ci[1] and d.method == "profile"
    delta = pot.return_level([10, 100], method="delta")
    assert delta.estimate[1] == pytest.approx(expect) and delta.se[1] > 0
    assert pot.return_period(d.estimate).estimate == pytest.approx(100.0, rel=1e-9)
    # per block: the GEV fitted to the annual maxima gives a comparable 100-year level
    gev = mk.fit(mk.extremes.block_maxima(daily, "year"), "gev")
    assert abs(gev.return_level(100, method="delta").estimate - expect) < 3 * d.se + 3 * \
        gev.return_level(100, method="delta").se
    assert "rate" in str(pot) and "POTResult" in repr(pot) and pot.to_dict()["n_blocks"] == 40


def test_fit_pot_needs_the_number_of_blocks() -> None:
    x = np.random.default_rng(1).exponential(1.0, 500)
    with pytest.raises(mk.DataError, match="n_blocks"):
        mk.extremes.fit_pot(x, threshold=2.0)
    pot = mk.extremes.fit_pot(x, threshold=2.0, n_blocks=10)
    assert pot.rate == pytest.approx(pot.n_exceedances / 10)


def test_threshold_diagnostics(daily: pd.Series) -> None:
    mrl = mk.extremes.mean_residual_life(daily)
    assert list(mrl.columns) == ["threshold", "n", "mean_excess", "lower", "upper"]
    assert (mrl["lower"] <= mrl["mean_excess"]).all() and (mrl["n"] >= 5).all()
    ts = mk.extremes.threshold_stability(daily, [20, 22, 24])
    assert ts.shape[0] == 3 and (ts["shape_lower"] < ts["shape"]).all()
    assert (ts["modified_scale_lower"] < ts["modified_scale_upper"]).all()
    # Gumbel data: the shape is ~0 at high thresholds
    assert abs(ts["shape"].iloc[-1]) < 3 * (ts["shape_upper"].iloc[-1] - ts["shape"].iloc[-1])


def test_mk_extremes_is_public() -> None:
    assert "extremes" in mk.__all__ and mk.extremes.fit_pot is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isfinite(mk.extremes.mean_residual_life([1.0, 2.0, 3.0, 5.0, 8.0],
                                                            [1.0]).mean_excess[0])


def test_extreme_value_plots(daily: pd.Series) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gev = mk.fit(mk.extremes.block_maxima(daily), "gev")
    fig = gev.plot()
    titles = [a.get_title() for a in fig.axes]
    assert any("Return levels" in t for t in titles) and any("P–P" in t for t in titles)
    ax = mk.plot.return_levels(mk.extremes.fit_pot(daily, threshold=25), method="delta")
    assert ax.get_xscale() == "log" and ax.lines
    assert mk.plot.mean_residual_life(daily).lines
    assert len(mk.plot.threshold_stability(daily, [20, 22, 24])) == 2
    plt.close("all")


def test_cli_return_level(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from mlekit.cli import main

    x = mk.GEV(loc=10, scale=2, shape=0.1).sample(60, rng=1)
    path = tmp_path / "maxima.csv"
    path.write_text("level\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    assert main(["fit", str(path), "-c", "level", "-f", "gev", "--return-level", "100"]) == 0
    out = capsys.readouterr().out
    assert "return_level(100)" in out and "profile" in out
    assert main(["fit", str(path), "-c", "level", "-f", "gev", "--return-level", "100",
                 "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    rl = next(r for r in d["derived"] if r["kind"] == "return_level")
    ref = mk.fit(x, "gev").return_level(100)
    assert rl["estimate"] == pytest.approx(ref.estimate) and rl["ci"][1] == pytest.approx(ref.ci[1])


@pytest.mark.parametrize("call", ["return_level", "return_period"])
def test_non_numeric_return_periods_and_levels_get_a_named_error(call: str) -> None:
    res = mk.fit(np.random.default_rng(3).gumbel(10.0, 2.0, 60), "gev")
    with pytest.raises(mk.ParameterError, match=r"(return periods T must be numbers > 1|"
                                                r"return_period takes a number).*got 'a'"):
        getattr(res, call)("a")
    assert math.isfinite(float(np.asarray(getattr(res, call)(20.0).estimate)))
