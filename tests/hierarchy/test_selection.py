"""The reconciliation method is chosen by backtest, with nothing from after a cutoff."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.hierarchy import HierarchySpec, aggregate, bottom_attributes, build_structure
from stockwise.hierarchy.selection import BASE, backtest_methods, choose

H = 6


def panel(seed: int = 0):
    """a is 30 % of the total every month, b 70 %; 48 months, seasonal."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2016-01-01", periods=48, freq="MS")
    total = 100 + 30 * np.sin(2 * np.pi * np.arange(48) / 12) + rng.normal(0, 5, 48)
    sales = pd.concat(
        [
            pd.DataFrame({"unique_id": uid, "ds": dates, "y": share * total, "item": uid})
            for uid, share in (("a", 0.3), ("b", 0.7))
        ],
        ignore_index=True,
    )
    spec = HierarchySpec.parse("item")
    structure = build_structure(bottom_attributes(sales, spec), spec)
    return aggregate(sales, structure), structure


def backtest(
    history: pd.DataFrame, noisy: set[str], seed: int = 1, windows: int = 4
) -> pd.DataFrame:
    """Windows of H months at the end: exact forecasts, except the ``noisy`` series."""
    rng = np.random.default_rng(seed)
    dates = np.sort(history["ds"].unique())
    parts = []
    for k in range(windows, 0, -1):
        cutoff = dates[-k * H - 1]
        rows = history[(history["ds"] > cutoff) & (history["ds"] <= dates[-k * H - 1 + H])]
        rows = rows[["unique_id", "ds", "y"]].assign(cutoff=cutoff)
        noise = rng.normal(0, 15, len(rows)) * rows["unique_id"].isin(noisy)
        parts.append(rows.assign(forecast=np.clip(rows["y"] + noise, 0, None)))
    return pd.concat(parts, ignore_index=True)


def test_exact_total_and_stable_shares_choose_top_down() -> None:
    history, structure = panel()
    cv = backtest(history, noisy={"a", "b"})
    result = backtest_methods(
        cv,
        history,
        structure,
        ["bottom_up", "top_down_history", "ols"],
        season_length=12,
        window=12,
    )
    assert result.chosen == "top_down_history"
    assert result.scores["top_down_history"] < result.scores["bottom_up"]
    bottom = result.accuracy[result.accuracy["level"] == "item"].set_index("model")["mase"]
    assert bottom["top_down_history"] < bottom[BASE]


def test_exact_bottom_and_a_noisy_total_choose_bottom_up() -> None:
    history, structure = panel()
    cv = backtest(history, noisy={"total"})
    result = backtest_methods(
        cv,
        history,
        structure,
        ["bottom_up", "top_down_forecast", "ols"],
        season_length=12,
        window=12,
    )
    assert result.chosen == "bottom_up"
    top = result.accuracy[result.accuracy["level"] == "total"].set_index("model")["mase"]
    assert top["bottom_up"] < top[BASE]


def test_methods_needing_residuals_skip_the_first_window() -> None:
    history, structure = panel()
    cv = backtest(history, noisy={"a", "b", "total"}, windows=3)
    result = backtest_methods(
        cv, history, structure, ["bottom_up", "mint_shrink"], season_length=12, window=12
    )
    assert sorted(result.forecasts["cutoff"].unique()) == sorted(cv["cutoff"].unique())[1:]
    one = backtest_methods(
        cv[cv["cutoff"] == cv["cutoff"].min()],
        history,
        structure,
        ["bottom_up", "mint_shrink"],
        season_length=12,
        window=12,
    )
    assert "mint_shrink" in one.skipped and one.chosen == "bottom_up"


