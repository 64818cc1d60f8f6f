/* mlekit explorer — the formulas computed in the browser.
 *
 * Pure functions, no DOM. They mirror mlekit's Python code (Normal.logpdf, the closed-form
 * normal and Bernoulli MLEs, the likelihood-ratio interval) and are tested against it to
 * 1e-12 by tests/web/test_browser.py, which calls them through window.MLE.
 */
(function (root) {
  "use strict";

  var LOG_SQRT_2PI = 0.9189385332046727; // log(sqrt(2 pi)), as mlekit's _LOG_SQRT_2PI
  var Z975 = 1.959963984540054; // standard normal 0.975 quantile
  var CHI2_95 = Z975 * Z975; // chi-square(1) 0.95 quantile = 3.8414588206941236

  // ------------------------------------------------------------------ normal model
  function normalLogpdf(x, mu, sigma) {
    var z = (x - mu) / sigma;
    return -LOG_SQRT_2PI - 0.5 * z * z - Math.log(sigma);
  }

  function normalPdf(x, mu, sigma) {
    return Math.exp(normalLogpdf(x, mu, sigma));
  }

  /** Sum of log densities: the log-likelihood of (mu, sigma) for the points xs. */
  function normalLoglik(xs, mu, sigma) {
    var s = 0;
    for (var i = 0; i < xs.length; i++) s += normalLogpdf(xs[i], mu, sigma);
    return s;
  }

  /** Product of densities (underflows to 0 for many points: that is the lesson). */
  function normalLikelihood(xs, mu, sigma) {
    var p = 1;
    for (var i = 0; i < xs.length; i++) p *= normalPdf(xs[i], mu, sigma);
    return p;
  }

  /** n, mean and sum of squared deviations (two passes, as mlekit's moments). */
  function moments(xs) {
    var n = xs.length, s = 0, i;
    if (n === 0) return { n: 0, mean: NaN, m2: NaN };
    for (i = 0; i < n; i++) s += xs[i];
    var mean = s / n, m2 = 0;
    for (i = 0; i < n; i++) {
      var d = xs[i] - mean;
      m2 += d * d;
    }
    return { n: n, mean: mean, m2: m2 };
  }

  /** Closed-form normal MLE: the mean, and the root mean squared deviation (divide by n). */
  function normalMLE(xs) {
    var m = moments(xs);
    return { mu: m.mean, sigma: Math.sqrt(m.m2 / m.n) };
  }

  /** The log-likelihood from (n, mean, m2): the same number, in O(1) per (mu, sigma). */
  function normalLoglikStats(st, mu, sigma) {
    var d = st.mean - mu;
    var ss = st.m2 + st.n * d * d;
    return -st.n * (LOG_SQRT_2PI + Math.log(sigma)) - ss / (2 * sigma * sigma);
  }

  // ------------------------------------------------------------------ coin (Bernoulli)
  /** h log p + t log(1 - p), with 0 log 0 = 0 (as scipy's xlogy / xlog1py). */
  function bernoulliLoglik(h, t, p) {
    var a = h === 0 ? 0 : h * Math.log(p);
    var b = t === 0 ? 0 : t * Math.log1p(-p);
    return a + b;
  }

  function coinMLE(h, t) {
    return h / (h + t);
  }

  /** Wald interval p_hat -/+ z * sqrt(p_hat (1 - p_hat) / n), clipped to [0, 1]. */
  function coinWald(h, t) {
    var n = h + t, p = h / n, se = Math.sqrt(p * (1 - p) / n);
    return { lo: Math.max(0, p - Z975 * se), hi: Math.min(1, p + Z975 * se), se: se };
  }

  function bisect(f, a, b) {
    // f(a) and f(b) have opposite signs; shrink to adjacent doubles.
    var fa = f(a);
    for (var i = 0; i < 2000; i++) {
      var m = 0.5 * (a + b);
      if (m <= a || m >= b) break;
      var fm = f(m);
      if (fm === 0) return m;
      if ((fm < 0) === (fa < 0)) { a = m; fa = fm; } else { b = m; }
    }
    return 0.5 * (a + b);
  }

  /** Likelihood-ratio ("profile") interval: every p with 2 [l(p_hat) - l(p)] <= 3.841. */
  function coinLRInterval(h, t) {
    var p = coinMLE(h, t), top = bernoulliLoglik(h, t, p);
    var g = function (q) { return 2 * (top - bernoulliLoglik(h, t, q)) - CHI2_95; };
    var lo = h === 0 ? 0 : bisect(g, 0, p);
    var hi = t === 0 ? 1 : bisect(function (q) { return -g(q); }, p, 1);
    return { lo: lo, hi: hi, cutoff: top - CHI2_95 / 2 };
  }

  // ------------------------------------------------------------------ formatting
  /** A number for people: `digits` significant digits, trailing zeros dropped. */
  function fmt(v, digits) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "string") return v;
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
    if (v === 0) return "0";
    var d = digits || 6;
    var a = Math.abs(v);
    var s;
    if (a >= 1e-4 && a < 1e9) {
      s = Number(v.toPrecision(d)).toString();
    } else {
      s = v.toExponential(d - 1).replace(/\.?0+e/, "e");
    }
    return s.replace("-", "−");
  }

  root.MLE = {
    LOG_SQRT_2PI: LOG_SQRT_2PI, Z975: Z975, CHI2_95: CHI2_95,
    normalLogpdf: normalLogpdf, normalPdf: normalPdf, normalLoglik: normalLoglik,
    normalLikelihood: normalLikelihood, moments: moments, normalMLE: normalMLE,
    normalLoglikStats: normalLoglikStats, bernoulliLoglik: bernoulliLoglik, coinMLE: coinMLE,
    coinWald: coinWald, coinLRInterval: coinLRInterval, fmt: fmt
  };
})(window);
