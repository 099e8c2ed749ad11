"""The real files of tests/fixtures/real-files (and variants of their kinds of damage)
through `klasse import --json`, as its README runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from klasse.accounts.models import Account
from klasse.imports.core.mapping import check_mapping, suggest_mapping
from klasse.imports.core.problems import FileProblem

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "real-files"
DAMAGE = FIXTURES / "damage"
DRY = ("--school", "school-a", "--add", "--update", "--archive", "--dry-run", "--json")


def dry(capsys, path: Path) -> tuple[int, dict]:
    """The README's DRY run: exit code and JSON report (a file problem's JSON too)."""
    try:
        call_command("import", str(path), *DRY)
        code = 0
    except CommandError as error:
        code = error.returncode
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(capsys.readouterr().out)


def values(capsys, path: Path) -> dict[str, Account]:
    """The README's VALUES run: import with --add, then the stored accounts by username."""
    call_command("import", str(path), "--school", "school-a", "--add", "--json")
    capsys.readouterr()
    return {account.username: account for account in Account.objects.all()}


def test_05_two_copied_files_with_a_final_ctrl_z_add_two_without_problems(capsys, school_a):
    code, report = dry(capsys, REAL / "05-copy-merged-ctrl-z.csv")
    assert code == 0
    assert (report["counts"]["add"], report["counts"]["error"]) == (2, 0)
    assert report["problems"] == []


def test_01_excel_s_sep_line_gives_the_separator_and_keeps_leading_zeros(capsys, school_a):
    code, report = dry(capsys, REAL / "01-sep-directive.csv")
    assert (code, report["file"]["delimiter"]) == (0, ";")
    assert (report["counts"]["add"], report["counts"]["error"]) == (2, 0)
    assert {p["severity"] for p in report["problems"]} <= {"warning"}
    stored = values(capsys, REAL / "01-sep-directive.csv")
    assert [stored[u].external_id for u in ("djansen", "sbakker")] == ["001234", "001235"]


def test_02_a_title_line_is_skipped_and_the_rows_keep_their_numbers(capsys, school_a):
    code, report = dry(capsys, REAL / "02-title-line.csv")
    assert code == 0
    assert (report["counts"]["add"], report["counts"]["error"]) == (2, 0)
    assert [(p["code"], p["row"]) for p in report["problems"]] == [("skipped_lines", 1)]


def test_08_the_visible_sheet_with_the_required_columns_is_read_and_named(capsys, school_a):
    code, report = dry(capsys, REAL / "08-hidden-first-sheet.xlsx")
    assert (code, report["file"]["rows"], report["counts"]["add"]) == (0, 1, 1)
    assert report["file"]["sheet"] == "Leerlingen"


def test_when_no_sheet_fits_the_message_names_the_sheets(capsys, school_a):
    code, report = dry(capsys, DAMAGE / "no-sheet-fits.xlsx")
    assert (code, report["error"]["code"]) == (1, "missing_required_columns")
    for name in ("Uitleg", "Export", "Leerlingen", "Opleidingen"):
        assert f"'{name}'" in report["error"]["message"]


def test_06_a_zero_padded_number_format_keeps_the_stamnummer_s_zeros(capsys, school_a):
    code, report = dry(capsys, REAL / "06-zero-padded-format.xlsx")
    assert (code, report["counts"]["add"], report["problems"]) == (0, 2, [])
    stored = values(capsys, REAL / "06-zero-padded-format.xlsx")
    assert (stored["djansen"].external_id, stored["sbakker"].external_id) == ("001234", "000045")


def test_09_formulas_without_a_result_say_so_and_add_nothing(capsys, school_a):
    code, report = dry(capsys, REAL / "09-formula-no-cached-value.xlsx")
    assert (report["counts"]["add"], report["counts"]["error"]) == (0, 2)
    assert [(p["row"], p["column"], p["code"]) for p in report["problems"]] == [
        (2, "gebruikersnaam", "formula_without_value"),
        (3, "gebruikersnaam", "formula_without_value"),
    ]
    assert all(
        "Excel" in p["message"] and "is leeg" not in p["message"] for p in report["problems"]
    )


def test_dates_and_error_values_are_errors_of_their_cells_not_names(capsys, school_a):
    code, report = dry(capsys, DAMAGE / "cells-as-excel-shows-them.xlsx")
    assert (code, report["counts"]["add"], report["counts"]["error"]) == (0, 2, 3)
    assert [(p["row"], p["column"], p["code"]) for p in report["problems"]] == [
        (4, "klas", "spreadsheet_date"),
        (5, "achternaam", "spreadsheet_error"),
        (6, "voornaam", "spreadsheet_error"),
        (6, "stamnummer", "spreadsheet_error"),
    ]
    assert "Tekst" in report["problems"][0]["message"]
    assert "#N/A" in report["problems"][1]["message"]
    stored = values(capsys, DAMAGE / "cells-as-excel-shows-them.xlsx")
    assert sorted(stored) == ["djansen", "sbakker"]
    assert stored["sbakker"].external_id == "123456"


def test_an_error_value_in_a_csv_is_an_error_of_its_cell(capsys, school_a, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes((REAL / "05-copy-merged-ctrl-z.csv").read_bytes().replace(b"Sanne", b"#N/B"))
    code, report = dry(capsys, path)
    assert (report["counts"]["add"], report["counts"]["error"]) == (1, 1)
    assert [(p["column"], p["code"]) for p in report["problems"]] == [
        ("voornaam", "spreadsheet_error")
    ]


def test_04_records_in_one_quoted_cell_are_read_as_columns(capsys, school_a):
    code, report = dry(capsys, REAL / "04-lines-in-quotes.csv")
    assert (code, report["file"]["delimiter"], report["counts"]["add"]) == (0, ",", 2)


def test_all_data_in_one_column_says_so_instead_of_naming_found_columns_missing():
    header = "achternaam,voornaam,gebruikersnaam,klas,opleiding"
    with pytest.raises(FileProblem) as caught:
        check_mapping([header], suggest_mapping([header]))
    assert caught.value.code == "missing_required_columns"
    assert "Tekst naar kolommen" in caught.value.message
    assert "mist" not in caught.value.message
