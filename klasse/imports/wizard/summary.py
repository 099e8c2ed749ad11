"""Step 2 for an EDEXML file: "Inhoud van het bestand" instead of "Koppel kolommen".

The columns of an EDEXML file are fixed, so there is nothing to map; the page shows what
the file holds (school year, BRIN, the groups with their pupils, the teachers) and asks
for what Klasse cannot know: a programme for each group whose jaargroep is not 1–8, and
how usernames are made for new accounts when the file gives none. Both are kept with the
run and remembered for the school only when the import is applied
(`execution._record` → `remembered.edex_options_remember`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..core.edexml import EdexInfo
from ..core.edexml_choices import (
    PRESELECTED_PATTERN,
    EdexOptions,
    brin_elsewhere,
    location_of,
    open_groups,
)
from ..edex_forms import EdexForm
from ..models import ImportRun
from ..remembered import actions_initial, edex_options_initial
from ..runs import run_choose_edex, run_read_table


def edex_summary(request: HttpRequest, run: ImportRun) -> HttpResponse:
    """GET: the summary and the choices (the run's own, else the school's last); POST
    `verder`: save them with the run (not yet with the school), and go on to the preview."""
    table = run_read_table(run)
    info = EdexInfo.from_dict(table.edex or {})
    groups = open_groups(table)
    brin_other = bool(run.school.brin and info.brin and run.school.brin.upper() != info.brin)
    # A school without a BRIN never takes one that another school has (`wrong_school`).
    brin_taken = bool(not run.school.brin and info.brin and brin_elsewhere(info.brin, run.school))
    # Another school's file: the refusal alone, with "Stoppen en bestand verwijderen";
    # no form, so nothing to go on with (a POST is answered with the same page).
    refused = brin_other or brin_taken
    posted = request.POST if request.method == "POST" and not refused else None
    options = edex_options_initial(run.school, run)
    # People without a username and no pattern chosen before (for this run or the
    # school): `voornaam.achternaam` is preselected, else every one of them is an error.
    preselected = bool(info.usernames_missing and not run.options and not options.username_pattern)
    if preselected:
        options = EdexOptions(options.programmes, PRESELECTED_PATTERN)
    form = EdexForm(
        posted,
        open_groups=groups,
        options=options,
        actions=actions_initial(run),
        school_slug=run.school.slug,
    )
    if posted is not None and form.is_valid():
        options = form.cleaned_data["options"]
        run_choose_edex(run, options=options, actions=form.cleaned_data["actions"])
        return redirect("imports:preview", run.pk)
    context = {
        "run": run,
        "info": info,
        "pupils": sum(group.pupils for group in info.groups),
        "brin_new": not run.school.brin and bool(info.brin) and not brin_taken,
        "brin_other": brin_other,
        "brin_taken": brin_taken,
        "preselected": preselected,
        "location": location_of(info),
        "form": form,
        "errors": form.non_field_errors() if form.is_bound else [],
        "tools_tab": "import",
    }
    return render(request, "imports/edex_summary.html", context)
