"""A column's distinct values, factorised once and shared by every parser of the column: a
million rows holding a hundred texts cost a hundred parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

MISSING_WORDS = {"nan", "na", "n/a", "#n/a", "null", "none", "-", "#value!"}
"""Cells that spreadsheets and databases write for "no value": treated as empty."""


_SPACES = re.compile(r"[\s\u00a0\u202f']")


class Distinct:
    """A column's distinct non-missing values, and for each cell the one it holds.

    ERP columns repeat a few values millions of times (ids, dates, labels): parsing and
    checking the distinct values only, then broadcasting back, keeps validation of a
    million-row file in seconds. One ``Distinct`` can serve every check of a column.
    """

    def __init__(self, values: pd.Series) -> None:
        self.index = values.index
        self.is_text = is_text_dtype(values)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        self.codes: np.ndarray = codes
        self.uniques: np.ndarray = np.asarray(uniques, dtype=object)
        self.has_missing = bool(len(codes)) and int(codes.min()) < 0

    def broadcast(
        self, mapped: np.ndarray, fill: object = None, dtype: type | None = None
    ) -> pd.Series:
        """Each cell's entry of ``mapped`` (one per distinct value); ``fill`` where missing.

        The result keeps ``mapped``'s dtype when there is no ``fill``, else takes ``dtype``
        (object unless given). Missing cells have code -1: they read the extra last slot.
        """
        mapped = np.asarray(mapped)
        table = np.empty(len(mapped) + 1, dtype=mapped.dtype if fill is None else (dtype or object))
        table[:-1] = mapped
        if self.has_missing:
            table[-1] = fill
        return pd.Series(table[self.codes], index=self.index)


def is_text_dtype(values: pd.Series) -> bool:
    """True for columns that may hold strings (object or a string dtype)."""
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def by_unique(
    values: pd.Series,
    func: Callable[[np.ndarray], np.ndarray],
    fill: object = None,
    *,
    distinct: Distinct | None = None,
) -> pd.Series:
    """Apply ``func`` to the distinct non-missing values only, then broadcast back.

    ``distinct`` reuses a column's factorisation computed for another check.
    """
    distinct = distinct or Distinct(values)
    return distinct.broadcast(func(distinct.uniques), fill)


def _is_str(uniques: np.ndarray) -> np.ndarray:
    return np.fromiter((isinstance(u, str) for u in uniques), bool, len(uniques))


def is_text(values: pd.Series, *, distinct: Distinct | None = None) -> pd.Series:
    """True where the cell holds a string (CSV cells, or mixed Excel columns)."""
    if not is_text_dtype(values):
        return pd.Series(False, index=values.index)
    distinct = distinct or Distinct(values)
    return distinct.broadcast(_is_str(distinct.uniques), fill=False, dtype=bool)


def _blank_text(uniques: np.ndarray) -> np.ndarray:
    return np.fromiter(
        (
            isinstance(u, str) and (not u.strip() or u.strip().lower() in MISSING_WORDS)
            for u in uniques
        ),
        bool,
        len(uniques),
    )


def blank_mask(values: pd.Series, *, distinct: Distinct | None = None) -> pd.Series:
    """True for missing cells: NaN/None/NaT, whitespace, or words like "NaN", "N/A", "null".

    In text columns the factorisation already sets missing cells apart (they have no
    distinct value), so only the distinct strings are looked at.
    """
    if is_text_dtype(values):
        distinct = distinct or Distinct(values)
        return distinct.broadcast(_blank_text(distinct.uniques), fill=True, dtype=bool)
    return values.isna()


def _live_distinct(
    values: pd.Series, blank: pd.Series, distinct: Distinct | None
) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of the non-blank cells, in order of first appearance.

    When some non-blank cell is a string, the column's own factorisation is reused with
    its blank values dropped; otherwise the non-blank cells are factorised afresh (pandas
    may give them a more specific type once the blanks are gone, e.g. datetimes).
    """
    if distinct is not None:
        keep = ~_blank_text(distinct.uniques)
        if _is_str(distinct.uniques[keep]).any():
            renumber = np.full(len(keep) + 1, -1, dtype=np.intp)  # last slot: missing
            renumber[:-1][keep] = np.arange(int(keep.sum()))
            return renumber[distinct.codes], distinct.uniques[keep]
    codes, uniques = pd.factorize(values.where(~blank), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)
