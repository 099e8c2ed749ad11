"""Notices about values read as another spelling than the file wrote: said once per
distinct value, so that a school sees how Klasse understood its export."""

from __future__ import annotations

from klasse.accounts.programmes import match_programme, programme_key

from .code_pages import column_texts
from .problems import Problem
from .reading import Table
from .texts import say


def programme_spellings(table: Table, mapping: dict[str, str | None], rows) -> list[Problem]:
    """One warning (`programme_spelling`) per distinct opleiding that the catalogue knows
    under another name (`atheneum 2` → `vwo 2`, `3 HAVO/VWO` → `havo/vwo 3`), on the first
    row that holds it. Case and spaces alone (`HAVO 3`) are not worth a word; unknown
    programmes are the validator's (`unknown_programme`). The import contract lists the
    aliases (docs/import-contract.md, "Programmes")."""
    column = next((h for h, field in mapping.items() if field == "programme"), None)
    if column is None:
        return []
    numbered, cells = column_texts(table, rows, "programme", table.headers.index(column))
    # One notice per spelling, whatever its case and spaces (`Atheneum 2`, `atheneum 2`):
    # each distinct cell is looked at once, and only another spelling is counted.
    by_key: dict[str, list[str]] = {}
    for cell in set(cells):
        value = cell.strip()
        code = match_programme(value) if value else None
        if code is not None and programme_key(value) != programme_key(code):
            by_key.setdefault(programme_key(value), []).append(cell)
    notices = []
    for written in by_key.values():
        first = min(cells.index(cell) for cell in written)
        number, value = numbered[first].number, cells[first].strip()
        others = sum(cells.count(cell) for cell in written) - 1
        code = match_programme(value)
        if not others:
            where = say("rij %(row)s", row=number)
        elif others == 1:
            where = say("rij %(row)s en 1 andere rij", row=number)
        else:
            where = say("rij %(row)s en %(others)s andere rijen", row=number, others=others)
        message = say(
            "De opleiding '%(value)s' is gelezen als '%(code)s' (%(where)s). Klopt dat niet? "
            "Pas de opleiding aan in het bestand of kies er een uit het tabblad Opleidingen "
            "van het sjabloon.",
            value=value,
            code=code,
            where=where,
        )
        notices.append(
            Problem(number, column, "programme", "warning", "programme_spelling", message)
        )
    notices.sort(key=lambda problem: problem.row)
    return notices
