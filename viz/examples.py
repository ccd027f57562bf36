"""The graphs the demo, the README and the tests draw: micrograd's neuron, the README's pictures.

The README's pictures (docs/images) are made by
``python -c "from viz.examples import readme_pictures; readme_pictures('docs/images')"``.
"""

from __future__ import annotations

from pathlib import Path

from autograd import Value

from .graph import draw_dot
from .steps import backprop_steps


def neuron() -> tuple[Value, list[Value]]:
    """micrograd's README neuron, with o = tanh(n) written out as (e^2n - 1) / (e^2n + 1)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    e = (2 * n).exp()
    e.label = "e"
    o = (e - 1) / (e + 1)
    o.label = "o"
    o.backward()
    return o, [w1, w2, b]


def readme_pictures(directory: Path) -> list[Path]:
    """The README's pictures (docs/images): the neuron of its first example, plain and with the
    local derivatives on the edges; a backprop step summing two uses; a batch loss collapsed to
    matrices."""
    import nn  # only here: viz knows nn for grouping a module's nodes

    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    f = (x * w + b).tanh()
    f.label = "f"
    f.backward()
    a, bb = Value(2.0, label="a"), Value(-3.0, label="b")
    c, g = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * bb
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * g + e
    L.label = "L"
    step = next(frame for frame in backprop_steps(L) if frame.node is e)
    model = nn.MLP(2, [4, 4, 1], seed=0)
    X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.1, 0.1]]
    loss = nn.losses.mse([model(row) for row in X], [1.0, -1.0, 1.0, -1.0])
    loss.backward()
    pictures = {
        "tanh_neuron.svg": draw_dot(f, params=[w, b]),
        "tanh_neuron_local_grads.svg": draw_dot(f, params=[w, b], local_grads=True),
        "backprop_step_two_uses.svg": step.picture,
        "mlp_batch_matrix.svg": draw_dot(loss, collapse=model, collapse_level="matrix"),
    }
    return [picture.save(Path(directory) / name) for name, picture in pictures.items()]
