"""The arrows between Klasse's modules point one way.

`accounts` is the lowest app: `imports`, `exports` and `leerplan` build on it, never the
other way round (the demo school's leerplan joins through a signal). The wizard's
background task is the top of an import: it imports the execution and the run's
bookkeeping, which know nothing of it. And no module of `klasse/` imports,
however indirectly, a module that imports it.

Every module is read with `ast`, so an import inside a function counts as much as one at
the top of the file; migrations are left out (they name other apps only as dependencies).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import klasse

ROOT = Path(klasse.__file__).parent
MODULE_PATH = re.compile(r"klasse(\.\w+)+")
LOWER_THAN = {
    "klasse.accounts": ("klasse.imports", "klasse.exports", "klasse.leerplan"),
    # The leerplan builds on the accounts only; imports and exports know nothing of it.
    "klasse.leerplan": ("klasse.imports", "klasse.exports"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted(ROOT.rglob("*.py"))
    if "migrations" not in path.relative_to(ROOT).parts
}


def _statements(name: str) -> list[tuple[int, str, set[str]]]:
    """Each import statement of module `name`, wherever in the file it stands, as (line,
    the module it names, every module name it may mean): for `from X import y` both X and
    X.y (y may be a module or a name in X); relative imports made absolute. A string that
    is a module path of `klasse` (for `import_module` or `include`) counts as an import."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, {alias.name}) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            meant = {source, *(f"{source}.{alias.name}" for alias in node.names)}
            found.append((node.lineno, source, meant))
        elif isinstance(node, ast.Constant) and MODULE_PATH.fullmatch(str(node.value)):
            found.append((node.lineno, node.value, {node.value}))
    return found


def _imports(name: str) -> set[str]:
    return {meant for _line, _source, names in _statements(name) for meant in names}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def _graph() -> dict[str, set[str]]:
    """Module → the modules of `klasse/` it imports (`from X import y`: X.y where that is
    a module, else X)."""
    return {name: {m for m in _imports(name) if m in MODULES} for name in MODULES}


def _upward(lower: str) -> list[str]:
    """Where a module of package `lower` imports one of the packages above it."""
    return sorted(
        f"{name}, line {line}: {source}"
        for name in MODULES
        if _within(name, lower)
        for line, source, meant in _statements(name)
        if any(_within(m, higher) for m in meant for higher in LOWER_THAN[lower])
    )


def test_every_module_but_the_migrations_is_read():
    files = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]
    assert len(MODULES) == len(files) > 50
    assert {"klasse.urls", "klasse.accounts", "klasse.accounts.models"} <= set(MODULES)


@pytest.mark.parametrize("lower", sorted(LOWER_THAN))
def test_a_lower_app_imports_nothing_of_the_apps_above_it(lower):
    assert _upward(lower) == []


def test_the_run_bookkeeping_and_the_execution_do_not_know_the_task():
    for name in ("klasse.imports.runs", "klasse.imports.execution"):
        assert not any(_within(m, "klasse.imports.tasks") for m in _imports(name)), name
    assert {"klasse.imports.execution", "klasse.imports.runs"} <= _graph()["klasse.imports.tasks"]


def test_the_modules_import_each_other_without_a_cycle():
    graph = _graph()
    cycles = []
    state: dict[str, str] = {}  # "open" while on the path, "done" after

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for imported in sorted(graph[name]):
            if state.get(imported) == "open":
                cycles.append(" → ".join([*path[path.index(imported) :], imported]))
            elif imported not in state:
                visit(imported, [*path, imported])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_checks_see_every_way_of_importing(tmp_path, monkeypatch):
    """Relative or absolute, a package or a module, inside a function or as a string: each
    upward import is found (in a module made up for the test)."""
    hidden = tmp_path / "hidden.py"
    hidden.write_text(
        "from .. import exports\n"
        "import klasse.exports.writers\n"
        "def f():\n"
        "    from ..imports import tasks\n"
        "    from klasse.imports.runs import run_create\n"
        "    return importlib.import_module('klasse.imports.execution')\n"
    )
    monkeypatch.setitem(MODULES, "klasse.accounts.hidden", hidden)
    found = [where for where in _upward("klasse.accounts") if "hidden" in where]
    assert found == [
        "klasse.accounts.hidden, line 1: klasse",
        "klasse.accounts.hidden, line 2: klasse.exports.writers",
        "klasse.accounts.hidden, line 4: klasse.imports",
        "klasse.accounts.hidden, line 5: klasse.imports.runs",
        "klasse.accounts.hidden, line 6: klasse.imports.execution",
    ]
    assert {"klasse.imports.tasks", "klasse.imports.execution"} <= _imports(
        "klasse.accounts.hidden"
    )
