"""Personas shared by every test: Alice administers school A, Tom teaches there, Sara is a
student there, and Bob administers school B and must never see anything of A."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client

from klasse.accounts.models import Account, Programme, Role, School, SchoolClass
from klasse.leerplan.models import Skill

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_hashing_and_no_throttling(settings):
    # Argon2 costs ~24 ms a hash by design; tests that are not about hashing need not pay it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.SECURE_SSL_REDIRECT = False
    # Background jobs run inline in unit tests; the worker has tests of its own.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _programme_catalogue(request) -> None:
    """A transactional test's flush also empties the catalogues that migrations load; every
    test with a database gets them back before it starts."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif marker or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    catalogues_reload()


def catalogues_reload() -> None:
    """The catalogues that migrations load (programmes, the leerplan), back after a flush."""
    if not Programme.objects.exists():
        migration = importlib.import_module("klasse.accounts.migrations.0002_programme_catalogue")
        migration.load_catalogue(django_apps, None)
    if not Skill.objects.exists():
        migration = importlib.import_module(
            "klasse.leerplan.migrations.0002_leerplan_catalogue_2026_1"
        )
        migration.load_catalogue(django_apps, None)


@pytest.fixture
def school_a(db) -> School:
    return School.objects.create(slug="school-a", name="Lyceum A")


@pytest.fixture
def school_b(db) -> School:
    return School.objects.create(slug="school-b", name="College B")


@pytest.fixture
def class_a(school_a) -> SchoolClass:
    return SchoolClass.objects.create(school=school_a, name="3HB")


def make_account(school: School, username: str, role: str = Role.STUDENT, **fields) -> Account:
    fields.setdefault("first_name", username.capitalize())
    fields.setdefault("last_name", "Persona")
    account = Account(school=school, username=username, role=role, **fields)
    account.set_password(PASSWORD)
    account.save()
    return account


@pytest.fixture
def alice(school_a) -> Account:
    return make_account(school_a, "alice", Role.ADMIN, first_name="Alice", last_name="Admin")


@pytest.fixture
def tom(school_a, class_a) -> Account:
    teacher = make_account(school_a, "tom", Role.TEACHER, first_name="Tom", last_name="Teacher")
    class_a.teachers.add(teacher)
    return teacher


@pytest.fixture
def sara(school_a, class_a) -> Account:
    return make_account(
        school_a,
        "sara",
        Role.STUDENT,
        first_name="Sara",
        infix="van der",
        last_name="Berg",
        school_class=class_a,
        programme=Programme.objects.get(code="havo 3"),
    )


@pytest.fixture
def bob(school_b) -> Account:
    return make_account(school_b, "bob", Role.ADMIN, first_name="Bob", last_name="Beheer")


def client_for(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


TEMPLATE_HEADER = (
    "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;"
    "klas;opleiding;rol;stamnummer"
)


def template_csv(*lines: str, header: str = TEMPLATE_HEADER, encoding: str = "utf-8") -> bytes:
    """A small import file in the template's columns, one `;`-separated line a row."""
    return "\r\n".join((header, *lines)).encode(encoding) + b"\r\n"
