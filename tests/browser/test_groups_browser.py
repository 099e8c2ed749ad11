"""In real Chromium: the groups an import brings, in OVERZICHTEN (issue 16, item 8)."""

from django.urls import reverse

from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from tests.browser.conftest import BROWSER, login, screenshot
from tests.conftest import template_csv

pytestmark = BROWSER
HEADER = (
    "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;klas;"
    "opleiding;rol;stamnummer;ECK iD;lesgroepen"
)


def test_an_administrator_finds_a_group_and_its_members_in_the_overviews(page, alice):
    data = template_csv(
        "Berg;van der;Anna;anna.berg;;anna@example.nl;3HB;havo 3;;1;https://id.school/LL_a1;wi-b,en1",
        "Çelik;;Zoë;zoe.celik;;zoe@example.nl;3HA;havo 3;;2;https://id.school/LL_b2;wi-b",
        "Docent;;Dirk;dirk;;dirk@example.nl;3HB;;docent;;;wi-b",
        header=HEADER,
    )
    run_import(data, "f.csv", school=alice.school, actions=Actions(add=True))
    login(page, alice)
    page.goto(reverse("overview"))
    groups = page.locator("#groups")
    assert groups.get_by_role("link", name="wi-b").is_visible()
    screenshot(page, "overzichten-lesgroepen")
    page.locator(".sidebar").get_by_role("link", name="wi-b").click()
    page.get_by_role("heading", name="Lesgroep wi-b").wait_for()
    assert page.get_by_role("cell", name="Zoë Çelik", exact=True).is_visible()
    assert page.get_by_role("cell", name="3HA").is_visible()
    assert page.get_by_text("Dirk Docent").is_visible()
    screenshot(page, "lesgroep-wi-b")
