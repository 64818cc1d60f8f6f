"""CLI commands that need the inference (compare, derived, profile/bootstrap CIs) and grouped
fit modules: JSON parsed back and compared with the Python API."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import mlekit as mk
from mlekit.cli import main


def _need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not merged yet")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


BULBS = ("mlekit:lightbulbs", "-c", "hours", "--observed", "failed")


def test_compare_json_is_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    _need("mlekit._api.compare")
    code, out, err = run(capsys, "compare", *BULBS, "--families", "exponential,weibull,lognormal",
                         "--no-gof", "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    cmp = mk.compare(mk.datasets.lightbulbs(as_data=True), ["exponential", "weibull", "lognormal"],
                     gof=False)
    assert got == json.loads(json.dumps(cmp.to_dict()))
    assert got["table"][0]["family"] == "weibull"


def test_compare_text_and_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _need("mlekit._api.compare")
    png = tmp_path / "cmp.png"
    code, out, err = run(capsys, "compare", "mlekit:defects", "-c", "defects", "--families",
                         "poisson,negative_binomial", "--no-gof", "--plot", str(png))
    assert code == 0, err
    assert "best by AIC is negative_binomial" in out and "ΔAIC" in out
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_compare_unknown_family_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    _need("mlekit._api.compare")
    code, _, err = run(capsys, "compare", "mlekit:gaussian", "--families", "normal,nope")
    assert code == 2 and "Traceback" not in err


def test_profile_ci_json(capsys: pytest.CaptureFixture[str]) -> None:
    _need("mlekit._inference.profile")
    code, out, err = run(capsys, "fit", *BULBS, "-f", "weibull", "--ci", "profile", "--level", "0.9",
                         "--format", "json")
    assert code == 0, err
    res = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")
    assert json.loads(out) == json.loads(json.dumps(res.summary(level=0.9, ci="profile").to_dict()))
    assert json.loads(out)["ci_method"] == "profile"


def test_bootstrap_ci_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    _need("mlekit._inference.bootstrap")
    args = ("fit", "mlekit:gaussian", "-f", "normal", "--ci", "bootstrap", "--n-boot", "200",
            "--seed", "3", "--format", "json", "--quiet")
    code, out1, err = run(capsys, *args)
    assert code == 0, err
    _, out2, _ = run(capsys, *args)
    assert json.loads(out1)["ci"] == json.loads(out2)["ci"]
    res = mk.fit(mk.datasets.gaussian(), "normal")
    ci = res.ci(method="bootstrap", n_boot=200, rng=3)
    assert json.loads(out1)["ci"]["mu"] == pytest.approx(list(ci["mu"]))


def test_derived_quantities(capsys: pytest.CaptureFixture[str]) -> None:
    _need("mlekit._inference.derived")
    code, out, err = run(capsys, "fit", *BULBS, "-f", "weibull", "--derived", "mean", "--quantile",
                         "0.1", "--sf", "1000", "--format", "json")
    assert code == 0, err
    d = {r["name"]: r for r in json.loads(out)["derived"]}
    res = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")
    for name, obj in (("mean", res.derived("mean")), ("quantile(0.1)", res.quantile(0.1)),
                      ("S(1000)", res.sf(1000.0))):
        assert d[name]["estimate"] == pytest.approx(float(obj.estimate), rel=1e-12)
        assert d[name]["ci"] == pytest.approx(list(obj.ci), rel=1e-12)
    code, out, _ = run(capsys, "fit", *BULBS, "-f", "weibull", "--quantile", "0.1")
    assert "quantile(0.1)" in out
    code, _, err = run(capsys, "fit", *BULBS, "-f", "weibull", "--quantile", "1.5")
    assert code == 2 and "--quantile" in err
    code, _, err = run(capsys, "fit", *BULBS, "-f", "weibull", "--derived", "nonsense")
    assert code == 2 and "Traceback" not in err


def test_grouped_fit(capsys: pytest.CaptureFixture[str]) -> None:
    _need("mlekit._scale.grouped.fit")
    code, out, err = run(capsys, "fit", "mlekit:defects", "-c", "defects", "-f", "poisson",
                         "--by", "machine", "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    assert got["n_groups"] == 20
    df = mk.datasets.defects()
    for row in got["groups"][:3]:
        sub = df.loc[df["machine"] == row["machine"], "defects"]
        res = mk.fit(sub.to_numpy(), "poisson")
        assert row["rate"] == pytest.approx(res.params["rate"], rel=1e-12)
        lo, _ = res.ci()["rate"]
        assert row["rate_lower"] == pytest.approx(lo, rel=1e-9)
    code, out, _ = run(capsys, "fit", "mlekit:defects", "-c", "defects", "-f", "poisson",
                       "--by", "machine")
    assert "one per machine (20 groups)" in out and "M07" in out
    code, out, _ = run(capsys, "fit", "mlekit:defects", "-c", "defects", "-f", "poisson",
                       "--by", "machine", "--format", "csv")
    assert out.splitlines()[0].startswith("machine,") and len(out.splitlines()) == 21


def test_grouped_fit_with_penalty(capsys: pytest.CaptureFixture[str]) -> None:
    """--penalty firth --by: every group penalised as the Python API does (Firth Poisson:
    (sum x + 1/2)/n per group)."""
    code, out, err = run(capsys, "fit", "mlekit:defects", "-c", "defects", "-f", "poisson",
                         "--by", "machine", "--penalty", "firth", "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    df = mk.datasets.defects()
    for row in got["groups"][:3]:
        sub = df.loc[df["machine"] == row["machine"], "defects"].to_numpy()
        assert row["rate"] == pytest.approx((sub.sum() + 0.5) / sub.size, rel=1e-12)
