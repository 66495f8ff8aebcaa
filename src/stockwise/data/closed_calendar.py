"""A calendar of closed days, read from the user's file: ``ds`` and optionally ``store``.

Days a shop is known to be shut ahead of time (public holidays, inventory days, a
refit) are forecast 0 for its products and left out of the band estimate
(:mod:`stockwise.workflows.closed_days`). The file is small and every row matters, so a
row that is not a date stops the run naming its row, rather than being set aside: a
closure read as trading would order stock for a day nobody sells.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.data.mapping import SYNONYMS, normalise
from stockwise.data.parsing import parse_dates
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.data.readers import read_table
from stockwise.errors import InputError


def read_closed_days(
    source: str | Path | pd.DataFrame, reading: ReadOptions = NO_OPTIONS
) -> pd.DataFrame:
    """``ds`` (and ``store`` when given; empty: every store) of each closed day, from a
    file (read as ``reading`` says, like the sales) or a frame.

    Headers are recognised as for the sales (``Date``, ``jour``; ``Magasin``, ``store``).
    """
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), "<calendar of closed days>"
        first_row = 1
    else:
        raw = read_table(source, **reading.file_kwargs())
        frame, name = raw.frame.drop(columns=S.SOURCE_ROW), str(source)
        first_row = 2 if Path(source).suffix.lower() not in (".parquet", ".pq") else 1
    frame = frame.rename(columns=_canonical(frame.columns))
    if S.DS not in frame.columns:
        raise InputError(
            f"the calendar of closed days needs a date column; it has {list(frame.columns)}",
            source=name,
            hint="Name it 'ds' or 'date' (and 'store' for one shop's days).",
        )
    text = frame[S.DS] if not pd.api.types.is_datetime64_any_dtype(frame[S.DS]) else None
    if text is None:
        days = frame[S.DS]
    else:
        days, failed, _ = parse_dates(text.astype(str), reading.date_format)
        if failed.any():
            row = int(failed.to_numpy().nonzero()[0][0])
            raise InputError(
                f"{text.iloc[row]!r} is not a date", source=name, row=row + first_row, column=S.DS
            )
    out = pd.DataFrame({S.DS: pd.to_datetime(days).dt.normalize()})
    if S.STORE in frame.columns:
        stores = frame[S.STORE].astype("string").str.strip()
        out[S.STORE] = stores.where(stores.fillna("") != "").astype(object)  # empty: all
    return out.drop_duplicates().reset_index(drop=True)


def _canonical(columns: pd.Index) -> dict[str, str]:
    """The user's date and store headers → ``ds`` and ``store``."""
    wanted = {S.DS: SYNONYMS[S.DS], S.STORE: SYNONYMS[S.STORE]}
    found: dict[str, str] = {}
    for column in columns:
        key = normalise(column)
        for canonical, names in wanted.items():
            if key in names and canonical not in found.values():
                found[str(column)] = canonical
    return found
