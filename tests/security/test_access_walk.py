"""Walk every URL pattern of klasse.urls as every persona.

The walker (tests/security/walk.py) discovers the patterns itself, through every include,
so a page added later is walked too; a URL argument it cannot fill stops it with a message
that says where to teach it. Anonymous visitors are sent to the login page; teachers and
students never reach TOOLS, students never the overviews; the administrator of school B
gets 404 for every object of school A and never sees any of A's data; a teacher reaches
the pages of the classes he teaches (Tom), and a teacher of another class gets 404 for them
and sees nothing of them (Tess); no GET changes the database; every POST needs a CSRF token
and every form carries one.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls.converters import StringConverter

from tests.conftest import client_for
from tests.security.walk import (
    A_TRACES,
    CLASS_TRACES,
    ONE_ROLE_ONLY,
    PERSONAS,
    PUBLIC,
    TEACHER_PAGES,
    Endpoint,
    endpoints,
    names_a_class_object,
    names_an_object,
    snapshot,
    url_for,
)

pytestmark = pytest.mark.django_db


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "token": False})
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self.forms:
            self.forms[-1]["token"] = True


def client_as(persona: str, world: dict) -> Client:
    return Client() if persona == "anonymous" else client_for(world[persona])


def _restricted(persona: str, path: str) -> bool:
    if persona in ("tom", "tess"):
        return path.startswith("/tools/")
    if persona == "sara":
        return path.startswith(("/tools/", "/overzichten/", "/vak/", "/vakken/"))
    return False


def test_the_walker_finds_the_pages_we_know():
    names = {endpoint.name for endpoint in endpoints()}
    known = {"login", "home", "tools", "overview", "class_detail", "imports:start"}
    assert known | {"users:list", "history:list", "password_choose"} <= names


def test_the_walker_fails_clearly_on_an_argument_it_cannot_fill(world):
    mystery = Endpoint("tools:mystery", "tools/<str:wat>/", {"wat": StringConverter()}, None)
    with pytest.raises(pytest.fail.Exception, match=r"cannot fill <StringConverter:wat>"):
        url_for(mystery, world)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_as_every_persona(world, persona):
    client = client_as(persona, world)
    failures: list[str] = []
    for endpoint in endpoints():
        path = url_for(endpoint, world)
        failures += [
            f"{persona}: {path} ({endpoint.name}): {why}"
            for why in _visit(persona, client, endpoint, path)
        ]
    assert not failures, "\n".join(failures)


def _request(client: Client, method: str, path: str) -> tuple:
    """The response, and whether the database changed (a refused request must not)."""
    before = snapshot()
    response = getattr(client, method)(path)
    return response, snapshot() != before


def _visit(persona: str, client: Client, endpoint: Endpoint, path: str) -> list[str]:
    login = resolve_url(settings.LOGIN_URL)
    found = []
    response, changed = _request(client, "get", path)
    if changed:
        found.append("a GET changed the database")
    status, location = response.status_code, response.get("Location", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace")
    to_login = status == 302 and location.startswith(login)
    if status >= 500:
        found.append(f"GET → {status}")

    def post_is(allowed: tuple[int, ...], why: str) -> int:
        post, changed = _request(client, "post", path)
        sent_to_login = post.status_code == 302 and post["Location"].startswith(login)
        if changed:
            found.append(f"a refused POST changed the database ({why})")
        if post.status_code not in allowed and not (302 in allowed and sent_to_login):
            found.append(f"POST → {post.status_code}: {why}")
        return post.status_code

    if persona == "anonymous":
        if endpoint.plain_name not in PUBLIC and not to_login:
            if status != 405:
                found.append(f"GET → {status}: an anonymous visitor must go to the login page")
            else:
                post_is((302, 403, 405), "an anonymous visitor must go to the login page")
    elif _restricted(persona, path):
        if status not in (403, 404, 405):
            found.append(f"GET → {status}: this role must never reach this page")
        post_is((403, 404, 405), "this role must never reach this page")
    elif persona == "bob":
        if names_an_object(endpoint):
            why = "an object of school A is 404 for school B"
            if status not in (404, 405):
                found.append(f"GET → {status}: {why}")
            if post_is((404, 405), why) == 405 and status == 405:
                found.append(f"neither GET nor POST looked the object up: {why}")
        found += [f"school B sees {t!r} of school A" for t in A_TRACES if t in body + location]
    elif persona == "tess":
        # A teacher of another class: the walked class and student are not there for her.
        if endpoint.plain_name in TEACHER_PAGES:
            why = "a teacher gets 404 for a class or student she does not teach"
            if status not in (404, 405):
                found.append(f"GET → {status}: {why}")
            post_is((404,), why)
        elif names_a_class_object(endpoint) and status not in (403, 404, 405):
            found.append(f"GET → {status}: an object of a class she does not teach")
        found += [f"Tess sees {t!r}" for t in CLASS_TRACES if t in body + location]
    elif persona == "tom" and endpoint.plain_name in TEACHER_PAGES and status not in (200, 405):
        found.append(f"GET → {status}: a teacher reaches this page for a class he teaches")
    elif (
        persona == "alice"
        and status not in (200, 204, 302, 405)
        and not (status == 403 and endpoint.plain_name in ONE_ROLE_ONLY)
    ):
        found.append(f"GET → {status}: the administrator of A should reach every page of A")
    if persona != "anonymous" and to_login:
        found.append("a signed-in user was sent to the login page")
    if status == 200 and "html" in response.get("Content-Type", ""):
        forms = _Forms()
        forms.feed(body)
        if any(form["method"] == "post" and not form["token"] for form in forms.forms):
            found.append("a POST form without a CSRF token")
    return found


# Read-only endpoints that answer every unsafe method with 405 before anything else, so
# they need no CSRF check (docs/leerplan-api.md): the only csrf_exempt views allowed.
READ_ONLY_EXEMPT = {"leerplan_api"}


@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_every_post_without_a_csrf_token_is_refused(world, persona):
    client = Client(enforce_csrf_checks=True)
    if persona != "anonymous":
        client.force_login(world[persona])
    failures = []
    for endpoint in endpoints():
        exempt = endpoint.plain_name in READ_ONLY_EXEMPT
        if getattr(endpoint.callback, "csrf_exempt", False) and not exempt:
            failures.append(f"{endpoint.name} is csrf_exempt")
        path = url_for(endpoint, world)
        before = snapshot()
        response = client.post(path, {"next": "/", "language": "en"})
        if exempt and response.status_code != 405:
            failures.append(f"POST {path} ({endpoint.name}), read-only → {response.status_code}")
        elif not exempt and (response.status_code != 403 or b"CSRF" not in response.content):
            failures.append(
                f"POST {path} ({endpoint.name}) without a token → {response.status_code}"
            )
        if snapshot() != before:
            failures.append(f"POST {path} ({endpoint.name}) without a token changed the database")
    assert not failures, "\n".join(failures)
