"""Issue 17, items 1, 2, 7 and 14: the import's password e-mails are a choice, counted before
and after; pupils without password and e-mail address can get a password on their login
card, made when the cards are printed and shown that once; a card says only what is true."""

import json
import os
import re
import smtplib
import stat

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from klasse.accounts.login_cards import card_note, login_cards_make, login_sheet_create
from klasse.accounts.models import Account, AuditEntry
from klasse.accounts.services import account_set_password
from klasse.accounts.tasks import password_link
from klasse.imports import followups
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.followups import run_emails_send
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from klasse.imports.undo import import_undo
from tests.conftest import client_for, template_csv
from tests.imports.cli import run_import_command

pytestmark = pytest.mark.django_db

# Two with an e-mail address and no password, one with a password, two young pupils with
# neither (ParnasSys), one row with an error.
LINES = (
    "Jansen;;Anna;anna;;anna@example.nl;1A;havo 1;;",
    "Bakker;;Bram;bram;;bram@example.nl;1A;havo 1;;",
    "Visser;;Cas;cas;eigen-start-2026;;1A;havo 1;;",
    "Smit;;Daan;daan;;;groep3;groep 3;;",
    "Mulder;;Eva;eva;;;groep3;groep 3;;",
    "Fout;;Rij;fout;;;1A;havo 99;;",
)


def do_import(school, actor, *, actions, lines=LINES, execute=True, capture=None):
    """A recorded import (as the command line records one), its e-mails sent after the
    commit by the run's own task."""
    data = template_csv(*lines)
    record = import_run_record_cli(
        school=school, file_name="groep3.csv", data=data, actions=actions.as_list(), actor=actor
    )
    with capture(execute=execute):
        report, _ = run_import(
            data, "groep3.csv", school=school, actions=actions, record=record, mail=record.mail
        )
    return report, record.run


# --- e-mails ---------------------------------------------------------------------------


def test_by_default_a_no_password_or_email_row_stays_an_error(school_a):
    report, _ = run_import(
        template_csv(*LINES), "f.csv", school=school_a, actions=Actions(add=True), dry_run=True
    )
    codes = {(p["row"], p["code"]) for p in report["problems"]}
    assert {(5, "no_password_or_email"), (6, "no_password_or_email")} <= codes
    assert report["counts"]["add"] == 3 and report["counts"]["error"] == 3
    assert report["emails"] == 2 and report["generated_passwords"] == 0


