"""The compiled-module cache of the WebAssembly Graphviz (viz.wasm_cache), on a tiny module.

The module here adds two numbers, so each compile takes milliseconds; the real Graphviz module
goes through the same code (viz.rendering._wasm_backend).
"""

from __future__ import annotations

import pytest

wasmtime = pytest.importorskip("wasmtime")

from viz import wasm_cache  # noqa: E402

ADD = '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))'


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv(wasm_cache.CACHE_ENV, str(tmp_path / "cache"))
    wasm = tmp_path / "add.wasm"
    wasm.write_bytes(wasmtime.wat2wasm(ADD))
    return wasmtime.Engine(), wasm


def add(engine, module, a, b, epochs=False):
    store = wasmtime.Store(engine)
    if epochs:
        store.set_epoch_deadline(1)
    instance = wasmtime.Instance(store, module, [])
    return instance.exports(store)["add"](store, a, b)


def test_second_load_comes_from_disk_without_compiling(setup, monkeypatch):
    engine, wasm = setup
    assert add(engine, wasm_cache.load_module(engine, wasm, "plain"), 2, 3) == 5
    path = wasm_cache.cache_path(wasm, "plain")
    assert path.is_file() and path.read_bytes().startswith(wasm_cache.MAGIC)

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled although the cache holds the module")

    monkeypatch.setattr(wasmtime.Module, "from_file", no_compiling)
    assert add(engine, wasm_cache.load_module(engine, wasm, "plain"), 40, 2) == 42


def test_key_changes_with_settings_and_module(setup, tmp_path):
    engine, wasm = setup
    other = tmp_path / "other.wasm"
    other.write_bytes(wasmtime.wat2wasm(ADD.replace("i32.add", "i32.sub")))
    paths = {wasm_cache.cache_path(wasm, "plain"), wasm_cache.cache_path(wasm, "epoch_interruption"),
             wasm_cache.cache_path(other, "plain")}
    assert len(paths) == 3
    assert add(engine, wasm_cache.load_module(engine, other, "plain"), 5, 3) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_damaged_cache_is_compiled_again_and_rewritten(setup, damage):
    engine, wasm = setup
    wasm_cache.load_module(engine, wasm, "plain")
    path = wasm_cache.cache_path(wasm, "plain")
    sound = path.read_bytes()
    data = bytearray(sound)
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[-10] ^= 0xFF
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"not a module at all" * 10)
    path.write_bytes(bytes(data))
    assert add(engine, wasm_cache.load_module(engine, wasm, "plain"), 7, 8) == 15
    assert path.read_bytes() == sound  # written again, whole


def test_module_of_another_engine_config_is_not_loaded(setup, monkeypatch):
    engine, wasm = setup
    wasm_cache.load_module(engine, wasm, "plain")
    config = wasmtime.Config()
    config.epoch_interruption = True
    other = wasmtime.Engine(config)
    compiled = []
    from_file = wasmtime.Module.from_file
    monkeypatch.setattr(wasmtime.Module, "from_file", lambda *args: compiled.append(1) or from_file(*args))
    # the same key on purpose: wasmtime refuses the other engine's code, the cache recompiles
    assert add(other, wasm_cache.load_module(other, wasm, "plain"), 1, 1, epochs=True) == 2
    assert compiled == [1]


def test_unwritable_cache_still_gives_the_module(setup, tmp_path, monkeypatch):
    engine, wasm = setup
    blocker = tmp_path / "a file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(wasm_cache.CACHE_ENV, str(blocker / "cache"))
    assert add(engine, wasm_cache.load_module(engine, wasm, "plain"), 1, 2) == 3
