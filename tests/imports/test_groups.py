"""Groups beside the class (lesgroepen): created by the import, membership set on add and
update, undone, taught by teachers, and never confused with a class. Issue 16, item 8."""

import io

import pytest

from klasse.accounts.models import Account, ClassKind, Programme, Role, SchoolClass
from klasse.exports.rows import export_rows
from klasse.exports.writers import write_csv
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
    "opleiding;rol;stamnummer;lesgroepen"
)


def pupil(username: str, groups: str, cls: str = "3HB") -> str:
    return f"Berg;;Anna;{username};;{username}@example.nl;{cls};havo 3;;;{groups}"


def teacher(username: str, classes: str, groups: str) -> str:
    return f"Docent;;Dirk;{username};;{username}@example.nl;{classes};;docent;;{groups}"


def do_import(school, actor, *lines: str, header: str = HEADER, actions=ALL):
    data = template_csv(*lines, header=header)
    record = import_run_record_cli(
        school=school, file_name="f.csv", data=data, actions=actions.as_list(), actor=actor
    )
    report, _ = run_import(data, "f.csv", school=school, actions=actions, record=record)
    return report, ImportRun.objects.filter(school=school).first()


def groups_of(username: str) -> list[str]:
    account = Account.objects.get(username=username)
    return sorted(account.groups.values_list("name", flat=True))


@pytest.mark.parametrize(
    "header", ["lesgroepen", "leerlingLesgroepen", "groepen", "clusters", "samengestelde groepen"]
)
def test_headers_that_name_the_groups(school_a, header):
    data = template_csv(pupil("anna", "wi-b"), header=HEADER.replace("lesgroepen", header))
    prepared = prepare_import(data, "f.csv", school=school_a, actions=ALL)
    assert prepared.mapping[header] == "groups"


def test_groep_alone_stays_the_class(school_a):
    data = template_csv(pupil("anna", ""), header=HEADER.replace(";klas;", ";groep;"))
    prepared = prepare_import(data, "f.csv", school=school_a, actions=ALL)
    assert prepared.mapping["groep"] == "class_name"


def test_an_import_creates_groups_and_sets_membership_then_undo_restores_it(school_a, alice):
    report, _ = do_import(school_a, alice, pupil("anna", "wi-b, en1"), pupil("bert", "wi-b"))
    assert report["counts"]["add"] == 2
    assert groups_of("anna") == ["en1", "wi-b"] and groups_of("bert") == ["wi-b"]
    kinds = dict(SchoolClass.objects.filter(school=school_a).values_list("name", "kind"))
    assert kinds == {"3HB": ClassKind.CLASS, "wi-b": ClassKind.GROUP, "en1": ClassKind.GROUP}

    data = template_csv(pupil("anna", "wi-b,fa2"), pupil("bert", "WI-B"), header=HEADER)
    plan = prepare_import(data, "f.csv", school=school_a, actions=ALL).plan
    changes = {p.row.username: p.changes for p in plan.rows}
    assert changes["anna"] == {"groups": ("en1, wi-b", "fa2, wi-b")}
    assert changes["bert"] == {}  # the same group in another case: no change

    _, run = do_import(school_a, alice, pupil("anna", "wi-b,fa2"), pupil("bert", "WI-B"))
    assert groups_of("anna") == ["fa2", "wi-b"]
    import_undo(run=run, actor=alice)
    assert groups_of("anna") == ["en1", "wi-b"]
    # fa2 was created by the undone import and is empty again: removed
    assert not SchoolClass.objects.filter(school=school_a, name="fa2").exists()


def test_without_a_groups_column_membership_is_left_alone(school_a, alice, class_a):
    anna = make_account(
        school_a,
        "anna",
        first_name="Anna",
        last_name="Berg",
        email="anna@example.nl",
        school_class=class_a,
        programme=Programme.objects.get(code="havo 3"),
    )
    group = SchoolClass.objects.create(school=school_a, name="wi-b", kind=ClassKind.GROUP)
    anna.groups.add(group)
    plain = HEADER.rsplit(";", 1)[0]
    report, _ = do_import(
        school_a, alice, "Berg;;Anna;anna;;anna@example.nl;3HB;havo 3;;", header=plain
    )
    assert report["counts"]["unchanged"] == 1
    assert groups_of("anna") == ["wi-b"]
    # With the column and an empty cell: no groups any more.
    do_import(school_a, alice, pupil("anna", ""))
    assert groups_of("anna") == []


