// chainrule's GPT explorer: one name through an nn.GPT, every cell a node of the engine's graph.
// Plain JavaScript, no libraries, no network. The data (viz/interactive/gpt_data.py) holds one or
// two runs (after and before training); each run holds the graph's nodes as columns and, per view,
// the ids of the nodes it draws. Clicking a cell opens that node in the panel: its value, dL/d(node),
// the rule that made it, its inputs with their local derivatives, and the chain rule's sum over its
// uses; inputs and uses are links, so the graph can be walked down to the parameters.

function crGptFmt(x) {
  if (x === null || x === undefined) return "undefined";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return (a >= 1e4 || a < 1e-3) ? x.toExponential(3) : x.toFixed(4);
}

function crGptChar(run, token) { return token === run.bos ? "BOS" : run.chars[token]; }

function crGptEl(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// diverging colour: blue for negative, red for positive, white at 0; |x| / scale in [0, 1]
function crGptColour(x, scale) {
  if (x === null || !scale) return "#eee";
  const t = Math.max(-1, Math.min(1, x / scale));
  const c = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${c},${c})` : `rgb(${c},${c},255)`;
}

function crGptUses(run) {  // for each node, [use id, input position] of every operation that reads it
  if (run._uses) return run._uses;
  const uses = run.nodes.data.map(() => []);
  run.nodes.inputs.forEach((ins, id) => ins.forEach((i, k) => uses[i].push([id, k])));
  return (run._uses = uses);
}

// d(node)/d(its k-th input): the rule table's number, or for a dot node a_0..a_{n-1}, b_0..b_{n-1}
// the input k places across (d(sum a_i b_i)/da_i = b_i), which the data leaves out to stay small
function crGptLocal(run, node, k) {
  const n = run.nodes, local = n.local[node];
  if (local !== null) return local[k];
  const ins = n.inputs[node];
  return n.data[ins[(k + ins.length / 2) % ins.length]];
}

function crGptName(run, id) {
  const n = run.nodes;
  if (n.name[id]) return n.name[id];
  return n.op[id] ? `${n.op[id]} #${id}` : `${crGptFmt(n.data[id])} #${id}`;
}

class CrGptExplorer {
  constructor(root, data, model) {
    this.root = root; this.data = data; this.model = model;
    this.mode = "data"; this.selected = null; this.layer = 0; this.expanded = false;
    this.prefix = model ? model.get("prefix") : ""; this.temperature = model ? model.get("temperature") : 1.0;
    this.showers = []; this.shown = [];
    root.innerHTML = "";
    const bar = crGptEl("div", "crg-bar");
    const toggle = crGptEl("button", "crg-mode", "show gradients dL/d(cell)");
    toggle.onclick = () => { this.mode = this.mode === "data" ? "grad" : "data";
      toggle.textContent = this.mode === "data" ? "show gradients dL/d(cell)" : "show values"; this.draw(); };
    bar.append(toggle);
    if (data.runs[0].config.n_layer > 1) {
      const pick = crGptEl("select", "crg-layer");
      for (let l = 0; l < data.runs[0].config.n_layer; l++) pick.append(new Option(`layer ${l}`, l));
      pick.onchange = () => { this.layer = +pick.value; this.draw(); };
      bar.append(pick);
    }
    this.columns = crGptEl("div", "crg-columns");
    this.panel = crGptEl("div", "crg-panel");
    this.panel.append(crGptEl("p", "crg-hint", "Click any cell: its number, its gradient and where they come from."));
    const main = crGptEl("div", "crg-main");
    main.append(bar, this.columns);
    root.append(main, this.panel);
    this.draw();
  }

  draw() {
    this.columns.innerHTML = "";
    this.data.runs.forEach((run, r) => this.columns.append(this.drawRun(run, r)));
  }

  value(run, id) { return this.mode === "data" ? run.nodes.data[id] : run.nodes.grad[id]; }

  scale(run, ids) { return Math.max(1e-300, ...ids.flat(4).map(id => Math.abs(this.value(run, id) || 0))); }

