"""Read an uploaded student file (CSV, XLSX or EDEXML) into a `Table` of raw text cells.

`read_table` only reads: it recognises the format, decodes, splits and numbers the rows.
Values are not trimmed (passwords are kept exactly) and damaged text is not repaired here;
the validator does both, with `klasse.accounts.rules.mojibake_repaired` and
`has_suspect_characters` per value.
"""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal

from klasse.imports.core.cell_problems import ERROR_HINT, CellProblems, error_cells
from klasse.imports.core.csv_text import (
    DELIMITERS,
    ESCAPED_CELL,
    csv_records,
    decode,
    detect_delimiter,
    is_blank,
    quote_problem,
    unwrap_records,
)
from klasse.imports.core.edexml import EDEX_HEADERS, looks_like_edexml, read_edexml
from klasse.imports.core.formulas import unescape_formulas
from klasse.imports.core.header_row import (
    HEADER_SEARCH_ROWS,
    clean_header,
    header_index,
    sep_line,
    skipped_warning,
)
from klasse.imports.core.problems import FileProblem, Problem
from klasse.imports.core.texts import say
from klasse.imports.core.wide_files import (
    MAX_CELL_CHARS,
    Limits,
    check_head,
    cut_long_cells,
    refuse_long_header,
)
from klasse.imports.core.xlsx import xlsx_sheet


@dataclass(slots=True)
class Row:
    """One data row. `cells` has exactly one value per header; `number` is the row a
    spreadsheet shows (blank lines count, the header is row 1 when it is the first line)."""

    number: int
    cells: list[str]
    extra_cells: bool = False  # more non-empty cells than headers: wrong_column_count


@dataclass
class Table:
    format: Literal["csv", "xlsx", "edexml"]
    encoding: str | None  # one of ENCODINGS; None for XLSX and EDEXML
    delimiter: str | None  # one of DELIMITERS; None for XLSX and EDEXML
    headers: list[str]
    rows: list[Row]
    warnings: list[Problem] = field(default_factory=list)
    sheet: str | None = None  # the sheet read; None for CSV
    sheets: list[str] = field(default_factory=list)  # every visible sheet of the workbook
    hidden_sheets: list[str] = field(default_factory=list)  # never read
    # Cells whose text is no value (an Excel date or error value, a formula without a
    # result), by row number and column index: see cell_problems.merge_cell_problems.
    cell_problems: CellProblems = field(default_factory=dict)
    # False when the code page was a best guess from little evidence (code_pages).
    encoding_sure: bool = True
    # EDEXML only: what the file says about itself (`edexml.EdexInfo.as_dict`).
    edex: dict | None = None


def read_table(
    data: bytes,
    filename: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_rows: int = 200_000,
    max_bytes: int = 20 * 1024 * 1024,
    max_columns: int = 200,
    on_rows: Callable[[int], None] | None = None,
) -> Table:
    """Read `data` (the upload named `filename`) or raise `FileProblem`.

    1. Refuse an oversized file before looking inside it.
    2. Recognise the format by its first bytes, never by the file name. EDEXML (root
       `EDEX`, or a UWLR `leerlinggegevens` answer) is read by `edexml.read_edexml`,
       which refuses a DOCTYPE/ENTITY before parsing; its headers are Klasse's fields.
    3. XLSX: check the zip for bombs, then read with openpyxl the first visible sheet
       that names the required columns (`xlsx.xlsx_sheet`).
       CSV: decode (BOM, UTF-8, else Windows-1252), find the separator, parse strictly.
    4. Take a first line `sep=;` as the separator; take as header the row (within the
       first ten) that names the required columns, and warn about the rows above it
       (`skipped_lines`). Numbers stay those the spreadsheet shows.
    5. Refuse, from the first rows alone, a file wider than `max_columns` columns, and a
       header cell longer than Excel's limit of 32,767 characters (`too_large`); a longer
       data cell is cut to just over it (`wide_files`).
    6. Skip blank and repeated header lines, pad short rows, flag long ones.
    `encoding` and `delimiter` override detection (ValueError for an unknown value).
    `on_rows(n)` is called every 1,000 rows read: the background reading reports its
    progress there and stops a reading over its time budget by raising FileProblem.
    """
    if len(data) > max_bytes:
        raise FileProblem("too_large", too_large_message(len(data), max_bytes, data))
    if looks_like_edexml(data):
        rows, info = read_edexml(data, filename, max_rows=max_rows)
        table = Table("edexml", None, None, list(EDEX_HEADERS), [Row(n, c) for n, c in rows])
        table.edex = info.as_dict()
        return table
    if _sniff(data, filename) == "xlsx":
        sheet = xlsx_sheet(data, max_columns=max_columns)
        limits = Limits(max_rows, max_columns, on_rows)
        try:
            with gc_paused():
                table = _build_table("xlsx", None, None, sheet.records, limits, True, [])
        except FileProblem as problem:
            if problem.code != "empty_file" or len(sheet.names) + len(sheet.hidden) < 2:
                raise
            # The sheet read was no student list; with several sheets that is the news.
            raise FileProblem(
                "missing_required_columns",
                f"Geen werkblad van dit bestand heeft de verplichte kolommen (achternaam, "
                f"voornaam, gebruikersnaam, klas, opleiding). {sheets_said(sheet)} Zet de "
                "leerlingen met een kopregel op een zichtbaar werkblad.",
            ) from None
        table.sheet, table.sheets, table.hidden_sheets = sheet.name, sheet.names, sheet.hidden
        table.cell_problems = sheet.cell_problems
        return table
    text, encoding, warnings, sure = decode(data, encoding)
    directive = sep_line(text)
    if directive is not None:
        # Excel takes the separator from this line and hides it: the header is row 1.
        text = text[directive[1] :]
        if delimiter is None and directive[0] in DELIMITERS:
            delimiter = directive[0]
        warnings.append(_warning(None, None, "skipped_lines", _SEP_SKIPPED))
    if delimiter is None:
        delimiter = detect_delimiter(text)
    elif delimiter not in DELIMITERS:
        raise ValueError(f"Onbekend scheidingsteken {delimiter!r}; kies ';', ',' of tab.")
    # Escaped cells are rare; one search over the text spares a check of every cell.
    unescape = ESCAPED_CELL.search(text) is not None
    records = csv_records(text, delimiter)
    unwrapped = unwrap_records(text, delimiter) if text[:1] in '"\ufeff' else None
    if unwrapped is not None:
        records, delimiter = unwrapped
        warnings.append(_warning(None, None, "repaired_text", _UNWRAPPED))
    limits = Limits(max_rows, max_columns, on_rows, long_cells=len(text) > MAX_CELL_CHARS)
    with gc_paused():
        try:
            table = _build_table("csv", encoding, delimiter, records, limits, unescape, warnings)
        except csv.Error as exc:
            raise quote_problem(text, delimiter, exc) from None
    if ERROR_HINT.search(text):  # an export of a sheet with `#N/B` in it: rare
        table.cell_problems = error_cells(table.rows)
    table.encoding_sure = sure
    return table


def too_large_message(size: int, limit: int, head: bytes) -> str:
    """The Dutch `too_large` message for a file of `size` bytes over `limit` bytes, sizes
    in MB with a decimal comma ("21,0 MB"). `head`, the file's first bytes, tells an
    EDEXML file, which cannot be split by hand: export it per location or ask the
    administration instead."""
    said = f"{size / 1048576:.1f}".replace(".", ",")
    message = f"Het bestand is {said} MB; de grens is {limit / 1048576:.0f} MB. "
    if looks_like_edexml(head[:65536]):
        return message + EDEXML_TOO_LARGE
    return message + "Splits het bestand en importeer de delen na elkaar."


EDEXML_TOO_LARGE = (
    "Exporteer het EDEXML-bestand per vestiging (dependance) uit de leerlingadministratie, "
    "of vraag de administratie om een kleiner bestand."
)


