"""Who reaches which subject, class and student: always within the signed-in account's
school; a teacher only the classes they teach and the students who learn in them."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from klasse.accounts.models import Account, Role, SchoolClass

from .learners import learning_classes
from .licences import subjects_licensed
from .models import Subject

SESSION_KEY = "leerplan_vak"


def subject_for(request: HttpRequest, slug: str) -> Subject:
    """The subject `slug` if the user's school is licensed for it today, else 404; it
    becomes the subject the navigation shows (kept in the session)."""
    for subject in subjects_licensed(request.user.school_id):
        if subject.slug == slug:
            request.session[SESSION_KEY] = slug
            return subject
    raise Http404


def classes_for(user: Account):
    """The classes a member of staff works with: every class of the school for an
    administrator, the classes they teach for a teacher (404 for anyone else)."""
    classes = SchoolClass.objects.filter(school_id=user.school_id)
    if user.role == Role.TEACHER:
        return classes.filter(teachers=user)
    if user.role != Role.ADMIN:
        raise Http404
    return classes


def student_for(user: Account, pk: int) -> Account:
    """A student of the user's school (an administrator), or one who learns in a class the
    teacher teaches; 404 otherwise."""
    student = get_object_or_404(
        Account.objects.filter(school_id=user.school_id, role=Role.STUDENT), pk=pk
    )
    allowed = set(classes_for(user).values_list("pk", flat=True))
    if user.role == Role.TEACHER and not learning_classes([student])[student.pk] & allowed:
        raise Http404
    return student
