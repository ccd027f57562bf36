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
from .compile_cache import clear_compiled
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
from .evaluation import accuracy, evaluate, predict, predict_proba
from .fit_steps import make_step
from .gpt import GPT
from .gpt_train import microgpt, train_gpt
from .init import INITIALIZERS
from .losses import (
    BCE,
    LOSSES,
    MSE,
    BCEWithLogits,
    CrossEntropy,
    Hinge,
    Loss,
    bce,
    bce_with_logits,
    cross_entropy,
    hinge,
    l2_penalty,
    mse,
    softmax,
)
from .module import MLP, Layer, Module, Neuron
from .monitor import History, TrainingDiverged
from .names import load_names
from .optim import SGD, Adam, AdamW
from .preprocessing import StandardScaler, standardize, train_test_split
from .schedules import CosineDecay, ExponentialDecay, LinearDecay
from .serialize import ModelFileError, load, load_optimizer, save
from .state import StateDictError
from .train import default_optimizer, fit

__all__ = [
    "Module", "Neuron", "Layer", "MLP",
    "activations", "init", "losses", "optim",
    "ACTIVATIONS", "INITIALIZERS", "LOSSES",
    "mse", "bce", "bce_with_logits", "hinge", "cross_entropy", "l2_penalty", "softmax",
    "SGD", "Adam", "AdamW", "LinearDecay", "ExponentialDecay", "CosineDecay",
    "Loss", "MSE", "BCE", "BCEWithLogits", "Hinge", "CrossEntropy",
    "fit", "make_step", "predict", "predict_proba", "accuracy", "evaluate", "History",
    "TrainingDiverged", "default_optimizer",
    "save", "load", "load_optimizer", "ModelFileError", "StateDictError",
    "make_moons", "make_circles", "make_xor", "make_spirals", "make_blobs", "load_iris",
    "load_digits", "DATASETS", "train_test_split", "standardize", "StandardScaler",
    "GPT", "train_gpt", "microgpt", "load_names",
    "clear_compiled",
]
