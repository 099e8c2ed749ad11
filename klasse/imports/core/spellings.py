"""Notices about values read as another spelling than the file wrote: said once per
distinct value, so that a school sees how Klasse understood its export."""

from __future__ import annotations

from collections import Counter

from klasse.accounts.programmes import match_programme, programme_key

from .problems import Problem
from .reading import Table


def programme_spellings(table: Table, mapping: dict[str, str | None]) -> list[Problem]:
    """One warning (`programme_spelling`) per distinct opleiding that the catalogue knows
    under another name (`atheneum 2` → `vwo 2`, `3 HAVO/VWO` → `havo/vwo 3`), on the first
    row that holds it. Case and spaces alone (`HAVO 3`) are not worth a word; unknown
    programmes are the validator's (`unknown_programme`). The import contract lists the
    aliases (docs/import-contract.md, "Programmes")."""
    column = next((h for h, field in mapping.items() if field == "programme"), None)
    if column is None:
        return []
    index = table.headers.index(column)
    # One notice per spelling, whatever its case and spaces (`Atheneum 2`, `atheneum 2`).
    first: dict[str, tuple[str, int]] = {}  # key → (the first value, its row)
    counts: Counter[str] = Counter()
    for row in table.rows:
        value = row.cells[index].strip()
        key = programme_key(value)
        counts[key] += 1
        if key not in first:
            first[key] = (value, row.number)
    notices = []
    for key, (value, number) in first.items():
        code = match_programme(value) if value else None
        if code is None or key == programme_key(code):
            continue
        others = counts[key] - 1
        where = f"rij {number}" + (
            f" en {others} andere {'rij' if others == 1 else 'rijen'}" if others else ""
        )
        message = (
            f"De opleiding '{value}' is gelezen als '{code}' ({where}). Klopt dat niet? "
            "Pas de opleiding aan in het bestand of kies er een uit het tabblad Opleidingen "
            "van het sjabloon."
        )
        notices.append(
            Problem(number, column, "programme", "warning", "programme_spelling", message)
        )
    return notices
