"""Fixlast, item 1: a class's leerplan (its Activation rows) goes with the class and an
undo that makes the class again cannot bring it back. So a class with skills switched on
is not offered for removal and not removed; what it holds is said, through the accounts
signal `class_removal_holds` that the leerplan answers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.classes import classes_delete
from klasse.accounts.models import AuditEntry, SchoolClass
from klasse.leerplan.activation import class_skills_switch, student_skills_switch
from klasse.leerplan.models import Activation, PersonalActivation
from tests.conftest import client_for, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(school_a, alice, rekenen) -> SchoolClass:
    """Last year's 1HV: nobody active in it, but its leerplan has three skills on."""
    school_class = SchoolClass.objects.create(school=school_a, name="1HV")
    skills = list(rekenen.skills.filter(retired_in="").order_by("code")[:3])
    class_skills_switch(
        actor=alice, school_class=school_class, subject=rekenen, skills=skills, on=True
    )
    assert Activation.objects.filter(school_class=school_class).count() == 3
    return school_class


REASON = "Klas 1HV heeft nog een leerplan (3 vaardigheden aan); zet die eerst uit onder LEERPLAN."


def test_the_offer_says_the_leerplan_and_cannot_tick_the_class(alice, planned):
    html = client_for(alice).get(reverse("overview")).content.decode()
    assert "leerplan: 3 vaardigheden aan" in html and REASON in html
    box = html[html.index(f'name="klas" value="{planned.pk}"') :]
    assert "disabled" in box[: box.index(">")]


def test_a_class_with_a_leerplan_is_not_removed_by_any_way(alice, planned):
    response = client_for(alice).post(
        reverse("empty_classes_delete"), {"klas": [planned.pk]}, follow=True
    )
    assert REASON in response.content.decode()
    response = client_for(alice).post(reverse("class_delete", args=[planned.pk]), follow=True)
    assert REASON in response.content.decode()
    page = client_for(alice).get(reverse("class_detail", args=[planned.pk])).content.decode()
    assert REASON in page and reverse("class_delete", args=[planned.pk]) not in page
    assert classes_delete(school_id=planned.school_id, ids=[planned.pk], actor=alice) == (
        [],
        [("1HV", REASON)],
    )
    assert Activation.objects.filter(school_class=planned).count() == 3
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CLASS_DELETE).exists()


def test_switched_off_the_class_goes_and_personal_activations_do_not_hold_it(
    alice, school_a, rekenen, planned
):
    skills = list(Activation.objects.filter(school_class=planned).values_list("skill", flat=True))
    on = list(rekenen.skills.filter(pk__in=skills))
    class_skills_switch(actor=alice, school_class=planned, subject=rekenen, skills=on, on=False)
    leaver = make_account(school_a, "leaver", school_class=planned)
    student_skills_switch(actor=alice, student=leaver, subject=rekenen, skills=on, on=True)
    leaver.archived_at = timezone.now()
    leaver.save(update_fields=["archived_at"])
    assert classes_delete(school_id=school_a.pk, ids=[planned.pk], actor=alice) == (["1HV"], [])
    assert PersonalActivation.objects.filter(student=leaver).count() == 3
