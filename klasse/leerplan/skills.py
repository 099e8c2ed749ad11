"""What is open to whom: a student's skills today, a class's activated skills, and the
leerplan of a subject by domain and level. Computed live from the activations, so a
student moved to another class sees that class's leerplan at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from klasse.accounts.models import Account, SchoolClass

from .learners import learning_classes
from .licences import subjects_licensed, today
from .models import Activation, PersonalActivation, Skill, Subject


def _started(on: dt.date) -> Q:
    return Q(starts__isnull=True) | Q(starts__lte=on)


def open_skills(student: Account, on: dt.date | None = None) -> list[tuple[Subject, list[Skill]]]:
    """Each subject the student's school is licensed for on day `on` (default today), with
    the current skills open to the student then: activated for a class they learn in or
    for them alone, with a start date on or before `on`. An archived account gets []."""
    if student.is_archived:
        return []
    on = on or today()
    subjects = subjects_licensed(student.school_id, on)
    if not subjects:
        return []
    class_ids = learning_classes([student])[student.pk]
    skills = (
        Skill.objects.filter(subject__in=subjects, retired_in="")
        .filter(
            Q(
                pk__in=Activation.objects.filter(
                    _started(on), school_class_id__in=class_ids
                ).values("skill_id")
            )
            | Q(
                pk__in=PersonalActivation.objects.filter(_started(on), student=student).values(
                    "skill_id"
                )
            )
        )
        .select_related("domain")
        .order_by("sort_order")
    )
    per_subject: dict[int, list[Skill]] = {subject.pk: [] for subject in subjects}
    for skill in skills:
        per_subject[skill.subject_id].append(skill)
    return [(subject, per_subject[subject.pk]) for subject in subjects]


def open_counts(
    students: Iterable[Account], subject: Subject, on: dt.date | None = None
) -> dict[int, int]:
    """For each student (by pk), how many current skills of `subject` are open to them on
    day `on` (class's and personal ones, each skill counted once). Three queries."""
    on = on or today()
    students = list(students)
    classes = learning_classes(students)
    current = Skill.objects.filter(subject=subject, retired_in="")
    per_class: dict[int, set[int]] = {}
    for class_id, skill_id in Activation.objects.filter(
        _started(on), skill__in=current, school_class_id__in=set().union(*classes.values())
    ).values_list("school_class_id", "skill_id"):
        per_class.setdefault(class_id, set()).add(skill_id)
    personal: dict[int, set[int]] = {}
    for student_id, skill_id in PersonalActivation.objects.filter(
        _started(on), skill__in=current, student__in=[s.pk for s in students if classes[s.pk]]
    ).values_list("student_id", "skill_id"):
        personal.setdefault(student_id, set()).add(skill_id)
    counts = {}
    for student in students:
        if student.is_archived:
            counts[student.pk] = 0
            continue
        ids = set(personal.get(student.pk, set()))
        for class_id in classes[student.pk]:
            ids |= per_class.get(class_id, set())
        counts[student.pk] = len(ids)
    return counts


def class_activations(school_class: SchoolClass, subject: Subject) -> dict[int, Activation]:
    """The class's activations of current skills of `subject`, by skill id."""
    return {
        activation.skill_id: activation
        for activation in Activation.objects.filter(
            school_class=school_class, skill__subject=subject, skill__retired_in=""
        )
    }


def student_activations(student: Account, subject: Subject) -> dict[int, PersonalActivation]:
    """The student's own activations of current skills of `subject`, by skill id."""
    return {
        activation.skill_id: activation
        for activation in PersonalActivation.objects.filter(
            student=student, skill__subject=subject, skill__retired_in=""
        )
    }


def leerplan_tree(subject: Subject) -> list[dict]:
    """The current leerplan of `subject` for the pages: one dict per domain (`domain`,
    `levels`: a list of (level, [skills]) in the framework's order, only levels it has)."""
    skills = list(
        Skill.objects.filter(subject=subject, retired_in="")
        .select_related("domain")
        .order_by("domain__sort_order", "sort_order")
    )
    tree: dict[int, dict] = {}
    for skill in skills:
        entry = tree.setdefault(skill.domain_id, {"domain": skill.domain, "by_level": {}})
        entry["by_level"].setdefault(skill.level, []).append(skill)
    return [
        {
            "domain": entry["domain"],
            "levels": [
                (lvl, entry["by_level"][lvl]) for lvl in subject.levels if lvl in entry["by_level"]
            ],
        }
        for entry in tree.values()
    ]
