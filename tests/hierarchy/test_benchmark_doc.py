"""The hierarchy harness rewrites its tables and keeps the analysis written below them."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_the_hand_written_part_survives_a_rewrite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.syspath_prepend(str(REPO))
    harness = pytest.importorskip("benchmarks.hierarchy")
    monkeypatch.setattr(harness, "markdown", lambda results, info, command: f"tables {command}\n")
    doc = tmp_path / "hierarchy.md"
    doc.write_text(f"tables old\n{harness.KEPT}\nwhat was tried\n")
    harness.write_doc([], {}, "new", doc)
    assert doc.read_text() == f"tables new\n\n{harness.KEPT}\nwhat was tried\n"
    fresh = tmp_path / "fresh.md"
    harness.write_doc([], {}, "first", fresh)
    assert fresh.read_text() == "tables first\n"
