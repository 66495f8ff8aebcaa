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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.bounds import DEFAULT_BOUNDS, Bound, Bounds
from stockwise.data.frequency import (
    WEEKDAYS,
    align_week_anchors,
    contiguous_runs,
    dominant_frequency,
    infer_frequencies,
    infer_from_codes,
)
from stockwise.data.holes import describe_holes, find_holes
from stockwise.data.mapping import ColumnMapping, restore_user_names
from stockwise.data.parsing import (
    Distinct,
    blank_mask,
    clean_distinct,
    clean_text,
    is_text_dtype,
    parse_flags,
    parse_numbers,
    read_dates,
)
from stockwise.data.readers import CsvDialect, RawTable
from stockwise.errors import MissingColumnsError, NothingUsableError

ISSUE_COLUMNS = ["source", "row", "column", "field", "value", "rule", "severity", "message"]
REASONS = "reasons"

# Rules, as they appear in reports and quarantine files.
BLANK_ROW = "blank_row"
MISSING_VALUE = "missing_value"
UNPARSEABLE_DATE = "unparseable_date"
NON_NUMERIC = "non_numeric"
NEGATIVE = "negative"
NOT_POSITIVE = "not_positive"
NOT_A_FLAG = "not_a_flag"
DUPLICATE_KEY = "duplicate_key"
FUTURE_DATE = "future_date"
MIXED_FREQUENCY = "mixed_frequency"
ORDER_WITHOUT_DUE_DATE = "order_without_due_date"
MIXED_FREQUENCIES_ACROSS_SERIES = "mixed_frequencies_across_series"
ABOVE_PLAUSIBLE_MAXIMUM = "above_plausible_maximum"
BELOW_PLAUSIBLE_MINIMUM = "below_plausible_minimum"
WEEK_ANCHOR_MOVED = "week_anchor_moved"
AMBIGUOUS_WEEK = "ambiguous_week"


