"""The house's rules (docs/architecture.md), checked over the whole tree by an AST walk.

Every ``import``, every ``from … import`` and every string that names a
module of the project the way ``importlib`` takes it ("flows.components" or
"flows.components:pipeline_from_options") counts, wherever it sits in a file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("records", "bayesnet", "reasoners", "storage", "flows", "kanon")

# What each package may import of the project (itself always).
ALLOWED = {
    "records": set(),
    "bayesnet": {"records"},
    "storage": {"records"},
    "reasoners": {"records", "bayesnet"},
    "flows": {"records", "bayesnet", "reasoners", "storage"},
    "kanon": {"records", "bayesnet", "reasoners", "storage", "flows"},
}
# Third-party modules a package must not touch.
FORBIDDEN = {
    "records": {"sqlalchemy", "prefect", "torch", "transformers", "httpx", "numpy", "pgmpy"},
    "bayesnet": {"sqlalchemy", "prefect", "torch", "transformers", "httpx", "requests", "fastapi"},
    "storage": {"prefect", "torch", "transformers", "pgmpy"},
    "reasoners": {"prefect", "sqlalchemy", "fastapi"},
    "kanon": {"prefect"},  # the shell calls the flows; it holds no orchestration
}
MAX_LINES = 450
_FILE_SUFFIXES = {"toml", "json", "jsonl", "csv", "db", "md", "py", "txt", "yaml"}  # "kanon.toml" names a file
_MODULE_STRING = re.compile(rf"^({'|'.join(PACKAGES)})(\.[a-z_][a-z0-9_]*)*(:[A-Za-z_]\w*)?$")


def _files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Dotted names this file imports (or names as importlib strings)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif not top_level_only and isinstance(node, ast.Constant) and isinstance(node.value, str):
            if (_MODULE_STRING.match(node.value) and ("." in node.value or ":" in node.value)
                    and node.value.rsplit(".", 1)[-1] not in _FILE_SUFFIXES):
                found.add(node.value.split(":")[0])
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_its_rule_allows(package):
    broken = []
    for path in (ROOT / package).rglob("*.py"):
        for name in imports(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                broken.append(f"{path.relative_to(ROOT)} imports {name}")
            if top in FORBIDDEN.get(package, set()):
                broken.append(f"{path.relative_to(ROOT)} imports {name} (not for {package}/)")
    assert broken == []


def test_the_records_package_imports_nothing_of_the_project():
    names = {n for p in (ROOT / "records").rglob("*.py") for n in imports(p)}
    assert {n.split(".")[0] for n in names} & set(PACKAGES) <= {"records"}


def test_no_module_imports_its_way_back_to_itself():
    modules = {_module(p): p for p in _files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for imported in imports(path, top_level_only=True):
            # "from pkg.mod import name" names pkg.mod (and maybe pkg.mod.name, a submodule)
            for candidate in (imported, imported.rsplit(".", 1)[0]):
                # A package's __init__ re-exporting its own submodules is how a package is made, not a cycle.
                own = path.name == "__init__.py" and candidate.startswith(name + ".")
                if candidate in modules and candidate != name and not own:
                    deps.add(candidate)
        graph[name] = deps
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in graph[node]:
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep] if dep in stack else [node, dep])
            elif dep not in state:
                visit(dep, stack + [dep])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_source_file_is_over_the_limit():
    files = _files() + sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py"))
    long = [f"{p.relative_to(ROOT)}: {n}" for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert long == []


def test_the_rules_catch_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('import importlib\nimportlib.import_module("kanon.cli")\nFACTORY = "flows.components:build"\n')
    assert {"kanon.cli", "flows.components"} <= imports(bad)
