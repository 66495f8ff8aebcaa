"""Runs: start a plan / forecast job (202), list runs, follow one run's progress, cancel
one (202; it stops at its next step)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, StringConstraints, field_validator

from stockwise.adapters.storage import runs as records
from stockwise.adapters.storage.models import Run
from stockwise.api.deps import ReadKey, StorageDep, WriteKey
from stockwise.api.errors import ApiError, not_found
from stockwise.api.jobs import as_utc
from stockwise.api.params import PagingDep
from stockwise.api.run_work import execute_run
from stockwise.api.serialize import page

router = APIRouter(tags=["runs"])
PREFIX = "/api/v1"
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
"""A sector, model or driver name: printable, 1 to 100 characters (no NUL: PostgreSQL
refuses it in text)."""
Level = Annotated[int, Field(gt=0, lt=100)]


class RunRequest(BaseModel):
    """What to run; unset options take the sector profile's defaults.

    Every value is checked here, when the run is asked for (422 naming the field), not
    inside the run: a run that can only fail is never queued. Lists and names are bounded
    so that a request body cannot make the server store or loop over more than a run needs.
    """

    kind: Literal["plan", "forecast"] = "plan"
    sector: Name | None = Field(
        None,
        description="One sector, or null for all, each under the profile of its name "
        "(generic defaults without one). When the stored sales have no "
        "sector, the profile to plan every series under (e.g. pharmacy; "
        "GET /api/v1/profiles lists them).",
    )
    horizon: int | None = Field(
        None,
        ge=1,
        le=730,
        description="Forecast periods (forecast runs; null = the profile's, else 48 hours, "
        "14 days, weeks or months, 8 quarters, 3 years).",
    )
    models: Literal["auto"] | Annotated[list[Name], Field(min_length=1, max_length=30)] = Field(
        "auto", description="'auto' or model names (at most 30)."
    )
    levels: Annotated[list[Level], Field(max_length=10)] | None = Field(
        None,
        description="Interval levels in percent, each strictly between 0 and 100 "
        "(forecast runs; at most 10).",
    )
    quality: Literal["fast", "best"] = Field(
        "fast",
        description="Preset of 'auto': fast (milliseconds per series) or best "
        "(seconds per series: AutoETS, AutoTheta, AutoCES and "
        "their median everywhere, gradient boosting on daily data).",
    )
    n_windows: int = Field(2, ge=1, le=10, description="Backtest windows for selection.")
    freq: str | None = Field(
        None,
        max_length=16,
        description="Frequency to forecast at: h, D, W (W-MON ... "
        "W-SUN), M, Q or Y, or a pandas alias such as MS or QS (null = the profile's, else "
        "the data's; a plan spreads it over days).",
    )
    season_length: int | None = Field(
        None,
        ge=1,
        le=8784,
        description="Periods in one season (null = the profile's, "
        "else 24 hours, 7 days, 52 weeks, 12 months, 4 quarters, 1 year).",
    )
    cold_start: int | None = Field(
        None,
        ge=0,
        le=8784,
        description="Series younger than this many periods since their first sale are "
        "forecast from their peers in the same sector/category (0 = never; null = the "
        "profile's cold_start_periods, else 56 days, 13 weeks or 6 months).",
    )
    policy: Literal["RS", "sS", "sQ"] = "RS"
    target: Literal["cycle_service_level", "fill_rate", "cost"] = "cycle_service_level"
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Random seed, 0 to 2**32 - 1.")
    calibrate_service: bool = Field(
        True,
        description="Order at the quantile level that served the target share of past "
        "protection intervals in the backtest (false: at the target "
        "quantile of the models' own bands).",
    )
    correct_censoring: bool = Field(
        True, description="Correct demand on stocked-out days before forecasting."
    )
    drivers: list[Name] = Field(
        default_factory=list,
        max_length=50,
        description="Known-ahead drivers (e.g. ['promo', 'price']) the forecasts use with "
        "their planned values (POST /api/v1/uploads/planned); none by default.",
    )
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] | None = Field(
        None,
        description="ISO 4217 code of the unit costs and prices, e.g. 'EUR' (plan "
        "runs; null = each sector profile's).",
    )
    budget: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Most the order list may cost (plan runs; null = no cap): the lines "
        "that save the most lost sales per unit of money are kept first, the "
        "others cut down or left out, each saying so in its reason.",
    )

    @field_validator("freq")
    @classmethod
    def _known_freq(cls, freq: str | None) -> str | None:
        """A frequency stockwise knows (422 naming the field otherwise), as its code."""
        from stockwise.calendar_facts import code_of

        return None if freq is None else code_of(freq)

    @field_validator("models")
    @classmethod
    def _known_models(cls, models: str | list[str]) -> str | list[str]:
        """Each name must be a model of the registry (or its alias): 422 naming it."""
        if models != "auto" and models != ["auto"]:
            from stockwise.models.registry import check_model_names

            check_model_names(models)
        return models


def run_record(run: Run) -> dict[str, Any]:
    """The run as docs/api.md shows it, with links to its results."""
    q = f"run_id={run.id}"
    links = {"self": f"{PREFIX}/runs/{run.id}", "forecasts": f"{PREFIX}/forecasts?{q}"}
    if run.kind == "plan":
        links.update(
            plan=f"{PREFIX}/plan?{q}",
            alerts=f"{PREFIX}/alerts?{q}",
            export_csv=f"{PREFIX}/plan/export?format=csv&{q}",
            export_xlsx=f"{PREFIX}/plan/export?format=xlsx&{q}",
        )
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "progress": round(run.progress, 3),
        "message": run.message,
        "params": run.params,
        "created_at": as_utc(run.created_at),
        "started_at": as_utc(run.started_at),
        "finished_at": as_utc(run.finished_at),
        "summary": run.summary,
        "links": links,
    }


@router.post("/runs", status_code=202, summary="Start a plan or forecast run")
def start_run(
    body: RunRequest, request: Request, response: Response, key: WriteKey, storage: StorageDep
) -> dict[str, Any]:
    """Queue the run; follow it at ``links.self``."""
    params = body.model_dump()
    kind = params.pop("kind")

    settings = request.app.state.settings

    def work(run_id: str, progress) -> dict[str, Any]:
        from stockwise.adapters.tracking import open_tracker

        return execute_run(
            storage, run_id, kind, params, progress, open_tracker(settings.track), settings=settings
        )

    run = request.app.state.runs.submit(kind, params, work)
    response.headers["Location"] = f"{PREFIX}/runs/{run.id}"
    return run_record(run)


@router.get("/runs", summary="Runs, newest first")
def list_runs(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    status: Literal["queued", "running", "succeeded", "failed", "cancelling", "cancelled"]
    | None = None,
    kind: Literal["plan", "forecast"] | None = None,
) -> dict[str, Any]:
    rows, total = records.list_runs(
        storage, status=status, kind=kind, offset=paging.offset, limit=paging.page_size
    )
    return page([run_record(r) for r in rows], paging.page, paging.page_size, total)


@router.get("/runs/{run_id}", summary="One run: status, progress, links")
def get_run(run_id: str, key: ReadKey, storage: StorageDep) -> dict[str, Any]:
    run = records.get_run(storage, run_id)
    if run is None:
        raise not_found("run", run_id)
    return run_record(run)


@router.post("/runs/{run_id}/cancel", status_code=202, summary="Cancel a queued or running run")
def cancel_run(run_id: str, key: WriteKey, storage: StorageDep) -> dict[str, Any]:
    """A queued run is ``cancelled`` at once; a running one turns ``cancelling`` and stops
    at its next step, then ``cancelled``, storing no results. Asking again changes
    nothing; a run that already succeeded or failed answers 409."""
    run = records.request_cancel(storage, run_id)
    if run is None:
        raise not_found("run", run_id)
    if run.status in ("succeeded", "failed"):
        raise ApiError(409, f"the run has already {run.status}; there is nothing to cancel")
    return run_record(run)
