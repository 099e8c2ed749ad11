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
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .audit import audit_record, audit_record_many
from .db import same_lower
from .models import Account, AuditEntry, ClassKind, School, SchoolClass
from .rules import MAX_LENGTHS, mojibake_repaired, value_problem

# Sent with `classes=` (a list of SchoolClass) to learn what an app above accounts (the
# leerplan) keeps of a class that its removal would lose. A receiver returns
# {class id: (what, why not)}: `what` is said beside the class ("leerplan: 18 vaardigheden
# aan"), `why not` is the Dutch reason it is not removed while that is so.
class_removal_holds = Signal()


def removal_holds(classes: Iterable[SchoolClass]) -> dict[int, list[tuple[str, str]]]:
    """{class id: [(what, why not)]} of `class_removal_holds`'s receivers for `classes`;
    a class nobody holds is left out."""
    classes = list(classes)
    holds: dict[int, list[tuple[str, str]]] = {}
    if not classes:
        return holds
    for _receiver, answer in class_removal_holds.send(sender=SchoolClass, classes=classes):
        for pk, hold in (answer or {}).items():
            holds.setdefault(pk, []).append(hold)
    return holds


def removal_offer(school_id: int) -> list[SchoolClass]:
    """The school's `empty_classes`, each with what its removal would lose said: `teachers`
    (the linked accounts, by username; their link goes) and `holds` (`removal_holds`' what);
    and `refusal`, the Dutch reason it is not removed (a leerplan still on), or "" when it
    may be ticked. Nothing is ticked for the administrator (fixlast, item 2)."""
    classes = list(empty_classes(school_id).prefetch_related("teachers"))
    holds = removal_holds(classes)
    for school_class in classes:
        school_class.teachers_linked = sorted(
            school_class.teachers.all(), key=lambda a: a.username.casefold()
        )
        school_class.holds = [what for what, _why in holds.get(school_class.pk, [])]
        school_class.refusal = " ".join(why for _what, why in holds.get(school_class.pk, []))
    return classes


def empty_classes(school_id: int) -> QuerySet[SchoolClass]:
    """The school's classes and lesgroepen that no active account is in, by name: after a
    new school year last year's classes hold only the archived leavers (fix17, item 4); a
    lesgroep counts its members (whose class is another). Each with `teacher_count`, the
    teachers linked to it (their link goes with the class), and `archived_count`, the
    archived accounts in it as their class (they stay, without class)."""
    active = Account.objects.filter(school_class_id=OuterRef("pk"), archived_at__isnull=True)
    active_members = Account.groups.through.objects.filter(
        schoolclass_id=OuterRef("pk"), account__archived_at__isnull=True
    )
    archived = (
        Account.objects.filter(school_class_id=OuterRef("pk"), archived_at__isnull=False)
        .order_by()
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        SchoolClass.objects.filter(school_id=school_id)
        .filter(~Exists(active))
        .filter(~Exists(active_members))
        .annotate(
            teacher_count=Count("teachers", distinct=True),
            archived_count=Coalesce(Subquery(archived), 0),
        )
        .order_by("name")
    )


def archived_in(school_class: SchoolClass) -> int:
    """How many archived accounts are in `school_class` (a removal keeps them, classless)."""
    return Account.objects.filter(school_class=school_class, archived_at__isnull=False).count()


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
    """Why `school_class` cannot be removed, in Dutch, or None when no active account is
    in it, as its class or as one of its lesgroepen (archived ones may be: they stay,
    without class or group), and nothing above accounts holds it (`removal_holds`: a
    leerplan still on would be lost with it, fixlast item 1)."""
    active = (
        Account.objects.filter(
            Q(school_class=school_class) | Q(groups=school_class), archived_at__isnull=True
        )
        .distinct()
        .count()
    )
    if not active:
        holds = removal_holds([school_class]).get(school_class.pk, [])
        return " ".join(why for _what, why in holds) or None
    if school_class.kind == ClassKind.GROUP:
        still = ngettext(
            "Lesgroep %(name)s heeft nog %(count)s actieve leerling",
            "Lesgroep %(name)s heeft nog %(count)s actieve leerlingen",
            active,
        )
    else:
        still = ngettext(
            "Klas %(name)s heeft nog %(count)s actieve leerling",
            "Klas %(name)s heeft nog %(count)s actieve leerlingen",
            active,
        )
    return (
        still % {"name": school_class.name, "count": active}
        + ". "
        + _(
            "Een klas met actieve leerlingen kan niet weg. Zet de leerlingen eerst in een "
            "andere klas (met een import of onder GEBRUIKERS), of archiveer ze."
        )
    )


def class_delete(*, school_class: SchoolClass, actor: Account) -> None:
    """Remove a class without active accounts; its teachers' links to it go with it, its
    archived accounts stay without class. Raises ValidationError (`class_delete_refusal`)
    for a class with an active account in it; nothing changes then."""
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
            archived = list(school_class.students.filter(archived_at__isnull=False))
            audit_record(
                school_id=school_id,
                actor=actor,
                action=AuditEntry.Action.CLASS_DELETE,
                details={
                    "class_id": school_class.pk,
                    "class": school_class.name,
                    "teachers": teachers,
                    "archived": sorted(a.username for a in archived),
                },
            )
            _unlink_archived(school_class, archived, actor)
            removed.append(school_class.name)
            school_class.delete()
    return removed, refused


def _unlink_archived(school_class: SchoolClass, archived: list[Account], actor: Account) -> None:
    """The archived accounts of a class being removed stay, without class; each one's own
    log keeps the class's name (an EDIT "klas: 1A → "). An import that names them again
    gives them a class."""
    Account.objects.filter(pk__in=[a.pk for a in archived]).update(
        school_class=None, updated_at=timezone.now()
    )
    audit_record_many(
        school_id=school_class.school_id,
        actor=actor,
        action=AuditEntry.Action.EDIT,
        accounts=archived,
        details={"changes": {"class_name": [school_class.name, ""]}, "via": "class_delete"},
    )
