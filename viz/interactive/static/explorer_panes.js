// chainrule explorer: the side panes besides the node panel: the code that made the graph, and a
// collapsed box (a layer of a network for one example, a W or b matrix, a loss term).
"use strict";

// The code that made the nodes (autograd.record_source): the lines, the current node's own
// line marked "made", the lines of its uses marked "used".
function crCodePane(codeData) {
  var element = crElement("div", "cr-code");
  element.appendChild(crElement("h4", "", "code"));
  var lines = {};
  codeData.forEach(function (file) {
    element.appendChild(crElement("div", "cr-code-file", file.file));
    var pre = crElement("pre");
    file.lines.forEach(function (item) {
      var key = file.key + ":" + item[0];
      var number = item[0] === null ? "" : String(item[0]).padStart(4) + "  ";
      var line = crElement("div", "cr-code-line", number + item[1]);
      if (item[0] !== null) { line.setAttribute("data-line", key); lines[key] = line; }
      pre.appendChild(line);
    });
    element.appendChild(pre);
  });
  function mark(key, cls) { if (lines[key]) lines[key].classList.add(cls); return lines[key]; }
  return {
    element: element,
    highlight: function (node, graph) {
      Object.keys(lines).forEach(function (k) { lines[k].classList.remove("cr-made", "cr-used"); });
      if (!node) return;
      node.terms.forEach(function (t) {
        var use = t.use !== null && graph.nodes[t.use];
        if (use && use.source) mark(use.source.key, "cr-used");
      });
      var made = node.source && mark(node.source.key, "cr-made");
      if (made) {
        var box = element.getBoundingClientRect(), r = made.getBoundingClientRect();
        if (r.top < box.top || r.bottom > box.bottom) {
          element.scrollTop += r.top - box.top - box.height / 3;
        }
      }
    },
  };
}

// a box's chain-rule line: its outputs' sums (a matrix's first two; its table has every gradient)
function crBoxSum(box, graph) {
  var sums = box.outputs.slice(0, 2).map(function (id) { return graph.nodes[id].sum; });
  var more = box.outputs.length - sums.length;
  return sums.join(";  ") + (more > 0 ? ";  and " + more + " more in the table below" : "");
}

// A box's panel: what it holds, its outputs' gradients with their chain-rule sums, and "expand".
function crBoxPanel(panel, box, graph, known, onExpand) {
  panel.setAttribute("data-node", box.id);
  var title = box.name + "  (" + box.kind + ", " + box.size + " nodes)";
  panel.appendChild(crElement("h4", "cr-name", title));
  var shown = box.outputs.filter(function (id) { return known(id) !== null; });
  if (shown.length === box.outputs.length) {
    panel.appendChild(crElement("p", "cr-sum", crBoxSum(box, graph)));
  }
  panel.appendChild(crButton("expand", "open the box: every node, stepping on from its first",
                             onExpand));
  var table = crElement("table", "cr-box-outputs");
  var head = crElement("tr");
  ["output", "data", "grad"].forEach(function (c) { head.appendChild(crElement("th", "", c)); });
  table.appendChild(head);
  box.outputs.forEach(function (id) {
    var node = graph.nodes[id], tr = crElement("tr"), grad = known(id);
    [node.name, node.dataText, grad !== null ? grad : "?"].forEach(function (c) {
      tr.appendChild(crElement("td", "", c));
    });
    table.appendChild(tr);
  });
  panel.appendChild(table);
}
