"""An account's own history (issue 17, item 9): its page in user management lists what
imports did to it (created, changed old → new, archived, restored, undone), each with a
link to the import, in one list with the other entries, newest first. The school's log
still shows an import once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Account, AuditEntry, SchoolClass
from klasse.imports.account_log import log_import_accounts
from klasse.imports.core.planning import Actions
from klasse.imports.undo import import_undo
from tests.conftest import client_for, make_account
from tests.imports.test_history_undo import do_import

pytestmark = pytest.mark.django_db


def history(admin, account) -> list[str]:
    """The account page's log: one text per row, newest first."""
    response = client_for(admin).get(reverse("users:edit", args=[account.pk]))
    return [" | ".join(lines) for _entry, lines in response.context["entries"]]


def page_html(admin, account) -> str:
    return client_for(admin).get(reverse("users:edit", args=[account.pk])).content.decode()


def test_an_added_account_shows_its_import_with_a_link(alice, school_a):
    run = do_import(school_a, alice, "Aa;;Anna;anna;;anna@thuis.nl;1A;havo 1;;", name="nieuw.csv")
    anna = Account.objects.get(username="anna")
    assert history(alice, anna) == ["nieuw.csv: aangemaakt"]
    html = page_html(alice, anna)
    assert "Nog niets gelogd" not in html
    assert reverse("history:detail", args=[run.pk]) in html and "naar de import" in html


def test_a_changed_account_shows_old_and_new(alice, school_a, sara):
    do_import(school_a, alice, "Berg;van der;Sara;sara;;sara@school.nl;4HB;havo 4;;")
    (text,) = history(alice, sara)
    assert text.startswith("leerlingen.csv: gewijzigd")
    assert "e-mailadres: — → sara@school.nl" in text
    assert "klas: 3HB → 4HB" in text and "opleiding: havo 3 → havo 4" in text


def test_an_archived_and_a_restored_account(alice, school_a, class_a, sara):
    piet = make_account(school_a, "piet", school_class=class_a, first_name="Piet")
    gone = make_account(school_a, "terug", school_class=class_a, first_name="Terug")
    Account.objects.filter(pk=gone.pk).update(archived_at=timezone.now() - timedelta(days=3))
    do_import(
        school_a,
        alice,
        "Berg;van der;Sara;sara;;;3HB;havo 3;;",
        "Persona;;Terug;terug;;;3HB;havo 3;;",
    )
    assert history(alice, piet) == ["leerlingen.csv: gearchiveerd (stond niet in het bestand)"]
    (restored,) = history(alice, gone)
    assert "status: gearchiveerd → actief" in restored


def test_a_teachers_classes_old_and_new(alice, school_a, tom):
    SchoolClass.objects.create(school=school_a, name="5A").teachers.add(tom)
    do_import(school_a, alice, "Teacher;;Tom;tom;;;6B,5A;;docent;", actions=Actions(update=True))
    (text,) = history(alice, tom)
    assert "klassen: 3HB, 5A → 5A, 6B" in text


def test_an_undo_is_on_the_accounts_page_too_newest_first_with_the_edits(alice, school_a, sara):
    run = do_import(school_a, alice, "Berg;van der;Sara;sara;;sara@school.nl;4HB;havo 4;;")
    client_for(alice).post(reverse("users:password", args=[sara.pk]))
    import_undo(run=run, actor=alice)
    texts = history(alice, sara)
    assert len(texts) == 3
    assert texts[0].startswith("leerlingen.csv ongedaan gemaakt: vorige waarden terug")
    assert "klas: 4HB → 3HB" in texts[0] and "e-mailadres: sara@school.nl → —" in texts[0]
    assert texts[1] == "getoond aan de beheerder"  # the password given by hand
    assert texts[2].startswith("leerlingen.csv: gewijzigd")


def test_an_account_kept_by_an_undo_says_why(alice, school_a):
    run = do_import(school_a, alice, "Aa;;Anna;anna;;anna@thuis.nl;1A;havo 1;;", name="n.csv")
    anna = Account.objects.get(username="anna")
    client_for(alice).post(reverse("users:password", args=[anna.pk]))
    import_undo(run=run, actor=alice)
    assert history(alice, anna)[0] == (
        "n.csv ongedaan gemaakt: dit account bleef staan, want: nieuw wachtwoord gegeven"
    )


def test_the_schools_log_shows_an_import_once_and_its_parts_on_request(alice, school_a, sara):
    do_import(
        school_a,
        alice,
        "Berg;van der;Sara;sara;;;4HB;havo 4;;",
        "Aa;;Anna;anna;;a@b.nl;1A;havo 1;;",
    )
    client = client_for(alice)
    rows = client.get(reverse("users:audit")).context["rows"]
    assert [entry.action for entry, _lines in rows] == ["import"]
    parts = client.get(reverse("users:audit"), {"actie": "import_account"}).context["rows"]
    assert sorted(entry.username for entry, _lines in parts) == ["anna", "sara"]


def test_another_school_sees_none_of_it(alice, bob, school_a, sara):
    do_import(school_a, alice, "Berg;van der;Sara;sara;;;4HB;havo 4;;")
    assert client_for(bob).get(reverse("users:edit", args=[sara.pk])).status_code == 404
    rows = client_for(bob).get(reverse("users:audit"), {"actie": "import_account"}).context["rows"]
    assert rows == []


def test_ten_thousand_accounts_are_logged_in_a_few_statements(alice, school_a):
    """A large import must stay fast: the entries are one set-based insert, not one
    statement per account (the time is measured in bench/README.md)."""
    accounts = [
        Account(school=school_a, username=f"kind{i}", first_name="Kind", last_name=str(i))
        for i in range(10_000)
    ]
    Account.objects.bulk_create(accounts, batch_size=2000)
    ids = list(Account.objects.filter(username__startswith="kind").values_list("id", flat=True))
    with CaptureQueriesContext(connection) as queries:
        written = log_import_accounts(
            school_id=school_a.pk,
            run_id="0" * 32,
            file_name="groot.csv",
            actor=alice,
            changes={"added": ids},
            at=timezone.now(),
        )
    assert written == 10_000
    assert len(queries) <= 10
    assert AuditEntry.objects.filter(action="import_account").count() == 10_000
