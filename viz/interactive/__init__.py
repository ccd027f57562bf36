"""Interactive pictures: the graph explorer and the training playground.

* ``explore(root)``: click a node for its rule and numbers, step through backward, practise,
  and move each leaf with a slider (a Jupyter widget; ``.save("graph.html")`` for any browser).
* ``playground()``: TensorFlow Playground's trainer (data sets, features, layers, regularisation,
  heat maps of every neuron) where a click on a neuron or a weight shows its graph with backward
  from the loss (a Jupyter widget; ``chainrule playground`` serves it with Voila);
  ``replay_page`` writes a recorded run as HTML.
* ``explore_gpt(model, name)``: inside an ``nn.GPT``, from tokens to attention to the scalar graph.
"""

from .gpt_widget import GPTExplorer, explore_gpt, gpt_page
from .page import Page, side_by_side
from .playground import Playground, playground, replay_page
from .widget import Explorer, explore

__all__ = ["explore", "Explorer", "explore_gpt", "gpt_page", "GPTExplorer", "Page", "playground",
           "Playground", "replay_page", "side_by_side"]
