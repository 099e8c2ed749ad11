"""Step 2: "Koppel kolommen", with how the file is read and the "Vervolgacties".

One form, three submits (`stap`): `verder` saves and goes on; `opnieuw` reads the stored
file again with another encoding or separator; `controleer` only redraws which required
fields are unmapped. htmx sends the last two as soon as a drop-down changes; without
JavaScript the button "Opnieuw inlezen" does the same. Nothing is saved but by `verder`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..core.mapping import LABELS, column_fills, suggest_mapping
from ..core.planning import Actions
from ..core.reading import Table
from ..file_reading import run_reading_problem, run_reread
from ..forms import MappingForm, ReadingForm
from ..models import ImportRun
from ..remembered import actions_initial, headers_key, mapping_initial, mapping_remember
from ..runs import EDITABLE, run_choose, run_read_table
from ..tasks import run_read_enqueue
from .common import STEP_OF, _get_run_for_user, wizard_step
from .summary import edex_summary

SAMPLES = 3
SAMPLE_ROWS = 50


@wizard_step
def mapping(request: HttpRequest, pk) -> HttpResponse:
    run = _get_run_for_user(request.user, pk)
    if run.status not in EDITABLE:
        return redirect(STEP_OF.get(run.status, "imports:progress"), run.pk)
    if run.file_info.get("format") == "edexml":
        return edex_summary(request, run)
    step = request.POST.get("stap", "")
    reading, table, problem = _read(run, request.POST)
    if table is None:  # read again in the background: wait for it there
        return _to_reading(request, run)
    form = _mapping_form(run, table, request.POST)
    if step == "verder" and not form.is_bound:
        problem = _(
            "De kolommen zijn opnieuw ingelezen. Controleer de koppeling en klik op Verder."
        )
    elif step == "verder" and form.is_valid():
        choice = form.cleaned_data
        run_choose(run, mapping=choice["mapping"], actions=choice["actions"])
        mapping_remember(school=run.school, headers=table.headers, mapping=choice["mapping"])
        return redirect("imports:preview", run.pk)
    context = {
        "problem": problem,
        "run": run,
        "table": table,
        "reading": reading,
        "form": form,
        "columns": list(
            zip(form.column_fields(), _samples(table, form), _fills(table, form), strict=True)
        ),
        "errors": form.non_field_errors() if step == "verder" and form.is_bound else [],
        "signature": headers_key(table.headers),
        "tools_tab": "import",
    }
    return render(request, "imports/mapping.html", context)


def _read(run: ImportRun, posted) -> tuple[ReadingForm | None, Table | None, str]:
    """The table as the administrator now asks to read it. Another encoding or separator
    is read by the worker (table None while it reads); if that fails, the table stays as
    it was read before, with the problem."""
    if run.file_info.get("format") != "csv":
        return None, run_read_table(run), ""
    reading = ReadingForm.for_run(posted, run.file_info)
    encoding, delimiter = reading.chosen()
    info = run.file_info
    if (encoding, delimiter) != (info.get("encoding"), info.get("delimiter")):
        run_reread(run, encoding=encoding, delimiter=delimiter)
        run = run_read_enqueue(run)
        if run.status == ImportRun.Status.READING:
            return reading, None, ""
    problem = run_reading_problem(run)
    if problem:
        reading = ReadingForm.for_run(None, run.file_info)
    return reading, run_read_table(run), problem


def _to_reading(request: HttpRequest, run: ImportRun) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Redirect"] = reverse("imports:reading", args=[run.pk])
        return response
    return redirect("imports:reading", run.pk)


def _mapping_form(run: ImportRun, table: Table, posted) -> MappingForm:
    """Bound to what was posted for these very columns; after a change of separator the
    columns differ, and the page starts from the remembered or guessed mapping again."""
    if posted and posted.get("kolommen") == headers_key(table.headers):
        return MappingForm(
            posted, headers=table.headers, mapping={}, actions=Actions(), table=table
        )
    actions = (
        Actions(**{name: name in posted for name in MappingForm.ACTION_NAMES})
        if posted
        else actions_initial(run)
    )
    return MappingForm(
        headers=table.headers,
        mapping=mapping_initial(run, table.headers),
        actions=actions,
        table=table,
    )


def _fills(table: Table, form: MappingForm) -> list[str]:
    """Per column, the label of the field whose empty cells it fills, or "" (a Voornaam
    beside the mapped Roepnaam: the page shows both)."""
    fills = column_fills(table.headers, form.current_mapping())
    return [_(LABELS[fills[header]]) if header in fills else "" for header in form.headers]


def _samples(table: Table, form: MappingForm) -> list[list[str]]:
    """A few non-empty values of each column, from the first rows; never a password."""
    found: list[list[str]] = []
    chosen, guessed = form.current_mapping(), suggest_mapping(table.headers)
    for header in form.headers:
        index = table.headers.index(header)
        values = (row.cells[index].strip() for row in table.rows[:SAMPLE_ROWS])
        samples = list(dict.fromkeys(v for v in values if v))[:SAMPLES]
        if "password" in (chosen.get(header), guessed.get(header)):
            samples = ["••••••"] * len(samples)
        found.append(samples)
    return found
