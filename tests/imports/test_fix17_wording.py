"""Fix17, item 6: words that fit whoever they are about."""

import pytest
from django.utils import timezone

from klasse.accounts.audit import describe_entry
from klasse.accounts.login_cards import login_sheet_create
from klasse.accounts.models import Account, AuditEntry
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.undo import import_undo
from tests.conftest import template_csv
from tests.imports.test_history_undo import do_import

pytestmark = pytest.mark.django_db


def test_a_teacher_without_password_or_email_is_not_called_a_student(school_a):
    report, _ = run_import(
        template_csv("Jong;de;Jan;jan.dejong;;;;;docent;"),
        "docenten.csv",
        school=school_a,
        actions=Actions(add=True),
    )
    [problem] = [p for p in report["problems"] if p["code"] == "no_password_or_email"]
    assert "krijgt diegene een link" in problem["message"]
    assert "leerling" not in problem["message"]


def test_the_undo_log_says_why_added_accounts_stay(alice, school_a):
    run = do_import(
        school_a, alice, "Aa;;Anna;anna;geheim-wachtwoord-1;;1A;havo 1;;", actions=Actions(add=True)
    )
    Account.objects.filter(username="anna").update(last_login=timezone.now())
    import_undo(run=run, actor=alice)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNDO)
    lines = describe_entry(entry)
    assert "Na de import gebruikt of gewijzigd, dus blijven staan: anna" in lines
    assert not any("niet teruggezet" in line for line in lines)


def test_a_card_with_a_password_from_the_file_is_logged_as_the_current_one(alice, sara, class_a):
    # Sara's password came from the school (a file, a reset): not her own.
    sara.set_password("van-de-school-2026")
    sara.password_chosen = False
    sara.save()
    login_sheet_create(school_class=class_a, actor=alice)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_CARD, account=sara)
    assert describe_entry(entry) == ["klas 3HB: kaartje met het huidige wachtwoord"]
    # Once she chose her own (with the e-mailed link), the next card's entry says so.
    sara.password_chosen = True
    sara.save()
    login_sheet_create(school_class=class_a, actor=alice)
    newest = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_CARD, account=sara)
    assert describe_entry(newest.first()) == ["klas 3HB: kaartje met het eigen wachtwoord"]
