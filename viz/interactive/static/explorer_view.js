// chainrule explorer: pan and zoom. The SVG sits in .cr-graph inside a clipping .cr-viewport and
// moves by one CSS transform, translate(tx, ty) scale(s): the layout Graphviz drew never changes.
"use strict";

var CR_READABLE_PX = 11;  // open fitted only when the smallest text stays at least this tall

// how far to move the span [a, b] to bring it inside [0, size] with a margin: to the middle when
// it was out of sight, else just enough; a span larger than the window shows its start
function crShift(a, b, size, centre) {
  var m = Math.min(16, size / 10);
  if (a >= 0 && b <= size) return 0;  // in full view: the picture stays put
  if (b - a > size - 2 * m) return m - a;
  if (centre) return size / 2 - (a + b) / 2;
  return a < 0 ? m - a : size - m - b;
}

// options.scale: the presentation factor (1, or 1.5 on a projector). Returns the view's controls.
function crView(viewport, host, options) {
  function svg() { return host.querySelector("svg"); }
  var natural = { w: 1, h: 1 };
  var view = { s: 1, tx: 0, ty: 0, fitted: false };
  var drag = null, dragged = false;
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function measure() {  // the SVG's size at scale 1, in CSS pixels (Graphviz writes it in pt)
    var t = host.style.transform;
    host.style.transform = "none";
    var r = svg().getBoundingClientRect();
    host.style.transform = t;
    natural = { w: Math.max(1, r.width), h: Math.max(1, r.height) };
    host.style.width = natural.w + "px";
    host.style.height = natural.h + "px";
  }

  function apply(smooth) {
    host.style.transition = smooth && !reduced ? "transform 250ms ease-out" : "none";
    host.style.transform = "translate(" + view.tx + "px," + view.ty + "px) scale(" + view.s + ")";
    viewport.setAttribute("data-scale", view.s.toFixed(4));
    if (options.onChange) options.onChange(view);
  }

  // the smallest text's height on screen at scale s (font-size is in the SVG's user units)
  function textPx(s) {
    var sizes = Array.prototype.map.call(svg().querySelectorAll("text"), function (t) {
      return parseFloat(t.getAttribute("font-size")) || 14;
    });
    var box = svg().viewBox && svg().viewBox.baseVal;
    var perUnit = box && box.width ? natural.w / box.width : 1;
    return (sizes.length ? Math.min.apply(null, sizes) : 14) * perUnit * s;
  }

  function fitScale() {
    var w = viewport.clientWidth - 16, h = viewport.clientHeight - 16;
    return Math.min(w / natural.w, h / natural.h, options.scale());
  }

  function centre(s) {
    view.s = s;
    view.tx = Math.max(8, (viewport.clientWidth - natural.w * s) / 2);
    view.ty = Math.max(8, (viewport.clientHeight - natural.h * s) / 2);
  }

  var api = {
    view: view,
    natural: function () { return natural; },
    measure: measure,
    textPx: textPx,
    fit: function (smooth) { centre(fitScale()); view.fitted = true; apply(smooth); },
    actual: function (smooth) { centre(options.scale()); view.fitted = false; apply(smooth); },
    // fitted when the text stays readable, else natural size (times the presentation factor)
    open: function () {
      var s = fitScale();
      if (textPx(s) >= CR_READABLE_PX * options.scale() || s >= options.scale()) api.fit(false);
      else { api.actual(false); view.tx = 8; view.ty = 8; apply(false); }
      return view.fitted;
    },
    // about the viewport point (cx, cy); the middle by default
    zoom: function (factor, cx, cy, smooth) {
      if (cx === undefined) { cx = viewport.clientWidth / 2; cy = viewport.clientHeight / 2; }
      var s = Math.max(0.05, Math.min(6, view.s * factor));
      view.tx = cx - (cx - view.tx) * (s / view.s);
      view.ty = cy - (cy - view.ty) * (s / view.s);
      view.s = s;
      view.fitted = false;
      apply(smooth);
    },
    // move (only move) so that every element lies inside the viewport, with a margin
    reveal: function (elements, smooth) {
      var hostBox = host.getBoundingClientRect(), port = viewport.getBoundingClientRect();
      var rendered = hostBox.width / natural.w;  // the scale on screen now, even mid-animation
      var box = null;
      elements.forEach(function (e) {
        if (!e) return;
        var r = e.getBoundingClientRect();
        var b = { l: (r.left - hostBox.left) / rendered, t: (r.top - hostBox.top) / rendered,
                  r: (r.right - hostBox.left) / rendered, b: (r.bottom - hostBox.top) / rendered };
        box = !box ? b : { l: Math.min(box.l, b.l), t: Math.min(box.t, b.t),
                           r: Math.max(box.r, b.r), b: Math.max(box.b, b.b) };
      });
      if (!box) return false;
      var w = port.width, h = port.height;
      var left = view.tx + box.l * view.s, right = view.tx + box.r * view.s;
      var top = view.ty + box.t * view.s, bottom = view.ty + box.b * view.s;
      // out of sight: centre it, else nudge it in
      var gone = right < 0 || left > w || bottom < 0 || top > h;
      var tx = view.tx + crShift(left, right, w, gone);
      var ty = view.ty + crShift(top, bottom, h, gone);
      if (tx === view.tx && ty === view.ty) return false;
      view.tx = tx; view.ty = ty;
      apply(smooth);
      return true;
    },
    pan: function (dx, dy) { view.tx += dx; view.ty += dy; apply(false); },
    wasDragged: function () { var d = dragged; dragged = false; return d; },
  };

  // drag to pan (a click that moved less than 4 px stays a click on the node under it)
  var fingers = {}, pinch = null, pinched = false;  // two fingers on a touch screen: pinch to zoom
  function spread() {
    var p = Object.keys(fingers).map(function (k) { return fingers[k]; });
    return { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y), x: (p[0].x + p[1].x) / 2,
             y: (p[0].y + p[1].y) / 2 };
  }
  viewport.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    fingers[e.pointerId] = { x: e.clientX, y: e.clientY };
    if (Object.keys(fingers).length === 2) { pinch = spread().d; drag = null; return; }
    drag = { x: e.clientX, y: e.clientY, tx: view.tx, ty: view.ty, id: e.pointerId, moving: false };
  });
  viewport.addEventListener("pointermove", function (e) {
    if (fingers[e.pointerId]) fingers[e.pointerId] = { x: e.clientX, y: e.clientY };
    if (pinch && Object.keys(fingers).length === 2) {
      var now = spread(), port = viewport.getBoundingClientRect();
      if (pinch > 0 && now.d > 0) {
        api.zoom(now.d / pinch, now.x - port.left, now.y - port.top, false);
      }
      pinch = now.d;
      pinched = true;
      return;
    }
    if (!drag || e.pointerId !== drag.id) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moving && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!drag.moving) {
      drag.moving = true;
      viewport.setPointerCapture(e.pointerId);
      viewport.classList.add("cr-dragging");
    }
    view.tx = drag.tx + dx; view.ty = drag.ty + dy;
    apply(false);
  });
  function release(e) {
    delete fingers[e.pointerId];
    if (Object.keys(fingers).length < 2) pinch = null;
    if ((drag && drag.moving) || pinched) {  // no click at the end of a drag or a pinch
      dragged = true;
      setTimeout(function () { dragged = false; }, 0);
    }
    if (!Object.keys(fingers).length) pinched = false;
    drag = null;
    viewport.classList.remove("cr-dragging");
  }
  viewport.addEventListener("pointerup", release);
  viewport.addEventListener("pointercancel", release);
  // Ctrl + wheel (and a trackpad's pinch, which the browser sends as one) zooms about the pointer;
  // the plain wheel pans a graph larger than its box, and otherwise scrolls the page as usual
  viewport.addEventListener("wheel", function (e) {
    var port = viewport.getBoundingClientRect();
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      api.zoom(Math.exp(-e.deltaY * 0.002), e.clientX - port.left, e.clientY - port.top, false);
      return;
    }
    var wide = natural.w * view.s > port.width, tall = natural.h * view.s > port.height;
    if (!wide && !tall) return;
    e.preventDefault();
    api.pan(wide ? -(e.deltaX || (tall ? 0 : e.deltaY)) : 0, tall ? -e.deltaY : 0);
  }, { passive: false });
  return api;
}
