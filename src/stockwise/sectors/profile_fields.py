"""Check each field of a profile file as it is read, so a mistake is reported with the
profile, the key and what the key accepts, not as a failure deep inside a plan.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from stockwise import calendar_facts
from stockwise.data.bounds import DEFAULT_LIMITS
from stockwise.errors import OptionError, ProfileError
from stockwise.sectors.profile_schema import (
    _FEATURE_KEYS,
    FREQUENCIES,
    SHELF_LIFE_MODES,
    Features,
    LeadTimeRange,
    SectorProfile,
)


class _Invalid(Exception):
    """A value failed a check; the caller adds the file and the key."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be text, got {value!r}")
    return value.strip()


def _name(value: Any) -> str:
    text = _text(value)
    if not text:
        raise _Invalid("must not be empty")
    return text


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"must be a whole number >= 1, got {value!r}")
    if value < 1:
        raise _Invalid(f"must be a whole number >= 1, got {value}")
    return value


def _optional_count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid(f"must be a whole number >= 0 (0: off), got {value!r}")
    return value


def _probability(value: Any) -> float:
    if not _is_number(value) or not 0 < value < 1:
        raise _Invalid(f"must be a number strictly between 0 and 1 (e.g. 0.95), got {value!r}")
    return float(value)


def _optional_probability(value: Any) -> float | None:
    return None if value is None else _probability(value)


