"""``mlekit regress FILE FORMULA -f FAMILY``: text (the summary), JSON, CSV, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mlekit as mk
from mlekit.cli import main

pytest.importorskip("formulaic")
SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 150
    d = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(size=n),
                      "batch": rng.integers(0, 2, n), "g": rng.choice(["a", "b"], n)})
    d["y"] = rng.poisson(np.exp(0.4 + 0.5 * d.x1 - 0.6 * d.x2))
    T = np.exp(1.2 + 0.3 * d.x1) * rng.weibull(np.exp(0.2 + 0.3 * d.batch))
    C = rng.uniform(1.0, 9.0, n)
    d["t"] = np.minimum(T, C)
    d["status"] = np.where(T <= C, "observed", "censored")
    d["t0"] = np.where(np.arange(n) % 5 == 0, 0.2 * d["t"], 0.0)
    return d


@pytest.fixture()
def csv(frame: pd.DataFrame, tmp_path: Path) -> str:
    p = tmp_path / "d.csv"
    frame.to_csv(p, index=False)
    return str(p)


def test_text_is_the_summary(capsys: pytest.CaptureFixture[str], csv: str,
                             frame: pd.DataFrame) -> None:
    code, out, err = run(capsys, "regress", csv, "y ~ x1 + x2 + C(g)", "-f", "poisson")
    assert code == 0, err
    r = mk.regress("y ~ x1 + x2 + C(g)", frame, "poisson")
    assert out == str(r.summary()) + "\n"
    assert max(len(line) for line in out.splitlines()) <= 80


def test_json_is_header_and_tests(capsys: pytest.CaptureFixture[str], csv: str,
                                  frame: pd.DataFrame) -> None:
    code, out, err = run(capsys, "regress", csv, "t ~ x1", "-f", "weibull", "--observed",
                         "status", "--formula", "shape=~ batch", "--entry", "t0", "--format",
                         "json", "--level", "0.9")
    assert code == 0, err
    got = json.loads(out)
    d = frame.assign(status=(frame.status == "observed").astype(float))
    r = mk.regress("t ~ x1", d, "weibull", observed="status", formulas={"shape": "~ batch"},
                   entry="t0")
    t = r.tests(level=0.9)
    assert got["family"] == "weibull" and got["ci_level"] == 0.9
    assert got["loglik"] == pytest.approx(r.loglik, rel=1e-12)
    assert [c["name"] for c in got["coefficients"]] == list(t.index)
    for c in got["coefficients"]:
        for k in ("estimate", "se", "ci_low", "exp_ci_high"):
            v = t.loc[c["name"], k]
            assert (c[k] is None and np.isnan(v)) or c[k] == pytest.approx(v, rel=1e-9)
    assert got["lr_test"]["df"] == 2 and got["lr_test"]["p_value"] is not None
    assert "late entries" in got["data"] and "events" in got["data"]


def test_csv_profile(capsys: pytest.CaptureFixture[str], csv: str, frame: pd.DataFrame) -> None:
    code, out, err = run(capsys, "regress", csv, "y ~ x1", "-f", "poisson", "--ci", "profile",
                         "--format", "csv")
    assert code == 0, err
    from io import StringIO

    got = pd.read_csv(StringIO(out), index_col=0)
    prof = mk.regress("y ~ x1", frame, "poisson").ci(method="profile")
    assert got.loc["x1", "ci_low"] == pytest.approx(prof["x1"][0], rel=1e-9)
    assert got.loc["x1", "effect"] == "rate ratio"


@pytest.mark.parametrize(("argv", "needle"), [
    (["y ~ x1 + nope", "-f", "poisson"], "not in the data: nope"),
    (["y x1", "-f", "poisson"], "formula must be a string such as"),
    (["y ~ x1", "-f", "poison"], "unknown family 'poison'"),
    (["y ~ x1", "-f", "poisson", "--weights", "www"], "weights='www' is not a column"),
    (["t ~ x1", "-f", "weibull", "--formula", "shape~batch"], "--formula expects"),
    (["t ~ x1", "-f", "weibull", "--formula", "rate=~ batch"], "formulas names parameters"),
    (["y ~ x1", "-f", "poisson", "--level", "2"], "--level must lie"),
])
def test_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], csv: str,
                                    argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, "regress", csv, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mlekit: error: ") and needle in err


def test_missing_family_is_a_usage_error(capsys: pytest.CaptureFixture[str], csv: str) -> None:
    code, _, err = run(capsys, "regress", csv, "y ~ x1")
    assert code == 2 and "missing -f/--family" in err and "mlekit regress --help" in err


def test_regress_help_imports_no_heavy_modules() -> None:
    code = ("import sys; from mlekit.cli import main\n"
            "try:\n    main(['regress', '--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('numpy', 'scipy', 'pandas', 'pyarrow', 'matplotlib', 'rich', "
            "'formulaic') if m in sys.modules]\nprint(heavy, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": SRC})
    assert r.stderr.strip() == "[]"
    assert "--observed" in r.stdout and "--formula" in r.stdout


def test_summary_golden(capsys: pytest.CaptureFixture[str]) -> None:
    """The printed summary of a fixed data set, line for line (MLEKIT_UPDATE_GOLDEN=1 rewrites)."""
    golden = Path(__file__).resolve().parent / "golden" / "regress_defects_nb.txt"
    code, out, err = run(capsys, "regress", "mlekit:defects", "defects ~ C(shift)", "-f",
                         "negative_binomial")
    assert code == 0, err
    if os.environ.get("MLEKIT_UPDATE_GOLDEN") == "1" or not golden.exists():
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert max(len(line) for line in out.splitlines()) <= 80
