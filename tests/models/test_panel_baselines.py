"""The panel baselines and Croston/TSB give statsforecast's point forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsforecast.models as sfm
from statsforecast import StatsForecast

from stockwise.models.registry import make_model


def _series(seed: int = 5) -> pd.DataFrame:
    """Smooth, intermittent, lumpy and late-starting daily series of different lengths."""
    rng = np.random.default_rng(seed)
    parts = []
    for i, (length, rate, share) in enumerate(
        [(90, 20, 1.0), (120, 3, 0.3), (60, 8, 0.1), (45, 1, 0.5), (200, 50, 0.9)]
    ):
        y = rng.poisson(rate, length) * (rng.random(length) < share)
        if i == 3:
            y[:10] = 0  # listed before its first sale
        ds = pd.date_range(end=pd.Timestamp("2026-05-31") - pd.Timedelta(days=i), periods=length)
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y.astype(float)}))
    return pd.concat(parts, ignore_index=True)


CASES = [
    ("Naive", sfm.Naive()),
    ("SeasonalNaive", sfm.SeasonalNaive(season_length=7)),
    ("WindowAverage", sfm.WindowAverage(window_size=7)),
    ("HistoricAverage", sfm.HistoricAverage()),
    ("CrostonClassic", sfm.CrostonClassic()),
    ("CrostonSBA", sfm.CrostonSBA()),
    ("TSB", sfm.TSB(alpha_d=0.2, alpha_p=0.2)),
]


@pytest.mark.parametrize(("name", "reference"), CASES, ids=[c[0] for c in CASES])
def test_point_forecasts_equal_statsforecast(name: str, reference) -> None:
    frame = _series()
    ours = make_model(name, season_length=7, freq="D").fit(frame).predict(10)
    theirs = StatsForecast(models=[reference], freq="D").forecast(df=frame, h=10)
    theirs = theirs.reset_index() if "unique_id" not in theirs.columns else theirs
    merged = ours.merge(theirs, on=["unique_id", "ds"], suffixes=("", "_sf"))
    assert len(merged) == len(ours) == 50
    column = reference.alias
    expected = merged[column + "_sf" if column == name else column].clip(lower=0)
    np.testing.assert_allclose(merged[name], expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", ["SeasonalNaive", "WindowAverage", "CrostonSBA", "TSB"])
def test_bands_contain_the_point_and_widen_with_the_level(name: str) -> None:
    out = make_model(name, season_length=7, freq="D").fit(_series()).predict(7, levels=(80, 95))
    assert (out[f"{name}-lo-95"] <= out[f"{name}-lo-80"]).all()
    assert (out[f"{name}-lo-80"] <= out[name]).all() and (out[name] <= out[f"{name}-hi-80"]).all()
    assert (out[f"{name}-hi-80"] <= out[f"{name}-hi-95"]).all()
    assert (out[f"{name}-hi-95"] > out[name]).any()
