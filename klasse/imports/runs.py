"""The wizard's import runs: an upload becomes a run, which is mapped, previewed, queued and
finally executed by the background task. Views and the task call these; these call the core.
They keep the run's books and know nothing of the task: `tasks.run_queue` marks a run
queued here and then enqueues it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from klasse.accounts.models import Account, School

from .core.edexml_choices import EdexOptions
from .core.edexml_strip import strip_upload
from .core.mapping import Mapping
from .core.pipeline import Prepared, prepare_table
from .core.planning import Actions
from .core.reading import Table
from .models import ImportRun
from .uploads import upload_delete, upload_exists, upload_store, upload_table, uploads_check_room

Status = ImportRun.Status
EDITABLE = (Status.PLANNED, Status.STALE)  # the wizard's steps before "Importeer"
ABANDONED_AFTER = timedelta(hours=24)
HEARTBEAT_EVERY = 5  # seconds
HEARTBEAT_TIMEOUT = timedelta(seconds=60)


def run_create(*, school: School, actor: Account, file_name: str, data: bytes) -> ImportRun:
    """1. discard abandoned wizards' files; 2. refuse the upload when the school has no room
    for it (`uploads.NoRoom`), with the school locked so that two uploads at once cannot
    both take the last place; 3. store the bytes with a new run that is still to be read
    (`reading.run_read`, in the background). A CSV or XLSX file is not parsed here; an
    EDEXML file is, once, so that only the fields Klasse needs are stored
    (`edexml_strip`): FileProblem when it cannot be read, and nothing is stored."""
    runs_discard_abandoned()
    sha256 = hashlib.sha256(data).hexdigest()
    data = strip_upload(
        data,
        file_name,
        max_rows=settings.KLASSE_MAX_ROWS,
        max_bytes=settings.KLASSE_MAX_UPLOAD_BYTES,
    )
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        uploads_check_room(school=school, size=len(data))
        run = ImportRun.objects.create(
            school=school,
            actor=actor,
            source="web",
            status=Status.READING,
            file_name=file_name[:255],
            file_sha256=sha256,
            file_info={"name": file_name[:255]},
        )
        upload_store(run, data)
    return run


def run_read_table(run: ImportRun) -> Table:
    """The table read from the run's file, as stored by the background reading;
    `uploads.UploadGone` when the file is no longer kept."""
    return upload_table(run)


def run_actions(run: ImportRun, *, confirm_mass_archive: bool = False) -> Actions:
    return Actions.from_list(run.actions, confirm_mass_archive=confirm_mass_archive)


def run_prepare(run: ImportRun, *, confirm_mass_archive: bool | None = None) -> Prepared:
    """Plan the table read from the stored file (it is not parsed again) against the
    school's accounts as they are now."""
    if confirm_mass_archive is None:
        confirm_mass_archive = "confirm_mass_archive" in run.actions
    return prepare_table(
        upload_table(run),
        run.file_name,
        school=run.school,
        actions=run_actions(run, confirm_mass_archive=confirm_mass_archive),
        overrides=run.mapping,
        options=EdexOptions(**run.options) if run.options else None,
    )


def run_choose(
    run: ImportRun,
    *,
    mapping: Mapping,
    actions: Actions,
) -> None:
    """Save the mapping step: columns and follow-up actions. How the file is read was
    saved when it was read (`file_reading.run_read`)."""
    run.mapping = mapping
    run.actions = actions.as_list()
    run.status = Status.PLANNED
    run.save(update_fields=["mapping", "actions", "status"])


def run_choose_edex(run: ImportRun, *, options: EdexOptions, actions: Actions) -> None:
    """Save the EDEXML summary step: programmes per group, username pattern, actions."""
    run.options = {"programmes": options.programmes, "username_pattern": options.username_pattern}
    run.actions = actions.as_list()
    run.status = Status.PLANNED
    run.save(update_fields=["options", "actions", "status"])


