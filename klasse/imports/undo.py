"""Undo an import within 30 days, without undoing what someone changed since.

The run's `changes` say what the import wrote: the accounts it added, the fields it
changed (before and after, a password as its hash), the accounts it archived, the classes
it created and the teachers' classes it changed. An undo compares each account as it is now
with what the import left behind; where they differ, someone changed it since, and the undo
names that account and leaves it alone.

Runs recorded before imports kept teachers' classes, password hashes and created classes
lack those records: their undo leaves those as they are (`classes_lost` names the teachers
who are teachers again without their classes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from klasse.accounts.audit import Action, audit_record
from klasse.accounts.models import Account, Role, School, SchoolClass

from .core.school_accounts import (
    member_group_ids,
    set_group_members,
    teacher_class_ids,
    teachers_unlink,
)
from .models import ImportRun

UNDO_DAYS = 30
Link = SchoolClass.teachers.through
Member = Account.groups.through  # a pupil in a group
CHUNK = 2000
# What the import records per updated account (account_values.UPDATE_FIELDS), by the names the
# audit log shows (klasse.accounts.audit.FIELD_LABELS).
FIELD_NAMES = {
    "first_name": "first_name",
    "infix": "infix",
    "last_name": "last_name",
    "email": "email",
    "role": "role",
    "external_id": "external_id",
    "eck_id": "eck_id",
    "username": "username",
    "school_class_id": "class_name",
    "programme_id": "programme",
    "archived_at": "status",
    "password": "password",  # the hash; recorded only where the import set a password
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
    classes_removed: list[str] = field(default_factory=list)  # created by the import, empty

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("removed", "archived", "restored", "reverted", "classes_removed"):
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


def undo_is_complete(changes: dict) -> bool:
    """Whether the run recorded teachers' classes, passwords and created classes (every
    run since they were recorded), so that its undo sets those back too."""
    return "teacher_classes" in changes


def import_undo(*, run: ImportRun, actor: Account) -> UndoResult:
    """1. lock the school (no import runs meanwhile) and the run, and check it may be
    undone; 2. remove or archive what it added; 3. restore what it archived; 4. set back the
    fields it changed that nobody changed since, then the teachers' classes; 5. remove the
    classes it created that are empty now; 6. mark the run undone and log it.
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
        roles = _undo_updated(run.school_id, changes.get("updated", []), now, result)
        if undo_is_complete(changes):
            _undo_teacher_classes(run.school_id, changes["teacher_classes"], roles, result)
        else:
            _unlink_or_name(run.school_id, roles, result)
        _undo_group_members(run.school_id, changes.get("group_members", []), result)
        _undo_created_classes(run.school_id, changes.get("created_classes", []), result)
        result.reverted.sort()
        result.kept.sort(key=lambda kept: kept.username.casefold())
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
            archived_at=now, updated_at=now, times_archived=F("times_archived") + 1
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


def _undo_updated(school_id: int, updated: list[dict], now, result: UndoResult) -> dict[int, str]:
    """Per field: still what the import wrote → set back; anything else → someone changed
    it since, so it stays and the account is named. Returns the roles set back, by id."""
    by_id = {entry["id"]: entry for entry in updated}
    roles: dict[int, str] = {}
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
        if "username" in restore and _username_in_use(restore["username"], account.pk):
            del restore["username"]  # taken since by another account: it stays
            changed_since.append("username")
        if restore:
            if restore.get("archived_at") is not None:  # archived again: sessions end
                restore["times_archived"] = F("times_archived") + 1
            Account.objects.filter(pk=account.pk).update(**restore, updated_at=now)
            result.reverted.append(account.username)
            if "role" in restore:
                roles[account.pk] = restore["role"]
        if changed_since:
            result.kept.append(Kept(account.username, account.full_name, changed_since))
    result.missing += len(by_id) - found
    return roles


def _unlink_or_name(school_id: int, roles: dict[int, str], result: UndoResult) -> None:
    """A run that did not record teachers' classes: back to student → no classes; back to
    teacher → named, because the classes the import removed are not known."""
    teachers_unlink([pk for pk, role in roles.items() if role == Role.STUDENT])
    teachers = [pk for pk, role in roles.items() if role == Role.TEACHER]
    result.classes_lost = sorted(a.username for a in _accounts(school_id, teachers))


