"""A pupil who moves to another school keeps his ECK iD: it is unique among ACTIVE accounts
only, so an archived account at the old school never blocks it, and an archived account
whose ECK iD is active elsewhere is never restored (issue 16 follow-up, item 1)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Account
from klasse.accounts.services import eck_ids_active_elsewhere
from klasse.imports.core.pipeline import prepare_import, run_import
from tests.conftest import client_for, make_account
from tests.imports.test_eck_id import ALL, ECK_A, ECK_B, csv, pupil, row

pytestmark = pytest.mark.django_db


def test_an_archived_account_frees_its_eck_id_for_another_school(school_a, school_b):
    old = make_account(school_b, "oud", eck_id=ECK_A)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_account(school_a, "nieuw", eck_id=ECK_A)
    old.archived_at = timezone.now()
    old.save()
    make_account(school_a, "nieuw", eck_id=ECK_A)  # the constraint no longer refuses
    assert Account.objects.filter(eck_id=ECK_A).count() == 2


def test_the_import_at_the_new_school_adds_the_pupil_once_the_old_school_archived(
    school_a, school_b
):
    old = make_account(school_b, "groep8.oud", eck_id=ECK_A)
    plan = prepare_import(csv(row("anna", ECK_A)), "f.csv", school=school_a, actions=ALL).plan
    assert [p.code for p in plan.problems] == ["eck_id_taken"]
    message = plan.problems[0].message
    assert "zodra de vorige school het account archiveert" in message
    assert "beheerder van het platform" not in message
    old.archived_at = timezone.now()
    old.save()
    report, _ = run_import(csv(row("anna", ECK_A)), "f.csv", school=school_a, actions=ALL)
    assert report["counts"]["add"] == 1 and report["problems"] == []
    assert Account.objects.get(username="anna", school=school_a).eck_id == ECK_A


def test_an_import_does_not_restore_an_account_whose_eck_id_is_active_elsewhere(
    school_a, school_b, class_a
):
    mine = pupil(school_a, "anna", class_a, eck_id=ECK_A, archived_at=timezone.now())
    make_account(school_b, "anna.elders", eck_id=ECK_A)
    plan = prepare_import(csv(row("anna", ECK_A)), "f.csv", school=school_a, actions=ALL).plan
    assert [p.code for p in plan.problems] == ["eck_id_taken"] and plan.counts["error"] == 1
    run_import(csv(row("anna", ECK_A)), "f.csv", school=school_a, actions=ALL)
    mine.refresh_from_db()
    assert mine.archived_at is not None


def test_a_row_without_eck_id_column_does_not_restore_such_an_account(school_a, school_b, class_a):
    mine = pupil(school_a, "anna", class_a, eck_id=ECK_A, archived_at=timezone.now())
    make_account(school_b, "anna.elders", eck_id=ECK_A)
    header = (
        "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;klas;opleiding"
    )
    data = csv("Berg;;Anna;anna;;anna@example.nl;3HB;havo 3", header=header)
    plan = prepare_import(data, "f.csv", school=school_a, actions=ALL).plan
    assert [p.code for p in plan.problems] == ["eck_id_taken"]
    assert "kan niet worden teruggezet" in plan.problems[0].message
    mine.refresh_from_db()
    assert mine.archived_at is not None


def test_restoring_by_hand_is_refused_with_a_reason(school_a, school_b, alice):
    mine = make_account(school_a, "anna", eck_id=ECK_A, archived_at=timezone.now())
    make_account(school_b, "anna.elders", eck_id=ECK_A)
    response = client_for(alice).post(reverse("users:restore", args=[mine.pk]), follow=True)
    mine.refresh_from_db()
    assert mine.archived_at is not None
    assert "kan niet worden teruggezet" in response.content.decode()


def test_restoring_by_hand_works_when_the_eck_id_is_free(school_a, school_b, alice):
    mine = make_account(school_a, "anna", eck_id=ECK_A, archived_at=timezone.now())
    make_account(school_b, "anna.elders", eck_id=ECK_A, archived_at=timezone.now())
    client_for(alice).post(reverse("users:restore", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.archived_at is None


def test_the_bulk_check_names_the_archived_accounts_whose_eck_id_is_active_elsewhere(
    school_a, school_b
):
    gone = timezone.now()
    blocked = make_account(school_a, "anna", eck_id=ECK_A, archived_at=gone)
    free = make_account(school_a, "bert", eck_id=ECK_B, archived_at=gone)
    plain = make_account(school_a, "cor", archived_at=gone)
    make_account(school_b, "anna.elders", eck_id=ECK_A)
    make_account(school_b, "bert.elders", eck_id=ECK_B, archived_at=gone)
    assert eck_ids_active_elsewhere([blocked, free, plain]) == {blocked.pk}


def test_an_undo_leaves_archived_whom_another_school_has_active_now(school_a, school_b, alice):
    """The import archived Anna; she moved on and her new school has her ECK iD active: an
    undo of that archiving keeps her archived and says why, instead of failing."""
    from klasse.imports.models import ImportRun
    from klasse.imports.services import import_run_record_cli
    from klasse.imports.undo import import_undo

    pupil(school_a, "anna", None, eck_id=ECK_A)
    stays = csv(row("bram", ECK_B))
    record = import_run_record_cli(
        school=school_a, file_name="f.csv", data=stays, actions=ALL.as_list(), actor=alice
    )
    report, _ = run_import(stays, "f.csv", school=school_a, actions=ALL, record=record)
    assert report["counts"]["archive"] == 1
    make_account(school_b, "anna.nieuw", eck_id=ECK_A)  # active at her new school
    result = import_undo(run=ImportRun.objects.get(school=school_a), actor=alice)
    anna = Account.objects.get(school=school_a, username="anna")
    assert anna.archived_at is not None and result.restored == []
    assert [(k.username, k.fields) for k in result.kept] == [("anna", ["eck_id_elsewhere"])]
