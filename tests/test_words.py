"""The catalogue's sentences: recognised clause by clause, numbers and dates in French form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from stockwise.cells import decimals_of, round_to_meaning
from stockwise.data.identity import beside_id, identity_of
from stockwise.words import (
    LOCALES,
    day,
    number,
    percent,
    say,
    say_columns,
    untranslated,
)

NNBSP = "\u202f"


def test_numbers_percentages_and_dates_take_the_language_form() -> None:
    assert number(1234.5, "en", 1) == "1,234.5"
    assert number(1234.5, "fr", 1) == f"1{NNBSP}234,5"
    assert number(4963.200000000001, "fr") == f"4{NNBSP}963"
    assert percent(0.125, "fr", 1) == f"12,5{NNBSP}%" and percent(0.125, "en") == "12%"
    assert day("2024-03-05", "fr") == "05/03/2024" and day(pd.Timestamp("2024-03-05")) == (
        "2024-03-05"
    )
    assert day(None, "fr") == "" and day(pd.NaT, "fr") == ""


def test_an_alert_message_is_said_in_french_with_its_values_in_french_form() -> None:
    message = (
        "order 1,204 now: runs out 2024-08-01 if nothing is ordered; 36% chance of "
        "running out before an order placed today can arrive (tolerated 5.0%); "
        "~16.3 units of sales lost"
    )
    french = say(message, "fr")
    assert french == (
        f"commander 1{NNBSP}204 maintenant : rupture le 01/08/2024 si rien "
        f"n'est commandé ; 36{NNBSP}% de risque de rupture avant l'arrivée "
        f"d'une commande passée aujourd'hui (toléré 5,0{NNBSP}%) ; ~16,3 unités "
        "de ventes perdues"
    )
    assert untranslated(message, "fr") == []
    assert say(message, "en") == message
    assert say(french, "fr") == french  # French text is left as it is


def test_a_nested_reason_is_said_clause_by_clause() -> None:
    reason = (
        "RS policy, order in 14 days: position 453.0; order up to 291.7 (demand over "
        "9.16d lead time + 7d review: mean 207.6, 95.0% quantile 291.7); 16.3 → 18 "
        "after MOQ 12, pack 6; budget 1,234.50 EUR: left out (18 units, 99.00 EUR)"
    )
    french = say(reason, "fr")
    assert untranslated(reason, "fr") == []
    assert french.startswith("politique RS, commander dans 14 jours : position 453,0 ; ")
    assert f"quantile 95,0{NNBSP}% 291,7" in french and "colis de 6" in french
    assert f"budget 1{NNBSP}234,50\u00a0EUR : écarté (18 unités, 99,00\u00a0EUR)" in french


def test_unknown_text_stays_english_and_is_reported() -> None:
    text = "order 5 now; a sentence nobody translated"
    assert say(text, "fr") == "commander 5 maintenant ; a sentence nobody translated"
    assert untranslated(text, "fr") == ["a sentence nobody translated"]
    assert say(float("nan"), "fr") != say(float("nan"), "fr")  # not text: as is (NaN)
    assert say(None, "fr") is None


def test_frames_keep_codes_for_programs_and_translate_them_for_people() -> None:
    frame = pd.DataFrame(
        {"urgency": ["order now"], "reason": ["no order"], "unique_id": ["order now"]}
    )
    files = say_columns(frame, "fr", ("reason",))
    assert files.loc[0, "urgency"] == "order now" and files.loc[0, "reason"] == ("pas de commande")
    people = say_columns(frame, "fr")
    assert people.loc[0, "urgency"] == "commander maintenant"
    assert people.loc[0, "unique_id"] == "order now"  # ids are never translated


def test_numbers_are_rounded_to_their_meaning() -> None:
    frame = pd.DataFrame(
        {
            "order_qty": [36.0000001],
            "order_value": [4963.200000000001],
            "stockout_probability": [0.123456],
            "safety_stock": [17.85516],
            "mean_daily_demand": [0.041234],
            "note": [1.23456789],
            "on_hand": np.array([3], dtype=int),
        }
    )
    out = round_to_meaning(frame)
    assert out.loc[0, "order_qty"] == 36 and out.loc[0, "order_value"] == 4963.2
    assert out.loc[0, "stockout_probability"] == 0.123 and out.loc[0, "safety_stock"] == 17.9
    assert out.loc[0, "mean_daily_demand"] == 0.041
    assert out.loc[0, "note"] == 1.23456789  # no known meaning: as computed
    assert out["on_hand"].dtype.kind == "i"
    assert decimals_of("excess_value") == 2 and decimals_of("forecast-lo-80") == 2


def test_product_and_store_come_from_the_data_not_from_the_id() -> None:
    inventory = pd.DataFrame(
        {
            "unique_id": ["A@B@S1", "C"],
            "product": ["A@B", "C"],
            "store": ["S1", None],
            "on_hand": [1, 2],
        }
    )
    plan = pd.DataFrame({"unique_id": ["C", "A@B@S1", "unknown"], "order_qty": [1, 2, 3]})
    out = beside_id(plan, identity_of(inventory))
    assert list(out.columns) == ["unique_id", "product", "store", "order_qty"]
    assert out["product"].tolist()[:2] == ["C", "A@B"]
    assert out["store"].tolist()[1] == "S1" and pd.isna(out["product"].iloc[2])
    no_parts = pd.DataFrame({"unique_id": ["x"], "on_hand": [1]})
    assert beside_id(plan, identity_of(no_parts)) is plan


def test_the_catalogue_names_each_english_text_once() -> None:
    seen: list[str] = []

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
        seen.extend(str(loader.construct_object(key)) for key, _ in node.value)
        return loader.construct_mapping(node)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    yaml.load((LOCALES / "fr.yaml").read_text(encoding="utf-8"), Loader)
    assert len(seen) == len(set(seen)), sorted({k for k in seen if seen.count(k) > 1})
