/* mlekit explorer — the playground: any family, censored points, live intervals, the link.
 *
 * The Gaussian with exact points is computed in the browser (window.MLE, tested equal to
 * mlekit to 1e-12) so a slider drag redraws within one animation frame. Every other family,
 * and any censored point, is evaluated by mlekit through POST /api/playground/eval (one
 * request in flight; the newest slider value wins). "Jump to MLE" and the intervals come from
 * POST /api/playground/fit, the family switch from /api/playground/setup, the surface over two
 * parameters from /api/playground/surface.
 */
(function (root) {
  "use strict";
  var MLE = root.MLE, App = root.App, PGState = root.PGState, PGIntervals = root.PGIntervals;
  var PGDraw = root.PGDraw;
  var SEED = [2.3, 1.9, 2.5, 2.8, 1.7];
  var DEFAULT_RANGE = [-1, 6];
  var MAX_ROWS = 200;
  var LABELS = { mu: "μ", sigma: "σ" };
  var KIND_NAMES = root.PGDraw.KIND_NAMES;
  var NORMAL = { family: "normal", names: ["mu", "sigma"], discrete: false, support: [-Infinity, Infinity],
                 domains: { mu: [-Infinity, Infinity], sigma: [0, Infinity] } };

  var st = {
    family: "normal", names: NORMAL.names.slice(), domains: NORMAL.domains, discrete: false,
    support: NORMAL.support, trials: null, params: { mu: 2.0, sigma: 0.6 }, ranges: {},
    pts: SEED.slice(), kinds: SEED.map(function () { return "e"; }), xr: DEFAULT_RANGE.slice(),
    version: 0, dataVersion: 0, drawnVersion: -1, contourBox: null, frame: 0, animating: false,
    fit: null, fitVersion: -1, fitSeq: 0, fitTimer: 0, lastServerFit: null,
    evalRes: null, evalResKey: "", evalBusy: false, evalPending: false, evalError: null,
    surfKey: "", surfTimer: 0, surfSeq: 0, surfDrawn: false,
    families: [], familyNames: {}, trialsFamilies: {}, urlTimer: 0, busy: false
  };

  function el(id) { return document.getElementById(id); }
  function num(v) { return v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === null ? NaN : v; }
  function label(p) { return LABELS[p] || p; }
  /** "μ̂" for a one-letter name; a longer one stays plain ("shape"). */
  function hat(p) { var l = label(p); return l.length === 1 ? l + "̂" : l; }
  function isPositive(p) { var d = st.domains[p]; return d && d[0] === 0 && d[1] === Infinity; }
  function allExact() { return st.kinds.every(function (k) { return k === "e"; }); }
  function isLocal() { return st.family === "normal" && allExact(); }

  // ---------------------------------------------------------------- state changes
  function setParams(values, fromInput) {
    Object.keys(values).forEach(function (p) {
      var v = values[p], d = st.domains[p];
      if (!Number.isFinite(v) || !d) return;
      if ((Number.isFinite(d[0]) && v <= d[0]) || (Number.isFinite(d[1]) && v >= d[1])) return;
      st.params[p] = v;
      if (fromInput !== p) { var inp = el(p + "-input"); if (inp) inp.value = String(v); }
    });
    if (st.family === "normal") extendRange([st.params.mu]);
    schedule();
  }

  function setPoints(pts, kinds) {
    st.pts = pts;
    st.kinds = kinds || pts.map(function () { return "e"; });
    st.version++;
    st.dataVersion++;
    if (pts.length) extendRange(pts);
    scheduleFit();
    schedule();
  }

  function setKind(i, kind) {
    var kinds = st.kinds.slice();
    kinds[i] = kind;
    setPoints(st.pts.slice(), kinds);
  }

  function extendRange(xs) {
    var a = st.xr[0], b = st.xr[1], pad = st.discrete ? 1 : 0.5;
    xs.forEach(function (x) {
      if (x - pad < a) a = Math.floor(x - pad);
      if (x + pad > b) b = Math.ceil(x + pad);
    });
    a = Math.max(a, lowerPlotBound());
    if (a !== st.xr[0] || b !== st.xr[1]) { st.xr = [a, b]; st.version++; }
  }

  function lowerPlotBound() {
    var lo = st.support[0];
    if (!Number.isFinite(lo)) return -Infinity;
    return st.discrete ? lo - 0.5 : lo;
  }

  /** The plot's x range for a fresh set of points (family switch, example, link). */
  function fitRange(xs) {
    var lo = st.support[0], hi = st.support[1];
    if (!xs.length) return st.family === "normal" ? DEFAULT_RANGE.slice() : [Number.isFinite(lo) ? lo : -1, 6];
    var a = Math.min.apply(null, xs), b = Math.max.apply(null, xs), pad = 0.15 * (b - a) + 0.5;
    if (lo === 0 && hi === 1 && !st.discrete) return [0, 1];
    if (st.discrete) return [Math.max(lo - 0.5, Math.floor(a - 1.5)), Math.ceil(b + 1.5 + 0.2 * (b - a))];
    var r = [Math.floor(a - pad), Math.ceil(b + pad)];
    if (Number.isFinite(lo) && (r[0] < lo || lo === 0)) r[0] = lo;
    return r;
  }

  function schedule() {
    // until the next frame draws, the readouts show the previous state (data-current says so)
    var ll = el("pg-loglik");
    if (ll) ll.setAttribute("data-current", "false");
    if (st.frame) return;
    st.frame = root.requestAnimationFrame(function () { st.frame = 0; render(); });
  }

  // ---------------------------------------------------------------- sliders
  function sliderRange(p) {
    var v = st.params[p], r;
    if (st.family === "normal") {
      if (p === "mu") r = st.xr.slice();
      else {
        var mle = isLocal() ? localMLE() : null;
        var smax = Math.max(3, mle ? 2 * mle.sigma : 0, st.params.sigma);
        r = [0.05, Math.ceil(smax * 10) / 10];
      }
    } else {
      r = (st.ranges[p] || [v - 1, v + 1]).slice();
    }
    if (v < r[0]) r[0] = isPositive(p) ? v / 1.5 : v - 0.1 * (r[1] - r[0]);
    if (v > r[1]) r[1] = isPositive(p) ? v * 1.5 : v + 0.1 * (r[1] - r[0]);
    return r;
  }

  function buildSliders() {
    var box = el("pg-sliders");
    box.textContent = "";
    st.names.forEach(function (p) {
      var row = App.h("div", { class: "param" });
      var text = p === "mu" && st.family === "normal" ? "μ (mean)" :
        p === "sigma" && st.family === "normal" ? "σ (std. dev.)" : p;
      row.appendChild(App.h("label", { for: p + "-slider", text: text }));
      var s = App.h("input", { type: "range", id: p + "-slider", step: "any", "data-param": p });
      var n = App.h("input", { type: "number", id: p + "-input", step: "any", "aria-label": label(p) + " value",
                               "data-param": p });
      row.appendChild(s);
      row.appendChild(n);
      box.appendChild(row);
      s.addEventListener("input", function (e) {
        var o = {}; o[p] = parseFloat(e.target.value); setParams(o);
      });
      s.addEventListener("keydown", onSliderKey);
      n.addEventListener("input", function (e) {
        var o = {}; o[p] = parseFloat(e.target.value); setParams(o, p);
      });
      n.value = String(st.params[p]);
      var r = sliderRange(p);
      s.min = String(r[0]); s.max = String(r[1]); s.value = String(st.params[p]);
    });
    fillSelect(el("pg-ci-param"), st.names, st.names[0]);
    fillSelect(el("pg-surf-x"), st.names, st.names[0]);
    fillSelect(el("pg-surf-y"), st.names, st.names[1] || st.names[0]);
    el("pg-surf-controls").hidden = st.names.length < 2;
    el("pg-surf-hold-label").hidden = st.names.length < 3;
  }

  function fillSelect(sel, names, chosen) {
    var old = sel.value;
    sel.textContent = "";
    names.forEach(function (n) { sel.appendChild(App.h("option", { value: n, text: label(n) })); });
    sel.value = names.indexOf(old) >= 0 && old !== "" && sel.id === "pg-ci-param" ? old : chosen;
  }

  /** Arrow keys move 1% of the slider's range, PageUp/PageDown 10%, Home/End to the ends. */
  function onSliderKey(e) {
    var s = e.target, p = s.getAttribute("data-param");
    var lo = parseFloat(s.min), hi = parseFloat(s.max), v = st.params[p], step = (hi - lo) / 100;
    var k = e.key, nv = null;
    if (k === "ArrowRight" || k === "ArrowUp") nv = v + step;
    else if (k === "ArrowLeft" || k === "ArrowDown") nv = v - step;
    else if (k === "PageUp") nv = v + 10 * step;
    else if (k === "PageDown") nv = v - 10 * step;
    else if (k === "Home") nv = lo;
    else if (k === "End") nv = hi;
    if (nv === null) return;
    e.preventDefault();
    nv = Math.min(hi, Math.max(lo, nv));
    if (isPositive(p) && nv <= 0) nv = step / 10;
    var o = {}; o[p] = Number(nv.toPrecision(12)); setParams(o);
  }

  function renderSliders() {
    st.names.forEach(function (p) {
      var s = el(p + "-slider");
      if (!s) return;
      var r = sliderRange(p);
      s.min = String(r[0]); s.max = String(r[1]);
      if (document.activeElement !== s) s.value = String(st.params[p]);
      s.setAttribute("aria-valuetext", label(p) + " = " + MLE.fmt(st.params[p], 6));
    });
  }

  // ---------------------------------------------------------------- the two evaluators
  function localMLE() {
    var mom = MLE.moments(st.pts);
    return st.pts.length >= 2 && mom.m2 > 0 ? MLE.normalMLE(st.pts) : null;
  }

  /** The Gaussian with exact points, in the browser: the numbers of window.MLE. */
  function localView() {
    var pts = st.pts, n = pts.length, mu = st.params.mu, sigma = st.params.sigma;
    var logs = new Array(n), sum = 0;
    for (var i = 0; i < n; i++) { logs[i] = MLE.normalLogpdf(pts[i], mu, sigma); sum += logs[i]; }
    var m = 400, xs = new Array(m), ys = new Array(m), a = st.xr[0], b = st.xr[1];
    for (i = 0; i < m; i++) { xs[i] = a + (b - a) * i / (m - 1); ys[i] = MLE.normalPdf(xs[i], mu, sigma); }
    return { curve: { kind: "pdf", x: xs, y: ys }, terms: logs, loglik: n ? sum : null, current: true,
             peak: 1 / (sigma * Math.sqrt(2 * Math.PI)) };
  }

  function evalKey() {
    return JSON.stringify([st.family, st.trials, st.params, st.version, st.xr]);
  }

  function payloadPoints() {
    var o = { family: st.family, x: st.pts.slice(), kinds: st.kinds.slice() };
    if (st.trials) o.trials = st.trials;
    return o;
  }

  function requestEval() {
    var key = evalKey();
    if (st.evalResKey === key) return;
    if (st.evalBusy) { st.evalPending = true; return; }
    st.evalBusy = true;
    var body = payloadPoints();
    body.params = Object.assign({}, st.params);
    body.xrange = st.xr.slice();
    App.api("/api/playground/eval", { method: "POST", json: body }).then(function (r) {
      st.evalRes = r; st.evalError = null; st.evalResKey = key;
    }).catch(function (err) {
      st.evalError = err; st.evalResKey = key;
    }).then(function () {
      st.evalBusy = false;
      if (st.evalPending) { st.evalPending = false; requestEval(); }
      schedule();
    });
  }

  function serverView() {
    requestEval();
    if (st.evalError && st.evalResKey === evalKey()) {
      return { error: st.evalError.message };
    }
    var r = st.evalRes;
    if (!r || r.family !== st.family) return null;
    return { curve: { kind: r.curve.kind, x: r.curve.x, y: r.curve.y.map(num) },
             terms: r.terms.map(num), loglik: r.loglik === null ? null : num(r.loglik),
             current: st.evalResKey === evalKey(), points: r.n };
  }

  // ---------------------------------------------------------------- drawing
  // ---------------------------------------------------------------- drawing (pg-draw.js)
  function pointY(ymax) { return PGDraw.pointY(st, ymax); }
  function mainTraces(view, ymax) { return PGDraw.mainTraces(st, view, ymax); }
  function yMax(view) { return PGDraw.yMax(st, view); }
  function mainLayout(ymax) { return PGDraw.mainLayout(st, ymax); }
  function contourGrid(mom, mle) { return PGDraw.contourGrid(st, mom, mle); }
  function emptyPlot(gd, text) { PGDraw.emptyPlot(gd, text); }
  function contourPlot(x, y, z, px, py, mark, box) { PGDraw.contourPlot(st, label, x, y, z, px, py, mark, box); }

  function drawLocalContour(mom, mle) {
    if (mom.n < 2) {
      emptyPlot(el("pg-contour"), "add at least two points to see the surface");
      st.contourBox = null;
      return;
    }
    var g = contourGrid(mom, mle);
    st.contourBox = g.box;
    contourPlot(g.mus, g.sigs, g.z, "mu", "sigma", mle ? [mle.mu, mle.sigma] : null, g.box);
  }

  // ---------------------------------------------------------------- the surface (server)
  function surfaceSpec() {
    var px = el("pg-surf-x").value, py = el("pg-surf-y").value;
    var hold = el("pg-surf-hold").value, fit = fitIsCurrent() ? st.fit : null;
    if (st.names.length < 2 || !px || !py || px === py) return null;
    var base = hold === "mle" && fit ? Object.assign({}, fit.params) : Object.assign({}, st.params);
    var others = {};
    st.names.forEach(function (n) { if (n !== px && n !== py) others[n] = base[n]; });
    var xr = sliderRange(px), yr = sliderRange(py);
    return { px: px, py: py, xr: xr, yr: yr, base: base,
             key: JSON.stringify([st.family, st.trials, st.dataVersion, px, py, xr, yr, others,
                                  fit ? fit.params : null]) };
  }

  function updateSurface() {
    var gd = el("pg-contour");
    if (st.names.length < 2 || !st.pts.length) { clearTimeout(st.surfTimer); st.surfSeq++; }
    if (st.names.length < 2) {
      emptyPlot(gd, "one parameter: its log-likelihood is the profile curve below");
      st.surfKey = "one";
      return;
    }
    if (!st.pts.length) { emptyPlot(gd, "add points to see the surface"); st.surfKey = "none"; return; }
    var spec = surfaceSpec();
    if (!spec) {
      clearTimeout(st.surfTimer); st.surfSeq++;
      emptyPlot(gd, "choose two different parameters"); st.surfKey = "same"; return;
    }
    if (spec.key === st.surfKey) {
      if (gd.data && gd.data.length === 3) {
        root.Plotly.restyle(gd, { x: [[st.params[spec.px]]], y: [[st.params[spec.py]]] }, [1]);
      }
      return;
    }
    clearTimeout(st.surfTimer);
    var body = payloadPoints();   // the state the key describes, not the one when the timer fires
    body.params = spec.base; body.px = spec.px; body.py = spec.py;
    body.xrange = spec.xr; body.yrange = spec.yr; body.n = 31;
    st.surfSeq++;
    st.surfTimer = setTimeout(function () {
      var seq = st.surfSeq;
      App.api("/api/playground/surface", { method: "POST", json: body }).then(function (r) {
        if (seq !== st.surfSeq) return;
        st.surfKey = spec.key;
        var z = r.z.map(function (row) { return row.map(num); }), top = -Infinity;
        z.forEach(function (row) { row.forEach(function (v) { if (v > top) top = v; }); });
        var floor = top - Math.max(12, 2 * st.pts.length);
        z = z.map(function (row) { return row.map(function (v) { return Number.isFinite(v) ? Math.max(v, floor) : null; }); });
        var fit = fitIsCurrent() ? st.fit : null;
        contourPlot(r.x, r.y, z, spec.px, spec.py, fit ? [num(fit.params[spec.px]), num(fit.params[spec.py])] : null,
                    [r.x[0], r.x[r.x.length - 1], r.y[0], r.y[r.y.length - 1]]);
        gd.setAttribute("data-key", spec.key);
      }).catch(function (err) {
        if (seq !== st.surfSeq) return;
        st.surfKey = spec.key;
        emptyPlot(gd, "no surface: " + err.message.slice(0, 80));
      });
    }, 150);
  }

  // ---------------------------------------------------------------- read-outs
  function renderTerms(view) {
    var body = el("pg-terms").tBodies[0];
    var n = st.pts.length, rows = body.rows;
    var shown = Math.min(n, MAX_ROWS);
    if (rows.length !== shown + (n > MAX_ROWS ? 1 : 0) || st.drawnVersion !== st.version) {
      body.textContent = "";
      for (var i = 0; i < shown; i++) {
        var tr = body.insertRow();
        tr.setAttribute("data-x", String(st.pts[i]));
        tr.setAttribute("data-kind", st.kinds[i]);
        tr.insertCell().textContent = String(i + 1);
        tr.insertCell().textContent = MLE.fmt(st.pts[i], 6);
        var sel = App.h("select", { "aria-label": "kind of point " + (i + 1), "data-i": String(i) });
        ["e", "r", "l"].forEach(function (k) {
          sel.appendChild(App.h("option", { value: k, text: KIND_NAMES[k] }));
        });
        sel.value = st.kinds[i];
        sel.addEventListener("change", onKindSelect);
        tr.insertCell().appendChild(sel);
        tr.insertCell();
        tr.insertCell();
      }
      if (n > MAX_ROWS) {
        var more = body.insertRow(), c = more.insertCell();
        c.colSpan = 5;
        c.textContent = "… and " + (n - MAX_ROWS) + " more";
      }
    }
    var fn = { e: st.discrete ? "P" : "f", r: "S", l: "F" };
    for (var k = 0; k < shown; k++) {
      var t = view ? view.terms[k] : NaN, kind = st.kinds[k];
      var arg = kind === "r" && st.discrete ? "x−1" : "x";
      body.rows[k].cells[3].textContent = fn[kind] + "(" + arg + ") = " + MLE.fmt(Math.exp(t), 6);
      body.rows[k].cells[4].textContent = MLE.fmt(t, 6);
    }
  }

  function onKindSelect(e) { setKind(parseInt(e.target.getAttribute("data-i"), 10), e.target.value); }

  function readouts(view) {
    var n = st.pts.length, ll = view ? view.loglik : null, out = el("pg-loglik");
    var prod = 1;
    if (view) view.terms.forEach(function (t) { prod *= Math.exp(t); });
    el("pg-count").textContent = n + (n === 1 ? " point" : " points") +
      (allExact() ? "" : " (" + st.kinds.filter(function (k) { return k !== "e"; }).length + " censored)");
    out.textContent = !n ? "— (no points)" : ll === null ? "…" : MLE.fmt(ll, 8);
    out.setAttribute("data-value", n && ll !== null ? String(ll) : "");
    out.setAttribute("data-current", view && view.current ? "true" : "false");
    var likText = n && ll !== null ? MLE.fmt(prod, 6) : "—";
    if (n && prod === 0 && Number.isFinite(ll)) likText = "0 (underflow! it is 10^" + MLE.fmt(ll / Math.LN10, 6) + ")";
    el("pg-lik").textContent = likText;
    el("pg-terms-prod").textContent = n ? likText : "—";
    el("pg-terms-sum").textContent = n && ll !== null ? MLE.fmt(ll, 8) : "—";
    var local = isLocal(), mle = local ? localMLE() : null, fit = fitIsCurrent() ? st.fit : null;
    el("pg-mle-label").textContent = local ? "MLE (closed form)" : "MLE (mlekit" + (fit ? ", " + fit.method : "") + ")";
    var box = el("pg-mle");
    box.textContent = "";
    st.names.forEach(function (p, i) {
      var v = local ? (mle ? mle[p] : null) : fit ? num(fit.params[p]) : null;
      if (i) box.appendChild(document.createTextNode(", "));
      box.appendChild(document.createTextNode(hat(p) + " = "));
      box.appendChild(App.h("output", { id: "pg-mle-" + p, "data-value": v === null ? "" : String(v),
                                        text: v === null ? "—" : MLE.fmt(v, 6) }));
    });
    var gap = el("pg-gap");
    if (local && mle) {
      var top = MLE.normalLoglik(st.pts, mle.mu, mle.sigma), g = top - ll;
      gap.textContent = "μ − μ̂ = " + MLE.fmt(st.params.mu - mle.mu, 4) + ", σ − σ̂ = " +
        MLE.fmt(st.params.sigma - mle.sigma, 4) + "; ℓ(μ̂, σ̂) − ℓ(μ, σ) = " + MLE.fmt(g, 4) +
        " (the data are " + MLE.fmt(Math.exp(g), 4) + "× more likely at the MLE)";
    } else if (local) {
      gap.textContent = n < 2 ? "add at least two points" :
        "all points are equal: σ̂ would be 0 (the likelihood has no maximum)";
    } else if (fit && ll !== null && fit.loglik !== "inf") {
      var d = num(fit.loglik) - ll;
      gap.textContent = "ℓ(θ̂) − ℓ(θ) = " + MLE.fmt(d, 4) + " (the data are " + MLE.fmt(Math.exp(d), 4) +
        "× more likely at the MLE)";
    } else {
      gap.textContent = view && view.error ? view.error : n ? "…" : "add points";
    }
  }

  // ---------------------------------------------------------------- render
  function render() {
    renderSliders();
    var local = isLocal(), view = local ? localView() : serverView();
    if (view && !view.error) {
      var ymax = yMax(view);
      root.Plotly.react(el("pg-plot"), mainTraces(view, ymax), mainLayout(ymax), App.PLOT_CONFIG);
      st.lastYmax = ymax;
    }
    readouts(view && !view.error ? view : view && view.error ? { error: view.error, terms: [], loglik: null } : null);
    if (view && !view.error) renderTerms(view);
    else if (st.drawnVersion !== st.version) renderTerms(null);
    if (local) {
      var mom = MLE.moments(st.pts), box = st.contourBox, mu = st.params.mu, sg = st.params.sigma;
      var outside = box && (mu < box[0] || mu > box[1] || sg < box[2] || sg > box[3]);
      if (st.drawnVersion !== st.version || outside || !box || st.surfKey !== "local") {
        clearTimeout(st.surfTimer); st.surfSeq++;   // no server surface may land on it
        drawLocalContour(mom, localMLE());
        st.surfKey = "local";
      } else {
        root.Plotly.restyle(el("pg-contour"), { x: [[mu]], y: [[sg]] }, [1]);
      }
    } else {
      updateSurface();
    }
    var ci = el("pg-ci-param").value;
    PGIntervals.setCurrent(st.params[ci]);
    st.drawnVersion = st.version;
    el("pg-plot").setAttribute("data-version", String(st.version));
    writeURLSoon();
  }

  // ---------------------------------------------------------------- fits (intervals, jump)
  function fitIsCurrent() { return st.fit && st.fitVersion === st.dataVersion && st.fit.family === st.family; }

  function fitBody() {
    var body = payloadPoints();
    body.param = el("pg-ci-param").value || st.names[0];
    body.derived = el("pg-derived").value;
    var at = parseFloat(el("pg-derived-at").value);
    if (body.derived === "quantile" || body.derived === "sf") {
      if (Number.isFinite(at)) body.at = at;
      else if (body.derived === "quantile") body.at = 0.5;
    }
    return body;
  }

  /** POST /api/playground/fit for the current points; resolves to the fit (or rejects). */
  function runFit() {
    var seq = ++st.fitSeq, version = st.dataVersion, family = st.family;
    el("pg-intervals").setAttribute("data-state", "fetching");
    return App.api("/api/playground/fit", { method: "POST", json: fitBody() }).then(function (r) {
      if (seq === st.fitSeq && version === st.dataVersion && family === st.family) {
        st.fit = r; st.fitVersion = version; st.lastServerFit = r;
        if (family !== "normal") {
          Object.keys(r.ranges).forEach(function (p) {
            if (document.activeElement !== el(p + "-slider")) st.ranges[p] = r.ranges[p];
          });
        }
        PGIntervals.render(r, LABELS, st.params[r.param]);
        el("pg-code").textContent = r.code;
        el("pg-intervals").setAttribute("data-state", "idle");
        schedule();
      }
      return r;
    }, function (err) {
      if (seq === st.fitSeq) {
        st.fit = null;
        PGIntervals.clear(st.pts.length ? "no fit: " + err.message : "add points to see intervals");
        el("pg-intervals").setAttribute("data-state", "error");
        schedule();
      }
      throw err;
    });
  }

  function scheduleFit() {
    clearTimeout(st.fitTimer);
    st.fitTimer = setTimeout(function () { runFit().catch(function () { /* shown in the card */ }); }, 250);
  }

  function ease(t) { return t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2; }

  function animateTo(target, ms) {
    var from = Object.assign({}, st.params), t0 = null, btn = el("btn-jump");
    st.animating = true;
    btn.setAttribute("data-state", "animating");
    return new Promise(function (resolve) {
      function step(ts) {
        if (t0 === null) t0 = ts;
        var t = Math.min(1, (ts - t0) / ms), e = ease(t), o = {};
        if (t < 1) {
          st.names.forEach(function (p) {
            var a = from[p], b = target[p];
            o[p] = isPositive(p) && a > 0 && b > 0 ? a * Math.pow(b / a, e) : a + (b - a) * e;
          });
          setParams(o);
          root.requestAnimationFrame(step);
        } else {
          setParams(target);   // land exactly on mlekit's numbers
          st.animating = false;
          btn.setAttribute("data-state", "idle");
          resolve();
        }
      }
      root.requestAnimationFrame(step);
    });
  }

  function jump() {
    var msg = el("pg-message");
    if (st.family === "normal" && allExact() && (st.pts.length < 2 || new Set(st.pts).size < 2)) {
      msg.textContent = "Add at least two different points first: with fewer, σ̂ = 0 and the " +
        "likelihood has no maximum.";
      msg.className = "note warn";
      return Promise.resolve();
    }
    var btn = el("btn-jump");
    btn.disabled = true;
    btn.setAttribute("data-state", "fetching");
    clearTimeout(st.fitTimer);
    return runFit().then(function (r) {
      var target = {};
      st.names.forEach(function (p) { target[p] = num(r.params[p]); });
      var ok = st.names.every(function (p) { return Number.isFinite(target[p]); });
      msg.className = "note";
      var what = allExact() ? "points" : "mk.Data(points, censored)";
      msg.textContent = "mlekit.fit(" + what + ", \"" + st.family + "\") → " + st.names.map(function (p) {
        return hat(p) + " = " + MLE.fmt(target[p], 8);
      }).join(", ") + " (" + r.method + (st.family === "normal" && allExact() ? "; σ̂ divides by n, not n − 1" : "") +
        "; ℓ = " + MLE.fmt(num(r.loglik), 10) + ").";
      if (!ok) {
        msg.className = "note warn";
        msg.textContent = "mlekit found no finite maximum here: " + r.diagnostics.join("; ");
        btn.setAttribute("data-state", "idle");
        return null;
      }
      return animateTo(target, 700);
    }).catch(function (err) {
      msg.className = "note error";
      msg.textContent = "Could not fit: " + err.message;
      btn.setAttribute("data-state", "idle");
    }).then(function () { btn.disabled = false; });
  }

  // ---------------------------------------------------------------- clicks on the plot
  function onPlotClick(evt) {
    var gd = el("pg-plot"), fl = gd._fullLayout;
    if (!fl || st.animating) return;
    var box = gd.getBoundingClientRect();
    var px = evt.clientX - box.left - fl._size.l, py = evt.clientY - box.top - fl._size.t;
    if (px < -8 || px > fl._size.w + 8 || py < -8 || py > fl._size.h + 12) return;
    var xa = fl.xaxis, ya = fl.yaxis, ys = pointY(st.lastYmax || 1);
    var best = -1, bestD = Infinity;
    st.pts.forEach(function (x, i) {
      var d = Math.hypot(xa.c2p(x) - px, ya.c2p(ys[i]) - py);
      if (d < bestD) { bestD = d; best = i; }
    });
    var mode = el("pg-click-mode").value;
    if (best >= 0 && bestD <= 10) {
      if (evt.shiftKey) { setKind(best, { e: "r", r: "l", l: "e" }[st.kinds[best]]); return; }
      if (mode === "add") {
        var pts = st.pts.slice(), kinds = st.kinds.slice();
        pts.splice(best, 1); kinds.splice(best, 1);
        setPoints(pts, kinds);
      } else {
        setKind(best, st.kinds[best] === mode ? "e" : mode);
      }
      return;
    }
    if (evt.shiftKey || px < 0 || px > fl._size.w) return;
    addPoint(xa.p2c(px), mode === "add" ? "e" : mode);
  }

  function addPoint(x, kind) {
    var v = st.discrete ? Math.round(x) : Math.round(x * 1000) / 1000;
    var lo = st.support[0], hi = st.support[1], msg = el("pg-message");
    var bad = st.discrete ? v < lo || v > hi : (Number.isFinite(lo) && v <= lo) || (Number.isFinite(hi) && v >= hi);
    if (st.trials) bad = bad || v > st.trials;   // a known number of trials n: k <= n
    if (bad) {
      msg.className = "note warn";
      msg.textContent = "x = " + MLE.fmt(v, 6) + " is outside what " + st.family + " can produce" +
        (Number.isFinite(lo) ? " (x ≥ " + lo + (st.discrete ? ", a whole number" : "") + ")" : "") + ".";
      return;
    }
    setPoints(st.pts.concat([v]), st.kinds.concat([kind || "e"]));
  }

  // ---------------------------------------------------------------- family switch and the link
  function applySetup(r, params) {
    st.family = r.family; st.names = r.params.slice();
    st.domains = {};
    st.names.forEach(function (p) { st.domains[p] = r.domains[p].map(num); });
    st.discrete = r.discrete; st.support = r.support.map(num);
    st.trials = r.trials || null;
    st.ranges = r.ranges;
    st.params = {};
    st.names.forEach(function (p) {
      var v = params && Number.isFinite(params[p]) ? params[p] : num(r.start[p]);
      if (!Number.isFinite(v)) v = (r.ranges[p][0] + r.ranges[p][1]) / 2;
      st.params[p] = v;
    });
    st.fit = null; st.evalRes = null; st.evalResKey = ""; st.surfKey = "";
    st.xr = fitRange(r.x);
    el("pg-family").value = r.family;
    el("pg-trials-label").hidden = !st.trials;
    if (st.trials) el("pg-trials").value = String(st.trials);
    el("pg-formula").textContent = r.formula;
    el("btn-seed").textContent = r.family === "normal" ? "Load the five example points" : "Load the example points";
    buildSliders();
    setPoints(r.x.map(num), r.kinds);
  }

  function setup(family, opts) {
    opts = opts || {};
    var body = { family: family, x: opts.x || [], kinds: opts.kinds || null, keep: !!opts.keep };
    if (st.trialsFamilies[family]) body.trials = opts.trials || st.trials || 10;
    var msg = el("pg-message"), sel = el("pg-family");
    sel.disabled = true;
    return App.api("/api/playground/setup", { method: "POST", json: body }).then(function (r) {
      applySetup(r, opts.params);
      if (r.replaced && opts.x && opts.x.length) {
        msg.className = "note";
        msg.textContent = "The points did not suit " + r.family + " (" + r.support.map(num).join(" … ") +
          "), so its example points are shown.";
      } else if (!opts.quiet) { msg.className = "note"; msg.textContent = ""; }
      return r;
    }).catch(function (err) {
      msg.className = "note error";
      msg.textContent = "Could not switch to " + family + ": " + err.message;
      sel.value = st.family;
      throw err;
    }).then(function (r) { sel.disabled = false; return r; }, function (e) { sel.disabled = false; throw e; });
  }

  function loadFamilies() {
    // which families need the number of trials n: the server says (the family classes declare it)
    return Promise.all([App.api("/api/families"), App.api("/api/playground/families")]).then(function (both) {
      var fams = both[0];
      st.trialsFamilies = {};
      both[1].trials.forEach(function (f) { st.trialsFamilies[f] = true; });
      st.families = fams;
      var sel = el("pg-family"), groups = {};
      var order = [["real", "the real line"], ["positive", "positive values"], ["unit", "probabilities (0, 1)"],
                   ["counts", "counts (drawn as bars)"]];
      order.forEach(function (g) { groups[g[0]] = App.h("optgroup", { label: g[1] }); });
      fams.forEach(function (f) {
        st.familyNames[f.name] = f.params;
        var g = f.discrete ? "counts" : f.support === "(0, 1)" ? "unit" :
          /^\(-inf, inf\)$/.test(f.support) || f.name === "gev" ? "real" : "positive";
        groups[g].appendChild(App.h("option", { value: f.name, text: f.name + " (" + f.params.join(", ") + ")" }));
      });
      sel.textContent = "";
      order.forEach(function (g) { sel.appendChild(groups[g[0]]); });
      sel.value = st.family;
    });
  }

  function owned(key) {
    if (key === "family" || key === "x" || key === "trials") return true;
    return Object.keys(st.familyNames).some(function (f) { return st.familyNames[f].indexOf(key) >= 0; });
  }

  function writeURLSoon() {
    if (!st.urlReady) return;
    clearTimeout(st.urlTimer);
    st.urlTimer = setTimeout(writeURL, 120);
  }

  function currentLink() {
    var q = PGState.format({ family: st.family, trials: st.trials, names: st.names, params: st.params,
                             x: st.pts, kinds: st.kinds }, location.search, owned);
    return q + location.hash;
  }

  function writeURL() {
    var target = currentLink();
    if (location.search + location.hash !== target) root.history.replaceState(null, "", target);
  }

  function readURL() {
    var s = PGState.parse(location.search, function (f) { return st.familyNames[f] || null; });
    if (!s) return Promise.resolve();
    var msg = el("pg-message");
    return setup(s.family, { x: s.x || st.pts, kinds: s.kinds || st.kinds, trials: s.trials,
                             params: s.params, keep: true, quiet: true }).then(function () {
      if (s.problems.length) { msg.className = "note warn"; msg.textContent = "From the link: " + s.problems.join("; ") + "."; }
    }).catch(function () { /* the message says why */ });
  }

  function copy(text, what) {
    var msg = el("pg-copy-status"), box = el("pg-share-text");
    box.value = text;
    el("pg-share").hidden = false;
    function fallback() {
      box.focus(); box.select();
      msg.textContent = what + " selected below: press Ctrl+C (⌘C) to copy it.";
    }
    if (!navigator.clipboard || !navigator.clipboard.writeText) { fallback(); return Promise.resolve(); }
    return navigator.clipboard.writeText(text).then(function () {
      msg.textContent = what + " copied to the clipboard.";
    }, fallback);
  }

  // ---------------------------------------------------------------- wiring
  function init() {
    el("btn-jump").addEventListener("click", jump);
    el("btn-seed").addEventListener("click", function () {
      if (st.family === "normal") {
        st.xr = DEFAULT_RANGE.slice();
        setPoints(SEED.slice());
      } else {
        setup(st.family, { trials: st.trials }).catch(function () { /* shown */ });
      }
    });
    el("btn-clear").addEventListener("click", function () {
      st.xr = st.family === "normal" ? DEFAULT_RANGE.slice() : fitRange([]);
      el("pg-message").textContent = "";
      setPoints([]);
    });
    el("pg-add-btn").addEventListener("click", function () {
      var v = parseFloat(el("pg-add-x").value), mode = el("pg-click-mode").value;
      if (Number.isFinite(v)) addPoint(v, mode === "add" ? "e" : mode);
    });
    el("pg-plot").addEventListener("click", onPlotClick);
    el("pg-family").addEventListener("change", function (e) {
      setup(e.target.value, { x: st.pts, kinds: st.kinds }).catch(function () { /* shown */ });
    });
    el("pg-trials").addEventListener("change", function (e) {
      var t = parseInt(e.target.value, 10);
      if (Number.isInteger(t) && t >= 1) setup(st.family, { x: st.pts, kinds: st.kinds, trials: t }).catch(function () {});
    });
    ["pg-ci-param", "pg-derived", "pg-derived-at"].forEach(function (id) {
      el(id).addEventListener("change", function () { scheduleFit(); });
    });
    el("pg-derived").addEventListener("change", function (e) {
      var v = e.target.value, at = el("pg-derived-at");
      el("pg-derived-at-label").hidden = v !== "quantile" && v !== "sf";
      el("pg-derived-at-text").textContent = v === "quantile" ? "probability q" : "time t";
      if (v === "quantile") at.value = "0.5";
      if (v === "sf" && !at.value) at.value = String(st.pts.length ? st.pts[0] : 1);
    });
    ["pg-surf-x", "pg-surf-y", "pg-surf-hold"].forEach(function (id) {
      el(id).addEventListener("change", function () { st.surfKey = ""; schedule(); });
    });
    el("pg-copy-link").addEventListener("click", function () { copy(location.origin + location.pathname + currentLink(), "Link"); });
    el("pg-copy-code").addEventListener("click", function () {
      var p = fitIsCurrent() ? Promise.resolve(st.fit) : runFit();
      p.then(function (r) { return copy(r.code, "Python code"); }).catch(function (err) {
        el("pg-copy-status").textContent = "No code: " + err.message;
      });
    });
    buildSliders();
  }

  App.registerTab("playground", function (first) {
    if (first) {
      render();
      scheduleFit();
    } else App.resizePlots(["pg-plot", "pg-contour", "pg-profile"]);
  });

  document.addEventListener("DOMContentLoaded", function () {
    init();
    loadFamilies().then(readURL).catch(function () { /* the Gaussian still works */ }).then(function () {
      st.urlReady = true;
      document.getElementById("tab-playground").setAttribute("data-ready", "true");
      writeURLSoon();
    });
  });

  root.Playground = {
    state: function () {
      var o = { family: st.family, names: st.names.slice(), params: Object.assign({}, st.params),
                points: st.pts.slice(), kinds: st.kinds.slice(), range: st.xr.slice(),
                trials: st.trials, animating: st.animating, version: st.dataVersion,
                evaluated: isLocal() || (st.evalResKey === evalKey() && !st.evalBusy && !st.evalPending),
                fitted: !!fitIsCurrent() };
      o.mu = st.params.mu; o.sigma = st.params.sigma;
      return o;
    },
    setPoints: function (pts, kinds) { setPoints(pts.slice(), kinds ? kinds.slice() : null); },
    setParams: function (mu, sigma) {
      if (typeof mu === "object") setParams(mu); else setParams({ mu: mu, sigma: sigma });
    },
    setFamily: function (name) { return setup(name, { x: st.pts, kinds: st.kinds }); },
    fit: function () { return runFit(); },
    link: currentLink,
    jump: jump
  };
})(window);
