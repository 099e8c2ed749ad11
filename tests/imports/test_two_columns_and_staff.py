"""Two columns for one field (Voornaam and Roepnaam) and staff files without opleiding:
what Magister and WISA exports hold (issue: real files from real schools, kinds 10 and 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from klasse.accounts.models import Account, Role
from klasse.imports.core.mapping import column_fills, suggest_mapping
from klasse.imports.core.valid_rows import role_of
from tests.conftest import client_for
from tests.imports.cli import run_import_command
from tests.imports.wizard_helpers import upload

REAL_FILES = Path(__file__).resolve().parents[1] / "fixtures" / "real-files"


def run(capsys, *args: str) -> tuple[int, dict]:
    code, out = run_import_command(capsys, *args)
    return code, json.loads(out)


def test_roepnaam_is_the_first_name_wherever_it_stands() -> None:
    for headers in (["Voornaam", "Roepnaam"], ["Roepnaam", "Voornaam"]):
        mapping = suggest_mapping(headers)
        assert mapping["Roepnaam"] == "first_name" and mapping["Voornaam"] is None
        assert column_fills(headers, mapping) == {"Voornaam": "first_name"}


def test_a_column_mapped_elsewhere_or_alone_fills_nothing() -> None:
    assert column_fills(["Voornaam"], suggest_mapping(["Voornaam"])) == {}
    mapping = {"Roepnaam": "first_name", "Voornaam": "infix"}
    assert column_fills(["Roepnaam", "Voornaam"], mapping) == {}


@pytest.mark.django_db
def test_roepnaam_is_taken_and_voornaam_fills_its_empty_cells(capsys, school_a) -> None:
    path = REAL_FILES / "20-voornaam-and-roepnaam.csv"
    code, report = run(capsys, str(path), "--school", "school-a", "--add", "--json")
    assert code == 0
    assert report["counts"]["add"] == 2 and report["counts"]["error"] == 0
    assert report["mapping"]["Roepnaam"] == "first_name"
    assert report["mapping"]["Voornaam"] is None
    assert report["fills"] == {"Voornaam": "first_name"}
    names = dict(Account.objects.values_list("username", "first_name"))
    assert names == {"hjansen": "Hans", "sbakker": "Sanne"}


@pytest.mark.django_db
def test_the_mapping_step_shows_which_column_fills_another(alice) -> None:
    client = client_for(alice)
    response = upload(
        client,
        (REAL_FILES / "20-voornaam-and-roepnaam.csv").read_bytes(),
        "leerlingen.csv",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Vult lege cellen van voornaam aan" in page


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Docent", "teacher"),
        ("mentor", "teacher"),
        ("Docent LO", "teacher"),
        ("Mentor 2A", "teacher"),
        ("docent/mentor", "teacher"),
        ("Leerling", "student"),
        ("", "student"),
        ("Conciërge", None),
        ("Leerling 2", None),
        ("beheerder", None),
    ],
)
def test_a_function_reads_as_a_role(text: str, role: str | None) -> None:
    assert role_of(text) == role


def test_functie_is_a_synonym_of_rol() -> None:
    mapping = suggest_mapping(["Achternaam", "Functie.Omschr", "Functie"])
    assert mapping["Functie.Omschr"] == "role" or mapping["Functie"] == "role"


STAFF = (
    "Achternaam;Roepnaam;Login;E-mail;Klas;Functie.Omschr\r\n"
    "Jansen;Piet;pjansen;p@school.nl;1A,1B;Docent\r\n"
    "Bakker;Els;ebakker;e@school.nl;2A;Mentor\r\n"
    "Visser;Tom;tvisser;t@school.nl;;Docent LO\r\n"
    "Smit;Kees;ksmit;k@school.nl;;Conciërge\r\n"
)


@pytest.mark.django_db
def test_a_staff_file_needs_no_opleiding_and_names_what_is_not_a_teacher(
    capsys, school_a, tmp_path
) -> None:
    path = tmp_path / "medewerkers.csv"
    path.write_bytes(STAFF.encode("utf-8"))
    code, report = run(capsys, str(path), "--school", "school-a", "--add", "--json")
    assert code == 0
    assert report["mapping"]["Functie.Omschr"] == "role"
    assert report["counts"]["add"] == 3 and report["counts"]["error"] == 1
    (problem,) = report["problems"]
    assert (problem["row"], problem["column"], problem["code"]) == (
        5,
        "Functie.Omschr",
        "unknown_role",
    )
    assert "conciërge" in problem["message"] and "Laat de rij dan weg" in problem["message"]
    teachers = Account.objects.filter(role=Role.TEACHER)
    assert sorted(teachers.values_list("username", flat=True)) == ["ebakker", "pjansen", "tvisser"]


@pytest.mark.django_db
def test_a_file_with_students_still_needs_its_opleiding_column(capsys, school_a, tmp_path) -> None:
    path = tmp_path / "gemengd.csv"
    path.write_bytes((STAFF + "Vos;Anna;avos;a@school.nl;1A;leerling\r\n").encode("utf-8"))
    code, report = run(capsys, str(path), "--school", "school-a", "--add", "--json")
    assert code == 1
    assert report["error"]["code"] == "missing_required_columns"
    assert "opleiding" in report["error"]["message"]
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_the_wizard_takes_a_staff_file_without_opleiding(alice) -> None:
    client = client_for(alice)
    response = upload(client, STAFF.encode("utf-8"), "medewerkers.csv")
    page = client.get(response["Location"]).content.decode()
    assert "Alle verplichte velden zijn gekoppeld." in page
