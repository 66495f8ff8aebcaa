"""LightGBM, XGBoost and scikit-learn regressors as global forecasters with drivers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stockwise
from stockwise.errors import InputError
from stockwise.features.spec import FeatureSpec
from stockwise.models.boosting import LightGBM, XGBoost
from stockwise.models.persistence import load_model, read_manifest, save_model
from stockwise.models.registry import global_candidates, make_model
from stockwise.models.sklearn_model import SklearnRegressor

H = 14
SMALL = {"n_estimators": 60, "season_length": 7}


def _panel(n_series: int = 6, days: int = 160, seed: int = 0) -> pd.DataFrame:
    """Weekly season, promotions that double sales, a price, a sparse text event."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2023-01-02", periods=days, freq="D")
    parts = []
    for i in range(n_series):
        promo = (rng.random(days) < 0.25).astype(int)
        level = 5 + 3 * i
        mean = level * (1 + 0.4 * np.sin(2 * np.pi * np.arange(days) / 7)) * (1 + promo)
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": f"s{i}",
                    "ds": ds,
                    "y": rng.poisson(mean).astype(float),
                    "promo": promo,
                    "price": 9.99 - promo,
                    "group": "a" if i % 2 else "b",
                    "event": np.where(rng.random(days) < 0.05, "fair", None),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


PANEL = _panel()
TRAIN = PANEL[PANEL["ds"] < PANEL["ds"].max() - pd.Timedelta(days=H - 1)]
FUTURE = PANEL[PANEL["ds"] > TRAIN["ds"].max()].drop(columns="y")


@pytest.mark.parametrize(
    "model",
    [LightGBM(**SMALL), XGBoost(**SMALL), SklearnRegressor(season_length=7)],
    ids=["LightGBM", "XGBoost", "RandomForest"],
)
@pytest.mark.slow
def test_saved_models_reload_and_predict_identically(model, tmp_path: Path) -> None:
    model.fit(TRAIN)
    first = model.predict(H, X_df=FUTURE, levels=(80, 95))
    folder = save_model(model, tmp_path / "m")
    manifest = read_manifest(folder)
    assert manifest["params"]["season_length"] == 7 and manifest["size_bytes"] > 0
    assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.pickle"))
    loaded = load_model(folder)
    assert not hasattr(loaded, "train_")  # the training data is not in the artifact
    pd.testing.assert_frame_equal(loaded.predict(H, X_df=FUTURE, levels=(80, 95)), first)
    with pytest.raises(stockwise.models.NotFittedError, match="h=7"):
        loaded.predict(7, X_df=FUTURE, levels=(80,))  # interval errors saved for h=14 only


def test_promotions_are_used_and_forecasts_stay_non_negative() -> None:
    model = LightGBM(**SMALL).fit(TRAIN)
    assert model.spec_.promo == ("promo",) and model.spec_.price == ("price",)
    assert sorted(model.spec_.events) == ["event", "group"]
    on = model.predict(H, X_df=FUTURE.assign(promo=1, price=8.99))
    off = model.predict(H, X_df=FUTURE.assign(promo=0, price=9.99))
    assert (on["LightGBM"] >= 0).all() and (off["LightGBM"] >= 0).all()
    assert on["LightGBM"].sum() > 1.5 * off["LightGBM"].sum()


def test_missing_future_inputs_name_the_column() -> None:
    model = XGBoost(**SMALL, exog=["promo"]).fit(TRAIN)
    with pytest.raises(InputError, match="'promo'"):
        model.predict(H)
    with pytest.raises(InputError, match="column 'promo'"):
        model.predict(H, X_df=FUTURE.drop(columns="promo"))
    short = FUTURE[FUTURE["ds"] < FUTURE["ds"].max()]
    with pytest.raises(InputError, match=r"'promo'.* 6 of 84 .*first s0 on"):
        model.predict(H, X_df=short)
    with pytest.raises(InputError, match="'discount' is not in the training data"):
        LightGBM(**SMALL, exog=["discount"]).fit(TRAIN)


@pytest.mark.slow
def test_future_target_values_cannot_leak_into_a_forecast() -> None:
    """Forecasts from a cutoff depend on the inputs after it, never on y after it."""
    model = LightGBM(**SMALL).fit(TRAIN)
    base = model.predict(H, X_df=FUTURE)
    poisoned = FUTURE.assign(y=1e6)  # a stray y column in X_df is not an input
    pd.testing.assert_frame_equal(model.predict(H, X_df=poisoned), base)
    result = stockwise.backtest(
        PANEL, h=H, models=["LightGBM"], n_windows=1, exog=["promo", "price"]
    )
    altered = PANEL.copy()
    last = altered["ds"] > TRAIN["ds"].max()
    altered.loc[last, "y"] = altered.loc[last, "y"] * 50
    again = stockwise.backtest(
        altered, h=H, models=["LightGBM"], n_windows=1, exog=["promo", "price"]
    )
    pd.testing.assert_series_equal(result.forecasts["LightGBM"], again.forecasts["LightGBM"])


