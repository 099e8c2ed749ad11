"""Independent corpora (tests/corpora): csv-spectrum reads exactly as its JSON says, and
every naughty string survives reading. No database needed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from klasse.accounts.rules import repair_mojibake
from klasse.imports.core.reading import has_suspect_characters, read_table

# Public corpora kept in the repository, with their licences (tests/corpora/README.md).
CORPORA = Path(__file__).resolve().parents[1] / "corpora"
SPECTRUM = CORPORA / "csv-spectrum"
# Known to be inconsistent upstream: its JSON differs from its CSV.
SPECTRUM_CASES = sorted(
    path.stem for path in (SPECTRUM / "csvs").glob("*.csv") if path.stem != "location_coordinates"
)
NAUGHTY: list[str] = json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))


def test_the_corpora_are_present() -> None:
    assert len(SPECTRUM_CASES) == 11
    assert len(NAUGHTY) > 500


@pytest.mark.parametrize("name", SPECTRUM_CASES)
def test_csv_spectrum_reads_as_its_json_says(name: str) -> None:
    data = (SPECTRUM / "csvs" / f"{name}.csv").read_bytes()
    expected = json.loads((SPECTRUM / "json" / f"{name}.json").read_text(encoding="utf-8"))
    table = read_table(data, f"{name}.csv")
    assert table.delimiter == ","
    assert table.headers == list(expected[0])
    assert [dict(zip(table.headers, row.cells, strict=True)) for row in table.rows] == expected
    assert not any(row.extra_cells for row in table.rows)


def test_csv_spectrum_empty_keeps_empty_quoted_values() -> None:
    # empty.csv is a header, a row of a value and two quoted empty values, and a full row.
    table = read_table((SPECTRUM / "csvs" / "empty.csv").read_bytes(), "empty.csv")
    assert [row.cells for row in table.rows] == [["1", "", ""], ["2", "3", "4"]]
    assert [row.number for row in table.rows] == [2, 3]


@pytest.mark.parametrize("delimiter", [";", ","])
def test_every_naughty_string_reads_back_exactly(delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["nummer", "waarde"])
    writer.writerows([str(i), value] for i, value in enumerate(NAUGHTY))
    table = read_table(buffer.getvalue().encode("utf-8-sig"), "naughty.csv")
    by_number = {row.cells[0]: row.cells[1] for row in table.rows}
    for i, value in enumerate(NAUGHTY):
        expected = _unescaped(value)
        assert by_number[str(i)] == expected, f"naughty string {i}: {value!r}"


def test_the_damaged_text_helpers_never_crash_on_naughty_strings() -> None:
    for value in NAUGHTY:
        repaired = repair_mojibake(value)
        assert repaired is None or (isinstance(repaired, str) and repaired != value)
        assert isinstance(has_suspect_characters(value), bool)


def _unescaped(value: str) -> str:
    # Our export's formula escape is read back as the original value (docs/import-contract.md).
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value
