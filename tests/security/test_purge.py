"""`klasse purge --archived-before DATE [--school SLUG] [--dry-run]`: archived accounts
removed for good, a dry run that changes nothing, refused dates, and a record of every use."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zoneinfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.audit import audit_record
from klasse.accounts.models import Account, AuditEntry, Programme, Role, SchoolClass
from klasse.accounts.scrub import PURGED
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from klasse.imports.undo import import_undo
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


# --- removed for good: the audit log and the import history forget the names ----------

# Everything that names the purged student Zoë Oudhof (oud-a) and teacher `oude-docent`.
PURGED_TRACES = (
    "oud-a",
    "Oudhof",
    "Zoë",
    "zoe.oudhof@example.nl",
    "S-77001",
    "oude-docent",
)


def import_as(alice, *rows: list[str]) -> ImportRun:
    data = csv_bytes(list(rows))
    earlier = set(ImportRun.objects.values_list("pk", flat=True))
    record = import_run_record_cli(
        school=alice.school,
        file_name="leerlingen.csv",
        data=data,
        actions=["add", "update"],
        actor=alice,
    )
    run_import(
        data, "f.csv", school=alice.school, actions=Actions(add=True, update=True), record=record
    )
    return ImportRun.objects.exclude(pk__in=earlier).get()


@pytest.fixture
def history(alice, class_a):
    """School A's log and history name Zoë Oudhof (`oud-a`) and the teacher `oude-docent`,
    both archived in 2024, and Bram (`actief`), who stays."""
    havo = Programme.objects.get(code="havo 3")
    common = {"school_class": class_a, "programme": havo}
    zoe = make_account(
        alice.school,
        "oud-a",
        first_name="Zoë",
        last_name="Oudhof",
        email="zoe.oudhof@example.nl",
        external_id="S-77001",
        **common,
    )
    bram = make_account(
        alice.school,
        "actief",
        first_name="Bram",
        last_name="Blijft",
        email="ouders@example.nl",
        **common,
    )
    teacher = make_account(alice.school, "oude-docent", Role.TEACHER, first_name="Dirk")
    # Row 2 updates Zoë (her first name read with the wrong character set), row 3 is a new
    # child who looks like her, row 4 updates Bram, row 5 is someone else with a warning.
    undone = import_as(
        alice,
        line(
            "oud-a",
            voornaam="ZoÃ«",
            achternaam="Oudhof-Jansen",
            e_mailadres="zoe.oudhof@example.nl",
            stamnummer="S-77001",
        ),
        line("zoe2", voornaam="Zoë", achternaam="Oudhof"),
        line("actief", voornaam="Bram", achternaam="Blijft-Anders"),
        line("ander", voornaam="RenÃ©", achternaam="Ander"),
    )
    import_undo(run=undone, actor=alice)
    kept = import_as(
        alice,
        line(
            "oud-a",
            voornaam="Zoë",
            achternaam="Oudhof-Smit",
            e_mailadres="zoe.oudhof@example.nl",
            stamnummer="S-77001",
        ),
    )
    audit_record(
        school_id=alice.school_id,
        actor=alice,
        action=AuditEntry.Action.EDIT,
        account=zoe,
        details={"changes": {"last_name": ["Oudhof-Smit", "Oudhof"], "class_name": ["3HB", "4HB"]}},
    )
    audit_record(
        school_id=alice.school_id,
        actor=alice,
        action=AuditEntry.Action.PASSWORD_LINK,
        account=zoe,
        details={"email": "zoe.oudhof@example.nl"},
    )
    audit_record(
        school_id=alice.school_id,
        actor=teacher,
        action=AuditEntry.Action.LOGIN_SHEET,
        details={"class": "3HB", "cards": 2},
    )
    for account in (zoe, teacher):
        Account.objects.filter(pk=account.pk).update(archived_at=at(2024, 6, 1))
    return {"zoe": zoe, "bram": bram, "undone": undone, "kept": kept}


def traces(text: str) -> list[str]:
    return [trace for trace in PURGED_TRACES if trace in text]


def everything_kept() -> str:
    entries = AuditEntry.objects.order_by("pk").values("username", "actor_username", "details")
    runs = ImportRun.objects.order_by("pk").values("report", "changes", "counts")
    return json.dumps([list(entries), list(runs)], ensure_ascii=False, default=str)


def test_the_history_names_the_purged_people_before_the_purge(history):
    assert set(traces(everything_kept())) == set(PURGED_TRACES)


def test_the_audit_log_and_the_import_history_keep_no_name_of_a_purged_account(history, alice):
    entries, runs = AuditEntry.objects.count(), ImportRun.objects.count()
    output = purge("--archived-before", "2025-08-01")
    assert traces(everything_kept()) == []
    # Who did what and when stays: every entry and run, and the purge is one entry more.
    assert AuditEntry.objects.count() == entries + 1 and ImportRun.objects.count() == runs
    # 7 entries: the edit, the link, the teacher's sheet, the undo, and Zoë's own entries of
    # the two imports and of the undo (issue 17, item 9).
    assert "namen ook verwijderd uit 7 logboekregel(s) en 2 import(s)" in output
    for page in (reverse("users:audit"), reverse("history:detail", args=[history["undone"].pk])):
        html = client_for(alice).get(page).content.decode()
        assert traces(html) == [] and PURGED in html


def test_audit_entries_about_or_by_a_purged_account_stay_without_the_name(history):
    purge("--archived-before", "2025-08-01")
    edit = AuditEntry.objects.get(action="edit")
    assert edit.username == PURGED and edit.account is None
    assert edit.details["changes"] == {"last_name": [PURGED, PURGED], "class_name": ["3HB", "4HB"]}
    assert AuditEntry.objects.get(action="password_link").details == {"email": PURGED}
    sheet = AuditEntry.objects.get(action="login_sheet")
    assert sheet.actor_username == PURGED and sheet.details == {"class": "3HB", "cards": 2}
    assert (
        AuditEntry.objects.get(action="import", details__run=str(history["kept"].pk)).actor_username
        == "alice"
    )


def test_an_undos_result_names_the_others_still(history):
    purge("--archived-before", "2025-08-01")
    result = AuditEntry.objects.get(action="undo").details["result"]
    assert sorted(result["reverted"]) == sorted([PURGED, "actief"])
    assert sorted(result["removed"]) == ["ander", "zoe2"]
    assert result["reverted_count"] == 2


def without_messages(problems: list[dict]) -> list[dict]:
    return [{k: v for k, v in p.items() if k != "message"} for p in problems]


def test_report_rows_of_a_purged_account_lose_their_values_and_keep_their_codes(history):
    run = history["undone"]
    before = ImportRun.objects.get(pk=run.pk).report["problems"]
    purge("--archived-before", "2025-08-01")
    after = ImportRun.objects.get(pk=run.pk).report["problems"]
    assert without_messages(after) == without_messages(before)
    by_row = {p["row"]: p["message"] for p in after}
    assert set(by_row) == {2, 3, 5}
    # Row 2 was Zoë; row 3's warning named her; row 5 is René, who stays.
    assert by_row[2].startswith(f"Rij 2: {PURGED}") and by_row[3].startswith(f"Rij 3: {PURGED}")
    assert "RenÃ©" in by_row[5]


def test_the_values_recorded_for_undo_go_and_the_ids_stay(history):
    purge("--archived-before", "2025-08-01")
    changes = ImportRun.objects.get(pk=history["undone"].pk).changes
    by_id = {entry["id"]: entry for entry in changes["updated"]}
    zoe, bram = by_id[history["zoe"].pk], by_id[history["bram"].pk]
    assert (zoe["before"], zoe["after"]) == ({}, {}) and zoe["fields"]
    assert bram["before"]["last_name"] == "Blijft" and bram["after"]["last_name"] == "Blijft-Anders"
    assert len(changes["added"]) == 2


def test_a_run_that_updated_a_purged_account_can_still_be_undone(history, alice):
    purge("--archived-before", "2025-08-01")
    result = import_undo(run=history["kept"], actor=alice)
    assert result.missing == 1 and result.reverted == [] and result.kept == []


def test_the_purges_own_record_holds_counts_and_no_names(history, caplog):
    with caplog.at_level(logging.INFO, logger="klasse.audit"):
        purge("--archived-before", "2025-08-01")
    entry = AuditEntry.objects.get(action="purge")
    assert (entry.username, entry.account, entry.actor) == ("", None, None)
    assert set(entry.details) == {
        "archived_before",
        "count",
        "audit_entries_scrubbed",
        "import_runs_scrubbed",
        "by",
        "via",
    }
    assert (entry.details["count"], entry.details["audit_entries_scrubbed"]) == (2, 7)
    assert traces(json.dumps(entry.details, ensure_ascii=False)) == []
    assert traces(caplog.text) == []


def test_a_dry_run_leaves_the_log_and_the_history_as_they_were(history):
    before = everything_kept()
    purge("--archived-before", "2025-08-01", "--dry-run")
    assert everything_kept() == before


def test_a_purge_of_another_school_leaves_this_schools_log_and_history_alone(history, school_b):
    archived(school_b, "oud-b", at(2024, 6, 1))
    purge("--archived-before", "2025-08-01", "--school", "school-b")
    assert set(traces(everything_kept())) == set(PURGED_TRACES)
    assert AuditEntry.objects.get(action="purge").details["audit_entries_scrubbed"] == 0
