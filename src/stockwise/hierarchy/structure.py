"""The summing matrix of a hierarchy and the series of every level.

``S`` has one row per series of every level and one column per bottom series; row ``i``
has a 1 for each bottom series that adds up to series ``i``, so any bottom vector ``b``
gives coherent values ``S @ b`` for all levels. It is kept sparse (``scipy.sparse``): a
chain with 100,000 product × store cells and 8 levels has 800,000 ones, not 10^10 cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from stockwise import schema as S
from stockwise.errors import FrameError
from stockwise.hierarchy.spec import CROSS_SEP, PATH_SEP, TOTAL, HierarchySpec, Level

LEVEL_MARK = ":"
SERIES = "series"
"""The bottom level's name when the declared columns leave several series in a cell."""
LEVEL = "level"
"""Column of the hierarchy's tables naming the level of each series."""


@dataclass(frozen=True)
class Structure:
    """Which series exist at each level and which bottom series add up to each."""

    spec: HierarchySpec
    ids: np.ndarray
    """Every series id, level by level, coarsest first; the bottom ids last."""
    levels: np.ndarray
    """The level name of each id (same order)."""
    bottom_ids: np.ndarray
    node_of_bottom: dict[str, np.ndarray]
    """Per level, the row (index into ``ids``) each bottom series adds up to."""
    summing: sparse.csr_matrix
    """``S``: len(ids) × len(bottom_ids), ones and zeros."""
    bottom_level: str
    chain: tuple[str, ...]
    """Level names from the total to the bottom, one column at a time (the tree the
    top-down method splits along)."""

    @property
    def level_names(self) -> list[str]:
        """Every level, coarsest first, the bottom last."""
        return list(dict.fromkeys(self.levels))

    @property
    def n_bottom(self) -> int:
        return len(self.bottom_ids)

    @property
    def bottom_rows(self) -> np.ndarray:
        return np.arange(len(self.ids) - self.n_bottom, len(self.ids))

    def rows_of(self, level: str) -> np.ndarray:
        return np.flatnonzero(self.levels == level)

    def dense(self) -> np.ndarray:
        return self.summing.toarray()


def bottom_attributes(sales: pd.DataFrame, spec: HierarchySpec) -> pd.DataFrame:
    """One row per series (index ``unique_id``, sorted) with its hierarchy columns.

    Refuses missing columns, empty values and a series whose attributes change between
    rows (it would belong to two parents).
    """
    missing = [c for c in (S.UNIQUE_ID, *spec.columns) if c not in sales.columns]
    if missing:
        raise FrameError(
            f"the sales have no column(s) {missing} named by the hierarchy; "
            f"columns: {list(sales.columns)}",
            hint="Declare levels with existing columns, or map them (--map).",
        )
    frame = sales[[S.UNIQUE_ID, *spec.columns]]
    empty = frame[list(spec.columns)].isna()
    if empty.any().any():
        row, column = np.argwhere(empty.to_numpy())[0]
        raise FrameError(
            f"row {frame.index[row]} (series {frame.iloc[row][S.UNIQUE_ID]!r}) "
            f"has no value in hierarchy column {spec.columns[column]!r}",
            hint="Fill it (e.g. 'unknown') so the series has a parent.",
        )
    text = frame.astype(dict.fromkeys((S.UNIQUE_ID, *spec.columns), str)).drop_duplicates()
    changing = text[text.duplicated(S.UNIQUE_ID, keep=False)]
    if not changing.empty:
        uid = changing[S.UNIQUE_ID].iloc[0]
        values = changing[changing[S.UNIQUE_ID] == uid].drop(columns=S.UNIQUE_ID)
        raise FrameError(
            f"series {uid!r} has more than one place in the hierarchy: {values.to_dict('records')}",
            hint="A series belongs to one parent per level; split it into one series per place.",
        )
    return text.set_index(S.UNIQUE_ID).sort_index()


def level_keys(attrs: pd.DataFrame, spec: HierarchySpec, level: Level) -> pd.Series:
    """The id each bottom series has at ``level`` ("total", "Food/Dairy|S1", ...)."""
    if not level.columns:
        return pd.Series(TOTAL, index=attrs.index)
    parts = []
    for path, depth in zip(spec.dimensions, level.depths, strict=True):
        if depth:
            part = attrs[path[0]]
            for column in path[1:depth]:
                part = part + PATH_SEP + attrs[column]
            parts.append(part)
    key = parts[0]
    for part in parts[1:]:
        key = key + CROSS_SEP + part
    return key


