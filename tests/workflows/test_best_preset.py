"""The "best" preset of "auto": the fast candidates plus the statistical trio and its median."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.workflows.forecast import _backtest_candidates, _candidates, backtest, run_forecast

SEASON = 12


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    ds = pd.date_range("2018-01-01", periods=48, freq="MS")
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(48) / SEASON)
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": "smooth", "ds": ds, "y": 80 * season + rng.normal(0, 4, 48)}
            ),
            pd.DataFrame(
                {
                    "unique_id": "smooth2",
                    "ds": ds,
                    "y": 30 * season + np.linspace(0, 10, 48) + rng.normal(0, 2, 48),
                }
            ),
            pd.DataFrame(
                {
                    "unique_id": "sparse",
                    "ds": ds,
                    "y": rng.poisson(0.3, 48) * rng.integers(1, 6, 48).astype(float),
                }
            ),
        ],
        ignore_index=True,
    )


def test_best_adds_the_trio_and_their_median_to_every_class_fast_does_not() -> None:
    panel = _panel()
    best = _candidates(panel, "auto", "M", SEASON, quality="best")
    fast = _candidates(panel, "auto", "M", SEASON, quality="fast")
    for uid in ("smooth", "sparse"):
        assert {"AutoETS", "AutoTheta", "AutoCES", "MedianCombo"} <= set(best[uid])
        assert set(fast[uid]) <= set(best[uid])  # the fast candidates are all still there
        assert "MedianCombo" not in fast[uid] and "AutoCES" not in fast[uid]
    daily = _candidates(panel, "auto", "D", 7, quality="best")
    assert "MedianCombo" in daily["smooth"] and "AutoARIMA" not in daily["smooth"]


@pytest.mark.slow
def test_the_combination_backtest_from_its_members_equals_fitting_it() -> None:
    """The backtest takes the combination from its members' columns: it must be what the
    combination itself forecasts in those windows, points and bands."""
    panel = _panel()
    ids = ["smooth", "smooth2", "sparse"]
    specs = ["AutoETS", "AutoTheta", "AutoCES", "MedianCombo"]
    derived = _backtest_candidates(
        panel, dict.fromkeys(ids, specs), 6, 2, SEASON, levels=(80,), freq="M"
    )
    fitted = backtest(
        panel, 6, "M", models=["MedianCombo"], n_windows=2, season_length=SEASON, levels=(80,)
    ).forecasts
    key = ["unique_id", "ds", "cutoff"]
    joined = derived.merge(fitted, on=key, suffixes=("", "_fit"))
    assert len(joined) == len(fitted) == 3 * 2 * 6
    for column in ("MedianCombo", "MedianCombo-lo-80", "MedianCombo-hi-80"):
        np.testing.assert_allclose(joined[column], joined[f"{column}_fit"], rtol=1e-9)


@pytest.mark.slow
def test_best_backtests_the_combination_and_can_serve_it() -> None:
    run = run_forecast(
        _panel(),
        h=6,
        freq="M",
        season_length=SEASON,
        models="auto",
        levels=(80, 95),
        quality="best",
    )
    assert "MedianCombo" in set(run.metrics["model"])
    out = run.forecasts
    assert out.groupby("unique_id").size().eq(6).all()
    assert (out[["forecast", "forecast-lo-80", "forecast-hi-95"]] >= 0).all().all()
