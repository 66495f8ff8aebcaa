"""DESIGN.md layering: the core imports no edge or adapter framework."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "stockwise"
CORE = ["schema.py", "errors.py", "cells.py", "progress.py", "data", "sectors", "synthetic",
        "features", "models", "evaluation", "inventory", "report", "workflows"]
FORBIDDEN = {"typer", "fastapi", "sqlalchemy", "mlflow", "dask", "distributed", "rich",
             "uvicorn", "starlette"}


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


def test_importing_the_core_loads_no_framework() -> None:
    code = ("import sys, stockwise, stockwise.data, stockwise.sectors, stockwise.synthetic, "
            "stockwise.workflows.demo, stockwise.workflows.plan, stockwise.inventory; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] "
            f"in {sorted(FORBIDDEN)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
