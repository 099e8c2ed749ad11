"""Fix17, item 3: undoing a new school year's import after the class its students left was
removed by hand. An undo puts back what was: the class is made again by its name and the
students go back into it, with their programme; the preview says so, and each account is
in exactly one of its tiles (removed, kept, restored, set back)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.audit import audit_record
from klasse.accounts.classes import classes_delete
from klasse.accounts.models import Account, AuditEntry, Role, SchoolClass
from klasse.imports.core.planning import Actions
from klasse.imports.undo import import_undo
from tests.conftest import client_for, make_account
from tests.imports.test_history_undo import do_import, undo_confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_year(alice, school_a):
    return new_year_with(alice, school_a)


def new_year_with(alice, school_a, teachers=()):
    """Anna, Bo and Cas in 1A (havo 1); then a new year's file moves Anna and Bo to 2A
    (havo 2) and archives Cas (left 1A with one archived student). The administrator moves
    Cas to 2A by hand and removes the now empty 1A (linked to `teachers` until then)."""
    do_import(
        school_a,
        alice,
        "Aa;;Anna;anna;geheim-wachtwoord-1;;1A;havo 1;;",
        "Boer;;Bo;bo;geheim-wachtwoord-2;;1A;havo 1;;",
        "Claes;;Cas;cas;geheim-wachtwoord-3;;1A;havo 1;;",
        actions=Actions(add=True),
        name="brugklas.csv",
    )
    run = do_import(
        school_a,
        alice,
        "Aa;;Anna;anna;;;2A;havo 2;;",
        "Boer;;Bo;bo;;;2A;havo 2;;",
        actions=Actions(update=True, archive=True),
        name="nieuw-jaar.csv",
    )
    cas = Account.objects.get(username="cas")
    assert cas.archived_at is not None and cas.school_class.name == "1A"
    class_2a = SchoolClass.objects.get(school=school_a, name="2A")
    Account.objects.filter(pk=cas.pk).update(school_class=class_2a, updated_at=timezone.now())
    audit_record(
        school_id=school_a.pk,
        actor=alice,
        action=AuditEntry.Action.EDIT,
        account=cas,
        details={"changes": {"class_name": ["1A", "2A"]}},
    )
    SchoolClass.objects.get(school=school_a, name="1A").teachers.add(*teachers)
    removed, refused = classes_delete(
        school_id=school_a.pk,
        ids=[SchoolClass.objects.get(school=school_a, name="1A").pk],
        actor=alice,
    )
    assert removed == ["1A"] and refused == []
    return run


def test_the_recreated_class_gets_back_the_teachers_it_had_when_it_was_removed(
    alice, school_a, tom
):
    """Fixlast, item 1: the CLASS_DELETE entry records the teachers; the class made again
    is theirs again (those still active), else its teacher gets 404 on it."""
    gone = make_account(school_a, "oud-docent", role=Role.TEACHER)
    run = new_year_with(alice, school_a, teachers=[tom, gone])
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CLASS_DELETE)
    assert entry.details["teachers"] == ["oud-docent", "tom"]
    Account.objects.filter(pk=gone.pk).update(archived_at=timezone.now())
    import_undo(run=run, actor=alice)
    again = SchoolClass.objects.get(school=school_a, name="1A")
    assert list(again.teachers.all()) == [tom]
    page = client_for(tom).get(reverse("class_detail", args=[again.pk]))
    assert page.status_code == 200 and "Anna" in page.content.decode()


def test_the_undo_makes_the_removed_class_again_and_puts_the_students_back(alice, new_year):
    preview = import_undo(run=new_year, actor=alice, confirm=False)
    assert preview.classes_recreated == ["1A"]
    assert not SchoolClass.objects.filter(name="1A").exists()  # a preview changes nothing
    # One place each: Anna and Bo set back; Cas (whom someone moved since) restored as is.
    assert preview.kept == [] and preview.removed == []
    assert preview.restored == ["cas"] and sorted(preview.reverted) == ["anna", "bo"]
    places = [*preview.removed, *preview.restored, *(c["username"] for c in preview.changes)]
    places += [k.username for k in preview.kept]
    assert sorted(places) == ["anna", "bo", "cas"]
    anna = next(c for c in preview.changes if c["username"] == "anna")
    assert anna["changes"]["class_name"] == ["2A", "1A"]
    assert anna["changes"]["programme"] == ["havo 2", "havo 1"]
    assert "kept" not in anna

    result = import_undo(run=new_year, actor=alice)
    assert result.classes_recreated == ["1A"]
    for username in ("anna", "bo"):
        account = Account.objects.get(username=username)
        assert account.school_class.name == "1A" and account.programme.code == "havo 1"
    cas = Account.objects.get(username="cas")
    assert cas.archived_at is None and cas.school_class.name == "2A"


def test_the_preview_page_says_the_class_is_made_again(alice, new_year):
    client = client_for(alice)
    page = client.post(reverse("history:undo", args=[new_year.pk])).content.decode()
    assert "Klas 1A is na de import verwijderd en wordt opnieuw gemaakt" in page
    undo_confirmed(client, new_year)
    detail = client.get(reverse("history:detail", args=[new_year.pk])).content.decode()
    assert "Klas opnieuw gemaakt om leerlingen terug te zetten: 1A" in detail


def test_archived_leavers_of_a_removed_class_go_back_into_it(alice, school_a):
    """Fix17, item 4 with 3: the new year's file archived Cas in 1A; the administrator
    removed 1A (only archived leavers in it: he stays, without class). Undoing the import
    restores Cas into 1A, made again."""
    do_import(
        school_a,
        alice,
        "Aa;;Anna;anna;geheim-wachtwoord-1;;1A;havo 1;;",
        "Claes;;Cas;cas;geheim-wachtwoord-3;;1A;havo 1;;",
        actions=Actions(add=True),
        name="brugklas.csv",
    )
    run = do_import(
        school_a,
        alice,
        "Aa;;Anna;anna;;;2A;havo 2;;",
        actions=Actions(update=True, archive=True),
        name="nieuw-jaar.csv",
    )
    class_1a = SchoolClass.objects.get(school=school_a, name="1A")
    assert classes_delete(school_id=school_a.pk, ids=[class_1a.pk], actor=alice)[0] == ["1A"]
    assert Account.objects.get(username="cas").school_class is None
    preview = import_undo(run=run, actor=alice, confirm=False)
    assert preview.classes_recreated == ["1A"] and preview.restored == ["cas"]
    import_undo(run=run, actor=alice)
    cas = Account.objects.get(username="cas")
    assert cas.archived_at is None and cas.school_class.name == "1A"
    assert Account.objects.get(username="anna").school_class.name == "1A"
