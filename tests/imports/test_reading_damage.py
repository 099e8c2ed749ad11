"""Reading the damage that Excel, old Macs, DOS tools and scripts do to a student file
(issue 13, kinds 1-6; the handed files are in tests/fixtures/real-files). No database."""

from __future__ import annotations

from pathlib import Path

import pytest

from klasse.imports.core.problems import FileProblem
from klasse.imports.core.reading import Table, read_table
from tests.conftest import TEMPLATE_HEADER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "real-files"
ROW = "Jansen;;Daan;djansen;;daan@school.nl;1A;havo 1;;001234"


def read(data: bytes, filename: str = "leerlingen.csv", **options: object) -> Table:
    return read_table(data, filename, **options)  # type: ignore[arg-type]


def numbered(table: Table) -> list[tuple[int, str]]:
    return [(row.number, row.cells[0]) for row in table.rows]


# --- kind 4: bytes after the data -------------------------------------------------------


def test_a_final_ctrl_z_of_copied_files_ends_the_data() -> None:
    table = read((REAL / "05-copy-merged-ctrl-z.csv").read_bytes())
    assert [row.cells[3] for row in table.rows] == ["djansen", "sbakker"]
    assert table.warnings == []


@pytest.mark.parametrize(
    "tail", [b"\x1a", b"\x1a\x1a\r\n", b"\x0c", b"\x0c\r\n\x0c", b"\x00" * 40, b"\r\n\x1a\x00\x00"]
)
def test_end_of_file_marks_after_the_last_line_are_no_row(tail: bytes) -> None:
    data = f"{TEMPLATE_HEADER}\r\n{ROW}\r\n".encode() + tail
    table = read(data)
    assert [row.cells for row in table.rows] == [ROW.split(";")]


def test_a_ctrl_z_between_two_copied_files_is_no_row_either() -> None:
    data = f"{TEMPLATE_HEADER}\r\n{ROW}\r\n\x1a\ufeff{TEMPLATE_HEADER}\r\n{ROW}x\r\n\x1a".encode()
    table = read(data)
    assert numbered(table) == [(2, "Jansen"), (4, "Jansen")]
    assert table.rows[1].cells[-1] == "001234x"


def test_spaces_before_the_end_mark_stay_in_the_last_value() -> None:
    table = read(f"{TEMPLATE_HEADER}\r\n{ROW}  \x1a".encode())
    assert table.rows[0].cells[-1] == "001234  "


def test_a_nul_inside_the_data_is_still_a_file_error() -> None:
    with pytest.raises(FileProblem) as caught:
        read(f"{TEMPLATE_HEADER}\r\nJan\x00sen;;Daan\r\n\x00\x00".encode())
    assert caught.value.code == "unreadable_file"


# --- kind 1: what stands above the header ------------------------------------------------

DAMAGE = FIXTURES / "damage"


def test_excel_s_sep_line_names_the_separator_and_is_not_the_header() -> None:
    table = read((REAL / "01-sep-directive.csv").read_bytes())
    assert (table.delimiter, table.headers[0]) == (";", "achternaam")
    assert [row.cells[-1] for row in table.rows] == ["001234", "001235"]
    assert [p.code for p in table.warnings] == ["skipped_lines"]


@pytest.mark.parametrize(
    ("name", "delimiter"), [("sep-quoted-comma-bom.csv", ","), ("sep-tab.csv", "\t")]
)
def test_a_sep_line_quoted_after_a_bom_or_with_a_tab_is_honoured(name: str, delimiter: str) -> None:
    table = read((DAMAGE / name).read_bytes())
    assert (table.delimiter, len(table.headers)) == (delimiter, 10)
    # Excel hides the sep line: the header is row 1 there, the first student row 2.
    assert numbered(table) == [(2, "Jansen"), (3, "Bakker")]


def test_a_sep_line_written_with_backslash_t_means_tab() -> None:
    data = ("sep=\\t\r\n" + f"{TEMPLATE_HEADER}\r\n{ROW}\r\n".replace(";", "\t")).encode()
    assert read(data).delimiter == "\t"


def test_a_title_line_above_the_header_is_skipped_with_a_warning() -> None:
    table = read((REAL / "02-title-line.csv").read_bytes())
    assert table.headers[:3] == ["achternaam", "tussenvoegsel", "voornaam"]
    assert numbered(table) == [(3, "Jansen"), (4, "Bakker")]
    (warning,) = table.warnings
    assert (warning.code, warning.row, warning.severity) == ("skipped_lines", 1, "warning")
    assert "Leerlingenlijst 2025-2026" in warning.message and "rij 2" in warning.message


