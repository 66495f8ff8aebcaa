"""The FastAPI application: storage, background runs, routers, dashboard and docs.

``create_app(settings)`` builds everything from explicit settings (tests pass their own);
``stockwise serve`` runs it with uvicorn. On start the schema is upgraded and runs left
``queued``/``running`` by a stopped server are marked failed (see ``jobs.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from stockwise import __version__
from stockwise.adapters.storage import Storage
from stockwise.api import dashboard, docs_page
from stockwise.api.cache import ReadCache
from stockwise.api.deps import ReadKey
from stockwise.api.errors import ERROR_RESPONSES, install_handlers
from stockwise.api.guards import SecurityHeaders
from stockwise.api.jobs import RunManager
from stockwise.api.limits import UploadLimit
from stockwise.api.settings import Settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready-to-serve app; the database is opened (and upgraded) when it starts."""
    settings = settings or Settings()
    storage = Storage(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.upgrade_on_start:
            storage.upgrade()
        app.state.runs.recover_interrupted()
        try:
            yield
        finally:
            app.state.runs.shutdown()
            storage.dispose()

    app = FastAPI(
        title="stockwise",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Demand forecasts, stock plans, alerts and order lists. "
        "Send an API key in the `X-API-Key` header; see docs/api.md.",
    )
    app.state.settings = settings
    app.state.storage = storage
    app.state.key_cache = {}
    app.state.cache = ReadCache()
    app.state.runs = RunManager(
        storage, workers=settings.run_workers, on_finish=app.state.cache.run_finished
    )
    install_handlers(app)
    app.add_middleware(UploadLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)

    @app.get(
        "/health",
        tags=["health"],
        responses={503: {"model": dict[str, str], "description": "Database down"}},
    )
    def health() -> JSONResponse:
        """The server and its database answer."""
        try:
            storage.ping()
        except Exception as exc:  # any driver error means "down"
            return JSONResponse(
                {"status": "error", "database": str(exc), "version": __version__}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    app.include_router(_api_router(), prefix=API_PREFIX)
    docs_page.mount_docs(app)
    dashboard.mount_dashboard(app)
    return app


def _api_router() -> APIRouter:
    from stockwise.api.routers import data, profiles, results, runs, uploads

    router = APIRouter(responses=ERROR_RESPONSES)

    @router.get("/me", tags=["auth"])
    async def me(key: ReadKey) -> dict[str, str]:
        """The calling key's name, scope and prefix (to check a key works)."""
        return {"name": key.name, "scope": key.scope, "prefix": key.prefix}

    for module in (uploads, runs, data, profiles, results):
        router.include_router(module.router)
    return router
