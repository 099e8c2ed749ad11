"""Matching the headers of real exports to Klasse's fields. No database needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from klasse.imports.core.mapping import (
    FIELDS,
    LABELS,
    REQUIRED_COLUMNS,
    apply_overrides,
    check_mapping,
    missing_required,
    normalise_header,
    suggest_mapping,
)
from klasse.imports.core.problems import FileProblem
from klasse.imports.core.reading import read_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEMPLATE = [LABELS[field] for field in FIELDS]


def test_the_template_labels_are_the_documented_header() -> None:
    expected = (
        "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;"
        "klas;opleiding;rol;stamnummer;ECK iD;lesgroepen"
    )
    assert ";".join(TEMPLATE) == expected
    assert set(REQUIRED_COLUMNS) <= set(FIELDS)


def test_the_template_maps_every_field_to_its_label() -> None:
    assert suggest_mapping(TEMPLATE) == {LABELS[field]: field for field in FIELDS}


@pytest.mark.parametrize(
    "header, normalised",
    [
        ("Leerling E-mail", "email"),
        ("Loginaccount.Naam", "loginaccountnaam"),
        ("leerlingOpleidingCode", "opleidingcode"),
        ("  Tussen_voegsel ", "tussenvoegsel"),
        ("Medewerker", "medewerker"),
        ("Achternaam", "achternaam"),
        ("Klas\u00a0naam", "klasnaam"),
        ("Ｅ-ｍａｉｌ", "email"),
        ("Rôle", "role"),
    ],
)
def test_it_normalises_case_accents_spaces_punctuation_and_prefixes(
    header: str, normalised: str
) -> None:
    assert normalise_header(header) == normalised


def test_it_maps_a_magister_export() -> None:
    table = read_table((FIXTURES / "magister.csv").read_bytes(), "magister.csv")
    assert suggest_mapping(table.headers) == {
        "Stamnr": "external_id",
        "Achternaam": "last_name",
        "Tussenv": "infix",
        "Roepnaam": "first_name",
        "Klas": "class_name",
        "Studie": "programme",
        "Login": "username",
        "E-mail": "email",
    }


def test_it_maps_magisters_login_account_name() -> None:
    assert suggest_mapping(["Loginaccount.Naam"]) == {"Loginaccount.Naam": "username"}


def test_it_maps_a_somtoday_export() -> None:
    table = read_table((FIXTURES / "somtoday.csv").read_bytes(), "somtoday.csv")
    assert suggest_mapping(table.headers) == {
        "leerlingnummer": "external_id",
        "roepnaam": "first_name",
        "voorvoegsel": "infix",
        "achternaam": "last_name",
        "stamgroep": "class_name",
        "leerlingOpleidingCode": "programme",
        "username": "username",
        "email": "email",
    }


def test_it_maps_a_parnassys_export_and_never_takes_initials_as_first_name() -> None:
    headers = ["Achternaam", "Tussenvoegsel", "Voorletters", "Roepnaam", "Groep", "Geslacht"]
    assert suggest_mapping(headers) == {
        "Achternaam": "last_name",
        "Tussenvoegsel": "infix",
        "Voorletters": None,
        "Roepnaam": "first_name",
        "Groep": "class_name",
        "Geslacht": None,
    }


@pytest.mark.parametrize(
    "header", ["voorletters", "Voorletters", "VOORLETTERS", "leerling voorletters"]
)
def test_initials_are_never_a_first_name(header: str) -> None:
    assert suggest_mapping([header]) == {header: None}


def test_it_maps_english_headers() -> None:
    headers = ["First name", "Last name", "Username", "Class", "Email", "Password", "Role"]
    assert list(suggest_mapping(headers).values()) == [
        "first_name",
        "last_name",
        "username",
        "class_name",
        "email",
        "password",
        "role",
    ]


@pytest.mark.parametrize(
    "header", ["id", "ID", "pk", "school", "School", "is_superuser", "is_staff", "leerling_id"]
)
def test_columns_that_could_choose_school_or_rights_are_never_mapped(header: str) -> None:
    assert suggest_mapping([header, *TEMPLATE])[header] is None


@pytest.mark.parametrize("header", ["Naam", "Voornamen", "Leerjaar", "Lesgroep", "Geboortedatum"])
def test_ambiguous_headers_stay_unmapped(header: str) -> None:
    assert suggest_mapping([header]) == {header: None}


def test_each_field_goes_to_the_first_header_that_names_it() -> None:
    mapping = suggest_mapping(["Roepnaam", "Voornaam", "Klas", "Stamgroep"])
    assert mapping == {
        "Roepnaam": "first_name",
        "Voornaam": None,
        "Klas": "class_name",
        "Stamgroep": None,
    }


def test_overrides_map_and_unmap_columns() -> None:
    mapping = suggest_mapping(["Achternaam", "Code", "E-mail"])
    result = apply_overrides(mapping, {"Code": "username", "E-mail": ""})
    assert result == {"Achternaam": "last_name", "Code": "username", "E-mail": None}
    assert mapping["Code"] is None  # the suggestion itself is left alone


def test_overrides_accept_dutch_labels_and_loosely_written_headers() -> None:
    mapping = suggest_mapping(["Loginaccount.Naam", "Code"])
    assert apply_overrides(mapping, {"code": "Gebruikersnaam"}) == {
        "Loginaccount.Naam": None,
        "Code": "username",
    }


def test_an_override_takes_a_field_over_from_a_guess() -> None:
    mapping = suggest_mapping(["Roepnaam", "Voornaam"])
    assert apply_overrides(mapping, {"Voornaam": "first_name"}) == {
        "Roepnaam": None,
        "Voornaam": "first_name",
    }


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"Bestaat niet": "username"}, "staat niet in het bestand"),
        ({"Code": "superuser"}, "Onbekend veld"),
        ({"Code": "username", "Achternaam": "username"}, "twee kolommen"),
        ({"id": "external_id"}, "nooit"),
    ],
)
def test_wrong_overrides_are_refused_in_dutch(
    overrides: dict[str, str | None], message: str
) -> None:
    mapping = suggest_mapping(["Achternaam", "Code", "id"])
    with pytest.raises(ValueError, match=message):
        apply_overrides(mapping, overrides)


def test_missing_required_lists_unmapped_required_fields_in_template_order() -> None:
    assert missing_required(suggest_mapping(TEMPLATE)) == []
    assert missing_required(suggest_mapping(["Klas", "Roepnaam"])) == [
        "last_name",
        "username",
        "programme",
    ]


def test_check_mapping_accepts_a_complete_mapping() -> None:
    check_mapping(TEMPLATE, suggest_mapping(TEMPLATE))


def test_check_mapping_names_the_missing_columns_in_dutch() -> None:
    headers = ["Achternaam", "Roepnaam", "Login"]
    with pytest.raises(FileProblem) as caught:
        check_mapping(headers, suggest_mapping(headers))
    assert caught.value.code == "missing_required_columns"
    assert "klas, opleiding" in caught.value.message


@pytest.mark.parametrize("duplicate", ["Klas", "KLAS", "klas "])
def test_check_mapping_refuses_a_mapped_column_that_appears_twice(duplicate: str) -> None:
    headers = [*TEMPLATE, duplicate]
    with pytest.raises(FileProblem) as caught:
        check_mapping(headers, suggest_mapping(headers))
    assert caught.value.code == "unreadable_file"
    assert "'klas'" in caught.value.message
    assert f"kolom 7 en {len(TEMPLATE) + 1}" in caught.value.message


def test_check_mapping_allows_repeated_columns_that_stay_unmapped() -> None:
    headers = [*TEMPLATE, "", "", "Opmerking", "opmerking"]
    check_mapping(headers, suggest_mapping(headers))
