"""Reports built from result tables: the order workbook (HTML report in issue #6)."""
