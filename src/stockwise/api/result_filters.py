"""The filters of the result lists (``/plan``, ``/plan/export``, ``/alerts``): which run,
which sector, which urgencies, alerts or severities.

Each model is read with ``Annotated[Model, Query()]``, so its fields are plain query
parameters, named as the routes document them; the values a list accepts are checked
here, with the 422 answer naming the parameter.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from stockwise.api.errors import ApiError, ErrorPlace
from stockwise.api.params import choices
from stockwise.inventory.alerts import ALERT_TYPES

URGENCIES = ("order now", "at risk", "order soon", "planned", "no action")
SEVERITIES = ("critical", "high", "medium", "low")


class PlanFilters(BaseModel):
    """Plan lines of one run (None: the newest succeeded plan run), one sector,
    comma-separated urgencies, one alert type."""

    run_id: str | None = None
    sector: str | None = None
    urgency: str | None = None
    alert: str | None = None

    def lines(self) -> dict[str, Any]:
        """The urgency and alert filters as keywords of ``queries.plan_lines``; 422 on a
        value the plan never holds."""
        _known_type(self.alert, "alert")
        return {"urgency": choices(self.urgency, URGENCIES, "urgency"), "alert": self.alert}


class AlertFilters(BaseModel):
    """Alerts of one run (None: the newest succeeded plan run), one sector,
    comma-separated severities, one alert type."""

    run_id: str | None = None
    sector: str | None = None
    severity: str | None = None
    type: str | None = None

    def alerts(self) -> dict[str, Any]:
        """The sector, severity and type filters as keywords of ``queries.alerts``; 422 on
        a value no alert holds."""
        levels = choices(self.severity, SEVERITIES, "severity")
        _known_type(self.type, "type")
        return {"sector": self.sector, "severity": levels, "type": self.type}


def _known_type(value: str | None, name: str) -> None:
    if value and value not in ALERT_TYPES:
        raise ApiError(
            422,
            f"{name}: unknown value {value!r}; expected {', '.join(ALERT_TYPES)}",
            at=ErrorPlace(column=name),
        )
