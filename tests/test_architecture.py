"""The core stays pure (DESIGN.md): no chat SDK, web framework, database or outer layer in it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
FORBIDDEN = {
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "botframework",
    "aiohttp",
    "tinydb",
    "adapters",
    "storage",
    "bot",
}


def imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", sorted(WORKFLOWS.glob("*.py")), ids=lambda path: path.name)
def test_workflows_imports_only_the_standard_library_and_itself(module: Path) -> None:
    leaked = imported_roots(module.read_text("utf-8")) & FORBIDDEN
    assert not leaked, f"workflows/{module.name} imports {sorted(leaked)}"


def test_the_check_itself_catches_a_forbidden_import() -> None:
    source = "import os\nfrom slack_bolt.async_app import AsyncApp\nimport storage.memory\n"
    assert imported_roots(source) & FORBIDDEN == {"slack_bolt", "storage"}
