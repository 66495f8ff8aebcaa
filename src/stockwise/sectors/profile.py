"""Sector profiles: small YAML files that set a sector's defaults.

A profile says how a sector's demand is usually shaped and planned: the period of the
series (day, week, month), the seasonal cycle, the forecast horizon, the service level to
aim for, what holding stock and running short cost, typical supplier lead times, which
models to try first and which drivers (promotions, prices, holidays, events) to use.

The three built-in profiles (``retail``, ``pharmacy``, ``luxury``) live next to this
module in ``profiles/*.yaml``; those files are the source of truth for their values. A
user adds a sector by writing one more file, either from scratch or starting from a
built-in one::

    # my_sectors/garden.yaml
    extends: retail          # inherit every key of the built-in retail profile
    description: Garden centres
    season_length: 7
    service_level: 0.97
    features:
      promotions: false      # nested tables are merged key by key

and loads it with ``load_profile("garden", extra_dirs=["my_sectors"])`` or
``load_profile("my_sectors/garden.yaml")``.

Keys
----
Required (in the file itself or inherited through ``extends``): ``frequency``,
``season_length``, ``horizon``, ``service_level``, ``holding_cost_rate``,
``lead_time_days``, ``candidate_models``. Every other key is optional and falls back to the
default of the matching :class:`SectorProfile` field. ``name`` defaults to the file name
without its extension.

This module reads no environment variable: callers (the CLI, the API) pass the user's
profile folders as ``extra_dirs``.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stockwise import calendar_facts
from stockwise.data.bounds import DEFAULT_LIMITS
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS
from stockwise.errors import OptionError, ProfileError

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
"""Folder holding the built-in profile files."""

FREQUENCIES = calendar_facts.CODES
"""Values of ``frequency`` (pandas aliases such as ``W-SUN``, ``MS`` or ``QS`` are read
as theirs): hourly, daily, weekly, monthly, quarterly, yearly."""

DEFAULT_CURRENCY = "EUR"
"""Currency of a profile that names none (ISO 4217 code): the one money is shown in."""

SHELF_LIFE_MODES = ("none", "fefo")
"""Allowed values of ``shelf_life_handling``."""

PANDAS_FREQ = {code: calendar_facts.pandas_alias(code) for code in FREQUENCIES}
"""pandas frequency aliases of the profile frequencies, with periods dated by their
start: hours, days, weeks dated on their Monday, months, quarters and years dated on
their first day."""

_SUFFIXES = (".yaml", ".yml")
_MAX_EXTENDS_DEPTH = 16


@dataclass(frozen=True)
class LeadTimeRange:
    """Typical supplier lead time of a sector, in days (``min`` <= ``max``).

    These are planning defaults used when the inventory table has no ``lead_time_days``
    for a product; per-product values always win.
    """

    min: float
    max: float

    @property
    def mid(self) -> float:
        """Middle of the range, a default point estimate of the lead time."""
        return (self.min + self.max) / 2


@dataclass(frozen=True)
class Features:
    """Which demand drivers the sector's feature pipeline uses by default."""

    promotions: bool = False
    prices: bool = False
    holidays: bool = False
    events: bool = False

    def enabled(self) -> tuple[str, ...]:
        """Names of the drivers switched on, in declaration order."""
        return tuple(name for name in _FEATURE_KEYS if getattr(self, name))


_FEATURE_KEYS = ("promotions", "prices", "holidays", "events")


