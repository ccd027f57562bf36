// chainrule playground and training replay, drawn on canvases and SVG.
// Plain JavaScript, no network.
// The kernel (or the recorded run) sends every number; this code only draws them and sends clicks.
"use strict";

// orange (negative), blue (positive), light grey (0)
var CR_NEG = [245, 147, 34], CR_POS = [8, 119, 189], CR_MID = [232, 234, 235];

function crColour(v) {  // v in [-1, 1]: orange (negative) through light grey to blue (positive)
  v = Math.max(-1, Math.min(1, v || 0));
  var end = v < 0 ? CR_NEG : CR_POS, t = Math.abs(v);
  var c = CR_MID.map(function (m, i) { return Math.round(m + (end[i] - m) * t); });
  return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")";
}

function crEl(tag, className, text) {
  var e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function crCanvas(width, height, className) {
  var c = crEl("canvas", className);
  c.width = width; c.height = height;
  return c;
}

// values: n x n grid, rows from the lowest x2 up; discrete: only the sign;
// strength: colour scale (1 = full)
function crDrawHeat(canvas, values, n, discrete, strength) {
  strength = strength || 1;
  var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, cw = w / n, ch = h / n;
  ctx.clearRect(0, 0, w, h);
  if (!values) return;
  for (var row = 0; row < n; row++) {
    for (var col = 0; col < n; col++) {
      var v = values[row * n + col];
      ctx.fillStyle = crColour(strength * (discrete ? (v > 0 ? 1 : -1) : v));
      // whole pixels: no seams, no overlap
      var left = Math.floor(col * cw), top = h - Math.floor((row + 1) * ch);
      ctx.fillRect(left, top, Math.floor((col + 1) * cw) - left, h - Math.floor(row * ch) - top);
    }
  }
}

// points: [x1, x2, target, test?]; grid: {x0, x1, y0, y1}; mark: index of a point to ring
function crDrawPoints(canvas, grid, points, showTest, mark) {
  var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  points.forEach(function (p, i) {
    if (p[3] && !showTest) return;
    var x = (p[0] - grid.x0) / (grid.x1 - grid.x0) * w;
    var y = h - (p[1] - grid.y0) / (grid.y1 - grid.y0) * h;
    ctx.beginPath();
    ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = crColour(p[2]);
    ctx.fill();
    ctx.strokeStyle = p[3] ? "#000" : "#fff";
    ctx.lineWidth = p[3] ? 1.2 : 1;
    ctx.stroke();
    if (i === mark) {
      ctx.beginPath();
      ctx.arc(x, y, 8, 0, 2 * Math.PI);
      ctx.strokeStyle = "#d62728";
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  });
}

var CR_CLASSES = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f"];

function crMix(hex, t) {  // hex colour blended with white: t = 0 white, 1 the colour
  var n = parseInt(hex.slice(1), 16), c = [n >> 16, (n >> 8) & 255, n & 255];
  return "rgb(" + c.map(function (x) { return Math.round(255 - (255 - x) * t); }).join(",") + ")";
}

// several classes (a recorded run's "class" grid): each region and point in its class's colour
function crDrawClasses(canvas, grid, points) {
  var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, n = grid.n;
  for (var k = 0; k < n * n; k++) {
    var col = k % n, row = Math.floor(k / n);
    var left = Math.floor(col * w / n), top = h - Math.floor((row + 1) * h / n);
    ctx.fillStyle = crMix(CR_CLASSES[grid.values[k] % CR_CLASSES.length], 0.35);
    ctx.fillRect(left, top, Math.floor((col + 1) * w / n) - left,
                 h - Math.floor(row * h / n) - top);
  }
  points.forEach(function (p) {
    ctx.beginPath();
    var x = (p[0] - grid.x0) / (grid.x1 - grid.x0) * w;
    ctx.arc(x, h - (p[1] - grid.y0) / (grid.y1 - grid.y0) * h, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = CR_CLASSES[p[2] % CR_CLASSES.length];
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  });
}

function crTicks(top, count) {  // round tick values from 0 to top
  var raw = top / count, mag = Math.pow(10, Math.floor(Math.log10(raw))), step = mag;
  [1, 2, 5, 10].some(function (m) { step = m * mag; return step >= raw; });
  var ticks = [];
  // the last tick at or above top
  for (var k = 0; k === 0 || ticks[k - 1] < top * (1 - 1e-9); k++) ticks.push(k * step);
  return ticks;
}

// lines: [{xy: [[x, y], ...], colour, name}]; x axis 0..xmax, y axis from 0 up;
// only the points with x <= upto
function crDrawCurves(canvas, lines, xmax, upto, xname) {
  var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  var left = 44, right = 10, top = 22, bottom = 28, pw = w - left - right, ph = h - top - bottom;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
  var shown = lines.map(function (l) {
    return l.xy.filter(function (p) {
      return p[0] <= upto && p[1] !== null && p[1] !== undefined;
    });
  });
  var ymax = 0;
  shown.forEach(function (xy) { xy.forEach(function (p) { ymax = Math.max(ymax, p[1]); }); });
  var yt = crTicks(ymax || 1, 4), xt = crTicks(Math.max(xmax, 1), 5);
  ymax = yt[yt.length - 1];
  var X = function (x) { return left + pw * x / Math.max(xmax, 1); };
  var Y = function (y) { return top + ph * (1 - y / ymax); };
  ctx.font = "10px sans-serif"; ctx.fillStyle = "#444";
  ctx.strokeStyle = "#e4e4e4"; ctx.lineWidth = 1;
  yt.forEach(function (t) {
    ctx.beginPath(); ctx.moveTo(left, Y(t)); ctx.lineTo(left + pw, Y(t)); ctx.stroke();
    ctx.textAlign = "right"; ctx.fillText(+t.toPrecision(3) + "", left - 4, Y(t) + 3);
  });
  xt.forEach(function (t) {
    if (t > xmax) return;
    ctx.textAlign = "center"; ctx.fillText(+t.toPrecision(4) + "", X(t), top + ph + 12);
  });
  ctx.strokeStyle = "#888"; ctx.strokeRect(left, top, pw, ph);
  ctx.textAlign = "center"; ctx.fillText(xname, left + pw / 2, h - 4);
  var legend = left;
  lines.forEach(function (l, k) {
    var xy = shown[k];
    ctx.beginPath();
    xy.forEach(function (p, i) {
      if (i) ctx.lineTo(X(p[0]), Y(p[1])); else ctx.moveTo(X(p[0]), Y(p[1]));
    });
    ctx.strokeStyle = l.colour; ctx.lineWidth = 1.6; ctx.stroke();
    if (xy.length === 1) {
      ctx.fillStyle = l.colour; ctx.fillRect(X(xy[0][0]) - 2, Y(xy[0][1]) - 2, 4, 4);
    }
    var text = l.name + (xy.length ? " " + xy[xy.length - 1][1].toFixed(3) : "");
    ctx.fillStyle = l.colour; ctx.textAlign = "left"; ctx.fillText(text, legend, 12);
    legend += ctx.measureText(text).width + 16;
  });
}

function crPairs(values, first) { return values.map(function (v, i) { return [first + i, v]; }); }

// ------------------------------------------------------------------ the network diagram

var CR_COL = 118, CR_ROW = 46, CR_NODE = 34;

// Draws features, hidden layers and output as heat maps with weight lines between them.
// net: {features (all names), active (chosen names), sizes (units per model layer),
// layers (heat maps: [layer][unit] values, input first), weights ([{W, b}]), n};
// on: {neuron, weight, feature} (click handlers)
function crDrawNetwork(host, net, on) {
  host.textContent = "";
  var rows = Math.max(net.features.length, Math.max.apply(null, net.sizes));
  var cols = net.sizes.length + 1, width = cols * CR_COL, height = rows * CR_ROW + 10;
  host.style.width = width + "px"; host.style.height = height + "px";
  var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", width); svg.setAttribute("height", height);
  svg.setAttribute("class", "cr-lines");
  host.appendChild(svg);
  var centre = function (col, row) {
    return [col * CR_COL + CR_NODE / 2 + 20, row * CR_ROW + CR_NODE / 2 + 6];
  };
  var rowOf = function (col, unit) {
    return col === 0 ? net.features.indexOf(net.active[unit]) : unit;
  };
  var wmax = 0;
  net.weights.forEach(function (l) {
    l.W.forEach(function (r) { r.forEach(function (w) { wmax = Math.max(wmax, Math.abs(w)); }); });
  });
  net.weights.forEach(function (l, layer) {
    l.W.forEach(function (row, j) {
      row.forEach(function (w, i) {
        var a = centre(layer, rowOf(layer, i)), b = centre(layer + 1, j);
        var line = document.createElementNS(ns, "line");
        line.setAttribute("x1", a[0] + CR_NODE / 2); line.setAttribute("y1", a[1]);
        line.setAttribute("x2", b[0] - CR_NODE / 2); line.setAttribute("y2", b[1]);
        line.setAttribute("stroke", crColour(w >= 0 ? 1 : -1));
        line.setAttribute("stroke-width", (0.5 + 5 * Math.abs(w) / (wmax || 1)).toFixed(2));
        line.setAttribute("class", "cr-weight");
        line.setAttribute("data-layer", layer); line.setAttribute("data-index", j);
        line.setAttribute("data-input", i);
        line.setAttribute("data-value", w);
        var title = document.createElementNS(ns, "title");
        title.textContent = "weight " + w.toFixed(4) + " (input " + (i + 1) + " to neuron " +
          (j + 1) + " of layer " + (layer + 1) + ")";
        line.appendChild(title);
        line.addEventListener("click", function () { on.weight(layer, j, i); });
        svg.appendChild(line);
      });
    });
  });
  var node = function (col, row, values, className, title) {
    var c = crCanvas(CR_NODE, CR_NODE, "cr-node " + className);
    var p = centre(col, row);
    c.style.left = (p[0] - CR_NODE / 2) + "px"; c.style.top = (p[1] - CR_NODE / 2) + "px";
    c.title = title;
    crDrawHeat(c, values, net.n, false);
    host.appendChild(c);
    return c;
  };
  net.features.forEach(function (name, row) {
    var unit = net.active.indexOf(name);
    var chosen = unit >= 0;
    var c = node(0, row, chosen ? net.layers[0][unit] : null,
                 chosen ? "cr-feature cr-on" : "cr-feature", name);
    c.setAttribute("data-feature", name);
    c.addEventListener("click", function () { on.feature(name); });
    var label = crEl("span", "cr-feature-name", name);
    label.style.left = "0px"; label.style.top = (centre(0, row)[1] + CR_NODE / 2 - 2) + "px";
    host.appendChild(label);
  });
  net.sizes.forEach(function (size, layer) {
    for (var j = 0; j < size; j++) {
      var last = layer === net.sizes.length - 1;
      var name = last ? "output" : "layer " + (layer + 1) + ", neuron " + (j + 1);
      var c = node(layer + 1, j, net.layers[layer + 1][j],
                   last ? "cr-neuron cr-output" : "cr-neuron",
                   name + ", bias " + net.weights[layer].b[j].toFixed(4));
      c.setAttribute("data-layer", layer); c.setAttribute("data-index", j);
      (function (layer, j) {
        c.addEventListener("click", function () { on.neuron(layer, j); });
      })(layer, j);
    }
  });
}

// ---------------------------------------------------------- the replay of `chainrule train --html`

function crReplay(root) {
  if (!root || root.classList.contains("cr-live")) return;
  root.classList.add("cr-live");
  var run = JSON.parse(root.querySelector("script.cr-data").textContent);
  var snaps = run.snapshots, total = run.loss.length;
  var bar = crEl("div", "cr-toolbar"), scrub = crEl("input", "cr-scrubber");
  scrub.type = "range"; scrub.min = 0; scrub.max = snaps.length - 1; scrub.value = snaps.length - 1;
  var play = crEl("button", "cr-button", "play"), status = crEl("span", "cr-status", "");
  [play, scrub, status].forEach(function (e) { bar.appendChild(e); });
  var board = crCanvas(320, 320, "cr-boundary"), curves = crCanvas(420, 200, "cr-curves");
  var network = crEl("div", "cr-network"), pictures = crEl("div", "cr-pictures");
  [network, board, curves].forEach(function (e) { pictures.appendChild(e); });
  [crEl("h3", "cr-title", run.title), bar, pictures].forEach(function (e) { root.appendChild(e); });
  var timer = null, none = function () {};
  function show(k) {
    var snap = snaps[k], g = snap.grid;
    if (g.kind === "class") crDrawClasses(board, g, run.points);
    else {
      crDrawHeat(board, g.values.map(Math.tanh), g.n, false, 0.6);
      var signed = run.points.map(function (p) { return [p[0], p[1], p[2] > 0 ? 1 : -1, 0]; });
      crDrawPoints(board, g, signed, true, -1);
    }
    var quiet = { neuron: none, weight: none, feature: none };
    if (snap.network) crDrawNetwork(network, snap.network, quiet);
    var test = snaps.filter(function (s) { return s.testLoss !== undefined; })
      .map(function (s) { return [s.step, s.testLoss]; });
    crDrawCurves(curves, [{ xy: crPairs(run.loss, 1), colour: "#333", name: "training loss" },
                          { xy: test, colour: "#e6550d", name: "test loss" }],
                 total, snap.step, "step");
    var l = run.loss[snap.step - 1], a = run.accuracy[snap.step - 1];
    status.textContent = "snapshot " + (k + 1) + " of " + snaps.length + ", step " + snap.step +
      (snap.step && l !== null ? ": loss " + l.toFixed(4) +
        (a === null ? "" : ", accuracy " + (100 * a).toFixed(1) + "%") : "");
    root.setAttribute("data-step", snap.step);
  }
  scrub.addEventListener("input", function () { show(Number(scrub.value)); });
  play.addEventListener("click", function () {
    if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
    if (Number(scrub.value) >= snaps.length - 1) scrub.value = 0;
    play.textContent = "pause";
    timer = setInterval(function () {
      var k = Number(scrub.value) + 1;
      if (k >= snaps.length) {
        clearInterval(timer); timer = null; play.textContent = "play"; return;
      }
      scrub.value = k;
      show(k);
    }, 150);
  });
  show(snaps.length - 1);
}
