"""Command-line text output: numbers never cut, one format per column, no trailing padding."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlekit.cli import main

SRC = str(Path(__file__).resolve().parents[1] / "src")
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("MLEKIT_UPDATE_GOLDEN") == "1"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


def _no_cut(text: str) -> None:
    for line in text.splitlines():
        assert line == line.rstrip(), f"trailing spaces: {line!r}"
        assert not re.search(r"\d…|…\s*$", line), f"a number is cut: {line!r}"


COMPARE = ("compare", "mlekit:defects", "-c", "defects", "-q", "--seed", "0")


@pytest.mark.parametrize("width", [None, 80, 120])
def test_compare_never_cuts_numbers(capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch, width: int | None) -> None:
    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(width))
    code, out, err = run(capsys, *COMPARE)
    assert code == 0, err
    _no_cut(out)
    lines = out.splitlines()
    header = lines[1]
    for col in ("family", "k", "loglik", "AIC", "ΔAIC"):
        assert re.search(rf"(^|\s){re.escape(col)}(\s|$)", header), (col, header)
    if width is None:        # piped: every column, however wide
        assert "BIC" in header and "GOF p" in header and "converged" in header
    else:
        table = [ln for ln in lines if ln.startswith(" ")]
        assert max(len(ln) for ln in table) <= width
    if width == 80:
        assert "not shown at this width" in out
    golden(f"compare_defects_{width or 'piped'}.txt", out)


def test_compare_number_format_is_per_column(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    _, out, _ = run(capsys, *COMPARE)
    rows = [ln.split() for ln in out.splitlines()[3:6]]
    for j in (2, 3, 6):     # loglik, AIC, BIC: same decimals down the column
        decs = {len(r[j].split(".")[1]) if "." in r[j] else 0 for r in rows}
        assert len(decs) == 1, (j, rows)


def test_grouped_table_keeps_every_number(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, err = run(capsys, "fit", "mlekit:defects", "-c", "defects", "-f",
                         "negative_binomial", "--by", "machine", "-q")
    assert code == 0, err
    _no_cut(out)
    m07 = next(ln for ln in out.splitlines() if ln.lstrip().startswith("M07"))
    assert "boundary" in m07


def test_families_is_static_and_in_sync() -> None:
    from mlekit._families import families
    from mlekit.cli._families_table import FAMILIES

    assert families() == FAMILIES, "run: python tools/gen_families_table.py"


def test_families_does_not_import_numpy() -> None:
    code = ("import sys, io, contextlib; from mlekit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['families'])\n"
            "print('numpy' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": SRC}, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_progress_bar_fits_the_terminal_and_goes_away(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlekit._core.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", "40")
    tty = Tty()
    with Progress(99, "gof bootstrap (lomax) with a long label", stream=tty, delay=0.0) as bar:
        for _ in range(99):
            bar.update()
            bar._last = -1.0   # draw every step
    text = tty.getvalue()
    frames = [f for f in text.split("\r") if f.strip()]
    assert frames and all(len(f) < 40 for f in frames), frames[:3]
    assert "\n" not in text and text.endswith("\r")   # wiped: nothing lingers


def test_grouped_wald_never_below_zero_and_flags(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, err = run(capsys, "fit", "mlekit:defects", "-c", "defects", "-f",
                         "negative_binomial", "--by", "machine")
    assert code == 0, err
    m17 = next(ln for ln in out.splitlines() if ln.lstrip().startswith("M17"))
    lo = float(m17.split()[5])        # size's lower bound
    assert lo > 0 and m17.rstrip().endswith("ok (!)") and "*" in m17
    assert "prefer --ci profile" in out and "M01 (-0.83 … 8.10)" in out
    assert "! M07 (boundary): size" in out        # the flagged group and why
    assert ".flagged" not in out + err


def test_binomial_small_sample_counts_trials(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fit", "mlekit:ab_test", "-c", "conversions", "--trials",
                         "visitors", "-f", "binomial")
    assert code == 0, err
    assert "only 2 observations" not in out + err


@pytest.mark.parametrize(("argv", "expect"), [
    (["explore", "--port", "99999", "--no-browser"], "--port must be a number from 0 to 65535"),
    (["fit", "mlekit:lightbulbs", "-c", "hours"], "missing -f/--family"),
    (["fit", "mlekit:lightbulbs", "hours", "-f", "weibull"], "name the column with -c"),
])
def test_usage_errors_are_one_line(argv: list[str], expect: str) -> None:
    out = subprocess.run([sys.executable, "-m", "mlekit", *argv], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": SRC}, timeout=60)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], out.stderr


def test_busy_port_is_one_line_with_one_hint() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "mlekit", "explore", "--port", str(port),
                              "--no-browser"], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": SRC}, timeout=120)
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("Hint") == 1 and ".." not in out.stderr


def test_words_a_cli_user_understands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fit", "mlekit:ab_test", "-c", "conversions", "-f", "binomial")
    assert code == 2 and "--trials COL" in err and "mk." not in err
    code, _, err = run(capsys, "fit", "mlekit:five_points", "-f", "weibul")
    assert code == 2 and "'mlekit families'" in err and len(err) < 160
    code, _, err = run(capsys, "fit", "mlekit:five_points", "-f", "normal", "--derived", "meen")
    assert code == 2 and "Did you mean 'mean'?" in err and "dict" not in err
    code, out, _ = run(capsys, "demo", "--no-plots")
    assert "seed" not in out.lower()
    code, out, _ = run(capsys, "datasets")
    assert "seed" not in out.lower()


def test_stdin_numbers_on_one_line() -> None:
    out = subprocess.run([sys.executable, "-m", "mlekit", "fit", "-", "-f", "normal", "--format",
                          "json"], input="2.3 1.9 2.5 2.8 1.7\n", capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": SRC}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert '"n_obs": 5.0' in out.stdout
