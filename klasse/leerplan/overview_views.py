"""OVERZICHTEN within a subject: per class, its students with how many skills each has
open, and the class's activated skills by domain. Teachers see their own classes only."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from klasse.accounts.access import staff_required
from klasse.accounts.classes import removal_offer
from klasse.accounts.models import Role, SchoolClass
from klasse.accounts.search import sort_key

from .access import classes_for, subject_for
from .learners import active_student_counts, students_in
from .licences import today
from .models import Activation
from .skills import class_activations, leerplan_tree, open_counts


def classes_with_counts(user, subject) -> list[SchoolClass]:
    """The user's classes by name, then the lesgroepen by name (the pages list them under
    their own heading), each with `student_count` (active students) and `skill_count`
    (current skills of `subject` switched on for it). Three queries, whatever the number
    of classes, students and activations."""
    # "klas" sorts after "groep": descending puts the classes first.
    classes = list(classes_for(user).order_by("-kind", "name"))
    ids = [school_class.pk for school_class in classes]
    students = active_student_counts(ids)
    skills = dict(
        Activation.objects.filter(
            school_class_id__in=ids, skill__subject=subject, skill__retired_in=""
        )
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    for school_class in classes:
        school_class.student_count = students.get(school_class.pk, 0)
        school_class.skill_count = skills.get(school_class.pk, 0)
    return classes


@staff_required
def overview(request: HttpRequest, vak: str) -> HttpResponse:
    """OVERZICHTEN of a subject: the user's classes with students and skills switched on."""
    subject = subject_for(request, vak)
    context = {
        "subject": subject,
        "classes": classes_with_counts(request.user, subject),
        "empty_classes": removal_offer(request.user.school_id)
        if request.user.role == Role.ADMIN
        else [],
        "subject_tab": "overview",
    }
    return render(request, "leerplan/overview.html", context)


@staff_required
def class_overview(request: HttpRequest, vak: str, pk: int) -> HttpResponse:
    """One class in a subject: its active students with the number of skills each has open
    today, and the skills switched on for the class by domain; 404 for another's class."""
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
        "today": today(),
        "subject_tab": "overview",
    }
    return render(request, "leerplan/class_overview.html", context)