def build_structure(attrs: pd.DataFrame, spec: HierarchySpec) -> Structure:
    """The structure of the series in ``attrs`` (from :func:`bottom_attributes`).

    When the declared columns tell every series apart, their finest cell is the bottom
    level (its series keep their ids); otherwise (e.g. ``store`` over product × store
    series) the series themselves form a bottom level, :data:`SERIES`, below it.
    """
    bottom_ids = attrs.index.to_numpy(dtype=object)
    one_per_cell = not attrs.duplicated().any()
    upper = spec.levels()[:-1] if one_per_cell else spec.levels()
    bottom = spec.bottom.name if one_per_cell else SERIES
    ids: list[np.ndarray] = []
    names: list[np.ndarray] = []
    node_of_bottom: dict[str, np.ndarray] = {}
    start = 0
    for level in upper:
        codes, uniques = pd.factorize(level_keys(attrs, spec, level), sort=True)
        named = uniques if level.name == TOTAL else level.name + LEVEL_MARK + uniques
        ids.append(np.asarray(named, dtype=object))
        names.append(np.full(len(uniques), level.name, dtype=object))
        node_of_bottom[level.name] = start + codes
        start += len(uniques)
    ids.append(bottom_ids)
    names.append(np.full(len(bottom_ids), bottom, dtype=object))
    node_of_bottom[bottom] = start + np.arange(len(bottom_ids))
    chain = [level.name for level in spec.chain()] + ([] if one_per_cell else [SERIES])
    all_ids = np.concatenate(ids)
    seen = pd.Index(all_ids)
    if seen.has_duplicates:
        twice = sorted(set(seen[seen.duplicated()].astype(str)))[:5]
        raise FrameError(
            f"the series ids {twice} would name two series of the hierarchy "
            "(an upper level's name, e.g. 'store:S1' or 'total')",
            hint="Rename those series so every series of every level has its own name.",
        )
    m = len(bottom_ids)
    rows = np.concatenate(list(node_of_bottom.values()))
    cols = np.tile(np.arange(m), len(node_of_bottom))
    summing = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(all_ids), m))
    return Structure(
        spec,
        all_ids,
        np.concatenate(names),
        bottom_ids,
        node_of_bottom,
        summing,
        bottom,
        tuple(chain),
    )


def aggregate(sales: pd.DataFrame, structure: Structure, value: str = S.Y) -> pd.DataFrame:
    """``unique_id, ds, <value>, level`` for every series of every level.

    A bottom series keeps its own rows; an upper series has a row on every date at least
    one of its bottom series has one, the sum of those present. A series that starts late
    so adds to its parents from its start, not as zeros before it.
    """
    wide = sales.pivot(index=S.DS, columns=S.UNIQUE_ID, values=value)
    wide = wide.reindex(columns=structure.bottom_ids)
    present = wide.notna().to_numpy(dtype=float)
    values = np.nan_to_num(wide.to_numpy(dtype=float))
    upper = len(structure.ids) - structure.n_bottom
    top = sparse.csr_matrix(structure.summing[:upper])
    sums = np.asarray((top @ values.T).T)
    counts = np.asarray((top @ present.T).T)
    sums[counts == 0] = np.nan
    table = pd.DataFrame(sums, index=wide.index, columns=structure.ids[:upper])
    long = table.melt(ignore_index=False, var_name=S.UNIQUE_ID, value_name=value).reset_index()
    long = long.dropna(subset=[value])
    long[LEVEL] = long[S.UNIQUE_ID].map(dict(zip(structure.ids, structure.levels, strict=True)))
    bottom = sales[[S.UNIQUE_ID, S.DS, value]].assign(**{LEVEL: structure.bottom_level})
    out = pd.concat([long[[S.UNIQUE_ID, S.DS, value, LEVEL]], bottom], ignore_index=True)
    order = pd.Categorical(out[S.UNIQUE_ID], categories=structure.ids, ordered=True)
    return (
        out.assign(_o=order)
        .sort_values(["_o", S.DS], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
