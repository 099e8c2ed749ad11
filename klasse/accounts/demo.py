"""The demo school: idempotent, so `klasse demo` can run on every start."""

import random

from django.db import transaction
from django.dispatch import Signal

from .models import Account, ClassKind, Programme, Role, School, SchoolClass

DEMO_SLUG = "demo"
DEMO_PASSWORD = "klasse-demo-2026"
FIRST_NAMES = [
    "Zoë",
    "Daniëlle",
    "Noël",
    "Anaïs",
    "Chloë",
    "Sem",
    "Lotte",
    "Mehmet",
    "Fatma",
    "Ünal",
    "Jesús",
    "Björn",
    "Renée",
    "Thijs",
    "Eliza",
    "Daan",
    "Sophie",
    "Julia",
    "Milan",
    "Noor",
]
LAST_NAMES = [
    ("", "Jansen"),
    ("van der", "Berg"),
    ("de", "Vries"),
    ("", "Çelik"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Yılmaz"),
    ("ter", "Horst"),
    ("", "Smit"),
    ("van den", "Heuvel"),
    ("", "Mulder"),
    ("de", "Jong"),
    ("", "Özdemir"),
    ("van 't", "Hof"),
    ("", "Meijer"),
]
# Sent with `school=` after every demo_load, new or found: apps above accounts (the
# leerplan) add their part of the demo idempotently, without accounts knowing them.
demo_school_ready = Signal()
CLASSES = [("1HV", "havo 1"), ("2VA", "vwo 2"), ("3HB", "havo 3"), ("4T", "vmbo-tl 4")]
# A lesgroep across two classes (issue 16, item 8): every third student of 1HV and 2VA.
GROUP, GROUP_CLASSES = "rekenplus", ("1HV", "2VA")


@transaction.atomic
def demo_load() -> School:
    """Create the demo school once; a second call finds it and changes nothing of it, and
    `demo_school_ready` lets other apps add what they lack (each idempotent)."""
    school = _demo_school()
    _demo_group(school)
    demo_school_ready.send(sender=School, school=school)
    return school


def _demo_school() -> School:
    school, created = School.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Demoschool De Klasse", "brin": "00XX"}
    )
    if not created:
        return school
    rng = random.Random(2026)
    admin = Account(
        school=school,
        username="demo-beheerder",
        first_name="Bea",
        last_name="Heer",
        role=Role.ADMIN,
        email="beheer@demo.klasse.invalid",
    )
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    teachers = []
    for username, first, infix, last in [
        ("demo-docent", "Marloes", "van der", "Velde"),
        ("demo-docent2", "Joël", "", "Bosman"),
    ]:
        teacher = Account(
            school=school,
            username=username,
            first_name=first,
            infix=infix,
            last_name=last,
            role=Role.TEACHER,
            email=f"{username}@demo.klasse.invalid",
        )
        teacher.set_password(DEMO_PASSWORD)
        teacher.save()
        teachers.append(teacher)
    number = 0
    for index, (class_name, programme_code) in enumerate(CLASSES):
        school_class = SchoolClass.objects.create(school=school, name=class_name)
        school_class.teachers.add(teachers[index % 2])
        programme = Programme.objects.get(code=programme_code)
        for _ in range(15):
            number += 1
            infix, last = rng.choice(LAST_NAMES)
            student = Account(
                school=school,
                username=f"demo-ll{number:03d}",
                first_name=rng.choice(FIRST_NAMES),
                infix=infix,
                last_name=last,
                role=Role.STUDENT,
                school_class=school_class,
                programme=programme,
                external_id=f"{100000 + number}",
                eck_id=f"https://id.school/LL_demo{number:03d}",
            )
            student.set_password(DEMO_PASSWORD if number == 1 else None)
            student.save()
    return school


def _demo_group(school: School) -> None:
    """The demo's lesgroep, made once (also in a demo school made before groups existed):
    taught by the second teacher, with every third student of GROUP_CLASSES."""
    if SchoolClass.objects.filter(school=school, kind=ClassKind.GROUP).exists():
        return
    group = SchoolClass.objects.create(school=school, name=GROUP, kind=ClassKind.GROUP)
    teacher = Account.objects.filter(school=school, username="demo-docent2").first()
    if teacher:
        group.teachers.add(teacher)
    students = Account.objects.filter(
        school=school, role=Role.STUDENT, school_class__name__in=GROUP_CLASSES
    ).order_by("username")
    group.group_members.add(*list(students)[::3])
