"""MkDocs hooks that build the course site from the repository as it is (``make docs``).

* the notebooks ``notebooks/NN_*.ipynb`` become the pages ``notebooks/NN_*`` (mkdocs-jupyter renders
  their stored outputs), in course order, each opened by what it teaches and the derivations it
  covers, with its key graph in the explorer and its worked solutions behind a reveal;
* ``api/`` pages list every public name of ``autograd``, ``nn`` and ``viz`` (their ``__all__``)
  for mkdocstrings, and ``api/rules.md`` the rule table with each operation's formula;
* ``derivations.md`` gets, under each derivation, links to its lesson and the names of its tests;
* the explorers and a recorded training run are written as self-contained pages into
  ``explorers/``, and MathJax is copied from ``jupyter_server_mathjax`` so nothing is fetched.
"""

from __future__ import annotations

import html
import importlib
import inspect
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))

from lessons import LESSONS, key_graph  # noqa: E402  (docs/hooks on the path)

PACKAGES = ("autograd", "nn", "viz")


def notebooks() -> list[Path]:
    """The course's notebooks in order: 00_quick_tour.ipynb, 01_..., (11_... when there is one)."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def lesson_title(path: Path) -> str:
    return path.stem[:2] + " " + path.stem[3:].replace("_", " ").capitalize()


def on_config(config: Any) -> Any:
    """The navigation: home, guides, lessons in course order, derivations, API."""
    config["nav"] = [
        {"Home": "index.md"},
        {
            "Guides": [
                {"Getting started": "guides/getting_started.md"},
                {"From micrograd to chainrule": "guides/from_micrograd.md"},
                {"Teaching with chainrule": "guides/teaching.md"},
                {"Performance": "guides/performance.md"},
            ]
        },
        {"Lessons": [{lesson_title(p): f"notebooks/{p.name}"} for p in notebooks()]},
        {"Derivations": "derivations.md"},
        {
            "API reference": [{f"{name}": f"api/{name}.md"} for name in PACKAGES]
            + [{"The rule table": "api/rules.md"}]
        },
    ]
    return config


@event_priority(100)  # before mkdocs-jupyter, which turns .ipynb files into pages
def on_files(files: Files, config: Any) -> Files:
    """Add the notebooks, the API pages and the rule table to the site's files."""
    for path in notebooks():
        files.append(File(f"notebooks/{path.name}", str(ROOT), config["site_dir"], False))
    for name in PACKAGES:
        files.append(File.generated(config, f"api/{name}.md", content=api_page(name)))
    files.append(File.generated(config, "api/rules.md", content=rules_page()))
    return files


def api_page(package: str) -> str:
    """One mkdocstrings block per public name of ``package`` (``__all__``), where it is defined."""
    module = importlib.import_module(package)
    lines = [f"# `{package}`", "", inspect.getdoc(module).split("\n\n")[0], ""]
    if package == "autograd":
        lines += [
            "Each operation's derivative rule, with its formula: [the rule table](rules.md).",
            "",
        ]
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            target = obj.__name__
        elif inspect.isclass(obj) or inspect.isfunction(obj):
            target = f"{obj.__module__}.{obj.__qualname__}"
        else:  # a table or constant: documented where its module defines it
            target = f"{_defining_module(module, name)}.{name}"
        lines += [
            f"## `{package}.{name}`",
            "",
            f"::: {target}",
            "    options:",
            "      show_root_heading: false",
            "      heading_level: 3",
            "",
        ]
    return "\n".join(lines)


def _defining_module(package: Any, name: str) -> str:
    """The submodule of ``package`` whose source assigns ``name`` (for tables such as nn.LOSSES)."""
    pattern = re.compile(rf"^{re.escape(name)}\s*[:=]", re.M)
    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        if pattern.search(path.read_text(encoding="utf-8")):
            return (
                f"{package.__name__}.{path.stem}" if path.stem != "__init__" else package.__name__
            )
    return package.__name__


