"""Origin-based direct features: training rows, no look past the origin, same numbers at
forecast time."""

from __future__ import annotations

import numpy as np
import pytest

from stockwise.features.lags import history_features, series_starts, step_features
from stockwise.features.origin import (
    direct_training_columns,
    origin_columns,
    origin_rows,
    series_ends,
)
from stockwise.features.spec import FeatureSpec

SPEC = FeatureSpec(
    lags=(1, 2, 7),
    rolling_windows=(3, 7),
    rolling_stats=("mean", "std", "zeros"),
    recency_cap=10,
    strategy="direct",
    direct_horizon=5,
    origin_stride=2,
    seasonal_lag=12,
    seasonal_windows=(3, 4),
    calendar=(),
)


def _panel(lengths=(40, 31), seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.concatenate([(rng.random(n) < 0.3) * rng.integers(1, 4, n) for n in lengths])
    codes = np.repeat(np.arange(len(lengths)), lengths)
    return y.astype(float), codes


def test_origins_count_back_from_each_series_end_and_targets_stay_inside() -> None:
    _, codes = _panel()
    starts = series_starts(codes)
    ends = series_ends(starts)
    origin, step, target = origin_rows(starts, horizon=5, stride=2)
    assert (target == origin + step).all() and set(step) == {1, 2, 3, 4, 5}
    assert (target <= ends[origin]).all() and (origin >= starts[origin]).all()
    assert ((ends[origin] - origin) % 2 == 0).all() and (origin < ends[origin]).all()
    first_series = np.unique(origin[origin < 40])
    assert first_series.max() == 37 and first_series.min() == 1  # 39 - 2, ..., 39 - 38
    # the newest origin of series 0 has only the 2 targets left before the end
    assert sorted(step[origin == 37]) == [1, 2]


def test_training_features_use_nothing_after_the_origin() -> None:
    y, codes = _panel()
    starts = series_starts(codes)
    spec = FeatureSpec(
        **{
            **SPEC.to_dict(),
            "calendar": (),
            "lags": (1, 2, 7),
            "rolling_windows": (3, 7),
            "rolling_stats": ("mean", "std", "zeros"),
            "seasonal_windows": (3, 4),
        }
    )
    before, target = direct_training_columns(history_features(y, starts, spec), y, starts, spec)
    origin = target - before["step"].astype(int)
    for o in (21, 29):  # origins of series 0; poison every value after them
        changed = y.copy()
        changed[o + 1 : 40] = 1000.0
        after, _ = direct_training_columns(
            history_features(changed, starts, spec), changed, starts, spec
        )
        rows = origin == o
        assert rows.any()
        for name, values in before.items():
            np.testing.assert_array_equal(values[rows], after[name][rows], err_msg=name)


def test_forecast_features_equal_training_features_of_the_same_origin() -> None:
    y, codes = _panel((60,))
    starts = series_starts(codes)
    columns = history_features(y, starts, SPEC)
    train, target = direct_training_columns(columns, y, starts, SPEC)
    origin = target - train["step"].astype(int)
    o = 59 - 2 * 4  # an origin with all five steps inside the series
    buffer = y[o + 1 - SPEC.history_length : o + 1][None, :]
    future = origin_columns(buffer, np.array([y[: o + 1].sum()]), np.array([o + 1.0]), SPEC, h=7)
    rows = np.flatnonzero(origin == o)
    rows = rows[np.argsort(train["step"][rows])]
    assert len(rows) == 5 and future["step"][0].tolist() == [1, 2, 3, 4, 5, 5, 5]
    for name in [*SPEC.history_names(), *SPEC.direct_names()]:
        np.testing.assert_allclose(future[name][0, :5], train[name][rows], rtol=1e-12, err_msg=name)
    assert future["periods_since_nonzero"][0, 0] == 59 - 2 * 4 + 1 - max(np.flatnonzero(y[: o + 1]))
    lag = SPEC.seasonal_lag
    assert train["seasonal_mean_3"][rows[0]] == pytest.approx(
        y[o + 1 - lag - 1 : o + 1 - lag + 2].mean()
    )


@pytest.mark.parametrize("offset", [1, 4])
def test_new_history_features_match_in_the_recursion(offset: int) -> None:
    y, codes = _panel((50,))
    y[30:45] = 0.0  # a long run without sales
    spec = FeatureSpec(
        lags=(7,),
        rolling_windows=(3, 7),
        rolling_stats=("zeros",),
        history_offset=offset,
        recency_cap=12,
    )
    full = history_features(y, series_starts(codes), spec)
    for cut in (20, 44, 48):
        buffer = y[cut - spec.history_length : cut][None, :]
        step = step_features(buffer, np.array([y[:cut].sum()]), np.array([float(cut)]), spec)
        for name in ("periods_since_nonzero", "rolling_zeros_3", "rolling_zeros_7"):
            assert step[name][0] == pytest.approx(full[name][cut]), (name, cut)
    assert full["periods_since_nonzero"][45 + offset - 1] == 12  # capped


def test_direct_spec_is_checked() -> None:
    with pytest.raises(ValueError, match="history_offset=1"):
        FeatureSpec(lags=(28,), history_offset=28, strategy="direct")
    with pytest.raises(ValueError, match="read past the origin"):
        FeatureSpec(strategy="direct", seasonal_lag=30, seasonal_windows=(7,))
    with pytest.raises(ValueError, match="strategy='direct'"):
        FeatureSpec(seasonal_windows=(7,))
    with pytest.raises(ValueError, match="strategy must be one of"):
        FeatureSpec(strategy="sideways")
    assert FeatureSpec.from_dict(SPEC.to_dict()) == SPEC
    assert SPEC.feature_names()[-3:] == ["step", "seasonal_mean_3", "seasonal_mean_4"]
