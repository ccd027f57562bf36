"""viz.explore_gpt's numbers are the engine's own: heat-map cells against an independent numpy
forward pass of the model, probabilities against softmax of the logits, gradients against
autograd.gradients; the recorded forward pass changes nothing; the command line writes the page."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import viz
from nn.gpt import softmax
from viz.cli import main
from viz.interactive.gpt_data import gpt_data, local_of, next_distribution

pytest.importorskip("anywidget")


def small_gpt(seed: int = 3, n_layer: int = 1) -> nn.GPT:
    return nn.GPT(27, n_layer=n_layer, n_embd=8, n_head=2, block_size=8, seed=seed)


def reference_forward(model: nn.GPT, tokens: list[int]) -> dict[str, list]:
    """microgpt's forward pass in numpy on the weights' numbers: attention weights and scores,
    probabilities, each position's -log p."""
    W = {
        name: np.array([[v.data for v in row] for row in model.rows(name)])
        for name in ("wte", "wpe", "lm_head")
    }
    layers = [
        {
            m: np.array([[v.data for v in row] for row in model.rows(f"layers.{i}.{m}")])
            for m in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")
        }
        for i in range(model.n_layer)
    ]
    rms = lambda x: x / math.sqrt(x @ x / len(x) + 1e-5)
    soft = lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    d = model.n_embd // model.n_head
    cache = [([], []) for _ in layers]
    out = {"weights": [], "scores": [], "probs": [], "nll": []}
    for pos, token in enumerate(tokens[:-1]):
        x = rms(W["wte"][token] + W["wpe"][pos])
        for layer, (keys, values) in zip(layers, cache):
            residual, x = x, rms(x)
            q = layer["attn_wq"] @ x
            keys.append(layer["attn_wk"] @ x)
            values.append(layer["attn_wv"] @ x)
            heads, scores, weights = [], [], []
            for h in range(0, model.n_embd, d):
                s = np.array([q[h : h + d] @ k[h : h + d] for k in keys]) / math.sqrt(d)
                a = soft(s)
                heads.extend(a @ np.array([v[h : h + d] for v in values]))
                scores.append(s)
                weights.append(a)
            x = layer["attn_wo"] @ np.array(heads) + residual
            x = layer["mlp_fc2"] @ np.maximum(layer["mlp_fc1"] @ rms(x), 0) + x
            out["weights"].append(weights)
            out["scores"].append(scores)
        p = soft(W["lm_head"] @ x)
        out["probs"].append(p)
        out["nll"].append(-math.log(p[tokens[pos + 1]]))
    return out


@pytest.mark.parametrize("n_layer", [1, 2])
def test_every_view_shows_the_numbers_of_a_forward_pass(n_layer):
    model = small_gpt(n_layer=n_layer)
    data = gpt_data(model, "emma")
    tokens = model.encode("emma")
    assert data["tokens"] == tokens and data["positions"] == 5
    ref = reference_forward(model, tokens)
    value = data["nodes"]["data"]
    views = data["views"]
    for pos in range(5):
        for layer in range(n_layer):
            at = pos * n_layer + layer
            for h in range(model.n_head):
                shown = [value[i] for i in views["weights"][layer][pos][h]]
                assert shown == pytest.approx(ref["weights"][at][h], abs=1e-12)
                assert len(shown) == pos + 1  # causal: query pos attends to keys 0..pos
                scores = [value[i] for i in views["scores"][layer][pos][h]]
                assert scores == pytest.approx(ref["scores"][at][h], abs=1e-12)
        assert [value[i] for i in views["probs"][pos]] == pytest.approx(
            ref["probs"][pos], abs=1e-12
        )
        assert value[views["nll"][pos]] == pytest.approx(ref["nll"][pos], abs=1e-12)
        row = model.rows("wte")[tokens[pos]]
        assert [value[i] for i in views["token_emb"][pos]] == [v.data for v in row]
    assert (
        value[views["loss"]]
        == model.loss(tokens).data
        == pytest.approx(np.mean(ref["nll"]), abs=1e-12)
    )


def test_probabilities_are_the_softmax_of_the_logits_and_gradients_are_autograds():
    model = small_gpt()
    tokens = model.encode("ava")
    data = gpt_data(model, "ava")
    value, grad, views = data["nodes"]["data"], data["nodes"]["grad"], data["views"]
    for pos in range(data["positions"]):
        logits = [autograd.Value(value[i]) for i in views["logits"][pos]]
        assert [value[i] for i in views["probs"][pos]] == [p.data for p in softmax(logits)]
    # parameters: the token embeddings' and the attention matrices' gradients of a fresh loss
    loss = model.loss(tokens)
    wte, wq = model.rows("wte"), model.rows("layers.0.attn_wq")
    leaves = [v for row in wte for v in row] + [v for row in wq for v in row]
    expected = dict(zip(leaves, autograd.gradients(loss, leaves)))
    for pos, token in enumerate(tokens[:-1]):
        shown = [grad[i] for i in views["token_emb"][pos]]
        assert shown == pytest.approx([expected[v] for v in wte[token]], abs=1e-15)
    by_name = {name: i for i, name in enumerate(data["nodes"]["name"])}
    assert grad[by_name["layers.0.attn_wq5"]] == pytest.approx(expected[wq[0][5]], abs=1e-15)
    # interior cells: each attention weight's dL/da against autograd.gradients on the same graph
    record = {}
    loss = model.loss(tokens, record)
    weights = [a for head in record["weights"][2] for a in head]
    shown = [grad[i] for head in views["weights"][0][2] for i in head]
    assert shown == pytest.approx(autograd.gradients(loss, weights), abs=1e-15)
    assert any(abs(g) > 1e-6 for g in shown)


