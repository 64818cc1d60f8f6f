"""The command line, through ``main(argv)`` and through a real process."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mlekit as mk
from mlekit.cli import main

SRC = str(Path(__file__).resolve().parents[1] / "src")
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("MLEKIT_UPDATE_GOLDEN") == "1"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def proc(*argv: str, stdin: str | None = None, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "mlekit", *argv], input=stdin, capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


# ---------------------------------------------------------------------------- JSON == API
def test_fit_json_is_res_to_dict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fit", "mlekit:lightbulbs", "--column", "hours", "--observed",
                         "failed", "--family", "weibull", "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    res = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")
    assert got == json.loads(json.dumps(res.to_dict()))
    for key in ("family", "params", "se", "ci", "loglik", "aic", "bic", "n_obs", "converged", "method"):
        assert key in got
    assert got["family"] == "weibull" and got["n_obs"] == 80


def test_fit_json_with_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    x = mk.datasets.lightbulbs()["hours"].to_numpy()
    f = tmp_path / "g.csv"
    f.write_text("value,w\n" + "\n".join(f"{float(v)!r},{1 + i % 3}" for i, v in enumerate(x)) + "\n")
    code, out, err = run(capsys, "fit", str(f), "-c", "value", "--weights", "w", "-f", "gamma",
                         "--level", "0.9", "--fixed", "scale=500", "--format", "json")
    assert code == 0, err
    res = mk.fit(x, "gamma", weights=[1 + i % 3 for i in range(x.size)], fixed={"scale": 500.0})
    assert json.loads(out) == json.loads(json.dumps(res.summary(level=0.9).to_dict()))


def test_fit_csv_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fit", "mlekit:five_points", "-f", "normal", "--format", "csv")
    assert code == 0
    rows = [r.split(",") for r in out.strip().splitlines()]
    assert rows[0] == ["kind", "name", "estimate", "se", "ci_lower", "ci_upper"]
    assert rows[1][1] == "mu" and float(rows[1][2]) == pytest.approx(2.24)
    assert float(rows[2][2]) == pytest.approx(0.39799497484264795)


# ---------------------------------------------------------------------------- golden text
def test_families_golden(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "families")
    assert code == 0
    golden("families.txt", out)
    assert len(mk.families()) == sum(1 for f in mk.families() if f["name"] in out)


def test_fit_summary_golden(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fit", "mlekit:lightbulbs", "-c", "hours", "--observed", "failed",
                       "-f", "weibull")
    assert code == 0
    golden("fit_lightbulbs_weibull.txt", out)
    assert "Weibull fit to hours of mlekit:lightbulbs" in out
    assert "25 right-censored" in out


def test_families_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "families", "--format", "json")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(mk.families()))


def test_datasets_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "datasets", "--format", "json")
    assert code == 0
    assert [d["name"] for d in json.loads(out)] == mk.datasets.names()


# ---------------------------------------------------------------------------- inputs
@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet", "jsonl"])
def test_input_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    import pyarrow as pa
    import pyarrow.csv as pc
    import pyarrow.parquet as pq

    df = mk.datasets.lightbulbs()
    table = pa.Table.from_pandas(df, preserve_index=False)
    path = tmp_path / f"bulbs.{fmt}"
    if fmt == "csv":
        pc.write_csv(table, path)
    elif fmt == "tsv":
        pc.write_csv(table, path, pc.WriteOptions(delimiter="\t"))
    elif fmt == "parquet":
        pq.write_table(table, path, row_group_size=20)
    else:
        df.to_json(path, orient="records", lines=True)
    code, out, err = run(capsys, "fit", str(path), "-c", "hours", "--observed", "failed",
                         "-f", "weibull", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["loglik"] == pytest.approx(
        mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull").loglik, rel=1e-12)


def test_stdin_one_number_per_line() -> None:
    r = proc("fit", "-", "-f", "normal", "--format", "json", stdin="2.3\n1.9\n2.5\n\n2.8\n1.7\n")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["params"]["mu"] == pytest.approx(2.24)
    assert d["params"]["sigma"] == pytest.approx(0.39799497484264795)


def test_stdin_with_header_and_csv() -> None:
    r = proc("fit", "-", "-f", "poisson", "--format", "json", stdin="count\n1\n2\n3\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["params"]["rate"] == pytest.approx(2.0)
    r = proc("fit", "-", "-c", "b", "-f", "poisson", "--format", "json", stdin="a,b\n9,1\n9,3\n")
    assert json.loads(r.stdout)["params"]["rate"] == pytest.approx(2.0)


def test_interval_censored_columns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "iv.csv"
    f.write_text("lo,hi\n0.5,1\n1,2\n1,2\n2,3\n2,\n,1\n3,4\n")
    code, out, err = run(capsys, "fit", str(f), "--lower", "lo", "--upper", "hi", "-f", "exponential",
                         "--format", "json")
    assert code == 0, err
    lo = [0.5, 1, 1, 2, 2, -np.inf, 3]
    hi = [1, 2, 2, 3, np.inf, 1, 4]
    res = mk.fit(mk.Data.interval(lo, hi), "exponential")
    assert json.loads(out)["params"]["rate"] == pytest.approx(res.params["rate"], rel=1e-10)


def test_nan_policy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "n.csv"
    f.write_text("x\n1.0\n\n2.5\nNA\n3.0\n")
    f.write_text("x\n1.0\nnan\n2.5\n\n3.0\n")
    code, _, err = run(capsys, "fit", str(f), "-f", "normal")
    assert code == 2 and "--nan omit" in err and "Traceback" not in err
    code, out, err = run(capsys, "fit", str(f), "-f", "normal", "--nan", "omit", "--format", "json")
    assert code == 0
    assert json.loads(out)["n_obs"] == 3 and "dropped" in err


def test_plot_option_writes_png(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "fit.png"
    code, _, err = run(capsys, "fit", "mlekit:gaussian", "-f", "normal", "--plot", str(png))
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------- errors: exit 2
@pytest.mark.parametrize(("argv", "needle"), [
    (["fit", "missing.csv", "-c", "x", "-f", "normal"], "file not found"),
    (["fit", "mlekit:lightbulbs", "-c", "hour", "-f", "weibull"], "available columns: bulb, hours, failed"),
    (["fit", "mlekit:defects", "-c", "machine", "-f", "poisson"], "must be numeric"),
    (["fit", "mlekit:gaussian", "-f", "weibull", "--fixed", "k=1"], "got 'k'"),
    (["fit", "mlekit:gaussian", "-f", "weibull", "--fixed", "shape"], "NAME=VALUE"),
    (["fit", "mlekit:gaussian", "-f", "poisson"], "Poisson requires values"),
    (["fit", "mlekit:gaussian", "-f", "weibul"], "Did you mean 'weibull'"),
    (["fit", "mlekit:gaussian", "-f", "normal", "--level", "95"], "--level"),
    (["fit", "mlekit:lightbulbs", "-f", "weibull"], "choose one with --column"),
    (["fit", "mlekit:nope", "-f", "normal"], "dataset must be one of"),
    (["demo", "nope", "--no-plots"], "demo name must be one of"),
    (["fit", "mlekit:gaussian"], "missing -f/--family"),
    (["fit", "mlekit:defects", "-c", "defects", "-f", "poisson", "--by", "machine", "--plot", "x.png"],
     "describe one fit"),
    (["fit", "mlekit:defects", "-c", "defects", "-f", "poisson", "--by", "shift_x"],
     "available columns: machine, day, shift, defects"),
    (["fit", "mlekit:lightbulbs", "-c", "hours", "--lower", "hours", "--upper", "hours", "-f", "weibull"],
     "not both"),
    (["fit", "mlekit:lightbulbs", "--lower", "hours", "-f", "weibull"], "both --lower and --upper"),
    (["compare", "mlekit:gaussian", "--families", "normal", "--all"], "not allowed with"),
])
def test_user_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_empty_and_unreadable_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_text("")
    code, _, err = run(capsys, "fit", str(empty), "-f", "normal")
    assert code == 2 and "is empty" in err
    header = tmp_path / "h.csv"
    header.write_text("x\n")
    code, _, err = run(capsys, "fit", str(header), "-f", "normal")
    assert code == 2 and "no rows" in err
    bad = tmp_path / "b.parquet"
    bad.write_bytes(b"not a parquet file at all")
    code, _, err = run(capsys, "fit", str(bad), "-c", "x", "-f", "normal")
    assert code == 2 and "could not read" in err
    odd = tmp_path / "data.xyz"
    odd.write_text("x\n1\n")
    code, _, err = run(capsys, "fit", str(odd), "-f", "normal")
    assert code == 2 and "--input-format" in err


def test_error_is_one_line_through_a_process() -> None:
    r = proc("fit", "nowhere.csv", "-c", "x", "-f", "normal")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("mlekit: error:")


def test_a_bug_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from mlekit.cli import render as _cli_render

    def boom(args: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(_cli_render, "emit_families", boom)
    code, _, err = run(capsys, "families")
    assert code == 1
    assert "ZeroDivisionError" in err and "bug in mlekit" in err


# ---------------------------------------------------------------------------- process, help
def test_help_and_version_through_a_process() -> None:
    r = proc("--help")
    assert r.returncode == 0 and "fit" in r.stdout and "compare" in r.stdout
    r = proc("fit", "--help")
    assert r.returncode == 0 and "--observed" in r.stdout and "--format" in r.stdout
    r = proc("--version")
    assert r.stdout.strip() == f"mlekit {mk.__version__}"


def test_help_imports_no_heavy_modules() -> None:
    code = ("import sys; from mlekit.cli import main\n"
            "try:\n    main(['fit', '--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('numpy', 'scipy', 'pandas', 'pyarrow', 'matplotlib', 'rich') "
            "if m in sys.modules]\nprint(heavy, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": SRC})
    assert r.stderr.strip() == "[]"


def test_installed_console_script() -> None:
    """The real ``mlekit`` entry point, when it is installed from this checkout (CI)."""
    exe = shutil.which("mlekit")
    if exe is None:
        pytest.skip("no mlekit console script on PATH")
    where = subprocess.run([sys.executable, "-c", "import mlekit; print(mlekit.__file__)"],
                           capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                                if k != "PYTHONPATH"})
    if not where.stdout.strip().startswith(SRC):
        pytest.skip(f"the installed mlekit is another checkout ({where.stdout.strip()})")
    r = subprocess.run([exe, "fit", "mlekit:five_points", "-f", "normal", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["params"]["mu"] == pytest.approx(2.24)
    r = subprocess.run([exe, "fit", "missing.csv", "-f", "normal"], capture_output=True, text=True)
    assert r.returncode == 2


def test_text_output_has_no_color_codes_when_piped() -> None:
    r = proc("fit", "mlekit:coin", "-f", "bernoulli")
    assert r.returncode == 0
    assert "\x1b[" not in r.stdout
    assert "Bernoulli fit to heads of mlekit:coin" in r.stdout
    assert math.isclose(float(r.stdout.split("p ")[1].split()[0]), 0.7)


def test_quiet_silences_notes_and_progress(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "n.csv"
    f.write_text("x\n1.0\nnan\n2.5\n3.0\n")
    seen = {}

    import mlekit.cli.render as render

    real = render.emit_fit

    def spy(*a: object, **k: object) -> None:
        seen["quiet_env"] = os.environ.get("MLEKIT_QUIET")
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "emit_fit", spy)
    monkeypatch.delenv("MLEKIT_QUIET", raising=False)
    code, _, err = run(capsys, "fit", str(f), "-f", "normal", "--nan", "omit", "--quiet")
    assert code == 0 and err == ""
    assert seen["quiet_env"] == "1" and "MLEKIT_QUIET" not in os.environ
    code, _, err = run(capsys, "fit", str(f), "-f", "normal", "--nan", "omit")
    assert "dropped 1 rows" in err


def test_explore_calls_the_web_entry_point(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    calls = []
    fake = types.ModuleType("mlekit.web")
    fake.serve = lambda host, port, open_browser: calls.append((host, port, open_browser))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mlekit.web", fake)
    monkeypatch.setattr(mk, "web", fake, raising=False)
    code, _, err = run(capsys, "explore", "--port", "8123", "--no-browser")
    assert code == 0, err
    assert calls == [("127.0.0.1", 8123, False)]
    code, _, _ = run(capsys, "explore")
    assert calls[-1] == ("127.0.0.1", 0, True)

    def busy(host: str, port: int, open_browser: bool) -> None:
        raise OSError(98, "Address already in use")

    fake.serve = busy  # type: ignore[attr-defined]
    code, _, err = run(capsys, "explore", "--port", "80")
    assert code == 2 and "Address already in use" in err


def test_explore_without_the_web_extra(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mlekit.web", None)  # import fails as if not installed
    monkeypatch.delattr(mk, "web", raising=False)
    code, _, err = run(capsys, "explore", "--no-browser")
    assert code == 2 and "web explorer is not available" in err and "mlekit[web]" in err


def test_large_file_reading_reports_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mlekit.cli import tables as _io

    x = np.random.default_rng(0).gamma(2.0, 3.0, 200_000)
    csv = tmp_path / "big.csv"
    csv.write_text("x,y\n" + "\n".join(f"{v!r},1" for v in x.tolist()) + "\n")
    monkeypatch.setattr(_io, "PROGRESS_BYTES", 0)
    seen: list[tuple[float, float | None, str]] = []
    table = _io.read_table(str(csv), ["x"], progress=lambda d, t, s: seen.append((d, t, s)))
    np.testing.assert_array_equal(table.column("x").to_numpy(), x)
    assert len(seen) >= 2 and seen[-1][0] == seen[-1][1] and "reading big.csv" in seen[-1][2]
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    pqf = tmp_path / "big.parquet"
    pq.write_table(pa.table({"x": x}), pqf, row_group_size=50_000)
    seen.clear()
    table = _io.read_table(str(pqf), ["x"], progress=lambda d, t, s: seen.append((d, t, s)))
    assert table.num_rows == x.size and [s[0] for s in seen] == [50_000, 100_000, 150_000, 200_000]


def test_text_column_names_the_bad_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("lo,hi\n1,2\n2,3\n[x],4\n")
    code, _, err = run(capsys, "fit", str(f), "--lower", "lo", "--upper", "hi", "-f", "exponential")
    assert code == 2 and "'[x]' (row 3)" in err


def test_brackets_are_printed_literally(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "b.csv"
    f.write_text("lower,upper\n1,2\n2,3\n0.5,4\n")
    code, out, _ = run(capsys, "fit", str(f), "--lower", "lower", "--upper", "upper", "-f", "exponential")
    assert code == 0
    assert "Exponential fit to [lower, upper] of" in out      # not swallowed as rich markup
