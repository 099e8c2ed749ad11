"""Planning and applying against the database: the follow-up actions and their guards."""

import pytest
from django.core import mail
from django.utils import timezone

from klasse.accounts.models import Account, Role, SchoolClass
from klasse.imports.core import account_values, applying, hashing
from klasse.imports.core.pipeline import prepare_import, run_import
from klasse.imports.core.planning import Actions
from klasse.imports.core.problems import FileProblem
from tests.conftest import make_account, template_csv

pytestmark = pytest.mark.django_db
ADD = Actions(add=True)
ALL = Actions(add=True, update=True, archive=True)


def students(n: int, cls: str = "3HB", start: int = 1) -> list[str]:
    return [
        f"Leerling{i};;Kind{i};ll{i};;ll{i}@example.nl;{cls};havo 3;;{i:06d}"
        for i in range(start, start + n)
    ]


def test_add_creates_students_classes_and_teachers(school_a):
    data = template_csv(
        "Berg;van der;Anna;anna.berg;geheim-wachtwoord-1;;3HB;havo 3;;001",
        "Velde;van der;Marloes;mvdv;;m@school.nl;3HB,4HB;;docent;",
    )
    report, _ = run_import(data, "f.csv", school=school_a, actions=ADD)
    assert report["counts"]["add"] == 2
    anna = Account.objects.get(username="anna.berg")
    assert (anna.full_name, anna.school_class.name, anna.programme.code) == (
        "Anna van der Berg",
        "3HB",
        "havo 3",
    )
    assert anna.check_password("geheim-wachtwoord-1") and anna.role == Role.STUDENT
    teacher = Account.objects.get(username="mvdv")
    assert teacher.role == Role.TEACHER and not teacher.has_usable_password()
    assert sorted(teacher.teaching_classes.values_list("name", flat=True)) == ["3HB", "4HB"]


def test_dry_run_changes_nothing(school_a):
    report, _ = run_import(
        template_csv(*students(3)), "f.csv", school=school_a, actions=ADD, dry_run=True
    )
    assert report["dry_run"] and report["counts"]["add"] == 3
    assert not Account.objects.exists() and not SchoolClass.objects.exists()


def test_without_add_new_rows_are_skipped(school_a):
    report, _ = run_import(
        template_csv(*students(2)), "f.csv", school=school_a, actions=Actions(update=True)
    )
    assert report["counts"]["skipped"] == 2 and not Account.objects.exists()


def test_new_accounts_need_a_password_or_email_but_existing_ones_do_not(school_a, sara):
    data = template_csv("Nieuw;;Kind;nieuw;;;3HB;havo 3;;", "Berg;van der;Sara;sara;;;3HB;havo 3;;")
    report, _ = run_import(data, "f.csv", school=school_a, actions=ALL)
    assert report["counts"]["error"] == 1 and report["counts"]["unchanged"] == 1
    (problem,) = report["problems"]
    assert problem["code"] == "no_password_or_email" and problem["row"] == 2


def test_a_username_of_another_school_is_taken_without_naming_that_school(school_a, bob):
    report, _ = run_import(
        template_csv("Beheer;;Bob;BOB;;x@y.nl;3HB;havo 3;;"), "f.csv", school=school_a, actions=ALL
    )
    (problem,) = report["problems"]
    assert problem["code"] == "username_taken"
    assert "College B" not in problem["message"] and "school-b" not in problem["message"]
    bob.refresh_from_db()
    assert bob.school.slug == "school-b" and bob.first_name == "Bob"


def test_update_shows_old_and_new_values_and_counts_unchanged(school_a, sara, class_a):
    data = template_csv("Berg;van den;Sara;sara;;sara@new.nl;4HB;vwo 4;;", *students(1))
    prepared = prepare_import(
        data, "f.csv", school=school_a, actions=Actions(add=True, update=True)
    )
    row = prepared.plan.rows[0]
    assert row.action == "update"
    assert row.changes["infix"] == ("van der", "van den")
    assert row.changes["class_name"] == ("3HB", "4HB")
    assert row.changes["programme"] == ("havo 3", "vwo 4")
    report, _ = run_import(data, "f.csv", school=school_a, actions=Actions(add=True, update=True))
    sara.refresh_from_db()
    assert (sara.infix, sara.school_class.name, sara.programme.code, sara.email) == (
        "van den",
        "4HB",
        "vwo 4",
        "sara@new.nl",
    )
    again, _ = run_import(data, "f.csv", school=school_a, actions=Actions(add=True, update=True))
    assert again["counts"]["unchanged"] == 2 and again["counts"]["update"] == 0


