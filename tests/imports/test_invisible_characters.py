"""Invisible characters in names (issue: real files, kind 8): no-break and other spaces
become ordinary ones, soft hyphens and zero-width characters are removed with a word, and
nothing is ever stored invisibly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from klasse.accounts.models import Account
from klasse.accounts.rules import name_text
from tests.conftest import template_csv
from tests.imports.cli import run_import_command

REAL_FILES = Path(__file__).resolve().parents[1] / "fixtures" / "real-files"


def run(capsys, path: Path, *args: str) -> tuple[int, dict]:
    code, out = run_import_command(capsys, str(path), "--school", "school-a", *args)
    return code, json.loads(out)


@pytest.mark.parametrize(
    ("value", "text", "said"),
    [
        ("van\u00a0den", "van den", False),
        ("Anne\u202fMarie", "Anne Marie", False),
        ("Anne\u2003Marie", "Anne Marie", True),
        ("Jan\u00adsen", "Jansen", True),
        ("Jan\u200bsen", "Jansen", True),
        ("Jan\u200dsen", "Jansen", True),
        ("\u202eJansen", "Jansen", True),
        ("\ufeffJansen\u2060", "Jansen", True),
        ("Zoë", "Zoë", False),
    ],
)
def test_one_rule_for_every_invisible_character_in_a_name(value, text, said) -> None:
    assert name_text(value) == (text, said)


@pytest.mark.django_db
def test_a_row_that_differs_only_by_no_break_spaces_is_unchanged(capsys, school_a) -> None:
    code, report = run(capsys, REAL_FILES / "13-nbsp-setup.csv", "--add", "--json")
    assert code == 0 and report["counts"]["add"] == 1
    args = ("--add", "--update", "--archive", "--dry-run", "--json")
    code, report = run(capsys, REAL_FILES / "13-nbsp-in-names.csv", *args)
    assert code == 0
    assert report["counts"]["unchanged"] == 1 and report["counts"]["update"] == 0
    assert report["problems"] == []


@pytest.mark.django_db
def test_no_break_spaces_are_never_stored_or_exported(capsys, school_a, tmp_path) -> None:
    code, report = run(capsys, REAL_FILES / "13-nbsp-in-names.csv", "--add", "--json")
    assert code == 0 and report["counts"]["add"] == 1 and report["problems"] == []
    anne = Account.objects.get(username="aberg")
    assert (anne.first_name, anne.infix) == ("Anne Marie", "van den")
    output = tmp_path / "export.csv"
    call_command("export", "--school", "school-a", "--format", "csv", "--output", str(output))
    exported = output.read_bytes()
    assert b"Anne Marie" in exported and b"\xc2\xa0" not in exported


@pytest.mark.django_db
def test_soft_hyphens_and_zero_width_characters_are_removed_with_a_word(
    capsys, school_a, tmp_path
) -> None:
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(
        template_csv(
            "Jan\u00adsen;;Anna;anna;;a@b.nl;1A;havo 1;;",
            "Berg;;Pi\u200bet;piet;;p@b.nl;1A\u200b;havo 1;;",
            "Vos;;Daan;daan;;d@b.nl;1A;havo 1;;",
        )
    )
    code, report = run(capsys, path, "--add", "--json")
    assert code == 0 and report["counts"] == {
        "add": 3,
        "update": 0,
        "unchanged": 0,
        "archive": 0,
        "error": 0,
        "skipped": 0,
    }
    repaired = sorted((p["row"], p["column"]) for p in report["problems"])
    assert repaired == [(2, "achternaam"), (3, "klas"), (3, "voornaam")]
    assert {p["code"] for p in report["problems"]} == {"repaired_text"}
    names = sorted(Account.objects.values_list("last_name", "first_name", "school_class__name"))
    assert names == [("Berg", "Piet", "1A"), ("Jansen", "Anna", "1A"), ("Vos", "Daan", "1A")]


@pytest.mark.django_db
def test_a_control_character_in_a_name_is_still_refused(capsys, school_a, tmp_path) -> None:
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(template_csv('"Berg\nJansen";;Piet;piet;;p@b.nl;1A;havo 1;;'))
    code, report = run(capsys, path, "--add", "--json")
    assert [p["code"] for p in report["problems"]] == ["invalid_characters"]
    assert not Account.objects.exists()