def _cost(value: Any) -> float:
    if not _is_number(value):
        raise _Invalid(f"must be a number >= 0, got {value!r}")
    if value < 0:
        raise _Invalid(f"must not be negative, got {value}")
    return float(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, got {value!r}")
    return value


def _frequency(value: Any) -> str:
    try:
        return calendar_facts.code_of(value)
    except OptionError:
        raise _Invalid(
            f"must be one of {', '.join(FREQUENCIES)} (hour, day, week, month, "
            f"quarter, year) or a pandas alias of one, got {value!r}"
        ) from None


def _shelf_life(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in SHELF_LIFE_MODES:
        raise _Invalid(f"must be one of {', '.join(SHELF_LIFE_MODES)}, got {value!r}")
    return value.strip().lower()


def _country(value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) != 2 or not value.strip().isalpha():
        hint = " (quote it: YAML reads NO as false)" if isinstance(value, bool) else ""
        raise _Invalid(f'must be a two-letter ISO country code such as "FR", got {value!r}{hint}')
    return value.strip().upper()


def currency_code(value: Any) -> str | None:
    """An ISO 4217 code in capitals ("eur" → "EUR"), or None when ``value`` is not one."""
    if not isinstance(value, str):
        return None
    code = value.strip()
    return code.upper() if len(code) == 3 and code.isascii() and code.isalpha() else None


def _currency(value: Any) -> str:
    code = currency_code(value)
    if code is None:
        raise _Invalid(
            f'must be a three-letter ISO 4217 currency code such as "EUR", got {value!r}'
        )
    return code


def _language(value: Any) -> str:
    from stockwise.words import LANGUAGES

    key = str(value).strip().lower() if isinstance(value, str) else ""
    if key not in LANGUAGES:
        raise _Invalid(f"must be one of {', '.join(LANGUAGES)}, got {value!r}")
    return key


def _levels(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise _Invalid(
            f"must be a non-empty list of whole percentages, e.g. [80, 95], got {value!r}"
        )
    for level in value:
        if isinstance(level, bool) or not isinstance(level, int) or not 0 < level < 100:
            raise _Invalid(f"must hold whole percentages between 1 and 99, got {level!r}")
    return tuple(sorted(set(value)))


def _models(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise _Invalid(f"must be a non-empty list of model names, got {value!r}")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _Invalid(f"must hold model names (text), got {item!r}")
        if item.strip() in names:
            raise _Invalid(f"lists model {item.strip()!r} twice")
        names.append(item.strip())
    return tuple(names)


def _lead_time(value: Any) -> LeadTimeRange:
    if isinstance(value, Mapping):
        missing = [key for key in ("min", "max") if key not in value]
        if missing:
            raise _Invalid(f"needs both 'min' and 'max', missing {', '.join(missing)}")
        low, high = value["min"], value["max"]
    elif isinstance(value, list | tuple) and len(value) == 2:
        low, high = value
    else:
        raise _Invalid(f"must be {{min: DAYS, max: DAYS}} or [MIN, MAX], got {value!r}")
    for bound in (low, high):
        if not _is_number(bound) or bound <= 0:
            raise _Invalid(f"bounds must be numbers of days > 0, got {bound!r}")
    if high < low:
        raise _Invalid(f"max ({high}) must not be smaller than min ({low})")
    return LeadTimeRange(min=low, max=high)


def _features(value: Any) -> Features:
    if not isinstance(value, Mapping):
        raise _Invalid(
            f"must be a mapping such as {{promotions: true, prices: false}}, got {value!r}"
        )
    flags: dict[str, bool] = {}
    for key, flag in value.items():
        if not isinstance(flag, bool):
            raise _Invalid(f"'{key}' must be true or false, got {flag!r}")
        flags[key] = flag
    return Features(**flags)


_VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "description": _text,
    "demand_pattern": _text,
    "frequency": _frequency,
    "season_length": _positive_int,
    "horizon": _positive_int,
    "levels": _levels,
    "service_level": _probability,
    "critical_service_level": _optional_probability,
    "holding_cost_rate": _cost,
    "expiry_waste": _flag,
    "shortage_cost_rate": _cost,
    "ordering_cost": _cost,
    "lead_time_days": _lead_time,
    "review_period_days": _positive_int,
    "max_gap_days": _positive_int,
    "cold_start_periods": _optional_count,
    "shelf_life_handling": _shelf_life,
    "candidate_models": _models,
    "features": _features,
    "country": _country,
    "currency": _currency,
    "language": _language,
}


REQUIRED_KEYS = (
    "frequency",
    "season_length",
    "horizon",
    "service_level",
    "holding_cost_rate",
    "lead_time_days",
    "candidate_models",
)
"""Keys every profile must set, itself or through ``extends``."""


KNOWN_KEYS = ("extends", *_VALIDATORS)
"""Every key a profile file may hold."""


_NESTED_KEYS = {"features": _FEATURE_KEYS, "lead_time_days": ("min", "max")}


def _unknown_key_error(
    source: str, key: Any, known: Iterable[str], where: str = ""
) -> ProfileError:
    known = list(known)
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    suggestion = f"Did you mean '{close[0]}'? " if close else ""
    return ProfileError(
        f"{source}: unknown key '{where}{key}'",
        hint=f"{suggestion}Known keys{' of ' + where.rstrip('.') if where else ''}: "
        f"{', '.join(known)}.",
    )


def _check_known_keys(raw: Mapping[str, Any], source: str) -> None:
    for key in raw:
        if key not in KNOWN_KEYS:
            raise _unknown_key_error(source, key, KNOWN_KEYS)
    for key, subkeys in _NESTED_KEYS.items():
        value = raw.get(key)
        if isinstance(value, Mapping):
            for subkey in value:
                if subkey not in subkeys:
                    raise _unknown_key_error(source, subkey, subkeys, where=f"{key}.")


def _build(raw: Mapping[str, Any], origins: Mapping[str, str], source: str) -> SectorProfile:
    """Check required keys and every value, then make the dataclass."""
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        raise ProfileError(
            f"{source}: missing required key(s) {', '.join(repr(k) for k in missing)}",
            hint="Set them in the file or start from a built-in profile with "
            "'extends: retail' (or pharmacy, luxury).",
        )
    values: dict[str, Any] = {}
    for key, validator in _VALIDATORS.items():
        if key not in raw:
            continue
        try:
            values[key] = validator(raw[key])
        except _Invalid as exc:
            raise ProfileError(f"{origins.get(key, source)}: key '{key}' {exc}") from None
    _check_plausible(values, origins, source)
    critical = values.get("critical_service_level")
    if critical is not None and critical < values["service_level"]:
        raise ProfileError(
            f"{origins.get('critical_service_level', source)}: key 'critical_service_level' "
            f"({critical}) must not be below 'service_level' ({values['service_level']})"
        )
    return SectorProfile(**values, source=source)


def _check_plausible(values: Mapping[str, Any], origins: Mapping[str, str], source: str) -> None:
    """Lead times and review periods within the plausible bounds that inventory rows must
    respect (:mod:`stockwise.data.bounds`): a profile's value is used for every product
    without its own, and an absurd one (100,000 days) would make the plan forecast that
    far ahead."""
    lead = values.get("lead_time_days")
    checks = [
        (
            "lead_time_days",
            "max",
            lead.max if lead is not None else None,
            DEFAULT_LIMITS["lead_time_days"].max,
        ),
        (
            "review_period_days",
            None,
            values.get("review_period_days"),
            DEFAULT_LIMITS["review_period_days"].max,
        ),
    ]
    for key, part, value, limit in checks:
        if value is not None and limit is not None and value > limit:
            name = f"{key}.{part}" if part else key
            raise ProfileError(
                f"{origins.get(key, source)}: key '{name}' ({value:g} days) is "
                f"above the plausible maximum of {limit:g} days"
            )
