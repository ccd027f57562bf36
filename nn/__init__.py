"""chainrule's neural networks: neurons, layers, MLPs, losses, optimisers, training and data.

Built on ``autograd``'s scalar Values, with micrograd's names and behaviour:

>>> import nn
>>> X, y = nn.make_moons(100, noise=0.1, seed=0)
>>> model = nn.MLP(2, [16, 16, 1], seed=0)                 # micrograd's model
>>> history = nn.fit(model, X, y, loss="hinge", steps=3, alpha_l2=1e-4, progress=False)
>>> len(history.loss)
3
"""

from . import activations, init, losses, optim
from .activations import ACTIVATIONS
from .datasets import (
    DATASETS,
    load_digits,
    load_iris,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
)
from .gpt import GPT
from .gpt_train import microgpt, train_gpt
from .init import INITIALIZERS
from .losses import LOSSES, bce, bce_with_logits, cross_entropy, hinge, l2_penalty, mse, softmax
from .module import MLP, Layer, Module, Neuron
from .names import load_names
from .optim import SGD, Adam, CosineDecay, ExponentialDecay, LinearDecay
from .preprocessing import standardize, train_test_split
from .serialize import ModelFileError, load, save
from .train import History, accuracy, evaluate, fit, make_step, predict

__all__ = [
    "Module", "Neuron", "Layer", "MLP",
    "activations", "init", "losses", "optim",
    "ACTIVATIONS", "INITIALIZERS", "LOSSES",
    "mse", "bce", "bce_with_logits", "hinge", "cross_entropy", "l2_penalty", "softmax",
    "SGD", "Adam", "LinearDecay", "ExponentialDecay", "CosineDecay",
    "fit", "make_step", "predict", "accuracy", "evaluate", "History",
    "save", "load", "ModelFileError",
    "make_moons", "make_circles", "make_xor", "make_spirals", "make_blobs", "load_iris", "load_digits",
    "DATASETS", "train_test_split", "standardize",
    "GPT", "train_gpt", "microgpt", "load_names",
]
