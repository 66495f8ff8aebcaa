"""The query parameters of the upload routes, one model per route: how to read the file
(separator, decimal mark, encoding, sheet, date format) and what to keep of it.

Each model is read with ``Annotated[Model, Query()]``, so its fields are plain query
parameters, named and documented as the routes' own; the fields are listed in the order
the API documents them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class PlannedQuery(BaseModel):
    """``POST /uploads/planned``: the drivers to keep and how to read the file."""

    drivers: str | None = Field(
        None,
        description="Driver columns to keep, comma-separated (default: all but unique_id, "
        "ds, sector)",
    )
    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    sheet: str | None = None

    def driver_names(self) -> list[str]:
        """The drivers named, without blanks; empty: every planned column."""
        return [d.strip() for d in (self.drivers or "").split(",") if d.strip()]

    def file_options(self) -> dict[str, Any]:
        """How to read the file, as keywords of :func:`~.upload_reading.read_upload`."""
        return {"sep": self.sep, "decimal": self.decimal, "encoding": self.encoding}


class UploadQuery(BaseModel):
    """``POST /uploads/{table}``: the column mapping, how to read the file, and the
    snapshot date of an inventory."""

    map: str | None = Field(None, description="Column mapping, e.g. date=Date,y=Ventes")
    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    sheet: str | None = None
    as_of: dt.date | None = Field(None, description="Inventory snapshot date (default today, UTC)")

    def reading(self) -> dict[str, Any]:
        """How to read the file, as keywords of :func:`~.upload_reading.validate_upload`."""
        return {
            "sep": self.sep,
            "decimal": self.decimal,
            "encoding": self.encoding,
            "date_format": self.date_format,
            "sheet": self.sheet,
        }
