"""AutoCES and the median combination of AutoETS, AutoTheta and AutoCES."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.models import make_model, with_fallback
from stockwise.models.combination import DEFAULT_MEMBERS, MedianCombo, median_of_members
from stockwise.models.statistical import AutoCES

SEASON = 12
H = 12
PATTERN = 1 + 0.4 * np.sin(2 * np.pi * np.arange(48) / SEASON)


def _seasonal(uid: str, periods: int, level: float, noise: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2020-01-01", periods=periods, freq="MS")
    y = level * PATTERN[:periods] + rng.normal(0, noise, periods)
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.maximum(y, 0.0)})


def test_autoces_follows_the_season_of_a_short_series() -> None:
    """Three years of months: CES forecasts the fourth year's shape, far better than the
    flat mean of the history would."""
    train = _seasonal("a", 36, 100.0, 2.0, 1)
    out = make_model("CES", season_length=SEASON).fit(train).predict(H, levels=(80, 95))
    assert isinstance(make_model("CES", season_length=SEASON), AutoCES)
    assert len(out) == H and list(out.columns[:3]) == ["unique_id", "ds", "AutoCES"]
    point = out["AutoCES"].to_numpy()
    truth = 100.0 * PATTERN[36:48]
    assert np.isfinite(point).all() and (point >= 0).all()
    assert np.abs(point - truth).mean() < 0.5 * np.abs(train["y"].mean() - truth).mean()
    assert (out["AutoCES-lo-95"] <= out["AutoCES-lo-80"]).all()
    assert (out["AutoCES-lo-80"] <= point).all() and (point <= out["AutoCES-hi-80"]).all()


def _panel() -> pd.DataFrame:
    fading = _seasonal("fading", 40, 6.0, 3.0, 3)
    fading["y"] = np.maximum(fading["y"] - np.linspace(0, 8, 40), 0.0)  # heads to zero
    return pd.concat([_seasonal("steady", 40, 50.0, 4.0, 2), fading], ignore_index=True)


def test_median_combo_is_the_median_of_its_members_and_never_negative() -> None:
    panel = _panel()
    combo = make_model("Combo", season_length=SEASON).fit(panel)
    assert combo.name == "MedianCombo" and tuple(combo.members) == DEFAULT_MEMBERS
    out = combo.predict(H, levels=(80,))
    members = []
    for name in DEFAULT_MEMBERS:
        member = with_fallback(name, SEASON, "M").fit(panel).predict(H, levels=(80,))
        members.append(
            member.set_index(["unique_id", "ds"]).set_axis(["point", "lo", "hi"], axis=1)
        )
    stacked = np.stack([m.to_numpy() for m in members])
    expected = np.median(stacked, axis=0)
    got = out.set_index(["unique_id", "ds"]).loc[members[0].index].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    assert (out[["MedianCombo", "MedianCombo-lo-80", "MedianCombo-hi-80"]] >= 0).all().all()
    assert not np.allclose(stacked[0, :, 0], stacked[1, :, 0])  # members do differ


def test_combo_refuses_a_single_member() -> None:
    with pytest.raises(ValueError, match="at least two"):
        MedianCombo(members=("AutoETS",), season_length=SEASON).fit(_panel())


def test_median_of_members_leaves_incomplete_rows_empty() -> None:
    frame = pd.DataFrame({"A": [1.0, 5.0, np.nan], "B": [3.0, -2.0, 1.0], "C": [2.0, -4.0, 1.0]})
    out = median_of_members(frame, ["A", "B", "C"], "M")
    assert out["M"].iloc[0] == 2.0
    assert out["M"].iloc[1] == 0.0  # median -2 clipped: demand is never negative
    assert np.isnan(out["M"].iloc[2])


def test_a_series_failing_the_joint_forecast_is_reported_and_the_others_kept() -> None:
    """statsforecast forecasts all series at once; when that raises (CES bands on a
    series with no spread did), each series is retried alone and only the culprit is
    left to the fallback chain."""
    panel = pd.concat([_seasonal("good", 36, 50.0, 3.0, 5), _seasonal("bad", 36, 20.0, 2.0, 6)])
    model = make_model("AutoETS", season_length=SEASON).fit(panel)
    joint = model._predict_sf

    def raise_on_bad(sf, h, levels):  # type: ignore[no-untyped-def]
        out = joint(sf, h, levels)
        if "bad" in set(out["unique_id"].astype(str)):
            raise ValueError("scale must be positive")
        return out

    model._predict_sf = raise_on_bad  # type: ignore[method-assign]
    out = model.predict(H, levels=(80,))
    assert set(out["unique_id"]) == {"good"} and len(out) == H
    assert "bad" in model.failures_ and model.fitted_ids_ == ["good"]
