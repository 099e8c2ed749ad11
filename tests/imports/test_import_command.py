"""`klasse import`: the command-line contract that schools script against
(docs/import-contract.md)."""

import json

import pytest

from klasse.accounts.models import Account
from klasse.imports.models import ImportRun
from tests.conftest import template_csv
from tests.imports.cli import run_import_command

pytestmark = pytest.mark.django_db
FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures"


run = run_import_command


def test_json_report_has_exactly_the_documented_shape(capsys, school_a):
    code, out = run(
        capsys,
        str(FIXTURES / "magister.csv"),
        "--school",
        "school-a",
        "--add",
        "--dry-run",
        "--json",
    )
    report = json.loads(out)
    assert code == 0
    assert list(report) == [
        "dry_run",
        "file",
        "mapping",
        "fills",
        "counts",
        "problems",
        "emails",
        "generated_passwords",
        "archived_classes",
    ]
    assert report["file"] == {
        "name": "magister.csv",
        "format": "csv",
        "encoding": "cp1252",
        "delimiter": ";",
        "rows": 4,
        "sheet": None,
    }
    assert report["mapping"]["Roepnaam"] == "first_name"
    assert report["mapping"]["Login"] == "username"
    assert list(report["counts"]) == ["add", "update", "unchanged", "archive", "error", "skipped"]
    for problem in report["problems"]:
        assert list(problem) == ["row", "column", "field", "severity", "code", "message"]
    assert not Account.objects.exists()


