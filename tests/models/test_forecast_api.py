"""stockwise.forecast / stockwise.backtest: the public API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import stockwise
from stockwise.data import sum_duplicates
from stockwise.errors import FrameError
from stockwise.models import SeasonalNaive
from stockwise.workflows.forecast import run_forecast


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    ds = pd.date_range("2018-01-01", periods=60, freq="MS")
    season = 1 + 0.4 * np.sin(2 * np.pi * np.arange(60) / 12)
    sparse = np.where(rng.random(60) < 0.2, rng.integers(1, 6, 60), 0).astype(float)
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": "smooth", "ds": ds, "y": 100 * season + rng.normal(0, 4, 60)}
            ),
            pd.DataFrame({"unique_id": "sparse", "ds": ds, "y": sparse}),
            pd.DataFrame({"unique_id": "short", "ds": ds[-3:], "y": [2.0, 3.0, 2.0]}),
            pd.DataFrame({"unique_id": "zeros", "ds": ds, "y": 0.0}),
        ],
        ignore_index=True,
    )


PANEL = _panel()


@pytest.fixture(scope="module")
def auto_run():
    return run_forecast(PANEL, h=6, freq="M", levels=(80, 95), n_windows=2)


@pytest.mark.slow
def test_auto_forecast_shape_and_columns(auto_run) -> None:
    out = auto_run.forecasts
    assert list(out.columns) == [
        "unique_id",
        "ds",
        "forecast",
        "forecast-lo-80",
        "forecast-hi-80",
        "forecast-lo-95",
        "forecast-hi-95",
        "model",
        "note",
    ]
    assert out.groupby("unique_id").size().to_dict() == {
        "short": 6,
        "smooth": 6,
        "sparse": 6,
        "zeros": 6,
    }
    assert not out.duplicated(["unique_id", "ds"]).any()
    values = out.filter(like="forecast").to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (out.groupby("unique_id")["ds"].min() == pd.Timestamp("2023-01-01")).all()


def test_auto_tries_class_candidates_and_reports_the_choice(auto_run) -> None:
    tried = auto_run.metrics.groupby("unique_id")["model"].agg(set)
    assert {"CrostonSBA", "TSB"} <= tried["sparse"]
    assert "CrostonSBA" not in tried["smooth"] and "AutoETS" in tried["smooth"]
    assert {"SeasonalNaive", "Ensemble"} <= tried["smooth"]
    chosen = auto_run.selection.set_index("unique_id")
    assert chosen.loc["smooth", "basis"] == "series"
    assert chosen.loc["short", "basis"] != "series"  # too short to judge on its own
    model_of = auto_run.forecasts.groupby("unique_id")["model"].first()
    assert model_of["smooth"] != ""


def test_smooth_seasonal_series_is_forecast_sensibly(auto_run) -> None:
    smooth = auto_run.forecasts[auto_run.forecasts["unique_id"] == "smooth"]
    truth = 100 * (1 + 0.4 * np.sin(2 * np.pi * np.arange(60, 66) / 12))
    assert np.mean(np.abs(smooth["forecast"].to_numpy() - truth)) < 15
    assert (smooth["forecast-lo-95"] <= truth + 15).all()


def test_short_series_falls_back_with_a_note() -> None:
    out = stockwise.forecast(PANEL, h=3, freq="M", models="AutoETS")
    short = out[out["unique_id"] == "short"]
    assert short["model"].iloc[0] != "AutoETS"
    assert "AutoETS" in short["note"].iloc[0]
    assert (out[out["unique_id"] == "smooth"]["model"] == "AutoETS").all()


def test_models_by_name_and_object_and_aggregation() -> None:
    days = pd.date_range("2024-01-01", periods=140, freq="D")
    daily = pd.DataFrame({"unique_id": "d", "ds": days, "y": np.tile([1.0, 2, 3, 4, 5, 6, 7], 20)})
    out = stockwise.forecast(daily, h=2, freq="W", models=["Naive", SeasonalNaive(4)])
    assert len(out) == 2 and (out["ds"].dt.dayofweek == 0).all()
    assert out["forecast"].tolist() == [28.0, 28.0]


def test_backtest_returns_windows_and_metrics() -> None:
    result = stockwise.backtest(
        PANEL[PANEL["unique_id"] != "short"],
        h=6,
        freq="M",
        models=["Naive", "AutoETS"],
        n_windows=2,
        levels=(80,),
    )
    cv, metrics = result
    assert cv.groupby("unique_id")["cutoff"].nunique().eq(2).all()
    assert {"Naive", "AutoETS", "AutoETS-lo-80"} <= set(cv.columns)
    assert set(metrics["model"]) == {"Naive", "AutoETS"}
    assert len(metrics) == 3 * 2
    assert {"mase", "rmsse", "wape", "smape", "coverage_80"} <= set(metrics.columns)
    assert set(result.summary["model"]) == {"Naive", "AutoETS"}


def test_bad_requests_are_explained() -> None:
    with pytest.raises(ValueError, match="finer"):
        stockwise.forecast(PANEL, h=3, freq="D")
    with pytest.raises(ValueError, match="freq must be"):
        stockwise.forecast(PANEL, h=3, freq="fortnightly")
    with pytest.raises(ValueError, match="unknown model"):
        stockwise.forecast(PANEL, h=3, models=["Prophet"])


def test_ensembles_combine_each_series_own_members() -> None:
    from stockwise.workflows.forecast import _add_ensemble, _combine

    cv = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b"],
            "M1": [1.0, 2.0, 10.0],
            "M2": [3.0, 4.0, 20.0],
            "M3": [8.0, 9.0, 60.0],
        }
    )
    members = {"a": ["M1", "M2"], "b": ["M1", "M2", "M3"]}
    assert _add_ensemble(cv, members, "mean")["Ensemble"].tolist() == [2.0, 3.0, 30.0]
    assert _add_ensemble(cv, members, "median")["Ensemble"].tolist() == [2.0, 3.0, 20.0]
    day = pd.Timestamp("2024-01-01")
    parts = [
        pd.DataFrame(
            {
                "unique_id": ["a"],
                "ds": [day],
                "forecast": [v],
                "forecast-lo-80": [v - 1],
                "forecast-hi-80": [v + 1],
            }
        )
        for v in (1.0, 2.0, 6.0)
    ]
    mean = _combine(parts, "mean")
    assert mean[["forecast", "forecast-lo-80", "forecast-hi-80"]].iloc[0].tolist() == [3, 2, 4]
    assert _combine(parts, "median")["forecast"].tolist() == [2.0]
    with pytest.raises(ValueError, match="ensemble must be"):
        stockwise.forecast(PANEL, h=3, ensemble="max")


def test_partial_edge_periods_are_not_forecast_as_low_weeks() -> None:
    # 10 units every day from a Wednesday to a Wednesday three weeks later: the first and
    # last weeks are partial and must not drag the weekly forecast down.
    days = pd.date_range("2024-01-03", "2024-01-24", freq="D")
    daily = pd.DataFrame({"unique_id": "a", "ds": days, "y": 10.0})
    out = stockwise.forecast(daily, h=2, freq="W", models="Naive")
    assert out["forecast"].tolist() == [70.0, 70.0]
    assert out["ds"].iloc[0] == pd.Timestamp("2024-01-22")  # the current, partial week


def test_no_single_member_ensembles_and_segment_ensembles_need_members() -> None:
    from stockwise.workflows.forecast import _ensemble_members, _without_empty_ensembles

    metrics = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b"],
            "model": ["Naive", "AutoETS", "Naive"],
            "mase": [1.0, 0.8, 0.9],
            "mae": [2.0, 1.6, 1.0],
            "n_points": [14, 14, 14],
        }
    )
    members = _ensemble_members(metrics, k=3, metric="mase")
    assert members == {"a": ["AutoETS", "Naive"]}  # "b" has one scored model: no ensemble
    chosen = pd.DataFrame(
        {
            "unique_id": ["a", "b"],
            "model": ["Ensemble", "Ensemble"],
            "score": [0.7, float("nan")],
            "basis": ["series", "segment"],
        }
    )
    fixed = _without_empty_ensembles(chosen, metrics, members, {"a": ["Naive"], "b": ["Naive"]})
    assert fixed["model"].tolist() == ["Ensemble", "Naive"]
    assert "no ensemble" in fixed.loc[1, "basis"]


@pytest.mark.slow
def test_auto_goes_on_when_a_class_s_series_are_all_too_short_to_backtest() -> None:
    """A new product (shorter than the horizon) next to an old slow mover: the smooth
    class's models have no backtest window at all, the run still forecasts both."""
    rng = np.random.default_rng(3)
    ds = pd.date_range("2018-01-01", periods=60, freq="MS")
    sparse = np.where(rng.random(60) < 0.2, rng.integers(1, 6, 60), 0).astype(float)
    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": "sparse", "ds": ds, "y": sparse}),
            pd.DataFrame({"unique_id": "new", "ds": ds[-5:], "y": 50 + rng.normal(0, 3, 5)}),
        ]
    )
    run = run_forecast(frame, h=6, freq="M", levels=(80,), n_windows=2)
    chosen = run.selection.set_index("unique_id")
    assert chosen.loc["new", "basis"] == "no backtest possible"
    assert chosen.loc["sparse", "basis"] != "no backtest possible"
    new = run.forecasts[run.forecasts["unique_id"] == "new"]
    assert len(new) == 6 and (new["forecast"] > 30).all()


