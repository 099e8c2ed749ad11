"""Which classes a student learns in: the one place that answers it.

Activations point at a SchoolClass; a student learns what is activated for every class
they learn in: their own class (`Account.school_class`, the stamgroep) and every lesgroep
they are in (`Account.groups`, SchoolClass rows of kind `groep`; issue 16).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from klasse.accounts.models import Account, Role, SchoolClass


def learning_classes(students: Iterable[Account]) -> dict[int, set[int]]:
    """For each student (by pk), the ids of the SchoolClasses they learn in: their class
    and their lesgroepen. An archived account, or one that is not a student, learns in
    none. One query (the group memberships)."""
    learners = [s for s in students if s.role == Role.STUDENT and not s.is_archived]
    found: dict[int, set[int]] = {s.pk: set() for s in students}
    for student in learners:
        if student.school_class_id:
            found[student.pk].add(student.school_class_id)
    memberships = Account.groups.through.objects.filter(
        account_id__in=[s.pk for s in learners]
    ).values_list("account_id", "schoolclass_id")
    for account_id, class_id in memberships:
        found[account_id].add(class_id)
    return found


def students_in(school_class: SchoolClass) -> QuerySet[Account]:
    """The inverse of `learning_classes`: the student accounts (archived ones too) that
    learn in `school_class`, as their class or as one of their lesgroepen."""
    return Account.objects.filter(
        Q(school_class=school_class) | Q(groups=school_class), role=Role.STUDENT
    ).distinct()


def active_student_counts(class_ids: Iterable[int]) -> dict[int, int]:
    """For each class id, how many active (not archived) students learn in it, as their
    class or as a lesgroep; a class without any is left out. Two queries."""
    ids = list(class_ids)
    active = {"role": Role.STUDENT, "archived_at__isnull": True}
    counts = dict(
        Account.objects.filter(school_class_id__in=ids, **active)
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    members = (
        Account.groups.through.objects.filter(
            schoolclass_id__in=ids, **{f"account__{k}": v for k, v in active.items()}
        )
        .values("schoolclass_id")
        .annotate(n=Count("account_id"))
        .values_list("schoolclass_id", "n")
    )
    for class_id, n in members:
        counts[class_id] = counts.get(class_id, 0) + n
    return counts