@dataclass
class ValidationReport:
    """What validation found: counts, issues, and how the input was understood.

    ``issues`` has the columns of :data:`ISSUE_COLUMNS`, one row per issue sorted by row
    then column; the texts issues share (source, column, field, rule, severity, message)
    are categorical, a missing column (a blank or ragged row) is NaN.
    """

    source: str
    table: str
    n_read: int
    n_accepted: int
    n_quarantined: int
    issues: pd.DataFrame
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    notes: list[str] = field(default_factory=list)
    frequency: str | None = None
    dialect: CsvDialect | None = None
    """How a CSV input was read (separator, encoding, decimal mark); None for other files.
    Files written back for the user follow it (:meth:`stockwise.cells.CsvFormat.like_input`)."""
    holes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Sales only: the long holes of the accepted rows (:func:`~stockwise.data.holes.find_holes`),
    a warning said in ``notes``: missing data, not zero sales."""

    @property
    def summary(self) -> str:
        return (
            f"{self.n_read} rows read, {self.n_accepted} accepted, {self.n_quarantined} quarantined"
        )

    @property
    def errors(self) -> pd.DataFrame:
        return self.issues[self.issues["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.issues[self.issues["severity"] == "warning"]

    def rule_counts(self) -> pd.Series:
        return self.issues.groupby(["severity", "rule"], observed=True).size().rename("rows")


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


@dataclass(frozen=True)
class _Part:
    """The issues one check found: the positions of their rows in the frame, the cells
    they show (``None``: nothing to show) and what they share."""

    positions: np.ndarray
    column: str | None
    values: np.ndarray | None
    rule: str
    severity: str
    message: str | np.ndarray


class _Issues:
    """Collects issues column-wise, one part per check (vectorised: millions of rows stay
    cheap).

    The issue frame is built once, at the end, with the texts issues share (file, column,
    rule, severity, message) as categorical columns: two million bad rows then cost tens
    of megabytes of issues, not gigabytes of repeated strings.
    """

    def __init__(self, source: str, rows: pd.Series) -> None:
        self.source = source
        self.rows = rows
        self.parts: list[_Part] = []

    def add(
        self,
        mask: pd.Series,
        column: str | None,
        values: pd.Series | None,
        rule: str,
        message: str,
        severity: str = "error",
    ) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        self._append(mask.index[mask.to_numpy()], column, values, rule, message, severity)

    def add_messages(
        self,
        index: pd.Index,
        column: str,
        values: pd.Series,
        rule: str,
        messages: pd.Series,
        severity: str = "error",
    ) -> None:
        if len(index) == 0:
            return
        self._append(
            index, column, values, rule, messages.loc[index].to_numpy(dtype=object), severity
        )

    def _append(
        self,
        index: pd.Index,
        column: str | None,
        values: pd.Series | None,
        rule: str,
        message: str | np.ndarray,
        severity: str,
    ) -> None:
        positions = _positions(self.rows.index, index)
        shown = (
            None if values is None else values.iloc[positions].astype(str).to_numpy(dtype=object)
        )
        self.parts.append(_Part(positions, column, shown, rule, severity, message))

    def error_mask(self) -> np.ndarray:
        """Whether each row of the frame has an error so far, straight from the parts:
        no concatenated, sorted frame is built for it."""
        mask = np.zeros(len(self.rows), dtype=bool)
        for part in self.parts:
            if part.severity == "error":
                mask[part.positions] = True
        return mask

    def frame(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The issues sorted by row then column, and the frame position of each. Called
        once, at the end: the parts are let go as the frame holds their content."""
        if not self.parts:
            columns = [c for c in ISSUE_COLUMNS if c != "field"]
            return pd.DataFrame(columns=columns), np.empty(0, dtype=np.intp)
        parts, sizes = self.parts, [len(p.positions) for p in self.parts]
        self.parts = []
        positions = np.concatenate([p.positions for p in parts])
        rows = self.rows.to_numpy()[positions]
        column = _categorical([(p.column, n) for p, n in zip(parts, sizes, strict=True)])
        order = _row_then_column(rows, column)
        if order is not None:
            positions, rows, column = positions[order], rows[order], column.take(order)

        def in_order(values: np.ndarray | pd.Categorical) -> np.ndarray | pd.Categorical:
            return values if order is None else values.take(order)

        def shared(name: str) -> pd.Categorical:
            return in_order(
                _categorical([(getattr(p, name), n) for p, n in zip(parts, sizes, strict=True)])
            )

        shown = in_order(
            np.concatenate(
                [
                    np.full(n, "", dtype=object) if p.values is None else p.values
                    for p, n in zip(parts, sizes, strict=True)
                ]
            )
        )
        out = pd.DataFrame(
            {
                "source": pd.Categorical.from_codes(
                    np.zeros(len(rows), dtype=np.int8), [self.source]
                ),
                "row": rows,
                "column": column,
                "value": shown,
                "rule": shared("rule"),
                "severity": shared("severity"),
                "message": shared("message"),
            },
            copy=False,
        )  # one column per dtype: nothing to consolidate, nothing to copy
        return out, positions


def _positions(index: pd.Index, labels: pd.Index) -> np.ndarray:
    """Where ``labels`` (all in ``index``) are in ``index``; a plain 0 … n − 1 index needs
    no look-up table."""
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return np.asarray(labels, dtype=np.intp)
    return index.get_indexer(labels)


def _categorical(pieces: list[tuple[str | np.ndarray | None, int]]) -> pd.Categorical:
    """One categorical column from pieces, each a text repeated ``n`` times (``None``:
    missing) or an array of texts. The categories are sorted, so the codes order rows
    as the texts would."""
    seen: dict[str, int] = {}
    chunks = []
    for value, n in pieces:
        if isinstance(value, np.ndarray):
            local, uniques = pd.factorize(value, use_na_sentinel=True)
            codes = np.array(
                [seen.setdefault(u, len(seen)) for u in uniques] + [-1], dtype=np.int32
            )
            chunks.append(codes[local])  # local -1 (missing) takes the last: -1
        else:
            code = -1 if value is None else seen.setdefault(value, len(seen))
            chunks.append(np.full(n, code, dtype=np.int32))
    names = list(seen)
    order = sorted(range(len(names)), key=names.__getitem__)
    remap = np.empty(len(names) + 1, dtype=np.int32)
    remap[order] = np.arange(len(names))
    remap[-1] = -1
    return pd.Categorical.from_codes(
        remap[np.concatenate(chunks)], categories=[names[i] for i in order]
    )