def test_an_import_is_recorded_in_the_history(capsys, school_a, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(template_csv("Berg;;Anna;anna;;a@b.nl;3HB;havo 3;;"))
    code, out = run(capsys, str(path), "--school", "school-a", "--add")
    assert code == 0 and "Nieuw 1" in out
    run_ = ImportRun.objects.get()
    assert (run_.source, run_.status, run_.counts["add"]) == ("cli", "done", 1)
    assert run_.changes["added"] == [Account.objects.get(username="anna").pk]


def test_no_action_is_wrong_usage(capsys, school_a):
    code, _ = run(capsys, str(FIXTURES / "magister.csv"), "--school", "school-a")
    assert code == 2


def test_a_file_problem_exits_1_with_a_json_error(capsys, school_a, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"Naam;Klas\r\nAnna;3HB\r\n")
    code, out = run(capsys, str(path), "--school", "school-a", "--add", "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["code"] == "missing_required_columns" and "achternaam" in error["message"]


def test_map_overrides_a_column_and_empty_field_unmaps_it(capsys, school_a, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(
        b"Familienaam;Voornaam;Login;Groep;Leerjaar;Mail;Geslacht\r\n"
        b"Berg;Anna;anna;3HB;havo 3;a@b.nl;V\r\n"
    )
    code, out = run(
        capsys,
        str(path),
        "--school",
        "school-a",
        "--add",
        "--json",
        "--dry-run",
        "--map",
        "Familienaam=last_name",
        "Leerjaar=programme",
        "--map",
        "Mail=",
    )
    report = json.loads(out)
    assert code == 0, out
    assert report["mapping"]["Familienaam"] == "last_name"
    assert report["mapping"]["Mail"] is None and report["mapping"]["Geslacht"] is None
    assert report["counts"]["error"] == 1  # without the e-mail column: no password or e-mail


def test_a_mass_archive_is_refused_in_a_dry_run_too(capsys, school_a, tmp_path):
    many = [f"L{i};;K{i};ll{i};;ll{i}@b.nl;3HB;havo 3;;" for i in range(20)]
    (tmp_path / "all.csv").write_bytes(template_csv(*many))
    (tmp_path / "one.csv").write_bytes(template_csv(*many[:2]))
    assert run(capsys, str(tmp_path / "all.csv"), "--school", "school-a", "--add")[0] == 0
    code, out = run(
        capsys,
        str(tmp_path / "one.csv"),
        "--school",
        "school-a",
        "--archive",
        "--dry-run",
        "--json",
    )
    assert code == 1
    assert json.loads(out)["error"]["code"] == "mass_archive_needs_confirmation"
    code, out = run(
        capsys,
        str(tmp_path / "one.csv"),
        "--school",
        "school-a",
        "--archive",
        "--confirm-mass-archive",
        "--json",
    )
    assert code == 0 and json.loads(out)["counts"]["archive"] == 18


def test_a_programme_read_as_another_spelling_is_said_once_per_value(capsys, school_a, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(
        template_csv(
            "Berg;;Anna;anna;;a@b.nl;1A;havo/vwo 1;;",
            "Dijk;;Bram;bram;;b@b.nl;2A;atheneum 2;;",
            "Smit;;Cas;cas;;c@b.nl;2A;atheneum 2;;",
            "Vos;;Daan;daan;;d@b.nl;3A;HAVO 3;;",
        )
    )
    code, out = run(capsys, str(path), "--school", "school-a", "--add", "--json")
    report = json.loads(out)
    assert code == 0 and report["counts"]["add"] == 4 and report["counts"]["error"] == 0
    notices = [p for p in report["problems"] if p["code"] == "programme_spelling"]
    assert [(p["row"], p["column"], p["severity"]) for p in notices] == [
        (3, "opleiding", "warning")
    ]
    assert "'atheneum 2' is gelezen als 'vwo 2' (rij 3 en 1 andere rij)" in notices[0]["message"]
    programmes = dict(Account.objects.values_list("username", "programme__code"))
    assert programmes == {"anna": "havo/vwo 1", "bram": "vwo 2", "cas": "vwo 2", "daan": "havo 3"}


def test_problems_come_by_row_with_errors_before_warnings(capsys, school_a, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(
        template_csv(
            "Berg;;Anna;anna;;a@b.nl;1A;havo 1;;",
            "Dijk;;Bram;bram;;geen-adres;1A;havo 1;;",
            "Smit;;Cas;cas;;ook-geen-adres;2A;Atheneum 2;;",
            "Vos;;Daan;daan;;d@b.nl;2A;atheneum  2;;",
        )
    )
    code, out = run(capsys, str(path), "--school", "school-a", "--add", "--dry-run", "--json")
    found = [(p["row"], p["severity"], p["code"]) for p in json.loads(out)["problems"]]
    assert found == [
        (3, "error", "invalid_email"),
        (4, "error", "invalid_email"),
        (4, "warning", "programme_spelling"),
    ]
    assert "(rij 4 en 1 andere rij)" in json.loads(out)["problems"][2]["message"]


def test_a_file_that_does_not_exist_is_said_in_dutch(capsys, school_a, tmp_path):
    missing = tmp_path / "bestaat-niet.csv"
    code, out = run(capsys, str(missing), "--school", "school-a", "--add", "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "unreadable_file"
    assert "het bestaat niet" in error["message"] and "No such file" not in error["message"]


def test_the_text_report_says_one_row_and_two_rows(capsys, school_a, tmp_path):
    one = tmp_path / "een.csv"
    one.write_bytes(template_csv("Berg;;Anna;anna.berg;;anna@example.nl;3HB;havo 3;;"))
    code, out = run(capsys, str(one), "--school", "school-a", "--add", "--dry-run")
    assert code == 0 and ": 1 rij. Nieuw 1," in out
    two = tmp_path / "twee.csv"
    two.write_bytes(
        template_csv(
            "Berg;;Anna;anna.berg;;anna@example.nl;3HB;havo 3;;",
            "Bos;;Bram;bram.bos;;bram@example.nl;3HB;havo 3;;",
        )
    )
    code, out = run(capsys, str(two), "--school", "school-a", "--add", "--dry-run")
    assert code == 0 and ": 2 rijen. Nieuw 2," in out
