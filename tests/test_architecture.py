"""The rooms of the house (docs/architecture.md) and what may import what.

- `workflows/`, the core, imports only Python's standard library and itself.
- An adapter (`adapters/<name>/`) imports its own folder and the shared modules at the top of
  `adapters/`, never another adapter, never storage, never the composition root (`bot/`).
- `storage/` never imports an adapter or `bot/`.
"""

from __future__ import annotations

import ast
import sys
import typing
from pathlib import Path

import pytest

from workflows.engine import HANDLERS
from workflows.kernel.commands import Command

ROOT = Path(__file__).resolve().parent.parent
STANDARD_LIBRARY = frozenset(sys.stdlib_module_names) | {"__future__"}


def modules(folder: str) -> list[Path]:
    return sorted(path for path in (ROOT / folder).rglob("*.py") if "__pycache__" not in path.parts)


def imported(source: str, module: str = "") -> set[str]:
    """Every module `source` imports, by its full name (relative imports resolved)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            names.add(base)
    return names


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def core_violations(names: set[str]) -> set[str]:
    return {name for name in names if name.split(".")[0] not in STANDARD_LIBRARY | {"workflows"}}


def adapter_violations(names: set[str], adapter: str, shared: set[str]) -> set[str]:
    """Imports an adapter may not make: other adapters, storage, the composition root."""
    bad = set()
    for name in names:
        parts = name.split(".")
        if parts[0] in {"storage", "bot"} or (
            parts[0] == "adapters" and len(parts) > 1 and parts[1] not in {adapter, *shared}
        ):
            bad.add(name)
    return bad


def storage_violations(names: set[str]) -> set[str]:
    return {name for name in names if name.split(".")[0] in {"adapters", "bot"}}


SHARED_ADAPTER_MODULES = {path.stem for path in (ROOT / "adapters").glob("*.py")} - {"__init__"}


@pytest.mark.parametrize("path", modules("workflows"), ids=_name)
def test_the_core_imports_only_the_standard_library_and_itself(path: Path) -> None:
    leaked = core_violations(imported(path.read_text("utf-8"), module_name(path)))
    assert not leaked, f"{_name(path)} imports {sorted(leaked)}"


@pytest.mark.parametrize(
    "path", [p for p in modules("adapters") if len(p.relative_to(ROOT).parts) > 2], ids=_name
)
def test_an_adapter_imports_no_other_adapter_nor_storage(path: Path) -> None:
    adapter = path.relative_to(ROOT).parts[1]
    names = imported(path.read_text("utf-8"), module_name(path))
    leaked = adapter_violations(names, adapter, SHARED_ADAPTER_MODULES)
    assert not leaked, f"{_name(path)} imports {sorted(leaked)}"


@pytest.mark.parametrize("path", modules("adapters"), ids=_name)
def test_no_adapter_module_imports_storage_or_the_composition_root(path: Path) -> None:
    names = imported(path.read_text("utf-8"), module_name(path))
    leaked = {name for name in names if name.split(".")[0] in {"storage", "bot"}}
    assert not leaked, f"{_name(path)} imports {sorted(leaked)}"


@pytest.mark.parametrize("path", modules("storage"), ids=_name)
def test_storage_imports_no_adapter(path: Path) -> None:
    leaked = storage_violations(imported(path.read_text("utf-8"), module_name(path)))
    assert not leaked, f"{_name(path)} imports {sorted(leaked)}"


def test_the_checks_themselves_catch_what_they_forbid() -> None:
    core = "import os\nfrom slack_bolt.async_app import AsyncApp\nimport storage.memory\n"
    assert core_violations(imported(core)) == {"slack_bolt.async_app", "storage.memory"}
    # The allow-list is the standard library, so an unknown third-party package is caught too.
    assert core_violations(imported("import attrs\nimport json\n")) == {"attrs"}
    adapter = (
        "from adapters.teams.cards import adaptive_card\nfrom adapters.plug import Plug\n"
        "from adapters.slack.blocks import escape\nimport storage.memory\nfrom bot import web\n"
    )
    assert adapter_violations(imported(adapter), "slack", {"plug"}) == {
        "adapters.teams.cards",
        "storage.memory",
        "bot",
    }
    relative = "from ..teams import cards\n"
    assert imported(relative, "adapters.slack.app") == {"adapters.teams"}
    assert storage_violations(imported("from adapters.slack.app import x\n")) == {
        "adapters.slack.app"
    }


def test_every_command_has_a_handler() -> None:
    assert set(typing.get_args(Command)) == HANDLERS.kinds
