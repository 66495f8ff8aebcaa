"""How to read the user's files, as one object every command and workflow passes along.

Detection covers most files (encoding, separator, decimal mark, date format, a title row
above the header); these options are for the files where it guesses wrong. The same
options apply to every file a command reads (sales, inventory, batches); each applies only
where it means something: separator, encoding and decimal mark to CSV, the sheet to Excel,
the lines to skip to CSV and Excel, the date format to every table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, TypedDict

from stockwise.data.readers import check_skip_rows
from stockwise.errors import OptionError


class ReadingKeywords(TypedDict, total=False):
    """The reading options as keywords (``load_table(path, sep=";", decimal=",")``): the
    fields of :class:`ReadOptions`, so a type checker flags a misspelt one."""

    sep: str | None
    encoding: str | None
    decimal: str | None
    sheet: str | int | None
    date_format: str | None
    skip_rows: int | None


@dataclass(frozen=True)
class ReadOptions:
    """Reading options for :func:`stockwise.data.intake.load_table`; None means detected.

    ``skip_rows``: lines above the header (None: an obvious title row is skipped and said;
    0: the first line is the header).
    """

    sep: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    sheet: str | int | None = None
    date_format: str | None = None
    skip_rows: int | None = None

    def __post_init__(self) -> None:
        check_skip_rows(self.skip_rows)
        if self.decimal not in (None, ".", ","):
            raise OptionError(f"the decimal mark must be '.' or ',', not {self.decimal!r}")
        if self.sep is not None and not self.sep:
            raise OptionError(
                "the separator is empty",
                hint="Give one, e.g. ';', or leave it out to have it detected.",
            )

    def file_kwargs(self) -> dict[str, Any]:
        """The options given that say how to read a file (all but the date format), as
        keywords of :func:`stockwise.data.readers.read_table`."""
        return {k: v for k, v in self.kwargs().items() if k != "date_format"}

    def kwargs(self) -> dict[str, Any]:
        """The options given (those not left to detection), by name."""
        return {name: value for name, value in asdict(self).items() if value is not None}


NO_OPTIONS = ReadOptions()
"""Everything detected."""


def reading_options(read: ReadOptions | None, keywords: ReadingKeywords) -> ReadOptions:
    """``read`` (None: everything detected) with the options given as keywords on top: a
    library call may pass either, and both are checked the same way."""
    base = read or NO_OPTIONS
    return replace(base, **keywords) if keywords else base
