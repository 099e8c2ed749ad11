"""Property: any table written by Python's csv module, in every encoding and separator that
Klasse accepts, reads back identical. No database needed."""

from __future__ import annotations

import csv
import io

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from klasse.imports.core.csv_text import DELIMITERS, ENCODINGS
from klasse.imports.core.reading import read_table

# Everything Windows-1252 can encode except NUL; the other encodings get all of Unicode.
# Not Ctrl-Z either: after the last value it is DOS's end-of-file mark, and ends the data.
CP1252 = "".join(ch for ch in bytes(range(1, 256)).decode("cp1252", "ignore") if ch != "\x1a")
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


@settings(max_examples=60, deadline=None)
@given(
    table=tables(ANY_TEXT),
    encoding=st.sampled_from([e for e in ENCODINGS if e != "cp1252"]),
    delimiter=st.sampled_from(DELIMITERS),
)
def test_any_unicode_table_reads_back_identical(
    table: tuple[list[str], list[list[str]]], encoding: str, delimiter: str
) -> None:
    headers, rows = table
    _assume_plain_text_start(headers)
    result = read_table(_write(headers, rows, delimiter).encode(encoding), "tabel.csv")
    assert (result.encoding, result.delimiter) == (encoding, delimiter)
    assert result.headers == headers
    assert [row.cells for row in result.rows] == rows
    assert not any(row.extra_cells for row in result.rows)


@settings(max_examples=60, deadline=None)
@given(table=tables(st.sampled_from(CP1252)), delimiter=st.sampled_from(DELIMITERS))
def test_any_windows_1252_table_reads_back_identical(
    table: tuple[list[str], list[list[str]]], delimiter: str
) -> None:
    headers, rows = table
    _assume_plain_text_start(headers)
    data = _write(headers, rows, delimiter).encode("cp1252")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        expected_encoding = "cp1252"
    else:
        # Bytes that are valid UTF-8 are read as UTF-8: only pure ASCII reads the same.
        assume(data.isascii())
        expected_encoding = "utf-8"
    result = read_table(data, "tabel.csv")
    assert (result.encoding, result.delimiter) == (expected_encoding, delimiter)
    assert result.headers == headers
    assert [row.cells for row in result.rows] == rows
