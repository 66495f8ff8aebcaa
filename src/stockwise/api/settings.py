"""Settings of the server, from the environment (``STOCKWISE_*``) or arguments.

Read once when the app is created and passed around explicitly, so tests build apps
with their own settings and nothing reads the environment behind their back.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from stockwise.adapters.storage.database import DEFAULT_URL


class Settings(BaseSettings):
    """``STOCKWISE_DATABASE_URL``, ``STOCKWISE_MAX_UPLOAD_MB``, ``STOCKWISE_RUN_WORKERS`` …"""

    model_config = SettingsConfigDict(env_prefix="STOCKWISE_", extra="ignore")

    database_url: str = Field(DEFAULT_URL, description="SQLAlchemy URL of the database.")
    max_upload_mb: float = Field(50.0, gt=0, description="Upload size limit (413 above).")
    run_workers: int = Field(1, ge=1, le=16, description="Runs executed at the same time.")
    host: str = "127.0.0.1"
    port: int = 8000
    track: bool = Field(False, description="Record runs in MLflow (MLFLOW_TRACKING_URI, "
                        "else ./stockwise-data-store/mlflow.db).")
    upgrade_on_start: bool = Field(True, description="Apply migrations when the app starts.")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
