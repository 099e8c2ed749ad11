"""What a student sees: their home with the subjects and skills open today, and the same
as JSON for the exercise part of the platform (docs/leerplan-api.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from klasse.accounts.models import Role

from .licences import today
from .skills import open_skills


def _student(request: HttpRequest) -> None:
    if request.user.role != Role.STUDENT:
        raise PermissionDenied


@login_required
def student_home(request: HttpRequest) -> HttpResponse:
    """MIJN KLASSE: the student's details and, per licensed subject, the skills open today
    by domain, or that the teacher has not prepared anything yet."""
    _student(request)
    subjects = []
    for subject, skills in open_skills(request.user):
        domains: dict[int, dict] = {}
        for skill in skills:
            domains.setdefault(skill.domain_id, {"domain": skill.domain, "skills": []})
            domains[skill.domain_id]["skills"].append(skill)
        subjects.append({"subject": subject, "domains": list(domains.values())})
    groups = request.user.groups.order_by("name").values_list("name", flat=True)
    return render(request, "accounts/student_home.html", {"subjects": subjects, "groups": groups})


# csrf_exempt: this endpoint only reads. Every method but GET and HEAD is answered 405
# below, before anything is looked at, so a forged cross-site request can change nothing;
# without the exemption such a request would get Django's English CSRF page (403) instead
# of the documented 405 with a JSON body.
@csrf_exempt
def open_skills_json(request: HttpRequest) -> JsonResponse:
    """GET (or HEAD) /api/leerplan/: the signed-in student's subjects (licensed today) and
    the skills open to them today. Shape in docs/leerplan-api.md; 405 with a JSON error for
    any other method, a login redirect when not signed in, 403 for anyone but a student."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse(
            {"error": "method_not_allowed", "message": "Alleen GET (of HEAD) is toegestaan."},
            status=405,
        )
        response["Allow"] = "GET, HEAD"
        return response
    return _open_skills(request)


@login_required
def _open_skills(request: HttpRequest) -> JsonResponse:
    _student(request)
    body = {
        "date": today().isoformat(),
        "student": {
            "username": request.user.username,
            "school": request.user.school.slug,
        },
        "subjects": [
            {
                "slug": subject.slug,
                "name": subject.name,
                "framework": subject.framework,
                "skills": [
                    {
                        "code": skill.code,
                        "name": skill.name,
                        "level": skill.level,
                        "domain": {"code": skill.domain.code, "name": skill.domain.name},
                    }
                    for skill in skills
                ],
            }
            for subject, skills in open_skills(request.user)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response
