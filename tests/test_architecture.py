"""DESIGN.md layering: the core imports no edge or adapter framework."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "stockwise"
CORE = [
    "schema.py",
    "errors.py",
    "calendar_facts.py",
    "cells.py",
    "progress.py",
    "data",
    "sectors",
    "synthetic",
    "features",
    "models",
    "evaluation",
    "inventory",
    "report",
    "workflows",
    "ports",
    "replay",
]
FORBIDDEN = {
    "typer",
    "fastapi",
    "sqlalchemy",
    "mlflow",
    "dask",
    "distributed",
    "rich",
    "uvicorn",
    "starlette",
}


def _core_files() -> list[Path]:
    files: list[Path] = []
    for entry in CORE:
        path = SRC / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_core_module_imports_no_framework(path: Path) -> None:
    assert not (_imported_roots(path) & FORBIDDEN)


@pytest.mark.slow
def test_importing_the_core_loads_no_framework() -> None:
    code = (
        "import sys, stockwise, stockwise.data, stockwise.sectors, stockwise.synthetic, "
        "stockwise.workflows.demo, stockwise.workflows.plan, stockwise.inventory; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] "
        f"in {sorted(FORBIDDEN)!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


# -- the layers (an import contract, checked on every import statement, lazy ones too) ----
LAYERS: list[set[str]] = [
    {
        "__init__",
        "__version__",
        "schema",
        "errors",
        "calendar_facts",
        "cells",
        "optional",
        "progress",
        "py",
        "words",
        "locales",
        "model_catalogue",
    },
    {"data", "sectors", "synthetic", "features"},
    {"models", "evaluation"},
    {"inventory", "ports", "hierarchy"},
    {"report"},
    {"adapters", "workflows"},
    {"replay"},
    {"api"},
    {"cli"},
]
"""Lowest first: a package imports only from its own layer or below. ``ports`` holds the
protocols both the workflows and the adapters use, so those two never import each other."""
SIBLINGS_APART = {("adapters", "workflows"), ("workflows", "adapters")}


def _package(parts: tuple[str, ...]) -> str:
    return parts[0].removesuffix(".py") if parts else "__init__"


def _layer(package: str) -> int:
    for index, members in enumerate(LAYERS):
        if package in members:
            return index
    raise AssertionError(f"package {package!r} has no layer in tests/test_architecture.py")


def _stockwise_imports(path: Path) -> set[str]:
    """The stockwise packages a module imports (``from stockwise import x`` names x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "stockwise":
                names = [f"stockwise.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found.update(
            n.split(".")[1] for n in names if n.startswith("stockwise.") and len(n.split(".")) > 1
        )
    return found


@pytest.mark.slow
def test_every_import_goes_down_the_layers() -> None:
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        mine = _package(path.relative_to(SRC).parts)
        for other in _stockwise_imports(path):
            if other == mine:
                continue
            if _layer(other) > _layer(mine) or (mine, other) in SIBLINGS_APART:
                upward.append(f"{path.relative_to(SRC)} imports stockwise.{other}")
    assert upward == []


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from stockwise.workflows.forecast import forecast\n")
    assert _stockwise_imports(module) == {"workflows"}
    assert _layer("workflows") > _layer("inventory")
