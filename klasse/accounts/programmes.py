"""The programme catalogue and the matching of what exports write (`3 HAVO`, `mavo 2`)."""

import json
import re
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).parent / "data" / "programmes.json"
_SEPARATORS = re.compile(r"[\s\-_.]+")
_NUMBER_FIRST = re.compile(r"^(\d+)([^\d].*)$")


def programme_key(text: str) -> str:
    """Case-, space- and hyphen-insensitive key; `3 havo` and `havo 3` give the same key."""
    key = _SEPARATORS.sub("", text.casefold())
    number_first = _NUMBER_FIRST.match(key)
    if number_first:
        key = number_first.group(2) + number_first.group(1)
    return key


def load_catalogue() -> list[dict]:
    """The shipped catalogue: a list of {"code": "havo 3", "aliases": ["..."]}."""
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


@cache
def catalogue_keys() -> dict[str, str]:
    """Every normalised spelling → catalogue code, from the shipped data alone (no database)."""
    keys: dict[str, str] = {}
    for entry in load_catalogue():
        for spelling in (entry["code"], *entry["aliases"]):
            keys.setdefault(programme_key(spelling), entry["code"])
    return keys


def match_programme(text: str) -> str | None:
    """The catalogue code that `text` names, or None."""
    return catalogue_keys().get(programme_key(text))


def catalogue_store(programme_model, alias_model) -> None:
    """Write the shipped catalogue into the database through the given models (a
    migration's historical ones): idempotent, so a later catalogue adds programmes and
    aliases while existing programmes keep their ids, and with them their students."""
    seen = set()
    for order, entry in enumerate(load_catalogue()):
        programme, _ = programme_model.objects.update_or_create(
            code=entry["code"], defaults={"sort_order": order}
        )
        for spelling in (entry["code"], *entry["aliases"]):
            key = programme_key(spelling)
            if key not in seen:
                seen.add(key)
                alias_model.objects.update_or_create(key=key, defaults={"programme": programme})
