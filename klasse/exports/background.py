"""Exports made by a worker rather than in the request: asking for one, making it, handing
it out once and forgetting it. Plain functions; the view and the task are adapters."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from klasse.accounts.models import Account, SchoolClass
from klasse.accounts.scrub import Forgotten

from .models import ExportFile
from .writers import export_rows, write_csv, write_xlsx

EXPIRES_AFTER = timedelta(days=1)
log = logging.getLogger(__name__)


def export_file_request(
    *,
    actor: Account,
    fmt: str,
    school_class: SchoolClass | None,
    include_archived: bool,
    file_name: str,
) -> ExportFile:
    """A pending export for `actor`'s school; the task `make_export_file` makes its file.
    Exports older than a day, of any school, are deleted first."""
    export_files_purge_expired()
    return ExportFile.objects.create(
        school_id=actor.school_id,
        requested_by=actor,
        format=fmt,
        school_class=school_class,
        include_archived=include_archived,
        file_name=file_name,
    )


def export_file_make(*, export_id: str) -> int:
    """Write the file of a pending export and keep it on the export; the number of rows.

    1. Load the export; one that was deleted (expired, or its class or school removed) or
       already made is left alone.
    2. Write every row, as the request would have, into memory.
    3. Store the bytes and mark the export done, unless it was deleted meanwhile.
    A failure marks the export failed (the page says so) and is raised for the worker's log.
    """
    export_files_purge_expired()
    export = (
        ExportFile.objects.select_related("school", "school_class")
        .defer("content")
        .filter(pk=export_id, status=ExportFile.Status.PENDING)
        .first()
    )
    if export is None:
        return 0
    try:
        rows = list(
            export_rows(
                school=export.school,
                include_archived=export.include_archived,
                school_class=export.school_class,
            )
        )
        out = io.BytesIO()
        (write_xlsx if export.format == "xlsx" else write_csv)(rows, out)
    except Exception:
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportFile.Status.FAILED, finished_at=timezone.now()
        )
        raise
    ExportFile.objects.filter(pk=export.pk, status=ExportFile.Status.PENDING).update(
        status=ExportFile.Status.DONE,
        content=out.getvalue(),
        rows=len(rows),
        finished_at=timezone.now(),
    )
    return len(rows)


def _get_export_file_for_user(user: Account, pk, *, fixup: bool) -> ExportFile:
    """A file this administrator asked for (without its bytes): an export, or with `fixup`
    an import's fix-up file. Anyone else's, and a file of the other kind, does not exist
    (Http404): the pages of both kinds look files up here."""
    files = ExportFile.objects.defer("content").filter(
        school_id=user.school_id, requested_by=user, import_run__isnull=not fixup
    )
    return get_object_or_404(files, pk=pk)


def export_file_take(export: ExportFile) -> bytes | None:
    """The file of a finished export, deleted as it is handed out: a school's accounts are
    not kept longer than the download needs. None when it is not (or no longer) there."""
    with transaction.atomic():
        content = (
            ExportFile.objects.select_for_update()
            .filter(pk=export.pk, status=ExportFile.Status.DONE)
            .values_list("content", flat=True)
            .first()
        )
        if content is None:
            return None
        ExportFile.objects.filter(pk=export.pk).delete()
    return bytes(content)


def export_files_purge_expired() -> int:
    """Delete every export asked for more than a day ago, made or not; how many."""
    deleted, _ = ExportFile.objects.filter(created_at__lt=timezone.now() - EXPIRES_AFTER).delete()
    return deleted


def export_files_scrub(sender=None, *, forgotten: Forgotten, **kwargs) -> dict[int, int]:
    """A receiver of `purging`: the schools' exports may name the purged accounts, so they
    are deleted, made or not. They are no history, so nothing is counted as scrubbed."""
    ExportFile.objects.filter(school_id__in=forgotten.school_ids).delete()
    return {}
