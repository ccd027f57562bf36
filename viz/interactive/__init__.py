"""Interactive pictures: the graph explorer and the training playground.

* ``explore(root)``: click a node for its rule and numbers, step through backward, practise,
  and move each leaf with a slider (a Jupyter widget; ``.save("graph.html")`` for any browser).
* ``playground(model, X, y)``: train an MLP and watch its decision boundary, curves and one
  neuron's graph change (a Jupyter widget); ``replay_page`` writes a recorded run as HTML.
* ``explore_gpt(model, name)``: inside an ``nn.GPT``, from tokens to attention to the scalar graph.
"""

from .gpt_widget import GPTExplorer, explore_gpt, gpt_page
from .page import Page, side_by_side
from .playground import Playground, playground, replay_page
from .widget import Explorer, explore

__all__ = ["explore", "Explorer", "explore_gpt", "gpt_page", "GPTExplorer", "Page", "playground", "Playground",
           "replay_page", "side_by_side"]
