"""Reading a large Windows-1252 CSV, the figure that used to be a timed test.

Run: .venv/bin/python bench/reading_bench.py [--rows 100000] [--repeat 5]

Prints the median time of `read_table` (encoding recognition, separator sniffing, header
row, cells) on a semicolon-separated cp1252 file as Excel saves it, against Python's csv
module reading the same decoded text: the ratio says what Klasse's recognition costs.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time

from klasse.imports.core.reading import read_table


def make_file(rows: int) -> bytes:
    """A cp1252 CSV of `rows` students, header included (bytes)."""
    header = "achternaam;tussenvoegsel;voornaam;gebruikersnaam;klas;opleiding\r\n"
    body = "".join(f"Jansen{i};van der;Zoë;user{i};3HB;havo 3\r\n" for i in range(rows))
    return (header + body).encode("cp1252")


def median_seconds(work, repeat: int) -> float:
    """The median wall time of `repeat` calls of `work()`, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = make_file(args.rows)
    klasse = median_seconds(lambda: read_table(data, "leerlingen.csv"), args.repeat)
    plain = median_seconds(
        lambda: list(csv.reader(io.StringIO(data.decode("cp1252")), delimiter=";")), args.repeat
    )
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB, median of {args.repeat}")
    print(f"  read_table          {klasse:6.2f} s")
    print(f"  csv.reader (known)  {plain:6.2f} s   ratio {klasse / plain:.1f}x")


if __name__ == "__main__":
    main()
