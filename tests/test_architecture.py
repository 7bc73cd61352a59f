"""The shape of the code: no import cycle inside an app, and no import hidden in a function.

import-linter (`make test` runs it) holds the layers between and inside the apps;
these tests catch what its contracts cannot name: a cycle between two modules
of one layer, and an import tucked into a function to dodge one.
"""

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("backend", "producers", "catalog", "orders", "community", "frontend", "demo")

# `AppConfig.ready()` is where Django wants signal receivers and registries
# imported: the one place an import inside a function is the rule, not a dodge.
ALLOWED_LOCAL_IMPORTS = {"apps.py"}


def _app_modules(graph) -> set[str]:
    return {m for m in graph.modules if ".migrations" not in m}


def _cycles_in(app: str) -> list[str]:
    # No cache: a cached graph can outlive a module that became a package.
    graph = grimp.build_graph(app, cache_dir=None)
    modules = _app_modules(graph)
    found = []
    for importer in sorted(modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            # A chain back from what it imports closes a cycle.
            closes = imported in modules and imported != importer
            if closes and graph.chain_exists(importer=imported, imported=importer):
                found.append(f"{importer} -> {imported} -> ... -> {importer}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_app_has_an_import_cycle(app):
    assert _cycles_in(app) == []


def _local_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return sorted(set(found))


def _python_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts or path.name in ALLOWED_LOCAL_IMPORTS:
            continue
        yield path


@pytest.mark.parametrize("app", APPS)
def test_no_app_hides_an_import_inside_a_function(app):
    hidden = [place for path in _python_files(app) for place in _local_imports(path)]
    assert hidden == []


def test_the_cycle_finder_sees_a_cycle(tmp_path, monkeypatch):
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loop import b\n")
    (package / "b.py").write_text("def f():\n    from loop import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert _cycles_in("loop") == [
        "loop.a -> loop.b -> ... -> loop.a",
        "loop.b -> loop.a -> ... -> loop.b",
    ]


def test_the_import_finder_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    import json\n")

    assert _local_imports(module) == ["m.py:4"]
