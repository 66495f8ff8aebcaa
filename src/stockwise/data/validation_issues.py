"""The issue list a validation produces: the rule names, the report a caller reads, and the
frame of issues built column by column (shared texts kept categorical so millions of
issues cost a handful of strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from stockwise.data.mapping import ColumnMapping
from stockwise.data.readers import CsvDialect

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


def _non_decreasing(values: np.ndarray) -> bool:
    return bool(np.all(values[1:] >= values[:-1]))


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
