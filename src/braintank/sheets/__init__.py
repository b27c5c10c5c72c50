"""The score-sheet reader: printable sheet -> scan or phone photo -> digits -> reviewed CSV.

A photo goes through the stages in order, each a sub-package that imports only from the
stages before it (checked by import-linter):

- printing: the template and its geometry (layout), the layout code printed on it;
- locating: the sheet found in the photo by its corner markers or its box grid, warped back
  into the template's frame;
- reading: each cell cut out, its frame removed, its digit read or sent to review;
- storing: the SQLite store the pages are read into, review answers, CSV export;
- tallying: the competition's results table from the store's cells.

simulating sits beside the path: it makes filled-in, degraded sheets to read back.
"""
