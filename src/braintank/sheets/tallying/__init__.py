"""Tallying: the competition's results from the store's cells (contestants x judges, totals,
ranks, what is not final yet), written as CSV, XLSX or a printable PDF."""
