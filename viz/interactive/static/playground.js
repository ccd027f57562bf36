// chainrule playground and training replay: decision boundary and curves on canvases. Plain JavaScript.
// The kernel (or the recorded run) sends the numbers; this code only draws them.
"use strict";

var CR_CLASSES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

function crMix(hex, t) {  // hex colour blended with white: t = 0 white, 1 the colour
  var n = parseInt(hex.slice(1), 16), r = n >> 16, g = (n >> 8) & 255, b = n & 255;
  var mix = function (c) { return Math.round(255 - (255 - c) * t); };
  return "rgb(" + mix(r) + "," + mix(g) + "," + mix(b) + ")";
}

// grid: {kind: "margin"|"class", n, x0, x1, y0, y1, values}; points: [[x1, x2, class], ...]
function crDrawBoundary(canvas, grid, points) {
  var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, n = grid.n;
  var cw = w / n, ch = h / n;
  for (var row = 0; row < n; row++) {
    for (var col = 0; col < n; col++) {
      var v = grid.values[row * n + col], colour;
      if (grid.kind === "margin") colour = crMix(CR_CLASSES[v > 0 ? 1 : 0], 0.15 + 0.45 * Math.min(1, Math.abs(Math.tanh(v))));
      else colour = crMix(CR_CLASSES[v % CR_CLASSES.length], 0.35);
      ctx.fillStyle = colour;
      ctx.fillRect(col * cw, h - (row + 1) * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }
  var px = function (x) { return (x - grid.x0) / (grid.x1 - grid.x0) * w; };
  var py = function (y) { return h - (y - grid.y0) / (grid.y1 - grid.y0) * h; };
  points.forEach(function (p) {
    ctx.beginPath();
    ctx.arc(px(p[0]), py(p[1]), 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = CR_CLASSES[p[2] % CR_CLASSES.length];
    ctx.fill();
    ctx.strokeStyle = "#222";
    ctx.lineWidth = 0.8;
    ctx.stroke();
  });
}

// loss (left scale, 0..max) and accuracy (right scale, 0..1) per step, up to step `upto`, over `total` steps
function crDrawCurves(canvas, loss, accuracy, upto, total) {
  var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 24;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = "#bbb";
  ctx.strokeRect(pad, 6, w - 2 * pad, h - pad - 6);
  var steps = Math.max(total, 1), top = 0;
  for (var i = 0; i < upto; i++) if (loss[i] !== null && loss[i] > top) top = loss[i];
  top = top || 1;
  var line = function (values, scale, colour) {
    ctx.beginPath();
    var started = false;
    for (var i = 0; i < upto; i++) {
      if (values[i] === null || values[i] === undefined) continue;
      var x = pad + (w - 2 * pad) * (i + 1) / steps, y = h - pad - (h - pad - 6) * Math.min(1, values[i] / scale);
      if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      started = true;
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  };
  line(loss, top, "#d62728");
  line(accuracy, 1, "#2ca02c");
  ctx.font = "11px sans-serif";
  ctx.fillStyle = "#d62728";
  ctx.fillText("loss (max " + top.toPrecision(3) + ")", pad + 4, 18);
  ctx.fillStyle = "#2ca02c";
  ctx.fillText("accuracy (0 to 1)", w / 2, 18);
  ctx.fillStyle = "#444";
  ctx.fillText("step " + upto + " of " + steps, pad, h - 6);
}

function crStatus(loss, accuracy, k) {
  if (k === 0) return "step 0";
  var l = loss[k - 1], a = accuracy[k - 1];
  return "step " + k + ": loss " + (l === null ? "?" : l.toFixed(4)) + (a === null ? "" : ", accuracy " + (100 * a).toFixed(1) + "%");
}

function crCanvas(width, height, className) {
  var c = document.createElement("canvas");
  c.width = width; c.height = height; c.className = className;
  return c;
}

// The replay page: a scrubber over the snapshots of a recorded run.
function crReplay(root) {
  if (!root || root.classList.contains("cr-live")) return;
  root.classList.add("cr-live");
  var run = JSON.parse(root.querySelector("script.cr-data").textContent);
  var snaps = run.snapshots, total = run.loss.length;
  var title = crElementP("h3", "cr-title", run.title);
  var bar = crElementP("div", "cr-toolbar");
  var scrub = document.createElement("input");
  scrub.type = "range"; scrub.min = 0; scrub.max = snaps.length - 1; scrub.value = snaps.length - 1;
  scrub.className = "cr-scrubber";
  var play = crElementP("button", "cr-button", "play");
  var status = crElementP("span", "cr-status", "");
  bar.appendChild(play); bar.appendChild(scrub); bar.appendChild(status);
  var board = crCanvas(360, 360, "cr-boundary"), curves = crCanvas(360, 180, "cr-curves");
  var pictures = crElementP("div", "cr-pictures");
  pictures.appendChild(board); pictures.appendChild(curves);
  [title, bar, pictures].forEach(function (e) { root.appendChild(e); });
  var timer = null;
  function show(k) {
    var snap = snaps[k];
    crDrawBoundary(board, snap.grid, run.points);
    crDrawCurves(curves, run.loss, run.accuracy, snap.step, total);
    status.textContent = "snapshot " + (k + 1) + " of " + snaps.length + ", " + crStatus(run.loss, run.accuracy, snap.step);
    root.setAttribute("data-step", snap.step);
  }
  scrub.addEventListener("input", function () { show(Number(scrub.value)); });
  play.addEventListener("click", function () {
    if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
    if (Number(scrub.value) >= snaps.length - 1) scrub.value = 0;
    play.textContent = "pause";
    timer = setInterval(function () {
      var k = Number(scrub.value) + 1;
      if (k >= snaps.length) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
      scrub.value = k;
      show(k);
    }, 150);
  });
  show(snaps.length - 1);
}

function crElementP(tag, className, text) {
  var e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// The Jupyter widget: the kernel trains; the page asks for the next few steps while playing.
function crPlaygroundWidget(model, el) {
  var root = crElementP("div", "cr-playground");
  var bar = crElementP("div", "cr-toolbar");
  var play = crElementP("button", "cr-button cr-play", "play");
  var step = crElementP("button", "cr-button cr-step", "step");
  var reset = crElementP("button", "cr-button cr-reset", "reset");
  var lr = document.createElement("input");
  lr.type = "number"; lr.step = "any"; lr.min = "0"; lr.value = model.get("lr"); lr.className = "cr-lr";
  var act = document.createElement("select");
  act.className = "cr-activation";
  model.get("activations").forEach(function (name) {
    var o = document.createElement("option"); o.value = name; o.textContent = name; act.appendChild(o);
  });
  act.value = model.get("activation");
  var status = crElementP("span", "cr-status", "");
  [play, step, reset, crElementP("span", "", "learning rate"), lr].forEach(function (e) { bar.appendChild(e); });
  if (model.get("activations").length) { bar.appendChild(crElementP("span", "", "activation")); bar.appendChild(act); }
  bar.appendChild(status);
  var board = crCanvas(320, 320, "cr-boundary"), curves = crCanvas(320, 160, "cr-curves");
  var pictures = crElementP("div", "cr-pictures");
  pictures.appendChild(board); pictures.appendChild(curves);
  var neuron = crElementP("div", "cr-explorer");
  var error = crElementP("p", "cr-error", "");
  [bar, error, pictures, crElementP("h4", "", "one neuron on the first example (click a node)"), neuron]
    .forEach(function (e) { root.appendChild(e); });
  el.appendChild(root);
  var running = false, view = null;

  function mountNeuron() {
    neuron.textContent = "";
    var host = crElementP("div", "cr-graph");
    host.innerHTML = model.get("neuron_svg");
    neuron.appendChild(host);
    neuron.classList.remove("cr-live");
    view = crMount(neuron, model.get("frame").neuron, {});
  }
  function draw() {
    var f = model.get("frame");
    crDrawBoundary(board, f.grid, model.get("data"));
    crDrawCurves(curves, f.loss, f.accuracy, f.step, Math.max(f.step, 50));
    status.textContent = crStatus(f.loss, f.accuracy, f.step);
    if (view) view.update(f.neuron);
    error.textContent = model.get("error");
    if (running && !model.get("error")) setTimeout(function () { if (running) model.send({ type: "step" }); }, 30);
    if (model.get("error")) { running = false; play.textContent = "play"; }
  }
  play.addEventListener("click", function () {
    running = !running;
    play.textContent = running ? "pause" : "play";
    if (running) model.send({ type: "step" });
  });
  step.addEventListener("click", function () { running = false; play.textContent = "play"; model.send({ type: "step" }); });
  reset.addEventListener("click", function () { running = false; play.textContent = "play"; model.send({ type: "reset" }); });
  lr.addEventListener("change", function () {
    var v = Number(lr.value);
    if (v > 0) { model.set("lr", v); model.save_changes(); }
  });
  act.addEventListener("change", function () { model.set("activation", act.value); model.save_changes(); });
  model.on("change:frame", draw);
  model.on("change:neuron_svg", mountNeuron);
  mountNeuron();
  draw();
  return function () { running = false; model.off("change:frame", draw); model.off("change:neuron_svg", mountNeuron); };
}
