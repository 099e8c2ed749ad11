"""Undo an import within 30 days, without undoing what someone changed since.

The run's `changes` say what the import wrote: the accounts it added, the fields it
changed (before and after), the accounts it archived. An undo compares each account as it
is now with what the import left behind; where they differ, someone changed it since, and
the undo names that account and leaves it alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klasse.accounts.audit import Action, audit_record
from klasse.accounts.models import Account, Role, School, SchoolClass

from .models import ImportRun

UNDO_DAYS = 30
Link = SchoolClass.teachers.through
CHUNK = 2000
# What the import records per updated account (applying.UPDATE_FIELDS), by the names the
# audit log shows (klasse.accounts.audit.FIELD_LABELS).
FIELD_NAMES = {
    "first_name": "first_name",
    "infix": "infix",
    "last_name": "last_name",
    "email": "email",
    "role": "role",
    "external_id": "external_id",
    "school_class_id": "class_name",
    "programme_id": "programme",
    "archived_at": "status",
}
_NAMES_KEPT = 200  # usernames stored per list in the log; the counts are always complete


class UndoRefused(Exception):
    """This run cannot be undone (any more); the message says why, in Dutch."""


@dataclass
class Kept:
    """An account the undo left alone because someone changed it after the import."""

    username: str
    name: str
    fields: list[str]  # names as in klasse.accounts.audit.FIELD_LABELS


@dataclass
class UndoResult:
    removed: list[str] = field(default_factory=list)  # added, never used: deleted
    archived: list[str] = field(default_factory=list)  # added and used since: archived
    restored: list[str] = field(default_factory=list)  # archived by the import: active again
    reverted: list[str] = field(default_factory=list)  # fields set back
    kept: list[Kept] = field(default_factory=list)
    missing: int = 0  # accounts the import touched that no longer exist
    classes_lost: list[str] = field(default_factory=list)  # teachers again, without classes

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("removed", "archived", "restored", "reverted"):
            data[f"{name}_count"] = len(data[name])
            data[name] = data[name][:_NAMES_KEPT]
        return data


def undo_refusal(run: ImportRun, *, now: datetime | None = None) -> str | None:
    """Why `run` cannot be undone, or None when it can."""
    now = now or timezone.now()
    if run.undone_at is not None or run.status == ImportRun.Status.UNDONE:
        return _("Deze import is al ongedaan gemaakt.")
    if run.status != ImportRun.Status.DONE:
        return _("Alleen een voltooide import kan ongedaan worden gemaakt.")
    finished = run.finished_at or run.created_at
    if finished < now - timedelta(days=UNDO_DAYS):
        return _(
            "Deze import is meer dan %(days)s dagen oud en kan niet meer ongedaan worden "
            "gemaakt. Pas de accounts zo nodig aan onder GEBRUIKERS."
        ) % {"days": UNDO_DAYS}
    return None


def import_undo(*, run: ImportRun, actor: Account) -> UndoResult:
    """1. lock the school (no import runs meanwhile) and the run, and check it may be
    undone; 2. remove or archive what it added; 3. restore what it archived; 4. set back the
    fields it changed that nobody changed since; 5. mark the run undone and log it.
    One transaction: all of it happens, or none."""
    with transaction.atomic():
        School.objects.select_for_update().get(pk=run.school_id)
        run = ImportRun.objects.select_for_update().get(pk=run.pk, school_id=run.school_id)
        refusal = undo_refusal(run)
        if refusal:
            raise UndoRefused(refusal)
        now = timezone.now()
        finished = run.finished_at or run.created_at
        changes = run.changes or {}
        result = UndoResult()
        _undo_added(run.school_id, changes.get("added", []), now, result)
        _undo_archived(run.school_id, changes.get("archived", []), finished, now, result)
        _undo_updated(run.school_id, changes.get("updated", []), now, result)
        run.status = ImportRun.Status.UNDONE
        run.undone_at = now
        run.undone_by = actor
        run.save(update_fields=["status", "undone_at", "undone_by"])
        audit_record(
            school_id=run.school_id,
            actor=actor,
            action=Action.UNDO,
            details={"run": str(run.pk), "file_name": run.file_name, "result": result.as_dict()},
        )
    return result


def _accounts(school_id: int, ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield from Account.objects.filter(school_id=school_id, pk__in=ids[start : start + CHUNK])


def _undo_added(school_id: int, ids: list[int], now, result: UndoResult) -> None:
    """Never used (no login yet): removed. Used: archived, so that its data stays."""
    remove, archive = [], []
    for account in _accounts(school_id, ids):
        if account.last_login is None:
            remove.append(account)
        else:
            archive.append(account)
    result.missing += len(ids) - len(remove) - len(archive)
    for start in range(0, len(remove), CHUNK):
        chunk = remove[start : start + CHUNK]
        Account.objects.filter(pk__in=[a.pk for a in chunk]).delete()
    result.removed = sorted(a.username for a in remove)
    still_active = [a.pk for a in archive if a.archived_at is None]
    for start in range(0, len(still_active), CHUNK):
        Account.objects.filter(pk__in=still_active[start : start + CHUNK]).update(
            archived_at=now, updated_at=now
        )
    result.archived = sorted(a.username for a in archive)


def _undo_archived(school_id: int, ids: list[int], finished, now, result: UndoResult) -> None:
    """Restore what the import archived. Archived again later (after the import finished)
    means someone decided that since: left alone. Already active again: nothing to do."""
    restore = []
    found = 0
    for account in _accounts(school_id, ids):
        found += 1
        if account.archived_at is None:
            continue
        if account.archived_at > finished:
            result.kept.append(Kept(account.username, account.full_name, ["status"]))
        else:
            restore.append(account)
    result.missing += len(ids) - found
    for start in range(0, len(restore), CHUNK):
        Account.objects.filter(pk__in=[a.pk for a in restore[start : start + CHUNK]]).update(
            archived_at=None, updated_at=now
        )
    result.restored = sorted(a.username for a in restore)


def _undo_updated(school_id: int, updated: list[dict], now, result: UndoResult) -> None:
    """Per field: still what the import wrote → set back; anything else → someone changed
    it since, so it stays and the account is named."""
    by_id = {entry["id"]: entry for entry in updated}
    found = 0
    for account in _accounts(school_id, list(by_id)):
        found += 1
        entry = by_id[account.pk]
        before, after = entry.get("before", {}), entry.get("after", {})
        restore, changed_since = {}, []
        for name in FIELD_NAMES:
            if name not in before or name not in after or before[name] == after[name]:
                continue
            if _jsonable(getattr(account, name)) == after[name]:
                restore[name] = _from_json(name, before[name])
            else:
                changed_since.append(FIELD_NAMES[name])
        if restore:
            Account.objects.filter(pk=account.pk).update(**restore, updated_at=now)
            result.reverted.append(account.username)
            if restore.get("role") == Role.STUDENT:
                Link.objects.filter(account_id=account.pk).delete()
            elif restore.get("role") == Role.TEACHER:
                # The import removed this teacher's classes and did not record them.
                result.classes_lost.append(account.username)
        if changed_since:
            result.kept.append(Kept(account.username, account.full_name, changed_since))
    result.missing += len(by_id) - found
    result.reverted.sort()
    result.kept.sort(key=lambda kept: kept.username.casefold())


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _from_json(name: str, value):
    if name == "archived_at" and value is not None:
        return datetime.fromisoformat(value)
    return value
