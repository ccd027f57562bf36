"""Every public name of autograd, nn and viz (their ``__all__``) is documented, and so is every
public method and property of their public classes: the API reference (``make docs``) is built
from these docstrings. One style: plain prose, the first line a summary of its own."""

import importlib
import inspect

import pytest

PACKAGES = ("autograd", "nn", "viz")


def public_objects():
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj):
                yield f"{package}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and (
                        inspect.isfunction(member)
                        or isinstance(member, property | classmethod | staticmethod)
                    ):
                        yield (
                            f"{package}.{name}.{attr}",
                            getattr(obj, attr) if not isinstance(member, property) else member,
                        )


def summary_problem(doc: str | None) -> str:
    """'' for a docstring in the house style, else what is wrong with it."""
    if not doc or not doc.strip():
        return "no docstring"
    if not doc.split("\n")[0].strip():
        return "the first line is empty"
    return ""


def test_every_public_name_and_method_is_documented():
    missing = [name for name, obj in public_objects() if summary_problem(inspect.getdoc(obj))]
    assert not missing, f"undocumented public names: {missing}"


def test_the_check_notices_an_undocumented_function():
    def undocumented():
        pass

    assert summary_problem(inspect.getdoc(undocumented)) == "no docstring"
    assert summary_problem("\ntext") == "the first line is empty"
    assert summary_problem("Sum of x.") == ""


@pytest.mark.parametrize("package", PACKAGES)
def test_all_lists_only_names_that_exist(package):
    module = importlib.import_module(package)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []
