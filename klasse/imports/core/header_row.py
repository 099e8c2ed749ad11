"""Which row of a file is its header: what exports and hand-made lists put above it.

Excel honours a first line `sep=;` that names the separator, and hides it; exports and
hand-made lists often start with a title or report line (a merged title cell in XLSX).
Spreadsheet readers take the header to be the row that names the columns, and so does
Klasse: the first row, within the first ten, whose cells name the most required columns
(`mapping.suggest_mapping`). A file where no row names two falls back to its first row,
so that `missing_required_columns` still names what is missing.
"""

from __future__ import annotations

import re

from .mapping import REQUIRED_COLUMNS, missing_required, suggest_mapping
from .problems import Problem
from .texts import say

HEADER_SEARCH_ROWS = 10
# `sep=;` as Excel writes it, also quoted, after a BOM, with a literal tab or `\t`.
SEP_LINE = re.compile(r'\ufeff?"?sep=(\\t|[^\r\n"])"?[ \t]*(?:\r\n|\r|\n|\Z)', re.IGNORECASE)

_CONTROL_RUN = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")
# Invisible format characters (Unicode category Cf: BOM, zero-width and direction marks,
# soft hyphen): inside a header they would leave the column silently unmatched.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def clean_header(text: str) -> str:
    """A header cell without invisible characters; a line break or tab inside it is a
    typing accident and becomes one space. Ordinary spaces are kept as written."""
    return _CONTROL_RUN.sub(" ", _INVISIBLE.sub("", text)).strip()


def sep_line(text: str) -> tuple[str, int] | None:
    """(separator, length of the line) for a first line `sep=;`, else None."""
    found = SEP_LINE.match(text)
    if found is None:
        return None
    separator = found.group(1)
    return ("\t" if separator == "\\t" else separator), found.end()


def header_index(candidates: list[list[str]]) -> int:
    """The index of the header among the first non-blank rows of a file (see the module)."""
    scores = [required_named(cells) for cells in candidates[:HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    return scores.index(best) if best >= 2 else 0


def skipped_warning(number: int, cells: list[str], header_number: int) -> Problem:
    """The `skipped_lines` warning for a row above the header."""
    text = " ".join(cell.strip() for cell in cells if cell.strip())
    text = text if len(text) <= 60 else text[:57] + "..."
    return Problem(
        number,
        None,
        None,
        "warning",
        "skipped_lines",
        say(
            "Rij %(row)s ('%(text)s') staat boven de kopregel (rij %(header)s) en is niet "
            "ingelezen. Staan daar toch leerlingen, zet ze dan onder de kopregel.",
            row=number,
            text=text,
            header=header_number,
        ),
    )


def required_named(cells: list[str]) -> int:
    """How many of the required columns a row's cells name, read as headers."""
    mapping = suggest_mapping([clean_header(cell) for cell in cells])
    return len(REQUIRED_COLUMNS) - len(missing_required(mapping))
