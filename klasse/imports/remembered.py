"""What the wizard offers before the administrator chooses: the school's last mapping for
the same headers, and follow-up actions that suit the school's first or a later import."""

from __future__ import annotations

import hashlib

from klasse.accounts.models import Account, Role, School

from .core.edexml_choices import EdexOptions
from .core.mapping import FIELDS, Mapping, suggest_mapping
from .core.planning import Actions
from .models import ImportRun, RememberedEdexChoices, RememberedMapping


def headers_key(headers: list[str]) -> str:
    """The same set of headers gives the same key, in any order."""
    text = "\x1f".join(sorted(set(headers)))
    return hashlib.sha256(text.encode()).hexdigest()


def mapping_initial(run: ImportRun, headers: list[str]) -> Mapping:
    """This run's own choice (back from the preview), else the school's last mapping for
    these headers, else the automatic guess."""
    for candidate in (run.mapping, _remembered(run.school, headers)):
        if candidate and set(candidate) == set(headers) and _known_fields(candidate):
            return {header: candidate[header] for header in dict.fromkeys(headers)}
    return suggest_mapping(headers)


def _known_fields(mapping: Mapping) -> bool:
    return all(field is None or field in FIELDS for field in mapping.values())


def mapping_remember(*, school: School, headers: list[str], mapping: Mapping) -> None:
    RememberedMapping.objects.update_or_create(
        school=school, headers_key=headers_key(headers), defaults={"mapping": mapping}
    )


def _remembered(school: School, headers: list[str]) -> Mapping | None:
    found = RememberedMapping.objects.filter(school=school, headers_key=headers_key(headers))
    return found.values_list("mapping", flat=True).first()


def actions_initial(run: ImportRun) -> Actions:
    """1. the run's own choice; 2. a school's first import (no import applied before, undone
    or not, and no students or teachers) only adds; 3. later imports add and update.
    Archiving is never remembered: it is ticked by hand each time, because a
    teachers' file or one class's file after a whole school's would otherwise archive every
    student not in it. Passwords are never overwritten unless asked for again: students
    may have chosen their own. The password e-mails are on (as before they were a choice),
    making passwords for login cards off: both are chosen anew for each import."""
    if run.actions:
        return Actions.from_list(run.actions)
    # "Later" means an import was applied before, also one undone since (fix17, item 5:
    # the manual promises add and update after the first import), or the school has
    # students or teachers already (made by hand, say).
    applied = (ImportRun.Status.DONE, ImportRun.Status.UNDONE)
    earlier = ImportRun.objects.filter(school_id=run.school_id, status__in=applied).exists()
    people = Account.objects.filter(school_id=run.school_id).exclude(role=Role.ADMIN)
    if not earlier and not people.exists():
        return Actions(add=True)
    return Actions(add=True, update=True)


def edex_options_initial(school: School, run: ImportRun | None = None) -> EdexOptions:
    """The run's own choice (back from the preview), else the school's remembered one: the
    programme per group name and the username pattern. Empty for a school's first file."""
    if run is not None and run.options:
        return edex_options_of_run(run)
    found = RememberedEdexChoices.objects.filter(school=school).first()
    if found is None:
        return EdexOptions()
    return EdexOptions(dict(found.programmes), found.username_pattern)


def edex_options_of_run(run: ImportRun) -> EdexOptions:
    """The EDEXML choices stored with the run at step 2 (`runs.run_choose_edex`)."""
    options = run.options or {}
    return EdexOptions(dict(options.get("programmes", {})), options.get("username_pattern", ""))


def edex_options_remember(*, school: School, options: EdexOptions) -> None:
    """Keep the school's programmes per group (added to those of earlier files: a group
    not in this file keeps its choice) and its username pattern. Called when an import is
    applied (the wizard's `execution._record`, the command line after a real run), never
    for a preview or a dry run."""
    found, _ = RememberedEdexChoices.objects.get_or_create(school=school)
    found.programmes = {**found.programmes, **options.programmes}
    found.username_pattern = options.username_pattern or found.username_pattern
    found.save()
