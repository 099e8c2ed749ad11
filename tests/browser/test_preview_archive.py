"""In real Chromium: the preview tells what archiving will do before anything happens
(issue 17, items 4 and 5). A file of a few classes names the classes it archives whole; a
mass archive is refused at the top of the page, where the focus goes."""

import pytest
from django.urls import reverse

from klasse.accounts.models import Account, Programme, SchoolClass
from klasse.imports.models import ImportRun
from tests.browser.conftest import BROWSER, login, screenshot
from tests.browser.test_import_wizard import choose_file, wizard  # noqa: F401 (a fixture)
from tests.conftest import make_account, template_csv

pytestmark = BROWSER


def _students(school, class_name: str, n: int, prefix: str) -> list[Account]:
    klas = SchoolClass.objects.create(school=school, name=class_name)
    havo = Programme.objects.get(code="havo 3")
    return [
        make_account(school, f"{prefix}{i}", school_class=klas, programme=havo) for i in range(n)
    ]


def _file(tmp_path, name: str, accounts: list[Account], class_name: str):
    path = tmp_path / name
    line = "{0.last_name};;{0.first_name};{0.username};;;{1};havo 3;;"
    path.write_bytes(template_csv(*(line.format(a, class_name) for a in accounts)))
    return path


def _preview_with_archive(page, path) -> None:
    page.goto(reverse("imports:start"))
    choose_file(page, path)
    page.get_by_label("Archiveer account(s)").check()
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()


def _above(page, first: str, second: str) -> bool:
    """Whether the element `first` starts above `second` on the page."""
    return page.locator(first).bounding_box()["y"] < page.locator(second).bounding_box()["y"]


def test_a_file_of_one_class_names_the_classes_it_would_archive_whole(
    wizard,  # noqa: F811
    alice,
    school_a,
    tmp_path,
):
    _students(school_a, "2VB", 3, "vb")
    _students(school_a, "3HA", 4, "ha")
    kept = _students(school_a, "4VA", 20, "va")
    page = wizard
    login(page, alice)
    _preview_with_archive(page, _file(tmp_path, "4va.csv", kept, "4VA"))

    notice = page.locator("#hele-klassen")
    assert notice.is_visible()
    said = notice.inner_text()
    assert "Deze klassen staan niet in het bestand: 2VB (3 leerlingen), 3HA (4 leerlingen)" in (
        " ".join(said.split())
    )
    # At the top, beside the marked archive tile (which it describes), above the table:
    # to the right of the tiles, level with them (a narrow window puts it under them).
    tile = page.locator(".counts li.tile-alert")
    assert tile.inner_text().split() == ["7", "gearchiveerd"]
    assert tile.get_attribute("aria-describedby") == "hele-klassen"
    tile_box, notice_box = tile.bounding_box(), notice.bounding_box()
    assert notice_box["x"] > tile_box["x"] + tile_box["width"]
    assert abs(notice_box["y"] - tile_box["y"]) < 5
    assert _above(page, "#hele-klassen", "table.preview")
    assert page.locator("#massa-archief").count() == 0  # 7 of 27: no mass archive
    screenshot(page, "hele-klassen-01-voorbeeld")

    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    assert Account.objects.filter(archived_at__isnull=False).count() == 7


def test_without_archiving_no_class_is_named(wizard, alice, school_a, tmp_path):  # noqa: F811
    _students(school_a, "2VB", 3, "vb")
    kept = _students(school_a, "4VA", 5, "va")
    page = wizard
    login(page, alice)
    page.goto(reverse("imports:start"))
    choose_file(page, _file(tmp_path, "4va.csv", kept, "4VA"))
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()
    assert page.locator("#hele-klassen").count() == 0
    assert page.locator(".counts li.tile-alert").count() == 0


@pytest.mark.parametrize("by_keyboard", [False, True])
def test_a_refused_mass_archive_stands_at_the_top_and_takes_the_focus(
    wizard,  # noqa: F811
    alice,
    school_a,
    tmp_path,
    by_keyboard,
):
    students = _students(school_a, "3HB", 66, "ll")
    page = wizard
    login(page, alice)
    _preview_with_archive(page, _file(tmp_path, "een.csv", students[:1], "3HB"))

    box = page.locator("#massa-archief")
    assert box.is_visible() and _above(page, "#massa-archief", ".counts")
    assert page.locator(".counts li.tile-alert").inner_text().split() == ["65", "gearchiveerd"]
    # Opening the preview does not take the focus: only a refusal does.
    assert page.evaluate("document.activeElement.id") != "massa-archief"

    if by_keyboard:
        page.get_by_role("button", name="Importeer").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        page.get_by_role("button", name="Importeer").click()
    refusal = box.get_by_role("alert")
    refusal.get_by_text("zet eerst het vinkje").wait_for()
    page.wait_for_load_state("load")  # wizard.js (deferred) has run by then
    assert page.evaluate("document.activeElement.id") == "massa-archief"
    assert page.evaluate("document.activeElement.getAttribute('tabindex')") == "-1"
    in_view = box.bounding_box()
    assert in_view["y"] >= -1 and in_view["y"] + 40 < page.viewport_size["height"]
    assert _above(page, "#massa-archief", "table.preview")
    screenshot(page, f"massa-archief-03-focus{'-toetsenbord' if by_keyboard else ''}")
    assert not Account.objects.filter(archived_at__isnull=False).exists()
    assert ImportRun.objects.get().status == "planned"

    # The tick names the number; from the focused box, Tab reaches it first among inputs.
    tick = page.get_by_label("Ja, archiveer deze 65 leerlingen")
    if by_keyboard:
        for _tab in range(5):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.type") == "checkbox":
                break
        page.keyboard.press("Space")
        assert tick.is_checked()
        page.get_by_role("button", name="Importeer").focus()
        page.keyboard.press("Enter")
    else:
        tick.check()
        page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    assert Account.objects.filter(archived_at__isnull=False).count() == 65


def test_in_english_the_preview_says_classes_problems_and_roles_in_english(
    wizard,  # noqa: F811
    alice,
    school_a,
    tmp_path,
):
    _students(school_a, "2VB", 3, "vb")
    kept = _students(school_a, "4VA", 20, "va")
    path = _file(tmp_path, "4va.csv", kept, "4VA")
    path.write_bytes(path.read_bytes() + b"Nieuw;;Kind;nieuw.kind;;;4VA;havo 3;;\r\n")
    page = wizard
    login(page, alice)
    _preview_with_archive(page, path)
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Preview of the user list").wait_for()
    notice = " ".join(page.locator("#hele-klassen").inner_text().split())
    assert "These classes are not in the file: 2VB (3 students)" in notice
    problem = page.locator("ul.problems li").first
    assert problem.locator(".problem-name").inner_text() == "Password or e-mail address missing"
    assert problem.locator(".problem-code").inner_text() == "no_password_or_email"
    assert "Row 22: a new account needs a password or an e-mail address" in problem.inner_text()
    assert "student" in page.locator("table.preview tbody tr").first.inner_text()
    screenshot(page, "voorbeeld-in-het-engels")
