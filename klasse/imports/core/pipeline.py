"""The whole import as plain functions: read → map → validate → plan (→ apply).

The wizard, the `import` command and the background task all call these; a preview is
the same path without `apply_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from types import SimpleNamespace

from django.conf import settings

from klasse.accounts.models import School

from .applying import AppliedChanges, StalePlan, apply_plan
from .cell_problems import merge_cell_problems
from .code_pages import name_doubts
from .edexml import EdexInfo
from .edexml_choices import EdexOptions, location_of, prepare_edexml, programme_hints
from .mapping import (
    FIELDS,
    LABELS,
    Mapping,
    apply_overrides,
    check_mapping,
    column_fills,
    suggest_mapping,
)
from .planning import Actions, Plan, make_plan
from .problems import FileProblem, Problem
from .reading import Table, gc_paused, read_table, sheets_said
from .spellings import programme_spellings
from .texts import text_data
from .valid_rows import role_of
from .validation import validate_rows


@dataclass
class Prepared:
    file_name: str
    table: Table
    mapping: dict[str, str | None]
    plan: Plan
    fills: dict[str, str | None] = field(default_factory=dict)

    def file_info(self) -> dict:
        return {
            "name": self.file_name,
            "format": self.table.format,
            "encoding": self.table.encoding,
            "delimiter": self.table.delimiter,
            "rows": len(self.table.rows),
            "sheet": self.table.sheet,
            **({"edexml": self.table.edex} if self.table.edex is not None else {}),
        }


def read_upload(
    data: bytes,
    file_name: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    on_rows=None,
) -> Table:
    """`read_table` with the limits of the settings (KLASSE_MAX_ROWS, _UPLOAD_BYTES,
    _COLUMNS); `on_rows` as there. FileProblem for a file that cannot be imported."""
    return read_table(
        data,
        file_name,
        encoding=encoding,
        delimiter=delimiter,
        max_rows=settings.KLASSE_MAX_ROWS,
        max_bytes=settings.KLASSE_MAX_UPLOAD_BYTES,
        max_columns=settings.KLASSE_MAX_COLUMNS,
        on_rows=on_rows,
    )


def fill_empty_cells(table: Table, mapping: Mapping, fills: Mapping) -> None:
    """Write each fill column's value into the empty cells of its field's column, in place
    (trimmed: a cell of spaces is empty)."""
    column = {field: table.headers.index(h) for h, field in mapping.items() if field}
    pairs = [(column[field], table.headers.index(h)) for h, field in fills.items()]
    for row in table.rows:
        cells = row.cells
        for target, source in pairs:
            if not cells[target].strip() and cells[source].strip():
                cells[target] = cells[source]


def resolve_mapping(table: Table, overrides: dict[str, str | None] | None) -> dict:
    """The automatic mapping with the administrator's changes; all required columns or stop
    (FileProblem; for a workbook it names the sheet read and the sheets there are).

    An override that names no column of the file, or one field twice, is a mistake of the
    caller, not of the file: it raises ValueError (the command line exits 2 on it).
    An EDEXML table's headers are Klasse's fields already: each is its own, renamed here
    to the field's label (`klas`, `ECK iD`) so that messages and the fix-up file name the
    column as the template does; overrides do not apply to it. Call it after
    `prepare_edexml`, which finds the cells by field name.
    """
    if table.format == "edexml":
        fields = [header if header in FIELDS else None for header in table.headers]
        table.headers = [LABELS.get(header, header) for header in table.headers]
        return dict(zip(table.headers, fields, strict=True))
    mapping = suggest_mapping(table.headers)
    if overrides:
        mapping = apply_overrides(mapping, overrides)
    try:
        # (Whether the file has students matters only when no column is the opleiding.)
        students = "programme" in mapping.values() or has_students(table, mapping)
        check_mapping(table.headers, mapping, students=students)
    except FileProblem as problem:
        if problem.code != "missing_required_columns" or table.sheet is None:
            raise
        sheets = sheets_said(SimpleNamespace(names=table.sheets, hidden=table.hidden_sheets))
        raise FileProblem(
            problem.code,
            f"{problem.message} Gelezen is het werkblad '{table.sheet}'; geen zichtbaar "
            f"werkblad van dit bestand heeft alle verplichte kolommen. {sheets}",
        ) from None
    return mapping


def has_students(table: Table, mapping: dict[str, str | None]) -> bool:
    """Whether any row is a student's: without a rol column, every row is. A staff file
    (no rol a student's; an unknown one is that row's `unknown_role`) needs no opleiding
    column."""
    column = next((h for h, field in mapping.items() if field == "role"), None)
    if column is None:
        return True
    index = table.headers.index(column)
    roles = {
        text.strip() for text in set(map(itemgetter(index), map(attrgetter("cells"), table.rows)))
    }
    return any(role_of(text) == "student" for text in roles)


def prepare_import(
    data: bytes,
    file_name: str,
    *,
    school: School,
    actions: Actions,
    overrides: dict[str, str | None] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    options: EdexOptions | None = None,
) -> Prepared:
    """Read `data` and `prepare_table` it: the command line's path."""
    with gc_paused():
        table = read_upload(data, file_name, encoding=encoding, delimiter=delimiter)
        return prepare_table(
            table, file_name, school=school, actions=actions, overrides=overrides, options=options
        )


