"""In real Chromium: the import wizard, TOOLS › IMPORTEREN, from the first click to the new
accounts in OVERZICHTEN. Every page is checked for console errors (CSP included).

The background job runs with the tests' ImmediateBackend: inside the live server's
"Importeer" request, so the progress page shows the finished import. That the bar moves
while a job runs is shown by `test_the_progress_bar_moves_while_the_job_runs`, which
plays the worker's part by writing the run's progress as the task's callback does."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from klasse.accounts.models import Account, Programme
from klasse.imports.models import ImportRun, UploadedFile
from tests.browser.conftest import BROWSER, login, screenshot
from tests.conftest import make_account, template_csv

pytestmark = BROWSER
MAGISTER = Path(__file__).resolve().parent.parent / "fixtures" / "magister-profiel.csv"


@pytest.fixture
def wizard(page, settings, tmp_path):
    """The page, with every console error and uncaught exception collected; none allowed."""
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"),
    )
    yield page
    assert problems == []


def choose_file(page, path: Path) -> None:
    """ "Kies bestand (CSV, XLSX of XML)": choosing the file reads it at once (wizard.js)."""
    with page.expect_navigation():
        page.locator("#id_file").set_input_files(str(path))


def test_a_magister_file_from_upload_to_overzichten(wizard, alice, tmp_path):
    page = wizard
    login(page, alice)
    page.get_by_role("link", name="TOOLS").click()
    page.locator(".sidebar").get_by_role("link", name="IMPORTEREN").click()
    assert page.evaluate("typeof htmx") == "object"  # shipped htmx loaded, CSP allows it
    page.get_by_text("Kies bestand (CSV, XLSX of XML)").wait_for()
    screenshot(page, "import-01-start")

    # By keyboard: Tab reaches "Kies bestand (CSV, XLSX of XML)" (the file input behind it);
    # Space opens it.
    # The wait for the file chooser starts first: Playwright turns on catching the dialog
    # without waiting for Chromium's answer, and a Space right after could come before it.
    with page.expect_file_chooser() as chooser:
        for _tab in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "id_file":
                break
        assert page.evaluate("document.activeElement.id") == "id_file"
        screenshot(page, "import-01b-kies-csv-bestand-met-focus")
        page.keyboard.press("Space")
    with page.expect_navigation():
        chooser.value.set_files(str(MAGISTER))
    page.get_by_role("heading", name="Koppel kolommen").wait_for()
    assert page.get_by_label("Tekencodering").input_value() == "cp1252"
    assert page.get_by_label("Scheidingsteken").input_value() == ";"
    assert "Zoë" in page.locator("#kolommen").inner_text()
    assert "Nog niet gekoppeld: opleiding" in page.locator("#ontbreekt").inner_text()
    screenshot(page, "import-02-koppel-kolommen")

    # Read as UTF-8 the ANSI file cannot be read: said on the page, the columns stay.
    page.get_by_label("Tekencodering").select_option("utf-8")
    page.get_by_text("niet als utf-8 te lezen").wait_for()
    assert page.get_by_label("Tekencodering").input_value() == "cp1252"

    page.get_by_role("button", name="Verder").click()
    page.get_by_text("Koppel eerst de verplichte velden: opleiding").wait_for()
    screenshot(page, "import-03-verplicht-veld-ontbreekt")

    # By keyboard: type-ahead in the drop-down of the column "Profiel", Enter on Verder.
    page.get_by_label("Profiel").focus()
    page.keyboard.press("o")
    page.get_by_text("Alle verplichte velden zijn gekoppeld.").wait_for()
    assert page.get_by_label("Profiel").input_value() == "programme"
    assert page.get_by_label("Voeg nieuwe account(s) toe").is_checked()
    assert not page.get_by_label("Werk account(s) bij").is_checked()
    assert not page.get_by_label("Archiveer account(s)").is_checked()
    assert not page.get_by_label("Overschrijf wachtwoorden van bestaande accounts").is_checked()
    screenshot(page, "import-04-gekoppeld")
    page.get_by_role("button", name="Verder").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()
    counts = page.locator(".counts").inner_text()
    assert "4\nnieuw" in counts and "1\nfouten" in counts
    assert page.get_by_text("de opleiding 'havo 9' staat niet in de lijst").is_visible()
    screenshot(page, "import-05-voorbeeld")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download herstelbestand (CSV)").click()
    fixup = tmp_path / download.value.suggested_filename
    download.value.save_as(fixup)
    rows = list(csv.reader(io.StringIO(fixup.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "probleem" and rows[1][1:4] == ["Smit", "", "Anna"]
    assert download.value.suggested_filename == "magister-profiel-fouten.csv"

    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    assert page.locator("progress").get_attribute("value") == "1"
    assert "4\nnieuw" in page.locator(".counts").inner_text()
    screenshot(page, "import-06-resultaat")
    assert not UploadedFile.objects.exists()

    page.get_by_role("link", name="Sluiten").click()
    page.wait_for_url(f"**{reverse('overview')}")
    page.get_by_role("link", name="3HB").first.click()
    table = page.locator("main").inner_text()
    assert "Zoë Jansen" in table and "Daniëlle van der Berg" in table and "Emre Çelik" in table
    screenshot(page, "import-07-overzichten")


def test_the_xlsx_template_downloaded_and_imported_back(wizard, alice, tmp_path):
    page = wizard
    login(page, alice)
    page.goto(reverse("imports:start"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als XLSX").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert openpyxl.load_workbook(template).sheetnames == ["Accounts", "Opleidingen"]

    choose_file(page, template)
    page.get_by_role("heading", name="Koppel kolommen").wait_for()
    assert page.get_by_label("Tekencodering").count() == 0  # an XLSX has none to choose
    screenshot(page, "template-01-koppel-kolommen")
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()
    assert "anna.vdberg" in page.locator("table.preview").inner_text()
    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    screenshot(page, "template-02-resultaat")
    anna = Account.objects.get(username="anna.vdberg")
    assert (anna.full_name, anna.school_class.name, anna.external_id) == (
        "Anna van der Berg",
        "3HB",
        "123456",
    )


def test_a_mass_archive_is_refused_without_the_extra_tick(wizard, alice, school_a, tmp_path):
    havo = Programme.objects.get(code="havo 3")
    for i in range(12):
        make_account(school_a, f"oud{i}", programme=havo)
    upload = tmp_path / "een-leerling.csv"
    upload.write_bytes(template_csv("Nieuw;;Kind;nieuw.kind;;n@example.nl;3HB;havo 3;;"))
    page = wizard
    login(page, alice)
    page.goto(reverse("imports:start"))
    choose_file(page, upload)
    page.get_by_label("Archiveer account(s)").check()
    page.get_by_role("button", name="Verder").click()
    page.get_by_text("12 accounts worden gearchiveerd").wait_for()

    page.get_by_role("button", name="Importeer").click()
    page.locator("#massa-archief .error").get_by_text("zet eerst het vinkje").wait_for()
    screenshot(page, "massa-archief-01-geweigerd")
    assert not Account.objects.filter(archived_at__isnull=False).exists()
    assert ImportRun.objects.get().status == "planned"

    page.get_by_label("Ja, archiveer deze 12 leerlingen").check()
    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    screenshot(page, "massa-archief-02-bevestigd")
    assert Account.objects.filter(archived_at__isnull=False).count() == 12


def test_the_progress_bar_moves_while_the_job_runs(wizard, alice, school_a):
    run = ImportRun.objects.create(
        school=school_a, actor=alice, file_name="groot.csv", status="running", total=10
    )
    ImportRun.objects.filter(pk=run.pk).update(progress=2)
    page = wizard
    login(page, alice)
    page.goto(reverse("imports:progress", args=[run.pk]))
    bar = page.locator("#voortgang progress")
    assert bar.get_attribute("value") == "2"
    screenshot(page, "voortgang-01-bezig")
    ImportRun.objects.filter(pk=run.pk).update(progress=6)  # as the task's callback does
    page.locator('#voortgang progress[value="6"]').wait_for()
    assert "6 van 10 (60%)" in page.locator("#voortgang").inner_text()
    ImportRun.objects.filter(pk=run.pk).update(
        status="done", progress=10, counts={"add": 10}, report={"problems": []}
    )
    page.get_by_text("De import is klaar.").wait_for()
    assert "10\nnieuw" in page.locator(".counts").inner_text()
    screenshot(page, "voortgang-02-klaar")


def test_archiving_is_ticked_by_hand_each_time_never_from_the_last_import(
    wizard, alice, school_a, tmp_path
):
    """Issue 17, item 3: a whole school's file with archiving, then a teachers' file: the
    second import's follow-up actions keep add and update but not archive, so the teachers'
    file archives no student."""
    whole = tmp_path / "hele-school.csv"
    whole.write_bytes(
        template_csv(
            "Jansen;;Anna;anna.jansen;;anna@example.nl;3HB;havo 3;;",
            "Bakker;;Bram;bram.bakker;;bram@example.nl;3HB;havo 3;;",
            "Smit;;Cas;cas.smit;;cas@example.nl;3HA;havo 3;;",
        )
    )
    teachers = tmp_path / "docenten.csv"
    teachers.write_bytes(template_csv("Docent;;Dirk;dirk.docent;;dirk@example.nl;3HB;;docent;"))
    page = wizard
    login(page, alice)
    page.goto(reverse("imports:start"))
    choose_file(page, whole)
    page.get_by_label("Werk account(s) bij").check()
    page.get_by_label("Archiveer account(s)").check()
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()

    page.goto(reverse("imports:start"))
    choose_file(page, teachers)
    assert page.get_by_label("Voeg nieuwe account(s) toe").is_checked()
    assert page.get_by_label("Werk account(s) bij").is_checked()
    assert not page.get_by_label("Archiveer account(s)").is_checked()
    screenshot(page, "archiveren-nooit-onthouden")
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    students = Account.objects.filter(school=school_a, role="student")
    assert students.count() >= 3 and not students.filter(archived_at__isnull=False).exists()
    assert Account.objects.get(username="dirk.docent").role == "teacher"