@dataclass(frozen=True)
class SectorProfile:
    """Planning defaults of one sector, as read from its YAML file.

    Attributes
    ----------
    name:
        Profile name (defaults to the file name without extension).
    frequency:
        Period of the series: ``"h"`` hour, ``"D"`` day, ``"W"`` week starting Monday,
        ``"M"`` month, ``"Q"`` quarter, ``"Y"`` year (pandas aliases are read as theirs).
    season_length:
        Number of periods in one seasonal cycle (24 for hourly data with a daily cycle,
        7 for daily data with a weekly cycle, 52 for weekly data with a yearly cycle, 12
        for monthly, 4 for quarterly, 1 for yearly data).
    horizon:
        Default forecast horizon, in periods of ``frequency``.
    service_level:
        Target cycle service level, strictly between 0 and 1.
    holding_cost_rate:
        Cost of holding one unit for a year, as a fraction of its unit cost (>= 0).
    lead_time_days:
        Typical supplier lead time range, in days.
    candidate_models:
        Names of the forecasting models tried first for this sector, in order of
        preference. They are only names here; the model registry resolves them.
    description:
        One line saying which businesses the profile fits.
    demand_pattern:
        Short text describing how demand usually behaves in the sector.
    levels:
        Prediction interval levels in percent (ascending integers between 1 and 99).
    critical_service_level:
        Higher service level for critical lines (e.g. essential drugs), or ``None``.
    expiry_waste:
        True when unsold stock expires and its cost must be added to holding costs.
    shortage_cost_rate:
        Cost of one unit of unmet demand, as a fraction of its unit cost (lost margin plus
        goodwill). Used only by cost-based policies (newsvendor, (s,S)); the default policy
        aims at ``service_level``. Default 1.0: a lost unit costs as much as it is worth.
    ordering_cost:
        Fixed cost of placing one order line, in the company's currency (EOQ, (s,S)).
        Default 10.0.
    review_period_days:
        Days between two order reviews (the R of an (R,S) policy). Default 7.
    max_gap_days:
        A run of missing periods longer than this many days (and than two periods) is a
        hole: missing data, left out of fitting and scoring, not zero sales
        (:mod:`stockwise.data.holes`). Default 14: two weekly cycles of daily sales.
    cold_start_periods:
        A series with fewer periods than this since its first sale is forecast from its
        peers (:mod:`stockwise.models.cold_start`); 0 keeps every series on its own
        history; ``None`` (the default): the default of the frequency.
    shelf_life_handling:
        ``"none"`` or ``"fefo"`` (first expired, first out: batches with expiry dates).
    features:
        Demand drivers used by default.
    country:
        ISO 3166 alpha-2 code of the holiday calendar (default ``"FR"``).
    currency:
        ISO 4217 code of the money the unit costs and prices are in (default
        :data:`DEFAULT_CURRENCY`, ``"EUR"``). It labels money; nothing is converted.
    language:
        The language of what a buyer reads from a run of this sector — alerts, reasons,
        the workbook, the report, the terminal: ``"en"`` (default) or ``"fr"``
        (:mod:`stockwise.words`); ``--lang`` overrides it.
    source:
        File the profile was read from (not part of :meth:`to_dict`, ignored by ``==``).
    """

    name: str
    frequency: str
    season_length: int
    horizon: int
    service_level: float
    holding_cost_rate: float
    lead_time_days: LeadTimeRange
    candidate_models: tuple[str, ...]
    description: str = ""
    demand_pattern: str = ""
    levels: tuple[int, ...] = (80, 95)
    critical_service_level: float | None = None
    expiry_waste: bool = False
    shortage_cost_rate: float = 1.0
    ordering_cost: float = 10.0
    review_period_days: int = 7
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS
    cold_start_periods: int | None = None
    shelf_life_handling: str = "none"
    features: Features = field(default_factory=Features)
    country: str = "FR"
    currency: str = DEFAULT_CURRENCY
    language: str = "en"
    source: str | None = field(default=None, compare=False, repr=False)

    @property
    def pandas_freq(self) -> str:
        """pandas alias of ``frequency`` with periods dated by their start."""
        return PANDAS_FREQ[self.frequency]

    def to_dict(self) -> dict[str, Any]:
        """Plain, YAML-ready mapping of every key (``source`` left out).

        ``SectorProfile.from_dict(profile.to_dict()) == profile`` holds.
        """
        return {
            "name": self.name,
            "description": self.description,
            "demand_pattern": self.demand_pattern,
            "frequency": self.frequency,
            "season_length": self.season_length,
            "horizon": self.horizon,
            "levels": list(self.levels),
            "service_level": self.service_level,
            "critical_service_level": self.critical_service_level,
            "holding_cost_rate": self.holding_cost_rate,
            "expiry_waste": self.expiry_waste,
            "shortage_cost_rate": self.shortage_cost_rate,
            "ordering_cost": self.ordering_cost,
            "lead_time_days": {"min": self.lead_time_days.min, "max": self.lead_time_days.max},
            "review_period_days": self.review_period_days,
            "max_gap_days": self.max_gap_days,
            "cold_start_periods": self.cold_start_periods,
            "shelf_life_handling": self.shelf_life_handling,
            "candidate_models": list(self.candidate_models),
            "features": {key: getattr(self.features, key) for key in _FEATURE_KEYS},
            "country": self.country,
            "currency": self.currency,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> SectorProfile:
        """Validate a mapping with the same rules as a profile file (no ``extends``).

        ``source`` names the origin in error messages.
        """
        if not isinstance(data, Mapping):
            raise ProfileError(
                f"{source}: a profile must be a mapping of keys to values, "
                f"got {type(data).__name__}"
            )
        raw = dict(data)
        _check_known_keys(raw, source)
        if "extends" in raw:
            raise ProfileError(
                f"{source}: key 'extends' is only allowed in profile files",
                hint="Merge the parent profile's to_dict() yourself.",
            )
        if "name" not in raw:
            raise ProfileError(f"{source}: missing required key 'name'")
        return _build(raw, dict.fromkeys(raw, source), source)


# --- validation --------------------------------------------------------------------------


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


# --- files -------------------------------------------------------------------------------


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read the profile file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProfileError(f"{path}: not valid YAML{where}: {problem}") from None
    if data is None:
        raise ProfileError(f"{path}: the profile file is empty")
    if not isinstance(data, dict):
        raise ProfileError(
            f"{path}: a profile must be a mapping of keys to values, got {type(data).__name__}"
        )
    return data


def _dirs(extra_dirs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(extra_dirs, str | os.PathLike):
        extra_dirs = [extra_dirs]
    dirs = [Path(d).expanduser() for d in extra_dirs]
    for folder in dirs:
        if not folder.is_dir():
            raise ProfileError(f"{folder}: sector profile folder not found (or not a folder)")
    return dirs


def _profiles_in(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for suffix in reversed(_SUFFIXES):  # .yaml wins over .yml of the same name
        for path in sorted(folder.glob(f"*{suffix}")):
            if path.is_file():
                found[path.stem] = path
    return found


def list_profiles(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> dict[str, Path]:
    """Profiles that :func:`load_profile` can find by name: name -> file.

    Built-ins first, then each folder of ``extra_dirs`` (``*.yaml`` and ``*.yml``). A user
    file overrides a built-in of the same name; when several folders hold the same name,
    the folder listed first wins (as on a search path). The result is sorted by name.
    Raises :class:`ProfileError` when a folder does not exist.
    """
    found = _profiles_in(BUILTIN_DIR)
    for folder in reversed(_dirs(extra_dirs)):
        found.update(_profiles_in(folder))
    return dict(sorted(found.items()))


def _looks_like_path(name_or_path: str | os.PathLike[str]) -> bool:
    if isinstance(name_or_path, os.PathLike):
        return True
    text = str(name_or_path)
    return text.lower().endswith(_SUFFIXES) or "/" in text or os.sep in text


def _find_named(name: str, dirs: list[Path], exclude: set[Path]) -> Path | None:
    for folder in [*dirs, BUILTIN_DIR]:
        for suffix in _SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file() and path.resolve() not in exclude:
                return path
    return None


def _not_found(name: str, dirs: list[Path], context: str) -> ProfileError:
    available = list(list_profiles(dirs))
    close = difflib.get_close_matches(name, available, n=1, cutoff=0.6)
    suggestion = f"Did you mean '{close[0]}'? " if close else ""
    return ProfileError(
        f"{context}unknown sector profile '{name}'",
        hint=f"{suggestion}Available profiles: {', '.join(available)}. "
        "Pass a path to a .yaml file, or the folder holding it as an extra profile folder.",
    )


def _load_chain(
    path: Path, dirs: list[Path], chain: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read ``path`` and its ``extends`` ancestors; merge them (child wins)."""
    source = str(path)
    raw = _read_yaml(path)
    _check_known_keys(raw, source)
    here = path.resolve()
    chain = (*chain, here)
    parent_ref = raw.pop("extends", None)
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    if parent_ref is not None:
        if not isinstance(parent_ref, str) or not parent_ref.strip():
            raise ProfileError(
                f"{source}: key 'extends' must name a profile, "
                f"e.g. 'extends: retail', got {parent_ref!r}"
            )
        if len(chain) > _MAX_EXTENDS_DEPTH:
            raise ProfileError(
                f"{source}: key 'extends' nests more than {_MAX_EXTENDS_DEPTH} profiles deep"
            )
        parent_ref = parent_ref.strip()
        parent: Path | None
        if _looks_like_path(parent_ref):
            parent = Path(parent_ref).expanduser()
            if not parent.is_absolute():
                parent = path.parent / parent
            if not parent.is_file():
                raise ProfileError(
                    f"{source}: key 'extends' names file {parent}, which does not exist"
                )
            if parent.resolve() in chain:
                raise ProfileError(f"{source}: key 'extends' makes a cycle through {parent}")
        else:
            parent = _find_named(parent_ref, dirs, set(chain))
            if parent is None:
                if _find_named(parent_ref, dirs, set()) is not None:
                    raise ProfileError(
                        f"{source}: key 'extends' makes a cycle: profile "
                        f"'{parent_ref}' is already being loaded"
                    )
                raise _not_found(parent_ref, dirs, f"{source}: key 'extends' names an ")
        merged, origins = _load_chain(parent, dirs, chain)
        merged.pop("name", None)  # a child is never named after its parent
        origins.pop("name", None)
    for key, value in raw.items():
        base = merged.get(key)
        if key in _NESTED_KEYS and isinstance(value, Mapping) and isinstance(base, Mapping):
            merged[key] = {**base, **value}
        else:
            merged[key] = value
        origins[key] = source
    return merged, origins


def load_profile(
    name_or_path: str | os.PathLike[str],
    extra_dirs: Iterable[str | os.PathLike[str]] = (),
) -> SectorProfile:
    """Load and validate a sector profile.

    ``name_or_path`` is either

    * a profile name (``"retail"``): looked up as ``<dir>/<name>.yaml`` (or ``.yml``) in
      each folder of ``extra_dirs`` in order, then among the built-ins, so a user file
      overrides a built-in of the same name; or
    * a path to a ``.yaml`` / ``.yml`` file (anything that is a ``PathLike``, ends with
      one of these suffixes or contains a path separator).

    A file may start from another profile with ``extends: NAME`` (looked up like a name,
    skipping the files already being loaded, so ``my_dir/retail.yaml`` may extend the
    built-in ``retail``) or ``extends: other.yaml`` (relative to the file). Keys of the
    child replace those of the parent; ``features`` and ``lead_time_days`` mappings are
    merged key by key; ``name`` is never inherited (it defaults to the file name).

    Raises :class:`~stockwise.errors.ProfileError` naming the file and the key for a
    missing file, invalid YAML, an unknown key (with the closest known key suggested), a
    value of the wrong type or out of range, or a missing required key.
    """
    dirs = _dirs(extra_dirs)
    if _looks_like_path(name_or_path):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ProfileError(f"{path}: sector profile file not found")
    else:
        name = str(name_or_path).strip()
        found = _find_named(name, dirs, set())
        if found is None:
            raise _not_found(name, dirs, "")
        path = found
    merged, origins = _load_chain(path, dirs, ())
    if "name" not in merged:
        merged["name"] = path.stem
        origins["name"] = str(path)
    return _build(merged, origins, str(path))
