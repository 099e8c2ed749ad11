"""Archiving ends an account's access for good, not for the length of the archive: its
sessions and its password links from before stay dead after a restore."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from klasse.accounts.services import account_archive, account_restore
from klasse.accounts.tasks import password_link
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from tests.conftest import PASSWORD, client_for, template_csv

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "een-nieuw-wachtwoord-9"


def _signed_in(client: Client) -> bool:
    return client.get(reverse("student_home")).status_code == 200


def _choose_password(link: str) -> Client:
    """Follow a password link and choose NEW_PASSWORD, as far as the link allows."""
    client = Client()
    page = client.get(urlsplit(link).path, follow=True)
    if page.context and page.context.get("validlink"):
        client.post(
            page.request["PATH_INFO"],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    return client


def test_a_session_from_before_archiving_stays_ended_after_a_restore(alice, sara):
    client = client_for(sara)
    assert _signed_in(client)
    account_archive(account=sara, actor=alice)
    assert not _signed_in(client)
    account_restore(account=sara, actor=alice)
    assert not _signed_in(client), "the session came back with the restore"
    assert _signed_in(client_for(sara)), "a new login after the restore works"


def test_an_import_that_archives_ends_the_sessions_too(alice, sara, school_a):
    client = client_for(sara)
    assert _signed_in(client)
    others = template_csv("Jansen;;Anna;anna;;;3HB;havo 3;;")
    report, _ = run_import(others, "f.csv", school=school_a, actions=Actions(archive=True))
    assert report["counts"]["archive"] == 1
    sara.refresh_from_db()
    account_restore(account=sara, actor=alice)
    assert not _signed_in(client)


def test_a_password_link_from_before_archiving_sets_no_password(alice, sara):
    link = password_link(sara)
    account_archive(account=sara, actor=alice)
    _choose_password(link)
    sara.refresh_from_db()
    assert sara.check_password(PASSWORD), "the link set a password during the archive"
    account_restore(account=sara, actor=alice)
    _choose_password(link)
    sara.refresh_from_db()
    assert sara.check_password(PASSWORD), "the link works again after the restore"


def test_a_password_link_still_works_for_an_active_account(sara):
    _choose_password(password_link(sara))
    sara.refresh_from_db()
    assert sara.check_password(NEW_PASSWORD)
