"""The forecast options as one frozen object: checked when built, the same run whether
given as a config or as keywords, refused when misspelt, and able to travel to a worker."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest

import stockwise
from stockwise.errors import OptionError
from stockwise.workflows.forecast import run_forecast
from stockwise.workflows.forecast_config import ForecastConfig, SectorRunConfig
from stockwise.workflows.sector_runs import backtest_sectors, forecast_sectors


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    days = pd.date_range("2024-01-01", periods=90, freq="D")
    return pd.concat(
        [
            pd.DataFrame({"unique_id": uid, "ds": days, "y": rng.poisson(rate, len(days))})
            for uid, rate in (("a", 4.0), ("b", 9.0), ("c", 1.5))
        ],
        ignore_index=True,
    )


@pytest.mark.parametrize(
    ("options", "sentence"),
    [
        ({"ensemble": "max"}, "ensemble must be one of mean, median, not 'max'"),
        ({"quality": "perfect"}, "quality must be one of fast, best, not 'perfect'"),
        ({"metric": "r2"}, "metric must be one of"),
        ({"n_windows": 0}, "n_windows must be a whole number of at least 1, not 0"),
        ({"ensemble_k": 1.5}, "ensemble_k must be a whole number of at least 1, not 1.5"),
        ({"freq": "fortnight"}, "not 'fortnight'"),
        ({"season_length": -7}, "season_length must be a whole number of at least 1"),
        ({"max_gap_days": 0}, "max_gap_days must be a whole number of at least 1"),
        ({"levels": (80, 120)}, "levels must be percentages between 0 and 100"),
        ({"models": []}, "models is empty"),
        ({"cold_start": "soon"}, "cold_start must be True, False, a number of periods"),
        ({"freq": 7}, "freq must be a frequency such as 'D' or 'W', not 7"),
    ],
)
def test_a_config_says_what_is_wrong_when_it_is_built(options: dict, sentence: str) -> None:
    with pytest.raises(OptionError, match=sentence.replace("(", r"\(").replace(")", r"\)")):
        ForecastConfig(**options)


def test_a_config_gives_the_same_forecast_as_its_keywords(sales: pd.DataFrame) -> None:
    options = {"models": ["Naive", "HistoricAverage"], "levels": (80,), "n_windows": 1}
    by_keywords = stockwise.forecast(sales, 7, "D", **options)
    by_config = stockwise.forecast(sales, 7, config=ForecastConfig(freq="D", **options))
    pd.testing.assert_frame_equal(by_keywords, by_config)
    assert {"forecast-lo-80", "forecast-hi-80"} <= set(by_config.columns)


def test_keywords_override_the_config_they_are_given_with(sales: pd.DataFrame) -> None:
    config = ForecastConfig(models="Naive", levels=(80,))
    run = run_forecast(sales, 7, config=config, levels=(95,), models="HistoricAverage")
    assert "forecast-lo-95" in run.forecasts and "forecast-lo-80" not in run.forecasts
    assert set(run.forecasts["model"]) == {"HistoricAverage"}
    assert config.levels == (80,)  # the config itself is left as it was


def test_a_misspelt_or_foreign_option_is_refused_naming_the_close_one(
    sales: pd.DataFrame,
) -> None:
    with pytest.raises(OptionError, match=r"unknown option 'levls' \(did you mean 'levels'\?\)"):
        stockwise.forecast(sales, 7, levls=(80,))  # type: ignore[call-arg]
    with pytest.raises(OptionError, match="unknown option 'quality'"):
        stockwise.backtest(sales, 7, quality="best")  # type: ignore[call-arg]
    with pytest.raises(OptionError, match="unknown option 'planned'"):
        forecast_sectors(sales, horizon=7, planned=sales)  # type: ignore[call-arg]


def test_level_is_levels_and_both_at_once_are_refused(sales: pd.DataFrame) -> None:
    assert ForecastConfig.of(None, {"level": [80, 95]}).levels == (80, 95)
    with pytest.raises(OptionError, match="levels= or level=, not both"):
        ForecastConfig.of(None, {"level": (80,), "levels": (95,)})


def test_a_config_is_frozen_hashable_and_travels_to_a_worker_process() -> None:
    config = ForecastConfig(models=["AutoETS", "TSB"], levels=[80, 95], exog=["promo"])
    assert config.models == ("AutoETS", "TSB") and config.exog == ("promo",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.n_windows = 3  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config and hash(copy) == hash(config)
    run = SectorRunConfig(config, horizon=14, extra_dirs=("profiles",))
    assert pickle.loads(pickle.dumps(run)) == run and hash(run) == hash(run)


def test_the_command_line_and_the_api_build_the_same_config() -> None:
    as_typed = {  # the command line: text as a person types it, its own keys besides
        "models": "AutoETS, TSB",
        "levels": "80,95",
        "drivers": "promo,price,promo",
        "horizon": 14,
        "n_windows": 3,
        "season_length": None,
        "out": "somewhere",
    }
    as_json = {  # an API request: lists, and the options of a plan run besides
        "models": ["AutoETS", "TSB"],
        "levels": [80, 95],
        "drivers": ["promo", "price"],
        "horizon": 14,
        "n_windows": 3,
        "policy": "RS",
    }
    config = SectorRunConfig.from_request(as_typed)
    assert config == SectorRunConfig.from_request(as_json)
    assert config.forecast.exog == ("promo", "price") and config.forecast.levels == (80, 95)
    assert SectorRunConfig.from_request({"models": "auto"}).forecast.models == "auto"
    assert SectorRunConfig.from_request({}, sector="pharmacy").sector == "pharmacy"


def test_a_sector_run_from_a_config_equals_its_keywords(sales: pd.DataFrame) -> None:
    options = {"horizon": 7, "models": "Naive", "levels": (80,), "n_windows": 1}
    config = SectorRunConfig(ForecastConfig(models="Naive", levels=(80,), n_windows=1), horizon=7)
    pd.testing.assert_frame_equal(
        forecast_sectors(sales, **options).forecasts, forecast_sectors(sales, config).forecasts
    )
    windows, _, summary = backtest_sectors(sales, config)
    assert set(summary["model"]) == {"Naive"} and windows["cutoff"].nunique() == 1


def test_a_tracked_run_records_the_options_as_the_person_gave_them() -> None:
    config = SectorRunConfig.from_request({"horizon": 7, "n_windows": 1})
    forecast = config.tracked("forecast")
    assert forecast["levels"] is None and forecast["models"] == "auto"  # the profile's
    assert config.tracked("backtest")["models"] is None and "quality" not in config.tracked(
        "backtest"
    )


def test_a_forecast_config_serves_a_backtest_which_scores_seasonal_naive_for_auto(
    sales: pd.DataFrame,
) -> None:
    config = ForecastConfig(levels=(80,), n_windows=1)
    result = stockwise.backtest(sales, 7, config=config)
    assert set(result.metrics["model"]) == {"SeasonalNaive"}
    named = stockwise.backtest(sales, 7, config=config, models=["Naive"])
    assert set(named.metrics["model"]) == {"Naive"}


def test_a_sector_backtest_reads_none_as_auto_and_the_callers_candidates(
    sales: pd.DataFrame,
) -> None:
    _, none, _ = backtest_sectors(sales, horizon=7, n_windows=1, models=None)
    _, auto, _ = backtest_sectors(sales, horizon=7, n_windows=1)
    assert set(none["model"]) == set(auto["model"]) and len(set(auto["model"])) > 2
    _, narrowed, _ = backtest_sectors(sales, horizon=7, n_windows=1, restrict_to=("Naive",))
    assert set(narrowed["model"]) == {"SeasonalNaive", "Naive"}


def test_a_request_names_known_ahead_inputs_as_exog_or_drivers_exog_first() -> None:
    text = SectorRunConfig.from_request({"exog": "promo, price"})
    assert text.forecast.exog == ("promo", "price")
    both = SectorRunConfig.from_request({"exog": ["promo"], "drivers": "price"})
    assert both.forecast.exog == ("promo",)
    assert SectorRunConfig.from_request({"drivers": "price"}).forecast.exog == ("price",)
