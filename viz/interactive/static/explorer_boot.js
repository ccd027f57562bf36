// chainrule explorer: where it starts, in a saved page (or a notebook's HTML output) and as a
// Jupyter widget (anywidget's render).
"use strict";

// The saved page and a notebook's HTML output: the data sits in a JSON script inside the root.
function crBoot(root) {
  if (!root || root.classList.contains("cr-live")) return;
  var graph = JSON.parse(root.querySelector("script.cr-data").textContent);
  crMount(root, graph, {});
  // a page of its own: the keys work at once
  if (root.parentElement === document.body) root.focus({ preventScroll: true });
}

// anywidget: the kernel sends the SVG once and new numbers whenever a slider moves.
function crWidget(model, el) {
  var root = crElement("div", "cr-explorer");
  var host = crElement("div", "cr-graph");
  host.innerHTML = model.get("svg");
  root.appendChild(host);
  el.appendChild(root);
  var pending = null;
  var view = crMount(root, model.get("graph"), {
    leaves: model.get("sliders"),
    onLeaf: function (id, value) {
      var values = Object.assign({}, model.get("leaf_values"));
      values[id] = value;
      model.set("leaf_values", values);
      if (pending) clearTimeout(pending);
      pending = setTimeout(function () { model.save_changes(); }, 30);
    },
  });
  var error = crElement("p", "cr-error", "");
  root.appendChild(error);
  var onGraph = function () { view.update(model.get("graph")); };
  var onError = function () { error.textContent = model.get("error"); };
  model.on("change:graph", onGraph);
  model.on("change:error", onError);
  return function () { model.off("change:graph", onGraph); model.off("change:error", onError); };
}
