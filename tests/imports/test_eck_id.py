"""ECK iD per account: read from CSV and XLSX, unique on the platform, and the first thing an
import matches a row on (then the stamnummer, then the username). Issue 16, item 7."""

import io

import openpyxl
import pytest
from django.db import IntegrityError, transaction

from klasse.accounts.models import Account, Programme, Role
from klasse.exports.rows import export_rows
from klasse.imports.core.pipeline import prepare_import, run_import
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from klasse.imports.undo import import_undo
from tests.conftest import make_account, template_csv

pytestmark = pytest.mark.django_db
ALL = Actions(add=True, update=True, archive=True)
HEADER = (
    "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;klas;"
    "opleiding;rol;stamnummer;ECK iD"
)
ECK_A = "https://id.school/LL_a1b2c3d4e5f6"
ECK_B = "https://id.school/LL_f6e5d4c3b2a1"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return template_csv(*lines, header=header)


def row(username: str, eck: str = "", number: str = "", cls: str = "3HB") -> str:
    return f"Berg;;Anna;{username};;{username}@example.nl;{cls};havo 3;;{number};{eck}"


def pupil(school, username: str, school_class, **fields) -> Account:
    """An account exactly as `row(username, …)` lists it in `school_class`."""
    fields.setdefault("email", f"{username}@example.nl")
    return make_account(
        school,
        username,
        first_name="Anna",
        last_name="Berg",
        school_class=school_class,
        programme=Programme.objects.get(code="havo 3"),
        **fields,
    )


def plan_of(data: bytes, school, actions=ALL):
    return prepare_import(data, "f.csv", school=school, actions=actions).plan


def codes(plan) -> list[str]:
    return [p.code for p in plan.problems]


def test_eck_id_is_unique_on_the_platform_but_empty_is_no_eck_id(school_a, school_b):
    make_account(school_a, "een", eck_id=ECK_A)
    make_account(school_a, "twee")
    make_account(school_b, "drie")  # two empty ones beside it: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        make_account(school_b, "vier", eck_id=ECK_A)
    assert Account.objects.filter(eck_id="").count() == 2


@pytest.mark.parametrize("header", ["eckid", "ECK iD", "eck-id", "Leerling ECK iD"])
def test_csv_headers_that_name_the_eck_id(school_a, header):
    data = csv(row("anna", ECK_A), header=HEADER.replace("ECK iD", header))
    prepared = prepare_import(data, "f.csv", school=school_a, actions=ALL)
    assert prepared.mapping[header] == "eck_id"
    run_import(data, "f.csv", school=school_a, actions=ALL)
    assert Account.objects.get(username="anna").eck_id == ECK_A


def test_xlsx_with_an_eckid_column(school_a):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.replace("ECK iD", "eckid").split(";"))
    sheet.append(row("anna", ECK_A).split(";"))
    out = io.BytesIO()
    workbook.save(out)
    report, _ = run_import(out.getvalue(), "f.xlsx", school=school_a, actions=ALL)
    assert report["mapping"]["eckid"] == "eck_id" and report["counts"]["add"] == 1
    assert Account.objects.get(username="anna").eck_id == ECK_A


@pytest.mark.parametrize(
    "value", ["LL_a1b2c3", "https://id.school/LL a1", "http://id.school/LL_x", "https://id.school/"]
)
def test_a_value_that_is_no_eck_id_is_a_row_error(school_a, value):
    plan = plan_of(csv(row("anna", value)), school_a)
    assert codes(plan) == ["invalid_eck_id"] and plan.counts["error"] == 1
    assert "https://id.school/" in plan.problems[0].message


def test_one_eck_id_twice_in_a_file(school_a):
    plan = plan_of(csv(row("anna", ECK_A), row("bert", ECK_A)), school_a)
    assert codes(plan) == ["duplicate_in_file", "duplicate_in_file"]
    assert plan.problems[0].field == "eck_id" and plan.counts["error"] == 2


def test_an_eck_id_of_another_school_is_refused_without_naming_it(school_a, school_b):
    make_account(school_b, "geheim.elders", eck_id=ECK_A, last_name="Verborgen")
    plan = plan_of(csv(row("anna", ECK_A)), school_a)
    assert codes(plan) == ["eck_id_taken"] and plan.counts["add"] == 0
    message = plan.problems[0].message
    assert school_b.name not in message and "geheim.elders" not in message
    assert "Verborgen" not in message


def test_a_changed_username_with_the_same_eck_id_is_one_update_and_undo_sets_it_back(
    school_a, alice, class_a
):
    pupil(school_a, "anna.oud", class_a, eck_id=ECK_A)
    pupil(school_a, "bert", class_a, eck_id=ECK_B)
    data = csv(row("anna.nieuw", ECK_A), row("bert", ECK_B))
    plan = plan_of(data, school_a)
    assert plan.counts["update"] == 1 and plan.counts["add"] == 0
    assert plan.counts["archive"] == 0
    updated = next(p for p in plan.rows if p.action == "update")
    assert updated.changes == {
        "username": ("anna.oud", "anna.nieuw"),
        "email": ("anna.oud@example.nl", "anna.nieuw@example.nl"),
    }

    record = import_run_record_cli(
        school=school_a, file_name="f.csv", data=data, actions=ALL.as_list(), actor=alice
    )
    report, _ = run_import(data, "f.csv", school=school_a, actions=ALL, record=record)
    assert (report["counts"]["add"], report["counts"]["archive"]) == (0, 0)
    anna = Account.objects.get(eck_id=ECK_A)
    assert anna.username == "anna.nieuw" and anna.archived_at is None
    assert Account.objects.filter(school=school_a, role=Role.STUDENT).count() == 2
    # Twice the same file: nothing more to do.
    assert plan_of(data, school_a).counts["update"] == 0

    import_undo(run=ImportRun.objects.get(school=school_a), actor=alice)
    anna.refresh_from_db()
    assert anna.username == "anna.oud"