  cell(run, r, id, title) {
    const c = crGptEl("span", "crg-cell");
    c.dataset.node = id; c.dataset.run = r;
    c.title = `${title}\nvalue ${crGptFmt(run.nodes.data[id])}\ndL/d ${crGptFmt(run.nodes.grad[id])}`;
    c.onclick = () => this.select(r, id);
    if (this.selected && this.selected[0] === r && this.selected[1] === id) c.classList.add("crg-on");
    return c;
  }

  strip(run, r, ids, title, scale) {
    const row = crGptEl("span", "crg-strip");
    ids.forEach((id, i) => { const c = this.cell(run, r, id, `${title}[${i}]`);
      c.style.background = crGptColour(this.value(run, id), scale); row.append(c); });
    return row;
  }

  drawRun(run, r) {
    const col = crGptEl("div", "crg-run");
    const v = run.views, T = run.positions;
    col.append(crGptEl("h3", "", `${run.title || "the model"}: "${run.name}", loss ${crGptFmt(run.nodes.data[v.loss])}`));
    const toks = crGptEl("div", "crg-tokens");
    run.tokens.forEach((t, i) => { const chip = crGptEl("span", "crg-token");
      chip.innerHTML = `<b>${crGptChar(run, t)}</b><small>id ${t} · pos ${i}</small>`; toks.append(chip); });
    col.append(crGptEl("h4", "", "Tokens"), toks);
    // embeddings: one row per position, four strips
    col.append(crGptEl("h4", "", "Embeddings: wte[token] + wpe[pos], then RMSNorm"));
    const emb = crGptEl("div", "crg-table crg-emb");
    const embScale = this.scale(run, [v.token_emb, v.pos_emb, v.emb, v.norm]);
    ["token_emb", "pos_emb", "emb", "norm"].forEach(k => emb.append(crGptEl("span", "crg-head",
      {token_emb: "wte[token]", pos_emb: "wpe[pos]", emb: "sum", norm: "rmsnorm"}[k])));
    for (let p = 0; p < T; p++) {
      for (const k of ["token_emb", "pos_emb", "emb", "norm"]) {
        emb.append(this.strip(run, r, v[k][p], `${k} at pos ${p} ('${crGptChar(run, run.tokens[p])}')`, embScale));
      }
    }
    col.append(emb);
    // attention: per head, query x key
    const L = this.layer, heads = run.config.n_head;
    col.append(crGptEl("h4", "", `Attention, layer ${L}: weights (query position × key position; hover for the score)`));
    const att = crGptEl("div", "crg-heads");
    for (let h = 0; h < heads; h++) {
      const box = crGptEl("div", "crg-headbox");
      box.append(crGptEl("div", "crg-caption", `head ${h}`));
      const grid = crGptEl("div", "crg-attn");
      grid.style.gridTemplateColumns = `repeat(${T}, 18px)`;
      const ids = v.weights[L].map(q => q[h]);
      const scale = this.mode === "data" ? 1 : this.scale(run, ids);
      for (let q = 0; q < T; q++) {
        for (let k = 0; k < T; k++) {
          if (k > q) { grid.append(crGptEl("span", "crg-cell crg-blank")); continue; }
          const id = v.weights[L][q][h][k], score = v.scores[L][q][h][k];
          const c = this.cell(run, r, id, `head ${h}: query pos ${q} ('${crGptChar(run, run.tokens[q])}') → key pos ${k}` +
            ` ('${crGptChar(run, run.tokens[k])}')\nweight ${crGptFmt(run.nodes.data[id])}, score ${crGptFmt(run.nodes.data[score])}`);
          c.dataset.score = score; c.classList.add("crg-w");
          const x = this.value(run, id);
          c.style.background = this.mode === "data" ? `rgba(200,40,40,${x})` : crGptColour(x, scale);
          grid.append(c);
        }
      }
      box.append(grid);
      const outs = v.heads[L].map(o => o.slice(h * o.length / heads, (h + 1) * o.length / heads));
      const outScale = this.scale(run, outs);
      const out = crGptEl("div", "crg-headout");
      outs.forEach((o, p) => out.append(this.strip(run, r, o, `head ${h} output at pos ${p}`, outScale)));
      box.append(crGptEl("div", "crg-caption", "output per position"), out);
      att.append(box);
    }
    col.append(att);
    col.append(this.drawPrediction(run, r));
    col.append(this.drawPush(run, r));
    col.append(this.drawSampler(run, r));
    return col;
  }

