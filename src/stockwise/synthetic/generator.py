"""Entry point of the synthetic data generator: multi-sector demand, stock and ground truth.

``generate`` is the in-memory path for demos and tests; ``iter_chunks`` is the shared
engine that both it and the streaming writer use, one chunk of products at a time, so
the two paths produce identical rows by construction (each product's randomness comes
from its own seed, see :mod:`.streams`).

Sectors are data, not branches: :data:`SECTORS` maps a name to an id prefix, a stable
seed code and the module that models its demand (``stream_spec``, ``generate_demand``,
``PROFILE``). Adding a sector means adding a module and one entry here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType

import pandas as pd
import pyarrow as pa

from stockwise.synthetic import batches, luxury, pharmacy, retail, stock
from stockwise.synthetic.calendar_signals import Calendar, build_calendar
from stockwise.synthetic.streams import open_streams
from stockwise.synthetic.tables import SCHEMAS, Block, block_tables

DEFAULT_SECTORS = ("retail", "pharmacy", "luxury")
DEFAULT_CHUNK_SIZE = 5_000


@dataclass(frozen=True)
class SectorSpec:
    name: str
    prefix: str
    code: int  # part of every product's seed: never renumber an existing sector
    module: ModuleType


SECTORS: dict[str, SectorSpec] = {
    "retail": SectorSpec("retail", "RET", 0, retail),
    "pharmacy": SectorSpec("pharmacy", "PHA", 1, pharmacy),
    "luxury": SectorSpec("luxury", "LUX", 2, luxury),
}


@dataclass(frozen=True)
class SyntheticData:
    """Generated tables; ``truth`` holds what real data never shows (true demand)."""

    sales: pd.DataFrame
    inventory: pd.DataFrame
    batches: pd.DataFrame
    truth: pd.DataFrame

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "sales": self.sales,
            "inventory": self.inventory,
            "batches": self.batches,
            "truth": self.truth,
        }


def split_products(sectors: Sequence[str] | str, n_products: int) -> list[tuple[SectorSpec, int]]:
    """Validate sector names and split ``n_products`` as evenly as possible, in order."""
    names = (sectors,) if isinstance(sectors, str) else tuple(sectors)
    if not names:
        raise ValueError(f"no sector given; valid sectors: {', '.join(SECTORS)}")
    unknown = [s for s in names if s not in SECTORS]
    if unknown:
        raise ValueError(f"unknown sector(s) {unknown}; valid sectors: {', '.join(SECTORS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"sectors listed more than once: {list(names)}")
    if int(n_products) < 1:
        raise ValueError(f"n_products must be at least 1, got {n_products}")
    base, extra = divmod(int(n_products), len(names))
    return [(SECTORS[s], base + (1 if i < extra else 0)) for i, s in enumerate(names)]


def _check_args(n_days: int, seed: int, chunk_size: int) -> None:
    if int(n_days) < 1:
        raise ValueError(f"n_days must be at least 1, got {n_days}")
    if int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")


def generate_block(
    spec: SectorSpec, count_in_sector: int, first: int, count: int, seed: int, cal: Calendar
) -> dict[str, pa.Table]:
    """Generate products ``first .. first+count-1`` of one sector: their demand, the sales
    a replenished shelf lets through, their lots, and the tables built from them."""
    need = spec.module.stream_spec(cal.n_days)
    streams = open_streams(
        seed,
        spec.code,
        first,
        count,
        cal.n_days,
        n_uniform=need["n_uniform"] + stock.N_UNIFORM + batches.N_UNIFORM,
        n_normal=need["n_normal"],
        rows=(*need["rows"], ("lead", "normal")),
    )
    demand = spec.module.generate_demand(streams, cal)
    policy = stock.plan_policy(streams.draws, demand.demand, demand.start, spec.module.PROFILE)
    result = stock.replenish_and_sell(demand.demand, demand.start, policy, streams.rows["lead"])
    lots = batches.split_lots(streams.draws, result.on_hand[:, -1], demand.shelf_life)
    block = Block(
        sector=spec.name,
        prefix=spec.prefix,
        index=streams.index,
        id_width=max(5, len(str(count_in_sector))),
        profile=spec.module.PROFILE,
        demand=demand,
        policy=policy,
        stock=result,
        lots=lots,
    )
    return block_tables(block, cal)


def iter_chunks(
    sectors: Sequence[str] | str = DEFAULT_SECTORS,
    n_products: int = 60,
    n_days: int = 730,
    seed: int = 42,
    start: str | pd.Timestamp = "2024-01-01",
    country: str = "FR",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[dict[str, pa.Table]]:
    """Yield the four tables for ``chunk_size`` products at a time, in output order.

    Arguments are checked when this is called, not when the first chunk is pulled, so a
    bad sector or country fails before any file is opened.
    """
    plan = split_products(sectors, n_products)
    _check_args(n_days, seed, chunk_size)
    cal = build_calendar(start, int(n_days), country, int(seed))
    return _chunks(plan, cal, int(seed), int(chunk_size))


def _chunks(
    plan: list[tuple[SectorSpec, int]], cal: Calendar, seed: int, chunk_size: int
) -> Iterator[dict[str, pa.Table]]:
    offsets, total = [], 0
    for _, count in plan:
        offsets.append(total)
        total += count
    for lo in range(0, total, chunk_size):
        hi = min(lo + chunk_size, total)
        parts = []
        for (spec, count), offset in zip(plan, offsets, strict=True):
            first, last = max(lo, offset) - offset, min(hi, offset + count) - offset
            if last > first:
                parts.append(generate_block(spec, count, first, last - first, seed, cal))
        yield {name: pa.concat_tables([p[name] for p in parts]) for name in SCHEMAS}


def generate(
    sectors: Sequence[str] | str = DEFAULT_SECTORS,
    n_products: int = 60,
    n_days: int = 730,
    seed: int = 42,
    start: str | pd.Timestamp = "2024-01-01",
    country: str = "FR",
) -> SyntheticData:
    """Generate sales, inventory, batches and ground truth in memory.

    Same arguments give identical frames; ``n_products`` is the total, split across
    ``sectors`` in the order given. For large sizes use
    :func:`~stockwise.synthetic.generate_to_files`, which streams to disk.
    """
    chunks = list(iter_chunks(sectors, n_products, n_days, seed, start, country))
    frames = {name: pa.concat_tables([c[name] for c in chunks]).to_pandas() for name in SCHEMAS}
    return SyntheticData(**frames)
