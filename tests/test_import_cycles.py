"""No two modules of the product import each other, directly or round a longer circle, counting the
imports tucked inside functions (issue 17: engine/pb/mes.py ↔ rules.py, panels/services.py ↔ tasks.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO


def _import_graph() -> dict[str, set[str]]:
    files = {}
    for path in (REPO / "commonground").rglob("*.py"):
        if "migrations" not in path.parts:
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            files[name] = path
    graph = {}
    for name, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(Path(path).read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found |= {
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in files else node.module for a in node.names
                }
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def _returns_to_itself(graph: dict[str, set[str]], start: str) -> bool:
    seen: set[str] = set()
    stack = list(graph[start])
    while stack:
        module = stack.pop()
        if module == start:
            return True
        if module not in seen:
            seen.add(module)
            stack.extend(graph[module])
    return False


def test_no_module_imports_itself_round_a_circle():
    graph = _import_graph()
    assert [module for module in sorted(graph) if _returns_to_itself(graph, module)] == []
