/* mlekit explorer — the playground's figures: the density (or pmf) with the points and their
 * terms, censored points as arrows with the area their term measures, and the log-likelihood
 * contour. Drawing only: the numbers come from window.MLE or mlekit (see playground.js).
 */
(function (root) {
  "use strict";
  var MLE = root.MLE, App = root.App;
  var MAX_SHADES = 12;
  var KIND_NAMES = { e: "exact", r: "still running (right-censored)", l: "below limit (left-censored)" };

  function el(id) { return document.getElementById(id); }

  function pointY(st, ymax) {
    var seen = {};
    return st.pts.map(function (x) {
      if (!st.discrete) return 0;
      var j = seen[x] || 0; seen[x] = j + 1;
      return j * ymax * 0.045;
    });
  }

  function mainTraces(st, view, ymax) {
    var ys = pointY(st, ymax), c = view.curve, traces = [];
    if (c.kind === "pmf") {
      traces.push({ type: "bar", x: c.x, y: c.y, width: 0.6, marker: { color: "rgba(59,111,216,0.55)" },
                    hovertemplate: "P(X = %{x}) = %{y:.4g}<extra></extra>", name: "pmf" });
    } else {
      traces.push({ x: c.x, y: c.y, mode: "lines", line: { color: "#3b6fd8", width: 2.5 },
                    hoverinfo: "skip", name: "density" });
    }
    var sx = [], sy = [], tx = [], ty = [], ax = [], ay = [];
    var span = st.xr[1] - st.xr[0], arrow = 0.06 * span;
    st.pts.forEach(function (x, i) {
      var k = st.kinds[i], t = view.terms[i];
      if (k === "e") {
        var d = Math.exp(t);
        if (!st.discrete) { sx.push(x, x, null); sy.push(0, d, null); }
        tx.push(x); ty.push(d);
      } else {
        var y = ys[i] + ymax * 0.03, dir = k === "r" ? 1 : -1;
        ax.push(x, x + dir * arrow, null); ay.push(y, y, null);
      }
    });
    traces.push({ x: sx, y: sy, mode: "lines", line: { color: "#e07b39", width: 2 }, hoverinfo: "skip",
                  name: "f(xᵢ)" });
    traces.push({ x: tx, y: ty, mode: "markers", marker: { color: "#e07b39", size: 6 }, name: "f(xᵢ)",
                  hovertemplate: "f(%{x:.4g}) = %{y:.4g}<extra></extra>" });
    traces.push({ x: ax, y: ay, mode: "lines", line: { color: "#d92d48", width: 2 }, hoverinfo: "skip",
                  name: "censored" });
    var symbols = st.kinds.map(function (k) {
      return k === "r" ? "triangle-right" : k === "l" ? "triangle-left" : "circle";
    });
    var colors = st.kinds.map(function (k) { return k === "e" ? "#1d2433" : "#d92d48"; });
    traces.push({ x: st.pts.slice(), y: ys, mode: "markers",
                  marker: { color: colors, size: 12, symbol: symbols, line: { color: "#fff", width: 1.5 } },
                  cliponaxis: false, name: "observations",
                  text: st.kinds.map(function (k) { return KIND_NAMES[k]; }),
                  hovertemplate: "x = %{x:.4g} (%{text})<extra></extra>" });
    if (c.kind === "pdf") traces = traces.concat(shades(st, c));
    return traces;
  }

  /** The area a censored point's term measures: S(x) to its right, F(x) to its left. */
  function shades(st, c) {
    var out = [];
    for (var i = 0; i < st.pts.length && out.length < MAX_SHADES; i++) {
      var k = st.kinds[i], x0 = st.pts[i];
      if (k === "e") continue;
      var xs = [x0], ys = [0];
      for (var j = 0; j < c.x.length; j++) {
        if ((k === "r" && c.x[j] > x0) || (k === "l" && c.x[j] < x0)) { xs.push(c.x[j]); ys.push(c.y[j]); }
      }
      if (k === "l") { xs.reverse(); ys.reverse(); }
      out.push({ x: xs, y: ys, mode: "lines", fill: "tozeroy", line: { width: 0 },
                 fillcolor: "rgba(217,45,72,0.10)", hoverinfo: "skip", name: "censored area" });
    }
    return out;
  }

  function yMax(st, view) {
    if (view.peak !== undefined) {   // the Gaussian, as before
      var dens = [];
      st.pts.forEach(function (x, i) { dens.push(Math.exp(view.terms[i])); });
      return Math.max(1.2, 1.1 * Math.max(view.peak, Math.max.apply(null, dens.concat([0]))));
    }
    var top = 0;
    view.curve.y.forEach(function (y) { if (Number.isFinite(y) && y > top) top = y; });
    st.kinds.forEach(function (k, i) {
      var d = Math.exp(view.terms[i]);
      if (k === "e" && Number.isFinite(d) && d > top) top = d;
    });
    return top > 0 ? 1.15 * top : 1;
  }

  function mainLayout(st, ymax) {
    return {
      margin: { l: 48, r: 12, t: 10, b: 40 }, showlegend: false, dragmode: false,
      hovermode: "closest", bargap: 0.4,
      xaxis: { range: st.xr.slice(), fixedrange: true, title: { text: "x" }, zeroline: false },
      yaxis: { range: [0, ymax], fixedrange: true,
               title: { text: st.discrete ? "probability P(X = x)" : st.family === "normal" ?
                        "density f(x | μ, σ)" : "density f(x)" } },
      plot_bgcolor: "#fbfcfe", paper_bgcolor: "rgba(0,0,0,0)"
    };
  }

  function contourGrid(st, mom, mle) {
    var mu = st.params.mu, sigma = st.params.sigma;
    var s = mle ? Math.max(mle.sigma, 0.05) : 0.5;
    var c = mle ? mle.mu : (mom.n ? mom.mean : mu);
    var mlo = Math.min(c - 3 * s, mu - 0.3 * s), mhi = Math.max(c + 3 * s, mu + 0.3 * s);
    var slo = Math.max(0.02, Math.min(0.3 * s, sigma * 0.8));
    var shi = Math.max(3 * s, sigma * 1.25);
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

  function emptyPlot(gd, text) {
    root.Plotly.react(gd, [], {
      margin: { l: 10, r: 10, t: 10, b: 10 },
      annotations: [{ text: text, showarrow: false, x: 0.5, y: 0.5, xref: "paper", yref: "paper" }],
      xaxis: { visible: false }, yaxis: { visible: false } }, App.PLOT_CONFIG);
  }

  function contourPlot(st, label, x, y, z, px, py, mark, box) {
    var traces = [
      { type: "contour", x: x, y: y, z: z, colorscale: "Viridis", showscale: false,
        ncontours: 18, contours: { coloring: "heatmap" }, line: { width: 0.5 }, connectgaps: false,
        hovertemplate: label(px) + "=%{x:.3g}, " + label(py) + "=%{y:.3g}<br>ℓ=%{z:.4g}<extra></extra>" },
      { x: [st.params[px]], y: [st.params[py]], mode: "markers", name: "current",
        marker: { color: "#fff", size: 11, line: { color: "#e07b39", width: 3 } },
        hovertemplate: "current<extra></extra>" },
      { x: mark ? [mark[0]] : [], y: mark ? [mark[1]] : [], mode: "markers", name: "MLE",
        marker: { color: "#ff3860", size: 12, symbol: "x" }, hovertemplate: "MLE<extra></extra>" }
    ];
    root.Plotly.react(el("pg-contour"), traces, {
      margin: { l: 44, r: 8, t: 24, b: 36 }, showlegend: false, dragmode: false,
      title: { text: "log-likelihood over (" + label(px) + ", " + label(py) + ")", font: { size: 12 } },
      xaxis: { title: { text: label(px) }, fixedrange: true, range: [box[0], box[1]] },
      yaxis: { title: { text: label(py) }, fixedrange: true, range: [box[2], box[3]] }
    }, App.PLOT_CONFIG);
  }

  root.PGDraw = { pointY: pointY, mainTraces: mainTraces, yMax: yMax, mainLayout: mainLayout,
                  contourGrid: contourGrid, contourPlot: contourPlot, emptyPlot: emptyPlot,
                  KIND_NAMES: KIND_NAMES };
})(window);