def sheets_said(sheet) -> str:
    """Which sheets a workbook has, for a message: the visible ones, and the hidden ones
    (never read) apart. `sheet`: anything with `names` and `hidden` (XlsxSheet, Table's
    `sheets` and `hidden_sheets` through `sheets_of`)."""
    said = "Werkbladen: " + ", ".join(f"'{name}'" for name in sheet.names) + "."
    if sheet.hidden:
        hidden = ", ".join(f"'{name}'" for name in sheet.hidden)
        said += f" Verborgen (die leest Klasse niet): {hidden}."
    return said


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

_QUESTION_BY_LETTER = re.compile(r"(?<=[^\W\d_])\?|\?(?=[^\W\d_])")


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


def _header_key(text: str) -> str:
    key = "".join(text.split()).casefold()
    # Runs on the first cell of every row: take the regexes only when they can matter.
    return key if key.isprintable() else "".join(clean_header(text).split()).casefold()


def _build_table(
    fmt: Literal["csv", "xlsx"],
    encoding: str | None,
    delimiter: str | None,
    records: Iterable[tuple[int, list[str]]],
    limits: Limits,
    unescape: bool,
    warnings: list[Problem],
) -> Table:
    max_rows, on_rows, long_cells = limits.rows, limits.on_rows, limits.long_cells
    records = iter(records)
    head = []  # the first non-blank rows: the header is one of them
    for number, cells in records:
        if not is_blank(cells):
            head.append((number, cells))
            if len(head) == HEADER_SEARCH_ROWS:
                break
    check_head(head, limits)  # before any row past the first ten is read
    index = header_index([cells for _, cells in head])
    header_number, raw = head[index] if head else (0, [])
    refuse_long_header(header_number, raw)
    warnings.extend(skipped_warning(n, cells, header_number) for n, cells in head[:index])
    records = chain(head[index + 1 :], records)
    while raw and not raw[-1].strip():
        raw = raw[:-1]  # trailing separators after the last header
    headers = [clean_header(cell) for cell in raw]
    if not any(headers):
        raise FileProblem("empty_file", "Het bestand is leeg. Kies een bestand met leerlingen.")
    for cell, header in zip(raw, headers, strict=True):
        if header != cell.strip():
            message = say(
                "De kolomkop %(header)s bevatte een regeleinde of onzichtbaar teken.",
                header=repr(header),
            )
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
        if long_cells and max(map(len, cells)) > MAX_CELL_CHARS:
            cells = cut_long_cells(cells)
        if len(rows) >= max_rows:
            raise FileProblem(
                "too_large",
                f"Het bestand heeft meer dan {max_rows} rijen met gegevens. Splits het bestand "
                "en importeer de delen na elkaar.",
            )
        rows.append(Row(number, cells, extra))
        if on_rows is not None and not len(rows) % 1000:
            on_rows(len(rows))
    if not rows:
        raise FileProblem(
            "empty_file",
            "Het bestand bevat alleen een kopregel. Zet de leerlingen in de rijen eronder.",
        )
    return Table(fmt, encoding, delimiter, headers, rows, warnings)


_UNWRAPPED = say(
    "Elke regel van het bestand stond als één waarde tussen aanhalingstekens; Klasse heeft "
    "de kolommen daarbinnen gelezen. Controleer de voorbeelden."
)
_SEP_SKIPPED = say(
    "De eerste regel 'sep=' is niet ingelezen: die geeft alleen het scheidingsteken aan "
    "(Excel toont haar niet). De kopregel is rij 1."
)


def _warning(row: int | None, column: str | None, code: str, message: str) -> Problem:
    return Problem(row, column, None, "warning", code, message)


def _repeats_header(cells: list[str], keys: list[str]) -> bool:
    found = [_header_key(cell) for cell in cells]
    while found and not found[-1]:
        found.pop()
    return found == keys


def _unescape(cell: str) -> str:
    """Undo our export's formula escape: `'=SUM(A1)` → `=SUM(A1)`, `1B,'=2` → `1B,=2`."""
    return unescape_formulas(cell)