def test_archive_takes_missing_students_but_never_teachers_or_admins(school_a, alice, tom, sara):
    make_account(school_a, "piet", school_class=sara.school_class)
    report, _ = run_import(template_csv(*students(3)), "f.csv", school=school_a, actions=ALL)
    assert report["counts"]["archive"] == 2
    assert set(
        Account.objects.filter(archived_at__isnull=False).values_list("username", flat=True)
    ) == {"sara", "piet"}
    assert Account.objects.get(username="tom").is_active
    assert Account.objects.get(username="alice").is_active


def test_a_row_with_an_error_still_protects_its_username_from_archiving(school_a, sara):
    data = template_csv("Berg;van der;Sara;sara;;;3HB;havo 99;;", *students(2))
    report, _ = run_import(data, "f.csv", school=school_a, actions=ALL)
    assert report["counts"]["error"] == 1 and report["counts"]["archive"] == 0
    sara.refresh_from_db()
    assert sara.is_active


def test_a_mass_archive_needs_confirmation(school_a):
    run_import(template_csv(*students(30)), "f.csv", school=school_a, actions=ADD)
    one_class = template_csv(*students(5))
    with pytest.raises(FileProblem) as problem:
        run_import(one_class, "f.csv", school=school_a, actions=ALL, dry_run=True)
    assert problem.value.code == "mass_archive_needs_confirmation"
    assert "25 van de 30" in problem.value.message
    assert Account.objects.filter(archived_at__isnull=True).count() == 30
    confirmed = Actions(add=True, update=True, archive=True, confirm_mass_archive=True)
    report, _ = run_import(one_class, "f.csv", school=school_a, actions=confirmed)
    assert report["counts"]["archive"] == 25


def test_lifecycle_add_then_archive_then_restore(school_a):
    run_import(template_csv(*students(12)), "f.csv", school=school_a, actions=ADD)
    run_import(template_csv(*students(10)), "f.csv", school=school_a, actions=ALL)
    assert set(
        Account.objects.filter(archived_at__isnull=False).values_list("username", flat=True)
    ) == {"ll11", "ll12"}
    report, _ = run_import(template_csv(*students(12)), "f.csv", school=school_a, actions=ALL)
    assert report["counts"]["update"] == 2 and report["counts"]["unchanged"] == 10
    assert not Account.objects.filter(archived_at__isnull=False).exists()


def test_passwords_of_existing_accounts_change_only_when_asked(school_a, sara):
    data = template_csv("Berg;van der;Sara;sara;een-nieuw-wachtwoord;;3HB;havo 3;;")
    report, _ = run_import(data, "f.csv", school=school_a, actions=Actions(update=True))
    sara.refresh_from_db()
    assert report["counts"]["unchanged"] == 1 and not sara.check_password("een-nieuw-wachtwoord")
    run_import(
        data, "f.csv", school=school_a, actions=Actions(update=True, overwrite_passwords=True)
    )
    sara.refresh_from_db()
    assert sara.check_password("een-nieuw-wachtwoord")


