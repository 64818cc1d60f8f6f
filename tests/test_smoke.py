import math

import mlekit as mk
from conftest import COIN, SEED_FIVE


def test_seed_five_points_normal() -> None:
    res = mk.fit(SEED_FIVE, "normal")
    assert math.isclose(res.params["mu"], 2.24, rel_tol=1e-12)
    assert math.isclose(res.params["sigma"], 0.39799497484264795, rel_tol=1e-12)
    assert res.converged and res.method == "closed-form"


def test_seed_coin() -> None:
    assert math.isclose(mk.fit(mk.Data(COIN), "bernoulli").params["p"], 0.7, rel_tol=1e-12)
