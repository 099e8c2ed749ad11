import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_each_role_lands_on_its_own_home(alice, tom, sara):
    assert client_for(alice).get("/", follow=True).redirect_chain[-1][0] == reverse("imports:start")
    assert client_for(tom).get("/", follow=True).redirect_chain[-1][0] == reverse("overview")
    assert client_for(sara).get("/", follow=True).redirect_chain[-1][0] == reverse("student_home")


def test_an_administrator_sees_tools_and_overviews(alice):
    page = client_for(alice).get(reverse("imports:start")).content.decode()
    assert ">TOOLS<" in page and ">OVERZICHTEN<" in page
    assert "IMPORTEREN" in page and "GEBRUIKERS" in page


def test_a_teacher_sees_only_overviews_with_own_classes(tom, class_a, school_a):
    from klasse.accounts.models import SchoolClass

    SchoolClass.objects.create(school=school_a, name="5VWO")
    page = client_for(tom).get(reverse("overview")).content.decode()
    assert ">OVERZICHTEN<" in page and ">TOOLS<" not in page
    assert "3HB" in page and "5VWO" not in page


def test_a_student_sees_name_and_class_and_no_tabs(sara):
    page = client_for(sara).get(reverse("student_home")).content.decode()
    assert "Sara van der Berg" in page and "3HB" in page
    assert ">TOOLS<" not in page and ">OVERZICHTEN<" not in page


@pytest.mark.parametrize("name", ["imports:start", "users:list", "history:list", "tools"])
def test_teachers_and_students_never_reach_tools(tom, sara, name):
    assert client_for(tom).get(reverse(name)).status_code == 403
    assert client_for(sara).get(reverse(name)).status_code == 403


def test_students_do_not_reach_overviews(sara, class_a):
    assert client_for(sara).get(reverse("overview")).status_code == 403
    assert client_for(sara).get(reverse("class_detail", args=[class_a.pk])).status_code == 403


def test_another_schools_administrator_gets_404_for_a_class_of_a(bob, class_a, sara):
    response = client_for(bob).get(reverse("class_detail", args=[class_a.pk]))
    assert response.status_code == 404
    assert "Sara" not in response.content.decode()


def test_another_schools_administrator_sees_none_of_a_in_overviews(bob, class_a, sara):
    page = client_for(bob).get(reverse("overview")).content.decode()
    assert "3HB" not in page and "Lyceum A" not in page


def test_a_teacher_gets_404_for_a_class_that_is_not_his(tom, school_a):
    from klasse.accounts.models import SchoolClass

    other = SchoolClass.objects.create(school=school_a, name="1A")
    assert client_for(tom).get(reverse("class_detail", args=[other.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, class_a):
    for url in [
        "/",
        reverse("overview"),
        reverse("imports:start"),
        reverse("class_detail", args=[class_a.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_speaks_dutch_and_english_on_request(client):
    assert "Gebruikersnaam" in client.get(reverse("login")).content.decode()
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Username" in page


def test_logging_in_and_out(client, alice):
    response = client.post(reverse("login"), {"username": "ALICE", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("overview")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("overview")).status_code == 302
