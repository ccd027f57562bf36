"""What each lesson teaches, the derivations it covers, and its key graph for the explorer."""

from __future__ import annotations

from autograd import Value

LESSONS: dict[str, dict] = {
    "00": {
        "teaches": "A Value expression, its graph, backward() and grad; micrograd's demo trained "
        "step for step as micrograd does.",
        "derivations": [],
        "graph": "e = tanh(a b + b^3) at a = 2, b = -1.",
    },
    "01": {
        "teaches": "The chain rule by hand and by the engine, for a chain of one neuron per layer "
        "and for two scalar layers; the sign slip of note 001.",
        "derivations": ["D2", "D3"],
        "graph": "One neuron per layer, squared error: L = (sigmoid(w2 sigmoid(w1 x)) - y)^2.",
    },
    "02": {
        "teaches": "Activations and their derivatives, kinks, and why a stack of linear layers "
        "collapses to one.",
        "derivations": ["D5"],
        "graph": "A sigmoid neuron a = sigmoid(w x + b).",
    },
    "03": {
        "teaches": "Gradients against depth for sigmoid, tanh and ReLU: why deep sigmoid networks "
        "trained badly.",
        "derivations": ["D4"],
        "graph": "Three one-neuron sigmoid layers: each multiplies the gradient by sigma' w.",
    },
    "04": {
        "teaches": "Scalar neurons against matrix forward propagation; an MLP built from neurons.",
        "derivations": ["D1", "D11"],
        "graph": "micrograd's neuron o = tanh(x1 w1 + x2 w2 + b).",
    },
    "05": {
        "teaches": "A binary classifier: cross-entropy with a sigmoid output, gradient descent "
        "initialisation.",
        "derivations": ["D6", "D7", "D8"],
        "graph": "Binary cross-entropy of p = sigmoid(w x + b) at label y = 1: dL/dz = p - y.",
    },
    "06": {
        "teaches": "Universal approximation: the sup error of one hidden layer against its width.",
        "derivations": ["D9"],
        "graph": "Two ReLU ramps added: f = c1 relu(x - a1) + c2 relu(x - a2).",
    },
    "07": {
        "teaches": "Several outputs: independent labels, softmax classes, Iris and the digits.",
        "derivations": ["D10"],
        "graph": "Cross-entropy of a softmax over two logits.",
    },
    "08": {
        "teaches": "Second derivatives, Newton's method, Hessians: the backward pass as a graph.",
        "derivations": ["D5"],
        "graph": "f = log(x^2 + 1), whose derivatives the lesson takes twice.",
    },
    "09": {
        "teaches": "The frames of one backward pass: each node's gradient, summed over its uses.",
        "derivations": ["D2", "D3", "D4"],
        "graph": "micrograd's neuron with tanh written out through exp.",
    },
    "10": {
        "teaches": "Attention from scalars: softmax, cross-entropy, RMSNorm, one attention head "
        "and a GPT that learns names.",
        "derivations": ["D12", "D13", "D14", "D15"],
        "graph": "Cross-entropy through a softmax of three scores (the max taken out as a number).",
    },
}


def _leaves(**values: float) -> list[Value]:
    return [Value(v, label=name) for name, v in values.items()]


def key_graph(number: str) -> tuple[Value, list[Value]]:
    """The lesson's key graph, after backward(): (root, the parameters to mark)."""
    if number == "01":
        x, w1, w2, y = _leaves(x=0.5, w1=1.5, w2=-2.0, y=1.0)
        root = ((w2 * (w1 * x).sigmoid()).sigmoid() - y) ** 2
        params = [w1, w2]
    elif number == "02":
        x, w, b = _leaves(x=1.0, w=0.8, b=-0.3)
        root, params = (w * x + b).sigmoid(), [w, b]
    elif number == "03":
        x, w1, w2, w3 = _leaves(x=1.0, w1=1.0, w2=1.0, w3=1.0)
        root, params = (w3 * (w2 * (w1 * x).sigmoid()).sigmoid()).sigmoid(), [w1, w2, w3]
    elif number in ("04", "09"):
        x1, x2, w1, w2, b = _leaves(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)
        n = x1 * w1 + x2 * w2 + b
        if number == "04":
            root = n.tanh()
        else:
            e = (2 * n).exp()
            root = (e - 1) / (e + 1)
        params = [w1, w2, b]
    elif number == "05":
        x, w, b = _leaves(x=1.5, w=0.4, b=-0.2)
        root, params = -(w * x + b).sigmoid().log(), [w, b]
    elif number == "06":
        x, a1, a2, c1, c2 = _leaves(x=1.2, a1=0.5, a2=1.0, c1=2.0, c2=-1.5)
        root, params = c1 * (x - a1).relu() + c2 * (x - a2).relu(), [a1, a2, c1, c2]
    elif number == "07":
        z1, z2 = _leaves(z1=1.0, z2=-0.5)
        e1, e2 = z1.exp(), z2.exp()
        root, params = -(e1 / (e1 + e2)).log(), [z1, z2]
    elif number == "08":
        (x,) = _leaves(x=1.0)
        root, params = (x * x + 1).log(), [x]
    elif number == "10":
        s1, s2, s3 = _leaves(s1=2.0, s2=1.0, s3=0.1)
        top = max(s.data for s in (s1, s2, s3))
        e1, e2, e3 = ((s - top).exp() for s in (s1, s2, s3))
        root, params = -(e1 / (e1 + e2 + e3)).log(), [s1, s2, s3]
    else:  # 00, and any lesson without a graph of its own
        a, b = _leaves(a=2.0, b=-1.0)
        root, params = (a * b + b**3).tanh(), [a, b]
    root.label = root.label or "out"
    root.backward()
    return root, params
