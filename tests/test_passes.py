"""Fused passes (``mlekit._core.passes``): several statistics from one read of the values, equal
bit for bit to NumPy's whole-array reductions (the results of every fit stay what they were)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mlekit._core.passes import fused, median_of

RNG = np.random.default_rng(7)
# one call on the whole array (<= 2**18), and the pieces of NumPy's pairwise tree beyond it,
# at lengths that are not multiples of the piece, of 8 or of 128
SIZES = [1, 2, 7, 8, 9, 127, 129, 4097, 65_537, 262_144, 262_145, 600_001]


def _reference(x: np.ndarray, terms: tuple[str, ...], c: float) -> list[float]:
    out: list[float] = []
    for t in terms:
        if t == "x":
            out.append(float(np.add.reduce(x)))
        elif t == "log":
            out.append(float(np.add.reduce(np.log(x))))
        elif t == "inv":
            out.append(float(np.add.reduce(1.0 / x)))
        elif t == "min":
            out.append(float(np.minimum.reduce(x)))
        elif t == "max":
            out.append(float(np.maximum.reduce(x)))
        else:
            d = x - c
            out += [float(np.abs(d).sum()), float(np.sign(d).sum())]
    return out


@pytest.mark.parametrize("n", SIZES)
def test_fused_terms_equal_numpy_bit_for_bit(n: int) -> None:
    x = RNG.gamma(1.5, 2.0, n) + RNG.random(n) * 1e-3
    terms = ("x", "log", "inv", "min", "max", "absdev")
    c = float(np.median(x))
    got = fused(x, terms, c)
    want = _reference(x, terms, c)
    assert [v.hex() for v in got] == [v.hex() for v in want]


@pytest.mark.parametrize("n", [9, 600_001])
def test_fused_counts_ties_at_the_centre(n: int) -> None:
    x = np.round(RNG.laplace(0.0, 2.0, n))          # many values equal to the centre 0.0
    total, sg = fused(x, ("absdev",), 0.0)
    assert total == float(np.abs(x).sum())
    assert sg == float(np.sign(x).sum()) and sg == np.count_nonzero(x > 0) - np.count_nonzero(x < 0)


@pytest.mark.parametrize("n", [100, 600_001])
def test_fused_extremes_and_sums_show_bad_values(n: int) -> None:
    x = RNG.random(n) + 0.5
    bad = x.copy()
    bad[n // 3] = np.nan
    with np.errstate(all="ignore"):
        lo, hi, s, sl = fused(bad, ("min", "max", "x", "log"))
    assert np.isnan(lo) and np.isnan(hi) and np.isnan(s) and np.isnan(sl)
    neg = x.copy()
    neg[-1] = -1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(invalid="ignore"):
            (sl,) = fused(neg, ("log",))
    assert np.isnan(sl)                                  # log of a negative value
    zero = x.copy()
    zero[0] = 0.0
    with np.errstate(divide="ignore"):
        assert fused(zero, ("log",))[0] == -np.inf       # log 0
    inf = x.copy()
    inf[1] = np.inf
    assert fused(inf, ("max", "x")) == [np.inf, np.inf]


def test_fused_rejects_an_unknown_term() -> None:
    with pytest.raises(ValueError, match="terms are"):
        fused(np.ones(3), ("sq",))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 10, 11, 1000, 1001, 262_145])
def test_median_of_equals_numpy(n: int) -> None:
    for x in (RNG.normal(0.0, 1.0, n), np.round(RNG.normal(0.0, 2.0, n)),
              np.full(n, -0.0), RNG.integers(0, 3, n).astype(float) * 1e300):
        with np.errstate(over="ignore"):
            want = float(np.median(x))
        got = median_of(x)
        assert got.hex() == want.hex()
        assert x.shape == (n,)                           # the input is left as it was



def test_fused_frees_its_array_without_the_garbage_collector() -> None:
    """A long array's pass builds no reference cycle: the array is freed as soon as the caller
    drops it (a streamed fit once kept every chunk alive until a collection, ~90 MB per 1e7
    rows, and every later read of the file slowed down)."""
    import gc
    import weakref

    x = np.random.default_rng(3).gamma(2.0, 1.0, (1 << 18) + 1000)
    ref = weakref.ref(x)
    was = gc.isenabled()
    gc.disable()
    try:
        fused(x, ["x", "log", "min", "max"])
        del x
        assert ref() is None
    finally:
        if was:
            gc.enable()
