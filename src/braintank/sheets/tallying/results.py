"""The competition's result: contestants (the templates' row labels) x judges (column
labels), each score the digit in force (a person's answer, else the model's `ok` reading),
with each contestant's total, mean and rank. Ties share a rank. A contestant with any cell
still to decide (sent to review and not answered, answered "unreadable", or scored on two
sheets) is not final: the table is still made, and those cells are listed.

An empty box is no score (the mean is over the scores given). Sheets whose template text the
store does not know (storing/labels.py) name rows and columns by number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCORED, EMPTY, UNANSWERED, UNREADABLE, TWICE = ("scored", "empty", "unanswered", "unreadable",
                                                 "twice")
WHY = {UNANSWERED: "sent to review, not answered yet",
       UNREADABLE: "answered 'unreadable': a person must decide",
       TWICE: "scored on more than one sheet"}


@dataclass
class Score:
    value: int | None
    state: str
    where: list[str]  # "file page P row R column C" of the box (two or more: TWICE)
    cells: list[tuple[int, int, int]] = field(default_factory=list)  # (sheet id, row, col)

    @property
    def final(self) -> bool:
        return self.state in (SCORED, EMPTY)


@dataclass
class Contestant:
    name: str
    scores: dict[str, Score] = field(default_factory=dict)  # judge -> score
    rank: int = 0
    tied: bool = False

    @property
    def given(self) -> list[int]:
        return [s.value for s in self.scores.values() if s.state == SCORED]

    @property
    def total(self) -> int:
        return sum(self.given)

    @property
    def mean(self) -> float | None:
        return self.total / len(self.given) if self.given else None

    @property
    def final(self) -> bool:
        return all(s.final for s in self.scores.values())


@dataclass
class Results:
    title: str
    judges: list[str]
    contestants: list[Contestant]  # in rank order

    def open_cells(self) -> list[tuple[str, str, Score]]:
        """(contestant, judge, score) of every cell that keeps a contestant from final."""
        return [(c.name, judge, s) for c in self.contestants for judge, s in c.scores.items()
                if not s.final]

    @property
    def not_final(self) -> int:
        return sum(not c.final for c in self.contestants)


def cell_score(result: dict) -> Score:
    """One box of store.results as a score: the answer in force, else the model's reading."""
    where = [f"{result['file']} page {result['page']} row {result['row']} column "
             f"{result['col']}"]
    cells = [(result["sheet_id"], result["row"], result["col"])]
    if result["corrected"]:
        if result.get("unreadable"):
            return Score(None, UNREADABLE, where, cells)
        digit = result["corrected_digit"]
        return Score(None if digit is None else digit, EMPTY if digit is None else SCORED,
                     where, cells)
    if result["status"] == "ok":
        return Score(result["digit"], SCORED, where, cells)
    return Score(None, EMPTY if result["status"] == "empty" else UNANSWERED, where, cells)


def _merge(first: Score, second: Score) -> Score:
    """The same contestant and judge on two sheets: an empty box gives way to a score; two
    scores (even equal ones: two rounds, or a sheet read twice) need a person."""
    where, cells = first.where + second.where, first.cells + second.cells
    if second.state == EMPTY:
        return Score(first.value, first.state, where, cells)
    if first.state == EMPTY:
        return Score(second.value, second.state, where, cells)
    return Score(None, TWICE, where, cells)


def compute_results(rows: list[dict]) -> Results:
    """The table for the cells of store.results (one or more sheets)."""
    contestants: dict[str, Contestant] = {}
    judges: list[str] = []
    titles: list[str] = []
    unlabelled = len({r["sheet_id"] for r in rows}) > 1
    for r in rows:
        name = r.get("row_label") or (f"{r['file']} page {r['page']} row {r['row']}"
                                      if unlabelled else f"row {r['row']}")
        judge = r.get("col_label") or f"column {r['col']}"
        if r.get("title") and r["title"] not in titles:
            titles.append(r["title"])
        score = cell_score(r)
        if judge not in judges:
            judges.append(judge)
        contestant = contestants.setdefault(name, Contestant(name))
        known = contestant.scores.get(judge)
        contestant.scores[judge] = score if known is None else _merge(known, score)
    # A row nobody wrote in (no label, no score) is a spare row of the template, no one.
    labelled = {r.get("row_label") for r in rows}
    people = [c for c in contestants.values()
              if c.name in labelled or any(s.state != EMPTY for s in c.scores.values())]
    return Results(" / ".join(titles), judges, rank(people))


def rank(contestants: list[Contestant]) -> list[Contestant]:
    """By total, highest first; equal totals share the better rank (1, 2, 2, 4) and are
    marked as ties; among them, by name."""
    ordered = sorted(contestants, key=lambda c: (-c.total, c.name.casefold(), c.name))
    for index, contestant in enumerate(ordered):
        same_as_before = index > 0 and ordered[index - 1].total == contestant.total
        contestant.rank = ordered[index - 1].rank if same_as_before else index + 1
    totals = [c.total for c in ordered]
    for contestant in ordered:
        contestant.tied = totals.count(contestant.total) > 1
    return ordered
