"""In real Chromium, the manual's whole way: the administrator logs in, chooses a subject,
imports under TOOLS › IMPORTEREN, finds the class under OVERZICHTEN, switches two skills on
in LEERPLAN; that class's student sees them, a student of another class sees that nothing
is prepared; a teacher switches for their own class and gets 404 for another; a licence
that ended yesterday hides the subject."""

import datetime as dt

import pytest
from django.urls import reverse

from klasse.accounts.models import Account, SchoolClass
from klasse.leerplan.licences import today
from klasse.leerplan.models import Activation, Licence, Subject
from tests.browser.conftest import BROWSER, login, screenshot
from tests.conftest import template_csv

pytestmark = BROWSER
STUDENT_PASSWORD = "leerling-wachtwoord-2026"


@pytest.fixture
def watched(page):
    """The page, with console errors, uncaught exceptions and failed responses collected;
    `expected` lists the addresses whose 404 the test asks for."""
    problems: list[str] = []
    expected: set[str] = set()
    page.on(
        "console", lambda m: m.type == "error" and "404" not in m.text and problems.append(m.text)
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not any(r.url.endswith(path) for path in expected)
            and problems.append(f"{r.status} {r.url}")
        ),
    )
    page.expected = expected
    yield page
    assert problems == []


def logout(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()


def test_the_manuals_way_from_subject_to_a_students_skills(watched, alice, tom, school_a, tmp_path):
    page = watched
    for slug in ("rekenen", "engels"):
        Licence.objects.create(
            school=school_a,
            subject=Subject.objects.get(slug=slug),
            starts=today() - dt.timedelta(days=60),
            ends=today() + dt.timedelta(days=200),
        )
    login(page, alice)
    page.get_by_role("heading", name="Kies een vak").wait_for()
    screenshot(page, "leerplan-01-kies-een-vak")
    page.get_by_role("link", name="Rekenen/wiskunde").click()

    page.get_by_role("link", name="TOOLS").click()
    page.locator(".sidebar").get_by_role("link", name="IMPORTEREN").click()
    page.get_by_text("importeren doe je één keer voor alle vakken").wait_for()
    upload = tmp_path / "leerlingen.csv"
    upload.write_bytes(
        template_csv(
            f"Jansen;;Anna;anna.j;{STUDENT_PASSWORD};;3HB;havo 3;;",
            f"Bakker;;Bram;bram.b;{STUDENT_PASSWORD};;2A;havo 2;;",
        )
    )
    with page.expect_navigation():
        page.locator("#id_file").set_input_files(str(upload))
    page.get_by_role("heading", name="Koppel kolommen").wait_for()
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()
    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    assert Account.objects.filter(username__in=["anna.j", "bram.b"]).count() == 2

    page.locator(".tabs").get_by_role("link", name="OVERZICHTEN").click()
    page.get_by_role("heading", name="Overzichten · Rekenen/wiskunde").wait_for()
    page.locator("main").get_by_role("link", name="3HB").click()
    page.get_by_text("Anna Jansen").wait_for()
    screenshot(page, "leerplan-02-overzichten-klas")

    page.locator(".tabs").get_by_role("link", name="LEERPLAN").click()
    page.locator("main").get_by_role("link", name="3HB").click()
    page.get_by_role("heading", name="Leerplan klas 3HB · Rekenen/wiskunde").wait_for()
    page.get_by_role("button", name="Zet aan: Getallen tot 1000 lezen, schrijven").click()
    page.get_by_text("1 vaardigheid aangezet.").wait_for()
    page.get_by_role("button", name="Zet aan: Tafels van vermenigvuldiging").click()
    page.get_by_role("button", name="Zet uit: Tafels van vermenigvuldiging").wait_for()
    screenshot(page, "leerplan-03-twee-vaardigheden-aan")
    class_3hb = SchoolClass.objects.get(school=school_a, name="3HB")
    assert set(
        Activation.objects.filter(school_class=class_3hb).values_list("skill__code", flat=True)
    ) == {"REK-GET-1F-01", "REK-GET-1F-03"}
    logout(page)

    anna = Account.objects.get(username="anna.j")
    login(page, anna, STUDENT_PASSWORD)
    home = page.locator("main")
    home.get_by_role("heading", name="Rekenen/wiskunde").wait_for()
    assert "Getallen tot 1000 lezen" in home.inner_text()
    assert "Tafels van vermenigvuldiging" in home.inner_text()
    screenshot(page, "leerplan-04-leerling-ziet-vaardigheden")
    logout(page)
    login(page, Account.objects.get(username="bram.b"), STUDENT_PASSWORD)
    page.get_by_text("Je docent heeft voor dit vak nog niets klaargezet").first.wait_for()
    assert "Getallen tot 1000" not in page.locator("main").inner_text()
    logout(page)

    login(page, tom)  # teaches 3HB only
    page.get_by_role("heading", name="Kies een vak").wait_for()
    page.goto(reverse("leerplan:class", args=["rekenen", class_3hb.pk]))
    page.get_by_role("button", name="Heel domein Verbanden aan").click()
    page.get_by_text("vaardigheden aangezet.").wait_for()
    assert Activation.objects.filter(school_class=class_3hb, skill__domain__code="REK-VBD").exists()
    other = reverse("leerplan:class", args=["rekenen", SchoolClass.objects.get(name="2A").pk])
    page.expected.add(other)
    assert page.goto(other).status == 404
    logout(page)

    Licence.objects.filter(subject__slug="rekenen").update(ends=today() - dt.timedelta(days=1))
    login(page, anna, STUDENT_PASSWORD)
    home.get_by_role("heading", name="Engels").wait_for()
    assert "Rekenen/wiskunde" not in home.inner_text()
    screenshot(page, "leerplan-05-licentie-verlopen")


def test_a_teacher_of_a_one_licence_school_clicks_to_a_new_password_and_plans_a_domain(
    watched, tom, sara, school_a, class_a
):
    """Issue 15 fix, items 1, 2, 6, 9: straight into the only subject, OVERZICHTEN › class,
    Nieuw wachtwoord shown once (a reload shows it no more and makes no other), and a
    domain switched on from a later day keeps what is open and looks planned."""
    page = watched
    Licence.objects.create(
        school=school_a,
        subject=Subject.objects.get(slug="rekenen"),
        starts=today() - dt.timedelta(days=60),
        ends=today() + dt.timedelta(days=200),
    )
    login(page, tom)
    page.get_by_role("heading", name="Overzichten · Rekenen/wiskunde").wait_for()
    page.locator("main").get_by_role("link", name="3HB").click()
    page.get_by_role("link", name="Klasbeheer").wait_for()
    page.get_by_role("link", name="Inlogkaartjes").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="Nieuw wachtwoord voor Sara van der Berg").click()
    password = page.locator("#new-password").inner_text().strip()
    sara.refresh_from_db()
    assert sara.check_password(password)
    screenshot(page, "leerplan-06-nieuw-wachtwoord-eenmaal")
    page.reload()
    page.get_by_text("Het nieuwe wachtwoord is al getoond").wait_for()
    assert password not in page.content()
    sara.refresh_from_db()
    assert sara.check_password(password)

    page.goto(reverse("leerplan:class", args=["rekenen", class_a.pk]))
    page.get_by_role("button", name="Zet aan: Getallen tot 1000 lezen, schrijven").click()
    page.get_by_text("1 vaardigheid aangezet.").wait_for()
    later = today() + dt.timedelta(days=30)
    page.locator("#vanaf").fill(later.isoformat())
    page.get_by_role("button", name="Heel domein Getallen aan").click()
    page.get_by_text("1 stond al aan en hield de eigen datum.").wait_for()
    opened = page.locator("li.on", has_text="Getallen tot 1000 lezen")
    planned = page.locator("li.planned").first
    assert "gepland vanaf " + later.strftime("%d-%m-%Y") in planned.inner_text()
    assert opened.locator(".state-on").evaluate("e => getComputedStyle(e).color") != (
        planned.locator(".state-planned").evaluate("e => getComputedStyle(e).color")
    )
    screenshot(page, "leerplan-07-gepland-en-open")