def test_an_exception_halfway_through_apply_leaves_zero_changes(school_a, sara, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(applying, "_archive", explode)
    before = list(Account.objects.values_list("id", "username", "first_name", "archived_at"))
    with pytest.raises(RuntimeError):
        run_import(
            template_csv("Berg;van der;Sanne;sara;;;3HB;havo 3;;", *students(3)),
            "f.csv",
            school=school_a,
            actions=ALL,
        )
    assert (
        list(Account.objects.values_list("id", "username", "first_name", "archived_at")) == before
    )
    assert SchoolClass.objects.count() == 1


def test_a_stale_plan_is_never_applied(school_a, sara):
    prepared = prepare_import(template_csv(*students(2)), "f.csv", school=school_a, actions=ADD)
    sara.first_name = "Sanne"
    sara.save()
    with pytest.raises(applying.StalePlan):
        applying.apply_plan(prepared.plan)
    assert not Account.objects.filter(username="ll1").exists()


def test_a_similar_account_is_a_warning(school_a, sara):
    report, _ = run_import(
        template_csv("Berg;van der;Sara;sara2;;s@b.nl;3HB;havo 3;;"),
        "f.csv",
        school=school_a,
        actions=ADD,
        dry_run=True,
    )
    assert [p["code"] for p in report["problems"]] == ["similar_account"]
    assert report["counts"]["add"] == 1


def test_password_links_are_mailed_only_after_commit(school_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_import(template_csv(*students(2)), "f.csv", school=school_a, actions=ADD)
    assert len(mail.outbox) == 0
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["ll1@example.nl", "ll2@example.nl"]
    assert "/wachtwoord-kiezen/" in mail.outbox[0].body


def test_a_failed_import_sends_no_mail(school_a, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(applying, "_link_teachers", lambda *a: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        run_import(template_csv(*students(2)), "f.csv", school=school_a, actions=ADD)
    assert len(mail.outbox) == 0


def test_a_teachers_role_change_moves_classes(school_a, sara, class_a):
    data = template_csv("Berg;van der;Sara;sara;;;3HB,5A;;docent;")
    run_import(data, "f.csv", school=school_a, actions=Actions(update=True))
    sara.refresh_from_db()
    assert sara.role == Role.TEACHER and sara.school_class is None
    assert sorted(sara.teaching_classes.values_list("name", flat=True)) == ["3HB", "5A"]


def test_archived_at_is_set_to_now(school_a, sara):
    before = timezone.now()
    run_import(template_csv(*students(1)), "f.csv", school=school_a, actions=ALL)
    sara.refresh_from_db()
    assert sara.archived_at >= before


def test_progress_moves_while_passwords_are_hashed(school_a):
    lines = [f"L{i};;K{i};pw{i};wachtwoord-nummer-{i};;3HB;havo 3;;" for i in range(40)]
    prepared = prepare_import(template_csv(*lines), "f.csv", school=school_a, actions=ADD)
    calls = []
    applying.apply_plan(prepared.plan, progress=lambda done, total: calls.append((done, total)))
    # the hashes, every PROGRESS_EVERY and when all are done, before the transaction,
    # where the page that polls the progress sees them
    assert calls[:2] == [(hashing.PROGRESS_EVERY, 81), (40, 81)]
    assert calls[-1] == (81, 81)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_an_update_records_before_what_the_database_holds(school_a):
    # The values an update records for its undo come from the plan's snapshot of the
    # accounts; they must be what reading the accounts again would give, dates and
    # password hashes included.
    klas = SchoolClass.objects.create(school=school_a, name="3HA")
    make_account(school_a, "anna", school_class=klas, email="anna@school.nl")
    make_account(school_a, "bram", archived_at=timezone.now(), external_id="0012345")
    make_account(school_a, "carla", Role.TEACHER)
    lines = [
        "Jansen;;Anna;anna;nieuw-wachtwoord-1;;3HB;havo 3;;",
        "Bakker;;Bram;bram;;;3HA;havo 3;;",
        "Visser;;Carla;carla;;;3HA;;docent;",
    ]
    actions = Actions(update=True, overwrite_passwords=True)
    prepared = prepare_import(template_csv(*lines), "f.csv", school=school_a, actions=actions)
    updates = [p for p in prepared.plan.rows if p.action == "update"]
    assert len(updates) == 3 and all(p.account for p in updates)
    ids = [p.account_id for p in updates]
    assert account_values.planned_values(updates, password=True) == account_values.current_values(
        ids, password=True
    )
    assert account_values.planned_values(updates, password=False) == account_values.current_values(
        ids
    )


def test_the_accounts_to_archive_come_in_the_accounts_order(school_a):
    # The preview lists them as the school's other lists do: by last name, first name.
    for username, last in [("z1", "Aalders"), ("a1", "Zijlstra"), ("m1", "Meijer"), ("b1", "Bos")]:
        make_account(school_a, username, last_name=last, first_name="Kim")
    make_account(school_a, "blijft", last_name="Blijft")
    lines = ["Blijft;;Kim;blijft;;;3HB;havo 3;;"]
    actions = Actions(archive=True, confirm_mass_archive=True)
    prepared = prepare_import(template_csv(*lines), "f.csv", school=school_a, actions=actions)
    expected = list(
        Account.objects.filter(school=school_a, username__in=["z1", "a1", "m1", "b1"])
        .order_by(*Account._meta.ordering)
        .values_list("username", flat=True)
    )
    assert [a.username for a in prepared.plan.archive] == expected == ["z1", "b1", "m1", "a1"]
