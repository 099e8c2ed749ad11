"""Read an EDEXML 2.1 file (`EDEX.XML` from ParnasSys, ESIS and the other pupil
administrations; Edustandaard) or a UWLR `leerlinggegevens` answer into a `Table`.

The table is the one the CSV and XLSX readers give, with Klasse's own field names as
headers (`EDEX_HEADERS`): one row per leerling, then one per leerkracht. Only the fields
Klasse needs are read; BSN, birth date, gender, nationality and everything else the file
carries are never copied out of the parsed tree (privacy by design: docs/import-contract.md,
"EDEXML"). What the file says about itself (school year, BRIN, the groups with their
jaargroep and number of pupils, the number of teachers) comes along as `EdexInfo`.

Safety, as for XLSX (`xlsx.py`): the size is checked before anything else, a DOCTYPE or
ENTITY declaration (an entity bomb, an external entity) is refused by a byte scan before
parsing, and the parser (defusedxml) refuses them once more and never reaches the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from .mapping import FIELDS
from .problems import FileProblem

# Every field of the import but the password (an EDEXML file carries none), in its order.
EDEX_HEADERS: tuple[str, ...] = tuple(name for name in FIELDS if name != "password")
UWLR_NAMESPACE = "http://www.edustandaard.nl/leerresultaten/2/leerlinggegevens"
_SOAP_NAMESPACES = (
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
)
SCHOOL_YEAR = re.compile(r"(\d{4})-(\d{4})")
BRIN = re.compile(r"[0-9]{2}[A-Z0-9]{2}")
# The same scan as for XLSX, also in UTF-16 (which XML allows).
_DTD = re.compile(rb"<!(?:doctype|entity)|<\x00!\x00[de]\x00|\x00<\x00!\x00[de]", re.IGNORECASE)
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_RESAVE = "Exporteer het bestand opnieuw uit de leerlingadministratie (EDEXML 2.1)."


@dataclass
class EdexGroup:
    """A groep (stamgroep) of the file: its name, jaargroep (`"3"`, `"12"`, `"S"`, or "")
    and how many pupils it has."""

    name: str
    jaargroep: str
    pupils: int = 0

    @property
    def programme(self) -> str:
        """`groep 1`…`groep 8` for jaargroep 1–8 (the catalogue's codes); "" otherwise:
        the administrator chooses (`edexml_options`)."""
        return f"groep {int(self.jaargroep)}" if self.jaargroep in _PRIMARY else ""


_PRIMARY = frozenset(str(n) for n in range(1, 9)) | frozenset(f"0{n}" for n in range(1, 9))


@dataclass
class EdexInfo:
    """What an EDEXML file says about itself, for the wizard's summary and the checks."""

    variant: str  # "edex" or "uwlr"
    school_year: str  # "2025-2026"
    brin: str  # "12AB", upper case; "" when the file has none
    dependance: str
    groups: list[EdexGroup] = field(default_factory=list)
    composed_groups: list[str] = field(default_factory=list)  # samengestelde groepen
    teachers: int = 0
    usernames_missing: int = 0  # people without a gebruikersnaam

    def as_dict(self) -> dict:
        return {
            "variant": self.variant,
            "school_year": self.school_year,
            "brin": self.brin,
            "dependance": self.dependance,
            "groups": [[g.name, g.jaargroep, g.pupils] for g in self.groups],
            "composed_groups": self.composed_groups,
            "teachers": self.teachers,
            "usernames_missing": self.usernames_missing,
        }

    @classmethod
    def from_dict(cls, data: dict) -> EdexInfo:
        groups = [EdexGroup(name, jaar, pupils) for name, jaar, pupils in data["groups"]]
        return cls(
            data["variant"],
            data["school_year"],
            data["brin"],
            data["dependance"],
            groups,
            list(data["composed_groups"]),
            data["teachers"],
            data["usernames_missing"],
        )


def looks_like_edexml(data: bytes) -> bool:
    """Whether the first element of `data` is an EDEXML root (`EDEX`, no namespace), a
    UWLR `leerlinggegevens` or a SOAP envelope (whose answer is then looked for). Only the
    first 4 KB are looked at; `read_edexml` checks the whole document."""
    head = _head_text(data[:4096])
    match = _FIRST_TAG.search(_after_prolog(head))
    if match is None:
        return False
    name = match.group(2)
    return name in ("EDEX", "leerlinggegevens", "leerlinggegevens_antwoord") or (
        name == "Envelope" and "leerlinggegevens" in _head_text(data[:65536])
    )


def read_edexml(data: bytes, file_name: str, *, max_rows: int) -> tuple[list, EdexInfo]:
    """The rows of an EDEXML file and what it says about itself, or FileProblem.

    Returns `(rows, info)`: rows are `[number, cells]` in the order of `EDEX_HEADERS`,
    numbered from 2 as a spreadsheet with a header row would (row 2 is the first
    leerling; the leerkrachten follow the leerlingen). Errors: `unreadable_file` for a
    DOCTYPE/ENTITY (refused before parsing), broken XML, a wrong root or a missing or
    malformed `school` part; `too_large` for more than `max_rows` people; `empty_file`
    for a file without leerlingen and leerkrachten. The caller checks the size first.
    Source: EDEXML 2.1 (Edustandaard), UWLR 2 leerlinggegevens."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    if _DTD.search(data):
        raise FileProblem(
            "unreadable_file",
            f"'{file_name}' bevat XML-definities (DOCTYPE/ENTITY) die een EDEXML-bestand "
            f"niet heeft, en wordt daarom niet geopend. {_RESAVE}",
        )
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError, UnicodeError, LookupError) as error:
        raise FileProblem(
            "unreadable_file",
            f"'{file_name}' is geen leesbaar XML-bestand (het is beschadigd of niet helemaal "
            f"gedownload).{_where(error)} {_RESAVE}",
        ) from None
    body, variant = _payload(root, file_name)
    info = _school_info(body, variant)
    return _people(body, info, max_rows), info


def _where(error: Exception) -> str:
    """ " De eerste fout staat op regel 12, kolom 5." from the parser's position (expat
    counts lines from 1 and columns from 0); "" when the parser gives none."""
    position = getattr(error, "position", None)
    if not position:
        return ""
    line, column = position
    return f" De eerste fout staat op regel {line}, kolom {column + 1}."


def _payload(root: Element, file_name: str) -> tuple[Element, str]:
    """The element that holds `school`, `groepen`, `leerlingen`…: the root `EDEX`, or the
    UWLR `leerlinggegevens` (bare, or in a SOAP envelope's Body). The standard's `EDEX` has
    no namespace; one that has one anyway is read all the same."""
    if _split(root.tag)[1] == "EDEX":
        return root, "edex"
    namespace, name = _split(root.tag)
    if namespace in _SOAP_NAMESPACES and name == "Envelope":
        body = next((c for c in root if _split(c.tag) == (namespace, "Body")), None)
        answer = None if body is None else next(iter(body), None)
        if answer is not None and _split(answer.tag)[1] == "Fault":
            raise FileProblem(
                "unreadable_file",
                f"'{file_name}' is een foutmelding van de leerlingadministratie (SOAP Fault), "
                "geen leerlinggegevens. Vraag de gegevens opnieuw op.",
            )
        root = answer if answer is not None else root
        namespace, name = _split(root.tag)
    if namespace == UWLR_NAMESPACE and name in ("leerlinggegevens", "leerlinggegevens_antwoord"):
        inner = _child(root, "leerlinggegevens")
        return (inner if inner is not None else root), "uwlr"
    raise FileProblem(
        "unsupported_format",
        f"'{file_name}' is een XML-bestand, maar geen EDEXML (het hoofdelement is "
        f"'{name}', niet 'EDEX'). {_RESAVE}",
    )


def _school_info(body: Element, variant: str) -> EdexInfo:
    school = _child(body, "school")
    if school is None:
        raise FileProblem(
            "unreadable_file", f"Het EDEXML-bestand mist het onderdeel 'school'. {_RESAVE}"
        )
    year = _text(school, "schooljaar")
    if not SCHOOL_YEAR.fullmatch(year) or int(year[5:]) != int(year[:4]) + 1:
        raise FileProblem(
            "unreadable_file",
            f"Het schooljaar van het EDEXML-bestand is {year or 'leeg'!r}; verwacht is de vorm "
            f"JJJJ-JJJJ, bijvoorbeeld 2025-2026. {_RESAVE}",
        )
    brin = _text(school, "brincode").upper()
    if brin and not BRIN.fullmatch(brin):
        raise FileProblem(
            "unreadable_file",
            f"De BRIN-code van het EDEXML-bestand is {brin[:20]!r}; een BRIN-code is twee "
            f"cijfers en twee letters of cijfers, bijvoorbeeld 12AB. {_RESAVE}",
        )
    return EdexInfo(variant, year, brin, _text(school, "dependancecode"))


def _people(body: Element, info: EdexInfo, max_rows: int) -> list:
    groups: dict[str, EdexGroup] = {}
    for element in _children(_child(body, "groepen"), "groep"):
        group = EdexGroup(_text(element, "naam"), _text(element, "jaargroep").upper())
        groups[element.get("key", "")] = group
        info.groups.append(group)
    composed = {
        element.get("key", ""): _text(element, "naam")
        for element in _children(_child(body, "samengestelde_groepen"), "samengestelde_groep")
    }
    info.composed_groups = [name for name in composed.values() if name]
    pupils = _children(_child(body, "leerlingen"), "leerling")
    teachers = _children(_child(body, "leerkrachten"), "leerkracht")
    if len(pupils) + len(teachers) > max_rows:
        raise FileProblem(
            "too_large",
            f"Het bestand heeft meer dan {max_rows} leerlingen en leerkrachten. Exporteer het "
            "bestand per vestiging (dependance) uit de leerlingadministratie en importeer de "
            "bestanden na elkaar, of vraag de administratie om een kleiner bestand.",
        )
    if not pupils and not teachers:
        raise FileProblem(
            "empty_file",
            "Het EDEXML-bestand bevat geen leerlingen en geen leerkrachten. Exporteer het "
            "opnieuw met de leerlingen erin.",
        )
    rows = []
    group_names = {key: group.name for key, group in groups.items()}
    for number, element in enumerate(pupils, 2):
        parts = _parts(element)
        group = groups.get(_ref(parts.get("groep")))
        if group is not None:
            group.pupils += 1
        class_name = group.name if group is not None else ""
        # The pupil's own jaargroep first: a group 1-2 holds pupils of both years.
        own = EdexGroup(class_name, _own_text(parts, "jaargroep").upper())
        programme = own.programme if own.jaargroep else ""
        if not own.jaargroep and group is not None:
            programme = group.programme
        names = _refs(parts, "samengestelde_groepen", "samengestelde_groep", composed)
        rows.append([number, _person(element, parts, class_name, programme, "leerling", names)])
    for number, element in enumerate(teachers, len(pupils) + 2):
        parts = _parts(element)
        taught = _refs(parts, "groepen", "groep", group_names)
        names = _refs(parts, "samengestelde_groepen", "samengestelde_groep", composed)
        cells = _person(element, parts, ", ".join(taught), "", "docent", names)
        rows.append([number, cells])
    info.teachers = len(teachers)
    info.usernames_missing = sum(not cells[3] for _, cells in rows)
    return rows


def _parts(element: Element) -> dict[str, Element]:
    """A person's child elements by local name (the first of each): one pass over them,
    instead of one per field (`bench/edexml_bench.py`)."""
    parts: dict[str, Element] = {}
    for child in element:
        tag = child.tag
        parts.setdefault(tag.rpartition("}")[2] if tag[:1] == "{" else tag, child)
    return parts


def _own_text(parts: dict[str, Element], name: str) -> str:
    found = parts.get(name)
    return "" if found is None or found.text is None else found.text.strip()


def _person(element, parts, class_name: str, programme: str, role: str, groups) -> list:
    """The cells of one person, in the order of EDEX_HEADERS; nothing else is read."""
    eck_id = element.get("eckid") or _own_text(parts, "eckid")
    return [
        _own_text(parts, "achternaam"),
        _own_text(parts, "voorvoegsel"),
        _own_text(parts, "roepnaam") or _own_text(parts, "voornamen").split(" ")[0],
        _own_text(parts, "gebruikersnaam"),
        _own_text(parts, "emailadres"),
        class_name,
        programme,
        role,
        element.get("key", ""),
        eck_id,
        ", ".join(groups),
    ]


def _refs(parts: dict, outer: str, inner: str, names: dict[str, str]) -> list[str]:
    found = (names.get(_ref(ref), "") for ref in _children(parts.get(outer), inner))
    return list(dict.fromkeys(name for name in found if name))


def _ref(element: Element | None) -> str:
    return "" if element is None else element.get("key", "")


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if _split(c.tag)[1] == name), None)


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if _split(c.tag)[1] == name]


def _text(element: Element, name: str) -> str:
    found = _child(element, name)
    return "" if found is None or found.text is None else found.text.strip()


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    if head[:4] in (b"<\x00?\x00", b"<\x00E\x00"):
        return head.decode("utf-16-le", "ignore")
    return head.decode("utf-8", "ignore").lstrip("\ufeff")


_PROLOG = re.compile(r"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*", re.DOTALL)


def _after_prolog(text: str) -> str:
    return text[_PROLOG.match(text).end() :]
