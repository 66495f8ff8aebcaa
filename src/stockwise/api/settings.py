"""Settings of the server, from the environment (``STOCKWISE_*``) or arguments.

Read once when the app is created and passed around explicitly, so tests build apps
with their own settings and nothing reads the environment behind their back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from stockwise.adapters.storage.database import DEFAULT_URL
from stockwise.workflows.plan_config import DEFAULT_CHUNK_SIZE


class Settings(BaseSettings):
    """``STOCKWISE_DATABASE_URL``, ``STOCKWISE_MAX_UPLOAD_MB``, ``STOCKWISE_RUN_WORKERS``,
    ``STOCKWISE_ENGINE``, ``STOCKWISE_DASK_SCHEDULER`` …"""

    model_config = SettingsConfigDict(env_prefix="STOCKWISE_", extra="ignore")

    database_url: str = Field(DEFAULT_URL, description="SQLAlchemy URL of the database.")
    max_upload_mb: float = Field(50.0, gt=0, description="Upload size limit (413 above).")
    max_spreadsheet_mb: float = Field(
        100.0, gt=0, description="Largest size an uploaded workbook may unpack to (413 above)."
    )
    max_spreadsheet_ratio: float = Field(
        30.0,
        gt=1,
        description="Largest ratio of a "
        "workbook's unpacked size to its size sent (413 "
        "above): workbooks saved by Excel or LibreOffice "
        "unpack to 5 to 15 times their size.",
    )
    max_rows: int = Field(2_000_000, ge=1, description="Rows one upload may hold (413 above).")
    max_columns: int = Field(500, ge=10, description="Columns one upload may hold (422 above).")
    max_inline_issues: int = Field(
        100,
        ge=1,
        le=10_000,
        description="Issues and quarantined "
        "rows listed in an upload's answer (the rest are counted).",
    )
    run_workers: int = Field(1, ge=1, le=16, description="Runs executed at the same time.")
    host: str = "127.0.0.1"
    port: int = 8000
    track: bool = Field(
        False,
        description="Record runs in MLflow (MLFLOW_TRACKING_URI, "
        "else ./stockwise-data-store/mlflow.db).",
    )
    upgrade_on_start: bool = Field(True, description="Apply migrations when the app starts.")
    engine: Literal["local", "process", "dask"] = Field(
        "local",
        description="Where plan runs' chunks run: in the server's process, a local "
        "process pool, or a Dask cluster.",
    )
    dask_scheduler: str | None = Field(
        None,
        description="Address of a Dask scheduler (tcp://HOST:8786) for the dask "
        "engine; none: a local cluster per run.",
    )
    engine_workers: int | None = Field(
        None,
        ge=1,
        le=256,
        description="Processes of the pool or of the local Dask cluster "
        "(default: one per CPU / 2).",
    )
    lang: Literal["en", "fr"] = Field(
        "en",
        description="Language of the dashboard and of the sentences in the API's "
        "answers (alerts, reasons) when a request names none (?lang=).",
    )
    chunk_size: int = Field(
        DEFAULT_CHUNK_SIZE,
        ge=1,
        description="Series per chunk of a plan run (calibration pools per chunk: keep it large).",
    )

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
