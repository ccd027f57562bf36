"""Rendering: system dot or WebAssembly, saving by suffix, atomic writes, clear errors."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET

import matplotlib.image
import pytest
from test_viz_svgtools import svg_texts

from autograd import Value
from autograd.files import write_atomic
from viz import rendering as render_module
from viz.graph import draw_dot
from viz.rendering import GraphvizError, choose_backend, render

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which there is no `dot` program (the Python interpreter keeps working)."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv(render_module.BACKEND_ENV, raising=False)
    assert shutil.which("dot") is None


def small_picture(**options):
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.label = "y"
    y.backward()
    return draw_dot(y, **options)


def test_without_dot_on_path_svg_comes_from_webassembly(no_dot, tmp_path):
    assert choose_backend() == "wasm"
    picture = small_picture()
    texts = svg_texts(picture.to_svg())
    assert "y" in texts and "data 0.9993" in texts  # tanh(4)
    path = picture.save(tmp_path / "graph.svg")
    assert svg_texts(path.read_text(encoding="utf-8")) == texts
    assert (tmp_path / "graph.dot").exists() is False
    assert picture.save(tmp_path / "graph.dot").read_text(encoding="utf-8") == picture.source


def test_without_dot_pdf_fails_clearly_and_leaves_the_old_file(no_dot, tmp_path):
    target = tmp_path / "graph.pdf"
    target.write_bytes(b"old picture")
    with pytest.raises(GraphvizError) as caught:
        small_picture().save(target)
    message = str(caught.value)
    assert "apt-get install graphviz" in message and ".svg" in message and "PDF" in message
    assert target.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary file left


def test_without_dot_png_comes_from_the_svg_at_its_natural_size(no_dot, tmp_path):
    picture = small_picture()
    png = picture.save(tmp_path / "graph.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(png)
    width_pt, height_pt = (float(v) for v in re.search(r'width="([0-9.]+)pt" height="([0-9.]+)pt"',
                                                        picture.to_svg()).groups())
    assert image.shape[:2] == (round(height_pt * 4 / 3), round(width_pt * 4 / 3))  # 96 dpi: 1 pt = 4/3 px
    dark = (image[..., :3].mean(axis=2) < 0.5).mean()
    assert 0.01 < dark < 0.5  # text and borders drawn, not a blank or black page
    bigger = small_picture(scale=2.0).save(tmp_path / "big.png")
    assert matplotlib.image.imread(bigger).shape[1] == pytest.approx(2 * image.shape[1], abs=2)


def test_asking_for_dot_when_it_is_missing_names_the_fix(no_dot):
    with pytest.raises(GraphvizError, match="apt-get install graphviz"):
        render("digraph { a }", "svg", backend="dot")


def test_backend_can_be_forced_by_environment(monkeypatch):
    monkeypatch.setenv(render_module.BACKEND_ENV, "wasm")
    assert choose_backend() == "wasm"
    monkeypatch.setenv(render_module.BACKEND_ENV, "gpu")
    with pytest.raises(ValueError, match="CHAINRULE_GRAPHVIZ"):
        choose_backend()
    assert choose_backend("wasm") == "wasm"  # the argument wins over the environment


@needs_dot
def test_system_dot_writes_real_png_and_pdf(tmp_path, monkeypatch):
    monkeypatch.delenv(render_module.BACKEND_ENV, raising=False)
    assert choose_backend() == "dot"
    picture = small_picture()
    png = picture.save(tmp_path / "graph.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width = matplotlib.image.imread(png).shape[:2]
    assert width > height > 20  # a left-to-right graph is wide
    assert picture.save(tmp_path / "graph.PDF").read_bytes()[:5] == b"%PDF-"


@needs_dot
def test_both_backends_draw_the_same_text(monkeypatch):
    monkeypatch.delenv(render_module.BACKEND_ENV, raising=False)
    by_dot = svg_texts(small_picture(backend="dot").to_svg())
    by_wasm = svg_texts(small_picture(backend="wasm").to_svg())
    assert sorted(by_dot) == sorted(by_wasm)


def test_unknown_suffix_and_format_are_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg"):
        small_picture().save(tmp_path / "graph.jpeg")
    with pytest.raises(ValueError, match="format"):
        render("digraph { a }", "gif")
    assert list(tmp_path.iterdir()) == []


def test_broken_dot_text_is_a_graphviz_error():
    with pytest.raises(GraphvizError):
        render("digraph { a -> }", backend="wasm")


def test_atomic_write_keeps_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "picture.svg"
    target.write_bytes(b"old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["picture.svg"]


def test_atomic_write_replaces_content_and_names_a_missing_directory(tmp_path):
    target = write_atomic(tmp_path / "a.txt", b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "a.txt", b"x")
    assert write_atomic(tmp_path / "made" / "a.txt", b"x", make_dirs=True).read_bytes() == b"x"


def test_summary_svg_is_valid_xml(no_dot):
    x = Value(1.0)
    y = x
    for _ in range(30):
        y = y * 1.5
    picture = draw_dot(y, max_nodes=20)
    ET.fromstring(picture.to_svg().encode("utf-8"))


BACKENDS = ["wasm", pytest.param("dot", marks=needs_dot)]


def recurrent_chain(steps=50):
    """h = tanh(h*w + b) repeated: w and b feed every step, so their edges span many ranks."""
    x, w, b = Value(0.5, label="x"), Value(0.9, label="w"), Value(0.1, label="b")
    h = x
    for _ in range(steps):
        h = (h * w + b).tanh()
    h.backward()
    return h, [w, b]


def repeated_sum(terms=100):
    x = Value(1.0, label="x")
    y = x
    for _ in range(terms - 1):
        y = y + x
    y.backward()
    return y


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_value_reused_along_a_long_chain_renders_within_the_timeout(backend):
    # without nslimit in the graph attributes, dot's network simplex ran for minutes on these
    h, params = recurrent_chain()
    chain = draw_dot(h, params=params, shade_grad=True)
    assert chain.node_count == 303
    assert b"</svg>" in render(chain.source, "svg", backend, timeout=60)
    assert b"</svg>" in render(draw_dot(repeated_sum()).source, "svg", backend, timeout=60)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_slow_layout_stops_at_the_timeout_with_advice(backend):
    h, params = recurrent_chain()
    slow = draw_dot(h, "LR", params=params).source.replace("nslimit=2 nslimit1=2", "")
    assert "nslimit" not in slow
    with pytest.raises(GraphvizError, match="took more than 0.5 s.*smaller graph"):
        render(slow, "svg", backend, timeout=0.5)
    assert b"</svg>" in render("digraph { a -> b }", "svg", backend)  # the next picture still renders


def test_atomic_write_errors_name_the_target_not_the_temporary_file(tmp_path):
    target = tmp_path / "adir.svg"
    target.mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        write_atomic(target, b"x")
    assert caught.value.filename == str(target) and ".tmp" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["adir.svg"]  # the temporary file is gone
