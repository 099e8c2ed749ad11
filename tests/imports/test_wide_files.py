"""Files that would hold a process for minutes are refused from their first rows: more
columns than KLASSE_MAX_COLUMNS, or a cell longer than Excel allows. No database needed."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from klasse.imports.core.problems import FileProblem
from klasse.imports.core.reading import read_table
from klasse.imports.core.wide_files import MAX_CELL_CHARS

HEADER = ["achternaam", "voornaam", "gebruikersnaam", "klas", "opleiding"]


def refused(data: bytes, filename: str, **options) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        read_table(data, filename, **options)
    return caught.value


def wide_xlsx(columns: int, rows: int = 3, cell: str = "y") -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Leerlingen")
    sheet.append([*HEADER, *(f"x{i}" for i in range(columns - len(HEADER)))])
    for n in range(rows):
        sheet.append(["Jansen", "Daan", f"d{n}", "1A", "havo 1", *[cell] * (columns - 5)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_csv_of_50000_columns_is_refused_with_the_limit_named() -> None:
    line = ";".join([*HEADER, *(f"k{i}" for i in range(50_000))])
    data = "\n".join([line, *[";".join(["a"] * 50_005)] * 3]).encode()
    problem = refused(data, "breed.csv")
    assert problem.code == "too_large"
    assert problem.message.startswith("Het bestand heeft meer dan 200 kolommen; de grens is 200.")


def test_the_column_limit_is_a_setting_and_200_columns_pass() -> None:
    assert len(read_table(wide_xlsx(200), "precies.xlsx").headers) == 200
    assert refused(wide_xlsx(21), "breed.xlsx", max_columns=20).code == "too_large"


def test_a_wide_workbook_is_refused_from_its_first_rows() -> None:
    problem = refused(wide_xlsx(5000, rows=20), "breed.xlsx")
    assert problem.code == "too_large" and "meer dan 200 kolommen" in problem.message


def test_wide_data_rows_below_the_first_rows_are_cut_and_flagged() -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Leerlingen")
    sheet.append(HEADER)
    for n in range(10):
        sheet.append(["Smit", "Ali", f"a{n}", "1A", "havo 1"])
    sheet.append(["Jansen", "Daan", "d1", "1A", "havo 1", *[None] * 3000, "x"])
    sheet.append(["Bakker", "Eva", "e1", "1A", "havo 1", *[None] * 3000])
    out = io.BytesIO()
    workbook.save(out)
    table = read_table(out.getvalue(), "rij.xlsx")
    assert [row.extra_cells for row in table.rows[10:]] == [True, False]
    assert {len(row.cells) for row in table.rows} == {5}


@pytest.mark.parametrize("filename", ["lang.csv", "lang.xlsx"])
def test_a_header_cell_longer_than_excel_allows_is_refused(filename: str) -> None:
    rows = [["LANG", *HEADER], ["Jansen", "Daan", "d1", "1A", "havo 1"]]
    if filename.endswith(".csv"):
        data = "\n".join(";".join(row) for row in rows).encode()
    else:
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    # openpyxl cuts a cell to Excel's limit when it writes one; a hand-made file need not.
    data = _replaced(data, b"LANG", b"E" * 40_000) if filename.endswith("xlsx") else data
    data = data.replace(b"LANG", b"E" * 40_000)
    problem = refused(data, filename)
    assert problem.code == "too_large"
    assert problem.message.startswith(f"Rij 1, kolom 1: de cel heeft meer dan {MAX_CELL_CHARS}")


def test_a_data_cell_longer_than_excel_allows_is_cut_for_the_validator_to_refuse() -> None:
    data = f"{';'.join(HEADER)}\nJansen;{'D' * 100_000};d1;1A;havo 1\n".encode()
    assert len(read_table(data, "lang.csv").rows[0].cells[1]) == MAX_CELL_CHARS + 1


def test_reading_reports_its_rows_every_thousand() -> None:
    lines = [";".join(HEADER), *(f"J;D;u{n};1A;havo 1" for n in range(2500))]
    seen: list[int] = []
    read_table("\n".join(lines).encode(), "veel.csv", on_rows=seen.append)
    assert seen == [1000, 2000]


def _replaced(data: bytes, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info).replace(old, new))
    return out.getvalue()


def test_a_table_read_once_is_stored_and_loaded_as_it_was() -> None:
    from klasse.imports.core.stored_table import table_dump, table_load

    data = f"{';'.join(HEADER)}\nJansen;Zoë;d1;1A;#N/B\nBakker;Eva;e1;1A;havo 1;x\n".encode(
        "cp1252"
    )
    table = read_table(data, "namen.csv")
    assert table.cell_problems and table.warnings is not None
    assert table_load(table_dump(table)) == table
