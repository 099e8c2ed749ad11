"""Read an uploaded student file (CSV or XLSX) into a `Table` of raw text cells.

`read_table` only reads: it recognises the format, decodes, splits and numbers the rows.
Values are not trimmed (passwords are kept exactly) and damaged text is not repaired here;
the validator does both and calls `repair_mojibake` / `has_suspect_characters` per value.
"""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import ftfy

from klasse.imports.core.csv_text import (
    DELIMITERS,
    ESCAPED_CELL,
    csv_records,
    decode,
    detect_delimiter,
    is_blank,
    quote_problem,
)
from klasse.imports.core.formulas import unescape_formulas
from klasse.imports.core.problems import FileProblem, Problem
from klasse.imports.core.xlsx import xlsx_records


@dataclass(slots=True)
class Row:
    """One data row. `cells` has exactly one value per header; `number` is the row a
    spreadsheet shows (blank lines count, the header is row 1 when it is the first line)."""

    number: int
    cells: list[str]
    extra_cells: bool = False  # more non-empty cells than headers: wrong_column_count


@dataclass
class Table:
    format: Literal["csv", "xlsx"]
    encoding: str | None  # one of ENCODINGS; None for XLSX
    delimiter: str | None  # one of DELIMITERS; None for XLSX
    headers: list[str]
    rows: list[Row]
    warnings: list[Problem] = field(default_factory=list)


def read_table(
    data: bytes,
    filename: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_rows: int = 200_000,
    max_bytes: int = 20 * 1024 * 1024,
) -> Table:
    """Read `data` (the upload named `filename`) or raise `FileProblem`.

    1. Refuse an oversized file before looking inside it.
    2. Recognise the format by its first bytes, never by the file name.
    3. XLSX: check the zip for bombs, then read the first sheet with openpyxl.
       CSV: decode (BOM, UTF-8, else Windows-1252), find the separator, parse strictly.
    4. Skip blank and repeated header lines, pad short rows, flag long ones.
    `encoding` and `delimiter` override detection (ValueError for an unknown value).
    """
    if len(data) > max_bytes:
        raise FileProblem(
            "too_large",
            f"Het bestand is {len(data) / 1048576:.1f} MB; de grens is "
            f"{max_bytes / 1048576:.0f} MB. Splits het bestand en importeer de delen na elkaar.",
        )
    if _sniff(data, filename) == "xlsx":
        with gc_paused():
            return _build_table("xlsx", None, None, xlsx_records(data), max_rows, True, [])
    text, encoding, warnings = decode(data, encoding)
    if delimiter is None:
        delimiter = detect_delimiter(text)
    elif delimiter not in DELIMITERS:
        raise ValueError(f"Onbekend scheidingsteken {delimiter!r}; kies ';', ',' of tab.")
    # Escaped cells are rare; one search over the text spares a check of every cell.
    unescape = ESCAPED_CELL.search(text) is not None
    records = csv_records(text, delimiter)
    with gc_paused():
        try:
            return _build_table("csv", encoding, delimiter, records, max_rows, unescape, warnings)
        except csv.Error as exc:
            raise quote_problem(text, delimiter, exc) from None


def repair_mojibake(text: str) -> str | None:
    """The text UTF-8-read-as-ANSI damage undone (`ZoÃ«` → `Zoë`), or None if undamaged."""
    if text.isascii():
        return None
    fixed = ftfy.fix_text(text, _ENCODING_ONLY)
    return fixed if fixed != text else None


def has_suspect_characters(text: str) -> bool:
    """True when a letter was probably lost on the way: `�` anywhere, or `Zo?`, `Ana?s`."""
    return "\ufffd" in text or _QUESTION_BY_LETTER.search(text) is not None


# --- format ---------------------------------------------------------------------------

_OLD_EXCEL = (
    "Dit is een oud Excel-bestand (.xls). Open het in Excel en sla het op als .xlsx of .csv."
)
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "een PDF-document"),
    (b"\x89PNG", "een afbeelding (PNG)"),
    (b"GIF87a", "een afbeelding (GIF)"),
    (b"GIF89a", "een afbeelding (GIF)"),
    (b"\xff\xd8\xff", "een afbeelding (JPEG)"),
    (b"\x7fELF", "een programma"),
    (b"\x1f\x8b", "een gecomprimeerd archief (gzip)"),
    (b"Rar!", "een gecomprimeerd archief (RAR)"),
    (b"7z\xbc\xaf", "een gecomprimeerd archief (7z)"),
)
_MARKUP = (b"<html", b"<!doctype html", b"<table", b"<?xml")


