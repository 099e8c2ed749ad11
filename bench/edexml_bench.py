"""How long reading an EDEXML file takes, and storing its stripped copy (issue 16).

Run: .venv/bin/python bench/edexml_bench.py   (about half a minute)

The wizard reads an EDEXML upload twice: once in the request, to store only the fields
Klasse needs (`edexml_strip.strip_upload`), and once in the background reading
(`reading.read_table`). Both are timed for a primary school (8 groups, about 200 pupils),
a large school (2,000) and a whole board's file (20,000), median of 5 runs.
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klasse.settings")

import django  # noqa: E402

django.setup()

from klasse.imports.core.edexml_strip import strip_upload  # noqa: E402
from klasse.imports.core.reading import read_table  # noqa: E402
from tests.fixtures.edexml.make_edexml import GROUPS, edex  # noqa: E402

RUNS = 5


def median_seconds(work) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; median of {RUNS} runs"
    )
    for per_group in (25, 250, 2500):
        data = edex(groups=GROUPS, pupils_per_group=per_group).encode()
        people = len(read_table(data, "EDEX.XML", max_bytes=10**9).rows)
        read = median_seconds(lambda data=data: read_table(data, "EDEX.XML", max_bytes=10**9))
        kept = strip_upload(data, "EDEX.XML", max_rows=10**6, max_bytes=10**9)
        strip = median_seconds(
            lambda data=data: strip_upload(data, "EDEX.XML", max_rows=10**6, max_bytes=10**9)
        )
        print(
            f"{people:>6} people, {len(data) / 1e6:5.1f} MB: read {read:6.3f} s, "
            f"strip {strip:6.3f} s, stored {len(kept) / 1e6:5.1f} MB"
        )


if __name__ == "__main__":
    main()
