"""The README's Python example runs as written (on a generated French-style export)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stockwise.synthetic import generate

    sales = generate(sectors=("retail",), n_products=2, n_days=60, seed=3).sales
    sales.rename(columns={"ds": "Date", "y": "Ventes"}).to_csv(tmp_path / "ventes.csv", index=False)
    monkeypatch.chdir(tmp_path)
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), str(README), "exec"), namespace)
    assert namespace["result"].report.n_quarantined == 0  # type: ignore[attr-defined]
    assert set(namespace["fc"].columns) >= {"forecast", "model"}  # type: ignore[attr-defined]