  drawPrediction(run, r) {
    const v = run.views, box = crGptEl("div", "crg-pred");
    box.append(crGptEl("h4", "", `Prediction: the next character's probabilities (top ${run.topK}), the target's -log p`));
    for (let p = 0; p < run.positions; p++) {
      const target = run.tokens[p + 1], probs = v.probs[p];
      const row = crGptEl("div", "crg-predrow");
      const nll = this.cell(run, r, v.nll[p], `-log p at pos ${p}`);
      nll.classList.add("crg-text");
      nll.textContent = `-log p = ${crGptFmt(run.nodes.data[v.nll[p]])}`;
      row.append(crGptEl("span", "crg-at", `after "${run.tokens.slice(1, p + 1).map(t => crGptChar(run, t)).join("")}"` +
        ` → ${crGptChar(run, target)}: p ${crGptFmt(run.nodes.data[probs[target]])}`), nll);
      const order = probs.map((id, t) => t).sort((a, b) => run.nodes.data[probs[b]] - run.nodes.data[probs[a]]);
      const shown = order.slice(0, run.topK);
      if (!shown.includes(target)) shown.push(target);  // the target's bar, even outside the top k
      shown.forEach(t => {
        const bar = this.cell(run, r, probs[t], `p('${crGptChar(run, t)}') at pos ${p}`);
        bar.classList.add("crg-bar-p");
        if (t === target) bar.classList.add("crg-target");
        bar.style.width = `${Math.max(2, 120 * run.nodes.data[probs[t]])}px`;
        bar.textContent = crGptChar(run, t);
        if (this.mode === "grad") bar.style.background = crGptColour(run.nodes.grad[v.logits[p][t]], 1 / run.positions);
        row.append(bar);
      });
      box.append(row);
    }
    return box;
  }

  drawPush(run, r) {  // which characters pushed the loss most: each position's share, each input's gradient size
    const v = run.views, box = crGptEl("div", "crg-push");
    box.append(crGptEl("h4", "", "Which characters pushed the loss: each target's share (-log p / n), and |dL/d(input embedding)|"));
    const shares = v.nll.map(id => run.nodes.data[id] / run.positions);
    const sizes = v.token_emb.map(row => Math.hypot(...row.map(id => run.nodes.grad[id])));
    const top = Math.max(...shares, 1e-300), topg = Math.max(...sizes, 1e-300);
    for (let p = 0; p < run.positions; p++) {
      const row = crGptEl("div", "crg-pushrow");
      const a = crGptEl("span", "crg-bar-s"); a.style.width = `${100 * shares[p] / top}px`;
      const b = crGptEl("span", "crg-bar-g"); b.style.width = `${100 * sizes[p] / topg}px`;
      row.append(crGptEl("span", "crg-at", `target '${crGptChar(run, run.tokens[p + 1])}' ${crGptFmt(shares[p])}`), a,
        crGptEl("span", "crg-at", `input '${crGptChar(run, run.tokens[p])}' ${crGptFmt(sizes[p])}`), b);
      box.append(row);
    }
    return box;
  }

