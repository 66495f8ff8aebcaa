"""Every row of every real dataset in ../shared/data is accepted (acceptance criterion)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stockwise.data import load_table

DATASETS = ["pbs", "hospital", "rossmann", "aus_retail", "jewelry", "carparts", "m5_hobbies2_ca3"]

pytestmark = pytest.mark.shared_data


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.slow
def test_every_row_is_accepted(shared_data: Path, name: str) -> None:
    folder = shared_data / name
    metadata = json.loads((folder / "metadata.json").read_text())
    result = load_table(folder / f"{name}.parquet")
    report = result.report
    assert report.n_read == metadata["checks"]["rows"]
    assert report.n_quarantined == 0, report.errors.head().to_string()
    assert report.n_accepted == report.n_read
    assert result.data["unique_id"].nunique() == metadata["checks"]["series"]
    assert report.frequency == metadata["frequency"]
