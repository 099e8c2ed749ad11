"""Inlogkaartjes: per class a printable page and a PDF; fresh passwords where needed."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from klasse.accounts.models import Account, AuditEntry, Programme, SchoolClass
from klasse.accounts.pdf import SIMPLIFIED_NOTE, TOP, login_sheet_pdf
from klasse.accounts.services import LoginCard
from tests.conftest import PASSWORD, client_for, make_account
from tests.pdf_layout import outside, pages_with, text_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomers(school_a, class_a) -> list[Account]:
    """Two students of 3HB without a usable password, as an import without passwords makes."""
    accounts = []
    for username, first, last in (("zoe", "Zoë", "Çelik"), ("emre", "Emre", "Yılmaz")):
        account = make_account(
            school_a,
            username,
            first_name=first,
            last_name=last,
            school_class=class_a,
            programme=Programme.objects.get(code="havo 3"),
        )
        account.password = make_password(None)
        account.save()
        accounts.append(account)
    return accounts


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def make_sheet(admin, school_class, fmt="html", renew="missing"):
    return client_for(admin).post(
        reverse("users:sheet", args=[school_class.pk]), {"format": fmt, "renew": renew}
    )


def test_the_sheet_page_changes_nothing_on_get(alice, class_a, sara, newcomers):
    response = client_for(alice).get(reverse("users:sheet", args=[class_a.pk]))
    assert response.status_code == 200 and response.context["without_password"] == 2
    assert not AuditEntry.objects.exists()
    assert not Account.objects.get(username="zoe").has_usable_password()


def test_the_printable_page_gives_new_passwords_only_to_who_needs_one(
    alice, class_a, sara, newcomers
):
    response = make_sheet(alice, class_a)
    assert "no-store" in response["Cache-Control"]
    cards = {card.username: card for card in response.context["cards"]}
    assert set(cards) == {"sara", "zoe", "emre"}
    assert cards["sara"].password is None
    html = response.content.decode()
    for username in ("zoe", "emre"):
        password = cards[username].password
        assert len(password) >= 10 and password in html
        assert Account.objects.get(username=username).check_password(password)
    assert Account.objects.get(username="sara").check_password(PASSWORD)
    assert "Zoë Çelik" in html and "Emre Yılmaz" in html
    # Sara's password was set by the school, not chosen by her: the card does not call it
    # her own (issue 17, item 14).
    assert "je huidige wachtwoord" in html and "je eigen wachtwoord" not in html


def test_a_reloaded_sheet_that_made_no_passwords_says_so_instead_of_the_print_now_warning(
    alice, class_a, sara, newcomers
):
    """A reload re-posts: nobody needs a new password any more, so the page must not warn
    that new passwords are shown only once (fixlast, item 3)."""
    first = make_sheet(alice, class_a).content.decode()
    assert "de nieuwe wachtwoorden zie je maar één keer" in first
    assert "Er zijn geen nieuwe wachtwoorden gemaakt" not in first
    again = make_sheet(alice, class_a)
    assert all(card.password is None for card in again.context["cards"])
    html = again.content.decode()
    assert "de nieuwe wachtwoorden zie je maar één keer" not in html
    assert (
        "Er zijn geen nieuwe wachtwoorden gemaakt: iedereen houdt zijn huidige wachtwoord." in html
    )
    teacher_sheet = client_for(alice).post(
        reverse("class_sheet", args=[class_a.pk]), {"format": "html", "renew": "missing"}
    )
    assert "Er zijn geen nieuwe wachtwoorden gemaakt" in teacher_sheet.content.decode()


def test_making_a_sheet_is_logged_without_the_passwords(alice, class_a, sara, newcomers):
    response = make_sheet(alice, class_a)
    sheet = AuditEntry.objects.get(action="login_sheet")
    assert sheet.details["class"] == "3HB" and sheet.details["new_passwords"] == 2
    renewed = AuditEntry.objects.filter(action="password").values_list("username", flat=True)
    assert sorted(renewed) == ["emre", "zoe"]
    for card in response.context["cards"]:
        if card.password:
            assert not AuditEntry.objects.filter(details__icontains=card.password).exists()


def test_the_pdf_opens_and_holds_the_class(alice, class_a, sara, newcomers):
    response = make_sheet(alice, class_a, fmt="pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in ("Sara van der Berg", "sara", "zoe", "emre", "3HB"):
        assert expected in text
    zoe = Account.objects.get(username="zoe")
    (password,) = [line for line in text.splitlines() if zoe.check_password(line.strip())]
    assert len(password.strip()) >= 10
    assert AuditEntry.objects.get(action="login_sheet").details["format"] == "pdf"


def test_renew_all_gives_everyone_a_new_password(alice, class_a, sara):
    response = make_sheet(alice, class_a, renew="all")
    (card,) = response.context["cards"]
    sara.refresh_from_db()
    assert card.password and sara.check_password(card.password)


def test_renew_never_logged_in_spares_who_has_logged_in(alice, class_a, sara, school_a):
    used = make_account(school_a, "used", school_class=class_a, last_login=timezone.now())
    response = make_sheet(alice, class_a, renew="never")
    cards = {card.username: card.password for card in response.context["cards"]}
    assert cards["sara"] and cards["used"] is None
    used.refresh_from_db()
    assert used.check_password(PASSWORD)


def test_archived_students_and_other_classes_are_left_out(alice, class_a, sara, school_a):
    sara.archived_at = timezone.now()
    sara.save()
    other = SchoolClass.objects.create(school=school_a, name="5A")
    make_account(school_a, "elders", school_class=other)
    assert make_sheet(alice, class_a).context["cards"] == []


def test_another_schools_administrator_gets_404_and_changes_nothing(bob, class_a, newcomers):
    assert client_for(bob).get(reverse("users:sheet", args=[class_a.pk])).status_code == 404
    assert make_sheet(bob, class_a).status_code == 404
    assert not Account.objects.get(username="zoe").has_usable_password()
    assert not AuditEntry.objects.exists()


def test_teachers_do_not_make_sheets(tom, class_a, newcomers):
    assert make_sheet(tom, class_a).status_code == 403
    assert not Account.objects.get(username="zoe").has_usable_password()


def test_the_pdf_puts_ten_cards_on_a_page():
    cards = [LoginCard(f"Kind {i}", f"kind{i}", "abcd-efgh-jkmn") for i in range(11)]
    data = login_sheet_pdf(cards, school_name="Lyceum A", class_name="3HB", login_url="x")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2 and "kind10" in reader.pages[1].extract_text()


def test_without_a_unicode_font_letters_outside_windows_1252_are_simplified_visibly():
    cards = [
        LoginCard("Zoë Çelik", "zoe", None),
        LoginCard("Emre Yılmaz", "emre.yılmaz", "abcd-efgh-jkmn"),
    ]
    data = login_sheet_pdf(
        cards,
        school_name="Lyceum A",
        class_name="3HB",
        login_url="x",
        font_dirs=[Path("/nonexistent")],
    )
    text = pdf_text(data)
    assert "Zoë Çelik" in text  # Windows-1252 has ë and Ç
    assert "Emre Yilmaz *" in text and "emre.yilmaz *" in text
    assert SIMPLIFIED_NOTE[:40] in " ".join(text.split())


def test_with_the_unicode_font_every_letter_is_kept():
    font_dir = Path("/usr/share/fonts/truetype/dejavu")
    if not (font_dir / "DejaVuSans.ttf").is_file():
        pytest.skip("DejaVu fonts are not installed (Debian package fonts-dejavu-core)")
    cards = [LoginCard("Emre Yılmaz", "emre.yılmaz", None)]
    text = pdf_text(
        login_sheet_pdf(
            cards, school_name="A", class_name="3HB", login_url="x", font_dirs=[font_dir]
        )
    )
    assert "Emre Yılmaz" in text and "emre.yılmaz" in text and "*" not in text


def _class_of(count: int) -> list[LoginCard]:
    """`count` cards with names, usernames and passwords that each occur on one card only."""
    return [
        LoginCard(
            f"Leerling{i:02d} van der Berg",
            f"ll{i:02d}.gebruiker",
            f"pw{i:02d}-abcd-efgh",
        )
        for i in range(count)
    ]


def test_every_card_of_a_big_class_lies_whole_inside_the_printable_area():
    """Issue 17, item 13: the fifth row ran off every A4 page. 37 cards → 4 pages; every
    line of text at least 10 mm from each edge, and each card's lines on one page."""
    cards = _class_of(37)
    data = login_sheet_pdf(
        cards,
        school_name="Openbare Scholengemeenschap De Lange Naam van de School",
        class_name="3HB",
        login_url="https://klasse.example.nl/inloggen/",
    )
    lines = text_lines(data)
    assert {line.page for line in lines} == {0, 1, 2, 3}
    assert {(round(line.page_width), round(line.page_height)) for line in lines} == {(210, 297)}
    assert outside(lines, 10.0) == []
    for card in cards:
        pages = [pages_with(lines, value) for value in (card.name, card.username, card.password)]
        assert all(len(p) == 1 for p in pages) and pages[0] == pages[1] == pages[2], card
    # The last row of a full page is there: cards 9 and 10 of the first page, below the rest.
    tops = {line.text: line.top for line in lines if line.page == 0}
    assert tops["ll08.gebruiker"] > tops["ll06.gebruiker"] > tops["ll00.gebruiker"]
    assert [
        len({c.username for c in cards if pages_with(lines, c.username) == {p}}) for p in range(4)
    ] == [10, 10, 10, 7]


