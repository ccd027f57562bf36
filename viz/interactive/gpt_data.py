"""The numbers of ``viz.explore_gpt``: one name through a trained ``nn.GPT``, every view's cells as
nodes of the engine's own graph.

The forward pass is the model's own (``GPT.loss`` with a ``record``, which collects the Values it
makes on the way), and the gradients are one backward pass from the loss (D13). The page gets:

* ``nodes``: every node of that graph in topological order, as columns: ``data``, ``grad``
  (dL/d(node); 0 for a node the loss does not read), ``op``, ``name``, ``inputs`` (ids of its
  inputs, in ``.parents`` order) and ``local`` (d(node)/d(input) for each, from the rule table;
  None for a ``dot`` node, whose local derivatives are its other inputs' numbers: ``local_of``);
* ``views``: the ids of the cells each view draws: embeddings, attention scores and weights per
  layer and head, the heads' outputs, logits, probabilities (softmax of the logits, D12), each
  position's -log p (D13) and the loss;
* ``weights``: the model's weight matrices, for the page's prefix box when no kernel runs it.

Every number shown is a Value's ``.data`` or a gradient of the same backward pass: the tests
compare them with a forward pass of the model, ``softmax`` and ``autograd.gradients``.
"""

from __future__ import annotations

import math
from typing import Any

from autograd import RULES, Value, topological_order
from nn.gpt import GPT, Record, softmax

from ..chain import fresh_gradients, local_grads

TOP_K = 5
MAX_LOCAL_GRAPH = (
    40000  # nodes: a name of block_size characters in a bigger model, still a page of a few MB
)

# which derivation of docs/derivations.md each view's cells come from
STEPS = {
    "token_emb": "an embedding row: wte[token] (a parameter)",
    "pos_emb": "a position row: wpe[pos] (a parameter)",
    "emb": "x = wte[token] + wpe[pos]",
    "norm": "D14: RMSNorm, x_i / sqrt(mean_j x_j^2 + 1e-5)",
    "scores": "D15: score_t = q . k_t / sqrt(d)",
    "weights": "D12, D15: a_t = softmax_t(score_t), the attention weight",
    "heads": "D15: o = sum_t a_t v_t, a head's output",
    "logits": "D1: logits = lm_head . x",
    "probs": "D12: p_i = e^(z_i - max z) / sum_j e^(z_j - max z)",
    "nll": "D13: -log p(next character)",
    "loss": "D13: the mean over positions of -log p(next character)",
}


def tokens_of(model: GPT, name: str) -> list[int]:
    """[BOS] + the name's ids + [BOS], checked: the page shows at most ``block_size`` positions."""
    if not isinstance(model, GPT):
        raise TypeError(f"explore_gpt: model must be an nn.GPT, got {type(model).__name__}")
    tokens = model.encode(name)
    if len(tokens) - 1 > model.block_size:
        raise ValueError(
            f"explore_gpt: {name!r} has {len(name)} characters; this model reads at most "
            f"{model.block_size - 1} (block_size {model.block_size} positions)"
        )
    return tokens


def gpt_data(model: GPT, name: str, title: str = "") -> dict[str, Any]:
    """The page's data for ``name`` fed to ``model`` (the module docstring says what it holds);
    every ``.grad`` is left as it was."""
    tokens = tokens_of(model, name)
    record: Record = {}
    loss = model.loss(tokens, record)
    loss.label = "loss"
    probs = [softmax(logits) for logits in record["logits"]]
    order = topological_order([loss, *(p for row in probs for p in row)])
    if len(order) > MAX_LOCAL_GRAPH:
        raise ValueError(
            f"explore_gpt: the graph of {name!r} has {len(order)} nodes, "
            f"more than {MAX_LOCAL_GRAPH}"
        )
    ids = {node: i for i, node in enumerate(order)}
    grads = fresh_gradients(loss, order)
    parameters = {v: label for label, v in model.named_parameters()}
    n_layer, positions = model.n_layer, len(tokens) - 1

    def cells(values: list[Any]) -> Any:
        return [cells(v) for v in values] if isinstance(values, list) else ids[values]

    def per_layer(
        key: str,
    ) -> list[list[Any]]:  # record[key][pos * n_layer + layer] -> [layer][pos]
        return [
            [cells(record[key][pos * n_layer + layer]) for pos in range(positions)]
            for layer in range(n_layer)
        ]

    views = {key: cells(record[key]) for key in ("token_emb", "pos_emb", "emb", "norm", "logits")}
    views |= {
        "q": per_layer("q"),
        "k": per_layer("k"),
        "v": per_layer("v"),
        "heads": per_layer("heads"),
        "out": per_layer("out"),
        "scores": per_layer("scores"),
        "weights": per_layer("weights"),  # [layer][query][head][key]
        "probs": cells(probs),
        "nll": cells(record["nll"][0]),
        "loss": ids[loss],
    }
    return {
        "title": title,
        "name": name,
        "tokens": tokens,
        "chars": model.chars,
        "bos": model.bos,
        "config": model.config(),
        "positions": positions,
        "views": views,
        "steps": STEPS,
        "topK": TOP_K,
        "nodes": _columns(order, ids, grads, parameters | cell_names(model, tokens, record, probs)),
        "formulas": {op: rule.formula for op, rule in RULES.items()},
        "weights": {
            name: [[v.data for v in row] for row in model.rows(name)] for name in _matrices(model)
        },
    }


