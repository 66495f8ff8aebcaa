"""A new model is one class plus one catalogue entry: by name, in "auto", with fallbacks."""

from __future__ import annotations

import pandas as pd

from stockwise import model_catalogue
from stockwise.model_catalogue import ModelEntry
from stockwise.models.baselines import WindowAverage
from stockwise.models.registry import (
    ALIASES,
    GLOBAL_AUTO,
    MODELS,
    available_models,
    check_model_names,
    default_fallbacks,
    global_candidates,
    make_model,
    with_fallback,
)
from stockwise.workflows.forecast import _candidates


class ShortAverage(WindowAverage):
    """A model only this test knows."""

    @property
    def name(self) -> str:
        return "ShortAverage"


def _smooth_panel(n_series: int = 2) -> pd.DataFrame:
    ds = pd.date_range("2024-01-01", periods=30, freq="W-MON")
    return pd.concat(
        [
            pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": 10.0 + (i + ds.day % 3)})
            for i in range(n_series)
        ]
    )


def test_a_new_entry_is_a_model_everywhere(monkeypatch):
    entry = ModelEntry(
        "ShortAverage",
        ShortAverage,
        aliases=("Short",),
        fallbacks=("WindowAverage", "Naive"),
        candidate_for={"fast": {"smooth": -1}, "best": {"smooth": -1}},  # before the others
    )
    monkeypatch.setitem(model_catalogue.CATALOGUE, entry.name, entry)

    assert "ShortAverage" in available_models() and MODELS["ShortAverage"] is ShortAverage
    assert ALIASES["Short"] == "ShortAverage"
    check_model_names(["Short"])
    assert isinstance(make_model("Short", season_length=7), ShortAverage)
    assert default_fallbacks("Short") == ["WindowAverage", "Naive", "HistoricAverage"]
    chain = with_fallback("ShortAverage")
    assert [m.name for m in chain.models] == [
        "ShortAverage",
        "WindowAverage",
        "Naive",
        "HistoricAverage",
    ]

    per_series = _candidates(_smooth_panel(), "auto", "W-MON", 1)
    assert all(models[0] == "ShortAverage" for models in per_series.values())
    intermittent = model_catalogue.candidates_by_class("fast", ["intermittent"])["intermittent"]
    assert "ShortAverage" not in intermittent


def test_a_global_entry_joins_auto_from_its_panel_size(monkeypatch):
    entry = ModelEntry("ShortAverage", ShortAverage, global_min_series=3, global_by_default=True)
    monkeypatch.setitem(model_catalogue.CATALOGUE, entry.name, entry)
    assert GLOBAL_AUTO["ShortAverage"] == (3, True)
    assert "ShortAverage" not in global_candidates(2)
    assert "ShortAverage" in global_candidates(3)
    per_series = _candidates(_smooth_panel(3), "auto", "W-MON", 1)
    assert all("ShortAverage" in models for models in per_series.values())


def test_the_views_write_through_to_the_catalogue(monkeypatch):
    monkeypatch.setitem(GLOBAL_AUTO, "LSTM", (1, True))
    assert model_catalogue.CATALOGUE["LSTM"].global_min_series == 1
    monkeypatch.undo()
    assert GLOBAL_AUTO["LSTM"] == (100, False)
