"""Simulation-based answers repeat: default seed, reported with n_boot; friendly keyword errors;
the same default families and the same GOF p-values from Python, the CLI and the web."""

from __future__ import annotations

import json

import pytest

import mlekit as mk
from mlekit.cli import main


def test_bootstrap_ci_is_repeatable_by_default() -> None:
    res = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")
    a = res.ci(method="bootstrap", n_boot=50, quiet=True)
    b = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull").ci(method="bootstrap", n_boot=50,
                                                                    quiet=True)
    assert a == b
    d = res.summary(ci="bootstrap").to_dict()
    assert d["bootstrap"]["seed"] == 0 and d["bootstrap"]["n_boot"] == 2000


def test_compare_gof_is_repeatable_and_matches_gof() -> None:
    x = mk.datasets.five_points()
    a = mk.compare(x, quiet=True)
    b = mk.compare(x, quiet=True)
    assert a.table["gof_p"].tolist() == b.table["gof_p"].tolist()
    assert a.to_dict()["gof"] == {"n_boot": 99, "seed": 0}
    for fam in a.fits:   # each family from the seed: the same as gof() on its own
        assert a.table.loc[fam, "gof_p"] == mk.gof(a[fam], n_boot=99, quiet=True)["ad"].p_value


def test_cli_and_python_agree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "mlekit:five_points", "--format", "json", "-q"]) == 0
    cli = json.loads(capsys.readouterr().out)
    py = mk.compare(mk.datasets.five_points(), quiet=True)
    assert [r["family"] for r in cli["table"]] == list(py.table.index)
    assert [r["gof_p"] for r in cli["table"]] == py.table["gof_p"].tolist()
    assert cli["gof"] == {"n_boot": 99, "seed": 0}


def test_default_set_is_shared_and_includes_normal() -> None:
    from mlekit.cli.render import default_candidates

    d = mk.Data(mk.datasets.five_points())
    assert "normal" in default_candidates(d)
    assert set(mk.compare(d, gof=False).fits) == set(default_candidates(d))


def test_flagged_fits_are_not_crowned() -> None:
    cmp = mk.compare(mk.datasets.five_points(), "all", gof=False)
    assert cmp.best.family not in ("uniform", "pareto", "lomax", "student_t")
    assert cmp.table.loc["uniform", "caution"].startswith("non-regular")
    lb = mk.compare(mk.datasets.lightbulbs(as_data=True), "all", gof=False)
    assert "edge" in lb.table.loc["lomax", "caution"]
    assert lb.table.index.get_loc("lomax") > lb.table.index.get_loc("exponential")
    note = lb.table.loc["lomax", "notes"]
    assert note.count("fit 'exponential'") == 1


@pytest.mark.parametrize(("call", "hint"), [
    (lambda r: r.ci(method="bootstrap", seed=1), "seed= is spelt rng="),
    (lambda r: r.ci(method="bootstrap", n_bot=10), "did you mean n_boot=?"),
    (lambda r: r.ci(method="profile", param="mu"), "did you mean params=?"),
    (lambda r: mk.fit([1.0, 2.0, 3.5], "normal", nan="omit"), "nan= is spelt nan_policy="),
    (lambda r: mk.fit([1.0, 2.0, 3.5], "normal", by=[1, 1, 2], nan="omit"), "nan_policy="),
])
def test_misspelt_keywords_name_the_right_one(call, hint) -> None:  # type: ignore[no-untyped-def]
    res = mk.fit([1.0, 2.0, 3.5, 2.2], "normal")
    with pytest.raises(mk.ParameterError, match=hint.replace("?", r"\?")):
        call(res)


def test_custom_model_missing_data_key_is_an_error() -> None:
    import numpy as np

    @mk.model(sigma=mk.Positive)
    def line(x, y, a, b, sigma):  # type: ignore[no-untyped-def]
        return mk.logpdf.normal(y, a + b * x, sigma)

    x = np.arange(10.0)
    with pytest.raises(mk.DataError, match="data has no 'y'; parameters are a, b, sigma"):
        mk.fit(line, data={"x": x})
    with pytest.raises(mk.DataError, match="numeric"):
        mk.fit(line, data={"x": x, "y": ["1"] * 10})

    @mk.model(sigma=mk.Positive, y=mk.Real)    # declared: y is a parameter after all
    def shifted(x, y, sigma):  # type: ignore[no-untyped-def]
        return mk.logpdf.normal(x, y, sigma)
    assert set(mk.fit(shifted, data={"x": x}).params) == {"y", "sigma"}


def test_strings_are_not_numbers() -> None:
    with pytest.raises(mk.DataError, match="numbers written as text"):
        mk.fit(["1", "2", "3"], "normal")
