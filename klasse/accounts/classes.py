"""A school's classes by hand (issue 17, item 10): rename one, remove one that is empty,
or remove several empty ones at once (after a new school year, an import that moved every
student on leaves last year's classes empty). Imports make classes; only people rename
or remove them, and each change is in the audit log.

Imports name classes by name (the klas column), case-insensitively: after a rename, rows
with the new name land in the renamed class and a row with the old name makes a new class
of that name (klasse/help/handleiding.md, "Klassen hernoemen en verwijderen").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .audit import audit_record
from .db import same_lower
from .models import Account, AuditEntry, ClassKind, School, SchoolClass
from .rules import MAX_LENGTHS, mojibake_repaired, value_problem


def empty_classes(school_id: int) -> QuerySet[SchoolClass]:
    """The school's classes and lesgroepen that no account is in, active or archived (an
    archived student keeps his class and groups), by name; each with `teacher_count`, the
    teachers linked to it (their link goes with the class)."""
    members = Account.groups.through.objects.filter(schoolclass_id=OuterRef("pk"))
    return (
        SchoolClass.objects.filter(school_id=school_id)
        .filter(~Exists(Account.objects.filter(school_class_id=OuterRef("pk"))))
        .filter(~Exists(members))
        .annotate(teacher_count=Count("teachers", distinct=True))
        .order_by("name")
    )


def class_name_problem(school_class: SchoolClass, name: str) -> str | None:
    """Why `name` (trimmed) cannot be the new name of `school_class`, in Dutch, or None.
    The rules of a klas cell (rules.value_problem: at most 50 characters, no invisible
    characters), not empty, and unique in the school case-insensitively, as imports match
    class names."""
    if not name:
        return _("Vul de nieuwe naam van de klas in.")
    code = value_problem("class_name", name)
    if code == "too_long":
        return _("De naam is %(length)s tekens lang; het maximum is %(max)s. Kort hem in.") % {
            "length": len(name),
            "max": MAX_LENGTHS["class_name"],
        }
    if code:
        return _("De naam bevat onzichtbare tekens of een regelovergang. Typ hem opnieuw.")
    taken = (
        SchoolClass.objects.filter(same_lower("name", name), school_id=school_class.school_id)
        .exclude(pk=school_class.pk)
        .first()
    )
    if taken:
        return _(
            "Er is al een klas %(name)s op deze school. Kies een andere naam, of verwijder "
            "eerst de klas %(name)s als die leeg is."
        ) % {"name": taken.name}
    return None


def class_rename(*, school_class: SchoolClass, actor: Account, name: str) -> bool:
    """Give `school_class` the name `name` (trimmed; UTF-8 read as ANSI repaired, as an
    import repairs it). Returns whether the name changed. Raises ValidationError with
    `class_name_problem`'s Dutch words; nothing changes then. Logged with old and new."""
    name = name.strip()
    name = mojibake_repaired(name) or name
    with transaction.atomic():
        # Imports lock the school too: a rename never lands in the middle of one.
        School.objects.select_for_update().get(pk=school_class.school_id)
        school_class.refresh_from_db()
        if name == school_class.name:
            return False
        problem = class_name_problem(school_class, name)
        if problem:
            raise ValidationError(problem, code="class_name")
        old = school_class.name
        school_class.name = name
        school_class.save(update_fields=["name"])
        audit_record(
            school_id=school_class.school_id,
            actor=actor,
            action=AuditEntry.Action.CLASS_RENAME,
            details={"class_id": school_class.pk, "old": old, "new": name},
        )
    return True


def class_delete_refusal(school_class: SchoolClass) -> str | None:
    """Why `school_class` cannot be removed, in Dutch, or None when it is empty: nobody
    has it as class, nor as one of their lesgroepen."""
    counts = (
        Account.objects.filter(Q(school_class=school_class) | Q(groups=school_class))
        .distinct()
        .aggregate(total=Count("pk"), archived=Count("pk", filter=Q(archived_at__isnull=False)))
    )
    if not counts["total"]:
        return None
    if school_class.kind == ClassKind.GROUP:
        students = ngettext(
            "Lesgroep %(name)s heeft nog %(count)s leerling",
            "Lesgroep %(name)s heeft nog %(count)s leerlingen",
            counts["total"],
        )
    else:
        students = ngettext(
            "Klas %(name)s heeft nog %(count)s leerling",
            "Klas %(name)s heeft nog %(count)s leerlingen",
            counts["total"],
        )
    students %= {"name": school_class.name, "count": counts["total"]}
    archived = (
        ngettext(
            " (waarvan %(count)s gearchiveerd)",
            " (waarvan %(count)s gearchiveerd)",
            counts["archived"],
        )
        % {"count": counts["archived"]}
        if counts["archived"]
        else ""
    )
    return (
        students
        + archived
        + ". "
        + _(
            "Een klas met leerlingen kan niet weg: ook een gearchiveerde leerling houdt zijn "
            "klas. Zet de leerlingen eerst in een andere klas (met een import of onder "
            "GEBRUIKERS), of verwijder gearchiveerde leerlingen definitief."
        )
    )


def class_delete(*, school_class: SchoolClass, actor: Account) -> None:
    """Remove an empty class; its teachers' links to it go with it. Raises ValidationError
    (`class_delete_refusal`) for a class that anyone is in; nothing changes then."""
    removed, refused = classes_delete(
        school_id=school_class.school_id, ids=[school_class.pk], actor=actor
    )
    if refused:
        raise ValidationError(refused[0][1], code="class_not_empty")


def classes_delete(
    *, school_id: int, ids: Iterable[int], actor: Account
) -> tuple[list[str], list[tuple[str, str]]]:
    """Remove those of the classes `ids` of the school that are empty, each logged with
    the teachers it was linked to. Ids of another school or of no class are left out.
    Returns (the names removed, [(name, why not)] of those still in use), by name. One
    transaction, with the school locked as an import locks it, so that no import puts a
    student in a class while it is removed."""
    removed: list[str] = []
    refused: list[tuple[str, str]] = []
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school_id)
        classes = SchoolClass.objects.filter(school_id=school_id, pk__in=list(ids))
        for school_class in classes.order_by("name"):
            why = class_delete_refusal(school_class)
            if why:
                refused.append((school_class.name, why))
                continue
            teachers = sorted(school_class.teachers.values_list("username", flat=True))
            audit_record(
                school_id=school_id,
                actor=actor,
                action=AuditEntry.Action.CLASS_DELETE,
                details={
                    "class_id": school_class.pk,
                    "class": school_class.name,
                    "teachers": teachers,
                },
            )
            removed.append(school_class.name)
            school_class.delete()
    return removed, refused
