/* mlekit explorer — tabs and the small helpers the three tabs share. */
(function (root) {
  "use strict";

  var TABS = ["playground", "coin", "data", "extremes"];
  var shown = {};
  var onShow = {};

  /** Call the JSON API; throws an Error carrying the server's message on a 4xx/5xx. */
  function api(path, opts) {
    opts = opts || {};
    var init = { method: opts.method || "GET", headers: {} };
    if (opts.json !== undefined) {
      init.body = JSON.stringify(opts.json);
      init.headers["content-type"] = "application/json";
    } else if (opts.body !== undefined) {
      init.body = opts.body;
      init.headers["content-type"] = opts.contentType || "application/octet-stream";
    }
    return fetch(path, init).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var msg = data && data.error ? data.error.message : ("HTTP " + resp.status + ": " + text.slice(0, 200));
          var err = new Error(msg);
          err.status = resp.status;
          err.type = data && data.error ? data.error.type : "HTTPError";
          throw err;
        }
        return data;
      });
    });
  }

  function el(id) { return document.getElementById(id); }

  function h(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") e.textContent = attrs[k];
        else if (k === "class") e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  function showTab(name) {
    if (TABS.indexOf(name) < 0) name = "playground";
    TABS.forEach(function (t) {
      var sec = el("tab-" + t), btn = el("tabbtn-" + t);
      sec.hidden = t !== name;
      btn.setAttribute("aria-selected", t === name ? "true" : "false");
      btn.classList.toggle("active", t === name);
    });
    if (onShow[name]) onShow[name](!shown[name]);
    shown[name] = true;
    document.body.setAttribute("data-tab", name);
  }

  function registerTab(name, fn) { onShow[name] = fn; }

  /** Re-layout the plotly plots inside a tab that just became visible. */
  function resizePlots(ids) {
    if (!root.Plotly) return;
    ids.forEach(function (id) {
      var gd = el(id);
      if (gd && gd.data) root.Plotly.Plots.resize(gd);
    });
  }

  var PLOT_CONFIG = { displayModeBar: false, responsive: true };

  root.App = { api: api, el: el, h: h, showTab: showTab, registerTab: registerTab,
               resizePlots: resizePlots, PLOT_CONFIG: PLOT_CONFIG, ready: false };

  document.addEventListener("DOMContentLoaded", function () {
    TABS.forEach(function (t) {
      el("tabbtn-" + t).addEventListener("click", function () {
        if (location.hash !== "#" + t) location.hash = t; else showTab(t);
      });
    });
    window.addEventListener("hashchange", function () { showTab(location.hash.slice(1)); });
    api("/api/health").then(function (r) {
      el("version").textContent = r.version;
      var lim = el("data-limit");
      if (lim) lim.textContent = "(up to " + r.max_upload_mb + " MB)";
    }).catch(function () { /* the page still works offline of the API for the playground */ });
    // the tab scripts (deferred, loaded after this one) register first; then show the tab
    setTimeout(function () {
      // a #tab wins; else ?page=NAME (pages keep their own state keys in the query)
      showTab(location.hash.slice(1) || new URLSearchParams(location.search).get("page") ||
              "playground");
      root.App.ready = true;
      document.body.setAttribute("data-ready", "true");
    }, 0);
  });
})(window);
