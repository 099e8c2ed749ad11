"""An EDEXML upload as Klasse keeps it: a new EDEXML document with only the fields Klasse
reads (issue 16, item 4). The wizard stores this instead of the uploaded bytes, so that a
pupil's BSN, birth date, gender, nationality or weight never reaches the database, not even
for the minutes between the upload and the import. Reading it gives the same table as
reading the original (`read_edexml`)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .edexml import EDEX_HEADERS, EdexInfo, looks_like_edexml, read_edexml
from .reading import read_table

_AT = {name: index for index, name in enumerate(EDEX_HEADERS)}


def strip_upload(data: bytes, file_name: str, *, max_rows: int, max_bytes: int) -> bytes:
    """`data` itself when it is no EDEXML (CSV and XLSX are kept as uploaded), else the
    stripped document. FileProblem as `read_edexml` (a too large file: `too_large`, checked
    before anything is parsed)."""
    if not looks_like_edexml(data):
        return data
    if len(data) > max_bytes:  # refused by read_table with its message, before parsing
        read_table(data, file_name, max_bytes=max_bytes)
    rows, info = read_edexml(data, file_name, max_rows=max_rows)
    return stripped(rows, info)


def _el(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>" if text else ""


def stripped(rows: list, info: EdexInfo) -> bytes:
    """The EDEXML document of `rows` and `info` (from `read_edexml`), UTF-8."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<EDEX><school>',
        _el("schooljaar", info.school_year),
        _el("brincode", info.brin),
        _el("dependancecode", info.dependance),
        "<xsdversie>2.1</xsdversie></school><groepen>",
    ]
    group_keys = {}
    for index, group in enumerate(info.groups):
        group_keys[group.name] = f"g{index}"
        out.append(
            f'<groep key="g{index}">{_el("naam", group.name)}'
            f"{_el('jaargroep', group.jaargroep)}</groep>"
        )
    out.append("</groepen><samengestelde_groepen>")
    composed = {}
    for index, name in enumerate(info.composed_groups):
        composed[name] = f"s{index}"
        out.append(f'<samengestelde_groep key="s{index}">{_el("naam", name)}</samengestelde_groep>')
    out.append("</samengestelde_groepen><leerlingen>")
    pupils = [cells for _, cells in rows if cells[_AT["role"]] == "leerling"]
    teachers = [cells for _, cells in rows if cells[_AT["role"]] != "leerling"]
    for cells in pupils:
        group = group_keys.get(cells[_AT["class_name"]])
        year = cells[_AT["programme"]].removeprefix("groep ")
        out.append(
            _person("leerling", cells, composed)
            + (_el("jaargroep", year) if year.isdigit() else "")
            + (f'<groep key="{group}"/>' if group else "")
            + _composed(cells, composed)
            + "</leerling>"
        )
    out.append("</leerlingen><leerkrachten>")
    for cells in teachers:
        taught = [n.strip() for n in cells[_AT["class_name"]].split(",") if n.strip()]
        refs = "".join(f'<groep key="{group_keys[n]}"/>' for n in taught if n in group_keys)
        out.append(
            _person("leerkracht", cells, composed)
            + f"<groepen>{refs}</groepen>"
            + _composed(cells, composed)
            + "</leerkracht>"
        )
    out.append("</leerkrachten></EDEX>\n")
    return "".join(out).encode("utf-8")


def _person(tag: str, cells: list[str], composed: dict[str, str]) -> str:
    return (
        f"<{tag} key={quoteattr(cells[_AT['external_id']])}>"
        + _el("eckid", cells[_AT["eck_id"]])
        + _el("achternaam", cells[_AT["last_name"]])
        + _el("voorvoegsel", cells[_AT["infix"]])
        + _el("roepnaam", cells[_AT["first_name"]])
        + _el("gebruikersnaam", cells[_AT["username"]])
        + _el("emailadres", cells[_AT["email"]])
    )


def _composed(cells: list[str], composed: dict[str, str]) -> str:
    names = [n.strip() for n in cells[_AT["groups"]].split(",") if n.strip()]
    refs = "".join(f'<samengestelde_groep key="{composed[n]}"/>' for n in names if n in composed)
    return f"<samengestelde_groepen>{refs}</samengestelde_groepen>"
