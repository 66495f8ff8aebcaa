"""Data intake: read user files, map their columns, validate, and prepare regular series."""

from stockwise.data.intake import load_table, write_quarantine
from stockwise.data.mapping import ColumnMapping, build_mapping, parse_map_option
from stockwise.data.prepare import (
    aggregate,
    flag_stockouts,
    prepare_sales,
    regularize,
    sum_duplicates,
)
from stockwise.data.readers import RawTable, read_table
from stockwise.data.validation import ValidatedTable, ValidationReport

__all__ = [
    "ColumnMapping",
    "RawTable",
    "ValidatedTable",
    "ValidationReport",
    "aggregate",
    "build_mapping",
    "flag_stockouts",
    "load_table",
    "parse_map_option",
    "prepare_sales",
    "read_table",
    "regularize",
    "sum_duplicates",
    "write_quarantine",
]
