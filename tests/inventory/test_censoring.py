"""Censored-demand correction: hand-checked levels and weekday factors, safety rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.data.prepare import flag_stockouts
from stockwise.inventory.censoring import (
    CORRECTION_NOTE,
    DEMAND_CORRECTED,
    NOTE_FEW_CLEAN,
    NOTE_INTERPOLATED,
    NOTE_NO_CLEAN,
    Y_OBSERVED,
    censoring_summary,
    uncensor_demand,
)
from stockwise.synthetic import DEMAND, generate

# Monday .. Sunday; the factors average to exactly 1.
WEEKLY = np.array([0.5, 0.8, 1.0, 1.0, 1.2, 1.5, 1.0])
MONDAY = "2024-01-01"


def _series(uid: str, y: np.ndarray, stockout: np.ndarray, start: str = MONDAY) -> pd.DataFrame:
    return pd.DataFrame(
        {
            S.UNIQUE_ID: uid,
            S.DS: pd.date_range(start, periods=len(y), freq="D"),
            S.Y: np.asarray(y, dtype=float),
            S.STOCKOUT: np.asarray(stockout, dtype=bool),
        }
    )


def _weekly_series(
    level: float = 10.0, weeks: int = 8, out: tuple[int, ...] = (3, 10, 11, 20, 40), uid: str = "A"
) -> pd.DataFrame:
    days = np.arange(7 * weeks)
    y = level * WEEKLY[days % 7]
    stockout = np.isin(days, out)
    y[stockout] = 0.0
    return _series(uid, y, stockout)


def test_stockout_days_get_level_times_weekday_factor() -> None:
    sales = _weekly_series(level=10.0)
    out = uncensor_demand(sales)
    rows = out[out[S.STOCKOUT]]
    # By hand: clean days give weekday means 10 x WEEKLY, whose average is 10, so the
    # factors are WEEKLY and the deseasonalised level is 10 everywhere.
    expected = 10.0 * WEEKLY[rows[S.DS].dt.dayofweek.to_numpy()]
    np.testing.assert_allclose(rows[S.Y].to_numpy(), expected)
    # days 3, 10, 11, 20, 40 are Thu, Thu, Fri, Sun, Sat
    assert rows[S.Y].tolist() == pytest.approx([10.0, 10.0, 12.0, 10.0, 15.0])
    assert rows[DEMAND_CORRECTED].all()
    assert (rows[Y_OBSERVED] == 0).all()
    assert (out[CORRECTION_NOTE] == "").all()


def test_clean_rows_are_untouched_and_nothing_is_lowered() -> None:
    sales = _weekly_series(level=10.0)
    # Two partially censored days: sold 20 (above level x factor = 15) and 3 (below 10).
    sales.loc[5, [S.Y, S.STOCKOUT]] = [20.0, True]
    sales.loc[16, [S.Y, S.STOCKOUT]] = [3.0, True]
    out = uncensor_demand(sales)
    clean = ~out[S.STOCKOUT]
    assert out.loc[clean, S.Y].equals(sales.loc[clean, S.Y])
    assert not out.loc[clean, DEMAND_CORRECTED].any()
    assert (out[S.Y] >= out[Y_OBSERVED]).all()
    assert out.loc[5, S.Y] == 20.0 and not out.loc[5, DEMAND_CORRECTED]
    assert out.loc[16, S.Y] == pytest.approx(10.0 * WEEKLY[16 % 7])
    assert out.loc[16, DEMAND_CORRECTED]
    assert out[Y_OBSERVED].equals(sales[S.Y])


def test_level_is_local_to_the_window() -> None:
    # No seasonality; level 10 for 60 days then 20 for 60 days; a stockout on day 100.
    y = np.r_[np.full(60, 10.0), np.full(60, 20.0)]
    stockout = np.zeros(120, dtype=bool)
    stockout[[5, 100]] = True
    y[stockout] = 0.0
    out = uncensor_demand(_series("A", y, stockout), season_length=1, window=28)
    assert out.loc[100, S.Y] == pytest.approx(20.0)  # window: days 86 .. 113
    assert out.loc[5, S.Y] == pytest.approx(10.0)  # window cut at the start: days 0 .. 18


def test_long_run_without_clean_days_interpolates_the_level() -> None:
    y = np.r_[np.full(50, 10.0), np.zeros(40), np.full(50, 30.0)]
    stockout = np.zeros(140, dtype=bool)
    stockout[50:90] = True
    out = uncensor_demand(_series("A", y, stockout), season_length=1, window=28)
    middle = out.loc[70]
    assert middle[S.Y] == pytest.approx(20.0)  # halfway between the levels on each side
    assert middle[CORRECTION_NOTE] == NOTE_INTERPOLATED
    assert out.loc[55, S.Y] == pytest.approx(10.0)  # window still reaches clean days
    assert out.loc[55, CORRECTION_NOTE] == ""


def test_weekday_that_never_sells_stays_zero() -> None:
    weekly = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.0])  # closed on Sunday
    days = np.arange(70)
    y = 12.0 * weekly[days % 7]
    stockout = np.isin(days, [6, 13, 20, 22])
    y[stockout] = 0.0
    out = uncensor_demand(_series("A", y, stockout))
    # factors = weekday mean / mean of weekday means = weekly / (7 / 7)
    assert out.loc[[6, 13, 20], S.Y].tolist() == [0.0, 0.0, 0.0]
    assert not out.loc[[6, 13, 20], DEMAND_CORRECTED].any()
    assert out.loc[22, S.Y] == pytest.approx(12.0)


def test_without_stockout_column_or_with_method_none_nothing_changes() -> None:
    sales = _weekly_series().drop(columns=S.STOCKOUT)
    out = uncensor_demand(sales)
    assert out[S.Y].equals(sales[S.Y])
    assert not out[DEMAND_CORRECTED].any()
    assert (out[CORRECTION_NOTE] == "").all()
    flagged = _weekly_series()
    none = uncensor_demand(flagged, method="none")
    assert none[S.Y].equals(flagged[S.Y])
    assert not none[DEMAND_CORRECTED].any()


def test_unknown_method_and_bad_arguments_raise_value_error() -> None:
    with pytest.raises(ValueError, match="unknown censored-demand method"):
        uncensor_demand(_weekly_series(), method="tobit")
    with pytest.raises(ValueError, match="window"):
        uncensor_demand(_weekly_series(), window=0)


def test_all_stockout_series_is_left_unchanged_with_a_note() -> None:
    good = _weekly_series(uid="A")
    empty = _series("B", np.r_[0.0, 2.0, 0.0, 0.0], np.ones(4, dtype=bool))
    out = uncensor_demand(pd.concat([good, empty], ignore_index=True))
    b = out[out[S.UNIQUE_ID] == "B"]
    assert b[S.Y].tolist() == [0.0, 2.0, 0.0, 0.0]
    assert not b[DEMAND_CORRECTED].any()
    assert (b[CORRECTION_NOTE] == NOTE_NO_CLEAN).all()
    assert not out[S.Y].isna().any()


def test_series_with_few_clean_days_uses_its_clean_mean() -> None:
    y = np.array([4.0, 0.0, 6.0, 0.0, 8.0, 0.0])
    stockout = y == 0
    out = uncensor_demand(_series("A", y, stockout), min_clean=7)
    assert out.loc[stockout, S.Y].tolist() == pytest.approx([6.0, 6.0, 6.0])
    assert (out.loc[stockout, CORRECTION_NOTE] == NOTE_FEW_CLEAN.format(min_clean=7)).all()
    assert (out.loc[~stockout, CORRECTION_NOTE] == "").all()


def test_row_order_and_index_are_kept() -> None:
    sales = pd.concat(
        [_weekly_series(uid="A"), _weekly_series(level=5.0, uid="B")], ignore_index=True
    )
    shuffled = sales.sample(frac=1.0, random_state=0)
    out = uncensor_demand(shuffled)
    assert out.index.equals(shuffled.index)
    pd.testing.assert_frame_equal(out.sort_index(), uncensor_demand(sales))


def test_censoring_summary_counts_and_uplift() -> None:
    sales = pd.concat(
        [_weekly_series(uid="A"), _series("B", np.full(14, 2.0), np.zeros(14, dtype=bool))]
    )
    summary = censoring_summary(uncensor_demand(sales)).set_index(S.UNIQUE_ID)
    a, b = summary.loc["A"], summary.loc["B"]
    assert a["days"] == 56 and a["stockout_days"] == 5 and a["corrected_days"] == 5
    assert a["stockout_share"] == pytest.approx(5 / 56)
    assert a["observed_total"] == pytest.approx(8 * 70.0 - 57.0)  # 10 + 10 + 12 + 10 + 15
    assert a["corrected_total"] == pytest.approx(8 * 70.0)
    assert a["uplift_pct"] == pytest.approx(100 * 57.0 / 503.0)
    assert b["stockout_days"] == 0 and b["uplift_pct"] == 0.0


def test_generated_data_corrected_mean_is_much_closer_to_true_demand() -> None:
    data = generate(sectors=("retail",), n_products=20, n_days=365, seed=3)
    sales = flag_stockouts(data.sales)
    out = uncensor_demand(sales)
    assert not out[S.Y].isna().any()
    assert (out[S.Y] >= out[Y_OBSERVED]).all()
    assert out.loc[~out[S.STOCKOUT], S.Y].equals(sales.loc[~sales[S.STOCKOUT], S.Y])
    merged = out.merge(data.truth[[S.UNIQUE_ID, S.DS, DEMAND]], on=[S.UNIQUE_ID, S.DS])
    out_days = merged[merged[S.STOCKOUT]]
    assert len(out_days) > 100
    truth = out_days[DEMAND].mean()
    raw_error = abs(out_days[Y_OBSERVED].mean() - truth)
    corrected_error = abs(out_days[S.Y].mean() - truth)
    assert corrected_error < 0.3 * raw_error
