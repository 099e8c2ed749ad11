"""Teachers in their own classes and students' own passwords (issue 15, item 7)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Account, AuditEntry, Role, SchoolClass
from tests.conftest import PASSWORD, client_for, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_teacher(school_a) -> Account:
    """Tess teaches 5C, not 3HB."""
    teacher = make_account(school_a, "tess", Role.TEACHER, first_name="Tess", last_name="Ander")
    SchoolClass.objects.create(school=school_a, name="5C").teachers.add(teacher)
    return teacher


def reset(account, student, follow=True):
    """POST, then (PRG) the page that shows the new password once."""
    return client_for(account).post(reverse("student_password", args=[student.pk]), follow=follow)


def test_a_teacher_gives_a_student_of_his_class_a_new_password_shown_once_on_a_card(tom, sara):
    response = reset(tom, sara)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.context["password"]
    sara.refresh_from_db()
    assert sara.check_password(password) and not sara.check_password(PASSWORD)
    html = response.content.decode()
    card = html[html.index('class="login-card"') :]
    assert password in card and "sara" in card and "Sara van der Berg" in card
    entry = AuditEntry.objects.get(action="password")
    assert (entry.actor_username, entry.username, entry.details) == (
        "tom",
        "sara",
        {"via": "teacher"},
    )
    assert password not in str(entry.details)
    # Shown once: the class page does not show it again.
    page = client_for(tom).get(reverse("class_detail", args=[sara.school_class_id]))
    assert password not in page.content.decode()


def test_a_teacher_of_another_class_gets_404_and_changes_nothing(other_teacher, sara):
    assert reset(other_teacher, sara).status_code == 404
    sara.refresh_from_db()
    assert sara.check_password(PASSWORD) and not AuditEntry.objects.exists()


def test_a_teacher_of_a_lesgroep_resets_its_members_passwords(other_teacher, school_a, sara):
    """Tess teaches the lesgroep wi-b, not Sara's class: Sara is her student through it."""
    group = SchoolClass.objects.create(school=school_a, name="wi-b", kind="groep")
    group.teachers.add(other_teacher)
    assert reset(other_teacher, sara).status_code == 404  # not in the group yet
    sara.groups.add(group)
    response = reset(other_teacher, sara)
    assert response.status_code == 200
    sara.refresh_from_db()
    assert sara.check_password(response.context["password"])


def test_a_student_without_a_class_is_no_teachers_student(tom, school_a):
    loose = make_account(school_a, "los")
    assert reset(tom, loose).status_code == 404


def test_nobody_resets_another_schools_student_or_a_colleague(tom, bob, alice, sara):
    assert reset(bob, sara).status_code == 404
    assert reset(tom, alice).status_code == 404  # an administrator is no student
    assert client_for(sara).post(reverse("student_password", args=[sara.pk])).status_code == 403
    sara.refresh_from_db()
    assert sara.check_password(PASSWORD)


def test_an_administrator_may_reset_any_student_of_the_school(alice, sara):
    response = reset(alice, sara)
    sara.refresh_from_db()
    assert sara.check_password(response.context["password"])
    assert AuditEntry.objects.get(action="password").details == {"via": "manual"}


def test_an_archived_student_gets_no_new_password(tom, sara):
    sara.archived_at = timezone.now()
    sara.save()
    response = reset(tom, sara, follow=False)
    assert response.status_code == 302
    sara.refresh_from_db()
    assert sara.check_password(PASSWORD) and not AuditEntry.objects.exists()


