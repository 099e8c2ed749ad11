"""The limits that keep one wide or long-celled file from holding a process for minutes:
at most `max_columns` columns (`KLASSE_MAX_COLUMNS`, 200 by default) and no cell longer
in the header than Excel's own limit of 32,767 characters. Both are checked as the first
rows are read, before the rest of the file is parsed (issue 14, item 3). A longer cell in a
data row is cut to just over that limit: the validator still calls it `too_long` on its row
(docs/bad-files.md, item 10), and no later stage handles megabytes of one cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .problems import FileProblem

# Excel holds at most this many characters in a cell; a longer one came from no spreadsheet.
MAX_CELL_CHARS = 32_767


@dataclass(slots=True)
class Limits:
    """What `read_table` enforces while rows are read."""

    rows: int
    columns: int
    on_rows: Callable[[int], None] | None = None
    long_cells: bool = True  # False when no cell can be longer than MAX_CELL_CHARS


def cut_long_cells(cells: list[str]) -> list[str]:
    """`cells` with every cell longer than MAX_CELL_CHARS cut to one character more."""
    return [cell[: MAX_CELL_CHARS + 1] for cell in cells]


def refuse_long_header(number: int, cells: list[str]) -> None:
    """Raise `too_large` when a cell of the header row `number` is longer than Excel allows."""
    if max(map(len, cells), default=0) <= MAX_CELL_CHARS:
        return
    column = next(i for i, cell in enumerate(cells) if len(cell) > MAX_CELL_CHARS) + 1
    raise FileProblem(
        "too_large",
        f"Rij {number}, kolom {column}: de cel heeft meer dan {MAX_CELL_CHARS} tekens, meer "
        "dan Excel in een cel toestaat. Dit is geen gewone leerlingenlijst; kies het "
        "goede bestand.",
    )


def filled_width(cells: list[str]) -> int:
    """The number of cells up to the last one that is not blank."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


def too_many_columns(limit: int) -> FileProblem:
    """The `too_large` problem of a file wider than `limit` columns."""
    return FileProblem(
        "too_large",
        f"Het bestand heeft meer dan {limit} kolommen; de grens is {limit}. Verwijder de "
        "kolommen die niet bij de leerlingen horen en kies het bestand opnieuw.",
    )


def check_head(head: list[tuple[int, list[str]]], limits: Limits) -> None:
    """Refuse a file whose first rows (where the header is) are wider than the limit:
    before the other rows are read."""
    for _number, cells in head:
        if filled_width(cells) > limits.columns:
            raise too_many_columns(limits.columns)
