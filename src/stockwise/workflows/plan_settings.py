"""Which settings produced a plan: one description that every plan output states.

The same sales and stock give very different order bills under different settings — a
sector profile's service level, review period and lead times, one model or a selection
among many, bands calibrated on past intervals or the models' own. A bill can only be
trusted, or compared with another, when the settings behind it travel with it. So the
CLI summary, the workbook's "Settings" sheet, the HTML report and the API run all show
this one description, built after the run from

- the run's :class:`~stockwise.workflows.plan_config.PlanConfig` (models, calibration,
  censoring, policy, target, seed, the first planned day),
- the sector profiles the plan actually applied (the same rule as
  :func:`~stockwise.workflows.plan.plan_inventory`: the ``sector`` option names the
  profile of every series, otherwise each sector uses the profile of its name, and a
  sector without one the generic defaults of :mod:`stockwise.inventory.parameters`),
- the plan's own per-product values, since the inventory may set a product's lead time,
  review period or service level and those win over the profile.

Values stay plain (numbers, text, lists); wording and layout belong to the outputs
(:mod:`stockwise.report.settings_view`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.inventory.parameters import DEFAULTS
from stockwise.report.settings_view import SETTINGS_FILE
from stockwise.sectors import SectorProfile, list_profiles, load_profile
from stockwise.sectors.profile import BUILTIN_DIR
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.sector_forecast import Settings

PER_PRODUCT = ("service_level", "review_period_days", "lead_time_days")
"""Settings a product's inventory row may override; each is reported with its source."""
UNCALIBRATED = "bands are the models' own; service not calibrated on past intervals"
UNCORRECTED = (
    "sales on stocked-out days are taken as demand, so demand is under-estimated "
    "where shelves were empty"
)
FAST_AUTO = (
    "the slower candidates (AutoETS and AutoTheta on daily data, AutoCES, their "
    "median combination, gradient boosting on daily data) are not tried; quality "
    "'best' tries them"
)
ONE_MODEL = "one model for every series, no selection"
NAMED_MODELS = "selection among the named models only, not the profile's candidates"
NO_PROFILE = (
    "no sector profile: generic defaults (service level {service_level:g}, review "
    "every {review_period_days:g} days, lead time {lead_time_days:g} days where the "
    "inventory gives none); choose a profile with the sector setting"
)


@dataclass(frozen=True)
class PlanSettings:
    """The settings of one plan run.

    ``run``: what holds for every series (models, quality, policy, target, calibration,
    censoring correction, seed, today …). ``sectors``: one entry per planned sector: the
    profile applied (``None``: generic defaults) and its file when user-supplied, the
    service level, review period and lead time with where each came from, the forecast
    horizon. ``gives_up``: for each fast or uncalibrated choice, what it gives up.
    """

    run: dict[str, Any]
    sectors: list[dict[str, Any]] = field(default_factory=list)
    gives_up: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (what ``settings.json`` and the API hold)."""
        return json.loads(
            json.dumps({"run": self.run, "sectors": self.sectors, "gives_up": self.gives_up})
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanSettings:
        return cls(
            dict(data["run"]),
            [dict(s) for s in data.get("sectors", [])],
            [dict(g) for g in data.get("gives_up", [])],
        )

    def table(self) -> pd.DataFrame:
        """One row per sector: the run's settings and the sector's, one column each."""
        rows = [{**self.run, **sector} for sector in self.sectors] or [dict(self.run)]
        return pd.DataFrame(rows)


def plan_settings(
    config: PlanConfig,
    plan: pd.DataFrame,
    inventory: pd.DataFrame | None = None,
    forecast_settings: Iterable[Settings] = (),
) -> PlanSettings:
    """The settings behind ``plan`` (the order list of a run made with ``config``).

    ``inventory``: the snapshot the run planned from (it says which products set their
    own lead time, review period or service level); ``forecast_settings``: the per-sector
    forecast settings of the run (``SectorForecasts.settings``), for the horizon.
    """
    run = {
        "models": config.models if isinstance(config.models, str) else list(config.models),
        "quality": config.quality,
        "n_windows": config.n_windows,
        "policy": config.policy,
        "target": config.target,
        "calibrate_service": config.calibrate_service,
        "correct_censoring": config.correct_censoring,
        "seed": config.seed,
        "today": config.today[:10] if config.today else None,
        "drivers": list(config.exog),
        "sector_option": config.sector,
        "currency": config.currency,
        "budget": config.budget,
        "closed_days": config.closed_days,
        "csv_format": config.csv_format,
        "lang": config.lang,
    }
    names = (sorted(plan[S.SECTOR].dropna().astype(str).unique()) if S.SECTOR in plan else []) or (
        [config.sector] if config.sector else []
    )
    profiles = applied_profiles(config, names)
    horizons = {s.sector: s for s in forecast_settings}
    sectors = [
        _sector(name, profiles.get(name), config, plan, inventory, horizons.get(name))
        for name in names
    ]
    return PlanSettings(run, sectors, _gives_up(config, sectors))


def applied_profiles(config: PlanConfig, sectors: Iterable[str]) -> dict[str, SectorProfile]:
    """The profile each planned sector was planned under (absent: generic defaults)."""
    wanted = [config.sector] if config.sector else list(sectors)
    known = list_profiles(extra_dirs=config.extra_dirs)
    return {
        name: load_profile(name, extra_dirs=config.extra_dirs) for name in wanted if name in known
    }


def write_settings(settings: PlanSettings, out_dir: str | Path) -> Path:
    """``settings.json`` in the plan's folder (what ``stockwise report`` shows)."""
    path = Path(out_dir) / SETTINGS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings.to_dict(), indent=2), encoding="utf-8")
    return path


