"""One contract battery, run against every registered model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.models import FallbackChain, NotFittedError, make_model, with_fallback
from stockwise.models.registry import available_models

SEASON = 12
H = 4


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ds = pd.date_range("2019-01-01", periods=48, freq="MS")
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(48) / 12)
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": "seasonal", "ds": ds, "y": 50 * season + rng.normal(0, 2, 48)}
            ),
            pd.DataFrame(
                {
                    "unique_id": "intermittent",
                    "ds": ds,
                    "y": rng.poisson(0.4, 48) * rng.integers(1, 5, 48).astype(float),
                }
            ),
            pd.DataFrame({"unique_id": "trend", "ds": ds, "y": np.linspace(5, 40, 48)}),
        ],
        ignore_index=True,
    )


PANEL = _panel()
NAMES = available_models()
"""Every model by name: the statistical ones, the global ones (LightGBM, XGBoost,
LightGBM-tweedie, RandomForest) and whatever else is registered."""
TINY = {
    "LSTM": {
        "look_back": 6,
        "horizon": 4,
        "hidden_size": 4,
        "max_epochs": 3,
        "batch_size": 16,
        "n_threads": 1,
    }
}
"""Settings that keep the neural models fast here; the contract does not depend on size."""


SLOW = {"LSTM", "AutoARIMA"}
"""Models whose fit alone takes 4 s or more (torch's import, ARIMA's search): ``slow``."""


@pytest.fixture(params=[pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in NAMES])
def model(request: pytest.FixtureRequest):
    return make_model(request.param, season_length=SEASON, **TINY.get(request.param, {}))


def test_constructor_only_stores_parameters(model) -> None:
    params = model.get_params()
    assert all(not k.endswith("_") for k in params)
    assert not [a for a in vars(model) if a.endswith("_")]
    twin = model.clone()
    assert twin.get_params() == params and twin is not model
    for flag in ("is_global", "supports_exog", "native_intervals"):
        assert isinstance(getattr(model, flag), bool)
    assert isinstance(model.min_history, int) and model.min_history >= 1


def test_scikit_learn_clone_rebuilds_the_model(model) -> None:
    """``sklearn.base.clone`` (and search tools) call ``get_params(deep=...)`` and rebuild
    the model from it, checking every parameter comes back unchanged."""
    from sklearn.base import clone

    twin = clone(model)
    assert type(twin) is type(model) and twin is not model
    assert twin.get_params(deep=True) == model.get_params(deep=False) == model.get_params()


def test_predict_before_fit_is_a_clear_error(model) -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict(H)


def test_fit_returns_self_and_keeps_state_in_underscore_attributes(model) -> None:
    assert model.fit(PANEL) is model
    fitted = [a for a in vars(model) if a.endswith("_")]
    assert "fitted_ids_" in fitted and "freq_" in fitted
    assert model.freq_ == "M"
    assert not [a for a in vars(model.clone()) if a.endswith("_")]


def test_forecast_frame_shape_dates_and_sign(model) -> None:
    out = model.fit(PANEL).predict(H, levels=(80, 95))
    name = model.name
    assert list(out.columns[:3]) == ["unique_id", "ds", name]
    expected = [f"{name}-{s}-{lv}" for lv in (80, 95) for s in ("lo", "hi")]
    assert sorted(out.columns[3:]) == sorted(expected)
    assert out.groupby("unique_id").size().eq(H).all()
    assert set(out["unique_id"]) == set(model.fitted_ids_)
    first = out.groupby("unique_id")["ds"].min()
    assert (first == pd.Timestamp("2023-01-01")).all()
    values = out[[name, *expected]].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (out[f"{name}-lo-95"] <= out[f"{name}-lo-80"] + 1e-9).all()
    assert (out[f"{name}-lo-80"] <= out[name] + 1e-9).all()
    assert (out[name] <= out[f"{name}-hi-80"] + 1e-9).all()
    assert (out[f"{name}-hi-80"] <= out[f"{name}-hi-95"] + 1e-9).all()


@pytest.mark.slow
def test_fitting_twice_gives_the_same_forecast(model) -> None:
    first = model.clone().fit(PANEL).predict(H, levels=(80,))
    second = model.clone().fit(PANEL).predict(H, levels=(80,))
    pd.testing.assert_frame_equal(first, second)


def test_awkward_series_never_stop_a_run(model) -> None:
    ds = pd.date_range("2020-01-01", periods=30, freq="MS")
    awkward = pd.concat(
        [
            pd.DataFrame({"unique_id": "constant", "ds": ds, "y": 5.0}),
            pd.DataFrame({"unique_id": "zeros", "ds": ds, "y": 0.0}),
            pd.DataFrame({"unique_id": "three", "ds": ds[:3], "y": [1.0, 4.0, 2.0]}),
            pd.DataFrame({"unique_id": "normal", "ds": ds, "y": np.arange(30.0) % 7}),
        ]
    )
    chain = with_fallback(model, SEASON)
    out = chain.fit(awkward).predict(H, levels=(90,))
    assert out.groupby("unique_id").size().to_dict() == {
        "constant": H,
        "zeros": H,
        "three": H,
        "normal": H,
    }
    assert (out.iloc[:, 2:].to_numpy() >= 0).all()
    assert set(chain.used_) == {"constant", "zeros", "three", "normal"}
    for uid, reason in chain.failures_.items():
        assert chain.used_[uid] != model.name and reason


def test_fallback_chain_records_who_served_and_why() -> None:
    ds = pd.date_range("2020-01-01", periods=24, freq="MS")
    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": "long", "ds": ds, "y": np.arange(24.0)}),
            pd.DataFrame({"unique_id": "short", "ds": ds[:2], "y": [3.0, 4.0]}),
        ]
    )
    chain = FallbackChain([make_model("SeasonalNaive", season_length=12), make_model("Naive")])
    out = chain.fit(frame).predict(3)
    assert chain.used_ == {"long": "SeasonalNaive", "short": "Naive"}
    assert "needs at least 12 observations" in chain.failures_["short"]
    assert out.loc[out["unique_id"] == "short", "SeasonalNaive"].tolist() == [4.0] * 3


def test_unknown_model_names_suggest_close_ones() -> None:
    with pytest.raises(ValueError, match="Did you mean AutoETS"):
        make_model("AutoETZ")
