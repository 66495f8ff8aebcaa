"""Sector profiles: built-in YAML files, user files, ``extends`` and validation errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from stockwise.errors import ProfileError
from stockwise.sectors import Features, LeadTimeRange, SectorProfile, list_profiles, load_profile
from stockwise.sectors.profile import BUILTIN_DIR

MINIMAL = """\
frequency: W
season_length: 52
horizon: 13
service_level: 0.9
holding_cost_rate: 0.25
lead_time_days: [5, 10]
candidate_models: [AutoETS]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- built-ins -----------------------------------------------------------------------------


def test_builtins_are_listed():
    profiles = list_profiles()
    assert set(profiles) == {"retail", "pharmacy", "luxury"}
    assert all(path.parent == BUILTIN_DIR for path in profiles.values())


def test_retail_matches_design():
    p = load_profile("retail")
    assert p.name == "retail"
    assert p.frequency == "D" and p.season_length == 7
    assert p.service_level == 0.95
    assert p.critical_service_level is None
    assert p.holding_cost_rate == 0.20
    assert p.expiry_waste is False
    assert p.lead_time_days == LeadTimeRange(2, 14)
    assert p.shelf_life_handling == "none"
    assert p.candidate_models == (
        "HoltWinters",
        "HoltWintersMonthDay",
        "SES",
        "SeasonalNaive",
        "AutoETS",
        "AutoTheta",
        "AutoARIMA",
        "WindowAverage",
        "LightGBM",
        "LSTM",
    )
    assert p.features == Features(promotions=True, prices=True, holidays=True, events=True)
    assert p.country == "FR"
    assert p.levels == (80, 95)
    assert p.pandas_freq == "D"
    assert "promotions" in p.demand_pattern


def test_pharmacy_matches_design():
    p = load_profile("pharmacy")
    assert p.service_level == 0.98
    assert p.critical_service_level == 0.995
    assert p.holding_cost_rate == 0.20
    assert p.expiry_waste is True
    assert p.shelf_life_handling == "fefo"
    assert (p.lead_time_days.min, p.lead_time_days.max) == (1, 3)
    assert p.candidate_models == (
        "HoltWinters",
        "HoltWintersMonthDay",
        "SES",
        "SeasonalNaive",
        "AutoETS",
        "AutoARIMA",
        "AutoTheta",
        "TSB",
        "CrostonSBA",
        "ADIDA",
    )


def test_luxury_matches_design():
    p = load_profile("luxury")
    assert p.service_level == 0.92
    assert p.critical_service_level is None
    assert p.holding_cost_rate == 0.30
    assert p.expiry_waste is False
    assert p.lead_time_days == LeadTimeRange(42, 84)  # 6 to 12 weeks
    assert p.candidate_models == (
        "CrostonSBA",
        "TSB",
        "ADIDA",
        "IMAPA",
        "SES",
        "HoltWinters",
        "SeasonalNaive",
        "Naive",
        "LightGBM-tweedie",
    )
    assert p.frequency == "W" and p.season_length == 52
    assert p.pandas_freq == "W-MON"


def test_profiles_are_frozen():
    p = load_profile("retail")
    with pytest.raises(AttributeError):
        p.service_level = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("name", ["retail", "pharmacy", "luxury"])
def test_to_dict_round_trips(name):
    p = load_profile(name)
    data = p.to_dict()
    assert yaml.safe_load(yaml.safe_dump(data)) == data
    assert SectorProfile.from_dict(data) == p
    assert data["lead_time_days"] == {"min": p.lead_time_days.min, "max": p.lead_time_days.max}
    assert "source" not in data


# --- user files ----------------------------------------------------------------------------


def test_user_file_by_path_and_by_name(tmp_path):
    path = write(tmp_path, "garden.yaml", MINIMAL)
    by_path = load_profile(path)
    by_str = load_profile(str(path))
    by_name = load_profile("garden", extra_dirs=[tmp_path])
    assert by_path == by_str == by_name
    assert by_path.name == "garden"  # from the file name
    assert by_path.source == str(path)
    assert by_path.lead_time_days == LeadTimeRange(5, 10)
    # optional keys fall back to the dataclass defaults
    assert by_path.levels == (80, 95)
    assert by_path.country == "FR"
    assert by_path.features == Features()
    assert by_path.critical_service_level is None