  drawSampler(run, r) {
    const box = crGptEl("div", "crg-sampler");
    box.append(crGptEl("h4", "", "Sampling: type a prefix, see the next character's distribution"));
    const input = crGptEl("input", "crg-prefix"); input.value = this.prefix; input.placeholder = "prefix, e.g. em";
    const temp = crGptEl("input", "crg-temp"); temp.type = "range"; temp.min = 0.1; temp.max = 2; temp.step = 0.1;
    temp.value = this.temperature;
    const tlabel = crGptEl("span", "crg-at", `temperature ${this.temperature}`);
    const step = crGptEl("button", "crg-sample", "sample next");
    const bars = crGptEl("div", "crg-dist");
    const show = dist => {
      bars.innerHTML = "";
      this.shown[r] = dist;
      if (!dist || !dist.length) { bars.textContent = this.model ? this.model.get("error") : ""; return; }
      dist.map((p, t) => [p, t]).sort((a, b) => b[0] - a[0]).slice(0, 8).forEach(([p, t]) => {
        const b = crGptEl("span", "crg-bar-p", crGptChar(run, t)); b.style.width = `${Math.max(2, 160 * p)}px`;
        b.title = `p = ${crGptFmt(p)}`; b.dataset.p = p; b.dataset.token = t; bars.append(b);
      });
    };
    this.showers[r] = show;
    const update = () => {
      this.prefix = input.value; this.temperature = +temp.value;
      tlabel.textContent = `temperature ${this.temperature}`;
      if (this.model) {  // the kernel answers with the model's own forward pass (change:distribution)
        this.model.set("prefix", this.prefix); this.model.set("temperature", this.temperature);
        this.model.save_changes();
        return;
      }
      try { show(crGptForward(run, this.prefix, this.temperature)); } catch (e) { show(null); bars.textContent = e.message; }
    };
    input.oninput = update; temp.oninput = update;
    step.onclick = () => {  // draw the next character from the distribution shown
      const dist = this.shown[r];
      if (!dist || !dist.length) return;
      let u = this.random(), t = 0;
      while (t < dist.length - 1 && (u -= dist[t]) > 0) t++;
      input.value = t === run.bos ? "" : input.value + run.chars[t];
      update();
    };
    box.append(input, temp, tlabel, step, bars);
    if (this.model) show(this.model.get("distribution")[r]); else update();
    return box;
  }

  random() {  // mulberry32: the same samples on every page load
    let s = (this.seed = ((this.seed || 42) + 0x6D2B79F5) | 0);
    s = Math.imul(s ^ (s >>> 15), s | 1); s ^= s + Math.imul(s ^ (s >>> 7), s | 61);
    return ((s ^ (s >>> 14)) >>> 0) / 4294967296;
  }

  distributionChanged() {
    const dists = this.model.get("distribution");
    this.showers.forEach((show, r) => show(dists[r]));
  }

  select(r, id) {
    this.selected = [r, id];
    this.root.querySelectorAll(".crg-on").forEach(c => c.classList.remove("crg-on"));
    this.root.querySelectorAll(`.crg-cell[data-run="${r}"][data-node="${id}"]`).forEach(c => c.classList.add("crg-on"));
    this.showNode(this.data.runs[r], r, id);
  }

  link(run, r, id, text) {
    const a = crGptEl("a", "crg-link", text || crGptName(run, id)); a.href = "#"; a.dataset.node = id;
    a.onclick = e => { e.preventDefault(); this.select(r, id); };
    return a;
  }

