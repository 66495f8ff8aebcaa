"""One error shape for every 4xx/5xx answer: ``{"error": {status, code, message, ...}}``.

Input problems keep the CLI's detail: the file, the row the user sees, the column, and
the row-level issues, so an integrator can point at the cell to fix. An unexpected error
answers 500 with a reference to the server log and nothing else: its text may hold SQL,
parameters or server paths, which are the server's business, not the client's.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from stockwise.errors import InputError, OptionError, StockwiseError

log = logging.getLogger(__name__)
MAX_ECHOED_ID = 100
"""Most characters of a requested id a 404 answer gives back (in ``error.id`` only)."""
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    500: "internal",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    """The fields of every error answer (docs/api.md, "Errors")."""

    status: int
    code: str = Field(
        description="bad_request, unauthorized, forbidden, not_found, "
        "conflict, too_large, invalid_file, invalid_request, "
        "internal …"
    )
    message: str
    hint: str | None = None
    file: str | None = None
    row: int | None = Field(None, description="The row the user sees (header = row 1).")
    column: str | None = None
    issues: list[dict[str, Any]] = Field(default_factory=list)
    id: str | None = Field(
        None, description=f"404: the id that was asked for, cut to {MAX_ECHOED_ID} characters."
    )


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad request"),
        (401, "Missing, unknown or revoked API key"),
        (403, "The key lacks the write scope"),
        (404, "Not found"),
        (
            409,
            "Conflict (a run not succeeded yet, or already finished when asked to "
            "cancel; a write race lost repeatedly)",
        ),
        (413, "Too large"),
        (422, "Invalid file or request; `issues` names each problem"),
        (500, "A bug: a reference to the server log, nothing else"),
    )
}
"""The error answers every API operation declares in the OpenAPI document, so clients
and fuzzers can check answers against it."""


@dataclass(frozen=True)
class ErrorPlace:
    """Where in the client's input a problem is: the file, its row, its column (each
    None when it does not apply), so a client can point at the cell to fix."""

    file: str | None = None
    row: int | None = None
    column: str | None = None


NOWHERE = ErrorPlace()


class ApiError(Exception):
    """An expected failure with an HTTP status and the error body's fields."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        at: ErrorPlace = NOWHERE,
        issues: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {
            "status": status,
            "code": code or CODES.get(status, "error"),
            "message": message,
            "hint": hint,
            "file": at.file,
            "row": at.row,
            "column": at.column,
            "issues": issues or [],
        }
        self.headers = headers


def not_found(what: str, given: str, *, hint: str | None = None) -> ApiError:
    """404 "no <what> with this id": the message never holds what the client sent (a
    reflected text is a way to make the server say anything); the id is given back in its
    own field, cut short, for the client to match the answer to its request."""
    error = ApiError(404, f"no {what} with this id", hint=hint)
    error.body["id"] = given[:MAX_ECHOED_ID]
    return error


def from_input_error(exc: InputError, issues: list[dict[str, Any]] | None = None) -> ApiError:
    """422 ``invalid_file`` carrying the CLI's file / row / column detail."""
    return ApiError(
        422,
        str(exc.message),
        code="invalid_file",
        hint=exc.hint,
        at=ErrorPlace(file=exc.source, row=exc.row, column=exc.column),
        issues=issues,
    )


def _response(error: ApiError) -> JSONResponse:
    return JSONResponse({"error": error.body}, status_code=error.status, headers=error.headers)


def install_handlers(app: FastAPI) -> None:
    """Route every exception through the one error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _response(exc)

    @app.exception_handler(InputError)
    async def _input_error(_request: Request, exc: InputError) -> JSONResponse:
        return _response(from_input_error(exc))

    @app.exception_handler(OptionError)
    async def _option_error(_request: Request, exc: OptionError) -> JSONResponse:
        return _response(ApiError(422, exc.message, hint=exc.hint, code="invalid_request"))

    @app.exception_handler(StockwiseError)
    async def _stockwise_error(_request: Request, exc: StockwiseError) -> JSONResponse:
        return _response(ApiError(400, exc.message, hint=exc.hint))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _response(
            ApiError(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        issues = [
            {
                "file": None,
                "row": None,
                "column": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "value": _short(e.get("input")),
                "rule": e.get("type", "invalid"),
                "severity": "error",
                "message": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        message = "; ".join(f"{i['column']}: {i['message']}" for i in issues)
        return _response(
            ApiError(
                422,
                message or "invalid request",
                issues=issues,
                at=ErrorPlace(column=issues[0]["column"] if issues else None),
            )
        )

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception) -> JSONResponse:
        reference = uuid.uuid4().hex[:12]
        log.exception("internal error %s", reference)
        return _response(
            ApiError(
                500,
                f"internal error (reference {reference}). This is a "
                "bug in stockwise; please report it with the "
                "reference, which the server log holds the detail "
                "of.",
            )
        )


def _short(value: Any) -> Any:
    """The offending input, as JSON can carry it: shortened text, ``"NaN"`` for NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, int | float | bool):
        return value
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"
