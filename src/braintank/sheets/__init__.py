"""The score-sheet reader: printable sheet -> scan or phone photo -> digits -> reviewed CSV."""
