"""Runs: start a plan / forecast job (202), list runs, follow one run's progress."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from stockwise.adapters.storage import runs as records
from stockwise.adapters.storage.models import Run
from stockwise.api.deps import ReadKey, StorageDep, WriteKey
from stockwise.api.errors import ApiError
from stockwise.api.jobs import as_utc
from stockwise.api.run_work import execute_run
from stockwise.api.serialize import page

router = APIRouter(tags=["runs"])
PREFIX = "/api/v1"


class RunRequest(BaseModel):
    """What to run; unset options take the sector profile's defaults."""

    kind: Literal["plan", "forecast"] = "plan"
    sector: str | None = Field(None, description="One sector, or null for all.")
    horizon: int | None = Field(None, ge=1, le=730, description="Forecast periods "
                                "(forecast runs; null = the profile's).")
    models: Literal["auto"] | list[str] = Field("auto", description="'auto' or model names.")
    levels: list[int] | None = Field(None, description="Interval levels (forecast runs).")
    quality: Literal["fast", "best"] = Field(
        "fast", description="Preset of 'auto': fast (milliseconds per series) or best "
                            "(seconds per series: AutoETS/AutoTheta on daily data, "
                            "AutoARIMA, gradient boosting).")
    n_windows: int = Field(2, ge=1, le=10, description="Backtest windows for selection.")
    policy: Literal["RS", "sS", "sQ"] = "RS"
    target: Literal["cycle_service_level", "fill_rate", "cost"] = "cycle_service_level"
    seed: int = 0
    drivers: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=100)]] = Field(
        default_factory=list, max_length=50,
        description="Known-ahead drivers (e.g. ['promo', 'price']) the forecasts use with "
                    "their planned values (POST /api/v1/uploads/planned); none by default.")


def run_record(run: Run) -> dict[str, Any]:
    """The run as docs/api.md shows it, with links to its results."""
    q = f"run_id={run.id}"
    links = {"self": f"{PREFIX}/runs/{run.id}", "forecasts": f"{PREFIX}/forecasts?{q}"}
    if run.kind == "plan":
        links.update(plan=f"{PREFIX}/plan?{q}", alerts=f"{PREFIX}/alerts?{q}",
                     export_csv=f"{PREFIX}/plan/export?format=csv&{q}",
                     export_xlsx=f"{PREFIX}/plan/export?format=xlsx&{q}")
    return {"id": run.id, "kind": run.kind, "status": run.status,
            "progress": round(run.progress, 3), "message": run.message, "params": run.params,
            "created_at": as_utc(run.created_at), "started_at": as_utc(run.started_at),
            "finished_at": as_utc(run.finished_at), "summary": run.summary, "links": links}


@router.post("/runs", status_code=202, summary="Start a plan or forecast run")
def start_run(body: RunRequest, request: Request, response: Response, key: WriteKey,
              storage: StorageDep) -> dict[str, Any]:
    """Queue the run; follow it at ``links.self``."""
    params = body.model_dump()
    kind = params.pop("kind")

    settings = request.app.state.settings

    def work(run_id: str, progress) -> dict[str, Any]:
        from stockwise.adapters.tracking import open_tracker

        return execute_run(storage, run_id, kind, params, progress,
                           open_tracker(settings.track), settings=settings)

    run = request.app.state.runs.submit(kind, params, work)
    response.headers["Location"] = f"{PREFIX}/runs/{run.id}"
    return run_record(run)


@router.get("/runs", summary="Runs, newest first")
def list_runs(key: ReadKey, storage: StorageDep,
              status: Literal["queued", "running", "succeeded", "failed"] | None = None,
              kind: Literal["plan", "forecast"] | None = None,
              page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
              page_size: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    rows, total = records.list_runs(storage, status=status, kind=kind,
                                    offset=(page_number - 1) * page_size, limit=page_size)
    return page([run_record(r) for r in rows], page_number, page_size, total)


@router.get("/runs/{run_id}", summary="One run: status, progress, links")
def get_run(run_id: str, key: ReadKey, storage: StorageDep) -> dict[str, Any]:
    run = records.get_run(storage, run_id)
    if run is None:
        raise ApiError(404, f"no run {run_id!r}")
    return run_record(run)