def _sniff(data: bytes, filename: str) -> Literal["csv", "xlsx"]:
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("unsupported_format", _OLD_EXCEL)
    kind = next((what for magic, what in _SIGNATURES if data.startswith(magic)), None)
    # "MZ" could begin a header; an executable also has NUL bytes right away.
    if data.startswith(b"MZ") and b"\x00" in data[:1024]:
        kind = "een programma"
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP):
        kind = "een HTML- of XML-document"
    if kind:
        raise FileProblem(
            "unsupported_format",
            f"'{filename}' is {kind}, geen spreadsheet. "
            "Exporteer de leerlingen als .xlsx of .csv en kies dat bestand.",
        )
    return "csv"


# --- rows -----------------------------------------------------------------------------

_CONTROL_RUN = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")
# Invisible format characters (Unicode category Cf: BOM, zero-width and direction marks,
# soft hyphen): inside a header they would leave the column silently unmatched.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_QUESTION_BY_LETTER = re.compile(r"(?<=[^\W\d_])\?|\?(?=[^\W\d_])")
_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Rows are lists without cycles, yet the cyclic collector would rescan the growing
    table again and again while it is built: pausing it saves about a quarter. Validating,
    planning and applying pause it too, for the same reason; nested pauses are one pause.

    Resumed, the collector would at once scan everything built meanwhile (a million
    objects for 100,000 rows: a tenth of a second) to find no garbage. So the objects are
    first moved to its oldest generation, which it scans only once that generation has
    grown by a quarter (`gc.freeze()` then `gc.unfreeze()`: two list splices, documented
    to move the objects to the permanent generation and back to the oldest one). Garbage
    among them is collected then, as it would have been after a few more scans."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _clean_header(text: str) -> str:
    # A line break or tab inside a header is a typing accident: one space, so that the
    # column still matches its field. Ordinary spaces are kept as the file wrote them.
    return _CONTROL_RUN.sub(" ", _INVISIBLE.sub("", text)).strip()


def _header_key(text: str) -> str:
    key = "".join(text.split()).casefold()
    # Runs on the first cell of every row: take the regexes only when they can matter.
    return key if key.isprintable() else "".join(_clean_header(text).split()).casefold()


def _build_table(
    fmt: Literal["csv", "xlsx"],
    encoding: str | None,
    delimiter: str | None,
    records: Iterable[tuple[int, list[str]]],
    max_rows: int,
    unescape: bool,
    warnings: list[Problem],
) -> Table:
    records = iter(records)
    header_number, raw = next(((n, r) for n, r in records if not is_blank(r)), (0, []))
    while raw and not raw[-1].strip():
        raw = raw[:-1]  # trailing separators after the last header
    headers = [_clean_header(cell) for cell in raw]
    if not any(headers):
        raise FileProblem("empty_file", "Het bestand is leeg. Kies een bestand met leerlingen.")
    for cell, header in zip(raw, headers, strict=True):
        if header != cell.strip():
            message = f"De kolomkop {header!r} bevatte een regeleinde of onzichtbaar teken."
            warnings.append(_warning(header_number, header, "repaired_text", message))
    width = len(headers)
    keys = [_header_key(h) for h in headers]
    # Whether a first cell starts a repeated header, per distinct first cell: the first
    # column (a surname, a class) repeats, and this check runs on every row.
    first_is_key: dict[str, bool] = {}
    rows: list[Row] = []

    for number, cells in records:
        if not (cells and cells[0].strip()) and is_blank(cells):
            continue
        first = cells[0]
        starts = first_is_key.get(first)
        if starts is None:
            starts = _header_key(first) == keys[0]
            if len(first_is_key) < 10_000:
                first_is_key[first] = starts
        if starts and _repeats_header(cells, keys):
            continue
        extra = False
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        elif len(cells) > width:
            # Empty trailing cells are an exporter's habit and harmless, unless a literal
            # quote shows that a value was split at its comma: then every cell after the
            # split has shifted one column, and the row must not be imported as it stands.
            extra = not is_blank(cells[width:]) or any('"' in cell for cell in cells)
            del cells[width:]
        if unescape:
            cells = [_unescape(cell) for cell in cells]
        if len(rows) >= max_rows:
            raise FileProblem(
                "too_large",
                f"Het bestand heeft meer dan {max_rows} rijen met gegevens. Splits het bestand "
                "en importeer de delen na elkaar.",
            )
        rows.append(Row(number, cells, extra))
    if not rows:
        raise FileProblem(
            "empty_file",
            "Het bestand bevat alleen een kopregel. Zet de leerlingen in de rijen eronder.",
        )
    return Table(fmt, encoding, delimiter, headers, rows, warnings)


def _warning(row: int, column: str | None, code: str, message: str) -> Problem:
    return Problem(row, column, None, "warning", code, message)


def _repeats_header(cells: list[str], keys: list[str]) -> bool:
    found = [_header_key(cell) for cell in cells]
    while found and not found[-1]:
        found.pop()
    return found == keys


def _unescape(cell: str) -> str:
    """Undo our export's formula escape: `'=SUM(A1)` → `=SUM(A1)`, `1B,'=2` → `1B,=2`."""
    return unescape_formulas(cell)
