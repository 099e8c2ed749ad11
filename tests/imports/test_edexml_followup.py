"""What a fresh user found in the EDEXML import (issue 16 follow-up): choices remembered
only when applied, the command line's warnings and refusals, usernames in the report."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.timezone import localdate

from klasse.accounts.models import School
from klasse.imports.core.edexml_choices import current_school_year
from klasse.imports.core.problems import FileProblem
from klasse.imports.core.reading import read_table, too_large_message
from klasse.imports.models import ImportRun, RememberedEdexChoices
from tests.conftest import client_for, make_account
from tests.imports.cli import run_import_command
from tests.imports.wizard_helpers import importeer, upload, uploaded

pytestmark = pytest.mark.django_db
HERE = Path(__file__).resolve().parent.parent / "fixtures" / "edexml"
VOORTGEZET = HERE / "voortgezet.xml"
EDEX = HERE / "EDEX.XML"


@pytest.fixture
def admin(alice):
    return client_for(alice)


@pytest.fixture
def primary(db) -> School:
    return School.objects.create(slug="obs-de-klimop", name="OBS De Klimop", brin="12AB")


def _choose(admin, run: ImportRun, **fields):
    data = {"stap": "verder", "add": "on", **fields}
    return admin.post(reverse("imports:mapping", args=[run.pk]), data)


CHOICES = {"opleiding_0": "havo 1", "opleiding_1": "vwo 2", "opleiding_2": "pro 1"}


def test_choices_are_not_remembered_when_the_run_is_stopped(admin, school_a):
    run = uploaded(admin, VOORTGEZET.read_bytes(), "EDEX.XML")
    _choose(admin, run, username_pattern="vachternaam", **CHOICES)
    admin.post(reverse("imports:cancel", args=[run.pk]))
    assert not RememberedEdexChoices.objects.filter(school=school_a).exists()


def test_choices_are_remembered_when_the_import_is_applied(admin, school_a):
    run = uploaded(admin, VOORTGEZET.read_bytes(), "EDEX.XML")
    _choose(admin, run, **CHOICES)
    assert not RememberedEdexChoices.objects.filter(school=school_a).exists()
    importeer(admin, run)
    remembered = RememberedEdexChoices.objects.get(school=school_a)
    assert remembered.programmes == {"H1a": "havo 1", "V2b": "vwo 2", "S1": "pro 1"}


def test_a_dry_run_on_the_command_line_remembers_nothing(primary, capsys):
    args = ("--school", primary.slug, "--add", "--json", "--dry-run")
    run_import_command(capsys, str(VOORTGEZET), *args, "--programme", "H1a=havo 1")
    assert not RememberedEdexChoices.objects.filter(school=primary).exists()


def test_a_programme_for_a_group_not_in_the_file_is_a_warning_naming_its_groups(primary, capsys):
    call_command(  # no CommandError: the exit status is the import's own (0)
        "import",
        str(VOORTGEZET),
        "--school",
        primary.slug,
        "--add",
        "--dry-run",
        "--programme",
        "ISK1=havo 1",
    )
    said = capsys.readouterr()
    err = said.err
    assert said.out.startswith("Proefimport")
    assert "'ISK1'" in err and "niet in het bestand" in err
    assert all(name in err for name in ("H1a", "V2b", "S1"))


def test_map_with_an_edexml_file_is_wrong_usage(primary, capsys):
    code, _ = run_import_command(
        capsys, str(EDEX), "--school", primary.slug, "--add", "--map", "klas=class"
    )
    assert code == 2
    assert not ImportRun.objects.filter(school=primary).exists()


def _without_usernames() -> bytes:
    return re.sub(rb"<gebruikersnaam>[^<]*</gebruikersnaam>", b"", VOORTGEZET.read_bytes())


def test_without_usernames_the_wizard_preselects_a_pattern_and_says_so(admin, school_a):
    run = uploaded(admin, _without_usernames(), "EDEX.XML")
    response = admin.get(reverse("imports:mapping", args=[run.pk]))
    assert response.context["form"]["username_pattern"].value() == "voornaam.achternaam"
    assert 'id="patroon-voorgekozen"' in response.content.decode()
    # What the browser posts back as chosen: no row lacks a username.
    response = _choose(admin, run, username_pattern="voornaam.achternaam", **CHOICES)
    preview = admin.get(response["Location"])
    problems = preview.context["prepared"].plan.problems
    assert not [p for p in problems if p.code == "required"]


def test_with_usernames_in_the_file_nothing_is_preselected(admin, school_a):
    run = uploaded(admin, VOORTGEZET.read_bytes(), "EDEX.XML")
    response = admin.get(reverse("imports:mapping", args=[run.pk]))
    assert response.context["form"]["username_pattern"].value() == ""
    assert 'id="patroon-voorgekozen"' not in response.content.decode()


def test_a_missing_username_points_to_the_pattern_not_a_herstelbestand(primary, capsys):
    path = HERE / "zonder-gebruikersnamen.xml"
    code, out = run_import_command(
        capsys, str(path), "--school", primary.slug, "--add", "--json", "--dry-run"
    )
    required = [p for p in json.loads(out)["problems"] if p["code"] == "required"]
    assert code == 0 and required
    assert all(p["field"] == "username" for p in required)
    message = required[0]["message"]
    assert "--username-pattern" in message and "Inhoud van het bestand" in message
    assert "herstelbestand" not in message


def test_another_schools_file_shows_the_refusal_alone(admin, school_a):
    School.objects.filter(pk=school_a.pk).update(brin="12AB")
    run = uploaded(admin, (HERE / "andere-school.xml").read_bytes(), "EDEX.XML")
    page = admin.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert 'id="andere-school"' in page and "Stoppen en bestand verwijderen" in page
    assert 'id="edex-form"' not in page and 'value="verder"' not in page
    before = (run.status, run.options, run.actions)
    response = _choose(admin, run)  # posted anyway: the same page, not the preview
    assert response.status_code == 200
    assert response.content.decode().count('id="andere-school"') == 1
    run.refresh_from_db()
    assert (run.status, run.options, run.actions) == before


def test_a_school_without_brin_is_shown_why_another_schools_brin_is_refused(
    admin, school_a, school_b
):
    """School B has 12AB; school A has no BRIN: step 2 refuses EDEX.XML (12AB) with its
    reason, names no other school, and "Verder" does not silently go round in a circle."""
    School.objects.filter(pk=school_b.pk).update(brin="12AB")
    run = uploaded(admin, (HERE / "EDEX.XML").read_bytes(), "EDEX.XML")
    page = admin.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert 'id="andere-school"' in page and "hoort op het platform al bij een andere" in page
    assert school_b.name not in page and "deze wordt bij de import bewaard" not in page
    assert 'id="edex-form"' not in page
    response = _choose(admin, run)
    assert response.status_code == 200 and 'id="andere-school"' in response.content.decode()
    school_a.refresh_from_db()
    assert school_a.brin == ""


def test_the_report_lists_the_generated_usernames(primary, capsys):
    path = HERE / "zonder-gebruikersnamen.xml"
    args = ("--school", primary.slug, "--add", "--json", "--dry-run")
    code, out = run_import_command(capsys, str(path), *args, "--username-pattern", "vachternaam")
    report = json.loads(out)
    generated = report["file"]["edexml"]["generated_usernames"]
    people = len(re.findall(r"<(?:leerling|leerkracht) key=", path.read_text("utf-8")))
    assert code == 0 and len(generated) == people == report["counts"]["add"]
    first = generated[0]
    assert set(first) == {"row", "username", "name"} and first["row"] == 2
    assert first["username"] == first["username"].lower() and first["name"]
    # Without a pattern nothing is generated; the key is there, empty.
    code, out = run_import_command(capsys, str(path), *args)
    assert json.loads(out)["file"]["edexml"]["generated_usernames"] == []


def test_a_csv_report_has_no_generated_usernames(school_a, capsys, tmp_path):
    from tests.conftest import template_csv

    path = tmp_path / "f.csv"
    path.write_bytes(template_csv("Berg;;Anna;anna;;anna@example.nl;3HB;havo 3;;"))
    code, out = run_import_command(
        capsys, str(path), "--school", school_a.slug, "--add", "--json", "--dry-run"
    )
    assert code == 0 and "edexml" not in json.loads(out)["file"]


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 8, 1), "2026-2027"),
        (date(2027, 7, 31), "2026-2027"),
        (date(2026, 7, 31), "2025-2026"),
    ],
)
def test_the_school_year_runs_from_august_to_july(day, year):
    assert current_school_year(day) == year


def _edex_of_year(year: str, location: str = "00") -> bytes:
    data = EDEX.read_bytes()
    data = re.sub(
        rb"<schooljaar>[^<]*</schooljaar>", f"<schooljaar>{year}</schooljaar>".encode(), data
    )
    return re.sub(
        rb"<dependancecode>[^<]*</dependancecode>",
        f"<dependancecode>{location}</dependancecode>".encode(),
        data,
    )


def _report(primary, capsys, tmp_path, data: bytes, *extra: str) -> dict:
    path = tmp_path / "EDEX.XML"
    path.write_bytes(data)
    args = ("--school", primary.slug, "--add", "--json", "--dry-run", *extra)
    code, out = run_import_command(capsys, str(path), *args)
    assert code == 0
    return json.loads(out)


def test_a_file_of_another_school_year_is_a_warning(primary, capsys, tmp_path):
    this_year = current_school_year(localdate())
    start = int(this_year[:4])
    old = f"{start - 1}-{start}"
    report = _report(primary, capsys, tmp_path, _edex_of_year(old))
    warned = [p for p in report["problems"] if p["code"] == "other_school_year"]
    assert len(warned) == 1 and warned[0]["severity"] == "warning"
    assert warned[0]["row"] is None and report["counts"]["add"] > 0
    assert f"schooljaar {old}; het huidige schooljaar is {this_year}" in warned[0]["message"]
    report = _report(primary, capsys, tmp_path, _edex_of_year(this_year))
    assert not [p for p in report["problems"] if p["code"] == "other_school_year"]


def test_a_location_is_named_in_the_summary_and_the_mass_archive_message(
    admin, school_a, primary, capsys, tmp_path
):
    # School A is another location of the same BRIN (the operator gave it 12AB).
    School.objects.filter(pk=school_a.pk).update(brin="12AB")
    run = uploaded(admin, _edex_of_year("2025-2026", "01"), "EDEX.XML")
    page = admin.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert 'id="edex-vestiging"' in page and "01" in page
    main = uploaded(admin, _edex_of_year("2025-2026", "00"), "EDEX2.XML")
    page = admin.get(reverse("imports:mapping", args=[main.pk])).content.decode()
    assert 'id="edex-vestiging"' not in page
    # A school of 30 pupils, none in the file: the guard names the location.
    for number in range(30):
        make_account(primary, f"leerling{number}")
    path = tmp_path / "EDEX.XML"
    path.write_bytes(_edex_of_year("2025-2026", "01"))
    args = ("--school", primary.slug, "--add", "--archive", "--json", "--dry-run")
    code, out = run_import_command(capsys, str(path), *args)
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "mass_archive_needs_confirmation"
    assert "dit bestand is van vestiging 01" in error["message"]


def test_too_large_says_mb_with_a_comma_and_an_edexml_file_is_not_split(admin, school_a, settings):
    settings.KLASSE_MAX_UPLOAD_BYTES = 1048576  # 1 MB
    big_csv = b"achternaam;voornaam\r\n" + b"x" * (3 * 1048576 // 2)
    page = upload(admin, big_csv).content.decode()
    assert "Het bestand is 1,5 MB; de grens is 1 MB." in page and "Splits het bestand" in page
    big_xml = EDEX.read_bytes() + b"<!--" + b"x" * 1048576 + b"-->"
    page = upload(admin, big_xml, "EDEX.XML").content.decode()
    assert "per vestiging" in page and "Splits het bestand" not in page


def test_too_large_in_the_core_says_mb_with_a_comma():
    message = too_large_message(22020096, 20971520, EDEX.read_bytes())
    assert message.startswith("Het bestand is 21,0 MB; de grens is 20 MB.")
    assert "per vestiging" in message and "Splits" not in message
    assert "Splits het bestand" in too_large_message(22020096, 20971520, b"a;b\r\n")


def test_broken_xml_names_the_line_and_column_of_the_first_error(primary, capsys, tmp_path):
    lines = EDEX.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("</schooljaar>", "</schooljaar", 1)  # line 3 broken
    path = tmp_path / "EDEX.XML"
    path.write_text("\n".join(lines), "utf-8")
    code, out = run_import_command(capsys, str(path), "--school", primary.slug, "--add", "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "unreadable_file"
    assert re.search(r"De eerste fout staat op regel 3, kolom \d+\.", error["message"])


def test_the_preview_shows_new_accounts_groups_and_eck_id_and_the_right_back_button(
    admin, school_a
):
    run = uploaded(admin, EDEX.read_bytes(), "EDEX.XML")
    response = _choose(admin, run)
    page = admin.get(response["Location"] + "?toon=nieuw").content.decode()
    first_eck = re.search(r"<eckid>([^<]*)</eckid>", EDEX.read_text("utf-8")).group(1)
    assert "lesgroepen: <span" in page and "ECK iD: <span" in page
    assert first_eck in page
    assert "Terug naar Inhoud van het bestand" in page and "Koppel kolommen" not in page
    lines = admin.get(response["Location"] + "?toon=nieuw").context["page"].object_list
    first = next(line for line in lines if line.username)
    assert ("ECK iD", first_eck) in first.details


def test_an_unknown_declared_encoding_is_an_unreadable_file():
    with pytest.raises(FileProblem) as found:  # expat raises LookupError for it
        read_table(b'<?xml version="" encoding="U"?><EDEX', "f.csv")
    assert found.value.code == "unreadable_file"
