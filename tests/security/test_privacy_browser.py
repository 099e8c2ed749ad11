"""Privacy (AVG) in real Chromium: no page asks another host for anything.

Every request that leaves the live server is aborted and recorded; a page that needed one
(a font, a script from a CDN, an analytics beacon) would show up as a foreign request or a
failed one. The administrator's main pages are visited, the import wizard included, with
its JavaScript and htmx at work. Chromium, Playwright and the live server come from
tests/browser/conftest.py (skipped without /usr/bin/chromium, unless
KLASSE_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from klasse.accounts.models import Programme
from klasse.leerplan.models import Licence, Subject
from tests.browser.conftest import (  # noqa: F401 (fixtures)
    BROWSER,
    _programme_catalogue,
    browser,
    live,
    login,
    page,
    plain_http,
)
from tests.conftest import make_account
from tests.security.conftest import csv_bytes, line

pytestmark = BROWSER


@pytest.fixture
def watched(page, live):  # noqa: F811 (the imported fixtures)
    """The page, with every request to another host aborted and every failure recorded."""
    local = urlparse(live.url).netloc
    seen = {"foreign": [], "failed": [], "errors": [], "requests": 0}

    def route(request_route) -> None:
        url = request_route.request.url
        seen["requests"] += 1
        if url.startswith(("data:", "blob:")) or urlparse(url).netloc == local:
            request_route.continue_()
        else:
            seen["foreign"].append(url)
            request_route.abort()

    page.context.route("**/*", route)
    page.on("requestfailed", lambda r: seen["failed"].append((r.url, r.failure)))
    page.on("response", lambda r: r.status >= 400 and seen["failed"].append((r.url, r.status)))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    yield page, seen
    assert seen["requests"] > 0


def real_failures(tab, failed: list[tuple[str, object]], local: str) -> list:
    """Failed requests, less the local ones Chromium gave up on because the next page was
    opened (the favicon, typically), provided that they are there when asked again."""
    found = []
    for url, failure in failed:
        cancelled = failure == "net::ERR_ABORTED" and urlparse(url).netloc == local
        if not (cancelled and tab.request.get(url).status == 200):
            found.append(f"{url}: {failure}")
    return found


def test_no_page_requests_anything_from_another_host(watched, alice, class_a, settings, tmp_path):
    page, seen = watched  # noqa: F811
    student = make_account(
        alice.school,
        "zoe",
        first_name="Zoë",
        school_class=class_a,
        programme=Programme.objects.get(code="havo 3"),
    )
    Licence.objects.create(
        school=alice.school,
        subject=Subject.objects.get(slug="rekenen"),
        starts=dt.date(2020, 8, 1),
        ends=dt.date(2099, 7, 31),
    )
    page.goto(reverse("login"))
    page.wait_for_load_state("networkidle")
    login(page, alice)
    visited = []
    for url in [
        reverse("tools"),
        reverse("imports:start"),
        reverse("overview"),
        reverse("class_detail", args=[class_a.pk]),
        reverse("users:list"),
        reverse("users:edit", args=[student.pk]),
        reverse("users:sheets"),
        reverse("users:export"),
        reverse("users:audit"),
        reverse("history:list"),
        reverse("licences"),
        reverse("leerplan:overview", args=["rekenen"]),
        reverse("leerplan:class_overview", args=["rekenen", class_a.pk]),
        reverse("leerplan:class", args=["rekenen", class_a.pk]),
        reverse("leerplan:student", args=["rekenen", student.pk]),
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        visited.append(page.url)

    # The wizard: choosing the file reads it at once (wizard.js), htmx redraws the mapping.
    upload = tmp_path / "leerlingen.csv"
    upload.write_bytes(csv_bytes([line("nieuw-kind", voornaam="Anna")]))
    page.goto(reverse("imports:start"))
    with page.expect_navigation():
        page.locator("input[type=file]").set_input_files(str(upload))
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url("**/voorbeeld/")
    page.wait_for_load_state("networkidle")
    visited.append(page.url)

    assert seen["foreign"] == [], f"requests to other hosts: {seen['foreign']}"
    failed = real_failures(page, seen["failed"], urlparse(page.url).netloc)
    assert failed == [], f"failed requests: {failed}"
    assert seen["errors"] == [], f"console errors (a blocked request or script): {seen['errors']}"
    assert len(visited) == 16


def test_the_watcher_sees_a_request_to_another_host(watched):
    page, seen = watched  # noqa: F811
    page.goto(reverse("login"))
    with pytest.raises(Exception, match="ERR_FAILED"):
        page.goto("https://cdn.example.invalid/font.woff2")
    assert seen["foreign"] == ["https://cdn.example.invalid/font.woff2"]
