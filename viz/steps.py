"""Backpropagation one step at a time: a picture for each node as its gradient becomes complete.

Reverse mode visits the nodes in reverse topological order. When it reaches a node, every node
that uses it has already passed back its share, so the node's gradient is final:

    dL/dv = sum over the uses u of v:  dL/du * du/dv        (the chain rule, D2-D4)

Frame k shows the gradients filled so far (``grad ?`` for those still to come) with the k-th
node outlined in red, the edges to its uses (where its gradient comes back from) red and labelled
``dL/du × du/dv = upstream × local``, and the sum term by term in the caption
(``dL/de = 0.1464 × 1.0000 (via d) + (-0.1036) × 1.0000 (via v3) = 0.0429``). In a notebook
the frames are an HTML slider over inline SVGs (no widget library needed); ``.save(directory)``
writes them as numbered SVG files.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd import Value, topological_order

from .chain import Term, chain_sum, chain_terms, consumers, fresh_gradients, node_names
from .collapse import parameters_of
from .graph import RANKDIRS, build_digraph
from .picture import CAPTION_FONT, Picture

MAX_STEPS = 200
CAPTION_WIDTH = 90  # characters on the sum's line before it breaks into one term a line


@dataclass
class Frame:
    """One step: ``node``'s gradient ``grad`` has just been filled; ``picture`` shows the graph
    then.

    ``name`` is the node's name on the picture (``e``, or ``v3`` when unlabelled); ``terms``
    are the chain rule's terms ``(use, upstream, local)``, one per use of the node, with
    ``sum(upstream * local for _, upstream, local in terms) == grad`` (the output's one term is
    the seed ``(None, 1.0, 1.0)``).
    """

    step: int
    node: Value
    grad: float
    caption: str
    picture: Picture
    name: str = ""
    terms: list[Term] = field(default_factory=list)


class BackpropSteps(Sequence[Frame]):
    """The frames of one backward pass, in the order backward fills the gradients."""

    def __init__(self, frames: list[Frame]) -> None:
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, i: Any) -> Any:
        return self.frames[i]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def save(self, directory: str | os.PathLike, prefix: str = "step") -> list[Path]:
        """Write every frame as ``directory/step_001.svg``, ``step_002.svg``, ...; return the
        paths."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        width = max(3, len(str(len(self.frames))))
        return [
            frame.picture.save(directory / f"{prefix}_{frame.step:0{width}d}.svg")
            for frame in self.frames
        ]

    def to_html(self) -> str:
        """A self-contained HTML slider over the frames' SVGs (the first frame shows without
        JavaScript)."""
        frames = []
        for i, frame in enumerate(self.frames):
            svg = frame.picture.to_html()  # natural size, scrolling sideways when wide
            display = "block" if i == 0 else "none"
            caption = html.escape(frame.caption)
            frames.append(f'<div class="frame" data-caption="{caption}" '
                          f'style="display:{display}">{svg}</div>')
        # no ids: the same HTML every time, any number per page
        show = (
            "var root=this.parentNode;var k=+this.value;"
            "var frames=root.querySelectorAll('.frame');"
            "for(var i=0;i<frames.length;i++){frames[i].style.display=(i==k?'block':'none');}"
            "root.querySelector('.caption').textContent=frames[k].getAttribute('data-caption');"
        )
        first = html.escape(self.frames[0].caption) if self.frames else ""
        return (
            '<div class="chainrule-steps">'
            f'<input type="range" min="0" max="{max(0, len(self.frames) - 1)}" value="0" step="1" '
            f'style="width:100%" oninput="{html.escape(show)}">'
            f'<div class="caption" style="font-family:sans-serif;margin:4px 0">{first}</div>'
            + "".join(frames) + "</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return (f"<viz.BackpropSteps: {len(self.frames)} frames; "
                ".save(directory) writes numbered SVGs>")


def backprop_steps(root: Value, rankdir: str = "auto", *, params: Any = None, legend: bool = False,
                   max_steps: int = MAX_STEPS, backend: str | None = None,
                   scale: float = 1.0) -> BackpropSteps:
    """The frames of ``root.backward()``: one per node, in the order its gradient is completed,
    drawn ``scale`` times their natural size.

    Gradients are computed afresh (as if every .grad started at 0) and every ``.grad`` is
    left as it was found.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backprop_steps: root must be a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(
            f"backprop_steps: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}"
        )
    order = topological_order(root)
    if len(order) > max_steps:
        raise ValueError(
            f"backprop_steps: the graph has {len(order)} nodes, one frame each, more than "
            f"max_steps={max_steps}; step through a smaller graph or raise max_steps"
        )
    final = fresh_gradients(root, order)
    known = set(parameters_of(params))
    uses = consumers(order)
    names = node_names(order)
    filled: set[Value] = set()
    steps = list(enumerate(reversed(order), start=1))
    terms = {node: chain_terms(node, root, uses, final) for node in order}
    captions = {
        node: _caption(step, len(order), node, root, terms[node], final[node], names)
        for step, node in steps
    }
    caption_size = _caption_size(captions.values())
    frames = []
    layout = None
    for step, node in steps:
        filled.add(node)
        digraph = build_digraph(
            order, [root], rankdir=rankdir, params=known, legend=legend, highlight=node,
            grad_of=lambda v: final[v] if v in filled else None, backend=backend, layout=layout,
            layout_grad_of=final.get,
        )
        layout = digraph.layout  # chosen once, on the first frame: every frame has the same layout
        picture = Picture(digraph, node_count=len(order), backend=backend, caption=captions[node],
                          caption_size=caption_size, scale=scale)
        frames.append(
            Frame(step, node, final[node], captions[node], picture, names[node], terms[node])
        )
    return BackpropSteps(frames)


def _caption_size(captions: Iterable[str]) -> tuple[float, float]:
    """(width, height) in points that holds every caption: Helvetica's widest digits and letters are
    about 0.6 em (0.56 em on average), its lines 1.2 em apart."""
    lines = [caption.split("\n") for caption in captions]
    width = (
        max((len(line) for caption in lines for line in caption), default=1) * 0.6 * CAPTION_FONT
    )
    height = max((len(caption) for caption in lines), default=1) * 1.2 * CAPTION_FONT
    return width + 8, height + 8


def _caption(step: int, total: int, node: Value, root: Value, terms: list[Term], g: float,
             names: dict[Value, str]) -> str:
    """``step 3 of 6: e (2 uses)`` and, on the next line, the chain rule's sum for it."""
    name = names[node]
    if node is root:
        head = f"step {step} of {total}: the output {name}"
    else:
        uses = "its use" if len(terms) == 1 else f"its {len(terms)} uses"
        head = f"step {step} of {total}: {name}, summed over {uses}"
    total = chain_sum(node, root, terms, g, names)
    if len(total) > CAPTION_WIDTH:
        # one term a line, so that the caption does not widen the picture
        total = total.replace(" + ", "\n  + ")
    return f"{head}\n{total}"
