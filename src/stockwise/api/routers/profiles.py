"""Sector profiles a run can plan under (GET /profiles).

Sales uploaded without a sector column are planned under one profile, named by the run's
``sector``; the dashboard lists these to offer the choice.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from stockwise.api.deps import ReadKey
from stockwise.sectors import list_profiles, load_profile

router = APIRouter(tags=["sectors"])


@router.get("/profiles", summary="Sector profiles a run can plan under")
def list_sector_profiles(key: ReadKey) -> dict[str, Any]:
    """Each built-in profile with the defaults that move an order bill most."""
    items = []
    for name in list_profiles():
        profile = load_profile(name)
        items.append(
            {
                "name": name,
                "description": profile.description,
                "frequency": profile.frequency,
                "service_level": profile.service_level,
                "review_period_days": profile.review_period_days,
                "lead_time_days": {
                    "min": profile.lead_time_days.min,
                    "max": profile.lead_time_days.max,
                },
                "horizon": profile.horizon,
            }
        )
    return {"items": items}
