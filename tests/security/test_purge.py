"""`klasse purge --archived-before DATE [--school SLUG] [--dry-run]`: archived accounts
removed for good, a dry run that changes nothing, refused dates, and a record of every use."""

from __future__ import annotations

import datetime as dt
import io
import logging
import zoneinfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Account, AuditEntry, Role, SchoolClass
from klasse.imports.core.pipeline import run_import
from klasse.imports.models import ImportRun
from tests.conftest import client_for, make_account
from tests.security.conftest import ADD, csv_bytes, line

pytestmark = pytest.mark.django_db
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def archived(school, username: str, when: dt.datetime, **fields) -> Account:
    account = make_account(school, username, **fields)
    Account.objects.filter(pk=account.pk).update(archived_at=when)
    return account


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def purge(*options: str) -> str:
    out = io.StringIO()
    call_command("purge", *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_and_new(school_a, school_b, class_a):
    teacher = archived(school_a, "oude-docent", at(2024, 6, 1), role=Role.TEACHER)
    class_a.teachers.add(teacher)
    return {
        "old_a": archived(school_a, "oud-a", at(2024, 7, 1), school_class=class_a),
        "teacher": teacher,
        "old_b": archived(school_b, "oud-b", at(2025, 1, 15)),
        "recent": archived(school_a, "recent", at(2025, 9, 1)),
        "active": make_account(school_a, "actief"),
    }


def usernames() -> set[str]:
    return set(Account.objects.values_list("username", flat=True))


def test_it_removes_accounts_archived_before_the_date_for_good(old_and_new, alice, sara):
    run = ImportRun.objects.create(
        school=alice.school, actor=old_and_new["old_a"], file_name="f.csv"
    )
    output = purge("--archived-before", "2025-08-01")
    assert "Definitief verwijderd: 3 account(s)" in output
    assert "school-a: 2" in output and "school-b: 1" in output
    assert usernames() == {"recent", "actief", "alice", "sara"}
    assert not SchoolClass.teachers.through.objects.filter(account_id=old_and_new["teacher"].pk)
    run.refresh_from_db()
    assert run.actor is None
    # The usernames are free again: a later import may create them anew.
    report, _ = run_import(csv_bytes([line("oud-a")]), "f.csv", school=alice.school, actions=ADD)
    assert report["counts"]["add"] == 1


def test_school_limits_the_purge_to_one_school(old_and_new):
    output = purge("--archived-before", "2025-08-01", "--school", "school-b")
    assert "1 account(s)" in output
    assert usernames() == {"oude-docent", "oud-a", "recent", "actief"}


def test_a_dry_run_lists_the_counts_and_changes_nothing(old_and_new, caplog):
    before = list(Account.objects.order_by("pk").values())
    with caplog.at_level(logging.INFO, logger="klasse.audit"):
        output = purge("--archived-before", "2025-08-01", "--dry-run")
    assert "Proefrun, er is niets verwijderd: 3 account(s)" in output
    assert "school-a: 2" in output
    assert list(Account.objects.order_by("pk").values()) == before
    assert not AuditEntry.objects.exists()
    assert "--dry-run" in caplog.text


def test_the_day_is_the_schools_day(school_a):
    # 23:30 in Amsterdam on 31 July is still before 1 August there (21:30 UTC).
    archived(school_a, "laat", at(2025, 7, 31, 23, 30))
    archived(school_a, "vroeg", at(2025, 8, 1, 0, 30))
    purge("--archived-before", "2025-08-01")
    assert usernames() == {"vroeg"}


def test_each_purge_is_recorded_per_school_and_in_the_audit_log(old_and_new, caplog):
    with caplog.at_level(logging.INFO, logger="klasse.audit"):
        purge("--archived-before", "2025-08-01")
    entries = {e.school.slug: e for e in AuditEntry.objects.filter(action="purge")}
    assert set(entries) == {"school-a", "school-b"}
    assert entries["school-a"].details["count"] == 2
    assert entries["school-a"].details["archived_before"] == "2025-08-01"
    assert entries["school-a"].details["via"] == "klasse purge"
    (record,) = [r for r in caplog.records if r.name == "klasse.audit"]
    assert record.levelno == logging.WARNING and "removed for good" in record.getMessage()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2025-13-01", "geen datum"),
        ("01-08-2025", "JJJJ-MM-DD"),
        ("morgen", "geen datum"),
        ("", "geen datum"),
    ],
)
def test_an_unparseable_date_is_refused_in_dutch(old_and_new, value, words):
    with pytest.raises(CommandError, match=words):
        purge("--archived-before", value)
    assert len(usernames()) == 5


def test_a_future_date_is_refused_and_today_is_allowed(old_and_new):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(CommandError, match="ligt in de toekomst"):
        purge("--archived-before", tomorrow.isoformat())
    assert len(usernames()) == 5 and not AuditEntry.objects.exists()
    assert "4 account(s)" in purge("--archived-before", timezone.localdate().isoformat())


def test_an_unknown_school_is_refused(old_and_new):
    with pytest.raises(CommandError, match="Geen school"):
        purge("--archived-before", "2025-08-01", "--school", "bestaat-niet")
    assert len(usernames()) == 5


def test_active_accounts_are_never_purged(school_a, sara):
    purge("--archived-before", timezone.localdate().isoformat())
    assert usernames() == {"sara"}


def test_the_purge_shows_in_the_schools_audit_log(old_and_new, alice):
    purge("--archived-before", "2025-08-01")
    page = client_for(alice).get(reverse("users:audit"))
    assert page.status_code == 200
    assert "purge" in page.content.decode()