def test_extends_builtin(tmp_path):
    path = write(
        tmp_path,
        "garden.yaml",
        """\
        extends: retail
        description: Garden centres
        service_level: 0.97
        lead_time_days: {max: 21}
        features:
          promotions: false
        """,
    )
    p = load_profile(path)
    retail = load_profile("retail")
    assert p.name == "garden"
    assert p.description == "Garden centres"
    assert p.service_level == 0.97
    assert p.features == Features(promotions=False, prices=True, holidays=True, events=True)
    assert p.lead_time_days == LeadTimeRange(2, 21)  # merged key by key
    assert p.candidate_models == retail.candidate_models
    assert p.horizon == retail.horizon
    assert p.holding_cost_rate == retail.holding_cost_rate


def test_user_dir_overrides_builtin_and_may_extend_it(tmp_path):
    write(tmp_path, "retail.yaml", "extends: retail\nservice_level: 0.9\n")
    write(tmp_path, "garden.yml", MINIMAL)
    profiles = list_profiles(extra_dirs=[tmp_path])
    assert set(profiles) == {"retail", "pharmacy", "luxury", "garden"}
    assert profiles["retail"] == tmp_path / "retail.yaml"
    assert profiles["garden"] == tmp_path / "garden.yml"
    assert profiles["luxury"].parent == BUILTIN_DIR
    p = load_profile("retail", extra_dirs=[tmp_path])
    assert p.service_level == 0.9
    assert p.name == "retail"
    assert p.candidate_models == load_profile("retail").candidate_models
    # without the folder the built-in is untouched
    assert load_profile("retail").service_level == 0.95


def test_first_extra_dir_wins(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write(first, "garden.yaml", MINIMAL.replace("0.9\n", "0.91\n"))
    write(second, "garden.yaml", MINIMAL.replace("0.9\n", "0.92\n"))
    assert list_profiles([first, second])["garden"] == first / "garden.yaml"
    assert load_profile("garden", [first, second]).service_level == 0.91


def test_extends_relative_file(tmp_path):
    write(tmp_path, "base.yaml", MINIMAL)
    path = write(tmp_path, "child.yaml", "extends: base.yaml\nhorizon: 26\n")
    p = load_profile(path)
    assert p.horizon == 26 and p.season_length == 52 and p.name == "child"


# --- errors --------------------------------------------------------------------------------


def test_unknown_key_names_file_and_key_and_suggests(tmp_path):
    path = write(tmp_path, "bad.yaml", MINIMAL + "servce_level: 0.9\n")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message
    assert "'servce_level'" in message
    assert "Did you mean 'service_level'?" in message


def test_unknown_nested_key_suggests(tmp_path):
    path = write(tmp_path, "bad.yaml", MINIMAL + "features: {promos: true}\n")
    with pytest.raises(ProfileError, match=r"features\.promos.*Did you mean 'promotions'"):
        load_profile(path)


@pytest.mark.parametrize("value", ["1.5", "0", "1", "-0.2", "'high'", "true"])
def test_service_level_out_of_range(tmp_path, value):
    text = MINIMAL.replace("service_level: 0.9", f"service_level: {value}")
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(path) in str(info.value)
    assert "'service_level'" in str(info.value)
    assert "between 0 and 1" in str(info.value)


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("ordering_cost: -1\n", "ordering_cost"),
        ("shortage_cost_rate: -0.5\n", "shortage_cost_rate"),
        ("critical_service_level: 1.2\n", "critical_service_level"),
        ("critical_service_level: 0.5\n", "critical_service_level"),  # below service_level
        ("levels: [80, 100]\n", "levels"),
        ("levels: 95\n", "levels"),
        ("expiry_waste: 'yes'\n", "expiry_waste"),
        ("shelf_life_handling: lifo\n", "shelf_life_handling"),
        ("country: NO\n", "country"),  # YAML reads NO as false
        ("review_period_days: 0\n", "review_period_days"),
        ("features: {holidays: 1}\n", "features"),
        ("name: ''\n", "name"),
    ],
)
def test_invalid_values(tmp_path, extra, key):
    path = write(tmp_path, "bad.yaml", MINIMAL + extra)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(path) in str(info.value)
    assert f"'{key}'" in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("frequency: W", "frequency: fortnightly", "frequency"),
        ("season_length: 52", "season_length: seven", "season_length"),
        ("horizon: 13", "horizon: 2.5", "horizon"),
        ("holding_cost_rate: 0.25", "holding_cost_rate: -0.1", "holding_cost_rate"),
        ("lead_time_days: [5, 10]", "lead_time_days: [10, 5]", "lead_time_days"),
        ("lead_time_days: [5, 10]", "lead_time_days: 7", "lead_time_days"),
        ("candidate_models: [AutoETS]", "candidate_models: []", "candidate_models"),
        ("candidate_models: [AutoETS]", "candidate_models: [AutoETS, AutoETS]", "candidate_models"),
    ],
)
def test_invalid_required_values(tmp_path, old, new, key):
    path = write(tmp_path, "bad.yaml", MINIMAL.replace(old, new))
    with pytest.raises(ProfileError, match=f"'{key}'"):
        load_profile(path)