def _row_then_column(rows: np.ndarray, column: pd.Categorical) -> np.ndarray | None:
    """Positions that sort issues by row, then column (missing last), keeping the order
    of their checks otherwise; ``None`` when they already are in that order."""
    width = len(column.categories) + 1
    key = rows.astype(np.int64, copy=False) * width
    key += column.codes
    key[column.codes < 0] += width  # missing: after every column
    return None if _non_decreasing(key) else np.argsort(key, kind="stable")


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
        date_format,
        notes,
        bounds,
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
    return _validate(table, frame, S.INVENTORY, mapping, date_format, notes, bounds)


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
    return _validate(table, frame, S.BATCHES, mapping, date_format, notes, bounds)


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
    date_format: str | None,
    notes: list[str],
    bounds: Bounds = DEFAULT_BOUNDS,
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
            table.decimal,
            date_format,
            issues,
            ~blank_row,
            bounds,
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

    return _split(table, frame, typed, issues, spec, mapping, notes, frequency, keys)


class _Cells:
    """A frame's raw columns with what several checks need of them, computed once: the
    distinct values of text columns and the blank-cell masks."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._distinct: dict[str, Distinct | None] = {}
        self._blank: dict[str, pd.Series] = {}

    def distinct(self, name: str) -> Distinct | None:
        if name not in self._distinct:
            values = self.frame[name]
            self._distinct[name] = Distinct(values) if is_text_dtype(values) else None
        return self._distinct[name]

    def blank(self, name: str) -> pd.Series:
        if name not in self._blank:
            self._blank[name] = blank_mask(self.frame[name], distinct=self.distinct(name))
        return self._blank[name]


def _blank_rows(cells: _Cells, columns: list[str]) -> pd.Series:
    """Rows whose every cell is blank; stops looking once no candidate row is left."""
    blank = np.ones(len(cells.frame), dtype=bool)
    for name in columns:
        blank &= cells.blank(name).to_numpy()
        if not blank.any():
            break
    return pd.Series(blank, index=cells.frame.index)


def _check_column(
    cells: _Cells,
    spec: S.ColumnSpec,
    decimal: str,
    date_format: str | None,
    issues: _Issues,
    live: pd.Series,
    bounds: Bounds = DEFAULT_BOUNDS,
    *,
    notes: list[str] | None = None,
    shown: str | None = None,
) -> pd.Series:
    """Parse one column and record its issues (and in ``notes`` what was read differently
    from how it was written; ``shown``: the user's name of the column); returns the
    typed column."""
    name = spec.name
    values = cells.frame[name]
    distinct = cells.distinct(name)
    blank = cells.blank(name) & live
    if not spec.allow_missing:
        issues.add(blank, name, values, MISSING_VALUE, "empty cell (a value is required)")
    if spec.kind in {"id", "text"}:
        return clean_text(values, distinct=distinct)
    if spec.kind == "date":
        found = read_dates(values, date_format, distinct=distinct)
        used = found.format
        hint = (
            f" (expected a date like {pd.Timestamp('2024-03-31').strftime(used)})"
            if used
            else " (expected a date such as 2024-03-31)"
        )
        issues.add(found.failed & live, name, values, UNPARSEABLE_DATE, "not a date" + hint)
        if found.times_dropped and notes is not None:
            notes.append(
                f"{found.times_dropped} row(s) of column '{shown or name}' had a "
                "time of day (or a UTC offset): each is taken as the date it was "
                "written on (data is counted per day)"
            )
        return found.dates
    if spec.kind == "flag":
        parsed, failed = parse_flags(values, distinct=distinct)
        issues.add(failed & live, name, values, NOT_A_FLAG, "expected 0/1 (or yes/no)")
        return parsed
    parsed, failed = parse_numbers(values, decimal, distinct=distinct)
    issues.add(failed & live, name, values, NON_NUMERIC, "not a number")
    valid = parsed.notna()
    if spec.minimum is not None:
        issues.add(
            valid & (parsed < spec.minimum), name, values, NEGATIVE, f"must be >= {spec.minimum:g}"
        )
    if spec.strictly_positive:
        issues.add(valid & (parsed <= 0), name, values, NOT_POSITIVE, "must be > 0")
    bound = bounds.of(name)
    if bound is not None:
        _check_bound(name, parsed, valid, values, bound, issues)
    return parsed


def _check_bound(
    name: str, parsed: pd.Series, valid: pd.Series, values: pd.Series, bound: Bound, issues: _Issues
) -> None:
    """Quarantine values beyond the plausible range, naming the bound that was broken."""
    for side, rule, words in (
        ("max", ABOVE_PLAUSIBLE_MAXIMUM, "above the plausible maximum"),
        ("min", BELOW_PLAUSIBLE_MINIMUM, "below the plausible minimum"),
    ):
        limit = getattr(bound, side)
        if limit is None:
            continue
        beyond = valid & ((parsed > limit) if side == "max" else (parsed < limit))
        if not beyond.any():
            continue
        index = beyond.index[beyond.to_numpy()]
        shown = parsed.loc[index].map(lambda v: f"{v:g}")
        messages = f"{name} " + shown + f" is {words} {limit:g} (bounds.{name}.{side})"
        issues.add_messages(index, name, values, rule, messages)


_NAT = np.iinfo(np.int64).min  # NaT as an int64


class _RowKeys:
    """Per key column, integers that compare and order rows as the column's values do.

    Text columns become ranks of their sorted distinct values (missing values last, as
    pandas sorts them), taken from the distinct raw values already factorised rather than
    from the millions of cells; dates are their int64 nanoseconds. Sorting, duplicate
    and frequency checks then work on integers instead of strings. A column NumPy cannot
    order as pandas does (mixed kinds, extension types, missing dates) gives ``None``:
    callers then fall back to pandas.
    """

    def __init__(self, typed: pd.DataFrame, cells: _Cells, spec: S.TableSpec) -> None:
        self.typed = typed
        self.cells = cells
        self.spec = spec
        self._ranks: dict[str, tuple[np.ndarray, np.ndarray | None] | None] = {}

    def forget(self, name: str) -> None:
        """Drop what is known of a column whose values changed."""
        self._ranks.pop(name, None)

    def ranks(self, name: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(integer per row; the sorted distinct values, ``None`` for dates) or ``None``."""
        if name not in self._ranks:
            self._ranks[name] = self._compute(name)
        return self._ranks[name]

    def _compute(self, name: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        column = self.spec.spec(name)
        if (
            column is not None
            and column.kind in {"id", "text"}
            and name in self.cells.frame.columns
        ):
            distinct = self.cells.distinct(name)
            if distinct is not None:  # the typed column is clean_distinct broadcast
                return _ranks_of_distinct(clean_distinct(distinct), distinct.codes)
        values = self.typed[name]
        if values.dtype == "datetime64[ns]":
            return values.to_numpy().view(np.int64), None
        return _dense_ranks(values)

    def columns(self, names: list[str], rows: np.ndarray) -> list[np.ndarray] | None:
        """The integers of ``names`` for the rows in the mask ``rows``, or ``None``."""
        every = bool(rows.all())
        out = []
        for name in names:
            ranks = self.ranks(name)
            if ranks is None:
                return None
            values = ranks[0] if every else ranks[0][rows]
            if ranks[1] is None and len(values) and values.min() == _NAT:
                return None
            out.append(values)
        return out


def _ranks_of_distinct(
    values: np.ndarray, codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Ranks per row of a column given as one value per distinct code (``values[codes]``,
    code -1 missing), and its sorted distinct non-missing values."""
    inner, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=object)
    if not all(isinstance(u, str) for u in distinct):
        return None
    sorter = np.argsort(distinct, kind="stable")
    rank = np.empty(len(distinct) + 1, dtype=np.intp)
    rank[sorter] = np.arange(len(distinct))
    rank[-1] = len(distinct)  # missing sorts last
    per_code = np.append(rank[inner], len(distinct))  # code -1: a missing cell
    return per_code[codes], distinct[sorter]


def _dense_ranks(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    dtype = values.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iufO":
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.asarray(uniques)
    if dtype.kind == "O" and not all(isinstance(u, str) for u in distinct):
        return None
    sorter = np.argsort(distinct, kind="stable")
    rank = np.empty(len(distinct) + 1, dtype=np.intp)
    rank[sorter] = np.arange(len(distinct))
    rank[-1] = len(distinct)  # missing (code -1) sorts last
    return rank[codes], distinct[sorter]


def _non_decreasing(values: np.ndarray) -> bool:
    return bool(np.all(values[1:] >= values[:-1]))


def _order(columns: list[np.ndarray]) -> np.ndarray | None:
    """Positions that sort rows by ``columns`` as a stable ``sort_values`` does; ``None``
    when they already are in that order.

    Rows that come series by series, each in date order, are reordered by moving whole
    series blocks, with no sort of the rows.
    """
    first = columns[0]
    if len(columns) == 1:
        return None if _non_decreasing(first) else np.argsort(first, kind="stable")
    if len(columns) == 2:
        starts = contiguous_runs(first, columns[1])
        if starts is not None:
            heads = first[starts]
            if _non_decreasing(heads):
                return None
            by_key = np.argsort(heads, kind="stable")
            lengths = np.diff(np.r_[starts, len(first)])[by_key]
            shift = starts[by_key] - (np.cumsum(lengths) - lengths)
            return np.repeat(shift, lengths) + np.arange(len(first))
    return np.lexsort(columns[::-1])


def _has_duplicates(columns: list[np.ndarray]) -> bool:
    if len(columns[0]) < 2:
        return False
    if len(columns) != 2 or contiguous_runs(columns[0], columns[1]) is None:
        order = _order(columns)  # equal keys are neighbours once sorted
        if order is not None:
            columns = [c[order] for c in columns]
    equal = np.ones(len(columns[0]) - 1, dtype=bool)
    for values in columns:
        equal &= values[1:] == values[:-1]
    return bool(equal.any())


def _check_duplicates(
    typed: pd.DataFrame,
    spec: S.TableSpec,
    ok: np.ndarray,
    frame: pd.DataFrame,
    issues: _Issues,
    keys: _RowKeys,
) -> None:
    """Keep the first valid row of each key; later ones are quarantined, naming the first."""
    key = list(spec.key)
    columns = keys.columns(key, ok)
    if columns is not None and not _has_duplicates(columns):
        return
    live = typed.loc[ok, key]
    dup = live.duplicated(keep="first")
    if not dup.any():
        return
    positions = pd.Series(live.index, index=live.index)
    firsts = positions.groupby([live[k] for k in key], sort=False, dropna=False).transform("first")
    first_rows = frame[S.SOURCE_ROW].loc[firsts[dup].to_numpy()].to_numpy()
    dup_index = dup.index[dup.to_numpy()]
    key_text = " + ".join(key)
    messages = pd.Series(
        [f"duplicate {key_text}: same as row {r}" for r in first_rows], index=dup_index
    )
    column = key[-1]
    issues.add_messages(dup_index, column, frame[column], DUPLICATE_KEY, messages)


def _check_frequency(
    typed: pd.DataFrame,
    ok: np.ndarray,
    frame: pd.DataFrame,
    issues: _Issues,
    notes: list[str],
    keys: _RowKeys,
) -> str | None:
    if not ok.any():
        return None
    ranks = keys.ranks(S.UNIQUE_ID)
    columns = keys.columns([S.UNIQUE_ID, S.DS], ok)
    if (
        ranks is None
        or ranks[1] is None
        or columns is None
        or typed[S.DS].dtype != "datetime64[ns]"
        or columns[0].max() >= len(ranks[1])
    ):  # a missing id
        freq, off = infer_frequencies(typed.loc[ok, [S.UNIQUE_ID, S.DS]])
    else:
        every = bool(ok.all())
        freq, off = infer_from_codes(
            columns[0],
            ranks[1],
            typed[S.DS] if every else typed[S.DS][ok],
            typed.index if every else typed.index[ok],
        )
    if freq.empty:
        return None
    off = _align_weeks(
        typed,
        ok,
        frame,
        issues,
        notes,
        keys,
        freq,
        off,
        None if columns is None or ranks is None else (columns[0], ranks[1]),
    )
    names = calendar_facts.NAMES
    off_index = off.index[off.to_numpy()]
    if len(off_index):
        per_row = typed.loc[off_index, S.UNIQUE_ID].map(freq).map(names)
        messages = "date is off the series' " + per_row + " calendar (mixed frequencies)"
        issues.add_messages(off_index, S.DS, frame[S.DS], MIXED_FREQUENCY, messages)
    counts = freq.value_counts()
    if len(counts) > 1:
        shown = ", ".join(f"{n} {names[f]}" for f, n in counts.items())
        notes.append(f"series have different frequencies: {shown}")
        issues.add(
            pd.Series(False, index=typed.index),
            None,
            None,
            MIXED_FREQUENCIES_ACROSS_SERIES,
            shown,
            severity="warning",
        )
    return dominant_frequency(freq)


def _align_weeks(
    typed: pd.DataFrame,
    ok: np.ndarray,
    frame: pd.DataFrame,
    issues: _Issues,
    notes: list[str],
    keys: _RowKeys,
    freq: pd.Series,
    off: pd.Series,
    series: tuple[np.ndarray, np.ndarray | None] | None = None,
) -> pd.Series:
    """Put weekly series dated on mixed weekdays on one weekday
    (:func:`~stockwise.data.frequency.align_week_anchors`): each moved row gets a warning
    and the note says what was done; rows whose week cannot be told are rejected.
    ``freq`` is updated in place; returns the off-calendar mask without the moved series.
    ``series``: the live rows' series ranks and the sorted ids, when known.
    """
    every = bool(ok.all())
    live = typed.index if every else typed.index[ok]
    off_live = off.reindex(live, fill_value=False).to_numpy()
    codes, ids = series if series is not None else (None, None)
    if codes is None or ids is None or (len(codes) and codes.max() >= len(ids)):  # missing id
        codes, ids = None, None
    if codes is None:
        rows = typed.loc[live, [S.UNIQUE_ID, S.DS]]
    else:  # the series are known: the dates alone, without copying the ids
        rows = pd.DataFrame({S.DS: typed[S.DS] if every else typed[S.DS][ok]}, copy=False)
    found = align_week_anchors(rows, off_live, codes=codes, ids=ids)
    if found is not None and found.ambiguous.any():
        doubtful = pd.Series(found.ambiguous, index=live)
        issues.add(
            doubtful,
            S.DS,
            frame[S.DS],
            AMBIGUOUS_WEEK,
            f"weekly series dated on several weekdays: this row and its neighbour "
            f"fall in the same week (to the nearest {found.anchor_name}), so its week "
            f"cannot be told; date each week once",
        )
        keep = ~found.ambiguous
        live, rows, off_live = live[keep], rows[keep], off_live[keep]
        found = align_week_anchors(
            rows, off_live, codes=None if codes is None else codes[keep], ids=ids
        )
    if found is None or not found.moved.any():
        return off
    moved = live[found.moved]
    before = typed.loc[moved, S.DS]
    typed.loc[moved, S.DS] = found.ds[found.moved]
    keys.forget(S.DS)
    freq.loc[freq.index.isin(found.series)] = "W"
    weekday = before.dt.dayofweek.map(dict(enumerate(WEEKDAYS)))
    messages = (
        "weekly date moved from "
        + weekday
        + " "
        + before.dt.strftime("%Y-%m-%d")
        + f" to {found.anchor_name} "
        + typed.loc[moved, S.DS].dt.strftime("%Y-%m-%d")
        + f" (weeks dated on mixed weekdays; every week now on its {found.anchor_name})"
    )
    issues.add_messages(moved, S.DS, frame[S.DS], WEEK_ANCHOR_MOVED, messages, severity="warning")
    notes.append(found.note())
    aligned = typed.loc[off.index, S.UNIQUE_ID].isin(found.series).to_numpy()
    return off & ~aligned


def _split(
    table: RawTable,
    frame: pd.DataFrame,
    typed: pd.DataFrame,
    issues: _Issues,
    spec: S.TableSpec,
    mapping: ColumnMapping,
    notes: list[str],
    frequency: str | None,
    keys: _RowKeys,
) -> ValidatedTable:
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


def _user_names(field: pd.Series, mapping: ColumnMapping) -> pd.Series:
    """The column of each issue under the user's header (categories renamed, when one
    name per category allows)."""
    renamed = {
        c: mapping.user_name(c)
        for c in pd.unique(field.dropna())
        if isinstance(c, str) and mapping.user_name(c) != c
    }
    if not renamed:
        return field
    if isinstance(field.dtype, pd.CategoricalDtype):
        names = [renamed.get(c, c) for c in field.cat.categories]
        if len(set(names)) == len(names):
            return field.cat.rename_categories(names)
    return field.astype(object).map(lambda c: renamed.get(c, c))


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


def _chunk_reasons(columns: list[pd.Series], errors: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The reasons of consecutive rows whose errors are ``errors`` (issue positions),
    row ``i`` owning ``errors[bounds[i]:bounds[i + 1]]``."""
    coded = [_codes(values, errors) for values in columns]
    text_of = _same_rows([codes for codes, _ in coded])
    (column, columns_), (value, values), (rule, rules), (message, messages) = coded
    texts = np.array(
        [
            _reason_text(
                columns_[column[i]], values[value[i]], rules[rule[i]], messages[message[i]]
            )
            for i in _firsts(text_of)
        ],
        dtype=object,
    )
    starts, lengths = bounds[:-1], np.diff(bounds)
    sequence = text_of[starts]
    for nth in range(1, int(lengths.max())):
        more = lengths > nth
        following = np.zeros(len(starts), dtype=np.int64)
        following[more] = text_of[starts[more] + nth] + 1
        sequence = pd.factorize(sequence * (len(texts) + 1) + following)[0]
    if lengths.max() == 1:
        sequence = pd.factorize(sequence)[0]
    joined = np.array(
        ["; ".join(texts[text_of[starts[r] : starts[r] + lengths[r]]]) for r in _firsts(sequence)],
        dtype=object,
    )
    return joined[sequence]


def _codes(values: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, the distinct values; code -1 is a missing value, shown as None) of
    ``values`` at the positions ``rows``, without a text per row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()[rows]
        distinct = values.cat.categories.to_numpy(dtype=object)
    else:
        codes, uniques = pd.factorize(values.to_numpy(dtype=object)[rows], use_na_sentinel=True)
        distinct = np.asarray(uniques, dtype=object)
    return codes, np.append(distinct, np.array([None], dtype=object))  # code -1: None


def _same_rows(columns: list[np.ndarray]) -> np.ndarray:
    """One integer per row, equal for rows equal in every column (0 … distinct − 1)."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        codes = pd.factorize(codes * (int(values.max()) + 2) + values + 1)[0]
    return codes


def _firsts(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in order of first appearance
    (as :func:`pandas.factorize` numbers them): no sort needed."""
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.r_[True, seen[1:] > seen[:-1]])


def _reason_text(column: object, value: object, rule: object, message: object) -> str:
    if not isinstance(column, str) or column == "":
        return f"{rule}: {message}"
    return f"column '{column}' value '{value}': {rule} ({message})"


def concat_issues(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Issue frames one after the other, their shared texts kept categorical (a plain
    ``pd.concat`` of categoricals with different categories makes them text again)."""
    frames = [f for f in frames if not f.empty] or frames[:1]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    out = {}
    for name in columns:
        parts = [
            f[name] if name in f.columns else pd.Series(None, index=f.index, dtype=object)
            for f in frames
        ]
        if any(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            out[name] = union_categoricals(
                [
                    p.array
                    if isinstance(p.dtype, pd.CategoricalDtype)
                    else pd.Categorical(p.astype(object))
                    for p in parts
                ],
                sort_categories=True,
            )
        else:
            out[name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(out, columns=columns)
