/* mlekit explorer — the playground's live intervals.
 *
 * Draws what POST /api/playground/fit returns: the profile log-likelihood of the chosen
 * parameter with the chi-square cut-off line, the profile and Wald intervals on it (and the
 * quadratic curve the Wald interval assumes), the table of estimates and intervals, and the
 * derived quantity. Every number is mlekit's; this file only draws them.
 */
(function (root) {
  "use strict";
  var MLE = root.MLE, App = root.App;

  function el(id) { return document.getElementById(id); }
  function num(v) { return v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === null ? NaN : v; }
  function interval(ci) {
    if (!ci) return "—";
    return "[" + MLE.fmt(num(ci[0]), 5) + ", " + MLE.fmt(num(ci[1]), 5) + "]";
  }

  function clear(message) {
    el("pg-ci-table").tBodies[0].textContent = "";
    el("pg-derived-out").textContent = message || "—";
    el("pg-ci-notes").textContent = "";
    var gd = el("pg-profile");
    if (root.Plotly) {
      root.Plotly.react(gd, [], {
        margin: { l: 10, r: 10, t: 10, b: 10 },
        annotations: [{ text: message || "no fit yet", showarrow: false, x: 0.5, y: 0.5,
                        xref: "paper", yref: "paper" }],
        xaxis: { visible: false }, yaxis: { visible: false } }, App.PLOT_CONFIG);
    }
    gd.removeAttribute("data-param");
  }

  function table(fit, labels) {
    var body = el("pg-ci-table").tBodies[0];
    body.textContent = "";
    Object.keys(fit.params).forEach(function (p) {
      var tr = body.insertRow();
      tr.setAttribute("data-param", p);
      tr.insertCell().textContent = labels[p] || p;
      tr.insertCell().textContent = MLE.fmt(num(fit.params[p]), 6);
      tr.insertCell().textContent = MLE.fmt(num(fit.se[p]), 4);
      tr.insertCell().textContent = interval(fit.wald[p]);
      tr.insertCell().textContent = p === fit.param ? interval(fit.profile) : "(choose it above)";
      if (p === fit.param) tr.className = "chosen";
    });
  }

  function derivedText(d, level) {
    if (!d) return "—";
    var pct = Math.round(level * 100) + "%";
    var s = d.name + " = " + MLE.fmt(num(d.estimate), 6) + " (SE " + MLE.fmt(num(d.se), 4) +
      "); " + pct + " " + d.method + " interval " + interval(d.ci);
    if (d.profile) s += "; profile interval " + interval(d.profile);
    return s;
  }

  function profilePlot(fit, labels, current) {
    var gd = el("pg-profile"), pc = fit.profile_curve, p = fit.param;
    if (!pc) { clear("no profile for " + (labels[p] || p) + (fit.notes.length ? ": " + fit.notes[0] : "")); return; }
    var xs = pc.values.map(num), ys = pc.loglik.map(num), top = num(pc.loglik_max);
    var cut = num(pc.cutoff), mle = num(fit.params[p]), se = num(fit.se[p]);
    var lo = xs[0], hi = xs[xs.length - 1];
    var traces = [
      { x: xs, y: ys, mode: "lines", name: "profile ℓ", line: { color: "#3b6fd8", width: 2.5 },
        hovertemplate: (labels[p] || p) + " = %{x:.4g}<br>profile ℓ = %{y:.5g}<extra></extra>" },
      { x: [lo, hi], y: [cut, cut], mode: "lines", name: "χ² cut-off",
        line: { color: "#d92d48", dash: "dot", width: 1.5 }, hoverinfo: "skip" }
    ];
    if (Number.isFinite(se) && se > 0) {
      var qx = [], qy = [];
      for (var i = 0; i < 81; i++) {
        var t = lo + (hi - lo) * i / 80, z = (t - mle) / se;
        qx.push(t); qy.push(top - 0.5 * z * z);
      }
      traces.push({ x: qx, y: qy, mode: "lines", name: "Wald's quadratic",
                    line: { color: "#98a2b3", dash: "dash", width: 1.5 }, hoverinfo: "skip" });
    }
    var ymin = cut - 0.6 * (top - cut);
    function seg(ci, y, color, name) {
      if (!ci) return;
      var a = Math.max(num(ci[0]), lo), b = Math.min(num(ci[1]), hi);
      traces.push({ x: [a, b], y: [y, y], mode: "lines+markers", name: name,
                    line: { color: color, width: 4 }, marker: { size: 8, symbol: "line-ns-open", color: color },
                    hovertemplate: name + ": " + interval(ci) + "<extra></extra>" });
    }
    seg(fit.profile, cut, "#e07b39", "profile interval");
    seg(fit.wald[p], cut - 0.25 * (top - cut), "#667085", "Wald interval");
    traces.push({ x: [mle], y: [top], mode: "markers", name: "MLE",
                  marker: { color: "#ff3860", size: 11, symbol: "x" },
                  hovertemplate: "MLE " + MLE.fmt(mle, 6) + "<extra></extra>" });
    var pct = Math.round(fit.level * 100) + "%";
    root.Plotly.react(gd, traces, {
      margin: { l: 52, r: 10, t: 26, b: 70 }, dragmode: false, hovermode: "closest",
      legend: { orientation: "h", y: -0.3, yanchor: "top", font: { size: 11 } },
      title: { text: "profile log-likelihood of " + (labels[p] || p) + " (" + pct + " intervals)",
               font: { size: 12 } },
      xaxis: { title: { text: labels[p] || p }, range: [lo, hi], fixedrange: true },
      yaxis: { title: { text: "ℓ" }, range: [ymin, top + 0.15 * (top - cut)], fixedrange: true },
      shapes: currentShape(current, ymin, top + 0.15 * (top - cut))
    }, App.PLOT_CONFIG);
    gd.setAttribute("data-param", p);
    gd.setAttribute("data-cutoff", String(cut));
  }

  function currentShape(v, y0, y1) {
    if (!Number.isFinite(v)) return [];
    return [{ type: "line", x0: v, x1: v, y0: y0, y1: y1, line: { color: "#1d2433", width: 1, dash: "dot" } }];
  }

  /** Move the dotted "current slider value" line of the profile plot. */
  function setCurrent(v) {
    var gd = el("pg-profile");
    if (!gd.getAttribute("data-param") || !gd.layout || !gd.layout.yaxis) return;
    var r = gd.layout.yaxis.range;
    root.Plotly.relayout(gd, { shapes: currentShape(v, r[0], r[1]) });
  }

  function render(fit, labels, current) {
    table(fit, labels);
    profilePlot(fit, labels, current);
    var d = el("pg-derived-out");
    d.textContent = derivedText(fit.derived, fit.level);
    d.setAttribute("data-estimate", fit.derived ? String(num(fit.derived.estimate)) : "");
    el("pg-ci-notes").textContent = fit.notes.concat(fit.diagnostics).join(" · ");
  }

  root.PGIntervals = { render: render, clear: clear, setCurrent: setCurrent };
})(window);
