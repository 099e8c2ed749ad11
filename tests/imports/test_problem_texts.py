"""Issue 17, item 6: a problem has a name, and its message, the mapping's fields, roles and
changes are said in the reader's language when the page is drawn; the command line's JSON
report keeps its Dutch messages (docs/import-contract.md, "Problem codes")."""

import ast
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from klasse.accounts.rules import ROW_MESSAGES
from klasse.imports.core import texts
from klasse.imports.core.mapping import LABELS
from klasse.imports.core.pipeline import history_report, prepare_import, run_import
from klasse.imports.core.planning import Actions
from klasse.imports.core.problem_names import PROBLEM_NAMES
from klasse.imports.core.problems import FILE_PROBLEM_CODES, ROW_ERROR_CODES, ROW_WARNING_CODES
from klasse.imports.core.stored_table import table_dump, table_load
from klasse.imports.models import ImportRun
from tests.conftest import client_for, make_account, template_csv
from tests.imports.wizard_helpers import importeer, mapped

CORE = Path(__file__).resolve().parents[2] / "klasse" / "imports" / "core"
ALL_CODES = FILE_PROBLEM_CODES | ROW_ERROR_CODES | ROW_WARNING_CODES
# Said the same in both languages.
SAME_IN_ENGLISH = {"Windows (ANSI)"}
PLACE = re.compile(r"%\((\w+)\)s")

# Row 2: no e-mail, no password (no_password_or_email); row 3: an unknown role and a
# programme that is not in the catalogue; row 4: an invalid e-mail address.
FILE = template_csv(
    "Berg;;Anna;anna;;;3HB;havo 3;;",
    "Smit;;Bram;bram;;b@example.nl;3HB;havo 9;conciërge;",
    "Jong;de;Cas;cas;;geen-adres;3HB;havo 3;;",
)


def _templates_in_core() -> set[str]:
    """Every constant template given to `say` / `Text` in the import core."""
    found = set()
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in ("say", "Text")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_registered_code_has_a_name_in_dutch_and_in_english():
    assert set(PROBLEM_NAMES) == ALL_CODES
    dutch, english = {}, {}
    for code in ALL_CODES:
        with translation.override("nl"):
            dutch[code] = str(PROBLEM_NAMES[code])
        with translation.override("en"):
            english[code] = str(PROBLEM_NAMES[code])
    assert all(dutch[c] and english[c] != dutch[c] for c in ALL_CODES), [
        c for c in ALL_CODES if english[c] == dutch[c]
    ]
    assert dutch["no_password_or_email"] == "Wachtwoord of e-mailadres ontbreekt"
    assert english["no_password_or_email"] == "Password or e-mail address missing"
    assert len(set(dutch.values())) == len(ALL_CODES)  # no two codes share a name


def test_every_message_template_has_an_english_translation_with_the_same_places():
    templates = _templates_in_core() | set(ROW_MESSAGES.values())
    assert len(templates) > 40  # the walk found the core's messages
    untranslated, places = [], []
    with translation.override("en"):
        for template in sorted(templates):
            english = gettext(template)
            if english == template and template not in SAME_IN_ENGLISH:
                untranslated.append(template)
            elif set(PLACE.findall(english)) != set(PLACE.findall(template)):
                places.append(template)
    assert untranslated == [] and places == []


def test_a_text_is_its_dutch_and_says_itself_in_the_readers_language():
    where = texts.where(5, texts.say(LABELS["first_name"]))
    message = texts.say(ROW_MESSAGES["required_name"], where=where, label=texts.say("voornaam"))
    assert message == "Rij 5, kolom 'voornaam': dit veld is leeg. Vul de voornaam in."
    with translation.override("en"):
        assert texts.localized(message) == (
            "Row 5, column 'first name': this field is empty. Fill in the first name."
        )
        assert str(message) == message  # the str stays Dutch whatever the language
    stored = json.loads(json.dumps(texts.text_data(message)))
    again = texts.text_from_data(stored)
    assert again == message
    with translation.override("en"):
        assert texts.localized(again).startswith("Row 5, column 'first name'")


@pytest.mark.django_db
def test_the_json_report_keeps_its_dutch_messages_under_an_english_reader(school_a):
    with translation.override("en"):
        report, _ = run_import(FILE, "f.csv", school=school_a, actions=Actions(add=True))
    said = {p["code"]: p["message"] for p in report["problems"]}
    assert said["no_password_or_email"].startswith("Rij 2: een nieuw account heeft")
    assert said["unknown_role"].startswith("Rij 3, kolom 'rol': de rol 'conciërge' kennen we")
    assert said["invalid_email"].startswith("Rij 4, kolom 'e-mailadres': 'geen-adres' is geen")
    assert list(report["problems"][0]) == ["row", "column", "field", "severity", "code", "message"]
    assert "texts" not in report


