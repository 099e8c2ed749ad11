"""Licences: which subjects a school may use, from when until when (the school's clock,
Europe/Amsterdam), for how many students. Managed by the platform's operator with
`klasse licence`; every change is in the school's audit log."""

from __future__ import annotations

import datetime as dt
import getpass
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from klasse.accounts.audit import Action, audit_record
from klasse.accounts.models import Account, Role, School

from .models import Licence, Subject

audit_log = logging.getLogger("klasse.audit")


class LicenceError(ValueError):
    """A licence change that cannot be made; the message says why, in Dutch."""


def today() -> dt.date:
    """Today on the school's clock (TIME_ZONE, Europe/Amsterdam)."""
    return timezone.localdate()


def subject_for_slug(slug: str) -> Subject:
    """The subject with this short name, or a LicenceError that lists the known ones."""
    subject = Subject.objects.filter(slug=slug.strip().lower()).first()
    if subject is None:
        known = ", ".join(Subject.objects.values_list("slug", flat=True))
        raise LicenceError(f"Geen vak met de korte naam '{slug}'. Bekende vakken: {known}.")
    return subject


def licences_active(school_id: int, on: dt.date | None = None) -> QuerySet[Licence]:
    """The school's licences that hold on day `on` (default today): starts ≤ on ≤ ends,
    in the catalogue's order, with their subject."""
    on = on or today()
    return Licence.objects.filter(school_id=school_id, starts__lte=on, ends__gte=on).select_related(
        "subject"
    )


def subjects_licensed(school_id: int, on: dt.date | None = None) -> list[Subject]:
    """The subjects the school may use on day `on` (default today), in catalogue order."""
    return [licence.subject for licence in licences_active(school_id, on)]


def licences_for_staff(school_id: int, role: str) -> list[Licence]:
    """The licences whose subject staff may open, in catalogue order: those that hold
    today and those that start later (a school prepares its leerplan in July for a licence
    from 1 August); for an administrator also the ended ones, to look back. Each gets
    `status`: "active", "future" or "ended". Students see only today's (`subjects_licensed`)."""
    on = today()
    licences = Licence.objects.filter(school_id=school_id).select_related("subject")
    if role != Role.ADMIN:
        licences = licences.filter(ends__gte=on)
    result = list(licences.order_by("subject__sort_order", "subject__slug"))
    for licence in result:
        licence.status = licence_status(licence, on)
    return result


def licence_status(licence: Licence, on: dt.date | None = None) -> str:
    """ "future" before the licence starts, "ended" after its last day, else "active"."""
    on = on or today()
    return "future" if licence.starts > on else "ended" if licence.ends < on else "active"


def active_student_count(school_id: int) -> int:
    """The school's student accounts that are not archived: what counts against a licence's
    number of students (said beside it, not enforced)."""
    return Account.objects.filter(
        school_id=school_id, role=Role.STUDENT, archived_at__isnull=True
    ).count()


MAX_STUDENTS = 1_000_000
"""The largest number of students a licence may name: far above any school, well inside
the database's integer column (PostgreSQL refuses 2_147_483_648 and up)."""


@transaction.atomic
def licence_grant(
    *,
    school: School,
    subject: Subject,
    ends: dt.date,
    starts: dt.date | None = None,
    max_students: int | None = None,
    no_student_limit: bool = False,
) -> tuple[Licence, bool]:
    """Give `school` a licence for `subject` until `ends` (inclusive), or change the one it
    has. What is not given keeps the existing licence's value: `starts` (a new licence:
    today) and `max_students` (a new licence: no limit); `no_student_limit` removes a
    limit. Returns (licence, created). Raises LicenceError when it would end before it
    starts, the number of students is not 1 to MAX_STUDENTS, or both a number and
    `no_student_limit` are given. Recorded in the audit log with old → new per change."""
    if max_students is not None and no_student_limit:
        raise LicenceError(
            "Kies --students N óf --no-student-limit, niet allebei; er is niets veranderd."
        )
    if max_students is not None and not 1 <= max_students <= MAX_STUDENTS:
        raise LicenceError(
            f"Het aantal leerlingen (--students) moet 1 of meer zijn en hoogstens "
            f"{MAX_STUDENTS:,}".replace(",", ".")
            + f" (gegeven: {max_students}). Zonder grens: --no-student-limit; "
            "er is niets veranderd."
        )
    existing = Licence.objects.filter(school=school, subject=subject).first()
    starts = starts or (existing.starts if existing else today())
    if ends < starts:
        raise LicenceError(
            f"De licentie zou eindigen ({ends:%Y-%m-%d}) vóór ze begint ({starts:%Y-%m-%d}). "
            "Kies een latere einddatum (--until) of een eerdere begindatum (--from)."
        )
    if max_students is None and not no_student_limit and existing:
        max_students = existing.max_students
    previous = _values(existing) if existing else None
    licence = existing or Licence(school=school, subject=subject)
    licence.starts, licence.ends, licence.max_students = starts, ends, max_students
    licence.save()
    now = _values(licence)
    changes = {
        key: [previous[key], now[key]]
        for key in ("starts", "ends", "max_students")
        if previous and previous[key] != now[key]
    }
    _record(school, {"op": "grant", **now, "previous": previous, "changes": changes})
    return licence, existing is None


@transaction.atomic
def licence_revoke(*, school: School, subject: Subject) -> Licence:
    """End `school`'s licence for `subject` by removing it; the school's leerplan
    activations stay (a new licence finds them back). Raises LicenceError when there is
    none. Recorded in the audit log."""
    licence = Licence.objects.filter(school=school, subject=subject).first()
    if licence is None:
        raise LicenceError(f"School '{school.slug}' heeft geen licentie voor '{subject.slug}'.")
    details = {"op": "revoke", **_values(licence)}
    licence.delete()
    _record(school, details)
    return licence


def _record(school: School, details: dict) -> None:
    """In the school's audit log (no actor: the operator on the command line, named in the
    details) and in the `klasse.audit` log."""
    details |= {"by": _operator(), "via": "klasse licence"}
    audit_record(school_id=school.pk, actor=None, action=Action.LICENCE, details=details)
    # INFO, as every command's line for the log: the operator's screen shows the Dutch
    # sentence only (LOG_LEVEL=INFO writes this one to the log as well).
    audit_log.info(
        "klasse licence %s: %s %s %s–%s (students: %s), run by %s",
        details["op"],
        school.slug,
        details["subject"],
        details["starts"],
        details["ends"],
        details["max_students"] or "-",
        details["by"],
    )


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a minimal container
        return "onbekend"


def _values(licence: Licence) -> dict:
    return {
        "subject": licence.subject.slug,
        "starts": licence.starts.isoformat(),
        "ends": licence.ends.isoformat(),
        "max_students": licence.max_students,
    }
