// chainrule playground, the anywidget front end: TensorFlow Playground's controls and views,
// and the chain rule of a clicked neuron or weight in the explorer (crMount from explorer.js).
// The kernel trains and computes; every control here only changes `settings`, `selected` or
// `example`, or sends a message (step, reset, pick).
"use strict";

function crSelect(className, choices, value, onChange) {
  var s = crEl("select", className);
  choices.forEach(function (c) {
    var o = crEl("option", "", String(c));
    o.value = String(c);
    s.appendChild(o);
  });
  s.value = String(value);
  s.addEventListener("change", function () { onChange(s.value); });
  return s;
}

function crLabelled(text, control) {
  var box = crEl("label", "cr-control");
  box.appendChild(crEl("span", "cr-control-name", text));
  box.appendChild(control);
  return box;
}

function crRange(className, min, max, step, value, onChange) {
  var r = crEl("input", className);
  r.type = "range"; r.min = min; r.max = max; r.step = step; r.value = value;
  r.addEventListener("change", function () { onChange(Number(r.value)); });
  return r;
}

function crPlaygroundWidget(model, el) {
  var opts = model.get("options"), root = crEl("div", "cr-playground");
  var running = false, view = null, showTest = true, discrete = false;
  function settings() { return model.get("settings"); }
  function change(values) {
    model.set("settings", Object.assign({}, settings(), values));
    model.save_changes();
  }
  function stop() { running = false; play.textContent = "play"; }
  function send(message) { model.send(message); }

  // ---- the top bar: run controls and the training settings
  var bar = crEl("div", "cr-toolbar");
  var reset = crEl("button", "cr-button cr-reset", "reset");
  var play = crEl("button", "cr-button cr-play", "play");
  var step = crEl("button", "cr-button cr-step", "step"), epoch = crEl("span", "cr-epoch", "");
  reset.addEventListener("click", function () { stop(); send({ type: "reset" }); });
  play.addEventListener("click", function () {
    running = !running;
    play.textContent = running ? "pause" : "play";
    if (running) send({ type: "step" });
  });
  step.addEventListener("click", function () { stop(); send({ type: "step" }); });
  var controls = {};
  function settingSelect(key, label, choices, parse) {
    controls[key] = crSelect("cr-" + key, choices, settings()[key], function (v) {
      var values = {}; values[key] = parse(v); change(values);
    });
    return crLabelled(label, controls[key]);
  }
  var same = function (v) { return v; };
  [reset, play, step, epoch,
   settingSelect("lr", "learning rate", opts.lr, Number),
   settingSelect("activation", "activation", opts.activations, same),
   settingSelect("regularization", "regularisation", ["none", "L1", "L2"], same),
   settingSelect("reg_rate", "regularisation rate", opts.regRate, Number),
  ].forEach(function (e) { bar.appendChild(e); });
  var problems = ["classification", "regression"];
  controls.problem = crSelect("cr-problem", problems, settings().problem, function (v) {
    change({ problem: v, dataset: opts[v][0] });
  });
  bar.appendChild(crLabelled("problem type", controls.problem));

  // ---- left: the data
  var data = crEl("div", "cr-column cr-data-column");
  data.appendChild(crEl("h4", "", "data"));
  var sets = crEl("div", "cr-datasets");
  data.appendChild(sets);
  var s0 = settings();
  controls.train_fraction = crRange("cr-ratio", 10, 90, 10, s0.train_fraction * 100, function (v) {
    change({ train_fraction: v / 100 });
  });
  controls.noise = crRange("cr-noise", 0, 50, 5, s0.noise * 100, function (v) {
    change({ noise: v / 100 });
  });
  controls.batch_size = crRange("cr-batch", 1, 30, 1, s0.batch_size, function (v) {
    change({ batch_size: v });
  });
  var ratioText = crEl("span", "cr-value"), noiseText = crEl("span", "cr-value");
  var batchText = crEl("span", "cr-value");
  [["ratio of training to test data", controls.train_fraction, ratioText],
   ["noise", controls.noise, noiseText],
   ["batch size", controls.batch_size, batchText]].forEach(function (r) {
    var box = crLabelled(r[0], r[1]); box.appendChild(r[2]); data.appendChild(box);
  });
  var regen = crEl("button", "cr-button cr-regenerate", "regenerate");
  regen.addEventListener("click", function () { change({ seed: settings().seed + 1 }); });
  data.appendChild(regen);

  // ---- middle: the network
  var middle = crEl("div", "cr-column cr-net-column");
  var layerBar = crEl("div", "cr-toolbar");
  var addLayer = crEl("button", "cr-button cr-add-layer", "+ layer");
  var removeLayer = crEl("button", "cr-button cr-remove-layer", "\u2212 layer");
  var layerText = crEl("span", "cr-layer-count", "");
  addLayer.addEventListener("click", function () {
    var h = settings().hidden.slice();
    if (h.length < opts.maxLayers) { h.push(2); change({ hidden: h }); }
  });
  removeLayer.addEventListener("click", function () {
    var h = settings().hidden.slice(); if (h.length) { h.pop(); change({ hidden: h }); }
  });
  [addLayer, removeLayer, layerText].forEach(function (e) { layerBar.appendChild(e); });
  var neuronBar = crEl("div", "cr-neuron-buttons");
  var network = crEl("div", "cr-network");
  [layerBar, neuronBar, network].forEach(function (e) { middle.appendChild(e); });

  // ---- right: the output
  var right = crEl("div", "cr-column cr-output-column");
  var curves = crCanvas(300, 150, "cr-curves"), board = crCanvas(300, 300, "cr-boundary");
  var testBox = crEl("input", "cr-show-test"), discreteBox = crEl("input", "cr-discretize");
  testBox.type = "checkbox"; testBox.checked = true; discreteBox.type = "checkbox";
  testBox.addEventListener("change", function () { showTest = testBox.checked; draw(); });
  discreteBox.addEventListener("change", function () { discrete = discreteBox.checked; draw(); });
  var accuracy = crEl("div", "cr-accuracy", "");
  [crEl("h4", "", "output"), curves, accuracy, board, crLabelled("show test data", testBox),
   crLabelled("discretize output", discreteBox)].forEach(function (e) { right.appendChild(e); });
  board.addEventListener("click", function (event) {
    var g = model.get("frame").pictures, r = board.getBoundingClientRect();
    var fx = (event.clientX - r.left) / r.width, fy = 1 - (event.clientY - r.top) / r.height;
    send({ type: "pick", x1: g.x0 + fx * (g.x1 - g.x0), x2: g.y0 + fy * (g.y1 - g.y0) });
  });

  // ---- below: the chain rule of the clicked neuron or weight
  var chain = crEl("div", "cr-chain");
  var invite = "Click a neuron or a weight for its chain rule, from the loss back.";
  var chainTitle = crEl("h4", "cr-chain-title", invite);
  var exampleBox = crEl("div", "cr-toolbar");
  var example = crRange("cr-example", 0, 0, 1, model.get("example"), function (v) {
    model.set("example", v);
    model.save_changes();
  });
  example.addEventListener("input", function () {
    exampleText.textContent = "training example " + example.value;
  });
  var exampleText = crEl("span", "cr-value", "");
  [crEl("span", "", "example (or click a point):"), example, exampleText]
    .forEach(function (e) { exampleBox.appendChild(e); });
  var gradients = crEl("p", "cr-gradients", ""), explorer = crEl("div", "cr-explorer");
  [chainTitle, exampleBox, gradients, explorer].forEach(function (e) { chain.appendChild(e); });

  var error = crEl("p", "cr-error", ""), columns = crEl("div", "cr-columns");
  [data, middle, right].forEach(function (e) { columns.appendChild(e); });
  [bar, error, columns, chain].forEach(function (e) { root.appendChild(e); });
  el.appendChild(root);

  function select(what) { model.set("selected", what); model.save_changes(); }
  function selectNeuron(layer, j) { select({ kind: "neuron", layer: layer, index: j }); }
  function selectWeight(layer, j, i) {
    select({ kind: "weight", layer: layer, index: j, input: i });
  }
  function toggleFeature(name) {
    var f = settings().features.slice(), k = f.indexOf(name);
    if (k >= 0 && f.length > 1) f.splice(k, 1);  // the last feature stays
    else if (k < 0) {
      f = opts.features.filter(function (n) { return n === name || f.indexOf(n) >= 0; });
    }
    change({ features: f });
  }

  function drawControls() {
    var s = settings();
    Object.keys(controls).forEach(function (k) {
      var c = controls[k];
      c.value = k === "train_fraction" || k === "noise" ? Math.round(s[k] * 100) : String(s[k]);
    });
    ratioText.textContent = Math.round(s.train_fraction * 100) + "%";
    noiseText.textContent = Math.round(s.noise * 100);
    batchText.textContent = s.batch_size;
    sets.textContent = "";
    (opts[s.problem] || []).concat(s.dataset === "user" ? ["user"] : []).forEach(function (name) {
      var b = crEl("button", "cr-button cr-dataset" + (name === s.dataset ? " cr-on" : ""), name);
      b.setAttribute("data-dataset", name);
      b.addEventListener("click", function () { change({ dataset: name }); });
      sets.appendChild(b);
    });
    layerText.textContent = s.hidden.length + " hidden layer" + (s.hidden.length === 1 ? "" : "s");
    neuronBar.textContent = "";
    neuronBar.style.paddingLeft = CR_COL + "px";
    s.hidden.forEach(function (size, l) {
      var box = crEl("span", "cr-neuron-count");
      var plus = crEl("button", "cr-button cr-add-neuron", "+");
      var minus = crEl("button", "cr-button cr-remove-neuron", "\u2212");
      plus.setAttribute("data-layer", l); minus.setAttribute("data-layer", l);
      plus.addEventListener("click", function () {
        var h = s.hidden.slice();
        if (h[l] < opts.maxNeurons) { h[l]++; change({ hidden: h }); }
      });
      minus.addEventListener("click", function () {
        var h = s.hidden.slice();
        if (h[l] > 1) { h[l]--; change({ hidden: h }); }
      });
      [plus, minus, crEl("span", "", size + " neurons")]
        .forEach(function (e) { box.appendChild(e); });
      neuronBar.appendChild(box);
    });
  }

  function draw() {
    var f = model.get("frame"), s = settings(), g = f.pictures, points = model.get("points");
    var out = g.layers[g.layers.length - 1][0];
    crDrawHeat(board, out, g.n, discrete, 0.6);  // paler than the points on it
    var train = [];
    points.forEach(function (p, i) { if (!p[3]) train.push(i); });
    var mark = model.get("chain").row;
    crDrawPoints(board, g, points, showTest, mark === undefined ? -1 : mark);
    var sizes = f.weights.map(function (l) { return l.b.length; });
    crDrawNetwork(network, { features: opts.features, active: s.features, sizes: sizes,
                             layers: g.layers, weights: f.weights, n: g.n },
                  { neuron: selectNeuron, weight: selectWeight, feature: toggleFeature });
    crDrawCurves(curves, [{ xy: crPairs(f.train, 0), colour: "#333", name: "training loss" },
                          { xy: crPairs(f.test, 0), colour: "#e6550d", name: "test loss" }],
                 Math.max(f.epoch, 10), f.epoch, "epoch");
    epoch.textContent = "epoch " + ("00000" + f.epoch).slice(-6).replace(/(\d{3})$/, ",$1");
    root.setAttribute("data-epoch", f.epoch);
    var percent = function (a) { return a === null ? "-" : (100 * a).toFixed(1) + "%"; };
    accuracy.textContent = f.accuracy[0] === null ? "" :
      "accuracy: training " + percent(f.accuracy[0]) + ", test " + percent(f.accuracy[1]);
    example.max = Math.max(0, train.length - 1);
    example.value = model.get("example");
    exampleText.textContent = "training example " + model.get("example");
    error.textContent = model.get("error");
  }
  function onFrame() {  // while playing, each new frame asks for the next epoch
    draw();
    if (running && !model.get("error")) {
      setTimeout(function () { if (running) send({ type: "step" }); }, 30);
    }
    if (model.get("error")) stop();
  }

  function mountChain() {
    var c = model.get("chain");
    explorer.textContent = ""; explorer.classList.remove("cr-live"); view = null;
    if (!model.get("chain_svg") || !c.graph) return;
    var host = crEl("div", "cr-graph");
    host.innerHTML = model.get("chain_svg");
    explorer.appendChild(host);
    view = crMount(explorer, c.graph, {});
    var focus = explorer.querySelector('g.node[data-node="' + c.focus + '"]');
    if (focus) focus.dispatchEvent(new MouseEvent("click"));
    showChain();
  }
  function showChain() {
    var c = model.get("chain");
    if (!c.graph) { chainTitle.textContent = invite; gradients.textContent = ""; return; }
    if (view) view.update(c.graph);
    chainTitle.textContent = (c.kind === "weight" ? "weight " : "neuron ") + c.focusName +
      " on training example " + c.example +
      ": backward from the loss, every gradient is dloss/d(node)";
    gradients.textContent = c.gradients ? "gradient of the training loss (mean over all training " +
      "points, plus the penalty): " + c.gradients.batch.toFixed(6) +
      "; this example's share, (1/N) dloss/dw: " + c.gradients.example.toFixed(6) : "";
    draw();
  }
  var onSettings = function () { drawControls(); };
  var onError = function () { error.textContent = model.get("error"); };
  model.on("change:frame", onFrame);
  model.on("change:points", draw);
  model.on("change:settings", onSettings);
  model.on("change:chain_svg", mountChain);
  model.on("change:chain", showChain);
  model.on("change:error", onError);
  drawControls();
  draw();
  mountChain();
  return function () {
    running = false;
    ["frame", "points", "settings", "chain_svg", "chain", "error"]
      .forEach(function (name) { model.off("change:" + name); });
  };
}
