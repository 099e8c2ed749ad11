"""The fix-up file: the rows with errors, in the file's own columns plus "probleem", to
correct and upload again. Cells are escaped against formulas as every export is."""

from __future__ import annotations

import codecs
import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from klasse.exports.columns import escape_formula

from ..core.pipeline import Prepared

PROBLEM_HEADER = "probleem"


def fixup_rows(prepared: Prepared) -> tuple[list[str], list[list[str]]]:
    """(headers, rows): each row with an error as the file had it, and what is wrong."""
    errors = {p.row.number: p.row.errors for p in prepared.plan.rows if p.action == "error"}
    rows = [
        [*row.cells, " ".join(problem.message for problem in errors[row.number])]
        for row in prepared.table.rows
        if row.number in errors
    ]
    return [*prepared.table.headers, PROBLEM_HEADER], rows


def fixup_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM, `;` and CRLF: what Dutch Excel opens as it is."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    for row in (headers, *rows):
        writer.writerow([escape_formula(cell) for cell in row])
    return codecs.BOM_UTF8 + text.getvalue().encode("utf-8")


def fixup_xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    """One sheet of text cells: a `001234` keeps its zeros and no cell is ever a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Fouten")
    bold = Font(bold=True)
    sheet.append([_text(sheet, header, bold) for header in headers])
    for row in rows:
        sheet.append([_text(sheet, cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(sheet, value: str, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", escape_formula(value)))
    cell.data_type = "s"
    cell.number_format = "@"
    if font is not None:
        cell.font = font
    return cell