@pytest.mark.parametrize("objective", ["tweedie", "poisson", "auto"])
def test_count_objectives_on_intermittent_demand(objective: str) -> None:
    rng = np.random.default_rng(5)
    ds = pd.date_range("2022-01-03", periods=200, freq="D")
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": f"i{i}",
                    "ds": ds,
                    "y": (rng.random(200) < 0.15) * rng.integers(1, 4, 200).astype(float),
                }
            )
            for i in range(8)
        ]
    )
    model = LightGBM(**SMALL, objective=objective).fit(frame)
    assert model.objective_ == ("tweedie" if objective == "auto" else objective)
    assert model.transform_names_ == ("scale",)
    out = model.predict(28, levels=(90,))
    assert (out["LightGBM-lo-90"] >= 0).all() and (out["LightGBM"] >= 0).all()
    assert out["LightGBM"].mean() == pytest.approx(frame["y"].mean(), rel=0.35)
    with pytest.raises(ValueError, match="needs y >= 0"):
        LightGBM(**SMALL, objective="poisson").fit(frame.assign(y=frame["y"] - 1))


def test_one_model_per_group_and_explicit_spec() -> None:
    spec = FeatureSpec(
        lags=(1, 7),
        rolling_windows=(7,),
        calendar=("dayofweek",),
        promo=("promo",),
        target_transforms=("scale", "diff_7"),
    )
    model = XGBoost(**SMALL, features=spec, group_col="group").fit(TRAIN)
    assert sorted(model.estimators_) == ["a", "b"]
    assert model.spec_.feature_names() == [
        "lag_1",
        "lag_7",
        "rolling_mean_7",
        "rolling_std_7",
        "expanding_mean",
        "cal_dayofweek",
        "promo",
        "promo_sum7",
    ]
    out = model.predict(H, X_df=FUTURE)
    assert out.groupby("unique_id").size().eq(H).all() and (out["XGBoost"] >= 0).all()


def test_any_sklearn_regressor_can_be_wrapped() -> None:
    from sklearn.linear_model import Ridge

    model = SklearnRegressor(Ridge(alpha=1.0), season_length=7).fit(TRAIN)
    assert model.name == "Ridge" and not model.handles_missing
    out = model.predict(H, X_df=FUTURE, levels=(80,))
    assert np.isfinite(out.iloc[:, 2:].to_numpy()).all()
    twin = model.clone()
    assert twin.estimator is model.estimator and not hasattr(twin, "estimators_")
    assert make_model("RandomForest", season_length=7).name == "RandomForest"


def test_auto_adds_global_models_only_on_large_panels() -> None:
    assert global_candidates(10) == []
    assert global_candidates(60) == ["LightGBM", "XGBoost"]
    assert global_candidates(60, restrict_to=["AutoETS", "LightGBM-tweedie"]) == [
        "LightGBM-tweedie"
    ]


@pytest.mark.slow
def test_forecast_workflow_passes_future_inputs() -> None:
    from stockwise.workflows.forecast import run_forecast

    run = run_forecast(
        TRAIN,
        h=H,
        models=["LightGBM", "SeasonalNaive"],
        exog=["promo", "price"],
        X_df=FUTURE,
        levels=(80,),
    )
    assert set(run.forecasts["model"]) <= {"LightGBM", "SeasonalNaive"}
    assert len(run.forecasts) == 6 * H
    with pytest.raises(stockwise.errors.OptionError, match="need their future values"):
        stockwise.forecast(TRAIN, h=H, models="LightGBM", exog=["promo"])


@pytest.mark.slow
def test_loading_refuses_functions_and_paths_outside_the_model(tmp_path: Path, monkeypatch) -> None:
    """A saved model is data: skops may only rebuild library classes (a function named in
    the file would be called with arguments from the file), and file names in model.json
    must stay inside the folder."""
    import json

    import skops.io as sio

    from stockwise.models.sklearn_model import _library_class

    assert _library_class("sklearn.tree._tree.Tree")
    assert not _library_class("builtins.exec")
    assert not _library_class("numpy.load")  # a function, even from numpy
    assert not _library_class("os.system")
    model = SklearnRegressor(season_length=7).fit(TRAIN)
    folder = save_model(model, tmp_path / "rf")
    monkeypatch.setattr(
        sio, "get_untrusted_types", lambda file: ["sklearn.tree._tree.Tree", "builtins.exec"]
    )
    with pytest.raises(ValueError, match=r"builtins\.exec"):
        load_model(folder)
    monkeypatch.undo()
    meta_file = folder / "model.json"
    meta = json.loads(meta_file.read_text())
    key = next(iter(meta["estimators"]))
    meta["estimators"][key] = "../elsewhere.skops"
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="plain file name"):
        load_model(folder)


