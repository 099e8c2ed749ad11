"""Every page the manual describes is reached by clicking from the login, for an
administrator and a teacher, in a school with one licence and one with several (issue 15
fix, item 1): the walker follows only the links (`<a href>`) and reads the forms (`<form
action>`) of the pages it gets, as a person would."""

import contextlib
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from klasse.accounts.models import SchoolClass
from tests.conftest import PASSWORD
from tests.leerplan.conftest import grant

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a [^>]*href="([^"#]*)')
FORM = re.compile(r'<form [^>]*method="post"[^>]*action="([^"]*)"')
SKIP = ("logout", "set_language")

# Pages (links) and actions (forms) the manual describes, per role.
BOTH = {
    "leerplan:overview",
    "leerplan:class_overview",
    "leerplan:classes",
    "leerplan:class",
    "leerplan:student",
    "class_detail",
    "overview",
    "own_password",
}
PAGES = {
    "admin": BOTH
    | {
        "users:sheet",
        "users:export",
        "users:list",
        "users:edit",
        "users:audit",
        "licences",
        "imports:start",
        "history:list",
        "help:manual",
    },
    "teacher": BOTH | {"class_sheet"},
}
ACTIONS = {
    "admin": {"student_password", "class_rename", "class_delete", "empty_classes_delete"},
    "teacher": {"student_password"},
}


def walk(client: Client, start: str) -> tuple[set[str], set[str]]:
    """The URL names of the pages reached by links from `start`, and of the forms' actions
    on them. Each URL name is opened at most three times (its objects differ only)."""
    seen_urls, pages, actions, opened = set(), set(), set(), {}
    queue = [start]
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if url in seen_urls or name in SKIP or opened.get(name, 0) >= 3:
            continue
        seen_urls.add(url)
        opened[name] = opened.get(name, 0) + 1
        response = client.get(url, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages.add(resolve(urlsplit(response.redirect_chain[-1][0]).path).view_name
                  if response.redirect_chain else name)  # fmt: skip
        body = response.content.decode()
        for action in FORM.findall(body):
            with contextlib.suppress(Resolver404):
                actions.add(resolve(urlsplit(action).path).view_name)
        queue.extend(
            href.replace("&amp;", "&") for href in LINK.findall(body) if href.startswith("/")
        )
    return pages, actions


@pytest.mark.parametrize("subjects", [["rekenen"], ["rekenen", "nt2"]])
@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_every_page_of_the_manual_is_reached_by_clicking_from_login(
    role, subjects, school_a, class_a, alice, tom, sara
):
    for slug in subjects:
        grant(school_a, slug)
    SchoolClass.objects.create(school=school_a, name="Leeg-vorig-jaar")
    client = Client()
    username = "alice" if role == "admin" else "tom"
    login = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert login.status_code == 302
    pages, actions = walk(client, login["Location"])
    assert PAGES[role] - pages == set()
    assert ACTIONS[role] - actions == set()
