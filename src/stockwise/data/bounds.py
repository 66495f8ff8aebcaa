"""Plausibility bounds: the largest (and smallest) values a column may hold and still be
believed.

A sale of 1e300 units, a lead time of 100,000 days or a stock of 1e308 are typing or
export errors, not facts: taken as data they overflow the plan (orders of 1e301 units,
infinite excess values) instead of being caught. Validation therefore checks each number
against a bound and quarantines the row naming the rule, e.g. ``lead_time_days 100000 is
above the plausible maximum 730 (bounds.lead_time_days.max)``.

The defaults below are generous on purpose (a bound only has to catch the absurd): a
billion units in one period or one stock, a billion currency units per unit (weak
currencies included), two years of lead time, ten years of shelf life. A business whose
data go beyond them writes a YAML file with a ``bounds:`` section and passes it with
``--bounds FILE`` (CLI) or ``bounds=load_bounds(FILE)`` (library)::

    bounds:
      lead_time_days: {max: 1000}     # sea freight with long customs holds
      price: {max: 5.0e10}            # prices in Indonesian rupiah
      y: {min: null, max: null}       # no bound on units sold

The bounds live in their own file, not in the sector profile: validation runs before a
profile is chosen and one file may hold several sectors, while a bound is a fact about
the data's units (which currency, which unit of measure), the same for every sector.
Keys are the canonical column names; a key left out keeps its default.
"""

from __future__ import annotations

import contextlib
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stockwise import schema as S
from stockwise.errors import OptionError

_QUANTITY_MAX = 1e9
_MONEY_MAX = 1e9


@dataclass(frozen=True)
class Bound:
    """The plausible range of one column (``None``: no bound on that side)."""

    min: float | None = None
    max: float | None = None


DEFAULT_LIMITS: dict[str, Bound] = {
    S.Y: Bound(max=_QUANTITY_MAX),
    S.ON_HAND: Bound(max=_QUANTITY_MAX),
    S.ON_ORDER: Bound(max=_QUANTITY_MAX),
    S.QUANTITY: Bound(max=_QUANTITY_MAX),
    S.MOQ: Bound(max=_QUANTITY_MAX),
    S.PACK_SIZE: Bound(max=_QUANTITY_MAX),
    S.PRICE: Bound(max=_MONEY_MAX),
    S.UNIT_COST: Bound(max=_MONEY_MAX),
    S.LEAD_TIME_DAYS: Bound(max=730.0),
    S.LEAD_TIME_STD_DAYS: Bound(max=365.0),
    S.REVIEW_PERIOD_DAYS: Bound(max=365.0),
    S.SHELF_LIFE_DAYS: Bound(max=3650.0),
}
"""The default bound of each bounded column (see the module docstring for why)."""


@dataclass(frozen=True)
class Bounds:
    """Plausible ranges per canonical column; columns not listed are not bounded."""

    limits: Mapping[str, Bound] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    def of(self, column: str) -> Bound | None:
        """The bound of ``column``, or ``None`` when it has none."""
        bound = self.limits.get(column)
        if bound is None or (bound.min is None and bound.max is None):
            return None
        return bound

    def with_limits(self, changes: Mapping[str, Bound]) -> Bounds:
        """These bounds with some columns' bounds replaced."""
        return Bounds({**self.limits, **changes})

    def to_dict(self) -> dict[str, dict[str, float | None]]:
        """``{column: {min, max}}``, as a ``bounds:`` section holds them."""
        return {name: {"min": b.min, "max": b.max} for name, b in self.limits.items()}


DEFAULT_BOUNDS = Bounds()


def load_bounds(source: str | Path | Mapping[str, Any] | None) -> Bounds:
    """Bounds from a YAML file with a ``bounds:`` section (or that mapping itself), over
    the defaults; ``None`` gives the defaults.

    Raises :class:`~stockwise.errors.OptionError` naming the file and the key for an
    unknown column, a value that is not a number, or a minimum above its maximum.
    """
    if source is None:
        return DEFAULT_BOUNDS
    where = "bounds"
    if isinstance(source, Mapping):
        data: Any = source
    else:
        where = str(source)
        try:
            data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
        except OSError as exc:
            raise OptionError(f"{source}: cannot read the bounds file ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise OptionError(f"{source}: not valid YAML ({exc})") from None
    if isinstance(data, Mapping) and "bounds" in data:
        data = data["bounds"]
    if not isinstance(data, Mapping):
        raise OptionError(
            f"{where}: expected a 'bounds:' mapping of column: {{min, max}}",
            hint="e.g. bounds: {lead_time_days: {max: 1000}}",
        )
    changes = {str(name): _bound(where, str(name), value) for name, value in data.items()}
    return DEFAULT_BOUNDS.with_limits(changes)


def _bound(where: str, name: str, value: Any) -> Bound:
    if name not in DEFAULT_LIMITS:
        close = difflib.get_close_matches(name, list(DEFAULT_LIMITS), n=1)
        raise OptionError(
            f"{where}: no bound can be set on '{name}'",
            hint=(f"Did you mean '{close[0]}'? " if close else "")
            + f"Bounded columns: {', '.join(DEFAULT_LIMITS)}.",
        )
    if value is None:
        return Bound()
    if not isinstance(value, Mapping) or set(value) - {"min", "max"}:
        raise OptionError(
            f"{where}: bounds.{name} must be a mapping {{min: N, max: N}}, got {value!r}"
        )
    default = DEFAULT_LIMITS[name]
    low = _number(where, name, "min", value.get("min", default.min))
    high = _number(where, name, "max", value.get("max", default.max))
    if low is not None and high is not None and low > high:
        raise OptionError(f"{where}: bounds.{name}.min ({low:g}) is above its max ({high:g})")
    return Bound(low, high)


def _number(where: str, name: str, side: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):  # YAML reads 1e9 (no dot) as text
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OptionError(
            f"{where}: bounds.{name}.{side} must be a finite number or null, got {value!r}"
        )
    return float(value)
