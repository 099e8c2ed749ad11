"""Undo asks first and keeps what changed (issue 17, item 12), below the browser: an added
account that anyone did something with since the import stays, named with why; what was
only sent (a password link) is no reason; the preview is the undo itself, rolled back; a
change between preview and confirmation is done as it is then, and said."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Account, AuditEntry, SchoolClass
from klasse.accounts.tasks import password_link
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.imports.undo import import_undo
from tests.conftest import PASSWORD, client_for
from tests.imports.test_history_undo import do_import, undo_confirmed

pytestmark = pytest.mark.django_db
ADD = Actions(add=True)
EDIT = {
    "first_name": "Anna",
    "infix": "",
    "last_name": "Aa",
    "email": "anna@thuis.nl",
    "external_id": "",
    "role": "student",
    "class_name": "1A",
    "programme": "havo 1",
}


@pytest.fixture
def run(alice, school_a) -> ImportRun:
    """Anna and Bo are added (Anna with an e-mail address, Bo with a password)."""
    return do_import(
        school_a,
        alice,
        "Aa;;Anna;anna;;anna@thuis.nl;1A;havo 1;;",
        "Boer;;Bo;bo;geheim-wachtwoord-1;;1A;havo 1;;",
        actions=ADD,
        name="brugklas.csv",
    )


def kept(result) -> dict[str, list[str]]:
    return {k.username: k.fields for k in result.kept}


def test_the_preview_is_the_undo_and_changes_nothing(alice, run):
    preview = import_undo(run=run, actor=alice, confirm=False)
    assert preview.removed == ["anna", "bo"] and preview.classes_removed == ["1A"]
    assert Account.objects.filter(username__in=["anna", "bo"]).count() == 2
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert not AuditEntry.objects.filter(action__in=["undo", "undo_account"]).exists()
    done = import_undo(run=run, actor=alice, seen=preview.digest())
    assert done.digest() == preview.digest() and not done.differs
    assert not Account.objects.filter(username__in=["anna", "bo"]).exists()


def test_a_name_edited_since_keeps_the_account(alice, run):
    anna = Account.objects.get(username="anna")
    client_for(alice).post(reverse("users:edit", args=[anna.pk]), {**EDIT, "first_name": "Ann"})
    result = import_undo(run=run, actor=alice)
    assert kept(result) == {"anna": ["first_name"]} and result.removed == ["bo"]
    assert Account.objects.get(username="anna").first_name == "Ann"
    assert result.classes_removed == []  # Anna is still in 1A


def test_a_class_moved_since_keeps_the_account(alice, run):
    anna = Account.objects.get(username="anna")
    client_for(alice).post(reverse("users:edit", args=[anna.pk]), {**EDIT, "class_name": "1B"})
    assert kept(import_undo(run=run, actor=alice)) == {"anna": ["class_name"]}


def test_a_password_given_by_the_administrator_keeps_the_account(alice, run):
    bo = Account.objects.get(username="bo")
    client_for(alice).post(reverse("users:password", args=[bo.pk]))
    assert kept(import_undo(run=run, actor=alice)) == {"bo": ["password_reset"]}


def test_printed_login_cards_keep_their_accounts_with_or_without_a_new_password(alice, run):
    one_a = SchoolClass.objects.get(name="1A")
    sheet = {"renew": "missing", "format": "html"}
    client_for(alice).post(reverse("users:sheet", args=[one_a.pk]), sheet)
    # Anna got a new password on her card (PASSWORD), Bo's card kept his (LOGIN_CARD).
    assert AuditEntry.objects.get(action="login_card").username == "bo"
    assert AuditEntry.objects.get(action="password").username == "anna"
    result = import_undo(run=run, actor=alice)
    assert kept(result) == {"anna": ["login_card"], "bo": ["login_card"]}
    assert result.removed == []


def test_a_password_chosen_through_the_link_keeps_the_account(alice, run, client):
    anna = Account.objects.get(username="anna")
    link = password_link(anna)
    path = re.sub(r"^https?://[^/]+", "", link)
    form = client.get(path, follow=True)
    assert form.status_code == 200
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"new_password1": "mijn-eigen-wachtwoord-9", "new_password2": "mijn-eigen-wachtwoord-9"},
    )
    assert Account.objects.get(username="anna").check_password("mijn-eigen-wachtwoord-9")
    entry = AuditEntry.objects.get(action="password")
    assert entry.details == {"via": "link"} and entry.actor_id == anna.pk
    assert kept(import_undo(run=run, actor=alice)) == {"anna": ["password_chosen"]}


def test_a_password_link_only_sent_is_no_reason_to_keep(alice, run):
    anna = Account.objects.get(username="anna")
    client_for(alice).post(reverse("users:password_link", args=[anna.pk]))
    assert AuditEntry.objects.filter(action="password_link").exists()
    result = import_undo(run=run, actor=alice)
    assert result.kept == [] and result.removed == ["anna", "bo"]


def test_a_login_keeps_the_account(alice, run):
    assert Client().login(username="bo", password="geheim-wachtwoord-1")
    assert kept(import_undo(run=run, actor=alice)) == {"bo": ["login"]}


def test_a_later_import_that_changed_it_keeps_the_account(alice, run, school_a):
    do_import(
        school_a,
        alice,
        "Aa;;Anna;anna;;anna@school.nl;1A;havo 1;;",
        actions=Actions(update=True),
        name="later.csv",
    )
    first = ImportRun.objects.get(file_name="brugklas.csv")
    assert kept(import_undo(run=first, actor=alice)) == {"anna": ["later_import"]}


def test_a_password_the_import_set_and_its_owner_used_stays(alice, school_a, sara):
    run = do_import(
        school_a,
        alice,
        "Berg;van der;Sara;sara;nieuw-wachtwoord-1;;4HB;havo 3;;",
        actions=Actions(update=True, overwrite_passwords=True),
    )
    Account.objects.filter(pk=sara.pk).update(last_login=timezone.now())
    result = import_undo(run=run, actor=alice)
    sara.refresh_from_db()
    assert sara.check_password("nieuw-wachtwoord-1"), "she would be locked out"
    assert sara.school_class.name == "3HB", "the class is set back all the same"
    assert kept(result) == {} and result.reverted == ["sara"]  # each account in one place
    assert [c["kept"] for c in result.changes] == [["password_used"]]
    assert not sara.check_password(PASSWORD)


def test_a_change_between_preview_and_confirmation_is_done_as_it_is_then_and_said(alice, run):
    client = client_for(alice)
    preview = client.post(reverse("history:undo", args=[run.pk]))
    assert preview.context["undo"]["kept"] == []
    anna = Account.objects.get(username="anna")
    client.post(reverse("users:edit", args=[anna.pk]), {**EDIT, "last_name": "Aarts"})
    response = client.post(
        reverse("history:undo", args=[run.pk]),
        {
            "bevestig": "ja",
            "gezien": preview.context["digest"],
            "behouden": preview.context["kept_usernames"],
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Sinds je het overzicht zag, is er iets veranderd" in html
    assert "Sindsdien blijven ook staan: anna" in html
    assert "1 account bleef staan (hieronder staat waarom)" in html
    assert Account.objects.filter(username="anna").exists()
    assert not Account.objects.filter(username="bo").exists()
    result = AuditEntry.objects.get(action="undo").details["result"]
    assert result["differs"] is True and result["kept_since_preview"] == ["anna"]


def test_a_confirmation_without_changes_says_nothing_differs(alice, run):
    response = undo_confirmed(client_for(alice), run)
    assert response.status_code == 302
    result = AuditEntry.objects.get(action="undo").details["result"]
    assert result["differs"] is False and result["removed"] == ["anna", "bo"]


def test_the_preview_names_every_account_and_what_it_will_do(alice, run, school_a, sara):
    do_import(
        school_a,
        alice,
        "Berg;van der;Sara;sara;;;4HB;havo 3;;",
        actions=Actions(update=True),
        name="klas.csv",
    )
    second = ImportRun.objects.get(file_name="klas.csv")
    html = client_for(alice).post(reverse("history:undo", args=[second.pk])).content.decode()
    assert "Wat ongedaan maken nu doet" in html and "Er is nog niets veranderd" in html
    assert "Sara van der Berg" in html and "klas: 4HB → 3HB" in html
    assert 'name="bevestig" value="ja"' in html