def test_lowercase_frequency_is_accepted(tmp_path):
    path = write(tmp_path, "ok.yaml", MINIMAL.replace("frequency: W", "frequency: m"))
    assert load_profile(path).frequency == "M"


def test_missing_required_keys(tmp_path):
    path = write(tmp_path, "short.yaml", "frequency: D\nseason_length: 7\n")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message
    assert "'service_level'" in message and "'candidate_models'" in message
    assert "'frequency'" not in message
    assert "extends" in message  # the hint


def test_error_names_the_file_that_set_the_key(tmp_path):
    write(tmp_path, "base.yaml", MINIMAL.replace("horizon: 13", "horizon: -1"))
    child = write(tmp_path, "child.yaml", "extends: base.yaml\n")
    with pytest.raises(ProfileError) as info:
        load_profile(child)
    assert str(tmp_path / "base.yaml") in str(info.value)
    assert "'horizon'" in str(info.value)


def test_invalid_yaml_and_empty_file(tmp_path):
    bad = write(tmp_path, "bad.yaml", "frequency: [D\n")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad)
    empty = write(tmp_path, "empty.yaml", "")
    with pytest.raises(ProfileError, match="empty"):
        load_profile(empty)
    listing = write(tmp_path, "list.yaml", "- a\n- b\n")
    with pytest.raises(ProfileError, match="mapping"):
        load_profile(listing)


def test_unknown_name_suggests():
    with pytest.raises(ProfileError) as info:
        load_profile("retial")
    assert "'retial'" in str(info.value)
    assert "Did you mean 'retail'?" in str(info.value)
    assert "luxury" in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProfileError, match="not found"):
        load_profile(tmp_path / "nope.yaml")
    with pytest.raises(ProfileError, match="folder not found"):
        list_profiles([tmp_path / "nope"])
    with pytest.raises(ProfileError, match="folder not found"):
        load_profile("retail", extra_dirs=[tmp_path / "nope"])


def test_extends_unknown_and_cycle(tmp_path):
    path = write(tmp_path, "a.yaml", "extends: retial\n")
    with pytest.raises(ProfileError, match=r"a\.yaml: key 'extends'.*Did you mean 'retail'"):
        load_profile(path)
    write(tmp_path, "b.yaml", "extends: c\n")
    write(tmp_path, "c.yaml", "extends: b\n")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile("b", extra_dirs=[tmp_path])


def test_from_dict_validates():
    data = load_profile("retail").to_dict()
    data["service_level"] = 2
    with pytest.raises(ProfileError, match="<dict>: key 'service_level'"):
        SectorProfile.from_dict(data)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "lead_time_days: [5, 100000]",
            "key 'lead_time_days.max' (100000 days) is above the plausible maximum of 730 days",
        ),
        (
            "lead_time_days: [5, 10]\nreview_period_days: 5000",
            "key 'review_period_days' (5000 days) is above the plausible maximum of 365 days",
        ),
    ],
)
def test_absurd_lead_times_and_review_periods_are_refused(tmp_path, extra, message):
    text = MINIMAL.replace("lead_time_days: [5, 10]\n", "") + extra + "\n"
    path = write(tmp_path, "absurd.yaml", text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert message in str(info.value) and str(path) in str(info.value)
    ok = write(tmp_path, "ok.yaml", MINIMAL + "review_period_days: 365\n")
    assert load_profile(ok).review_period_days == 365