def _sector(
    name: str,
    profile: SectorProfile | None,
    config: PlanConfig,
    plan: pd.DataFrame,
    inventory: pd.DataFrame | None,
    forecast: Settings | None,
) -> dict[str, Any]:
    lines = plan[plan[S.SECTOR].astype(str) == name] if S.SECTOR in plan else plan.iloc[:0]
    defaults = _defaults(profile)
    out: dict[str, Any] = {
        "sector": name,
        "profile": profile.name if profile else None,
        "profile_file": _user_file(profile),
        "products": len(lines),
        "horizon": forecast.horizon if forecast else None,
        "freq": (forecast.freq if forecast else None) or (profile.frequency if profile else "D"),
        "candidate_models": list(forecast.restrict_to)
        if forecast and forecast.restrict_to and config.models == "auto"
        else None,
    }
    ids = set(lines[S.UNIQUE_ID].astype(str)) if S.UNIQUE_ID in lines else set()
    for column in PER_PRODUCT:
        value = None if column == "service_level" and config.target == "cost" else defaults[column]
        set_by = _set_in_inventory(inventory, column, ids)
        out[column] = value
        out[f"{column}_from"] = _source(profile, set_by, len(ids), column, config.target)
        out[f"{column}_range"] = _range(lines, column)
    return out


def _defaults(profile: SectorProfile | None) -> dict[str, float]:
    if profile is None:
        return {k: float(DEFAULTS[k]) for k in PER_PRODUCT}
    return {
        "service_level": profile.service_level,
        "review_period_days": float(profile.review_period_days),
        "lead_time_days": float(profile.lead_time_days.mid),
    }


def _user_file(profile: SectorProfile | None) -> str | None:
    """The profile's file when the user supplied it (built-ins are known by name)."""
    if profile is None or profile.source is None:
        return None
    return None if Path(profile.source).resolve().parent == BUILTIN_DIR else profile.source


def _set_in_inventory(inventory: pd.DataFrame | None, column: str, ids: set[str]) -> int:
    """How many of the products ``ids`` have their own ``column`` in the inventory."""
    if inventory is None or column not in inventory or not ids:
        return 0
    rows = inventory[inventory[S.UNIQUE_ID].astype(str).isin(ids)]
    return int(rows.loc[rows[column].notna(), S.UNIQUE_ID].astype(str).nunique())


def _source(
    profile: SectorProfile | None, set_by: int, products: int, column: str, target: str
) -> str:
    """Where a per-product setting came from: "inventory", "profile", "defaults", or
    "inventory (N of M products), else profile"."""
    if column == "service_level" and target == "cost":
        return "cost"  # the critical ratio of each product's shortage and holding costs
    fallback = "profile" if profile is not None else "defaults"
    if set_by == 0:
        return fallback
    if set_by >= products:
        return "inventory"
    return f"inventory ({set_by} of {products} products), else {fallback}"


def _range(lines: pd.DataFrame, column: str) -> list[float] | None:
    """[lowest, highest] of the plan's values (what the products were planned with)."""
    if column not in lines or lines[column].dropna().empty:
        return None
    values = pd.to_numeric(lines[column], errors="coerce").dropna()
    return None if values.empty else [float(values.min()), float(values.max())]


def _gives_up(config: PlanConfig, sectors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """What each fast or uncalibrated choice of the run gives up."""
    out = []
    if config.models == "auto":
        if config.quality == "fast":
            out.append({"setting": "models", "choice": "auto, fast", "gives_up": FAST_AUTO})
    else:
        text = ONE_MODEL if len(config.models) == 1 else NAMED_MODELS
        out.append({"setting": "models", "choice": ", ".join(config.models), "gives_up": text})
    if not config.calibrate_service and config.target != "cost":
        out.append({"setting": "calibrate_service", "choice": "off", "gives_up": UNCALIBRATED})
    if not config.correct_censoring:
        out.append({"setting": "correct_censoring", "choice": "off", "gives_up": UNCORRECTED})
    generic = [s["sector"] for s in sectors if s["profile"] is None]
    if generic:
        out.append(
            {
                "setting": "profile",
                "choice": f"none for {', '.join(generic)}",
                "gives_up": NO_PROFILE.format(**DEFAULTS),
            }
        )
    return out
