"""In real Chromium, fix17: what the pages show after a fresh user's second try. An undo
after a class was removed says it makes the class again and its tiles add up (item 3);
the preview's whole-classes box leads back to step 2 to untick Archiveer (item 8); step
2's field names fit their drop-downs (item 8); the result's time has no stray space
before its full stop (item 8)."""

import re

import pytest
from django.urls import reverse

from klasse.accounts.models import Account
from tests.browser.conftest import BROWSER, login, screenshot
from tests.browser.test_import_wizard import (  # noqa: F401 (a fixture)
    MAGISTER,
    choose_file,
    wizard,
)
from tests.browser.test_preview_archive import _file, _preview_with_archive, _students
from tests.imports.test_undo_removed_class import new_year  # noqa: F401 (a fixture)

pytestmark = BROWSER


def test_the_undo_preview_says_the_removed_class_comes_back_and_its_tiles_add_up(
    page,
    alice,
    new_year,  # noqa: F811
):
    login(page, alice)
    page.goto(reverse("history:detail", args=[new_year.pk]))
    page.get_by_role("button", name="Maak deze import ongedaan…").click()
    page.get_by_role("heading", name="Wat ongedaan maken nu doet").wait_for()
    said = page.locator("#classes-recreated").inner_text()
    assert "Klas 1A is na de import verwijderd en wordt opnieuw gemaakt" in said
    tiles = {
        " ".join(li.split()[1:]): int(li.split()[0])
        for li in page.locator("#undo-counts li").all_inner_texts()
    }
    # Three accounts, each in one place: Anna and Bo set back, Cas restored.
    assert tiles["verwijderd"] + tiles["blijven staan"] == 0
    assert tiles["teruggezet uit het archief"] == 1 and tiles["vorige waarden terug"] == 2
    reverted = page.locator("#reverted").inner_text()
    assert "2A → 1A" in reverted and "havo 2 → havo 1" in reverted
    assert page.locator("#kept").count() == 0
    screenshot(page, "fix17-01-ongedaan-maken-klas-terug")
    page.get_by_role("button", name="Ja, maak deze import ongedaan").click()
    page.locator("#classes-recreated").wait_for()
    anna = Account.objects.get(username="anna")
    assert anna.school_class.name == "1A" and anna.programme.code == "havo 1"


def test_the_whole_classes_box_leads_back_to_step_2_to_untick_archiving(
    wizard,  # noqa: F811
    alice,
    school_a,
    tmp_path,
):
    _students(school_a, "2VB", 3, "vb")
    kept = _students(school_a, "4VA", 20, "va")
    page = wizard
    login(page, alice)
    _preview_with_archive(page, _file(tmp_path, "4va.csv", kept, "4VA"))
    assert "Zet dan het vinkje" not in page.locator("#hele-klassen").inner_text()
    page.get_by_role("link", name="Terug naar stap 2 om Archiveer uit te zetten").click()
    archive = page.get_by_label("Archiveer account(s)")
    archive.wait_for()
    assert archive.is_checked()
    archive.uncheck()
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("heading", name="Voorbeeld gebruikerslijst").wait_for()
    assert page.locator("#hele-klassen").count() == 0


@pytest.mark.parametrize("width", [1280, 1024])
def test_every_field_name_fits_its_drop_down_in_step_2(
    wizard,  # noqa: F811
    alice,
    tmp_path,
    width,
):
    page = wizard
    page.set_viewport_size({"width": width, "height": 900})
    login(page, alice)
    # A Magister file: long samples beside each drop-down, as the fresh user's.
    page.goto(reverse("imports:start"))
    choose_file(page, MAGISTER)
    page.get_by_role("heading", name="Koppel kolommen").wait_for()
    # Per drop-down: the widest option's text (in the drop-down's font) and the room for
    # text inside it (its width without padding, border and the arrow).
    cut = page.evaluate(
        """() => {
        const canvas = document.createElement("canvas").getContext("2d");
        return [...document.querySelectorAll("table.mapping select")].flatMap(select => {
            const style = getComputedStyle(select);
            canvas.font = style.font;
            const room = select.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight) - 20;
            return [...select.options]
                .filter(o => canvas.measureText(o.text).width > room)
                .map(o => `${select.name}: ${o.text}`);
        });
    }"""
    )
    screenshot(page, f"fix17-02-koppel-kolommen-{width}")
    assert cut == []


def test_the_result_says_its_time_without_a_space_before_the_full_stop(
    wizard,  # noqa: F811
    alice,
    tmp_path,
):
    page = wizard
    login(page, alice)
    path = tmp_path / "f.csv"
    from tests.conftest import template_csv

    path.write_bytes(template_csv("Aa;;Anna;anna;geheim-wachtwoord-1;;1A;havo 1;;"))
    page.goto(reverse("imports:start"))
    choose_file(page, path)
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("button", name="Importeer").click()
    page.get_by_text("De import is klaar.").wait_for()
    said = page.locator("#voortgang .success").inner_text()
    assert re.search(r"klaar \d\d-\d\d-\d{4} \d\d:\d\d\.", said), said
