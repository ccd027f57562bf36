"""``chainrule demo`` (what ``make demo`` runs): a short tour that writes pictures and says where.

1. micrograd's neuron o = tanh(x1 w1 + x2 w2 + b), forward and backward, as a graph (SVG),
   plain and shaded by |grad|;
2. the same backward pass step by step (numbered SVGs and an HTML page with a slider);
3. the activations and their derivatives (D5) and the vanishing gradients of deep chains (D4);
4. micrograd's 2-16-16-1 classifier trained on the moons: loss curve and decision boundary.
"""

from __future__ import annotations

from pathlib import Path

from autograd.files import write_atomic

from ..examples import neuron
from ..graph import draw_dot
from ..plots import plot_activations, plot_gradient_depth
from ..steps import backprop_steps
from .errors import TrainingError
from .output import make_output_directory
from .train_command import summary, train


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
    print("2. backward, one step per node: backprop.html (a slider) and backprop/step_*.svg "
          f"({len(frames)} frames)")
    from ..interactive import explore  # loads the widget code only when the tour runs

    explore(o, params=params).save(out / "explorer.html")
    print("   explorer.html: click a node for its rule and chain-rule sum, step backward, "
          "practise\n")

    plot_activations(path=out / "activations.png")
    plot_gradient_depth(path=out / "vanishing_gradients.png")
    print("3. activations.png (g and g' from backward, D5), vanishing_gradients.png "
          "(|df/dw_1| against depth, D4)\n")

    print(f"4. training micrograd's 2-16-16-1 network on the moons ({steps} steps):")
    trained = train("moons", out / "moons", steps=steps, progress=True)
    print("   " + summary(trained).replace("\n", "\n   "))
    print(f"\nOpen {out / 'explorer.html'} (or {out / 'neuron.svg'}) in a browser to start.")
    return 0


def _page(body: str) -> str:
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>chainrule: backprop step by step</title>"
            f"</head><body>\n{body}\n</body></html>\n")