@pytest.mark.slow
def test_empty_driver_values_are_filled_and_said(caplog) -> None:
    train = TRAIN.copy()
    train.loc[train.index[:5], "price"] = np.nan
    with caplog.at_level("WARNING", logger="stockwise.workflows.forecast"):
        out = stockwise.forecast(
            train, h=H, models="LightGBM", exog=["promo", "price"], X_df=FUTURE
        )
    assert len(out) == 6 * H and (out["forecast"] >= 0).all()
    assert "'price' is empty on 5 of" in caplog.text


@pytest.mark.slow
def test_backtest_with_bands_fits_once_per_cutoff_and_equals_the_refits(monkeypatch) -> None:
    """A global model's conformal refits inside each window are the backtest's own earlier
    windows: sharing them must give the same points and bands with fewer fits, also when
    series end on different dates (one fit per distinct cutoff) and with drivers."""
    from stockwise.evaluation.backtest import backtest
    from stockwise.models.splits import rolling_origin, window_forecast

    staggered = PANEL[
        ~((PANEL["unique_id"] == "s1") & (PANEL["ds"] > PANEL["ds"].max() - pd.Timedelta(days=3)))
    ]
    staggered = staggered.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    model = LightGBM(n_estimators=30, season_length=7)
    assert model.conformal_refits == model.conformal_windows == 2
    fits = []
    train = LightGBM._train
    monkeypatch.setattr(
        LightGBM, "_train", lambda self, X, y: fits.append(len(y)) or train(self, X, y)
    )
    shared = backtest(model, staggered, h=H, n_windows=2, levels=(80, 95))
    shared_fits, fits[:] = len(fits), []
    parts = []
    for window in rolling_origin(staggered, H, 2):
        forecast, _ = window_forecast(model, window, H, (80, 95))  # conformal refits inside
        part = window.test[["unique_id", "ds", "y"]].merge(forecast, on=["unique_id", "ds"])
        part.insert(2, "cutoff", part["unique_id"].map(window.cutoffs))
        parts.append(part)
    nested = pd.concat(parts).sort_values(["unique_id", "cutoff", "ds"]).reset_index(drop=True)
    assert shared_fits < len(fits)
    assert len(shared) == len(nested) == 6 * 2 * H
    pd.testing.assert_frame_equal(shared[nested.columns], nested, check_dtype=False)


def test_final_bands_of_a_global_model_taken_from_the_backtest_equal_its_own() -> None:
    """The forecast workflow takes the final bands of a global model from its backtest's
    last windows instead of refitting: they must equal what the model makes on its own."""
    import warnings

    from stockwise.models.registry import with_fallback
    from stockwise.workflows.forecast import run_forecast

    rng = np.random.default_rng(2)
    ds = pd.date_range("2020-01-06", periods=90, freq="W-MON")
    df = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": f"p{i}",
                    "ds": ds,
                    "y": rng.poisson(1 + i, 90) * (rng.random(90) < 0.5),
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
            8,
            models=["LightGBM-tweedie", "Naive"],
            levels=(80, 95),
            n_windows=2,
            calibrate=False,
            ensemble_k=1,
        )
        own = with_fallback("LightGBM-tweedie", 52, "W", 8).fit(df).predict(8, levels=(80, 95))
    chose = run.forecasts[run.forecasts["model"] == "LightGBM-tweedie"]
    assert chose["unique_id"].nunique() >= 2
    own = own[own["unique_id"].isin(chose["unique_id"])]
    columns = [
        "LightGBM-tweedie",
        *(f"LightGBM-tweedie-{s}-{lv}" for lv in (80, 95) for s in ("lo", "hi")),
    ]
    ours = chose[
        ["forecast", "forecast-lo-80", "forecast-hi-80", "forecast-lo-95", "forecast-hi-95"]
    ].to_numpy()
    np.testing.assert_allclose(ours, own[columns].to_numpy(), atol=1e-9)


def test_lightgbm_trees_by_objective_and_frequency() -> None:
    """Count objectives on weekly / monthly data train the shorter ensemble; squared
    error and daily data keep the longer one; given values always win."""
    rng = np.random.default_rng(4)
    weeks = pd.date_range("2021-01-04", periods=80, freq="W-MON")
    sparse = pd.concat(
        [
            pd.DataFrame(
                {"unique_id": f"w{i}", "ds": weeks, "y": rng.poisson(0.8, 80).astype(float)}
            )
            for i in range(6)
        ],
        ignore_index=True,
    )
    counts = LightGBM(objective="tweedie").fit(sparse)
    assert counts.boosting_rounds() == (100, 0.15)
    assert counts.estimators_["_all"].num_trees() == 100
    squared = LightGBM(objective="regression").fit(sparse)
    assert squared.boosting_rounds() == (300, 0.05)
    assert squared.estimators_["_all"].num_trees() == 300
    daily = LightGBM(objective="tweedie", season_length=7).fit(TRAIN)
    assert daily.boosting_rounds() == (300, 0.05)
    given = LightGBM(objective="tweedie", n_estimators=40).fit(sparse)
    assert given.boosting_rounds() == (40, 0.15)
    assert given.estimators_["_all"].num_trees() == 40
