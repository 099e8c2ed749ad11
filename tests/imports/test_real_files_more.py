"""Files of the real-file kinds beyond the handed ones, found by trying to break the import:
damaged names in UTF-8 and workbooks, typographic quotes in a column that is not imported,
workbooks without a fitting sheet, Excel's rounded numbers in a workbook, and records in
one cell followed by empty cells."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from klasse.accounts.models import Account
from klasse.imports.core.reading import read_table
from tests.imports.cli import run_import_command

pytestmark = pytest.mark.django_db
HEADER = "achternaam;voornaam;gebruikersnaam;wachtwoord;klas;opleiding"


def run(capsys, tmp_path, name: str, data: bytes, *args: str) -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    code, out = run_import_command(capsys, str(path), "--school", "school-a", *args)
    return code, json.loads(out)


def xlsx(sheets: dict[str, list[list]], states: dict[str, str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = (states or {}).get(title, "visible")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_damaged_name_in_a_utf8_file_is_said(capsys, school_a, tmp_path) -> None:
    lines = [HEADER]
    for i, name in enumerate(["Zo‘", "ChloŽ", "Zo‰", "Lo•s", "Zoë"]):
        lines.append(f"Jansen;{name};u{i};Zonnebloem-42;1A;havo 1")
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    code, report = run(capsys, tmp_path, "namen.csv", data, "--add", "--dry-run", "--json")
    said = [(p["row"], p["column"], p["code"]) for p in report["problems"]]
    assert said == [(row, "voornaam", "suspect_characters") for row in (2, 3, 4, 5)]
    assert "'‘'" in report["problems"][0]["message"]


def test_a_damaged_name_in_a_workbook_is_said(capsys, school_a, tmp_path) -> None:
    data = xlsx(
        {
            "Leerlingen": [
                HEADER.split(";"),
                ["Bakker", "ChloŽ", "cb", "Zonnebloem-42", "1A", "havo 1"],
            ]
        }
    )
    code, report = run(capsys, tmp_path, "namen.xlsx", data, "--add", "--dry-run", "--json")
    assert [(p["row"], p["code"]) for p in report["problems"]] == [(2, "suspect_characters")]


def test_quotes_in_a_notes_column_do_not_decide_the_code_page() -> None:
    text = (
        "achternaam;tussenvoegsel;voornaam;notities\r\n"
        "Hart;’t;Sem;€ 12 ouderbijdrage\r\n"
        "O’Brien;;Liam;betaald € 25\r\n"
        "Jansen;;Eva;‘nog niet’\r\n"
    )
    table = read_table(text.encode("cp1252"), "lijst.csv")
    assert table.encoding == "cp1252"
    assert [row.cells[:2] for row in table.rows] == [
        ["Hart", "’t"],
        ["O’Brien", ""],
        ["Jansen", ""],
    ]


@pytest.mark.parametrize(
    "first", [[], [["Lees dit eerst"]]], ids=["empty sheet", "instruction sheet"]
)
def test_a_workbook_without_a_fitting_sheet_names_its_sheets(capsys, school_a, tmp_path, first):
    data = xlsx({"Eerst": first, "Blad2": [["Naam", "Klas"], ["Daan Jansen", "1A"]]})
    code, report = run(capsys, tmp_path, "lijst.xlsx", data, "--add", "--json")
    assert code == 1 and report["error"]["code"] == "missing_required_columns"
    assert "'Eerst', 'Blad2'" in report["error"]["message"]


def test_a_hidden_sheet_is_named_apart_from_the_visible_ones(capsys, school_a, tmp_path):
    header = HEADER.split(";")
    data = xlsx(
        {"Blad1": [["achternaam", "voornaam", "klas"], ["Jansen", "Daan", "1A"]], "Data": [header]},
        states={"Data": "veryHidden"},
    )
    code, report = run(capsys, tmp_path, "lijst.xlsx", data, "--add", "--json")
    message = report["error"]["message"]
    assert (
        "Werkbladen: 'Blad1'." in message and "Verborgen (die leest Klasse niet): 'Data'" in message
    )


def test_a_number_excel_rounded_in_a_workbook_keeps_the_stored_one(capsys, school_a, tmp_path):
    header = [*HEADER.split(";"), "stamnummer"]
    setup = xlsx(
        {
            "L": [
                header,
                ["Dogan", "Ayse", "adogan", "Zonnebloem-42", "1A", "havo 1", "123456789012"],
            ]
        }
    )
    run(capsys, tmp_path, "setup.xlsx", setup, "--add", "--json")
    damaged = xlsx({"L": [header, ["Dogan", "Ayse", "adogan", "", "2A", "havo 1", 123457000000]]})
    code, report = run(capsys, tmp_path, "update.xlsx", damaged, "--update", "--json")
    assert [(p["column"], p["code"]) for p in report["problems"]] == [
        ("stamnummer", "damaged_value")
    ]
    ayse = Account.objects.get(username="adogan")
    assert (ayse.external_id, ayse.school_class.name) == ("123456789012", "2A")


def test_records_in_one_cell_are_read_with_empty_cells_after_them() -> None:
    data = (
        b'"achternaam;voornaam;gebruikersnaam;wachtwoord;klas;opleiding;stamnummer";;\r\n'
        b'"Visser;Noah;nvisser;Zonnebloem-42;2B;vwo 2;000777";;\r\n'
    )
    table = read_table(data, "lijst.csv")
    assert table.rows[0].cells == [
        "Visser",
        "Noah",
        "nvisser",
        "Zonnebloem-42",
        "2B",
        "vwo 2",
        "000777",
    ]