@dataclass
class Queued:
    """What happened to an "Importeer": `queued` (the run is marked queued, and
    `tasks.run_queue` enqueues its task), `already` (this run was queued before: show its
    progress), `busy` (the same file is being imported by `run`), `changed` (the school's
    accounts changed since the preview) or `confirm` (a mass archive without the extra
    tick). For the last two, `prepared` is the new plan."""

    outcome: Literal["queued", "already", "busy", "changed", "confirm"]
    run: ImportRun
    prepared: Prepared | None = None


def run_mark_queued(run: ImportRun, *, seen_fingerprint: str, confirm_mass_archive: bool) -> Queued:
    """1. plan again (outside the lock: it may take seconds); 2. refuse a plan that differs
    from the preview, or an unconfirmed mass archive; 3. lock the run and mark it queued,
    unless a second click got there first; the database allows one live run per file.
    Only the call whose outcome is `queued` marked it: its caller enqueues the task."""
    if run.status not in EDITABLE:
        return Queued("already", run)
    runs_fail_interrupted(school_id=run.school_id)  # a dead import must not block this file
    prepared = run_prepare(run, confirm_mass_archive=confirm_mass_archive)
    if prepared.plan.fingerprint != seen_fingerprint:
        return Queued("changed", run, prepared)
    if prepared.plan.needs_confirmation:
        return Queued("confirm", run, prepared)
    try:
        with transaction.atomic():
            locked = ImportRun.objects.select_for_update().get(pk=run.pk)
            if locked.status not in EDITABLE:
                return Queued("already", locked)
            locked.status = Status.QUEUED
            locked.actions = prepared.plan.actions.as_list()
            locked.fingerprint = prepared.plan.fingerprint
            locked.counts = prepared.plan.counts
            locked.progress = locked.total = 0
            locked.error = ""
            locked.save()
    except IntegrityError:
        live = ImportRun.objects.filter(
            school_id=run.school_id,
            file_sha256=run.file_sha256,
            status__in=[Status.QUEUED, Status.RUNNING],
        ).first()
        return Queued("busy", live or run)
    return Queued("queued", locked)


def run_discard(run: ImportRun) -> None:
    """The administrator stops the wizard: the file goes, and so does the unfinished run."""
    upload_delete(run)
    if run.status in (*EDITABLE, Status.READING):
        run.delete()


def run_discard_unread(run: ImportRun) -> None:
    """A run whose file could not be read, once its problem is shown: nothing was imported,
    so it goes with its file and stays out of the history."""
    upload_delete(run)
    if run.status == Status.FAILED and "detected" not in run.file_info:
        run.delete()


def run_discard_file(run: ImportRun) -> None:
    """Delete the run's file and what was read of it; the run stays."""
    upload_delete(run)


def run_has_file(run: ImportRun) -> bool:
    return upload_exists(run)


INTERRUPTED = (
    "De import is onderbroken: de achtergrondtaak stopte onverwacht. Er is niets gewijzigd. "
    "Kies het bestand opnieuw en probeer het nog eens."
)


def runs_fail_interrupted(*, school_id: int | None = None) -> int:
    """Running imports whose worker stopped sending its heartbeat are marked failed.

    Their transaction died with the worker, so nothing was applied; the upload goes too,
    which also frees the file for a new attempt (one live run per file)."""
    cutoff = timezone.now() - HEARTBEAT_TIMEOUT
    dead = ImportRun.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    if school_id is not None:
        dead = dead.filter(school_id=school_id)
    count = 0
    for run in dead.only("pk"):
        run_discard_file(run)
        count += ImportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            status=Status.FAILED, error=INTERRUPTED, finished_at=timezone.now()
        )
    return count


def runs_discard_abandoned() -> int:
    """Files of wizards left unfinished for a day are deleted (the runs stay, without file);
    so are those of readings that never ended (their worker died)."""
    cutoff = timezone.now() - ABANDONED_AFTER
    abandoned = ImportRun.objects.filter(
        status__in=[*EDITABLE, Status.READING], created_at__lt=cutoff, upload__isnull=False
    )
    count = 0
    for run in abandoned.only("pk"):
        run_discard_file(run)
        count += 1
    return count