def test_final_bands_from_the_backtest_equal_the_models_own_refits() -> None:
    """With as many backtest windows as its conformal refits, a model's final bands are
    taken from the backtest: they must equal what the model makes on its own."""
    import warnings

    from stockwise.models.registry import with_fallback
    from stockwise.workflows.forecast import run_forecast

    rng = np.random.default_rng(11)
    ds = pd.date_range("2021-01-01", periods=60, freq="MS")
    df = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": f"p{i}",
                    "ds": ds,
                    "y": rng.poisson(2 + i, 60) * (rng.random(60) < 0.6),
                }
            )
            for i in range(8)
        ],
        ignore_index=True,
    ).astype({"y": float})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_forecast(
            df,
            6,
            models=["ADIDA", "Naive"],
            levels=(80, 95),
            n_windows=3,
            calibrate=False,
            ensemble_k=1,
        )
        chose = run.forecasts[run.forecasts["model"] == "ADIDA"]
        own = (
            with_fallback("ADIDA", 12, "M", 6)
            .fit(df[df["unique_id"].isin(chose["unique_id"])])
            .predict(6, levels=(80, 95))
        )
    assert chose["unique_id"].nunique() >= 2
    columns = ["ADIDA", "ADIDA-lo-80", "ADIDA-hi-80", "ADIDA-lo-95", "ADIDA-hi-95"]
    ours = chose[
        ["forecast", "forecast-lo-80", "forecast-hi-80", "forecast-lo-95", "forecast-hi-95"]
    ].to_numpy()
    np.testing.assert_allclose(ours, own[columns].to_numpy(), atol=1e-9)


