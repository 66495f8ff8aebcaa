"""Synthetic multi-sector demand and inventory with known ground truth.

Real sales data never reveals true demand (stockouts censor it) nor the mean rate it was
drawn from. This package generates retail, pharmacy and luxury/cosmetics series whose
truth is known, so forecasts, stockout handling and inventory plans can be scored
against the answer, and a new user can run the whole pipeline with nothing to download.

>>> from stockwise.synthetic import generate
>>> data = generate(n_products=6, n_days=60, seed=1)
>>> sorted(data.sales["sector"].unique())
['luxury', 'pharmacy', 'retail']
"""

from stockwise.synthetic.calendar_signals import mothers_day
from stockwise.synthetic.generator import SECTORS, SyntheticData, generate, iter_chunks
from stockwise.synthetic.tables import DEMAND, EXPECTED_DEMAND
from stockwise.synthetic.writer import FileLayout, generate_to_files, write_synthetic

__all__ = [
    "DEMAND",
    "EXPECTED_DEMAND",
    "SECTORS",
    "FileLayout",
    "SyntheticData",
    "generate",
    "generate_to_files",
    "iter_chunks",
    "mothers_day",
    "write_synthetic",
]
