"""Plots: engine-computed curves match the hand formulas (D4, D5), and every plot writes a real PNG."""

from __future__ import annotations

import math

import matplotlib.image
import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

import nn
import viz
from viz.plots import activation_curves, depth_gradients, layer_gradient_sizes, plot_decision_boundary

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path, min_width=200, min_height=150):
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width = matplotlib.image.imread(path).shape[:2]
    assert width >= min_width and height >= min_height


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# D5, with the conventions at the kink z = 0: ReLU'(0) = 0, leaky ReLU'(0) = 1, ELU'(0) = alpha
HAND = {
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "leaky_relu": (lambda z: np.where(z >= 0, z, 0.1 * z), lambda z: np.where(z >= 0, 1.0, 0.1)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(z)), lambda z: np.where(z > 0, 1.0, np.exp(z))),
    "softplus": (lambda z: np.log1p(np.exp(z)), sigmoid),
}


@pytest.mark.parametrize("name", list(HAND))
def test_activation_curves_are_the_d5_formulas(name):
    z = np.array([-3.0, -0.5, 0.0, 0.25, 2.0])
    values, slopes = activation_curves(name, z)
    function, derivative = HAND[name]
    np.testing.assert_allclose(values, function(z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(slopes, derivative(z), rtol=1e-12, atol=1e-15)


def test_activation_plot_writes_a_png(tmp_path):
    fig = viz.plot_activations(path=tmp_path / "act.png")
    assert isinstance(fig, Figure) and len([ax for ax in fig.axes if ax.get_visible()]) == 6
    assert_png(tmp_path / "act.png", 800, 400)
    with pytest.raises(ValueError, match="unknown activation"):
        viz.plot_activations(["swish"])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_depth_gradients_follow_the_d4_product(name):
    weight, bias, x = 0.9, 0.1, 0.5
    function, derivative = HAND[name]
    expected = []
    for depth in (1, 2, 5, 12):
        a, slopes = x, []
        for _ in range(depth):
            z = weight * a + bias
            slopes.append(derivative(np.array(z)))
            a = function(np.array(z))
        # df/dw_1 = [prod_{l=2..L} w_l] [prod_{l=1..L} s'(z_l)] x
        expected.append(abs(weight ** (depth - 1) * np.prod(slopes) * x))
    got = depth_gradients(name, [1, 2, 5, 12], weight=weight, bias=bias, x=x)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sigmoid_gradients_vanish_geometrically():
    grads = depth_gradients("sigmoid", range(1, 21))
    ratios = grads[1:] / grads[:-1]
    assert np.all(ratios < 0.25 + 1e-12)  # s' <= 1/4 and every w_l = 1 (D4)


def test_gradient_depth_plot_writes_a_png(tmp_path):
    fig = viz.plot_gradient_depth(depths=range(1, 11), path=tmp_path / "depth.png")
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["sigmoid", "tanh", "relu"]
    assert fig.axes[0].get_yscale() == "log"
    assert_png(tmp_path / "depth.png")
    with pytest.raises(ValueError, match="positive"):
        viz.depth_gradients("tanh", [0])


def test_history_plot_from_a_real_fit_and_from_a_dict(tmp_path):
    X, y = nn.make_moons(20, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(model, X, y, steps=5, progress=False)
    fig = viz.plot_history(history, title="moons", path=tmp_path / "loss.png")
    loss_line = fig.axes[0].get_lines()[0]
    np.testing.assert_array_equal(loss_line.get_ydata(), history.loss)
    np.testing.assert_array_equal(fig.axes[1].get_lines()[0].get_ydata(), history.accuracy)
    assert_png(tmp_path / "loss.png", 600, 200)
    assert len(viz.plot_history({"loss": [3.0, 2.0, 1.0]}).axes) == 1  # no accuracy: one panel
    with pytest.raises(ValueError, match="no loss"):
        viz.plot_history({"loss": []})


def test_decision_boundary_of_a_known_linear_classifier(tmp_path):
    # one linear unit: score = x1 - x2, class 1 above the diagonal's lower side (score > 0)
    model = nn.MLP.from_weights([[[1.0, -1.0]]], [[0.0]], output_activation=None)
    X = np.array([[1.0, -1.0], [-1.0, 1.0], [2.0, 0.5], [-0.5, 1.5]])
    y = np.array([1, 0, 1, 0])
    fig = viz.plot_decision_boundary(model, X, y, resolution=40, path=tmp_path / "boundary.png")
    regions = fig.axes[0].collections[0]  # the filled contours: one path per predicted class
    class0, class1 = regions.get_paths()
    assert class1.contains_point((1.5, -0.8)) and not class1.contains_point((-0.8, 1.2))
    assert class0.contains_point((-0.8, 1.2))
    assert_png(tmp_path / "boundary.png")


def test_decision_boundary_marks_train_and_test_apart_and_titles_both_accuracies():
    model = nn.MLP.from_weights([[[1.0, -1.0]]], [[0.0]], output_activation=None)  # class 1 where x1 > x2
    X_train = np.array([[1.0, -1.0], [-1.0, 1.0], [2.0, 0.5], [-0.5, 1.5]])
    y_train = np.array([1, 0, 1, 1])  # the last one on the wrong side: 3 of 4 right
    X_test = np.array([[0.5, 0.0], [0.0, 2.0], [3.0, 1.0], [1.0, 3.0], [2.0, 2.5]])
    y_test = np.array([1, 0, 1, 0, 1])  # the last one wrong: 4 of 5 right
    fig = viz.plot_decision_boundary(model, X_train, y_train, test=(X_test, y_test), title="linear")
    ax = fig.axes[0]
    assert ax.get_title() == "linear\ntrain accuracy 75.0%, test accuracy 80.0%"
    points = {c.get_label(): c for c in ax.collections if c.get_label().startswith(("train", "test"))}
    assert set(points) == {"train (4 points)", "test (5 points)"}
    np.testing.assert_array_equal(points["test (5 points)"].get_offsets(), X_test)
    train_marker, test_marker = (points[name].get_paths()[0] for name in ("train (4 points)", "test (5 points)"))
    assert len(train_marker.vertices) != len(test_marker.vertices)  # circles and triangles
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train (4 points)", "test (5 points)"]


def test_history_curves_name_their_split():
    fig = viz.plot_history({"loss": [3.0, 2.0, 1.0], "accuracy": [0.5, 0.6, 0.9], "test_loss": [3.1, 2.5, 1.4]},
                           test={"loss": 1.2, "accuracy": 0.85})
    loss_labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert loss_labels == ["train (each step's batch)", "test", "test, after training: 1.2"]
    assert [line.get_label() for line in fig.axes[1].get_lines()][-1] == "test, after training: 85.0%"
    assert fig.axes[0].get_title() == "loss on the training set and the test set"


def test_decision_boundary_with_a_custom_predictor_and_three_classes(tmp_path):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    y = np.array([0, 1, 2])
    fig = viz.plot_decision_boundary(None, X, y, predict=lambda P: np.digitize(P[:, 0], [0.5, 1.5]),
                                     path=tmp_path / "three.png")
    assert len(fig.axes[0].collections[0].get_paths()) == 3
    assert_png(tmp_path / "three.png")


@pytest.mark.parametrize(("X", "y", "message"), [
    (np.zeros((4, 3)), np.zeros(4), "2 features"),
    (np.zeros((4, 2)), np.zeros(3), "4 rows"),
])
def test_decision_boundary_rejects_bad_data(X, y, message):
    with pytest.raises(ValueError, match=message):
        viz.plot_decision_boundary(None, X, y, predict=lambda P: np.zeros(len(P)))


def test_layer_gradient_sizes_average_each_layer(tmp_path):
    model = nn.MLP(2, [3, 1], seed=0)
    for p in model.layers[0].parameters():
        p.grad = -0.5
    for i, p in enumerate(model.layers[1].parameters()):
        p.grad = float(i)  # 0, 1, 2, 3: mean 1.5
    np.testing.assert_allclose(layer_gradient_sizes(model), [0.5, 1.5])
    viz.plot_layer_gradients(model, path=tmp_path / "layers.png")
    assert_png(tmp_path / "layers.png")
    with pytest.raises(TypeError, match="layers"):
        layer_gradient_sizes(nn.Neuron(2))


def test_figures_save_to_other_formats_by_suffix(tmp_path):
    fig = viz.plot_history({"loss": [1.0, 0.5]})
    viz.save_figure(fig, tmp_path / "loss.svg")
    assert "<svg" in (tmp_path / "loss.svg").read_text(encoding="utf-8")
    assert math.isfinite(fig.get_figwidth())


def test_pictures_and_figures_show_inline_in_a_jupyter_kernel():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        "import viz\nfrom autograd import Value\nx = Value(2.0, label='x')\ny = x * 3\ny.backward()",
        "viz.plot_history({'loss': [2.0, 1.0]})",  # pyplot never imported
        "viz.draw_dot(y)",
        "viz.backprop_steps(y)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    shown = [[o for o in cell.outputs if o.output_type == "execute_result"] for cell in nb.cells[1:]]
    assert [len(outputs) for outputs in shown] == [1, 1, 1]
    figure, picture, steps = (outputs[0].data for outputs in shown)
    assert figure["image/png"]  # base64 PNG
    assert "grad 3.0000" in picture["image/svg+xml"]
    assert steps["text/html"].count('class="frame"') == 2 and 'type="range"' in steps["text/html"]  # x and y


def test_decision_boundary_of_a_sigmoid_output_splits_at_one_half():
    # sigmoid(x1) > 1/2 exactly where x1 > 0: nn.predict's threshold for a probability
    model = nn.MLP.from_weights([[[1.0, 0.0]]], [[0.0]], output_activation="sigmoid")
    X = np.array([[-2.0, -1.0], [2.0, 1.0]])
    fig = viz.plot_decision_boundary(model, X, np.array([0, 1]), resolution=30)
    class0, class1 = fig.axes[0].collections[0].get_paths()
    assert class1.contains_point((1.0, 0.0)) and class0.contains_point((-1.0, 0.0))


def test_boundary_is_drawn_where_the_output_crosses_fits_threshold():
    # a linear model scoring x1: hinge/logits cut at 0, mse on 0/1 labels at 0.5 (nn's one rule)
    model = nn.MLP(2, [1], seed=0)
    model.layers[0].set_weights([[1.0, 0.0]], [0.0])
    X = np.array([[-1.0, -1.0], [2.0, 1.0], [0.2, 0.0], [0.8, 0.5]])
    y = np.array([0, 1, 0, 1])
    for loss, cut in (("hinge", 0.0), ("mse", 0.5)):
        fig = plot_decision_boundary(model, X, y, loss=loss, resolution=41)
        (line,) = [c for c in fig.axes[0].collections if isinstance(c, ContourSet) and not c.filled]
        xs = np.concatenate([path.vertices[:, 0] for path in line.get_paths()])
        assert len(xs) and np.allclose(xs, cut, atol=1e-9), (loss, xs[:5])


def test_decision_boundary_reads_labels_in_the_models_own_label_set():
    # micrograd's moons use -1/+1 with the hinge loss: the accuracy in the title compares nn.predict's
    # labels (-1/+1) with y, never class indices 0/1 with -1/+1 (which scored a perfect model 50%)
    model = nn.MLP.from_weights([[[1.0, -1.0]]], [[0.0]], output_activation=None)  # +1 where x1 > x2
    X = np.array([[1.0, -1.0], [-1.0, 1.0], [2.0, 0.5], [-0.5, 1.5]])
    y = np.array([1, -1, 1, -1])
    nn.fit(model, X, y, loss="hinge", steps=1, optimizer=nn.SGD(model.parameters(), lr=1e-12), progress=False)
    fig = viz.plot_decision_boundary(model, X, y, resolution=30)
    assert fig.axes[0].get_title().endswith("accuracy 100.0% on the points shown")
    assert nn.accuracy(model, X, y) == 1.0
    (points,) = [c for c in fig.axes[0].collections if c.get_label().startswith("train")]
    np.testing.assert_array_equal(points.get_array(), [1, 0, 1, 0])  # colour ranks: -1 first, +1 second
    with pytest.raises(ValueError, match="plot_decision_boundary"):  # 0/1 labels for a -1/+1 model
        viz.plot_decision_boundary(model, X, (y + 1) // 2)


def test_points_of_one_class_keep_their_class_colour():
    # only +1 points shown (all on the +1 side): they and the +1 region share the second colour
    model = nn.MLP.from_weights([[[1.0, 0.0]]], [[0.0]], output_activation=None)  # +1 where x1 > 0
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    nn.fit(model, X, [1, -1], loss="hinge", steps=1, optimizer=nn.SGD(model.parameters(), lr=1e-12), progress=False)
    fig = viz.plot_decision_boundary(model, [[5.0, 0.0], [5.2, 0.1], [5.1, -0.1]], [1, 1, 1], resolution=20)
    (points,) = [c for c in fig.axes[0].collections if c.get_label().startswith("train")]
    np.testing.assert_array_equal(points.get_array(), [1, 1, 1])  # the rank of +1 among the classes (-1, +1)
