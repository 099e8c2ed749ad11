"""Damage never overwrites good data (issue: real files, kinds 7 and 9): a value that Excel
or an encoding damaged is not stored over the account's value, and a password cell that
the import does not use does not block the row. Real files from tests/fixtures/real-files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from klasse.accounts.models import Account
from klasse.imports.core.damage import damage_of
from tests.imports.cli import run_import_command

REAL_FILES = Path(__file__).resolve().parents[1] / "fixtures" / "real-files"


def run(capsys, name: str, *args: str, path: Path | None = None) -> tuple[int, dict]:
    file = str(path or REAL_FILES / name)
    code, out = run_import_command(capsys, file, "--school", "school-a", *args)
    return code, json.loads(out)


@pytest.mark.parametrize(
    ("new", "stored"),
    [
        ("1234", "001234"),
        ("45", "000045"),
        ("1,23457E+11", "123456789012"),
        ("1.23457E+11", ""),
        ("Y?lmaz", "Yılmaz"),
        ("Zo\ufffd", "Zoë"),
        ("ZoÃ«", "Zoë"),
        ("Zoë".encode("mac_roman").decode("cp1252"), "Zoë"),  # Zo‘: Mac Roman read as ANSI
    ],
)
def test_damaged_forms_of_a_stored_value_are_recognised(new: str, stored: str) -> None:
    assert damage_of(new, stored)


@pytest.mark.parametrize(
    ("new", "stored"),
    [
        ("Jansen", "Janssen"),
        ("001235", "001234"),
        ("1234", ""),
        ("1e1000000", ""),
        ("Vries?", "Vries"),
        ("Anna", "Anna"),
        ("99999999999999999999", "1"),
    ],
)
def test_ordinary_changes_are_not_damage(new: str, stored: str) -> None:
    assert damage_of(new, stored) is None


@pytest.mark.django_db
def test_a_password_cell_that_is_not_used_is_not_judged(capsys, school_a) -> None:
    code, _ = run(capsys, "14-setup.csv", "--add", "--json")
    assert code == 0
    code, report = run(capsys, "14-password-stars.csv", "--add", "--update", "--dry-run", "--json")
    assert code == 0
    assert report["counts"]["update"] == 1 and report["counts"]["error"] == 1
    (problem,) = report["problems"]
    assert (problem["row"], problem["code"]) == (3, "weak_password")
    assert "This password" not in problem["message"] and "te kort" in problem["message"]
    code, _ = run(capsys, "14-password-stars.csv", "--add", "--update", "--json")
    daan = Account.objects.get(username="djansen")
    assert daan.school_class.name == "1B"
    assert daan.check_password("Zonnebloem-42")


@pytest.mark.django_db
def test_with_overwrite_passwords_the_cell_is_judged_again(capsys, school_a) -> None:
    run(capsys, "14-setup.csv", "--add", "--json")
    args = ("--update", "--overwrite-passwords", "--dry-run", "--json")
    code, report = run(capsys, "14-password-stars.csv", *args)
    assert [(p["row"], p["code"]) for p in report["problems"]] == [
        (2, "weak_password"),
        (3, "weak_password"),
    ]


@pytest.mark.django_db
def test_a_letter_lost_in_an_ansi_save_does_not_replace_the_stored_one(capsys, school_a) -> None:
    run(capsys, "21-question-marks-setup.csv", "--add", "--json")
    code, report = run(capsys, "21-question-marks.csv", "--update", "--json")
    assert code == 0
    assert report["counts"]["update"] == 2 and report["counts"]["error"] == 0
    damaged = [p for p in report["problems"] if p["code"] == "damaged_value"]
    assert [(p["row"], p["column"], p["severity"]) for p in damaged] == [
        (2, "achternaam", "warning")
    ]
    assert "De achternaam blijft 'Yılmaz'" in damaged[0]["message"]
    accounts = {a.username: a for a in Account.objects.select_related("school_class")}
    assert accounts["eyilmaz"].last_name == "Yılmaz"
    assert accounts["eozturk"].last_name == "Öztürk"
    assert {a.school_class.name for a in accounts.values()} == {"3A"}
    assert {a.programme.code for a in accounts.values()} == {"havo 3"}


@pytest.mark.django_db
def test_a_stamnummer_excel_rounded_is_never_stored(capsys, school_a) -> None:
    code, report = run(capsys, "11-scientific-stamnummer.csv", "--add", "--json")
    assert code == 0 and report["counts"]["add"] == 2
    damaged = [(p["row"], p["column"]) for p in report["problems"] if p["code"] == "damaged_value"]
    assert damaged == [(2, "stamnummer"), (3, "stamnummer")]
    assert set(Account.objects.values_list("external_id", flat=True)) == {""}


@pytest.mark.django_db
def test_leading_zeros_excel_dropped_keep_the_stored_stamnummer(capsys, school_a, tmp_path) -> None:
    run(capsys, "14-setup.csv", "--add", "--json")
    path = tmp_path / "excel.csv"
    path.write_text(
        (REAL_FILES / "14-setup.csv").read_text().replace("001234", "1234").replace("1A", "2A")
    )
    code, report = run(capsys, "", "--update", "--json", path=path)
    assert code == 0 and report["counts"]["update"] == 1
    (problem,) = [p for p in report["problems"] if p["code"] == "damaged_value"]
    assert (problem["row"], problem["column"]) == (2, "stamnummer")
    assert "voorloopnullen" in problem["message"] and "'001234'" in problem["message"]
    daan = Account.objects.get(username="djansen")
    assert (daan.external_id, daan.school_class.name) == ("001234", "2A")