  // the node's graph one step each way: its inputs (left), itself, its uses (right); a dot product
  // is one box; every box is a link, so the picture walks the graph a step at a time
  neighbourhood(run, r, id, uses) {
    const NS = "http://www.w3.org/2000/svg", n = run.nodes, W = 320, BW = 96, BH = 30, MAX = 6;
    const svgEl = (tag, attrs) => { const e = document.createElementNS(NS, tag);
      Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v)); return e; };
    const left = n.inputs[id].slice(0, MAX), right = [...new Set(uses.map(([u]) => u))].slice(0, MAX);
    const rows = Math.max(left.length, right.length, 1), H = rows * (BH + 6) + 6;
    const svg = svgEl("svg", {width: W, height: H, class: "crg-neighbourhood", viewBox: `0 0 ${W} ${H}`});
    const y = (k, count) => 6 + (H - 6 - count * (BH + 6)) / 2 + k * (BH + 6);
    const box = (node, x, top, main) => {
      const g = svgEl("g", {class: "crg-nbox", "data-node": node});
      g.append(svgEl("rect", {x, y: top, width: BW, height: BH, rx: 4,
        fill: main ? "#ffe9a8" : (n.op[node] ? "#eef3fb" : "#e8f5e9"), stroke: "#888"}));
      const name = crGptName(run, node), t1 = svgEl("text", {x: x + 4, y: top + 12, "font-size": 10});
      t1.textContent = name.length > 17 ? name.slice(0, 16) + "…" : name;
      const t2 = svgEl("text", {x: x + 4, y: top + 25, "font-size": 9, fill: "#444"});
      t2.textContent = `${crGptFmt(n.data[node])} | ∂ ${crGptFmt(n.grad[node])}`;
      const title = svgEl("title", {}); title.textContent = `${name}\nvalue ${n.data[node]}\ndL/d ${n.grad[node]}`;
      g.append(t1, t2, title);
      if (!main) { g.style.cursor = "pointer"; g.addEventListener("click", () => this.select(r, node)); }
      svg.append(g);
    };
    const mid = y(0, 1);
    left.forEach((i, k) => { svg.append(svgEl("line", {x1: BW, y1: y(k, left.length) + BH / 2, x2: (W - BW) / 2,
      y2: mid + BH / 2, stroke: "#999"})); box(i, 0, y(k, left.length), false); });
    right.forEach((u, k) => { svg.append(svgEl("line", {x1: (W + BW) / 2, y1: mid + BH / 2, x2: W - BW,
      y2: y(k, right.length) + BH / 2, stroke: "#c33"})); box(u, W - BW, y(k, right.length), false); });
    box(id, (W - BW) / 2, mid, true);
    return svg;
  }

  showNode(run, r, id) {
    const n = run.nodes, p = this.panel, uses = crGptUses(run)[id];
    p.innerHTML = "";
    const step = Object.keys(run.views).find(k => k !== "loss" && JSON.stringify(run.views[k]).match(
      new RegExp(`[\\[,]${id}[\\],]`))) || (id === run.views.loss ? "loss" : "");
    p.append(crGptEl("h4", "crg-node", crGptName(run, id)));
    if (step && run.steps[step]) p.append(crGptEl("p", "crg-step", run.steps[step]));
    const nums = crGptEl("p", "crg-nums");
    nums.innerHTML = `value <b class="crg-value">${crGptFmt(n.data[id])}</b> · dL/d(this) ` +
      `<b class="crg-grad">${crGptFmt(n.grad[id])}</b>`;
    p.append(nums, this.neighbourhood(run, r, id, uses));
    if (n.op[id]) {
      p.append(crGptEl("p", "crg-rule", `made by ${n.op[id]}: ${run.formulas[n.op[id]] || ""}` +
        (n.constant[id] !== null ? ` (constant ${crGptFmt(n.constant[id])})` : "")));
      const ins = crGptEl("ul", "crg-inputs");
      const shown = this.expanded ? n.inputs[id] : n.inputs[id].slice(0, 8);
      shown.forEach((i, k) => { const li = crGptEl("li");
        li.append(this.link(run, r, i), crGptEl("span", "", ` = ${crGptFmt(n.data[i])}, d(this)/d(input) = ` +
          `${crGptFmt(crGptLocal(run, id, k))}`)); ins.append(li); });
      p.append(crGptEl("div", "crg-caption", `inputs (${n.inputs[id].length})`), ins);
      if (shown.length < n.inputs[id].length) {
        const more = crGptEl("button", "crg-more", `expand: ${n.inputs[id].length - shown.length} more inputs`);
        more.onclick = () => { this.expanded = true; this.showNode(run, r, id); }; p.append(more);
      }
    } else {
      p.append(crGptEl("p", "crg-rule", "a leaf: " + (n.name[id] ? "a parameter of the model" : "a number")));
    }
    const sum = crGptEl("div", "crg-sum");
    if (id === run.views.loss) sum.textContent = "dL/dL = 1: backward starts here";
    else if (!uses.length || n.grad[id] === 0 && uses.every(([u]) => n.grad[u] === 0)) {
      sum.textContent = uses.length ? "the loss does not depend on it here: dL/d(this) = 0" : "nothing reads it";
    } else {
      const terms = uses.map(([u, k]) => n.grad[u] * crGptLocal(run, u, k));
      sum.append(crGptEl("div", "crg-caption", `chain rule: dL/d(this) = Σ over its ${uses.length} uses of dL/d(use) × d(use)/d(this)`));
      const ul = crGptEl("ul", "crg-terms");
      uses.slice(0, this.expanded ? uses.length : 8).forEach(([u, k], j) => { const li = crGptEl("li");
        li.append(this.link(run, r, u), crGptEl("span", "", `: ${crGptFmt(n.grad[u])} × ${crGptFmt(crGptLocal(run, u, k))} = ` +
          `${crGptFmt(terms[j])}`)); ul.append(li); });
      sum.append(ul, crGptEl("div", "crg-sumline", `sum = ${crGptFmt(terms.reduce((a, b) => a + b, 0))}`));
    }
    p.append(sum);
    this.expanded = false;
  }
}

