"""The way in: *Kies een vak*, opening a subject, and TOOLS › LICENTIES."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from klasse.accounts.access import admin_required, staff_required
from klasse.accounts.models import Role

from .access import subject_for
from .licences import active_student_count, licence_status, licences_for_staff, today
from .models import Licence


@staff_required
def subjects(request: HttpRequest) -> HttpResponse:
    """*Kies een vak*: the subjects staff may open (`licences_for_staff`: today's, later
    ones marked with their start, for an administrator ended ones marked). With one,
    straight in; with none, an administrator goes to TOOLS (importing needs no licence)
    and a teacher to the overviews, each page saying that no subject is licensed."""
    licences = licences_for_staff(request.user.school_id, request.user.role)
    current = [licence for licence in licences if licence.status != "ended"]
    if len(current) == 1 and len(licences) == 1 and request.GET.get("kies") != "1":
        return redirect("leerplan:subject", vak=current[0].subject.slug)
    if not licences:
        return redirect("tools" if request.user.role == Role.ADMIN else "overview")
    return render(
        request,
        "leerplan/subjects.html",
        {"licences": licences, "any_active": any(lic.status == "active" for lic in licences)},
    )


@staff_required
def subject(request: HttpRequest, vak: str) -> HttpResponse:
    """Open a subject: the navigation remembers it, and its OVERZICHTEN come first."""
    subject_for(request, vak)
    return redirect("leerplan:overview", vak=vak)


@admin_required
def licences(request: HttpRequest) -> HttpResponse:
    """TOOLS › LICENTIES: every licence of the school with its dates and, with a number of
    students, how many active students count against it."""
    on = today()
    rows = []
    for licence in Licence.objects.filter(school_id=request.user.school_id).select_related(
        "subject"
    ):
        rows.append({"licence": licence, "status": licence_status(licence, on)})
    context = {
        "rows": rows,
        "students": active_student_count(request.user.school_id),
        "tools_tab": "licences",
    }
    return render(request, "leerplan/licences.html", context)
