/* mlekit explorer — the playground's state in the link.
 *
 * Pure functions, no DOM: the query string `?family=weibull&shape=1.5&scale=2&x=1.2,3.4,5r,0.3l`
 * (a trailing `r` marks a right-censored point, `l` a left-censored one; `trials=10` for the
 * binomial families) read into a state and written back, keeping other pages' keys.
 */
(function (root) {
  "use strict";

  var KIND_SUFFIX = { e: "", r: "r", l: "l" };

  /** "1.2,3.4,5r,0.3l" -> {x: [1.2, 3.4, 5, 0.3], kinds: ["e", "e", "r", "l"]}; null if bad. */
  function parsePoints(text) {
    var out = { x: [], kinds: [] };
    if (!text) return out;
    var parts = text.split(",");
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].trim();
      if (!p) continue;
      var kind = "e", last = p.charAt(p.length - 1).toLowerCase();
      if (last === "r" || last === "l") { kind = last; p = p.slice(0, -1); }
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(p)) return null;
      var v = Number(p);
      if (!Number.isFinite(v)) return null;
      out.x.push(v);
      out.kinds.push(kind);
    }
    return out;
  }

  function formatPoints(xs, kinds) {
    return xs.map(function (x, i) { return String(x) + KIND_SUFFIX[kinds[i] || "e"]; }).join(",");
  }

  /**
   * Read the playground's keys from a query string. `paramNames(family)` gives a family's
   * parameter names (null for an unknown family). Returns {family, params, x, kinds, trials,
   * problems: [...]} with only the keys that were present and valid.
   */
  function parse(search, paramNames) {
    var q = new URLSearchParams(search || ""), out = { params: {}, problems: [] };
    if (!q.has("family") && !q.has("x")) return null;
    var fam = (q.get("family") || "normal").trim().toLowerCase();
    var names = paramNames(fam);
    if (!names) {
      out.problems.push("unknown family '" + fam + "' in the link; showing the normal");
      fam = "normal";
      names = paramNames(fam) || [];
    }
    out.family = fam;
    names.forEach(function (n) {
      if (!q.has(n)) return;
      var v = Number(q.get(n));
      if (q.get(n).trim() !== "" && Number.isFinite(v)) out.params[n] = v;
      else out.problems.push(n + "=" + q.get(n) + " is not a number");
    });
    if (q.has("x")) {
      var pts = parsePoints(q.get("x"));
      if (pts) { out.x = pts.x; out.kinds = pts.kinds; }
      else out.problems.push("x=" + q.get("x") + " is not a list of numbers (e.g. 1.2,3.4,5r,0.3l)");
    }
    if (q.has("trials")) {
      var t = Number(q.get("trials"));
      if (Number.isInteger(t) && t >= 1) out.trials = t;
      else out.problems.push("trials=" + q.get("trials") + " is not a whole number >= 1");
    }
    return out;
  }

  /**
   * The query string for a state, keeping the keys of `search` that the playground does not own
   * (`owned(key)` says which it does: family, x, trials and parameter names).
   */
  function format(state, search, owned) {
    var q = new URLSearchParams(search || ""), keep = [];
    q.forEach(function (v, k) { if (!owned(k)) keep.push([k, v]); });
    var out = new URLSearchParams();
    out.set("family", state.family);
    if (state.trials) out.set("trials", String(state.trials));
    state.names.forEach(function (n) { out.set(n, String(state.params[n])); });
    out.set("x", formatPoints(state.x, state.kinds));
    keep.forEach(function (kv) { out.append(kv[0], kv[1]); });
    // commas and parentheses stay readable in the link
    return "?" + out.toString().replace(/%2C/g, ",");
  }

  root.PGState = { parse: parse, format: format, parsePoints: parsePoints,
                   formatPoints: formatPoints };
})(window);