def test_a_teacher_teaches_the_classes_and_the_groups_of_the_file(school_a, alice):
    do_import(school_a, alice, pupil("anna", "wi-b"), teacher("dirk", "3HB", "wi-b"))
    dirk = Account.objects.get(username="dirk")
    assert dirk.role == Role.TEACHER
    assert sorted(dirk.teaching_classes.values_list("name", "kind")) == [
        ("3HB", ClassKind.CLASS),
        ("wi-b", ClassKind.GROUP),
    ]
    assert not dirk.groups.exists()  # a teacher teaches a group; is not in it

    data = template_csv(teacher("dirk", "3HB", "wi-b, ne3"), header=HEADER)
    plan = prepare_import(data, "f.csv", school=school_a, actions=ALL).plan
    assert plan.rows[0].changes == {"groups": ("wi-b", "ne3, wi-b")}
    _, run = do_import(school_a, alice, teacher("dirk", "3HB", "wi-b, ne3"))
    assert sorted(dirk.teaching_classes.values_list("name", flat=True)) == ["3HB", "ne3", "wi-b"]
    import_undo(run=run, actor=alice)
    assert sorted(dirk.teaching_classes.values_list("name", flat=True)) == ["3HB", "wi-b"]


def test_a_teacher_file_without_groups_keeps_the_groups_taught(school_a, alice):
    do_import(school_a, alice, teacher("dirk", "3HB", "wi-b"))
    plain = HEADER.rsplit(";", 1)[0]
    do_import(school_a, alice, "Docent;;Dirk;dirk;;dirk@example.nl;4HB;;docent;", header=plain)
    dirk = Account.objects.get(username="dirk")
    assert sorted(dirk.teaching_classes.values_list("name", flat=True)) == ["4HB", "wi-b"]


def test_a_group_named_like_a_class_and_a_class_named_like_a_group_are_row_errors(
    school_a, class_a
):
    SchoolClass.objects.create(school=school_a, name="wi-b", kind=ClassKind.GROUP)
    data = template_csv(pupil("anna", "3hb"), pupil("bert", "", cls="wi-b"), header=HEADER)
    plan = prepare_import(data, "f.csv", school=school_a, actions=ALL).plan
    assert [p.code for p in plan.problems] == ["class_group_conflict", "class_group_conflict"]
    assert "'3HB' is op je school een klas" in plan.problems[0].message
    assert "'wi-b' is op je school een lesgroep" in plan.problems[1].message
    assert plan.counts["error"] == 2


def test_one_new_name_as_class_and_as_group_in_one_file_is_a_row_error(school_a):
    data = template_csv(pupil("anna", "", cls="5A"), pupil("bert", "5a", cls="5B"), header=HEADER)
    plan = prepare_import(data, "f.csv", school=school_a, actions=ALL).plan
    assert [(p.row, p.code) for p in plan.problems] == [(3, "class_group_conflict")]


def test_the_export_writes_groups_and_imports_back_unchanged(school_a, alice):
    do_import(school_a, alice, pupil("anna", "wi-b,en1"), teacher("dirk", "3HB", "wi-b"))
    exported = {r[3]: r for r in export_rows(school=school_a, include_archived=False)}
    assert exported["anna"][11] == "en1,wi-b" and exported["anna"][6] == "3HB"
    assert exported["dirk"][6] == "3HB" and exported["dirk"][11] == "wi-b"
    out = io.BytesIO()
    write_csv(export_rows(school=school_a, include_archived=False), out)
    report, _ = run_import(out.getvalue(), "export.csv", school=school_a, actions=ALL, dry_run=True)
    assert report["mapping"]["lesgroepen"] == "groups"
    assert report["counts"]["unchanged"] == 2 and report["problems"] == []


def test_an_undo_preview_names_a_pupil_whose_only_change_was_the_groups(school_a, alice):
    do_import(school_a, alice, pupil("anna", "wi-b"))
    _, run = do_import(school_a, alice, pupil("anna", "wi-b, en1"))
    preview = import_undo(run=run, actor=alice, confirm=False)
    (change,) = preview.changes
    assert change["username"] == "anna"
    assert change["changes"] == {"groups": ["en1, wi-b", "wi-b"]}
    assert groups_of("anna") == ["en1", "wi-b"]  # a preview changes nothing
    done = import_undo(run=run, actor=alice)
    assert len(done.changes) == len(done.reverted) == 1
    assert groups_of("anna") == ["wi-b"]
