"""TOOLS › GEBRUIKERS: search, edit with the import's rules, archive, restore, passwords,
and the export from the browser."""

import csv
import io

import openpyxl
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Account, AuditEntry, Programme, Role, SchoolClass
from klasse.accounts.search import account_search, fold
from klasse.accounts.services import password_generate
from tests.conftest import PASSWORD, client_for, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def zoe(school_a, class_a) -> Account:
    return make_account(
        school_a,
        "zoe.celik",
        first_name="Zoë",
        last_name="Çelik",
        email="zoe@example.nl",
        school_class=class_a,
        programme=Programme.objects.get(code="havo 3"),
    )


def edit_data(account: Account, **changes) -> dict:
    data = {
        "first_name": account.first_name,
        "infix": account.infix,
        "last_name": account.last_name,
        "email": account.email,
        "external_id": account.external_id,
        "role": account.role,
        "class_name": account.school_class.name if account.school_class else "",
        "programme": account.programme.code if account.programme else "",
    }
    data.update(changes)
    return data


def found(account: Account, query: str, **params) -> list[str]:
    response = client_for(account).get(reverse("users:list"), {"q": query, **params})
    assert response.status_code == 200
    return [a.username for a in response.context["accounts"]]


# --- search ---------------------------------------------------------------------------


def test_fold_drops_accents_and_case():
    assert fold("Zoë Çelik") == "zoe celik"
    assert fold("Yılmaz Łukasz Ørsted") == "yilmaz lukasz orsted"


@pytest.mark.parametrize("query", ["zoe", "ZOË", "celik", "Çelik", "zoë çel", "zoe@example", "3hb"])
def test_search_finds_an_account_with_or_without_accents(alice, zoe, query):
    assert "zoe.celik" in found(alice, query)


def test_search_by_username_class_and_email(alice, zoe, sara, tom):
    assert found(alice, "sara") == ["sara"]
    assert found(alice, "3HB") == ["sara", "zoe.celik", "tom"]  # Tom Teacher teaches 3HB
    assert found(alice, "example.nl") == ["zoe.celik"]
    assert found(alice, "van der berg") == ["sara"]


def test_every_word_must_match(alice, zoe, sara):
    assert found(alice, "zoe sara") == []


def test_results_are_sorted_on_last_name_without_infix(alice, zoe, sara, tom):
    assert found(alice, "", rol=Role.STUDENT) == ["sara", "zoe.celik"]  # Berg, Çelik


def test_search_never_finds_another_schools_accounts(bob, zoe, sara):
    assert found(bob, "zoe") == [] and found(bob, "") == ["bob"]


def test_archived_accounts_are_found_on_request(alice, sara):
    sara.archived_at = timezone.now()
    sara.save()
    assert found(alice, "sara") == []
    assert found(alice, "sara", status="archived") == ["sara"]
    assert found(alice, "sara", status="all") == ["sara"]


def test_the_result_is_paged(alice, class_a):
    for i in range(60):
        make_account(alice.school, f"kind{i:02d}", last_name=f"Kind{i:02d}")
    client = client_for(alice)
    first = client.get(reverse("users:list"), {"q": "kind"})
    assert len(first.context["accounts"]) == 50 and first.context["page"].paginator.count == 60
    second = client.get(reverse("users:list"), {"q": "kind", "pagina": 2})
    assert [a.username for a in second.context["accounts"]] == [f"kind{i}" for i in range(50, 60)]
    assert "pagina=2" in first.content.decode() and "q=kind" in first.content.decode()


def test_the_search_selector_filters_on_role(alice, sara, tom):
    assert account_search(school_id=alice.school_id, role=Role.TEACHER) == [tom.pk]


# --- edit -----------------------------------------------------------------------------


def test_editing_a_name_keeps_its_accents_and_is_logged(alice, sara):
    response = client_for(alice).post(
        reverse("users:edit", args=[sara.pk]),
        edit_data(sara, first_name="Saraï", infix="van den", last_name="Bërg"),
    )
    assert response.status_code == 302
    sara.refresh_from_db()
    assert sara.full_name == "Saraï van den Bërg"
    entry = AuditEntry.objects.get(action="edit")
    assert (entry.actor, entry.account, entry.username) == (alice, sara, "sara")
    assert entry.details["changes"]["first_name"] == ["Sara", "Saraï"]


def test_saving_without_changes_logs_nothing(alice, sara):
    client_for(alice).post(reverse("users:edit", args=[sara.pk]), edit_data(sara))
    assert not AuditEntry.objects.exists()


