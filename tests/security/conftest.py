"""What the security tests share: files in the template's columns, the `klasse import`
command as a function, a school A full of things to find, and the settings production gets.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import runpy
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from klasse.accounts.models import Account, Programme, Role, School, SchoolClass
from klasse.exports.models import ExportFile
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.leerplan.models import Activation, Licence, PersonalActivation, Skill, Subject
from tests.conftest import client_for, make_account

ROOT = Path(__file__).resolve().parents[2]
# Public corpora kept in the repository, with their licences (tests/corpora/README.md).
CORPORA = ROOT / "tests" / "corpora"
HEADER = [
    "achternaam",
    "tussenvoegsel",
    "voornaam",
    "gebruikersnaam",
    "wachtwoord",
    "e-mailadres",
    "klas",
    "opleiding",
    "rol",
    "stamnummer",
]
ADD = Actions(add=True)
ALL = Actions(add=True, update=True, archive=True)
# Written into school A so that a page of school B can be searched for any trace of it.
A_MARKERS = (
    "Lyceum A",
    "Klas-Zeldzaam",
    "Zeldzaamheid",
    "Onvindbaar",
    "a-geheim-bestand.csv",
    "a-wizard-bestand.csv",
    "geheim-kind",
)


def line(username: str, **values: str) -> list[str]:
    """One row in HEADER order: a student of 3HB in havo 3 with an e-mail address, unless
    `values` (keyed by the Dutch label, `-` written `_`) say otherwise."""
    row = {
        "achternaam": "Jansen",
        "tussenvoegsel": "",
        "voornaam": "Anna",
        "gebruikersnaam": username,
        "wachtwoord": "",
        "e-mailadres": "ouders@example.nl",
        "klas": "3HB",
        "opleiding": "havo 3",
        "rol": "",
        "stamnummer": "",
    }
    for key, value in values.items():
        label = key.replace("_", "-")
        assert label in row, f"unknown column {key}"
        row[label] = value
    return [row[label] for label in HEADER]


def csv_text(rows: list[list[str]], *, delimiter: str = ";", header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], *, delimiter: str = ";", header: list[str] = HEADER) -> bytes:
    return csv_text(rows, delimiter=delimiter, header=header).encode("utf-8")


def klasse_import(path: Path, *options: str, school: str = "school-a") -> tuple[int, dict]:
    """Run `klasse import FILE --json` as the command line does: (exit code, JSON object)."""
    out = io.StringIO()
    try:
        call_command("import", str(path), "--school", school, "--json", *options, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except CommandError as error:  # wrong usage: a message, no JSON
        return error.returncode, {"error": {"code": None, "message": str(error)}}
    text = out.getvalue()
    return code, json.loads(text) if text else {}


def problems_by_row(report: dict) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for problem in report["problems"]:
        found.setdefault(problem["row"], set()).add(problem["code"])
    return found


def load_settings(**env: str) -> dict:
    """klasse/settings.py evaluated afresh with this environment (and no other Klasse or
    Django variables), as a production process would load it."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KLASSE_", "SECURE_", "DJANGO_"))
        and k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(keep | env)
    try:
        return runpy.run_path(str(ROOT / "klasse" / "settings.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": "x7Gq!2vR#pL9m$Zt&8wK@eN4sB^yU1cH*oD6fJ0aQ3iV5rT-_lX+Y",
        "ALLOWED_HOSTS": "klasse.example.nl,testserver",
        "KLASSE_VAR_DIR": str(tmp_path),
    }


@pytest.fixture
def world(alice, tom, sara, bob, class_a, school_a, school_b, settings, tmp_path) -> dict:
    """School A with something of every kind (and B with its own), for walking every page:
    a class only A has, a student in it, a finished import, a wizard import underway, an
    export and a fix-up file waiting for their download, and a licence with activations."""
    rare_class = SchoolClass.objects.create(school=school_a, name="Klas-Zeldzaam")
    rare_class.teachers.add(tom)
    secret = make_account(
        school_a,
        "geheim-kind",
        Role.STUDENT,
        first_name="Zeldzaamheid",
        last_name="Onvindbaar",
        school_class=rare_class,
        programme=Programme.objects.get(code="vwo 4"),
    )
    # A teacher of school A who teaches neither class_a nor rare_class: Tess.
    other_class = SchoolClass.objects.create(school=school_a, name="5C")
    tess = make_account(school_a, "tess", Role.TEACHER, first_name="Tess", last_name="Anderevak")
    other_class.teachers.add(tess)
    class_b = SchoolClass.objects.create(school=school_b, name="B1")
    student_b = make_account(school_b, "kind-b", school_class=class_b)
    run_a = ImportRun.objects.create(
        school=school_a,
        actor=alice,
        file_name="a-geheim-bestand.csv",
        file_sha256="a" * 64,
        status=ImportRun.Status.DONE,
        counts={"add": 1},
        report={"counts": {"add": 1}, "problems": []},
        changes={"added": [secret.pk], "updated": [], "archived": []},
    )
    run_b = ImportRun.objects.create(
        school=school_b, actor=bob, file_name="b.csv", status=ImportRun.Status.DONE
    )
    # A finished export of A's administrator, waiting for its download.
    export_a = ExportFile.objects.create(
        school=school_a,
        requested_by=alice,
        format="csv",
        file_name="a-geheim-export.csv",
        status=ExportFile.Status.DONE,
        content=b"Onvindbaar;;Zeldzaamheid;geheim-kind",
        rows=1,
    )
    wizard_run = _wizard_run(alice)
    # A licence for Rekenen/wiskunde (B holds one for Engels), skills switched on for the
    # rare class and one for its student alone.
    subject_a = Subject.objects.get(slug="rekenen")
    Licence.objects.create(
        school=school_a, subject=subject_a, starts=dt.date(2020, 8, 1), ends=dt.date(2099, 7, 31)
    )
    Licence.objects.create(
        school=school_b,
        subject=Subject.objects.get(slug="engels"),
        starts=dt.date(2020, 8, 1),
        ends=dt.date(2099, 7, 31),
    )
    Activation.objects.create(
        skill=Skill.objects.get(code="REK-GET-1F-01"), school_class=rare_class
    )
    PersonalActivation.objects.create(skill=Skill.objects.get(code="REK-VER-2F-01"), student=secret)
    # A finished fix-up file of A's administrator's import, waiting for its download.
    fixup_a = ExportFile.objects.create(
        school=school_a,
        requested_by=alice,
        import_run=wizard_run or run_a,
        format="xlsx",
        file_name="a-geheim-bestand-fouten.xlsx",
        status=ExportFile.Status.DONE,
        content=b"Onvindbaar;Zeldzaamheid",
        rows=1,
    )
    return {
        "wizard_run": wizard_run,
        "export_a": export_a,
        "fixup_a": fixup_a,
        "rare_class": rare_class,
        "school_a": school_a,
        "school_b": school_b,
        "class_a": class_a,
        "class_b": class_b,
        "alice": alice,
        "tom": tom,
        "tess": tess,
        "sara": sara,
        "secret": secret,
        "bob": bob,
        "student_b": student_b,
        "run_a": run_a,
        "run_b": run_b,
        "subject_a": subject_a,
    }


def _wizard_run(admin: Account) -> ImportRun | None:
    """An import of A's administrator left at the wizard's preview, uploaded as a browser
    would; None while the wizard has no upload page."""
    upload = SimpleUploadedFile(
        "a-wizard-bestand.csv", csv_bytes([line("wizard-kind", voornaam="Zeldzaamheid")])
    )
    response = client_for(admin).post(reverse("imports:start"), {"file": upload})
    if response.status_code != 302:
        return None
    return ImportRun.objects.get(school=admin.school, file_name="a-wizard-bestand.csv")


def school_state(school: School) -> list[tuple]:
    """Everything an import can change in a school, comparable between two moments."""
    # Hashes and times differ between two runs of the same import; whether they are set
    # does not.
    accounts = [
        (*values, archived_at is not None, not password.startswith("!"))
        for *values, archived_at, password in Account.objects.filter(school=school)
        .order_by("username")
        .values_list(
            "username",
            "first_name",
            "infix",
            "last_name",
            "email",
            "role",
            "external_id",
            "school_class__name",
            "programme__code",
            "archived_at",
            "password",
        )
    ]
    classes = list(SchoolClass.objects.filter(school=school).order_by("name").values_list("name"))
    links = list(
        SchoolClass.teachers.through.objects.filter(schoolclass__school=school)
        .order_by("account__username", "schoolclass__name")
        .values_list("account__username", "schoolclass__name")
    )
    return [*accounts, ("classes", *classes), ("links", *links)]
