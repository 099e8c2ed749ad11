"""Fuzzing: arbitrary bytes, and arbitrary tables, through read → map → validate → plan.

Whatever comes in, the only exception that may come out is FileProblem, and every row that
was read is accounted for in the plan's counts. Bounded for CI: KLASSE_FUZZ_EXAMPLES sets
the number of examples of each test (default 300 for bytes, 100 for tables).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klasse.accounts.models import Account, Programme, Role, School, SchoolClass
from klasse.imports.core.applying import apply_plan
from klasse.imports.core.pipeline import prepare_import, read_upload
from klasse.imports.core.planning import Actions
from klasse.imports.core.problems import (
    FILE_PROBLEM_CODES,
    ROW_ERROR_CODES,
    ROW_WARNING_CODES,
    FileProblem,
)
from tests.conftest import make_account
from tests.security.conftest import HEADER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
_OVERRIDE = os.environ.get("KLASSE_FUZZ_EXAMPLES")
BYTES_EXAMPLES = int(_OVERRIDE or 300)
TABLE_EXAMPLES = int(_OVERRIDE or 100)
ROW_CODES = ROW_ERROR_CODES | ROW_WARNING_CODES  # the contract's codes (problems.py)


# --- arbitrary bytes -----------------------------------------------------------------------

_REAL_XLSX = (FIXTURES / "leerlingen.xlsx").read_bytes()
_REAL_EDEXML = (FIXTURES / "edexml" / "voortgezet.xml").read_bytes()
_PREFIXES = [
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"MZ",
    b"<html>",
    b"<EDEX>",
    b'<?xml version="1.0"?><EDEX><school><schooljaar>2025-2026</schooljaar>',
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    b'<leerlinggegevens xmlns="http://www.edustandaard.nl/leerresultaten/2/leerlinggegevens">',
    b"achternaam;voornaam;gebruikersnaam;klas;opleiding\r\n",
]


@st.composite
def damaged_xlsx(draw: st.DrawFn) -> bytes:
    """The real sample workbook with a few bytes changed or cut off."""
    data = bytearray(_REAL_XLSX)
    for index, value in draw(
        st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=8)
    ):
        data[index] = value
    return bytes(data[: draw(st.integers(0, len(data)))])


@st.composite
def damaged_edexml(draw: st.DrawFn) -> bytes:
    """A real EDEXML file with a few bytes changed or cut off, or a DOCTYPE put in."""
    data = bytearray(_REAL_EDEXML)
    for index, value in draw(
        st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=8)
    ):
        data[index] = value
    if draw(st.booleans()):
        data[38:38] = b'<!DOCTYPE EDEX [<!ENTITY a "aaaa">]>'
    return bytes(data[: draw(st.integers(0, len(data)))])


ANY_BYTES = st.one_of(
    st.binary(max_size=2048),
    st.builds(bytes.__add__, st.sampled_from(_PREFIXES), st.binary(max_size=2048)),
    st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    st.text(alphabet=st.sampled_from(list(";,\t\"\r\n aé\x00'=")), max_size=300).map(
        lambda t: t.encode("utf-8")
    ),
    damaged_xlsx(),
    damaged_edexml(),
)


@settings(max_examples=BYTES_EXAMPLES, deadline=None)
@given(data=ANY_BYTES, name=st.sampled_from(["f.csv", "f.xlsx", "../../etc/passwd", ""]))
def test_arbitrary_bytes_are_read_or_refused_with_a_file_problem(data: bytes, name: str):
    try:
        table = read_upload(data, name)
    except FileProblem as problem:
        assert problem.code in FILE_PROBLEM_CODES and problem.message
        return
    assert table.headers and any(table.headers)
    numbers = [row.number for row in table.rows]
    assert table.rows and numbers == sorted(set(numbers))
    assert all(len(row.cells) == len(table.headers) for row in table.rows)
    assert all(isinstance(cell, str) for row in table.rows for cell in row.cells)


# --- arbitrary tables through the whole preview ------------------------------------------

_VALUES = [
    "sara",
    "SARA",
    "ｓａｒａ",
    "bob",
    "tom",
    "alice",
    "anna",
    "Anna",
    "docent",
    "beheerder",
    "leerling",
    "havo 3",
    "3 havo",
    "HAVO 3",
    "3HB",
    "3hb",
    "3HB,4HB",
    "a@example.nl",
    " A@EXAMPLE.NL ",
    "geheim-wachtwoord-1",
    "password",
    "'=1+1",
    "=1+1",
    "ZoÃ«",
    "Zo?",
    "",
    " ",
]
CELL = st.one_of(
    st.sampled_from(_VALUES),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
)
HEADER_TEXT = st.one_of(
    st.sampled_from([*HEADER, "Stamnr", "Roepnaam", "Login", "id", "school", "Klas", "KLAS"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    required = ["achternaam", "voornaam", "gebruikersnaam", "klas", "opleiding"]
    headers = draw(st.lists(HEADER_TEXT, max_size=5))
    if draw(st.booleans()):
        headers = required + headers
    headers = draw(st.permutations(headers))
    rows = draw(
        st.lists(st.lists(CELL, min_size=0, max_size=len(headers) + 2), min_size=0, max_size=8)
    )
    return [list(headers), *rows]


def _encode(records: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    text = buffer.getvalue()
    if encoding == "cp1252":
        return text.encode(encoding, errors="replace")
    return text.encode(encoding)


@pytest.fixture
def populated_school(school_a, school_b, class_a):
    make_account(school_a, "alice", Role.ADMIN)
    teacher = make_account(school_a, "tom", Role.TEACHER)
    class_a.teachers.add(teacher)
    havo3 = Programme.objects.get(code="havo 3")
    make_account(school_a, "sara", school_class=class_a, programme=havo3)
    make_account(school_a, "anna", first_name="Anna", school_class=class_a, programme=havo3)
    make_account(school_b, "bob", Role.ADMIN)
    SchoolClass.objects.create(school=school_a, name="4HB")
    return school_a


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=TABLE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    records=tables(),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    actions=st.builds(
        Actions,
        add=st.booleans(),
        update=st.booleans(),
        archive=st.booleans(),
        overwrite_passwords=st.booleans(),
        confirm_mass_archive=st.booleans(),
    ),
)
def test_arbitrary_tables_are_planned_with_every_row_accounted_for(
    populated_school, records, delimiter, encoding, actions
):
    data = _encode(records, delimiter, encoding)
    before = Account.objects.count()
    try:
        prepared = prepare_import(data, "f.csv", school=populated_school, actions=actions)
    except FileProblem as problem:
        assert problem.code in FILE_PROBLEM_CODES and problem.message
        return
    plan, table = prepared.plan, prepared.table
    counts = plan.counts
    assert sum(counts[k] for k in ("add", "update", "unchanged", "error", "skipped")) == len(
        table.rows
    )
    assert [p.row.number for p in plan.rows] == [row.number for row in table.rows]
    numbers = {row.number for row in table.rows}
    for problem in plan.problems:
        assert problem.code in ROW_CODES and problem.row in numbers and problem.message
    for planned in plan.rows:
        assert (planned.action == "error") == bool(planned.row.errors)
    assert Account.objects.count() == before, "a preview wrote to the database"
    # And what the preview promises can be written: inside a transaction that is undone.
    if plan.needs_confirmation:
        return
    try:
        with transaction.atomic():
            applied = apply_plan(plan)
            assert len(applied.added) == counts["add"]
            assert len(applied.updated) == counts["update"]
            raise _Rollback
    except _Rollback:
        pass
    assert Account.objects.count() == before


# --- arbitrary EDEXML through the whole preview --------------------------------------------

_PERSON_TEXT = st.one_of(st.sampled_from(_VALUES), st.text(max_size=12))


@st.composite
def edexml_files(draw: st.DrawFn) -> bytes:
    """An EDEXML file of arbitrary people (some without a username, some with a key of an
    account that exists) in groups of any jaargroep, for the school or another BRIN."""
    from xml.sax.saxutils import escape

    def el(name: str) -> str:
        text = "".join(ch for ch in draw(_PERSON_TEXT) if ch.isprintable())
        return f"<{name}>{escape(text)}</{name}>" if text else ""

    years = draw(st.lists(st.sampled_from(["1", "8", "12", "S", ""]), min_size=1, max_size=3))
    brin = draw(st.sampled_from(["12AB", "99ZZ", ""]))
    out = [f"<EDEX><school><schooljaar>2025-2026</schooljaar><brincode>{brin}</brincode>"]
    out.append("</school><groepen>")
    out += [
        f'<groep key="g{i}">{el("naam")}<jaargroep>{year}</jaargroep></groep>'
        for i, year in enumerate(years)
    ]
    out.append("</groepen><leerlingen>")
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.sampled_from(["1", "2", "sara-key", ""]))
        group = draw(st.integers(0, len(years)))
        out.append(
            f'<leerling key="{key}">{el("achternaam")}{el("voorvoegsel")}{el("roepnaam")}'
            f'{el("gebruikersnaam")}{el("emailadres")}<groep key="g{group}"/></leerling>'
        )
    out.append("</leerlingen><leerkrachten>")
    for _ in range(draw(st.integers(0, 2))):
        out.append(
            f'<leerkracht key="t">{el("achternaam")}{el("roepnaam")}{el("gebruikersnaam")}'
            '<groepen><groep key="g0"/></groepen></leerkracht>'
        )
    out.append("</leerkrachten></EDEX>")
    return "".join(out).encode("utf-8")


@pytest.mark.django_db
@settings(
    max_examples=TABLE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=edexml_files(),
    pattern=st.sampled_from(["", "voornaam.achternaam", "vachternaam", "school.nummer"]),
    add=st.booleans(),
)
def test_arbitrary_edexml_files_are_planned_with_every_row_accounted_for(
    populated_school, data, pattern, add
):
    from klasse.imports.core.edexml_choices import EdexOptions

    School.objects.filter(pk=populated_school.pk).update(brin="12AB")
    populated_school.refresh_from_db()
    Account.objects.filter(username="sara").update(external_id="sara-key")
    before = list(Account.objects.values_list("pk", "username").order_by("pk"))
    options = EdexOptions({"": "havo 1"}, pattern)
    try:
        prepared = prepare_import(
            data,
            "EDEX.XML",
            school=populated_school,
            actions=Actions(add=add, update=True),
            options=options,
        )
    except FileProblem as problem:
        assert problem.code in FILE_PROBLEM_CODES and problem.message
        return
    plan, table = prepared.plan, prepared.table
    assert len(plan.rows) == len(table.rows)
    for problem in plan.problems:
        assert problem.code in ROW_CODES and problem.message
    for planned, row in zip(plan.rows, table.rows, strict=True):
        assert (planned.action == "error") == bool(planned.row.errors)
        if row.cells[8] == "sara-key" and row.cells[3] == "sara":  # the key kept its name
            assert planned.action != "add"
    usernames = [p.row.values.get("username", "").lower() for p in plan.rows if p.action == "add"]
    assert len(usernames) == len(set(usernames))
    assert list(Account.objects.values_list("pk", "username").order_by("pk")) == before
