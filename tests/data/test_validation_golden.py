"""What validation writes for two messy files stays exactly what it was.

The files in ``golden/`` break most rules at once (several issues per row, a blank row,
ragged lines, duplicates, bounds, a moved weekly date, a formula-looking id, the user's
own French headers). Their accepted rows, quarantine file, issues file, counts and notes
were recorded in ``golden/expected/``; any change to how validation builds its issues or
reasons (for speed or memory) must give the same files, byte for byte.

To record them again after an intended change of wording:
``PYTHONPATH=src python tests/data/test_validation_golden.py``.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from stockwise.cells import write_csv
from stockwise.data import load_table, validation, write_quarantine

GOLDEN = Path(__file__).parent / "golden"
EXPECTED = GOLDEN / "expected"
CASES = {"messy_sales.csv": "sales", "messy_inventory.csv": "inventory"}
AS_OF = "2025-01-01"


def outputs(name: str, work: Path) -> dict[str, str]:
    """The files validation writes for ``golden/<name>`` (validated from a copy in
    ``work``, whose path is replaced by the file name so the text does not depend on it)."""
    source = work / name
    shutil.copy(GOLDEN / name, source)
    table = CASES[name]
    result = load_table(source, table, **({"as_of": AS_OF} if table == "sales" else {}))
    paths = write_quarantine(result, work / "out", Path(name).stem)
    write_csv(result.data, work / "out" / "accepted.csv")
    summary = {
        "n_read": result.report.n_read,
        "n_accepted": result.report.n_accepted,
        "n_quarantined": result.report.n_quarantined,
        "notes": result.report.notes,
        "rule_counts": {f"{s}/{r}": int(n) for (s, r), n in result.report.rule_counts().items()},
    }
    texts = {
        "quarantine": paths["quarantine"].read_text(encoding="utf-8"),
        "issues": paths["issues"].read_text(encoding="utf-8"),
        "accepted": (work / "out" / "accepted.csv").read_text(encoding="utf-8"),
        "summary": json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
    }
    return {key: text.replace(str(source), name) for key, text in texts.items()}


def _expected_path(name: str, key: str) -> Path:
    suffix = "json" if key == "summary" else "csv"
    return EXPECTED / f"{Path(name).stem}.{key}.{suffix}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_validation_writes_what_it_wrote_before(name: str, tmp_path: Path) -> None:
    found = outputs(name, tmp_path)
    for key, text in found.items():
        expected = _expected_path(name, key).read_text(encoding="utf-8")
        assert text == expected, f"{name}: {key} changed"


@pytest.mark.parametrize("name", sorted(CASES))
def test_reasons_made_in_small_chunks_are_the_same(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows' reasons are made a chunk of errors at a time: a chunk edge inside the file
    (every two errors here) must not change a row's reasons or split a row."""
    monkeypatch.setattr(validation, "_REASON_CHUNK", 2)
    found = outputs(name, tmp_path)
    assert found["quarantine"] == _expected_path(name, "quarantine").read_text(encoding="utf-8")


def test_the_golden_files_break_the_rules_they_are_meant_to() -> None:
    summary = json.loads(_expected_path("messy_sales.csv", "summary").read_text())
    rules = {key.split("/")[1] for key in summary["rule_counts"]}
    assert {
        "blank_row",
        "missing_value",
        "unparseable_date",
        "non_numeric",
        "negative",
        "not_a_flag",
        "duplicate_key",
        "future_date",
        "mixed_frequency",
        "above_plausible_maximum",
        "week_anchor_moved",
        "ragged_line",
    } <= rules
    assert summary["n_read"] == summary["n_accepted"] + summary["n_quarantined"]


def _record() -> None:
    EXPECTED.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in CASES:
            for key, text in outputs(name, Path(tmp)).items():
                _expected_path(name, key).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    _record()
    sys.exit(0)
