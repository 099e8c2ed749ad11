"""The audit log: who did what to which account and when, for the school's administrator."""

import pytest
from django.urls import reverse

from klasse.accounts.audit import audit_entries_for_school, audit_record, describe_entry
from klasse.accounts.models import AuditEntry
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from tests.conftest import client_for, make_account, template_csv

pytestmark = pytest.mark.django_db


def import_students(school, actor, n: int) -> ImportRun:
    data = template_csv(
        *[f"Kind{i};;Kind;kind{i};geheim-wachtwoord-{i};;3HB;havo 3;;" for i in range(n)]
    )
    record = import_run_record_cli(
        school=school, file_name="klas.csv", data=data, actions=["add"], actor=actor
    )
    run_import(data, "klas.csv", school=school, actions=Actions(add=True), record=record)
    return ImportRun.objects.get(school=school)


def test_each_change_to_an_account_is_logged_with_who_and_whom(alice, sara, tom):
    client = client_for(alice)
    client.post(reverse("users:archive", args=[tom.pk]))
    client.post(reverse("users:restore", args=[tom.pk]))
    client.post(reverse("users:password", args=[sara.pk]))
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor", "account"))
    assert entries == [
        ("archive", alice.pk, tom.pk),
        ("restore", alice.pk, tom.pk),
        ("password", alice.pk, sara.pk),
    ]


def test_an_import_is_one_entry_in_the_school_log_however_many_accounts_it_adds(alice):
    run = import_students(alice.school, alice, 40)
    (entry,) = audit_entries_for_school(alice.school_id)
    assert entry.action == "import" and entry.actor == alice
    per_account = AuditEntry.objects.filter(action="import_account")
    assert per_account.count() == 40  # one on each account's own page
    assert {e.details["run"] for e in per_account} == {str(run.pk)}
    assert entry.details["run"] == str(run.pk) and entry.details["counts"]["add"] == 40
    assert "klas.csv: 40 nieuw" in describe_entry(entry)[0]


def test_the_log_page_shows_entries_and_links_to_the_import(alice, sara):
    run = import_students(alice.school, alice, 2)
    client_for(alice).post(reverse("users:archive", args=[sara.pk]))
    html = client_for(alice).get(reverse("users:audit")).content.decode()
    assert "gearchiveerd" in html and "sara" in html and "alice" in html
    assert reverse("history:detail", args=[run.pk]) in html
    assert reverse("users:edit", args=[sara.pk]) in html


def test_the_log_can_be_filtered_on_what_happened(alice, sara):
    client = client_for(alice)
    client.post(reverse("users:archive", args=[sara.pk]))
    client.post(reverse("users:restore", args=[sara.pk]))
    response = client.get(reverse("users:audit"), {"actie": "restore"})
    assert [entry.action for entry, _ in response.context["rows"]] == ["restore"]
    assert client.get(reverse("users:audit"), {"actie": "nonsense"}).status_code == 200


def test_an_entry_keeps_the_username_after_the_account_is_removed(alice, school_a):
    gone = make_account(school_a, "weg")
    audit_record(school_id=school_a.pk, actor=alice, action="edit", account=gone)
    gone.delete()
    entry = AuditEntry.objects.get()
    assert entry.account is None and entry.username == "weg"
    assert "weg" in client_for(alice).get(reverse("users:audit")).content.decode()


def test_edits_are_described_field_by_field(alice, sara):
    client_for(alice).post(
        reverse("users:edit", args=[sara.pk]),
        {
            "first_name": "Sara",
            "infix": "van der",
            "last_name": "Berg",
            "email": "",
            "external_id": "",
            "role": "teacher",
            "class_name": "3HB",
            "programme": "",
        },
    )
    lines = describe_entry(AuditEntry.objects.get(action="edit"))
    assert "rol: leerling → docent" in lines and "opleiding: havo 3 → —" in lines


def test_the_log_escapes_what_it_shows(alice, sara):
    sara.username = "<b>sara</b>"
    audit_record(
        school_id=alice.school_id,
        actor=alice,
        action="edit",
        account=sara,
        details={"changes": {"first_name": ["<i>x</i>", "y"]}},
    )
    html = client_for(alice).get(reverse("users:audit")).content.decode()
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert "<b>sara</b>" not in html


def test_another_schools_administrator_sees_none_of_it(alice, bob, sara):
    client_for(alice).post(reverse("users:archive", args=[sara.pk]))
    response = client_for(bob).get(reverse("users:audit"))
    assert response.context["rows"] == [] and "sara" not in response.content.decode()


def test_teachers_and_students_do_not_see_the_log(tom, sara):
    assert client_for(tom).get(reverse("users:audit")).status_code == 403
    assert client_for(sara).get(reverse("users:audit")).status_code == 403


def test_the_account_page_shows_its_own_history(alice, sara, tom):
    client = client_for(alice)
    client.post(reverse("users:archive", args=[sara.pk]))
    client.post(reverse("users:archive", args=[tom.pk]))
    rows = client.get(reverse("users:edit", args=[sara.pk])).context["entries"]
    assert [entry.account for entry, _ in rows] == [sara]


def test_a_purge_by_the_operator_is_shown_with_its_count(alice):
    audit_record(
        school_id=alice.school_id,
        actor=None,
        action="purge",
        details={"count": 12, "via": "klasse purge"},
    )
    (entry,) = AuditEntry.objects.all()
    assert entry.get_action_display() == "definitief verwijderd"
    assert describe_entry(entry) == [
        "12 gearchiveerde accounts definitief verwijderd (klasse purge)"
    ]
