"""The one catalogue of models: every fact about a model in one entry.

A model is one class (in :mod:`stockwise.models`) plus one :class:`ModelEntry` here: its
name, the class (or factory) that builds it, its aliases, the models that catch the series
it fails on, the demand classes "auto" tries it on in each preset, whether it is a global
model (and from how many series "auto" adds it), the extra that installs its library, and
what it costs (too slow on daily data, meaningful on daily data only). The name-keyed
tables the rest of stockwise reads (the registry's ``MODELS``, ``ALIASES``,
``GLOBAL_AUTO``, the candidate tables of each demand class, the forecast workflow's
``SLOW_ON_DAILY``) are views derived from it.

The targets are written as ``"module:attribute"`` and imported on first use, so this module
sits with the leaves: the demand classification (``features``) reads the candidate tables
from it without importing a single model, and a heavy library is imported only when its
model is built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

QUALITIES: tuple[str, ...] = ("fast", "best")
"""Presets of "auto": "fast" (the default) keeps to candidates that cost milliseconds per
series; "best" adds AutoETS, AutoTheta, AutoCES and their median combination on every
frequency and the global gradient-boosted models on daily data too, at a second (monthly)
to several seconds (long daily series) per series (docs/benchmarks/accuracy_preset.md)."""

STANDARD = "standard"
"""The candidate list of each demand class outside the presets of "auto": the classic
choice per class (:func:`stockwise.features.demand_class.candidate_models`)."""

LAST = 100
"""Rank of a candidate listed after every ranked one; among equal ranks, catalogue order."""

Target = str | Callable[..., Any]
Ranks = Mapping[str, int]


@dataclass(frozen=True)
class ModelEntry:
    """What stockwise knows about one model.

    ``target`` builds it: a class or a factory, or ``"module:attribute"`` naming one, imported
    on first use. ``variant`` marks a factory that configures another model's class (it is
    listed with the registered factories, not with the classes). ``fallbacks`` are tried in
    order when the model fails on a series (``SeasonalNaive`` only on seasonal data, and
    ``HistoricAverage`` last, always). ``candidate_for`` maps a preset (``"fast"``,
    ``"best"``, or :data:`STANDARD`) to the demand classes it serves there, each with its
    rank (lower is tried first). A global model has ``global_min_series``: "auto" adds it
    to every series' candidates on panels of that many series, always when
    ``global_by_default``, else where a sector profile names it. ``slow_on_daily`` names
    the presets that leave it out on daily data; ``daily_only`` keeps it out elsewhere.
    """

    name: str
    target: Target
    aliases: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ("Naive",)
    candidate_for: Mapping[str, Ranks] = field(default_factory=dict)
    global_min_series: int | None = None
    global_by_default: bool = False
    extra: str | None = None
    slow_on_daily: frozenset[str] = frozenset()
    daily_only: bool = False
    variant: bool = False

    def build(self) -> Callable[..., Any]:
        """The class or factory, imported now if the entry names it as text."""
        if not isinstance(self.target, str):
            return self.target
        module, _, attribute = self.target.partition(":")
        built: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
        return built


def _everywhere(ranks: Ranks) -> dict[str, Ranks]:
    """The same ranks in both presets of "auto"."""
    return {"fast": ranks, "best": ranks}


_SEASONAL = ("SeasonalNaive", "Naive")
_STATISTICAL = ("AutoETS", "SeasonalNaive", "Naive")
_BEST_EXTRA = {"smooth": LAST, "erratic": LAST, "intermittent": LAST, "lumpy": LAST}

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        "AutoETS",
        "stockwise.models.statistical:AutoETS",
        aliases=("ETS",),
        fallbacks=_SEASONAL,
        candidate_for={
            STANDARD: {"smooth": 0, "erratic": 0},
            "fast": {"smooth": 2, "erratic": 2},
            "best": {**_BEST_EXTRA, "smooth": 2, "erratic": 2},
        },
        slow_on_daily=frozenset({"fast"}),
    ),
    ModelEntry(
        "AutoARIMA",
        "stockwise.models.statistical:AutoARIMA",
        aliases=("ARIMA",),
        fallbacks=_STATISTICAL,
        candidate_for={STANDARD: {"smooth": 2}},
        slow_on_daily=frozenset({"fast", "best"}),
    ),
    ModelEntry(
        "AutoTheta",
        "stockwise.models.statistical:AutoTheta",
        aliases=("Theta",),
        fallbacks=_STATISTICAL,
        candidate_for={
            STANDARD: {"smooth": 1, "erratic": 1},
            "fast": {"smooth": 3, "erratic": 3},
            "best": {**_BEST_EXTRA, "smooth": 3, "erratic": 3},
        },
        slow_on_daily=frozenset({"fast"}),
    ),
    ModelEntry(
        "AutoCES",
        "stockwise.models.statistical:AutoCES",
        aliases=("CES",),
        fallbacks=_STATISTICAL,
        candidate_for={"best": _BEST_EXTRA},
    ),
    ModelEntry(
        "MedianCombo",
        "stockwise.models.combination:MedianCombo",
        aliases=("Combo",),
        fallbacks=_SEASONAL,
        candidate_for={"best": _BEST_EXTRA},
    ),
    ModelEntry(
        "CrostonClassic",
        "stockwise.models.intermittent:CrostonClassic",
        aliases=("Croston",),
    ),
    ModelEntry(
        "CrostonOptimized",
        "stockwise.models.intermittent:CrostonOptimized",
        candidate_for={STANDARD: {"intermittent": 1}, **_everywhere({"intermittent": 5})},
        slow_on_daily=frozenset({"fast"}),
    ),
    ModelEntry(
        "CrostonSBA",
        "stockwise.models.intermittent:CrostonSBA",
        aliases=("SBA",),
        candidate_for={
            STANDARD: {"intermittent": 0, "lumpy": 3},
            **_everywhere({"intermittent": 0, "lumpy": 1}),
        },
    ),
    ModelEntry(
        "TSB",
        "stockwise.models.intermittent:TSB",
        candidate_for={
            STANDARD: {"intermittent": 2, "lumpy": 0},
            **_everywhere({"intermittent": 1, "lumpy": 0}),
        },
    ),
    ModelEntry(
        "ADIDA",
        "stockwise.models.intermittent:ADIDA",
        candidate_for={
            STANDARD: {"intermittent": 3, "lumpy": 1},
            **_everywhere({"intermittent": 6, "lumpy": 4}),
        },
        slow_on_daily=frozenset({"fast"}),
    ),
    ModelEntry(
        "IMAPA",
        "stockwise.models.intermittent:IMAPA",
        candidate_for={
            STANDARD: {"intermittent": 4, "lumpy": 2},
            **_everywhere({"intermittent": 7, "lumpy": 5}),
        },
        slow_on_daily=frozenset({"fast"}),
    ),
    ModelEntry(
        "Naive",
        "stockwise.models.baselines:Naive",
        candidate_for={STANDARD: {"no_demand": 0}, **_everywhere({"no_demand": 0})},
    ),
    ModelEntry(
        "SeasonalNaive",
        "stockwise.models.baselines:SeasonalNaive",
        candidate_for={
            STANDARD: {"smooth": 3, "erratic": 2},
            **_everywhere({"smooth": 5, "erratic": 5}),
        },
    ),
    ModelEntry(
        "WindowAverage",
        "stockwise.models.baselines:WindowAverage",
        aliases=("MovingAverage",),
        candidate_for={
            STANDARD: {"erratic": 3},
            **_everywhere({"erratic": 6, "intermittent": 4}),
        },
    ),
    ModelEntry(
        "HistoricAverage",
        "stockwise.models.baselines:HistoricAverage",
        aliases=("Mean",),
        candidate_for=_everywhere({"intermittent": 3, "lumpy": 3}),
    ),
    ModelEntry(
        "LightGBM",
        "stockwise.models.boosting:LightGBM",
        fallbacks=_SEASONAL,
        global_min_series=50,
        global_by_default=True,
        extra="ml",
    ),
    ModelEntry(
        "XGBoost",
        "stockwise.models.boosting:XGBoost",
        fallbacks=_SEASONAL,
        global_min_series=50,
        global_by_default=True,
        extra="ml",
    ),
    ModelEntry(
        "HoltWinters",
        "stockwise.models.smoothing:HoltWinters",
        fallbacks=_SEASONAL,
        candidate_for=_everywhere({"smooth": 0, "erratic": 0}),
    ),
    ModelEntry(
        "SES",
        "stockwise.models.smoothing:SES",
        candidate_for=_everywhere({"smooth": 4, "erratic": 4, "intermittent": 2, "lumpy": 2}),
    ),
    ModelEntry(
        "HoltWintersMonthDay",
        "stockwise.models.month_day:HoltWintersMonthDay",
        fallbacks=("HoltWinters", *_SEASONAL),
        candidate_for=_everywhere({"smooth": 1, "erratic": 1}),
        daily_only=True,
    ),
    # A fit costs about a minute on 2 cores (docs/benchmarks/lstm_and_gbm.md), and "auto"
    # fits it once per backtest window and once more at the end: it joins on large panels
    # where a sector profile names it (retail does). torch is imported on first fit.
    ModelEntry(
        "LSTM",
        "stockwise.models.lstm:LSTMForecaster",
        aliases=("LSTMForecaster",),
        fallbacks=_SEASONAL,
        global_min_series=100,
        extra="lstm",
    ),
    ModelEntry(
        "LightGBM-tweedie",
        "stockwise.models.boosting:lightgbm_tweedie",
        fallbacks=_SEASONAL,
        global_min_series=50,
        extra="ml",
        variant=True,
    ),
    ModelEntry(
        "LightGBM-direct",
        "stockwise.models.boosting:lightgbm_direct",
        fallbacks=_SEASONAL,
        extra="ml",
        variant=True,
    ),
    ModelEntry(
        "RandomForest",
        "stockwise.models.sklearn_model:random_forest",
        fallbacks=_SEASONAL,
        extra="ml",
        variant=True,
    ),
)

CATALOGUE: dict[str, ModelEntry] = {entry.name: entry for entry in ENTRIES}
"""Every model by its canonical name. Read at each use, so an entry added here (by
:func:`add`, a plugin, or a test) is available by name, in "auto" and in fallbacks."""


def add(entry: ModelEntry) -> None:
    """Make a model known to stockwise (replaces an entry of the same name)."""
    CATALOGUE[entry.name] = entry


def canonical(name: str) -> str:
    """The catalogue name of ``name``, an alias or a name (unknown names as they are)."""
    for entry in CATALOGUE.values():
        if name in entry.aliases:
            return entry.name
    return name


def candidates_by_class(preset: str, classes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each demand class, the models ``preset`` tries there, lowest rank first."""
    entries = list(CATALOGUE.values())
    table: dict[str, tuple[str, ...]] = {}
    for demand_class in classes:
        ranked = [
            (entry.candidate_for[preset][demand_class], position, entry.name)
            for position, entry in enumerate(entries)
            if demand_class in entry.candidate_for.get(preset, {})
        ]
        table[demand_class] = tuple(name for _, _, name in sorted(ranked))
    return table


def slow_on_daily(preset: str) -> set[str]:
    """The models ``preset`` leaves out of "auto" on daily (and hourly) data."""
    return {e.name for e in CATALOGUE.values() if preset in e.slow_on_daily}


def daily_only() -> set[str]:
    """The models "auto" tries on daily data only."""
    return {e.name for e in CATALOGUE.values() if e.daily_only}
