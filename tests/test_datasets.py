"""Built-in data sets: files reproduce from their generator, loaders, provenance, seed facts."""

from __future__ import annotations

import numpy as np
import pytest

import mlekit as mk
from mlekit.datasets import _generate


def test_files_are_reproduced_by_the_generator() -> None:
    for fname, text in _generate.render_all().items():
        stored = (_generate.HERE / fname).read_text(encoding="utf-8")
        assert stored == text, f"{fname} differs from its generator: run python -m mlekit.datasets._generate"


def test_names_and_provenance() -> None:
    assert mk.datasets.names() == ["ab_test", "coin", "defects", "five_points", "gaussian", "lightbulbs",
                                    "portpirie"]
    for name in mk.datasets.names():
        d = mk.datasets.describe(name)
        for key in ("title", "source", "how", "columns", "licence", "rows"):
            assert d[key], (name, key)
        assert mk.datasets.path(name).exists()
        assert list(mk.datasets.load(name).columns) == list(d["columns"])
        assert len(mk.datasets.load(name)) == d["rows"]
    with pytest.raises(mk.DataError, match="dataset must be one of"):
        mk.datasets.describe("nope")


def test_seed_coin_and_five_points() -> None:
    coin = mk.datasets.coin()
    assert coin.size == 10 and coin.sum() == 7
    assert mk.fit(coin, "bernoulli").params["p"] == pytest.approx(0.7, rel=1e-12)
    x = mk.datasets.five_points()
    np.testing.assert_array_equal(x, [2.3, 1.9, 2.5, 2.8, 1.7])


def test_seed_gaussian_is_the_seeds_sample() -> None:
    np.random.seed(42)
    expected = np.random.normal(loc=5.0, scale=2.0, size=100)
    np.testing.assert_array_equal(mk.datasets.gaussian(), expected)   # bit for bit
    res = mk.fit(mk.datasets.gaussian(), "normal")
    assert res.params["mu"] == pytest.approx(expected.mean(), rel=1e-12)
    assert res.params["sigma"] == pytest.approx(expected.std(), rel=1e-12)


def test_defects_are_overdispersed() -> None:
    df = mk.datasets.defects()
    assert len(df) == 600 and df["machine"].nunique() == 20
    assert df["defects"].var() > 2 * df["defects"].mean()
    pois, nb = mk.fit(df["defects"], "poisson"), mk.fit(df["defects"], "negative_binomial")
    assert nb.aic < pois.aic - 100


def test_ab_test_counts() -> None:
    df = mk.datasets.ab_test()
    assert df.to_dict("list") == {"variant": ["A", "B"], "visitors": [9200, 9200],
                                  "conversions": [920, 1040]}


def test_lightbulbs_censoring() -> None:
    df = mk.datasets.lightbulbs()
    data = mk.datasets.lightbulbs(as_data=True)
    assert isinstance(data, mk.Data)
    assert data.count("right") == (df["failed"] == 0).sum() == 25
    assert data.n_rows == 80
    # still-burning bulbs ran until the read-out at hour 2000 after switching on in [0, 800]
    running = df.loc[df["failed"] == 0, "hours"]
    assert running.between(1200, 2000).all()


def test_portpirie_matches_coles() -> None:
    df = mk.datasets.portpirie()
    assert len(df) == 65 and df["year"].tolist() == list(range(1923, 1988))
    assert df["sea_level"].max() == 4.69 and df["sea_level"].min() == 3.57
    res = mk.fit(df["sea_level"], "gev")
    # Coles (2001), Section 3.4.1: 3.87 (0.028), 0.198 (0.020), -0.050 (0.098)
    assert res.params["loc"] == pytest.approx(3.87, abs=0.005)
    assert res.params["scale"] == pytest.approx(0.198, abs=0.0005)
    assert res.params["shape"] == pytest.approx(-0.050, abs=0.0005)
    assert res.se["shape"] == pytest.approx(0.098, abs=0.0005)
