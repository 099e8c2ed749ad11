"""Property: any table written by Python's csv module, in every encoding and separator that
Klasse accepts, reads back identical: any text in the Unicode encodings, any Windows-1252
character where the file holds UTF-8's impossible bytes, and names in every single-byte code
page (which Klasse must recognise from the names themselves). No database needed."""

from __future__ import annotations

import csv
import io

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from klasse.imports.core.code_pages import CODE_PAGES
from klasse.imports.core.csv_text import DELIMITERS
from klasse.imports.core.edexml import EDEX_HEADERS
from klasse.imports.core.edexml_strip import stripped
from klasse.imports.core.formulas import unescape_formulas
from klasse.imports.core.reading import read_table

# Not NUL, and not Ctrl-Z: after the last value it is DOS's end-of-file mark, and ends the
# data.
ANY_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00\x1a")


def _header_key(cell: str) -> str:
    return "".join(cell.split()).casefold()


@st.composite
def tables(draw: st.DrawFn, alphabet: st.SearchStrategy[str]) -> tuple[list[str], list[list[str]]]:
    # Headers as people name columns: printable, no separators, no surrounding spaces.
    header = st.text(alphabet, min_size=1, max_size=12).filter(
        lambda h: h == h.strip() and h.isprintable() and not any(d in h for d in DELIMITERS)
    )
    headers = draw(st.lists(header, min_size=2, max_size=6, unique_by=_header_key))
    cell = st.text(alphabet, max_size=15).filter(
        lambda c: not (c[:1] == "'" and c[1:2] in "=+-@\t\r" and c[1:2])
    )
    row = st.lists(cell, min_size=len(headers), max_size=len(headers)).filter(
        # The reader skips blank rows and rows that repeat the header, on purpose.
        lambda r: (
            any(c.strip() for c in r)
            and [_header_key(c) for c in r] != [_header_key(h) for h in headers]
        )
    )
    return headers, draw(st.lists(row, min_size=1, max_size=8))


def _write(headers: list[str], rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def _assume_plain_text_start(headers: list[str]) -> None:
    # A header that begins like a file signature would rightly be taken for that file.
    assume(not headers[0].startswith(("GIF8", "Rar!", "MZ", "%PDF", "<", "7z")))


def _assume_no_formula_escape(rows: list[list[str]]) -> None:
    # A cell such as `'=1` or `a;'@` is how an export escapes a formula (formulas.py), and
    # is read back without that `'` on purpose (tests/exports/test_formula_split.py).
    assume(all(unescape_formulas(cell) == cell for row in rows for cell in row))


@settings(max_examples=60, deadline=None)
@given(
    table=tables(ANY_TEXT),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    delimiter=st.sampled_from(DELIMITERS),
)
def test_any_unicode_table_reads_back_identical(
    table: tuple[list[str], list[list[str]]], encoding: str, delimiter: str
) -> None:
    headers, rows = table
    _assume_plain_text_start(headers)
    _assume_no_formula_escape([headers, *rows])
    result = read_table(_write(headers, rows, delimiter).encode(encoding), "tabel.csv")
    assert (result.encoding, result.delimiter) == (encoding, delimiter)
    assert result.headers == headers
    assert [row.cells for row in result.rows] == rows
    assert not any(row.extra_cells for row in result.rows)


# Names of pupils in Dutch schools with letters beyond ASCII, and some without.
NAMES = (
    "Zoë",
    "Daniël",
    "Anaïs",
    "Noël",
    "Chloé",
    "Mélanie",
    "Cécile",
    "François",
    "Loïs",
    "Inès",
    "Eliëtte",
    "Joëlle",
    "Sofie",
    "Jürgen",
    "Müller",
    "Björn",
    "Jörg",
    "Günther",
    "Straße",
    "Çelik",
    "Yılmaz",
    "Öztürk",
    "Şahin",
    "Ağaoğlu",
    "Ergün",
    "Bülent",
    "Gökhan",
    "Çağla",
    "Łukasz",
    "Wójcik",
    "Kowalska",
    "Gonçalves",
    "João",
    "Inês",
    "Ángel",
    "Muñoz",
    "Søren",
    "Åsa",
    "Ærø",
    "Ferhat",
    "El-Amrani",
    "Boumediène",
    "Aït",
    "Ouchène",
    "Benaïssa",
    "Hélène",
    "Gaëlle",
    "Raphaël",
    "de Vries",
    "van den Berg",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
)


@st.composite
def real_names(draw: st.DrawFn, page: str, at_least: int) -> list[list[str]]:
    """Rows of (voornaam, achternaam) from NAMES in `page`'s reach, with at least
    `at_least` different names beyond ASCII."""
    names = [n for n in NAMES if n.encode(page, "ignore").decode(page) == n]
    accented = [n for n in names if not n.isascii()]
    cell = st.sampled_from(names)
    rows = draw(st.lists(st.lists(cell, min_size=2, max_size=2), min_size=1, max_size=10))
    extra = draw(st.lists(st.sampled_from(accented), min_size=at_least, max_size=at_least))
    return [*rows, *([name, "Jansen"] for name in extra)]


def _read_in(page: str, rows: list[list[str]], delimiter: str):
    encoded = _write(["voornaam", "achternaam"], rows, delimiter).encode(page)
    try:
        encoded.decode("utf-8")
    except UnicodeDecodeError:
        return read_table(encoded, "namen.csv")
    assume(False)  # UTF-8 by chance (only ASCII here): read as UTF-8, rightly


@settings(max_examples=200, deadline=None)
@given(data=st.data(), page=st.sampled_from(CODE_PAGES), delimiter=st.sampled_from(DELIMITERS))
def test_names_in_any_code_page_read_back_identical_or_are_doubted(
    data: st.DataObject, page: str, delimiter: str
) -> None:
    rows = data.draw(real_names(page, at_least=0))
    result = _read_in(page, rows, delimiter)
    # Never silently wrong: what was written, or a choice Klasse says it is not sure of.
    assert [row.cells for row in result.rows] == rows or not result.encoding_sure


@settings(max_examples=200, deadline=None)
@given(data=st.data(), page=st.sampled_from(CODE_PAGES), delimiter=st.sampled_from(DELIMITERS))
def test_names_in_any_code_page_are_recognised_from_three_of_them(
    data: st.DataObject, page: str, delimiter: str
) -> None:
    rows = data.draw(
        real_names(page, at_least=3).filter(
            lambda rows: len({n for row in rows for n in row if not n.isascii()}) >= 3
        )
    )
    result = _read_in(page, rows, delimiter)
    assert [row.cells for row in result.rows] == rows, (page, result.encoding)


# What else a school's file holds in the single-byte pages: symbols on their own.
SYMBOLS = ["€", "–", "—", "•", "±", "§", "°", "½", "‰", "…", "«", "»", "¿"]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), page=st.sampled_from(CODE_PAGES), delimiter=st.sampled_from(DELIMITERS))
def test_symbols_standing_apart_never_decide_the_code_page(
    data: st.DataObject, page: str, delimiter: str
) -> None:
    headers, rows = ["voornaam", "achternaam"], data.draw(real_names(page, at_least=0))
    symbols = [s for s in SYMBOLS if s.encode(page, "ignore")]
    notes = st.lists(st.sampled_from(symbols), min_size=1, max_size=3).map(" ".join)
    rows = [[*row, f"{data.draw(notes)} 12"] for row in rows]
    encoded = _write([*headers, "opmerking"], rows, delimiter).encode(page)
    try:
        encoded.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        assume(False)
    result = read_table(encoded, "namen.csv")
    read = [row.cells for row in result.rows]
    assert read == rows or not result.encoding_sure, (page, result.encoding, read)


