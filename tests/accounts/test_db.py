"""Usernames are one account whatever their case, also beyond ASCII, on SQLite as on
PostgreSQL: the unique index, every lookup by username, and login agree."""

import importlib
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from klasse.accounts.db import fold_case, same_lower, sqlite_lower
from klasse.accounts.models import Account, SchoolClass
from klasse.accounts.services import username_is_taken
from tests.conftest import PASSWORD, client_for, make_account

pytestmark = pytest.mark.django_db
LETTERS = "ÀÉÎÕÜ ÇÑ ÆØÅ ŁŚŹ ĞŞ ЖЯ ΔΩ"


def test_the_databases_lower_folds_every_letter_and_keeps_null():
    with connection.cursor() as cursor:
        cursor.execute("SELECT LOWER(%s), LOWER(NULL)", [LETTERS])
        assert cursor.fetchone() == (LETTERS.lower(), None)


def test_fold_case_is_the_databases_lower_for_every_letter():
    # Python's str.lower differs for 'İ' and a word-final 'Σ'; the import's keys must be
    # what the unique index compares. On SQLite `lower` is fold_case itself; on PostgreSQL
    # this compares all of Unicode's letters with its LOWER().
    letters = [chr(c) for c in range(0x80, 0x30000) if chr(c).isalpha()]
    words = [*letters, "ΟΔΟΣ", "İpek", "STRAẞE", "ǅemal"]
    query = {
        "sqlite": "SELECT LOWER(value) FROM json_each(%s) ORDER BY key",
        "postgresql": "SELECT LOWER(w) FROM json_array_elements_text(%s::json) "
        "WITH ORDINALITY AS t(w, n) ORDER BY n",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(query, [json.dumps(words)])
        folded = [w for (w,) in cursor.fetchall()]
    assert folded == [fold_case(w) for w in words]
    assert fold_case("ΟΔΟΣ İpek") == "οδοσ ipek" != "ΟΔΟΣ İpek".lower()


def test_a_username_in_other_non_ascii_case_is_refused_by_the_database(school_a, school_b):
    make_account(school_a, "émile")
    with pytest.raises(IntegrityError), transaction.atomic():
        # A bulk insert bypasses all Python checks: only the database can refuse it.
        Account.objects.bulk_create(
            [Account(school=school_b, username="ÉMILE", first_name="É", last_name="M")]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        make_account(school_b, "Émile")
    assert list(Account.objects.values_list("username", flat=True)) == ["émile"]


def test_lookups_by_username_fold_non_ascii_case(school_a):
    emile = make_account(school_a, "Émile")
    assert Account.objects.get_by_natural_key("éMILE") == emile
    assert Account.objects.get(same_lower("username", "ÉMILE")) == emile
    assert username_is_taken("émile") and not username_is_taken("emile")


@pytest.mark.parametrize("typed", ["Émile", "émile", "ÉMILE", " éMile "])
def test_login_ignores_the_case_of_every_letter(client, school_a, typed):
    make_account(school_a, "Émile")
    response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_an_edit_finds_an_existing_class_in_other_non_ascii_case(alice, sara):
    SchoolClass.objects.create(school=alice.school, name="Één")
    data = {
        "first_name": sara.first_name,
        "infix": sara.infix,
        "last_name": sara.last_name,
        "email": sara.email,
        "external_id": sara.external_id,
        "role": sara.role,
        "class_name": "ÉÉN",
        "programme": sara.programme.code,
    }
    client_for(alice).post(reverse("users:edit", args=[sara.pk]), data)
    sara.refresh_from_db()
    assert sara.school_class.name == "Één"
    assert not SchoolClass.objects.filter(name="ÉÉN").exists()


def _ascii_lower(value):
    return None if value is None else "".join(c.lower() if c.isascii() else c for c in value)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's LOWER() folded all along")
def test_the_migration_rebuilds_the_sqlite_index_and_names_usernames_that_clash(school_a, school_b):
    """A database made before SQLite's lower() was replaced has index entries folded in
    ASCII only, and may hold two accounts differing only in non-ASCII case."""
    raw = connection.connection
    raw.create_function("lower", 1, _ascii_lower, deterministic=True)  # the built-in's way
    try:
        make_account(school_a, "Émile")
        make_account(school_b, "émile")
        make_account(school_b, "Özil")
    finally:
        raw.create_function("lower", 1, sqlite_lower, deterministic=True)
    migration = importlib.import_module(
        "klasse.accounts.migrations.0004_username_index_folds_unicode_on_sqlite"
    )
    editor = SimpleNamespace(connection=connection)
    with pytest.raises(CommandError, match=r"'Émile' \(school-a\) = 'émile' \(school-b\)"):
        migration.rebuild_username_index(apps, editor)
    Account.objects.filter(username="émile").delete()
    # The old entry of `Özil` is `Özil`: the index does not find him until it is rebuilt.
    assert not Account.objects.filter(same_lower("username", "özil")).exists()
    migration.rebuild_username_index(apps, editor)
    assert Account.objects.get_by_natural_key("özil").username == "Özil"
    assert Account.objects.get_by_natural_key("ÉMILE").username == "Émile"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]