@pytest.mark.django_db
def test_a_weak_password_gives_the_policys_reasons_in_the_readers_language(school_a):
    data = template_csv("Berg;;Anna;anna;1234;;3HB;havo 3;;")
    prepared = prepare_import(data, "f.csv", school=school_a, actions=Actions(add=True))
    (problem,) = [p for p in prepared.plan.problems if p.code == "weak_password"]
    assert "te zwak: Dit wachtwoord is te kort" in problem.message
    with translation.override("en"):
        assert "too weak: This password is too short" in problem.text


@pytest.mark.django_db
def test_a_stored_table_keeps_its_warnings_sayable(school_a):
    data = ("Leerlingenlijst\r\n" + FILE.decode()).encode()
    prepared = prepare_import(data, "f.csv", school=school_a, actions=Actions(add=True))
    (warning,) = table_load(table_dump(prepared.table)).warnings
    assert warning.code == "skipped_lines" and warning.message.startswith("Rij 1 ('Leerling")
    with translation.override("en"):
        assert warning.text.startswith("Row 1 ('Leerlingenlijst') is above the header")


def _in(client, language: str) -> None:
    client.post(reverse("set_language"), {"language": language, "next": "/"})


@pytest.mark.django_db
def test_the_preview_in_english_says_messages_fields_and_roles_in_english(alice, school_a):
    make_account(school_a, "dirk", first_name="Dirk", last_name="Oud")
    client = client_for(alice)
    run = mapped(client, FILE + template_csv("Oud;;Dirk;dirk;;;3HB;havo 3;docent;", header="")[2:])
    _in(client, "en")
    page = client.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert "Password or e-mail address missing" in page
    assert "Row 2: a new account needs a password or an e-mail address" in page
    assert "Row 3, column &#x27;rol&#x27;: the role &#x27;conciërge&#x27; is unknown" in page
    assert "Row 4, column &#x27;e-mailadres&#x27;: &#x27;geen-adres&#x27; is not a valid" in page
    assert '<small class="problem-code">no_password_or_email</small>' in page
    assert 'role: <span class="old">student</span> → <span class="new">teacher</span>' in page
    assert "een nieuw account heeft" not in page and "Wachtwoord of e-mailadres" not in page
    mapping = client.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert ">last name *</option>" in mapping and ">name prefix</option>" in mapping

    _in(client, "nl")
    page = client.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert "Wachtwoord of e-mailadres ontbreekt" in page
    assert "Rij 2: een nieuw account heeft een wachtwoord of een e-mailadres nodig" in page
    assert 'rol: <span class="old">leerling</span> → <span class="new">docent</span>' in page
    assert "Password or e-mail address missing" not in page


@pytest.mark.django_db
def test_the_result_and_the_history_speak_the_readers_language(alice, school_a):
    client = client_for(alice)
    run = mapped(client, FILE)
    importeer(client, run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert len(run.report["texts"]) == len(run.report["problems"]) == 3
    pages = {
        "result": reverse("imports:progress", args=[run.pk]),
        "history": reverse("history:detail", args=[run.pk]),
    }
    _in(client, "en")
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert "Row 2: a new account needs a password" in page, name
        assert "Unknown role" in page and "Invalid e-mail address" in page, name
        assert "een nieuw account heeft" not in page, name
    _in(client, "nl")
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert "Rij 2: een nieuw account heeft een wachtwoord" in page, name
        assert "Onbekende rol" in page and "Ongeldig e-mailadres" in page, name


@pytest.mark.django_db
def test_a_history_kept_before_the_texts_shows_its_dutch_messages(alice, school_a):
    prepared = prepare_import(FILE, "f.csv", school=school_a, actions=Actions(add=True))
    report = history_report(prepared, {"problems": [p.as_dict() for p in prepared.plan.problems]})
    del report["texts"]
    run = ImportRun.objects.create(
        school=school_a, actor=alice, file_name="oud.csv", status="done", report=report
    )
    client = client_for(alice)
    _in(client, "en")
    page = client.get(reverse("history:detail", args=[run.pk])).content.decode()
    assert "Rij 2: een nieuw account heeft" in page and "Password or e-mail address missing" in page


@pytest.mark.django_db
def test_encodings_are_named_as_people_know_them(alice, school_a):
    client = client_for(alice)
    run = mapped(client, FILE.decode().replace("Jong;de", "Jöng;de").encode("cp1252"))
    page = client.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert " · Windows (ANSI)" in page and "cp1252" not in page
    importeer(client, run)
    page = client.get(reverse("history:detail", args=[run.pk])).content.decode()
    assert "CSV, Windows (ANSI)," in page and "cp1252" not in page
