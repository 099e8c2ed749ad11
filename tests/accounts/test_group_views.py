"""Groups in OVERZICHTEN and on the account pages; the ECK iD shown to the administrator.
Issue 16, items 7 and 8."""

import pytest
from django.urls import reverse

from klasse.accounts.models import ClassKind, Role, SchoolClass
from tests.conftest import client_for, make_account

pytestmark = pytest.mark.django_db
ECK = "https://id.school/LL_0123456789abcdef"


@pytest.fixture
def wib(school_a, sara, tom):
    group = SchoolClass.objects.create(school=school_a, name="wi-b", kind=ClassKind.GROUP)
    sara.groups.add(group)
    group.teachers.add(tom)
    return group


def test_the_overview_lists_groups_apart_from_classes(alice, wib, class_a):
    html = client_for(alice).get(reverse("overview")).content.decode()
    per_class = html.split("Leerlingen per klas")[1].split("</table>")[0]
    assert "3HB" in per_class and "wi-b" not in per_class
    groups = html.split('id="groups"')[1].split("</table>")[0]
    assert "Lesgroepen" in groups and reverse("class_detail", args=[wib.pk]) in groups
    assert "3HB" not in groups


def test_a_groups_page_lists_its_members_with_their_class(alice, wib, sara):
    response = client_for(alice).get(reverse("class_detail", args=[wib.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lesgroep wi-b" in html and sara.full_name in html and "3HB" in html
    assert "Tom Teacher" in html
    # Login cards and the export go per class (a pupil's class): not offered for a group.
    assert reverse("users:sheet", args=[wib.pk]) not in html


def test_a_teacher_sees_the_groups_taught_and_no_others(school_a, tom, wib):
    other = SchoolClass.objects.create(school=school_a, name="ne3", kind=ClassKind.GROUP)
    client = client_for(tom)
    assert client.get(reverse("class_detail", args=[wib.pk])).status_code == 200
    assert client.get(reverse("class_detail", args=[other.pk])).status_code == 404
    html = client.get(reverse("overview")).content.decode()
    assert "wi-b" in html and "ne3" not in html


def test_another_schools_administrator_never_sees_a_group(bob, wib):
    assert client_for(bob).get(reverse("class_detail", args=[wib.pk])).status_code == 404


def test_a_pupils_page_shows_the_groups(sara, wib):
    html = client_for(sara).get(reverse("student_home")).content.decode()
    assert "Lesgroepen" in html and "wi-b" in html


def test_the_account_page_shows_the_eck_id_and_the_groups(alice, sara, wib):
    sara.eck_id = ECK
    sara.save()
    html = client_for(alice).get(reverse("users:edit", args=[sara.pk])).content.decode()
    assert ECK in html and "wi-b" in html
    listed = client_for(alice).get(reverse("users:list")).content.decode()
    assert "(wi-b)" in listed


def test_the_edit_form_does_not_change_the_eck_id(alice, sara):
    sara.eck_id = ECK
    sara.save()
    client_for(alice).post(
        reverse("users:edit", args=[sara.pk]),
        {
            "first_name": "Sara",
            "infix": "van der",
            "last_name": "Berg",
            "username": "sara",
            "email": "",
            "role": Role.STUDENT,
            "class_name": "3HB",
            "programme": "havo 3",
            "eck_id": "https://id.school/LL_other",
        },
    )
    sara.refresh_from_db()
    assert sara.eck_id == ECK


def test_a_teachers_page_names_what_the_teacher_teaches(alice, tom, wib):
    html = client_for(alice).get(reverse("users:edit", args=[tom.pk])).content.decode()
    assert "Geeft les aan" in html and "3HB, wi-b" in html


def test_a_pupil_without_groups_has_no_groups_line(school_a, class_a):
    pupil = make_account(school_a, "piet", school_class=class_a)
    html = client_for(pupil).get(reverse("student_home")).content.decode()
    assert "Lesgroepen" not in html


def test_the_edit_form_refuses_a_group_as_a_pupils_class(alice, sara, wib):
    response = client_for(alice).post(
        reverse("users:edit", args=[sara.pk]),
        {
            "first_name": "Sara",
            "infix": "van der",
            "last_name": "Berg",
            "email": "",
            "external_id": "",
            "role": Role.STUDENT,
            "class_name": "WI-B",
            "programme": "havo 3",
        },
    )
    assert "Dit is een lesgroep, geen klas." in response.content.decode()
    sara.refresh_from_db()
    assert sara.school_class.name == "3HB"
