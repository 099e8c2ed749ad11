"""OVERZICHTEN within a subject: per class, its students with how many skills each has
open, and the class's activated skills by domain. Teachers see their own classes only."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from klasse.accounts.access import staff_required
from klasse.accounts.models import Role
from klasse.accounts.search import sort_key

from .access import classes_for, subject_for
from .learners import students_in
from .skills import class_activations, leerplan_tree, open_counts


def classes_with_counts(user, subject):
    """The user's classes with `student_count` (active students) and `skill_count` (current
    skills of `subject` activated for the class)."""
    return (
        classes_for(user)
        .annotate(
            student_count=Count(
                "students",
                filter=Q(students__archived_at__isnull=True, students__role=Role.STUDENT),
                distinct=True,
            ),
            skill_count=Count(
                "activations",
                filter=Q(activations__skill__subject=subject, activations__skill__retired_in=""),
                distinct=True,
            ),
        )
        .order_by("name")
    )


@staff_required
def overview(request: HttpRequest, vak: str) -> HttpResponse:
    subject = subject_for(request, vak)
    context = {
        "subject": subject,
        "classes": classes_with_counts(request.user, subject),
        "subject_tab": "overview",
    }
    return render(request, "leerplan/overview.html", context)


@staff_required
def class_overview(request: HttpRequest, vak: str, pk: int) -> HttpResponse:
    subject = subject_for(request, vak)
    school_class = get_object_or_404(classes_for(request.user), pk=pk)
    students = sorted(
        students_in(school_class).filter(archived_at__isnull=True).select_related("programme"),
        key=lambda a: sort_key(a.first_name, a.infix, a.last_name),
    )
    counts = open_counts(students, subject)
    activated = class_activations(school_class, subject)
    domains = []
    for entry in leerplan_tree(subject):
        skills = [
            (skill, activated[skill.pk])
            for _level, level_skills in entry["levels"]
            for skill in level_skills
            if skill.pk in activated
        ]
        if skills:
            domains.append({"domain": entry["domain"], "skills": skills})
    context = {
        "subject": subject,
        "classes": classes_with_counts(request.user, subject),
        "school_class": school_class,
        "students": [(student, counts[student.pk]) for student in students],
        "domains": domains,
        "subject_tab": "overview",
    }
    return render(request, "leerplan/class_overview.html", context)
