"""Reading student files: formats, encodings, separators, and the bad inputs of
docs/bad-files.md (items 1-15, 19-20, 24) that belong to reading. No database needed."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from klasse.accounts.rules import repair_mojibake
from klasse.imports.core import csv_text, reading, xlsx
from klasse.imports.core.problems import FileProblem
from klasse.imports.core.reading import has_suspect_characters, read_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def read(data: bytes, filename: str = "leerlingen.csv", **options: object) -> reading.Table:
    return read_table(data, filename, **options)  # type: ignore[arg-type]


def cells(table: reading.Table) -> list[list[str]]:
    return [row.cells for row in table.rows]


def refused(data: bytes, filename: str = "leerlingen.csv", **options: object) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        read(data, filename, **options)
    return caught.value


def xlsx_bytes(*rows: list[object]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- real sample files ------------------------------------------------------------------


def test_it_reads_a_magister_export_as_windows_1252_with_semicolons() -> None:
    table = read((FIXTURES / "magister.csv").read_bytes())
    assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    assert table.headers[:4] == ["Stamnr", "Achternaam", "Tussenv", "Roepnaam"]
    assert [row.cells[3] for row in table.rows] == ["Zoë", "Ünal", "Daniëlle", 'Anna "Annie"']
    assert table.rows[1].cells[1:3] == ["Berg", "van der"]
    assert table.rows[2].cells[1] == "Çelik"
    assert [row.number for row in table.rows] == [2, 3, 4, 5]
    assert table.warnings == []


def test_it_keeps_leading_zeros() -> None:
    table = read((FIXTURES / "magister.csv").read_bytes())
    assert [row.cells[0] for row in table.rows] == ["001234", "001235", "001236", "001237"]


def test_it_reads_a_somtoday_export_without_the_bom_in_the_first_header() -> None:
    table = read((FIXTURES / "somtoday.csv").read_bytes())
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert table.headers[0] == "leerlingnummer"
    assert cells(table)[0] == [
        "4021",
        "Zoë",
        "",
        "Jansen",
        "H5a",
        "havo 5",
        "zjansen",
        "zoe@example.nl",
    ]


def test_it_reads_excel_unicode_text_like_the_utf8_template() -> None:
    unicode_text = read((FIXTURES / "excel-unicode.txt").read_bytes(), "leerlingen.txt")
    template = read((FIXTURES / "template.csv").read_bytes())
    assert (unicode_text.encoding, unicode_text.delimiter) == ("utf-16", "\t")
    assert (template.encoding, template.delimiter) == ("utf-8-sig", ";")
    assert unicode_text.headers == template.headers
    assert cells(unicode_text) == cells(template)


def test_it_keeps_passwords_exactly_as_written() -> None:
    table = read((FIXTURES / "template.csv").read_bytes())
    assert table.rows[0].cells[4] == " geheim wachtwoord "


def test_it_reads_xlsx_numbers_and_dates_as_text() -> None:
    table = read((FIXTURES / "leerlingen.xlsx").read_bytes(), "leerlingen.xlsx")
    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert table.headers[-2:] == ["stamnummer", "geboortedatum"]
    assert [row.cells[-2:] for row in table.rows] == [
        ["123456", "04-03-2011"],
        ["001234", "31-12-2011"],
    ]
    assert table.rows[0].cells[:3] == ["Jansen", "", "Zoë"]


def test_it_recognises_xlsx_by_its_bytes_not_its_name() -> None:
    table = read((FIXTURES / "leerlingen.xlsx").read_bytes(), "leerlingen.csv")
    assert table.format == "xlsx"


# --- encodings --------------------------------------------------------------------------

UTF16_TEXT = "achternaam,voornaam\r\nÇelik,Daniëlle\r\n"


@pytest.mark.parametrize(
    "bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_it_reads_utf16_with_either_byte_order(bom: bytes, codec: str) -> None:
    table = read(bom + UTF16_TEXT.encode(codec))
    assert table.encoding == "utf-16"
    assert (table.headers, cells(table)) == (["achternaam", "voornaam"], [["Çelik", "Daniëlle"]])


def test_it_reads_windows_1252_never_as_latin1_control_characters() -> None:
    table = read(b"naam;bedrag\r\nZo\xeb;\x80 5 \x92\r\n")
    assert table.encoding == "cp1252"
    assert cells(table) == [["Zoë", "€ 5 ’"]]


def test_it_chooses_windows_1252_for_one_bad_byte_in_utf8_and_says_so() -> None:
    data = "naam;klas\nZoë;3A\n".encode() + b"Ana\xefs;3A\n"
    table = read(data)
    assert table.encoding == "cp1252"
    assert cells(table) == [["ZoÃ«", "3A"], ["Anaïs", "3A"]]  # the validator repairs ZoÃ«
    (warning,) = table.warnings
    assert (warning.code, warning.severity, warning.row) == ("suspect_characters", "warning", 3)
    assert "regel 3" in warning.message


def test_a_byte_windows_1252_lacks_is_read_in_the_code_page_whose_letter_it_is() -> None:
    # 0x81 is no character in Windows-1252; DOS's code pages read it as ü (the same in 850
    # and 437, so the choice between them changes nothing), Mac Roman as a capital Å that
    # no name has after small letters.
    table = read_table(b"naam;klas\nJan;3A\nPiet\x81;3A\n", "leerlingen.csv")
    assert (table.encoding, table.rows[1].cells[0]) == ("cp850", "Pietü")


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + b"naam\nJan\nZo\xeb\n",
        codecs.BOM_UTF16_LE + "naam\nJan\n".encode("utf-16-le") + b"\x00\xd8b\x00",
        codecs.BOM_UTF16_BE + "naam\nJan\n".encode("utf-16-be") + b"\xd8\x00\x00b",
    ],
)
def test_a_bad_character_after_a_bom_is_an_error_naming_its_line(data: bytes) -> None:
    problem = refused(data)
    assert problem.code == "unreadable_file"
    assert "Regel 3" in problem.message


def test_an_explicit_encoding_overrides_detection() -> None:
    table = read("naam\nZoë\n".encode(), encoding="cp1252")
    assert (table.encoding, cells(table)) == ("cp1252", [["ZoÃ«"]])


def test_an_explicit_encoding_that_does_not_fit_names_the_line() -> None:
    problem = refused(b"naam\nJan\nZo\xeb\n", encoding="utf-8")
    assert problem.code == "unreadable_file"
    assert "Regel 3" in problem.message


def test_an_unknown_explicit_encoding_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="latin"):
        read(b"naam\nJan\n", encoding="latin-1")


def test_it_refuses_nul_bytes_naming_the_line() -> None:
    problem = refused(b"naam;klas\nJan;3A\nPi\x00et;3A\n")
    assert (problem.code, "Regel 3" in problem.message) == ("unreadable_file", True)


def test_it_refuses_utf16_without_a_bom() -> None:
    assert refused("naam;klas\nJan;3A\n".encode("utf-16-le")).code == "unreadable_file"


# --- line ends, quotes and columns -------------------------------------------------------


def test_cr_crlf_and_lf_line_ends_give_the_same_records() -> None:
    lf = b'naam;notitie\nJan;"twee\nregels"\nPiet;x\n'
    expected = read(lf)
    for ending in (b"\r\n", b"\r"):
        other = read(lf.replace(b"\n", ending))
        assert [row.number for row in other.rows] == [row.number for row in expected.rows]
        assert [row.cells[0] for row in other.rows] == ["Jan", "Piet"]
        assert other.rows[0].cells[1] == "twee" + ending.decode() + "regels"


def test_it_undoubles_quotes_and_keeps_quoted_separators_in_one_field() -> None:
    table = read(b'a,b,c\n1,"ha ""ha"" ha","Anytown, WW"\n')
    assert cells(table) == [["1", 'ha "ha" ha', "Anytown, WW"]]


@pytest.mark.parametrize(
    "data, line",
    [(b'a,b\n1,2\n3,"', 3), (b'a,b\n1,2\n"ab"c,3\n4,5\n', 3), (b'a;b\n"x\ny";2\n3;"4\n', 4)],
)
def test_a_broken_quote_is_an_error_with_its_line_not_a_guess(data: bytes, line: int) -> None:
    problem = refused(data)
    assert problem.code == "unreadable_file"
    assert f"Regel {line}:" in problem.message


def test_an_unquoted_comma_gives_a_column_count_problem_not_shifted_data() -> None:
    table = read(b'naam,klas\nExpert, "Trust me, I\'m an expert"\n')
    assert table.rows[0].extra_cells is True
    assert table.rows[0].cells == ["Expert", ' "Trust me']


def test_it_pads_short_rows_and_drops_empty_trailing_cells() -> None:
    table = read(b"a;b;c\n1\n1;2;3;;\n1;2;3; ;x\n")
    assert cells(table) == [["1", "", ""], ["1", "2", "3"], ["1", "2", "3"]]
    assert [row.extra_cells for row in table.rows] == [False, False, True]


def test_it_ignores_empty_headers_after_the_last_column() -> None:
    table = read(b"a;b;;\n1;2;;\n")
    assert (table.headers, cells(table)) == (["a", "b"], [["1", "2"]])


def test_it_does_not_trim_values() -> None:
    table = read(b"a;b\n  Jan ;\tx\n")
    assert cells(table) == [["  Jan ", "\tx"]]


def test_it_reads_a_field_longer_than_the_csv_module_default() -> None:
    long_value = "x" * 200_000
    table = read(f"a;b\n{long_value};1\n".encode())
    # Read, and cut to just over Excel's cell limit (wide_files): too_long is the
    # validator's row error all the same.
    assert table.rows[0].cells[0] == "x" * 32_768


# --- separators ----------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_it_recognises_the_separator_from_the_header(delimiter: str) -> None:
    data = delimiter.join(["achternaam", "voornaam", "klas"]) + "\nJansen" + delimiter * 2 + "3A\n"
    table = read(data.encode())
    assert table.delimiter == delimiter
    assert cells(table) == [["Jansen", "", "3A"]]


def test_commas_in_values_do_not_fool_a_semicolon_file() -> None:
    table = read(b"naam;klassen\nJan;3A,3B,3C\nPiet;4A,4B\n")
    assert table.delimiter == ";"


def test_the_separator_that_gives_consistent_rows_wins() -> None:
    table = read(b"a,b;c\n1;2\n3;4\n5;6\n")
    assert table.delimiter == ";"


def test_an_explicit_separator_overrides_detection() -> None:
    table = read(b"a;b,c\n1;2,3\n", delimiter=",")
    assert (table.headers, cells(table)) == (["a;b", "c"], [["1;2", "3"]])


def test_an_unknown_explicit_separator_is_a_usage_error() -> None:
    with pytest.raises(ValueError):
        read(b"a|b\n1|2\n", delimiter="|")


# --- skipped lines and row numbers -----------------------------------------------------


def test_it_skips_blank_and_separator_lines_and_keeps_spreadsheet_row_numbers() -> None:
    table = read(b"a;b\n\n1;2\n;;\n  ; \n3;4\n")
    assert cells(table) == [["1", "2"], ["3", "4"]]
    assert [row.number for row in table.rows] == [3, 6]


def test_a_quoted_newline_counts_as_one_spreadsheet_row() -> None:
    table = read(b'a;b\n"1\n1";2\n3;4\n')
    assert [row.number for row in table.rows] == [2, 3]


def test_it_skips_lines_that_repeat_the_header() -> None:
    table = read(b"Achternaam;Voor naam\nJansen;Zo\n ACHTERNAAM ;voornaam;\nSmit;Jo\n")
    assert cells(table) == [["Jansen", "Zo"], ["Smit", "Jo"]]
    assert [row.number for row in table.rows] == [2, 4]


def test_header_cells_lose_bom_line_breaks_and_control_characters() -> None:
    table = read(b'\xef\xbb\xbf achternaam ;"voor\r\nnaam";kl\x01as;\xe2\x80\x8bklas2\n1;2;3;4\n')
    assert table.headers == ["achternaam", "voor naam", "kl as", "klas2"]
    assert [w.column for w in table.warnings] == ["voor naam", "kl as", "klas2"]
    assert {w.code for w in table.warnings} == {"repaired_text"}


def test_header_cells_keep_ordinary_spaces_as_written() -> None:
    table = read(b" voor  naam ;klas\nZo;3A\n")
    assert (table.headers, table.warnings) == (["voor  naam", "klas"], [])


# --- empty and oversized files ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n\r\n",
        codecs.BOM_UTF8,
        codecs.BOM_UTF16_LE,
        b";;;\n;;\n",
        b"a;b\n",
        b"a;b\n\n;\n",
    ],
)
def test_an_empty_or_header_only_file_is_empty(data: bytes) -> None:
    assert refused(data).code == "empty_file"


def test_a_file_over_the_size_limit_is_refused_before_parsing() -> None:
    problem = refused(b'a;b\n"' + b"x" * 2000, max_bytes=1000)
    assert problem.code == "too_large"


def test_a_file_over_the_row_limit_is_refused() -> None:
    assert refused(b"a\n1\n2\n3\n4\n", max_rows=3).code == "too_large"
    assert len(read(b"a\n1\n2\n3\n", max_rows=3).rows) == 3


def test_it_reads_100000_rows() -> None:
    """Whole and in order; how fast is bench/reading_bench.py's figure, not a test's."""
    header = "achternaam;tussenvoegsel;voornaam;gebruikersnaam;klas;opleiding\r\n"
    body = "".join(f"Jansen{i};van der;Zoë;user{i};3HB;havo 3\r\n" for i in range(100_000))
    data = (header + body).encode("cp1252")
    table = read(data)
    assert len(table.rows) == 100_000
    assert table.rows[-1].cells[3] == "user99999"
    assert table.rows[-1].cells[2] == "Zoë"


# --- not a spreadsheet -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"GIF89a\x01\x00\x01\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
        b"\x7fELF\x02\x01\x01\x00",
        b"<!DOCTYPE html><html><table><tr><td>a</td></tr></table></html>",
    ],
)
def test_a_csv_that_is_really_something_else_is_unsupported(data: bytes) -> None:
    assert refused(data).code == "unsupported_format"


def test_an_old_xls_file_is_unsupported_with_advice_to_save_as_xlsx() -> None:
    problem = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "leerlingen.xls")
    assert problem.code == "unsupported_format"
    assert ".xlsx" in problem.message


def test_a_header_starting_with_mz_is_still_text() -> None:
    assert read(b"MZ-nummer;naam\n1;Jan\n").headers == ["MZ-nummer", "naam"]


def test_a_zip_that_is_no_workbook_is_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert refused(buffer.getvalue()).code == "unsupported_format"


def test_a_damaged_xlsx_is_unreadable() -> None:
    data = (FIXTURES / "leerlingen.xlsx").read_bytes()
    assert refused(data[: len(data) // 2], "leerlingen.xlsx").code == "unreadable_file"


# --- XLSX ----------------------------------------------------------------------------


def test_xlsx_cells_become_text_as_a_spreadsheet_shows_them() -> None:
    data = xlsx_bytes(
        ["a", "b", "c", "d", "e", "f"],
        [123456.0, 1.5, 1e-05, True, False, dt.datetime(2024, 1, 31, 13, 45)],
        ["99999999999999999999", None, "1e1000000", "'=1+1", "'x", "O'Brien"],
        [12345678901234, 1e20, -0.25, 0, dt.date(2011, 3, 4), dt.time(8, 30)],
    )
    table = read(data)
    assert cells(table) == [
        ["123456", "1.5", "0.00001", "WAAR", "ONWAAR", "31-01-2024"],
        ["99999999999999999999", "", "1e1000000", "=1+1", "'x", "O'Brien"],
        ["12345678901234", "100000000000000000000", "-0.25", "0", "04-03-2011", "08:30:00"],
    ]


def test_xlsx_blank_rows_are_skipped_but_counted() -> None:
    table = read(xlsx_bytes(["naam", "klas"], [None, None], ["Jan", "3A"], [], ["naam", "KLAS"]))
    assert [(row.number, row.cells) for row in table.rows] == [(3, ["Jan", "3A"])]


def test_xlsx_reads_only_the_first_sheet() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["naam"])
    workbook.active.append(["Jan"])
    workbook.create_sheet("Opleidingen").append(["havo 3"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert cells(read(buffer.getvalue())) == [["Jan"]]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_unpacking() -> None:
    bomb = _zip(
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * 20_000_000}
    )
    assert len(bomb) < 100_000
    assert refused(bomb, "leerlingen.xlsx").code == "unreadable_file"


def test_an_xlsx_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_XLSX_UNPACKED", 10_000)
    data = (FIXTURES / "leerlingen.xlsx").read_bytes()
    assert refused(data, "leerlingen.xlsx").code == "too_large"


def test_an_xlsx_with_too_many_entries_is_refused() -> None:
    data = _zip({f"xl/part{i}.xml": b"<x/>" for i in range(1001)} | {"xl/workbook.xml": b"<w/>"})
    assert refused(data, "leerlingen.xlsx").code == "unreadable_file"


def test_an_xlsx_entity_bomb_is_refused_before_parsing() -> None:
    source = zipfile.ZipFile(FIXTURES / "leerlingen.xlsx")
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + entries["xl/worksheets/sheet1.xml"].replace(b"Jansen", b"&lol2;")
    )
    problem = refused(_zip(entries), "leerlingen.xlsx")
    assert problem.code == "unreadable_file"
    assert "ENTITY" in problem.message


# --- values are read as written ------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["1e1000000", "99999999999999999999", "ｍａｒｉａ", "maria\u200b", "ab\u202ecd"]
)
def test_it_reads_values_as_text_exactly(value: str) -> None:
    assert cells(read(f"a;b\n{value};x\n".encode()))[0][0] == value


def test_it_reads_formula_escaped_cells_back_as_written() -> None:
    table = read(b"a;b;c;d;e\n'=HYPERLINK(\"x\");'+31 6;'-5;'@home;'x\n\"'\t1\";O'Brien;';'';x\n")
    assert cells(table) == [
        ['=HYPERLINK("x")', "+31 6", "-5", "@home", "'x"],
        ["\t1", "O'Brien", "'", "''", "x"],
    ]


# --- damaged text: named by the validator, never repaired here ---------------------------


def test_it_leaves_mojibake_in_place_for_the_validator() -> None:
    assert cells(read("a;b\nZoÃ«;1\n".encode()))[0][0] == "ZoÃ«"


@pytest.mark.parametrize(
    "damaged, repaired",
    [
        ("ZoÃ«", "Zoë"),
        ("Ãœnal", "Ünal"),
        ("Ã‡elik", "Çelik"),
        ("DaniÃ«lle", "Daniëlle"),
        ("Ã\x9cnal", "Ünal"),
    ],
)
def test_it_repairs_utf8_read_as_ansi(damaged: str, repaired: str) -> None:
    assert repair_mojibake(damaged) == repaired


@pytest.mark.parametrize("text", ["Zoë", "Jansen", "“Annie”", "ﬁ", "", "van der Berg"])
def test_it_repairs_nothing_in_clean_text(text: str) -> None:
    assert repair_mojibake(text) is None


@pytest.mark.parametrize(
    "text, suspect",
    [
        ("Zo?", True),
        ("Ana?s", True),
        ("Zo\ufffd", True),
        ("\ufffd", True),
        ("Zoë", False),
        ("3 ? 4", False),
        ("?", False),
    ],
)
def test_it_flags_a_question_mark_or_replacement_character_where_a_letter_belongs(
    text: str, suspect: bool
) -> None:
    assert has_suspect_characters(text) is suspect


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a;b",
        "a;b\r\n1;2\r\n",
        "a;b\n1;2",
        "a;b\r1;2\r",
        'a;b\r\n"x\r\ny";2\r\n',
        'a;b\n"x\x0cy";2\n',
        "a;b\n1\u2028;2\x1c\n",
        'a;b\n"\x85";\x0b\n',
    ],
)
def test_lines_are_split_as_a_file_opened_with_newline_empty_splits_them(text):
    assert list(csv_text._lines(text)) == list(io.StringIO(text, newline=""))
