"""Regressions from the command-line sweep (tools/sweep_cli.py): bad input gets one
``mlekit: error:`` line and exit code 2, never a traceback or exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlekit.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def csv(tmp_path: Path) -> Path:
    p = tmp_path / "d.csv"
    p.write_text("x,g\n" + "".join(f"{1 + i % 5},{'ab'[i % 2]}\n" for i in range(30)))
    return p


def _one_error(code: int, err: str) -> str:
    assert code == 2
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("mlekit: error:")]
    assert len(lines) == 1
    return lines[0]


def test_report_rejects_an_unknown_derived_name_before_writing(
        capsys: pytest.CaptureFixture[str], csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", str(csv), "-c", "x", "-f", "normal",
                       "--derived", "mean,medain", "-o", str(out))
    line = _one_error(code, err)
    assert "--derived must be one of mean, median, var, sd" in line
    assert "got 'medain'" in line and "Did you mean 'median'?" in line
    assert not out.exists()
    # the aliases the API accepts stay accepted
    code, _, err = run(capsys, "report", str(csv), "-c", "x", "-f", "normal", "-q",
                       "--derived", "std", "-o", str(out))
    assert code == 0, err
    assert out.exists()


def test_report_with_an_empty_family_is_an_error_not_a_comparison(
        capsys: pytest.CaptureFixture[str], csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", str(csv), "-c", "x", "-f", " ", "-o", str(out))
    line = _one_error(code, err)
    assert "-f/--family needs a family name" in line and "got an empty one" in line
    assert not out.exists()


def test_an_unknown_option_is_named_as_an_option(capsys: pytest.CaptureFixture[str],
                                                  csv: Path) -> None:
    code, _, err = run(capsys, "fit", str(csv), "-c", "x", "-f", "normal", "--levle", "0.9")
    line = _one_error(code, err)
    assert "--levle is not an option of this command (the closest is --level)" in line
    assert "positional" not in line  # the column hint is for a stray word, not an option
    assert "See 'mlekit fit --help'" in line
    code, _, err = run(capsys, "compare", str(csv), "-c", "x", "--bogus")
    line = _one_error(code, err)
    assert "--bogus is not an option of this command." in line
    assert "See 'mlekit compare --help'" in line
    # a stray word keeps the column hint
    code, _, err = run(capsys, "fit", str(csv), "x", "-f", "normal")
    assert "name the column with -c (e.g. mlekit fit data.csv -c x)" in _one_error(code, err)


def test_usage_errors_name_the_command_of_main_argv_not_sys_argv(
        capsys: pytest.CaptureFixture[str], csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["pytest", "datasets"])
    code, _, err = run(capsys, "compare", str(csv), "-c", "x", "--bogus")
    assert "See 'mlekit compare --help'" in _one_error(code, err)


def test_a_very_wide_file_lists_a_bounded_number_of_columns(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    k = 3000
    wide.write_text(",".join(f"c{i}" for i in range(k)) + "\n"
                    + ",".join(str(i + 1) for i in range(k)) + "\n")
    code, _, err = run(capsys, "fit", str(wide), "-f", "normal")
    line = _one_error(code, err)
    assert "c19, ... (2980 more, 3000 in all)" in line and "c20," not in line
    assert len(line) < 600
    code, _, err = run(capsys, "fit", str(wide), "-c", "nope", "-f", "normal")
    line = _one_error(code, err)
    assert "available columns: c0, c1" in line and "(2980 more, 3000 in all)" in line


def test_error_lines_carry_no_terminal_escapes(capsys: pytest.CaptureFixture[str],
                                               csv: Path) -> None:
    code, _, err = run(capsys, "regress", str(csv), "x ~ (g", "-f", "normal")
    line = _one_error(code, err)
    assert "could not be evaluated" in line
    assert "\x1b" not in err


def test_a_binary_file_error_quotes_no_raw_control_bytes(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    binary = tmp_path / "b.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    code, _, err = run(capsys, "fit", str(binary), "-f", "normal")
    line = _one_error(code, err)
    assert "could not read" in line and "--input-format" in line
    assert all(c.isprintable() for c in line)


@pytest.mark.parametrize("cmd", [["fit", "-f", "weibull", "--ci", "bootstrap"],
                                 ["compare", "--families", "weibull,gamma"],
                                 ["report", "-f", "weibull", "-o", "{out}"]])
def test_a_negative_seed_is_named_as_the_option(capsys: pytest.CaptureFixture[str], csv: Path,
                                                 tmp_path: Path, cmd: list[str]) -> None:
    out = tmp_path / "report.html"
    rest = [a.format(out=out) for a in cmd[1:]]
    code, _, err = run(capsys, cmd[0], str(csv), "-c", "x", *rest, "--seed", "-1")
    line = _one_error(code, err)
    assert "--seed must be a non-negative integer; got -1" in line and "rng" not in line
    assert not out.exists()


@pytest.mark.parametrize("argv,kind,words", [
    (["fit", "{missing}", "-f", "normal", "--format", "json"], "DataError", "file not found"),
    (["fit", "{csv}", "-c", "g", "-f", "normal", "--format", "json"], "DataError",
     "must be numeric"),
    (["compare", "{csv}", "-c", "x", "--families", "normal,nosuch", "--format", "json"],
     "FamilyError", "nosuch"),
])
def test_json_format_reports_the_error_as_json(capsys: pytest.CaptureFixture[str], csv: Path,
                                               tmp_path: Path, argv: list[str], kind: str,
                                               words: str) -> None:
    """A script reading ``--format json`` gets the error as a JSON object on stdout (and the
    usual line on stderr), not an empty document."""
    import json

    args = [a.format(csv=csv, missing=tmp_path / "none.csv") for a in argv]
    code, out, err = run(capsys, *args)
    line = _one_error(code, err)
    doc = json.loads(out)
    assert doc["error"]["type"] == kind and doc["error"]["exit_code"] == 2
    assert words in doc["error"]["message"]
    assert line == "mlekit: error: " + doc["error"]["message"]


def test_text_format_keeps_stdout_empty_on_error(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    code, out, err = run(capsys, "fit", str(tmp_path / "none.csv"), "-f", "normal")
    _one_error(code, err)
    assert out == ""
