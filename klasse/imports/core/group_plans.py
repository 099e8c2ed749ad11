"""Groups beside the class (lesgroepen, clusters, samengestelde groepen) in a plan.

A pupil has one class (the klas column) and may be in several groups (the lesgroepen
column, names separated by ","). A teacher teaches the classes of the klas column and the
groups of the lesgroepen column. Classes and groups are both SchoolClass rows of the school
(`kind` klas or groep) and share one namespace: a name is a class or a group, never both.
The import contract, "Groups".
"""

from __future__ import annotations

from klasse.accounts.models import ClassKind
from klasse.accounts.rules import group_names_of

from .problems import Problem
from .school_accounts import ExistingAccount, group_memberships
from .texts import say
from .valid_rows import ValidRow, ValidRows, column_of

KLAS, GROEP = ClassKind.CLASS.value, ClassKind.GROUP.value
_NO_IDS: frozenset[int] = frozenset()


def row_groups(row: ValidRow) -> list[str]:
    """The groups a row's lesgroepen cell names (none when the column is absent)."""
    return group_names_of(row.values.get("groups", ""))


def file_conflicts(rows: list[ValidRow], classes: dict[str, tuple[int, str]]) -> set[str]:
    """The (lower-case) names that the file uses both as a pupil's class and as a group
    and that the school does not have yet: which of the two they are is not clear. Over
    the distinct cells of the two columns (a yearly file has few)."""
    as_group: set[str] = set()
    for text in set(column_of(rows, "groups")):
        as_group.update(name.lower() for name in group_names_of(text))
    if not as_group:
        return set()
    if isinstance(rows, ValidRows) and rows.clean_students:
        as_class = {name.lower() for name in column_of(rows, "class_name")}
    else:
        as_class = {
            name.lower()
            for row in rows
            if row.role == "student" and not row.errors
            for name in row.class_names
        }
    return {name for name in as_class & as_group if name not in classes}


def group_ids_of(text: str, ctx) -> frozenset[int] | None:
    """The ids of the groups a lesgroepen cell names; None when one is not the school's."""
    ids = set()
    for name in group_names_of(text):
        found = ctx.classes.get(name.lower())
        if found is None:
            return None
        ids.add(found[0])
    return frozenset(ids)


def kind_problem(row: ValidRow, ctx) -> Problem | None:
    """The error `class_group_conflict` for a pupil's row whose class is one of the
    school's groups, or one of whose groups is a class (of the school, or of this file)."""
    if row.role != "student":
        return None
    for name in row.class_names:
        found = ctx.classes.get(name.lower())
        if found and ctx.kinds.get(found[0]) == GROEP:
            return _conflict(row, ctx, "class_name", found[1], _GROUP_AS_CLASS)
    for name in row_groups(row):
        found = ctx.classes.get(name.lower())
        if (found and ctx.kinds.get(found[0], KLAS) == KLAS) or name.lower() in ctx.file_conflicts:
            return _conflict(row, ctx, "groups", found[1] if found else name, _CLASS_AS_GROUP)
    return None


_GROUP_AS_CLASS = (
    "Rij %(row)s, kolom '%(column)s': '%(name)s' is op je school een lesgroep, maar staat hier "
    "als klas. Een naam is een klas (stamgroep) of een lesgroep, niet allebei: verbeter de "
    "naam in het bestand of in je administratie."
)
_CLASS_AS_GROUP = (
    "Rij %(row)s, kolom '%(column)s': '%(name)s' is op je school een klas, maar staat hier "
    "als lesgroep. Een naam is een klas (stamgroep) of een lesgroep, niet allebei: verbeter "
    "de naam in het bestand of in je administratie."
)


def _conflict(row: ValidRow, ctx, field: str, name: str, template: str) -> Problem:
    column = ctx.columns.get(field, field)
    return Problem(
        row.number,
        ctx.columns.get(field),
        field,
        "error",
        "class_group_conflict",
        say(template, row=row.number, column=column, name=name),
    )


def _spelled(names, ctx) -> list[str]:
    """Each name as the school writes it (a new one as the file does)."""
    return [ctx.classes.get(name.lower(), (0, name))[1] for name in names]


def _text(names) -> str:
    return ", ".join(sorted(names))


def student_groups(
    row: ValidRow, account: ExistingAccount | None, ctx
) -> tuple[tuple[str, ...] | None, tuple[str, str] | None]:
    """The groups a pupil's row puts the pupil in (None: leave them, the file has no
    lesgroepen column) and the change (old, new) as text, or None when they stay."""
    if "groups" not in ctx.mapped:
        return None, None
    new = _spelled(row_groups(row), ctx)
    old_ids = ctx.memberships.get(account.id, _NO_IDS) if account else _NO_IDS
    old = [ctx.class_names[pk] for pk in old_ids]
    if {n.lower() for n in new} == {n.lower() for n in old}:
        return tuple(new), None
    return tuple(new), (_text(old), _text(new))


def teacher_taught(
    row: ValidRow, account: ExistingAccount | None, ctx
) -> tuple[tuple[tuple[str, str], ...], dict[str, tuple[str, str]]]:
    """What a teacher's row makes the teacher teach, as (name, kind) pairs, and the changes
    {"class_name"/"groups": (old, new)} it makes to the classes and the groups taught.

    The klas column gives the classes (empty: the classes stay), the lesgroepen column the
    groups (no column: the groups stay; an empty cell: none). A name keeps the school's
    kind; a new one is a class from the klas column and a group from the lesgroepen one."""
    teacher = account is not None and account.role == "teacher"
    old_ids = ctx.teaching.get(account.id, _NO_IDS) if teacher else _NO_IDS
    old: dict[str, set[str]] = {KLAS: set(), GROEP: set()}
    for pk in old_ids:
        old[ctx.kinds.get(pk, KLAS)].add(ctx.class_names[pk])
    shown = {KLAS: set(old[KLAS]), GROEP: old[GROEP]}  # a pupil becoming a teacher: the class
    if account is not None and not teacher and account.school_class_id in ctx.class_names:
        shown[KLAS].add(ctx.class_names[account.school_class_id])
    named: dict[str, tuple[str, str]] = {}
    given_groups = row_groups(row) if "groups" in ctx.mapped else ()
    for names, kind in ((row.class_names, KLAS), (given_groups, GROEP)):
        for name in names:
            found = ctx.classes.get(name.lower())
            named.setdefault(
                name.lower(), (found[1], ctx.kinds.get(found[0], KLAS)) if found else (name, kind)
            )
    new: dict[str, set[str]] = {KLAS: set(), GROEP: set()}
    for name, kind in named.values():
        new[kind].add(name)
    if not row.class_names:
        new[KLAS] |= old[KLAS]
    if "groups" not in ctx.mapped:
        new[GROEP] |= old[GROEP]
    changes = {}
    for kind, label in ((KLAS, "class_name"), (GROEP, "groups")):
        if {n.lower() for n in new[kind]} != {n.lower() for n in shown[kind]}:
            changes[label] = (_text(shown[kind]), _text(new[kind]))
    taught = tuple((name, kind) for kind in (KLAS, GROEP) for name in sorted(new[kind]))
    return taught, changes


def group_facts(school_id: int, rows: list[ValidRow], classes, mapped: set[str]) -> dict:
    """What the plan's context needs for a file with a lesgroepen column: each account's
    groups (`memberships`) and the names the file uses both ways (`file_conflicts`)."""
    if "groups" not in mapped:
        return {}
    return {
        "memberships": group_memberships(school_id),
        "file_conflicts": file_conflicts(rows, classes),
    }