def test_level_is_accepted_as_statsforecast_spells_it() -> None:
    from stockwise.errors import OptionError

    frame = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2024-01-01", periods=60),
            "y": np.tile([3.0, 5.0, 4.0, 6.0, 2.0, 8.0, 7.0], 9)[:60],
        }
    )
    spelled = stockwise.forecast(frame, h=7, models="SeasonalNaive", level=[80])
    plain = stockwise.forecast(frame, h=7, models="SeasonalNaive", levels=[80])
    pd.testing.assert_frame_equal(spelled, plain)
    assert {"forecast-lo-80", "forecast-hi-80"} <= set(spelled.columns)
    with pytest.raises(OptionError, match="not both"):
        stockwise.forecast(frame, h=7, models="SeasonalNaive", levels=[80], level=[95])


def _daily(uid: object = "a", days: int = 30) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": [uid] * days,
            "ds": pd.date_range("2024-01-01", periods=days),
            "y": np.arange(days, dtype=float),
        }
    )


@pytest.mark.parametrize(
    "h, words",
    [
        (2.5, "whole number"),
        (True, "whole number"),
        (0, "from 1 to"),
        (1_000_000, "from 1 to 10,000"),
    ],
)
def test_a_horizon_that_is_not_a_sensible_count_of_periods_is_refused(h, words) -> None:
    with pytest.raises(ValueError, match=words):
        stockwise.forecast(_daily(), h=h, models="SeasonalNaive")
    model = SeasonalNaive(season_length=7).fit(_daily())
    with pytest.raises(ValueError, match=words):
        model.predict(h)


def test_a_whole_float_horizon_is_read_as_that_many_periods() -> None:
    out = stockwise.forecast(_daily(), h=3.0, models="SeasonalNaive")
    assert len(out) == 3


def test_two_rows_for_one_series_and_date_are_refused_not_summed() -> None:
    frame = _daily()
    twice = pd.concat([frame, frame.iloc[[4]]], ignore_index=True)
    with pytest.raises(FrameError, match=r"repeat a \(unique_id, ds\) pair.*'a' on 2024-01-05"):
        stockwise.forecast(twice, h=2, models="SeasonalNaive")
    summed = sum_duplicates(twice)  # only when the caller asks for it
    assert len(summed) == len(frame) and summed["y"].sum() == twice["y"].sum()
    assert len(stockwise.forecast(summed, h=2, models="SeasonalNaive")) == 2


def test_ids_that_differ_only_in_type_are_refused_not_merged() -> None:
    frame = pd.concat([_daily("1"), _daily(1)], ignore_index=True)
    with pytest.raises(ValueError, match="'1' appears as int and str"):
        stockwise.forecast(frame, h=2, models="SeasonalNaive")
    distinct = pd.concat([_daily("a"), _daily(1)], ignore_index=True)
    out = stockwise.forecast(distinct, h=2, models="SeasonalNaive")
    assert sorted(out["unique_id"].unique()) == ["1", "a"]


def test_time_zone_aware_dates_keep_the_shops_calendar_day() -> None:
    naive = stockwise.forecast(_daily(), h=3, models="SeasonalNaive")
    aware = _daily().assign(ds=lambda f: f["ds"].dt.tz_localize("Europe/Paris"))
    text = _daily().assign(ds=lambda f: f["ds"].dt.strftime("%Y-%m-%dT00:00:00+02:00"))
    for frame in (aware, text):
        out = stockwise.forecast(frame, h=3, models="SeasonalNaive")
        pd.testing.assert_frame_equal(out, naive)


def test_a_backtest_longer_than_every_series_is_a_user_error() -> None:
    from stockwise.errors import OptionError

    with pytest.raises(OptionError, match=r"no series is long enough.*--windows"):
        stockwise.backtest(_daily(days=30), h=100, models="Naive", n_windows=2)
