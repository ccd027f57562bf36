// chainrule explorer: practice. A wrong answer climbs a ladder of hints, never to the number:
//   1. which uses read this node (one term of the sum per use),
//   2. their local derivatives d(use)/d(node),
//   3. the chain rule's sum with each upstream gradient dL/d(use) as a symbol (its number once
//      answered);
// the number itself only on "show answer", which counts as shown, not as right.
// The same levels as viz.check_grads(feedback=...) (viz/practice.py).
"use strict";

var CR_LEVELS = 3;

// known(useId): the upstream gradient's text when the student may see it, else null
function crHints(node, level, known) {
  var lines = [];
  if (!node.terms.length || node.terms[0].use === null) {  // the output: the seed
    lines.push(node.name + " is the output: backward starts here. How much does " + node.name +
               " change when " + node.name + " changes by a small h?");
    if (level >= 2) {
      lines.push(node.gradSymbol + " = (" + node.name + " + h - " + node.name + ") / h");
    }
    return lines;
  }
  var names = node.terms.map(function (t) { return t.useName + " (" + t.useOp + ")"; });
  lines.push(node.name + " is used by " + names.join(", ") + ": " + node.gradSymbol +
             " is a sum with one term per use" +
             (node.terms.length > 1 ? " (" + node.terms.length + " terms)." : "."));
  if (level >= 2) {
    node.terms.forEach(function (t) {
      // a local derivative that happens to equal the answer is given as its rule, not its number
      var local = t.localText === node.gradText ? "from the rule " + t.useFormula : t.localText;
      lines.push("local: " + t.localSymbol + " = " + local);
    });
  }
  if (level >= 3) {
    var parts = node.terms.map(function (t) {
      var up = known(t.use);
      var local = t.localText === node.gradText ? t.localSymbol : crSigned(t.localText);
      return (up !== null ? crSigned(up) : t.upstreamSymbol) + " x " + local;
    });
    lines.push(node.gradSymbol + " = " + parts.join(" + "));
  }
  return lines;
}

function crSigned(text) { return text.charAt(0) === "-" ? "(" + text + ")" : text; }

// the uses whose gradients the student has not found yet: backward's order asks for them first
function crMissing(node, known) {
  return node.terms.filter(function (t) { return t.use !== null && known(t.use) === null; });
}

function crRight(given, want, tol) {
  if (want === null) return false;
  var scale = Math.max(Math.abs(given), Math.abs(want));
  return Math.abs(given - want) <= Math.max(tol.rel * scale, tol.abs);
}

// the practice form under the panel: answer, hint, show answer; marks through the callbacks
// ctx: {node, id, out, known, level(), bump(), reveal(), right(), graph}
function crPracticeForm(panel, ctx) {
  var node = ctx.node;
  var missing = crMissing(node, ctx.known);
  if (missing.length) {
    var needed = missing.map(function (t) { return t.upstreamSymbol; }).join(" and ");
    var note = "Out of backward's order: " + node.gradSymbol + " needs " + needed +
               " first (you may still try).";
    panel.appendChild(crElement("p", "cr-order-note", note));
  }
  var form = crElement("form", "cr-answer");
  form.appendChild(crElement("span", "", node.gradSymbol + " = "));
  var input = crElement("input", "cr-answer-input");
  input.type = "text";
  input.setAttribute("inputmode", "decimal");
  input.setAttribute("aria-label", node.gradSymbol);
  form.appendChild(input);
  var check = crElement("button", "cr-button cr-check", "check");
  check.type = "submit";
  form.appendChild(check);
  form.appendChild(crButton("hint", "one more hint (the answer then counts as helped)",
                            function () {
    ctx.bump(); show(verdict.head || "", !!verdict.head);
  }));
  form.appendChild(crButton("show answer", "the number (counted as shown, not as right)",
                            function () { ctx.reveal(); }));
  var verdict = crElement("div", "cr-verdict");
  function show(head, wrong) {
    verdict.textContent = "";
    verdict.head = head;
    verdict.className = "cr-verdict" + (wrong ? " cr-wrong" : "");
    if (head) verdict.appendChild(crElement("p", "cr-verdict-head", head));
    var level = ctx.level();
    if (level > 0) {
      var list = crElement("ul", "cr-hints");
      crHints(node, level, ctx.known).forEach(function (line) {
        list.appendChild(crElement("li", "cr-hint-line", line));
      });
      verdict.appendChild(list);
    }
    if (level >= CR_LEVELS) {
      var last = "Still stuck? \"show answer\" gives the number.";
      verdict.appendChild(crElement("p", "cr-hint-last", last));
    }
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim().replace("\u2212", "-");
    var given = Number(text);
    if (text === "" || !isFinite(given)) { show("Type a number, such as -0.25.", true); return; }
    if (crRight(given, node.grad, ctx.graph.tolerance)) { ctx.right(); return; }
    ctx.bump();
    show("not yet: " + text + " is not " + node.gradSymbol + ".", true);
  });
  panel.appendChild(form);
  panel.appendChild(verdict);
  if (ctx.level() > 0) show("");
  return input;
}
