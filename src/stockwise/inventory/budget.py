"""A budget cap on the order list: spend first where an order saves the most per unit.

Every line with an order quantity competes for the budget, ranked by
``lost_value_avoided / order_value``: the expected lost-sales value the order avoids (its
arrival to the next order's, see :func:`~stockwise.inventory.plan.build_plan`) per unit
of money it costs. A line that costs nothing (no unit cost) comes first, ties keep the
plan's order (most urgent first). Walking down that ranking:

- a line that fits in what is left is kept whole;
- the first one that does not is **cut down** to the whole packs the money left buys,
  at least its minimum order quantity (else it is left out), and the walk goes on: a
  smaller line further down may still fit.

Why cut down rather than keep or drop whole lines: the first units of an order cover
the most likely demand and the last ones its tail, so part of a line keeps at least its
share of the protection; money left unspent protects nothing. Why not scale every line
by the same share: that would take as much from the lines that save the most as from
those that save the least.

Each cut line keeps its row (nothing disappears from the plan): ``order_qty`` and
``order_value`` are what is left, ``budget_cut_units`` / ``budget_cut_value`` what was
taken out, and the ``reason`` says so with the lost sales left at risk. The budget is
one sum of money, so the lines must share one currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import OptionError
from stockwise.inventory.money import currencies, format_money

CUT_COLUMNS = ["budget_cut_units", "budget_cut_value"]


@dataclass(frozen=True)
class BudgetOutcome:
    """The capped plan, the budget and what was spent of it."""

    plan: pd.DataFrame
    budget: float
    currency: str
    spent: float

    @property
    def left_out(self) -> pd.DataFrame:
        """The lines cut or cut down (:func:`left_out`)."""
        return left_out(self.plan)

    def summary(self) -> str:
        """One sentence: the budget, what it buys, and what it leaves out."""
        cut = self.left_out
        if cut.empty:
            return (
                f"budget {format_money(self.budget, self.currency)}: the whole order list "
                f"fits ({format_money(self.spent, self.currency)} spent)"
            )
        dropped = int((cut["kept_units"] <= 0).sum())
        return (
            f"budget {format_money(self.budget, self.currency)}: "
            f"{format_money(self.spent, self.currency)} spent; {len(cut)} line(s) left "
            f"out or cut down ({dropped} left out, {len(cut) - dropped} cut down) worth "
            f"{format_money(float(cut['value_left_out'].sum()), self.currency)}, leaving "
            f"~{format_money(float(cut['risk_left'].sum()), self.currency)} of expected "
            "lost sales at risk"
        )


def check_budget(budget: float) -> float:
    """The budget as a float; :class:`OptionError` unless a finite amount above 0."""
    try:
        value = float(budget)
    except (TypeError, ValueError):
        raise OptionError(f"budget: {budget!r} is not an amount of money") from None
    if not math.isfinite(value) or value <= 0:
        raise OptionError(f"budget: must be an amount above 0, not {budget!r}")
    return value


def apply_budget(
    plan: pd.DataFrame, budget: float, inventory: pd.DataFrame | None = None
) -> BudgetOutcome:
    """Cap the plan's order lines at ``budget`` (rules in the module docstring).

    ``inventory`` (optional) gives each product's ``pack_size`` and ``moq``, so a cut-down
    line is still an order its supplier accepts (whole units, no minimum, without it).
    """
    budget = check_budget(budget)
    found = currencies(plan)
    if len(found) > 1:
        raise OptionError(
            f"budget: the order list is in several currencies ({', '.join(found)})"
            "; a budget is one sum of money",
            hint="Plan one currency at a time (--sector), or set one currency "
            "(--currency) when the values are all in it.",
        )
    currency = found[0] if found else ""
    out = plan.copy()
    for column in CUT_COLUMNS:
        out[column] = 0.0
    if out.empty:
        return BudgetOutcome(out, budget, currency, 0.0)
    qty = pd.to_numeric(out["order_qty"], errors="coerce").fillna(0.0).to_numpy(float)
    value = pd.to_numeric(out["order_value"], errors="coerce").to_numpy(float)
    kept, left = _walk(
        _ranking(qty, value, _avoided(out)), qty, value, budget, _packs(inventory, out[S.UNIQUE_ID])
    )
    cut = np.flatnonzero(kept < qty)
    if len(cut) == 0:
        return BudgetOutcome(out, budget, currency, budget - left)
    unit = np.divide(
        value[cut], qty[cut], out=np.full(len(cut), np.inf), where=np.isfinite(value[cut])
    )
    kept_value = np.where(kept[cut] > 0, kept[cut] * unit, 0.0)
    cut_value = np.where(np.isfinite(unit), (qty[cut] - kept[cut]) * unit, value[cut])
    out["order_qty"] = out["order_qty"].astype(float)
    out["order_value"] = out["order_value"].astype(float)
    columns = [out.columns.get_loc(c) for c in ("order_qty", "order_value", *CUT_COLUMNS)]
    out.iloc[cut, columns] = np.column_stack(
        [kept[cut], kept_value, qty[cut] - kept[cut], cut_value]
    )
    if "arrival_date" in out:
        out.iloc[cut[kept[cut] <= 0], out.columns.get_loc("arrival_date")] = None
    risk = _avoided(out)[cut] * (qty[cut] - kept[cut]) / qty[cut]
    reason = out["reason"].astype(object).to_numpy(copy=True)
    head = f"budget {format_money(budget, currency)}"
    for at, proposed, remains, lost, left_risk in zip(
        cut, qty[cut], kept[cut], cut_value, risk, strict=True
    ):
        done = (
            f"left out ({proposed:g} units, {format_money(lost, currency)})"
            if remains <= 0
            else f"cut down from {proposed:g} to {remains:g} units "
            f"({format_money(lost, currency)} left out)"
        )
        reason[at] = (
            f"{reason[at]}; {head}: {done}; ~{format_money(left_risk, currency)} "
            "of expected lost sales left at risk"
        )
    out["reason"] = reason
    return BudgetOutcome(out, budget, currency, budget - left)


def left_out(plan: pd.DataFrame) -> pd.DataFrame:
    """The lines a budget cut or cut down, most expected lost sales left at risk first:
    ``unique_id, supplier, currency, urgency, proposed_units, kept_units, cut_units,
    value_left_out, risk_left``. ``risk_left``: the cut share of the line's
    ``lost_value_avoided`` (about what the units left out would have saved)."""
    columns = [
        S.UNIQUE_ID,
        S.SUPPLIER,
        "currency",
        "urgency",
        "proposed_units",
        "kept_units",
        "cut_units",
        "value_left_out",
        "risk_left",
    ]
    if "budget_cut_units" not in plan:
        return pd.DataFrame(columns=columns)
    cut = plan[pd.to_numeric(plan["budget_cut_units"], errors="coerce").fillna(0) > 0]
    proposed = cut["order_qty"] + cut["budget_cut_units"]
    frame = pd.DataFrame(
        {
            S.UNIQUE_ID: cut[S.UNIQUE_ID],
            S.SUPPLIER: cut.get(S.SUPPLIER),
            "currency": cut.get("currency"),
            "urgency": cut["urgency"],
            "proposed_units": proposed,
            "kept_units": cut["order_qty"],
            "cut_units": cut["budget_cut_units"],
            "value_left_out": cut["budget_cut_value"],
            "risk_left": cut["lost_value_avoided"].fillna(0)
            * cut["budget_cut_units"]
            / proposed.where(proposed > 0, np.nan),
        },
        columns=columns,
    )
    frame["risk_left"] = frame["risk_left"].fillna(0.0)
    return frame.sort_values("risk_left", ascending=False, kind="stable", ignore_index=True)


def _ranking(qty: np.ndarray, value: np.ndarray, avoided: np.ndarray) -> np.ndarray:
    """Positions of the order lines, most lost sales avoided per unit of money first
    (free lines first; lines of unknown value last); ties in plan order."""
    lines = np.flatnonzero(qty > 0)
    cost, saved = value[lines], avoided[lines]
    ratio = np.full(len(lines), np.inf)
    priced = np.isfinite(cost) & (cost > 0)
    ratio[priced] = saved[priced] / cost[priced]
    ratio[~np.isfinite(cost)] = -np.inf
    return lines[np.argsort(-ratio, kind="stable")]


def _walk(
    ranking: np.ndarray,
    qty: np.ndarray,
    value: np.ndarray,
    budget: float,
    packs: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, float]:
    """Units kept per line, and the money left: whole lines while they fit, else the
    whole packs the money left buys (at least the MOQ, else none)."""
    kept = qty.copy()
    size, moq = packs
    left = budget
    for at in ranking.tolist():
        cost = value[at]
        if math.isfinite(cost) and cost <= left * (1 + 1e-12):
            left -= cost
            continue
        unit = cost / qty[at] if math.isfinite(cost) else math.inf
        units = math.floor(left / unit / size[at] + 1e-9) * size[at] if unit > 0 else 0.0
        units = units if units >= max(moq[at], size[at]) else 0.0
        kept[at] = units
        left -= units * unit if units > 0 else 0.0
    return kept, left


def _avoided(plan: pd.DataFrame) -> np.ndarray:
    """Each line's ``lost_value_avoided`` (0 where unknown: such lines rank last)."""
    if "lost_value_avoided" not in plan:
        return np.zeros(len(plan))
    values = pd.to_numeric(plan["lost_value_avoided"], errors="coerce").to_numpy(float)
    return np.where(np.isfinite(values), values, 0.0)


def _packs(inventory: pd.DataFrame | None, ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per plan line (pack size >= 1, minimum order quantity >= 0) from the inventory;
    (1, 0) for a product it does not list."""
    size, moq = np.ones(len(ids)), np.zeros(len(ids))
    if inventory is None or inventory.empty:
        return size, moq
    inventory = inventory.drop_duplicates(S.UNIQUE_ID, keep="last")
    where = pd.Index(inventory[S.UNIQUE_ID].astype(str)).get_indexer(ids.astype(str))
    found = where >= 0
    size[found] = _numbers(inventory, S.PACK_SIZE, 1.0).clip(lower=1.0).to_numpy()[where[found]]
    moq[found] = _numbers(inventory, S.MOQ, 0.0).clip(lower=0.0).to_numpy()[where[found]]
    return size, moq


def _numbers(frame: pd.DataFrame, column: str, default: float) -> pd.Series:
    if column not in frame:
        return pd.Series(default, index=frame.index, dtype=float)
    values = pd.to_numeric(frame[column], errors="coerce")
    return values.where(np.isfinite(values), default).astype(float)
