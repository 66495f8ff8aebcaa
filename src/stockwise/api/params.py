"""Query parameters shared by the list endpoints: pagination and comma-separated filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from stockwise.api.errors import ApiError, ErrorPlace
from stockwise.errors import OptionError
from stockwise.words import check_language

MAX_PAGE = 1_000_000
"""Far beyond any real list (a billion rows at 1,000 a page), and small enough that the
row offset always fits the databases' 64-bit OFFSET: a larger page is a 422, not a crash."""


@dataclass(frozen=True)
class Paging:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _paging(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000, description="Items per page.")] = 100,
) -> Paging:
    return Paging(page, page_size)


PagingDep = Annotated[Paging, Depends(_paging)]


def choices(text: str | None, allowed: tuple[str, ...], name: str) -> list[str] | None:
    """``"high,critical"`` → ``["high", "critical"]``; 422 naming the parameter otherwise."""
    if not text:
        return None
    values = [v.strip() for v in text.split(",") if v.strip()]
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise ApiError(
            422,
            f"{name}: unknown value(s) {', '.join(map(repr, wrong))}; "
            f"expected {', '.join(allowed)}",
            at=ErrorPlace(column=name),
            code="invalid_request",
        )
    return values


def _lang(
    request: Request,
    lang: Annotated[
        str | None,
        Query(
            description="Language of the sentences (alert messages and actions, reasons): en "
            "or fr. Codes (urgency, severity, type) stay as they are. Default: the "
            "server's STOCKWISE_LANG."
        ),
    ] = None,
) -> str:
    try:
        return check_language(lang or request.app.state.settings.lang)
    except OptionError as exc:
        raise ApiError(422, str(exc), at=ErrorPlace(column="lang"), code="invalid_request") from exc


LangDep = Annotated[str, Depends(_lang)]


def _unique_id(
    unique_id: Annotated[
        str | None, Query(description="One series (product, or product@store).")
    ] = None,
    product_id: Annotated[
        str | None, Query(description="Former name of unique_id, still accepted.", deprecated=True)
    ] = None,
) -> str | None:
    return unique_id if unique_id is not None else product_id


UniqueIdDep = Annotated[str | None, Depends(_unique_id)]
"""The series filter: ``unique_id``, the key's one name in files and answers;
``product_id``, its former name in the API, is still accepted."""
