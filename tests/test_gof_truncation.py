"""Nonparametric estimates, goodness of fit and the parametric bootstrap with per-row
truncation windows (issue 16).

- late entry: the product-limit estimate with a risk set against R's
  ``survfit(Surv(entry, time, status) ~ 1)`` (tests/reference/km_late_entry.json), and
  Turnbull's truncated self-consistency (``_inference/truncnpmle.py``) equal to it;
- two-sided windows, left/interval censoring with windows, counts: against a direct EM written
  here (dense membership matrices over every cell between end points, Turnbull 1976's
  update), by the maximum of the nonparametric log-likelihood and the cdf at every end point;
- goodness of fit refits every bootstrap sample drawn inside the rows' windows;
- the simulator draws inside windows far in the upper tail (through the survival function).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mlekit as mk
from mlekit._inference.bootstrap import Simulator
from mlekit._inference.empirical import empirical, kaplan_meier, turnbull
from mlekit._inference.truncnpmle import truncated_npmle

REF = Path(__file__).parent / "reference"


# ---------------------------------------------------------------------- the direct EM
def _dense_rows(data: mk.Data, discrete: bool):
    """Rows as membership tests ``contains(point)`` for the value and the window."""
    rows = []
    for kind, blk in data.blocks.items():
        for i in range(blk.size):
            x = float(blk.x[i])
            w = 1.0 if blk.w is None else float(blk.w[i])
            a = -math.inf if blk.tlo is None else float(blk.tlo[i])
            b = math.inf if blk.thi is None else float(blk.thi[i])
            if kind == "exact":
                lo, hi = x, x
            elif kind == "left":
                lo, hi = -math.inf, x
            elif kind == "right":
                lo, hi = x, math.inf
            else:
                lo, hi = x, float(blk.hi[i])
            if kind != "exact":   # censored rows read inside their windows
                lo = max(lo, (math.ceil(a) if discrete else a))
                hi = min(hi, (math.floor(b) if discrete else b))
            rows.append((kind, lo, hi, a, b, w))
    return rows


def _membership(rows, pts: np.ndarray, discrete: bool):
    """``alpha[i, j]``: point ``j`` inside row ``i``'s value set; ``beta[i, j]``: inside its
    window (continuous: ``lo < X <= hi``, windows ``a < X <= b``, an exact value at its own
    entry counted inside; counts: closed integer ranges)."""
    n, m = len(rows), pts.size
    alpha = np.zeros((n, m))
    beta = np.zeros((n, m))
    w = np.zeros(n)
    for i, (kind, lo, hi, a, b, wi) in enumerate(rows):
        w[i] = wi
        if kind == "exact":
            alpha[i] = pts == lo
        elif discrete:
            alpha[i] = (pts >= lo) & (pts <= hi)
        else:
            alpha[i] = (pts > lo) & (pts <= hi)
        if discrete:
            beta[i] = (pts >= np.ceil(a)) & (pts <= np.floor(b))
        else:
            beta[i] = ((pts > a) | ((pts == a) & (alpha[i] > 0))) & (pts <= b)
    return alpha, beta, w


def _dense_npmle(data: mk.Data, discrete: bool = False, iters: int = 200_000):
    """Turnbull (1976) with truncation, written plainly: candidate support = every end point
    and a point inside every gap between consecutive ones (counts: every integer in range),
    dense membership matrices, the textbook update. Returns ``(points, masses, max loglik)``."""
    rows = _dense_rows(data, discrete)
    ends = sorted({v for r in rows for v in r[1:5] if math.isfinite(v)})
    if discrete:
        pts = np.arange(min(ends) - 1, max(ends) + 2, dtype=float)
    else:
        mids = [0.5 * (u + v) for u, v in zip(ends[:-1], ends[1:])]
        pts = np.array(sorted(ends + mids + [ends[0] - 1.0, ends[-1] + 1.0]))
    alpha, beta, w = _membership(rows, pts, discrete)
    s = np.where(alpha.sum(axis=0) > 0, 1.0, 0.0)
    s /= s.sum()
    for _ in range(iters):
        num = alpha @ s
        den = beta @ s
        mu = (w / num)[:, None] * alpha * s
        nu = (w / den)[:, None] * (1 - beta) * s
        new = (mu + nu).sum(axis=0)
        new /= new.sum()
        if np.max(np.abs(new - s)) < 1e-12:
            s = new
            break
        s = new
    ll = float(np.sum(w * (np.log(alpha @ s) - np.log(beta @ s))))
    return pts, s, ll


def _npmle_loglik(data: mk.Data, est: dict, discrete: bool) -> float:
    """The nonparametric log-likelihood of the module's estimate: each cell's mass put on a
    point of it (a point cell: itself; ``(L, R]``: its middle; counts: an integer in it)."""
    L, R = est["left"], est["right"]
    if discrete:
        rep = np.where(np.isfinite(L), L, R)
    else:
        rep = np.where(L == R, L, np.where(np.isinf(R), L + 1.0,
                                           np.where(np.isinf(L), R - 1.0, 0.5 * (L + R))))
    alpha, beta, w = _membership(_dense_rows(data, discrete), rep, discrete)
    return float(np.sum(w * (np.log(alpha @ est["mass"]) - np.log(beta @ est["mass"]))))


def _cdf_at(est: dict, t: np.ndarray) -> np.ndarray:
    """Mass of the cells wholly at or below ``t`` (right ends <= t)."""
    cum = np.concatenate(([0.0], np.cumsum(est["mass"])))
    return cum[np.searchsorted(est["right"], t, side="right")]


def _dense_cdf(pts: np.ndarray, s: np.ndarray, t: np.ndarray) -> np.ndarray:
    cum = np.concatenate(([0.0], np.cumsum(s)))
    return cum[np.searchsorted(pts, t, side="right")]


# ---------------------------------------------------------------------- late entry
def test_product_limit_with_late_entry_against_r() -> None:
    ref = json.loads((REF / "km_late_entry.json").read_text())
    d = pd.read_csv(REF / ref["data_file"])
    data = mk.Data.right_censored(d.time.to_numpy(), d.status.to_numpy() == 1,
                                  entry=d.entry.to_numpy())
    km = kaplan_meier(data)
    np.testing.assert_allclose(km.x, ref["time"], rtol=1e-15)
    np.testing.assert_allclose(1.0 - km.cdf, ref["surv"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(km.at_risk, ref["n_risk"])
    np.testing.assert_allclose(km.events, ref["n_event"])
    # Turnbull's truncated self-consistency gives the same estimate
    est = truncated_npmle(data, tol=1e-12)
    assert est["converged"]
    np.testing.assert_allclose(1.0 - _cdf_at(est, km.x), ref["surv"], atol=1e-8)


def test_late_entry_counts_product_limit_equals_truncated_npmle() -> None:
    rng = np.random.default_rng(4)
    x = rng.poisson(3.0, 600).astype(float)
    t0 = rng.integers(0, 4, 600).astype(float)
    keep = x >= t0
    data = mk.Data(x[keep], entry=t0[keep])
    km = kaplan_meier(data, discrete=True)
    est = truncated_npmle(data, discrete=True, tol=1e-12)
    np.testing.assert_allclose(_cdf_at(est, km.x), km.cdf, atol=1e-8)
    pts, s, _ = _dense_npmle(data, discrete=True)
    np.testing.assert_allclose(_dense_cdf(pts, s, km.x), km.cdf, atol=1e-7)


# ---------------------------------------------------------------------- two-sided windows
def _two_sided(seed: int = 1, n: int = 60) -> mk.Data:
    rng = np.random.default_rng(seed)
    x = stats.weibull_min(1.7, scale=2.0).rvs(size=6 * n, random_state=rng)
    a = rng.uniform(0.0, 1.5, x.size)
    b = a + rng.uniform(0.8, 4.0, x.size)
    keep = (x > a) & (x <= b)
    return mk.Data(np.round(x[keep][:n], 3), truncation=(a[keep][:n], b[keep][:n]))


def _censored_with_entry(seed: int = 2, n: int = 70) -> mk.Data:
    rng = np.random.default_rng(seed)
    x = stats.lognorm(0.6, scale=2.0).rvs(size=5 * n, random_state=rng)
    a = rng.exponential(0.8, x.size)
    keep = x > a
    x, a = x[keep][:n], a[keep][:n]
    lo = np.maximum(np.floor(x * 2) / 2, a)          # interval-censored to half units
    hi = np.floor(x * 2) / 2 + 0.5
    kind = rng.integers(0, 4, n)
    lo = np.where(kind == 0, x, np.where(kind == 1, np.nan, lo))      # exact / left-censored
    hi = np.where(kind == 0, x, np.where(kind == 3, np.inf, hi))      # right-censored
    lo = np.where(kind == 3, np.maximum(x - 0.3, a), lo)
    hi = np.where(kind == 1, np.maximum(hi, a + 0.1), hi)
    return mk.Data.interval(lo, hi, truncation=(a, np.where(kind == 1, 9.0, np.inf)))


@pytest.mark.parametrize("make", [_two_sided, _censored_with_entry])
def test_truncated_npmle_against_a_direct_em(make) -> None:
    data = make()
    est = truncated_npmle(data, tol=1e-12)
    pts, s, ll = _dense_npmle(data)
    # the same maximum of the nonparametric likelihood, and the same cdf at every end point
    assert _npmle_loglik(data, est, False) == pytest.approx(ll, abs=1e-7)
    ends = np.unique(np.concatenate([est["left"][np.isfinite(est["left"])], est["right"][
        np.isfinite(est["right"])]]))
    np.testing.assert_allclose(_cdf_at(est, ends), _dense_cdf(pts, s, ends), atol=2e-6)
    # the Empirical wrapper (plots, web) takes the same estimate
    emp = empirical(data)
    assert emp.kind == "turnbull" and emp.info["truncated"]
    np.testing.assert_allclose(emp.mass, est["mass"], atol=1e-6)


def test_counts_with_two_sided_windows_against_a_direct_em() -> None:
    rng = np.random.default_rng(6)
    x = rng.poisson(4.0, 900).astype(float)
    a = rng.integers(0, 4, x.size).astype(float)
    b = a + rng.integers(3, 9, x.size)
    keep = (x >= a) & (x <= b)
    data = mk.Data(x[keep][:150], truncation=(a[keep][:150], b[keep][:150]))
    est = truncated_npmle(data, discrete=True, tol=1e-12)
    pts, s, ll = _dense_npmle(data, discrete=True)
    grid = np.arange(0.0, 14.0)
    np.testing.assert_allclose(_cdf_at(est, grid), _dense_cdf(pts, s, grid), atol=2e-6)
    assert _npmle_loglik(data, est, True) == pytest.approx(ll, abs=1e-7)


def test_a_range_no_other_window_rules_out_is_refused() -> None:
    """Rows entering early and left-censored: the cell just above their entries lies in their
    windows only, so moving all the mass there costs nothing and the likelihood has no maximum
    (plain EM creeps on forever); refused, and a bootstrap sample like that counts as failed."""
    data = _censored_with_entry(n=60)
    with pytest.raises(mk.DataError, match="no other row's window rules out"):
        truncated_npmle(data)
    with pytest.raises(mk.DataError, match="no other row's window rules out"):
        mk.gof(mk.fit(data, "lognormal"), n_boot=0)


def test_windows_that_do_not_connect_are_refused() -> None:
    data = mk.Data([0.2, 0.5, 0.8, 2.2, 2.5, 2.9],
                   truncation=([0, 0, 0, 2, 2, 2], [1, 1, 1, 3, 3, 3]))
    with pytest.raises(mk.DataError, match="2 groups that share no observed range"):
        turnbull(data)
    # one row whose window spans both ranges links them
    linked = mk.Data([0.2, 0.5, 0.8, 2.2, 2.5, 2.9, 0.9],
                     truncation=([0, 0, 0, 2, 2, 2, 0], [1, 1, 1, 3, 3, 3, 3]))
    assert turnbull(linked).mass.sum() == pytest.approx(1.0)


# ---------------------------------------------------------------------- goodness of fit
def test_gof_with_two_sided_windows_tells_models_apart() -> None:
    rng = np.random.default_rng(9)
    x = stats.weibull_min(4.0, scale=2.0).rvs(size=2000, random_state=rng)
    a = rng.uniform(0.0, 1.0, x.size)
    b = a + rng.uniform(1.5, 4.0, x.size)
    keep = (x > a) & (x <= b)
    data = mk.Data(x[keep][:250], truncation=(a[keep][:250], b[keep][:250]))
    good = mk.gof(mk.fit(data, "weibull"), n_boot=39, rng=0, quiet=True)
    bad = mk.gof(mk.fit(data, "lognormal"), n_boot=39, rng=0, quiet=True)
    assert good.npmle == "Turnbull estimate" and good.n_failed == 0
    assert min(t.p_value for t in good.values()) > 0.2
    assert max(t.p_value for t in bad.values()) <= 0.05
    assert bad["ks"].statistic > 2 * good["ks"].statistic


def test_gof_bootstrap_refits_with_the_windows(monkeypatch) -> None:
    """Every bootstrap sample carries the rows' windows into its refit."""
    from mlekit._inference import bootstrap

    data = _censored_with_entry()
    res = mk.fit(data, "lognormal")
    seen = []
    real = bootstrap.refit

    def spy(r, d):
        seen.append(d)
        return real(r, d)

    monkeypatch.setattr(bootstrap, "refit", spy)
    g = mk.gof(res, n_boot=5, rng=1, quiet=True)
    assert len(seen) == 5 and all(d.row_truncated for d in seen)
    for d in seen:
        for blk in d.blocks.values():
            if blk.size:
                assert np.all(blk.x[np.isfinite(blk.x)] >= blk.tlo[np.isfinite(blk.x)])
    assert 0 < g["ad"].p_value <= 1