def test_the_mails_name_the_school_come_from_the_sender_and_are_counted_on_the_run(
    school_a, alice, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Lyceum A <ict@lyceum-a.example>"
    report, run = do_import(
        school_a, alice, actions=Actions(add=True), capture=django_capture_on_commit_callbacks
    )
    assert report["emails"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.nl", "bram@example.nl"]
    for message in mail.outbox:
        assert message.from_email == "Lyceum A <ict@lyceum-a.example>"
        assert "Lyceum A heeft een account voor je gemaakt" in message.body
        assert "Lyceum A" in message.subject
    run.refresh_from_db()
    assert run.emails == {"sent": 2} and len(run.changes["emailed"]) == 2


def test_no_emails_sends_none_and_counts_none(school_a, alice, django_capture_on_commit_callbacks):
    actions = Actions(add=True, send_emails=False)
    report, run = do_import(
        school_a, alice, actions=actions, capture=django_capture_on_commit_callbacks
    )
    assert report["emails"] == 0 and mail.outbox == []
    assert report["counts"]["add"] == 3 and run.changes["emailed"] == []


def test_the_result_counts_only_the_mails_that_went(
    school_a, alice, django_capture_on_commit_callbacks
):
    """Undone before the worker sent them: nobody is mailed, and the run says 0 went."""
    _, run = do_import(
        school_a,
        alice,
        actions=Actions(add=True),
        capture=django_capture_on_commit_callbacks,
        execute=False,
    )
    import_undo(run=run, actor=alice)
    assert run_emails_send(str(run.pk)) == 0 and mail.outbox == []
    run.refresh_from_db()
    assert run.emails == {"sent": 0}


def test_a_link_of_an_account_an_undo_removed_says_so_in_dutch(
    school_a, alice, django_capture_on_commit_callbacks
):
    _, run = do_import(
        school_a, alice, actions=Actions(add=True), capture=django_capture_on_commit_callbacks
    )
    link = re.search(r"http\S+/wachtwoord-kiezen/\S+", mail.outbox[0].body).group(0)
    path = link[link.index("/wachtwoord-kiezen/") :]
    client = client_for(alice)
    client.logout()
    assert "Kies je wachtwoord" in client.get(path, follow=True).content.decode()
    import_undo(run=run, actor=alice)
    page = client.get(path, follow=True).content.decode()
    assert "Dit account bestaat niet meer" in page and "Lyceum A" in page
    assert "ongedaan gemaakt" in page
    # Any other broken link keeps the general message.
    other = client.get("/wachtwoord-kiezen/OTk5OTk/abc-def/", follow=True).content.decode()
    assert "bestaat niet meer" not in other and "Deze link werkt niet meer" in other


# --- generated passwords ------------------------------------------------------------------


def test_generate_passwords_adds_the_young_pupils_without_a_password_yet(
    school_a, alice, django_capture_on_commit_callbacks
):
    actions = Actions(add=True, generate_passwords=True)
    report, run = do_import(
        school_a, alice, actions=actions, capture=django_capture_on_commit_callbacks
    )
    assert report["counts"]["add"] == 5 and report["generated_passwords"] == 2
    assert report["emails"] == 2
    assert "no_password_or_email" not in {p["code"] for p in report["problems"]}
    daan, eva = Account.objects.get(username="daan"), Account.objects.get(username="eva")
    # No password exists before the cards are made: nothing to store, nothing to leak.
    assert not daan.has_usable_password() and not eva.has_usable_password()
    assert sorted(run.changes["login_cards"]) == sorted([daan.pk, eva.pk])


def test_the_cards_page_makes_the_passwords_once_and_never_shows_them_again(
    school_a, alice, bob, django_capture_on_commit_callbacks
):
    actions = Actions(add=True, generate_passwords=True)
    _, run = do_import(school_a, alice, actions=actions, capture=django_capture_on_commit_callbacks)
    admin = client_for(alice)
    url = reverse("history:cards", args=[run.pk])
    page = admin.get(url)
    # Only the two whose password comes from the card: not anna and bram (e-mailed a
    # link) nor cas (a password from the file). Fix17, item 2.
    listed = [a.username for a in page.context["accounts"]]
    assert page.status_code == 200 and listed == ["eva", "daan"]  # by last name
    assert Account.objects.filter(username="daan", password__startswith="!").exists()
    assert client_for(bob).get(url).status_code == 404
    printed = admin.post(url, {"format": "html"})
    assert "no-store" in printed["Cache-Control"]
    cards = {card.username: card for card in printed.context["cards"]}
    assert set(cards) == {"daan", "eva"}
    for username in ("daan", "eva"):
        password = cards[username].password
        assert password and password in printed.content.decode()
        account = Account.objects.get(username=username)
        assert account.check_password(password) and password not in account.password
    sheet = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_SHEET)
    assert sheet.details["run"] == str(run.pk) and sheet.details["new_passwords"] == 2
    assert sheet.details["cards"] == 2
    # Printing marks only those two: an undo keeps nobody else for a card.
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_CARD).exists()
    marked = AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD)
    assert sorted(marked.values_list("username", flat=True)) == ["daan", "eva"]
    # Once printed, never again: the page says so and makes no cards.
    again = admin.get(url)
    assert not again.context["accounts"] and again.context["printed_before"]
    reprinted = admin.post(url, {"format": "html"})
    assert reprinted.context["cards"] == []
    assert cards["daan"].password not in reprinted.content.decode()
    assert Account.objects.get(username="daan").check_password(cards["daan"].password)


def test_the_cards_page_changes_nothing_on_get_and_teachers_may_not(
    school_a, alice, tom, django_capture_on_commit_callbacks
):
    actions = Actions(add=True, generate_passwords=True)
    _, run = do_import(school_a, alice, actions=actions, capture=django_capture_on_commit_callbacks)
    url = reverse("history:cards", args=[run.pk])
    assert client_for(tom).post(url, {"format": "html"}).status_code == 403
    client_for(alice).get(url)
    assert not Account.objects.get(username="daan").has_usable_password()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_SHEET).exists()


# --- the command line ---------------------------------------------------------------------


def cli(capsys, tmp_path, *args):
    path = tmp_path / "groep3.csv"
    path.write_bytes(template_csv(*LINES))
    code, out = run_import_command(capsys, str(path), "--school", "school-a", "--add", *args)
    return code, out


