// chainrule explorer: the graph Graphviz drew, made clickable. Plain JavaScript, no network,
// no library.
// One script (explorer_view.js, explorer_practice.js, then this file) serves the saved HTML page
// (crBoot) and the Jupyter widget (crWidget, anywidget's render).
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
// graph.scale: the presentation factor it opens at (viz.explore(..., scale=1.5)).
var CR_HELLO = "Click or hover a node to see its rule and numbers.";
var CR_ALL = "Every gradient, as backward() leaves them.";

function crMount(root, graph, options) {
  options = options || {};
  var state = { graph: graph, selected: null, pinned: false, step: -1, practice: false,
                answered: {}, level: {}, helped: {}, timer: null, scale: graph.scale || 1 };
  var svgHost = root.querySelector(".cr-graph");
  var views = {};  // id -> {group, op, data (text element), grad (text element)}; a box: {group}
  var fullSvg = svgHost.innerHTML, boxes = graph.collapsed ? graph.collapsed.boxes : {};
  state.collapsed = !!graph.collapsed;
  if (state.collapsed) svgHost.innerHTML = graph.collapsed.svg;

  // ---- find each value node (its <title> is its id), its operation's ellipse and each box
  function bindViews() {
    views = {};
    var groups = svgHost.querySelectorAll("g.node");
    for (var i = 0; i < groups.length; i++) {
      var g = groups[i];
      var title = g.querySelector("title");
      if (!title) continue;
      var name = title.textContent;
      if (state.graph.nodes[name] || boxes[name]) {
        var texts = g.querySelectorAll("text");
        views[name] = views[name] || {};
        views[name].group = g;
        if (state.graph.nodes[name]) {
          views[name].data = texts[texts.length - 2];
          views[name].grad = texts[texts.length - 1];
        } else {  // a box showing a gradient (a neuron's, a loss term's, W's sum of |grad|):
          views[name].boxGrad = Array.prototype.filter.call(texts, function (t) {  // ? until reached
            return /^(grad|\u03a3\|grad\|) /.test(t.textContent);
          }).map(function (t) {
            return { text: t, shown: t.textContent, hidden: t.textContent.replace(/ \S+$/, " ?") };
          })[0];
        }
      } else if (/_op$/.test(name) && state.graph.nodes[name.slice(0, -3)]) {
        views[name.slice(0, -3)] = views[name.slice(0, -3)] || {};
        views[name.slice(0, -3)].op = g;
      }
    }
    Object.keys(views).forEach(function (id) {
      [views[id].group, views[id].op].forEach(function (g) {
        if (!g) return;
        g.classList.add("cr-clickable");
        g.setAttribute("data-node", id);
        g.addEventListener("click", function () {
          if (!view.wasDragged()) { stop(); select(id, true, true); }
        });
        g.addEventListener("mouseenter", function () {
          if (!state.pinned) select(id, false, false);
        });
      });
    });
  }
  bindViews();

  // ---- layout: toolbar, caption, then the graph's viewport and the side column (panel, code)
  var nodeNames = Object.keys(graph.nodes).map(function (id) { return graph.nodes[id].name; });
  var tools = crToolbar(nodeNames, {
    prev: function () { stop(); go(state.step - 1); },
    next: function () { stop(); go(state.step + 1); },
    play: function () { state.timer ? stop() : start(); },
    all: function () { stop(); clear(); },
    zoomOut: function () { view.zoom(1 / 1.25, undefined, undefined, true); },
    zoomIn: function () { view.zoom(1.25, undefined, undefined, true); },
    fit: function () { view.fit(true); },
    actual: function () { view.actual(true); revealCurrent(); },
    present: function () { setScale(state.scale > 1 ? 1 : 1.5); },
    expand: !graph.collapsed ? null
      : function () { stop(); state.step = -1; showSvg(!state.collapsed); refresh(); },
    find: function (text) { find(text); },
    practice: function (on) { setPractice(on); },
  });
  var bar = tools.bar, prev = tools.prev, next = tools.next, play = tools.play;
  var expandAll = tools.expand, search = tools.search, score = tools.score;
  var caption = crElement("div", "cr-caption", CR_HELLO);
  var body = crElement("div", "cr-body");
  var viewport = crElement("div", "cr-viewport");
  var side = crElement("div", "cr-side");
  var panel = crElement("div", "cr-panel");
  var code = graph.code ? crCodePane(graph.code) : null;
  var sliders = crElement("div", "cr-sliders");
  root.insertBefore(bar, svgHost);
  root.insertBefore(caption, svgHost);
  root.insertBefore(body, svgHost);
  viewport.appendChild(svgHost);
  body.appendChild(viewport);
  body.appendChild(side);
  side.appendChild(panel);
  if (code) side.appendChild(code.element);
  if (options.leaves && options.leaves.length) {
    root.appendChild(sliders);
    options.leaves.forEach(addSlider);
  }
  root.classList.add("cr-live");
  root.tabIndex = 0;
  var view = crView(viewport, svgHost, { scale: function () { return state.scale; } });

  // the panel beside the graph in a wide box, below it in a narrow one; both in the window
  function layout() {
    var wide = root.clientWidth >= 880 * Math.min(state.scale, 1.25);
    root.classList.toggle("cr-wide", wide);
    root.style.setProperty("--cr-scale", state.scale);
    var top = bar.offsetHeight + caption.offsetHeight + 24;
    var room = Math.max(220, window.innerHeight - top);
    view.measure();
    var want = view.natural().h * state.scale + 24;
    var height = wide ? Math.min(want, room) : Math.min(want, room * 0.55);
    viewport.style.height = Math.round(height) + "px";
    side.style.maxHeight = wide ? room + "px" : Math.round(room * 0.45) + "px";
  }
  function setScale(s) {
    state.scale = s;
    root.classList.toggle("cr-presenting", s > 1);
    layout();
    view.open();
    revealCurrent();
  }

  function addSlider(leaf) {
    var row = crElement("label", "cr-slider");
    row.appendChild(crElement("span", "cr-slider-name", leaf.name));
    var input = crElement("input");
    input.type = "range";
    input.min = leaf.min;
    input.max = leaf.max;
    input.step = (leaf.max - leaf.min) / 200;
    input.value = leaf.value;
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
  // backward's order over what is drawn: the boxes while collapsed, else every node
  function steps() {
    return state.collapsed ? state.graph.collapsed.order : state.graph.order;
  }
  function item(id) { return state.graph.nodes[id] || { sum: crBoxSum(boxes[id], state.graph) }; }
  function gradShown(id) {
    if (state.practice) return !!state.answered[id];
    if (state.step < 0) return true;
    // a node inside a box is drawn as its box
    var drawn = state.collapsed ? state.graph.collapsed.place[id] || id : id;
    return steps().indexOf(drawn) <= state.step;
  }
  function known(id) {  // the gradient's text where the student may see it (practice), else null
    if (id === null) return "1";
    return gradShown(id) ? state.graph.nodes[id].gradText : null;
  }

  function refresh() {
    var order = steps();
    var current = state.step >= 0 ? order[state.step] : null;
    Object.keys(views).forEach(function (id) {
      var v = views[id], node = state.graph.nodes[id];
      if (!v.group) return;
      if (node) {
        v.data.textContent = "data " + node.dataText;
        v.grad.textContent = gradShown(id) ? "grad " + node.gradText : "grad ?";
      } else if (v.boxGrad) {
        v.boxGrad.text.textContent = gradShown(id) ? v.boxGrad.shown : v.boxGrad.hidden;
      }
      v.group.classList.toggle("cr-current", id === current);
      v.group.classList.toggle("cr-filled", state.step >= 0 && order.indexOf(id) < state.step);
      v.group.classList.toggle("cr-selected", id === state.selected);
      v.group.classList.toggle("cr-right", state.practice && state.answered[id] === true);
      v.group.classList.toggle("cr-shown", state.practice && state.answered[id] === "shown");
      if (!state.practice || state.answered[id]) v.group.classList.remove("cr-wrong");
      if (v.op) v.op.classList.toggle("cr-current", id === current);
    });
    prev.disabled = state.step <= 0;
    next.disabled = state.step >= order.length - 1;
    if (state.step >= 0) {
      var it = item(current);  // practising: the step names the gradient, its sum stays hidden
      var says = !state.practice ? it.sum
        : it.gradSymbol ? it.gradSymbol + " = ?" : boxes[current].name;
      caption.textContent = "step " + (state.step + 1) + " of " + order.length + ": " + says;
    }
    showScore();
    showPanel();
    var box = boxes[state.selected];  // a box: the lines of its outputs
    var marked = box ? state.graph.nodes[box.outputs[0]] : state.graph.nodes[state.selected];
    if (code) code.highlight(marked, state.graph);
  }

  function revealCurrent(smooth) {
    var id = state.selected;
    if (id && views[id]) view.reveal([views[id].group, views[id].op], smooth);
  }
  function go(k) {
    var n = steps().length;
    state.step = Math.max(-1, Math.min(n - 1, k));
    if (state.step >= 0) state.selected = steps()[state.step];
    if (state.step < 0) caption.textContent = CR_ALL;
    refresh();
    revealCurrent(true);
  }
  function clear() {
    state.step = -1; state.selected = null; state.pinned = false;
    caption.textContent = state.practice ? practiceCaption() : CR_ALL;
    refresh();
  }
  function start() {
    if (state.step >= steps().length - 1) go(-1);
    play.textContent = "pause";
    state.timer = setInterval(function () {
      if (state.step >= steps().length - 1) { stop(); return; }
      go(state.step + 1);
    }, 900);
  }
  function stop() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    play.textContent = "play";
  }
  // ---- collapsed boxes: a box expands into the whole graph, stepping on from the box's first node
  function showSvg(collapsed) {
    state.collapsed = collapsed;
    svgHost.innerHTML = collapsed ? state.graph.collapsed.svg : fullSvg;
    root.classList.toggle("cr-collapsed", collapsed);
    if (expandAll) expandAll.textContent = collapsed ? "expand" : "collapse";
    bindViews();
    layout();
    view.open();
  }
  function expand(boxId) {
    var members = boxes[boxId].members, order = state.graph.order;
    var first = order.filter(function (id) { return members.indexOf(id) >= 0; })[0];
    showSvg(false);
    state.step = state.step >= 0 ? order.indexOf(first) : -1;
    select(first, true, true);
  }
  function practiceCaption() {
    return "Practice: click a node, type d" + state.graph.outputName + "/d(node), press Enter. " +
           "Start at the output and work back; a wrong answer gets a hint.";
  }
  function setPractice(on) {
    stop();
    state.practice = on;
    state.answered = {}; state.level = {}; state.helped = {};
    state.step = -1;
    root.classList.toggle("cr-practising", on);
    showScore();
    layout();  // the score may take a line of the toolbar
    caption.textContent = on ? practiceCaption() : CR_HELLO;
    refresh();
  }
  function select(id, pin, reveal) {
    state.selected = id;
    state.pinned = pin || state.pinned;
    refresh();
    if (reveal) revealCurrent(true);
  }
  function find(text) {
    var want = text.trim().toLowerCase();
    if (!want) return;
    var ids = Object.keys(state.graph.nodes);
    var named = function (id) { return state.graph.nodes[id].name.toLowerCase(); };
    var hit = ids.filter(function (id) { return named(id) === want; })[0] ||
              ids.filter(function (id) { return named(id).indexOf(want) >= 0; })[0];
    search.classList.toggle("cr-not-found", !hit);
    if (hit && state.collapsed && !views[hit]) { stop(); showSvg(false); }
    if (hit) { stop(); select(hit, true, true); }
  }
  function showScore() {
    if (!state.practice) { score.textContent = ""; return; }
    var done = Object.keys(state.answered), total = Object.keys(state.graph.nodes).length;
    var clean = done.filter(function (id) {
      return state.answered[id] === true && !state.helped[id];
    }).length;
    score.textContent = "score: " + clean + " of " + done.length + " right without help (" +
                        (total - done.length) + " to go)";
  }

  // ---- keyboard: left / right step, space plays, Esc clears (not while typing in a box)
  function onKey(e) {
    var t = e.target;
    var typing = t && t.tagName === "INPUT" && t.type !== "checkbox" && t.type !== "button";
    // typing in a text box or moving a slider: the keys are theirs
    if (typing || (t && (t.tagName === "TEXTAREA" || t.isContentEditable))) return;
    if (e.key === "ArrowRight") { stop(); go(state.step + 1); }
    else if (e.key === "ArrowLeft") { stop(); go(state.step - 1); }
    else if (e.key === " " && (t.tagName === "BUTTON" || t.tagName === "INPUT")) return;  // its own
    else if (e.key === " ") { state.timer ? stop() : start(); }
    else if (e.key === "Escape") { stop(); clear(); }
    else return;
    e.preventDefault();
  }
  if (root.crKeys) root.removeEventListener("keydown", root.crKeys);  // mounted again
  root.crKeys = onKey;
  root.addEventListener("keydown", onKey);

  // ---- the panel: the sum first (it must stay in view), then operation, inputs, uses, source line
  function row(table, cells, head) {
    var tr = crElement("tr");
    cells.forEach(function (c) { tr.appendChild(crElement(head ? "th" : "td", "", c)); });
    table.appendChild(tr);
  }

  function showPanel() {
    panel.textContent = "";
    var id = state.selected, node = id && state.graph.nodes[id];
    if (id && boxes[id]) {
      crBoxPanel(panel, boxes[id], state.graph, known, function () { expand(id); });
      return;
    }
    if (!node) { panel.appendChild(crElement("p", "cr-hint", "No node selected.")); return; }
    var out = state.graph.outputName;
    var shown = gradShown(id);
    panel.setAttribute("data-node", id);
    panel.appendChild(crElement("h4", "cr-name", node.name + "  (" + node.kind + ")"));
    panel.appendChild(crElement("p", "cr-data", "data = " + node.dataText));
    if (shown) {
      panel.appendChild(crElement("p", "cr-sum", node.sum));
      panel.appendChild(crElement("p", "cr-grad", "grad = " + node.gradText));
    }
    if (state.practice && !state.answered[id]) practiceForm(id, node);
    if (state.practice && state.answered[id] === "shown") {
      panel.appendChild(crElement("p", "cr-verdict cr-shown-note", "shown, not counted as right"));
    }
    if (node.source) {
      panel.appendChild(crElement("p", "cr-source", "made at " + node.source.where + ":  " +
                                  node.source.text));
    }
    if (node.op) {
      var constant = node.constant !== null ? "   (c = " + node.constant + ")" : "";
      panel.appendChild(crElement("p", "cr-op", "operation: " + node.opText + constant));
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
    if (id !== state.graph.output && !(state.practice && !shown)) {  // practising: hints give uses
      var uses = crElement("table", "cr-terms");
      row(uses, ["used by", "upstream d" + out + "/d(use)", "local d(use)/d(" + node.name + ")",
                 "product"], true);
      node.terms.forEach(function (t) {
        var up = known(t.use);
        row(uses, [t.useName, up !== null ? up : "?", t.localText, shown ? t.productText : "?"]);
      });
      panel.appendChild(uses);
    }
  }

  function practiceForm(id, node) {
    var input = crPracticeForm(panel, {
      node: node, graph: state.graph, known: known,
      level: function () { return state.level[id] || 0; },
      bump: function () {
        state.level[id] = Math.min(CR_LEVELS, (state.level[id] || 0) + 1);
        state.helped[id] = true;
        if (views[id] && views[id].group) views[id].group.classList.add("cr-wrong");
        showScore();
      },
      reveal: function () { state.answered[id] = "shown"; state.helped[id] = true; refresh(); },
      right: function () {
        state.answered[id] = true;
        refresh();
        var text = "right: " + node.gradSymbol + " = " + node.gradText +
                   (state.helped[id] ? " (with help)" : "");
        panel.insertBefore(crElement("p", "cr-verdict cr-right", text), panel.children[2] || null);
      },
    });
    return input;
  }

  var opened = false, last = root.clientWidth;
  // a widget may be mounted before it is on the page: open once it has a size
  function openWhenShown() {
    if (!root.clientWidth) return;
    layout();
    view.open();
    opened = true;
    var out = views[state.graph.output];  // at natural size, start where backward starts
    if (!view.view.fitted && out) view.reveal([out.group, out.op], false);
  }
  openWhenShown();
  refresh();
  if (typeof ResizeObserver === "function") {
    if (root.crResize) root.crResize.disconnect();
    root.crResize = new ResizeObserver(function () {
      if (!opened) { openWhenShown(); return; }
      if (Math.abs(root.clientWidth - last) < 2) return;
      last = root.clientWidth;
      layout();
      if (view.view.fitted) view.fit(false);
    });
    root.crResize.observe(root);
  }
  return {
    update: function (newGraph) { state.graph = newGraph; refresh(); },
    state: state,
    view: view,
  };
}
