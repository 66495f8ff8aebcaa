"""Reports built from result tables: the order workbook and the HTML report."""