def prepare_table(
    table: Table,
    file_name: str,
    *,
    school: School,
    actions: Actions,
    overrides: dict[str, str | None] | None = None,
    options: EdexOptions | None = None,
) -> Prepared:
    """Map, validate and plan a table already read (the wizard's, stored once read);
    `table` is changed in place (filled cells, warnings). FileProblem as `resolve_mapping`,
    and for an EDEXML file of another school (`wrong_school`). `options`: the
    administrator's programmes and username pattern for an EDEXML table."""
    # One pause of the cyclic garbage collector for all three stages (each pauses it on its
    # own too): resumed after each, it would scan everything that stage built once more.
    with gc_paused():
        brin = ""
        if table.format == "edexml":
            brin = prepare_edexml(table, school=school, options=options or EdexOptions())
        mapping = resolve_mapping(table, overrides)
        fills = column_fills(table.headers, mapping)
        if fills:
            fill_empty_cells(table, mapping, fills)
        rows = validate_rows(table, mapping)
        if table.format == "edexml":
            programme_hints(table, rows)
        merge_cell_problems(table.cell_problems, table.headers, mapping, rows)
        name_doubts(table, mapping, rows)
        columns = {f: header for header, f in mapping.items() if f}
        plan = make_plan(
            rows,
            school=school,
            actions=actions,
            mapped_fields=set(columns),
            columns=columns,
            login_sheets=table.format == "edexml",
        )
        plan.school_brin = brin
        if table.format == "edexml":
            plan.location = location_of(EdexInfo.from_dict(table.edex or {}))
    # Said once per distinct value beside the file's own warnings, not on every row.
    table.warnings.extend(programme_spellings(table, mapping, rows))
    return Prepared(file_name, table, mapping, plan, fills)


def build_report(prepared: Prepared, *, dry_run: bool) -> dict:
    """The JSON object of the command line's contract (docs/import-contract.md), exactly.
    `emails`: new accounts mailed (or, in a dry run, to be mailed) a link to choose a
    password; `generated_passwords`: new accounts whose password is made for their login
    card. Both are numbers of accounts, and come last: keys are added, never renamed."""
    return {
        "dry_run": dry_run,
        "file": prepared.file_info(),
        "mapping": prepared.mapping,
        "fills": prepared.fills,
        "counts": prepared.plan.counts,
        "problems": [p.as_dict() for p in report_problems(prepared)],
        "emails": prepared.plan.emails,
        "generated_passwords": prepared.plan.generated_passwords,
        "archived_classes": [c.as_dict() for c in prepared.plan.whole_classes],
    }


def history_report(prepared: Prepared, report: dict) -> dict:
    """The report as the import history keeps it: `build_report`'s, plus `texts`, each
    problem's message as data (`texts.text_data`), in the order of `problems`, so that the
    result and history pages say it in their reader's language. Not printed by the
    command line, whose report stays the contract's."""
    return {**report, "texts": [text_data(p.message) for p in report_problems(prepared)]}


def report_problems(prepared: Prepared) -> list[Problem]:
    """What reading and planning found, by row as the spreadsheet numbers them (problems
    without a row first), each row's errors before its warnings (the contract's "Order in
    the report"); a stable sort, so one row's problems keep the order they were found in."""
    found = [*prepared.table.warnings, *prepared.plan.problems]
    return sorted(found, key=lambda p: (p.row or 0, p.severity != "error"))


def mass_archive_problem(plan: Plan) -> FileProblem:
    return FileProblem(
        "mass_archive_needs_confirmation",
        f"Deze import zou {len(plan.archive)} van de {plan.active_students} actieve leerlingen "
        "archiveren. Is dit het bestand van de hele school? Bevestig het archiveren "
        "uitdrukkelijk als dit echt de bedoeling is."
        + (
            f" Let op: dit bestand is van vestiging {plan.location}, niet van de hele school."
            if plan.location
            else ""
        ),
    )


def run_import(
    data: bytes,
    file_name: str,
    *,
    school: School,
    actions: Actions,
    overrides: dict[str, str | None] | None = None,
    dry_run: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    record=None,
    mail=None,
    options: EdexOptions | None = None,
) -> tuple[dict, AppliedChanges | None]:
    """Prepare and (unless dry_run) apply; a plan made stale by a concurrent change is
    made again once. `mail` as `apply_plan`'s. Raises FileProblem, and nothing has
    changed."""
    for attempt in range(2):
        prepared = prepare_import(
            data,
            file_name,
            school=school,
            actions=actions,
            overrides=overrides,
            encoding=encoding,
            delimiter=delimiter,
            options=options,
        )
        if prepared.plan.needs_confirmation:
            raise mass_archive_problem(prepared.plan)
        if dry_run:
            return build_report(prepared, dry_run=True), None
        try:
            report = build_report(prepared, dry_run=False)
            kept = history_report(prepared, report) if record else report
            applied = apply_plan(
                prepared.plan,
                record=record and (lambda changes, kept=kept: record(kept, changes)),
                mail=mail,
            )
        except StalePlan:
            if attempt:
                raise
            continue
        # The record callback stamps the history's copy with the run's two moments.
        report.update({k: kept[k] for k in ("started_at", "finished_at") if k in kept})
        return report, applied
    raise AssertionError("unreachable")