def cell_names(
    model: GPT, tokens: list[int], record: Record, probs: list[list[Value]]
) -> dict[Value, str]:
    """A name for each cell the views draw: ``x2[5]`` (position 2, component 5), ``a h1: 3→0``
    (head 1's weight of key position 0 at query position 3), ``p2('m')``, ... (with several layers,
    a prefix ``L1``)."""
    char = [model.chars[t] if t != model.bos else "BOS" for t in range(model.vocab_size)]
    names: dict[Value, str] = {}

    def name(values: list[Value], label: str) -> None:
        names.update(
            (v, label.format(i=i, c=char[i] if i < len(char) else i)) for i, v in enumerate(values)
        )

    for pos, token in enumerate(tokens[:-1]):
        name(record["token_emb"][pos], f"wte['{char[token]}'][{{i}}]")
        name(record["pos_emb"][pos], f"wpe[{pos}][{{i}}]")
        name(record["emb"][pos], f"x{pos}[{{i}}]")
        name(record["norm"][pos], f"rmsnorm(x{pos})[{{i}}]")
        for layer in range(model.n_layer):
            at, L = pos * model.n_layer + layer, f"L{layer} " if model.n_layer > 1 else ""
            for key in ("q", "k", "v"):
                name(record[key][at], f"{L}{key}{pos}[{{i}}]")
            name(record["heads"][at], f"{L}heads{pos}[{{i}}]")
            name(record["out"][at], f"{L}layer out{pos}[{{i}}]")
            for h, (scores, weights) in enumerate(zip(record["scores"][at], record["weights"][at])):
                name(scores, f"{L}score h{h}: {pos}→{{i}}")
                name(weights, f"{L}a h{h}: {pos}→{{i}}")
                for t, a in enumerate(
                    weights
                ):  # a = e^(score - max) * (sum of them)^-1 (nn.gpt.softmax)
                    names[a.parents[0]] = f"{L}e^(s-max) h{h}: {pos}→{t}"
                    names[a.parents[1]] = f"{L}1/Σe h{h}: {pos}"
        name(record["logits"][pos], f"z{pos}('{{c}}')")
        name(probs[pos], f"p{pos}('{{c}}')")
    name(record["nll"][0], "-log p{i}")
    return names


def _columns(
    order: list[Value],
    ids: dict[Value, int],
    grads: dict[Value, float],
    parameters: dict[Value, str],
) -> dict[str, list[Any]]:
    """The graph as columns of equal length, one entry per node in topological order."""
    return {
        "data": [node.data for node in order],
        "grad": [_finite(grads.get(node, 0.0)) for node in order],
        "op": [node.op for node in order],
        "name": [node.label or parameters.get(node, "") for node in order],
        "constant": [node.constant for node in order],
        "inputs": [[ids[p] for p in node.parents] for node in order],
        # a dot node's are its other inputs' numbers (d(sum a_i b_i)/da_i = b_i): left to the page
        "local": [
            None if node.op == "dot" else [_finite(g) for g in local_grads(node)] for node in order
        ],
    }


def local_of(nodes: dict[str, list[Any]], node: int, k: int) -> float | None:
    """d(node)/d(its k-th input): from the table, or for a dot node a_0..a_{n-1}, b_0..b_{n-1} the
    input k places away from it (d(sum a_i b_i)/da_i = b_i, /db_i = a_i)."""
    local = nodes["local"][node]
    if local is not None:
        return local[k]
    inputs = nodes["inputs"][node]
    return nodes["data"][inputs[(k + len(inputs) // 2) % len(inputs)]]


def _matrices(model: GPT) -> list[str]:
    names = ["wte", "wpe", "lm_head"]
    for i in range(model.n_layer):
        names += [
            f"layers.{i}.{m}"
            for m in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")
        ]
    return names


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def next_distribution(model: GPT, prefix: str, temperature: float = 1.0) -> list[float]:
    """p(next character | BOS + prefix) at ``temperature``: softmax(logits / temperature) of the
    model's own forward pass (``GPT.sample`` draws from the same numbers)."""
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not 0 < temperature < 1e6
    ):
        raise ValueError(f"explore_gpt: temperature must be a positive number, got {temperature!r}")
    tokens = model.encode(prefix)[:-1]
    if len(tokens) > model.block_size:
        raise ValueError(
            f"explore_gpt: the prefix {prefix!r} is longer than block_size - 1 = "
            f"{model.block_size - 1}"
        )
    from autograd import no_grad

    with no_grad():
        cache = model.new_cache()
        for pos, token in enumerate(tokens):
            logits = model.step(token, pos, cache)
        return [p.data for p in softmax([z * temperature**-1 for z in logits])]
