"""Storing: the results database (one SQLite file) and what goes in and out of it. A batch of
scans read into it page by page, the same page seen twice, the templates' printed text,
people's answers and the terminal review, the CSV export and the corrected digits kept as
training examples for finetune."""