def test_a_teacher_prints_the_login_cards_of_his_class_only(tom, other_teacher, sara, class_a):
    url = reverse("class_sheet", args=[class_a.pk])
    assert client_for(tom).get(url).status_code == 200
    response = client_for(tom).post(url, {"format": "html", "renew": "all"})
    (card,) = response.context["cards"]
    sara.refresh_from_db()
    assert sara.check_password(card.password)
    sheet = AuditEntry.objects.get(action="login_sheet")
    assert sheet.actor_username == "tom" and sheet.details["new_passwords"] == 1
    pdf = client_for(tom).post(url, {"format": "pdf", "renew": "missing"})
    assert pdf["Content-Type"] == "application/pdf"
    before = sara.password
    assert client_for(other_teacher).get(url).status_code == 404
    assert (
        client_for(other_teacher).post(url, {"format": "html", "renew": "all"}).status_code == 404
    )
    sara.refresh_from_db()
    assert sara.password == before
    # The TOOLS page stays the administrators'.
    assert client_for(tom).get(reverse("users:sheet", args=[class_a.pk])).status_code == 403


def test_the_class_page_offers_a_teacher_cards_and_new_passwords(tom, sara, class_a):
    html = client_for(tom).get(reverse("class_detail", args=[class_a.pk])).content.decode()
    assert reverse("class_sheet", args=[class_a.pk]) in html
    assert reverse("student_password", args=[sara.pk]) in html
    assert reverse("users:sheet", args=[class_a.pk]) not in html


def change(account, old, new, again=None):
    return client_for(account).post(
        reverse("own_password"),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_a_student_changes_her_own_password_with_the_current_one_first(sara):
    client = client_for(sara)
    assert reverse("own_password") in client.get(reverse("student_home")).content.decode()
    response = client.post(
        reverse("own_password"),
        {
            "old_password": PASSWORD,
            "new_password1": "mijn-eigen-geheim-7",
            "new_password2": "mijn-eigen-geheim-7",
        },
    )
    assert response.status_code == 302
    sara.refresh_from_db()
    assert sara.check_password("mijn-eigen-geheim-7")
    # Still signed in here.
    assert client.get(reverse("student_home")).status_code == 200
    entry = AuditEntry.objects.get(action="password")
    assert (entry.actor_username, entry.username, entry.details) == (
        "sara",
        "sara",
        {"via": "self"},
    )


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "words"),
    [
        (
            "fout-wachtwoord",
            "mijn-eigen-geheim-7",
            None,
            "old_password",
            "huidige wachtwoord klopt",
        ),
        (PASSWORD, "kort", None, "new_password2", "te kort"),
        (PASSWORD, "password123", None, "new_password2", "te algemeen"),
        (PASSWORD, "mijn-eigen-geheim-7", "mijn-eigen-geheim-8", "new_password2", "niet gelijk"),
        (PASSWORD, PASSWORD, None, "new_password1", "huidige wachtwoord"),
    ],
)
def test_a_wrong_current_password_or_a_weak_new_one_is_refused_in_dutch(
    sara, old, new, again, field, words
):
    response = change(sara, old, new, again)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert words in errors, errors
    sara.refresh_from_db()
    assert sara.check_password(PASSWORD) and not AuditEntry.objects.exists()


def test_changing_the_password_ends_the_other_sessions(sara):
    other = client_for(sara)
    assert other.get(reverse("student_home")).status_code == 200
    assert change(sara, PASSWORD, "mijn-eigen-geheim-7").status_code == 302
    assert other.get(reverse("student_home")).status_code == 302  # to the login page


@pytest.mark.parametrize("url_name", ["student_password", "users:password"])
def test_a_new_password_survives_no_reload_and_a_second_visit_offers_a_new_one(
    alice, tom, sara, url_name
):
    client = client_for(alice if url_name == "users:password" else tom)
    url = reverse(url_name, args=[sara.pk])
    posted = client.post(url)
    assert posted.status_code == 302 and posted["Location"] == url  # POST → redirect → GET
    assert "password" not in posted["Location"].split("/")[-2]
    shown = client.get(url)
    password = shown.context["password"]
    assert password and password in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    again = client.get(url)  # F5, or a visit later
    text = again.content.decode()
    assert again.status_code == 200 and password not in text
    assert "Het nieuwe wachtwoord is al getoond" in text and 'method="post"' in text
    sara.refresh_from_db()
    assert sara.check_password(password)
    assert AuditEntry.objects.filter(action="password").count() == 1
    assert "password_shown_once" not in client.session
