"""Undo an import within 30 days, without undoing what someone changed since.

The run's `changes` say what the import wrote: the accounts it added, the fields it
changed (before and after, a password as its hash), the accounts it archived, the classes
it created and the teachers' classes it changed. An undo compares each account as it is now
with what the import left behind; where they differ, someone changed it since, and the undo
names that account and leaves it alone. An account the import added is removed only when
nobody did anything with it since (`undo_signals`: no edit, no password given or chosen,
no login card, no login, no later import); otherwise it stays as it is, named with why.

First the administrator sees what an undo would do: `import_undo(confirm=False)` does all
of it in a transaction that is then rolled back, so the preview is the undo itself. The
confirmation does it again, with what is true then; when that differs from the preview
(its `digest`), the result says so and names the accounts kept since.

Runs recorded before imports kept teachers' classes, password hashes and created classes
lack those records: their undo leaves those as they are (`classes_lost` names the teachers
who are teachers again without their classes).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from klasse.accounts.audit import Action, audit_record
from klasse.accounts.models import Account, School
from klasse.accounts.services import eck_ids_active_elsewhere

from .account_log import SHOWN, Names, log_undo_accounts
from .models import ImportRun
from .undo_classes import (
    classes_gone,
    classes_of_removed,
    classes_recreate,
    undo_created_classes,
    undo_group_members,
    undo_teacher_classes,
    unlink_or_name,
)
from .undo_result import CHUNK, Kept, UndoRefused, UndoResult, accounts_of
from .undo_signals import changed_since

UNDO_DAYS = 30
# What the import records per updated account (account_values.UPDATE_FIELDS, and the
# password's hash where it set one), by the names the audit log shows.
FIELD_NAMES = SHOWN


class _Preview(Exception):  # noqa: N818 - not an error: rolls the preview back
    def __init__(self, result: UndoResult) -> None:
        self.result = result


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


def import_undo(
    *,
    run: ImportRun,
    actor: Account,
    confirm: bool = True,
    seen: str = "",
    seen_kept: list[str] | None = None,
) -> UndoResult:
    """Undo `run` (UndoRefused when it may not be). With `confirm=False` nothing stays
    changed: the undo is done and rolled back, and its result is the preview. A
    confirmation passes the preview's `digest` as `seen` and its kept usernames as
    `seen_kept`: where the undo now differs, `differs` is set and the accounts kept since
    are named (`kept_since_preview`), in the result and the log."""
    try:
        with transaction.atomic():
            result = _undo(run)
            if not confirm:
                raise _Preview(result)
            if seen and seen != result.digest():
                result.differs = True
                before = set(seen_kept or [])
                result.kept_since_preview = [
                    k.username for k in result.kept if k.username not in before
                ]
            _finish(run, actor, result)
    except _Preview as preview:
        return preview.result
    return result


def _undo(run: ImportRun) -> UndoResult:
    """1. lock the school (no import runs meanwhile) and the run, and check it may be
    undone; 2. remove what it added that nobody touched since; 3. restore what it archived;
    4. set back the fields it changed that nobody changed since, then the teachers'
    classes; 5. remove the classes it created that are empty now. In the caller's
    transaction: all of it happens, or none."""
    School.objects.select_for_update().get(pk=run.school_id)
    locked = ImportRun.objects.select_for_update().get(pk=run.pk, school_id=run.school_id)
    refusal = undo_refusal(locked)
    if refusal:
        raise UndoRefused(refusal)
    now = timezone.now()
    finished = locked.finished_at or locked.created_at
    changes = locked.changes or {}
    result = UndoResult()
    names = Names(run.school_id)
    _undo_added(run.school_id, changes.get("added", []), finished, result)
    _undo_archived(run.school_id, changes.get("archived", []), finished, now, result)
    roles = _undo_updated(run.school_id, changes.get("updated", []), finished, now, names, result)
    if undo_is_complete(changes):
        undo_teacher_classes(run.school_id, changes["teacher_classes"], roles, names, result)
    else:
        unlink_or_name(run.school_id, roles, result)
    undo_group_members(run.school_id, changes.get("group_members", []), names, result)
    undo_created_classes(run.school_id, changes.get("created_classes", []), result)
    _one_place_each(result)
    result.reverted.sort()
    result.changes.sort(key=lambda c: c["username"].casefold())
    result.kept.sort(key=lambda kept: kept.username.casefold())
    return result


def _one_place_each(result: UndoResult) -> None:
    """Each account in exactly one of removed, kept, restored, set back (the preview's
    tiles add up): one that gets some values back and keeps others is set back, its
    change naming what stays (`changes[…]["kept"]`); `kept` holds only the accounts
    the undo leaves wholly as they are."""
    reverted = set(result.reverted)
    by_username = {c["username"]: c for c in result.changes}
    wholly = []
    for kept in result.kept:
        if kept.username not in reverted:
            wholly.append(kept)
            continue
        change = by_username.get(kept.username)
        if change is None:  # only its groups set back: no field to show
            change = {"username": kept.username, "name": kept.name, "changes": {}}
            result.changes.append(change)
            by_username[kept.username] = change
        change["kept"] = kept.fields
    result.kept = wholly


def _finish(run: ImportRun, actor: Account, result: UndoResult) -> None:
    """Mark the run undone and log it: one entry for the school's log, one per account
    set back, restored or left alone for the accounts' own pages."""
    now = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.UNDONE, undone_at=now, undone_by=actor
    )
    run.status, run.undone_at, run.undone_by = ImportRun.Status.UNDONE, now, actor
    audit_record(
        school_id=run.school_id,
        actor=actor,
        action=Action.UNDO,
        details={"run": str(run.pk), "file_name": run.file_name, "result": result.as_dict()},
        at=now,
    )
    log_undo_accounts(run=run, actor=actor, result=result, at=now)


