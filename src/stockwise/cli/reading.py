"""The options that say how to read the user's files, declared once for every command.

Each command that reads a file takes the same six options (and passes them on as one
:class:`~stockwise.data.read_options.ReadOptions`); they apply to every file it reads.
They share a panel of ``--help`` so that they read as one set.
"""

from __future__ import annotations

from typing import Annotated

import typer

from stockwise.data.read_options import ReadOptions

PANEL = "Reading files (detected when left out)"

SepOption = Annotated[
    str | None, typer.Option("--sep", help="CSV separator, e.g. ';'.", rich_help_panel=PANEL)
]
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="CSV encoding, e.g. utf-8 or cp1252.", rich_help_panel=PANEL),
]
DecimalOption = Annotated[
    str | None,
    typer.Option("--decimal", help="Decimal mark of CSV numbers: . or ,", rich_help_panel=PANEL),
]
SheetOption = Annotated[
    str | None,
    typer.Option("--sheet", help="Excel sheet name (default: the first).", rich_help_panel=PANEL),
]
DateFormatOption = Annotated[
    str | None,
    typer.Option("--date-format", help="Date format, e.g. %d/%m/%Y.", rich_help_panel=PANEL),
]
SkipRowsOption = Annotated[
    int | None,
    typer.Option(
        "--skip-rows",
        min=0,
        help="Lines above the header of a CSV or Excel file (a title); "
        "default: a plain title line is skipped.",
        rich_help_panel=PANEL,
    ),
]
MapOption = Annotated[
    str | None,
    typer.Option(
        "--map",
        help="Sales column mapping canonical=YourColumn, e.g. date=Date,y=Ventes,product=Produit.",
    ),
]
InventoryMapOption = Annotated[
    str | None,
    typer.Option(
        "--inventory-map", help="Inventory column mapping canonical=YourColumn, e.g. on_hand=Stock."
    ),
]
BatchesMapOption = Annotated[
    str | None,
    typer.Option(
        "--batches-map",
        help="Batches column mapping canonical=YourColumn, e.g. "
        "batch_id=Lot,expiry_date=Peremption.",
    ),
]


READING_OPTIONS = ("sep", "encoding", "decimal", "sheet", "date_format", "skip_rows")
"""The options of how to read the files, in :func:`~stockwise.cli.reading.read_options`'
order."""


def read_options(
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
    date_format: str | None = None,
    skip_rows: int | None = None,
) -> ReadOptions:
    """The reading options given on the command line, as the object workflows take
    (``--sep tab`` or ``--sep '\\t'`` for a tab, which a shell makes hard to type)."""
    sep = {"tab": "\t", "\\t": "\t"}.get(sep, sep) if sep is not None else None
    return ReadOptions(
        sep=sep,
        encoding=encoding,
        decimal=decimal,
        sheet=sheet,
        date_format=date_format,
        skip_rows=skip_rows,
    )
