"""The playground beyond the Gaussian, in Debian's Chromium: each family class, censored points,
live intervals, the link, keyboard access and a phone-sized screen. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mlekit as mk
from mlekit._fit.likelihood import Likelihood
from mlekit.web._playground import points_data

pytestmark = pytest.mark.browser

Page = Any  # playwright.sync_api.Page


def _open(page: Page, query: str = "") -> None:
    page.goto(f"/{query}#playground")
    page.wait_for_selector("#tab-playground[data-ready=true]")
    _settled(page)


def _settled(page: Page) -> dict[str, Any]:
    """Wait until the shown log-likelihood and the intervals belong to the current state."""
    try:
        page.wait_for_function(
            "() => { const s = Playground.state(); return s.evaluated && s.fitted && !s.animating && "
            "document.getElementById('pg-loglik').dataset.current === 'true' && "
            "document.getElementById('btn-jump').dataset.state === 'idle'; }", timeout=30_000)
    except Exception as exc:  # say what the page was doing
        state = page.evaluate("Playground.state()")
        raise AssertionError(f"the playground did not settle: {state}; message: "
                             f"{page.text_content('#pg-message')!r}; gap: "
                             f"{page.text_content('#pg-gap')!r}") from exc
    return dict(page.evaluate("Playground.state()"))


def _shown_loglik(page: Page) -> float:
    return float(page.get_attribute("[data-testid=loglik]", "data-value"))


def _pick(page: Page, family: str) -> dict[str, Any]:
    page.select_option("[data-testid=family]", family)
    page.wait_for_function("f => Playground.state().family === f", arg=family)
    return _settled(page)


def _jump(page: Page) -> dict[str, Any]:
    page.click("[data-testid=jump-to-mle]")
    page.wait_for_function("() => document.getElementById('pg-message').textContent.includes('mlekit.fit')")
    return _settled(page)


def _family(st: dict[str, Any]) -> Any:
    fam = mk.get_family(st["family"])
    return type(fam)(n=st["trials"]) if st["trials"] else fam


def _loglik_at(st: dict[str, Any]) -> float:
    fam = _family(st)
    theta = tuple(st["params"][p] for p in fam.param_names)
    return Likelihood(fam, points_data(st["points"], st["kinds"])).loglik(theta)


@pytest.mark.parametrize("family, shape", [("logistic", "real line"), ("weibull", "positive"),
                                           ("beta", "(0, 1)"), ("negative_binomial", "counts"),
                                           ("beta_binomial", "known trials")])
def test_each_family_class(ui: Page, artifacts: Path, family: str, shape: str) -> None:
    _open(ui)
    st = _pick(ui, family)
    fam = _family(st)
    # a family of a known number of trials (the server names them): set up with n, shown
    assert (st["trials"] == 10) is (shape == "known trials")
    assert ui.is_visible("#pg-trials-label") is (shape == "known trials")
    # one slider (and number box) per parameter, inside the family's domain
    for p, dom in zip(fam.param_names, fam.domains):
        lo = float(ui.get_attribute(f"#{p}-slider", "min"))
        hi = float(ui.get_attribute(f"#{p}-slider", "max"))
        assert dom.lower <= lo < st["params"][p] < hi <= dom.upper or lo <= st["params"][p] <= hi
    # the shown log-likelihood is mlekit's at the slider values, and the density is drawn
    assert _shown_loglik(ui) == pytest.approx(_loglik_at(st), rel=1e-12)
    kind = ui.evaluate("document.getElementById('pg-plot').data[0].type || 'scatter'")
    assert kind == ("bar" if fam.discrete else "scatter")
    rows = ui.eval_on_selector_all("#pg-terms tbody tr", "rs => rs.map(r => r.cells[4].textContent)")
    assert len(rows) == len(st["points"])
    # jump to the MLE: mk.fit's answer, and the shown log-likelihood is its loglik
    st = _jump(ui)
    ref = mk.fit(points_data(st["points"], st["kinds"]), fam)
    assert st["params"] == pytest.approx(dict(ref.params), rel=1e-12)
    assert _shown_loglik(ui) == pytest.approx(ref.loglik, rel=1e-9)
    # the contour (two or more parameters) marks the MLE
    if len(fam.param_names) >= 2:
        # the surface is redrawn after the fit arrives: wait for the redraw that carries the mark
        ui.wait_for_function("() => { const d = document.getElementById('pg-contour').data || [];"
                             " return d.length === 3 && d[2].x && d[2].x[0] != null; }")
        mark = ui.evaluate("document.getElementById('pg-contour').data[2].x[0]")
        assert mark == pytest.approx(ref.params[fam.param_names[0]], rel=1e-12)
    ui.screenshot(path=str(artifacts / f"web-playground-{family}.png"), full_page=True)


def test_censoring_toggles_move_the_mle(ui: Page, artifacts: Path) -> None:
    _open(ui, "?family=weibull&shape=1.5&scale=2&x=1.2,3.4,5,0.3,2.2,4.1")
    exact = _jump(ui)
    # shift-click the point at 5: it becomes "still running at 5" (drawn as an arrow)
    xy = ui.evaluate("""() => {
        const gd = document.getElementById('pg-plot'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
        return [r.left + fl._size.l + fl.xaxis.c2p(5), r.top + fl._size.t + fl.yaxis.c2p(0)]; }""")
    ui.keyboard.down("Shift")
    ui.mouse.click(*xy)
    ui.keyboard.up("Shift")
    ui.wait_for_function("() => Playground.state().kinds[2] === 'r'")
    # the table's toggle makes the point at 0.3 "below the detection limit"
    ui.select_option("#pg-terms tbody tr:nth-child(4) select", "l")
    ui.wait_for_function("() => Playground.state().kinds[3] === 'l'")
    st = _settled(ui)
    assert st["kinds"] == ["e", "e", "r", "l", "e", "e"]
    cells = ui.eval_on_selector_all("#pg-terms tbody tr", "rs => rs.map(r => r.cells[3].textContent)")
    assert cells[2].startswith("S(x)") and cells[3].startswith("F(x)") and cells[0].startswith("f(x)")
    symbols = ui.evaluate("document.getElementById('pg-plot').data.find(t => t.name === 'observations')"
                          ".marker.symbol")
    assert symbols[2] == "triangle-right" and symbols[3] == "triangle-left"
    st = _jump(ui)
    data = mk.Data.interval([1.2, 3.4, 5.0, -math.inf, 2.2, 4.1], [1.2, 3.4, math.inf, 0.3, 2.2, 4.1])
    ref = mk.fit(data, "weibull")
    assert _shown_loglik(ui) == pytest.approx(ref.loglik, rel=1e-9)
    assert st["params"] == pytest.approx(dict(ref.params), rel=1e-12)
    assert st["params"]["scale"] > exact["params"]["scale"]  # a survivor pushes the scale up
    assert "x=1.2,3.4,5r,0.3l,2.2,4.1" in ui.evaluate("location.search")
    ui.screenshot(path=str(artifacts / "web-playground-censored.png"), full_page=True)


def test_intervals_on_the_profile_curve_and_a_derived_quantity(ui: Page) -> None:
    _open(ui, "?family=gamma&shape=2&scale=1&x=0.4,1.9,2.2,0.8,3.1,1.2,5.5,0.9")
    ref = mk.fit([0.4, 1.9, 2.2, 0.8, 3.1, 1.2, 5.5, 0.9], "gamma")
    ui.select_option("#pg-ci-param", "scale")
    ui.wait_for_function("() => document.getElementById('pg-profile').dataset.param === 'scale'")
    row = ui.eval_on_selector("#pg-ci-table tr[data-param=scale]",
                              "r => [...r.cells].map(c => c.textContent)")
    lo, hi = (float(v.replace("−", "-")) for v in row[4].strip("[]").split(","))
    prof = ref.ci(method="profile", params=["scale"])["scale"]
    assert [lo, hi] == pytest.approx(list(prof), rel=1e-4)
    wl, wh = (float(v.replace("−", "-")) for v in row[3].strip("[]").split(","))
    assert [wl, wh] == pytest.approx(list(ref.ci(method="wald")["scale"]), rel=1e-4)
    traces = ui.evaluate("document.getElementById('pg-profile').data.map(t => [t.name, t.x, t.y])")
    by = {t[0]: t for t in traces}
    cut = ref.profile("scale").loglik_max - 3.841458820694124 / 2
    assert by["χ² cut-off"][2] == pytest.approx([cut, cut], rel=1e-9)
    assert by["profile interval"][1] == pytest.approx(list(prof), rel=1e-9)
    # a derived quantity with its interval: the median, then survival at t = 2
    ui.select_option("#pg-derived", "median")
    ui.wait_for_function("() => document.getElementById('pg-derived-out').textContent.startsWith('median')")
    est = float(ui.get_attribute("[data-testid=derived]", "data-estimate"))
    assert est == pytest.approx(ref.derived("median").estimate, rel=1e-12)
    ui.select_option("#pg-derived", "sf")
    ui.fill("#pg-derived-at", "2")
    ui.dispatch_event("#pg-derived-at", "change")
    ui.wait_for_function("() => document.getElementById('pg-derived-out').textContent.startsWith('S(2)')")
    est = float(ui.get_attribute("[data-testid=derived]", "data-estimate"))
    assert est == pytest.approx(ref.sf(2.0).estimate, rel=1e-12)
    # the intervals follow the points
    ui.evaluate("Playground.setPoints([0.4, 1.9, 2.2, 0.8, 3.1, 1.2, 5.5, 0.9, 7.5])")
    _settled(ui)
    est2 = float(ui.get_attribute("[data-testid=derived]", "data-estimate"))
    assert est2 == pytest.approx(mk.fit([0.4, 1.9, 2.2, 0.8, 3.1, 1.2, 5.5, 0.9, 7.5], "gamma")
                                 .sf(2.0).estimate, rel=1e-12)


def test_the_surface_holds_the_others_at_the_mle_or_the_sliders(ui: Page) -> None:
    x = [2.1, 3.5, 2.8, 4.9, 3.1, 2.4, 3.9, 2.9, 6.2, 3.3]
    _open(ui, "?family=gev&loc=3&scale=1&shape=0.05&x=" + ",".join(map(str, x)))
    ref = mk.fit(x, "gev")
    lik = Likelihood(mk.get_family("gev"), mk.Data(x))

    def check(shape: float) -> None:
        d = ui.evaluate("(() => { const d = document.getElementById('pg-contour').data[0];"
                        " return {x: d.x, y: d.y, z: d.z}; })()")
        z = np.array([[np.nan if v is None else v for v in row] for row in d["z"]])
        i, j = np.unravel_index(np.nanargmax(z), z.shape)   # the top is never clipped
        for r, c in ((i, j), (i, max(j - 1, 0)), (max(i - 1, 0), j)):
            want = lik.loglik((d["x"][c], d["y"][r], shape))
            assert z[r, c] == pytest.approx(max(want, np.nanmax(z) - 20), rel=1e-12)

    key = "s => (document.getElementById('pg-contour').dataset.key || '').includes(s)"
    ui.wait_for_function(key, arg=f'"shape":{ref.params["shape"]!r}')
    check(ref.params["shape"])   # others at their MLE (the default)
    ui.select_option("#pg-surf-hold", "slider")
    ui.wait_for_function(key, arg='{"shape":0.05}')
    check(0.05)


def test_a_link_opens_the_same_picture_and_the_page_writes_it_back(ui: Page) -> None:
    _open(ui, "?family=weibull&shape=1.5&scale=2&x=1.2,3.4,5r,0.3l&other=kept")
    st = _settled(ui)
    assert st["family"] == "weibull" and st["params"] == {"shape": 1.5, "scale": 2.0}
    assert st["points"] == [1.2, 3.4, 5.0, 0.3] and st["kinds"] == ["e", "e", "r", "l"]
    assert ui.input_value("[data-testid=family]") == "weibull"
    assert _shown_loglik(ui) == pytest.approx(_loglik_at(st), rel=1e-12)
    # change the state; the address follows (replaceState), other pages' keys stay
    ui.focus("#shape-slider")
    ui.keyboard.press("ArrowRight")
    ui.wait_for_function("() => Playground.state().params.shape > 1.5")
    new = _settled(ui)
    ui.wait_for_function("s => location.search.includes('shape=' + s)", arg=str(new["params"]["shape"]))
    search = ui.evaluate("location.search")
    assert "other=kept" in search and "x=1.2,3.4,5r,0.3l" in search
    # "copy link" gives that address; opened in a fresh page it shows the same state
    ui.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ui.click("#pg-copy-link")
    ui.wait_for_function("() => document.getElementById('pg-copy-status').textContent.length > 0")
    link = ui.input_value("#pg-share-text")
    assert link.endswith(search + "#playground")
    other = ui.context.new_page()
    other.goto(link)
    other.wait_for_selector("#tab-playground[data-ready=true]")
    again = _settled(other)
    for key in ("family", "params", "points", "kinds"):
        assert again[key] == new[key], key
    other.close()
    # "copy the Python code": it reproduces the fit
    ui.click("#pg-copy-code")
    ui.wait_for_function("() => document.getElementById('pg-copy-status').textContent.startsWith('Python')")
    code = ui.input_value("#pg-share-text")
    ns: dict[str, Any] = {"print": lambda *a: None}
    exec(code, ns)  # the page's own generated code
    ref = mk.fit(mk.Data.interval([1.2, 3.4, 5.0, -math.inf], [1.2, 3.4, math.inf, 0.3]), "weibull")
    assert ns["res"].loglik == pytest.approx(ref.loglik, rel=1e-12)


def test_a_bad_link_says_what_was_wrong(ui: Page) -> None:
    _open(ui, "?family=weibull&shape=abc&x=1,2,3")
    assert "shape=abc is not a number" in ui.text_content("#pg-message")
    st = _settled(ui)
    assert st["family"] == "weibull" and st["points"] == [1.0, 2.0, 3.0]


def test_sliders_work_from_the_keyboard(ui: Page) -> None:
    _open(ui)
    ui.focus("#mu-slider")
    lo = float(ui.get_attribute("#mu-slider", "min"))
    hi = float(ui.get_attribute("#mu-slider", "max"))
    before = ui.evaluate("Playground.state().mu")
    ui.keyboard.press("ArrowRight")
    ui.keyboard.press("ArrowRight")
    after = ui.evaluate("Playground.state().mu")
    assert after == pytest.approx(before + 2 * (hi - lo) / 100, rel=1e-9)
    ui.keyboard.press("PageDown")
    assert ui.evaluate("Playground.state().mu") == pytest.approx(after - (hi - lo) / 10, rel=1e-9)
    ui.keyboard.press("Home")
    assert ui.evaluate("Playground.state().mu") == pytest.approx(lo)
    st = _settled(ui)
    ref = float(np.sum(mk.Normal(mu=st["mu"], sigma=st["sigma"]).logpdf(st["points"])))
    assert _shown_loglik(ui) == pytest.approx(ref, abs=1e-12)
    # Tab reaches the next slider; a non-Gaussian family's sliders answer the keys too
    ui.keyboard.press("Tab")
    ui.keyboard.press("Tab")
    assert ui.evaluate("document.activeElement.id") == "sigma-slider"
    _pick(ui, "poisson")
    ui.focus("#rate-slider")
    rate = ui.evaluate("Playground.state().params.rate")
    ui.keyboard.press("ArrowLeft")
    ui.wait_for_function("r => Playground.state().params.rate < r", arg=rate)
    st = _settled(ui)
    assert _shown_loglik(ui) == pytest.approx(_loglik_at(st), rel=1e-12)
    assert "rate" in (ui.get_attribute("#rate-slider", "aria-valuetext") or "")


def test_a_phone_screen_has_no_horizontal_scrolling(ui: Page, artifacts: Path) -> None:
    ui.set_viewport_size({"width": 375, "height": 800})
    _open(ui)
    _pick(ui, "weibull")
    for tab in ("playground", "coin", "data"):
        ui.evaluate("t => App.showTab(t)", tab)
        width = ui.evaluate("document.documentElement.scrollWidth")
        wide = ui.evaluate("() => [...document.querySelectorAll('body *')].filter(e => "
                           "e.getBoundingClientRect().right > 376 && !e.closest('.table-wrap') && "
                           "e.offsetParent !== null).map(e => e.tagName + '#' + e.id).slice(0, 8)")
        assert width <= 375, (tab, width, wide)
    ui.evaluate("App.showTab('playground')")
    ui.screenshot(path=str(artifacts / "web-playground-phone.png"), full_page=True)


def test_the_gaussian_seed_still_starts_where_it_did(ui: Page) -> None:
    _open(ui)
    st = _settled(ui)
    assert st["family"] == "normal" and st["points"] == [2.3, 1.9, 2.5, 2.8, 1.7]
    assert (st["mu"], st["sigma"]) == (2.0, 0.6)
    assert ui.input_value("[data-testid=family]") == "normal"
    # switching away and back keeps the points; the Gaussian is computed in the page again
    _pick(ui, "lognormal")
    st = _pick(ui, "normal")
    assert st["points"] == [2.3, 1.9, 2.5, 2.8, 1.7]
    ref = mk.fit(st["points"], "normal")
    _jump(ui)
    assert _shown_loglik(ui) == pytest.approx(ref.loglik, abs=1e-12)


def test_the_link_format_reads_and_writes_exactly(ui: Page) -> None:
    _open(ui)
    parsed = ui.evaluate("PGState.parsePoints('1.2, 3.4,5r,0.3l,-2e-3,.5L')")
    assert parsed == {"x": [1.2, 3.4, 5.0, 0.3, -0.002, 0.5], "kinds": ["e", "e", "r", "l", "e", "l"]}
    for bad in ("1e", "abc", "5x", "1,,2r r", "0x10", "Infinity", "1e999"):
        assert ui.evaluate("t => PGState.parsePoints(t)", bad) is None, bad
    names = "f => ({weibull: ['shape', 'scale'], normal: ['mu', 'sigma']})[f] || null"
    out = ui.evaluate(f"q => PGState.parse(q, {names})",
                      "?family=weibull&shape=1.5&scale=abc&x=1,2r&trials=0.5&lang=fr")
    assert out["family"] == "weibull" and out["params"] == {"shape": 1.5}
    assert out["x"] == [1.0, 2.0] and out["kinds"] == ["e", "r"] and "trials" not in out
    assert len(out["problems"]) == 2
    assert ui.evaluate(f"q => PGState.parse(q, {names})", "?lang=fr") is None
    unknown = ui.evaluate(f"q => PGState.parse(q, {names})", "?family=nope&x=1")
    assert unknown["family"] == "normal" and "unknown family" in unknown["problems"][0]
    # written back: every double survives the round trip, foreign keys are kept
    state = {"family": "weibull", "trials": None, "names": ["shape", "scale"],
             "params": {"shape": 1.3755863809065854, "scale": 2.0}, "x": [0.1 + 0.2, 5.0],
             "kinds": ["e", "r"]}
    q = ui.evaluate("([s, q]) => PGState.format(s, q, k => ['family', 'x', 'shape', 'scale']"
                    ".includes(k))", [state, "?shape=9&lang=fr"])
    assert q == "?family=weibull&shape=1.3755863809065854&scale=2&x=0.30000000000000004,5r&lang=fr"
    back = ui.evaluate(f"q => PGState.parse(q, {names})", q)
    assert back["params"] == state["params"] and back["x"] == state["x"]
