"""The classes, lesgroepen and teachers' classes of an undo (`undo.import_undo`): set
back where nobody changed them since, else left alone and named; classes the import created
removed when they are empty again."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from klasse.accounts.db import same_lower
from klasse.accounts.models import Account, AuditEntry, Role, SchoolClass

from .account_log import Names
from .core.school_accounts import (
    member_group_ids,
    set_group_members,
    teacher_class_ids,
    teachers_unlink,
)
from .undo_result import CHUNK, Kept, UndoResult, accounts_of

Link = SchoolClass.teachers.through
Member = Account.groups.through  # a pupil in a group


def classes_gone(school_id: int, updated: list[dict]) -> set[int]:
    """The classes that updated accounts were in before the import and that no longer
    exist (removed by an administrator since, `klasse.accounts.classes`)."""
    wanted = list(
        {
            e["before"]["school_class_id"]
            for e in updated
            if e.get("before", {}).get("school_class_id")
        }
    )
    existing: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        existing.update(
            SchoolClass.objects.filter(
                school_id=school_id, pk__in=wanted[start : start + CHUNK]
            ).values_list("pk", flat=True)
        )
    return set(wanted) - existing


def classes_recreate(school_id: int, gone: set[int]) -> dict[int, tuple[int, str]]:
    """{old id: (id, name)} for the classes in `gone` that an administrator removed since
    (their CLASS_DELETE entry names them): each made again by that name, or, where the
    school has a class of that name again (any case), that one. An undo puts the accounts
    back as they were, so their class comes back with them, and a class made again gets
    back the teachers linked to it when it was removed (the entry's `teachers`, those still
    active, `_teachers_relink`); a class whose name nobody recorded is left out (its
    accounts keep the class they are in)."""
    if not gone:
        return {}
    entries = AuditEntry.objects.filter(
        school_id=school_id,
        action=AuditEntry.Action.CLASS_DELETE,
        details__class_id__in=sorted(gone),
    ).values_list("details", flat=True)
    found: dict[int, tuple[int, str]] = {}
    for details in entries:
        old, name = details.get("class_id"), details.get("class", "")
        if old in found or not name:
            continue
        school_class = SchoolClass.objects.filter(same_lower("name", name), school_id=school_id)
        existing = school_class.first()
        if existing is None:
            existing = SchoolClass.objects.create(school_id=school_id, name=name)
            _teachers_relink(school_id, existing, details.get("teachers", []))
        found[old] = (existing.pk, existing.name)
    return found


def _teachers_relink(school_id: int, school_class: SchoolClass, usernames: list[str]) -> None:
    """Link `school_class` (made again by an undo) to the accounts `usernames` that were its
    teachers when an administrator removed it: those of the school still active and not
    students (fixlast, item 1: else its teacher gets 404 on the class and its leerplan)."""
    if not usernames:
        return
    teachers = Account.objects.filter(
        school_id=school_id, username__in=usernames, archived_at__isnull=True
    ).exclude(role=Role.STUDENT)
    Link.objects.bulk_create(
        [
            Link(account_id=pk, schoolclass_id=school_class.pk)
            for pk in teachers.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )


def classes_of_removed(
    school_id: int, usernames: dict[str, int], since
) -> dict[str, tuple[int, str]]:
    """{username: (class id, name)} for those of `usernames` (archived accounts an undo
    restores, now without class) that lost their class when an administrator removed it
    after `since` (its CLASS_DELETE entry names them): the class made again by its name
    (`classes_recreate`)."""
    if not usernames:
        return {}
    entries = AuditEntry.objects.filter(
        school_id=school_id, action=AuditEntry.Action.CLASS_DELETE, created_at__gt=since
    ).values_list("details", flat=True)
    lost: dict[str, int] = {}
    for details in entries:
        for username in details.get("archived", []):
            if username in usernames:
                lost.setdefault(username, details.get("class_id"))
    again = classes_recreate(school_id, set(lost.values()))
    return {u: again[pk] for u, pk in lost.items() if pk in again}


def unlink_or_name(school_id: int, roles: dict[int, str], result: UndoResult) -> None:
    """A run that did not record teachers' classes: back to student → no classes; back to
    teacher → named, because the classes the import removed are not known."""
    teachers_unlink([pk for pk, role in roles.items() if role == Role.STUDENT])
    teachers = [pk for pk, role in roles.items() if role == Role.TEACHER]
    result.classes_lost = sorted(a.username for a in accounts_of(school_id, teachers))


def undo_teacher_classes(
    school_id: int, recorded: list[dict], roles: dict[int, str], names: Names, result: UndoResult
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
    for account in accounts_of(school_id, list(entries)):
        entry = entries[account.pk]
        if now_linked.get(account.pk, set()) != set(entry["after"]):
            if account.username in kept:
                kept[account.username].fields.append("classes")
            else:
                result.kept.append(Kept(account.username, account.full_name, ["classes"]))
        elif account.role == Role.TEACHER:
            relink.append(account.pk)
            back = [pk for pk in entry["before"] if pk in still_there]
            links += [Link(account_id=account.pk, schoolclass_id=pk) for pk in back]
            reverted.add(account.username)
            shown = [names.classes(entry["after"]), names.classes(back)]
            note_change(result, account, "classes", shown)
    teachers_unlink(relink)
    Link.objects.bulk_create(links, batch_size=CHUNK)
    result.reverted = list(reverted)


def undo_group_members(
    school_id: int, recorded: list[dict], names: Names, result: UndoResult
) -> None:
    """A pupil whose groups are still the ones the import left gets the ones from before
    back (those that still exist), shown as a change set back (lesgroepen: now → before);
    groups changed since stay, and the account is named."""
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
    for account in accounts_of(school_id, list(entries)):
        entry = entries[account.pk]
        if now_in.get(account.pk, set()) != set(entry["after"]):
            if account.username in kept:
                kept[account.username].fields.append("groups")
            else:
                result.kept.append(Kept(account.username, account.full_name, ["groups"]))
            continue
        restore[account.pk] = {pk for pk in entry["before"] if pk in still_there}
        reverted.add(account.username)
        shown = [names.classes(entry["after"]), names.classes(restore[account.pk])]
        note_change(result, account, "groups", shown)
    set_group_members(restore)
    result.reverted = list(reverted)


def undo_created_classes(school_id: int, ids: list[int], result: UndoResult) -> None:
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


def note_change(result: UndoResult, account: Account, name: str, shown: list[str]) -> None:
    by_username = {c["username"]: c for c in result.changes}  # (teachers' classes, groups)
    if account.username in by_username:
        by_username[account.username]["changes"][name] = shown
        return
    result.changes.append(
        {"username": account.username, "name": account.full_name, "changes": {name: shown}}
    )
