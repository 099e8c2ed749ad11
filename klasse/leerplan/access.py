"""Who reaches which subject, class and student: always within the signed-in account's
school; a teacher only the classes they teach and the students who learn in them."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from klasse.accounts.models import Account, Role, SchoolClass

from .learners import learning_classes
from .licences import licences_for_staff
from .models import Subject

SESSION_KEY = "leerplan_vak"


def subject_for(request: HttpRequest, slug: str) -> Subject:
    """The subject `slug` if staff may open it (`licences_for_staff`: licensed today or
    later, an administrator also after the end), else 404; with `licence` set to the
    school's licence (its `status` too). It becomes the subject the navigation shows."""
    for licence in licences_for_staff(request.user.school_id, request.user.role):
        if licence.subject.slug == slug:
            request.session[SESSION_KEY] = slug
            subject = licence.subject
            subject.licence = licence
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
