"""Per-series selection, segment fallback and shrinkage toward the segment."""

from __future__ import annotations

import pandas as pd

from stockwise.evaluation.selection import select_models


def _metrics(rows: list[tuple[str, str, float, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unique_id", "model", "mase", "n_points"])
    return frame.assign(mae=frame["mase"])


def test_per_series_winner_and_segment_fallback_for_short_series() -> None:
    metrics = _metrics(
        [
            ("a", "ETS", 0.5, 24),
            ("a", "Naive", 0.9, 24),
            ("b", "ETS", 0.9, 24),
            ("b", "Naive", 0.4, 24),
            ("c", "ETS", 0.1, 2),
            ("c", "Naive", 0.2, 2),
        ]
    )
    segments = pd.Series({"a": "smooth", "b": "smooth", "c": "smooth"})
    chosen = select_models(metrics, segments=segments, min_points=12).set_index("unique_id")
    assert chosen.loc["a", "model"] == "ETS" and chosen.loc["b", "model"] == "Naive"
    # c has too few points: its segment's mean favours Naive (0.65) over ETS (0.7)
    assert chosen.loc["c", "model"] == "Naive" and chosen.loc["c", "basis"] == "segment"


def test_shrinkage_overrules_a_narrow_series_win_but_not_a_clear_one() -> None:
    # Segment: ETS is far better on average. Series x prefers Naive by a hair, y by a lot.
    rows = [(u, "ETS", 0.5, 24) for u in "pqrs"] + [(u, "Naive", 1.5, 24) for u in "pqrs"]
    rows += [
        ("x", "ETS", 1.00, 24),
        ("x", "Naive", 0.95, 24),
        ("y", "ETS", 3.00, 24),
        ("y", "Naive", 0.50, 24),
    ]
    segments = pd.Series(dict.fromkeys("pqrsxy", "smooth"))
    plain = select_models(_metrics(rows), segments=segments).set_index("unique_id")
    shrunk = select_models(_metrics(rows), segments=segments, prior_points=24).set_index(
        "unique_id"
    )
    assert plain.loc["x", "model"] == "Naive" and shrunk.loc["x", "model"] == "ETS"
    assert shrunk.loc["y", "model"] == "Naive"
    assert shrunk.loc["x", "score"] == 1.00  # the reported score stays the series' own


def test_a_default_combination_is_kept_unless_another_model_beats_it_by_the_margin() -> None:
    rows = [
        ("a", "Combo", 1.00, 24),
        ("a", "ETS", 0.95, 24),  # 5 % better: not enough
        ("b", "Combo", 1.00, 24),
        ("b", "ETS", 0.80, 24),  # 20 % better: a clear win
        ("c", "Combo", 0.70, 24),
        ("c", "ETS", 0.90, 24),  # the combination wins anyway
        ("d", "ETS", 0.50, 24),
        ("d", "Naive", 0.60, 24),
    ]  # no combination scored
    chosen = select_models(_metrics(rows), default="Combo", margin=0.1).set_index("unique_id")
    plain = select_models(_metrics(rows)).set_index("unique_id")
    assert plain.loc["a", "model"] == "ETS"
    assert chosen.loc["a", "model"] == "Combo" and chosen.loc["a", "score"] == 1.00
    assert chosen.loc["a", "basis"] == "series, default"
    assert chosen.loc["b", "model"] == "ETS" and chosen.loc["c", "model"] == "Combo"
    assert chosen.loc["d", "model"] == "ETS"


def test_a_challenger_must_beat_the_default_combination_by_the_margin_in_every_window() -> None:
    rows = [
        ("a", "Combo", 1.00, 24),
        ("a", "ETS", 0.70, 24),  # 30 % better on the mean, through one window only
        ("b", "Combo", 1.00, 24),
        ("b", "ETS", 0.70, 24),  # 30 % better, in both windows
        ("c", "Combo", 1.00, 24),
        ("c", "ETS", 0.70, 24),  # better in both windows, by under 10 % in the second
    ]
    windows = pd.DataFrame(
        [
            ("a", "Combo", 1, 1.6),
            ("a", "Combo", 2, 0.4),
            ("a", "ETS", 1, 0.9),
            ("a", "ETS", 2, 0.5),  # loses the second window
            ("b", "Combo", 1, 1.0),
            ("b", "Combo", 2, 1.0),
            ("b", "ETS", 1, 0.7),
            ("b", "ETS", 2, 0.7),
            ("c", "Combo", 1, 1.0),
            ("c", "Combo", 2, 1.0),
            ("c", "ETS", 1, 0.45),
            ("c", "ETS", 2, 0.95),
        ],
        columns=["unique_id", "model", "cutoff", "mae"],
    )
    by_mean = select_models(_metrics(rows), default="Combo", margin=0.1).set_index("unique_id")
    steady = select_models(_metrics(rows), default="Combo", margin=0.1, windows=windows).set_index(
        "unique_id"
    )
    assert by_mean.loc["a", "model"] == "ETS"
    assert steady.loc["a", "model"] == "Combo" and steady.loc["a", "basis"] == "series, default"
    assert steady.loc["b", "model"] == "ETS"
    assert by_mean.loc["c", "model"] == "ETS" and steady.loc["c", "model"] == "Combo"
