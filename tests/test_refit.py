"""Results carry the refit of the estimator that built them (statsmodels' ``results.model``):
inference refits through it and never imports an estimator; the field stays private."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import mlekit as mk


@pytest.fixture
def x() -> np.ndarray:
    return np.random.default_rng(3).weibull(1.7, 120) * 5.0


def test_a_family_fit_carries_its_refit(x: np.ndarray) -> None:
    res = mk.fit(x, "weibull", maxiter=150)
    again = res._refit(res.data, fixed={"shape": 1.7})
    assert isinstance(again, mk.FitResult) and again.fixed == {"shape": 1.7}
    assert again.params["shape"] == 1.7
    assert "_refit" not in repr(res) and "refit" not in str(res.to_dict())


def test_copy_and_pickle_keep_a_working_refit(x: np.ndarray) -> None:
    res = mk.fit(x, "gamma")
    for other in (copy.copy(res), copy.deepcopy(res), pickle.loads(pickle.dumps(res))):
        assert other.params == res.params
        assert other._refit is not None
        assert other._refit(res.data).params == pytest.approx(res.params, rel=1e-10)
    a = res.ci(method="bootstrap", n_boot=30, rng=1)
    b = pickle.loads(pickle.dumps(res)).ci(method="bootstrap", n_boot=30, rng=1)
    assert a == b


def test_lr_test_and_bootstrap_use_the_injected_refit(x: np.ndarray) -> None:
    res = mk.fit(x, "weibull")
    t = mk.lr_test(res, fixed={"shape": 1.0})
    assert t.df == 1 and t.statistic > 0
    ci = res.ci(method="bootstrap", n_boot=40, rng=2)
    assert ci["shape"][0] < res.params["shape"] < ci["shape"][1]


def test_a_result_without_refit_says_so(x: np.ndarray) -> None:
    import dataclasses

    res = dataclasses.replace(mk.fit(x, "weibull"), _refit=None)
    with pytest.raises(mk.ParameterError, match="refits the model"):
        mk.lr_test(res, fixed={"shape": 1.0})


def test_grouped_results_refit_and_subset_through_the_estimator(x: np.ndarray) -> None:
    g = mk.fit(x, "weibull", by=np.arange(x.size) % 3)
    one = g[1]
    assert one._refit is not None
    assert one._refit(one.data).params == pytest.approx(one.params, rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = g.compare("gamma")
    assert other.shape[0] == 3
    g2 = pickle.loads(pickle.dumps(g))
    lo = g2.ci(method="bootstrap", n_boot=5, rng=0)
    assert lo.shape == (3, 4)


def test_a_streamed_fit_refits_on_data_in_memory(x: np.ndarray, tmp_path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": x}), tmp_path / "x.parquet")
    res = mk.fit(mk.read_parquet(tmp_path / "x.parquet", column="x"), "weibull", quiet=True)
    assert res._refit is not None
    assert res._refit(mk.Data(x)).params == pytest.approx(res.params, rel=1e-8)