def test_the_note_about_simplified_letters_stays_inside_the_page_too():
    cards = [LoginCard(f"Emre Yılmaz {i}", f"emre{i}", "abcd-efgh-jkmn") for i in range(10)]
    data = login_sheet_pdf(
        cards, school_name="A", class_name="3HB", login_url="x", font_dirs=[Path("/nonexistent")]
    )
    lines = text_lines(data)
    assert any(line.text.startswith("* Een letter") for line in lines)
    assert outside(lines, 10.0) == []


def test_a_long_heading_is_wrapped_not_cut():
    """Fix17, item 8: "Het Lyceu…": the heading of an import's cards (a long file name and
    school) goes on two lines, whole, above the cards and inside the printable area."""
    school = "Stichting Openbaar Voortgezet Onderwijs Het Lyceum aan de Lange Vijverberg"
    title = "Inlogkaartjes van de nieuwe accounts uit leerlingen-brugklas-2026-2027.csv"
    cards = [LoginCard("Kind", "kind0", "abcd-efgh-jkmn")]
    data = login_sheet_pdf(cards, school_name=school, class_name="", login_url="x", title=title)
    lines = text_lines(data)
    heading = " ".join(line.text for line in lines if line.bottom <= TOP)  # above the cards
    assert "…" not in heading
    assert school in heading and title in heading
    assert outside(lines, 10.0) == []


@pytest.mark.django_db
def test_the_classes_for_cards_are_the_classes_not_the_lesgroepen(alice, school_a, class_a, sara):
    """A lesgroep's members print their cards with their own class: listing the group with
    "0" students (its members are not in it as class) only confused."""
    group = SchoolClass.objects.create(school=school_a, name="wi-b", kind="groep")
    sara.groups.add(group)
    html = client_for(alice).get(reverse("users:sheets")).content.decode()
    assert class_a.name in html and "wi-b" not in html
