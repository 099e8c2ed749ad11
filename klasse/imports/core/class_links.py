"""Who teaches which classes and groups, and which pupils are in which groups, as an import
writes them (the accounts themselves are written by `applying`, whose AppliedChanges each
function here adds its records to as `changes`)."""

from __future__ import annotations

from klasse.accounts.models import Role, SchoolClass

from .bulk_writes import BATCH
from .planning import PlannedRow
from .school_accounts import (
    member_group_ids,
    set_group_members,
    teacher_class_ids,
    teachers_unlink,
)


def link_teachers(
    school_id: int, writing: list[PlannedRow], classes: dict[str, int], changes
) -> None:
    """Set the classes of each teacher the file lists with classes (or whose role changed),
    and record the classes of each updated account before and after, where they differ."""
    relink = [
        p
        for p in writing
        if p.row.role == Role.TEACHER
        and (
            p.action == "add"
            or "class_name" in p.changes
            or "groups" in p.changes
            or "role" in p.changes
        )
    ]
    relink += [p for p in writing if p.row.role == Role.STUDENT and "role" in p.changes]
    if not relink:
        return
    Link = SchoolClass.teachers.through
    ids = [p.account_id for p in relink]
    before = teacher_class_ids(ids)
    teachers_unlink(ids)
    new_links = []
    for p in relink:
        if p.row.role != Role.TEACHER:
            after = set()
        elif p.teaches is not None:  # group_plans.teacher_taught: classes and groups
            after = {classes[name.lower()] for name, _kind in p.teaches}
        else:  # a plan made before groups: the klas column
            after = {classes[name.lower()] for name in p.row.class_names}
        new_links += [Link(account_id=p.account_id, schoolclass_id=pk) for pk in after]
        old = before.get(p.account_id, set())
        if p.action == "update" and old != after:
            changes.teacher_classes.append(
                {"id": p.account_id, "before": sorted(old), "after": sorted(after)}
            )
    Link.objects.bulk_create(new_links, batch_size=BATCH)


def set_groups(writing: list[PlannedRow], classes: dict[str, int], changes) -> None:
    """Make each pupil whose row sets groups (a new one with groups, or an update whose
    groups change) a member of exactly those, and record the groups of each updated pupil
    before and after."""
    setting = [p for p in writing if p.groups is not None and p.row.role == Role.STUDENT]
    if not setting:
        return
    updated = [p.account_id for p in setting if p.action == "update"]
    before = member_group_ids(updated) if updated else {}
    wanted = {p.account_id: {classes[name.lower()] for name in p.groups} for p in setting}
    set_group_members(wanted)
    for account_id in updated:
        old, after = before.get(account_id, set()), wanted[account_id]
        if old != after:
            changes.group_members.append(
                {"id": account_id, "before": sorted(old), "after": sorted(after)}
            )
