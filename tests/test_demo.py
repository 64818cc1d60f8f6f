"""``mlekit demo``: every example runs on built-in data, writes its plots and reads plainly."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy.stats import chi2

from mlekit.cli import main
from mlekit.cli.demo import EXAMPLES, run_example


@pytest.fixture(scope="module")
def outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


def test_ab_test_reading(outdir: Path) -> None:
    ex = run_example("ab-test", str(outdir))
    assert ex.reading == "The conversion rate of B is 1.3 points higher, 95% CI 0.4–2.2, LRT p = 0.004"
    # independent check: the two-sample LRT for binomial rates, by hand
    def ll(k: int, n: int, p: float) -> float:
        return k * math.log(p) + (n - k) * math.log(1 - p)
    g = 2 * (ll(920, 9200, 0.1) + ll(1040, 9200, 1040 / 9200) - ll(920, 9200, 1960 / 18400)
             - ll(1040, 9200, 1960 / 18400))
    assert ex.numbers["lrt"] == pytest.approx(g, rel=1e-9)
    assert ex.numbers["p_value"] == pytest.approx(chi2.sf(g, 1), rel=1e-9)
    assert Path(ex.plots[0]).exists()


def test_coin_reading(outdir: Path) -> None:
    ex = run_example("coin", str(outdir))
    assert ex.numbers["p"] == pytest.approx(0.7)
    stat, _ = ex.numbers["lrt_fair"]
    assert stat == pytest.approx(2 * (7 * math.log(0.7) + 3 * math.log(0.3) - 10 * math.log(0.5)))
    assert "70%" in ex.reading and "fair coin is not ruled out" in ex.reading


def test_five_points_matches_the_seed() -> None:
    ex = run_example("five-points", None)
    assert f"{ex.numbers['mu']:.2f}" == "2.24" and f"{ex.numbers['sigma']:.2f}" == "0.40"
    lo, hi = ex.numbers["ci_sigma"]
    assert lo < 0.398 < hi and hi > 2 * 0.398     # honest about five points


def test_lightbulbs_reading() -> None:
    ex = run_example("lightbulbs", None)
    assert ex.numbers["best"] == "weibull"
    est, lo, hi = ex.numbers["b10"]
    assert lo < est < hi
    assert "wear out" in ex.reading


def test_demo_command_writes_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--out", str(tmp_path / "plots")])
    out = capsys.readouterr().out
    assert code == 0
    for ex in EXAMPLES:
        assert any(p.name.startswith(ex.replace("-", "_")) for p in (tmp_path / "plots").iterdir()), ex
    assert "The conversion rate of B is 1.3 points higher" in out
    assert "mean mu = 2.24" in out
    assert out.count("reading") == len(EXAMPLES)


def test_demo_one_example_without_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "coin", "--no-plots", "--out", str(tmp_path / "x")])
    assert code == 0
    assert not (tmp_path / "x").exists()
    assert "7/10" in capsys.readouterr().out
