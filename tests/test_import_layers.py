"""The packages import downwards and never in a circle, read from the source with ``ast``.

Layers, lowest first: ``autograd`` (the engine), ``nn`` (networks), ``viz`` (pictures and widgets;
it uses nn to group a module's nodes, and the playground trains nets), ``viz.cli`` (the command
line). A module may import its own layer or a lower one, never a higher one.

How an import counts: every ``import`` statement counts, wherever it is: at module level, inside a
function (a lazy import, there to put off a slow import) or under ``if TYPE_CHECKING``. A lazy
import changes when a module is loaded, not what it depends on, so it may neither point upwards
nor close a circle. The exceptions are named in ``LAZY_CIRCLES``, with their reasons; each must be
a lazy import (a circle at module level can fail to load), and it must still exist.
``from package import name`` is an edge to ``package.name`` when that is a module of the tree,
else to ``package`` (its ``__init__``); a module's own parent packages, which Python loads
first, are not edges (every submodule would otherwise close a circle with its ``__init__``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "viz")
LAYERS = ("autograd", "nn", "viz", "viz.cli")
"""Lowest first; a module belongs to the longest of these that is its name or a prefix of it."""
LAZY_CIRCLES = {
    ("autograd.value", "autograd.backward"):
        "Value.backward() runs backward.py's loop, which reads Value nodes: micrograd keeps the "
        "node and its backward pass in one file, chainrule in two that know each other",
    ("autograd.value", "autograd.copying"):
        "Value's __copy__, __deepcopy__ and __reduce_ex__ hand the graph to copying.py, which "
        "walks and rebuilds Value nodes: the copying code kept out of the node's own file",
}
"""Lazy imports allowed to close a circle: (importer, imported) -> why."""


def modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Every module of ``packages`` under ``root``: dotted name -> file (a package's is its
    ``__init__.py``)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def statements(tree: ast.AST, lazy: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement of ``tree`` and whether it is inside a function (lazy)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, lazy
        else:
            inside = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from statements(node, inside)


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int, bool]]:
    """(imported module of the tree, line, lazy) for every import statement in ``path``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node, lazy in statements(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        for target in targets:
            while target and target not in known:  # import a.b.c where only a.b is a module
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno, lazy


Graph = dict[str, dict[str, int]]
"""module -> {module it imports: line of the first such import}."""


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> tuple[Graph, Graph]:
    """(every import, the module-level ones only) of the modules of ``packages``."""
    known = modules(root, packages)
    every: Graph = {name: {} for name in known}
    eager: Graph = {name: {} for name in known}
    for name, path in known.items():
        for target, line, lazy in imports(name, path, known):
            every[name].setdefault(target, line)
            if not lazy:
                eager[name].setdefault(target, line)
    return every, eager


def without(graph: Graph, edges: Iterable[tuple[str, str]]) -> Graph:
    """``graph`` less ``edges``."""
    return {name: {target: line for target, line in targets.items()
                   if (name, target) not in set(edges)}
            for name, targets in graph.items()}


def layer(module: str) -> int:
    """The rank of ``module``'s layer in LAYERS (0: autograd)."""
    return max(rank for rank, top in enumerate(LAYERS)
               if module == top or module.startswith(top + "."))


def upward_imports(graph: Graph) -> list[str]:
    """``"nn.x:12 imports viz.y"`` for every import from a lower layer to a higher one."""
    return [f"{source}:{line} imports {target} ({LAYERS[layer(target)]} is above "
            f"{LAYERS[layer(source)]})"
            for source, targets in sorted(graph.items()) for target, line in targets.items()
            if layer(target) > layer(source)]


def cycles(graph: Graph) -> list[list[str]]:
    """One circle of imports for each strongly connected group of modules (Tarjan's algorithm),
    as the list of modules along it, the first repeated at the end."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # the tree's import graph is shallow: recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle(graph, set(group)) for group in groups]


def _circle(graph: Graph, group: set[str]) -> list[str]:
    """A path round ``group`` (a strongly connected set), found breadth first from its first
    module back to it."""
    start = min(group)
    came_from = {start: None}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for target in graph[node]:
            if target == start:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target in group and target not in came_from:
                came_from[target] = node
                frontier.append(target)
    raise AssertionError(f"{sorted(group)} is not strongly connected")


@pytest.fixture(scope="module")
def tree() -> tuple[Graph, Graph]:
    return import_graph(ROOT)


def test_the_tree_imports_in_no_circle(tree):
    every, _ = tree
    assert cycles(without(every, LAZY_CIRCLES)) == []


def test_the_allowed_circle_is_lazy_and_still_there(tree):
    every, eager = tree
    for source, target in LAZY_CIRCLES:
        assert target in every[source], f"{source} no longer imports {target}: drop it"
        assert target not in eager[source], f"{source} imports {target} at module level"
        assert any(source in circle for circle in cycles(every)), f"{source}: no circle left"


def test_no_layer_imports_a_higher_one(tree):
    every, _ = tree
    assert upward_imports(every) == []


def test_the_graph_is_read_from_the_source(tree):
    """The walk sees the imports it must judge: relative, absolute, lazy, ``from . import``."""
    every, eager = tree
    assert every["viz.cli.main"]["viz.cli.graph_command"] > 0  # from . import graph_command
    assert "viz.cli.train_command" in every["viz.cli.main"]  # imported inside run_train
    assert "viz.cli.train_command" not in eager["viz.cli.main"]
    assert "viz.graph" in eager["viz.cli.graph_command"]  # from ..graph import ...
    assert "autograd.files" in eager["nn.serialize"]  # from autograd.files import write_atomic
    assert "nn" in eager["viz.interactive.playground"]  # import nn
    assert "viz.plots" in every["viz"]  # from . import plots, inside __getattr__


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_circle_through_a_lazy_import_is_found(tmp_path):
    root = write(tmp_path, {
        "autograd/__init__.py": "", "nn/__init__.py": "", "viz/__init__.py": "",
        "viz/cli/__init__.py": "",
        "viz/cli/main.py": "from .errors import CommandError\n"
                           "def run():\n    from .training import train\n",
        "viz/cli/training.py": "from .main import FAILURE\n",
        "viz/cli/errors.py": "class CommandError(Exception): ...\n",
        "nn/a.py": "from . import b\n", "nn/b.py": "import nn.c\n", "nn/c.py": "from .a import x\n",
    })
    every, eager = import_graph(root)
    assert cycles(eager) == [["nn.a", "nn.b", "nn.c", "nn.a"]]
    found = cycles(every)
    assert sorted(found) == [["nn.a", "nn.b", "nn.c", "nn.a"],
                             ["viz.cli.main", "viz.cli.training", "viz.cli.main"]]


def test_an_upward_import_is_found_even_inside_a_function(tmp_path):
    root = write(tmp_path, {
        "autograd/__init__.py": "def f():\n    import nn\n",
        "nn/__init__.py": "from viz.cli.main import run\n",
        "viz/__init__.py": "from autograd import f\n", "viz/cli/__init__.py": "",
        "viz/cli/main.py": "import viz\nimport nn\n",
    })
    assert upward_imports(import_graph(root)[0]) == [
        "autograd:2 imports nn (nn is above autograd)",
        "nn:1 imports viz.cli.main (viz.cli is above nn)",
    ]
