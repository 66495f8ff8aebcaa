"""A missing optional library names the extra that installs it (issue #18), and every
extra named that way exists in pyproject.toml."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.optional import EXTRAS, MissingDependencyError, optional_import

ROOT = Path(__file__).resolve().parents[1]


def test_every_extra_named_is_declared() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    for library, extra in EXTRAS.items():
        assert any(dep.startswith(library) for dep in extras[extra]), (library, extra)
    assert set(EXTRAS.values()) | {"sql", "api", "dask"} <= {
        name.strip() for name in extras["all"][0].split("[")[1].rstrip("]").split(",")}


def test_a_missing_library_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lightgbm", None)  # import lightgbm now fails
    with pytest.raises(MissingDependencyError, match=r"LightGBM needs lightgbm") as caught:
        optional_import("lightgbm", "LightGBM")
    assert "pip install 'stockwise[ml]'" in str(caught.value)
    assert isinstance(caught.value, ImportError)  # callers catching ImportError still do


def test_a_model_without_its_library_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from stockwise.models import LightGBM

    monkeypatch.setitem(sys.modules, "lightgbm", None)
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=90),
                          "y": np.arange(90, dtype=float) % 7})
    with pytest.raises(MissingDependencyError, match=r"stockwise\[ml\]"):
        LightGBM(season_length=7).fit(frame)