// The model's forward pass for the prefix box of a page without a kernel (in a notebook the kernel
// computes it with nn.GPT itself): microgpt's arithmetic on the weights the page carries.
function crGptForward(run, prefix, temperature) {
  const W = run.weights, c = run.config, tokens = [run.bos];
  for (const ch of prefix) {
    const t = run.chars.indexOf(ch);
    if (t < 0) throw new Error(`'${ch}' is not in the vocabulary`);
    tokens.push(t);
  }
  if (tokens.length > c.block_size) throw new Error(`the prefix is longer than ${c.block_size - 1} characters`);
  const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
  const linear = (x, rows) => rows.map(row => dot(row, x));
  const rms = x => { const s = (dot(x, x) / x.length + 1e-5) ** -0.5; return x.map(v => v * s); };
  const softmax = z => { const m = Math.max(...z), e = z.map(v => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
    return e.map(v => v / s); };
  const cache = Array.from({length: c.n_layer}, () => [[], []]);
  let logits;
  tokens.forEach((tok, pos) => {
    let x = rms(W.wte[tok].map((v, i) => v + W.wpe[pos][i]));
    for (let l = 0; l < c.n_layer; l++) {
      const m = k => W[`layers.${l}.${k}`], [keys, vals] = cache[l], d = c.n_embd / c.n_head;
      let res = x; x = rms(x);
      const q = linear(x, m("attn_wq")); keys.push(linear(x, m("attn_wk"))); vals.push(linear(x, m("attn_wv")));
      const heads = [];
      for (let h = 0; h < c.n_embd; h += d) {
        const w = softmax(keys.map(k => dot(q.slice(h, h + d), k.slice(h, h + d)) / Math.sqrt(d)));
        for (let j = h; j < h + d; j++) heads.push(w.reduce((s, a, t) => s + a * vals[t][j], 0));
      }
      x = linear(heads, m("attn_wo")).map((v, i) => v + res[i]); res = x;
      x = linear(linear(rms(x), m("mlp_fc1")).map(v => Math.max(0, v)), m("mlp_fc2")).map((v, i) => v + res[i]);
    }
    logits = linear(x, W.lm_head);
  });
  return softmax(logits.map(z => z / temperature));
}

function crGptBoot(script) {  // a saved page: the data is the JSON script element before this one
  const root = script.parentElement.querySelector(".crg-root");
  return new CrGptExplorer(root, JSON.parse(script.textContent), null);
}

function crGptWidget(model, el) {  // the anywidget front end
  const root = crGptEl("div", "crg-root");
  el.append(root);
  let explorer = new CrGptExplorer(root, model.get("data"), model);
  const redraw = () => { explorer = new CrGptExplorer(root, model.get("data"), model); };
  const answered = () => explorer.distributionChanged();
  model.on("change:data", redraw);
  model.on("change:distribution", answered);
  return () => { model.off("change:data", redraw); model.off("change:distribution", answered); };
}
