// chainrule explorer: the toolbar. Stepping, zoom, presentation size, expand (a graph that opened
// as boxes), search and practice; `act` holds what each does, `names` the nodes' names to search.
"use strict";

function crToolbar(names, act) {
  var bar = crElement("div", "cr-toolbar");
  var tools = { bar: bar };
  [["prev", "\u25C0 prev", "previous step of the backward pass (left arrow)"],
   ["next", "next \u25B6", "next step of the backward pass (right arrow)"],
   ["play", "play", "play the backward pass (space)"],
   ["all", "show all", "every gradient, as backward() leaves them (Esc)"],
   null,
   ["zoomOut", "\u2212", "zoom out (Ctrl + wheel, or pinch)", "cr-zoom-out"],
   ["zoomIn", "+", "zoom in (Ctrl + wheel, or pinch)", "cr-zoom-in"],
   ["fit", "fit", "the whole graph in the window", "cr-fit"],
   ["actual", "1:1", "natural size (times the presentation size)", "cr-actual"],
   ["present", "present", "presentation size, for a projector", "cr-present"],
   ["expand", "expand", "every node, or the modules' boxes again", "cr-expand"],
   null,
  ].forEach(function (item) {
    if (!item) { bar.appendChild(crElement("span", "cr-sep")); return; }
    if (!act[item[0]]) return;
    var button = crButton(item[1], item[2], act[item[0]]);
    if (item[3]) button.classList.add(item[3]);
    tools[item[0]] = button;
    bar.appendChild(button);
  });
  var search = crElement("input", "cr-search");
  search.type = "search";
  search.placeholder = "find a node\u2026";
  search.title = "type a label and press Enter";
  var list = crElement("datalist");
  list.id = "cr-names-" + Math.random().toString(36).slice(2);
  search.setAttribute("list", list.id);
  names.forEach(function (name) { list.appendChild(crElement("option", "", name)); });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); act.find(search.value); }
  });
  search.addEventListener("change", function () { act.find(search.value); });
  var practice = crElement("label", "cr-practice-toggle");
  var tick = crElement("input");
  tick.type = "checkbox";
  tick.className = "cr-practice";
  tick.addEventListener("change", function () { act.practice(tick.checked); });
  practice.appendChild(tick);
  practice.appendChild(document.createTextNode(" practice: hide the gradients"));
  tools.search = search;
  tools.score = crElement("span", "cr-score");
  [search, list, practice, tools.score].forEach(function (e) { bar.appendChild(e); });
  return tools;
}