# ---------------------------------------------------------------------- the simulator
def test_draws_far_in_the_upper_tail_use_the_survival_function() -> None:
    """Entry at 50 for Exp(1): F(50) rounds to 1, S(50) = e^-50 does not; the draws are
    50 + Exp(rate) (memoryless), not infinities."""
    rng = np.random.default_rng(0)
    data = mk.Data(50.0 + rng.exponential(1.0, 400), entry=np.full(400, 50.0))
    res = mk.fit(data, "exponential")
    draws = np.concatenate([Simulator(res).draw(rng).exact.x for _ in range(20)])
    assert np.all(np.isfinite(draws)) and draws.min() > 50.0
    assert (draws - 50.0).mean() == pytest.approx(1.0 / res.params["rate"], rel=0.03)
    # a window [60, 62] of a normal(0, 1): P = 1e-783 underflows; drawn in sf space
    nres = mk.fit(mk.Data(rng.normal(size=200)), "normal")
    sim = Simulator(nres, mk.Data(np.full(50, 60.5), truncation=(np.full(50, 60.0),
                                                                   np.full(50, 62.0))))
    v = sim.draw(rng).exact.x
    assert np.all((v >= 60.0) & (v <= 62.0))


def test_binomial_trials_inside_windows() -> None:
    k = np.array([3.0, 4, 5, 6, 2, 7, 5, 4, 6, 3])
    n = np.array([10.0, 10, 12, 12, 8, 14, 10, 9, 12, 7])
    data = mk.Data(k, trials=n, truncation=(np.full(10, 2.0), np.full(10, 7.0)))
    res = mk.fit(data, "binomial")
    rng = np.random.default_rng(3)
    draws = np.array([Simulator(res).draw(rng).exact.x for _ in range(400)])
    assert draws.min() >= 2 and draws.max() <= 7 and np.all(draws <= n)
    # row 4 (8 trials): Binomial(8, p) given 2 <= X <= 7
    p = res.params["p"]
    pm = stats.binom.pmf(np.arange(2, 8), 8, p)
    assert draws[:, 4].mean() == pytest.approx(float(np.sum(np.arange(2, 8) * pm) / pm.sum()),
                                               abs=0.15)
    ci = res.ci(method="bootstrap", kind="parametric", n_boot=19, rng=0)
    assert ci["p"][0] < p < ci["p"][1]
