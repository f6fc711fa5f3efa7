/* umbrella-graph network component (vis-network).
 * Builds one interactive network from the view data: legend, search, edge filters by kind
 * and date, tooltips with the evidence. Every user string reaches the page through
 * textContent / value, never through innerHTML.
 */
(function () {
  "use strict";

  var SHAPE_SYMBOL = {
    diamond: "\u25C6", triangle: "\u25B2", dot: "\u25CF", square: "\u25A0", star: "\u2605",
    hexagon: "\u2B22", triangleDown: "\u25BC", box: "\u25AD", ellipse: "\u2B2E"
  };
  var SVG_NS = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function isoToDay(s) {
    if (!s) { return null; }
    var t = Date.parse(s + "T00:00:00Z");
    return isNaN(t) ? null : Math.floor(t / 86400000);
  }

  function dayToIso(d) {
    return new Date(d * 86400000).toISOString().slice(0, 10);
  }

  function tipElement(tip) {
    var box = el("div", "ug-tip");
    if (!tip) { return box; }
    if (tip.head) { box.appendChild(el("div", "ug-tip-head", tip.head)); }
    if (tip.rows && tip.rows.length) {
      var t = el("table", "ug-tip-rows");
      tip.rows.forEach(function (r) {
        var tr = el("tr");
        tr.appendChild(el("th", null, r[0]));
        tr.appendChild(el("td", null, r[1]));
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    if (tip.recs && tip.recs.length) {
      var t2 = el("table", "ug-tip-recs");
      var hr = el("tr");
      (tip.cols || []).forEach(function (c) { hr.appendChild(el("th", null, c)); });
      t2.appendChild(hr);
      tip.recs.forEach(function (r) {
        var tr = el("tr");
        r.forEach(function (c) { tr.appendChild(el("td", null, c)); });
        t2.appendChild(tr);
      });
      box.appendChild(t2);
    }
    if (tip.more) { box.appendChild(el("div", "ug-tip-more", tip.more)); }
    return box;
  }

  function edgeSwatch(color, dashes) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", "34");
    svg.setAttribute("height", "10");
    var line = document.createElementNS(SVG_NS, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "5");
    line.setAttribute("x2", "33"); line.setAttribute("y2", "5");
    line.setAttribute("stroke", color);
    line.setAttribute("stroke-width", "2.5");
    if (dashes && dashes.length) { line.setAttribute("stroke-dasharray", dashes.join(" ")); }
    svg.appendChild(line);
    return svg;
  }

  /* Build the network inside `root` (an element with .ug-controls, .ug-canvas, .ug-legend,
   * .ug-netnote children). Returns a controller. */
  function create(root, data) {
    var canvas = root.querySelector(".ug-canvas");
    var controls = root.querySelector(".ug-controls");
    var legend = root.querySelector(".ug-legend");
    var noteEl = root.querySelector(".ug-netnote");
    if (noteEl) { noteEl.textContent = data.note || ""; }

    var nodeItems = data.nodes.map(function (n) {
      return {
        id: n.id, label: n.label, shape: n.shape, color: n.color, size: n.size,
        x: n.x, y: n.y, physics: false, title: tipElement(n.tip)
      };
    });
    var edgeItems = data.edges.map(function (e) {
      var faded = e.evidence === false;
      return {
        id: e.id, from: e.from, to: e.to, width: e.width,
        color: { color: e.color, highlight: e.color, hover: e.color, opacity: faded ? 0.3 : 1.0 },
        dashes: e.dashes, arrows: e.arrows ? "to" : "", smooth: e.smooth,
        title: tipElement(e.tip)
      };
    });
    var nodes = new vis.DataSet(nodeItems);
    var edges = new vis.DataSet(edgeItems);
    var options = {
      autoResize: true,
      physics: { enabled: false },
      layout: { improvedLayout: false, randomSeed: 0 },
      interaction: {
        hover: true, tooltipDelay: 120, multiselect: true, navigationButtons: false,
        keyboard: false, hideEdgesOnDrag: data.edges.length > 3000,
        hideEdgesOnZoom: data.edges.length > 3000
      },
      nodes: { font: { size: 12, face: '"UG Noto Sans SC", sans-serif' }, borderWidth: 1 },
      edges: { smooth: false, selectionWidth: 2 }
    };
    var network = new vis.Network(canvas, { nodes: nodes, edges: edges }, options);
    var state = { ready: false, readyAt: null };
    function markReady() {
      state.ready = true;
      state.readyAt = (window.performance && performance.now) ? performance.now() : null;
      root.setAttribute("data-ready", "1");
    }
    // canvas labels use the page's embedded font: draw again once it is loaded (a canvas
    // does not wait for web fonts), and only then say the network is ready
    var labels = nodeItems.map(function (n) { return n.label || ""; }).join("");
    var fontLoad = (document.fonts && document.fonts.load)
      ? document.fonts.load('12px "UG Noto Sans SC"', labels || "A").catch(function () { return []; })
      : Promise.resolve([]);
    var drawn = false, fontDone = false;
    function maybeReady() { if (drawn && fontDone && !state.ready) { markReady(); } }
    network.once("afterDrawing", function () { drawn = true; maybeReady(); });
    fontLoad.then(function () {
      fontDone = true;
      network.redraw();
      maybeReady();
    });

    function edgeColor(e, opacity) {
      return { color: e.color, highlight: e.color, hover: e.color, opacity: opacity };
    }

    /* Dim everything but `ids` (and the edges among them); [] restores the full view. */
    function spotlight(ids) {
      var on = {};
      ids.forEach(function (id) { on[id] = true; });
      var any = ids.length > 0;
      nodes.update(data.nodes.map(function (n) {
        var lit = !any || on[n.id] === true;
        return { id: n.id, opacity: lit ? 1 : 0.12, font: { color: lit ? "#343434" : "rgba(52,52,52,0.15)" } };
      }));
      edges.update(data.edges.map(function (e) {
        var base = e.evidence === false ? 0.3 : 1.0;
        var lit = !any || (on[e.from] === true && on[e.to] === true);
        return { id: e.id, color: edgeColor(e, lit ? base : 0.05) };
      }));
    }

    function focus(ids) {
      var known = ids.filter(function (id) { return nodes.get(id) !== null; });
      network.unselectAll();
      spotlight(known);
      if (known.length) {
        network.selectNodes(known, false);
        network.fit({ nodes: known, animation: false, maxZoomLevel: 1.6 });
      }
      return known.length;
    }

    // --- search --------------------------------------------------------------------
    var status = el("span", "ug-status");
    if (controls) {
      var listId = "ug-names-" + Math.floor(Math.random() * 1e9).toString(36);
      var search = el("input", "ug-search");
      search.type = "search";
      search.placeholder = "Search name or id, Enter";
      search.setAttribute("list", listId);
      search.setAttribute("aria-label", "Search nodes by name or id");
      var datalist = el("datalist");
      datalist.id = listId;
      var seen = {};
      data.nodes.forEach(function (n) {
        var v = n.name || n.label || n.id;
        if (!seen[v]) { seen[v] = 1; var o = el("option"); o.value = v; datalist.appendChild(o); }
      });
      var doSearch = function () {
        var q = search.value.trim().toLowerCase();
        if (!q) { network.unselectAll(); spotlight([]); status.textContent = ""; return; }
        var ids = data.nodes.filter(function (n) {
          return String(n.name || n.label || "").toLowerCase().indexOf(q) >= 0 ||
            String(n.id).toLowerCase() === q;
        }).map(function (n) { return n.id; });
        focus(ids);
        status.textContent = ids.length + (ids.length === 1 ? " match" : " matches");
      };
      search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { doSearch(); } });
      search.addEventListener("change", doSearch);
      var sgroup = el("span", "ug-group");
      sgroup.appendChild(search);
      sgroup.appendChild(datalist);
      sgroup.appendChild(status);
      controls.appendChild(sgroup);

      // --- filters by edge family and date ---------------------------------------------
      var famBoxes = [];
      var fgroup = el("span", "ug-group ug-fams");
      (data.legend.edges || []).forEach(function (f) {
        var lab = el("label", "ug-fam");
        var cb = el("input");
        cb.type = "checkbox"; cb.checked = true; cb.value = f.fam;
        lab.appendChild(cb);
        lab.appendChild(edgeSwatch(f.color, f.dashes));
        lab.appendChild(document.createTextNode(f.label));
        fgroup.appendChild(lab);
        famBoxes.push(cb);
      });
      controls.appendChild(fgroup);
      var dgroup = el("span", "ug-group ug-dates");
      var from = el("input"); from.type = "date"; from.setAttribute("aria-label", "from date");
      var to = el("input"); to.type = "date"; to.setAttribute("aria-label", "to date");
      if (data.days) { from.value = dayToIso(data.days[0]); to.value = dayToIso(data.days[1]); }
      dgroup.appendChild(document.createTextNode("Dates "));
      dgroup.appendChild(from);
      dgroup.appendChild(document.createTextNode(" to "));
      dgroup.appendChild(to);
      var reset = el("button", "ug-reset", "Reset");
      reset.type = "button";
      dgroup.appendChild(reset);
      var shownEl = el("span", "ug-shown");
      dgroup.appendChild(shownEl);
      controls.appendChild(dgroup);
      if (!data.days) { dgroup.title = "No dated records in this view"; }

      var hidden = {};
      var applyFilters = function () {
        var fams = {};
        famBoxes.forEach(function (cb) { fams[cb.value] = cb.checked; });
        var lo = isoToDay(from.value), hi = isoToDay(to.value);
        var full = data.days && lo === data.days[0] && hi === data.days[1];
        var upd = [], visible = 0;
        data.edges.forEach(function (e) {
          var show = fams[e.fam] !== false;
          if (show && !full && (lo !== null || hi !== null) && e.t && e.t.length) {
            show = e.t.some(function (d) { return (lo === null || d >= lo) && (hi === null || d <= hi); });
          }
          if (show) { visible += 1; }
          if (!!hidden[e.id] === show) { hidden[e.id] = !show; upd.push({ id: e.id, hidden: !show }); }
        });
        if (upd.length) { edges.update(upd); }
        shownEl.textContent = visible + " of " + data.edges.length + " edges";
      };
      famBoxes.forEach(function (cb) { cb.addEventListener("change", applyFilters); });
      from.addEventListener("change", applyFilters);
      to.addEventListener("change", applyFilters);
      reset.addEventListener("click", function () {
        famBoxes.forEach(function (cb) { cb.checked = true; });
        if (data.days) { from.value = dayToIso(data.days[0]); to.value = dayToIso(data.days[1]); }
        else { from.value = ""; to.value = ""; }
        search.value = ""; status.textContent = "";
        applyFilters();
        network.unselectAll();
        spotlight([]);
        network.fit({ animation: false });
      });
      applyFilters();
    }

    // --- legend ------------------------------------------------------------------------
    if (legend) {
      legend.appendChild(el("div", "ug-legend-title", "Nodes"));
      (data.legend.nodes || []).forEach(function (n) {
        var row = el("div", "ug-legend-row");
        var sym = el("span", "ug-sym", SHAPE_SYMBOL[n.shape] || "\u25CF");
        sym.style.color = n.color;
        row.appendChild(sym);
        row.appendChild(el("span", null, n.label));
        legend.appendChild(row);
      });
      if (data.legend.communities) {
        legend.appendChild(el("div", "ug-legend-note",
          "Fill colour: community (" + data.legend.communities + " communities); shape: kind."));
      }
      legend.appendChild(el("div", "ug-legend-title", "Edges"));
      (data.legend.edges || []).forEach(function (f) {
        var row = el("div", "ug-legend-row");
        row.appendChild(edgeSwatch(f.color, f.dashes));
        row.appendChild(el("span", null, f.label));
        legend.appendChild(row);
      });
      legend.appendChild(el("div", "ug-legend-note",
        "Officials are sized by score; edge width grows with amount or number of contacts. " +
        "Hover for the records."));
    }

    return {
      network: network,
      nodes: nodes,
      edges: edges,
      focus: focus,
      clearFocus: function () { network.unselectAll(); spotlight([]); },
      state: state,
      selectedNodes: function () { return network.getSelectedNodes().slice().sort(); },
      nodeCount: function () { return nodes.length; },
      domPosition: function (id) {
        var p = network.getPositions([id])[id];
        return p ? network.canvasToDOM(p) : null;
      },
      edgeCount: function () { return edges.length; },
      visibleEdgeCount: function () {
        return edges.get({ filter: function (e) { return !e.hidden; } }).length;
      }
    };
  }

  window.UGNet = { create: create, tipElement: tipElement };
})();
