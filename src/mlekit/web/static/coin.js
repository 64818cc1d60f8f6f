/* mlekit explorer — the coin: heads/tails, the likelihood over p, the MLE, its 95% interval,
 * and the closed-form derivation with the current numbers. */
(function (root) {
  "use strict";
  var MLE = root.MLE, App = root.App;
  var START = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1]; // the example: 7 heads in 10 flips
  var st = { flips: START.slice(), scale: "lik", serverTimer: 0, serverSeq: 0 };

  function el(id) { return document.getElementById(id); }
  function counts() {
    var h = 0;
    st.flips.forEach(function (f) { h += f; });
    return { h: h, t: st.flips.length - h, n: st.flips.length };
  }

  function curve(c) {
    var N = 501, ps = new Array(N), ys = new Array(N);
    for (var i = 0; i < N; i++) {
      var p = i / (N - 1), l = MLE.bernoulliLoglik(c.h, c.t, p);
      ps[i] = p;
      ys[i] = st.scale === "lik" ? Math.exp(l) : (Number.isFinite(l) ? l : null);
    }
    return { ps: ps, ys: ys };
  }

  /** Ticks 0 … hi at a 1-2-5 step, labelled "0", "2e−64", "2.5e−64" (one exponent each). */
  function sciTicks(hi) {
    var raw = hi / 5, k = Math.floor(Math.log10(raw)), m = raw / Math.pow(10, k);
    var step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * Math.pow(10, k);
    var vals = [], text = [];
    for (var i = 0; i * step <= hi * (1 + 1e-9); i++) {
      var v = i * step;
      vals.push(v);
      if (v === 0) { text.push("0"); continue; }
      var e = Math.floor(Math.log10(v) + 1e-9), mant = v / Math.pow(10, e);
      text.push(String(parseFloat(mant.toPrecision(2))) + "e" + (e < 0 ? "−" : "") + Math.abs(e));
    }
    return { vals: vals, text: text };
  }

  function draw(c) {
    var gd = el("coin-plot");
    if (!c.n) {
      root.Plotly.react(gd, [], { margin: { l: 56, r: 12, t: 10, b: 44 },
        annotations: [{ text: "flip the coin", showarrow: false, xref: "paper", yref: "paper",
                        x: 0.5, y: 0.5 }], xaxis: { range: [0, 1], title: { text: "p" } },
        yaxis: { visible: false } }, App.PLOT_CONFIG);
      return;
    }
    var cv = curve(c), p = MLE.coinMLE(c.h, c.t), ci = MLE.coinLRInterval(c.h, c.t);
    var top = MLE.bernoulliLoglik(c.h, c.t, p);
    var yTop = st.scale === "lik" ? Math.exp(top) : top;
    var yCut = st.scale === "lik" ? Math.exp(ci.cutoff) : ci.cutoff;
    var lik = st.scale === "lik";
    var ylo = lik ? 0 : top - 12;
    var yhi = lik ? yTop * 1.12 : top + 1.5;
    var sci = lik && yTop < 1e-3 ? sciTicks(yhi) : null;
    var traces = [
      { x: cv.ps, y: cv.ys, mode: "lines", line: { color: "#3b6fd8", width: 2.5 },
        name: lik ? "L(p)" : "ℓ(p)", hovertemplate: "p=%{x:.3f}<br>%{y:.4g}<extra></extra>" },
      { x: [p, p], y: [ylo, yTop], mode: "lines", line: { color: "#ff3860", width: 2, dash: "dot" },
        name: "MLE", hoverinfo: "skip" },
      { x: [p], y: [yTop], mode: "markers+text", marker: { color: "#ff3860", size: 10 },
        text: ["p̂ = " + MLE.fmt(p, 4)], textposition: "top center", hoverinfo: "skip",
        cliponaxis: false, name: "MLE" },
      { x: [ci.lo, ci.hi], y: [yCut, yCut], mode: "lines+markers",
        line: { color: "#e07b39", width: 3 }, marker: { size: 8 }, name: "95% interval",
        hovertemplate: "%{x:.4f}<extra>95% LR interval</extra>" }
    ];
    root.Plotly.react(gd, traces, {
      margin: { l: 60, r: 12, t: 24, b: 44 }, showlegend: false, dragmode: false,
      xaxis: { range: [0, 1], title: { text: "p (probability of heads)" }, fixedrange: true },
      yaxis: { range: [ylo, yhi], title: { text: lik ? "likelihood L(p)" : "log-likelihood ℓ(p)" },
               fixedrange: true, automargin: true, exponentformat: "e",
               // tiny likelihoods (many flips): "2e−64", never plotly's shared "0.2e−63"
               tickmode: sci ? "array" : "auto", tickvals: sci ? sci.vals : undefined,
               ticktext: sci ? sci.text : undefined },
      shapes: [{ type: "rect", xref: "x", yref: "paper", x0: ci.lo, x1: ci.hi, y0: 0, y1: 1,
                 fillcolor: "rgba(224,123,57,0.12)", line: { width: 0 } }]
    }, App.PLOT_CONFIG);
  }

  function frac(a, b) { return "<span class='frac'><span>" + a + "</span><span>" + b + "</span></span>"; }

  function derivation(c) {
    var h = c.h, t = c.t, n = c.n;
    if (!n) return "<h2>The derivation</h2><p>Flip the coin to start.</p>";
    var p = MLE.coinMLE(h, t), f = MLE.fmt;
    var out = "<h2>The derivation</h2>" +
      "<p>One flip <i>x</i> (1 = heads) has probability <i>P</i>(<i>x</i> | <i>p</i>) = " +
      "<i>p</i><sup><i>x</i></sup>(1 − <i>p</i>)<sup>1 − <i>x</i></sup>.</p>" +
      "<p>With <b>" + h + "</b> heads and <b>" + t + "</b> tails the likelihood is the product" +
      "</p><p class='eq'>L(<i>p</i>) = <i>p</i><sup>" + h + "</sup> (1 − <i>p</i>)<sup>" + t +
      "</sup></p><p>and the log-likelihood the sum</p><p class='eq'>ℓ(<i>p</i>) = " + h +
      " log <i>p</i> + " + t + " log(1 − <i>p</i>).</p>";
    if (h > 0 && t > 0) {
      var se = Math.sqrt(p * (1 - p) / n), w = MLE.coinWald(h, t);
      out += "<p>Set the derivative to zero:</p><p class='eq'>dℓ/d<i>p</i> = " + frac(h, "<i>p</i>") +
        " − " + frac(t, "1 − <i>p</i>") + " = 0 &nbsp;⇒&nbsp; " + h + "(1 − <i>p</i>) = " + t +
        "<i>p</i> &nbsp;⇒&nbsp; <b>p̂ = " + frac(h, h + " + " + t) + " = " + f(p, 6) + "</b></p>" +
        "<p>the share of heads you saw. The second derivative, −" + frac("<i>h</i>", "<i>p</i>²") +
        " − " + frac("<i>t</i>", "(1 − <i>p</i>)²") + " = " + f(-n / (p * (1 - p)), 5) +
        " at p̂, is negative: a maximum.</p>" +
        "<p>Its curvature gives the standard error √(p̂(1 − p̂)/n) = " + f(se, 4) +
        " and the Wald interval p̂ ± 1.96 · SE = [" + f(w.lo, 4) + ", " + f(w.hi, 4) + "].</p>";
    } else {
      out += "<p>All flips landed " + (h ? "heads" : "tails") + ": ℓ(<i>p</i>) keeps " +
        (h ? "rising" : "falling") + " towards <i>p</i> = " + (h ? 1 : 0) + ", so the maximum is " +
        "at the boundary: <b>p̂ = " + f(p, 4) + "</b>. The derivative is never zero and the Wald " +
        "interval collapses to a point — a warning about small samples.</p>";
    }
    var ci = MLE.coinLRInterval(h, t);
    out += "<p>The likelihood-ratio interval keeps every <i>p</i> whose log-likelihood is within " +
      f(MLE.CHI2_95 / 2, 4) + " of the top (2[ℓ(p̂) − ℓ(<i>p</i>)] ≤ χ²₁,₀.₉₅ = " +
      f(MLE.CHI2_95, 4) + "): <b>[" + f(ci.lo, 4) + ", " + f(ci.hi, 4) + "]</b>. Unlike Wald's " +
      "it stays inside [0, 1] and follows the curve's asymmetry.</p>";
    return out;
  }

  function askServer(c) {
    // mlekit computes the same thing in Python (Bernoulli closed form + its interval)
    root.clearTimeout(st.serverTimer);
    var out = el("coin-server");
    if (!c.n) { out.textContent = "—"; return; }
    var seq = ++st.serverSeq;
    st.serverTimer = root.setTimeout(function () {
      App.api("/api/fit", { method: "POST", json: { values: st.flips, family: "bernoulli",
                                                     ci: "profile" } })
        .then(function (r) {
          if (seq !== st.serverSeq) return;
          var ci = r.fit.ci.p;
          out.textContent = "p̂ = " + MLE.fmt(r.fit.params.p, 6) + ", " + r.fit.ci_method +
            " interval [" + MLE.fmt(ci[0], 4) + ", " + MLE.fmt(ci[1], 4) + "]" +
            (r.fit.ci_note ? " (" + r.fit.ci_note + ")" : "");
        })
        .catch(function (err) { if (seq === st.serverSeq) out.textContent = err.message; });
    }, 150);
  }

  function render() {
    var c = counts();
    el("coin-counts").textContent = c.h + " heads, " + c.t + " tails (" + c.n + " flips)";
    var seq = el("coin-sequence");
    seq.textContent = "";
    st.flips.slice(-60).forEach(function (f) {
      seq.appendChild(App.h("span", { class: "coin " + (f ? "heads" : "tails"), text: f ? "H" : "T" }));
    });
    if (st.flips.length > 60) seq.insertBefore(App.h("span", { class: "muted", text: "… " }), seq.firstChild);
    if (c.n) {
      var p = MLE.coinMLE(c.h, c.t), ci = MLE.coinLRInterval(c.h, c.t), w = MLE.coinWald(c.h, c.t);
      el("coin-mle").textContent = MLE.fmt(p, 6);
      el("coin-mle").setAttribute("data-value", String(p));
      el("coin-ci").textContent = "[" + MLE.fmt(ci.lo, 4) + ", " + MLE.fmt(ci.hi, 4) + "]";
      el("coin-ci").setAttribute("data-lo", String(ci.lo));
      el("coin-ci").setAttribute("data-hi", String(ci.hi));
      el("coin-wald").textContent = "[" + MLE.fmt(w.lo, 4) + ", " + MLE.fmt(w.hi, 4) + "]";
    } else {
      el("coin-mle").textContent = "— (no flips)";
      el("coin-ci").textContent = "—";
      el("coin-wald").textContent = "—";
    }
    el("coin-derivation").innerHTML = derivation(c);  // built from numbers only
    draw(c);
    askServer(c);
  }

  function init() {
    el("coin-heads").addEventListener("click", function () { st.flips.push(1); render(); });
    el("coin-tails").addEventListener("click", function () { st.flips.push(0); render(); });
    el("coin-undo").addEventListener("click", function () { st.flips.pop(); render(); });
    el("coin-reset").addEventListener("click", function () { st.flips = START.slice(); render(); });
    el("coin-scale").addEventListener("change", function (e) { st.scale = e.target.value; render(); });
  }

  App.registerTab("coin", function (first) {
    if (first) render();
    else App.resizePlots(["coin-plot"]);
  });

  root.Coin = { state: function () { var c = counts(); return { heads: c.h, tails: c.t }; } };
  document.addEventListener("DOMContentLoaded", init);
})(window);
