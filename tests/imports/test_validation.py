"""Row rules of the import contract (docs/import-contract.md); reading, mapping and
validating need no database."""

import pytest

from klasse.imports.core.mapping import suggest_mapping
from klasse.imports.core.reading import read_table
from klasse.imports.core.validation import validate_rows
from tests.conftest import template_csv


def validate(*lines: str, header: str | None = None):
    data = template_csv(*lines) if header is None else template_csv(*lines, header=header)
    table = read_table(data, "test.csv")
    return validate_rows(table, suggest_mapping(table.headers))


def codes(row) -> set[str]:
    return {p.code for p in (*row.errors, *row.warnings)}


def test_a_good_row_has_no_problems_and_keeps_its_values():
    (row,) = validate("Berg;van der;Anna; anna.berg ;;Anna@EXAMPLE.nl ;3HB;HAVO 3;;001234")
    assert not row.errors and not row.warnings
    assert row.values["username"] == "anna.berg"
    assert row.values["email"] == "Anna@example.nl"
    assert row.values["external_id"] == "001234"
    assert row.programme == "havo 3" and row.role == "student" and row.class_names == ["3HB"]


@pytest.mark.parametrize(
    "line, field",
    [
        (";;Anna;anna;;a@b.nl;3HB;havo 3;;", "last_name"),
        ("Berg;;;anna;;a@b.nl;3HB;havo 3;;", "first_name"),
        ("Berg;;Anna;;;a@b.nl;3HB;havo 3;;", "username"),
        ("Berg;;Anna;anna;;a@b.nl;;havo 3;;", "class_name"),
        ("Berg;;Anna;anna;;a@b.nl;3HB;;;", "programme"),
    ],
)
def test_required_fields_are_errors_that_name_row_and_column(line, field):
    (row,) = validate(line)
    (problem,) = row.errors
    assert (problem.code, problem.field, problem.row) == ("required", field, 2)
    assert problem.message.startswith("Rij 2, kolom '")


def test_a_teacher_needs_no_class_and_no_programme_and_may_have_several_classes():
    rows = validate(
        "Velde;van der;Marloes;mvdv;;m@school.nl;;;docent;",
        "Bos;;Joël;jbos;;j@school.nl;3HB, 4HB;;Leraar;",
    )
    assert not rows[0].errors and rows[0].class_names == []
    assert rows[1].role == "teacher" and rows[1].class_names == ["3HB", "4HB"]


@pytest.mark.parametrize("role", ["beheerder", "admin", "superuser", "directeur"])
def test_no_file_creates_an_administrator(role):
    (row,) = validate(f"Berg;;Anna;anna;;a@b.nl;3HB;havo 3;{role};")
    assert codes(row) == {"unknown_role"}


@pytest.mark.parametrize(
    "username",
    [
        "'; DROP TABLE accounts;--",
        "anna berg",
        "maria\u200b",
        "evil\u202egnp.exe",
        "a/b",
        "a" * 151,
    ],
)
def test_bad_usernames_are_invalid(username):
    (row,) = validate(f"Berg;;Anna;{username};;a@b.nl;3HB;havo 3;;")
    assert codes(row) & {"invalid_username", "too_long"}


def test_duplicates_in_the_file_are_found_on_every_row_also_after_nfkc_and_case():
    rows = validate(
        "A;;A;ｍａｒｉａ;;a@b.nl;3HB;havo 3;;",
        "B;;B;Maria;;b@b.nl;3HB;havo 3;;",
        "C;;C;maria;;c@b.nl;3HB;havo 3;;",
        "D;;D;piet;;d@b.nl;3HB;havo 3;;",
    )
    assert [codes(r) for r in rows] == [{"duplicate_in_file"}] * 3 + [set()]
    assert "rijen 2, 3, 4" in rows[0].errors[0].message


def test_unknown_programmes_are_errors_and_aliases_are_known():
    rows = validate(
        "A;;A;a1;;a@b.nl;3HB;havo 9;;",
        "B;;B;b1;;b@b.nl;3HB;gymnasium 4;;",
        "C;;C;c1;;c@b.nl;3HB;mavo 2;;",
    )
    assert codes(rows[0]) == {"unknown_programme"}
    assert (rows[1].programme, rows[2].programme) == ("vwo 4", "vmbo-tl 2")


@pytest.mark.parametrize("password", ["password", "1234567", "welkom"])
def test_weak_passwords_are_refused(password):
    (row,) = validate(f"Berg;;Anna;anna;{password};;3HB;havo 3;;")
    assert codes(row) == {"weak_password"}


def test_passwords_are_kept_exactly_as_written():
    long_password = "x9" * 50
    rows = validate(
        "A;;A;a1;  spaties rondom  ;;3HB;havo 3;;", f"B;;B;b1;{long_password};;3HB;havo 3;;"
    )
    assert rows[0].values["password"] == "  spaties rondom  "
    assert rows[1].values["password"] == long_password and not rows[1].errors


def test_invalid_email_is_an_error():
    (row,) = validate("Berg;;Anna;anna;;anna@@example;3HB;havo 3;;")
    assert codes(row) == {"invalid_email"}


def test_too_long_and_control_characters_are_errors():
    rows = validate(
        f"{'B' * 101};;Anna;anna;;a@b.nl;3HB;havo 3;;",
        '"Berg\nJansen";;Piet;piet;;p@b.nl;3HB;havo 3;;',
    )
    assert codes(rows[0]) == {"too_long"}
    assert codes(rows[1]) == {"invalid_characters"}


def test_more_cells_than_headers_is_a_column_count_error_but_empty_trailing_cells_are_not():
    rows = validate(
        "Berg;;Anna;anna;;a@b.nl;3HB;havo 3;;;extra", "Smit;;Piet;piet;;p@b.nl;3HB;havo 3;;;;"
    )
    assert codes(rows[0]) == {"wrong_column_count"}
    assert codes(rows[1]) == set()


def test_utf8_read_as_ansi_is_repaired_with_a_warning():
    (row,) = validate("Jansen;;ZoÃ«;zoe;;z@b.nl;3HB;havo 3;;")
    assert row.values["first_name"] == "Zoë"
    assert codes(row) == {"repaired_text"} and not row.errors


@pytest.mark.parametrize("name", ["Zo?", "Ana?s", "Zo\ufffd"])
def test_suspect_characters_are_a_warning_naming_the_row(name):
    (row,) = validate(f"Jansen;;{name};zoe;;z@b.nl;3HB;havo 3;;")
    assert codes(row) == {"suspect_characters"} and not row.errors
    assert row.warnings[0].row == 2


def test_huge_numbers_are_just_text():
    (row,) = validate("1e1000000;;99999999999999999999;x1;;x@b.nl;3HB;havo 3;;99999999999999999999")
    assert row.values["last_name"] == "1e1000000" and not row.errors
