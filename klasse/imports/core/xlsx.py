"""The XLSX half of `reading.read_table`: refuse bombs, choose the sheet, yield it as text.

An .xlsx file is a zip of XML documents, so two old attacks apply: a zip bomb (a small file
that unpacks to gigabytes) and an XML entity bomb (a DOCTYPE whose entities expand
exponentially). Both are refused from the zip's directory and a byte scan, before openpyxl
unpacks or parses anything.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from klasse.imports.core.cell_problems import ERROR_VALUES, CellProblem, CellProblems
from klasse.imports.core.header_row import required_named
from klasse.imports.core.mapping import REQUIRED_COLUMNS
from klasse.imports.core.problems import FileProblem

MAX_XLSX_ENTRIES = 1000
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
# Real sheets compress 5-50x; a far higher ratio on a big entry is a zip bomb.
MAX_XLSX_RATIO = 200

# Also in UTF-16, which XML allows and a plain byte search would otherwise miss.
_DTD = re.compile(rb"<!(?:doctype|entity)|<\x00!\x00[de]\x00|\x00<\x00!\x00[de]", re.IGNORECASE)
_RESAVE = "Open het in Excel en sla het opnieuw op als .xlsx, of als 'CSV UTF-8'."
_DAMAGED = f"Het Excel-bestand is beschadigd. {_RESAVE}"


@dataclass
class XlsxSheet:
    """The sheet of a workbook that holds the students."""

    name: str
    names: list[str]  # every visible sheet of the workbook, in order
    hidden: list[str]  # the hidden (and very hidden) sheets, which are never read
    records: Iterator[tuple[int, list[str]]]  # (row number, cell texts), blank rows too
    cell_problems: CellProblems  # filled while `records` is read


def xlsx_sheet(data: bytes, *, max_columns: int = 200) -> XlsxSheet:
    """The first visible sheet whose header names the required columns (hidden sheets and
    instruction sheets are passed over); without one, the visible sheet that names most
    of them, else the first visible sheet. FileProblem for a damaged file or a bomb.
    Its rows are cut after `max_columns` + 1 cells, so that a row 16,384 cells wide costs
    no more than a narrow one (`read_table` refuses a header wider than that)."""
    import openpyxl  # only XLSX uploads pay for importing openpyxl

    check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same
        raise FileProblem("unreadable_file", _DAMAGED) from None
    try:
        sheet = _choose_sheet(workbook.worksheets)
        names = [s.title for s in workbook.worksheets if s.sheet_state == "visible"]
        hidden = [s.title for s in workbook.worksheets if s.sheet_state != "visible"]
        uncalculated = _formulas_without_value(data, sheet._worksheet_path)
    except Exception:
        workbook.close()
        raise FileProblem("unreadable_file", _DAMAGED) from None
    found: CellProblems = {}
    records = _records(workbook, sheet, uncalculated, found, max_columns + 1)
    return XlsxSheet(sheet.title, names, hidden, records, found)


def _choose_sheet(sheets: list) -> Any:
    visible = [sheet for sheet in sheets if sheet.sheet_state == "visible"] or sheets[:1]
    if not visible:
        raise ValueError("a workbook without sheets")
    scores = []
    for sheet in visible:
        sheet.reset_dimensions()  # a wrong <dimension> would otherwise cut rows off
        rows = (list(map(cell_text, values)) for values in sheet.iter_rows(values_only=True))
        first = list(islice((cells for cells in rows if "".join(cells).strip()), 10))
        score = max(map(required_named, first), default=0)
        if score == len(REQUIRED_COLUMNS):
            return sheet
        scores.append(score)
    best = max(scores)
    return visible[scores.index(best)] if best >= 2 else visible[0]


def _records(
    workbook: Any,
    sheet: Any,
    uncalculated: set[tuple[int, int]],
    found: CellProblems,
    keep: int,
) -> Iterator[tuple[int, list[str]]]:
    """The rows as text, each cell as Excel shows it; the cells whose text is no value
    (a date, an error value, a formula without a result) go into `found`. A row keeps its
    first `keep` cells, and after them the first filled cell beyond, if any: enough for
    `read_table` to see that the row is wider than the file's columns."""
    try:
        for number, row in enumerate(sheet.iter_rows(), 1):
            texts = []
            if len(row) > keep:
                beyond = next((c for c in row[keep:] if cell_text(c.value).strip()), None)
                row = row[:keep] if beyond is None else (*row[:keep], beyond)
            for index, cell in enumerate(row):
                value = cell.value
                text = shown_text(value, cell.number_format)
                problem = None
                if isinstance(value, dt.date | dt.time):
                    problem = CellProblem("spreadsheet_date", text)
                elif cell.data_type == "e" or (isinstance(value, str) and value in ERROR_VALUES):
                    problem = CellProblem("spreadsheet_error", text)
                elif value is None and (number, index) in uncalculated:
                    problem = CellProblem("formula_without_value", "")
                if problem is not None:
                    found.setdefault(number, {})[index] = problem
                texts.append(text)
            yield number, texts
    except Exception:
        raise FileProblem("unreadable_file", _DAMAGED) from None
    finally:
        workbook.close()


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")


