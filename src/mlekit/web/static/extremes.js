/* mlekit explorer — extreme values: a GEV fit to annual maxima, the return-level plot with its
 * profile band, and a slider over the return period. Every number is mlekit's, from
 * POST /api/extremes/fit (the slider's periods are computed with the fit; any other T typed in
 * the box is asked for). State in the link: ?page=extremes&T=100[&maxima=4.03,3.83,...]. */
(function (root) {
  "use strict";
  var App = root.App, MLE = root.MLE;
  var SLIDER = [2, 3, 4, 5, 7, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250, 300, 400,
                500, 750, 1000];
  var MAX_LINK_VALUES = 500;   // pasted maxima kept in the link up to this many
  var st = { result: null, T: 100, maxima: null, seq: 0, custom: null, label: "return level" };

  function el(id) { return document.getElementById(id); }
  function num(v) {
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    return v === null || v === undefined ? NaN : v;
  }
  function fmt(v) { return MLE.fmt(num(v), 5); }

  function showError(msg) {
    var box = el("ext-error");
    box.textContent = msg || "";
    box.hidden = !msg;
  }

  /* ------------------------------------------------------------------ state in the link */
  function writeLink() {
    if (document.body.getAttribute("data-tab") !== "extremes") return;
    var q = new URLSearchParams();
    q.set("page", "extremes");
    q.set("T", String(st.T));
    if (st.maxima && st.maxima.length <= MAX_LINK_VALUES) q.set("maxima", st.maxima.join(","));
    var url = location.pathname + "?" + q.toString().replace(/%2C/g, ",");
    if (location.search + location.hash !== url.slice(location.pathname.length)) {
      history.replaceState(null, "", url);
    }
  }

  function readLink() {
    var q = new URLSearchParams(location.search);
    var T = parseFloat(q.get("T"));
    if (Number.isFinite(T) && T > 1) st.T = T;
    var m = q.get("maxima");
    if (m) {
      var vals = m.split(",").map(Number);
      if (vals.length && vals.every(Number.isFinite)) st.maxima = vals;
    }
  }

  /* ------------------------------------------------------------------ fitting */
  function fit(body) {
    var seq = ++st.seq;
    showError("");
    el("ext-info").textContent = "fitting…";
    el("ext-fit-btn").disabled = el("ext-example-btn").disabled = true;
    return App.api("/api/extremes/fit", { method: "POST", json: body }).then(function (out) {
      if (seq !== st.seq) return;
      st.result = out;
      st.custom = null;
      render();
    }).catch(function (err) {
      if (seq !== st.seq) return;
      st.result = null;
      clearResult();
      showError(err.message);
      el("ext-info").textContent = "";
    }).then(function () {
      el("ext-fit-btn").disabled = el("ext-example-btn").disabled = false;
      document.body.setAttribute("data-extremes", st.result ? "fitted" : "empty");
    });
  }

  function fitExample() {
    st.maxima = null;
    st.label = "sea level (m)";
    return fit({ dataset: "portpirie" });
  }

  function fitPasted() {
    var text = el("ext-text").value;
    var vals = text.trim().split(/[\s,;]+/).map(Number);
    st.maxima = vals.length && vals.every(Number.isFinite) ? vals : null;
    st.label = "return level";
    return fit({ text: text });
  }

  function clearResult() {
    el("ext-params").querySelector("tbody").innerHTML = "";
    el("ext-diagnostics").innerHTML = "";
    el("ext-fitinfo").textContent = "";
    ["ext-level", "ext-ci", "ext-se"].forEach(function (id) {
      el(id).textContent = "—";
      el(id).removeAttribute("data-value");
    });
    el("ext-code").textContent = "";
    if (root.Plotly) root.Plotly.purge(el("ext-plot"));
  }

  /* ------------------------------------------------------------------ rendering */
  function render() {
    var out = st.result, f = out.fit, d = out.data;
    el("ext-info").textContent = (d.title ? d.title + ": " : d.name + ": ") + d.n + " maxima" +
      (d.n_dropped ? " (" + d.n_dropped + " missing, left out)" : "") + ".";
    var body = el("ext-params").querySelector("tbody");
    body.innerHTML = "";
    ["loc", "scale", "shape"].forEach(function (k) {
      var ci = f.ci[k] || [null, null];
      body.appendChild(App.h("tr", null, [
        App.h("td", { text: k }), App.h("td", { text: fmt(f.params[k]) }),
        App.h("td", { text: fmt(f.se[k]) }),
        App.h("td", { text: MLE.fmt(num(ci[0]), 4) + " … " + MLE.fmt(num(ci[1]), 4) })]));
    });
    el("ext-fitinfo").textContent = "log-likelihood " + fmt(f.loglik) + " · AIC " + fmt(f.aic) +
      " · n = " + f.n_obs + (f.converged ? "" : " · did not converge") +
      (f.ci_note ? " · " + f.ci_note : "") +
      " · shape > 0: heavy (Fréchet) tail; < 0: bounded (Weibull) tail; 0: Gumbel.";
    var diag = el("ext-diagnostics");
    diag.innerHTML = "";
    (f.diagnostics || []).forEach(function (g) {
      diag.appendChild(App.h("li", { class: g.severity, text: g.message }));
    });
    el("ext-code").textContent = out.python;
    setT(st.T, true);
  }

  /** The numbers for period T: from the fit's answer (the slider's periods) or asked for. */
  function levelsAt(T) {
    var rl = st.result.return_levels, i = rl.period.indexOf(T);
    if (i >= 0) return { T: T, est: rl.estimate[i], lo: rl.lower[i], hi: rl.upper[i], se: rl.se[i] };
    if (st.custom && st.custom.T === T) return st.custom;
    return null;
  }

  function setT(T, redraw) {
    st.T = T;
    var i = SLIDER.indexOf(T);
    if (i >= 0) el("ext-T").value = String(i);
    if (parseFloat(el("ext-T-input").value) !== T) el("ext-T-input").value = String(T);
    writeLink();
    if (!st.result) return;
    var lv = levelsAt(T);
    if (lv === null) { ask(T); return; }
    show(lv, redraw);
  }

  function show(lv, redraw) {
    el("ext-T-label").textContent = MLE.fmt(lv.T, 6);
    el("ext-level").textContent = fmt(lv.est);
    el("ext-level").setAttribute("data-value", String(num(lv.est)));
    el("ext-level").setAttribute("data-period", String(lv.T));
    el("ext-ci").textContent = fmt(lv.lo) + " … " + fmt(lv.hi);
    el("ext-ci").setAttribute("data-value", JSON.stringify([lv.lo, lv.hi]));
    el("ext-se").textContent = fmt(lv.se);
    if (redraw) draw(); else moveMarker(lv);
  }

  function ask(T) {
    var body = st.maxima ? { values: st.maxima } : { dataset: "portpirie" };
    if (st.result && st.result.data.name !== "portpirie" && !st.maxima) {
      body = { text: el("ext-text").value };
    }
    body.periods = [T];
    body.curve = false;
    el("ext-level").textContent = "computing…";
    var seq = st.seq;
    App.api("/api/extremes/fit", { method: "POST", json: body }).then(function (out) {
      if (seq !== st.seq || st.T !== T) return;
      var rl = out.return_levels;
      st.custom = { T: T, est: rl.estimate[0], lo: rl.lower[0], hi: rl.upper[0], se: rl.se[0] };
      show(st.custom, true);
    }).catch(function (err) { showError(err.message); });
  }

  function finite(xs) { return xs.map(function (v) { v = num(v); return Number.isFinite(v) ? v : null; }); }

  function markerTrace(lv) {
    var lo = num(lv.lo), hi = num(lv.hi), est = num(lv.est);
    return { x: [lv.T, lv.T, lv.T], y: [Number.isFinite(lo) ? lo : null, est,
                                      Number.isFinite(hi) ? hi : null],
             mode: "lines+markers", name: "T-year level and interval",
             line: { color: "#d92d48", width: 3 }, marker: { color: "#d92d48", size: [7, 12, 7] },
             hovertemplate: "T=%{x:.4g}<br>%{y:.5g}<extra></extra>" };
  }

  function draw() {
    if (!root.Plotly || !st.result) return;
    var c = st.result.curve, p = st.result.points, lv = levelsAt(st.T);
    var traces = [
      { x: c.period, y: finite(c.lower), mode: "lines", line: { width: 0 }, hoverinfo: "skip",
        showlegend: false },
      { x: c.period, y: finite(c.upper), mode: "lines", line: { width: 0 }, fill: "tonexty",
        fillcolor: "rgba(59,111,216,0.18)", name: "95% profile interval", hoverinfo: "skip" },
      { x: c.period, y: finite(c.estimate), mode: "lines", line: { color: "#3b6fd8", width: 2.5 },
        name: "return level (GEV)", hovertemplate: "T=%{x:.4g}<br>%{y:.5g}<extra></extra>" },
      { x: p.period, y: p.level, mode: "markers", marker: { color: "#1d2433", size: 5 },
        name: "data (empirical periods)", hovertemplate: "T≈%{x:.3g}<br>%{y:.4g}<extra></extra>" },
      lv ? markerTrace(lv) : { x: [], y: [] }
    ];
    root.Plotly.react(el("ext-plot"), traces, {
      margin: { l: 60, r: 14, t: 12, b: 48 }, dragmode: false,
      legend: { orientation: "h", x: 0, y: -0.22, yanchor: "top" },
      xaxis: { type: "log", title: { text: "return period T (years, log scale)" }, fixedrange: true,
               tickvals: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
      yaxis: { title: { text: st.label }, automargin: true, fixedrange: true }
    }, App.PLOT_CONFIG);
  }

  function moveMarker(lv) {
    var gd = el("ext-plot");
    if (!root.Plotly || !gd.data || gd.data.length < 5) { draw(); return; }
    var m = markerTrace(lv);
    root.Plotly.restyle(gd, { x: [m.x], y: [m.y] }, [4]);
  }

  /* ------------------------------------------------------------------ copy buttons */
  function copy(text, what) {
    var done = function () { el("ext-copied").textContent = what + " copied"; };
    var fail = function () { el("ext-copied").textContent = "copy it from here: " + text; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fail);
    } else { fail(); }
  }

  /* ------------------------------------------------------------------ wiring */
  document.addEventListener("DOMContentLoaded", function () {
    el("ext-T").max = String(SLIDER.length - 1);
    el("ext-T").addEventListener("input", function () {
      setT(SLIDER[parseInt(el("ext-T").value, 10)], false);
    });
    el("ext-T-input").addEventListener("change", function () {
      var T = parseFloat(el("ext-T-input").value);
      if (!(Number.isFinite(T) && T > 1 && T <= 1e6)) {
        showError("the return period must be a number above 1 (years) and at most 1,000,000; got " +
                  el("ext-T-input").value + ".");
        return;
      }
      showError("");
      setT(T, false);
    });
    el("ext-fit-btn").addEventListener("click", fitPasted);
    el("ext-example-btn").addEventListener("click", fitExample);
    el("ext-copy-link").addEventListener("click", function () { copy(location.href, "link"); });
    el("ext-copy-code").addEventListener("click", function () {
      copy(el("ext-code").textContent, "Python code");
    });
  });

  App.registerTab("extremes", function (first) {
    if (first) {
      readLink();
      if (st.maxima) {
        el("ext-text").value = st.maxima.join(" ");
        fitPasted();
      } else {
        fitExample();
      }
    } else {
      writeLink();
      App.resizePlots(["ext-plot"]);
    }
  });

  root.Extremes = { state: function () { return { T: st.T, result: st.result, custom: st.custom }; },
                    SLIDER: SLIDER };
})(window);