def test_no_window_sees_later_errors() -> None:
    history, structure = panel()
    cv = backtest(history, noisy={"a", "b", "total"})
    cutoffs = sorted(cv["cutoff"].unique())
    methods = ["mint_shrink", "wls_var", "top_down_history"]
    before = backtest_methods(cv, history, structure, methods, 12, 12).forecasts
    changed = cv.copy()
    third = changed["cutoff"] == cutoffs[2]
    changed.loc[third, "forecast"] += np.random.default_rng(9).normal(0, 40, third.sum())
    changed.loc[third, "forecast"] = changed.loc[third, "forecast"].clip(lower=0)
    after = backtest_methods(changed, history, structure, methods, 12, 12).forecasts
    for cutoff, moves in ((cutoffs[1], False), (cutoffs[3], True)):
        old = before[before["cutoff"] == cutoff][methods[:2]].to_numpy()
        new = after[after["cutoff"] == cutoff][methods[:2]].to_numpy()
        assert (not np.allclose(old, new)) is moves
    # a window's own actuals never reach its forecasts, only the later windows'
    actuals = cv.copy()
    actuals.loc[third, "y"] *= 1.5
    moved = backtest_methods(actuals, history, structure, methods, 12, 12).forecasts
    for cutoff, moves in ((cutoffs[2], False), (cutoffs[3], True)):
        old = before[before["cutoff"] == cutoff][methods[:2]].to_numpy()
        new = moved[moved["cutoff"] == cutoff][methods[:2]].to_numpy()
        assert (not np.allclose(old, new)) is moves


def test_windows_lacking_a_series_are_refused_when_none_is_complete() -> None:
    history, structure = panel()
    cv = backtest(history, noisy=set())
    with pytest.raises(Exception, match="every series of every level"):
        backtest_methods(cv[cv["unique_id"] != "a"], history, structure, ["bottom_up"], 12, 12)


def accuracy_of(mase: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """An accuracy table over the levels total / item (middle) / bottom of a made-up
    hierarchy, one (top, middle, bottom) MASE triple per model."""
    return pd.DataFrame(
        [
            {"level": level, "model": model, "mase": value}
            for model, values in mase.items()
            for level, value in zip(("total", "item", "bottom"), values, strict=True)
        ]
    )


class Levels:
    level_names = ("total", "item", "bottom")


def test_the_best_total_wins_among_methods_no_worse_at_the_bottom() -> None:
    table = choose(
        accuracy_of(
            {
                BASE: (0.30, 0.50, 0.70),
                "bottom_up": (0.35, 0.52, 0.70),
                "mint_shrink": (0.25, 0.40, 0.71),  # best total, but worse at the bottom
                "wls_var": (0.28, 0.60, 0.69),
                "top_down_forecast": (0.30, 0.45, 0.65),  # best mean over levels
            }
        ),
        Levels(),  # type: ignore[arg-type]
    )
    assert table.index[table["chosen"]].tolist() == ["wls_var"]
    assert not table.loc["mint_shrink", "bottom_not_worse"]
    assert table.loc["bottom_up", "bottom_not_worse"]  # a tie qualifies
    assert table.loc["wls_var", "mean_level_mase"] == pytest.approx((0.28 + 0.60 + 0.69) / 3)


def test_a_tie_at_the_top_goes_to_the_lowest_mean_over_levels() -> None:
    table = choose(
        accuracy_of(
            {
                BASE: (0.30, 0.50, 0.70),
                "top_down_history": (0.30, 0.90, 0.69),
                "top_down_forecast": (0.30, 0.45, 0.68),
                "ols": (0.31, 0.40, 0.60),
            }
        ),
        Levels(),  # type: ignore[arg-type]
    )
    assert table.index[table["chosen"]].tolist() == ["top_down_forecast"]


def test_with_no_method_as_good_at_the_bottom_the_mean_over_levels_decides() -> None:
    table = choose(
        accuracy_of(
            {
                BASE: (0.30, 0.50, 0.70),
                "ols": (0.20, 0.60, 0.90),
                "mint_shrink": (0.29, 0.45, 0.75),
            }
        ),
        Levels(),  # type: ignore[arg-type]
    )
    assert not table["bottom_not_worse"].drop(BASE).any()
    assert table.index[table["chosen"]].tolist() == ["mint_shrink"]
