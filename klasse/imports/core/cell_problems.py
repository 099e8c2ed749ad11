"""Cells whose text is not what the administrator typed: an Excel date where a class
`5/6` was meant, an error value such as `#N/A`, a formula that was never calculated.

The reader finds them (`xlsx.py`; error values also in a CSV) and keeps them by row and
column in `Table.cell_problems`; after validation, `merge_cell_problems` makes each one
in a mapped column an error of its row, in place of what validation said about that
field ("is leeg"), so the row is counted as an error and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .problems import Problem
from .texts import say, where

# Excel's error values in English and in Dutch Excel, as a cell or an export shows them.
ERROR_VALUES = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#UNKNOWN!",
        "#N/B",
        "#VERW!",
        "#WAARDE!",
        "#DEEL/0!",
        "#NAAM?",
        "#GETAL!",
        "#LEEG!",
        "#NUL!",
        "#OVERLOOP!",
        "#BEREKENEN!",
    }
)
# One search over a CSV's text: only a file that may hold an error value is looked at.
ERROR_HINT = re.compile("|".join(re.escape(value) for value in sorted(ERROR_VALUES)))


@dataclass(frozen=True, slots=True)
class CellProblem:
    code: str  # spreadsheet_date, spreadsheet_error or formula_without_value
    shown: str  # the cell as the spreadsheet shows it ("" for a formula without a value)

    def message(self, row: int, column: str) -> str:
        place = where(row, column)
        if self.code == "spreadsheet_date":
            return say(
                "%(where)s: de cel bevat %(value)s. Excel maakt van een waarde als 5/6 of 1-2 "
                "vanzelf een datum. Geef de kolom in Excel de celopmaak Tekst (Start › "
                "Getalnotatie › Tekst) en typ de waarde opnieuw.",
                where=place,
                value=_date_or_time(self.shown),
            )
        if self.code == "spreadsheet_error":
            return say(
                "%(where)s: de cel bevat de Excel-foutwaarde %(value)s in plaats van een "
                "waarde. Verbeter de formule of typ de waarde zelf in de cel.",
                where=place,
                value=self.shown,
            )
        return say(
            "%(where)s: de cel bevat een formule zonder berekende uitkomst (het bestand is "
            "door een programma gemaakt en nooit in Excel opgeslagen). Open het bestand in "
            "Excel en sla het op; dan staan de uitkomsten erin.",
            where=place,
        )


CellProblems = dict[int, dict[int, CellProblem]]  # row number → column index → problem


def error_cells(rows) -> CellProblems:
    """The cells of `rows` (reading.Row) that hold an Excel error value as text."""
    found: CellProblems = {}
    for row in rows:
        for index, cell in enumerate(row.cells):
            if cell.strip() in ERROR_VALUES:
                found.setdefault(row.number, {})[index] = CellProblem(
                    "spreadsheet_error", cell.strip()
                )
    return found


def merge_cell_problems(cell_problems: CellProblems, headers: list[str], mapping, rows) -> None:
    """Make each cell problem in a mapped column an error of its row (a ValidRow of
    `rows`, a ValidRows), replacing validation's findings about that field."""
    if not cell_problems:
        return
    fields = {headers.index(h): (h, fld) for h, fld in mapping.items() if fld}
    for row in rows:
        found = cell_problems.get(row.number)
        for index, cell in (found or {}).items():
            if index not in fields:
                continue  # a column that is not imported: its content does not matter
            header, fld = fields[index]
            row.errors = [p for p in row.errors if p.field != fld]
            row.warnings = [p for p in row.warnings if p.field != fld]
            message = cell.message(row.number, header)
            row.add_error(Problem(row.number, header, fld, "error", cell.code, message))
            rows.clean_students = False


def _date_or_time(shown: str) -> str:
    """`de datum 05-06-2025`, or `de tijd 08:30:00` for a time alone."""
    if ":" in shown and not any(c in shown for c in "-/"):
        return say("de tijd %(value)s", value=shown)
    return say("de datum %(value)s", value=shown)
