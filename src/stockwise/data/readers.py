"""Read a user's table from CSV, Excel or Parquet into a raw frame, remembering each row's number.

Readers keep values as the user wrote them (CSV cells stay strings) so that validation can
quote the exact offending value, and they add ``source_row``: the row number the user sees
when they open the file (the header is row 1 in CSV and Excel; Parquet rows count from 1).
Separator, encoding and decimal comma are detected for CSV unless given. Lines above the
header (an ERP's title row) are skipped when asked (``skip_rows``) or when they plainly are
a title: a single filled cell over a header of several; skipped lines keep their numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.data.csv_dialect import (
    _HEAD_CHARS,
    ENCODINGS,
    SEPARATORS,
    TITLE_SCAN,
    CsvDialect,
    TitleRows,
    _after_lines,
    _check_encoding,
    _refuse_nul,
    detect_decimal,
    detect_encoding,
    detect_separator,
    title_lines,
)
from stockwise.data.excel_reader import io_line, read_excel
from stockwise.data.raw_table import (
    RawTable,
    _check_header,
    _unescaped,
    _with_source_rows,
    check_not_reserved,
)
from stockwise.errors import EmptyInputError, InputError, OptionError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


def read_table(
    path: str | Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    skip_rows: int | None = None,
) -> RawTable:
    """Read CSV / Excel / Parquet by extension; raise :class:`InputError` when unusable.

    ``skip_rows``: lines above the header of a CSV or Excel file (None: an obvious title
    row is detected and skipped; 0: the first line is the header, always). Parquet files
    have no lines to skip.
    """
    path = check_file(path)
    check_skip_rows(skip_rows)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES or suffix == ".gz":
        table = read_csv(path, sep=sep, encoding=encoding, decimal=decimal, skip_rows=skip_rows)
    elif suffix in EXCEL_SUFFIXES:
        table = read_excel(path, sheet=sheet, skip_rows=skip_rows)
    elif suffix in PARQUET_SUFFIXES:
        table = read_parquet(path)
    elif suffix == ".xls":
        raise InputError(
            "old .xls workbooks are not supported",
            source=str(path),
            hint="Save it as .xlsx or CSV from Excel first.",
        )
    else:
        raise InputError(
            f"unknown file type '{suffix or '(none)'}'",
            source=str(path),
            hint="Use .csv, .xlsx, or .parquet (or pass a SQL query with --sql).",
        )
    return table


def check_skip_rows(skip_rows: int | None) -> None:
    """A number of lines to skip is a whole number, 0 or more."""
    if skip_rows is not None and (
        isinstance(skip_rows, bool) or not isinstance(skip_rows, int) or skip_rows < 0
    ):
        raise OptionError(
            f"skip_rows must be a whole number, 0 or more, not {skip_rows!r}",
            hint="Give the number of lines above the header, e.g. 1.",
        )


def read_csv(
    path: Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    skip_rows: int | None = None,
) -> RawTable:
    """Read a CSV keeping every cell as text; detect encoding, separator and decimal mark.

    ``skip_rows`` lines above the header are left out (None: an obvious title, see
    :func:`title_lines`); rows keep the numbers they have in the file.
    """
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        import gzip

        data = gzip.decompress(data)
    if not data.strip():
        raise EmptyInputError(
            "the file is empty",
            source=str(path),
            hint="Export the table again with its header and rows.",
        )
    if encoding is not None:
        _check_encoding(encoding, str(path))
    encoding = encoding or detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot decode the file as {encoding}: {exc}",
            source=str(path),
            hint="Pass --encoding (e.g. utf-8 or latin-1).",
        ) from exc
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        _refuse_nul(text, str(path))
    title = None
    if skip_rows is None:
        title = title_lines(text[:_HEAD_CHARS].splitlines()[: TITLE_SCAN + 1], sep)
        skip_rows = title.count if title else 0
    if skip_rows:
        text = _after_lines(text, skip_rows, str(path))
    sep = sep or detect_separator(text)
    ragged = None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="python" if len(sep) > 1 else "c",
        )
    except pd.errors.ParserError as exc:
        frame, ragged = _split_ragged(text, sep, str(path), exc, first_row=skip_rows + 2)
    except pd.errors.EmptyDataError as exc:
        raise EmptyInputError("the file has no header row", source=str(path)) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if "'" in text:
        frame = _unescaped(frame)
    _check_header(frame, str(path), header_row=skip_rows + 1)
    decimal = decimal or detect_decimal(frame, sep)
    frame = _with_source_rows(frame, first_row=skip_rows + 2)
    if ragged is not None:  # each line keeps the row number it has in the file
        frame[S.SOURCE_ROW] = ragged.attrs.pop("good_rows")
        ragged.columns = [*frame.columns.drop(S.SOURCE_ROW), S.SOURCE_ROW, RAGGED_FIELDS]
    if frame.empty and ragged is None:
        raise EmptyInputError("the file has a header but no data rows", source=str(path))
    return RawTable(frame, str(path), CsvDialect(sep, encoding, decimal), decimal, ragged, title)


RAGGED_FIELDS = "fields"
"""Column of :attr:`RawTable.ragged`: how many fields the line had."""


def _split_ragged(
    text: str, sep: str, source: str, error: Exception, first_row: int = 2
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lines with as many fields as the header, and the others (``RawTable.ragged``).

    One line with a stray separator must not cost the user the whole file: it is set
    aside with its row number and read again field by field (quotes respected). Lines
    the csv module cannot split at all (an unclosed quote) still refuse the file.
    """
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=sep, strict=True))
    except csv.Error as exc:
        raise InputError(
            f"the CSV structure is broken: {error}; {exc}",
            source=source,
            hint="Check quoting and that every line has the same number of "
            f"'{sep}'-separated fields.",
        ) from exc
    header, body = records[0], records[1:]
    width = len(header)
    good, good_rows, bad = [], [], []
    for number, fields in enumerate(body, start=first_row):
        if not fields:  # a blank line is the validator's business, as in any file
            fields = [""] * width
        if len(fields) == width:
            good.append(fields)
            good_rows.append(number)
        else:
            shown = [*fields[: width - 1], sep.join(fields[width - 1 :])] if width else []
            bad.append([*shown, *[""] * (width - len(shown)), number, len(fields)])
    frame = pd.DataFrame(good, columns=header, dtype=str)
    ragged = pd.DataFrame(bad, columns=[*range(width), "row", "fields"])
    ragged.attrs["good_rows"] = good_rows
    return frame, ragged


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; row numbers count from 1 as there is no header line."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise InputError(f"cannot read the Parquet file: {exc}", source=str(path)) from exc
    if frame.empty:
        raise EmptyInputError("the file has no rows", source=str(path))
    return RawTable(_with_source_rows(frame, first_row=1), str(path))


