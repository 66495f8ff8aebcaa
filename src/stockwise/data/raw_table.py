"""A table as read from the user's file, before any mapping: text cells, each row with the
number the user sees in their file. Every reader finishes its frame here, so the header
checks and the row numbers are the same for CSV, Excel and Parquet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from stockwise import schema as S
from stockwise.cells import ESCAPE, unescape_text
from stockwise.data.csv_dialect import CsvDialect, TitleRows
from stockwise.errors import EmptyInputError, InputError


@dataclass
class RawTable:
    """A table as read, before mapping and validation.

    ``frame`` holds the user's columns plus ``source_row``; ``source`` names the file (or
    query) for error messages; ``dialect`` is set for CSV input.
    """

    frame: pd.DataFrame
    source: str
    dialect: CsvDialect | None = None
    decimal: str = "."
    ragged: pd.DataFrame | None = None
    """CSV lines whose number of fields differs from the header's (``source_row``, the
    user's columns filled in order, ``fields``): kept out of ``frame``, quarantined by
    :func:`stockwise.data.intake.load_table` with the reason."""
    title: TitleRows | None = None
    """Lines found above the header and skipped without being asked (reported)."""

    @property
    def n_rows(self) -> int:
        return len(self.frame)


def _check_header(frame: pd.DataFrame, source: str, header_row: int = 1) -> None:
    if len(frame.columns) == 0:
        raise EmptyInputError("the file has no columns", source=source)
    blank = [i + 1 for i, c in enumerate(frame.columns) if not c or c.startswith("Unnamed:")]
    if blank and len(blank) == len(frame.columns):
        raise InputError(
            "the header row is empty",
            source=source,
            row=header_row,
            hint="The first row must name the columns (or pass --skip-rows "
            "with the number of lines above it).",
        )
    seen: dict[str, int] = {}
    for i, column in enumerate(frame.columns, start=1):
        base = re.sub(r"\.\d+$", "", column)
        if base in seen and column != base:
            raise InputError(
                f"column name '{base}' appears twice (positions {seen[base]} and {i})",
                source=source,
                row=header_row,
                column=base,
                hint="Give every column a distinct name.",
            )
        seen.setdefault(column, i)
    check_not_reserved(list(frame.columns), source)


def check_not_reserved(columns: list[str], source: str) -> None:
    """Refuse a user column named like the row numbers stockwise adds to every table."""
    if S.SOURCE_ROW in columns:
        raise InputError(
            f"'{S.SOURCE_ROW}' is reserved by stockwise",
            source=source,
            row=1,
            column=S.SOURCE_ROW,
            hint="Rename that column.",
        )


def _unescaped(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells and names that stockwise's own CSV exports escaped (``'=1+1``, see
    ``stockwise.cells``) read back as the text they were, so a prepared file feeds a later
    run with the same ids."""
    frame.columns = [unescape_text(c) for c in frame.columns]
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        quoted = column.str.startswith(ESCAPE)
        if quoted.any():
            frame.isetitem(position, column.where(~quoted, column[quoted].map(unescape_text)))
    return frame


def _with_source_rows(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """Number ``frame``'s rows from 0 and add ``source_row``, in place: every caller passes a
    frame of its own (just read, or copied from the user's), so nothing is copied again."""
    frame.index = pd.RangeIndex(len(frame))
    frame[S.SOURCE_ROW] = pd.RangeIndex(first_row, first_row + len(frame))
    return frame
