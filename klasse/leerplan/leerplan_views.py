"""LEERPLAN: switch a subject's skills on or off for a class, or for one student (a
personal leerplan): one by one, a whole domain, a level, or a level of one domain,
optionally from a start date. With htmx only the switchboard is sent back."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klasse.accounts.access import staff_required
from klasse.accounts.search import sort_key

from .access import classes_for, student_for, subject_for
from .activation import (
    ActivationError,
    Switched,
    class_skills_switch,
    skills_select,
    student_skills_switch,
)
from .learners import learning_classes, students_in
from .licences import today
from .models import Activation
from .overview_views import classes_with_counts
from .skills import class_activations, leerplan_tree, student_activations


@staff_required
def classes(request: HttpRequest, vak: str) -> HttpResponse:
    """LEERPLAN's first page: choose a class."""
    subject = subject_for(request, vak)
    context = {
        "subject": subject,
        "classes": classes_with_counts(request.user, subject),
        "subject_tab": "leerplan",
    }
    return render(request, "leerplan/leerplan_classes.html", context)


@staff_required
def class_leerplan(request: HttpRequest, vak: str, pk: int) -> HttpResponse:
    """A class's leerplan: GET shows the switchboard, POST switches (one audit entry) and
    sends the switchboard back to htmx, or redirects with a message. 404 for a class of
    another school, or one a teacher does not teach."""
    subject = subject_for(request, vak)
    school_class = get_object_or_404(classes_for(request.user), pk=pk)
    status, done = _posted_switch(
        request,
        subject,
        lambda **chosen: class_skills_switch(
            actor=request.user, school_class=school_class, subject=subject, **chosen
        ),
        back=("leerplan:class", vak, pk),
    )
    if done:
        return done
    own = class_activations(school_class, subject)
    context = {
        "subject": subject,
        "school_class": school_class,
        "tree": _rows(subject, own, {}),
        "status": status,
        "students": sorted(
            students_in(school_class).filter(archived_at__isnull=True),
            key=lambda a: sort_key(a.first_name, a.infix, a.last_name),
        ),
        "classes": classes_with_counts(request.user, subject),
        "subject_tab": "leerplan",
    }
    template = "leerplan/_switchboard.html" if _htmx(request) else "leerplan/class.html"
    return render(request, template, context)


@staff_required
def student_leerplan(request: HttpRequest, vak: str, pk: int) -> HttpResponse:
    """A student's personal leerplan, as `class_leerplan`, with what the student's classes
    already have shown as "via klas"; 404 for a student a teacher does not teach."""
    subject = subject_for(request, vak)
    student = student_for(request.user, pk)
    status, done = _posted_switch(
        request,
        subject,
        lambda **chosen: student_skills_switch(
            actor=request.user, student=student, subject=subject, **chosen
        ),
        back=("leerplan:student", vak, pk),
    )
    if done:
        return done
    via_class = {
        activation.skill_id: activation
        for activation in Activation.objects.filter(
            school_class_id__in=learning_classes([student])[student.pk],
            skill__subject=subject,
        ).select_related("school_class")
    }
    context = {
        "subject": subject,
        "student": student,
        "tree": _rows(subject, student_activations(student, subject), via_class),
        "status": status,
        "personal": True,
        "subject_tab": "leerplan",
    }
    template = "leerplan/_switchboard.html" if _htmx(request) else "leerplan/student.html"
    return render(request, template, context)


BAD_DATE = gettext_lazy(
    "'%(date)s' is geen datum. Kies een dag, of laat 'Vanaf' leeg om meteen te beginnen; "
    "er is niets veranderd."
)
EARLIEST = dt.date(2000, 1, 1)
"""No start date before this: a typing error (Klasse's leerplans begin in 2026)."""


