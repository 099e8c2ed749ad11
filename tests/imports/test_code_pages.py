"""Code pages (issue: real files, kind 2): a file that is not UTF-8 is read in the code page
its names were written in (Windows-1252, Mac Roman, DOS 850 or 437), decided from the whole
file; a doubtful choice and a letter no name holds are said per row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from klasse.accounts.models import Account
from klasse.imports.core.code_pages import choose_code_page, odd_characters
from klasse.imports.core.pipeline import build_report, prepare_import
from klasse.imports.core.planning import Actions
from klasse.imports.core.reading import read_table
from tests.conftest import client_for
from tests.imports.cli import run_import_command
from tests.imports.wizard_helpers import uploaded

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAC = FIXTURES / "real-files" / "03-mac-roman.csv"
PUPILS = ["Zoë", "Chloé", "Yıldız", "Daniël", "Öztürk"]


def test_old_mac_excel_s_file_is_read_as_mac_roman() -> None:
    table = read_table(MAC.read_bytes(), "03.csv")
    assert (table.encoding, table.encoding_sure) == ("mac_roman", True)
    assert [row.cells[2] for row in table.rows] == ["Zoë", "Chloé"]


@pytest.mark.parametrize("page", ["cp850", "cp437", "mac_roman"])
def test_each_code_page_is_recognised_from_its_names(page: str) -> None:
    table = read_table((FIXTURES / "code-pages" / f"{page}.csv").read_bytes(), f"{page}.csv")
    names = {cell for row in table.rows for cell in row.cells[:2]}
    expected = {"Zoë", "Chloé", "Daniël", "Öztürk"}
    assert expected <= names and table.encoding_sure
    # DOS's 850 and 437 read these names alike: either is right, 850 (Western Europe) first.
    assert table.encoding == ("cp850" if page == "cp437" else page)


@pytest.mark.parametrize(
    ("page", "name"), [("cp1252", "Zoë"), ("cp1252", "’t Hart"), ("cp1252", "O’Brien")]
)
def test_windows_1252_stays_windows_1252(page: str, name: str) -> None:
    chosen = choose_code_page(f"achternaam;voornaam\r\n{name};Anna\r\n".encode(page))
    assert chosen.name == "cp1252" and f"{name};Anna" in chosen.text


@pytest.mark.django_db
def test_the_real_mac_file_imports_its_names_whole(capsys, school_a) -> None:
    args = ("--school", "school-a", "--add", "--json")
    code, out = run_import_command(capsys, str(MAC), *args)
    report = json.loads(out)
    assert code == 0 and report["file"]["encoding"] == "mac_roman"
    assert report["counts"]["add"] == 2 and report["problems"] == []
    assert set(Account.objects.values_list("first_name", flat=True)) == {"Zoë", "Chloé"}


@pytest.mark.django_db
def test_a_guess_from_one_name_is_said_on_its_row_and_column(school_a) -> None:
    data = "achternaam;voornaam;gebruikersnaam;e-mailadres;klas;opleiding\r\n"
    data += "Jansen;Daniël;djansen;d@school.nl;1A;havo 1\r\n"
    data += "Bakker;Tom;tbakker;t@school.nl;1A;havo 1\r\n"
    prepared = prepare_import(
        data.encode("mac_roman"), "een.csv", school=school_a, actions=Actions(add=True)
    )
    report = build_report(prepared, dry_run=True)
    assert report["file"]["encoding"] == "mac_roman"
    doubts = [(p["row"], p["column"], p["code"]) for p in report["problems"]]
    assert doubts == [(2, "voornaam", "suspect_characters")]
    assert (
        "niet zeker" in report["problems"][0]["message"]
        and "'Daniël'" in report["problems"][0]["message"]
    )


@pytest.mark.django_db
def test_a_letter_no_name_holds_is_never_stored_without_a_word(school_a) -> None:
    # The administrator chose Windows-1252 for the Mac file: `Zo‘` and `ChloŽ` follow.
    prepared = prepare_import(
        MAC.read_bytes(), "03.csv", school=school_a, actions=Actions(add=True), encoding="cp1252"
    )
    report = build_report(prepared, dry_run=True)
    doubts = [(p["row"], p["column"], p["code"]) for p in report["problems"]]
    assert doubts == [(2, "voornaam", "suspect_characters"), (3, "voornaam", "suspect_characters")]
    assert "'‘'" in report["problems"][0]["message"] and "'Ž'" in report["problems"][1]["message"]


@pytest.mark.parametrize(
    ("value", "odd"),
    [
        ("Zo‘", "‘"),
        ("ChloŽ", "Ž"),
        ("Zo‰", "‰"),
        ("Zoë", ""),
        ("O’Brien", ""),
        ("van\u00a0den", ""),
    ],
)
def test_odd_characters_are_those_no_name_holds_where_they_stand(value: str, odd: str) -> None:
    assert odd_characters(value) == odd


@pytest.mark.django_db
def test_the_wizard_reads_the_mac_file_as_mac_roman_and_offers_the_code_pages(alice) -> None:
    client = client_for(alice)
    run = uploaded(client, MAC.read_bytes(), "03.csv")
    assert run.file_info["encoding"] == "mac_roman"
    page = client.get(f"/tools/importeren/{run.pk}/koppelen/").content.decode()
    assert '<option value="mac_roman" selected>Mac Roman (oude Mac)</option>' in page
    assert 'value="cp850"' in page and 'value="cp437"' in page
    assert "Chloé" in page and "ChloŽ" not in page
