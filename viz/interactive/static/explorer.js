// chainrule explorer: the graph Graphviz drew, made clickable. Plain JavaScript, no network, no library.
// One file serves the saved HTML page (crBoot) and the Jupyter widget (crWidget, anywidget's render).
// Python sends the numbers (viz/interactive/graph_data.py); this code never computes a derivative.
"use strict";

function crElement(tag, className, text) {
  var e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function crButton(text, title, onClick) {
  var b = crElement("button", "cr-button", text);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

// Mount the explorer on `root` (which holds .cr-graph with the SVG). options.leaves: sliders
// [{id, name, value, min, max}] and options.onLeaf(id, value), only where a kernel recomputes.
function crMount(root, graph, options) {
  options = options || {};
  var state = { graph: graph, selected: null, pinned: false, step: -1, practice: false, answered: {}, timer: null };
  var svgHost = root.querySelector(".cr-graph");
  var views = {};  // id -> {group, op, data (text element), grad (text element)}

  // ---- find each value node (its <title> is its id) and its operation's ellipse in the SVG
  var groups = svgHost.querySelectorAll("g.node");
  for (var i = 0; i < groups.length; i++) {
    var g = groups[i];
    var title = g.querySelector("title");
    if (!title) continue;
    var name = title.textContent;
    if (graph.nodes[name]) {
      var texts = g.querySelectorAll("text");
      views[name] = views[name] || {};
      views[name].group = g;
      views[name].data = texts[texts.length - 2];
      views[name].grad = texts[texts.length - 1];
    } else if (/_op$/.test(name) && graph.nodes[name.slice(0, -3)]) {
      views[name.slice(0, -3)] = views[name.slice(0, -3)] || {};
      views[name.slice(0, -3)].op = g;
    }
  }
  Object.keys(views).forEach(function (id) {
    [views[id].group, views[id].op].forEach(function (g) {
      if (!g) return;
      g.classList.add("cr-clickable");
      g.setAttribute("data-node", id);
      g.addEventListener("click", function () { select(id, true); });
      g.addEventListener("mouseenter", function () { if (!state.pinned) select(id, false); });
    });
  });

  // ---- toolbar, caption, panel, sliders
  var bar = crElement("div", "cr-toolbar");
  var prev = crButton("\u25C0 prev", "previous step of the backward pass", function () { stop(); go(state.step - 1); });
  var next = crButton("next \u25B6", "next step of the backward pass", function () { stop(); go(state.step + 1); });
  var play = crButton("play", "play the backward pass", function () { state.timer ? stop() : start(); });
  var all = crButton("show all", "every gradient, as backward() leaves them", function () { stop(); go(-1); });
  var practiceBox = crElement("label", "cr-practice-toggle");
  var practiceInput = crElement("input");
  practiceInput.type = "checkbox";
  practiceInput.className = "cr-practice";
  practiceInput.addEventListener("change", function () { setPractice(practiceInput.checked); });
  practiceBox.appendChild(practiceInput);
  practiceBox.appendChild(document.createTextNode(" practice: hide the gradients"));
  [prev, next, play, all, practiceBox].forEach(function (e) { bar.appendChild(e); });
  var caption = crElement("div", "cr-caption", "Click or hover a node to see its rule and numbers.");
  var panel = crElement("div", "cr-panel");
  var sliders = crElement("div", "cr-sliders");
  root.insertBefore(caption, svgHost);
  root.insertBefore(bar, caption);
  svgHost.parentNode.insertBefore(panel, svgHost.nextSibling);
  if (options.leaves && options.leaves.length) {
    root.appendChild(sliders);
    options.leaves.forEach(addSlider);
  }
  root.classList.add("cr-live");

  function addSlider(leaf) {
    var row = crElement("label", "cr-slider");
    row.appendChild(crElement("span", "cr-slider-name", leaf.name));
    var input = crElement("input");
    input.type = "range";
    input.min = leaf.min; input.max = leaf.max; input.step = (leaf.max - leaf.min) / 200; input.value = leaf.value;
    input.setAttribute("data-node", leaf.id);
    var shown = crElement("span", "cr-slider-value", String(leaf.value));
    input.addEventListener("input", function () {
      shown.textContent = Number(input.value).toFixed(3);
      options.onLeaf(leaf.id, Number(input.value));
    });
    row.appendChild(input);
    row.appendChild(shown);
    sliders.appendChild(row);
  }

  // ---- what each node shows: its data always; its gradient by mode (all, stepping, practice)
  function gradShown(id) {
    if (state.practice) return !!state.answered[id];
    if (state.step < 0) return true;
    return state.graph.order.indexOf(id) <= state.step;
  }

  function refresh() {
    var order = state.graph.order;
    var current = state.step >= 0 ? order[state.step] : null;
    Object.keys(views).forEach(function (id) {
      var v = views[id], node = state.graph.nodes[id];
      if (!v.group || !node) return;
      v.data.textContent = "data " + node.dataText;
      v.grad.textContent = gradShown(id) ? "grad " + node.gradText : "grad ?";
      v.group.classList.toggle("cr-current", id === current);
      v.group.classList.toggle("cr-filled", state.step >= 0 && order.indexOf(id) < state.step);
      v.group.classList.toggle("cr-selected", id === state.selected);
      v.group.classList.toggle("cr-right", state.practice && state.answered[id] === true);
      if (!state.practice || state.answered[id]) v.group.classList.remove("cr-wrong");
      if (v.op) v.op.classList.toggle("cr-current", id === current);
    });
    prev.disabled = state.step <= 0;
    next.disabled = state.step >= order.length - 1;
    if (state.step >= 0) {
      var node = state.graph.nodes[current];
      caption.textContent = "step " + (state.step + 1) + " of " + order.length + ": " + node.sum;
    }
    showPanel();
  }

  function go(k) {
    var n = state.graph.order.length;
    state.step = Math.max(-1, Math.min(n - 1, k));
    if (state.step >= 0) state.selected = state.graph.order[state.step];
    if (state.step < 0) caption.textContent = "Every gradient, as backward() leaves them.";
    refresh();
  }
  function start() {
    if (state.step >= state.graph.order.length - 1) go(-1);
    play.textContent = "pause";
    state.timer = setInterval(function () {
      if (state.step >= state.graph.order.length - 1) { stop(); return; }
      go(state.step + 1);
    }, 900);
  }
  function stop() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    play.textContent = "play";
  }
  function setPractice(on) {
    stop();
    state.practice = on;
    state.answered = {};
    state.step = -1;
    root.classList.toggle("cr-practising", on);
    caption.textContent = on ? "Practice: click a node, type dL/d(node), press Enter. Start at the output and work back."
                             : "Click or hover a node to see its rule and numbers.";
    refresh();
  }
  function select(id, pin) {
    state.selected = id;
    state.pinned = pin || state.pinned;
    refresh();
  }

  // ---- the panel: operation, formula, inputs with local derivatives, upstream and the chain-rule sum
  function row(table, cells, head) {
    var tr = crElement("tr");
    cells.forEach(function (c) { tr.appendChild(crElement(head ? "th" : "td", "", c)); });
    table.appendChild(tr);
  }

  function showPanel() {
    panel.textContent = "";
    var id = state.selected, node = id && state.graph.nodes[id];
    if (!node) { panel.appendChild(crElement("p", "cr-hint", "No node selected.")); return; }
    var out = state.graph.outputName;
    panel.setAttribute("data-node", id);
    panel.appendChild(crElement("h4", "cr-name", node.name + "  (" + node.kind + ")"));
    panel.appendChild(crElement("p", "cr-data", "data = " + node.dataText));
    if (node.op) {
      panel.appendChild(crElement("p", "cr-op", "operation: " + node.opText + (node.constant !== null ? "   (c = " + node.constant + ")" : "")));
      panel.appendChild(crElement("p", "cr-formula", "rule: " + node.formula));
      var inputs = crElement("table", "cr-inputs");
      row(inputs, ["input", "data", "local d(" + node.name + ")/d(input)"], true);
      node.inputs.forEach(function (p) {
        row(inputs, [p.name + (p.role ? " (" + p.role + ")" : ""), p.dataText, p.localText]);
      });
      panel.appendChild(inputs);
    } else {
      panel.appendChild(crElement("p", "cr-op", "a leaf: no operation made it"));
    }
    var shown = gradShown(id);
    if (id !== state.graph.output) {
      var uses = crElement("table", "cr-terms");
      row(uses, ["used by", "upstream d" + out + "/d(use)", "local d(use)/d(" + node.name + ")", "product"], true);
      node.terms.forEach(function (t) {
        var upstreamKnown = t.use === null || gradShown(t.use);
        row(uses, [t.useName, upstreamKnown ? t.upstreamText : "?", t.localText, shown ? t.productText : "?"]);
      });
      panel.appendChild(uses);
    }
    if (shown) {
      panel.appendChild(crElement("p", "cr-sum", node.sum));
      panel.appendChild(crElement("p", "cr-grad", "grad = " + node.gradText));
    }
    if (state.practice && !state.answered[id]) practiceForm(id, node, out);
  }

  function practiceForm(id, node, out) {
    var form = crElement("form", "cr-answer");
    form.appendChild(crElement("span", "", "d" + out + "/d(" + node.name + ") = "));
    var input = crElement("input", "cr-answer-input");
    input.type = "text";
    input.setAttribute("inputmode", "decimal");
    form.appendChild(input);
    var check = crElement("button", "cr-button cr-check", "check");
    check.type = "submit";
    form.appendChild(check);
    var verdict = crElement("p", "cr-verdict");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var given = Number(input.value.trim().replace("\u2212", "-"));
      if (input.value.trim() === "" || !isFinite(given)) {
        verdict.className = "cr-verdict cr-wrong";
        verdict.textContent = "Type a number, such as -0.25.";
        return;
      }
      var tol = state.graph.tolerance, want = node.grad;
      var right = want !== null && Math.abs(given - want) <= Math.max(tol.rel * Math.max(Math.abs(given), Math.abs(want)), tol.abs);
      if (right) {
        state.answered[id] = true;
        refresh();
        panel.appendChild(crElement("p", "cr-verdict cr-right", "right: " + node.gradText));
      } else {
        verdict.className = "cr-verdict cr-wrong";
        verdict.textContent = "wrong: " + given + " is not it. The chain rule gives " + node.sum;
        if (views[id] && views[id].group) views[id].group.classList.add("cr-wrong");
      }
    });
    panel.appendChild(form);
    panel.appendChild(verdict);
  }

  refresh();
  return {
    update: function (newGraph) { state.graph = newGraph; refresh(); },
    state: state,
  };
}

// The saved page and a notebook's HTML output: the data sits in a JSON script inside the root.
function crBoot(root) {
  if (!root || root.classList.contains("cr-live")) return;
  var graph = JSON.parse(root.querySelector("script.cr-data").textContent);
  crMount(root, graph, {});
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
