"""engine="compiled" for the GPT: a traced gather, max in the replay, one trace per sequence length."""

import numpy as np

import autograd
import nn
from autograd import Value
from nn.gpt import gather
from nn.gpt_compiled import compiled_step


def test_compiled_losses_equal_eager():
    docs, eager = nn.microgpt(seed=42)
    _, compiled = nn.microgpt(seed=42)
    a = nn.train_gpt(eager, docs, steps=6, progress=False).loss
    b = nn.train_gpt(compiled, docs, steps=6, engine="compiled", progress=False).loss
    assert max(abs(x - y) for x, y in zip(a, b)) <= 1e-9
    assert max(abs(p.data - q.data) for p, q in zip(eager.parameters(), compiled.parameters())) <= 1e-12


def test_one_trace_per_sequence_length():
    model = nn.GPT(5, n_embd=4, n_head=2, block_size=4, seed=0)
    step = compiled_step(model)
    for name in ["ab", "ba", "abc", "abcdabcd", "dcba"]:
        tokens = model.encode(name)
        loss = step(tokens)
        compiled_grads = [p.grad for p in model.parameters()]
        expected = model.loss(tokens)
        model.zero_grad()
        expected.backward()
        assert abs(loss - expected.data) < 1e-12
        np.testing.assert_allclose(compiled_grads, [p.grad for p in model.parameters()], rtol=1e-10, atol=1e-13)
    assert sorted(step.traces) == [4]  # every name padded to 4 positions; 8 letters cut to 4


def test_traced_gather_picks_the_row_and_scatters_the_gradient_back():
    table = [[Value(float(10 * r + c), label=f"w{r}{c}") for c in range(3)] for r in range(4)]
    params = [w for row in table for w in row]
    f = autograd.compile(lambda ids: sum(v * (c + 1) for c, v in enumerate(gather(table, ids[0]))), 1, params)
    out, grads = f.value_and_grad(np.array([[2.0], [0.0], [2.0]]))
    assert out.tolist() == [20 + 2 * 21 + 3 * 22, 0 + 2 * 1 + 3 * 2, 20 + 2 * 21 + 3 * 22]
    # row 2 was chosen twice and row 0 once: d/d w_rc = (c + 1) times how often row r was chosen
    assert grads.reshape(4, 3).tolist() == [[1, 2, 3], [0, 0, 0], [2, 4, 6], [0, 0, 0]]
    assert [v.data for v in gather(table, 1)] == [10.0, 11.0, 12.0]  # an int index just picks the row


def test_equal_mask_has_zero_derivative():
    x = Value(3.0)
    mask = x.equal(3.0)
    (mask * x).backward()
    assert mask.data == 1.0 and x.equal(2.0).data == 0.0 and x.grad == 1.0  # d(mask)/dx = 0, d(x)/dx = 1


def test_max_replays_with_its_rule():
    f = autograd.compile(lambda x: x[0].max(x[1]) * x[0], 2, [])
    X = np.array([[1.0, 2.0], [3.0, -1.0], [2.0, 2.0]])
    assert f.forward(X).tolist() == [2.0, 9.0, 4.0]


def test_compiled_engine_trains_from_the_command_line(tmp_path, capsys):
    from viz.cli import main

    assert main(["train", "names", "--steps", "3", "--engine", "compiled", "--out", str(tmp_path), "--quiet"]) == 0
    assert "trained  3 steps (compiled)" in capsys.readouterr().out


def test_compiled_equals_eager_for_other_shapes_and_every_length():
    # several layers and heads, one-wide heads, every name length up to past block_size: the replay's
    # schedule (batched layers across positions, sums waiting for deeper terms) against the eager engine
    import random

    for n_layer, n_head, n_embd, block in [(2, 2, 8, 6), (3, 1, 4, 5), (1, 4, 8, 8), (2, 4, 8, 3), (1, 1, 2, 7)]:
        model = nn.GPT(6, n_layer=n_layer, n_embd=n_embd, n_head=n_head, block_size=block, seed=n_layer + n_head)
        step = compiled_step(model)
        rng = random.Random(n_embd)
        for length in range(0, block + 2):
            tokens = model.encode("".join(rng.choice(model.chars) for _ in range(length)))
            loss = step(tokens)
            compiled_grads = [p.grad for p in model.parameters()]
            expected = model.loss(tokens)
            model.zero_grad()
            expected.backward()
            assert abs(loss - expected.data) <= 1e-12, (n_layer, n_head, length)
            np.testing.assert_allclose(compiled_grads, [p.grad for p in model.parameters()], rtol=1e-10, atol=1e-13)