def _undo_teacher_classes(
    school_id: int, recorded: list[dict], roles: dict[int, str], result: UndoResult
) -> None:
    """Back to student → no classes. A teacher whose classes are still the ones the import
    left gets the ones from before back (those that still exist); classes changed since
    stay, and the account is named."""
    students = {pk for pk, role in roles.items() if role == Role.STUDENT}
    teachers_unlink(list(students))
    entries = {e["id"]: e for e in recorded if e["id"] not in students}
    now_linked = teacher_class_ids(list(entries))
    wanted = list({pk for e in entries.values() for pk in e["before"]})
    still_there = set()
    for start in range(0, len(wanted), CHUNK):
        classes = SchoolClass.objects.filter(
            school_id=school_id, pk__in=wanted[start : start + CHUNK]
        )
        still_there.update(classes.values_list("pk", flat=True))
    kept = {k.username: k for k in result.kept}
    relink, links = [], []
    reverted = set(result.reverted)
    for account in _accounts(school_id, list(entries)):
        entry = entries[account.pk]
        if now_linked.get(account.pk, set()) != set(entry["after"]):
            if account.username in kept:
                kept[account.username].fields.append("classes")
            else:
                result.kept.append(Kept(account.username, account.full_name, ["classes"]))
        elif account.role == Role.TEACHER:
            relink.append(account.pk)
            links += [
                Link(account_id=account.pk, schoolclass_id=pk)
                for pk in entry["before"]
                if pk in still_there
            ]
            reverted.add(account.username)
    teachers_unlink(relink)
    Link.objects.bulk_create(links, batch_size=CHUNK)
    result.reverted = list(reverted)


def _username_in_use(username: str, account_id: int) -> bool:
    """Whether another account on the platform has this username now (any case)."""
    return Account.objects.filter(username__iexact=username).exclude(pk=account_id).exists()


def _undo_group_members(school_id: int, recorded: list[dict], result: UndoResult) -> None:
    """A pupil whose groups are still the ones the import left gets the ones from before
    back (those that still exist); groups changed since stay, and the account is named."""
    entries = {e["id"]: e for e in recorded}
    if not entries:
        return
    now_in = member_group_ids(list(entries))
    wanted = list({pk for e in entries.values() for pk in e["before"]})
    still_there = set(
        SchoolClass.objects.filter(school_id=school_id, pk__in=wanted).values_list("pk", flat=True)
    )
    kept = {k.username: k for k in result.kept}
    restore: dict[int, set[int]] = {}
    reverted = set(result.reverted)
    for account in _accounts(school_id, list(entries)):
        entry = entries[account.pk]
        if now_in.get(account.pk, set()) != set(entry["after"]):
            if account.username in kept:
                kept[account.username].fields.append("groups")
            else:
                result.kept.append(Kept(account.username, account.full_name, ["groups"]))
            continue
        restore[account.pk] = {pk for pk in entry["before"] if pk in still_there}
        reverted.add(account.username)
    set_group_members(restore)
    result.reverted = list(reverted)


def _undo_created_classes(school_id: int, ids: list[int], result: UndoResult) -> None:
    """The classes the import created that nobody is in and nobody teaches any more
    (archived accounts count: they keep their class): removed. Others stay."""
    for start in range(0, len(ids), CHUNK):
        empty = SchoolClass.objects.filter(
            ~Exists(Account.objects.filter(school_class_id=OuterRef("pk"))),
            ~Exists(Link.objects.filter(schoolclass_id=OuterRef("pk"))),
            ~Exists(Member.objects.filter(schoolclass_id=OuterRef("pk"))),
            school_id=school_id,
            pk__in=ids[start : start + CHUNK],
        )
        result.classes_removed += empty.values_list("name", flat=True)
        empty.delete()
    result.classes_removed.sort(key=str.casefold)


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _from_json(name: str, value):
    if name == "archived_at" and value is not None:
        return datetime.fromisoformat(value)
    return value
