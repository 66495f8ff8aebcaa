"""The settings of a plan run in words: the workbook's "Settings" sheet, the report's
section and the CLI summary read the same rows, so they never disagree.

Input is the plain description :class:`stockwise.workflows.plan_settings.PlanSettings`
writes (``settings.json``, the API run's ``summary.settings``): a dict with ``run``,
``sectors`` and ``gives_up``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

SETTINGS_FILE = "settings.json"
"""The settings of a plan, in its output folder."""
TARGETS = {
    "cycle_service_level": "cycle service level",
    "fill_rate": "fill rate",
    "cost": "cost (critical ratio of shortage and holding costs)",
}
SOURCES = {
    "profile": "profile",
    "defaults": "generic defaults",
    "inventory": "per product from the inventory",
    "cost": "per product from its costs",
}


def read_settings(folder: str | Path) -> dict[str, Any] | None:
    """The settings a plan wrote in ``folder``; None for a folder without them."""
    path = Path(folder) / SETTINGS_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def settings_sheet(settings: Mapping[str, Any]) -> pd.DataFrame:
    """One row per setting, one column per sector ("setting", then the sector names;
    "value" when nothing was planned); what a run gives up comes last."""
    run, sectors = settings["run"], list(settings.get("sectors") or [{}])
    names = [s.get("sector") or "value" for s in sectors]
    rows: list[dict[str, str]] = []

    def add(label: str, values: list[str]) -> None:
        rows.append({"setting": label, **dict(zip(names, values, strict=True))})

    add("profile", [profile_text(s) for s in sectors])
    add("products planned", [str(s.get("products", "")) for s in sectors])
    add("service target", [TARGETS.get(run["target"], run["target"])] * len(sectors))
    add("service level", [_per_product(s, "service_level", "%") for s in sectors])
    add("review period", [_per_product(s, "review_period_days", "days") for s in sectors])
    add("lead times", [_per_product(s, "lead_time_days", "days") for s in sectors])
    add("policy", [run["policy"]] * len(sectors))
    add("models", [models_text(run, s) for s in sectors])
    add("backtest windows", [str(run["n_windows"])] * len(sectors))
    add(
        "service calibration",
        [
            _on(run["calibrate_service"])
            if run["target"] != "cost"
            else "not used with a cost target"
        ]
        * len(sectors),
    )
    add("censoring correction", [_on(run["correct_censoring"])] * len(sectors))
    add("horizon", [_horizon(s) for s in sectors])
    add("drivers", [", ".join(run.get("drivers") or []) or "none"] * len(sectors))
    add("currency", [run.get("currency") or "the profile's (EUR by default)"] * len(sectors))
    budget = run.get("budget")
    add(
        "budget",
        [f"{budget:,.2f} for the whole order list" if budget is not None else "none"]
        * len(sectors),
    )
    add("closed days calendar", [run.get("closed_days") or "none"] * len(sectors))
    add("seed", [str(run["seed"])] * len(sectors))
    add("plan from (today)", [run.get("today") or "day after the last sale"] * len(sectors))
    for item in settings.get("gives_up", []):
        add(f"gives up ({item['setting']}: {item['choice']})", [item["gives_up"]] * len(sectors))
    return pd.DataFrame(rows)


def settings_lines(settings: Mapping[str, Any]) -> list[str]:
    """A few lines for a terminal: one per sector, one for the run, one per trade-off."""
    run = settings["run"]
    lines = []
    for s in settings.get("sectors") or []:
        lines.append(
            f"sector {s['sector']}: {profile_text(s)}; "
            f"{TARGETS.get(run['target'], run['target']).split(' (')[0]} "
            f"{_per_product(s, 'service_level', '%')}; review "
            f"{_per_product(s, 'review_period_days', 'days')}; lead times "
            f"{_per_product(s, 'lead_time_days', 'days')}; horizon {_horizon(s)}"
        )
    calibration = _on(run["calibrate_service"]) if run["target"] != "cost" else "n/a"
    lines.append(
        f"models {models_text(run)}; policy {run['policy']}; service calibration "
        f"{calibration}; censoring correction {_on(run['correct_censoring'])}; "
        f"seed {run['seed']}; plan from {run.get('today') or '—'}"
    )
    lines.extend(
        f"gives up ({g['setting']}: {g['choice']}): {g['gives_up']}"
        for g in settings.get("gives_up", [])
    )
    return lines


def profile_text(sector: Mapping[str, Any]) -> str:
    if not sector.get("sector"):
        return "—"
    if sector.get("profile") is None:
        return "generic defaults (no profile)"
    where = sector.get("profile_file")
    return f"{sector['profile']} ({where})" if where else f"{sector['profile']} (built-in)"


def models_text(run: Mapping[str, Any], sector: Mapping[str, Any] | None = None) -> str:
    models = run["models"]
    if models != "auto":
        return ", ".join(models)
    among = (sector or {}).get("candidate_models")
    return f"auto, {run['quality']}" + (f" (among {', '.join(among)})" if among else "")


def _per_product(sector: Mapping[str, Any], key: str, unit: str) -> str:
    """The value with its source, and the range the products were planned with when
    the inventory set some of them (``unit``: "%" or "days")."""
    value, source = sector.get(key), sector.get(f"{key}_from")
    if source is None:
        return "—"
    low, high = sector.get(f"{key}_range") or (None, None)
    span = None
    if low is not None:
        span = (
            _quantity(low, unit)
            if _number(low, unit) == _number(high, unit)
            else f"{_number(low, unit)}–{_quantity(high, unit)}"
        )
    origin = SOURCES.get(source, source)
    if source in ("inventory", "cost"):
        return f"{span} ({origin})" if span else origin
    text = f"{_quantity(value, unit)} ({origin})"
    return f"{text}; planned {span}" if span and span != _quantity(value, unit) else text


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    number = float(value) * (100 if unit == "%" else 1)
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _quantity(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{_number(value, unit)} %"
    return f"{_number(value, unit)} {'day' if float(value) == 1 else 'days'}"


def _on(flag: bool) -> str:
    return "on" if flag else "off"


def _horizon(sector: Mapping[str, Any]) -> str:
    horizon = sector.get("horizon")
    if horizon is None:
        return "—"
    unit = {
        "h": "hours",
        "D": "days",
        "W": "weeks",
        "M": "months",
        "Q": "quarters",
        "Y": "years",
    }.get(sector.get("freq") or "", "periods")
    return f"{horizon} {unit}"