def _undo_added(school_id: int, ids: list[int], finished, result: UndoResult) -> None:
    """Nothing done with it since the import: removed. Edited, a password given or
    chosen, a login card printed, logged in, changed by a later import: kept as it is,
    and named with why."""
    remove = []
    found = 0
    since = changed_since(school_id, ids, finished)
    for account in accounts_of(school_id, ids):
        found += 1
        reasons = list(since.get(account.pk, []))
        if account.last_login is not None:
            reasons.append("login")
        if reasons:
            result.kept.append(Kept(account.username, account.full_name, reasons))
        else:
            remove.append(account)
    result.missing += len(ids) - found
    for start in range(0, len(remove), CHUNK):
        chunk = remove[start : start + CHUNK]
        Account.objects.filter(pk__in=[a.pk for a in chunk]).delete()
    result.removed = sorted(a.username for a in remove)
    result.names.update((a.username, a.full_name) for a in remove)


def _undo_archived(school_id: int, ids: list[int], finished, now, result: UndoResult) -> None:
    """Restore what the import archived. Archived again later (after the import finished)
    means someone decided that since: left alone. Already active again: nothing to do. An
    ECK iD that an active account elsewhere has now (the pupil moved on, issue 16): left
    archived, as one ECK iD is one active pupil (`eck_ids_active_elsewhere`)."""
    restore = []
    found = 0
    for account in accounts_of(school_id, ids):
        found += 1
        if account.archived_at is None:
            continue
        if account.archived_at > finished:
            result.kept.append(Kept(account.username, account.full_name, ["status"]))
        else:
            restore.append(account)
    result.missing += len(ids) - found
    blocked = eck_ids_active_elsewhere(restore)
    for account in restore:
        if account.pk in blocked:
            result.kept.append(Kept(account.username, account.full_name, ["eck_id_elsewhere"]))
    restore = [account for account in restore if account.pk not in blocked]
    for start in range(0, len(restore), CHUNK):
        Account.objects.filter(pk__in=[a.pk for a in restore[start : start + CHUNK]]).update(
            archived_at=None, updated_at=now
        )
    # Their class removed since, with them in it (a class of archived leavers): made again
    # and they go back into it, as the import found them.
    homeless = {a.username: a.pk for a in restore if a.school_class_id is None}
    back = classes_of_removed(school_id, homeless, finished)
    for username, (pk, name) in back.items():
        Account.objects.filter(pk=homeless[username]).update(school_class_id=pk)
        if name not in result.classes_recreated:
            result.classes_recreated.append(name)
    result.restored = sorted(a.username for a in restore)
    result.names.update((a.username, a.full_name) for a in restore)


