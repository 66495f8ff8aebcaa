"""Charts as plain data: panels of lines, bands, bars and markers, with the palette and the
number formats. Both renderers read these, so the interactive page and the PNG files
show the same chart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from stockwise import calendar_facts

PALETTE = (
    "#1f6feb",
    "#d9480f",
    "#2f9e44",
    "#9c36b5",
    "#e67700",
    "#0c8599",
    "#c2255c",
    "#5c7cfa",
    "#868e96",
    "#66a80f",
)


GREY = "#868e96"


RED = "#c92a2a"


TOP_PRODUCTS = 12


HISTORY_DAYS = 180


PERIOD = calendar_facts.UNITS


PRODUCT_TITLE = (
    "#{rank} {id} ({sector}) · {urgency}: {chance} chance of running out before "
    "an order placed today arrives, order {qty}"
)


@dataclass
class Line:
    """A line (``dash`` for forecasts and reference levels)."""

    name: str
    x: Sequence[Any]
    y: Sequence[float] | np.ndarray
    color: str = PALETTE[0]
    dash: bool = False
    width: float = 1.6


@dataclass
class Band:
    """A shaded interval between ``lower`` and ``upper``."""

    name: str
    x: Sequence[Any]
    lower: Sequence[float]
    upper: Sequence[float]
    color: str = PALETTE[0]
    opacity: float = 0.18


@dataclass
class Bars:
    """Bars over categories (or numbers); several Bars in one panel are grouped."""

    name: str
    x: Sequence[Any]
    y: Sequence[float]
    color: str = PALETTE[0]
    horizontal: bool = False


@dataclass
class Heatmap:
    """Values ``z[row][column]`` with row and column labels."""

    name: str
    columns: Sequence[str]
    rows: Sequence[str]
    z: Sequence[Sequence[float]]


@dataclass
class Marker:
    """A vertical line at a date, labelled (e.g. the stockout date)."""

    label: str
    x: Any
    color: str = RED


@dataclass
class Panel:
    """One plotting area."""

    traces: Sequence[Line | Band | Bars | Heatmap] = field(default_factory=list)
    title: str = ""
    y_label: str = ""
    markers: list[Marker] = field(default_factory=list)


@dataclass
class Chart:
    """A chart: ``key`` names its PNG file and its HTML element."""

    key: str
    title: str
    panels: list[Panel]
    height: int = 380
    shared_x: bool = True


def color(i: int) -> str:
    """The i-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def fmt_num(value: Any, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "—"
    number = float(value)
    return "∞" if np.isinf(number) else f"{number:,.{digits}f}"


def fmt_num2(value: Any) -> str:
    return fmt_num(value, 2)


def fmt_pct(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.0%}"


def fmt_date(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)[:10]


def slug(text: object) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "x"
