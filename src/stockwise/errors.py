"""Errors stockwise raises on purpose.

Each carries enough context (file, row, column, what was expected, how to fix it) for the
edges to print a one-paragraph message without a traceback. Row numbers are always the
ones the user sees in the file (header = row 1 for CSV and Excel).
"""

from __future__ import annotations


class StockwiseError(Exception):
    """Base class: an expected failure with a message meant for the user."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class InputError(StockwiseError):
    """The input cannot be used as a whole (unreadable, empty, missing columns)."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                source and f"file {source}",
                row is not None and f"row {row}",
                column and f"column '{column}'",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.source = source
        self.row = row
        self.column = column


class EmptyInputError(InputError):
    """The file holds no data rows."""


class MissingColumnsError(InputError):
    """A required canonical column is absent after mapping."""

    def __init__(
        self,
        missing: list[str],
        found: list[str],
        *,
        source: str | None = None,
        table: str = "sales",
    ) -> None:
        names = ", ".join(f"'{m}'" for m in missing)
        super().__init__(
            f"the {table} table needs column(s) {names} but the file has "
            f"{', '.join(repr(f) for f in found) or 'no columns'}",
            source=source,
            hint="Rename the columns in the file or map them, e.g. "
            "--map date=Date,y=Ventes,unique_id=Produit.",
        )
        self.missing = missing
        self.found = found


class NothingUsableError(InputError):
    """Every row was rejected: there is nothing left to work with."""


class MappingError(InputError):
    """A column mapping given by the user is malformed or names unknown columns."""


class ProfileError(StockwiseError):
    """A sector profile file is missing, malformed or has out-of-range values."""


class OptionError(StockwiseError, ValueError):
    """An argument has a value stockwise cannot use (unknown model, bad frequency ...)."""


class FrameError(StockwiseError, ValueError):
    """A table given to the library cannot be used as it is (a missing column, two rows
    for one series and date, ids that would merge, values that are not numbers ...)."""