def test_matching_order_eck_id_before_stamnummer_before_username(school_a):
    first = make_account(school_a, "eerste", eck_id=ECK_A, external_id="100")
    second = make_account(school_a, "tweede", external_id="200")
    third = make_account(school_a, "derde")
    plan = plan_of(
        csv(
            row("nieuw1", ECK_A, "200"),  # ECK iD says `eerste`, the stamnummer `tweede`
            row("nieuw2", "", "200"),  # the stamnummer: `tweede`
            row("derde"),  # only the username
        ),
        school_a,
        Actions(update=True),
    )
    found = {p.row.username: (p.account_id, p.changes.get("username")) for p in plan.rows}
    assert found["nieuw1"] == (first.pk, ("eerste", "nieuw1"))
    assert found["derde"] == (third.pk, None)
    assert found["nieuw2"] == (second.pk, ("tweede", "nieuw2"))
    assert codes(plan) == []


def test_a_stamnummer_finds_the_account_when_the_username_changed(school_a):
    account = make_account(school_a, "oud", external_id="4711")
    plan = plan_of(csv(row("nieuw", "", "4711")), school_a, ALL)
    assert plan.counts == {**plan.counts, "update": 1, "add": 0, "archive": 0}
    assert plan.rows[0].account_id == account.pk


def test_a_stamnummer_of_a_teacher_does_not_find_a_pupil(school_a):
    make_account(school_a, "docent1", Role.TEACHER, external_id="12")
    plan = plan_of(csv(row("leerling1", "", "12")), school_a, ALL)
    assert plan.counts["add"] == 1 and plan.counts["update"] == 0


def test_the_new_username_of_another_account_of_the_school_is_an_error(school_a):
    make_account(school_a, "anna", eck_id=ECK_A)
    make_account(school_a, "bezet")
    plan = plan_of(
        csv(row("bezet", ECK_A), row("x", "", "", "3HB")), school_a, Actions(update=True)
    )
    assert "username_taken" in codes(plan)
    assert Account.objects.get(eck_id=ECK_A).username == "anna"


def test_two_rows_for_one_account_are_both_errors(school_a):
    make_account(school_a, "anna", eck_id=ECK_A)
    plan = plan_of(csv(row("anna.nieuw", ECK_A), row("anna")), school_a, ALL)
    assert codes(plan) == ["duplicate_in_file", "duplicate_in_file"]
    assert plan.counts["update"] == 0 and plan.counts["archive"] == 0


def test_an_empty_eck_id_cell_keeps_the_accounts_and_a_new_one_is_an_update(school_a, class_a):
    pupil(school_a, "anna", class_a, eck_id=ECK_A)
    pupil(school_a, "bert", class_a)
    plan = plan_of(csv(row("anna"), row("bert", ECK_B)), school_a, Actions(update=True))
    changes = {p.row.username: p.changes for p in plan.rows}
    assert changes["anna"] == {} and changes["bert"] == {"eck_id": ("", ECK_B)}


def test_the_export_writes_the_eck_id(school_a, class_a):
    make_account(school_a, "anna", eck_id=ECK_A, school_class=class_a)
    (exported,) = list(export_rows(school=school_a, include_archived=False))
    assert exported[10] == ECK_A


@pytest.mark.parametrize(
    "column",
    [
        [ECK_A, "", ECK_B],
        [""],
        ["https://id.school/"],
        ["x" + ECK_A],
        [ECK_A + " "],
        [ECK_A + ECK_B],
        [ECK_A + "é"],
        [ECK_A + "\n" + ECK_B],
        ["https://ID.school/LL_x"],
    ],
)
def test_the_column_check_of_eck_ids_agrees_with_the_rule(column):
    """clean_rows decides a whole column at once; it may only vouch where the rule does."""
    from klasse.accounts.rules import eck_id_problem
    from klasse.imports.core.clean_rows import _plain_eck_ids

    each = all(eck_id_problem(value) is None for value in column)
    assert _plain_eck_ids(column) == each


def test_a_table_headed_by_the_field_names_maps_itself():
    """The EDEXML reader hands the pipeline a table whose headers are the field names."""
    from klasse.imports.core.mapping import FIELDS, suggest_mapping

    assert suggest_mapping(list(FIELDS)) == {name: name for name in FIELDS}


def test_the_wizards_preview_shows_the_username_old_and_new(school_a, alice, class_a):
    from django.urls import reverse

    from tests.conftest import client_for
    from tests.imports.wizard_helpers import importeer, mapped

    pupil(school_a, "anna.oud", class_a, eck_id=ECK_A, email="anna.nieuw@example.nl")
    client = client_for(alice)
    run = mapped(client, csv(row("anna.nieuw", ECK_A)), update=True)
    html = client.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert "gebruikersnaam" in html and "anna.oud" in html and "anna.nieuw" in html
    importeer(client, run)
    assert Account.objects.get(eck_id=ECK_A).username == "anna.nieuw"
