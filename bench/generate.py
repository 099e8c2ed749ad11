"""Realistic import files for the benchmarks: Dutch names with accents, 40 classes.

Run `.venv/bin/python bench/generate.py N FILE [--passwords] [--seed S]` to write a file,
or import the functions: `people(n)` makes the rows, `write_csv(path, rows)` writes them
as Klasse's template (`;`, UTF-8 with BOM, the template's headers in order).

Every value is deterministic for a seed, usernames and e-mail addresses are unique, and each
class has the programme that matches it (`3HA` is in `havo 3`), so that a file imports
without a single error or warning: the benchmarks measure the work, not the messages.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from klasse.imports.core.mapping import LABELS

HEADERS = tuple(LABELS.values())

FIRST_NAMES = (
    # With accents and diaereses, as Dutch registrations write them.
    "Zoë", "Daniëlle", "Anaïs", "Noël", "Ünal", "Chloë", "Joël", "Raphaël", "Michiël",
    "Rafaël", "Ilse", "Loïs", "Gaël", "Maëlle", "Noëlle", "Mirthe", "Eline", "Renée",
    "André", "José", "Sébastien", "Björn", "Jürgen", "Søren", "Çağla", "Ayşe", "Şükrü",
    "Özlem", "Gülşen", "Élodie", "Inès", "Hélène", "Thérèse", "Desirée", "Naïma",
    # Plain, and the most common in Dutch classrooms.
    "Emma", "Julia", "Mila", "Tess", "Sophie", "Sara", "Nora", "Fenna", "Liv", "Yara",
    "Lotte", "Saar", "Evi", "Noor", "Lieke", "Fleur", "Isa", "Roos", "Femke", "Anouk",
    "Noah", "Sem", "Liam", "Lucas", "Finn", "Daan", "Levi", "Luuk", "Mees", "Bram",
    "Sven", "Thijs", "Jesse", "Milan", "Ruben", "Stijn", "Jelle", "Niels", "Tim", "Gijs",
    "Mohammed", "Yusuf", "Amir", "Ibrahim", "Fatima", "Aya", "Priya", "Wei", "Kwame",
)  # fmt: skip

INFIXES = (
    # About two in five Dutch surnames carry a tussenvoegsel.
    "", "", "", "", "", "", "", "", "", "", "", "",
    "van", "van", "van", "de", "de", "de", "van der", "van der", "van den", "van de",
    "den", "ter", "te", "in 't", "op de", "van 't", "'t", "uit den", "von", "le", "da",
)  # fmt: skip

LAST_NAMES = (
    "Vries", "Jong", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos",
    "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Dijk", "Berg", "Leeuwen", "Wit",
    "Dijkstra", "Graaf", "Heuvel", "Linden", "Boer", "Veen", "Kok", "Jacobs", "Vermeulen",
    "Koster", "Huisman", "Prins", "Kuipers", "Willems", "Maas", "Postma", "Schouten",
    "Groot", "Hoek", "Wijk", "Bruijn", "Beek", "Çelik", "Yılmaz", "Öztürk", "Şahin",
    "Müller", "Schröder", "Gonçalves", "Núñez", "Moreau", "Løkke", "Ramdin", "Nguyễn",
    "Ruël", "Hoëll", "Gaëtan", "Mooij", "IJzerman", "IJsselstein", "Eijk", "Tuinstra",
)  # fmt: skip

# 40 classes, two per programme: `3HA` and `3HB` are both in `havo 3`.
_STREAMS = (
    ("V", "vwo", range(1, 7)),
    ("H", "havo", range(1, 6)),
    ("M", "vmbo-tl", range(1, 5)),
    ("K", "vmbo-kb", range(3, 5)),
    ("B", "vmbo-bb", range(3, 5)),
    ("G", "vmbo-gl", range(3, 4)),
)
CLASSES: tuple[tuple[str, str], ...] = tuple(
    (f"{year}{letter}{group}", f"{programme} {year}")
    for letter, programme, years in _STREAMS
    for year in years
    for group in "AB"
)
assert len(CLASSES) == 40
PROGRAMME_OF = dict(CLASSES)


@dataclass(frozen=True, slots=True)
class Person:
    last_name: str
    infix: str
    first_name: str
    username: str
    password: str
    email: str
    class_name: str
    programme: str
    role: str
    external_id: str
    eck_id: str = ""
    groups: str = ""

    def cells(self) -> tuple[str, ...]:
        """The row in the template's column order (see HEADERS)."""
        return (
            self.last_name,
            self.infix,
            self.first_name,
            self.username,
            self.password,
            self.email,
            self.class_name,
            self.programme,
            self.role,
            self.external_id,
            self.eck_id,
            self.groups,
        )


def ascii_fold(text: str) -> str:
    """`Zoë` → `zoe`, `in 't` → `int`: what schools put in usernames and addresses."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def people(n: int, *, seed: int = 2025, passwords: bool = False) -> list[Person]:
    """`n` students with unique usernames, e-mail addresses and student numbers.

    Usernames follow a common school scheme, initial + infix + surname + number
    (`zvdberg104233`), so that they are unique without looking generated.
    """
    rng = random.Random(seed)
    numbers = rng.sample(range(100_000, 1_000_000), n)  # stamnummers, unique
    rows = []
    for number in numbers:
        first = rng.choice(FIRST_NAMES)
        infix = rng.choice(INFIXES)
        last = rng.choice(LAST_NAMES)
        class_name, programme = rng.choice(CLASSES)
        initials = "".join(part[0] for part in infix.replace("'", "").split())
        username = f"{ascii_fold(first)[:1]}{initials.lower()}{ascii_fold(last)}{number}"
        email = f"{ascii_fold(first)}.{ascii_fold(infix + last)}.{number}@leerling.example.nl"
        rows.append(
            Person(
                last_name=last,
                infix=infix,
                first_name=first,
                username=username,
                password=_password(rng) if passwords else "",
                email=email,
                class_name=class_name,
                programme=programme,
                role="leerling",
                # Exports keep leading zeros of shorter numbers: every value is text.
                external_id=f"{number:07d}" if number % 7 == 0 else str(number),
                # Every pupil has an ECK iD since 2022 (a pseudonym, here made from the
                # number); the lesgroepen column is there and empty (no groups).
                eck_id=f"https://id.school/LL_{hashlib.sha256(str(number).encode()).hexdigest()}",
            )
        )
    return rows


def other_class(person: Person) -> Person:
    """The same student in the parallel class of the same programme (`3HA` ↔ `3HB`)."""
    name = person.class_name
    moved = name[:-1] + ("B" if name.endswith("A") else "A")
    return replace(person, class_name=moved)


_WORDS = ("fiets", "molen", "tulp", "grach", "kaas", "dijk", "polder", "klomp", "stroop")


def _password(rng: random.Random) -> str:
    # Long enough and never one of the common passwords: the policy accepts every one.
    return f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{rng.randrange(10**6):06d}!"


def csv_bytes(rows: list[Person]) -> bytes:
    """The template's CSV: `;`, UTF-8 with BOM, CRLF line ends (as Excel writes it)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(row.cells() for row in rows)
    return out.getvalue().encode("utf-8-sig")


def write_csv(path: Path | str, rows: list[Person]) -> Path:
    path = Path(path)
    path.write_bytes(csv_bytes(rows))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("file", type=Path)
    parser.add_argument("--passwords", action="store_true")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    write_csv(args.file, people(args.n, seed=args.seed, passwords=args.passwords))
    print(f"{args.n} rows → {args.file} ({args.file.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
