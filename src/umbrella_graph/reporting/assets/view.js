/* Bootstrap of a stand-alone network view page. Exposes a small read-only hook
 * `window.UG` (ready, readyAt, selectedNodes(), nodeCount(), focus(ids)) for tests. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ug-data").textContent);
  var root = document.querySelector("[data-ug-net]");
  var ctl = window.UGNet.create(root, data.view);
  window.UG = Object.freeze({
    get ready() { return ctl.state.ready; },
    get readyAt() { return ctl.state.readyAt; },
    selectedNodes: ctl.selectedNodes,
    nodeCount: ctl.nodeCount,
    domPosition: ctl.domPosition,
    edgeCount: ctl.edgeCount,
    visibleEdgeCount: ctl.visibleEdgeCount,
    focus: function (ids) { return ctl.focus(ids.slice()); }
  });
})();
