"""The ``chainrule`` command line, on top of viz (pictures, widgets), nn and autograd.

* ``main``: the parser and the exit codes (``main.py``); ``errors``: ``CommandError``, what a
  command raises for bad input;
* one module per command: ``graph_command``, ``train_command`` (``train_names_command`` for
  microgpt's names), ``explore_gpt_command``, ``demo_command``, ``check_engine_command``,
  ``playground_command``.

Nothing below (viz, nn, autograd) imports ``viz.cli``. ``python -m viz.cli`` runs ``chainrule``.
"""

from .main import build_parser, main

__all__ = ["main", "build_parser"]
