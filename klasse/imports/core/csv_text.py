"""A CSV upload as text and records: its encoding (BOM, UTF-8, else the single-byte code
page that `code_pages` recognises), its separator, its lines and its records, and the file
problems a broken one gives.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from itertools import islice

from .code_pages import choose_code_page
from .problems import FileProblem, Problem
from .texts import say

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "mac_roman", "cp850", "cp437")
DELIMITERS = (";", ",", "\t")  # on a tie the first wins: Dutch Excel writes ';'


def is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAVE_AS = "Sla het bestand in Excel op als 'CSV UTF-8 (door lidtekens gescheiden)'."
_UTF8_LATIN = re.compile("[\u00a0-\u024f]")
ESCAPED_CELL = re.compile(r"'[=+\-@\t\r]")  # a cheap over-approximation; see _unescape


def _line_of(text: str, index: int) -> int:
    before = text[:index]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _line_at_byte(data: bytes, offset: int, encoding: str) -> int:
    before = data[:offset].decode(encoding, "replace")
    return _line_of(before, len(before))


def decode(data: bytes, encoding: str | None) -> tuple[str, str, list[Problem], bool]:
    """The text, the encoding's name (one of ENCODINGS), a warning for mixed text, and
    whether the encoding is sure (a code page guessed from little evidence is not: its
    names are then warned about, `code_pages.name_doubts`); FileProblem otherwise.
    `encoding` given (the administrator's choice) is taken as it is, and sure."""
    warnings: list[Problem] = []
    sure = True
    if encoding is not None:
        name = _canonical_encoding(encoding)
    else:
        name = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        if encoding is not None or name != "utf-8":
            raise _undecodable(data, exc.start, name, name) from None
        # Not UTF-8: Windows-1252 ("ANSI") is what Dutch Excel writes, but an old Mac or a
        # DOS tool writes another code page; the whole file decides which.
        # A file that holds UTF-8 too was saved as ANSI by Excel after it had UTF-8 in it:
        # Windows-1252, and the validator repairs the UTF-8 names (`ZoÃ«` → `Zoë`).
        utf8_line = _line_at_byte(data, exc.start, "cp1252")
        page = choose_code_page(data, utf8_inside=_has_utf8_sequence(data))
        if page is None:
            raise _undecodable(data, exc.start, "cp1252", "UTF-8 of Windows-1252") from None
        text, name, sure = page.text, page.name, page.sure
        if page.mixed:
            # Mixed: say so, so the repaired names the validator reports are no surprise.
            message = say(
                "Het bestand is gelezen als Windows-1252 (ANSI) omdat regel %(line)s geen "
                "UTF-8 is, maar het bevat ook UTF-8-tekens. Controleer namen met accenten. "
                "Sla het bestand in Excel op als 'CSV UTF-8 (door lidtekens gescheiden)'.",
                line=utf8_line,
            )
            found = Problem(utf8_line, None, None, "warning", "suspect_characters", message)
            warnings.append(found)
    text = _strip_end_marks(text)
    nul = text.find("\x00")
    if nul >= 0:
        raise FileProblem(
            "unreadable_file",
            f"Regel {_line_of(text, nul)} bevat een NUL-teken; dit is geen gewoon tekstbestand. "
            + _SAVE_AS,
        )
    return text, name, warnings, sure


# Bytes that DOS and old tools leave after the data: Ctrl-Z (`copy a.csv+b.csv`), form
# feeds, NUL padding. They end the data, as they did for the tools that wrote them.
_END_MARKS = "\x1a\x0c\x00"
_LINE_START_CTRL_Z = re.compile(r"(?:^|(?<=[\r\n]))\x1a+(?=\ufeff|[\r\n])")


def _strip_end_marks(text: str) -> str:
    """The text without the end-of-file marks after its last line, and without a Ctrl-Z
    at the start of a line (a binary `copy /b` of two files each ending in one). A NUL
    inside the data stays: that file is no plain text, and decode says so."""
    # Only the tail is looked at (rstrip of the whole text would copy all of it).
    ends = _END_MARKS + " \t\r\n\x0b"
    tail_start = max(0, len(text) - 65536)
    kept = text[tail_start:].rstrip(ends)
    start = tail_start + len(kept) if kept or not tail_start else len(text.rstrip(ends))
    junk = [i for i, ch in enumerate(text[start:], start) if ch in _END_MARKS]
    # A form feed may be a value's last character; as a mark it stands on a line of its own.
    while junk and text[junk[0]] == "\x0c" and junk[0] and text[junk[0] - 1] not in "\r\n":
        junk.pop(0)
    if junk:
        text = text[: junk[0]]  # spaces before the first mark may end a password
    if "\x1a" in text:
        text = _LINE_START_CTRL_Z.sub("", text)
    return text


def _undecodable(data: bytes, offset: int, encoding: str, what: str) -> FileProblem:
    if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        offset += len(codecs.BOM_UTF8)  # this codec counts from after the BOM; utf-16 does not
    line = _line_at_byte(data, offset, encoding)
    return FileProblem(
        "unreadable_file",
        f"Regel {line} bevat een teken dat niet als {what} te lezen is. {_SAVE_AS}",
    )


def _has_utf8_sequence(data: bytes) -> bool:
    """Whether `data` holds UTF-8 for the letters of names (Latin, U+00A0–U+024F): a file
    Excel saved as ANSI after UTF-8 had got into it. Other valid sequences are chance
    (`ßà` in code page 850 is the bytes of U+1145)."""
    text = data.decode("utf-8", "replace")
    if len(text) - len(text.encode("ascii", "ignore")) == text.count("\ufffd"):
        return False  # no valid sequence at all: the common case, in whole-buffer passes
    return _UTF8_LATIN.search(text) is not None


def _canonical_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
        name = "mac_roman" if name == "mac-roman" else name  # Python's own spelling
    except LookupError:
        name = ""
    if name not in ENCODINGS:
        raise ValueError(f"Onbekende tekencodering {encoding!r}; kies uit {', '.join(ENCODINGS)}.")
    return name


def detect_delimiter(text: str) -> str:
    """The separator that splits the first records into most-consistent columns: the most
    records of one width, then the widest (on a tie the first of DELIMITERS)."""
    sample = text[:65536]
    best, best_score = DELIMITERS[0], (-1, 0)
    for candidate in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate)
        try:
            records = [r for r in islice(reader, 50) if not is_blank(r)]
        except csv.Error:
            continue
        if len(sample) < len(text):
            records = records[:-1]  # the sample may cut the last record in two
        if not records:
            continue
        # The width most records share (the widest on a tie), not the first record's:
        # a title line above the header must not decide the separator.
        widths = [len(r) for r in records]
        width = max(set(widths), key=lambda w: (widths.count(w), w))
        if width < 2:
            continue
        score = (widths.count(width), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(number, cells) of each record; a broken quote raises csv.Error while iterating,
    which read_table turns into `quote_problem` (no per-row bookkeeping for the rare
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


def unwrap_records(text: str, delimiter: str) -> tuple[list, str] | None:
    """The records of a file that went through Excel with the wrong separator, each record
    one quoted cell (`"Jansen,,Daan,..."`): (number, cells) read from inside the cells,
    and the separator used there; None for any other file (decided on its first line)."""
    if not text.lstrip("\ufeff \r\n").startswith('"'):
        return None
    try:
        return _unwrapped(text, delimiter)
    except csv.Error:
        return None  # a broken quote: the ordinary reading names its line


def _unwrapped(text: str, delimiter: str) -> tuple[list, str] | None:
    first = next((r for _, r in csv_records(text[:4096], delimiter) if not is_blank(r)), [])
    while len(first) > 1 and not first[-1].strip():
        first = first[:-1]  # empty cells after the one that holds the record: `"…";;`
    if len(first) != 1 or not any(d in first[0] for d in DELIMITERS):
        return None
    outer = list(csv_records(text, delimiter))
    if any(len(cells) > 1 and not is_blank(cells[1:]) for _, cells in outer):
        return None  # not every record is one cell: leave the file as it is
    lines = [cells[0] if cells else "" for _, cells in outer]
    if any("\n" in line or "\r" in line for line in lines):
        return None
    inner = detect_delimiter("\n".join(lines))
    records = [
        (n, next(csv.reader([line], delimiter=inner), []))
        for (n, _), line in zip(outer, lines, strict=True)
    ]
    return (records, inner) if len(records[0][1]) > 1 or len(records) > 1 else None


def quote_problem(text: str, delimiter: str, exc: csv.Error) -> FileProblem:
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
