"""The preview's table: one line per row of the file and per account to archive, filtered
by kind and cut into pages, so that a school of thousands never lands on one page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..core.planning import ArchivedAccount, Plan, PlannedRow
from ..core.problems import Problem
from ..core.row_changes import CHANGE_LABELS, ROLE_LABELS

PAGE_SIZE = 50
# The counts, in the order and the words of the manual: (key in Plan.counts, label, filter).
COUNTS = (
    ("add", _("nieuw"), "nieuw"),
    ("update", _("bijgewerkt"), "bijgewerkt"),
    ("unchanged", _("ongewijzigd"), "ongewijzigd"),
    ("archive", _("gearchiveerd"), "gearchiveerd"),
    ("skipped", _("overgeslagen"), "overgeslagen"),
    ("error", _("fouten"), "fouten"),
)
KIND_LABELS = {
    "add": _("nieuw"),
    "update": _("bijgewerkt"),
    "unchanged": _("ongewijzigd"),
    "archive": _("gearchiveerd"),
    "skipped": _("overgeslagen"),
    "error": _("fout"),
}
FILTERS = {"alle": _("alle"), **{f: label for _k, label, f in COUNTS}, "meldingen": _("meldingen")}


@dataclass
class Line:
    kind: str
    number: int | None
    name: str
    username: str
    class_name: str = ""
    programme: str = ""
    role: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # A new account's lesgroepen and ECK iD (label, value): an update shows them as changes.
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def count_items(counts: dict[str, int]) -> list[tuple[str, int, str]]:
    """(label, number, filter) for each count, in the manual's order."""
    return [(label, counts.get(key, 0), show) for key, label, show in COUNTS]


def lines_page(plan: Plan, *, show: str, page: str | None) -> Page:
    """The page of lines to show; its `object_list` holds `Line`s."""
    entries = _selected(plan, show)
    chosen = Paginator(entries, PAGE_SIZE).get_page(page)
    chosen.object_list = [_line(entry) for entry in chosen.object_list]
    return chosen


def _selected(plan: Plan, show: str) -> list[PlannedRow | ArchivedAccount]:
    kind = {f: key for key, _label, f in COUNTS}.get(show)
    if show == "meldingen":
        return [p for p in plan.rows if p.row.errors or p.row.warnings]
    if kind == "archive":
        return list(plan.archive)
    rows = [p for p in plan.rows if kind is None or p.action == kind]
    return rows + list(plan.archive) if kind is None else rows


def _line(entry: PlannedRow | ArchivedAccount) -> Line:
    if isinstance(entry, ArchivedAccount):
        return Line("archive", None, entry.name, entry.username, entry.class_name)
    values, row = entry.row.values, entry.row
    name = " ".join(values[f] for f in ("first_name", "infix", "last_name") if values.get(f))
    return Line(
        kind=entry.action,
        number=row.number,
        name=name,
        username=row.username,
        class_name=", ".join(row.class_names),
        programme=row.programme or values.get("programme", ""),
        role=gettext(ROLE_LABELS[row.role]) if row.role in ROLE_LABELS else "",
        changes=[_change(f, old, new) for f, (old, new) in entry.changes.items()],
        problems=[*row.errors, *row.warnings],
        details=_details(values) if entry.action == "add" else [],
    )


def _details(values: dict[str, str]) -> list[tuple[str, str]]:
    """What a new account gets besides the table's columns: its lesgroepen and ECK iD."""
    return [
        (gettext(CHANGE_LABELS[fld]), values[fld])
        for fld in ("groups", "eck_id")
        if values.get(fld)
    ]


# Changes whose old and new values are the plan's own words (a role, "gearchiveerd" →
# "actief", "nieuw wachtwoord"), not values from the file: said in the reader's language.
_WORDED = frozenset({"role", "status", "password"})


def _change(fld: str, old: str, new: str) -> tuple[str, str, str]:
    """(label, old, new) of one change, the label and the plan's own words translated."""
    if fld in _WORDED:
        old, new = (gettext(value) if value else value for value in (old, new))
    return gettext(CHANGE_LABELS[fld]), old, new
