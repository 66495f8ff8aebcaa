"""Young series forecast from their peers (:mod:`stockwise.models.cold_start`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import stockwise
from stockwise.errors import InputError, OptionError
from stockwise.models.cold_start import ColdStart, peer_forecast, young_series

DAYS = pd.date_range("2024-01-01", periods=200, freq="D")
SHAPE = np.array([1.0, 1.0, 1.0, 1.2, 1.5, 1.8, 0.5])  # Monday first


def _series(uid: str, days: pd.DatetimeIndex, level: float, rng=None, **attrs) -> pd.DataFrame:
    mean = level * SHAPE[days.dayofweek]
    y = rng.poisson(mean).astype(float) if rng is not None else mean
    return pd.DataFrame({"unique_id": uid, "ds": days, "y": y, **attrs})


def _panel(
    young_level: float = 40.0, young_days: int = 14, seed: int = 0, noisy: bool = True
) -> pd.DataFrame:
    rng = np.random.default_rng(seed) if noisy else None
    rows = [
        _series(f"old{j}", DAYS, 5 + j, rng, category="a" if j < 12 else "b") for j in range(20)
    ]
    rows.append(_series("new", DAYS[-young_days:], young_level, rng, category="a"))
    return pd.concat(rows, ignore_index=True)


def _future(uid: str, last: pd.Timestamp, h: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id": uid, "ds": pd.date_range(last + pd.Timedelta(days=1), periods=h, freq="D")}
    )


def test_a_young_series_is_forecast_from_its_peers_and_the_others_are_not() -> None:
    df = _panel()
    on = stockwise.forecast(df, h=14, levels=(80, 95))
    off = stockwise.forecast(df, h=14, levels=(80, 95), cold_start=False)
    new = on[on["unique_id"] == "new"]
    assert (new["model"] == "PeerCurves").all()
    assert "young series (14 of 56 periods" in new["note"].iloc[0]
    assert "12 peers" in new["note"].iloc[0] and "category=a" in new["note"].iloc[0]
    assert not off["model"].eq("PeerCurves").any()
    old = on["unique_id"] != "new"
    pd.testing.assert_frame_equal(
        on[old].reset_index(drop=True), off[off["unique_id"] != "new"].reset_index(drop=True)
    )
    assert list(on.columns) == list(off.columns)
    # its weekly shape is the peers': Saturday (1.8) over Sunday (0.5)
    by_day = new.set_index(new["ds"].dt.dayofweek)["forecast"].groupby(level=0).mean()
    assert 2.5 < by_day[5] / by_day[6] < 4.5
    assert 30 < by_day[0] < 50  # its own level (40 on Mondays), not the peers' (about 12)


def test_the_peers_curves_are_scaled_by_the_first_periods() -> None:
    df = _panel(noisy=False)
    future = _future("new", DAYS[-1], 14)
    base = peer_forecast(df, future, None, (80,), 7, 56).forecasts
    doubled = peer_forecast(
        df.assign(y=np.where(df["unique_id"] == "new", 2 * df["y"], df["y"])),
        future,
        None,
        (80,),
        7,
        56,
    )
    ratio = doubled.forecasts["forecast"].to_numpy() / base["forecast"].to_numpy()
    np.testing.assert_allclose(ratio, 2.0, rtol=1e-9)
    # without noise and with peers of different levels, its own level is taken whole
    expected = 40.0 * SHAPE[future["ds"].dt.dayofweek]
    np.testing.assert_allclose(base["forecast"].to_numpy(), expected, rtol=1e-9)


def test_a_very_short_start_is_shrunk_toward_the_peers_level() -> None:
    rng = np.random.default_rng(1)
    rows = [_series(f"old{j}", DAYS, 1.0, rng) for j in range(30)]  # noisy, same level
    one_day = pd.DataFrame({"unique_id": ["new"], "ds": [DAYS[-1]], "y": [9.0]})
    df = pd.concat([*rows, one_day], ignore_index=True)
    out = peer_forecast(df, _future("new", DAYS[-1], 7), None, (80,), 7, 56).forecasts
    sunday = DAYS[-1].dayofweek
    own = 9.0 / SHAPE[sunday]  # its one day read as a level, unshrunk
    assert out["forecast"].mean() < 0.5 * own * SHAPE.mean()


def test_bands_are_ordered_and_never_negative() -> None:
    df = _panel(young_level=3.0, young_days=7, seed=3)
    out = stockwise.forecast(df, h=21, levels=(50, 80, 95))
    new = out[out["unique_id"] == "new"]
    assert (new["model"] == "PeerCurves").all()
    cols = [
        "forecast-lo-95",
        "forecast-lo-80",
        "forecast-lo-50",
        "forecast",
        "forecast-hi-50",
        "forecast-hi-80",
        "forecast-hi-95",
    ]
    values = new[cols].to_numpy()
    assert (values >= 0).all()
    assert (np.diff(values, axis=1) >= -1e-12).all()
    assert (new["forecast-hi-95"] > new["forecast-lo-95"]).any()


def test_without_established_peers_the_own_history_forecast_stays_with_a_note() -> None:
    rng = np.random.default_rng(2)
    df = pd.concat([_series(f"s{j}", DAYS[-20:], 10 + j, rng) for j in range(6)])
    on = stockwise.forecast(df, h=7, levels=(80,))
    off = stockwise.forecast(df, h=7, levels=(80,), cold_start=False)
    value_cols = ["unique_id", "ds", "forecast", "forecast-lo-80", "forecast-hi-80", "model"]
    pd.testing.assert_frame_equal(on[value_cols], off[value_cols])
    assert on["note"].str.contains("own history kept: no established series").all()


def test_too_few_peers_in_the_group_broadens_to_the_panel() -> None:
    df = _panel(noisy=False).assign(
        category=lambda d: np.where(d["unique_id"].isin(["new", "old0", "old1"]), "rare", "common")
    )
    groups = df.drop_duplicates("unique_id").set_index("unique_id")[["category"]]
    result = peer_forecast(df, _future("new", DAYS[-1], 7), groups, (80,), 7, 56)
    assert "the whole panel" in result.basis["new"]
    strict = peer_forecast(df, _future("new", DAYS[-1], 7), groups, (80,), 7, 56, min_peers=50)
    assert "new" in strict.without_peers and strict.forecasts.empty


def test_peers_launch_curves_carry_the_ramp_up() -> None:
    """Peers launched inside the data: the newcomer follows their sales by age."""
    ramp = lambda age: 2.0 + age  # noqa: E731 - sales grow by one unit per day of age
    rows = []
    for j in range(8):
        start = 20 + 7 * j
        days = DAYS[start : start + 60]
        rows.append(
            pd.DataFrame(
                {"unique_id": f"p{j}", "ds": days, "y": (1 + j % 3) * ramp(np.arange(60.0))}
            )
        )
    newcomer = DAYS[150:160]
    rows.append(pd.DataFrame({"unique_id": "new", "ds": newcomer, "y": 3 * ramp(np.arange(10.0))}))
    df = pd.concat(rows, ignore_index=True)
    result = peer_forecast(df, _future("new", newcomer[-1], 5), None, (80,), 1, 30)
    assert "launch curves" in result.basis["new"]
    np.testing.assert_allclose(result.forecasts["forecast"], 3 * ramp(np.arange(10.0, 15.0)))


def test_no_peer_data_after_the_newcomers_last_date_is_used() -> None:
    df = _panel(young_days=28, seed=4)
    future = _future("new", DAYS[-15], 14)
    young = df["unique_id"].eq("new") & (df["ds"] <= DAYS[-15])
    cut = df[~df["unique_id"].eq("new") | young]
    base = peer_forecast(cut, future, None, (80, 95), 7, 56).forecasts
    changed = cut.assign(y=np.where(cut["ds"] > DAYS[-15], cut["y"] * 10 + 5, cut["y"]))
    again = peer_forecast(changed, future, None, (80, 95), 7, 56).forecasts
    assert len(base) == 14
    pd.testing.assert_frame_equal(base, again)


def test_options_are_checked_and_resolved() -> None:
    assert ColdStart.of(28).threshold("D", 7) == 28
    assert ColdStart.of(None).threshold("W", 52) == 13
    assert ColdStart.of(None).threshold("QS", 4) == 8  # an unlisted frequency: two seasons
    assert not ColdStart.of(False).enabled
    with pytest.raises(OptionError, match="min_history"):
        ColdStart(min_history=0)
    with pytest.raises(OptionError, match="cold_start must be"):
        ColdStart.of("soon")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="peer column 'shelf'"):
        stockwise.forecast(_panel(), h=7, cold_start=ColdStart(peers=("shelf",)))


def test_young_means_few_periods_since_the_first_sale() -> None:
    listed_early = pd.DataFrame(
        {"unique_id": "x", "ds": DAYS[:100], "y": np.r_[np.zeros(90), np.ones(10)]}
    )
    never = pd.DataFrame({"unique_id": "z", "ds": DAYS[:10], "y": 0.0})
    old = _series("o", DAYS, 5.0)
    ages = young_series(pd.concat([listed_early, never, old]), 56)
    assert ages.to_dict() == {"x": 10}


def test_the_peers_closest_in_shape_lead() -> None:
    """A store open on Sundays among peers half of which close then: its Sundays follow
    the peers open on Sundays."""
    closed = SHAPE * np.array([1, 1, 1, 1, 1, 1, 0.0])
    rows = []
    for j in range(20):
        shape = closed if j % 2 else SHAPE
        rows.append(
            pd.DataFrame({"unique_id": f"p{j}", "ds": DAYS, "y": (5 + j) * shape[DAYS.dayofweek]})
        )
    rows.append(_series("new", DAYS[-14:], 40.0))
    out = peer_forecast(pd.concat(rows), _future("new", DAYS[-1], 7), None, (80,), 7, 56).forecasts
    np.testing.assert_allclose(out["forecast"], 40.0 * SHAPE[out["ds"].dt.dayofweek], rtol=1e-9)


@pytest.mark.slow
def test_monthly_series_get_peer_forecasts_too() -> None:
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    season = 1 + 0.5 * np.sin(2 * np.pi * months.month / 12)
    rng = np.random.default_rng(5)
    rows = [
        pd.DataFrame(
            {
                "unique_id": f"m{j}",
                "ds": months,
                "y": rng.poisson((20 + 5 * j) * season).astype(float),
            }
        )
        for j in range(8)
    ]
    rows.append(pd.DataFrame({"unique_id": "new", "ds": months[-3:], "y": 100 * season[-3:]}))
    out = stockwise.forecast(pd.concat(rows), h=6, freq="M", levels=(80,))
    new = out[out["unique_id"] == "new"]
    assert (new["model"] == "PeerCurves").all() and len(new) == 6
    expected = 100 * (1 + 0.5 * np.sin(2 * np.pi * new["ds"].dt.month / 12))
    assert np.mean(np.abs(new["forecast"].to_numpy() - expected) / expected) < 0.25


def test_a_shift_all_peers_once_had_widens_the_bands() -> None:
    """Peers alike and steady: their curves agree, so only what moved all of them at once
    after some past cutoff (here one week at three times the sales, outside the weeks the
    curves repeat) can widen the newcomer's bands."""
    steady = pd.concat(
        [pd.DataFrame({"unique_id": f"p{j}", "ds": DAYS, "y": 5.0 + j}) for j in range(10)]
    )
    newcomer = pd.DataFrame({"unique_id": "new", "ds": DAYS[-14:], "y": 20.0})
    event = steady["ds"].between(DAYS[-100], DAYS[-94])
    widths = {}
    for name, peers in {
        "steady": steady,
        "event": steady.assign(y=np.where(event, 3 * steady["y"], steady["y"])),
    }.items():
        out = peer_forecast(
            pd.concat([peers, newcomer]), _future("new", DAYS[-1], 14), None, (95,), 7, 56
        ).forecasts
        np.testing.assert_allclose(out["forecast"], 20.0)
        widths[name] = (out["forecast-hi-95"] - out["forecast"]).max()
    assert widths["steady"] == pytest.approx(0.0, abs=1e-9)
    assert widths["event"] > 10.0
