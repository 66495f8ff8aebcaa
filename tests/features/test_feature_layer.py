"""The feature layer: generated names, no look-ahead, recursion = training, exact inverses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.features.calendar import calendar_features, cyclic_calendar_features
from stockwise.features.drivers import driver_features, encode_drivers, learn_vocabularies
from stockwise.features.lags import history_features, series_starts, step_features
from stockwise.features.spec import FeatureSpec, default_spec
from stockwise.features.transforms import TargetTransforms

SPEC = FeatureSpec(
    lags=(1, 2, 7), rolling_windows=(3, 7), rolling_stats=("mean", "std", "min", "max")
)


def _panel(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = np.repeat([0, 1], [30, 20])
    return rng.poisson(4, 50).astype(float), codes


def test_names_are_generated_from_the_spec_and_survive_json() -> None:
    spec = default_spec("D", 7, exog=["sell_price", "promo", "snap"], country="US")
    names = spec.feature_names()
    assert names[:3] == ["lag_1", "lag_2", "lag_3"] and "lag_28" in names
    assert {
        "rolling_mean_28",
        "expanding_mean",
        "cal_dayofweek",
        "holiday_days_to",
        "sell_price_rel28",
        "sell_price_chg1",
        "promo_sum7",
        "snap",
    } <= set(names)
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
    assert default_spec("M", 12).lags == (1, 2, 3, 6, 12)
    assert "price" not in " ".join(spec.without_drivers().feature_names())
    with pytest.raises(ValueError, match="unknown target transform"):
        FeatureSpec(target_transforms=("sqrt",))
    with pytest.raises(ValueError, match="history_offset"):
        FeatureSpec(lags=(1, 7), history_offset=7)


def test_history_features_use_only_the_past_of_the_same_series() -> None:
    y, codes = _panel()
    starts = series_starts(codes)
    before = history_features(y, starts, SPEC)
    changed = y.copy()
    changed[15:30] = 1000.0  # the future of series 0 after row 14
    after = history_features(changed, starts, SPEC)
    for name, values in before.items():
        np.testing.assert_array_equal(values[:16], after[name][:16], err_msg=name)
        np.testing.assert_array_equal(values[30:], after[name][30:], err_msg=name)
    assert before["lag_1"][1] == y[0] and np.isnan(before["lag_1"][30])  # series 1 starts
    assert before["rolling_mean_3"][10] == pytest.approx(y[7:10].mean())
    assert before["rolling_max_7"][10] == y[3:10].max()
    assert before["rolling_std_7"][10] == pytest.approx(y[3:10].std())


@pytest.mark.parametrize("offset", [1, 3])
def test_recursion_features_equal_training_features_of_the_next_period(offset: int) -> None:
    y, codes = _panel(1)
    starts = series_starts(codes)
    spec = FeatureSpec(
        lags=(3, 7),
        rolling_windows=(3, 7),
        history_offset=offset,
        rolling_stats=("mean", "std", "min", "max"),
    )
    full = history_features(y, starts, spec)
    cut = 25  # buffer = series 0 up to row 24; the next period is row 25
    buffer = y[cut - spec.history_length : cut][None, :]
    step = step_features(buffer, np.array([y[:cut].sum()]), np.array([float(cut)]), spec)
    for name, value in step.items():
        assert value[0] == pytest.approx(full[name][cut], rel=1e-12), name


@pytest.mark.parametrize(
    "names",
    [
        ("log1p",),
        ("scale",),
        ("diff_7",),
        ("log1p", "scale"),
        ("log1p", "scale", "diff_7"),
        ("scale", "diff"),
    ],
)
def test_target_transforms_invert_exactly(names: tuple[str, ...]) -> None:
    rng = np.random.default_rng(3)
    full = rng.gamma(2.0, 10.0, size=(2, 40))
    train, future = full[:, :32], full[:, 32:]
    codes = np.repeat([0, 1], 32)
    chain = TargetTransforms(names)
    chain.fit_transform(train.ravel(), codes, series_starts(codes), 2)
    # the future in transformed units, computed by hand with the fitted state
    x = full.copy()
    for name in names:
        if name == "log1p":
            x = np.log1p(x)
        elif name == "scale":
            x = x / chain.scale_[:, None]
        else:
            lag = int(name.split("_")[1]) if "_" in name else 1
            shifted = np.full_like(x, np.nan)
            shifted[:, lag:] = x[:, :-lag]
            x = x - shifted
    back = chain.inverse(x[:, 32:], np.array([0, 1]))
    np.testing.assert_allclose(back, future, rtol=1e-10)
    restored = TargetTransforms.from_state(names, chain.state_frame())
    np.testing.assert_allclose(restored.inverse(x[:, 32:], np.array([0, 1])), future, rtol=1e-10)


def test_log1p_refuses_negative_targets() -> None:
    with pytest.raises(ValueError, match="y >= 0"):
        TargetTransforms(("log1p",)).fit_transform(
            np.array([1.0, -2.0]), np.zeros(2, int), np.zeros(2, int), 1
        )


def test_calendar_and_holidays() -> None:
    ds = pd.Series(pd.to_datetime(["2024-04-29", "2024-05-01", "2024-05-03", "2024-05-31"]))
    spec = FeatureSpec(
        calendar=("dayofweek", "month_end", "payday", "weekofyear"), paydays=(1,), country="FR"
    )
    out = calendar_features(ds, spec)
    assert out["cal_dayofweek"].tolist() == [0, 2, 4, 4]
    assert out["cal_month_end"].tolist() == [1, 30, 28, 0]
    assert out["cal_payday"].tolist() == [0, 1, 0, 1]
    assert out["holiday"].tolist() == [0, 1, 0, 0]  # 1 May, Fête du Travail
    assert out["holiday_days_to"][0] == 2 and out["holiday_days_since"][2] == 2


def test_cyclic_calendar_encodes_the_integer_calendar_on_a_circle() -> None:
    days = pd.Series(pd.date_range("2024-01-01", periods=400, freq="D"))  # a Monday
    daily = cyclic_calendar_features(days, "D")
    assert list(daily) == ["cal_sin1", "cal_cos1", "cal_sin2", "cal_cos2"]
    # the first harmonic's angle gives back the day of week of the integer encoding
    angle = np.arctan2(daily["cal_sin1"], daily["cal_cos1"]) % (2 * np.pi)
    weekday = calendar_features(days, FeatureSpec(calendar=("dayofweek",)))["cal_dayofweek"]
    assert np.allclose(angle * 7 / (2 * np.pi), weekday)
    # Sunday sits as close to the next Monday as Monday to Tuesday
    step = np.hypot(np.diff(daily["cal_sin1"]), np.diff(daily["cal_cos1"]))
    assert np.allclose(step, step[0])
    weekly = cyclic_calendar_features(pd.Series(pd.to_datetime(["2024-01-01"])), "W", "_w_")
    monthly = cyclic_calendar_features(pd.Series(pd.to_datetime(["2024-01-31"])), "M")
    assert weekly["_w_sin1"][0] == 0.0 and weekly["_w_cos1"][0] == 1.0  # ISO week 1: angle 0
    assert monthly["cal_sin1"][0] == 0.0 and monthly["cal_cos1"][0] == 1.0  # January: angle 0
    quarterly = cyclic_calendar_features(pd.Series(pd.to_datetime(["2024-04-01"])), "Q")
    assert np.isclose(quarterly["cal_sin1"][0], np.sin(2 * np.pi * 3 / 12))  # month of year


def test_drivers_price_relative_to_recent_level_and_coded_events() -> None:
    frame = pd.DataFrame(
        {
            "price": [10.0, 10, 10, 5, 10],
            "promo": [0, 1, 1, 0, 0],
            "event": [None, "Easter", None, "Xmas", "Easter"],
        }
    )
    spec = FeatureSpec(
        price=("price",), price_window=3, promo=("promo",), promo_window=2, events=("event",)
    )
    vocab = learn_vocabularies(frame.iloc[:3], ["price", "promo", "event"])
    assert vocab == {"event": ["Easter"]}
    encoded = encode_drivers(frame, ["price", "promo", "event"], vocab)
    assert encoded["event"].tolist() == [-1.0, 0.0, -1.0, -2.0, 0.0]  # missing, seen, unseen
    out = driver_features(encoded, np.zeros(5, dtype=int), spec)
    assert out["price_rel3"][3] == pytest.approx(5 / np.mean([10, 10, 5]))
    assert out["price_chg1"][3] == pytest.approx(-0.5)
    assert out["promo_sum2"].tolist() == [0, 1, 2, 1, 0]