def test_the_cli_sends_mails_unless_no_emails_and_counts_them(
    capsys, school_a, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        code, out = cli(capsys, tmp_path, "--json", "--no-emails")
    report = json.loads(out)
    assert code == 0 and report["emails"] == 0 and mail.outbox == []
    Account.objects.filter(school=school_a).delete()
    with django_capture_on_commit_callbacks(execute=True):
        code, out = cli(capsys, tmp_path, "--json")
    report = json.loads(out)
    assert code == 0 and report["emails"] == 2 and len(mail.outbox) == 2
    assert report["generated_passwords"] == 0 and report["counts"]["error"] == 3
    run = ImportRun.objects.filter(school=school_a).first()
    assert run.emails == {"sent": 2}


def test_the_cli_generates_passwords_and_says_where_the_cards_are(capsys, school_a, tmp_path):
    code, out = cli(capsys, tmp_path, "--generate-passwords")
    assert code == 0
    assert "Wachtwoorden voor inlogkaartjes: 2" in out
    assert "TOOLS › GESCHIEDENIS › groep3.csv › Inlogkaartjes afdrukken" in out
    assert not Account.objects.get(username="daan").has_usable_password()


def test_the_cli_writes_the_login_cards_with_the_new_passwords(capsys, school_a, tmp_path):
    cards = tmp_path / "kaartjes.pdf"
    code, out = cli(capsys, tmp_path, "--generate-passwords", "--login-cards", str(cards), "--json")
    assert code == 0 and json.loads(out)["generated_passwords"] == 2
    assert stat.S_IMODE(os.stat(cards).st_mode) == 0o600
    text = "\n".join(page.extract_text() for page in PdfReader(cards).pages)
    for username in ("daan", "eva"):
        account = Account.objects.get(username=username)
        found = [w for w in re.findall(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", text)]
        assert any(account.check_password(word) for word in found), username
    # Only the cards whose password is made now (fix17, item 2): not Anna's (e-mailed a
    # link) nor Cas's (a password from the file).
    assert "Anna" not in text and "Cas" not in text


def test_without_emails_the_cli_cards_hold_a_password_for_those_with_an_address(
    capsys, school_a, tmp_path
):
    """Fix17, item 1: with --no-emails, a new account with an address and no password
    gets its password on its card like one without an address, and no card speaks of an
    e-mail that was never sent."""
    cards = tmp_path / "kaartjes.pdf"
    code, out = cli(
        capsys, tmp_path, "--no-emails", "--generate-passwords", "--login-cards", str(cards)
    )
    assert code == 0 and "Inlogkaartjes met 4 nieuwe wachtwoord(en)" in out
    text = "\n".join(page.extract_text() for page in PdfReader(cards).pages)
    found = re.findall(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", text)
    for username in ("anna", "bram", "daan", "eva"):
        account = Account.objects.get(username=username)
        assert any(account.check_password(word) for word in found), username
    assert "e-mail" not in text and len(found) == 4


@pytest.mark.parametrize("base", ["https://klasse.lyceum.nl", "http://127.0.0.1:8123"])
def test_the_cli_cards_point_at_the_address_the_emails_use(
    capsys, school_a, tmp_path, settings, base
):
    """Fix17, item 7: the PDF's login address is KLASSE_BASE_URL's, as in the e-mails."""
    settings.KLASSE_BASE_URL = base + "/"
    cards = tmp_path / "kaartjes.pdf"
    cli(capsys, tmp_path, "--generate-passwords", "--login-cards", str(cards))
    text = "\n".join(page.extract_text() for page in PdfReader(cards).pages)
    assert f"{base}/inloggen/" in text and "127.0.0.1:8000" not in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--login-cards", "x.pdf"), "alleen met --generate-passwords"),
        (("--generate-passwords", "--login-cards", "x.pdf", "--dry-run"), "--dry-run"),
        (("--generate-passwords", "--login-cards", "/nonexistent/dir/x.pdf"), "map die bestaat"),
    ],
)
def test_login_cards_that_cannot_be_written_stop_before_the_import(
    capsys, school_a, tmp_path, args, said
):
    path = tmp_path / "groep3.csv"
    path.write_bytes(template_csv(*LINES))
    with pytest.raises(CommandError) as refused:
        call_command("import", str(path), "--school", "school-a", "--add", *args)
    assert refused.value.returncode == 2 and said in str(refused.value)
    assert not Account.objects.filter(school=school_a).exists()


# --- item 14: a card says only what is true -------------------------------------------------


def test_a_card_says_je_eigen_wachtwoord_only_for_a_password_its_owner_chose(
    school_a, alice, sara, class_a
):
    sara.password_chosen = True
    sara.save()
    assert card_note(sara) == "je eigen wachtwoord"
    (card,) = login_sheet_create(school_class=class_a, actor=alice)
    assert card.password is None and card.note == "je eigen wachtwoord"
    account_set_password(account=sara, actor=alice)  # the school sets one: no longer hers
    sara.refresh_from_db()
    assert not sara.password_chosen and "huidige wachtwoord" in card_note(sara)


def test_choosing_a_password_from_the_link_makes_it_the_owners_own(school_a, sara):
    link = password_link(sara)
    path = link[link.index("/wachtwoord-kiezen/") :]
    client = Client()
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "mijn-eigen-fiets-2026", "new_password2": "mijn-eigen-fiets-2026"},
    )
    assert response.status_code == 302
    sara.refresh_from_db()
    assert sara.password_chosen and sara.check_password("mijn-eigen-fiets-2026")


