"""In real Chromium: search without accents, edit a name with accents, undo an import."""

import pytest
from django.urls import reverse

from klasse.accounts.models import Account, Programme
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from tests.browser.conftest import BROWSER, login, screenshot
from tests.conftest import make_account, template_csv

pytestmark = BROWSER


def test_searching_zoe_without_accents_finds_zoe_with_accents(page, alice, class_a, sara):
    make_account(
        alice.school,
        "zoe.celik",
        first_name="Zoë",
        last_name="Çelik",
        school_class=class_a,
        programme=Programme.objects.get(code="havo 3"),
    )
    login(page, alice)
    page.goto(reverse("users:list"))
    page.get_by_label("Zoek op naam, gebruikersnaam, klas of e-mailadres").fill("zoe celik")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=zoe+celik**")
    results = page.locator("#results tbody tr")
    assert results.count() == 1
    assert "Zoë Çelik" in results.first.inner_text()
    screenshot(page, "users-search-without-accents")


def test_editing_a_name_with_accents(page, alice, sara):
    login(page, alice)
    page.goto(reverse("users:list"))
    page.get_by_label("Zoek op naam, gebruikersnaam, klas of e-mailadres").fill("sara")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Sara van der Berg").click()
    page.get_by_label("Voornaam").fill("Zoë")
    page.get_by_label("Achternaam").fill("Öztürk-Çelik")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("De wijzigingen zijn opgeslagen.").wait_for()
    assert "Zoë van der Öztürk-Çelik" in page.locator("h1").inner_text()
    assert page.get_by_label("Achternaam").input_value() == "Öztürk-Çelik"
    screenshot(page, "users-edit-accents")
    sara.refresh_from_db()
    assert (sara.first_name, sara.last_name) == ("Zoë", "Öztürk-Çelik")


def test_undoing_an_import(page, alice, sara):
    data = template_csv(
        "Berg;van der;Sara;sara;;sara@school.nl;4HB;havo 4;;",
        "Nieuw;;Noël;noel;geheim-wachtwoord-1;;4HB;havo 4;;",
    )
    record = import_run_record_cli(
        school=alice.school, file_name="leerlingen.csv", data=data, actions=["add", "update"]
    )
    actions = Actions(add=True, update=True)
    run_import(data, "leerlingen.csv", school=alice.school, actions=actions, record=record)
    run = ImportRun.objects.get(school=alice.school)
    login(page, alice)
    page.goto(reverse("history:list"))
    page.locator("#runs").get_by_role("link").first.click()
    page.wait_for_url(f"**{reverse('history:detail', args=[run.pk])}")
    screenshot(page, "history-before-undo")
    page.get_by_role("button", name="Maak deze import ongedaan").click()
    page.get_by_role("heading", name="Wat ongedaan maken nu doet").wait_for()
    page.get_by_role("button", name="Ja, maak deze import ongedaan").click()
    page.get_by_text("De import is ongedaan gemaakt.").wait_for()
    assert page.locator("#run-status").inner_text() == "ongedaan gemaakt"
    assert "Ongedaan gemaakt door alice" in page.locator("#undo").inner_text()
    screenshot(page, "history-after-undo")
    assert not Account.objects.filter(username="noel").exists()
    sara.refresh_from_db()
    assert sara.school_class.name == "3HB" and sara.email == ""


@pytest.mark.parametrize("name", ["users:list", "history:list", "users:audit"])
def test_tools_pages_load_their_css_and_scripts_without_errors(page, alice, name):
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    login(page, alice)
    page.goto(reverse(name))
    assert page.locator("h1").count() == 1 and problems == []
