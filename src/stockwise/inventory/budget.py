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
            return (f"budget {format_money(self.budget, self.currency)}: the whole order list "
                    f"fits ({format_money(self.spent, self.currency)} spent)")
        dropped = int((cut["kept_units"] <= 0).sum())
        return (f"budget {format_money(self.budget, self.currency)}: "
                f"{format_money(self.spent, self.currency)} spent; {len(cut)} line(s) left "
                f"out or cut down ({dropped} left out, {len(cut) - dropped} cut down) worth "
                f"{format_money(float(cut['value_left_out'].sum()), self.currency)}, leaving "
                f"~{format_money(float(cut['risk_left'].sum()), self.currency)} of expected "
                "lost sales at risk")


def check_budget(budget: float) -> float:
    """The budget as a float; :class:`OptionError` unless a finite amount above 0."""
    try:
        value = float(budget)
    except (TypeError, ValueError):
        raise OptionError(f"budget: {budget!r} is not an amount of money") from None
    if not math.isfinite(value) or value <= 0:
        raise OptionError(f"budget: must be an amount above 0, not {budget!r}")
    return value


def apply_budget(plan: pd.DataFrame, budget: float, inventory: pd.DataFrame | None = None
                 ) -> BudgetOutcome:
    """Cap the plan's order lines at ``budget`` (rules in the module docstring).

    ``inventory`` (optional) gives each product's ``pack_size`` and ``moq``, so a cut-down
    line is still an order its supplier accepts (whole units, no minimum, without it).
    """
    budget = check_budget(budget)
    found = currencies(plan)
    if len(found) > 1:
        raise OptionError(f"budget: the order list is in several currencies ({', '.join(found)})"
                          "; a budget is one sum of money",
                          hint="Plan one currency at a time (--sector), or set one currency "
                               "(--currency) when the values are all in it.")
    currency = found[0] if found else ""
    out = plan.copy()
    for column in CUT_COLUMNS:
        out[column] = 0.0
    if out.empty:
        return BudgetOutcome(out, budget, currency, 0.0)
    packs = _packs(inventory)
    left = budget
    reason = out["reason"].astype(object).to_numpy(copy=True)
    for row in _ranking(out):
        qty, value = float(out.at[row, "order_qty"]), float(out.at[row, "order_value"])
        if math.isfinite(value) and value <= left * (1 + 1e-12):
            left -= value
            continue
        pack, moq = packs.get(str(out.at[row, S.UNIQUE_ID]), (1.0, 0.0))
        unit = value / qty if math.isfinite(value) else math.inf
        kept = math.floor(left / unit / pack + 1e-9) * pack if unit > 0 else 0.0
        kept = kept if kept >= max(moq, pack) else 0.0
        left -= kept * unit if kept > 0 else 0.0
        cut_value = (qty - kept) * unit if math.isfinite(unit) else value
        out.loc[row, ["order_qty", "order_value", *CUT_COLUMNS]] = [
            kept, kept * unit if kept > 0 else 0.0, qty - kept, cut_value]
        if kept <= 0 and "arrival_date" in out:
            out.at[row, "arrival_date"] = None
        risk = _share(float(out.at[row, "lost_value_avoided"]), qty - kept, qty)
        done = (f"left out ({qty:g} units, {format_money(cut_value, currency)})" if kept <= 0
                else f"cut down from {qty:g} to {kept:g} units "
                     f"({format_money(cut_value, currency)} left out)")
        reason[out.index.get_loc(row)] = (
            f"{reason[out.index.get_loc(row)]}; budget {format_money(budget, currency)}: "
            f"{done}; ~{format_money(risk, currency)} of expected lost sales left at risk")
    out["reason"] = reason
    return BudgetOutcome(out, budget, currency, budget - left)


def left_out(plan: pd.DataFrame) -> pd.DataFrame:
    """The lines a budget cut or cut down, most expected lost sales left at risk first:
    ``unique_id, supplier, currency, urgency, proposed_units, kept_units, cut_units,
    value_left_out, risk_left``. ``risk_left``: the cut share of the line's
    ``lost_value_avoided`` (about what the units left out would have saved)."""
    columns = [S.UNIQUE_ID, S.SUPPLIER, "currency", "urgency", "proposed_units", "kept_units",
               "cut_units", "value_left_out", "risk_left"]
    if "budget_cut_units" not in plan:
        return pd.DataFrame(columns=columns)
    cut = plan[pd.to_numeric(plan["budget_cut_units"], errors="coerce").fillna(0) > 0]
    proposed = cut["order_qty"] + cut["budget_cut_units"]
    frame = pd.DataFrame({
        S.UNIQUE_ID: cut[S.UNIQUE_ID], S.SUPPLIER: cut.get(S.SUPPLIER),
        "currency": cut.get("currency"), "urgency": cut["urgency"],
        "proposed_units": proposed, "kept_units": cut["order_qty"],
        "cut_units": cut["budget_cut_units"], "value_left_out": cut["budget_cut_value"],
        "risk_left": cut["lost_value_avoided"].fillna(0) * cut["budget_cut_units"]
        / proposed.where(proposed > 0, np.nan)}, columns=columns)
    frame["risk_left"] = frame["risk_left"].fillna(0.0)
    return frame.sort_values("risk_left", ascending=False, kind="stable", ignore_index=True)


def _ranking(plan: pd.DataFrame) -> list:
    """Index labels of the order lines, most lost sales avoided per unit of money first
    (free lines first; lines of unknown value last); ties in plan order."""
    lines = plan[plan["order_qty"] > 0]
    value = pd.to_numeric(lines["order_value"], errors="coerce")
    avoided = pd.to_numeric(lines["lost_value_avoided"], errors="coerce").fillna(0.0)
    finite = np.isfinite(value)
    ratio = np.where(~finite, -np.inf, np.where(value > 0, avoided / value.where(value > 0, 1),
                                                np.inf))
    order = np.argsort(-ratio, kind="stable")
    return list(lines.index[order])


def _packs(inventory: pd.DataFrame | None) -> dict[str, tuple[float, float]]:
    """Per product (pack size >= 1, minimum order quantity >= 0) from the inventory."""
    if inventory is None or inventory.empty:
        return {}
    size = _numbers(inventory, S.PACK_SIZE, 1.0).clip(lower=1.0)
    moq = _numbers(inventory, S.MOQ, 0.0).clip(lower=0.0)
    return dict(zip(inventory[S.UNIQUE_ID].astype(str), zip(size, moq, strict=True),
                    strict=True))


def _numbers(frame: pd.DataFrame, column: str, default: float) -> pd.Series:
    if column not in frame:
        return pd.Series(default, index=frame.index, dtype=float)
    values = pd.to_numeric(frame[column], errors="coerce")
    return values.where(np.isfinite(values), default).astype(float)


def _share(value: float, part: float, whole: float) -> float:
    return value * part / whole if whole > 0 and math.isfinite(value) else 0.0
