"""Validate a mapped table against the data contract; split it into accepted and quarantined.

Every problem becomes an *issue* naming the file, the row as the user sees it, the column,
the value and the rule broken. A row with at least one error-level issue goes to the
quarantine frame (with the user's own column names and its reasons); warnings keep the
row. The accounting invariant ``read == accepted + quarantined`` holds by construction:
each input row lands in exactly one of the two frames.

Numbers beyond their plausible bounds (:mod:`stockwise.data.bounds`) are errors naming the
bound. Weekly series dated on mixed weekdays are put on one weekday
(:func:`~stockwise.data.frequency.align_week_anchors`): the accepted rows carry the moved
dates, each moved row a warning.

Only structural problems raise (no rows, a required column missing): those cannot be
fixed row by row, and the error says how to fix the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.holes import describe_holes, find_holes
from stockwise.data.mapping import ColumnMapping, restore_user_names
from stockwise.data.parsing import clean_text
from stockwise.data.readers import RawTable
from stockwise.data.validation_cells import Reading, _blank_rows, _Cells, _check_column
from stockwise.data.validation_issues import (
    ABOVE_PLAUSIBLE_MAXIMUM,
    AMBIGUOUS_WEEK,
    BELOW_PLAUSIBLE_MINIMUM,
    BLANK_ROW,
    DUPLICATE_KEY,
    FUTURE_DATE,
    ISSUE_COLUMNS,
    MISSING_VALUE,
    MIXED_FREQUENCIES_ACROSS_SERIES,
    MIXED_FREQUENCY,
    NEGATIVE,
    NON_NUMERIC,
    NOT_A_FLAG,
    NOT_POSITIVE,
    ORDER_WITHOUT_DUE_DATE,
    REASONS,
    UNPARSEABLE_DATE,
    WEEK_ANCHOR_MOVED,
    ValidationReport,
    _chunk_reasons,
    _Issues,
    _non_decreasing,
    _user_names,
    concat_issues,
)
from stockwise.data.validation_keys import _check_duplicates, _check_frequency, _order, _RowKeys
from stockwise.errors import MissingColumnsError, NothingUsableError


@dataclass
class ValidatedTable:
    """Accepted rows (canonical names, typed) + quarantined rows (user's names, as read)."""

    data: pd.DataFrame
    quarantine: pd.DataFrame
    report: ValidationReport

    def require_usable(self) -> ValidatedTable:
        """Raise :class:`NothingUsableError` when every row was rejected."""
        if self.data.empty:
            top = self.report.errors.head(3)
            examples = "; ".join(
                f"row {r.row}"
                + (f" column '{r.column}'" if isinstance(r.column, str) else "")
                + f": {r.message}"
                for r in top.itertuples()
            )
            raise NothingUsableError(
                f"no usable rows ({self.report.summary}); first problems: {examples}",
                source=self.report.source,
                hint="Fix the rows listed in the quarantine file, or check the column "
                "mapping (--map) and the date format.",
            )
        return self


def validate_sales(
    table: RawTable,
    mapping: ColumnMapping | None = None,
    *,
    as_of: pd.Timestamp | None = None,
    date_format: str | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> ValidatedTable:
    """Validate a mapped sales table (``unique_id, ds, y`` + optional columns).

    ``bounds``: the plausible ranges of the numbers (:mod:`stockwise.data.bounds`).
    """
    frame, notes = _derive_unique_id(table.frame)
    as_of = pd.Timestamp.today().normalize() if as_of is None else pd.Timestamp(as_of)
    result = _validate(
        table,
        frame,
        S.SALES,
        mapping,
        notes,
        Reading(table.decimal, date_format, bounds),
        future_limit=as_of,
        check_frequency=True,
    )
    result.report.holes = find_holes(result.data)
    said = describe_holes(result.report.holes)
    if said:
        result.report.notes.append(said)
    return result


def validate_inventory(
    table: RawTable,
    mapping: ColumnMapping | None = None,
    *,
    date_format: str | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> ValidatedTable:
    """Validate a mapped inventory snapshot (one row per ``unique_id``)."""
    frame, notes = _derive_unique_id(table.frame)
    return _validate(
        table, frame, S.INVENTORY, mapping, notes, Reading(table.decimal, date_format, bounds)
    )


def validate_batches(
    table: RawTable,
    mapping: ColumnMapping | None = None,
    *,
    date_format: str | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> ValidatedTable:
    """Validate a batch (lot) table: ``unique_id, batch_id, quantity, expiry_date``; the
    id is built from product (and store) as for the sales and the inventory."""
    frame, notes = _derive_unique_id(table.frame)
    return _validate(
        table, frame, S.BATCHES, mapping, notes, Reading(table.decimal, date_format, bounds)
    )


def _derive_unique_id(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """ERP exports often key sales by product (and store) without a series id: build one."""
    if S.UNIQUE_ID in frame.columns or S.PRODUCT not in frame.columns:
        return frame, []
    frame = frame.copy()
    product = clean_text(frame[S.PRODUCT])
    if S.STORE in frame.columns:
        store = clean_text(frame[S.STORE])
        frame[S.UNIQUE_ID] = (product + "@" + store).where(store.notna(), product)
        note = "unique_id built from product@store"
    else:
        frame[S.UNIQUE_ID] = product
        note = "unique_id taken from product"
    return frame, [note]


def _validate(
    table: RawTable,
    frame: pd.DataFrame,
    spec: S.TableSpec,
    mapping: ColumnMapping | None,
    notes: list[str],
    reading: Reading,
    *,
    future_limit: pd.Timestamp | None = None,
    check_frequency: bool = False,
) -> ValidatedTable:
    mapping = mapping or ColumnMapping()
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        user_columns = [c for c in table.frame.columns if c != S.SOURCE_ROW]
        shown = [mapping.user_name(c) if c in mapping.columns else c for c in user_columns]
        raise MissingColumnsError(missing, shown, source=table.source, table=spec.name)

    rows = frame[S.SOURCE_ROW]
    issues = _Issues(table.source, rows)
    user_columns = [c for c in frame.columns if c != S.SOURCE_ROW]
    checked = [c.name for c in spec.columns if c.name in frame.columns]
    cells = _Cells(frame)
    blank_row = _blank_rows(cells, [*checked, *(c for c in user_columns if c not in checked)])
    issues.add(blank_row, None, None, BLANK_ROW, "the row is empty")

    typed_columns: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.name not in frame.columns:
            continue
        typed_columns[column.name] = _check_column(
            cells,
            column,
            reading,
            issues,
            ~blank_row,
            notes=notes,
            shown=mapping.user_name(column.name),
        )
    for extra in user_columns:
        if extra not in typed_columns:
            typed_columns[extra] = frame[extra].copy()
    # Every column is new: put them side by side without copying them once more.
    typed = pd.DataFrame(typed_columns, index=frame.index, copy=False)
    keys = _RowKeys(typed, cells, spec)

    ok = ~issues.error_mask()
    _check_duplicates(typed, spec, ok, frame, issues, keys)
    if future_limit is not None:
        ok = ~issues.error_mask()
        future = ok & (typed[S.DS] > future_limit)
        issues.add(
            pd.Series(future, index=typed.index),
            S.DS,
            frame[S.DS],
            FUTURE_DATE,
            f"date is after {future_limit.date()} (today): sales cannot be in the future",
        )
    frequency = None
    if check_frequency:
        ok = ~issues.error_mask()
        frequency = _check_frequency(typed, ok, frame, issues, notes, keys)
    if S.ON_ORDER in typed.columns and S.ON_ORDER_DUE in typed.columns:
        no_due = (typed[S.ON_ORDER] > 0) & typed[S.ON_ORDER_DUE].isna()
        issues.add(
            no_due,
            S.ON_ORDER_DUE,
            frame[S.ON_ORDER_DUE],
            ORDER_WITHOUT_DUE_DATE,
            "units are on order but no due date is given; the lead time will be used",
            severity="warning",
        )

    return _split(table, frame, spec, mapping, notes, _Checked(typed, issues, keys, frequency))


@dataclass(frozen=True)
class _Checked:
    """A table after its checks: the typed columns, the issues found, the rows' keys and
    the sales frequency (None when not checked)."""

    typed: pd.DataFrame
    issues: _Issues
    keys: _RowKeys
    frequency: str | None


def _split(
    table: RawTable,
    frame: pd.DataFrame,
    spec: S.TableSpec,
    mapping: ColumnMapping,
    notes: list[str],
    checked: _Checked,
) -> ValidatedTable:
    typed, issues, keys, frequency = checked.typed, checked.issues, checked.keys, checked.frequency
    issue_frame, positions = issues.frame()
    # Report the user's own header; keep the canonical name alongside for programs.
    issue_frame.insert(3, "field", issue_frame["column"])
    issue_frame["column"] = _user_names(issue_frame["field"], mapping)
    quarantined, reasons = _reasons(issue_frame, positions)
    rejected = np.zeros(len(frame), dtype=bool)
    rejected[quarantined] = True
    accepted = _accepted(typed, rejected, list(spec.key), keys)

    names = [S.SOURCE_ROW, *(c for c in table.frame.columns if c != S.SOURCE_ROW)]
    quarantine = restore_user_names(_rows_of(frame, names, quarantined, reasons), mapping)

    report = ValidationReport(
        source=table.source,
        table=spec.name,
        n_read=len(frame),
        n_accepted=len(accepted),
        n_quarantined=len(quarantine),
        issues=issue_frame,
        mapping=mapping,
        notes=notes,
        frequency=frequency,
    )
    return ValidatedTable(accepted, quarantine, report)


def _rows_of(
    frame: pd.DataFrame, names: list[str], positions: np.ndarray, reasons: np.ndarray
) -> pd.DataFrame:
    """The rows at ``positions`` of the columns ``names``, then a column of ``reasons``.

    The text columns are taken straight into one block: a frame built from separate
    columns is copied once more when pandas consolidates them. The others (row numbers,
    typed columns of a Parquet file) are inserted one by one, keeping their dtypes.
    """
    text = [c for c in names if frame[c].dtype == object]
    block = np.empty((len(text) + 1, len(positions)), dtype=object)
    for line, name in enumerate(text):
        np.take(frame[name].to_numpy(), positions, out=block[line])
    block[-1] = reasons
    out = pd.DataFrame(block.T, columns=[*text, REASONS], copy=False)
    for place, name in enumerate(names):
        if name not in text:
            out.insert(place, name, frame[name].array.take(positions))
    return out


def _accepted(
    typed: pd.DataFrame, rejected: np.ndarray, key: list[str], keys: _RowKeys
) -> pd.DataFrame:
    """The rows not rejected, sorted by the table's key (stable), numbered from 0."""
    kept = ~rejected
    columns = keys.columns(key, kept)
    if columns is None:
        return typed[kept].sort_values(key, kind="stable").reset_index(drop=True)
    order = _order(columns)
    positions = np.flatnonzero(kept) if rejected.any() else None
    if order is not None:
        positions = order if positions is None else positions[order]
    # Every row kept and already in order: nothing to move.
    accepted = typed.copy(deep=False) if positions is None else typed.take(positions)
    accepted.index = pd.RangeIndex(len(accepted))
    return accepted


_REASON_CHUNK = 250_000
"""Errors whose reasons are made at a time: bounds the working memory of the look-ups."""


def _reasons(issues: pd.DataFrame, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frame positions of the rows with an error, in order, and each one's reasons:
    the texts of its errors joined with "; ", in the order of the issues.

    A text is made once per distinct (column, value, rule, message) and a row's reasons
    once per distinct sequence of texts (within a chunk of rows), so a file of millions
    of rows that fail the same way holds a handful of strings, not millions: a row's
    reasons are one reference to a shared string.
    """
    is_error = (issues["severity"] == "error").to_numpy()
    errors = None if is_error.all() else np.flatnonzero(is_error)  # None: every issue
    owner = positions if errors is None else positions[errors]
    if not _non_decreasing(owner):  # a row's errors side by side, in their order
        order = np.argsort(owner, kind="stable")
        errors, owner = (order if errors is None else errors[order]), owner[order]
    bounds = (
        np.flatnonzero(np.r_[True, owner[1:] != owner[:-1], True])
        if len(owner)
        else np.zeros(1, dtype=np.intp)
    )  # row i owns errors bounds[i] … bounds[i + 1]
    rows = len(bounds) - 1
    reasons = np.empty(rows, dtype=object)
    columns = [issues[c] for c in ("column", "value", "rule", "message")]
    first = 0
    while first < rows:
        last = int(np.searchsorted(bounds, bounds[first] + _REASON_CHUNK, side="right")) - 1
        last = min(max(last, first + 1), rows)
        span = (
            np.arange(bounds[first], bounds[last])
            if errors is None
            else errors[bounds[first] : bounds[last]]
        )
        reasons[first:last] = _chunk_reasons(
            columns, span, bounds[first : last + 1] - bounds[first]
        )
        first = last
    return owner[bounds[:-1]], reasons


__all__ = [
    "ABOVE_PLAUSIBLE_MAXIMUM",
    "AMBIGUOUS_WEEK",
    "BELOW_PLAUSIBLE_MINIMUM",
    "BLANK_ROW",
    "DUPLICATE_KEY",
    "FUTURE_DATE",
    "ISSUE_COLUMNS",
    "MISSING_VALUE",
    "MIXED_FREQUENCIES_ACROSS_SERIES",
    "MIXED_FREQUENCY",
    "NEGATIVE",
    "NON_NUMERIC",
    "NOT_A_FLAG",
    "NOT_POSITIVE",
    "ORDER_WITHOUT_DUE_DATE",
    "REASONS",
    "UNPARSEABLE_DATE",
    "WEEK_ANCHOR_MOVED",
    "ValidatedTable",
    "ValidationReport",
    "concat_issues",
    "validate_batches",
    "validate_inventory",
    "validate_sales",
]
