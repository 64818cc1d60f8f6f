/* mlekit explorer — the Gaussian playground.
 *
 * Everything is computed in the browser (window.MLE) so a slider drag redraws within one
 * animation frame; "Jump to MLE" asks mlekit (POST /api/fit) and animates there.
 */
(function (root) {
  "use strict";
  var MLE = root.MLE, App = root.App;
  var SEED = [2.3, 1.9, 2.5, 2.8, 1.7];
  var DEFAULT_RANGE = [-1, 6];
  var MAX_ROWS = 200;

  var st = {
    pts: SEED.slice(), mu: 2.0, sigma: 0.6, xr: DEFAULT_RANGE.slice(),
    version: 0, drawnVersion: -1, contourBox: null, frame: 0, animating: false,
    lastServerFit: null
  };

  function el(id) { return document.getElementById(id); }

  // ---------------------------------------------------------------- state changes
  function setParams(mu, sigma, fromInput) {
    if (Number.isFinite(mu)) st.mu = mu;
    if (Number.isFinite(sigma) && sigma > 0) st.sigma = sigma;
    if (!fromInput) {
      el("mu-input").value = String(st.mu);
      el("sigma-input").value = String(st.sigma);
    }
    extendRange([st.mu]);
    schedule();
  }

  function setPoints(pts) {
    st.pts = pts;
    st.version++;
    if (pts.length) extendRange(pts);
    schedule();
  }

  function extendRange(xs) {
    var a = st.xr[0], b = st.xr[1];
    xs.forEach(function (x) {
      if (x - 0.5 < a) a = Math.floor(x - 0.5);
      if (x + 0.5 > b) b = Math.ceil(x + 0.5);
    });
    if (a !== st.xr[0] || b !== st.xr[1]) { st.xr = [a, b]; st.version++; }
  }

  function schedule() {
    if (st.frame) return;
    st.frame = root.requestAnimationFrame(function () { st.frame = 0; render(); });
  }

  // ---------------------------------------------------------------- drawing
  function densityTrace() {
    var n = 400, xs = new Array(n), ys = new Array(n), a = st.xr[0], b = st.xr[1];
    for (var i = 0; i < n; i++) {
      xs[i] = a + (b - a) * i / (n - 1);
      ys[i] = MLE.normalPdf(xs[i], st.mu, st.sigma);
    }
    return { x: xs, y: ys, mode: "lines", line: { color: "#3b6fd8", width: 2.5 },
             hoverinfo: "skip", name: "density" };
  }

  function mainTraces(dens) {
    var sx = [], sy = [], tx = [], ty = [];
    st.pts.forEach(function (x, i) {
      sx.push(x, x, null); sy.push(0, dens[i], null);
      tx.push(x); ty.push(dens[i]);
    });
    return [
      densityTrace(),
      { x: sx, y: sy, mode: "lines", line: { color: "#e07b39", width: 2 }, hoverinfo: "skip",
        name: "f(xᵢ)" },
      { x: tx, y: ty, mode: "markers", marker: { color: "#e07b39", size: 6 }, name: "f(xᵢ)",
        hovertemplate: "f(%{x:.4g}) = %{y:.4g}<extra></extra>" },
      { x: st.pts.slice(), y: st.pts.map(function () { return 0; }), mode: "markers",
        marker: { color: "#1d2433", size: 12, symbol: "circle", line: { color: "#fff", width: 1.5 } },
        cliponaxis: false, name: "observations", hovertemplate: "x = %{x:.4g}<extra></extra>" }
    ];
  }

  function mainLayout(ymax) {
    return {
      margin: { l: 48, r: 12, t: 10, b: 40 }, showlegend: false, dragmode: false,
      hovermode: "closest",
      xaxis: { range: st.xr.slice(), fixedrange: true, title: { text: "x" }, zeroline: false },
      yaxis: { range: [0, ymax], fixedrange: true, title: { text: "density f(x | μ, σ)" } },
      plot_bgcolor: "#fbfcfe", paper_bgcolor: "rgba(0,0,0,0)"
    };
  }

  function contourGrid(mom, mle) {
    var s = mle ? Math.max(mle.sigma, 0.05) : 0.5;
    var c = mle ? mle.mu : (mom.n ? mom.mean : st.mu);
    var mlo = Math.min(c - 3 * s, st.mu - 0.3 * s), mhi = Math.max(c + 3 * s, st.mu + 0.3 * s);
    var slo = Math.max(0.02, Math.min(0.3 * s, st.sigma * 0.8));
    var shi = Math.max(3 * s, st.sigma * 1.25);
    var N = 61, mus = new Array(N), sigs = new Array(N), z = [], top = -Infinity, i, j;
    for (i = 0; i < N; i++) {
      mus[i] = mlo + (mhi - mlo) * i / (N - 1);
      sigs[i] = slo + (shi - slo) * i / (N - 1);
    }
    for (j = 0; j < N; j++) {
      var row = new Array(N);
      for (i = 0; i < N; i++) {
        row[i] = MLE.normalLoglikStats(mom, mus[i], sigs[j]);
        if (row[i] > top) top = row[i];
      }
      z.push(row);
    }
    var floor = top - Math.max(12, 2 * mom.n);
    z = z.map(function (r) { return r.map(function (v) { return Math.max(v, floor); }); });
    return { mus: mus, sigs: sigs, z: z, box: [mlo, mhi, slo, shi] };
  }

  function drawContour(mom, mle) {
    var gd = el("pg-contour");
    if (!mom.n) {
      root.Plotly.react(gd, [], { margin: { l: 44, r: 8, t: 24, b: 36 },
        title: { text: "log-likelihood over (μ, σ)", font: { size: 12 } },
        annotations: [{ text: "add points to see the surface", showarrow: false, x: 0.5, y: 0.5,
                        xref: "paper", yref: "paper" }],
        xaxis: { visible: false }, yaxis: { visible: false } }, App.PLOT_CONFIG);
      st.contourBox = null;
      return;
    }
    var g = contourGrid(mom, mle);
    st.contourBox = g.box;
    var traces = [
      { type: "contour", x: g.mus, y: g.sigs, z: g.z, colorscale: "Viridis", showscale: false,
        ncontours: 18, contours: { coloring: "heatmap" }, line: { width: 0.5 },
        hovertemplate: "μ=%{x:.3g}, σ=%{y:.3g}<br>ℓ=%{z:.4g}<extra></extra>" },
      { x: [st.mu], y: [st.sigma], mode: "markers", name: "current",
        marker: { color: "#fff", size: 11, line: { color: "#e07b39", width: 3 } },
        hovertemplate: "current<extra></extra>" },
      { x: mle ? [mle.mu] : [], y: mle ? [mle.sigma] : [], mode: "markers", name: "MLE",
        marker: { color: "#ff3860", size: 12, symbol: "x" }, hovertemplate: "MLE<extra></extra>" }
    ];
    root.Plotly.react(gd, traces, {
      margin: { l: 44, r: 8, t: 24, b: 36 }, showlegend: false, dragmode: false,
      title: { text: "log-likelihood over (μ, σ)", font: { size: 12 } },
      xaxis: { title: { text: "μ" }, fixedrange: true, range: [g.box[0], g.box[1]] },
      yaxis: { title: { text: "σ" }, fixedrange: true, range: [g.box[2], g.box[3]] }
    }, App.PLOT_CONFIG);
  }

  function renderTerms(dens, logs) {
    var body = el("pg-terms").tBodies[0];
    var n = st.pts.length, rows = body.rows;
    var shown = Math.min(n, MAX_ROWS);
    if (rows.length !== shown + (n > MAX_ROWS ? 1 : 0) || st.drawnVersion !== st.version) {
      body.textContent = "";
      for (var i = 0; i < shown; i++) {
        var tr = body.insertRow();
        tr.setAttribute("data-x", String(st.pts[i]));
        tr.insertCell().textContent = String(i + 1);
        tr.insertCell().textContent = MLE.fmt(st.pts[i], 6);
        tr.insertCell();
        tr.insertCell();
      }
      if (n > MAX_ROWS) {
        var more = body.insertRow(), c = more.insertCell();
        c.colSpan = 4;
        c.textContent = "… and " + (n - MAX_ROWS) + " more";
      }
    }
    for (var k = 0; k < shown; k++) {
      body.rows[k].cells[2].textContent = MLE.fmt(dens[k], 6);
      body.rows[k].cells[3].textContent = MLE.fmt(logs[k], 6);
    }
  }

  function render() {
    var pts = st.pts, n = pts.length, i;
    var logs = new Array(n), dens = new Array(n), sum = 0, prod = 1;
    for (i = 0; i < n; i++) {
      logs[i] = MLE.normalLogpdf(pts[i], st.mu, st.sigma);
      dens[i] = Math.exp(logs[i]);
      sum += logs[i];
      prod *= dens[i];
    }
    var mom = MLE.moments(pts);
    var mle = n >= 2 && mom.m2 > 0 ? MLE.normalMLE(pts) : null;
    var peak = 1 / (st.sigma * Math.sqrt(2 * Math.PI));
    var ymax = Math.max(1.2, 1.1 * Math.max(peak, Math.max.apply(null, dens.concat([0]))));
    root.Plotly.react(el("pg-plot"), mainTraces(dens), mainLayout(ymax), App.PLOT_CONFIG);

    // sliders follow the state (their ranges follow the data)
    var mus = el("mu-slider"), sgs = el("sigma-slider");
    mus.min = String(st.xr[0]); mus.max = String(st.xr[1]);
    var smax = Math.max(3, mle ? 2 * mle.sigma : 0, st.sigma);
    sgs.max = String(Math.ceil(smax * 10) / 10);
    if (document.activeElement !== mus) mus.value = String(st.mu);
    if (document.activeElement !== sgs) sgs.value = String(st.sigma);

    // read-outs
    el("pg-count").textContent = n + (n === 1 ? " point" : " points");
    el("pg-loglik").textContent = n ? MLE.fmt(sum, 8) : "— (no points)";
    el("pg-loglik").setAttribute("data-value", n ? String(sum) : "");
    var likText = n ? MLE.fmt(prod, 6) : "—";
    if (n && prod === 0 && Number.isFinite(sum)) {
      likText = "0 (underflow! it is 10^" + MLE.fmt(sum / Math.LN10, 6) + ")";
    }
    el("pg-lik").textContent = likText;
    el("pg-terms-prod").textContent = n ? likText : "—";
    el("pg-terms-sum").textContent = n ? MLE.fmt(sum, 8) : "—";
    el("pg-mle-mu").textContent = mle ? MLE.fmt(mle.mu, 6) : "—";
    el("pg-mle-sigma").textContent = mle ? MLE.fmt(mle.sigma, 6) : "—";
    el("pg-mle-mu").setAttribute("data-value", mle ? String(mle.mu) : "");
    el("pg-mle-sigma").setAttribute("data-value", mle ? String(mle.sigma) : "");
    if (mle) {
      var top = MLE.normalLoglik(pts, mle.mu, mle.sigma), gap = top - sum;
      el("pg-gap").textContent = "μ − μ̂ = " + MLE.fmt(st.mu - mle.mu, 4) + ", σ − σ̂ = " +
        MLE.fmt(st.sigma - mle.sigma, 4) + "; ℓ(μ̂, σ̂) − ℓ(μ, σ) = " + MLE.fmt(gap, 4) +
        " (the data are " + MLE.fmt(Math.exp(gap), 4) + "× more likely at the MLE)";
    } else {
      el("pg-gap").textContent = n < 2 ? "add at least two points" :
        "all points are equal: σ̂ would be 0 (the likelihood has no maximum)";
    }
    renderTerms(dens, logs);

    var box = st.contourBox;
    var outside = box && (st.mu < box[0] || st.mu > box[1] || st.sigma < box[2] || st.sigma > box[3]);
    if (st.drawnVersion !== st.version || outside || !box) {
      drawContour(mom, mle);
    } else {
      root.Plotly.restyle(el("pg-contour"), { x: [[st.mu]], y: [[st.sigma]] }, [1]);
    }
    st.drawnVersion = st.version;
    el("pg-plot").setAttribute("data-version", String(st.version));
  }

  // ---------------------------------------------------------------- clicks on the plot
  function onPlotClick(evt) {
    var gd = el("pg-plot"), fl = gd._fullLayout;
    if (!fl || st.animating) return;
    var box = gd.getBoundingClientRect();
    var px = evt.clientX - box.left - fl._size.l, py = evt.clientY - box.top - fl._size.t;
    if (px < -8 || px > fl._size.w + 8 || py < -8 || py > fl._size.h + 12) return;
    var xa = fl.xaxis, ya = fl.yaxis, y0 = ya.c2p(0);
    var best = -1, bestD = Infinity;
    st.pts.forEach(function (x, i) {
      var d = Math.hypot(xa.c2p(x) - px, y0 - py);
      if (d < bestD) { bestD = d; best = i; }
    });
    if (best >= 0 && (bestD <= 10 || evt.shiftKey)) {
      var pts = st.pts.slice();
      pts.splice(best, 1);
      setPoints(pts);
      return;
    }
    if (evt.shiftKey || px < 0 || px > fl._size.w) return;
    var x = xa.p2c(px);
    setPoints(st.pts.concat([Math.round(x * 1000) / 1000]));
  }

  // ---------------------------------------------------------------- jump to the MLE
  function ease(t) { return t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2; }

  function animateTo(mu1, sigma1, ms) {
    var mu0 = st.mu, s0 = st.sigma, t0 = null, btn = el("btn-jump");
    st.animating = true;
    btn.setAttribute("data-state", "animating");
    return new Promise(function (resolve) {
      function step(ts) {
        if (t0 === null) t0 = ts;
        var t = Math.min(1, (ts - t0) / ms), e = ease(t);
        if (t < 1) {
          setParams(mu0 + (mu1 - mu0) * e, s0 * Math.pow(sigma1 / s0, e));
          root.requestAnimationFrame(step);
        } else {
          setParams(mu1, sigma1);   // land exactly on mlekit's numbers
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
    var distinct = new Set(st.pts).size;
    if (st.pts.length < 2 || distinct < 2) {
      msg.textContent = "Add at least two different points first: with fewer, σ̂ = 0 and the " +
        "likelihood has no maximum.";
      msg.className = "note warn";
      return Promise.resolve();
    }
    var btn = el("btn-jump");
    btn.disabled = true;
    btn.setAttribute("data-state", "fetching");
    return App.api("/api/fit", { method: "POST", json: { values: st.pts, family: "normal" } })
      .then(function (r) {
        var p = r.fit.params;
        st.lastServerFit = r.fit;
        msg.className = "note";
        msg.textContent = "mlekit.fit(points, \"normal\") → μ̂ = " + MLE.fmt(p.mu, 8) + ", σ̂ = " +
          MLE.fmt(p.sigma, 8) + " (" + r.fit.method + "; σ̂ divides by n, not n − 1).";
        return animateTo(p.mu, p.sigma, 700);
      })
      .catch(function (err) {
        msg.className = "note error";
        msg.textContent = "Could not fit: " + err.message;
        btn.setAttribute("data-state", "idle");
      })
      .then(function () { btn.disabled = false; });
  }

  // ---------------------------------------------------------------- wiring
  function init() {
    el("mu-slider").addEventListener("input", function (e) {
      setParams(parseFloat(e.target.value), NaN);
    });
    el("sigma-slider").addEventListener("input", function (e) {
      setParams(NaN, parseFloat(e.target.value));
    });
    el("mu-input").addEventListener("input", function (e) {
      var v = parseFloat(e.target.value);
      if (Number.isFinite(v)) setParams(v, NaN, true);
    });
    el("sigma-input").addEventListener("input", function (e) {
      var v = parseFloat(e.target.value);
      if (Number.isFinite(v) && v > 0) setParams(NaN, v, true);
    });
    el("btn-jump").addEventListener("click", jump);
    el("btn-seed").addEventListener("click", function () {
      st.xr = DEFAULT_RANGE.slice();
      setPoints(SEED.slice());
    });
    el("btn-clear").addEventListener("click", function () {
      st.xr = DEFAULT_RANGE.slice();
      el("pg-message").textContent = "";
      setPoints([]);
    });
    el("pg-add-btn").addEventListener("click", function () {
      var v = parseFloat(el("pg-add-x").value);
      if (Number.isFinite(v)) setPoints(st.pts.concat([v]));
    });
    el("pg-plot").addEventListener("click", onPlotClick);
    el("mu-input").value = String(st.mu);
    el("sigma-input").value = String(st.sigma);
  }

  App.registerTab("playground", function (first) {
    if (first) render();
    else App.resizePlots(["pg-plot", "pg-contour"]);
  });

  root.Playground = {
    state: function () {
      return { points: st.pts.slice(), mu: st.mu, sigma: st.sigma, range: st.xr.slice(),
               animating: st.animating };
    },
    setPoints: function (pts) { setPoints(pts.slice()); },
    setParams: function (mu, sigma) { setParams(mu, sigma); },
    jump: jump
  };

  document.addEventListener("DOMContentLoaded", init);
})(window);
