"""Model names are checked against the registry before anything runs."""

from __future__ import annotations

import pytest

from stockwise.errors import OptionError
from stockwise.models.registry import available_models, check_model_names


def test_models_and_aliases_pass() -> None:
    check_model_names(["AutoETS", "ETS", "Croston", "LightGBM-tweedie", "LSTM"])


def test_unknown_names_are_all_named_with_the_close_ones_and_the_known_ones() -> None:
    with pytest.raises(OptionError) as caught:
        check_model_names(["Naive", "AutoEST", "nope"])
    message = caught.value.message
    assert "'AutoEST'" in message and "'nope'" in message and "'Naive'" not in message
    assert "Did you mean" in message and "AutoETS" in message
    assert all(name in message for name in available_models())
    assert isinstance(caught.value, ValueError)  # pydantic validators turn it into a 422
