"""In real Chromium, an English reader's central pages carry no Dutch UI words: the import
wizard's steps and its result, OVERVIEWS of a class, a subject's LEERPLAN page of a class
and the student home.

Data stays as it is (names, class names, programme codes), so the file is written with
English column headers and names that hold none of the tell-tale words; a Dutch word found
is then the interface's own. tests/test_translations.py proves every marked string has its
English; this test finds Dutch that was never marked."""

import datetime as dt
import re

from klasse.accounts.models import Account
from klasse.leerplan.licences import today
from klasse.leerplan.models import Domain, Licence, Skill, Subject
from tests.browser.conftest import BROWSER, login, screenshot

pytestmark = BROWSER
STUDENT_PASSWORD = "pupil-secret-2026-x"
# Words only the Dutch screens use ("Klas " with its space: the product is called Klasse).
DUTCH = re.compile(
    r"\bKlas |\bleerlingen|\bGebruikersnaam|\bImporteer|wachtwoord|\bTerug\b",
    flags=re.IGNORECASE,
)
FILE = (
    "Last name;Infix;First name;Username;Password;E-mail;Class;Programme;Role\r\n"
    f"Smith;;Ann;ann.s;{STUDENT_PASSWORD};;3HB;havo 3;\r\n"
    f"Brown;;Ben;ben.b;{STUDENT_PASSWORD};;3HB;havo 3;\r\n"
).encode()


def in_english(page) -> None:
    with page.expect_navigation():
        page.locator("form.language").get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def dutch_in(page, data: tuple[str, ...] = ()) -> list[str]:
    """The tell-tale Dutch words on the page (its text, title and the labels a screen reader
    says), each with the text around it; `data` (such as the leerplan's skills, Dutch
    content of the catalogue) is left out first."""
    labels = page.eval_on_selector_all(
        "[aria-label], [title], [placeholder], [alt]",
        "nodes => nodes.flatMap(n => ['aria-label', 'title', 'placeholder', 'alt']"
        ".map(a => n.getAttribute(a)).filter(Boolean))",
    )
    text = "\n".join([page.locator("body").inner_text(), page.title(), *labels])
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, "…")
    return [text[max(0, m.start() - 30) : m.end() + 30] for m in DUTCH.finditer(text)]


def test_the_central_pages_in_english_say_no_dutch(page, live, alice, school_a, tmp_path):
    content = (
        *Skill.objects.filter(subject__slug="rekenen").values_list("name", flat=True),
        *Domain.objects.filter(subject__slug="rekenen").values_list("name", flat=True),
    )
    Licence.objects.create(
        school=school_a,
        subject=Subject.objects.get(slug="rekenen"),
        starts=today() - dt.timedelta(days=30),
        ends=today() + dt.timedelta(days=200),
    )
    login(page, alice)
    in_english(page)  # the school's one subject opens at once
    page.get_by_role("heading", name="Overviews · Rekenen/wiskunde").wait_for()
    found: dict[str, list[str]] = {}

    page.get_by_role("link", name="TOOLS").click()
    page.locator(".sidebar").get_by_role("link", name="IMPORT").click()
    page.locator("#id_file").wait_for()
    found["wizard, step 1"] = dutch_in(page)
    upload = tmp_path / "students.csv"
    upload.write_bytes(FILE)
    with page.expect_navigation():
        page.locator("#id_file").set_input_files(str(upload))
    page.get_by_role("heading", name="Match columns").wait_for()
    found["wizard, columns"] = dutch_in(page)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Preview of the user list").wait_for()
    found["wizard, preview"] = dutch_in(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("The import has finished.").wait_for()
    found["import result"] = dutch_in(page)
    screenshot(page, "english-01-import-result")
    assert Account.objects.filter(username__in=["ann.s", "ben.b"]).count() == 2

    page.locator(".tabs").get_by_role("link", name="OVERVIEWS").click()
    page.locator("main").get_by_role("link", name="3HB").click()
    page.get_by_text("Ann Smith").wait_for()
    found["overviews, class"] = dutch_in(page)

    page.locator(".tabs").get_by_role("link", name="LEERPLAN").click()
    page.locator("main").get_by_role("link", name="3HB").click()
    page.get_by_role("heading", name="Leerplan of class 3HB · Rekenen/wiskunde").wait_for()
    found["leerplan, class"] = dutch_in(page, content)
    page.get_by_role("button", name="Switch on: Getallen tot 1000 lezen, schrijven").click()
    page.get_by_text("1 skill switched on.").wait_for()
    screenshot(page, "english-02-leerplan-class")

    student = page.context.browser.new_context(locale="nl-NL", base_url=live.url)
    pupil = student.new_page()
    try:
        login(pupil, Account.objects.get(username="ann.s"), STUDENT_PASSWORD)
        in_english(pupil)
        pupil.locator("main").get_by_role("heading", name="Rekenen/wiskunde").wait_for()
        assert "Getallen tot 1000 lezen" in pupil.locator("main").inner_text()
        found["student home"] = dutch_in(pupil, content)
        screenshot(pupil, "english-03-student-home")
    finally:
        student.close()

    assert {where: words for where, words in found.items() if words} == {}
