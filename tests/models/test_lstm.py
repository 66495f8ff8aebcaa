"""LSTMForecaster: determinism, no leakage, intervals, inputs, save/load, short series."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import stockwise
from stockwise.errors import InputError
from stockwise.evaluation.backtest import backtest
from stockwise.models import with_fallback
from stockwise.models.lstm import QUANTILES, LSTMForecaster
from stockwise.models.persistence import artifact_size, load_model, save_model

pytestmark = pytest.mark.slow  # the first test to build a network pays torch's import (~20 s)

DAYS = pd.date_range("2024-01-01", periods=150, freq="D")
TINY = {
    "look_back": 14,
    "horizon": 7,
    "hidden_size": 8,
    "max_epochs": 4,
    "batch_size": 32,
    "n_threads": 1,
}


def weekly_panel(n: int = 4, days: pd.DatetimeIndex = DAYS, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    weekly = 1 + 0.5 * (days.dayofweek >= 5)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": f"s{i}",
                    "ds": days,
                    "y": rng.poisson((2 + 3 * i) * weekly).astype(float),
                }
            )
            for i in range(n)
        ],
        ignore_index=True,
    )


def promo_panel(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales of 3 a day, 15 on promotion days: the promotion is the whole story."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=240, freq="D")
    parts = []
    for i in range(6):
        promo = (rng.random(len(days)) < 0.25).astype(int)
        y = rng.poisson(3 + 12 * promo).astype(float)
        parts.append(pd.DataFrame({"unique_id": f"p{i}", "ds": days, "y": y, "promo": promo}))
    frame = pd.concat(parts, ignore_index=True)
    cut = days[-14]
    return frame[frame["ds"] < cut], frame[frame["ds"] >= cut].drop(columns="y")


def test_same_seed_same_forecast_other_seed_other_forecast() -> None:
    panel = weekly_panel()
    first = LSTMForecaster(seed=1, **TINY).fit(panel).predict(7, levels=(80,))
    again = LSTMForecaster(seed=1, **TINY).fit(panel).predict(7, levels=(80,))
    other = LSTMForecaster(seed=2, **TINY).fit(panel).predict(7, levels=(80,))
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["LSTM"], other["LSTM"])


def test_future_values_do_not_move_an_earlier_backtest_window() -> None:
    panel = weekly_panel(n=3)
    first_cutoff, last_cutoff = DAYS[-15], DAYS[-8]
    changed = panel.copy()  # the second window trains on the change, the first does not
    later = changed["ds"] > first_cutoff
    changed.loc[later, "y"] = changed.loc[later, "y"] * 10 + 50
    model = LSTMForecaster(seed=0, **TINY)
    plain = backtest(model, panel, h=7, n_windows=2)
    moved = backtest(model, changed, h=7, n_windows=2)
    early = plain["cutoff"] < last_cutoff
    assert early.sum() == 3 * 7
    pd.testing.assert_series_equal(plain.loc[early, "LSTM"], moved.loc[early, "LSTM"])
    assert not np.allclose(plain.loc[~early, "LSTM"], moved.loc[~early, "LSTM"])


def test_quantiles_are_ordered_by_construction_and_bands_nest() -> None:
    import torch

    model = LSTMForecaster(seed=0, **TINY).fit(weekly_panel())
    net = model.network_
    past = torch.randn(64, 14, 1 + len(model.channels_)) * 3
    future = torch.randn(64, 7, len(model.channels_)) * 3
    mean, quantiles = net(past, future)
    assert quantiles.shape == (64, 7, len(QUANTILES))
    assert (torch.diff(quantiles, dim=-1) >= 0).all() and (mean >= 0).all()
    out = model.predict(10, levels=(50, 80, 95))
    assert (out.iloc[:, 2:].to_numpy() >= 0).all()
    for narrow, wide in ((50, 80), (80, 95)):
        assert (out[f"LSTM-lo-{wide}"] <= out[f"LSTM-lo-{narrow}"]).all()
        assert (out[f"LSTM-hi-{narrow}"] <= out[f"LSTM-hi-{wide}"]).all()
    assert (out["LSTM-hi-95"] > out["LSTM-lo-95"]).all()


def test_conformal_correction_only_widens_and_covers_the_validation_tail() -> None:
    from stockwise.models.lstm import INTERVAL_GRID, _quantile_at, band_shifts
    from stockwise.models.lstm_network import forward_numpy

    model = LSTMForecaster(seed=0, **TINY).fit(weekly_panel())
    inputs = model.scaling_.transform(model.train_)
    _, validation = model._training_windows(model.train_, inputs)
    shifts = band_shifts(model.network_, validation)
    assert shifts == model.band_shift_ and set(shifts) == set(INTERVAL_GRID)
    assert min(shifts.values()) >= 0
    _, quantiles = forward_numpy(model.network_, validation.past, validation.future)
    target = validation.target
    for level in (60, 80, 95):
        lo = _quantile_at(quantiles, 0.5 - level / 200) - shifts[level]
        hi = _quantile_at(quantiles, 0.5 + level / 200) + shifts[level]
        assert ((lo <= target) & (target <= hi)).mean() >= level / 100


def test_known_ahead_promotion_raises_the_forecast() -> None:
    train, future = promo_panel()
    model = LSTMForecaster(
        look_back=14,
        horizon=14,
        hidden_size=8,
        max_epochs=12,
        batch_size=32,
        learning_rate=1e-2,
        n_threads=1,
        seed=0,
    )
    out = model.fit(train).predict(14, X_df=future).merge(future, on=["unique_id", "ds"])
    assert model.exog_ == ["promo"]
    means = out.groupby("promo")["LSTM"].mean()
    assert means[1] > means[0] + 5  # true effect: +12 units


def test_missing_future_inputs_are_a_clear_error_naming_the_column() -> None:
    train, future = promo_panel()
    model = LSTMForecaster(exog=["promo"], seed=0, **TINY).fit(train)
    with pytest.raises(InputError, match=r"'promo'.*X_df|X_df.*'promo'"):
        model.predict(14)
    with pytest.raises(InputError, match="no column 'promo'"):
        model.predict(14, X_df=future.drop(columns="promo"))
    gappy = future.drop(index=future.index[future["unique_id"].eq("p2")][3])
    with pytest.raises(InputError, match=r"column 'promo'.*no row for series 'p2'"):
        model.predict(14, X_df=gappy)
    unknown = future.assign(promo=future["promo"].where(np.arange(len(future)) % 5 > 0))
    assert len(model.predict(14, X_df=unknown)) == 6 * 14  # a value may be missing, a row not


def _month_start(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(event=np.where(frame["ds"].dt.day == 1, "month start", None))


def test_save_then_load_predicts_identically(tmp_path) -> None:
    train, future = promo_panel()
    train, future = _month_start(train), _month_start(future)
    model = LSTMForecaster(seed=0, **TINY).fit(train)
    assert model.exog_ == ["promo", "event"]  # text inputs too: one channel per value
    assert "event=month start" in model.channels_
    expected = model.predict(20, X_df=_extend(future, days=6), levels=(80, 95))
    folder = model.save(tmp_path / "lstm")
    assert sorted(p.name for p in folder.iterdir()) == [
        "lstm_state.json",
        "manifest.json",
        "series.parquet",
        "tail.parquet",
        "weights.safetensors",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["class"] == "stockwise.models.lstm:LSTMForecaster"
    assert manifest["format_version"] == 1 and manifest["params"]["look_back"] == 14
    tail = pd.read_parquet(folder / "tail.parquet")
    assert tail.groupby("unique_id").size().eq(14).all()  # the last windows, not the data
    loaded = LSTMForecaster.load(folder)
    assert loaded.get_params() == model.get_params()
    again = loaded.predict(20, X_df=_extend(future, days=6), levels=(80, 95))
    pd.testing.assert_frame_equal(expected, again)
    via = save_model(model, tmp_path / "via_persistence")  # the project-wide entry point
    assert artifact_size(via) > (via / "weights.safetensors").stat().st_size
    reloaded = load_model(via)
    assert isinstance(reloaded, LSTMForecaster)
    pd.testing.assert_frame_equal(
        expected, reloaded.predict(20, X_df=_extend(future, days=6), levels=(80, 95))
    )


def _extend(future: pd.DataFrame, days: int) -> pd.DataFrame:
    """Known-ahead rows for ``days`` more periods (promotion off)."""
    last = future.groupby("unique_id")["ds"].max()
    extra = [
        pd.DataFrame(
            {"unique_id": uid, "promo": 0, "ds": pd.date_range(end, periods=days + 1, freq="D")[1:]}
        )
        for uid, end in last.items()
    ]
    return _month_start(pd.concat([future, *extra], ignore_index=True))


def test_series_shorter_than_look_back_fall_back_and_say_why() -> None:
    panel = weekly_panel(n=3)
    short = pd.DataFrame(
        {"unique_id": "new", "ds": DAYS[-10:], "y": [1.0, 0, 2, 1, 0, 3, 1, 0, 2, 1]}
    )
    frame = pd.concat([panel, short], ignore_index=True)
    model = LSTMForecaster(seed=0, **TINY).fit(frame)
    assert "new" in model.failures_ and "14" in model.failures_["new"]
    assert set(model.predict(7)["unique_id"]) == {"s0", "s1", "s2"}
    chain = with_fallback(LSTMForecaster(seed=0, **TINY), season_length=7)
    out = chain.fit(frame).predict(7, levels=(80,))
    assert out.groupby("unique_id").size().eq(7).all() and len(out) == 4 * 7
    assert chain.used_["new"] == "SeasonalNaive" and chain.used_["s0"] == "LSTM"


def test_no_series_long_enough_to_train_is_reported_not_raised() -> None:
    frame = weekly_panel(n=2, days=DAYS[:18])  # 18 < look_back 14 + horizon 7
    model = LSTMForecaster(seed=0, **TINY).fit(frame)
    assert model.fitted_ids_ == []
    assert "look_back 14 + horizon 7" in model.failures_["s0"]
    assert model.predict(7).empty


def test_horizon_longer_than_the_network_output_is_forecast_in_blocks() -> None:
    model = LSTMForecaster(seed=0, **TINY).fit(weekly_panel(n=2))
    out = model.predict(17)
    assert out.groupby("unique_id").size().eq(17).all()
    assert out["ds"].min() == DAYS[-1] + pd.Timedelta(days=1)
    assert np.isfinite(out["LSTM"]).all() and (out["LSTM"] >= 0).all()


def test_lstm_takes_part_in_auto_where_a_profile_names_it(monkeypatch) -> None:
    from stockwise.models import registry
    from stockwise.workflows.forecast import run_forecast

    assert "LSTM" not in registry.global_candidates(1000)  # opt-in: it costs minutes
    assert "LSTM" in registry.global_candidates(100, restrict_to=["AutoETS", "LSTM"])
    monkeypatch.setitem(registry.GLOBAL_AUTO, "LSTM", (1, False))  # a tiny panel here
    monkeypatch.setitem(registry.MODELS, "LSTM", TinyLSTM)
    run = run_forecast(
        weekly_panel(n=3), h=7, models="auto", quality="best", restrict_to=["SeasonalNaive", "LSTM"]
    )
    assert "LSTM" in set(run.metrics["model"])  # backtested alongside the others
    assert run.forecasts.groupby("unique_id").size().eq(7).all()
    # the fast preset leaves global models out on daily data (their fits dominate its cost)
    fast = run_forecast(
        weekly_panel(n=3), h=7, models="auto", restrict_to=["SeasonalNaive", "LSTM"]
    )
    assert set(fast.selection["model"]) == {"SeasonalNaive"}


class TinyLSTM(LSTMForecaster):
    """The LSTM as "auto" builds it by name, with test-sized defaults."""

    def __init__(
        self,
        look_back: int = 14,
        horizon: int = 7,
        hidden_size: int = 8,
        max_epochs: int = 4,
        batch_size: int = 32,
        n_threads: int = 1,
        freq: str | None = None,
    ) -> None:
        super().__init__(
            look_back=look_back,
            horizon=horizon,
            hidden_size=hidden_size,
            max_epochs=max_epochs,
            batch_size=batch_size,
            n_threads=n_threads,
            freq=freq,
        )


def test_lstm_in_forecast_and_backtest_workflows() -> None:
    panel = weekly_panel(n=3)
    tiny = LSTMForecaster(seed=0, **TINY)
    out = stockwise.forecast(panel, h=7, models=["SeasonalNaive", tiny], levels=(80,))
    assert out.groupby("unique_id").size().eq(7).all()
    assert (out["forecast"] >= 0).all()
    result = stockwise.backtest(panel, h=7, models=[tiny, "SeasonalNaive"], n_windows=2)
    assert set(result.metrics["model"]) == {"LSTM", "SeasonalNaive"}
    assert result.metrics["mase"].notna().all()
