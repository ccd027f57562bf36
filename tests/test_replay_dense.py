"""Dot products of the same inputs run as matrix products, whoever wrote them, and equal the eager engine."""

import numpy as np
import pytest
from replay_helpers import compile_and_check

import autograd
import nn
from autograd import Value
from autograd.replay.dense import DenseGroup


def kinds(f):
    return [type(g).__name__ for g in f._plan.groups]


def check(fn, params, n_inputs, batch=6, seed=0):
    return compile_and_check(fn, params, n_inputs, batch, seed)


def hand_layer(W, b, x, activation="tanh"):
    """A layer written with Values only: no nn, products in the order given."""
    return [getattr(sum((w * xi for w, xi in zip(row, x)), bias), activation)() for row, bias in zip(W, b)]


def values(rng, shape, label):
    return np.array([Value(float(v), label=f"{label}{i}") for i, v in enumerate(rng.normal(size=shape).ravel())],
                    dtype=object).reshape(shape)


def test_a_hand_written_mlp_gets_the_same_matrix_products_as_nn():
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = values(rng, (5, 3), "W1"), values(rng, 5, "b1"), values(rng, (2, 5), "W2"), values(rng, 2, "b2")
    params = [*W1.ravel(), *b1, *W2.ravel(), *b2]
    fn = lambda x: hand_layer(W2, b2, hand_layer(W1, b1, x), "relu")
    f = check(fn, params, 3)
    model = nn.MLP(3, [5, 2], activation="tanh", seed=0)
    g = autograd.compile(model, 3, model.parameters())
    assert kinds(f) == ["DenseGroup", "OpGroup", "DenseGroup", "OpGroup"]
    assert len(kinds(g)) == 3 and kinds(g).count("DenseGroup") == 2
    first, second = (grp for grp in f._plan.groups if isinstance(grp, DenseGroup))
    assert not first.inputs_need_gradient and second.inputs_need_gradient  # placeholders need no gradient
    assert first.W is not None and first.W.base is not None  # a view of the parameter vector: no copy


def test_products_in_any_order_and_either_side_make_one_product():
    rng = np.random.default_rng(1)
    W, b = values(rng, (4, 3), "w"), values(rng, 4, "b")

    def fn(x):
        outs = []
        for c in range(4):
            terms = [W[c, j] * x[j] if (c + j) % 2 else x[j] * W[c, j] for j in range(3)]
            terms = terms[c % 3:] + terms[:c % 3]  # each neuron adds in another order
            outs.append((b[c] + terms[0] + terms[1] + terms[2]).sigmoid())
        return outs

    f = check(fn, [*W.ravel(), *b], 3)
    assert kinds(f).count("DenseGroup") == 1


def test_shuffled_shared_and_repeated_weights_stay_exact():
    rng = np.random.default_rng(2)
    w = values(rng, 6, "w")
    shared = w[0]
    order = [3, 1, 5, 2, 4, 0]  # weights that are no regular pattern in the parameter vector

    def fn(x):
        a = w[order[0]] * x[0] + w[order[1]] * x[1] + shared * x[2]
        b = w[order[2]] * x[0] + w[order[3]] * x[1] + w[order[4]] * x[2]
        c = shared * x[0] + shared * x[1] + w[order[5]] * x[2]  # one weight three times
        d = w[1] * x[0] + w[2] * x[0] + w[3] * x[1] + w[4] * x[2]  # one input twice
        e = w[3] * x[1] + w[0] * x[2] + w[4]  # weights and biases in no regular pattern, each once
        f = w[5] * x[1] + w[1] * x[2] + w[2]
        return [a.tanh(), b.tanh(), c.tanh(), d.tanh(), e.tanh(), f.tanh()]

    f = check(fn, list(w), 3)
    assert "DenseGroup" in kinds(f)


@pytest.mark.parametrize("variant", ["product_reused", "subtracted_product", "bias_subtracted", "residual",
                                     "constant_term", "bias_shared"])
def test_chains_that_are_not_plain_dot_products(variant):
    rng = np.random.default_rng(3)
    W, b = values(rng, (3, 3), "w"), values(rng, 3, "b")

    def fn(x):
        h = [(W[c, 0] * x[0] + W[c, 1] * x[1] + W[c, 2] * x[2] + b[c]) for c in range(3)]
        extra = []
        if variant == "product_reused":  # a product read elsewhere keeps its row
            p = W[0, 0] * x[1]
            h[0] = h[0] + p
            extra = [p.exp()]
        elif variant == "subtracted_product":
            h = [hc - W[c, 0] * x[1] for c, hc in enumerate(h)]
        elif variant == "bias_subtracted":
            h = [W[c, 0] * x[0] + W[c, 1] * x[1] - b[c] for c in range(3)]
        elif variant == "residual":
            h = [W[c, 0] * x[0] + x[c] + W[c, 1] * x[1] for c in range(3)]
        elif variant == "constant_term":
            h = [W[c, 0] * x[0] + 1.5 + W[c, 1] * x[1] - 0.25 for c in range(3)]
        elif variant == "bias_shared":
            h = [W[c, 0] * x[0] + W[c, 1] * x[1] + b[0] for c in range(3)]
        return [hc.tanh() for hc in h] + extra

    check(fn, [*W.ravel(), *b], 3, batch=5)


