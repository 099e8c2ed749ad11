"""No exported cell opens as a formula in any locale: Excel splits a CSV at its own list
separator (`,` in many locales, `;` in Dutch), ignoring ours, so a value holding `,=2+5`
would start a cell `=2+5` in an English Excel. Every formula start after a separator
(and any spaces or quotes) is escaped with `'`, and the import reads it back as it was."""

from __future__ import annotations

import io
import re

import pytest

from klasse.accounts.models import Role, SchoolClass
from klasse.exports.columns import escape_formula
from klasse.exports.writers import export_rows, write_csv
from klasse.imports.core.reading import read_table
from tests.conftest import make_account
from tests.security.conftest import CORPORA

SPLIT_AT = re.compile(r"[,;\t\r\n]")
FORMULA_START = ("=", "+", "-", "@")
INSIDE = [
    "1B,=2+5",
    'Jansen;=HYPERLINK("http://x")',
    "a, =1+1",
    'a,"=1+1',
    "a,'=1+1",
    "a,''+1",
    "a\t@SUM(A1)",
    "van, -de",
    "=1,=2;+3",
]


def _blns() -> list[str]:
    text = (CORPORA / "blns" / "blns.txt").read_text(encoding="utf-8")
    return [s for s in text.split("\n") if s and not s.startswith("#")]


def _formula_fields(text: str) -> list[str]:
    """Every field a spreadsheet could make of `text` by splitting it at any separator,
    quotes or no quotes, that would start a formula (spaces and quotes before it skipped)."""
    return [field for field in SPLIT_AT.split(text) if field.lstrip(' "').startswith(FORMULA_START)]


def _export(school) -> str:
    out = io.BytesIO()
    write_csv(export_rows(school=school, include_archived=False), out)
    return out.getvalue().decode("utf-8-sig")


@pytest.mark.django_db
def test_no_csv_cell_starts_a_formula_after_any_split(school_a):
    for i, value in enumerate([*INSIDE, *_blns()]):
        # (as long as the columns hold: PostgreSQL refuses more, SQLite would not notice)
        make_account(school_a, f"f{i}", first_name=value[:100], last_name=value[:100])
    teacher = make_account(school_a, "docent", Role.TEACHER)
    for name in ("3HB", "=2+5", "-4"):
        SchoolClass.objects.create(school=school_a, name=name).teachers.add(teacher)
    assert _formula_fields(_export(school_a)) == []


@pytest.mark.django_db
def test_an_export_with_formulas_inside_values_reads_back_as_it_was(school_a):
    for i, value in enumerate(INSIDE):
        make_account(school_a, f"f{i}", first_name=value, last_name=value)
    table = read_table(_export(school_a).encode("utf-8-sig"), "export.csv")
    assert [row.cells[2] for row in table.rows] == [
        row[2] for row in export_rows(school=school_a, include_archived=False)
    ]
    assert {row.cells[2] for row in table.rows} == set(INSIDE)


def test_every_naughty_string_escapes_and_reads_back_exactly():
    from klasse.imports.core.reading import _unescape

    for value in [*INSIDE, *_blns()]:
        escaped = escape_formula(value)
        assert _formula_fields(escaped) == [], value
        if not re.match(r"'[=+\-@\t\r]", value):  # documented: a leading '= is read as =
            assert _unescape(escaped) == value, value
