"""In real Chromium: the login cards' print page on A4 paper (issue 17, item 13), and a
teacher who resets a student's password (issue 15, item 7)."""

from django.urls import reverse

from klasse.accounts.models import Account, Programme
from tests.browser.conftest import BROWSER, login, screenshot
from tests.conftest import make_account
from tests.pdf_layout import outside, pages_with, text_lines

pytestmark = BROWSER


def _fill_class(school_class, count: int) -> list[Account]:
    programme = Programme.objects.get(code="havo 3")
    return [
        make_account(
            school_class.school,
            f"ll{i:02d}.kaart",
            first_name=f"Leerling{i:02d}",
            infix="van der",
            last_name="Berg",
            school_class=school_class,
            programme=programme,
        )
        for i in range(count)
    ]


def test_the_printed_cards_of_a_big_class_lie_whole_on_a4(page, alice, class_a):
    """37 students, every one a new password: printed to A4 by Chromium, every line of
    text stays 10 mm from each edge and every card's lines are on one page."""
    students = _fill_class(class_a, 37)
    login(page, alice)
    page.goto(reverse("users:sheet", args=[class_a.pk]))
    page.get_by_label("alle leerlingen: ook wie al een eigen wachtwoord heeft").check()
    page.get_by_role("button", name="Maak de afdrukpagina").click()
    page.locator(".login-card").nth(36).wait_for()
    passwords = {
        card.locator("dd").first.inner_text().strip(): card.locator(".secret").nth(1).inner_text()
        for card in page.locator(".login-card").all()
    }
    screenshot(page, "login-cards-print-page")
    data = page.pdf(format="A4")
    lines = text_lines(data)
    pages = {line.page for line in lines}
    assert len(pages) >= 4, "37 cards cannot fit on fewer than four pages"
    assert outside(lines, 10.0) == []
    for student in students:
        password = passwords[student.username]
        found = [
            pages_with(lines, text) for text in (student.full_name, student.username, password)
        ]
        assert all(len(p) == 1 for p in found) and found[0] == found[1] == found[2], student


def test_a_teacher_gives_a_student_of_his_class_a_new_password_and_prints_its_card(
    page, tom, sara, class_a
):
    login(page, tom)
    page.get_by_role("link", name="3HB").first.click()
    page.get_by_role("button", name="Nieuw wachtwoord voor Sara van der Berg").click()
    page.get_by_role("heading", name="Nieuw wachtwoord voor Sara van der Berg").wait_for()
    password = page.locator("#new-password").inner_text().strip()
    card = page.get_by_role("region", name="Inlogkaartje")
    assert password in card.inner_text() and "sara" in card.inner_text()
    sara.refresh_from_db()
    assert sara.check_password(password)
    screenshot(page, "teacher-new-password-card")
    lines = text_lines(page.pdf(format="A4"))
    assert pages_with(lines, password) == {0} and outside(lines, 10.0) == []
    assert not any("Druk het kaartje" in line.text for line in lines)  # only the card prints
    # Shown once: back on the class page it is nowhere.
    page.get_by_role("link", name="Terug naar klas 3HB").click()
    page.get_by_role("heading", name="Klas 3HB").wait_for()
    assert password not in page.content()
