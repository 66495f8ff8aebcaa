"""Read a user's table from CSV, Excel or Parquet into a raw frame, remembering each row's number.

Readers keep values as the user wrote them (CSV cells stay strings) so that validation can
quote the exact offending value, and they add ``source_row``: the row number the user sees
when they open the file (the header is row 1 in CSV and Excel; Parquet rows count from 1).
Separator, encoding and decimal comma are detected for CSV unless given. Lines above the
header (an ERP's title row) are skipped when asked (``skip_rows``) or when they plainly are
a title: a single filled cell over a header of several; skipped lines keep their numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.cells import ESCAPE, unescape_text
from stockwise.errors import EmptyInputError, InputError, OptionError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SEPARATORS = [",", ";", "\t", "|"]
ENCODINGS = ["utf-8-sig", "cp1252", "latin-1"]
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(?:[ .\u00a0\u202f]?\d{3})*,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d{1,3}(?:[ ,\u00a0\u202f]?\d{3})*\.\d+\s*$")


@dataclass(frozen=True)
class CsvDialect:
    """What was detected (or given) about a CSV file; reported back to the user."""

    separator: str
    encoding: str
    decimal: str


@dataclass(frozen=True)
class TitleRows:
    """Lines above the header that read as a title (one filled cell, e.g. "Export ventes
    janvier"), skipped without being asked: ``count`` lines, the first one's ``text``."""

    count: int
    text: str


TITLE_SCAN = 3
"""At most this many lines above the header are taken for a title without being asked."""


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


def title_lines(lines: list[str], sep: str | None = None) -> TitleRows | None:
    """The leading lines of a CSV that are plainly a title above the header, or None.

    A title is what an ERP writes above its table ("Export ventes - janvier 2025"): lines
    with at most one filled field, followed (after at most :data:`TITLE_SCAN` of them) by
    the header, the first line with several. Reading the title as the header would name a
    single column and report every real column as missing, so it is skipped and said.
    The separator is ``sep``, else the candidate whose header has the most fields (a
    decimal comma must not pass for a separator). Anything less plain is left alone.
    """
    best: tuple[int, int, str] | None = None  # (fields of the header, -its index, text)
    for candidate in [sep] if sep else SEPARATORS:
        filled = [
            sum(bool(f.strip()) for f in next(csv.reader([line], delimiter=candidate), []))
            for line in lines
        ]
        header = next((i for i, n in enumerate(filled) if n >= 2), None)
        if header is None:
            continue
        first = next(
            (
                line.strip().strip(candidate).strip()
                for line, n in zip(lines[:header], filled, strict=False)
                if n
            ),
            "",
        )
        if best is None or (filled[header], -header) > best[:2]:
            best = (filled[header], -header, first)
    if best is None or best[1] == 0 or -best[1] > TITLE_SCAN or not best[2]:
        return None
    return TitleRows(-best[1], best[2])


_HEAD_CHARS = 1 << 16
"""The start of a file looked at for a title: never the whole text of a large file."""
_LINE_END = re.compile(r"\r\n|\r|\n")


def _after_lines(text: str, count: int, source: str) -> str:
    """``text`` from its line ``count + 1`` on, found without splitting the whole file."""
    ends = _LINE_END.finditer(text)
    end = None
    for _ in range(count):
        end = next(ends, None)
        if end is None:
            break
    if end is None or not text[end.end() :].strip():
        raise EmptyInputError(
            f"nothing is left after skipping {count} line(s)",
            source=source,
            hint="Check --skip-rows: it counts the lines above the header.",
        )
    return text[end.end() :]


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


def read_excel(
    path: Path, *, sheet: str | int | None = None, skip_rows: int | None = None
) -> RawTable:
    """Read one sheet of an .xlsx workbook (the first unless ``sheet`` is given).

    ``skip_rows`` rows above the header are left out (None: an obvious title row, as
    :func:`title_lines` finds it in a CSV); rows keep their numbers in the sheet.
    """
    title = None
    if skip_rows is None:
        title = _sheet_title(path, 0 if sheet is None else sheet)
        skip_rows = title.count if title else 0
    try:
        frame = pd.read_excel(
            path,
            sheet_name=0 if sheet is None else sheet,
            dtype=object,
            engine="openpyxl",
            skiprows=skip_rows or None,
        )
    except ValueError as exc:
        raise InputError(
            str(exc), source=str(path), hint="Name an existing sheet with --sheet."
        ) from exc
    except Exception as exc:  # openpyxl raises several unrelated types for corrupt files
        raise InputError(f"cannot read the workbook: {exc}", source=str(path)) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_header(frame, str(path), header_row=skip_rows + 1)
    if frame.isna().to_numpy().any():
        _refuse_unsaved_formulas(path, 0 if sheet is None else sheet)
    frame = _with_source_rows(frame, first_row=skip_rows + 2)
    if frame.empty:
        raise EmptyInputError("the sheet has a header but no data rows", source=str(path))
    return RawTable(frame, str(path), title=title)


def _sheet_title(path: Path, sheet: str | int) -> TitleRows | None:
    """The title rows above a sheet's header (:func:`title_lines`' rule on its first rows),
    read in one short streaming pass; a sheet that cannot be opened is left to pandas."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # the full read reports what is wrong with the workbook
        return None
    try:
        found = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in found.iter_rows(max_row=TITLE_SCAN + 1, values_only=True)
        ]
    except (KeyError, IndexError):
        return None
    finally:
        book.close()
    lines = [io_line(row) for row in rows]
    return title_lines(lines, "\t")


def io_line(cells: list[str]) -> str:
    """Cells as one tab-separated line (quoted as a CSV writer would)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t").writerow(cells)
    return buffer.getvalue().rstrip("\r\n")


def _refuse_unsaved_formulas(path: Path, sheet: str | int) -> None:
    """Refuse a workbook whose formulas carry no saved result.

    Excel stores each formula's last result next to it; files written by other programs
    (scripts, some ERPs) often store the formula alone, which reads as an empty cell: a
    sales figure would then look missing, or be quarantined as "empty", for a reason the
    user cannot see. Only looked for when some cell read empty.
    """
    formulas = dict(
        _cells(path, sheet, formulas=True, keep=lambda v: isinstance(v, str) and v.startswith("="))
    )
    if not formulas:
        return
    empty = {where for where, _ in _cells(path, sheet, formulas=False, keep=lambda v: v is None)}
    unsaved = [(where, text) for where, text in formulas.items() if where in empty]
    if unsaved:
        where, text = unsaved[0]
        raise InputError(
            f"{len(unsaved)} formula cell(s) have no saved result (e.g. cell {where}: {text}); "
            "their values are unknown",
            source=str(path),
            hint="Open the workbook in Excel or LibreOffice and save it (that stores each "
            "formula's result), or export the sheet as CSV.",
        )


def _cells(
    path: Path, sheet: str | int, *, formulas: bool, keep: Callable[[object], bool]
) -> list[tuple[str, object]]:
    """(coordinate, value) of the sheet's cells whose value ``keep`` accepts, read in one
    streaming pass; ``formulas``: the formulas' text rather than their saved results."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=not formulas)
    try:
        found = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
        return [
            (f"{column}{number}", cell.value)
            for number, row in enumerate(found.iter_rows(), start=1)
            for column, cell in zip(_letters(len(row)), row, strict=True)
            if keep(cell.value)
        ]
    finally:
        book.close()


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, count + 1)]


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


def _check_encoding(encoding: str, source: str) -> None:
    """A given encoding must be a text codec Python knows (``rot13`` or ``zip`` are not)."""
    try:
        known = codecs.lookup(encoding)
    except LookupError:
        known = None
    if known is None or not getattr(known, "_is_text_encoding", True):
        raise InputError(
            f"unknown text encoding '{encoding}'",
            source=source,
            hint="Use utf-8, utf-16, cp1252 or latin-1, or leave the encoding "
            "out to have it detected.",
        )


def _refuse_nul(text: str, source: str) -> None:
    """A NUL character left after decoding: the CSV parser would cut the cell short there,
    silently, so the file is refused, naming the line."""
    line = text.count("\n", 0, text.index("\x00")) + 1
    raise InputError(
        "a NUL character (\\x00) is in this line; a text cell cannot hold one",
        source=source,
        row=line,
        hint="Remove it; if the whole file looks like this, it is not a CSV "
        "text file, or its encoding is not the one given.",
    )


def detect_encoding(data: bytes) -> str:
    """UTF-32 or UTF-16 when the file starts with their byte-order mark (Excel's "Unicode
    text" is UTF-16); UTF-8 (with or without BOM) when it decodes; else Windows-1252 (a
    Latin-1 superset)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # decodes any byte sequence


def detect_separator(text: str) -> str:
    """Pick the separator that splits the first lines into the most consistent fields."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1
    for sep in SEPARATORS:
        counts = [len(next(csv.reader([line], delimiter=sep))) for line in lines]
        if counts[0] < 2:
            continue
        score = sum(c == counts[0] for c in counts) * counts[0]
        if score > best_score:
            best, best_score = sep, score
    return best


def detect_decimal(frame: pd.DataFrame, sep: str) -> str:
    """Decimal comma when numeric-looking cells use a comma and none use a point."""
    if sep == ",":
        return "."
    comma = point = 0
    for column in frame.columns:
        sample = frame[column].head(500)
        comma += int(sample.str.match(_DECIMAL_COMMA).sum())
        point += int(sample.str.match(_DECIMAL_POINT).sum())
    return "," if comma > point else "."


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