def _undo_updated(
    school_id: int, updated: list[dict], finished, now, names: Names, result: UndoResult
) -> dict[int, str]:
    """Per field: still what the import wrote → set back; anything else → someone changed
    it since, so it stays and the account is named. A password the import set stays too
    when its owner logged in with it or it was printed on a login card since. Returns the
    roles set back, by id."""
    by_id = {entry["id"]: entry for entry in updated}
    with_password = [pk for pk, e in by_id.items() if "password" in e.get("after", {})]
    since = changed_since(school_id, with_password, finished) if with_password else {}
    roles: dict[int, str] = {}
    found = 0
    # A class removed by hand since (it was left empty): made again by its name, and the
    # accounts go back into it (an undo puts back what was). Only one whose name nobody
    # recorded cannot come back: then the account keeps its class, and that is named.
    gone = classes_gone(school_id, updated)
    again = classes_recreate(school_id, gone)
    recreated: set[str] = set()
    for account in accounts_of(school_id, list(by_id)):
        found += 1
        entry = by_id[account.pk]
        before, after = entry.get("before", {}), entry.get("after", {})
        restore, changed_since_import, shown = {}, [], {}
        for name in FIELD_NAMES:
            if name not in before or name not in after or before[name] == after[name]:
                continue
            removed_class = name == "school_class_id" and before[name] in gone
            if (removed_class and before[name] not in again) or _jsonable(
                getattr(account, name)
            ) != after[name]:
                changed_since_import.append(FIELD_NAMES[name])
            elif name == "password" and _password_used(account, since, finished):
                changed_since_import += _password_used(account, since, finished)
            elif removed_class:
                pk, class_name = again[before[name]]
                restore[name] = pk
                recreated.add(class_name)
                shown[FIELD_NAMES[name]] = [names.text(name, after[name]), class_name]
            else:
                restore[name] = _from_json(name, before[name])
                shown[FIELD_NAMES[name]] = [
                    names.text(name, after[name]),
                    names.text(name, before[name]),
                ]
        if "username" in restore and _username_in_use(restore["username"], account.pk):
            del restore["username"]  # taken since by another account: it stays
            del shown[FIELD_NAMES["username"]]
            changed_since_import.append(FIELD_NAMES["username"])
        if restore:
            if restore.get("archived_at") is not None:  # archived again: sessions end
                restore["times_archived"] = F("times_archived") + 1
            Account.objects.filter(pk=account.pk).update(**restore, updated_at=now)
            result.reverted.append(account.username)
            result.changes.append(
                {"username": account.username, "name": account.full_name, "changes": shown}
            )
            if "role" in restore:
                roles[account.pk] = restore["role"]
        if changed_since_import:
            result.kept.append(Kept(account.username, account.full_name, changed_since_import))
    result.missing += len(by_id) - found
    result.classes_recreated = sorted({*result.classes_recreated, *recreated}, key=str.casefold)
    return roles


def _password_used(account: Account, since: dict[int, list[str]], finished) -> list[str]:
    """Why a password the import set must stay: its owner logged in after the import (with
    it: the one from before no longer worked), or it was printed on a login card."""
    reasons = []
    if account.last_login is not None and account.last_login > finished:
        reasons.append("password_used")
    if "login_card" in since.get(account.pk, []):
        reasons.append("login_card")
    return reasons


def _username_in_use(username: str, account_id: int) -> bool:
    """Whether another account on the platform has this username now (any case)."""
    return Account.objects.filter(username__iexact=username).exclude(pk=account_id).exists()


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _from_json(name: str, value):
    if name == "archived_at" and value is not None:
        return datetime.fromisoformat(value)
    return value
