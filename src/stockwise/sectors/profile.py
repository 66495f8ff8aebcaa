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
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from stockwise.errors import ProfileError
from stockwise.sectors.profile_fields import (
    _NESTED_KEYS,
    KNOWN_KEYS,
    REQUIRED_KEYS,
    _build,
    _check_known_keys,
    currency_code,
)
from stockwise.sectors.profile_schema import (
    BUILTIN_DIR,
    DEFAULT_CURRENCY,
    FREQUENCIES,
    PANDAS_FREQ,
    SHELF_LIFE_MODES,
    Features,
    LeadTimeRange,
    SectorProfile,
)

_SUFFIXES = (".yaml", ".yml")
_MAX_EXTENDS_DEPTH = 16


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


__all__ = [
    "BUILTIN_DIR",
    "DEFAULT_CURRENCY",
    "FREQUENCIES",
    "KNOWN_KEYS",
    "PANDAS_FREQ",
    "REQUIRED_KEYS",
    "SHELF_LIFE_MODES",
    "Features",
    "LeadTimeRange",
    "SectorProfile",
    "currency_code",
    "list_profiles",
    "load_profile",
]
