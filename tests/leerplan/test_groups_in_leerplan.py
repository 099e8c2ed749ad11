"""On the leerplan pages a lesgroep is called a lesgroep and listed under its own heading,
after the classes (issue 16 follow-up, item 5)."""

import re

import pytest
from django.urls import reverse

from klasse.accounts.models import ClassKind, SchoolClass
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_a(school_a):
    return SchoolClass.objects.create(school=school_a, name="wi-b", kind=ClassKind.GROUP)


def test_a_lesgroep_is_called_a_lesgroep(alice, rekenen, class_a, group_a):
    client = client_for(alice)
    page = client.get(reverse("leerplan:class", args=["rekenen", group_a.pk])).content.decode()
    assert "Leerplan lesgroep wi-b" in page and "Leerplan klas wi-b" not in page
    page = client.get(reverse("leerplan:class", args=["rekenen", class_a.pk])).content.decode()
    assert "Leerplan klas 3HB" in page
    overview = reverse("leerplan:class_overview", args=["rekenen", group_a.pk])
    page = client.get(overview).content.decode()
    assert "Lesgroep wi-b" in page and "Leerplan van deze lesgroep" in page


@pytest.mark.parametrize("name", ["leerplan:classes", "leerplan:overview"])
def test_groups_are_listed_under_their_own_heading_after_the_classes(
    alice, rekenen, class_a, group_a, school_a, name
):
    SchoolClass.objects.create(school=school_a, name="1A")  # a class before "wi-b" by name
    page = client_for(alice).get(reverse(name, args=["rekenen"])).content.decode()
    body = page[page.index("<tbody>") :]
    heading = body.index('<th scope="colgroup" colspan="3">Lesgroepen</th>')
    assert body.index(">1A<") < body.index(">3HB<") < heading < body.index(">wi-b<")
    menu = page[page.index('class="sidebar"') : page.index("</nav>", page.index('class="sidebar"'))]
    assert re.search(r">3HB.*Lesgroepen.*>wi-b", menu, re.S)
