"""An independent re-statement of Karpathy's microgpt, the oracle for ``nn.GPT`` and ``nn.train_gpt``.

The published program is the gist https://gist.github.com/karpathy/8627fe009c40f57531cb18360106ce95
(microgpt.py, February 2026; public copies exist, e.g. repository rkinas/pico-gpt2, microgpt.py).
This file does not import chainrule: it has its own forty-line scalar value class, written here in
our own words, with the published program's arithmetic and its order of floating-point operations:

* a node keeps its children and the local derivatives computed in the forward pass, and backward
  adds ``local * grad`` to each child, visiting the nodes in reverse of a depth-first post-order
  (children in order, as the program's recursive ``build_topo``);
* a number operand becomes a leaf node; ``a - b`` is ``a + (-b)`` and ``-a`` is ``a * -1``;
  ``a / b`` is ``a * b**-1``; Python's ``sum`` starts from 0;
* RMSNorm with eps 1e-5; softmax subtracts the largest logit as a plain number (no gradient);
  attention scores are divided by sqrt(head_dim); Adam with betas (0.85, 0.99), eps 1e-8 and the
  learning rate 0.01 * (1 - step / num_steps); weights ``gauss(0, 0.08)`` after the shuffle.

Used by tests/test_gpt_microgpt.py (a few steps) and benchmarks/bench_gpt.py (200 and 1,000 steps,
and the time of a step of this class against chainrule's).
"""

from __future__ import annotations

import math
import random


class Scalar:
    """A number with the children it was made from and d(self)/d(child) for each."""

    __slots__ = ("data", "grad", "kids", "local")

    def __init__(self, data, kids=(), local=()):
        self.data, self.grad, self.kids, self.local = data, 0, kids, local

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):
        return Scalar(self.data**k, (self,), (k * self.data ** (k - 1),))

    def log(self):
        return Scalar(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return Scalar(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return Scalar(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def backward(self):
        order, seen = [], set()

        def visit(node):  # depth-first, children in order, a node after its children (as build_topo)
            if node not in seen:
                seen.add(node)
                for kid in node.kids:
                    visit(kid)
                order.append(node)

        visit(self)
        self.grad = 1
        for node in reversed(order):
            for kid, local in zip(node.kids, node.local):
                kid.grad += local * node.grad


class MicroGPT:
    """microgpt's model, optimiser and loop, with its hyper-parameters (1 layer, 16 wide, 4 heads, 16 positions)."""

    n_layer, n_embd, n_head, block_size = 1, 16, 4, 16

    def __init__(self, names_in_file_order, seed=42, num_steps=1000):
        self.rng = random.Random(seed)
        self.docs = list(names_in_file_order)
        self.rng.shuffle(self.docs)
        self.chars = sorted(set("".join(self.docs)))
        self.bos = len(self.chars)
        self.vocab = len(self.chars) + 1
        self.head_dim = self.n_embd // self.n_head
        e = self.n_embd
        shapes = [("wte", self.vocab, e), ("wpe", self.block_size, e), ("lm_head", self.vocab, e)]
        for i in range(self.n_layer):
            shapes += [(f"layer{i}.attn_w{c}", e, e) for c in "qkvo"]
            shapes += [(f"layer{i}.mlp_fc1", 4 * e, e), (f"layer{i}.mlp_fc2", e, 4 * e)]
        self.w = {name: [[Scalar(self.rng.gauss(0, 0.08)) for _ in range(cols)] for _ in range(rows)]
                  for name, rows, cols in shapes}
        self.params = [p for matrix in self.w.values() for row in matrix for p in row]
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.num_steps, self.steps_done = num_steps, 0

    # the forward pass, one position at a time
    @staticmethod
    def linear(x, matrix):
        return [sum(w * xi for w, xi in zip(row, x)) for row in matrix]

    @staticmethod
    def softmax(logits):
        top = max(z.data for z in logits)
        exps = [(z - top).exp() for z in logits]
        total = sum(exps)
        return [e / total for e in exps]

    @staticmethod
    def rmsnorm(x):
        scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def forward(self, token, pos, keys, values):
        w, d = self.w, self.head_dim
        x = self.rmsnorm([t + p for t, p in zip(w["wte"][token], w["wpe"][pos])])
        for i in range(self.n_layer):
            residual, x = x, self.rmsnorm(x)
            q = self.linear(x, w[f"layer{i}.attn_wq"])
            keys[i].append(self.linear(x, w[f"layer{i}.attn_wk"]))
            values[i].append(self.linear(x, w[f"layer{i}.attn_wv"]))
            heads = []
            for start in range(0, self.n_embd, d):
                qh = q[start:start + d]
                scores = [sum(qh[j] * k[start + j] for j in range(d)) / d**0.5 for k in keys[i]]
                weights = self.softmax(scores)
                heads += [sum(weights[t] * values[i][t][start + j] for t in range(len(weights))) for j in range(d)]
            x = [a + b for a, b in zip(self.linear(heads, w[f"layer{i}.attn_wo"]), residual)]
            residual = x
            hidden = [h.relu() for h in self.linear(self.rmsnorm(x), w[f"layer{i}.mlp_fc1"])]
            x = [a + b for a, b in zip(self.linear(hidden, w[f"layer{i}.mlp_fc2"]), residual)]
        return self.linear(x, w["lm_head"])

    def train_step(self):
        """One step on the next name; returns its loss (before the update)."""
        step = self.steps_done
        name = self.docs[step % len(self.docs)]
        tokens = [self.bos] + [self.chars.index(c) for c in name] + [self.bos]
        n = min(self.block_size, len(tokens) - 1)
        keys, values = [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]
        losses = [-self.softmax(self.forward(tokens[p], p, keys, values))[tokens[p + 1]].log() for p in range(n)]
        loss = (1 / n) * sum(losses)
        loss.backward()
        lr, b1, b2 = 0.01 * (1 - step / self.num_steps), 0.85, 0.99
        for i, p in enumerate(self.params):
            self.m[i] = b1 * self.m[i] + (1 - b1) * p.grad
            self.v[i] = b2 * self.v[i] + (1 - b2) * p.grad**2
            m_hat = self.m[i] / (1 - b1 ** (step + 1))
            v_hat = self.v[i] / (1 - b2 ** (step + 1))
            p.data -= lr * m_hat / (v_hat**0.5 + 1e-8)
            p.grad = 0
        self.steps_done += 1
        return loss.data

    def sample(self, temperature=0.5):
        """One name, drawn with the program's own random stream (``random.choices``)."""
        keys, values = [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]
        token, out = self.bos, []
        for pos in range(self.block_size):
            probs = self.softmax([z / temperature for z in self.forward(token, pos, keys, values)])
            token = self.rng.choices(range(self.vocab), weights=[p.data for p in probs])[0]
            if token == self.bos:
                break
            out.append(self.chars[token])
        return "".join(out)
