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