def test_an_import_that_sets_a_password_makes_it_no_longer_the_owners(school_a, sara):
    Account.objects.filter(pk=sara.pk).update(password_chosen=True)
    actions = Actions(update=True, overwrite_passwords=True)
    run_import(
        template_csv("Berg;van der;Sara;sara;nieuw-start-2026;;3HB;havo 3;;"),
        "f.csv",
        school=school_a,
        actions=actions,
    )
    sara.refresh_from_db()
    assert sara.check_password("nieuw-start-2026") and not sara.password_chosen
    assert "huidige wachtwoord" in card_note(sara)


def test_cards_without_a_password_say_how_to_get_one(school_a, sara):
    sara.set_unusable_password()
    sara.email = ""
    assert "vraag je beheerder" in card_note(sara)
    sara.email = "sara@example.nl"
    # An address alone is no link: only one that was sent (fix17, item 1).
    assert "vraag je beheerder" in card_note(sara)
    assert "link in je e-mail" in card_note(sara, linked=True)


def test_a_mail_server_that_refuses_is_said_on_the_result_without_addresses(
    school_a, alice, monkeypatch, django_capture_on_commit_callbacks
):
    _, run = do_import(
        school_a,
        alice,
        actions=Actions(add=True),
        capture=django_capture_on_commit_callbacks,
        execute=False,
    )

    def refuse(ids, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"anna@example.nl": (550, b"no")})

    monkeypatch.setattr(followups, "password_links_send", refuse)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        run_emails_send(str(run.pk))
    run.refresh_from_db()
    assert run.emails == {"error": "SMTPRecipientsRefused"}
    ImportRun.objects.filter(pk=run.pk).update(source="web")
    page = client_for(alice).get(reverse("imports:progress", args=[run.pk])).content.decode()
    assert "De e-mails voor 2 nieuwe accounts konden niet worden verstuurd." in page
    assert "anna@example.nl" not in page and "hx-trigger" not in page


def test_the_history_of_an_import_leads_to_its_login_cards(
    school_a, alice, django_capture_on_commit_callbacks
):
    actions = Actions(add=True, generate_passwords=True)
    _, run = do_import(school_a, alice, actions=actions, capture=django_capture_on_commit_callbacks)
    page = client_for(alice).get(reverse("history:detail", args=[run.pk])).content.decode()
    assert reverse("history:cards", args=[run.pk]) in page and "Inlogkaartjes afdrukken" in page
    assert "wachtwoorden voor inlogkaartjes" in page  # the action, named in the history


def test_a_class_card_speaks_of_the_link_only_where_the_import_sent_one(
    school_a, alice, django_capture_on_commit_callbacks
):
    """Fix17, item 1: the import's e-mails are logged per account (PASSWORD_LINK, naming
    the run); a card says "kies er een met de link in je e-mail" only for those."""
    _, run = do_import(
        school_a,
        alice,
        actions=Actions(add=True, generate_passwords=True),
        capture=django_capture_on_commit_callbacks,
    )
    links = AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_LINK)
    assert sorted(links.values_list("username", flat=True)) == ["anna", "bram"]
    assert {entry.details["run"] for entry in links} == {str(run.pk)}
    links.filter(username="bram").delete()  # as if his e-mail never went out
    accounts = list(Account.objects.filter(username__in=["anna", "bram"]))
    made = login_cards_make(
        school_id=school_a.pk, accounts=accounts, renew=set(), actor=alice, details={}
    )
    notes = {c.username: c.note for c in made}
    assert "link in je e-mail" in notes["anna"]
    assert "link in je e-mail" not in notes["bram"] and "vraag je beheerder" in notes["bram"]


def test_an_undone_import_offers_no_login_cards(
    school_a, alice, django_capture_on_commit_callbacks
):
    """Fix17, item 8: its cards would be for accounts gone or kept as they are."""
    _, run = do_import(
        school_a,
        alice,
        actions=Actions(add=True, generate_passwords=True),
        capture=django_capture_on_commit_callbacks,
    )
    admin = client_for(alice)
    detail = reverse("history:detail", args=[run.pk])
    assert 'id="run-cards"' in admin.get(detail).content.decode()
    import_undo(run=run, actor=alice)
    assert 'id="run-cards"' not in admin.get(detail).content.decode()
    cards = reverse("history:cards", args=[run.pk])
    assert admin.get(cards).status_code == 404
    assert admin.post(cards, {"format": "pdf"}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_SHEET).exists()