def test_the_chain_rule_terms_of_a_cell_sum_to_its_gradient():
    data = gpt_data(small_gpt(), "emma")
    n = data["nodes"]
    uses = {i: [] for i in range(len(n["data"]))}
    for node, inputs in enumerate(n["inputs"]):
        for k, i in enumerate(inputs):
            uses[i].append((node, k))
    for cell in (
        data["views"]["weights"][0][3][1][2],
        data["views"]["norm"][2][4],
        data["views"]["emb"][1][0],
    ):
        terms = [n["grad"][u] * local_of(n, u, k) for u, k in uses[cell]]
        assert math.fsum(terms) == pytest.approx(n["grad"][cell], rel=1e-9, abs=1e-15)


def test_a_dot_nodes_local_derivatives_are_its_other_inputs():
    data = gpt_data(small_gpt(), "ab")
    n = data["nodes"]
    node = data["views"]["q"][0][1][3]  # q1[3] = W_q row 3 . rmsnorm(x1)
    assert n["op"][node] == "dot" and n["local"][node] is None
    inputs, half = n["inputs"][node], len(n["inputs"][node]) // 2
    for k in range(half):  # d(sum a_i b_i)/da_k = b_k and /db_k = a_k
        assert local_of(n, node, k) == n["data"][inputs[half + k]]
        assert local_of(n, node, half + k) == n["data"][inputs[k]]


def test_exploring_leaves_the_model_as_it_was():
    model = small_gpt()
    for p in model.parameters():
        p.grad = 0.25
    viz.explore_gpt(model, "emma", before=small_gpt(seed=4))
    assert all(p.grad == 0.25 for p in model.parameters())


def test_the_prefix_box_uses_the_models_own_forward_pass():
    model = small_gpt()
    dist = next_distribution(model, "em", temperature=0.5)
    cache, tokens = model.new_cache(), model.encode("em")[:-1]
    for pos, token in enumerate(tokens):
        logits = model.step(token, pos, cache)
    expected = [p.data for p in softmax([z * 2.0 for z in logits])]
    assert dist == pytest.approx(expected, abs=1e-15) and math.fsum(dist) == pytest.approx(1.0)
    explorer = viz.explore_gpt(model, "emma")
    explorer.prefix, explorer.temperature = "em", 0.5
    assert explorer.distribution[0] == pytest.approx(expected, abs=1e-15)
    explorer.prefix = "é"
    assert "outside the vocabulary" in explorer.error and explorer.distribution == [[]]


def test_bad_input_is_refused_with_the_operation_named():
    model = small_gpt()
    with pytest.raises(TypeError, match="explore_gpt: model must be an nn.GPT"):
        viz.explore_gpt(nn.MLP(2, [1]), "emma")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        viz.explore_gpt(model, "Emma")
    with pytest.raises(ValueError, match="reads at most 7"):
        viz.explore_gpt(model, "abcdefghij")
    with pytest.raises(ValueError, match="before must be an nn.GPT with the same configuration"):
        viz.explore_gpt(model, "emma", before=nn.GPT(27, n_embd=4, n_head=2, block_size=8))
    with pytest.raises(ValueError, match="temperature must be a positive number"):
        next_distribution(model, "em", temperature=0)


def test_the_command_line_writes_the_page(tmp_path, capsys):
    model, before = small_gpt(), small_gpt(seed=9)
    nn.save(model, tmp_path / "model.json")
    nn.save(before, tmp_path / "before.json")
    out = tmp_path / "gpt.html"
    assert (
        main(
            [
                "explore-gpt",
                "--model",
                str(tmp_path / "model.json"),
                "--before",
                str(tmp_path / "before.json"),
                "--name",
                "emma",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert f"loss {model.loss(model.encode('emma')).data:.4f}" in capsys.readouterr().out
    page = out.read_text()
    assert page.count('class="crg-data"') == 1 and "http" not in page.split("crg-data")[1][:200]
    assert (
        main(
            [
                "explore-gpt",
                "--model",
                str(tmp_path / "model.json"),
                "--name",
                "EMMA",
                "-o",
                str(out),
            ]
        )
        == 2
    )
    assert "outside the vocabulary" in capsys.readouterr().err
    assert main(["explore-gpt", "--model", str(tmp_path / "nope.json"), "--name", "emma"]) == 2
    assert (
        main(
            [
                "explore-gpt",
                "--model",
                str(tmp_path / "model.json"),
                "--name",
                "emma",
                "-o",
                "x.svg",
            ]
        )
        == 2
    )
    nn.save(nn.MLP(2, [1], seed=0), tmp_path / "mlp.json")
    assert main(["explore-gpt", "--model", str(tmp_path / "mlp.json"), "--name", "emma"]) == 2
    assert "not an nn.GPT" in capsys.readouterr().err
