"""The explorer page in a real browser: Playwright driving Debian's Chromium against the live
server. Screenshots of each tab go to test-artifacts/ (kept by CI as artefacts)."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import optimize, special

import mlekit as mk

pytestmark = [pytest.mark.browser, pytest.mark.console_allows(422, 413)]

Page = Any  # playwright.sync_api.Page (imported lazily by pytest-playwright)


def _open(page: Page, tab: str) -> None:
    page.goto(f"/#{tab}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("t => document.body.getAttribute('data-tab') === t", arg=tab)


def _until_text(page: Page, element_id: str, text: str) -> None:
    """Wait until an element's text contains ``text``."""
    page.wait_for_function("([i, t]) => document.getElementById(i).textContent.includes(t)",
                           arg=[element_id, text])


def _state(page: Page) -> dict[str, Any]:
    return page.evaluate("Playground.state()")


# ---------------------------------------------------------------------------- formulas
def test_the_page_formulas_agree_with_mlekit(ui: Page, rng: np.random.Generator) -> None:
    _open(ui, "playground")
    xs = np.concatenate([rng.normal(2.0, 1.5, 200), [-40.0, 0.0, 1e-9, 55.5]])
    for mu, sigma in [(2.0, 0.6), (-3.5, 0.01), (10.0, 250.0), (0.0, 1.0)]:
        js = np.array(ui.evaluate("([xs, m, s]) => xs.map(x => MLE.normalLogpdf(x, m, s))",
                                  [xs.tolist(), mu, sigma]))
        ref = mk.Normal(mu=mu, sigma=sigma).logpdf(xs)
        np.testing.assert_allclose(js, ref, rtol=1e-14, atol=1e-12)
        total = ui.evaluate("([xs, m, s]) => MLE.normalLoglik(xs, m, s)", [xs.tolist(), mu, sigma])
        assert total == pytest.approx(float(np.sum(ref)), rel=1e-13, abs=1e-12)
        via_stats = ui.evaluate("([xs, m, s]) => MLE.normalLoglikStats(MLE.moments(xs), m, s)",
                                [xs.tolist(), mu, sigma])
        assert via_stats == pytest.approx(float(np.sum(ref)), rel=1e-12)
    for pts in (xs, [2.3, 1.9, 2.5, 2.8, 1.7], [1e6 + 0.1, 1e6 + 0.2, 1e6 + 0.4]):
        res = mk.fit(list(pts), "normal")
        js_mle = ui.evaluate("(xs) => MLE.normalMLE(xs)", list(map(float, pts)))
        assert js_mle["mu"] == pytest.approx(res.params["mu"], rel=1e-13, abs=1e-12)
        assert js_mle["sigma"] == pytest.approx(res.params["sigma"], rel=1e-9, abs=1e-12)
        top = ui.evaluate("([xs, m, s]) => MLE.normalLoglik(xs, m, s)",
                          [list(map(float, pts)), js_mle["mu"], js_mle["sigma"]])
        assert top == pytest.approx(res.loglik, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("h, t", [(7, 3), (1, 9), (0, 5), (5, 0), (480, 520)])
def test_the_coin_formulas_agree_with_mlekit(ui: Page, h: int, t: int) -> None:
    _open(ui, "coin")
    flips = [1] * h + [0] * t
    if h and t:
        res = mk.fit(flips, "bernoulli")
    else:  # an estimate on the boundary: mlekit says so
        with pytest.warns((mk.BoundaryWarning, mk.NumericalWarning)):
            res = mk.fit(flips, "bernoulli")
    p_hat = ui.evaluate("([h, t]) => MLE.coinMLE(h, t)", [h, t])
    assert p_hat == pytest.approx(res.params["p"], abs=1e-15)
    for p in (0.01, 0.3, 0.5, p_hat if 0 < p_hat < 1 else 0.7, 0.99):
        js = ui.evaluate("([h, t, p]) => MLE.bernoulliLoglik(h, t, p)", [h, t, p])
        ref = float(np.sum(mk.Bernoulli(p=p).logpdf(flips)))
        assert js == pytest.approx(ref, rel=1e-13, abs=1e-12)
    ci = ui.evaluate("([h, t]) => MLE.coinLRInterval(h, t)", [h, t])
    # the likelihood-ratio interval by an independent root finder
    chi2 = 3.841458820694124
    top = res.loglik

    def g(p: float) -> float:  # scipy's xlogy: 0 log 0 = 0, so p may sit on the boundary
        return 2 * (top - float(special.xlogy(h, p) + special.xlog1py(t, -p))) - chi2

    lo = 0.0 if h == 0 else optimize.brentq(g, 1e-300, res.params["p"], xtol=1e-15, rtol=1e-15)
    hi = 1.0 if t == 0 else optimize.brentq(g, res.params["p"], 1 - 1e-16, xtol=1e-15, rtol=1e-15)
    assert ci["lo"] == pytest.approx(lo, abs=1e-12)
    assert ci["hi"] == pytest.approx(hi, abs=1e-12)
    if h > 0 and t > 0:
        wald = ui.evaluate("([h, t]) => MLE.coinWald(h, t)", [h, t])
        ref_w = res.ci(method="wald")["p"]
        assert wald["lo"] == pytest.approx(max(0.0, ref_w[0]), abs=1e-12)
        assert wald["hi"] == pytest.approx(min(1.0, ref_w[1]), abs=1e-12)


# ---------------------------------------------------------------------------- playground
def test_dragging_mu_changes_the_log_likelihood(ui: Page, artifacts: Path) -> None:
    _open(ui, "playground")
    ui.wait_for_selector("#pg-plot .main-svg")
    before = float(ui.get_attribute("#pg-loglik", "data-value"))
    st = _state(ui)
    box = ui.locator("#mu-slider").bounding_box()
    lo, hi = float(ui.get_attribute("#mu-slider", "min")), float(ui.get_attribute("#mu-slider", "max"))
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + 8 + (box["width"] - 16) * (st["mu"] - lo) / (hi - lo)
    ui.mouse.move(x0, y)
    ui.mouse.down()
    ui.mouse.move(x0 + 120, y, steps=12)
    ui.mouse.up()
    ui.wait_for_function("() => Math.abs(Playground.state().mu - 2.0) > 0.3")
    st = _state(ui)
    ui.wait_for_function(
        "v => Math.abs(+document.getElementById('pg-loglik').dataset.value - v) < 1e-9",
        arg=float(np.sum(mk.Normal(mu=st["mu"], sigma=st["sigma"]).logpdf(st["points"]))))
    after = float(ui.get_attribute("#pg-loglik", "data-value"))
    assert after != before
    assert after == pytest.approx(float(np.sum(mk.Normal(mu=st["mu"], sigma=st["sigma"])
                                               .logpdf(st["points"]))), abs=1e-12)
    assert float(ui.input_value("#mu-input")) == st["mu"]
    ui.screenshot(path=str(artifacts / "web-playground.png"), full_page=True)


def test_a_slider_change_is_drawn_in_the_next_animation_frame(ui: Page) -> None:
    _open(ui, "playground")
    ui.wait_for_selector("#pg-plot .main-svg")
    out = ui.evaluate("""() => new Promise(resolve => {
        const s = document.getElementById('sigma-slider');
        s.value = '1.3';
        s.dispatchEvent(new Event('input', {bubbles: true}));
        requestAnimationFrame(() => resolve({
            ll: +document.getElementById('pg-loglik').dataset.value,
            state: Playground.state()}));
    })""")
    st = out["state"]
    assert st["sigma"] == 1.3
    ref = float(np.sum(mk.Normal(mu=st["mu"], sigma=1.3).logpdf(st["points"])))
    assert out["ll"] == pytest.approx(ref, abs=1e-12)


def _plot_xy(page: Page, x: float, frac_y: float | None = None,
             y: float | None = None) -> tuple[float, float]:
    return tuple(page.evaluate("""([x, fy, y]) => {
        const gd = document.getElementById('pg-plot'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
        const py = y === null ? fl._size.h * fy : fl.yaxis.c2p(y);
        return [r.left + fl._size.l + fl.xaxis.c2p(x), r.top + fl._size.t + py];
    }""", [x, frac_y, y]))


def test_click_points_read_them_back_remove_one_and_jump_to_the_mle(ui: Page) -> None:
    _open(ui, "playground")
    ui.wait_for_selector("#pg-plot .main-svg")
    ui.click("#btn-clear")
    ui.wait_for_function("() => Playground.state().points.length === 0")
    targets = [1.0, 2.5, 4.0]
    for i, x in enumerate(targets):
        ui.mouse.click(*_plot_xy(ui, x, frac_y=0.45))
        ui.wait_for_function(f"() => Playground.state().points.length === {i + 1}")
    ui.wait_for_function("() => document.querySelectorAll('#pg-terms tbody tr').length === 3")
    shown = [float(v) for v in ui.eval_on_selector_all(
        "#pg-terms tbody tr", "rows => rows.map(r => r.dataset.x)")]
    assert shown == pytest.approx(targets, abs=0.03)  # pixel resolution of the click
    assert shown == _state(ui)["points"]

    # a fourth point, then click on it to remove it
    ui.mouse.click(*_plot_xy(ui, 5.2, frac_y=0.45))
    ui.wait_for_function("() => Playground.state().points.length === 4")
    extra = _state(ui)["points"][-1]
    ui.mouse.click(*_plot_xy(ui, extra, y=0.0))
    ui.wait_for_function("() => Playground.state().points.length === 3")
    assert _state(ui)["points"] == shown

    ui.click("#btn-jump")
    ui.wait_for_function("() => document.getElementById('btn-jump').dataset.state === 'idle' && "
                         "!Playground.state().animating && "
                         "document.getElementById('pg-message').textContent.includes('mlekit.fit')")
    st = _state(ui)
    ref = mk.fit(shown, "normal")
    assert st["mu"] == pytest.approx(ref.params["mu"], abs=1e-12)
    assert st["sigma"] == pytest.approx(ref.params["sigma"], abs=1e-12)
    assert float(ui.input_value("#mu-input")) == pytest.approx(ref.params["mu"], abs=1e-12)
    assert float(ui.input_value("#sigma-input")) == pytest.approx(ref.params["sigma"], abs=1e-12)
    ll = float(ui.get_attribute("#pg-loglik", "data-value"))
    assert ll == pytest.approx(ref.loglik, abs=1e-12)
    assert "ℓ(μ̂, σ̂) − ℓ(μ, σ) = 0" in ui.text_content("#pg-gap")
    # the contour marks the current position and the MLE
    marks = ui.evaluate("(() => { const d = document.getElementById('pg-contour').data;"
                        " return [d[1].x[0], d[1].y[0], d[2].x[0], d[2].y[0]]; })()")
    assert marks == pytest.approx([st["mu"], st["sigma"], ref.params["mu"], ref.params["sigma"]], abs=1e-12)


def test_jump_needs_two_distinct_points(ui: Page) -> None:
    _open(ui, "playground")
    ui.click("#btn-clear")
    ui.fill("#pg-add-x", "3")
    ui.click("#pg-add-btn")
    ui.click("#btn-jump")
    _until_text(ui, "pg-message", "two different")
    assert _state(ui)["points"] == [3.0]


def test_the_likelihood_underflows_but_the_log_likelihood_does_not(ui: Page) -> None:
    _open(ui, "playground")
    ui.evaluate("Playground.setPoints(Array.from({length: 400}, (_, i) => 2 + Math.sin(i) * 1.5))")
    _until_text(ui, "pg-lik", "underflow")
    assert math.isfinite(float(ui.get_attribute("#pg-loglik", "data-value")))


# ---------------------------------------------------------------------------- coin
def test_the_coin_starts_at_seven_of_ten(ui: Page, artifacts: Path) -> None:
    _open(ui, "coin")
    ui.wait_for_selector("#coin-plot .main-svg")
    assert ui.text_content("#coin-mle") == "0.7"
    assert ui.text_content("#coin-counts").startswith("7 heads, 3 tails")
    _until_text(ui, "coin-server", "p̂ = 0.7")
    assert "7/p" in ui.inner_text("#coin-derivation").replace(" ", "").replace("\n", "/")
    lo, hi = float(ui.get_attribute("#coin-ci", "data-lo")), float(ui.get_attribute("#coin-ci", "data-hi"))
    assert lo < 0.7 < hi
    ui.screenshot(path=str(artifacts / "web-coin.png"), full_page=True)
    ui.click("#coin-heads")
    assert ui.text_content("#coin-mle") == "0.727273"
    ui.click("#coin-tails")
    ui.click("#coin-tails")
    assert ui.text_content("#coin-counts").startswith("8 heads, 5 tails")
    ui.select_option("#coin-scale", "loglik")
    ui.click("#coin-reset")
    assert ui.text_content("#coin-mle") == "0.7"
    for _ in range(10):
        ui.click("#coin-undo")
    assert ui.text_content("#coin-mle").startswith("—")


# ---------------------------------------------------------------------------- your data
def _lifetimes(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, np.ndarray, np.ndarray]:
    t = np.round(rng.weibull(1.6, 150) * 900.0 + 1.0, 2)
    failed = rng.random(150) > 0.3
    path = tmp_path / "bulbs.csv"
    path.write_text("hours,failed\n" + "\n".join(f"{a},{int(b)}" for a, b in zip(t, failed)))
    return path, t, failed


def test_upload_a_censored_csv_fit_and_see_the_table(ui: Page, tmp_path: Path, artifacts: Path,
                                                     rng: np.random.Generator) -> None:
    path, t, failed = _lifetimes(tmp_path, rng)
    _open(ui, "data")
    ui.wait_for_selector("#data-families input", state="attached")
    ui.set_input_files("#data-file", str(path))
    ui.wait_for_selector("#data-setup:not([hidden])")
    assert ui.input_value("#data-column") == "hours"
    assert ui.input_value("#data-observed") == "failed"
    assert ui.input_value("#data-censoring") == "right"
    ui.uncheck("#data-all")
    fams = ["exponential", "weibull", "lognormal"]
    for f in fams:
        ui.check(f"#data-families input[value={f}]")
    assert ui.input_value("#data-ci") == "profile"
    ui.click("#data-fit")
    ui.wait_for_selector("#data-results:not([hidden])")
    rows = ui.eval_on_selector_all("#data-table tbody tr", "rs => rs.map(r => "
                                   "[r.dataset.family, r.cells[2].textContent, r.cells[3].textContent])")
    data = mk.Data(t, observed=failed)
    refs = {f: mk.fit(data, f) for f in fams}
    assert sorted(r[0] for r in rows) == sorted(fams)
    for fam, ll, aic in rows:
        assert float(ll.replace("−", "-")) == pytest.approx(refs[fam].loglik, rel=1e-6)
        assert float(aic.replace("−", "-")) == pytest.approx(refs[fam].aic, rel=1e-6)
    best = min(refs, key=lambda f: refs[f].aic)
    assert rows[0][0] == best and ui.text_content("#data-chosen").startswith(best)
    est = ui.eval_on_selector_all("#data-estimates tbody tr", "rs => rs.map(r => "
                                  "[r.dataset.param, r.cells[1].textContent, r.cells[3].textContent])")
    prof = refs[best].ci(method="profile")
    for p, v, ci in est:
        assert float(v.replace("−", "-")) == pytest.approx(refs[best].params[p], rel=1e-5)
        lo, hi = (float(a.replace("−", "-")) for a in ci.strip("[]").split(","))
        assert [lo, hi] == pytest.approx(list(prof[p]), rel=1e-4)
    assert "profile" in ui.text_content("#data-estimates thead")
    n_traces = ui.evaluate("['plot-density', 'plot-qq', 'plot-cdf'].map(id => "
                           "document.getElementById(id).data.length)")
    assert n_traces[0] == 3 and n_traces[1] == 2 and n_traces[2] == 2  # bars x2 + curve, ...
    # another row: its fit replaces the chosen one
    other = rows[-1][0]
    ui.click(f"#data-table tbody tr[data-family={other}]")
    assert ui.text_content("#data-chosen").startswith(other)
    ui.screenshot(path=str(artifacts / "web-data.png"), full_page=True)

    with ui.expect_download() as dl:
        ui.click("#data-download-json")
    saved = json.loads(Path(dl.value.path()).read_text())
    assert saved["chosen"] == other and saved["request"]["observed_column"] == "failed"
    assert {r["family"] for r in saved["result"]["table"]} == set(fams)
    with ui.expect_download() as dl:
        ui.click("button.png[data-plot=plot-density]")
    assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_malformed_upload_shows_the_error_inline(ui: Page, tmp_path: Path) -> None:
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3,4,5\n")
    _open(ui, "data")
    ui.set_input_files("#data-file", str(bad))
    ui.wait_for_selector("#data-error:not([hidden])")
    assert "Expected 2 fields in line 3" in ui.text_content("#data-error")
    ui.fill("#data-text", "1.5 2.5 oops")
    ui.click("#data-paste-btn")
    _until_text(ui, "data-error", "'oops'")
    # a text column picked for fitting: the error from the API is shown inline too
    ui.fill("#data-text", "name,value\nx,1\ny,2\n")
    ui.click("#data-paste-btn")
    ui.wait_for_selector("#data-setup:not([hidden])")
    ui.select_option("#data-column", "name")
    ui.click("#data-fit")
    _until_text(ui, "data-error", "must be numeric")
    assert not ui.is_visible("#data-results")


def test_a_long_fit_shows_progress_and_can_be_cancelled(ui: Page, tmp_path: Path,
                                                        rng: np.random.Generator) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "big.parquet"
    buf = io.BytesIO()
    pq.write_table(pa.table({"x": rng.weibull(1.3, 1_000_000) * 10 + 0.001}), buf)
    path.write_bytes(buf.getvalue())
    _open(ui, "data")
    ui.set_input_files("#data-file", str(path))
    ui.wait_for_selector("#data-setup:not([hidden])")
    ui.click("#data-fit")
    _until_text(ui, "data-progress-text", "fitting")
    assert ui.is_visible("#data-cancel") and ui.is_visible("#data-progress")
    ui.click("#data-cancel")
    ui.wait_for_function("() => document.getElementById('data-progress-text').textContent === 'cancelled'")
    assert not ui.is_visible("#data-cancel") and ui.is_enabled("#data-fit")
    assert not ui.is_visible("#data-results")


def test_value_column_decimal_commas_and_stale_data(ui: Page) -> None:
    _open(ui, "data")
    path = mk.datasets.path("defects")
    ui.set_input_files("#data-file", str(path))
    ui.wait_for_selector("#data-setup:not([hidden])")
    assert ui.input_value("#data-column") == "defects"          # not "day"
    assert "was chosen" in ui.text_content("#data-column-note")  # and the page says so
    ui.fill("#data-text", "1,5 2,5 3,5")
    ui.click("#data-paste-btn")
    _until_text(ui, "data-error", "decimal commas")
    assert not ui.is_visible("#data-setup")                      # the old data set is gone
    ui.fill("#data-text", "")
    ui.click("#data-paste-btn")
    ui.wait_for_selector("#data-error:not([hidden])")
    assert not ui.is_visible("#data-setup")


def test_interval_censored_and_weighted_upload(ui: Page, tmp_path: Path) -> None:
    path = tmp_path / "bounds.csv"
    path.write_text("lo,hi,w\n1.0,2.0,1\n2.0,3.5,2\n0.5,1.5,1\n3.0,,1\n1.2,1.8,3\n1.5,2.5,2\n")
    _open(ui, "data")
    ui.wait_for_selector("#data-families input", state="attached")
    ui.set_input_files("#data-file", str(path))
    ui.wait_for_selector("#data-setup:not([hidden])")
    ui.select_option("#data-column", "lo")
    ui.select_option("#data-observed", "")
    ui.select_option("#data-upper", "hi")
    ui.select_option("#data-weight", "w")
    ui.uncheck("#data-all")
    ui.check("#data-families input[value=weibull]")
    ui.select_option("#data-ci", "wald")
    ui.click("#data-fit")
    ui.wait_for_selector("#data-results:not([hidden])")
    _until_text(ui, "data-notes", "interval-censored")
    ref = mk.fit(mk.Data.interval([1.0, 2.0, 0.5, 3.0, 1.2, 1.5], [2.0, 3.5, 1.5, np.inf, 1.8, 2.5],
                                  weights=[1, 2, 1, 1, 3, 2]), "weibull")
    ll = ui.eval_on_selector("#data-table tbody tr[data-family=weibull]", "r => r.cells[2].textContent")
    assert float(ll.replace("−", "-")) == pytest.approx(ref.loglik, rel=1e-5)


def test_a_gev_fit_shows_the_return_level_plot(ui: Page, artifacts: Path) -> None:
    x = mk.datasets.portpirie()["sea_level"].to_numpy(dtype=float)
    _open(ui, "data")
    ui.wait_for_selector("#data-families input", state="attached")
    ui.fill("#data-text", "\n".join(repr(float(v)) for v in x))
    ui.click("#data-paste-btn")
    ui.wait_for_selector("#data-setup:not([hidden])")
    ui.uncheck("#data-all")
    for fam in ("gev", "normal"):
        ui.check(f"#data-families input[value={fam}]")
    ui.click("#data-fit")
    ui.wait_for_selector("#data-results:not([hidden])")
    ui.click("#data-table tbody tr[data-family=normal]")
    _until_text(ui, "data-chosen", "normal")
    assert not ui.is_visible("#plot-return-card")             # no return levels for the normal
    ui.click("#data-table tbody tr[data-family=gev]")
    _until_text(ui, "data-chosen", "gev")
    ui.wait_for_selector("#plot-return-card:not([hidden])")
    drawn = ui.evaluate("""() => { const gd = document.getElementById('plot-return');
        return { xtype: gd.layout.xaxis.type, traces: gd.data.map(t => ({ name: t.name || '',
                 x: Array.from(t.x), y: Array.from(t.y) })) }; }""")
    assert drawn["xtype"] == "log"
    band_lo, band_hi, curve, points = drawn["traces"]
    assert "profile" in band_hi["name"] and "gev" in curve["name"]
    res = mk.fit(x, "gev")
    ref = res.return_level(100)
    i = curve["x"].index(100)
    assert abs(curve["y"][i] - float(ref.estimate)) <= 1e-9
    assert band_lo["y"][i] == pytest.approx(ref.ci[0], rel=1e-9)
    assert band_hi["y"][i] == pytest.approx(ref.ci[1], rel=1e-9)
    assert sorted(points["y"]) == sorted(x.tolist()) and len(points["x"]) == x.size
    ui.locator("#plot-return-card").screenshot(path=str(artifacts / "data-return-levels.png"))
    ui.click("#data-table tbody tr[data-family=normal]")
    ui.wait_for_selector("#plot-return-card", state="hidden")
