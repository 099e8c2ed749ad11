"""Read an uploaded student file (CSV or XLSX) into a `Table` of raw text cells.

`read_table` only reads: it recognises the format, decodes, splits and numbers the rows.
Values are not trimmed (passwords are kept exactly) and damaged text is not repaired here;
the validator does both and calls `repair_mojibake` / `has_suspect_characters` per value.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Literal

import ftfy

from klasse.imports.core.problems import FileProblem, Problem
from klasse.imports.core.xlsx import xlsx_records

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")
DELIMITERS = (";", ",", "\t")  # on a tie the first wins: Dutch Excel writes ';'
_FORMULA_CHARS = frozenset("=+-@\t\r")


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
    text, encoding, warnings = _decode(data, encoding)
    if delimiter is None:
        delimiter = _detect_delimiter(text)
    elif delimiter not in DELIMITERS:
        raise ValueError(f"Onbekend scheidingsteken {delimiter!r}; kies ';', ',' of tab.")
    # Escaped cells are rare; one search over the text spares a check of every cell.
    unescape = _ESCAPED_CELL.search(text) is not None
    records = _csv_records(text, delimiter)
    with gc_paused():
        try:
            return _build_table("csv", encoding, delimiter, records, max_rows, unescape, warnings)
        except csv.Error as exc:
            raise _quote_problem(text, delimiter, exc) from None


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


# --- CSV ------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAVE_AS = "Sla het bestand in Excel op als 'CSV UTF-8 (door lidtekens gescheiden)'."
_ESCAPED_CELL = re.compile(r"'[=+\-@\t\r]")  # a cheap over-approximation; see _unescape


def _line_of(text: str, index: int) -> int:
    before = text[:index]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _line_at_byte(data: bytes, offset: int, encoding: str) -> int:
    before = data[:offset].decode(encoding, "replace")
    return _line_of(before, len(before))


def _decode(data: bytes, encoding: str | None) -> tuple[str, str, list[Problem]]:
    """The text, the encoding's name and a warning for mixed text; FileProblem otherwise."""
    warnings: list[Problem] = []
    if encoding is not None:
        name = _canonical_encoding(encoding)
    else:
        name = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        if encoding is not None or name != "utf-8":
            raise _undecodable(data, exc.start, name, name) from None
        # Not UTF-8: Windows-1252 ("ANSI") is what Dutch Excel writes otherwise.
        utf8_line = _line_at_byte(data, exc.start, "cp1252")
        try:
            text, name = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc2:
            raise _undecodable(data, exc2.start, "cp1252", "UTF-8 of Windows-1252") from None
        if _has_utf8_sequence(data):
            # Mixed: say so, so the repaired names the validator reports are no surprise.
            message = (
                f"Het bestand is gelezen als Windows-1252 (ANSI) omdat regel {utf8_line} geen "
                f"UTF-8 is, maar het bevat ook UTF-8-tekens. Controleer namen met accenten. "
            )
            warnings.append(_warning(utf8_line, None, "suspect_characters", message + _SAVE_AS))
    nul = text.find("\x00")
    if nul >= 0:
        raise FileProblem(
            "unreadable_file",
            f"Regel {_line_of(text, nul)} bevat een NUL-teken; dit is geen gewoon tekstbestand. "
            + _SAVE_AS,
        )
    return text, name, warnings


def _undecodable(data: bytes, offset: int, encoding: str, what: str) -> FileProblem:
    if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        offset += len(codecs.BOM_UTF8)  # this codec counts from after the BOM; utf-16 does not
    line = _line_at_byte(data, offset, encoding)
    return FileProblem(
        "unreadable_file",
        f"Regel {line} bevat een teken dat niet als {what} te lezen is. {_SAVE_AS}",
    )


def _has_utf8_sequence(data: bytes) -> bool:
    # Valid UTF-8 sequences decode to non-ASCII characters other than U+FFFD; pure
    # Windows-1252 text has none. Whole-buffer operations keep this fast.
    text = data.decode("utf-8", "replace")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii > text.count("\ufffd")


def _canonical_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = ""
    if name not in ENCODINGS:
        raise ValueError(f"Onbekende tekencodering {encoding!r}; kies uit {', '.join(ENCODINGS)}.")
    return name


def _detect_delimiter(text: str) -> str:
    """The separator that splits the header into most-consistent columns (see DELIMITERS)."""
    sample = text[:65536]
    best, best_score = DELIMITERS[0], (-1, 0)
    for candidate in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate)
        try:
            records = [r for r in islice(reader, 50) if not _is_blank(r)]
        except csv.Error:
            continue
        if len(sample) < len(text):
            records = records[:-1]  # the sample may cut the last record in two
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records[1:]), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(number, cells) of each record; a broken quote raises csv.Error while iterating,
    which read_table turns into `_quote_problem` (no per-row bookkeeping for the rare
    broken file: it is read a second time to find the line)."""
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # long field: row error
    return enumerate(reader, 1)


def _lines(text: str) -> Iterable[str]:
    """The lines as csv reads them from a file opened with newline="": ending at CR, LF or
    CRLF, the end kept (so that a line end inside quotes stays in its value).

    `str.splitlines` gives those lines without copying the text into a StringIO first, but
    also splits at form feeds, separators and the like: it is taken only when the number of
    lines shows that it split at line ends alone."""
    lines = text.splitlines(keepends=True)
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    if len(lines) == ends + (not text.endswith(("\n", "\r"))) - (not text):
        return lines
    # newline="" lets csv see CR, LF and CRLF as line ends and keeps them inside quotes.
    return io.StringIO(text, newline="")


def _quote_problem(text: str, delimiter: str, exc: csv.Error) -> FileProblem:
    """The file problem for a broken quote, naming the line after the last good record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 0
    try:
        for _ in reader:
            line = reader.line_num
    except csv.Error:
        pass
    what = (
        'een aanhalingsteken (") wordt geopend maar nergens gesloten'
        if "end of data" in str(exc)
        else 'na een afsluitend aanhalingsteken (") staat nog tekst in dezelfde waarde'
    )
    return FileProblem(
        "unreadable_file",
        f'Regel {line + 1}: {what}. Een waarde tussen aanhalingstekens eindigt met " '
        'direct voor het scheidingsteken of het einde van de regel; een " in de waarde '
        'schrijf je als "".',
    )


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


def _is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


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
    header_number, raw = next(((n, r) for n, r in records if not _is_blank(r)), (0, []))
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
        if not (cells and cells[0].strip()) and _is_blank(cells):
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
            extra = not _is_blank(cells[width:]) or any('"' in cell for cell in cells)
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
    """Undo our export's formula escape: `'=SUM(A1)` → `=SUM(A1)`."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_CHARS:
        return cell[1:]
    return cell
