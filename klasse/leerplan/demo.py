"""The demo school's part of the leerplan: a licence for every subject (this school year)
and, for class 1HV, some skills of Rekenen/wiskunde and Nederlands switched on."""

from __future__ import annotations

import datetime as dt

from klasse.accounts.models import Account, Role, School, SchoolClass

from .activation import class_skills_switch, skills_select
from .licences import today
from .models import Licence, Subject

DEMO_ACTIVATIONS = {"rekenen": ("REK-GET", "1F"), "nederlands": ("NED-LEZ", "1F")}


def school_year_end(on: dt.date) -> dt.date:
    """31 July that ends the school year (1 August–31 July) of day `on`."""
    return dt.date(on.year + (on.month >= 8), 7, 31)


def demo_leerplan(sender=None, *, school: School, **kwargs) -> None:
    """Idempotent: licences the demo school lacks, and the demo class's activations once."""
    start = today()
    for subject in Subject.objects.all():
        Licence.objects.get_or_create(
            school=school,
            subject=subject,
            defaults={"starts": start, "ends": school_year_end(start)},
        )
    school_class = SchoolClass.objects.filter(school=school, name="1HV").first()
    teacher = Account.objects.filter(school=school, role=Role.TEACHER).first()
    if school_class is None or school_class.activations.exists():
        return
    for slug, (domain, level) in DEMO_ACTIVATIONS.items():
        subject = Subject.objects.filter(slug=slug).first()
        if subject is not None:
            class_skills_switch(
                actor=teacher,
                school_class=school_class,
                subject=subject,
                skills=skills_select(subject, domain=domain, level=level),
                on=True,
            )