def test_an_edit_uses_the_imports_rules(alice, sara):
    response = client_for(alice).post(
        reverse("users:edit", args=[sara.pk]),
        edit_data(
            sara,
            first_name="",
            last_name="x" * 101,
            email="geen-adres",
            programme="havo 9",
            external_id="12\n34",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"first_name", "last_name", "email", "programme", "external_id"}
    assert "100" in errors["last_name"][0]
    sara.refresh_from_db()
    assert sara.first_name == "Sara" and not AuditEntry.objects.exists()


def test_a_student_needs_a_class_and_a_programme(alice, sara):
    response = client_for(alice).post(
        reverse("users:edit", args=[sara.pk]), edit_data(sara, class_name="", programme="")
    )
    assert set(response.context["form"].errors) == {"class_name", "programme"}


def test_programmes_are_matched_as_the_import_does(alice, sara):
    client_for(alice).post(
        reverse("users:edit", args=[sara.pk]), edit_data(sara, programme="4 VWO")
    )
    sara.refresh_from_db()
    assert sara.programme.code == "vwo 4"


def test_e_mail_is_normalised_as_the_import_does(alice, sara):
    client_for(alice).post(
        reverse("users:edit", args=[sara.pk]), edit_data(sara, email=" Sara@Example.NL ")
    )
    sara.refresh_from_db()
    assert sara.email == "Sara@example.nl"


def test_moving_a_student_to_a_new_class_creates_it(alice, sara):
    client_for(alice).post(reverse("users:edit", args=[sara.pk]), edit_data(sara, class_name="4HB"))
    sara.refresh_from_db()
    assert sara.school_class.name == "4HB" and sara.school_class.school == alice.school


def test_an_existing_class_is_found_case_insensitively(alice, sara, class_a):
    client_for(alice).post(reverse("users:edit", args=[sara.pk]), edit_data(sara, class_name="3hb"))
    assert SchoolClass.objects.filter(school=alice.school).count() == 1


def test_a_student_becomes_a_teacher_of_several_classes_and_back(alice, sara, class_a):
    client = client_for(alice)
    client.post(
        reverse("users:edit", args=[sara.pk]),
        edit_data(sara, role=Role.TEACHER, class_name="3HB, 5A", programme=""),
    )
    sara.refresh_from_db()
    assert sara.role == Role.TEACHER and sara.school_class is None and sara.programme is None
    assert sorted(sara.teaching_classes.values_list("name", flat=True)) == ["3HB", "5A"]
    client.post(
        reverse("users:edit", args=[sara.pk]),
        edit_data(sara, role=Role.STUDENT, class_name="5A", programme="havo 5"),
    )
    sara.refresh_from_db()
    assert sara.role == Role.STUDENT and sara.school_class.name == "5A"
    assert not sara.teaching_classes.exists()


def test_a_student_is_in_one_class(alice, sara):
    response = client_for(alice).post(
        reverse("users:edit", args=[sara.pk]), edit_data(sara, class_name="3HB, 5A")
    )
    assert "class_name" in response.context["form"].errors


def test_an_administrators_role_cannot_be_changed_here(alice):
    form = client_for(alice).get(reverse("users:edit", args=[alice.pk])).context["form"]
    assert "role" not in form.fields and "class_name" not in form.fields
    client_for(alice).post(
        reverse("users:edit", args=[alice.pk]),
        {"first_name": "Alïce", "last_name": "Admin", "role": Role.STUDENT},
    )
    alice.refresh_from_db()
    assert alice.first_name == "Alïce" and alice.role == Role.ADMIN


def test_the_edit_page_escapes_names(alice, sara):
    sara.first_name = '<img src=x onerror="alert(1)">'
    sara.save()
    html = client_for(alice).get(reverse("users:edit", args=[sara.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


# --- archive, restore -------------------------------------------------------------------


def test_a_teacher_is_archived_by_hand_and_restored(alice, tom):
    client = client_for(alice)
    client.post(reverse("users:archive", args=[tom.pk]))
    tom.refresh_from_db()
    assert tom.is_archived
    assert (
        Client().post(reverse("login"), {"username": "tom", "password": PASSWORD}).status_code
        == 200
    )
    client.post(reverse("users:restore", args=[tom.pk]))
    tom.refresh_from_db()
    assert tom.is_active
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["archive", "restore"]


def test_an_archived_accounts_session_ends(alice, tom):
    teacher = client_for(tom)
    assert teacher.get(reverse("overview")).status_code == 200
    client_for(alice).post(reverse("users:archive", args=[tom.pk]))
    assert teacher.get(reverse("overview")).status_code == 302


def test_an_administrator_cannot_archive_herself(alice):
    response = client_for(alice).post(reverse("users:archive", args=[alice.pk]), follow=True)
    alice.refresh_from_db()
    assert alice.is_active and "eigen account" in response.content.decode()


def test_nothing_changes_on_get(alice, sara):
    client = client_for(alice)
    for name in ("archive", "restore", "password_link"):
        assert client.get(reverse(f"users:{name}", args=[sara.pk])).status_code == 405
    # The password page's GET only shows a password made by a POST before (once).
    assert client.get(reverse("users:password", args=[sara.pk])).context["password"] is None
    sara.refresh_from_db()
    assert sara.is_active and sara.check_password(PASSWORD) and not AuditEntry.objects.exists()


def test_forms_need_the_csrf_token(alice, sara):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("users:archive", args=[sara.pk])).status_code == 403
    sara.refresh_from_db()
    assert sara.is_active


# --- passwords --------------------------------------------------------------------------


def test_generated_passwords_are_readable_and_long_enough():
    passwords = {password_generate() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) >= 10
        assert not set(password) & set("0o1liI")


def test_a_new_password_is_shown_once_and_works(alice, sara):
    response = client_for(alice).post(reverse("users:password", args=[sara.pk]), follow=True)
    password = response.context["password"]
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    sara.refresh_from_db()
    assert sara.check_password(password) and not sara.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action="password")
    assert password not in str(entry.details)
    page = client_for(alice).get(reverse("users:edit", args=[sara.pk])).content.decode()
    assert password not in page


def test_a_link_to_choose_a_password_is_mailed(alice, zoe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(reverse("users:password_link", args=[zoe.pk]))
    (message,) = mail.outbox
    assert message.to == ["zoe@example.nl"] and "/wachtwoord-kiezen/" in message.body
    assert AuditEntry.objects.get(action="password_link").account == zoe


def test_no_link_without_an_email_address(alice, sara, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            reverse("users:password_link", args=[sara.pk]), follow=True
        )
    assert mail.outbox == [] and "geen e-mailadres" in response.content.decode()


# --- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("edit", "get"),
        ("edit", "post"),
        ("archive", "post"),
        ("restore", "post"),
        ("password", "post"),
        ("password_link", "post"),
    ],
)
def test_another_schools_administrator_gets_404(bob, sara, name, method):
    response = getattr(client_for(bob), method)(reverse(f"users:{name}", args=[sara.pk]))
    assert response.status_code == 404
    sara.refresh_from_db()
    assert sara.is_active and sara.check_password(PASSWORD) and sara.first_name == "Sara"


@pytest.mark.parametrize("name", ["edit", "archive", "password"])
def test_teachers_and_students_get_403(tom, sara, name):
    for account in (tom, sara):
        assert client_for(account).post(reverse(f"users:{name}", args=[sara.pk])).status_code == 403


# --- export -----------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_export_the_whole_school_as_csv(alice, sara, tom, zoe):
    response = client_for(alice).post(reverse("users:export"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][:4] == ["achternaam", "tussenvoegsel", "voornaam", "gebruikersnaam"]
    assert sorted(r[3] for r in rows[1:]) == ["sara", "tom", "zoe.celik"]
    entry = AuditEntry.objects.get(action="export")
    assert entry.details == {"format": "csv", "class": "", "include_archived": False, "rows": 3}


def test_export_one_class_as_xlsx_formula_safe(alice, class_a, sara, school_a):
    other = SchoolClass.objects.create(school=school_a, name="5A")
    make_account(school_a, "other", school_class=other)
    sara.last_name = "=HYPERLINK(1)"
    sara.save()
    response = client_for(alice).post(
        reverse("users:export"), {"format": "xlsx", "school_class": class_a.pk}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert [row[3] for row in values[1:]] == ["sara"]
    assert values[1][0] == "'=HYPERLINK(1)"


def test_the_export_page_does_not_download_on_get(alice, class_a):
    response = client_for(alice).get(reverse("users:export"), {"klas": class_a.pk})
    assert response.status_code == 200 and "attachment" not in response.get(
        "Content-Disposition", ""
    )
    assert response.context["form"]["school_class"].value() == str(class_a.pk)
    assert not AuditEntry.objects.exists()


def test_another_schools_class_cannot_be_exported(bob, class_a, sara):
    response = client_for(bob).post(
        reverse("users:export"), {"format": "csv", "school_class": class_a.pk}
    )
    assert response.status_code == 200 and "school_class" in response.context["form"].errors
    assert b"sara" not in response.content


def test_teachers_cannot_export(tom):
    assert client_for(tom).post(reverse("users:export"), {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("query", ["Vries, Zoë", "de Vries", "Zoë de Vries", "vries,zoe"])
def test_search_finds_a_name_written_as_lists_write_it(alice, school_a, query):
    make_account(school_a, "zdvries", first_name="Zoë", infix="de", last_name="Vries")
    make_account(school_a, "zjansen", first_name="Zoë", last_name="Jansen")
    assert found(alice, query) == ["zdvries"]