def from_frame(
    frame: pd.DataFrame, source: str = "<dataframe>", first_row: int = 1, *, copy: bool = True
) -> RawTable:
    """Wrap an in-memory frame (library users, API uploads) as a :class:`RawTable`.

    The caller's frame is never modified. ``copy=False`` lets the table share the caller's
    column data instead of copying it: for callers that only read the table (validation
    copies whatever it keeps), where a copy of a large frame costs more than the checks.
    """
    if frame.empty:
        raise EmptyInputError("the table has no rows", source=source)
    return RawTable(_with_source_rows(frame.copy(deep=copy), first_row=first_row), source)


def check_file(path: str | Path) -> Path:
    """``path`` as a Path, or an :class:`InputError` when it is missing or a folder."""
    path = Path(path)
    if not path.exists():
        raise InputError(
            "file not found",
            source=str(path),
            hint="Check the path; relative paths start from the current folder.",
        )
    if path.is_dir():
        raise InputError("is a folder, not a file", source=str(path))
    return path


__all__ = [
    "CSV_SUFFIXES",
    "ENCODINGS",
    "EXCEL_SUFFIXES",
    "PARQUET_SUFFIXES",
    "RAGGED_FIELDS",
    "SEPARATORS",
    "TITLE_SCAN",
    "CsvDialect",
    "RawTable",
    "TitleRows",
    "check_file",
    "check_not_reserved",
    "check_skip_rows",
    "detect_decimal",
    "detect_encoding",
    "detect_separator",
    "from_frame",
    "io_line",
    "read_csv",
    "read_excel",
    "read_parquet",
    "read_table",
    "title_lines",
]
