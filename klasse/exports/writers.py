"""Stream rows to CSV or XLSX; every cell escaped against formula injection.

The CSV is what Dutch Excel opens as it is (UTF-8 with BOM, `;`, CRLF). The XLSX stores
every cell as text, so a stamnummer `001234` keeps its zeros and no cell is ever a formula.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from klasse.accounts.programmes import load_catalogue

from .columns import HEADERS, ROLE_LABELS, escape_formula
from .rows import export_rows

__all__ = ["export_rows", "csv_chunks", "write_csv", "write_xlsx"]

TEMPLATE_EXAMPLE = [
    "Berg",
    "van der",
    "Anna",
    "anna.vdberg",
    "",
    "anna@example.nl",
    "3HB",
    "havo 3",
    "leerling",
    "123456",
    "",  # ECK iD: from the administration, or empty
    "",  # lesgroepen: names separated by ","
]
PROGRAMMES_SHEET = "Opleidingen"
TEMPLATE_LAST_ROW = 5000
_COLUMN_WIDTHS = [18, 14, 14, 18, 14, 26, 10, 14, 10, 12, 30, 18]
_TEXT = "@"


def write_csv(rows: Iterable[list[str]], out: BinaryIO) -> None:
    """The header and `rows` as UTF-8 with BOM, `;` and CRLF; `out` is left open."""
    out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows([escape_formula(value) for value in row] for row in rows)
    finally:
        text.detach()  # the caller owns `out`; closing the wrapper would close it


def csv_chunks(rows: Iterable[list[str]], *, rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """The bytes of `write_csv`, for a stream: the BOM and header at once, before `rows`
    is asked for its first row, then `rows_per_chunk` rows at a time."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    yield codecs.BOM_UTF8 + _take(text)
    chunk: list[list[str]] = []
    for row in rows:
        chunk.append([escape_formula(value) for value in row])
        if len(chunk) == rows_per_chunk:
            writer.writerows(chunk)
            chunk.clear()
            yield _take(text)
    if chunk:
        writer.writerows(chunk)
        yield _take(text)


def _take(text: io.StringIO) -> bytes:
    data = text.getvalue().encode("utf-8")
    text.seek(0)
    text.truncate()
    return data


def write_xlsx(rows: Iterable[list[str]], out: BinaryIO, *, template: bool = False) -> None:
    """The header and `rows` as one text-only sheet; `template` adds the sheet of programmes
    and drop-down lists for opleiding and rol in rows 2 to TEMPLATE_LAST_ROW."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Accounts")
    # Column styles must be set before the first row in a write-only sheet; they make what
    # an administrator types into the template text too.
    for index, width in enumerate(_COLUMN_WIDTHS, start=1):
        column = sheet.column_dimensions[get_column_letter(index)]
        column.width = width
        column.number_format = _TEXT
    sheet.freeze_panes = "A2"
    if template:
        _add_drop_downs(sheet)
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, header, font=bold) for header in HEADERS])
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    if template:
        programmes = workbook.create_sheet(PROGRAMMES_SHEET)
        programmes.column_dimensions["A"].width = 16
        for entry in load_catalogue():
            programmes.append([_text_cell(programmes, entry["code"])])
    _save(workbook, out)


def template_csv(out: BinaryIO) -> None:
    write_csv([TEMPLATE_EXAMPLE], out)


def template_xlsx(out: BinaryIO) -> None:
    write_xlsx([TEMPLATE_EXAMPLE], out, template=True)


def _text_cell(sheet, value: str, *, font: Font | None = None) -> WriteOnlyCell:
    # Validation rejects control characters on import, so an account should have none; if
    # one does, a replacement character (a warning on import) beats an export that crashes.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", escape_formula(value)))
    # openpyxl guesses types from text: `#N/A` would become an error value. Text is text.
    cell.data_type = "s"
    cell.number_format = _TEXT
    if font is not None:
        cell.font = font
    return cell


def _add_drop_downs(sheet) -> None:
    # Warnings, not errors: the import also accepts `HAVO 3`, `leraar` and other spellings.
    column_of = {header: get_column_letter(i) for i, header in enumerate(HEADERS, start=1)}
    codes = len(load_catalogue())
    programme = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(PROGRAMMES_SHEET)}!$A$1:$A${codes}",
        allow_blank=True,
        errorStyle="warning",
        showErrorMessage=True,
        errorTitle="Onbekende opleiding",
        error="Kies een opleiding uit de lijst op het blad Opleidingen.",
    )
    role = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(ROLE_LABELS.values())),
        allow_blank=True,
        errorStyle="warning",
        showErrorMessage=True,
        errorTitle="Onbekende rol",
        error="Kies leerling of docent; een lege cel betekent leerling.",
    )
    for validation, header in ((programme, "opleiding"), (role, "rol")):
        column = column_of[header]
        validation.add(f"{column}2:{column}{TEMPLATE_LAST_ROW}")
        sheet.data_validations.append(validation)  # write-only sheets lack the helper


def _save(workbook: Workbook, out: BinaryIO) -> None:
    # A zip needs a seekable file; standard output piped into another program is not one.
    if out.seekable():
        workbook.save(out)
        return
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.write(buffer.getvalue())
