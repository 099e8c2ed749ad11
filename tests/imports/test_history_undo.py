"""Import history with its report, and undo within 30 days without undoing later edits."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klasse.accounts import audit
from klasse.accounts.models import Account, AuditEntry, Role, SchoolClass
from klasse.imports import undo
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from klasse.imports.undo import UndoRefused, import_undo
from tests.conftest import PASSWORD, client_for, make_account, template_csv

pytestmark = pytest.mark.django_db
ALL = Actions(add=True, update=True, archive=True)


def detail_html(actor, run) -> str:
    return client_for(actor).get(reverse("history:detail", args=[run.pk])).content.decode()


def do_import(school, actor, *lines: str, actions: Actions = ALL, name="leerlingen.csv"):
    data = template_csv(*lines)
    record = import_run_record_cli(
        school=school, file_name=name, data=data, actions=actions.as_list(), actor=actor
    )
    run_import(data, name, school=school, actions=actions, record=record)
    return ImportRun.objects.filter(school=school).first()


def undo_confirmed(client, run):
    """The two POSTs of the page: the preview, then its confirmation with what it showed."""
    preview = client.post(reverse("history:undo", args=[run.pk]))
    assert preview.status_code == 200
    return client.post(
        reverse("history:undo", args=[run.pk]),
        {
            "bevestig": "ja",
            "gezien": preview.context["digest"],
            "behouden": preview.context["kept_usernames"],
        },
    )


@pytest.fixture
def piet(school_a, class_a) -> Account:
    """A student whom the import below does not list: it archives him."""
    return make_account(school_a, "piet", school_class=class_a, first_name="Piet", last_name="Pol")


@pytest.fixture
def run(alice, sara, piet) -> ImportRun:
    """Sara moves to 4HB and gets an e-mail address, Nieuw is added, Piet is archived."""
    return do_import(
        alice.school,
        alice,
        "Berg;van der;Sara;sara;;sara@school.nl;4HB;havo 4;;",
        "Kind;;Nieuw;nieuw;geheim-wachtwoord-1;;4HB;havo 4;;",
        "Fout;;Rij;fout;;;4HB;havo 99;;",
    )


# --- history ----------------------------------------------------------------------------


def test_the_history_lists_who_when_file_actions_and_counts(alice, run):
    html = client_for(alice).get(reverse("history:list")).content.decode()
    assert "leerlingen.csv" in html and "alice" in html
    assert "toevoegen, bijwerken, archiveren" in html
    assert reverse("history:detail", args=[run.pk]) in html


def test_the_detail_shows_the_full_report(alice, run):
    response = client_for(alice).get(reverse("history:detail", args=[run.pk]))
    html = response.content.decode()
    assert response.context["problem_count"] == 1
    assert "unknown_programme" in html and "havo 99" in html
    assert response.context["changed"] == {"added": 1, "updated": 1, "archived": 1}
    assert "Maak deze import ongedaan" in html


def test_another_schools_administrator_sees_no_history_of_a(bob, run):
    client = client_for(bob)
    assert "leerlingen.csv" not in client.get(reverse("history:list")).content.decode()
    assert client.get(reverse("history:detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("history:undo", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE


def test_teachers_do_not_see_the_history(tom, run):
    assert client_for(tom).get(reverse("history:detail", args=[run.pk])).status_code == 403
    assert client_for(tom).post(reverse("history:undo", args=[run.pk])).status_code == 403


def test_a_planned_run_is_not_history(alice, school_a):
    planned = ImportRun.objects.create(school=school_a, file_name="preview.csv")
    assert "preview.csv" not in client_for(alice).get(reverse("history:list")).content.decode()
    assert client_for(alice).get(reverse("history:detail", args=[planned.pk])).status_code == 404


# --- undo -------------------------------------------------------------------------------


def test_undo_removes_restores_and_sets_back(alice, run, sara, piet):
    response = undo_confirmed(client_for(alice), run)
    assert response.status_code == 302
    assert not Account.objects.filter(username="nieuw").exists()
    sara.refresh_from_db()
    piet.refresh_from_db()
    assert sara.school_class.name == "3HB" and sara.programme.code == "havo 3"
    assert sara.email == "" and piet.is_active
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UNDONE and run.undone_by == alice and run.undone_at


def test_an_undo_is_recorded_and_shown(alice, run):
    client = client_for(alice)
    undo_confirmed(client, run)
    entry = AuditEntry.objects.get(action="undo")
    assert entry.actor == alice and entry.details["run"] == str(run.pk)
    assert entry.details["result"]["removed"] == ["nieuw"]
    html = client.get(reverse("history:detail", args=[run.pk])).content.decode()
    assert "Ongedaan gemaakt door alice" in html and "Maak deze import ongedaan" not in html
    listing = client.get(reverse("history:list")).content.decode()
    assert "ongedaan gemaakt" in listing
    log = client.get(reverse("users:audit")).content.decode()
    assert "import ongedaan gemaakt" in log


def test_undo_after_a_later_edit_leaves_that_edit_alone_and_names_it(alice, run, sara):
    # After the import someone changes Sara's class by hand; her e-mail is still the import's.
    client = client_for(alice)
    client.post(
        reverse("users:edit", args=[sara.pk]),
        {
            "first_name": "Sara",
            "infix": "van der",
            "last_name": "Berg",
            "email": "sara@school.nl",
            "external_id": "",
            "role": "student",
            "class_name": "5HB",
            "programme": "havo 4",
        },
    )
    undo_confirmed(client, run)
    sara.refresh_from_db()
    assert sara.school_class.name == "5HB"  # changed since: kept
    assert sara.email == ""  # still the import's value: set back
    assert sara.programme.code == "havo 3"
    result = AuditEntry.objects.get(action="undo").details["result"]
    # Set back in part: counted once, among those set back, naming what stays (fix17).
    assert result["kept"] == []
    assert [(c["username"], c["kept"]) for c in result["changes"]] == [("sara", ["class_name"])]
    html = client.get(reverse("history:detail", args=[run.pk])).content.decode()
    assert "Deels teruggezet" in html and "Sara van der Berg" in html
    assert "<td>klas</td>" in html
    # Her own log says what went back and what stayed.
    own = client.get(reverse("users:edit", args=[sara.pk])).content.decode()
    assert "bleef zoals het was (na de import gewijzigd): klas" in own


def test_an_added_account_someone_logged_in_with_is_kept_as_it_is(alice, run):
    Account.objects.filter(username="nieuw").update(last_login=timezone.now())
    result = import_undo(run=run, actor=alice)
    nieuw = Account.objects.get(username="nieuw")
    assert nieuw.is_active and result.removed == []
    assert [(k.username, k.fields) for k in result.kept] == [("nieuw", ["login"])]


def test_an_account_archived_again_after_the_import_stays_archived(alice, run, piet):
    later = timezone.now() + timedelta(minutes=5)
    Account.objects.filter(pk=piet.pk).update(archived_at=later)
    result = import_undo(run=run, actor=alice)
    piet.refresh_from_db()
    assert piet.is_archived
    assert [(k.username, k.fields) for k in result.kept] == [("piet", ["status"])]


def test_an_import_that_restored_an_account_archives_it_again_on_undo(alice, school_a, class_a):
    gone = make_account(
        school_a, "terug", school_class=class_a, first_name="Terug", last_name="Kind"
    )
    Account.objects.filter(pk=gone.pk).update(archived_at=timezone.now() - timedelta(days=3))
    run = do_import(
        school_a, alice, "Kind;;Terug;terug;;;3HB;havo 3;;", actions=Actions(update=True)
    )
    gone.refresh_from_db()
    assert gone.is_active
    import_undo(run=run, actor=alice)
    gone.refresh_from_db()
    assert gone.is_archived
    assert gone.times_archived == 1, "the sessions opened since the import did not end"


def test_undoing_a_role_change_to_teacher_unlinks_the_classes(alice, school_a, sara):
    run = do_import(
        school_a, alice, "Berg;van der;Sara;sara;;;3HB,5A;;docent;", actions=Actions(update=True)
    )
    sara.refresh_from_db()
    assert sara.role == Role.TEACHER and sara.teaching_classes.count() == 2
    import_undo(run=run, actor=alice)
    sara.refresh_from_db()
    assert sara.role == Role.STUDENT and sara.school_class.name == "3HB"
    assert not sara.teaching_classes.exists()


def test_undo_is_refused_after_30_days(alice, run):
    ImportRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(days=31))
    run.refresh_from_db()
    with pytest.raises(UndoRefused, match="30 dagen"):
        import_undo(run=run, actor=alice)
    html = detail_html(alice, run)
    assert "meer dan 30 dagen" in html and "Maak deze import ongedaan" not in html
    assert Account.objects.filter(username="nieuw").exists()


def test_an_import_is_undone_only_once(alice, run):
    client = client_for(alice)
    undo_confirmed(client, run)
    response = client.post(reverse("history:undo", args=[run.pk]), follow=True)
    assert "al ongedaan gemaakt" in response.content.decode()
    assert AuditEntry.objects.filter(action="undo").count() == 1


def test_nothing_is_undone_on_get_which_leads_to_the_imports_page(alice, bob, run):
    response = client_for(alice).get(reverse("history:undo", args=[run.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("history:detail", args=[run.pk])
    assert Account.objects.filter(username="nieuw").exists()
    assert not ImportRun.objects.filter(undone_at__isnull=False).exists()
    assert client_for(bob).get(reverse("history:undo", args=[run.pk])).status_code == 404


def test_an_undo_is_one_transaction(alice, run, sara, piet, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the log is full")

    monkeypatch.setattr(undo, "audit_record", fail)
    with pytest.raises(RuntimeError):
        import_undo(run=run, actor=alice)
    assert Account.objects.filter(username="nieuw").exists()
    sara.refresh_from_db()
    piet.refresh_from_db()
    assert sara.school_class.name == "4HB" and piet.is_archived
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.undone_at is None


def test_accounts_removed_since_are_counted_not_fatal(alice, run):
    Account.objects.filter(username="nieuw").delete()
    Account.objects.filter(username="sara").delete()
    result = import_undo(run=run, actor=alice)
    assert result.missing == 2 and result.restored == ["piet"]


def test_the_import_log_entry_survives_the_undo(alice, run):
    import_undo(run=run, actor=alice)
    school_log = audit.audit_entries_for_school(alice.school_id).order_by("id")
    assert list(school_log.values_list("action", flat=True)) == ["import", "undo"]
    assert audit.describe_entry(AuditEntry.objects.get(action="undo"))[0].startswith(
        "leerlingen.csv: 1 verwijderd"
    )


def test_classes_the_import_created_are_removed_when_empty(alice, run):
    result = import_undo(run=run, actor=alice)
    assert not SchoolClass.objects.filter(school=alice.school, name="4HB").exists()
    assert result.classes_removed == ["4HB"]
    html = detail_html(alice, run)
    assert "1 lege klas verwijderd die de import had aangemaakt: 4HB" in html


def test_a_created_class_someone_put_an_account_in_since_stays(alice, run, school_a):
    later = make_account(school_a, "later", school_class=SchoolClass.objects.get(name="4HB"))
    result = import_undo(run=run, actor=alice)
    later.refresh_from_db()
    assert later.school_class.name == "4HB" and result.classes_removed == []


def test_a_created_class_stays_while_a_kept_account_is_in_it(alice, run):
    Account.objects.filter(username="nieuw").update(last_login=timezone.now())
    result = import_undo(run=run, actor=alice)
    assert Account.objects.get(username="nieuw").school_class.name == "4HB"
    assert result.classes_removed == []


# --- teachers' classes ------------------------------------------------------------------


@pytest.fixture
def class_5a(school_a, tom) -> SchoolClass:
    """Tom teaches 3HB and 5A before the imports below."""
    school_class = SchoolClass.objects.create(school=school_a, name="5A")
    school_class.teachers.add(tom)
    return school_class


def classes_of(account: Account) -> list[str]:
    return sorted(account.teaching_classes.values_list("name", flat=True))


def test_undo_gives_a_teacher_his_classes_back(alice, school_a, tom, class_5a):
    run = do_import(
        school_a, alice, "Teacher;;Tom;tom;;;6B,5A;;docent;", actions=Actions(update=True)
    )
    assert classes_of(tom) == ["5A", "6B"]
    result = import_undo(run=run, actor=alice)
    assert classes_of(tom) == ["3HB", "5A"]
    assert result.reverted == ["tom"] and result.kept == []
    assert result.classes_removed == ["6B"]  # created by the import, taught by nobody now
    assert not SchoolClass.objects.filter(name="6B").exists()


def test_a_teachers_classes_changed_by_hand_since_are_kept_and_named(
    alice, school_a, tom, class_5a, class_a
):
    run = do_import(school_a, alice, "Teacher;;Tom;tom;;;6B;;docent;", actions=Actions(update=True))
    assert classes_of(tom) == ["6B"]
    class_a.teachers.add(tom)  # by hand, after the import
    result = import_undo(run=run, actor=alice)
    assert classes_of(tom) == ["3HB", "6B"]
    assert [(k.username, k.fields) for k in result.kept] == [("tom", ["classes"])]
    assert result.classes_removed == []  # 6B is still taught
    html = detail_html(alice, run)
    assert "Tom Teacher" in html and "<td>klassen</td>" in html


def test_undoing_a_role_change_to_student_makes_a_teacher_of_him_again_with_his_classes(
    alice, school_a, tom, class_5a
):
    run = do_import(
        school_a, alice, "Teacher;;Tom;tom;;;3HB;havo 3;leerling;", actions=Actions(update=True)
    )
    tom.refresh_from_db()
    assert tom.role == Role.STUDENT and classes_of(tom) == []
    result = import_undo(run=run, actor=alice)
    tom.refresh_from_db()
    assert tom.role == Role.TEACHER and tom.school_class is None
    assert classes_of(tom) == ["3HB", "5A"]
    assert result.classes_lost == [] and result.reverted == ["tom"]


def test_only_the_classes_that_still_exist_come_back(alice, school_a, tom, class_5a):
    run = do_import(
        school_a, alice, "Teacher;;Tom;tom;;;3HB;havo 3;leerling;", actions=Actions(update=True)
    )
    class_5a.delete()
    import_undo(run=run, actor=alice)
    assert classes_of(tom) == ["3HB"]


def test_a_student_made_teacher_again_by_hand_keeps_the_classes_given_since(
    alice, school_a, tom, class_5a, class_a
):
    run = do_import(
        school_a, alice, "Teacher;;Tom;tom;;;3HB;havo 3;leerling;", actions=Actions(update=True)
    )
    Account.objects.filter(pk=tom.pk).update(role=Role.TEACHER, school_class=None)
    class_a.teachers.add(tom)
    result = import_undo(run=run, actor=alice)
    assert classes_of(tom) == ["3HB"]
    assert result.kept == [] and result.reverted == ["tom"]  # each account in one place
    assert [(c["username"], c["kept"]) for c in result.changes] == [
        ("tom", ["role", "class_name", "classes"])
    ]


# --- passwords --------------------------------------------------------------------------

OVERWRITE = Actions(update=True, overwrite_passwords=True)
SARA_NEW_PASSWORD = "Berg;van der;Sara;sara;nieuw-wachtwoord-1;;3HB;havo 3;;"


def overwrite_saras_password(school, actor):
    return do_import(school, actor, SARA_NEW_PASSWORD, actions=OVERWRITE)


def test_undo_sets_an_overwritten_password_back(alice, school_a, sara):
    old_hash = sara.password
    run = overwrite_saras_password(school_a, alice)
    sara.refresh_from_db()
    assert sara.check_password("nieuw-wachtwoord-1")
    assert "nieuw-wachtwoord-1" not in json.dumps(run.changes)  # only hashes are kept
    html = detail_html(alice, run)
    assert "krijgen hun vorige waarde terug" in html
    assert sara.password not in html and old_hash not in html
    result = import_undo(run=run, actor=alice)
    sara.refresh_from_db()
    assert sara.password == old_hash and sara.check_password(PASSWORD)
    assert result.reverted == ["sara"] and result.kept == []
    html = detail_html(alice, run)
    assert old_hash not in html


def test_a_password_set_again_since_the_import_is_kept_and_named(alice, school_a, sara):
    run = overwrite_saras_password(school_a, alice)
    sara.refresh_from_db()
    sara.set_password("door-de-beheerder")
    sara.save()
    result = import_undo(run=run, actor=alice)
    sara.refresh_from_db()
    assert sara.check_password("door-de-beheerder")
    assert [(k.username, k.fields) for k in result.kept] == [("sara", ["password"])]
    html = detail_html(alice, run)
    assert "<td>wachtwoord</td>" in html


def test_a_password_not_overwritten_is_not_recorded(alice, school_a, sara):
    run = do_import(school_a, alice, SARA_NEW_PASSWORD, actions=Actions(update=True))
    sara.refresh_from_db()
    assert sara.check_password(PASSWORD)
    assert all("password" not in entry["before"] for entry in run.changes["updated"])


# --- runs recorded before classes and passwords were -----------------------------------


def as_recorded_before(run: ImportRun) -> None:
    """The changes as runs recorded them before teachers' classes and created classes."""
    for key in ("teacher_classes", "created_classes"):
        del run.changes[key]
    ImportRun.objects.filter(pk=run.pk).update(changes=run.changes)


def test_an_old_run_leaves_the_classes_it_created(alice, run):
    as_recorded_before(run)
    result = import_undo(run=run, actor=alice)
    assert SchoolClass.objects.filter(school=alice.school, name="4HB").exists()
    assert result.classes_removed == [] and result.removed == ["nieuw"]


def test_an_old_run_names_the_teachers_without_their_classes(alice, school_a, tom, class_5a):
    run = do_import(
        school_a, alice, "Teacher;;Tom;tom;;;3HB;havo 3;leerling;", actions=Actions(update=True)
    )
    as_recorded_before(run)
    html = detail_html(alice, run)
    assert "worden verwijderd als er dan niemand meer in zit" not in html
    result = import_undo(run=run, actor=alice)
    tom.refresh_from_db()
    assert tom.role == Role.TEACHER and classes_of(tom) == []
    assert result.classes_lost == ["tom"]
    html = detail_html(alice, run)
    assert "Weer docent, maar zonder klassen" in html


def test_an_old_run_with_overwritten_passwords_warns_they_do_not_come_back(alice, school_a, sara):
    run = overwrite_saras_password(school_a, alice)
    as_recorded_before(run)
    html = detail_html(alice, run)
    assert "komen niet terug" in html
