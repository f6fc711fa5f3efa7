/* Report page: the network, and the ranked table driving it.
 * Exposes a small read-only hook `window.UG` for tests and benchmarks:
 * ready, readyAt, selectedNodes(), nodeCount(), edgeCount(), focusPair(i), pairs. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ug-data").textContent);
  var root = document.querySelector("[data-ug-net]");
  var ctl = window.UGNet.create(root, data.network);
  var rows = Array.prototype.slice.call(document.querySelectorAll("#ug-pairs tbody tr[data-pair]"));

  function focusPair(i, scroll) {
    var pair = data.pairs[i];
    if (!pair) { return 0; }
    rows.forEach(function (r) { r.classList.toggle("ug-active", Number(r.getAttribute("data-pair")) === i); });
    var n = ctl.focus(pair.focus.slice());
    if (scroll && root.getBoundingClientRect().bottom < 0 || scroll && root.getBoundingClientRect().top > window.innerHeight) {
      root.scrollIntoView({ block: "nearest" });
    }
    return n;
  }

  rows.forEach(function (r) {
    var i = Number(r.getAttribute("data-pair"));
    r.addEventListener("click", function (ev) {
      if (ev.target && ev.target.tagName === "A") { return; }
      focusPair(i, true);
    });
    r.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); focusPair(i, false); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.ug-focus[data-pair]"), function (b) {
    b.addEventListener("click", function () { focusPair(Number(b.getAttribute("data-pair")), true); });
  });

  window.UG = Object.freeze({
    get ready() { return ctl.state.ready; },
    get readyAt() { return ctl.state.readyAt; },
    pairs: data.pairs.length,
    selectedNodes: ctl.selectedNodes,
    nodeCount: ctl.nodeCount,
    domPosition: ctl.domPosition,
    edgeCount: ctl.edgeCount,
    visibleEdgeCount: ctl.visibleEdgeCount,
    focusPair: function (i) { return focusPair(Number(i), false); }
  });
})();
