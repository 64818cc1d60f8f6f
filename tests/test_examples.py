"""Every script in examples/ runs cleanly and prints what its use case promises."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

EXPECT = {
    "coin.py": ["MLE of p: 0.70", "coin_loglik.png"],
    "five_points.py": ["MLE Derived Mean: 2.24", "MLE Derived Std Dev: 0.40",
                       "mlekit:           mu = 2.24, sigma = 0.40"],
    "gaussian.py": ["estimated mean 4.7923 (true 5.0), estimated sd 1.8072 (true 2.0)"],
    "defects.py": ["the negative binomial is better by ΔAIC"],
    "ab_test.py": ["the conversion rate of B is 1.3 points higher, 95% CI 0.4–2.2, LRT p = 0.004"],
    "few_data.py": ["10 of 10  Firth                   0.955      0.730 … 1.000",
                    "Firth says p = 0.955 = 10.5/11 (SE 0.066)", "few_data_firth.png"],
    "lightbulbs.py": ["shape 2.20 > 1", "B10 life (10% failed): 518 h"],
    "extreme_values.py": ["60 annual maxima", "100-year level: 9.86 m, 95% profile CI 8.74-13.02 m"],
    "peaks_over_threshold.py": ["445 cluster peaks above 4.5 m",
                                "POT 100-year level: 9.45 m, 95% profile CI 8.68-10.91 m"],
}


def test_every_example_is_checked() -> None:
    assert {p.name for p in EXAMPLES} == set(EXPECT)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (warnings are errors here), as ``python examples/X.py OUT``."""
    import matplotlib.pyplot as plt

    monkeypatch.setattr(sys, "argv", [str(script), str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        plt.close("all")
    out = capsys.readouterr().out
    for needle in EXPECT[script.name]:
        assert needle in out, f"{needle!r} not in the output of {script.name}"
    pngs = list(tmp_path.glob("*.png"))
    assert pngs and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_an_example_as_a_script(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    r = subprocess.run([sys.executable, "-W", "error", str(ROOT / "examples" / "coin.py"),
                        str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "MLE of p: 0.70" in r.stdout and (tmp_path / "coin_loglik.png").exists()
