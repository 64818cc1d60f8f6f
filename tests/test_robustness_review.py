"""Regression tests for the review findings closed in round 2 (issue 11 leftovers, issue 12
Python leftovers): scale equivariance through every backend, custom-model data ownership,
mixtures over a range of k, negative-binomial precision at huge counts, explorer limits, and the
wording of messages in each front end."""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

import mlekit as mk
from mlekit._families.registry import registry

_EQUIVARIANT = sorted(f for f in registry if registry[f].scale_powers is not None)


def _expected(name: str, params: dict[str, float], k: int) -> dict[str, float]:
    fam = registry[name]
    assert fam.scale_powers is not None
    return {p: v + k * math.log(10.0) if p in fam.log_scale_params
            else v * 10.0 ** (k * fam.scale_powers[p]) for p, v in params.items()}


def _close(got: dict[str, float], want: dict[str, float], rel: float = 1e-6) -> None:
    for p, v in want.items():
        assert got[p] == pytest.approx(v, rel=rel, abs=1e-12), p


# --- grouped fits rescale each group at extreme magnitudes, like a fit of that group alone
@pytest.mark.parametrize("family", ["normal", "weibull", "gamma", "lognormal", "gev", "weibull3"])
@pytest.mark.parametrize("k", [-300, 300])
def test_grouped_extreme_magnitudes_equivariant(family: str, k: int) -> None:
    rng = np.random.default_rng(2)
    x = rng.gamma(3.0, 1.0, 60) + 0.5
    by = np.repeat([0, 1, 2], 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = mk.fit(x, family, by=by)
        big = mk.fit(x * 10.0**k, family, by=by)
    for i in range(3):
        _close(big[i].params, _expected(family, base[i].params, k))
        assert big[i].loglik == pytest.approx(base[i].loglik - 20 * k * math.log(10.0),
                                              rel=1e-8)


# --- the chunked (streamed / Dask) fit reads its chunks rescaled at extreme magnitudes
@pytest.mark.parametrize("family", ["normal", "weibull", "gamma", "inverse_gaussian", "lognormal"])
@pytest.mark.parametrize("k", [-300, 160])
def test_chunked_stream_extreme_magnitudes(family: str, k: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    import mlekit._scale.stream as stream

    monkeypatch.setattr(stream, "_IN_MEMORY_ROWS", 0)   # force passes over chunks
    x = np.random.default_rng(1).gamma(3.0, 1.0, 200) + 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = mk.fit(x, family)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.parquet")
            pq.write_table(pa.table({"x": x * 10.0**k}), path)
            res = mk.fit(mk.read_parquet(path, column="x", batch_rows=50), family)
    assert res.converged
    _close(res.params, _expected(family, base.params, k), rel=1e-5)
    assert any(d.code == "rescaled" for d in res.diagnostics)
    assert res.loglik == pytest.approx(base.loglik - 200 * k * math.log(10.0), rel=1e-7)


def test_rescaled_params_round_trip() -> None:
    for name in _EQUIVARIANT:
        fam = registry[name]()
        th = {p: 0.75 for p in fam.param_names}
        back = fam.rescaled_params(fam.rescaled_params(th, 200), -200)
        assert back == pytest.approx(th, rel=1e-12), name


# --- S13: a custom model owns a read-only copy of its data
def _line(x, mu, sigma):  # type: ignore[no-untyped-def]
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma)


def test_custom_model_data_copied() -> None:
    x = np.array([1.0, 2.0, 3.0, 2.5, 4.0])
    res = mk.fit(mk.model(sigma=mk.Positive)(_line), data={"x": x})
    before = res.ci(method="profile")
    x[:] = 100.0                                 # the caller reuses their array
    assert res.ci(method="profile") == before


def test_custom_model_cannot_write_callers_data() -> None:
    def writes(x, mu, sigma):  # type: ignore[no-untyped-def]
        x[:] = 0.0
        return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma)

    y = np.array([1.0, 2.0, 3.0, 2.5, 4.0])
    with pytest.raises(mk.ParameterError, match="read-only"):
        mk.fit(mk.model(sigma=mk.Positive)(writes), data={"x": y})
    assert y.tolist() == [1.0, 2.0, 3.0, 2.5, 4.0]


# --- S11: a range of k skips a k that cannot be fitted, and says so
def test_mixture_range_skips_failing_k() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, 5), rng.normal(5, 1, 5)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit_mixture(x, "normal", k=range(1, 5))
    assert set(res.options["failed"]) == {4}
    note = next(d.message for d in res.diagnostics if d.code == "model-choice")
    assert "skipped k=4" in note and "parameters" in note
    assert set(res.options["bic"]) == {1, 2, 3}


# --- F17: negative-binomial log-pmf at huge counts (exact values from mpmath, 50 digits)
@pytest.mark.parametrize("x,m,r,exact", [
    (2.0**62, 2.0**62 * 1.01, 3.0, -43.3725835315347),
    (1e15, 1.1e15, 2.0, -35.16128421158126),
    (1e15, 1e15, 1e10, -23.944794463128463),
    (1e9, 1e9, 1e12, -11.281071201927753),
    (5.0, 4.0, 2.0, -2.4327906486489863),
])
def test_negative_binomial_huge_counts(x: float, m: float, r: float, exact: float) -> None:
    got = float(mk.NegativeBinomial(mean=m, size=r).logpdf(np.array([x]))[0])
    assert got == pytest.approx(exact, rel=1e-12, abs=1e-12)


