"""Datasets: the bundled Iris and digits, the seeded generators, splitting and standardising."""

import math

import numpy as np
import pytest

import nn


def test_iris_shape_classes_and_known_rows():
    X, y = nn.load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert X[0].tolist() == [5.1, 3.5, 1.4, 0.2] and y[0] == 0  # Fisher's first flower, a setosa
    assert X[-1].tolist() == [5.9, 3.0, 5.1, 1.8] and y[-1] == 2
    # the summary statistics of the UCI description: mean sepal length 5.84, petal width 1.20, ...
    np.testing.assert_allclose(X.mean(axis=0), [5.84, 3.05, 3.76, 1.20], atol=0.01)
    np.testing.assert_allclose(X.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_allclose(X.max(axis=0), [7.9, 4.4, 6.9, 2.5])


def test_digits_shape_classes_and_first_image():
    X, y = nn.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    assert y[0] == 0 and X[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]  # the top row of the first "0"


def test_loaders_return_fresh_arrays():
    X, y = nn.load_iris()
    X[0, 0] = -1.0
    assert nn.load_iris()[0][0, 0] == 5.1


GENERATORS = [nn.make_moons, nn.make_circles, nn.make_xor, nn.make_spirals, nn.make_blobs]


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_are_seeded_and_shaped(make):
    X, y = make(n_samples=61, seed=5)
    assert X.shape == (61, 2) and X.dtype == np.float64 and y.dtype == np.int64
    X2, y2 = make(n_samples=61, seed=5)
    assert X.tobytes() == X2.tobytes() and np.array_equal(y, y2)
    X3, _ = make(n_samples=61, seed=6)
    assert not np.array_equal(X, X3)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1  # balanced classes


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = nn.make_moons(50, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)  # (cos t, sin t)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)  # (1 - cos t, 1/2 - sin t)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_circles_xor_spirals_blobs_geometry():
    X, y = nn.make_circles(40, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*X.T), np.where(y == 0, 1.0, 0.3))
    X, y = nn.make_xor(40, noise=0.1, seed=0)
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    X, y = nn.make_spirals(90, n_classes=3, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [30, 30, 30] and np.all(np.hypot(*X.T) <= 1.0 + 1e-12)
    centres = np.array([[5.0, 5.0], [-5.0, 0.0]])
    X, y = nn.make_blobs(200, centers=centres, cluster_std=0.5, seed=0)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centres[k], atol=0.25)


def test_datasets_registry_loads_everything_with_no_arguments():
    assert set(nn.DATASETS) == {"moons", "circles", "xor", "spirals", "blobs", "iris", "digits"}
    for name, load in nn.DATASETS.items():
        X, y = load()
        assert X.ndim == 2 and len(X) == len(y) and y.dtype == np.int64, name
        assert y.min() == 0 and np.all(np.isfinite(X)), name


@pytest.mark.parametrize("call, message", [
    (lambda: nn.make_moons(0), "make_moons: expected a positive int, got 0"),
    (lambda: nn.make_moons(10, noise=-1.0), "make_moons: noise: expected a finite number >= 0, got -1.0"),
    (lambda: nn.make_circles(10, factor=1.5), r"make_circles: factor must be in \[0, 1\)"),
    (lambda: nn.make_blobs(10, centers=np.array([np.nan, 1.0])), "make_blobs: centers must be a count or a finite"),
])
def test_bad_generator_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- splitting and standardising


def test_train_test_split_partitions_the_rows_reproducibly():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=1)
    assert len(y_test) == math.ceil(0.25 * 10) == 3 and len(y_train) == 7
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(10))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)  # rows stay paired with their labels
    again = nn.train_test_split(X, y, test_size=0.25, seed=1)
    assert np.array_equal(again[3], y_test)
    assert len(nn.train_test_split(X, y, test_size=4)[3]) == 4


def test_numpy_numbers_are_accepted_for_sizes_and_noise():
    X, y = np.zeros((10, 2)), np.arange(10)
    assert len(nn.train_test_split(X, y, test_size=np.int64(4))[3]) == 4
    assert len(nn.train_test_split(X, y, test_size=np.float32(0.25))[3]) == 3
    for noise in (np.float32(0.1), np.int64(0)):
        np.testing.assert_array_equal(nn.make_moons(20, noise=noise, seed=0)[1], nn.make_moons(20, seed=0)[1])
    with pytest.raises(ValueError, match="noise: expected a finite number >= 0, got True"):
        nn.make_moons(20, noise=True)


