"""A missing optional library names the extra that installs it (issue #18), and every
extra named that way exists in pyproject.toml."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.optional import DISTRIBUTIONS, EXTRAS, MissingDependencyError, optional_import

ROOT = Path(__file__).resolve().parents[1]


def test_every_extra_named_is_declared() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for library, extra in EXTRAS.items():
        name = DISTRIBUTIONS.get(library, library)
        listed = list(extras[extra])  # with the extras it includes (api brings report)
        listed += [
            d
            for dep in extras[extra]
            if dep.startswith("stockwise[")
            for inner in dep[len("stockwise[") : -1].split(",")
            for d in extras[inner]
        ]
        assert any(dep.startswith(name) for dep in listed), (library, extra)
    assert set(EXTRAS.values()) | {"sql", "api", "dask"} <= {
        name.strip() for name in extras["all"][0].split("[")[1].rstrip("]").split(",")
    }


def test_a_missing_library_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lightgbm", None)  # import lightgbm now fails
    with pytest.raises(MissingDependencyError, match=r"LightGBM needs lightgbm") as caught:
        optional_import("lightgbm", "LightGBM")
    assert "pip install 'stockwise[ml]'" in str(caught.value)
    assert isinstance(caught.value, ImportError)  # callers catching ImportError still do


def test_a_model_without_its_library_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from stockwise.models import LightGBM

    monkeypatch.setitem(sys.modules, "lightgbm", None)
    frame = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2024-01-01", periods=90),
            "y": np.arange(90, dtype=float) % 7,
        }
    )
    with pytest.raises(MissingDependencyError, match=r"stockwise\[ml\]"):
        LightGBM(season_length=7).fit(frame)


def test_a_missing_module_an_extra_brings_is_said_with_the_extra() -> None:
    from stockwise.optional import missing_extra

    said = missing_extra(
        ModuleNotFoundError("No module named 'sklearn'", name="sklearn.base"), "The random forest"
    )
    assert said is not None
    assert "The random forest needs the optional library scikit-learn" in str(said)
    assert "pip install 'stockwise[ml]'" in str(said)
    assert missing_extra(ModuleNotFoundError("x", name="no_such_module")) is None


def test_the_cli_prints_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich must not take "[report]" in the hint for markup and swallow it."""
    from typer.testing import CliRunner

    from stockwise.cli.app import app

    monkeypatch.setitem(sys.modules, "pydantic_settings", None)
    monkeypatch.delitem(sys.modules, "stockwise.api.settings", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2, result.output
    assert "pip install 'stockwise[api]'" in result.output
