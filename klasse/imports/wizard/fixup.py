"""The fix-up file: the rows with errors, in the file's own columns plus "probleem", to
correct and upload again. Cells are escaped against formulas as every export is."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from klasse.exports.columns import escape_formula

from ..core.mapping import LABELS
from ..core.pipeline import Prepared

PROBLEM_HEADER = "probleem"
# An EDEXML table's headers are field names: the fix-up file names them as the template
# does, so that it is read back as a CSV file without choosing a column.
_EDEX_LABELS = {**LABELS, "eck_id": "ECK iD", "groups": "lesgroepen"}


def fixup_rows(prepared: Prepared) -> tuple[list[str], list[list[str]]]:
    """(headers, rows): each row with an error as the file had it, and what is wrong."""
    errors = {p.row.number: p.row.errors for p in prepared.plan.rows if p.action == "error"}
    rows = [
        [*row.cells, " ".join(problem.message for problem in errors[row.number])]
        for row in prepared.table.rows
        if row.number in errors
    ]
    headers = prepared.table.headers
    if prepared.table.format == "edexml":
        headers = [_EDEX_LABELS.get(header, header) for header in headers]
    return [*headers, PROBLEM_HEADER], rows


def fixup_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM, `;` and CRLF: what Dutch Excel opens as it is."""
    return b"".join(fixup_csv_chunks(headers, rows))


def fixup_csv_chunks(
    headers: list[str], rows: list[list[str]], *, rows_per_chunk: int = 1000
) -> Iterator[bytes]:
    """`fixup_csv` a thousand rows at a time, for a stream: never the whole file at once."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_formula(cell) for cell in headers])
    yield codecs.BOM_UTF8 + _take(text)
    for start in range(0, len(rows), rows_per_chunk):
        chunk = rows[start : start + rows_per_chunk]
        writer.writerows([escape_formula(cell) for cell in row] for row in chunk)
        yield _take(text)


def fixup_xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    """One sheet of text cells: a `001234` keeps its zeros and no cell is ever a formula.

    openpyxl's write-only mode: 50,000 rows with errors take six to nine seconds on a
    2-core VM (`bench/export_bench.py`), so above `fixup_files.INLINE_FIXUP_ROWS` rows a
    worker makes it rather than the request.
    Every cell carries the text format, so a value retyped in Excel stays text too; plain
    strings would save a fifth of the time and lose that.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Fouten")
    bold = Font(bold=True)
    sheet.append([_text(sheet, header, bold) for header in headers])
    for row in rows:
        sheet.append([_text(sheet, cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _take(text: io.StringIO) -> bytes:
    data = text.getvalue().encode("utf-8")
    text.seek(0)
    text.truncate()
    return data


def _text(sheet, value: str, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", escape_formula(value)))
    cell.data_type = "s"
    cell.number_format = "@"
    if font is not None:
        cell.font = font
    return cell
