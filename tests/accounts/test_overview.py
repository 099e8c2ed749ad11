"""OVERZICHTEN: classes with their students and teachers, counts per class and programme."""

import pytest
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Programme, Role, SchoolClass
from tests.conftest import client_for, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def vwo_class(school_a) -> SchoolClass:
    return SchoolClass.objects.create(school=school_a, name="4V")


def student(school, username, school_class, programme="havo 3", **names):
    return make_account(
        school,
        username,
        school_class=school_class,
        programme=Programme.objects.get(code=programme),
        **names,
    )


def page(account, url) -> str:
    response = client_for(account).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_students_are_named_the_dutch_way_and_sorted_on_last_name_without_infix(
    alice, class_a, sara
):
    student(alice.school, "bram", class_a, first_name="Bram", last_name="Aalders")
    student(alice.school, "cees", class_a, first_name="Cees", infix="de", last_name="Zwart")
    student(alice.school, "zoe", class_a, first_name="Zoë", last_name="Çelik")
    html = page(alice, reverse("class_detail", args=[class_a.pk]))
    names = ["Bram Aalders", "Sara van der Berg", "Zoë Çelik", "Cees de Zwart"]
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions)


def test_the_overview_counts_students_per_class_and_per_programme(alice, class_a, vwo_class, sara):
    student(alice.school, "bram", class_a)
    student(alice.school, "vera", vwo_class, programme="vwo 4")
    gone = student(alice.school, "gone", vwo_class, programme="vwo 4")
    gone.archived_at = timezone.now()
    gone.save()
    response = client_for(alice).get(reverse("overview"))
    classes = {c.name: c.student_count for c in response.context["classes"]}
    assert classes == {"3HB": 2, "4V": 1}
    programmes = {p["programme__code"]: p["count"] for p in response.context["programmes"]}
    assert programmes == {"havo 3": 2, "vwo 4": 1}
    assert response.context["total"] == 3
    html = response.content.decode()
    assert "Leerlingen per opleiding" in html and "vwo 4" in html


def test_a_class_page_counts_its_programmes(alice, class_a, sara):
    student(alice.school, "vera", class_a, programme="vwo 3")
    response = client_for(alice).get(reverse("class_detail", args=[class_a.pk]))
    programmes = {p["programme__code"]: p["count"] for p in response.context["programmes"]}
    assert programmes == {"havo 3": 1, "vwo 3": 1}


def test_archived_students_and_teachers_show_only_on_demand(alice, class_a, sara, tom):
    for account in (sara, tom):
        account.archived_at = timezone.now()
        account.save()
    url = reverse("class_detail", args=[class_a.pk])
    html = page(alice, url)
    assert "Sara van der Berg" not in html and "Tom Teacher" not in html
    html = page(alice, url + "?gearchiveerd=1")
    assert "Sara van der Berg" in html and "Tom Teacher" in html and "gearchiveerd" in html


def test_a_class_shows_its_teachers(alice, class_a, tom):
    assert "Tom Teacher" in page(alice, reverse("class_detail", args=[class_a.pk]))


def test_a_teacher_sees_only_own_classes_and_their_programmes(tom, class_a, vwo_class, sara):
    student(tom.school, "vera", vwo_class, programme="vwo 4")
    response = client_for(tom).get(reverse("overview"))
    assert [c.name for c in response.context["classes"]] == ["3HB"]
    assert {p["programme__code"] for p in response.context["programmes"]} == {"havo 3"}
    assert "vwo 4" not in response.content.decode()
    assert client_for(tom).get(reverse("class_detail", args=[vwo_class.pk])).status_code == 404


def test_a_teacher_sees_names_but_no_links_to_manage_accounts(tom, class_a, sara):
    html = page(tom, reverse("class_detail", args=[class_a.pk]))
    assert "Sara van der Berg" in html
    assert reverse("users:edit", args=[sara.pk]) not in html
    assert reverse("users:sheet", args=[class_a.pk]) not in html


def test_an_administrator_gets_links_to_accounts_login_sheets_and_export(alice, class_a, sara):
    html = page(alice, reverse("class_detail", args=[class_a.pk]))
    assert reverse("users:edit", args=[sara.pk]) in html
    assert reverse("users:sheet", args=[class_a.pk]) in html


def test_another_schools_administrator_sees_no_counts_of_a(bob, class_a, sara):
    response = client_for(bob).get(reverse("overview"))
    assert list(response.context["classes"]) == []
    assert response.context["programmes"] == [] and response.context["total"] == 0
    assert client_for(bob).get(reverse("class_detail", args=[class_a.pk])).status_code == 404


def test_teachers_in_the_students_relation_are_not_counted_as_students(alice, class_a, sara):
    make_account(alice.school, "odd", Role.TEACHER, school_class=class_a)
    response = client_for(alice).get(reverse("overview"))
    assert {c.name: c.student_count for c in response.context["classes"]} == {"3HB": 1}


def test_names_are_escaped(alice, class_a):
    student(alice.school, "evil", class_a, first_name="<script>alert(1)</script>")
    html = page(alice, reverse("class_detail", args=[class_a.pk]))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
