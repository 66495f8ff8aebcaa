"""stockwise: from sales history and stock to forecasts, stockout dates and order proposals."""

__version__ = "0.1.0"