# --- issue 12: positive parameters whose grouped Wald interval goes below 0 are flagged
def test_grouped_wald_crossing_zero_flagged() -> None:
    x = [0.1, 5.0, 0.2, 8.0, 1.0, 2.0, 3.0, 2.5, 1.5, 2.2, 1.9, 2.4]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = mk.fit(x, "gamma", by=["a"] * 4 + ["b"] * 8)
    ci = g.ci()
    log = g.ci(method="wald-log")
    # the natural interval would go below 0: the log-scale one is given (as a single fit's)
    assert ci.attrs["natural"]["shape"]["a"][0] < 0
    assert ci.loc["a", "shape_lower"] == log.loc["a", "shape_lower"] > 0
    assert ci.loc["a", "shape_upper"] == log.loc["a", "shape_upper"]
    assert ci.loc["a", "shape_lower"] == pytest.approx(g["a"].ci()["shape"][0], rel=1e-9)
    assert "a" in ci.attrs["crosses_zero"]["shape"] and "b" not in ci.attrs["crosses_zero"]["shape"]
    assert ci.loc["b", "shape_lower"] != log.loc["b", "shape_lower"]   # b keeps its natural one
    assert "wald-log" in ci.attrs["note"] and "profile" in ci.attrs["note"]
    assert "crosses_zero" not in log.attrs
    assert "wald-log" in [d.code for d in g["a"].diagnostics]


# --- issue 12: rows counted from 1 in the front ends, no numpy repr
def test_front_end_rows_and_no_numpy_repr() -> None:
    from mlekit._api.words import for_cli, for_web

    with pytest.raises(mk.DataError) as info:
        mk.fit(mk.Data.right_censored([1.0, 2.0, 3.0], [1, 2, 1]), "weibull")
    msg = str(info.value)
    assert "np.float64" not in msg and "first at index 1: 2)" in msg
    assert "first at row 2: 2)" in for_cli(msg)
    assert "first at data row 2: 2)" in for_web(msg)


# --- web: decimal commas refused by the paste API; row and cell limits on uploads
def test_paste_decimal_commas_refused() -> None:
    pytest.importorskip("fastapi")
    from mlekit.web._datasets import parse_text
    from mlekit.web._errors import WebError

    for text in ("1,5 2,5 3,5", "1,5\n2,5\n", "-1,5; 2,25"):
        with pytest.raises(WebError) as info:
            parse_text(text)
        assert info.value.status == 422 and info.value.type == "DecimalCommas"
        assert "decimal points" in str(info.value)
    assert parse_text("1,2,3").shape == (3, 1)
    assert parse_text("1.5 2.5").shape == (2, 1)


def test_upload_row_and_cell_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastapi")
    import mlekit.web._datasets as ds
    from mlekit.web._errors import WebError

    monkeypatch.setattr(ds, "MAX_ROWS", 100)
    monkeypatch.setattr(ds, "MAX_CELLS", 500)
    long = tmp_path / "long.csv"
    long.write_text("x\n" + "1.5\n" * 101)
    with pytest.raises(WebError) as info:
        ds.read_table_file(long, "long.csv")
    assert info.value.status == 422 and info.value.type == "TooManyRows"
    assert "101 rows" in str(info.value)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(10)) + "\n" + ("1," * 9 + "1\n") * 60)
    with pytest.raises(WebError) as info:
        ds.read_table_file(wide, "wide.csv")
    assert info.value.type == "TooManyCells"
    ok = tmp_path / "ok.csv"
    ok.write_text("x\n" + "1.5\n" * 100)
    assert ds.read_table_file(ok, "ok.csv").shape == (100, 1)


# --- F18: CLI messages (one line, exit 2)
def _cli(*argv: str, cwd: Path) -> tuple[int, str]:
    import subprocess
    import sys

    src = str(Path(__file__).resolve().parents[1] / "src")
    r = subprocess.run([sys.executable, "-m", "mlekit", *argv], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": src}, cwd=cwd, timeout=120)
    return r.returncode, r.stderr


def test_cli_duplicate_header(tmp_path: Path) -> None:
    (tmp_path / "dup.csv").write_text("x,x\n1,2\n3,4\n5,6\n")
    code, err = _cli("fit", "dup.csv", "-c", "x", "-f", "normal", cwd=tmp_path)
    assert code == 2 and "appears 2 times" in err and len(err.strip().splitlines()) == 1


def test_cli_proc_file_is_not_empty(tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc")
    code, err = _cli("fit", "/proc/self/status", "--input-format", "csv", "-f", "normal",
                     cwd=tmp_path)
    assert code == 2 and "is empty" not in err and len(err.strip().splitlines()) == 1


def test_cli_very_wide_csv(tmp_path: Path) -> None:
    n = 200_000
    (tmp_path / "wide.csv").write_text(",".join(f"c{i}" for i in range(n)) + "\n"
                                       + ",".join("1" for _ in range(n)) + "\n"
                                       + ",".join("2" for _ in range(n)) + "\n"
                                       + ",".join("4" for _ in range(n)) + "\n")
    code, err = _cli("fit", "wide.csv", "-c", "c5", "-f", "normal", "--format", "json",
                     cwd=tmp_path)
    assert code == 0, err
    assert "Empty CSV" not in err
