import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from klasse.accounts.models import Programme, Role, SchoolClass
from klasse.exports.columns import HEADERS, escape_formula
from klasse.exports.writers import export_rows, write_csv, write_xlsx
from klasse.imports.core.reading import read_table
from tests.conftest import make_account

HEADER_LINE = (
    "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;"
    "e-mailadres;klas;opleiding;rol;stamnummer;ECK iD;lesgroepen"
)
FORMULAS = ['=HYPERLINK("x")', "+31", "-5", "@foo"]


def export_csv(school, *, include_archived: bool = False) -> bytes:
    out = io.BytesIO()
    write_csv(export_rows(school=school, include_archived=include_archived), out)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def export_sheet(school):
    out = io.BytesIO()
    write_xlsx(export_rows(school=school, include_archived=False), out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue())).active


def usernames(data: bytes) -> list[str]:
    return [row[3] for row in csv_rows(data)[1:]]


def test_escape_formula_prefixes_only_what_a_spreadsheet_would_run():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert escape_formula(f"{start}x") == f"'{start}x"
    for plain in ("", "Jansen", "001234", "van der", "a=b", "'quoted"):
        assert escape_formula(plain) == plain


def test_the_header_is_the_templates_columns_in_that_order(school_a):
    first_line = export_csv(school_a).split(b"\r\n")[0]
    assert first_line == b"\xef\xbb\xbf" + HEADER_LINE.encode()
    assert HEADER_LINE.split(";") == HEADERS


def test_csv_is_utf8_with_bom_semicolons_and_crlf(sara):
    data = export_csv(sara.school)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 2 and b"\n" not in data.replace(b"\r\n", b"")
    assert data.split(b"\r\n")[1] == b"Berg;van der;Sara;sara;;;3HB;havo 3;leerling;;;"


def test_no_password_or_hash_is_ever_written(sara, tom):
    data = export_csv(sara.school)
    assert all(row[4] == "" for row in csv_rows(data)[1:])
    assert sara.password.encode() not in data and tom.password.encode() not in data


def test_archived_accounts_are_exported_only_with_the_flag(sara, school_a):
    gone = make_account(school_a, "vertrokken", archived_at=timezone.now())
    assert gone.username not in usernames(export_csv(school_a))
    assert gone.username in usernames(export_csv(school_a, include_archived=True))


def test_administrators_are_never_exported(alice, sara, tom):
    assert usernames(export_csv(alice.school, include_archived=True)) == ["sara", "tom"]


def test_another_schools_accounts_are_never_exported(sara, bob, school_b):
    make_account(school_b, "bram", first_name="Bram")
    make_account(school_b, "bea", Role.TEACHER, first_name="Bea")
    assert usernames(export_csv(sara.school, include_archived=True)) == ["sara"]


def test_a_teacher_with_two_classes_gets_both_sorted(school_a):
    teacher = make_account(school_a, "docent", Role.TEACHER)
    for name in ("2B", "1A"):
        SchoolClass.objects.create(school=school_a, name=name).teachers.add(teacher)
    [row] = csv_rows(export_csv(school_a))[1:]
    assert row[6] == "1A,2B"
    assert row[8] == "docent"


def test_rows_are_ordered_by_last_name_then_first_name(school_a):
    make_account(school_a, "z", first_name="Zoë", last_name="Aalders")
    make_account(school_a, "y", first_name="Bas", last_name="Bakker")
    make_account(school_a, "x", first_name="Anna", last_name="Bakker")
    assert usernames(export_csv(school_a)) == ["z", "x", "y"]


def test_the_export_runs_three_queries_however_many_accounts(school_a, django_assert_num_queries):
    havo = Programme.objects.get(code="havo 3")
    classes = [SchoolClass.objects.create(school=school_a, name=f"{n}A") for n in range(1, 4)]
    for n in range(30):
        make_account(school_a, f"ll{n}", school_class=classes[n % 3], programme=havo)
    for n in range(3):
        make_account(school_a, f"doc{n}", Role.TEACHER).teaching_classes.set(classes[: n + 1])
    # the teachers' classes and groups, the pupils' groups, the accounts
    with django_assert_num_queries(3):
        rows = list(export_rows(school=school_a, include_archived=False))
    assert len(rows) == 33


def test_one_class_exports_its_students_and_teachers(sara, tom, school_a):
    other = SchoolClass.objects.create(school=school_a, name="4VA")
    make_account(school_a, "elders", school_class=other)
    rows = export_rows(school=school_a, include_archived=False, school_class=sara.school_class)
    assert [row[3] for row in rows] == ["sara", "tom"]


@pytest.mark.parametrize("name", FORMULAS)
def test_a_formula_in_a_csv_cell_is_escaped(school_a, name):
    make_account(school_a, "formule", first_name=name)
    [row] = csv_rows(export_csv(school_a))[1:]
    assert row[2] == f"'{name}"


@pytest.mark.parametrize("name", FORMULAS)
def test_a_formula_in_an_xlsx_cell_is_escaped_text_never_a_formula(school_a, name):
    make_account(school_a, "formule", first_name=name)
    cell = export_sheet(school_a)["C2"]
    assert cell.value == f"'{name}"
    assert cell.data_type == "s"


def test_every_xlsx_cell_is_text_so_leading_zeros_stay(school_a):
    make_account(school_a, "nul", external_id="001234")
    sheet = export_sheet(school_a)
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["J2"].value == "001234"
    assert sheet["J2"].data_type == "s" and sheet["J2"].number_format == "@"


def test_the_export_command_writes_a_file_and_picks_xlsx_from_its_name(sara, tmp_path):
    call_command("export", school="school-a", output=str(tmp_path / "a.csv"))
    call_command("export", school="school-a", output=str(tmp_path / "a.xlsx"))
    assert usernames((tmp_path / "a.csv").read_bytes()) == ["sara"]
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert sheet["D2"].value == "sara"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.xlsx"]


def test_the_export_command_writes_bytes_to_standard_output(sara, capsysbinary):
    call_command("export", school="school-a")
    assert usernames(capsysbinary.readouterr().out) == ["sara"]


def test_the_export_command_refuses_an_unknown_school(db):
    with pytest.raises(CommandError, match="Geen school met de korte naam 'bestaat-niet'"):
        call_command("export", school="bestaat-niet")


def test_the_import_reads_an_export_back_as_the_same_values(school_a, sara, tom):
    for n, name in enumerate([*FORMULAS, "\tTab", "Puk;Muk", 'Jan "de Kip"']):
        make_account(school_a, f"naam{n}", first_name=name, external_id="001234")
    SchoolClass.objects.create(school=school_a, name="1A").teachers.add(tom)
    rows = list(export_rows(school=school_a, include_archived=False))
    for write, filename in ((write_csv, "export.csv"), (write_xlsx, "export.xlsx")):
        out = io.BytesIO()
        write(rows, out)
        table = read_table(out.getvalue(), filename)
        assert table.headers == HEADERS
        assert [row.cells for row in table.rows] == rows
