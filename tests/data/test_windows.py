"""LSTM windows: shapes, alignment, series boundaries, scaling, features, skipping."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.data.windows import LSTMWindows, make_lstm_windows
from stockwise.errors import MissingColumnsError

DAYS = pd.date_range("2024-01-01", periods=20, freq="D")


def two_series() -> pd.DataFrame:
    """Series a: 0..19; series b: 1000..1019; rows shuffled."""
    frame = pd.DataFrame(
        {
            S.UNIQUE_ID: np.repeat(["a", "b"], 20),
            S.DS: np.tile(DAYS, 2),
            S.Y: np.r_[np.arange(20.0), np.arange(1000.0, 1020.0)],
        }
    )
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def test_shapes_and_alignment():
    w = make_lstm_windows(two_series(), look_back=5, horizon=2, scale=None)
    assert isinstance(w, LSTMWindows)
    assert len(w) == 2 * (20 - 7 + 1)
    assert w.X.shape == (28, 5, 1) and w.X.dtype == np.float32
    assert w.y.shape == (28, 2) and w.y.dtype == np.float32
    assert w.X[0, :, 0].tolist() == [0, 1, 2, 3, 4]
    assert w.y[0].tolist() == [5, 6]
    assert w.unique_id.tolist() == ["a"] * 14 + ["b"] * 14
    assert w.target_start[0] == np.datetime64("2024-01-06")
    assert w.target_start.dtype == np.dtype("datetime64[ns]")
    assert w.X[14, :, 0].tolist() == [1000, 1001, 1002, 1003, 1004]
    assert w.X[13, :, 0].tolist() == [13, 14, 15, 16, 17] and w.y[13].tolist() == [18, 19]
    assert w.skipped == ()
    assert w.channels == (S.Y,)
    assert w.scale == {"a": (0.0, 1.0), "b": (0.0, 1.0)}


def test_no_window_spans_two_series():
    w = make_lstm_windows(two_series(), look_back=5, horizon=2, scale=None)
    values = np.concatenate([w.X[:, :, 0], w.y], axis=1)
    small = (values < 100).all(axis=1)
    large = (values >= 1000).all(axis=1)
    assert (small | large).all()
    assert (small == (w.unique_id == "a")).all()
    # consecutive values: each window is one contiguous stretch of its series
    assert (np.diff(values, axis=1) == 1).all()


def test_stride():
    w = make_lstm_windows(two_series(), look_back=5, horizon=2, stride=3, scale=None)
    assert len(w) == 10  # starts 0, 3, 6, 9, 12 in each series
    assert w.X[:5, 0, 0].tolist() == [0, 3, 6, 9, 12]
    assert w.X[5:, 0, 0].tolist() == [1000, 1003, 1006, 1009, 1012]


def test_series_scaling_and_inverse():
    w = make_lstm_windows(two_series(), look_back=5, horizon=2, scale="series")
    std = float(np.std(np.arange(20.0)))
    assert w.scale["a"] == pytest.approx((9.5, std))
    assert w.scale["b"] == pytest.approx((1009.5, std))
    assert w.X[0, 0, 0] == pytest.approx((0 - 9.5) / std)
    raw = make_lstm_windows(two_series(), look_back=5, horizon=2, scale=None)
    np.testing.assert_allclose(w.inverse_scale(w.y, w.unique_id), raw.y, atol=1e-4)
    np.testing.assert_allclose(w.inverse_scale(w.X, w.unique_id), raw.X, atol=1e-4)
    np.testing.assert_allclose(w.inverse_scale(w.y[14:], "b"), raw.y[14:], atol=1e-4)
    with pytest.raises(ValueError, match="unknown series 'zz'"):
        w.inverse_scale(w.y, "zz")
    with pytest.raises(ValueError, match="one id per row"):
        w.inverse_scale(w.y, w.unique_id[:3])


def test_constant_series_gets_unit_scale():
    frame = pd.DataFrame({S.UNIQUE_ID: "c", S.DS: DAYS, S.Y: 4.0})
    w = make_lstm_windows(frame, look_back=3)
    assert w.scale == {"c": (4.0, 1.0)}
    assert (w.X == 0).all() and (w.y == 0).all()


def test_short_series_are_skipped():
    short = pd.DataFrame({S.UNIQUE_ID: "short", S.DS: DAYS[:6], S.Y: 1.0})
    w = make_lstm_windows(pd.concat([two_series(), short]), look_back=5, horizon=2)
    assert w.skipped == ("short",)
    assert "short" not in set(w.unique_id)
    assert len(w) == 28
    assert "short" in w.scale
    empty = make_lstm_windows(short, look_back=30)
    assert empty.X.shape == (0, 30, 1) and empty.y.shape == (0, 1)
    assert empty.skipped == ("short",)


def test_features_are_extra_channels():
    frame = two_series()
    frame[S.PROMO] = (frame[S.Y] % 2 == 0).astype(int)
    frame[S.PRICE] = frame[S.Y] * 10
    w = make_lstm_windows(frame, look_back=5, horizon=2, features=[S.PROMO, S.PRICE])
    assert w.X.shape == (28, 5, 3)
    assert w.channels == (S.Y, S.PROMO, S.PRICE)
    assert w.X[0, :, 1].tolist() == [1, 0, 1, 0, 1]
    assert w.X[0, :, 2].tolist() == [0, 10, 20, 30, 40]  # features are not scaled
    assert w.X[0, 0, 0] == pytest.approx(-9.5 / np.std(np.arange(20.0)))  # target is
    assert w.y.shape == (28, 2)


def test_future_features_cover_the_target_periods():
    frame = two_series()
    frame[S.PROMO] = (frame[S.Y] % 3 == 0).astype(int)
    w = make_lstm_windows(
        frame, look_back=5, horizon=2, features=[S.PROMO], future_features=[S.PROMO], scale=None
    )
    assert w.X_future.shape == (28, 2, 1) and w.future_channels == (S.PROMO,)
    # window 0 of series a: inputs rows 0..4, targets rows 5, 6 -> promo of 5 and 6
    assert w.X_future[0, :, 0].tolist() == [0, 1]
    assert w.y[0].tolist() == [5, 6]
    expected = (w.y % 3 == 0).astype(np.float32)
    assert (w.X_future[:, :, 0] == expected).all()
    plain = make_lstm_windows(frame, look_back=5, horizon=2)
    assert plain.X_future.shape == (28, 2, 0)


def test_missing_future_feature_drops_the_window():
    frame = two_series().sort_values([S.UNIQUE_ID, S.DS], ignore_index=True)
    frame[S.PRICE] = 1.0
    frame.loc[10, S.PRICE] = np.nan  # series a, row 10: a target period of windows 4, 5
    w = make_lstm_windows(frame, look_back=5, horizon=2, future_features=[S.PRICE], scale=None)
    assert (w.unique_id == "a").sum() == 14 - 2
    assert not np.isnan(w.X_future).any()


def test_windows_with_missing_values_are_dropped():
    frame = two_series().sort_values([S.UNIQUE_ID, S.DS], ignore_index=True)
    frame[S.PRICE] = 1.0
    frame.loc[10, S.Y] = np.nan  # series a, row 10: in windows starting at rows 4..10
    frame.loc[30, S.PRICE] = np.nan  # series b, row 10: an input of windows 6..10 only
    w = make_lstm_windows(frame, look_back=5, horizon=2, features=[S.PRICE], scale=None)
    assert (w.unique_id == "a").sum() == 14 - 7
    assert (w.unique_id == "b").sum() == 14 - 5
    assert not np.isnan(w.X).any() and not np.isnan(w.y).any()


def test_argument_errors():
    frame = two_series()
    with pytest.raises(ValueError, match="look_back"):
        make_lstm_windows(frame, look_back=0)
    with pytest.raises(ValueError, match="horizon"):
        make_lstm_windows(frame, horizon=1.5)
    with pytest.raises(ValueError, match="scale"):
        make_lstm_windows(frame, scale="global")
    with pytest.raises(MissingColumnsError, match="price"):
        make_lstm_windows(frame, features=[S.PRICE])
    with pytest.raises(ValueError, match="duplicated"):
        make_lstm_windows(pd.concat([frame, frame.iloc[:1]]))


def test_large_input_is_vectorised():
    n_series, n_days = 1000, 730
    frame = pd.DataFrame(
        {
            S.UNIQUE_ID: np.repeat([f"p{i:04d}" for i in range(n_series)], n_days),
            S.DS: np.tile(pd.date_range("2023-01-01", periods=n_days), n_series),
            S.Y: np.random.default_rng(0).poisson(5, n_series * n_days).astype(float),
        }
    )
    started = time.perf_counter()
    w = make_lstm_windows(frame, look_back=30)
    elapsed = time.perf_counter() - started
    assert w.X.shape == (n_series * (n_days - 30), 30, 1)
    assert elapsed < 10  # about half a second; a per-window Python loop takes minutes