def rules_page() -> str:
    """The rule table: every operation, its formula and the derivation it comes from."""
    from autograd.rules import RULES

    source = (ROOT / "autograd" / "rules.py").read_text(encoding="utf-8")
    rows = [
        "# The rule table",
        "",
        "Every operation of the engine and its derivative rule, as `autograd.RULES` holds them "
        "(the pictures and the explorer show the same text); in `autograd/rules.py` each rule is "
        "one line with its derivation beside it.",
        "",
        "<table><thead><tr><th>op</th><th>rule</th><th>derivation</th></tr></thead><tbody>",
    ]
    for op, rule in RULES.items():
        line = next(
            (ln for ln in source.splitlines() if ln.startswith(f"def {rule.vjp.__name__}(")), ""
        )
        cited = ", ".join(sorted(set(re.findall(r"\bD\d+\b", line))))
        rows.append(
            f"<tr><td><code>{op}</code></td><td><code>{html.escape(rule.formula)}</code></td>"
            f"<td>{cited}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """derivations.md: links into the site, and under each derivation its lesson and its tests
    (the columns of the table at the top of the page)."""
    if page.file.src_uri == "guides/performance.md":
        return markdown.replace(
            "<!-- the README's Performance section -->", readme_section("Performance")
        )
    if page.file.src_uri != "derivations.md":
        return markdown
    markdown = re.sub(r"\(\.\./notebooks/(\d\d_\w+\.ipynb)\)", r"(notebooks/\1)", markdown)
    rows = {
        m.group(1): (m.group(2).strip(), m.group(3).strip())
        for m in re.finditer(r"^\| (D\d+) \|[^|]*\|[^|]*\|([^|]*)\|([^|]*)\|$", markdown, re.M)
    }

    def links(match: re.Match) -> str:
        lessons, tests = rows.get(match.group(1), ("none", "none"))
        d = match.group(1).lower()  # the anchor a lesson's intro links to
        return f'{match.group(0)}\n\n<a id="{d}"></a>*Lesson:* {lessons} · *Tests:* {tests}\n'

    return re.sub(r"^## (D\d+)\..*$", links, markdown, flags=re.M)


def readme_section(title: str) -> str:
    """The README's section ``## title`` (one source for its numbers), file links as plain text."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    body = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", body)
    return re.sub(r"\[([^\]]+)\]\((?!https?:)[^)]*\)", r"\1", body).replace("\n### ", "\n## ")


def on_page_content(content: str, page: Any, config: Any, files: Files) -> str:
    """A lesson: what it teaches first, its explorer and solutions last, links into the site."""
    if not page.file.src_uri.startswith("notebooks/"):
        return content
    stem = Path(page.file.src_uri).stem
    lesson = LESSONS.get(
        stem[:2], {"teaches": "What the introduction below sets out.", "derivations": []}
    )
    derivations = ", ".join(
        f'<a href="../derivations.html#{d.lower()}">{d}</a>' for d in lesson["derivations"]
    )
    header = (
        '<div class="admonition abstract lesson-intro">'
        '<p class="admonition-title">In this lesson</p>'
        f"<p>{html.escape(lesson['teaches'])}</p>"
        f"<p>Derivations: {derivations or 'none (a tour of the library)'}</p></div>"
    )
    picture = (
        f'<h2 id="explorer">The key graph, live</h2><p>{html.escape(lesson.get("graph", ""))} '
        "Step backward with <em>next</em>, click a node for its rule and chain-rule sum, or "
        "switch to practice mode.</p>"
        f'<iframe class="cr-embed" title="explorer" src="../explorers/{stem[:2]}.html" '
        'style="width:100%;height:560px;border:1px solid #ccc"></iframe>'
    )
    if stem.startswith("00"):
        picture += (
            '<h2 id="training-run">A recorded training run</h2><p>micrograd\'s 2-16-16-1 network '
            "on the moons; drag the scrubber to see the boundary and the curves at each step.</p>"
            '<iframe class="cr-embed" title="training run" src="../explorers/training_run.html" '
            'style="width:100%;height:640px;border:1px solid #ccc"></iframe>'
        )
    solutions = NOTEBOOKS / "solutions" / f"{stem}.py"
    if solutions.exists():
        code = html.escape(solutions.read_text(encoding="utf-8"))
        picture += (
            '<h2 id="solutions">Solutions</h2><details class="solution"><summary>Show the worked '
            f"solutions (try the exercises first)</summary><pre><code>{code}</code></pre></details>"
        )
    content = re.sub(r'href="\.\./docs/derivations\.md', 'href="../derivations.html', content)
    content = re.sub(r'href="(\d\d_\w+)\.ipynb', r'href="\1.html', content)
    content = re.sub(r'href="solutions/\d\d_\w+\.py"', 'href="#solutions"', content)
    return header + content + picture


def on_post_build(config: Any) -> None:
    """The explorer pages, the recorded run, and MathJax, written into the built site."""
    import jupyter_server_mathjax

    import viz
    from viz.cli.train_command import train

    site = Path(config["site_dir"])
    out = site / "explorers"
    out.mkdir(parents=True, exist_ok=True)
    for path in notebooks():
        root, params = key_graph(path.stem[:2])
        viz.explore(root, params=params).save(out / f"{path.stem[:2]}.html")
    work = out / "_run"
    train("moons", work, steps=30, progress=False, html=out / "training_run.html", every=3)
    shutil.rmtree(work)
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(mathjax, site / "assets" / "mathjax", dirs_exist_ok=True)
    local = site / "assets" / "mathjax" / "config" / "local"
    local.mkdir(parents=True, exist_ok=True)
    (local / "chainrule.js").write_text(MATHJAX_FONTS, encoding="utf-8")


MATHJAX_FONTS = """MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null,
  webFont: "STIX-Web", imageFont: null}});
MathJax.Ajax.loadComplete("[MathJax]/config/local/chainrule.js");
"""
"""The packaged MathJax has the STIX-Web fonts only: use them, never look for the TeX fonts."""
