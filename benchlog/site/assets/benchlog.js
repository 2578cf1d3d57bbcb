// Draws every .benchlog-chart from the figure JSON in its data-figure attribute.
// Subscribed to Material's document$ so charts are drawn again after instant navigation swaps the page,
// and re-themed when the light/dark palette toggle changes <body data-md-color-scheme>.
(function () {
  if (window.benchlogCharts) return; // loaded once per document, even if a page swap re-runs scripts
  var THEMES = {
    "default": { font: "#2b2b2b", grid: "rgba(0,0,0,0.12)", zero: "rgba(0,0,0,0.3)" },
    "slate": { font: "#e2e4e9", grid: "rgba(255,255,255,0.15)", zero: "rgba(255,255,255,0.35)" }
  };

  function scheme() {
    var name = document.body.getAttribute("data-md-color-scheme");
    return THEMES[name] ? name : "default";
  }

  function themeLayout(name) {
    var t = THEMES[name];
    var axis = { gridcolor: t.grid, zerolinecolor: t.zero, linecolor: t.grid, color: t.font };
    return {
      "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
      "font.color": t.font, "title.font.color": t.font, "legend.font.color": t.font,
      "xaxis.gridcolor": axis.gridcolor, "xaxis.zerolinecolor": axis.zerolinecolor, "xaxis.color": axis.color,
      "yaxis.gridcolor": axis.gridcolor, "yaxis.zerolinecolor": axis.zerolinecolor, "yaxis.color": axis.color
    };
  }

  function applyFlat(layout, flat) {
    Object.keys(flat).forEach(function (path) {
      var keys = path.split("."), obj = layout;
      for (var i = 0; i < keys.length - 1; i++) { obj = obj[keys[i]] = obj[keys[i]] || {}; }
      obj[keys[keys.length - 1]] = flat[path];
    });
    return layout;
  }

  // Joins `sep`-separated parts (default " · ") into lines of at most `width` characters (Plotly wraps nothing).
  function wrap(text, width, sep) {
    sep = sep || " · ";
    var lines = [], line = "";
    String(text).split(sep).forEach(function (part) {
      if (line && (line + sep + part).length > width) { lines.push(line); line = part; }
      else { line = line ? line + sep + part : part; }
    });
    if (line) lines.push(line);
    return lines.join("<br>");
  }

  var BARS_UPRIGHT = 8;  // up to this many variants, bars stand on a desktop-wide chart

  // On a phone, grouped bars over 13 slanted variant names leave the bars a strip (or no room at all, and Plotly
  // gives up with "Something went wrong with axis scaling"): there the bars lie down, one variant name per row,
  // each name wrapped, the first variant on top. The figure's numbers are the same; only the axes swap.
  function barsAcross(figure, nameWidth) {
    var layout = figure.layout, data = figure.data || [];
    var categories = layout.xaxis && layout.xaxis.categoryarray;
    if (!data.length || !categories || !data.every(function (t) { return t.type === "bar"; })) return false;
    data.forEach(function (t) {
      var x = t.x; t.x = t.y; t.y = x;
      t.orientation = "h";
      t.cliponaxis = false;  // the longest bar's value label may pass the axis end (the margin holds it)
      if (t.error_y) { t.error_x = t.error_y; delete t.error_y; }
    });
    var values = layout.yaxis, names = layout.xaxis;
    names.autorange = "reversed";
    names.tickvals = categories;
    names.ticktext = categories.map(function (c) { return wrap(c, nameWidth, " "); });  // names at spaces
    names.tickfont = { size: 10 };
    layout.xaxis = values;
    layout.yaxis = names;
    (layout.annotations || []).forEach(function (a) {
      if (a.xref !== "x" || a.yref !== "y") return;
      var x = a.x; a.x = a.y; a.y = x;
      a.xanchor = "left"; delete a.yanchor;
    });
    // Each row has room for its bars and for the most lines a wrapped name takes.
    var lines = Math.max.apply(null, names.ticktext.map(function (t) { return t.split("<br>").length; }));
    var rows = Math.max(34, 11 * data.length + 10, 15 * lines + 12);
    layout.height = 150 + categories.length * rows;
    return true;
  }

  // Upright bars: each variant name wrapped to its slot (about 7 px a character at 12 px), never slanted; false
  // where a slot holds fewer than 9 characters.
  function uprightNames(figure, width) {
    var axis = figure.layout.xaxis, names = axis.categoryarray;
    var chars = Math.floor((width - 110) / names.length / 7);
    if (chars < 9) return false;
    axis.tickvals = names;
    axis.ticktext = names.map(function (c) { return wrap(c, chars, " "); });
    axis.tickangle = 0;
    return true;
  }

  // On a phone-sized chart the title breaks before its parenthesis and legend entries wrap, so nothing runs past
  // the chart's edges; fonts get a little smaller.
  function fitNarrow(figure, width) {
    if (width >= 600) return;
    var across = barsAcross(figure, 18);
    var layout = figure.layout;
    if (layout.title && layout.title.text) {
      layout.title.text = layout.title.text.replace(" (", "<br>(");
      layout.title.font = Object.assign({}, layout.title.font, { size: 13 });
    }
    layout.legend = Object.assign({}, layout.legend, { font: { size: 10 } });
    layout.margin = Object.assign({}, layout.margin, { l: 45, r: across ? 34 : 10, t: 70 });
    var legendLines = 0;
    (figure.data || []).forEach(function (trace) {
      if (trace.name) trace.name = wrap(trace.name, 38);
      if (trace.name && trace.showlegend !== false) legendLines += trace.name.split("<br>").length + 0.6;
      // Point names crowd a phone-sized scatter: there they show on tap (hover text) instead.
      if (trace.mode === "markers+text") trace.mode = "markers";
    });
    // A legend of many runs wraps into many lines on a phone: the chart grows by its height, so the plot keeps
    // its room and the legend never runs into the axis labels.
    if (legendLines > 4) layout.height = (layout.height || 460) + 26 * (legendLines - 4);
  }

  // A long legend or wrapped names can leave the plot a small part of its chart: then the chart grows until the
  // plot has at least PLOT_SHARE of its height (the legend and labels keep theirs).
  var PLOT_SHARE = 0.4;
  function roomForThePlot(el, tries) {
    var plot = el.querySelector(".nsewdrag"), height = el.getBoundingClientRect().height;
    if (!plot || !height) return;
    var inner = plot.getBoundingClientRect().height;
    if (inner >= PLOT_SHARE * height) { el.setAttribute("data-fitted", "true"); return; }
    tries = tries || 0;
    if (tries >= 4) return;  // Plotly's automatic margins may move the legend again: measure after each try
    var grown = Math.ceil(height + (PLOT_SHARE * height - inner) / (1 - PLOT_SHARE)) + 10;
    return Plotly.relayout(el, { height: grown }).then(function () { return roomForThePlot(el, tries + 1); });
  }

  function draw(el) {
    if (el.getAttribute("data-drawn") && el.querySelector("svg.main-svg")) return;
    var figure;
    try { figure = JSON.parse(el.getAttribute("data-figure")); }
    catch (e) { el.textContent = "Chart data is unreadable: " + e.message; return; }
    figure.layout = figure.layout || {};
    var width = el.clientWidth || window.innerWidth;
    fitNarrow(figure, width);
    // Past BARS_UPRIGHT variants, slanted names take most of a desktop chart too: the bars lie down there as well.
    // Upright, names never slant (slanted names overprint): each wraps at spaces to its slot's width, and where
    // a slot is too narrow for that, the bars lie down after all.
    var names = figure.layout.xaxis && figure.layout.xaxis.categoryarray;
    if (width >= 600 && names && (names.length > BARS_UPRIGHT || !uprightNames(figure, width))
        && barsAcross(figure, 32)) {
      figure.layout.margin = Object.assign({}, figure.layout.margin, { r: 40 });
    }
    var name = scheme();
    var layout = applyFlat(figure.layout, themeLayout(name));
    // "true" once the chart has its final size (a reader, and the browser tests, see it settled).
    el.setAttribute("data-drawn", "pending");
    el.setAttribute("data-theme", name);
    try {
      // No mode bar: it sits over the title (on a phone, tapping a bar opens it there); double-click resets a zoom.
      Plotly.newPlot(el, figure.data, layout, { responsive: true, displaylogo: false, displayModeBar: false })
        .then(roomForThePlot)
        .then(function () { el.setAttribute("data-drawn", "true"); })
        .catch(function (e) { el.textContent = "이 차트를 그릴 수 없습니다 (" + e.message + ")"; });
    } catch (e) {
      // One chart Plotly cannot lay out must not stop the charts after it.
      el.textContent = "이 차트를 그릴 수 없습니다 (" + e.message + ")";
      el.removeAttribute("data-drawn");
      return;
    }
  }

  // A filter box above every table longer than FILTER_ROWS rows: rows whose text lacks the words are hidden.
  var FILTER_ROWS = 20;
  function addFilters() {
    document.querySelectorAll("table.benchlog-table").forEach(function (table) {
      var rows = table.tBodies.length ? table.tBodies[0].rows : [];
      if (rows.length <= FILTER_ROWS || table.getAttribute("data-filter") === "on") return;
      table.setAttribute("data-filter", "on");
      var input = document.createElement("input");
      input.type = "search";
      input.className = "benchlog-filter";
      input.placeholder = "필터 (" + rows.length + "행): 머신, 변형, CPU…";
      input.addEventListener("input", function () {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        Array.prototype.forEach.call(rows, function (row) {
          var text = row.textContent.toLowerCase();
          row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
        });
      });
      var wrap = table.closest(".benchlog-table-wrap") || table;
      wrap.parentNode.insertBefore(input, wrap);
    });
  }

  // A chart inside a closed <details> (an older run, a sweep's points) has no width yet: it is drawn when its
  // details opens, so a long machine page draws only what the reader unfolds.
  function drawVisible(root) {
    root.querySelectorAll(".benchlog-chart").forEach(function (el) {
      var closed = el.parentElement && el.parentElement.closest("details:not([open])");
      if (!closed) { draw(el); return; }
      if (closed.getAttribute("data-charts") === "waiting") return;
      closed.setAttribute("data-charts", "waiting");
      closed.addEventListener("toggle", function () {
        if (!closed.open) return;
        closed.removeAttribute("data-charts");
        drawVisible(closed);
      });
    });
  }

  // A link to a run folded away (#run-…) opens the details around it.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    for (var d = target && target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
    if (target && target.tagName === "DETAILS") target.open = true;
  }

  function drawAll() {
    addFilters();
    openTarget();
    if (typeof Plotly === "undefined") return;
    drawVisible(document);
  }

  function rethemeAll() {
    var name = scheme();
    document.querySelectorAll(".benchlog-chart[data-drawn=true]").forEach(function (el) {
      if (el.getAttribute("data-theme") === name) return;
      Plotly.relayout(el, themeLayout(name));
      el.setAttribute("data-theme", name);
    });
  }

  window.benchlogCharts = { drawAll: drawAll, rethemeAll: rethemeAll };
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(drawAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  window.addEventListener("hashchange", function () { openTarget(); if (typeof Plotly !== "undefined") drawVisible(document); });
  new MutationObserver(rethemeAll).observe(document.body,
    { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
