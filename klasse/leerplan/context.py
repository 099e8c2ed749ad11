"""The navigation's subject: which subjects the school may use today and which one is open
(the one in the URL, else the last one opened, else the only one). Staff only; lazy, so a
page that does not show the navigation asks nothing."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from klasse.accounts.models import Role

from .access import SESSION_KEY
from .licences import licences_for_staff


def subject_nav(request: HttpRequest) -> dict:
    """Template context: `nav_subjects` (those staff may open, `licences_for_staff`) and
    `nav_subject` (open or None)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in (Role.ADMIN, Role.TEACHER):
        return {}
    subjects = SimpleLazyObject(
        lambda: [licence.subject for licence in licences_for_staff(user.school_id, user.role)]
    )

    def current():
        match = getattr(request, "resolver_match", None)
        slug = (match.kwargs.get("vak") if match else None) or request.session.get(SESSION_KEY)
        chosen = next((s for s in subjects if s.slug == slug), None)
        return chosen or (subjects[0] if len(subjects) == 1 else None)

    return {"nav_subjects": subjects, "nav_subject": SimpleLazyObject(current)}
