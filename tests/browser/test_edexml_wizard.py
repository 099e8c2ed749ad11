"""In real Chromium: an EDEXML file from ParnasSys through the wizard, from the upload over
the summary that replaces the mapping (programmes per group, a username pattern) to the
accounts in OVERZICHTEN. Every page is checked for console errors (CSP included)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from klasse.accounts.models import Account, School
from klasse.imports.models import RememberedEdexChoices, UploadedFile
from tests.browser.conftest import BROWSER, login, screenshot
from tests.browser.test_import_wizard import choose_file

pytestmark = BROWSER
VOORTGEZET = Path(__file__).resolve().parent.parent / "fixtures" / "edexml" / "voortgezet.xml"


@pytest.fixture
def wizard(page):
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    yield page
    assert problems == []


def test_an_edexml_file_from_upload_over_the_summary_to_overzichten(wizard, alice, tmp_path):
    page = wizard
    # The administration's file without usernames: Klasse makes them.
    data = re.sub(rb"<gebruikersnaam>[^<]*</gebruikersnaam>", b"", VOORTGEZET.read_bytes())
    path = tmp_path / "EDEX.XML"
    path.write_bytes(data)
    login(page, alice)
    page.goto(reverse("imports:start"))
    choose_file(page, path)

    page.get_by_role("heading", name="Inhoud van het bestand").wait_for()
    summary = page.locator("#edex-inhoud").inner_text()
    assert "2025-2026" in summary and "12AB" in summary
    groups = page.locator("#edex-groepen").inner_text()
    assert "H1a" in groups and "V2b" in groups and "S1" in groups
    assert page.locator(".steps [aria-current=step]").inner_text() == "Inhoud van het bestand"
    screenshot(page, "edexml-01-inhoud")

    page.get_by_label("H1a").select_option("havo 1")
    page.get_by_label("V2b").select_option("vwo 2")
    page.get_by_label("S1").select_option("pro 1")
    page.get_by_label("Gebruikersnamen voor nieuwe accounts zonder gebruikersnaam").select_option(
        "voornaam.achternaam"
    )
    assert page.get_by_label("Voeg nieuwe account(s) toe").is_checked()
    screenshot(page, "edexml-02-keuzes")
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()

    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()
    counts = page.locator(".counts").inner_text()
    assert "0\nfouten" in counts
    preview = page.locator("table.preview").inner_text()
    assert "noah.yilmaz" in preview  # Noah Yılmaz, made lower-case ASCII
    screenshot(page, "edexml-03-voorbeeld")

    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    screenshot(page, "edexml-04-resultaat")
    assert not UploadedFile.objects.exists()
    school = School.objects.get(pk=alice.school_id)
    assert school.brin == "12AB"
    assert Account.objects.get(school=school, username="noah.yilmaz").programme.code == "havo 1"
    assert RememberedEdexChoices.objects.get(school=school).programmes["V2b"] == "vwo 2"

    page.get_by_role("link", name="Sluiten").click()
    page.wait_for_url(f"**{reverse('overview')}")
    page.get_by_role("link", name="H1a").first.click()
    assert "Noah Yılmaz" in page.locator("main").inner_text()
    screenshot(page, "edexml-05-overzichten")