def _posted_switch(
    request: HttpRequest, subject, switch, *, back: tuple[str, str, int]
) -> tuple[str, HttpResponse | None]:
    """On a POST, `_switch` with `switch(skills=, on=, starts=, single=)`: without htmx its
    sentence becomes a message and the answer a redirect to `back` (url name, vak, pk);
    with htmx the sentence is shown in the switchboard. ("", None) on a GET."""
    if request.method != "POST":
        return "", None
    status, failed = _switch(request, subject, switch)
    if _htmx(request):
        return status, None
    (messages.error if failed else messages.success)(request, status)
    name, vak, pk = back
    return status, redirect(name, vak=vak, pk=pk)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _rows(subject, own: dict, via_class: dict) -> list[dict]:
    """The leerplan tree with, per skill, its own activation and the class's (if any),
    and `planned`: on, but only from a day after today (shown apart from what is open)."""
    on = today()

    def later(activation) -> bool:
        return bool(activation and activation.starts and activation.starts > on)

    return [
        {
            "domain": entry["domain"],
            "levels": [
                (
                    level,
                    [
                        {
                            "skill": s,
                            "own": own.get(s.pk),
                            "via_class": via_class.get(s.pk),
                            "planned": later(own.get(s.pk))
                            or (not own.get(s.pk) and later(via_class.get(s.pk))),
                        }
                        for s in skills
                    ],
                )
                for level, skills in entry["levels"]
            ],
        }
        for entry in leerplan_tree(subject)
    ]


def _switch(request: HttpRequest, subject, switch) -> tuple[str, bool]:
    """Read the pressed button (`aan` or `uit`, its value the target) and the start date,
    and switch; (the sentence to show, whether it failed). A bad date or target, a start
    after the licence's last day or before 2000, or a licence that has ended changes
    nothing. Only a single skill's start date is moved when it is on already."""
    on = "aan" in request.POST
    target = request.POST.get("aan" if on else "uit", "")
    text = request.POST.get("vanaf", "").strip()
    licence = subject.licence
    if licence.ends < today():
        return _("De licentie voor %(subject)s is verlopen op %(date)s; er is niets veranderd.") % {
            "subject": subject.name,
            "date": licence.ends.strftime("%d-%m-%Y"),
        }, True
    starts = None
    if text and on:
        try:
            starts = dt.date.fromisoformat(text)
        except ValueError:
            return BAD_DATE % {"date": text}, True
        if starts > licence.ends:
            return _(
                "%(date)s ligt na de laatste dag van de licentie (%(end)s): de vaardigheid "
                "zou nooit opengaan. Kies een dag tot en met %(end)s; er is niets veranderd."
            ) % {
                "date": starts.strftime("%d-%m-%Y"),
                "end": licence.ends.strftime("%d-%m-%Y"),
            }, True
        if starts < EARLIEST:
            return _(
                "%(date)s ligt vóór 2000: vast een tikfout. Kies een dag, of laat 'Vanaf' "
                "leeg om meteen te beginnen; er is niets veranderd."
            ) % {"date": starts.strftime("%d-%m-%Y")}, True
    kind, _sep, rest = target.partition(":")
    domain, _sep, level = rest.partition(":") if kind == "domain" else ("", "", rest)
    try:
        if kind == "skill":
            skills = skills_select(subject, codes=[rest])
        elif kind in ("domain", "level"):
            skills = skills_select(subject, domain=domain, level=level)
        else:
            raise ActivationError(target)
    except ActivationError:
        return _("Die vaardigheden zijn niet gevonden; er is niets veranderd."), True
    if starts is not None and starts <= today():
        starts = None  # a day gone by means: open now, said and stored so
    result: Switched = switch(skills=skills, on=on, starts=starts, single=kind == "skill")
    return _sentence(result, on, starts), False


def _sentence(result: Switched, on: bool, starts: dt.date | None) -> str:
    if not on:
        if not result.off:
            return _("Er is niets veranderd: dat stond al zo.")
        n = len(result.off)
        return ngettext("%(n)s vaardigheid uitgezet.", "%(n)s vaardigheden uitgezet.", n) % {"n": n}
    n = len(result.on)
    if starts:
        text = ngettext(
            "%(n)s vaardigheid aangezet vanaf %(date)s.",
            "%(n)s vaardigheden aangezet vanaf %(date)s.",
            n,
        ) % {"n": n, "date": starts.strftime("%d-%m-%Y")}
    else:
        text = ngettext("%(n)s vaardigheid aangezet.", "%(n)s vaardigheden aangezet.", n) % {"n": n}
    kept = len(result.kept)
    if not kept:
        return text
    also = ngettext(
        "%(n)s stond al aan en hield de eigen datum.",
        "%(n)s stonden al aan en hielden hun eigen datum.",
        kept,
    ) % {"n": kept}
    return f"{text} {also}" if n else also
