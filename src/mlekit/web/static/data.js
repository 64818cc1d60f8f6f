/* mlekit explorer — "Your data": paste or upload, pick columns and families, fit through the
 * job API (progress, cancel), then the comparison table, the chosen fit and its plots. */
(function (root) {
  "use strict";
  var MLE = root.MLE, App = root.App, h = App.h;
  var st = { dataset: null, families: null, job: null, pollTimer: 0, result: null, chosen: null,
             request: null, maxBytes: null };

  function el(id) { return document.getElementById(id); }
  function f(v, d) { return MLE.fmt(v, d || 5); }

  // ---------------------------------------------------------------- messages
  function showError(msg) {
    var e = el("data-error");
    e.textContent = msg;
    e.hidden = !msg;
  }

  function busy(on) {
    el("data-fit").disabled = on;
    el("data-cancel").hidden = !on;
    el("data-progress").hidden = !on;
    el("data-paste-btn").disabled = on;
    el("data-file").disabled = on;
  }

  // ---------------------------------------------------------------- loading data
  function setDataset(info) {
    st.dataset = info;
    showError("");
    el("data-setup").hidden = false;
    var numeric = info.columns.filter(function (c) { return c.numeric; });
    el("data-info").textContent = "“" + info.name + "”: " + info.n_rows + " rows, " +
      info.columns.length + " column" + (info.columns.length === 1 ? "" : "s") + " (" +
      numeric.length + " numeric).";
    var col = el("data-column"), obs = el("data-observed");
    col.textContent = "";
    info.columns.forEach(function (c) {
      var label = c.name + (c.numeric ? "" : " (text)") + (c.n_missing ? " · " + c.n_missing + " missing" : "");
      col.appendChild(h("option", { value: c.name, text: label }));
    });
    if (info.suggested_column) col.value = info.suggested_column;
    // never chosen silently: say which column was picked and why
    el("data-column-note").textContent = info.suggested_reason ?
      "“" + info.suggested_column + "” was chosen: " + info.suggested_reason + ". Check it." : "";
    obs.textContent = "";
    obs.appendChild(h("option", { value: "", text: "none (all exact)" }));
    info.columns.forEach(function (c) {
      obs.appendChild(h("option", { value: c.name, text: c.name + (c.binary ? " (0/1)" : "") }));
    });
    obs.value = info.suggested_observed || "";
    ["data-upper", "data-weight"].forEach(function (id) {   // interval bounds, weights
      var sel = el(id);
      sel.textContent = "";
      sel.appendChild(h("option", { value: "", text: "none" }));
      info.columns.forEach(function (c) {
        if (c.numeric) sel.appendChild(h("option", { value: c.name, text: c.name }));
      });
      sel.value = "";
    });
    el("data-censoring-label").hidden = !obs.value;
    el("data-gof").checked = false;  // by default the chosen fit's GOF only (as mlekit compare)
    el("data-results").hidden = true;
  }

  function uploadFile(file) {
    if (!file) return;
    showError("");
    if (st.maxBytes && file.size > st.maxBytes) {
      showError("“" + file.name + "” is " + (file.size / 1e6).toFixed(1) + " MB; the explorer's " +
        "limit is " + st.maxBytes / 1e6 + " MB.");
      return;
    }
    el("data-progress-text").textContent = "uploading " + file.name + "…";
    App.api("/api/datasets?filename=" + encodeURIComponent(file.name),
            { method: "POST", body: file })
      .then(setDataset)
      .catch(function (err) { clearDataset(); showError(err.message); })
      .then(function () { el("data-progress-text").textContent = ""; el("data-file").value = ""; });
  }

  function clearDataset() {  // a failed load leaves no stale data behind
    st.dataset = null;
    el("data-setup").hidden = true;
    el("data-results").hidden = true;
  }

  // "1,5 2,5 3,5": decimal commas, which a CSV reader would take for six values
  var DECIMAL_COMMAS = /^\s*-?\d+,\d+(?:[\s;]+-?\d+,\d+)*\s*$/;

  function usePasted() {
    showError("");
    var text = el("data-text").value;
    if (DECIMAL_COMMAS.test(text)) {
      clearDataset();
      showError("These numbers use decimal commas (such as “" + text.trim().split(/[\s;]+/)[0] +
        "”). Write them with decimal points (1.5 2.5), one per line or separated by spaces.");
      return;
    }
    App.api("/api/datasets/paste", { method: "POST", json: { text: text } })
      .then(setDataset)
      .catch(function (err) { clearDataset(); showError(err.message); });
  }

  function loadFamilies() {
    if (st.families) return;
    App.api("/api/families").then(function (fams) {
      st.families = fams;
      var box = el("data-families");
      box.textContent = "";
      fams.forEach(function (fam) {
        var cb = h("input", { type: "checkbox", value: fam.name, "data-family": fam.name });
        cb.disabled = el("data-all").checked;
        box.appendChild(h("label", { title: fam.formula + "  ·  support " + fam.support },
                          [cb, " " + fam.name]));
      });
    }).catch(function (err) { showError(err.message); });
  }

  // ---------------------------------------------------------------- fitting
  function request() {
    var all = el("data-all").checked;
    var fams = all ? "all" : Array.prototype.slice.call(
      el("data-families").querySelectorAll("input:checked")).map(function (c) { return c.value; });
    return {
      dataset: st.dataset.id, column: el("data-column").value,
      observed_column: el("data-observed").value || null,
      upper_column: el("data-upper").value || null,
      weight_column: el("data-weight").value || null,
      censoring: el("data-censoring").value, families: fams,
      level: parseFloat(el("data-level").value), ci: el("data-ci").value,
      gof: el("data-gof").checked ? true : null  // null: as mlekit compare decides
    };
  }

  function fit() {
    if (!st.dataset) { showError("Load some data first."); return; }
    var req = request();
    if (req.families !== "all" && !req.families.length) {
      showError("Pick at least one family, or tick “all that fit”.");
      return;
    }
    showError("");
    busy(true);
    el("data-progress").value = 0;
    el("data-progress-text").textContent = "starting…";
    st.request = req;
    App.api("/api/jobs", { method: "POST", json: req })
      .then(function (job) { st.job = job.id; poll(); })
      .catch(function (err) { busy(false); el("data-progress-text").textContent = ""; showError(err.message); });
  }

  function poll() {
    if (!st.job) return;
    var id = st.job;
    App.api("/api/jobs/" + id).then(function (job) {
      if (st.job !== id) return;
      var pr = job.progress;
      if (pr.total) el("data-progress").value = pr.done / pr.total;
      el("data-progress-text").textContent = job.status === "running" || job.status === "queued" ?
        pr.stage + (pr.total ? " (" + pr.done + "/" + pr.total + ")" : "") +
        (job.elapsed ? " · " + job.elapsed.toFixed(1) + " s" : "") : "";
      if (job.status === "done") {
        st.job = null;
        busy(false);
        el("data-progress-text").textContent = "done in " + (job.elapsed || 0).toFixed(2) + " s";
        showResult(job.result);
      } else if (job.status === "error") {
        st.job = null;
        busy(false);
        showError(job.error.message);
      } else if (job.status === "cancelled") {
        st.job = null;
        busy(false);
        el("data-progress-text").textContent = "cancelled";
      } else {
        st.pollTimer = root.setTimeout(poll, 200);
      }
    }).catch(function (err) {
      st.job = null;
      busy(false);
      showError(err.message);
    });
  }

  function cancel() {
    if (!st.job) return;
    var id = st.job;
    st.job = null;
    root.clearTimeout(st.pollTimer);
    App.api("/api/jobs/" + id, { method: "DELETE" })
      .then(function () { el("data-progress-text").textContent = "cancelled"; })
      .catch(function (err) { showError(err.message); })
      .then(function () { busy(false); });
  }

  // ---------------------------------------------------------------- results
  function showResult(res) {
    st.result = res;
    el("data-results").hidden = false;
    var thead = el("data-table").tHead, tbody = el("data-table").tBodies[0];
    thead.textContent = "";
    tbody.textContent = "";
    var heads = ["family", "k", "log-lik", "AIC", "ΔAIC", "weight", "BIC", "GOF p", "status"];
    thead.appendChild(h("tr", null, heads.map(function (x) { return h("th", { text: x }); })));
    res.table.forEach(function (r) {
      var tr;
      if (r.error) {
        tr = h("tr", { class: "failed", "data-family": r.family }, [
          h("td", { text: r.family }), h("td", { colspan: "8", class: "left", text: "failed: " + r.error })]);
      } else {
        var status = r.converged ? (r.boundary ? "boundary: " + r.boundary : "ok") : "not converged";
        if (r.caution) status = "ranked last: " + (r.caution.indexOf("non-regular") === 0 ?
                                                  "non-regular family" : "at the edge");
        if (r.notes || r.caution) status += " (!)";
        tr = h("tr", { "data-family": r.family }, [
          h("td", { text: r.family + (r.family === res.best ? " ★" : "") }), h("td", { text: String(r.k) }),
          h("td", { text: f(r.loglik, 7) }), h("td", { text: f(r.aic, 7) }),
          h("td", { text: f(r.delta_aic, 4) }), h("td", { text: f(r.weight, 3) }),
          h("td", { text: f(r.bic, 7) }), h("td", { text: r.gof_p === undefined || r.gof_p === null ? "—" :
            (r.gof_p <= 1.000001 / (res.n_boot + 1) ? "≤ " + f(1 / (res.n_boot + 1), 2) : f(r.gof_p, 2)) }),
          h("td", { class: "left", text: status,
                    title: [r.caution, r.notes].filter(Boolean).join("; ") })]);
        tr.addEventListener("click", function () { choose(r.family); });
      }
      tbody.appendChild(tr);
    });
    var notes = [];
    var d = res.data;
    notes.push("n = " + d.n_obs + " (" + d.n_exact + " exact" + (d.n_right ? ", " + d.n_right + " right-censored" : "") +
               (d.n_interval ? ", " + d.n_interval + " interval-censored" : "") +
               (d.n_left ? ", " + d.n_left + " left-censored" : "") + ")" +
               (d.n_dropped ? "; " + d.n_dropped + " rows with missing values dropped" : "") + ".");
    if (res.skipped && res.skipped.length) {
      notes.push("Not tried (the data lie outside their support): " +
                 res.skipped.map(function (s) { return s.family; }).join(", ") + ".");
    }
    (res.notes || []).forEach(function (x) { notes.push(x); });
    if (res.gof) notes.push("GOF p: Anderson–Darling, parametric bootstrap with " + res.n_boot +
                            " refits (seed " + res.seed + ").");
    el("data-notes").textContent = notes.join(" ");
    if (res.best) choose(res.best);
  }

  function choose(fam) {
    var d = st.result && st.result.fits[fam];
    if (!d) return;
    st.chosen = fam;
    Array.prototype.forEach.call(el("data-table").tBodies[0].rows, function (tr) {
      tr.classList.toggle("chosen", tr.getAttribute("data-family") === fam);
    });
    var fit = d.fit;
    el("data-chosen").textContent = fam + (fam === st.result.best ? " (lowest AIC)" : "");
    var thead = el("data-estimates").tHead, tbody = el("data-estimates").tBodies[0];
    thead.textContent = "";
    tbody.textContent = "";
    var lvl = Math.round(fit.ci_level * 100) + "% CI (" + fit.ci_method + ")";
    thead.appendChild(h("tr", null, ["parameter", "estimate", "std. error", lvl].map(
      function (x) { return h("th", { text: x }); })));
    Object.keys(fit.params).forEach(function (p) {
      var ci = fit.ci[p] || [null, null];
      tbody.appendChild(h("tr", { "data-param": p }, [
        h("td", { class: "left", text: p }), h("td", { text: f(fit.params[p], 6) }),
        h("td", { text: f(fit.se[p], 4) }), h("td", { text: "[" + f(ci[0], 5) + ", " + f(ci[1], 5) + "]" })]));
    });
    var info = "method " + fit.method + (fit.iterations ? " (" + fit.iterations + " iterations)" : "") +
      " · log-likelihood " + f(fit.loglik, 8) + " · AIC " + f(fit.aic, 7) + " · BIC " + f(fit.bic, 7);
    if (d.gof) {
      info += " · GOF p-values: " + Object.keys(d.gof).map(function (k) {
        return d.gof[k].name + " " + f(d.gof[k].p_value, 3);
      }).join(", ");
    }
    if (d.gof_note) info += " · " + d.gof_note;
    if (fit.ci_note) info += " · " + fit.ci_note;
    el("data-fitinfo").textContent = info;
    var ul = el("data-diagnostics");
    ul.textContent = "";
    fit.diagnostics.forEach(function (x) {
      ul.appendChild(h("li", { class: x.severity, text: x.message }));
    });
    drawPlots(d.plots);
  }

  function layout(title, xt, yt, extra) {
    var l = { title: { text: title, font: { size: 13 } }, margin: { l: 64, r: 10, t: 34, b: 44 },
              xaxis: { title: { text: xt }, exponentformat: "power", automargin: true },
              yaxis: { title: { text: yt, standoff: 8 }, exponentformat: "power", automargin: true },
              legend: { orientation: "h", y: -0.25 }, showlegend: true };
    return Object.assign(l, extra || {});
  }

  function drawPlots(pd) {
    var P = root.Plotly, cfg = { displayModeBar: false, responsive: true };
    var hist = pd.histogram, tr = [];
    var xname = (st.request && st.request.column) || "x";   // the column's name, not "x"
    var intX = pd.discrete ? { tickformat: ",d" } : {};    // counts: whole-number ticks
    tr.push({ type: "bar", x: hist.centers, y: hist.exact, width: hist.widths, name: "data (exact)",
              marker: { color: "rgba(59,111,216,0.35)", line: { color: "#3b6fd8", width: 1 } } });
    if (pd.n_censored) {
      // drawn over (not stacked on) the exact values, hollow: they are bounds, not values
      tr.push({ type: "bar", x: hist.centers, y: hist.censored, width: hist.widths,
                name: (hist.censored_kind || "") + "-censored (bounds only)",
                marker: { color: "rgba(224,123,57,0)", line: { color: "#e07b39", width: 1.5 } } });
    }
    tr.push(pd.discrete ?
      { x: pd.density.x, y: pd.density.y, mode: "markers+lines", name: "fitted pmf",
        line: { color: "#ff3860", width: 1, dash: "dot" }, marker: { color: "#ff3860", size: 7 } } :
      { x: pd.density.x, y: pd.density.y, mode: "lines", name: "fitted density",
        line: { color: "#ff3860", width: 2.5 } });
    var dl = layout(pd.family + ": " + (pd.discrete ? "pmf over frequencies" :
      "density over histogram"), xname, pd.discrete ? "probability" : "density",
      { barmode: "overlay", bargap: 0 });
    Object.assign(dl.xaxis, intX);
    P.react(el("plot-density"), tr, dl, cfg);

    if (pd.qq) {
      var q = pd.qq, lo = Infinity, hi = -Infinity;
      q.theoretical.concat(q.sample).forEach(function (v) {
        if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      });
      P.react(el("plot-qq"), [
        { x: q.theoretical, y: q.sample, mode: "markers", name: "observations",
          marker: { color: "#3b6fd8", size: 5, opacity: 0.7 } },
        { x: [lo, hi], y: [lo, hi], mode: "lines", name: "y = x", line: { color: "#ff3860", dash: "dash" } }
      ], layout("QQ plot" + (pd.n_censored ? " (positions from the " +
                (pd.cdf_empirical.kind === "turnbull" ? "Turnbull" : "Kaplan–Meier") + " estimate)" : ""),
                "fitted quantile", "observed " + xname), cfg);
    } else {
      P.react(el("plot-qq"), [], layout("QQ plot: not drawn for these data", "", ""), cfg);
    }

    var cdfTr = [];
    if (pd.cdf_empirical) {
      var e = pd.cdf_empirical;
      cdfTr.push({ x: e.x, y: e.y, mode: "lines", line: { color: "#3b6fd8", shape: e.shape },
                   name: { "ecdf": "empirical", "kaplan-meier": "Kaplan–Meier",
                           "turnbull": "Turnbull NPMLE" }[e.kind] || e.kind });
    }
    cdfTr.push({ x: pd.cdf_fit.x, y: pd.cdf_fit.y, mode: "lines", name: "fitted CDF",
                 line: { color: "#ff3860", width: 2.5, shape: pd.discrete ? "hv" : "linear" } });
    var cl = layout("CDF: empirical vs fitted", xname, "F(x)",
      { yaxis: { title: { text: "F(x)" }, range: [0, 1.02], exponentformat: "power", automargin: true } });
    Object.assign(cl.xaxis, intX);
    P.react(el("plot-cdf"), cdfTr, cl, cfg);
    drawReturnLevels(pd.return_level, xname, cfg);
  }

  function num(v) {
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    return v === null || v === undefined ? NaN : v;
  }
  function finite(xs) { return xs.map(function (v) { v = num(v); return Number.isFinite(v) ? v : null; }); }

  /* GEV / Gumbel / generalised Pareto: return level against return period (log axis), the
   * profile band and the data at their empirical periods; every number is mlekit's. */
  function drawReturnLevels(rl, xname, cfg) {
    var P = root.Plotly, card = el("plot-return-card"), gd = el("plot-return");
    if (!rl) {
      card.hidden = true;
      P.purge(gd);
      el("plot-return-note").textContent = "";
      return;
    }
    card.hidden = false;
    var c = rl.curve, pts = rl.points, unit = rl.block === "exceedances" ? "exceedances" : "blocks";
    var hover = "T=%{x:.4g}<br>%{y:.5g}<extra></extra>", traces = [];
    if (c) {   // null: mlekit could not compute the levels (the note says why)
      var band = Math.round(c.level * 100) + "% " + (c.method === "profile" ? "profile" : "delta-method") +
        " interval";
      traces.push(
        { x: c.period, y: finite(c.lower), mode: "lines", line: { width: 0 }, hoverinfo: "skip",
          showlegend: false },
        { x: c.period, y: finite(c.upper), mode: "lines", line: { width: 0 }, fill: "tonexty",
          fillcolor: "rgba(255,56,96,0.15)", name: band, hoverinfo: "skip" },
        { x: c.period, y: finite(c.estimate), mode: "lines", name: "return level (" + rl.family + ")",
          line: { color: "#ff3860", width: 2.5 }, hovertemplate: hover });
    }
    traces.push({ x: pts.period, y: finite(pts.level), mode: "markers", name: "data (empirical periods)",
                  marker: { color: "#3b6fd8", size: 5, opacity: 0.8 }, hovertemplate: hover });
    P.react(gd, traces, layout("Return levels: " + rl.family, "return period T (" + unit + ", log scale)",
              xname, { xaxis: { type: "log", title: { text: "return period T (" + unit + ", log scale)" },
                                tickvals: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
                                automargin: true } }), cfg);
    el("plot-return-note").textContent = rl.note || "";
  }

  function download(name, text, type) {
    var blob = new Blob([text], { type: type });
    var url = URL.createObjectURL(blob);
    var a = h("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    root.setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  function downloadJSON() {
    if (!st.result) return;
    var out = { mlekit_explorer: el("version").textContent, dataset: st.dataset && st.dataset.name,
                request: st.request, chosen: st.chosen, result: st.result };
    download("mlekit-fit.json", JSON.stringify(out, null, 2), "application/json");
  }

  // ---------------------------------------------------------------- wiring
  function init() {
    el("data-paste-btn").addEventListener("click", usePasted);
    el("data-file").addEventListener("change", function (e) { uploadFile(e.target.files[0]); });
    var drop = el("data-drop");
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      drop.classList.remove("over");
      if (e.dataTransfer.files.length) uploadFile(e.dataTransfer.files[0]);
    });
    el("data-column").addEventListener("change", function () {
      el("data-column-note").textContent = "";
    });
    el("data-observed").addEventListener("change", function (e) {
      el("data-censoring-label").hidden = !e.target.value;
    });
    el("data-all").addEventListener("change", function (e) {
      el("data-families").querySelectorAll("input").forEach(function (c) { c.disabled = e.target.checked; });
    });
    el("data-fit").addEventListener("click", fit);
    el("data-cancel").addEventListener("click", cancel);
    el("data-download-json").addEventListener("click", downloadJSON);
    document.querySelectorAll("button.png").forEach(function (b) {
      b.addEventListener("click", function () {
        var id = b.getAttribute("data-plot");
        root.Plotly.downloadImage(el(id), { format: "png", filename: "mlekit-" + id.replace("plot-", "") +
                                            (st.chosen ? "-" + st.chosen : ""), width: 900, height: 600 });
      });
    });
    App.api("/api/health").then(function (r) { st.maxBytes = r.max_upload_mb * 1e6; }).catch(function () {});
  }

  App.registerTab("data", function () {
    loadFamilies();
    App.resizePlots(["plot-density", "plot-qq", "plot-cdf", "plot-return"]);
  });

  root.YourData = { state: function () { return { dataset: st.dataset, result: st.result, chosen: st.chosen, job: st.job }; } };
  document.addEventListener("DOMContentLoaded", init);
})(window);
