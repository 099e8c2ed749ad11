"""A `Table` as bytes and back, so that a file is read once: the background reading
stores what it read, and the mapping page, the preview and the import load it instead of
parsing the file again (issue 14, item 3). Compressed JSON: plain data, no pickle, so a
stored value can never run code when it is loaded.
"""

from __future__ import annotations

import json
import zlib

from .cell_problems import CellProblem
from .problems import Problem
from .reading import Row, Table
from .texts import text_data, text_from_data

_VERSION = 1


def table_dump(table: Table) -> bytes:
    """`table` as zlib-compressed JSON (a 100,000-row file: a few megabytes)."""
    content = {
        "version": _VERSION,
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "headers": table.headers,
        "rows": [[row.number, row.cells, row.extra_cells] for row in table.rows],
        # Each warning's message also as data, to be said in the reader's language.
        "warnings": [
            {**problem.as_dict(), "message": text_data(problem.message)}
            for problem in table.warnings
        ],
        "sheet": table.sheet,
        "sheets": table.sheets,
        "cell_problems": [
            [number, index, problem.code, problem.shown]
            for number, cells in table.cell_problems.items()
            for index, problem in cells.items()
        ],
        "encoding_sure": table.encoding_sure,
        "edex": table.edex,
    }
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 1)


def table_load(stored: bytes) -> Table:
    """The `Table` that `table_dump` stored; ValueError for bytes it did not write."""
    try:
        content = json.loads(zlib.decompress(stored))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("not a stored table") from error
    if content.get("version") != _VERSION:
        raise ValueError("a stored table of another version")
    cell_problems: dict = {}
    for number, index, code, shown in content["cell_problems"]:
        cell_problems.setdefault(number, {})[index] = CellProblem(code, shown)
    return Table(
        format=content["format"],
        encoding=content["encoding"],
        delimiter=content["delimiter"],
        headers=content["headers"],
        rows=[Row(number, cells, extra) for number, cells, extra in content["rows"]],
        warnings=[
            Problem(**{**problem, "message": text_from_data(problem["message"])})
            for problem in content["warnings"]
        ],
        sheet=content["sheet"],
        sheets=content["sheets"],
        cell_problems=cell_problems,
        encoding_sure=content["encoding_sure"],
        edex=content.get("edex"),
    )
