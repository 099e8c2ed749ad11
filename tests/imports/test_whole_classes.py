"""Issue 17, item 4: a plan that archives every student of a class names that class, in the
plan (`Plan.whole_classes`), the JSON report (`archived_classes`) and the command's text."""

import json

import pytest

from klasse.accounts.models import Account, Programme, Role, SchoolClass
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from tests.conftest import make_account, template_csv
from tests.imports.cli import run_import_command

pytestmark = pytest.mark.django_db
ARCHIVE = Actions(add=True, update=True, archive=True)


def _class_of(school, name: str, n: int, prefix: str) -> list[Account]:
    klas = SchoolClass.objects.get_or_create(school=school, name=name)[0]
    havo = Programme.objects.get(code="havo 3")
    return [
        make_account(school, f"{prefix}{i}", school_class=klas, programme=havo) for i in range(n)
    ]


def _rows(accounts: list[Account], class_name: str) -> list[str]:
    return [f"{a.last_name};;{a.first_name};{a.username};;;{class_name};havo 3;;" for a in accounts]


@pytest.fixture
def three_classes(school_a):
    """2VB of 3, 3HA of 4 and 4VA of 20 active students: a file of 4VA alone archives 7
    of 27, under the mass-archive threshold."""
    return {
        "2VB": _class_of(school_a, "2VB", 3, "vb"),
        "3HA": _class_of(school_a, "3HA", 4, "ha"),
        "4VA": _class_of(school_a, "4VA", 20, "va"),
    }


def test_a_file_of_one_class_names_the_classes_it_archives_whole(school_a, three_classes):
    data = template_csv(*_rows(three_classes["4VA"], "4VA"))
    report, _ = run_import(data, "4va.csv", school=school_a, actions=ARCHIVE, dry_run=True)
    assert report["counts"]["archive"] == 7
    assert report["archived_classes"] == [
        {"name": "2VB", "students": 3},
        {"name": "3HA", "students": 4},
    ]
    assert list(report)[-1] == "archived_classes"


def test_a_class_of_which_one_student_stays_is_not_named(school_a, three_classes):
    stays = three_classes["3HA"][:1]
    data = template_csv(*_rows(three_classes["4VA"], "4VA"), *_rows(stays, "3HA"))
    report, _ = run_import(data, "f.csv", school=school_a, actions=ARCHIVE, dry_run=True)
    assert report["counts"]["archive"] == 6
    assert report["archived_classes"] == [{"name": "2VB", "students": 3}]


def test_archived_students_and_teachers_do_not_count_towards_a_class(school_a, three_classes):
    klas = SchoolClass.objects.get(school=school_a, name="2VB")
    make_account(school_a, "oud", school_class=klas, archived_at="2025-01-01T00:00Z")
    make_account(school_a, "docent", Role.TEACHER, school_class=klas)
    data = template_csv(*_rows(three_classes["4VA"] + three_classes["3HA"], "4VA"))
    report, _ = run_import(data, "f.csv", school=school_a, actions=ARCHIVE, dry_run=True)
    assert report["archived_classes"] == [{"name": "2VB", "students": 3}]


def test_without_archiving_no_class_is_named(school_a, three_classes):
    data = template_csv(*_rows(three_classes["4VA"], "4VA"))
    report, _ = run_import(data, "f.csv", school=school_a, actions=Actions(add=True))
    assert report["archived_classes"] == []


def test_the_command_line_reports_them_in_json_and_in_text(
    capsys, school_a, three_classes, tmp_path
):
    path = tmp_path / "4va.csv"
    path.write_bytes(template_csv(*_rows(three_classes["4VA"], "4VA")))
    args = (str(path), "--school", "school-a", "--archive", "--dry-run")
    code, out = run_import_command(capsys, *args, "--json")
    assert code == 0
    assert json.loads(out)["archived_classes"][1] == {"name": "3HA", "students": 4}
    code, out = run_import_command(capsys, *args)
    assert "Deze klassen staan niet in het bestand: 2VB (3 leerlingen), 3HA (4 leerlingen)." in out