def test_stratified_split_keeps_class_shares():
    X, y = nn.load_iris()
    _, _, y_train, y_test = nn.train_test_split(X, y, test_size=0.3, seed=0, stratify=True)
    assert np.bincount(y_test).tolist() == [15, 15, 15] and np.bincount(y_train).tolist() == [35, 35, 35]


@pytest.mark.parametrize("test_size", [0.0, 1.0, 10, 0, True])
def test_bad_test_size(test_size):
    with pytest.raises(ValueError, match="test_size"):
        nn.train_test_split(np.zeros((10, 2)), np.zeros(10), test_size=test_size)


def test_standardize_uses_the_training_statistics():
    rng = np.random.default_rng(0)
    train, test = rng.normal(3.0, 2.0, size=(50, 3)), rng.normal(size=(5, 3))
    train[:, 2] = 7.0  # a constant column (like a blank pixel) is only centred
    scaled_train, scaled_test = nn.standardize(train, test)
    np.testing.assert_allclose(scaled_train[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled_train[:, :2].std(axis=0), 1.0, rtol=1e-12)
    assert np.all(scaled_train[:, 2] == 0.0)
    mean, std = train.mean(axis=0), train.std(axis=0)
    np.testing.assert_allclose(scaled_test[:, :2], (test[:, :2] - mean[:2]) / std[:2], rtol=1e-12)
    scaler = nn.standardize(train)  # a fitted scaler: the same rescaling for any later data
    assert isinstance(scaler, nn.StandardScaler)
    np.testing.assert_array_equal(scaler.transform(train), scaled_train)
    np.testing.assert_array_equal(scaler.transform(test), scaled_test)
    np.testing.assert_allclose(scaler.mean_, mean) and np.testing.assert_allclose(scaler.scale_[:2], std[:2])
    np.testing.assert_allclose(scaler.inverse_transform(scaled_test), test, rtol=1e-12)
    np.testing.assert_array_equal(nn.StandardScaler().fit_transform(train), scaled_train)
    with pytest.raises(ValueError, match=r"StandardScaler: X\[1, 0\] is nan; values must be finite"):
        nn.standardize(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="StandardScaler.transform: X has 2 columns, the scaler was fitted on 3"):
        nn.standardize(train, test[:, :2])
    with pytest.raises(ValueError, match="the scaler is not fitted; call fit"):
        nn.StandardScaler().transform(train)


def test_stratify_takes_the_labels_as_scikit_learn():
    X, y = nn.load_iris()
    by_labels = nn.train_test_split(X, y, test_size=0.2, seed=3, stratify=y)
    assert np.bincount(by_labels[3]).tolist() == [10, 10, 10]
    groups = (np.arange(150) % 2).astype(int)  # stratify by something other than y
    _, _, _, y_test = nn.train_test_split(X, np.arange(150), test_size=0.2, seed=3, stratify=groups)
    assert np.bincount(groups[y_test]).tolist() == [15, 15]
    with pytest.raises(ValueError, match=r"stratify must hold one class label per row \(150\), got shape \(3,\)"):
        nn.train_test_split(X, y, stratify=[0, 1, 2])


def test_moons_and_circles_defaults_are_scikit_learns():
    """n_samples=100, no noise, circles' factor 0.8; shuffle=False keeps scikit-learn's order (class 0 first)."""
    X, y = nn.make_moons(shuffle=False)
    t = np.linspace(0, np.pi, 50)
    expected = np.vstack([np.column_stack([np.cos(t), np.sin(t)]), np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])])
    np.testing.assert_array_equal(X, expected)
    assert y.tolist() == [0] * 50 + [1] * 50
    X, y = nn.make_circles(shuffle=False)
    t = np.linspace(0, 2 * np.pi, 50, endpoint=False)
    np.testing.assert_allclose(X, np.vstack([np.column_stack([np.cos(t), np.sin(t)]),
                                             0.8 * np.column_stack([np.cos(t), np.sin(t)])]), rtol=1e-15)
    X, _ = nn.make_moons(noise=None, seed=0)
    np.testing.assert_allclose(np.sort(X[:, 0]), np.sort(expected[:, 0]))  # shuffled, no noise
