"""Which classes a student learns in: the one place that answers it.

Activations point at a SchoolClass; a student learns what is activated for every class
they learn in. Today that is their own class (`Account.school_class`); when lesgroepen
come, a student also learns in their groups, and only these two functions change.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from klasse.accounts.models import Account, Role, SchoolClass


def learning_classes(students: Iterable[Account]) -> dict[int, set[int]]:
    """For each student (by pk), the ids of the SchoolClasses they learn in: their class.
    An archived account, or one that is not a student, learns in none. No query today."""
    return {
        student.pk: {student.school_class_id}
        if student.school_class_id and student.role == Role.STUDENT and not student.is_archived
        else set()
        for student in students
    }


def students_in(school_class: SchoolClass) -> QuerySet[Account]:
    """The inverse of `learning_classes`: the student accounts (archived ones too) that
    learn in `school_class`."""
    return Account.objects.filter(school_class=school_class, role=Role.STUDENT)


def active_student_counts(class_ids: Iterable[int]) -> dict[int, int]:
    """For each class id, how many active (not archived) students learn in it; a class
    without any is left out. One query."""
    return dict(
        Account.objects.filter(
            school_class_id__in=list(class_ids), role=Role.STUDENT, archived_at__isnull=True
        )
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
