"""The profile's currency: an ISO 4217 code, EUR by default, inherited like any key."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockwise.data.mapping import build_mapping, resolve_target
from stockwise.errors import ProfileError
from stockwise.schema import INVENTORY
from stockwise.sectors import DEFAULT_CURRENCY, SectorProfile, load_profile


def test_built_in_profiles_name_their_currency_and_a_bare_one_gets_the_default() -> None:
    assert {load_profile(n).currency for n in ("retail", "pharmacy", "luxury")} == {"EUR"}
    bare = {k: v for k, v in load_profile("retail").to_dict().items() if k != "currency"}
    assert SectorProfile.from_dict(bare).currency == DEFAULT_CURRENCY == "EUR"


def test_a_user_profile_sets_its_currency_and_round_trips(tmp_path: Path) -> None:
    (tmp_path / "uk_shops.yaml").write_text("extends: retail\ncurrency: gbp\n")
    profile = load_profile("uk_shops", extra_dirs=[tmp_path])
    assert profile.currency == "GBP"
    assert SectorProfile.from_dict(profile.to_dict()) == profile


@pytest.mark.parametrize("wrong", ["euro", "E1", "", 978, True, "€UR"])
def test_a_currency_that_is_not_an_iso_code_names_the_file_and_key(
    tmp_path: Path, wrong: object
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(f"extends: retail\ncurrency: {wrong!r}\n", encoding="utf-8")
    with pytest.raises(
        ProfileError,
        match=r"odd\.yaml: key 'currency' must be a "
        r"three-letter ISO 4217",
    ):
        load_profile(path)


def test_supplier_headers_are_recognised_in_the_inventory() -> None:
    for header in ("Supplier", "Fournisseur", "vendor", "Nom fournisseur"):
        mapping = build_mapping(["sku", "stock", header], table=INVENTORY)
        assert mapping.columns["supplier"] == header
    assert resolve_target("vendor") == resolve_target("fournisseur") == "supplier"


def test_a_profile_names_its_language_english_by_default(tmp_path: Path) -> None:
    assert load_profile("retail").language == "en"
    (tmp_path / "boutiques.yaml").write_text("extends: retail\nlanguage: FR\n")
    profile = load_profile("boutiques", extra_dirs=[tmp_path])
    assert profile.language == "fr"
    assert SectorProfile.from_dict(profile.to_dict()) == profile
    (tmp_path / "odd.yaml").write_text("extends: retail\nlanguage: de\n")
    with pytest.raises(ProfileError, match=r"odd\.yaml: key 'language' must be one of en, fr"):
        load_profile(tmp_path / "odd.yaml")
