"""``chainrule demo`` (what ``make demo`` runs): a short tour that writes pictures and says where.

1. micrograd's neuron o = tanh(x1 w1 + x2 w2 + b), forward and backward, as a graph (SVG),
   plain and shaded by |grad|;
2. the same backward pass step by step (numbered SVGs and an HTML page with a slider);
3. the activations and their derivatives (D5) and the vanishing gradients of deep chains (D4);
4. micrograd's 2-16-16-1 classifier trained on the moons: loss curve and decision boundary.
"""

from __future__ import annotations

from pathlib import Path

from autograd import Value
from nn.files import write_atomic

from .graph import draw_dot
from .plots import plot_activations, plot_gradient_depth
from .steps import backprop_steps
from .training import TrainingError, make_output_directory, summary, train


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


def run(out: Path, steps: int = 100) -> int:
    """Write the tour into ``out`` and print what is where. Returns the exit code."""
    if steps < 1:  # checked before anything is written
        raise TrainingError(f"--steps must be at least 1, got {steps}")
    make_output_directory(out)
    print(f"chainrule demo: writing into {out}/\n")

    o, params = neuron()
    draw_dot(o, params=params).save(out / "neuron.svg")
    draw_dot(o, params=params, shade_grad=True).save(out / "neuron_shaded.svg")
    print("1. micrograd's neuron o = tanh(x1*w1 + x2*w2 + b), every node's data and grad:")
    print(f"   neuron.svg, neuron_shaded.svg (coloured by |grad|); do/dw1 = {params[0].grad:.4f}, "
          f"do/db = {params[2].grad:.4f}\n")

    frames = backprop_steps(o, params=params)
    frames.save(out / "backprop")
    write_atomic(out / "backprop.html", _page(frames.to_html()).encode("utf-8"))
    print(f"2. backward, one step per node: backprop.html (a slider) and backprop/step_*.svg ({len(frames)} frames)")
    from .interactive import explore  # loads the widget code only when the tour runs

    explore(o, params=params).save(out / "explorer.html")
    print("   explorer.html: click a node for its rule and chain-rule sum, step backward, practise\n")

    plot_activations(path=out / "activations.png")
    plot_gradient_depth(path=out / "vanishing_gradients.png")
    print("3. activations.png (g and g' from backward, D5), vanishing_gradients.png (|df/dw_1| against depth, D4)\n")

    print(f"4. training micrograd's 2-16-16-1 network on the moons ({steps} steps):")
    trained = train("moons", out / "moons", steps=steps, progress=True)
    print("   " + summary(trained).replace("\n", "\n   "))
    print(f"\nOpen {out / 'explorer.html'} (or {out / 'neuron.svg'}) in a browser to start.")
    return 0


def readme_pictures(directory: Path) -> list[Path]:
    """The README's pictures (docs/images): the neuron of its first example, plain and with the local
    derivatives on the edges; a backprop step summing two uses; a batch loss collapsed to matrices."""
    import nn  # only here: viz knows nn for grouping a module's nodes

    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    f = (x * w + b).tanh()
    f.label = "f"
    f.backward()
    a, bb, c, g = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
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


def _page(body: str) -> str:
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>chainrule: backprop step by step</title>"
            f"</head><body>\n{body}\n</body></html>\n")