def _formulas_without_value(data: bytes, path: str) -> set[tuple[int, int]]:
    """(row number, column index) of the formulas the sheet holds without a result.

    openpyxl with data_only=True gives None for them, as for an empty cell; files that
    scripts write often have them, as nothing has calculated them. Only a sheet with a
    formula at all is looked at cell by cell."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(path.lstrip("/"))
    if not _FORMULA.search(xml):
        return set()
    found = set()
    for cell in _CELL.finditer(xml):
        inner = cell.group(2) or b""
        ref = _REF.search(cell.group(1))
        if ref and _FORMULA.search(inner) and not _VALUE.search(inner):
            found.add((int(ref.group(2)), _column_index(ref.group(1).decode())))
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


_ZEROS = re.compile(r'"?(0+)"?')


def shown_text(value: object, number_format: str | None) -> str:
    """`cell_text`, with the number formats that change what a school's file means:
    `1234` formatted `000000` shows as `001234` (a stamnummer keeps its zeros)."""
    if (
        number_format
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and value >= 0
        and float(value).is_integer()
    ):
        zeros = _ZEROS.fullmatch(number_format.split(";")[0])
        if zeros:
            return str(int(value)).zfill(len(zeros.group(1)))
    return cell_text(value)


def check_zip(data: bytes) -> None:
    """Raise FileProblem for a damaged zip, a zip bomb, a non-workbook or a DOCTYPE."""
    try:
        _check_archive(data)
    except FileProblem:
        raise
    # A damaged zip fails in many ways while its entries are read (bad headers, broken
    # deflate streams, encryption, a newer zip version): each means the same to a school.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        KeyError,
        IndexError,
    ):
        raise FileProblem("unreadable_file", _DAMAGED) from None


def _check_archive(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # zipfile never unpacks beyond an entry's declared size, so these sizes bind.
        infos = archive.infolist()
        if len(infos) > MAX_XLSX_ENTRIES:
            raise FileProblem(
                "unreadable_file",
                f"Het Excel-bestand bestaat uit meer dan {MAX_XLSX_ENTRIES} onderdelen; zo ziet "
                f"een gewoon spreadsheet er niet uit. {_RESAVE}",
            )
        if sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED:
            raise FileProblem(
                "too_large",
                f"Het Excel-bestand is uitgepakt groter dan {MAX_XLSX_UNPACKED // 1048576} MB. "
                "Splits het bestand en importeer de delen na elkaar.",
            )
        if any(
            info.file_size > 1048576 and info.file_size > MAX_XLSX_RATIO * info.compress_size
            for info in infos
        ):
            raise FileProblem(
                "unreadable_file",
                f"Het Excel-bestand is verdacht sterk ingepakt en wordt niet geopend. {_RESAVE}",
            )
        if "xl/workbook.xml" not in archive.namelist():
            raise FileProblem(
                "unsupported_format",
                "Dit is een zip-bestand maar geen Excel-werkmap (.xlsx), bijvoorbeeld een .ods "
                "of .docx. Sla de gegevens op als .xlsx of .csv.",
            )
        # Every entry, not just *.xml: a relationship may point a sheet at any name.
        if any(_has_dtd(archive, info) for info in infos):
            raise FileProblem(
                "unreadable_file",
                "Het Excel-bestand bevat XML-definities (DOCTYPE/ENTITY) die een gewoon "
                f"spreadsheet niet heeft, en wordt daarom niet geopend. {_RESAVE}",
            )


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    # In chunks, so that a large sheet never sits in memory whole; the tail catches a
    # marker that straddles two chunks.
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(1048576):
            if _DTD.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def cell_text(value: object) -> str:
    """A cell value as the text a Dutch spreadsheet shows: 123456.0 → "123456"."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else text  # 1e-05 → "0.00001"
    if isinstance(value, dt.date):  # also datetime
        return value.strftime("%d-%m-%Y")
    return str(value)