# --- EDEXML --------------------------------------------------------------------------------

# What XML 1.0 can hold: no control characters but tab and line feed (a carriage return
# becomes a line feed), no surrogates, no U+FFFE/U+FFFF.
XML_TEXT = st.text(
    st.characters(
        exclude_categories=("Cs", "Cc"),
        exclude_characters="\ufffe\uffff",
    ),
    min_size=1,
    max_size=15,
).filter(lambda text: text == text.strip())


@st.composite
def edexml_people(draw: st.DrawFn) -> tuple[bytes, list[list[str]]]:
    """An EDEXML document of arbitrary pupils in arbitrary groups, and the table rows it
    must read as (in EDEX_HEADERS order)."""
    from xml.sax.saxutils import escape, quoteattr

    groups = draw(st.lists(XML_TEXT, min_size=1, max_size=3, unique=True))
    years = [draw(st.sampled_from(["1", "5", "8", "12", "S"])) for _ in groups]
    out = [
        "<EDEX><school><schooljaar>2025-2026</schooljaar><brincode>12AB</brincode></school>",
        "<groepen>",
        *(
            f'<groep key="g{i}"><naam>{escape(name)}</naam><jaargroep>{year}</jaargroep></groep>'
            for i, (name, year) in enumerate(zip(groups, years, strict=True))
        ),
        "</groepen><leerlingen>",
    ]
    expected = []
    for number in range(draw(st.integers(1, 6))):
        last, first, infix = draw(XML_TEXT), draw(XML_TEXT), draw(st.one_of(st.just(""), XML_TEXT))
        index = draw(st.integers(0, len(groups) - 1))
        key = f"k{number}"
        out.append(
            f"<leerling key={quoteattr(key)}><achternaam>{escape(last)}</achternaam>"
            + (f"<voorvoegsel>{escape(infix)}</voorvoegsel>" if infix else "")
            + f'<roepnaam>{escape(first)}</roepnaam><bsn>123456782</bsn><groep key="g{index}"/>'
            + "</leerling>"
        )
        year = years[index]
        programme = f"groep {year}" if year in ("1", "5", "8") else ""
        expected.append(
            [last, infix, first, "", "", groups[index], programme, "leerling", key, "", ""]
        )
    out.append("</leerlingen></EDEX>")
    encoding = draw(st.sampled_from(["utf-8", "utf-16"]))
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    return (declaration + "".join(out)).encode(encoding), expected


@settings(max_examples=60, deadline=None)
@given(document=edexml_people())
def test_any_edexml_pupils_read_back_identical_and_survive_stripping(
    document: tuple[bytes, list[list[str]]],
) -> None:
    data, expected = document
    table = read_table(data, "EDEX.XML")
    assert table.format == "edexml" and table.headers == list(EDEX_HEADERS)
    assert [row.cells for row in table.rows] == expected
    assert [row.number for row in table.rows] == list(range(2, len(expected) + 2))
    # What the wizard stores reads back as the same table, without the BSN.
    kept = stripped([[row.number, row.cells] for row in table.rows], _info(table))
    assert b"123456782" not in kept
    assert [row.cells for row in read_table(kept, "EDEX.XML").rows] == expected


def _info(table):
    from klasse.imports.core.edexml import EdexInfo

    return EdexInfo.from_dict(table.edex)
