"""Review forecasts of a replay with known-ahead drivers (planned promotions, prices)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.replay.review_forecasts import RefitSchedule, ReviewForecasts

DAY = pd.Timestamp("2023-08-01")


def promoted(seed: int = 5, days: int = 240) -> pd.DataFrame:
    """Three products selling 4/day, four times as much on promotion days (runs of 3)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    frames = []
    for i in range(3):
        starts = rng.choice(days - 3, 16, replace=False)
        promo = np.zeros(days, dtype=int)
        for s in starts:
            promo[s : s + 3] = 1
        y = rng.poisson(4.0 * (1 + 3 * promo)).astype(float)
        frames.append(pd.DataFrame({"unique_id": f"P{i}", "ds": dates, "y": y, "promo": promo}))
    return pd.concat(frames, ignore_index=True)


def _lift(forecasts: dict[str, pd.DataFrame], history: pd.DataFrame) -> float:
    rows = pd.concat(forecasts.values()).merge(
        history[["unique_id", "ds", "promo"]], on=["unique_id", "ds"]
    )
    means = rows.groupby("promo")["forecast"].mean()
    return float(means[1] / means[0])


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    data = promoted()
    # make sure the forecast window holds promotion days for every product
    window = (data["ds"] >= DAY) & (data["ds"] < DAY + pd.Timedelta(days=14))
    data.loc[window & data["ds"].dt.day.isin([3, 4, 5]), "promo"] = 1
    return data


@pytest.mark.slow
def test_planned_promotions_move_the_forecast_only_when_named(history) -> None:
    with_drivers = ReviewForecasts(history, "LightGBM", horizon=14, exog=("promo",))
    plain = ReviewForecasts(history, "LightGBM", horizon=14)
    assert with_drivers.name == "LightGBM+drivers" and plain.name == "LightGBM"
    assert _lift(with_drivers.at(DAY, DAY), history) > 2.0
    assert _lift(plain.at(DAY, DAY), history) < 1.5


@pytest.mark.slow
def test_no_demand_from_the_fit_day_on_is_seen_but_planned_drivers_are(history) -> None:
    base = ReviewForecasts(history, "LightGBM", horizon=14, exog=("promo",)).at(DAY, DAY)
    later = history["ds"] >= DAY
    changed = history.copy()
    changed.loc[later, "y"] = changed.loc[later, "y"] * 10 + 50
    same = ReviewForecasts(changed, "LightGBM", horizon=14, exog=("promo",)).at(DAY, DAY)
    for uid in base:
        pd.testing.assert_frame_equal(base[uid], same[uid])
    replanned = history.copy()
    replanned.loc[later, "promo"] = 0  # the promotions are cancelled
    calmer = ReviewForecasts(replanned, "LightGBM", horizon=14, exog=("promo",)).at(DAY, DAY)
    total = sum(part["forecast"].sum() for part in base.values())
    assert sum(part["forecast"].sum() for part in calmer.values()) < 0.8 * total


@pytest.mark.slow
def test_planned_values_hold_past_the_end_of_the_history(history) -> None:
    last = history["ds"].max()
    fitted_on = last - pd.Timedelta(days=4)
    out = ReviewForecasts(history, "LightGBM", horizon=14, exog=("promo",)).at(fitted_on, fitted_on)
    assert all(len(part) == 14 for part in out.values())
    assert all(np.isfinite(part["forecast"]).all() for part in out.values())


def test_a_missing_driver_column_is_named(tmp_path: Path, history) -> None:
    with pytest.raises(ValueError, match="price"):
        ReviewForecasts(history, "LightGBM", horizon=14, exog=("promo", "price"))
    from typer.testing import CliRunner

    from stockwise.cli.app import app

    sales = tmp_path / "sales.csv"
    history.to_csv(sales, index=False)
    result = CliRunner().invoke(
        app,
        [
            "replay",
            str(sales),
            "--models",
            "LightGBM",
            "--drivers",
            "promo,price",
            "--days",
            "30",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code != 0 and "price" in result.output


def test_train_window_keeps_only_the_most_recent_days_before_the_fit_day(history) -> None:
    seen: list[pd.DataFrame] = []

    def recording(train: pd.DataFrame, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
        seen.append(train)
        days = pd.date_range(train["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D")
        return pd.DataFrame(
            [
                {"unique_id": uid, "ds": d, "forecast": 1.0}
                for uid in train["unique_id"].unique()
                for d in days
            ]
        )

    ReviewForecasts(history, recording, horizon=7, schedule=RefitSchedule(train_window=30)).at(
        DAY, DAY
    )
    ReviewForecasts(history, recording, horizon=7).at(DAY, DAY)
    windowed, whole = seen
    assert windowed["ds"].min() == DAY - pd.Timedelta(days=30)
    assert windowed["ds"].max() == whole["ds"].max() == DAY - pd.Timedelta(days=1)
    assert windowed.groupby("unique_id").size().eq(30).all()
    assert whole["ds"].min() == history["ds"].min()