def test_title_lines_with_a_comma_do_not_mislead_the_separator() -> None:
    table = read((DAMAGE / "report-title-lines.csv").read_bytes())
    assert (table.delimiter, table.headers[0]) == (";", "achternaam")
    assert numbered(table) == [(5, "Jansen"), (6, "Bakker")]
    assert [(p.code, p.row) for p in table.warnings] == [("skipped_lines", 1), ("skipped_lines", 2)]


def test_a_merged_title_row_in_xlsx_is_skipped_and_rows_keep_their_numbers() -> None:
    table = read((DAMAGE / "title-merged.xlsx").read_bytes(), "lijst.xlsx")
    assert table.headers[0] == "achternaam"
    assert numbered(table) == [(4, "Jansen"), (5, "Bakker")]
    assert [(p.code, p.row) for p in table.warnings] == [("skipped_lines", 1)]


def test_without_a_row_naming_the_required_columns_the_first_row_is_the_header() -> None:
    table = read(b"Titel\r\nnaam;klas\r\nJan;3A\r\n")
    assert (table.headers, table.warnings) == (["Titel"], [])


# --- kind 6: which sheet -----------------------------------------------------------------


def test_a_hidden_first_sheet_is_passed_over() -> None:
    table = read((REAL / "08-hidden-first-sheet.xlsx").read_bytes(), "lijst.xlsx")
    assert (table.sheet, table.sheets) == ("Leerlingen", ["Leerlingen"])
    assert table.hidden_sheets == ["Instellingen"]
    assert [row.cells[3] for row in table.rows] == ["djansen"]


def test_instruction_and_hidden_sheets_are_passed_over_for_the_students() -> None:
    table = read((DAMAGE / "instruction-and-hidden-sheet.xlsx").read_bytes(), "lijst.xlsx")
    assert table.sheet == "Leerlingen"
    assert [row.cells[3] for row in table.rows] == ["djansen", "sbakker"]


def test_a_csv_has_no_sheet() -> None:
    assert read(f"{TEMPLATE_HEADER}\r\n{ROW}\r\n".encode()).sheet is None


# --- kind 5: XLSX cells as Excel shows them -----------------------------------------------


def test_a_number_formatted_with_zeros_keeps_its_zeros() -> None:
    table = read((REAL / "06-zero-padded-format.xlsx").read_bytes(), "lijst.xlsx")
    assert [row.cells[-1] for row in table.rows] == ["001234", "000045"]


def test_cells_become_text_as_excel_shows_them_and_dates_and_errors_are_kept_apart() -> None:
    table = read((DAMAGE / "cells-as-excel-shows-them.xlsx").read_bytes(), "lijst.xlsx")
    assert [row.cells[9] for row in table.rows] == [
        "001234",
        "123456",
        "000007",
        "000123",
        "#DIV/0!",
    ]
    problems = {
        (number, index): (cell.code, cell.shown)
        for number, found in table.cell_problems.items()
        for index, cell in found.items()
    }
    assert problems[(4, 6)] == ("spreadsheet_date", "05-06-2025")
    assert problems[(5, 0)] == ("spreadsheet_error", "#N/A")
    assert problems[(6, 2)] == ("spreadsheet_error", "#REF!")
    assert problems[(6, 9)] == ("spreadsheet_error", "#DIV/0!")
    assert problems[(2, 10)] == ("spreadsheet_date", "04-03-2012")  # reported only if mapped


def test_formulas_without_a_stored_result_are_found() -> None:
    table = read((REAL / "09-formula-no-cached-value.xlsx").read_bytes(), "lijst.xlsx")
    assert {
        n: {i: c.code for i, c in found.items()} for n, found in table.cell_problems.items()
    } == {
        2: {3: "formula_without_value"},
        3: {3: "formula_without_value"},
    }


def test_an_error_value_in_a_csv_export_is_found_too() -> None:
    table = read(f"{TEMPLATE_HEADER}\r\n{ROW.replace('Daan', '#N/B')}\r\n".encode())
    assert table.cell_problems[2][2].code == "spreadsheet_error"


# --- kind 3: everything in one column ----------------------------------------------------


def test_records_each_in_one_quoted_cell_are_read_from_inside() -> None:
    table = read((REAL / "04-lines-in-quotes.csv").read_bytes())
    assert (table.delimiter, len(table.headers)) == (",", 10)
    assert [row.cells[3] for row in table.rows] == ["djansen", "sbakker"]


def test_a_quoted_semicolon_record_with_doubled_quotes_is_read_from_inside() -> None:
    lines = [TEMPLATE_HEADER, ROW.replace("Daan", '"Daan; ""D"""')]
    data = "".join('"' + line.replace('"', '""') + '"\r\n' for line in lines).encode()
    table = read(data)
    assert (table.delimiter, table.rows[0].cells[2]) == (";", 'Daan; "D"')
