"""In real Chromium (issue 17, item 12): an undo first shows what it will do, and keeps
every account someone did something with after the import.

The import goes through the wizard; after it, the administrator renames one new student
and prints the login cards of one new class (one card keeps the password from the file,
the others get a new one). The e-mails with a link to choose a password that went out
after the import are no reason to keep an account. The undo's preview names those four as
staying, with why; the confirmation removes only the two nobody touched."""

from pathlib import Path

from django.urls import reverse

from klasse.accounts.models import Account, AuditEntry, SchoolClass
from klasse.imports.models import ImportRun
from tests.browser.conftest import BROWSER, login, screenshot
from tests.conftest import template_csv

pytestmark = BROWSER

ROWS = (
    "Aa;;Anna;anna.aa;;anna@thuis.nl;1A;havo 1;;",
    "Bakker;;Bram;bram.bakker;;bram@thuis.nl;1A;havo 1;;",
    "Claes;;Cem;cem.claes;eigen-wachtwoord-1;;1A;havo 1;;",
    "Dijk;van;Dewi;dewi.dijk;;dewi@thuis.nl;1B;havo 1;;",
    "Eren;;Elif;elif.eren;;elif@thuis.nl;1B;havo 1;;",
    "Fokker;;Finn;finn.fokker;;finn@thuis.nl;1B;havo 1;;",
)


def import_through_the_wizard(page, tmp_path: Path) -> ImportRun:
    path = tmp_path / "brugklas.csv"
    path.write_bytes(template_csv(*ROWS))
    page.goto(reverse("imports:start"))
    with page.expect_navigation():
        page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("heading", name="Koppel kolommen").wait_for()
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()
    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    return ImportRun.objects.get(status=ImportRun.Status.DONE)


def test_the_undo_shows_what_it_does_and_keeps_what_was_changed_or_printed(page, alice, tmp_path):
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    login(page, alice)
    run = import_through_the_wizard(page, tmp_path)
    assert Account.objects.filter(username__in=[r.split(";")[3] for r in ROWS]).count() == 6

    # After the import: Dewi's name is corrected by hand …
    dewi = Account.objects.get(username="dewi.dijk")
    page.goto(reverse("users:edit", args=[dewi.pk]))
    page.get_by_label("Voornaam").fill("Dewi-Mae")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("De wijzigingen zijn opgeslagen.").wait_for()

    # … and the login cards of 1A are printed: two new passwords, Cem keeps his own.
    page.goto(reverse("users:sheets"))
    page.get_by_role("link", name="1A").click()
    page.get_by_role("button", name="Maak de afdrukpagina").click()
    page.get_by_text("anna.aa").first.wait_for()
    screenshot(page, "undo-01-inlogkaartjes-1A")

    # The undo: first the preview, nothing changed yet.
    page.goto(reverse("history:detail", args=[run.pk]))
    page.get_by_role("button", name="Maak deze import ongedaan").click()
    page.get_by_role("heading", name="Wat ongedaan maken nu doet").wait_for()
    screenshot(page, "undo-02-overzicht")
    assert Account.objects.count() == 6 + 1  # alice too: nothing removed by the preview
    kept = {
        row.locator("td").nth(1).inner_text(): row.locator("td").nth(2).inner_text()
        for row in page.locator("#kept tbody tr").all()
    }
    assert kept == {
        "anna.aa": "inlogkaartje afgedrukt",
        "bram.bakker": "inlogkaartje afgedrukt",
        "cem.claes": "inlogkaartje afgedrukt",
        "dewi.dijk": "voornaam",
    }
    assert "Dewi-Mae van Dijk" in page.locator("#kept").inner_text()
    removed = page.locator("#removed").inner_text()
    assert "Elif Eren (elif.eren)" in removed and "Finn Fokker (finn.fokker)" in removed
    assert "anna.aa" not in removed and "dewi.dijk" not in removed
    counts = page.locator("#undo-counts").inner_text()
    assert "2\nverwijderd" in counts and "4\nblijven staan" in counts

    page.get_by_role("button", name="Ja, maak deze import ongedaan").click()
    page.get_by_text("De import is ongedaan gemaakt.").wait_for()
    screenshot(page, "undo-03-na-bevestigen")
    assert page.locator("#run-status").inner_text() == "ongedaan gemaakt"
    assert "Dewi-Mae van Dijk" in page.locator("#kept").inner_text()
    remaining = set(Account.objects.exclude(pk=alice.pk).values_list("username", flat=True))
    assert remaining == {"anna.aa", "bram.bakker", "cem.claes", "dewi.dijk"}
    assert Account.objects.get(username="dewi.dijk").first_name == "Dewi-Mae"
    assert set(SchoolClass.objects.values_list("name", flat=True)) == {"1A", "1B"}
    assert Account.objects.get(username="cem.claes").check_password("eigen-wachtwoord-1")

    # The account's own page tells the story, with a link to the import.
    page.goto(reverse("users:edit", args=[dewi.pk]))
    log = page.locator(".audit").inner_text()
    assert "brugklas.csv: aangemaakt" in log
    assert "voornaam: Dewi → Dewi-Mae" in log
    assert "brugklas.csv ongedaan gemaakt: dit account bleef staan, want: voornaam" in log
    # Created, the import's e-mail with a link (fix17: logged when sent), undone.
    assert "link gestuurd naar" in log
    assert page.locator(".audit").get_by_role("link", name="naar de import").count() == 3
    screenshot(page, "undo-04-logboek-van-het-account")
    assert AuditEntry.objects.filter(action="login_card", username="cem.claes").count() == 1
    assert problems == []
