"""`klasse demo`: the demo school holds a licence for every subject and class 1HV has some
skills switched on, also when the demo school was made before the leerplan existed."""

import pytest
from django.core.management import call_command

from klasse.accounts.models import Account, AuditEntry, School
from klasse.leerplan.demo import school_year_end
from klasse.leerplan.licences import subjects_licensed, today
from klasse.leerplan.models import Activation, Licence
from klasse.leerplan.skills import open_skills

pytestmark = pytest.mark.django_db


def test_the_demo_school_has_every_subject_and_a_class_with_skills():
    call_command("demo")
    call_command("demo")
    school = School.objects.get(slug="demo")
    assert [s.slug for s in subjects_licensed(school.pk)] == [
        "nederlands",
        "engels",
        "rekenen",
        "nt2",
    ]
    assert set(Licence.objects.values_list("ends", flat=True)) == {school_year_end(today())}
    student = Account.objects.get(username="demo-ll001")
    assert student.school_class.name == "1HV"
    open_by_subject = {subject.slug: len(skills) for subject, skills in open_skills(student)}
    assert open_by_subject["rekenen"] > 0 and open_by_subject["nederlands"] > 0
    assert open_by_subject["engels"] == 0
    assert AuditEntry.objects.filter(school=school, action="leerplan").count() == 2


def test_a_demo_school_from_before_the_leerplan_gets_it_at_the_next_start():
    call_command("demo")
    Activation.objects.all().delete()
    Licence.objects.all().delete()
    call_command("demo")
    assert Licence.objects.count() == 4 and Activation.objects.exists()


def test_the_school_year_ends_on_the_31st_of_july():
    import datetime as dt

    assert school_year_end(dt.date(2026, 7, 31)) == dt.date(2026, 7, 31)
    assert school_year_end(dt.date(2026, 8, 1)) == dt.date(2027, 7, 31)
    assert school_year_end(dt.date(2027, 1, 15)) == dt.date(2027, 7, 31)