def test_running_sums_read_elsewhere_are_not_hidden():
    rng = np.random.default_rng(4)
    w = values(rng, 3, "w")

    def fn(x):
        partial = w[0] * x[0] + w[1] * x[1]
        return [(partial + w[2] * x[2]).tanh(), partial.relu()]

    check(fn, list(w), 3)


def test_a_big_layer_on_a_big_batch():
    model = nn.MLP(20, [32, 4], activation="tanh", seed=5)
    f = check(model, model.parameters(), 20, batch=120)
    assert kinds(f) == ["DenseGroup", "OpGroup", "DenseGroup"]


def parts_of(f):
    return [grp.n_parts for grp in f._plan.groups if isinstance(grp, DenseGroup)]


@pytest.mark.parametrize("batch", [1, 5])
def test_one_layer_at_several_positions_is_one_batched_product(batch):
    # a transformer applies the same W at every position: P products (m, K) @ (K, B) at one depth
    # become one group of P parts, (m, K) @ (P, K, B); dW sums the parts' G_p X_p^T
    rng = np.random.default_rng(4)
    W, b, pos = values(rng, (3, 4), "W"), values(rng, 3, "b"), values(rng, (3, 3), "pos")
    params = [*W.ravel(), *b, *pos.ravel()]

    def fn(x):  # positions p = 0, 1, 2 read inputs 4p .. 4p + 3; computed inputs (tanh) need their gradient
        hidden = [[xi.tanh() for xi in x[4 * p:4 * p + 4]] for p in range(3)]
        outs = [hand_layer(W, [bi + pos[p][c] for c, bi in enumerate(b)], hidden[p], "relu") for p in range(3)]
        return sum((o * (k + 1.0) for k, o in enumerate(v for out in outs for v in out)), Value(0.0))

    f = check(fn, params, 12, batch=batch)
    assert parts_of(f) == [3]


def test_a_batched_layer_with_placeholder_inputs_and_leaf_biases():
    # the embedding of microgpt: W times each position's inputs plus that position's own bias vector
    rng = np.random.default_rng(5)
    W, pos = values(rng, (4, 2), "W"), values(rng, (3, 4), "pos")

    def fn(x):
        outs = [[sum((w * xi for w, xi in zip(row, x[2 * p:2 * p + 2])), pos[p][c]) for c, row in enumerate(W)]
                for p in range(3)]
        return [(v * v).exp() for out in outs for v in out]

    f = check(fn, [*W.ravel(), *pos.ravel()], 6, batch=4)
    assert parts_of(f) == [3]
    assert not f._plan.groups[0].inputs_need_gradient


def test_layers_whose_inputs_are_listed_in_another_order_stay_apart():
    # the inputs of a part are sorted by node id (the trace's order): a part whose inputs come in
    # another order pairs W's columns with other inputs, so it is not merged, and both stay exact
    rng = np.random.default_rng(6)
    W = values(rng, (2, 2), "W")

    def fn(x):
        a = [x[0] * 1.0, x[1] * 1.0]
        late = x[3] * 1.0  # traced first (the first output reads it): paired with W's second column
        second = [x[2] * 1.0, late]
        layers = [sum((w * xi for w, xi in zip(row, inputs)), Value(0.0)).tanh() for inputs in (a, second) for row in W]
        return [late.exp(), *layers]

    f = check(fn, list(W.ravel()), 4)
    assert parts_of(f) == [1, 1]


def test_a_layer_read_at_several_depths_is_still_one_batched_product():
    # z_p = tanh(W x_p + b) at each position p, read by its own reduction, over more numbers for
    # later positions (a deeper max tree, as a query in attention): placed as late as their readers
    # allow, the z_p would sit at several depths; each matrix product moves back to just after its
    # inputs, so they make one group
    rng = np.random.default_rng(7)
    W, b = values(rng, (2, 2), "W"), values(rng, 2, "b")
    params = [*W.ravel(), *b]

    def fn(x):
        z = [hand_layer(W, b, x[2 * p:2 * p + 2]) for p in range(4)]
        outs = []
        for p in range(4):
            seen = z[p] + [xi * xi for xi in x[:2 * p]]
            while len(seen) > 1:
                seen = [a.max(c) for a, c in zip(seen[::2], seen[1::2])] + seen[len(seen) - len(seen) % 2:]
            outs.append(seen[0].exp())
        return sum(outs, Value(0.0))

    f = check(fn, params, 8, batch=3)
    assert parts_of(f) == [4]
